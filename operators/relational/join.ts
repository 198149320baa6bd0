/**
 * Join: the regular (unwindowed) join of two changelogs: INNER, LEFT, RIGHT and FULL outer joins, and
 * the SEMI and ANTI joins that IN / EXISTS subqueries decorrelate into. Input 0 is the left side, 1 the
 * right side. Equi-join keys select a bucket; an optional residual predicate decides the rest; with no
 * keys every row falls into one bucket (a non-equi or cross join).
 *
 * State, per side: join key -> bucket; a bucket maps each distinct live row to
 *   { row, count (live copies), matches (live rows of the other side it joins with, with multiplicity) }.
 *
 * Inner and outer joins, for one change of a row r on side S (O is the other side):
 *   1. a row with NULL in a null-rejecting key column can never match: if S is outer, emit its NULL-padded
 *      row with the change's sign (+I or -D); nothing is stored, since nothing can join with it;
 *   2. for each entry o in O's bucket for r's key that satisfies the residual:
 *      accumulate: if O is outer and o had no match yet, retract o's padded rows (-D, o.count copies);
 *                  o.matches += 1; emit +I (r joined with o), o.count copies.
 *      retract:    emit -D (r joined with o), o.count copies; o.matches -= 1; if O is outer and o has
 *                  no match left, re-emit o's padded rows (+I, o.count copies).
 *      The sum of those o.count is the number of matches m of r;
 *   3. add r to (or remove it from) S's bucket, dropping empty entries and buckets;
 *   4. if S is outer and m = 0, emit r's padded row: +I on accumulate, -D on retract.
 * Output kinds follow Flink's regular join: an INNER join forwards the input change's kind (an input
 * update -U/+U yields -U/+U joined rows); outer joins emit only +I and -D (padded rows come and go as
 * inserts and deletes). SEMI/ANTI forward a left change's kind and emit +I/-D for right-side effects.
 *
 * SEMI / ANTI joins emit left rows only: a left row is in the SEMI output while it has at least one match
 * and in the ANTI output while it has none. A left change scans the right bucket once to count matches
 * (or reuses the stored count of an equal row); a right change updates the match count of each left row
 * it joins with and emits the left rows whose count moved between 0 and 1.
 *
 * A retraction of a row the side does not hold is ignored and counted (`numRetractionsOfUnknownRow`).
 * Equal join keys must have equal representations: the planner casts both sides' keys to one type.
 * NOT IN's null-aware anti join is planned with no equi keys and the residual `a = b OR a IS NULL OR
 * b IS NULL` (SQL's three-valued semantics), which this operator evaluates like any residual.
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
import { type StateKey, StateStore } from '../state.ts';
import { InputTracker } from './inputs.ts';
import { type Keyed, type KeyHash, KeyIndex } from './key-index.ts';
import { cloneChain, findRow, hashRow, insertRow, removeRow as unlinkRow } from './row-hash.ts';
import { concatRows, padLeft, padRight } from './rows.ts';

export const JoinType = {
  INNER: 'INNER',
  LEFT: 'LEFT',
  RIGHT: 'RIGHT',
  FULL: 'FULL',
  SEMI: 'SEMI',
  ANTI: 'ANTI',
} as const;
export type JoinType = (typeof JoinType)[keyof typeof JoinType];

export interface JoinOptions {
  readonly type: JoinType;
  /** Equi-join key columns of the left row; pairs up with `rightKeys` by position. */
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  /** Number of columns of each side (for NULL padding). */
  readonly leftArity: number;
  readonly rightArity: number;
  /**
   * The non-equi part of the ON condition. It sees the left and the right row; in the planner's
   * concatenated numbering, column i < leftArity is `left[i]` and column i >= leftArity is
   * `right[i - leftArity]`. Only `true` is a match (NULL is not).
   */
  readonly residual?: (left: Row, right: Row) => boolean | null;
  /**
   * Per key pair, whether NULL matches NULL (`IS NOT DISTINCT FROM`); by default no key does (`=`).
   */
  readonly nullSafe?: readonly boolean[];
  /**
   * table.exec.state.ttl in milliseconds (0 or absent: keep forever). A side's rows for a join key that
   * were not written for that long in processing time are dropped, silently, as Flink's state TTL does:
   * later rows no longer join with them, and outer-join padding for rows of the other side is not
   * revised (Flink documents the same loss of exactness in exchange for bounded state).
   */
  readonly stateTtlMs?: number;
  /** The hash of several key columns; default `hashColumns`. Tests pass a degenerate one for collisions. */
  readonly hashJoinKey?: KeyHash;
}

