/**
 * GroupAggregate: GROUP BY with aggregates over a changelog (Flink's GroupAggFunction), emitting the
 * aggregate's result as a changelog of its own.
 *
 * Per input change, for the row's group:
 *   1. look up the group's state (live row count, one accumulator per aggregate, per-aggregate counts of
 *      distinct argument values, the result row last emitted); a retraction for a group without state
 *      is ignored and counted (`numRetractionsOfUnknownGroup`), which only happens after TTL expiry;
 *   2. +I/+U: count + 1 and accumulate into every aggregate whose FILTER passes; -U/-D: count - 1 and
 *      retract. A DISTINCT aggregate keeps a count per distinct argument tuple, and only the first
 *      occurrence of a value accumulates and only the last one retracts;
 *   3. when the count reaches 0 the group is gone: emit -D of the last result and drop the state;
 *   4. otherwise compute the result: +I if none was emitted yet, -U old / +U new if any aggregate value
 *      changed, and nothing at all when the result did not change (no redundant updates), except with
 *      state TTL, where Flink re-emits the unchanged row (-U/+U) so that downstream state is refreshed.
 *
 * Global aggregation (no GROUP BY) is the same with one group. Following Flink, in streaming it emits
 * nothing until the first row arrives (and -D when every row is retracted); Flink's batch mode instead
 * answers an empty input with one row (COUNT 0, other aggregates NULL). Rivulet runs bounded inputs with
 * the streaming plan, so the planner asks for the batch answer with `emptyGlobalResultAtEnd`: at the
 * end of input (the +Infinity watermark or endInput), if no group is live, one +I row is emitted holding
 * each aggregate's value over no rows (`getValue(create())`).
 *
 * State is keyed by the group key itself when there is at most one group column (a primitive value is
 * a Map key as it is). With several group columns, building a canonical string per row would dominate
 * the cost, so the key is a 32-bit hash of the columns (row-hash.ts) and the group remembers its key
 * values: a lookup checks them, and the rare group whose hash slot is taken by another key lives in an
 * `overflow` map keyed by the canonical string instead (key-index.ts).
 *
 * With `stateTtlMs` (table.exec.state.ttl), a group not written for that long in processing time is
 * dropped without emitting anything, exactly as Flink's state TTL does (see state-ttl.ts).
 *
 * Mini-batch (`miniBatch`, Flink's `table.exec.mini-batch.*`): steps 1-2 run per change as above, but
 * steps 3-4 are deferred. A group changed since the last emission is marked pending (a group whose
 * count reaches 0 keeps its state until then, so a later row of the batch finds it). The pending
 * groups emit together, one -U/+U (or +I, or -D) per group for the whole batch, when `size` changes
 * are buffered, when the runtime's end-of-batch `flush()` finds the oldest pending change older than
 * `latencyMs`, and before any watermark or end of input passes. Fewer, later updates; same final
 * answer.
 */
import { InternalError, RivuletError } from '../../common/errors.ts';
import {
  type AggregateFunction,
  type Collector,
  type Operator,
  type OperatorContext,
  type Row,
  RowKind,
  type Value,
} from '../api.ts';
import { copyAccumulator, encodeKey, type StateCodec, type StateKey, StateStore } from '../state.ts';
import { valuesEqual } from './compare.ts';
import { KeyIndex } from './key-index.ts';
import { describeRow } from './rows.ts';

/** One aggregate call, e.g. `SUM(DISTINCT x) FILTER (WHERE y > 0)`. */
export interface AggregateCall {
  /** Creates the function (called once per operator). */
  readonly create: () => AggregateFunction;
  /**
   * Input columns holding the arguments (the planner projects computed arguments in a Calc below, as
   * Flink does). `[]` for COUNT(*). Give either `args` or `argsOf`.
   */
  readonly args?: readonly number[];
  /** Alternatively a compiled argument extractor. */
  readonly argsOf?: (row: Row) => Value[];
  /** FILTER (WHERE ...): only rows for which it is true are aggregated (NULL counts as false). */
  readonly filter?: (row: Row) => boolean | null;
  /** DISTINCT: each distinct argument tuple is aggregated once. */
  readonly distinct?: boolean;
  /** Shown in errors, e.g. `SUM`. */
  readonly name?: string;
}

