/**
 * UpdatingOverAggregate: `agg(...) OVER (PARTITION BY keys ORDER BY keys frame)` over an input with
 * updates and deletes (a retract stream), which Flink refuses (FLINK-19059). The result is kept equal
 * to "every live input row followed by its frame's aggregate values" at every step, as a changelog.
 *
 * The frame must contain the current row: it starts at UNBOUNDED PRECEDING, n PRECEDING or CURRENT
 * ROW and ends at CURRENT ROW, n FOLLOWING or UNBOUNDED FOLLOWING. ROWS counts positions; RANGE
 * compares the single ORDER BY value (numbers, bigints, timestamps as epoch ms; DESC reverses what
 * "preceding" means; NULLs are peers of each other only and sit where NULLS FIRST/LAST puts them).
 *
 * Steps, per input change:
 * 1. Each partition keeps its live rows in one array sorted totally: by the ORDER BY keys, then by
 *    every column of the row (so rows that tie on the ORDER BY still have one fixed order, and two
 *    rows in the same place are identical). Each entry remembers the aggregate values last emitted.
 * 2. An insert (+I/+U) goes after its equals (binary search); a retraction (-U/-D) removes one equal
 *    row, emitting -D of what that row last emitted. A retraction of a row that is not there is
 *    counted (`numRetractionsOfUnknownRows`) and ignored.
 * 3. The rows whose frame can hold the changed row are re-evaluated: with frame [j - a, j + b]
 *    (ROWS, positions) a change at position i touches positions [i - b, i + a]; with frame
 *    [v - a, v + b] (RANGE, values) a change of value v touches the rows valued in [v - b, v + a].
 *    Frames grow monotonically along the array, so the touched rows are evaluated with one sliding
 *    accumulator (rows retracted from its front when every function can retract, else re-accumulated).
 * 4. A touched row whose values changed emits -U old / +U new; the inserted row emits +I. Unchanged
 *    rows emit nothing.
 * Snapshots hold the rows and their emitted values per partition, copy-on-write (operators/state.ts):
 * a partition changed while a snapshot is written out is copied first (its entries, not its rows).
 */
import { RivuletError } from '../../common/errors.ts';
import { type Collector, isAccumulate, type Operator, type Row, RowKind, type Value } from '../api.ts';
import { keySelector, type MapState, type StateKey, StateStore } from '../state.ts';
import { type AggregateCall, AggregateCalls } from '../time/aggregate-calls.ts';
import type { FrameBound, WindowFrame } from '../time/bounded-over-aggregate.ts';
import { buildComparator, compareValues, type SortKey, valuesEqual } from './compare.ts';

export interface UpdatingOverAggregateOptions {
  readonly partitionKeys: readonly number[];
  /** At least one; RANGE frames with an offset need exactly one, of a numeric or timestamp type. */
  readonly orderKeys: readonly SortKey[];
  /** null: the SQL default with ORDER BY (RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW). */
  readonly frame: WindowFrame | null;
  readonly aggregates: readonly AggregateCall[];
}

interface Entry {
  row: Row;
  /** The aggregate values last emitted for this row (null before its first emission; replaced, never changed in place). */
  values: Value[] | null;
}

/** A partition as it is now, for copy-on-write: the list and its entries are changed in place. */
const clonePartition = (list: Entry[]): Entry[] => list.map((e) => ({ row: e.row, values: e.values }));

/** How far a frame reaches before (`a`) and after (`b`) the current row; Infinity when unbounded. */
function reach(frame: WindowFrame): { a: number; b: number } {
  const before = (s: FrameBound): number => {
    if (s.kind === 'unboundedPreceding') return Number.POSITIVE_INFINITY;
    if (s.kind === 'preceding') return s.offset;
    if (s.kind === 'currentRow') return 0;
    return -1;
  };
  const after = (e: FrameBound): number => {
    if (e.kind === 'unboundedFollowing') return Number.POSITIVE_INFINITY;
    if (e.kind === 'following') return e.offset;
    if (e.kind === 'currentRow') return 0;
    return -1;
  };
  const a = before(frame.start);
  const b = after(frame.end);
  if (a < 0 || b < 0) {
    throw new RivuletError(
      'plan',
      'OVER_UPDATES_FRAME',
      'An OVER window over an updating input needs a frame that contains the current row (from UNBOUNDED PRECEDING, n PRECEDING or CURRENT ROW to CURRENT ROW, n FOLLOWING or UNBOUNDED FOLLOWING)',
    );
  }
  return { a, b };
}

