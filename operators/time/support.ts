/**
 * Small pieces shared by the event-time operators: the processing-time hook, late-row handling,
 * the two-input watermark, and option checks.
 */
import { RivuletError } from '../../common/errors.ts';
import type { Collector, OperatorContext, Row, RowKind } from '../api.ts';

/** The metric every event-time operator counts dropped late rows under. */
export const LATE_RECORDS_METRIC = 'numLateRecordsDropped';

/**
 * Operators with processing-time behaviour (early firing, idleness, state TTL) also check the clock
 * whenever a row or watermark arrives; the runtime may call `onProcessingTime` on a timer so that the
 * behaviour also happens while no input arrives.
 */
export interface ProcessingTimeAware {
  onProcessingTime(now: number): void;
}

export function isProcessingTimeAware(op: object): op is ProcessingTimeAware {
  return typeof (op as Partial<ProcessingTimeAware>).onProcessingTime === 'function';
}

/** A late row: sent to the side output when one is configured, else counted as dropped. */
export function handleLate(
  ctx: OperatorContext,
  lateOutput: Collector | undefined,
  kind: RowKind,
  row: Row,
): void {
  if (lateOutput) lateOutput.push(kind, row);
  else ctx.count(LATE_RECORDS_METRIC);
}

/** An operator used before `open` or with state it cannot hold: a bug, not the user's fault. */
export function notOpened(name: string): RivuletError {
  return new RivuletError(
    'internal',
    'INTERNAL',
    `internal error (this is a bug in Rivulet): ${name} used before open()`,
  );
}

export function requireNonNegative(name: string, v: number | undefined): void {
  if (v === undefined) return;
  if (!(v >= 0) || !Number.isFinite(v)) {
    throw new RivuletError(
      'plan',
      'TIME_INVALID_OPTION',
      `${name} must be a non-negative number of milliseconds, got ${v}`,
    );
  }
}

/** Tracks the watermark of each input and the combined watermark (the minimum), monotonically. */
export class InputWatermarks {
  private readonly perInput: number[];
  current = Number.NEGATIVE_INFINITY;

  constructor(inputs: number) {
    this.perInput = new Array<number>(inputs).fill(Number.NEGATIVE_INFINITY);
  }

  /** Records `ts` for `input`; returns the new combined watermark if it advanced, else null. */
  advance(ts: number, input: number): number | null {
    if (ts > (this.perInput[input] as number)) this.perInput[input] = ts;
    let min = Number.POSITIVE_INFINITY;
    for (const w of this.perInput) if (w < min) min = w;
    if (min > this.current) {
      this.current = min;
      return min;
    }
    return null;
  }

  snapshot(): number[] {
    return [...this.perInput, this.current];
  }

  restore(s: readonly number[]): void {
    for (let i = 0; i < this.perInput.length; i++) this.perInput[i] = s[i] as number;
    this.current = s[this.perInput.length] as number;
  }
}

/** A deep copy of plain state, so a snapshot does not change when the operator mutates accumulators. */
export function copyState<T>(state: T): T {
  return structuredClone(state);
}
