/**
 * BoundedOverAggregate: window functions over a bounded input with any ORDER BY: ranking (ROW_NUMBER,
 * RANK, DENSE_RANK, PERCENT_RANK, CUME_DIST, NTILE), offsets (LAG, LEAD), FIRST_VALUE, LAST_VALUE and
 * any AggregateFunction over a ROWS or RANGE frame with UNBOUNDED / n PRECEDING / CURRENT ROW /
 * n FOLLOWING bounds (SQL:2016 7.11 <window clause>; Flink's batch OVER aggregation).
 *
 * 1. Rows are buffered per partition (first-seen partition order) until the input ends (the
 *    +Infinity watermark or end of input): every function may look at the whole partition.
 * 2. Each partition is sorted by the comparator (stable: peers keep arrival order); peer groups are
 *    the runs of rows that compare equal. Without a comparator all rows are peers.
 * 3. For every row the frame [lo, hi] is computed: ROWS bounds count rows; RANGE bounds use peer
 *    groups for CURRENT ROW and the numeric `orderKey` for offsets (`key - n` .. `key + n`, mirrored
 *    for descending order; NULL keys frame only their peers).
 * 4. Aggregates slide over the frames: rows entering are accumulated and rows leaving retracted; when
 *    a function cannot retract, the frame is re-accumulated whenever its start moves.
 * 5. Each row is emitted (+I) as `input row ++ one value per call`, partitions in first-seen order,
 *    rows in sorted order; then all state is freed.
 * Snapshots are copy-on-write (operators/state.ts): the buffered partitions are a MapState written out
 * while processing goes on, and a partition's row list is `mutating` before a row is appended (only
 * the first append after a snapshot copies the list; rows themselves are never changed). Partitions
 * are only added, or all dropped at once at the end, so a snapshot lists them in the live map's order
 * and a restored operator still emits them in first-seen order.
 */
import { RivuletError } from '../../common/errors.ts';
import {
  type Collector,
  isAccumulate,
  type Operator,
  type OperatorContext,
  type Row,
  RowKind,
  type Value,
} from '../api.ts';
import { keySelector, MapState, type StateKey } from '../state.ts';
import { type AggregateCall, AggregateCalls } from './aggregate-calls.ts';
import { notOpened } from './support.ts';

export type FrameBound =
  | { readonly kind: 'unboundedPreceding' }
  | { readonly kind: 'preceding'; readonly offset: number }
  | { readonly kind: 'currentRow' }
  | { readonly kind: 'following'; readonly offset: number }
  | { readonly kind: 'unboundedFollowing' };

export interface WindowFrame {
  readonly mode: 'rows' | 'range';
  readonly start: FrameBound;
  readonly end: FrameBound;
}