export interface GroupAggregateOptions {
  /** Group columns of the input row; they are the first columns of the output row. */
  readonly groupBy: readonly number[];
  /** Aggregate values follow the group columns in the output row, in this order. */
  readonly aggregates: readonly AggregateCall[];
  /** Emit -U before +U (default true); false for an upsert consumer keyed by the group columns. */
  readonly emitUpdateBefore?: boolean;
  /** For bounded runs of a global aggregation: emit the empty-input row at the end (see above). */
  readonly emptyGlobalResultAtEnd?: boolean;
  /** table.exec.state.ttl in milliseconds; 0 or absent keeps state forever. */
  readonly stateTtlMs?: number;
  /**
   * The hash of several group columns; default `hashColumns` (row-hash.ts). Tests pass a degenerate one
   * to exercise hash collisions.
   */
  readonly hashGroupKey?: (row: Row, columns: readonly number[]) => number;
  /** Buffer changes and emit one update per group per batch (see above). */
  readonly miniBatch?: MiniBatchOptions;
}

/** `table.exec.mini-batch.size` and `table.exec.mini-batch.allow-latency`. */
export interface MiniBatchOptions {
  /** Emit when this many changes are buffered (> 0). */
  readonly size: number;
  /** Emit at the end of a source batch once the oldest buffered change is this old (ms). */
  readonly latencyMs: number;
}

/** The state of one group. Plain data so that a snapshot can be structured-cloned. */
interface GroupState {
  count: number;
  accs: unknown[];
  /** Per aggregate, for DISTINCT ones: argument tuple -> number of live rows having it. */
  distinct: (Map<StateKey, number> | null)[] | null;
  /** The row last emitted for the group, or null before the first emission. */
  result: Row | null;
  touched: number;
  /** With several group columns: the group key values (checked against the row on lookup). */
  key: Row | null;
  /** Mini-batch: changed since the last emission (listed in `pending`). */
  pending: boolean;
}

/** An aggregate call prepared once: the call sites below never allocate closures per row. */
interface Slot {
  readonly fn: AggregateFunction;
  readonly name: string;
  readonly accumulate: (acc: unknown, row: Row) => unknown;
  readonly retract: ((acc: unknown, row: Row) => unknown) | null;
  readonly filter: ((row: Row) => boolean | null) | undefined;
  readonly distinctKey: ((row: Row) => StateKey) | null;
}

export class GroupAggregate implements Operator {
  readonly name = 'GroupAggregate';
  private readonly groupBy: readonly number[];
  private readonly slots: Slot[];
  private readonly hasDistinct: boolean;
  private readonly emitUpdateBefore: boolean;
  private readonly emptyGlobalResultAtEnd: boolean;
  private readonly ttlMs: number;
  private readonly store = new StateStore();
  /** The groups, keyed by the group columns (see key-index.ts). */
  private readonly groups: KeyIndex<GroupState>;
  private readonly probe: (row: Row) => StateKey;
  /** Scratch buffer for freshly computed aggregate values; reused for every row. */
  private readonly values: Value[];
  private finished = false;
  /** The aggregate being called, so an exception can name it. */
  private current = 0;
  private ctx!: OperatorContext;
  private out!: Collector;
  private readonly miniBatch: MiniBatchOptions | null;
  /** Mini-batch: the pending groups, and for each a row of the group (its key columns, for lookup). */
  private pending: GroupState[] = [];
  private pendingRows: Row[] = [];
  /** Mini-batch: changes buffered since the last emission, and when the first arrived. */
  private buffered = 0;
  private bufferedSince = 0;

