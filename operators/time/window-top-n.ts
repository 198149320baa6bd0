/**
 * WindowTopN: `ROW_NUMBER() | RANK() | DENSE_RANK() OVER (PARTITION BY window_start, window_end, keys
 * ORDER BY ...) <= N` after a window TVF. Emits each window's top rows once, when the watermark
 * passes `window_end - 1` (append-only output).
 *
 * 1. Each row joins its (window, partition) buffer, kept sorted by the comparator; rows that compare
 *    equal keep their arrival order (binary search for the position after the last equal row).
 * 2. The buffer is trimmed to what can still be in the result: N rows for ROW_NUMBER, plus rows tied
 *    with the N-th for RANK, N distinct sort values for DENSE_RANK; a later row can only push others
 *    down, never bring a trimmed one back.
 * 3. On firing, rows ranked within [rankStart, rankEnd] are emitted in rank order, with the rank
 *    appended when `outputRank`; the buffer is freed.
 * Rows for a window already fired are late (counted, or sent to `lateOutput`). Inserts only.
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
import { type RankType, ranksOf, upperBound, validateRankRange } from './ranking.ts';
import { handleLate, notOpened } from './support.ts';
import { WindowBuckets } from './window-buckets.ts';

export interface WindowTopNOptions {
  readonly windowStartIndex: number;
  readonly windowEndIndex: number;
  readonly partitionKeys: readonly number[];
  /** ORDER BY as a comparator (negative: a ranks before b). */
  readonly compare: (a: Row, b: Row) => number;
  readonly rankType?: RankType;
  /** Smallest rank emitted (default 1). */
  readonly rankStart?: number;
  /** Largest rank emitted (the N of `<= N`). */
  readonly rankEnd: number;
  /** Append the rank as the last column. */
  readonly outputRank?: boolean;
  readonly lateOutput?: Collector;
}

export class WindowTopN implements Operator {
  readonly name = 'WindowTopN';
  private readonly opts: WindowTopNOptions;
  private readonly rankType: RankType;
  // Rows are never changed: a copy of a group copies its list.
  private readonly buckets = new WindowBuckets<Row[]>((rows) => rows.slice());
  private ctx: OperatorContext | null = null;
  private out: Collector | null = null;
  private wm = Number.NEGATIVE_INFINITY;

  constructor(options: WindowTopNOptions) {
    validateRankRange(options.rankStart ?? 1, options.rankEnd);
    this.opts = options;
    this.rankType = options.rankType ?? 'ROW_NUMBER';
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
        'WINDOW_TOPN_RETRACT',
        'window Top-N accepts only inserts: its input is an update stream',
      );
    }
    const o = this.opts;
    const end = row[o.windowEndIndex] as number;
    if (this.buckets.isLate(end, this.wm)) {
      handleLate(ctx, o.lateOutput, kind, row);
      return;
    }
    const key = encodeKey([row[o.windowStartIndex], ...o.partitionKeys.map((c) => row[c])]);
    const rows = this.buckets.group(end, key, () => []);
    rows.splice(upperBound(rows, row, o.compare), 0, row);
    this.trim(rows);
  }

  private trim(rows: Row[]): void {
    const n = this.opts.rankEnd;
    if (rows.length <= n) return;
    const cmp = this.opts.compare;
    if (this.rankType === 'ROW_NUMBER') rows.length = n;
    else if (this.rankType === 'RANK') {
      // Rows after position n survive only while tied with the n-th (their rank is still <= n).
      let keep = n;
      while (keep < rows.length && cmp(rows[n - 1] as Row, rows[keep] as Row) === 0) keep++;
      rows.length = keep;
    } else {
      let groups = 1;
      for (let i = 1; i < rows.length; i++) {
        if (cmp(rows[i - 1] as Row, rows[i] as Row) !== 0 && ++groups > n) {
          rows.length = i;
          return;
        }
      }
    }
  }

  processWatermark(ts: number, _input: number): void {
    if (ts <= this.wm) return;
    this.wm = ts;
    const out = this.out as Collector;
    const o = this.opts;
    const start = o.rankStart ?? 1;
    this.buckets.fire(ts, (rows) => {
      const ranks = ranksOf(rows, this.rankType, o.compare);
      for (let i = 0; i < rows.length; i++) {
        const r = ranks[i] as number;
        if (r < start || r > o.rankEnd) continue;
        out.push(RowKind.INSERT, o.outputRank ? [...(rows[i] as Row), r] : (rows[i] as Row));
      }
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
    return this.buckets.size((rows) => rows.length);
  }

  close(): void {}
}