/** A live row of one side, with its multiplicity and its number of matches on the other side. */
interface Entry {
  row: Row;
  count: number;
  matches: number;
  /** The next row with the same hash. */
  next: Entry | null;
}
/** A bucket as it is now, for copy-on-write: the entries (changed in place) are copied, rows shared. */
function cloneBucket(b: Bucket): Bucket {
  const rows = new Map<number, Entry>();
  for (const [h, head] of b.rows) rows.set(h, cloneChain(head, copyEntry));
  return { ...b, rows };
}

const copyEntry = (e: Entry): Entry => ({ row: e.row, count: e.count, matches: e.matches, next: null });

/** The live rows of one side for one join key; `touched` is the last write, for state TTL. */
interface Bucket extends Keyed {
  /** Row hash -> first entry of the chain of rows with that hash (see row-hash.ts). */
  rows: Map<number, Entry>;
  /** Number of entries (distinct live rows). */
  size: number;
  touched: number;
}

/**
 * Adapts a predicate compiled over the concatenated row (left ++ right) to the two-row form `residual`
 * takes. The concatenation is written into one scratch array reused for every evaluated pair (no
 * allocation per pair), so the predicate must not keep a reference to the row it is given (compiled
 * expressions do not).
 */
export function residualOverConcatenation(
  pred: (row: Row) => boolean | null,
): (left: Row, right: Row) => boolean | null {
  const scratch: Row = [];
  return (left, right) => {
    const n = left.length;
    const m = right.length;
    scratch.length = n + m;
    for (let i = 0; i < n; i++) scratch[i] = left[i];
    for (let i = 0; i < m; i++) scratch[n + i] = right[i];
    return pred(scratch);
  };
}

export class Join implements Operator {
  readonly name: string;
  private readonly type: JoinType;
  private readonly leftKeys: readonly number[];
  private readonly rightKeys: readonly number[];
  private readonly leftKeyOf: (row: Row) => StateKey;
  private readonly rightKeyOf: (row: Row) => StateKey;
  private readonly leftNullRejecting: readonly number[];
  private readonly rightNullRejecting: readonly number[];
  private readonly leftArity: number;
  private readonly rightArity: number;
  private readonly residual: ((left: Row, right: Row) => boolean | null) | undefined;
  private readonly leftOuter: boolean;
  private readonly rightOuter: boolean;
  private readonly semi: boolean;
  private readonly anti: boolean;
  private readonly store = new StateStore();
  /** Per side: join key -> bucket (key-index.ts: by key value, or by hash of several key columns). */
  private readonly left: KeyIndex<Bucket>;
  private readonly right: KeyIndex<Bucket>;
  private readonly ttl: boolean;
  /** Distinct live rows held, both sides (kept up to date so `stateSize` is O(1)). */
  private liveRows = 0;
  /** Processing time of the change being processed (only read with TTL). */
  private now = 0;
  private readonly inputs = new InputTracker(2);
  private ctx!: OperatorContext;
  private out!: Collector;

  constructor(options: JoinOptions) {
    const { leftKeys, rightKeys } = options;
    if (leftKeys.length !== rightKeys.length) {
      throw new InternalError(
        `join keys differ in number: ${leftKeys.length} left, ${rightKeys.length} right`,
      );
    }
    const nullSafe = options.nullSafe ?? [];
    this.type = options.type;
    this.name = `Join(${options.type})`;
    this.leftKeys = [...leftKeys];
    this.rightKeys = [...rightKeys];
    this.leftNullRejecting = leftKeys.filter((_, i) => nullSafe[i] !== true);
    this.rightNullRejecting = rightKeys.filter((_, i) => nullSafe[i] !== true);
    this.leftArity = options.leftArity;
    this.rightArity = options.rightArity;
    this.residual = options.residual;
    this.leftOuter = this.type === JoinType.LEFT || this.type === JoinType.FULL;
    this.rightOuter = this.type === JoinType.RIGHT || this.type === JoinType.FULL;
    this.semi = this.type === JoinType.SEMI;
    this.anti = this.type === JoinType.ANTI;
    const ttlMs = options.stateTtlMs ?? 0;
    const indexOptions = {
      ttlMs,
      onExpire: (b: Bucket) => {
        this.liveRows -= b.size;
        this.ctx.count('numExpiredStates');
      },
      hash: options.hashJoinKey,
      clone: cloneBucket,
    };
    this.ttl = ttlMs > 0;
    this.left = new KeyIndex<Bucket>(this.store, 'left', leftKeys.length, indexOptions);
    this.right = new KeyIndex<Bucket>(this.store, 'right', rightKeys.length, indexOptions);
    // Equal keys on the two sides probe alike (same width, same hash), so one probe serves both sides.
    this.leftKeyOf = this.left.prober(this.leftKeys);
    this.rightKeyOf = this.right.prober(this.rightKeys);
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, input: number): void {
    if (this.ttl) this.expire();
    if (this.semi || this.anti) {
      if (input === 0) this.semiAntiLeft(kind, row);
      else this.semiAntiRight(kind, row);
    } else {
      this.joinChange(kind, row, input === 0);
    }
  }

