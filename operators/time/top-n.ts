/**
 * TopN on an unbounded stream: `ROW_NUMBER() OVER (PARTITION BY keys ORDER BY ...) AS rn ... WHERE
 * rn BETWEEN rankStart AND rankEnd`, emitting changes as the top rows change.
 *
 * 1. Each partition keeps its rows sorted by the comparator (equal rows in arrival order). With
 *    insert-only input only the first `rankEnd` rows can ever be in the result, so the rest are
 *    dropped; with retractions (`acceptsRetractions`) every row is kept, since a deletion can bring a
 *    lower row back up.
 * 2. For each change, the visible ranks [rankStart, rankEnd] before and after are compared:
 *    - with the rank column (`outputRank`), per rank: a new row at a rank is `-U old, +U new`, a rank
 *      first filled is `+I`, a rank emptied is `-D`;
 *    - without it (Flink's rn-less optimisation) only membership matters: rows that left the range are
 *      `-D`, rows that entered it `+I`; a row that merely moved rank emits nothing.
 * 3. With `stateTtlMs`, a partition not written for that long (processing time) is forgotten.
 * Snapshots are copy-on-write (ttl-map.ts): a partition changed while one is written out is copied
 * first.
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
import { encodeKey, keySelector, type StateKey } from '../state.ts';
import { upperBound, validateRankRange } from './ranking.ts';
import { notOpened, type ProcessingTimeAware, requireNonNegative } from './support.ts';
import { TtlMap, type TtlMapEntry } from './ttl-map.ts';

export interface TopNOptions {
  readonly partitionKeys: readonly number[];
  readonly compare: (a: Row, b: Row) => number;
  readonly rankStart?: number;
  readonly rankEnd: number;
  /** Append the row number as the last column. */
  readonly outputRank?: boolean;
  /** The input is an update stream: keep every row so deletions can be answered exactly. */
  readonly acceptsRetractions?: boolean;
  /** Forget a partition not written for this long (processing time); absent or 0: never. */
  readonly stateTtlMs?: number;
}

/**
 * @example
 * // SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY category ORDER BY sales DESC) AS rn FROM t)
 * // WHERE rn <= 3, rows [category, product, sales]
 * new TopN({ partitionKeys: [0], compare: (a, b) => (b[2] as number) - (a[2] as number), rankEnd: 3, outputRank: true });
 */
export class TopN implements Operator, ProcessingTimeAware {
  readonly name = 'TopN';
  private readonly opts: TopNOptions;
  private readonly keyOf: (row: Row) => StateKey;
  private readonly state: TtlMap<Row[]>;
  private readonly start: number;
  private ctx: OperatorContext | null = null;
  private out: Collector | null = null;
  private rows = 0;

  constructor(options: TopNOptions) {
    this.start = options.rankStart ?? 1;
    validateRankRange(this.start, options.rankEnd);
    requireNonNegative('stateTtlMs', options.stateTtlMs);
    this.opts = options;
    this.keyOf = keySelector(options.partitionKeys);
    // Rows are never changed, only the partitions' arrays: a shallow copy preserves a partition.
    this.state = new TtlMap<Row[]>(options.stateTtlMs, (rows) => rows.slice());
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    const ctx = this.ctx;
    if (!ctx) throw notOpened(this.name);
    const now = ctx.now();
    this.expire(now);
    const o = this.opts;
    const key = this.keyOf(row);
    const rows = this.state.getForUpdate(key) ?? []; // changed in place below
    const before = rows.slice(this.start - 1, o.rankEnd);
    if (isAccumulate(kind)) {
      rows.splice(upperBound(rows, row, o.compare), 0, row);
      this.rows++;
      if (!o.acceptsRetractions && rows.length > o.rankEnd) {
        this.rows -= rows.length - o.rankEnd;
        rows.length = o.rankEnd;
      }
    } else {
      if (!o.acceptsRetractions) {
        throw new RivuletError(
          'runtime',
          'TOPN_RETRACT_UNSUPPORTED',
          'this Top-N was planned for an insert-only input but received a retraction',
        );
      }
      const i = this.indexOf(rows, row);
      // A retraction of a row never seen (e.g. expired by TTL) changes nothing.
      if (i < 0) return;
      rows.splice(i, 1);
      this.rows--;
    }
    const after = rows.slice(this.start - 1, o.rankEnd);
    if (rows.length === 0) this.state.delete(key);
    else this.state.set(key, rows, now);
    this.emitDiff(before, after);
  }

  /** Position of a row equal in value to `row`, searched among the rows comparing equal to it. */
  private indexOf(rows: Row[], row: Row): number {
    const cmp = this.opts.compare;
    const target = encodeKey(row);
    for (let i = upperBound(rows, row, cmp) - 1; i >= 0 && cmp(rows[i] as Row, row) === 0; i--) {
      if (encodeKey(rows[i] as Row) === target) return i;
    }
    return -1;
  }

  private emitDiff(before: Row[], after: Row[]): void {
    const out = this.out as Collector;
    if (this.opts.outputRank) {
      const n = Math.max(before.length, after.length);
      for (let i = 0; i < n; i++) {
        const o = before[i];
        const a = after[i];
        if (o === a) continue;
        const rank = this.start + i;
        if (o !== undefined && a !== undefined) {
          out.push(RowKind.UPDATE_BEFORE, [...o, rank]);
          out.push(RowKind.UPDATE_AFTER, [...a, rank]);
        } else if (a !== undefined) out.push(RowKind.INSERT, [...a, rank]);
        else if (o !== undefined) out.push(RowKind.DELETE, [...o, rank]);
      }
      return;
    }
    const kept = new Set(after);
    const was = new Set(before);
    for (const o of before) if (!kept.has(o)) out.push(RowKind.DELETE, o);
    for (const a of after) if (!was.has(a)) out.push(RowKind.INSERT, a);
  }

  private expire(now: number): void {
    if (!this.opts.stateTtlMs) return;
    this.state.expire(now, (rows) => {
      this.rows -= rows.length;
    });
  }

  onProcessingTime(now: number): void {
    this.expire(now);
  }

  processWatermark(ts: number, _input: number): void {
    this.out?.watermark(ts);
  }

  endInput(_input: number): void {
    this.out?.end();
  }

  snapshot(): unknown {
    return { state: this.state.snapshotDeferred() };
  }

  restore(state: unknown): void {
    const s = structuredClone(state) as { state: TtlMapEntry<Row[]>[] };
    this.state.restore(s.state);
    this.rows = 0;
    for (const rows of this.state.values()) this.rows += rows.length;
  }

  /** Partitions + rows held. */
  stateSize(): number {
    return this.state.size + this.rows;
  }

  close(): void {}
}
