/**
 * WindowDeduplicate: `ROW_NUMBER() OVER (PARTITION BY window_start, window_end, keys ORDER BY rowtime
 * ASC|DESC) = 1` after a window TVF: per window and key, the first (or last) row by rowtime, emitted
 * unchanged when the watermark passes `window_end - 1` (append-only output).
 *
 * 1. Per (window, key) only the current winner is kept: keep-first replaces it with a row of strictly
 *    smaller rowtime (ties: the first to arrive), keep-last with a row of larger or equal rowtime
 *    (ties: the last to arrive).
 * 2. On firing every winner is emitted and freed. Late rows are counted or sent to `lateOutput`.
 */
import { RivuletError } from '../../common/errors.ts';
import {
  type Collector,
  isAccumulate,
  type Operator,
  type OperatorContext,
  type Row,
  RowKind,
} from '../api.ts';
import { encodeKey } from '../state.ts';
import { handleLate, notOpened } from './support.ts';
import { WindowBuckets } from './window-buckets.ts';

export interface WindowDeduplicateOptions {
  readonly windowStartIndex: number;
  readonly windowEndIndex: number;
  readonly keys: readonly number[];
  /** The time attribute of ORDER BY. */
  readonly rowtimeIndex: number;
  /** ORDER BY ... DESC: keep the last row; otherwise the first. */
  readonly keepLast: boolean;
  readonly lateOutput?: Collector;
}

export class WindowDeduplicate implements Operator {
  readonly name = 'WindowDeduplicate';
  private readonly opts: WindowDeduplicateOptions;
  private readonly buckets = new WindowBuckets<{ row: Row | null }>((g) => ({ row: g.row }));
  private ctx: OperatorContext | null = null;
  private out: Collector | null = null;
  private wm = Number.NEGATIVE_INFINITY;

  constructor(options: WindowDeduplicateOptions) {
    this.opts = options;
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    const ctx = this.ctx;
    if (!ctx) throw notOpened(this.name);
    if (!isAccumulate(kind)) {
      throw new RivuletError(
        'runtime',
        'WINDOW_DEDUPLICATE_RETRACT',
        'window deduplication accepts only inserts: its input is an update stream',
      );
    }
    const o = this.opts;
    const end = row[o.windowEndIndex] as number;
    if (this.buckets.isLate(end, this.wm)) {
      handleLate(ctx, o.lateOutput, kind, row);
      return;
    }
    const key = encodeKey([row[o.windowStartIndex], ...o.keys.map((c) => row[c])]);
    const g = this.buckets.group(end, key, () => ({ row: null }));
    const cur = g.row;
    if (cur === null) {
      g.row = row;
      return;
    }
    const ts = row[o.rowtimeIndex] as number;
    const curTs = cur[o.rowtimeIndex] as number;
    if (o.keepLast ? ts >= curTs : ts < curTs) g.row = row;
  }

  processWatermark(ts: number, _input: number): void {
    if (ts <= this.wm) return;
    this.wm = ts;
    const out = this.out as Collector;
    this.buckets.fire(ts, (g) => {
      if (g.row !== null) out.push(RowKind.INSERT, g.row);
    });
    out.watermark(ts);
  }

  endInput(_input: number): void {
    this.out?.end();
  }

  snapshot(): unknown {
    // The windows' groups are written out copy-on-write (WindowBuckets.snapshot).
    return { wm: this.wm, buckets: this.buckets.snapshot() };
  }

  restore(state: unknown): void {
    const s = structuredClone(state) as { wm: number; buckets: unknown };
    this.wm = s.wm;
    this.buckets.restore(s.buckets);
  }

  stateSize(): number {
    return this.buckets.size(() => 1);
  }

  close(): void {}
}
