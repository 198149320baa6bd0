/**
 * HistoryRecorder: a pass-through operator that also records a versioned table's changelog into a
 * VersionHistory that outlives the job (`versioned.history-retention`: the session keeps it, and time
 * travel queries answer from it instead of re-reading the source).
 *
 * 1. Every change is forwarded unchanged and recorded with `history.apply`; a change older than the
 *    history's horizon cannot be placed and is counted under `numHistoryLateRecordsDropped` (it is
 *    still forwarded: the job's own answer does not depend on the retained history).
 * 2. A finite watermark wm is forwarded and prunes the history to wm - retention. The final +Infinity
 *    watermark of a bounded input prunes to the newest version time read - retention instead: the end
 *    of the input does not advance event time past the table's newest change (and a source read in
 *    one batch may never have emitted a finite watermark).
 * 3. When the input ends, `finished()` tells the owner the history is complete; when the operator is
 *    closed without its input having ended (the job was cancelled or failed), `abandoned()` tells it
 *    the history is partial, so the owner can discard it.
 * The history is obtained from `attach()` when the operator opens, not when the job is built, so a
 * job that fails to build or never starts holds no history; `attach()` returning undefined (another
 * job already feeds it) makes the operator a plain pass-through.
 */
import type { Collector, Operator, OperatorContext, Row, RowKind } from '../api.ts';
import { notOpened } from '../time/support.ts';
import type { VersionHistory } from './version-history.ts';

export interface HistoryRecorderOptions {
  /** The history to record into and its owner's callbacks, asked for when the operator opens. */
  readonly attach: () => HistoryTarget | undefined;
  /** The version-time column (epoch ms), for step 2. */
  readonly timeIndex: number;
}

export interface HistoryTarget {
  readonly history: VersionHistory;
  /** The input ended: the history holds the whole table (step 3). */
  readonly finished?: () => void;
  /** The job stopped before its input ended: the history is partial (step 3). */
  readonly abandoned?: () => void;
  /** Each finite watermark recorded (for the owner's bookkeeping). */
  readonly watermarked?: (wm: number) => void;
}

export class HistoryRecorder implements Operator {
  readonly name = 'HistoryRecorder';
  private readonly opts: HistoryRecorderOptions;
  private target: HistoryTarget | undefined;
  private ended = false;
  /** The newest version time read (step 2). */
  private maxTime = Number.NEGATIVE_INFINITY;
  private ctx: OperatorContext | null = null;
  private out: Collector | null = null;

  constructor(options: HistoryRecorderOptions) {
    this.opts = options;
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
    this.target = this.opts.attach();
  }

  process(kind: RowKind, row: Row, _input: number): void {
    const out = this.out;
    const ctx = this.ctx;
    if (!out || !ctx) throw notOpened(this.name);
    const target = this.target;
    if (target === undefined) {
      out.push(kind, row);
      return;
    }
    if (!target.history.apply(kind, row)) ctx.count('numHistoryLateRecordsDropped');
    const t = row[this.opts.timeIndex];
    if (typeof t === 'number' && t > this.maxTime) this.maxTime = t;
    out.push(kind, row);
  }

  processWatermark(ts: number, _input: number): void {
    const out = this.out;
    if (!out) throw notOpened(this.name);
    const wm = ts === Number.POSITIVE_INFINITY ? this.maxTime : ts;
    if (this.target !== undefined && Number.isFinite(wm)) {
      this.target.history.advanceWatermark(wm);
      this.target.watermarked?.(wm);
    }
    out.watermark(ts);
  }

  endInput(_input: number): void {
    if (this.ended) return;
    this.ended = true;
    this.target?.finished?.();
    this.out?.end();
  }

  /** The history belongs to the session, not to the job's checkpoints. */
  snapshot(): unknown {
    return { ended: this.ended, maxTime: this.maxTime };
  }

  restore(state: unknown): void {
    const s = state as { ended: boolean; maxTime: number };
    this.ended = s.ended;
    this.maxTime = s.maxTime;
  }

  /** The retained versions and their cleanup timers (memory this job's input keeps alive). */
  stateSize(): number {
    const h = this.target?.history;
    return h === undefined ? 0 : h.size + h.timerCount;
  }

  close(): void {
    if (!this.ended) this.target?.abandoned?.();
  }
}