  constructor(options: GroupAggregateOptions) {
    this.groupBy = [...options.groupBy];
    this.slots = options.aggregates.map(prepareSlot);
    this.hasDistinct = this.slots.some((s) => s.distinctKey !== null);
    this.emitUpdateBefore = options.emitUpdateBefore ?? true;
    this.emptyGlobalResultAtEnd = options.emptyGlobalResultAtEnd ?? false;
    this.ttlMs = options.stateTtlMs ?? 0;
    this.groups = new KeyIndex<GroupState>(this.store, 'groups', this.groupBy.length, {
      ttlMs: this.ttlMs,
      onExpire: () => this.ctx.count('numExpiredStates'),
      hash: options.hashGroupKey,
      clone: cloneGroup,
      codec: GROUP_CODEC,
    });
    this.probe = this.groups.prober(this.groupBy);
    this.values = new Array<Value>(this.slots.length).fill(null);
    this.miniBatch = options.miniBatch ?? null;
    if (this.miniBatch !== null && !(this.miniBatch.size > 0)) {
      throw new InternalError(`mini-batch size must be positive, got ${this.miniBatch.size}`);
    }
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    const accumulate = kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER;
    let now = 0;
    if (this.ttlMs > 0) {
      now = this.ctx.now();
      this.groups.sweep(now);
    }
    const groups = this.groups;
    let st = groups.find(this.probe(row), row, this.groupBy, now);
    // A mini-batch keeps an emptied group until it emits; to a retraction it is unknown, as if gone.
    if (st !== undefined && st.count <= 0 && !accumulate) st = undefined;
    if (st === undefined) {
      if (!accumulate) {
        this.ctx.count('numRetractionsOfUnknownGroup');
        return;
      }
      st = this.newGroup(row);
      groups.set(st);
    } else {
      groups.mutating(st); // copy-on-write for a checkpoint in progress
    }
    try {
      if (accumulate) {
        st.count++;
        this.accumulateRow(st, row);
      } else {
        st.count--;
        this.retractRow(st, row);
      }
    } catch (e) {
      throw this.failure(e, row, this.slots[this.current]);
    }
    if (this.miniBatch !== null) {
      if (st.count > 0 && this.ttlMs > 0) groups.touch(st, now);
      if (!st.pending) {
        st.pending = true;
        this.pending.push(st);
        this.pendingRows.push(row);
      }
      if (this.buffered++ === 0) this.bufferedSince = this.ctx.now();
      if (this.buffered >= this.miniBatch.size) this.emitPending();
      return;
    }
    if (st.count <= 0) {
      if (st.result !== null) this.out.push(RowKind.DELETE, st.result);
      groups.delete();
      return;
    }
    if (this.ttlMs > 0) groups.touch(st, now);
    this.emitResult(st, row);
  }

  private newGroup(row: Row): GroupState {
    const n = this.slots.length;
    const accs = new Array<unknown>(n);
    for (let i = 0; i < n; i++) accs[i] = (this.slots[i] as Slot).fn.create();
    let distinct: (Map<StateKey, number> | null)[] | null = null;
    if (this.hasDistinct) distinct = this.slots.map((s) => (s.distinctKey === null ? null : new Map()));
    const key = this.groups.keyOf(row, this.groupBy);
    return { count: 0, accs, distinct, result: null, touched: 0, key, pending: false };
  }