export class UpdatingOverAggregate implements Operator {
  readonly name = 'UpdatingOverAggregate';
  private readonly aggs: AggregateCalls;
  private readonly keyOf: (row: Row) => StateKey;
  private readonly compare: (x: Row, y: Row) => number;
  private readonly range: boolean;
  private readonly a: number;
  private readonly b: number;
  /** RANGE: the position of a row's ORDER BY value on an ascending number line (see `place`). */
  private readonly place: (row: Row) => number;
  private readonly store = new StateStore();
  private readonly partitions: MapState<Entry[]> = this.store.map<Entry[]>('partitions', clonePartition);
  private out: Collector | null = null;
  private count: (metric: string) => void = () => {};
  private rows = 0;

  constructor(options: UpdatingOverAggregateOptions) {
    if (options.orderKeys.length === 0) {
      throw new RivuletError(
        'plan',
        'OVER_UPDATES_FRAME',
        'An OVER window over an updating input needs ORDER BY',
      );
    }
    const frame: WindowFrame = options.frame ?? {
      mode: 'range',
      start: { kind: 'unboundedPreceding' },
      end: { kind: 'currentRow' },
    };
    const { a, b } = reach(frame);
    this.a = a;
    this.b = b;
    this.range = frame.mode === 'range';
    const offsets = Number.isFinite(a) && a > 0 ? true : Number.isFinite(b) && b > 0;
    if (this.range && offsets && options.orderKeys.length !== 1) {
      throw new RivuletError(
        'plan',
        'OVER_UPDATES_FRAME',
        'A RANGE frame with an offset needs exactly one ORDER BY key',
      );
    }
    this.aggs = new AggregateCalls(options.aggregates);
    this.keyOf = keySelector(options.partitionKeys);
    const byKeys = buildComparator(options.orderKeys);
    // Ties on the ORDER BY are broken by the whole row, so the order is total (step 1).
    this.compare = (x, y) => {
      const c = byKeys(x, y);
      if (c !== 0) return c;
      for (let i = 0; i < x.length; i++) {
        const d = compareValues(x[i], y[i]);
        if (d !== 0) return d;
      }
      return 0;
    };
    const key = options.orderKeys[0] as SortKey;
    const sign = key.descending ? -1 : 1;
    // NULLs go to the end of the line their NULLS FIRST/LAST puts them at, where only NULLs are peers.
    const nullPlace = key.nullsFirst ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    this.place = (row) => {
      const v = row[key.index];
      return v === null || v === undefined ? nullPlace : sign * Number(v);
    };
  }

  open(ctx: { count(metric: string, by?: number): void }, out: Collector): void {
    this.out = out;
    this.count = (m) => ctx.count(m);
  }

