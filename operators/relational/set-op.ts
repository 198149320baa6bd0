/**
 * SetOp: UNION (distinct), INTERSECT [ALL] and EXCEPT [ALL] over changelog inputs.
 *
 * The SQL standard defines each result through the multiplicities of a row in the inputs: for a row
 * present m times in the left input and n times in the right one, the output holds it
 *   UNION: 1 if m + n > 0 (over any number of inputs: the sum of all multiplicities)
 *   INTERSECT: 1 if m > 0 and n > 0;   INTERSECT ALL: min(m, n)
 *   EXCEPT: 1 if m > 0 and n = 0;      EXCEPT ALL: max(m - n, 0)
 * Steps, per change: hash the whole row (row-hash.ts) and find its entry; compute the row's output multiplicity before and after
 * changing its count on that input; emit the difference as +I (more) or -D (fewer) copies. A row whose
 * counts are all 0 is dropped from state. A retraction of a row the input does not hold is ignored and
 * counted (`numRetractionsOfUnknownRow`).
 *
 * Snapshots are copy-on-write (operators/state.ts): counts changed in place are first reported with
 * `mutatingChain` (row-hash.ts), since a snapshot holds hash chains, not single entries.
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
import { type MapState, StateStore } from '../state.ts';
import { InputTracker } from './inputs.ts';
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

export const SetOpKind = {
  UNION: 'UNION',
  INTERSECT: 'INTERSECT',
  INTERSECT_ALL: 'INTERSECT_ALL',
  EXCEPT: 'EXCEPT',
  EXCEPT_ALL: 'EXCEPT_ALL',
} as const;
export type SetOpKind = (typeof SetOpKind)[keyof typeof SetOpKind];

export interface SetOpOptions {
  readonly kind: SetOpKind;
  /** Number of inputs: 2, or any number >= 1 for UNION. Default 2. */
  readonly inputs?: number;
  /** The row hash; default `hashRow` (row-hash.ts). Tests pass a degenerate one to exercise collisions. */
  readonly hashRow?: (row: Row) => number;
}

interface RowCounts extends RowEntry {
  /** Live copies of the row per input. */
  counts: number[];
}

/** A hash chain as it is now, for copy-on-write (rows are never changed, so they are shared). */
const cloneRowCounts = (head: RowCounts): RowCounts =>
  cloneChain(head, (e) => ({ row: e.row, counts: [...e.counts], next: null }));

/** Output multiplicity from per-input multiplicities, one function per kind. */
const MULTIPLICITY: Record<SetOpKind, (c: readonly number[]) => number> = {
  UNION: (c) => {
    for (const x of c) if (x > 0) return 1;
    return 0;
  },
  INTERSECT: (c) => ((c[0] as number) > 0 && (c[1] as number) > 0 ? 1 : 0),
  INTERSECT_ALL: (c) => Math.min(c[0] as number, c[1] as number),
  EXCEPT: (c) => ((c[0] as number) > 0 && c[1] === 0 ? 1 : 0),
  EXCEPT_ALL: (c) => Math.max((c[0] as number) - (c[1] as number), 0),
};

export class SetOp implements Operator {
  readonly name: string;
  private readonly multiplicity: (c: readonly number[]) => number;
  private readonly inputs: InputTracker;
  private readonly store = new StateStore();
  private readonly rows: MapState<RowCounts> = this.store.map<RowCounts>('rows', cloneRowCounts);
  private readonly hash: (row: Row) => number;
  /** Number of distinct rows held (entries across hash chains). */
  private size = 0;
  private ctx!: OperatorContext;
  private out!: Collector;

  constructor(options: SetOpOptions) {
    const n = options.inputs ?? 2;
    if (options.kind === SetOpKind.UNION ? n < 1 : n !== 2) {
      throw new InternalError(
        `${options.kind} takes ${options.kind === SetOpKind.UNION ? 'at least 1' : '2'} inputs, got ${n}`,
      );
    }
    this.name = `SetOp(${options.kind})`;
    this.multiplicity = MULTIPLICITY[options.kind];
    this.inputs = new InputTracker(n);
    this.hash = options.hashRow ?? hashRow;
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, input: number): void {
    const h = this.hash(row);
    const head = this.rows.get(h);
    let e = findInChain(head, row);
    const add = isAccumulate(kind);
    if (e === undefined) {
      if (!add) {
        this.ctx.count('numRetractionsOfUnknownRow');
        return;
      }
      e = { row, counts: new Array<number>(this.inputs.inputs).fill(0), next: null };
      insertRow(this.rows, h, e);
      this.size++;
    } else {
      if (!add && e.counts[input] === 0) {
        this.ctx.count('numRetractionsOfUnknownRow');
        return;
      }
      mutatingChain(this.rows, head as RowCounts, e); // also covers the unlinking below
    }
    const before = this.multiplicity(e.counts);
    (e.counts[input] as number) += add ? 1 : -1;
    const after = this.multiplicity(e.counts);
    for (let i = before; i < after; i++) this.out.push(RowKind.INSERT, e.row);
    for (let i = after; i < before; i++) this.out.push(RowKind.DELETE, e.row);
    if (!add && e.counts.every((c) => c === 0)) {
      removeRow(this.rows, h, e);
      this.size--;
    }
  }

  processWatermark(ts: number, input: number): void {
    const wm = this.inputs.watermark(ts, input);
    if (wm !== null) this.out.watermark(wm);
  }

  endInput(input: number): void {
    const all = this.inputs.end(input);
    const wm = this.inputs.advance();
    if (wm !== null) this.out.watermark(wm);
    if (all) this.out.end();
  }

  snapshot(): unknown {
    // Copy-on-write: the chains are written out while processing goes on (operators/state.ts).
    return this.store.snapshotDeferred();
  }

  restore(state: unknown): void {
    this.store.restore(state as ReturnType<StateStore['snapshot']>);
    this.size = 0;
    for (const _ of chainEntries(this.rows.snapshot().map((kv) => kv[1]))) this.size++;
  }

  stateSize(): number {
    return this.size;
  }

  close(): void {}
}