  private accumulateRow(st: GroupState, row: Row): void {
    const slots = this.slots;
    const accs = st.accs;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i] as Slot;
      this.current = i;
      if (s.filter !== undefined && s.filter(row) !== true) continue;
      if (s.distinctKey !== null) {
        const seen = (st.distinct as Map<StateKey, number>[])[i] as Map<StateKey, number>;
        const dk = s.distinctKey(row);
        const c = seen.get(dk) ?? 0;
        seen.set(dk, c + 1);
        if (c > 0) continue; // the value is already aggregated once
      }
      accs[i] = s.accumulate(accs[i], row);
    }
  }

  private retractRow(st: GroupState, row: Row): void {
    const slots = this.slots;
    const accs = st.accs;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i] as Slot;
      this.current = i;
      if (s.filter !== undefined && s.filter(row) !== true) continue;
      if (s.distinctKey !== null) {
        const seen = (st.distinct as Map<StateKey, number>[])[i] as Map<StateKey, number>;
        const dk = s.distinctKey(row);
        const c = seen.get(dk);
        if (c === undefined) continue; // retracting a value never aggregated: nothing to undo
        if (c > 1) {
          seen.set(dk, c - 1);
          continue; // other rows still carry the value
        }
        seen.delete(dk);
      }
      if (s.retract === null) {
        throw new RivuletError(
          'runtime',
          'AGGREGATE_RETRACT_UNSUPPORTED',
          `aggregate function ${s.name} cannot retract, but its input is an update stream (operator ${this.ctx.operatorId})`,
        );
      }
      accs[i] = s.retract(accs[i], row);
    }
  }

  /** End of a source batch: a mini-batch emits once its oldest change has waited `latencyMs`. */
  flush(): void {
    const mb = this.miniBatch;
    if (mb === null || this.buffered === 0) return;
    if (this.ctx.now() - this.bufferedSince >= mb.latencyMs) this.emitPending();
  }

  /** Mini-batch: one result change per pending group (-D for a group that emptied). */
  private emitPending(): void {
    const pending = this.pending;
    const rows = this.pendingRows;
    this.pending = [];
    this.pendingRows = [];
    this.buffered = 0;
    const now = this.ttlMs > 0 ? this.ctx.now() : 0;
    for (let i = 0; i < pending.length; i++) {
      const st = pending[i] as GroupState;
      const row = rows[i] as Row;
      this.groups.mutating(st);
      st.pending = false;
      if (st.count > 0) {
        this.emitResult(st, row);
        continue;
      }
      if (st.result !== null) this.out.push(RowKind.DELETE, st.result);
      // Drop the state unless TTL already did (find then answers another state or none).
      if (this.groups.find(this.probe(row), row, this.groupBy, now) === st) this.groups.delete();
    }
  }

  /** Emits +I, or -U/+U when some value changed, or nothing when the result is unchanged. */
  private emitResult(st: GroupState, row: Row): void {
    const slots = this.slots;
    const values = this.values;
    const g = this.groupBy.length;
    const prev = st.result;
    let changed = prev === null;
    for (let i = 0; i < slots.length; i++) {
      const v = this.valueOf(slots[i] as Slot, st.accs[i], row);
      values[i] = v;
      if (!changed && !valuesEqual((prev as Row)[g + i], v)) changed = true;
    }
    if (!changed) {
      if (this.ttlMs === 0 || prev === null) return;
      // With state TTL Flink re-emits an unchanged result, so that downstream stateful operators see a
      // write and do not expire the row early; do the same.
      if (this.emitUpdateBefore) this.out.push(RowKind.UPDATE_BEFORE, prev);
      this.out.push(RowKind.UPDATE_AFTER, prev);
      return;
    }
    const result = new Array<Value>(g + slots.length);
    for (let j = 0; j < g; j++) result[j] = row[this.groupBy[j] as number];
    for (let i = 0; i < slots.length; i++) result[g + i] = values[i];
    st.result = result;
    if (prev === null) {
      this.out.push(RowKind.INSERT, result);
    } else {
      if (this.emitUpdateBefore) this.out.push(RowKind.UPDATE_BEFORE, prev);
      this.out.push(RowKind.UPDATE_AFTER, result);
    }
  }

  private valueOf(slot: Slot, acc: unknown, row: Row): Value {
    try {
      return slot.fn.getValue(acc);
    } catch (e) {
      throw this.failure(e, row, slot);
    }
  }

  /** A user-actionable error for an aggregate function that threw (or a RivuletError as it is). */
  private failure(e: unknown, row: Row, slot?: Slot): Error {
    if (e instanceof RivuletError) return e;
    const which = slot ? slot.name : '(unknown)';
    const msg = e instanceof Error ? e.message : String(e);
    return new RivuletError(
      'runtime',
      'AGGREGATE_FUNCTION_FAILED',
      `aggregate function ${which} failed in operator ${this.ctx.operatorId} on row ${describeRow(row)}: ${msg}`,
      undefined,
      { cause: e },
    );
  }

  processWatermark(ts: number, _input: number): void {
    if (this.buffered > 0) this.emitPending();
    if (ts === Infinity) this.finish();
    if (this.ttlMs > 0) this.groups.sweep(this.ctx.now());
    this.out.watermark(ts);
  }

  endInput(_input: number): void {
    if (this.buffered > 0) this.emitPending();
    this.finish();
    this.out.end();
  }

  /** End of a bounded input: the batch answer of a global aggregation over no rows, if asked for. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.emptyGlobalResultAtEnd || this.groupBy.length > 0 || this.stateSize() > 0) return;
    this.out.push(
      RowKind.INSERT,
      this.slots.map((s) => s.fn.getValue(s.fn.create())),
    );
  }

  snapshot(): unknown {
    // Copy-on-write: the groups are written out while processing goes on (operators/state.ts).
    // Pending mini-batch groups are kept as rows of theirs, found again on restore.
    return {
      groups: this.store.snapshotDeferred(),
      finished: this.finished,
      pendingRows: structuredClone(this.pendingRows.map((r) => this.groupBy.map((c) => r[c] ?? null))),
      buffered: this.buffered,
    };
  }

  restore(state: unknown): void {
    const s = state as {
      groups: ReturnType<StateStore['snapshot']>;
      finished: boolean;
      pendingRows?: Row[];
      buffered?: number;
    };
    this.store.restore(s.groups);
    this.finished = s.finished;
    this.pending = [];
    this.pendingRows = [];
    this.buffered = s.buffered ?? 0;
    // Restore may precede open(): the first end-of-batch flush emits what was pending.
    this.bufferedSince = 0;
    const width = Math.max(-1, ...this.groupBy) + 1;
    for (const keyValues of s.pendingRows ?? []) {
      const row = new Array<Value>(width).fill(null);
      this.groupBy.forEach((c, j) => {
        row[c] = keyValues[j] ?? null;
      });
      const st = this.groups.find(this.probe(row), row, this.groupBy, 0);
      if (st === undefined)
        throw new InternalError('a pending mini-batch group is missing from the snapshot');
      this.pending.push(st);
      this.pendingRows.push(row);
    }
  }

  stateSize(): number {
    return this.groups.size;
  }

  close(): void {}
}

/** Groups in checkpoints: an array of the fields, not an object (half the bytes, faster to write). */
const GROUP_CODEC: StateCodec<GroupState> = {
  encode: (st) => [st.count, st.accs, st.distinct, st.result, st.touched, st.key, st.pending],
  decode: (x) => {
    if (!Array.isArray(x)) return x as GroupState; // written by snapshot() as it is
    const [count, accs, distinct, result, touched, key, pending] = x;
    return { count, accs, distinct, result, touched, key, pending };
  },
};

