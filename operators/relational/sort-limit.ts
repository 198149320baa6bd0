/**
 * SortLimit: ORDER BY with optional LIMIT / OFFSET over a bounded input (also LIMIT alone, in arrival
 * order, when no comparator is given). Nothing can be emitted before the input is complete, so:
 *   1. changes are buffered: an accumulation appends the row; a retraction only counts the row as
 *      retracted (an input may be an update stream, e.g. an aggregate's result), which keeps each change O(1);
 *   2. at the end of input (the +Infinity watermark or endInput, whichever comes first) each counted
 *      retraction cancels one equal buffered row, the rest is sorted with the comparator (a stable sort,
 *      so equal keys keep arrival order), OFFSET rows are skipped, and up to LIMIT rows are emitted as +I;
 *   3. finite watermarks are held back (the buffered rows are not emitted yet); +Infinity is forwarded
 *      after the rows.
 * When the planner knows the input is insert-only and a LIMIT is given, only the best OFFSET + LIMIT
 * rows can ever be emitted, so the buffer is bounded: without ORDER BY the first OFFSET + LIMIT rows
 * are kept; with it a binary max-heap of that many rows ordered by (comparator, arrival number) keeps
 * the best ones, and a new row replaces the heap's worst when it sorts before it (ties go to the earlier
 * row, which is what the stable sort would give). Memory is O(OFFSET + LIMIT), time O(n log k).
 * On an unbounded input ORDER BY a non-time column is refused by the planner, as in Flink; LIMIT alone
 * there is the Limit operator.
 * The buffered rows (keyed by arrival number) and the retraction counts live in MapStates, so a
 * checkpoint does not copy them: they are written out while processing goes on (copy-on-write,
 * operators/state.ts; rows and counts are replaced, never changed in place). The bounded heap, at most
 * OFFSET + LIMIT entries, is copied.
 */

import { InternalError } from '../../common/errors.ts';
import {
  type Collector,
  isAccumulate,
  type Operator,
  type OperatorContext,
  type Row,
  RowKind,
} from '../api.ts';
import { encodeKey, type MapState, type StateKey, StateStore } from '../state.ts';

export interface SortLimitOptions {
  /** Row order (see compare.ts `buildComparator`); omitted: arrival order. */
  readonly compare?: (a: Row, b: Row) => number;
  /** Maximum number of rows emitted; omitted: all. */
  readonly limit?: number;
  /** Rows skipped first; default 0. */
  readonly offset?: number;
  /** The input is append-only (+I only): with a LIMIT, keep only the rows that can be emitted. */
  readonly insertOnlyInput?: boolean;
}

/** A snapshot, as restore() takes it (the buffers materialized). */
interface SortLimitState {
  /** Arrival number -> row. */
  buffer: [StateKey, Row][];
  /** Encoded row -> retractions not yet matched. */
  retractions: [StateKey, number][];
  heap: HeapEntry[];
  seq: number;
  finished: boolean;
}

/** A snapshot as written before copy-on-write (still restored). */
interface SortLimitStateV1 {
  rows: Row[];
  retracted: [string, number][];
  heap: HeapEntry[];
  seq: number;
  finished: boolean;
}

/** A row in the bounded heap, with its arrival number to keep the order stable. */
interface HeapEntry {
  row: Row;
  seq: number;
}

export class SortLimit implements Operator {
  readonly name = 'SortLimit';
  private readonly compare: ((a: Row, b: Row) => number) | undefined;
  private readonly limit: number;
  private readonly offset: number;
  private readonly store = new StateStore();
  /** Arrival number (0, 1, ...) -> buffered row. */
  private readonly rows: MapState<Row> = this.store.map<Row>('buffer');
  /** Encoded row -> retractions not yet matched against `rows`. */
  private readonly retracted: MapState<number> = this.store.map<number>('retractions');
  /** Bounded mode only (insert-only input, finite LIMIT): at most `keep` rows are buffered. */
  private readonly keep: number;
  private heap: HeapEntry[] = [];
  private seq = 0;
  private finished = false;
  private out!: Collector;

  constructor(options: SortLimitOptions = {}) {
    this.compare = options.compare;
    this.limit = options.limit ?? Infinity;
    this.offset = options.offset ?? 0;
    this.keep = options.insertOnlyInput === true ? this.offset + this.limit : Infinity;
  }

