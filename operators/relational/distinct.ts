/**
 * Distinct (SELECT DISTINCT) over a changelog.
 *
 * Steps, per change:
 *   1. hash the whole row (row-hash.ts) and look up how many live copies of it the input holds;
 *   2. +I/+U: count + 1, and emit +I when the count went 0 -> 1;
 *   3. -U/-D: count - 1, and emit -D when it went 1 -> 0 (the state entry is dropped then, so state
 *      holds exactly the distinct live rows). A retraction of a row with no live copy is ignored and
 *      counted (`numRetractionsOfUnknownRow`): a correct changelog never does that.
 * A DISTINCT that needs `table.exec.state.ttl` is planned as a GroupAggregate over every column with no
 * aggregate calls, which behaves identically and supports TTL.
 *
 * Snapshots are copy-on-write (operators/state.ts): a count changed in place is first reported with
 * `mutatingChain` (row-hash.ts), since a snapshot holds hash chains, not single entries.
 */
import {
  type Collector,
  isAccumulate,
  type Operator,
  type OperatorContext,
  type Row,
  RowKind,
} from '../api.ts';
import { type MapState, StateStore } from '../state.ts';
import {
  chainEntries,
  cloneChain,
  findInChain,
  hashRow,
  insertRow,
  mutatingChain,
  type RowEntry,
  removeRow,
} from './row-hash.ts';

interface Counted extends RowEntry {
  count: number;
}

export interface DistinctOptions {
  /** The row hash; default `hashRow` (row-hash.ts). Tests pass a degenerate one to exercise collisions. */
  readonly hashRow?: (row: Row) => number;
}

/** A hash chain as it is now, for copy-on-write (rows are never changed, so they are shared). */
const cloneCounted = (head: Counted): Counted =>
  cloneChain(head, (e) => ({ row: e.row, count: e.count, next: null }));

export class Distinct implements Operator {
  readonly name = 'Distinct';
  private readonly store = new StateStore();
  private readonly counts: MapState<Counted> = this.store.map<Counted>('counts', cloneCounted);
  private readonly hash: (row: Row) => number;
  /** Number of distinct live rows (entries across hash chains). */
  private size = 0;
  private ctx!: OperatorContext;
  private out!: Collector;

  constructor(options: DistinctOptions = {}) {
    this.hash = options.hashRow ?? hashRow;
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    const h = this.hash(row);
    const head = this.counts.get(h);
    const e = findInChain(head, row);
    if (isAccumulate(kind)) {
      if (e !== undefined) {
        mutatingChain(this.counts, head as Counted, e);
        e.count++;
        return;
      }
      insertRow(this.counts, h, { row, count: 1, next: null });
      this.size++;
      this.out.push(RowKind.INSERT, row);
      return;
    }
    if (e === undefined) {
      this.ctx.count('numRetractionsOfUnknownRow');
      return;
    }
    mutatingChain(this.counts, head as Counted, e); // also covers the unlinking below
    if (--e.count === 0) {
      removeRow(this.counts, h, e);
      this.size--;
      this.out.push(RowKind.DELETE, e.row);
    }
  }

  processWatermark(ts: number, _input: number): void {
    this.out.watermark(ts);
  }

  endInput(_input: number): void {
    this.out.end();
  }

  snapshot(): unknown {
    // Copy-on-write: the chains are written out while processing goes on (operators/state.ts).
    return this.store.snapshotDeferred();
  }

  restore(state: unknown): void {
    this.store.restore(state as ReturnType<StateStore['snapshot']>);
    this.size = 0;
    for (const _ of chainEntries(this.counts.snapshot().map((kv) => kv[1]))) this.size++;
  }

  stateSize(): number {
    return this.size;
  }

  close(): void {}
}