export type OverCall =
  | { readonly kind: 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK' | 'PERCENT_RANK' | 'CUME_DIST' }
  | { readonly kind: 'NTILE'; readonly buckets: number }
  | {
      readonly kind: 'LAG' | 'LEAD';
      readonly arg: number;
      readonly offset?: number;
      readonly default?: Value;
    }
  | { readonly kind: 'FIRST_VALUE' | 'LAST_VALUE'; readonly arg: number; readonly frame?: WindowFrame }
  | { readonly kind: 'AGGREGATE'; readonly call: AggregateCall; readonly frame?: WindowFrame };

export interface BoundedOverAggregateOptions {
  readonly partitionKeys: readonly number[];
  /** ORDER BY as a comparator; absent: no ORDER BY (every row is a peer of every other). */
  readonly compare?: (a: Row, b: Row) => number;
  /** The single numeric ORDER BY key, required by RANGE frames with offsets. */
  readonly orderKey?: (row: Row) => number | null;
  /** The ORDER BY key is descending (RANGE offsets then run the other way). */
  readonly descending?: boolean;
  readonly calls: readonly OverCall[];
}

/** The SQL default frame: RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW (all peers with no ORDER BY). */
export const DEFAULT_FRAME: WindowFrame = {
  mode: 'range',
  start: { kind: 'unboundedPreceding' },
  end: { kind: 'currentRow' },
};

function invalid(message: string): RivuletError {
  return new RivuletError('plan', 'OVER_INVALID_FRAME', message);
}

function validateFrame(f: WindowFrame, hasOrderKey: boolean): void {
  if (f.start.kind === 'unboundedFollowing')
    throw invalid('a window frame cannot start at UNBOUNDED FOLLOWING');
  if (f.end.kind === 'unboundedPreceding') throw invalid('a window frame cannot end at UNBOUNDED PRECEDING');
  for (const b of [f.start, f.end]) {
    if ((b.kind === 'preceding' || b.kind === 'following') && !(b.offset >= 0)) {
      throw invalid(`a window frame offset must be non-negative, got ${b.offset}`);
    }
    if (f.mode === 'range' && (b.kind === 'preceding' || b.kind === 'following') && !hasOrderKey) {
      throw invalid('a RANGE frame with an offset needs exactly one numeric ORDER BY key');
    }
  }
}

/** One sorted partition with its peer groups. */
interface Sorted {
  rows: Row[];
  /** For each row, the first and last index of its peer group. */
  peerStart: number[];
  peerEnd: number[];
  /** For each row, 1 + the number of peer groups before it. */
  dense: number[];
  /** First and last index of the rows whose RANGE key is not NULL (computed on first use). */
  keyed?: [number, number];
}

export class BoundedOverAggregate implements Operator {
  readonly name = 'BoundedOverAggregate';
  private readonly opts: BoundedOverAggregateOptions;
  private readonly keyOf: (row: Row) => StateKey;
  /** Partition key -> its rows in arrival order; a row list is copied by `slice` (copy-on-write). */
  private readonly partitions = new MapState<Row[]>('partitions', (rows) => rows.slice());
  private readonly aggs: (AggregateCalls | null)[];
  private ctx: OperatorContext | null = null;
  private out: Collector | null = null;
  private rows = 0;
  private emitted = false;

  constructor(options: BoundedOverAggregateOptions) {
    for (const c of options.calls) {
      if ((c.kind === 'FIRST_VALUE' || c.kind === 'LAST_VALUE' || c.kind === 'AGGREGATE') && c.frame) {
        validateFrame(c.frame, options.orderKey !== undefined);
      }
      if (c.kind === 'NTILE' && !(Number.isInteger(c.buckets) && c.buckets > 0)) {
        throw new RivuletError(
          'plan',
          'OVER_INVALID_ARGUMENT',
          `NTILE needs a positive integer bucket count, got ${c.buckets}`,
        );
      }
      if (
        (c.kind === 'LAG' || c.kind === 'LEAD') &&
        !(Number.isInteger(c.offset ?? 1) && (c.offset ?? 1) >= 0)
      ) {
        throw new RivuletError(
          'plan',
          'OVER_INVALID_ARGUMENT',
          `${c.kind} needs a non-negative integer offset, got ${c.offset}`,
        );
      }
    }
    this.opts = options;
    this.keyOf = keySelector(options.partitionKeys);
    this.aggs = options.calls.map((c) => (c.kind === 'AGGREGATE' ? new AggregateCalls([c.call]) : null));
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    if (!this.ctx) throw notOpened(this.name);
    if (!isAccumulate(kind)) {
      throw new RivuletError(
        'runtime',
        'OVER_RETRACT',
        'OVER aggregation accepts only inserts: its input is an update stream',
      );
    }
    if (this.emitted) {
      throw new RivuletError('runtime', 'OVER_AFTER_END', 'a row arrived after the end of a bounded input');
    }
    const key = this.keyOf(row);
    const p = this.partitions.get(key);
    if (p !== undefined) {
      this.partitions.mutating(p); // copy-on-write for a checkpoint in progress
      p.push(row);
    } else this.partitions.set(key, [row]);
    this.rows++;
  }

  processWatermark(ts: number, _input: number): void {
    if (ts === Number.POSITIVE_INFINITY) this.emitAll();
    this.out?.watermark(ts);
  }

  endInput(_input: number): void {
    this.emitAll();
    this.out?.end();
  }

  private emitAll(): void {
    if (this.emitted) return;
    this.emitted = true;
    const out = this.out as Collector;
    for (const [, rows] of this.partitions.entries()) {
      const s = this.sort(rows);
      const columns = this.opts.calls.map((c, i) => this.evaluate(c, this.aggs[i] ?? null, s));
      for (let r = 0; r < s.rows.length; r++) {
        const o = (s.rows[r] as Row).slice();
        for (const col of columns) o.push(col[r]);
        out.push(RowKind.INSERT, o);
      }
    }
    this.partitions.clear();
    this.rows = 0;
  }

  private sort(input: Row[]): Sorted {
    const cmp = this.opts.compare;
    const rows = cmp ? [...input].sort(cmp) : input;
    const n = rows.length;
    const peerStart = new Array<number>(n);
    const peerEnd = new Array<number>(n);
    const dense = new Array<number>(n);
    let groupStart = 0;
    let groups = 0;
    for (let i = 0; i < n; i++) {
      const tied = i > 0 && (cmp === undefined || cmp(rows[i - 1] as Row, rows[i] as Row) === 0);
      if (!tied) {
        for (let j = groupStart; j < i; j++) peerEnd[j] = i - 1;
        groupStart = i;
        groups++;
      }
      peerStart[i] = groupStart;
      dense[i] = groups;
    }
    for (let j = groupStart; j < n; j++) peerEnd[j] = n - 1;
    return { rows, peerStart, peerEnd, dense };
  }

  private evaluate(c: OverCall, aggs: AggregateCalls | null, s: Sorted): Value[] {
    const n = s.rows.length;
    const vals = new Array<Value>(n);
    switch (c.kind) {
      case 'ROW_NUMBER':
        for (let i = 0; i < n; i++) vals[i] = i + 1;
        return vals;
      case 'RANK':
        for (let i = 0; i < n; i++) vals[i] = (s.peerStart[i] as number) + 1;
        return vals;
      case 'DENSE_RANK':
        for (let i = 0; i < n; i++) vals[i] = s.dense[i];
        return vals;
      case 'PERCENT_RANK':
        for (let i = 0; i < n; i++) vals[i] = n === 1 ? 0 : (s.peerStart[i] as number) / (n - 1);
        return vals;
      case 'CUME_DIST':
        for (let i = 0; i < n; i++) vals[i] = ((s.peerEnd[i] as number) + 1) / n;
        return vals;
      case 'NTILE': {
        // The first n % b buckets get one row more than the others.
        const q = Math.floor(n / c.buckets);
        const r = n % c.buckets;
        const big = r * (q + 1);
        for (let i = 0; i < n; i++)
          vals[i] = i < big ? Math.floor(i / (q + 1)) + 1 : r + Math.floor((i - big) / q) + 1;
        return vals;
      }
      case 'LAG':
      case 'LEAD': {
        const off = (c.offset ?? 1) * (c.kind === 'LAG' ? -1 : 1);
        for (let i = 0; i < n; i++) {
          const j = i + off;
          vals[i] = j >= 0 && j < n ? (s.rows[j] as Row)[c.arg] : (c.default ?? null);
        }
        return vals;
      }
      case 'FIRST_VALUE':
      case 'LAST_VALUE': {
        const frame = c.frame ?? DEFAULT_FRAME;
        for (let i = 0; i < n; i++) {
          const [lo, hi] = this.frameOf(frame, s, i);
          vals[i] = lo > hi ? null : (s.rows[c.kind === 'FIRST_VALUE' ? lo : hi] as Row)[c.arg];
        }
        return vals;
      }
      case 'AGGREGATE':
        return this.slide(c.frame ?? DEFAULT_FRAME, aggs as AggregateCalls, s);
    }
  }

  /** Aggregates over each row's frame, sliding accumulators where frames move forward. */
  private slide(frame: WindowFrame, aggs: AggregateCalls, s: Sorted): Value[] {
    const n = s.rows.length;
    const vals = new Array<Value>(n);
    let accs = aggs.create();
    // The accumulated range is [curLo, curHi] (empty when curLo > curHi).
    let curLo = 0;
    let curHi = -1;
    for (let i = 0; i < n; i++) {
      const [lo, hi] = this.frameOf(frame, s, i);
      if (lo > hi) {
        const empty: Value[] = [];
        aggs.values(aggs.create(), empty);
        vals[i] = empty[0];
        continue;
      }
      const overlaps = curLo <= curHi && lo >= curLo && lo <= curHi + 1 && hi >= curHi;
      if (overlaps && (lo === curLo || aggs.canRetract)) {
        for (let j = curLo; j < lo; j++) aggs.retract(accs, s.rows[j] as Row);
        for (let j = curHi + 1; j <= hi; j++) aggs.accumulate(accs, s.rows[j] as Row);
      } else {
        accs = aggs.create();
        for (let j = lo; j <= hi; j++) aggs.accumulate(accs, s.rows[j] as Row);
      }
      curLo = lo;
      curHi = hi;
      const v: Value[] = [];
      aggs.values(accs, v);
      vals[i] = v[0];
    }
    return vals;
  }

  /** The inclusive index range of row `i`'s frame (lo > hi: empty). */
  private frameOf(f: WindowFrame, s: Sorted, i: number): [number, number] {
    const n = s.rows.length;
    return [
      Math.max(0, this.bound(f, f.start, s, i, true)),
      Math.min(n - 1, this.bound(f, f.end, s, i, false)),
    ];
  }

  private bound(f: WindowFrame, b: FrameBound, s: Sorted, i: number, isStart: boolean): number {
    const n = s.rows.length;
    switch (b.kind) {
      case 'unboundedPreceding':
        return 0;
      case 'unboundedFollowing':
        return n - 1;
      case 'currentRow':
        if (f.mode === 'rows') return i;
        return isStart ? (s.peerStart[i] as number) : (s.peerEnd[i] as number);
      case 'preceding':
      case 'following': {
        if (f.mode === 'rows') return b.kind === 'preceding' ? i - b.offset : i + b.offset;
        return this.rangeBound(s, i, b.kind === 'preceding' ? -b.offset : b.offset, isStart);
      }
    }
  }

  /**
   * RANGE offset bound: the first (start) or last (end) row whose key lies within `delta` of row i's
   * key on the bound's side. Rows are sorted by key, so this is a binary search over the rows whose
   * key is not NULL; a NULL-keyed row's frame is its peers (the other NULLs).
   */
  private rangeBound(s: Sorted, i: number, delta: number, isStart: boolean): number {
    const keyOf = this.opts.orderKey as (row: Row) => number | null;
    const k = keyOf(s.rows[i] as Row);
    if (k === null) return isStart ? (s.peerStart[i] as number) : (s.peerEnd[i] as number);
    const dir = this.opts.descending ? -1 : 1;
    // Position along the sort direction: ascending keys for ASC, negated for DESC.
    const target = dir * k + delta;
    const pos = (j: number): number | null => {
      const v = keyOf(s.rows[j] as Row);
      return v === null ? null : dir * v;
    };
    // The non-NULL rows form one contiguous run (NULLs sort first or last together).
    if (!s.keyed) {
      let first = 0;
      while (first < s.rows.length && pos(first) === null) first++;
      let last = s.rows.length - 1;
      while (last >= 0 && pos(last) === null) last--;
      s.keyed = [first, last];
    }
    const [a, z] = s.keyed;
    let lo = a;
    let hi = z + 1;
    if (isStart) {
      // First j in [a, z] with pos(j) >= target.
      while (lo < hi) {
        const m = (lo + hi) >> 1;
        if ((pos(m) as number) >= target) hi = m;
        else lo = m + 1;
      }
      return lo;
    }
    // Last j in [a, z] with pos(j) <= target.
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if ((pos(m) as number) > target) hi = m;
      else lo = m + 1;
    }
    return lo - 1;
  }

  snapshot(): unknown {
    return { partitions: this.partitions.snapshotDeferred(), emitted: this.emitted };
  }

  /** Takes snapshot()'s form once written out, the same shape as older versions copied at once. */
  restore(state: unknown): void {
    const s = structuredClone(state) as { partitions: [StateKey, Row[]][]; emitted: boolean };
    this.partitions.restore(s.partitions);
    this.rows = 0;
    for (const [, rows] of s.partitions) this.rows += rows.length;
    this.emitted = s.emitted;
  }

  /** Partitions + buffered rows. */
  stateSize(): number {
    return this.partitions.size + this.rows;
  }

  close(): void {
    this.partitions.clear();
  }
}
