/**
 * TimeTravelScan: a bounded query over a versioned table's history: `FOR SYSTEM_TIME AS OF ts`,
 * `FOR SYSTEM_TIME FROM a TO b`, `FOR SYSTEM_TIME BETWEEN a AND b`. Input 0 is the table's changelog
 * (keyed by its primary key, with a version-time column). Semantics are VersionHistory's.
 *
 * 1. Every change goes into a VersionHistory. After each watermark wm, history the query cannot need
 *    is freed (validity ended at or before min(wm, the query's lower bound)).
 * 2. AS OF ts: once wm >= ts every change at or before ts has arrived, so the snapshot is final: the
 *    rows in force at ts are emitted (+I, the rows as they are), state is dropped and later input is
 *    ignored. This also works on an unbounded input.
 * 3. FROM/BETWEEN: a version's end can move until its key changes again, so the versions are emitted
 *    at the end of input (wm = +Infinity or endInput): +I `row ++ [valid_from, valid_to]`, valid_to NULL
 *    for a version still in force at the end.
 * 4. A change older than what was freed cannot be placed: counted under `numLateRecordsDropped` (or
 *    sent to `lateOutput`). Rows with a NULL version time are counted under
 *    `numNullRowtimeRecordsDropped`.
 * Output order: per key in order of the key's first appearance, versions by time.
 */
import type { Collector, Operator, OperatorContext, Row, RowKind } from '../api.ts';
import { RowKind as Kind } from '../api.ts';
import { handleLate, notOpened } from '../time/support.ts';
import { type PeriodQuery, VersionHistory, type VersionHistoryData } from './version-history.ts';

export interface TimeTravelScanOptions {
  /** The versioned table's primary-key columns. */
  readonly keyIndices: readonly number[];
  /** The version-time column (epoch ms). */
  readonly timeIndex: number;
  readonly query: PeriodQuery;
  /** Where changes too old to place go instead of being dropped and counted. */
  readonly lateOutput?: Collector;
}

export class TimeTravelScan implements Operator {
  readonly name = 'TimeTravelScan';
  private readonly opts: TimeTravelScanOptions;
  private readonly history: VersionHistory;
  /** The lowest time the query asks about: history ending at or before it is never needed. */
  private readonly lowerBound: number;
  private watermarkTs = Number.NEGATIVE_INFINITY;
  private done = false;
  private ended = false;
  private ctx: OperatorContext | null = null;
  private out: Collector | null = null;

  constructor(options: TimeTravelScanOptions) {
    this.opts = options;
    this.history = new VersionHistory({
      keyIndices: options.keyIndices,
      timeIndex: options.timeIndex,
      retentionMs: Number.POSITIVE_INFINITY,
    });
    const q = options.query;
    this.lowerBound = q.kind === 'asOf' ? q.at : q.from;
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    const ctx = this.ctx;
    if (!ctx) throw notOpened(this.name);
    if (this.done) return;
    const ts = row[this.opts.timeIndex];
    if (ts === null || ts === undefined) {
      ctx.count('numNullRowtimeRecordsDropped');
      return;
    }
    if (!this.history.apply(kind, row)) handleLate(ctx, this.opts.lateOutput, kind, row);
  }

  processWatermark(ts: number, _input: number): void {
    const out = this.out;
    if (!out) throw notOpened(this.name);
    if (!(ts > this.watermarkTs)) return;
    this.watermarkTs = ts;
    const q = this.opts.query;
    if (!this.done) {
      if (q.kind === 'asOf' ? ts >= q.at : ts === Number.POSITIVE_INFINITY) this.emit(out);
      else this.history.freeBefore(Math.min(ts, this.lowerBound));
    }
    out.watermark(ts);
  }

  private emit(out: Collector): void {
    const q = this.opts.query;
    if (q.kind === 'asOf') {
      for (const row of this.history.asOf(q.at)) out.push(Kind.INSERT, row);
    } else {
      for (const v of this.history.query(q)) {
        const validTo = v.validTo === Number.POSITIVE_INFINITY ? null : v.validTo;
        out.push(Kind.INSERT, [...v.row, v.validFrom, validTo]);
      }
    }
    this.done = true;
    this.history.clear();
  }

  endInput(_input: number): void {
    const out = this.out;
    if (!out) throw notOpened(this.name);
    if (this.ended) return;
    this.ended = true;
    if (!this.done) this.emit(out);
    out.end();
  }

  snapshot(): unknown {
    // The history is written out copy-on-write (VersionHistory.snapshot).
    return { history: this.history.snapshot(), wm: this.watermarkTs, done: this.done, ended: this.ended };
  }

  restore(state: unknown): void {
    const s = structuredClone(state) as {
      history: VersionHistoryData;
      wm: number;
      done: boolean;
      ended: boolean;
    };
    this.history.restoreData(s.history);
    this.watermarkTs = s.wm;
    this.done = s.done;
    this.ended = s.ended;
  }

  /** Changes held + cleanup timers. */
  stateSize(): number {
    return this.history.size + this.history.timerCount;
  }

  close(): void {
    this.history.clear();
  }
}