  /** Steps 1-4 of the header comment, for either side. */
  private joinChange(kind: RowKind, row: Row, fromLeft: boolean): void {
    const out = this.out;
    const add = isAccumulate(kind);
    // Flink forwards the input's kind through an inner join (an update stays -U/+U); outer joins use +I/-D.
    const joinedKind = this.type === JoinType.INNER ? kind : add ? RowKind.INSERT : RowKind.DELETE;
    const ownOuter = fromLeft ? this.leftOuter : this.rightOuter;
    if (hasNull(row, fromLeft ? this.leftNullRejecting : this.rightNullRejecting)) {
      if (ownOuter) out.push(add ? RowKind.INSERT : RowKind.DELETE, this.pad(row, fromLeft));
      return;
    }
    const own = fromLeft ? this.left : this.right;
    const key = fromLeft ? this.leftKeyOf(row) : this.rightKeyOf(row);
    const rk = hashRow(row);
    const bucket = this.bucket(fromLeft, key, row, fromLeft);
    const entry = bucket === undefined ? undefined : findRow(bucket.rows, rk, row);
    if (!add && entry === undefined) {
      this.ctx.count('numRetractionsOfUnknownRow');
      return;
    }
    const otherOuter = fromLeft ? this.rightOuter : this.leftOuter;
    const otherBucket = this.bucket(!fromLeft, key, row, fromLeft);
    const residual = this.residual;
    let matches = 0;
    if (otherBucket !== undefined) {
      (fromLeft ? this.right : this.left).mutating(otherBucket); // its entries' matches change
      for (const head of otherBucket.rows.values())
        for (let o: Entry | null = head; o !== null; o = o.next) {
          if (residual !== undefined && (fromLeft ? residual(row, o.row) : residual(o.row, row)) !== true)
            continue;
          matches += o.count;
          const joined = fromLeft ? concatRows(row, o.row) : concatRows(o.row, row);
          if (add) {
            if (otherOuter && o.matches === 0)
              this.emitCopies(RowKind.DELETE, this.pad(o.row, !fromLeft), o.count);
            o.matches++;
            this.emitCopies(joinedKind, joined, o.count);
          } else {
            this.emitCopies(joinedKind, joined, o.count);
            o.matches--;
            if (otherOuter && o.matches === 0)
              this.emitCopies(RowKind.INSERT, this.pad(o.row, !fromLeft), o.count);
          }
        }
    }
    if (add) this.addRow(own, bucket, rk, entry, row, matches);
    else this.removeRow(own, bucket as Bucket, rk, entry as Entry);
    if (ownOuter && matches === 0) out.push(add ? RowKind.INSERT : RowKind.DELETE, this.pad(row, fromLeft));
  }

  private semiAntiLeft(kind: RowKind, row: Row): void {
    const add = isAccumulate(kind);
    if (hasNull(row, this.leftNullRejecting)) {
      // Never matches: always in the ANTI output, never in the SEMI output.
      if (this.anti) this.out.push(kind, row);
      return;
    }
    const key = this.leftKeyOf(row);
    const rk = hashRow(row);
    const bucket = this.bucket(true, key, row, true);
    const entry = bucket === undefined ? undefined : findRow(bucket.rows, rk, row);
    let matches: number;
    if (entry !== undefined) {
      matches = entry.matches; // an equal row has the same matches
    } else {
      if (!add) {
        this.ctx.count('numRetractionsOfUnknownRow');
        return;
      }
      matches = this.countMatches(row, this.bucket(false, key, row, true));
    }
    if (add) this.addRow(this.left, bucket, rk, entry, row, matches);
    else this.removeRow(this.left, bucket as Bucket, rk, entry as Entry);
    // A left change is forwarded with its own kind, as Flink does.
    if (this.semi ? matches > 0 : matches === 0) this.out.push(kind, row);
  }