  /** The first position whose entry is not before `row` (`after`: not before-or-equal). */
  private search(list: readonly Entry[], row: Row, after: boolean): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compare((list[mid] as Entry).row, row);
      if (c < 0 || (after && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first position whose RANGE place is >= `p` (`after`: > `p`). */
  private searchPlace(list: readonly Entry[], p: number, after: boolean): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const q = this.place((list[mid] as Entry).row);
      if (q < p || (after && q === p)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The frame of position j: [first, last] positions (inclusive). */
  private frameOf(list: readonly Entry[], j: number): [number, number] {
    if (!this.range) {
      return [Math.max(0, j - this.a), Math.min(list.length - 1, j + this.b)];
    }
    const p = this.place((list[j] as Entry).row);
    const first = this.a === Number.POSITIVE_INFINITY ? 0 : this.searchPlace(list, p - this.a, false);
    const last =
      this.b === Number.POSITIVE_INFINITY ? list.length - 1 : this.searchPlace(list, p + this.b, true) - 1;
    return [first, last];
  }

  /**
   * The positions [from, to] whose frames hold the changed row (step 3): `i` is its position (after
   * an insert) or where it was (after a removal, `removed`); `p` its RANGE place.
   */
  private touched(list: readonly Entry[], i: number, p: number, removed: boolean): [number, number] {
    if (!this.range) {
      const from = Math.max(0, i - this.b);
      const to = Math.min(list.length - 1, removed ? i + this.a - 1 : i + this.a);
      return [from, to];
    }
    const from = this.b === Number.POSITIVE_INFINITY ? 0 : this.searchPlace(list, p - this.b, false);
    const to =
      this.a === Number.POSITIVE_INFINITY ? list.length - 1 : this.searchPlace(list, p + this.a, true) - 1;
    return [from, to];
  }

  /** Re-evaluates positions [from, to] with one sliding accumulator and emits what changed (step 4). */
  private reevaluate(list: Entry[], from: number, to: number, inserted: number): void {
    const out = this.out as Collector;
    let accs: unknown[] = this.aggs.create();
    let cs = 0;
    let ce = -1; // the accumulator holds positions [cs, ce]
    for (let j = from; j <= to; j++) {
      const [s, e] = this.frameOf(list, j);
      if (s > ce + 1 || (s > cs && !this.aggs.canRetract)) {
        accs = this.aggs.create();
        cs = s;
        ce = s - 1;
      }
      while (cs < s) this.aggs.retract(accs, (list[cs++] as Entry).row);
      while (ce < e) this.aggs.accumulate(accs, (list[++ce] as Entry).row);
      const values: Value[] = [];
      this.aggs.values(accs, values);
      const entry = list[j] as Entry;
      const old = entry.values;
      if (old === null || j === inserted) {
        entry.values = values;
        out.push(RowKind.INSERT, [...entry.row, ...values]);
      } else if (!old.every((v, k) => valuesEqual(v, values[k]))) {
        entry.values = values;
        out.push(RowKind.UPDATE_BEFORE, [...entry.row, ...old]);
        out.push(RowKind.UPDATE_AFTER, [...entry.row, ...values]);
      }
    }
  }

  process(kind: RowKind, row: Row, _input: number): void {
    if (!this.out) throw new RivuletError('internal', 'INTERNAL', `${this.name} used before open()`);
    const key = this.keyOf(row);
    let list = this.partitions.get(key);
    if (isAccumulate(kind)) {
      if (!list) {
        list = [];
        this.partitions.set(key, list);
      } else {
        this.partitions.mutating(list); // copy-on-write for a checkpoint in progress
      }
      const i = this.search(list, row, true);
      list.splice(i, 0, { row, values: null });
      this.rows++;
      const [from, to] = this.touched(list, i, this.place(row), false);
      this.reevaluate(list, Math.min(from, i), Math.max(to, i), i);
      return;
    }
    const i = list ? this.search(list, row, false) : -1;
    const found = list?.[i];
    if (!list || !found || this.compare(found.row, row) !== 0) {
      this.count('numRetractionsOfUnknownRows');
      return;
    }
    this.partitions.mutating(list);
    list.splice(i, 1);
    this.rows--;
    if (found.values !== null) this.out.push(RowKind.DELETE, [...found.row, ...found.values]);
    if (list.length === 0) {
      this.partitions.delete(key);
      return;
    }
    const [from, to] = this.touched(list, i, this.place(row), true);
    this.reevaluate(list, from, to, -1);
  }

  processWatermark(ts: number, _input: number): void {
    this.out?.watermark(ts);
  }

  endInput(_input: number): void {
    this.out?.end();
  }

  snapshot(): unknown {
    // Copy-on-write: the partitions are written out while processing goes on.
    return this.store.snapshotDeferred();
  }

  restore(state: unknown): void {
    // Snapshots written before copy-on-write were the [key, entries] pairs themselves.
    const s = (Array.isArray(state) ? { partitions: state } : state) as ReturnType<StateStore['snapshot']>;
    this.store.restore(s);
    this.rows = 0;
    for (const [, list] of this.partitions.entries()) this.rows += list.length;
  }

  stateSize(): number {
    return this.rows;
  }

  close(): void {}
}