  open(_ctx: OperatorContext, out: Collector): void {
    this.out = out;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    if (this.keep !== Infinity) {
      if (kind !== RowKind.INSERT) {
        throw new InternalError(
          'SortLimit was planned for an insert-only input but received a retraction or update',
        );
      }
      if (this.compare === undefined) {
        if (this.rows.size < this.keep) this.rows.set(this.rows.size, row);
      } else {
        this.offer(row);
      }
      return;
    }
    if (isAccumulate(kind)) {
      this.rows.set(this.rows.size, row);
    } else {
      const k = encodeKey(row);
      this.retracted.set(k, (this.retracted.get(k) ?? 0) + 1);
    }
  }

  processWatermark(ts: number, _input: number): void {
    if (ts !== Infinity) return;
    this.finish();
    this.out.watermark(ts);
  }

  endInput(_input: number): void {
    this.finish();
    this.out.end();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    // Arrival order: the map holds arrival numbers 0, 1, ... inserted in that order.
    let rows: Row[] = [];
    for (const [, row] of this.rows.entries()) rows.push(row);
    if (this.retracted.size > 0) rows = cancelRetracted(rows, new Map(this.retracted.entries()));
    if (this.heap.length > 0) {
      const worse = this.worse;
      rows = this.heap.sort((a, b) => worse(a, b)).map((e) => e.row);
      this.heap = [];
    } else if (this.compare !== undefined) {
      rows.sort(this.compare);
    }
    const end = Math.min(rows.length, this.offset + this.limit);
    for (let i = this.offset; i < end; i++) this.out.push(RowKind.INSERT, rows[i] as Row);
    this.rows.clear();
    this.retracted.clear();
  }

  /** Positive when `a` sorts after `b` (by the comparator, then by arrival). */
  private readonly worse = (a: HeapEntry, b: HeapEntry): number =>
    (this.compare as (a: Row, b: Row) => number)(a.row, b.row) || a.seq - b.seq;

  /** Bounded mode with ORDER BY: keep the `keep` best rows in a max-heap (the worst at the root). */
  private offer(row: Row): void {
    if (this.keep === 0) return;
    const heap = this.heap;
    const entry: HeapEntry = { row, seq: this.seq++ };
    if (heap.length < this.keep) {
      heap.push(entry);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.worse(heap[i] as HeapEntry, heap[parent] as HeapEntry) <= 0) break;
        swap(heap, i, parent);
        i = parent;
      }
      return;
    }
    if (this.worse(entry, heap[0] as HeapEntry) >= 0) return; // not better than the worst kept row
    heap[0] = entry;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < heap.length && this.worse(heap[l] as HeapEntry, heap[top] as HeapEntry) > 0) top = l;
      if (r < heap.length && this.worse(heap[r] as HeapEntry, heap[top] as HeapEntry) > 0) top = r;
      if (top === i) break;
      swap(heap, i, top);
      i = top;
    }
  }

  snapshot(): unknown {
    // The heap's entries and rows are never changed in place: a copy of the array keeps it.
    return {
      ...this.store.snapshotDeferred(),
      heap: this.heap.slice(),
      seq: this.seq,
      finished: this.finished,
    };
  }

  restore(state: unknown): void {
    const s = state as SortLimitState | SortLimitStateV1;
    let buffer: [StateKey, Row][];
    let retractions: [StateKey, number][];
    if ('buffer' in s) {
      // The order a copy-on-write snapshot lists entries in is not arrival order in general (state.ts
      // lists keys written during the snapshot last): place each row by its arrival number.
      buffer = new Array<[StateKey, Row]>(s.buffer.length);
      for (const e of s.buffer) buffer[e[0] as number] = e;
      retractions = s.retractions;
    } else {
      buffer = s.rows.map((row, i) => [i, row]);
      retractions = s.retracted;
    }
    this.store.restore({ buffer, retractions });
    this.heap = s.heap;
    this.seq = s.seq;
    this.finished = s.finished;
  }

  stateSize(): number {
    return this.rows.size + this.retracted.size + this.heap.length;
  }

  close(): void {}
}

function swap(a: HeapEntry[], i: number, j: number): void {
  const t = a[i] as HeapEntry;
  a[i] = a[j] as HeapEntry;
  a[j] = t;
}

/** Removes one buffered row per counted retraction (rows retracted but never buffered are ignored). */
function cancelRetracted(rows: Row[], retracted: Map<StateKey, number>): Row[] {
  const kept: Row[] = [];
  for (const row of rows) {
    const k = encodeKey(row);
    const n = retracted.get(k);
    if (n === undefined) {
      kept.push(row);
    } else if (n === 1) {
      retracted.delete(k);
    } else {
      retracted.set(k, n - 1);
    }
  }
  return kept;
}