  private semiAntiRight(kind: RowKind, row: Row): void {
    const add = isAccumulate(kind);
    if (hasNull(row, this.rightNullRejecting)) return; // matches no left row
    const key = this.rightKeyOf(row);
    const rk = hashRow(row);
    const bucket = this.bucket(false, key, row, false);
    const entry = bucket === undefined ? undefined : findRow(bucket.rows, rk, row);
    if (!add && entry === undefined) {
      this.ctx.count('numRetractionsOfUnknownRow');
      return;
    }
    const leftBucket = this.bucket(true, key, row, false);
    if (leftBucket !== undefined) {
      const residual = this.residual;
      // Entering the SEMI output is leaving the ANTI output and vice versa.
      const enter = this.semi ? RowKind.INSERT : RowKind.DELETE;
      const leave = this.semi ? RowKind.DELETE : RowKind.INSERT;
      this.left.mutating(leftBucket); // its entries' matches change
      for (const head of leftBucket.rows.values())
        for (let l: Entry | null = head; l !== null; l = l.next) {
          if (residual !== undefined && residual(l.row, row) !== true) continue;
          if (add) {
            if (l.matches++ === 0) this.emitCopies(enter, l.row, l.count);
          } else if (--l.matches === 0) {
            this.emitCopies(leave, l.row, l.count);
          }
        }
    }
    if (add) this.addRow(this.right, bucket, rk, entry, row, 0);
    else this.removeRow(this.right, bucket as Bucket, rk, entry as Entry);
  }

  private countMatches(left: Row, rightBucket: Bucket | undefined): number {
    if (rightBucket === undefined) return 0;
    const residual = this.residual;
    let m = 0;
    for (const head of rightBucket.rows.values())
      for (let r: Entry | null = head; r !== null; r = r.next)
        if (residual === undefined || residual(left, r.row) === true) m += r.count;
    return m;
  }

  private addRow(
    side: KeyIndex<Bucket>,
    bucket: Bucket | undefined,
    rk: number,
    entry: Entry | undefined,
    row: Row,
    matches: number,
  ): void {
    if (bucket === undefined) {
      const key = side.keyOf(row, side === this.left ? this.leftKeys : this.rightKeys);
      bucket = { rows: new Map(), size: 0, touched: this.now, key };
      side.set(bucket);
    } else {
      side.mutating(bucket); // copy-on-write for a checkpoint in progress
    }
    if (entry !== undefined) entry.count++;
    else {
      insertRow(bucket.rows, rk, { row, count: 1, matches, next: null });
      bucket.size++;
      this.liveRows++;
    }
    if (this.ttl) side.touch(bucket, this.now);
  }

  private removeRow(side: KeyIndex<Bucket>, bucket: Bucket, rk: number, entry: Entry): void {
    side.mutating(bucket);
    if (--entry.count === 0) {
      unlinkRow(bucket.rows, rk, entry);
      bucket.size--;
      this.liveRows--;
    }
    if (bucket.size === 0) side.delete();
    else if (this.ttl) side.touch(bucket, this.now);
  }

  /**
   * The bucket of side `inLeft` for the key of `row` (a row of the left side if `rowIsLeft`), whose
   * probe is `probe`; with TTL an expired bucket reads as absent. Leaves that side's index positioned
   * for `addRow`/`removeRow`.
   */
  private bucket(inLeft: boolean, probe: StateKey, row: Row, rowIsLeft: boolean): Bucket | undefined {
    return (inLeft ? this.left : this.right).find(
      probe,
      row,
      rowIsLeft ? this.leftKeys : this.rightKeys,
      this.now,
    );
  }

  /** With TTL: reads the clock once per change and sweeps expired buckets of both sides. */
  private expire(): void {
    this.now = this.ctx.now();
    this.left.sweep(this.now);
    this.right.sweep(this.now);
  }

  private pad(row: Row, isLeft: boolean): Row {
    return isLeft ? padRight(row, this.rightArity) : padLeft(this.leftArity, row);
  }

  private emitCopies(kind: RowKind, row: Row, n: number): void {
    for (let i = 0; i < n; i++) this.out.push(kind, row);
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
    // Copy-on-write: the buckets are written out while processing goes on (operators/state.ts).
    return this.store.snapshotDeferred();
  }

  restore(state: unknown): void {
    this.store.restore(state as ReturnType<StateStore['snapshot']>);
    this.liveRows = 0;
    for (const b of this.left.values()) this.liveRows += b.size;
    for (const b of this.right.values()) this.liveRows += b.size;
  }

  /** The number of distinct live rows held, both sides together. */
  stateSize(): number {
    return this.liveRows;
  }

  close(): void {}
}

function hasNull(row: Row, cols: readonly number[]): boolean {
  for (let i = 0; i < cols.length; i++) if (row[cols[i] as number] === null) return true;
  return false;
}