/** A group's state as it is now, for copy-on-write: what processing changes in place is copied. */
function cloneGroup(st: GroupState): GroupState {
  const accs = st.accs.map(copyAccumulator);
  const distinct = st.distinct === null ? null : st.distinct.map((m) => (m === null ? null : new Map(m)));
  // `result` and `key` are replaced, never changed in place.
  return { ...st, accs, distinct };
}

function prepareSlot(call: AggregateCall, index: number): Slot {
  const fn = call.create();
  const name = call.name ?? `#${index}`;
  if ((call.args === undefined) === (call.argsOf === undefined)) {
    throw new InternalError(`aggregate ${name} needs exactly one of args/argsOf`);
  }
  const retractFn = fn.retract;
  let accumulate: (acc: unknown, row: Row) => unknown;
  let retract: ((acc: unknown, row: Row) => unknown) | null = null;
  let argValues: (row: Row) => Value[];
  if (call.argsOf !== undefined) {
    const argsOf = call.argsOf;
    argValues = argsOf;
    accumulate = (acc, row) => fn.accumulate(acc, ...argsOf(row));
    if (retractFn) retract = (acc, row) => retractFn.call(fn, acc, ...argsOf(row));
  } else {
    const cols = [...(call.args as readonly number[])];
    argValues = (row) => cols.map((c) => row[c]);
    // Specialised for the usual arities so the hot path neither allocates nor spreads.
    if (cols.length === 0) {
      accumulate = (acc) => fn.accumulate(acc);
      if (retractFn) retract = (acc) => retractFn.call(fn, acc);
    } else if (cols.length === 1) {
      const a = cols[0] as number;
      accumulate = (acc, row) => fn.accumulate(acc, row[a]);
      if (retractFn) retract = (acc, row) => retractFn.call(fn, acc, row[a]);
    } else if (cols.length === 2) {
      const a = cols[0] as number;
      const b = cols[1] as number;
      accumulate = (acc, row) => fn.accumulate(acc, row[a], row[b]);
      if (retractFn) retract = (acc, row) => retractFn.call(fn, acc, row[a], row[b]);
    } else {
      accumulate = (acc, row) => fn.accumulate(acc, ...argValues(row));
      if (retractFn) retract = (acc, row) => retractFn.call(fn, acc, ...argValues(row));
    }
  }
  let distinctKey: ((row: Row) => StateKey) | null = null;
  if (call.distinct) {
    const single = call.args !== undefined && call.args.length === 1 ? (call.args[0] as number) : -1;
    distinctKey =
      single >= 0
        ? (row) => {
            const v = row[single];
            return v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean'
              ? (v as StateKey)
              : encodeKey([v]);
          }
        : (row) => encodeKey(argValues(row));
  }
  return { fn, name, accumulate, retract, filter: call.filter, distinctKey };
}
