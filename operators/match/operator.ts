/**
 * MatchRecognize: the MATCH_RECOGNIZE operator, on streams and on bounded inputs.
 *
 * 1. Rows are partitioned (PARTITION BY) and held per partition as pending until their order is
 *    final: on a stream (rowtime order) when the watermark reaches their event time, on a bounded
 *    input at the end (+Infinity watermark). A watermark visits only the partitions it releases rows of
 *    (the `due` heap, by each partition's earliest pending event time), so its cost does not grow with
 *    the number of partitions waiting. Rows at or behind the watermark on arrival are late:
 *    dropped and counted (`numLateRecordsDropped`), as Flink does.
 * 2. Released rows are sorted (event time, then the tie-breaker; or the full comparator), appended
 *    to the partition's RowStore and stepped through the partition's Matcher (matcher.ts), whose
 *    attempts live across watermarks: a match is reported only once it is final.
 * 3. Each reported match is numbered (MATCH_NUMBER) and turned into output with the measures
 *    (measure-context.ts): ONE ROW PER MATCH -> partition columns + measures; ALL ROWS PER MATCH ->
 *    every non-excluded row of the match + running measures (empty matches shown or omitted; rows of
 *    no match output WITH UNMATCHED ROWS with null measures). Output is append-only (+I).
 * 4. Rows before the matcher's low-water mark (minus maxLookback) are freed; WITHIN also expires
 *    attempts on the watermark, so state stays bounded on long streams. A watermark visits only the
 *    partitions whose earliest attempt in progress it can end (the `expiries` heap).
 * 5. The output watermark is held back to just below the event time of the first row whose result is
 *    not yet reported in any partition, so downstream never receives rows behind a watermark. That
 *    row is found through a min-heap of the partitions' first unreported rows (`holds`), updated only
 *    for the partitions a watermark touched, so a watermark costs O(touched log n), not O(partitions).
 * 6. Checkpoints are copy-on-write (operators/state.ts), so the pause does not grow with the rows and
 *    attempts held: `snapshot()` only starts a deferred view of `partitions`; the writer turns each
 *    partition into plain data (`snapshotOf`) as it reaches it. Every per-partition operation that
 *    changes a partition in place (pending rows, its RowStore, its Matcher, its match number) calls
 *    `partitions.mutating(part)` first, so a partition changed before the writer reached it is copied
 *    as it was at the snapshot. The matchers' emit callbacks run inside those operations.
 */
import { RivuletError } from '../../common/errors.ts';
import type { Collector, Operator, OperatorContext, Row, Value } from '../api.ts';
import { RowKind } from '../api.ts';
import { type DeferredEntries, keySelector, MapState, type StateCodec, type StateKey } from '../state.ts';
import { TimerHeap } from '../time/timer-heap.ts';
import {
  type CompiledMatch,
  compileMatch,
  Matcher,
  type MatcherSnapshot,
  MatchRuntime,
  type MatchSink,
} from './matcher.ts';
import { MeasureContext } from './measure-context.ts';
import { RowStore } from './row-store.ts';
import type { MatchSpec } from './spec.ts';

export interface MatchRecognizeOptions {
  /**
   * Side output for attempts WITHIN ended before they matched: one row per attempt, shaped like ONE
   * ROW PER MATCH output (partition columns + measures over the partial match, MATCH_NUMBER 0).
   */
  readonly timedOut?: Collector;
}

interface PartitionSnapshot {
  keyValues: Value[];
  store: ReturnType<RowStore['snapshot']>;
  pending: Row[];
  pendingTs: number[];
  pendingSorted: boolean;
  matchNumber: number;
  covered: number;
  matcher: MatcherSnapshot;
}

/** As restore() takes it: `partitions` drained from the DeferredEntries that snapshot() returns. */
interface OperatorSnapshot {
  watermark: number;
  lastOutWatermark: number;
  finished: boolean;
  partitions: [StateKey, PartitionSnapshot][];
}

/** The state of one partition. */
class Partition {
  readonly keyValues: Value[];
  store: RowStore;
  matcher!: Matcher;
  /** Rows whose order is not final yet, with their event times; sorted when `pendingSorted`. */
  pending: Row[] = [];
  pendingTs: number[] = [];
  pendingSorted = true;
  /** The earliest event time among `pending` (+Infinity when none): its entry in the `due` heap. */
  pendingMin = Infinity;
  matchNumber = 0;
  /** The last row that belongs to a reported match (for WITH UNMATCHED ROWS). */
  covered = -1;
  /** Member of the operator's `live` set. */
  live = false;
  /** The event time of its first unreported row (+Infinity: none): its entry in the `holds` heap. */
  holdAt = Infinity;
  /** With WITHIN: when an attempt in progress can first expire (its entry in `expiries`). */
  expireAt = Infinity;

  constructor(keyValues: Value[], store: RowStore) {
    this.keyValues = keyValues;
    this.store = store;
  }
}

/** Plain data of a partition as it is now; shares only what is never changed (key values, rows). */
function snapshotOf(p: Partition): PartitionSnapshot {
  return {
    keyValues: p.keyValues,
    store: p.store.snapshot(),
    pending: [...p.pending],
    pendingTs: [...p.pendingTs],
    pendingSorted: p.pendingSorted,
    matchNumber: p.matchNumber,
    covered: p.covered,
    matcher: p.matcher.snapshot(),
  };
}

/**
 * The copy kept of a partition changed during a snapshot is its plain data (a PartitionSnapshot, not a
 * Partition: state.ts allows another representation when `encode` accepts both).
 */
const partitionCodec: StateCodec<Partition> = {
  encode: (p) => (p instanceof Partition ? snapshotOf(p) : p),
  // restore() builds Partitions from the plain data itself.
  decode: (x) => x as Partition,
};
const copyPartition = (p: Partition): Partition => snapshotOf(p) as unknown as Partition;

class PartitionSink implements MatchSink {
  private readonly op: MatchRecognize;
  private readonly part: Partition;
  constructor(op: MatchRecognize, part: Partition) {
    this.op = op;
    this.part = part;
  }
  match(start: number, end: number, labels: Int32Array, excluded: Uint8Array | null): void {
    this.op.emitMatch(this.part, start, end, labels, excluded);
  }
  noMatch(start: number): void {
    this.op.emitUnmatched(this.part, start);
  }
  timedOut(start: number, labels: Int32Array): void {
    this.op.emitTimedOut(this.part, start, labels);
  }
}

/**
 * @example
 * const op = new MatchRecognize(spec);
 * op.open(ctx, out);
 * for (const row of rows) op.process(RowKind.INSERT, row, 0);
 * op.processWatermark(Infinity, 0); // bounded input: everything is matched and emitted
 */
export class MatchRecognize implements Operator {
  readonly name = 'MatchRecognize';
  private readonly spec: MatchSpec;
  private readonly compiled: CompiledMatch;
  private readonly rt: MatchRuntime;
  private readonly mctx: MeasureContext;
  private readonly keyOf: (row: Row) => StateKey;
  private readonly rowtimeOf: ((row: Row) => number) | null;
  private readonly compareRows: (a: Row, b: Row) => number;
  private readonly timedOutOut: Collector | null;
  private readonly partitions = new MapState<Partition>('partitions', copyPartition, partitionCodec);
  /**
   * On a stream, partitions with pending rows by the event time of their earliest one, so a watermark
   * visits only the partitions it releases rows of, not every partition waiting for one. Lazy: an
   * entry whose time is not its partition's `pendingMin` any more is stale and skipped.
   */
  private readonly due = new TimerHeap<Partition>();
  /** Partitions with unreported rows (attempts in flight or rows waiting for lookahead). */
  private readonly live = new Set<Partition>();
  /**
   * Partitions by the event time of their first unreported row. Lazy, as `due`: an entry whose time is
   * not its partition's `holdAt` any more is stale, dropped when it reaches the top (that time only
   * grows, so a partition's stale entries are never later than its current one).
   */
  private readonly holds = new TimerHeap<Partition>();
  /** With WITHIN: partitions by `expireAt`. Lazy: an entry whose time is not its `expireAt` is stale. */
  private readonly expiries = new TimerHeap<Partition>();
  private out!: Collector;
  private ctx!: OperatorContext;
  private watermark = -Infinity;
  private lastOutWatermark = -Infinity;
  private finished = false;

  constructor(spec: MatchSpec, options: MatchRecognizeOptions = {}) {
    this.spec = spec;
    this.compiled = compileMatch(spec);
    this.rt = new MatchRuntime(this.compiled);
    this.mctx = new MeasureContext(this.compiled.vars);
    this.keyOf = keySelector(spec.partitionBy);
    const order = spec.order;
    this.rowtimeOf = order.kind === 'rowtime' ? order.rowtime : (order.rowtime ?? null);
    if (this.compiled.withinMs !== null && this.rowtimeOf === null)
      throw new RivuletError(
        'plan',
        'MATCH_WITHIN_NEEDS_ROWTIME',
        'WITHIN needs rows ordered by an event-time attribute',
      );
    if (order.kind === 'rowtime') {
      const tie = order.tieBreak;
      const rt = order.rowtime;
      this.compareRows = tie ? (a, b) => rt(a) - rt(b) || tie(a, b) : (a, b) => rt(a) - rt(b);
    } else {
      this.compareRows = order.compare;
    }
    this.timedOutOut = options.timedOut ?? null;
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    if (kind !== RowKind.INSERT)
      throw new RivuletError(
        'runtime',
        'MATCH_INPUT_NOT_APPEND_ONLY',
        `MATCH_RECOGNIZE needs an append-only input, but received an update or delete (${kind})`,
      );
    if (this.finished)
      throw new RivuletError(
        'runtime',
        'MATCH_ROW_AFTER_END',
        'MATCH_RECOGNIZE received a row after its input ended',
      );
    const streaming = this.spec.order.kind === 'rowtime';
    const ts = this.rowtimeOf === null ? 0 : this.rowtimeOf(row);
    if (streaming && ts <= this.watermark) {
      this.ctx.count('numLateRecordsDropped');
      return;
    }
    const part = this.partitionOf(row);
    this.partitions.mutating(part);
    const n = part.pending.length;
    // A later event time keeps the pending rows sorted without asking the comparator.
    if (n > 0 && part.pendingSorted && !(streaming && ts > part.pendingTs[n - 1]!)) {
      if (this.compareRows(part.pending[n - 1]!, row) > 0) part.pendingSorted = false;
    }
    part.pending.push(row);
    part.pendingTs.push(ts);
    if (ts < part.pendingMin) {
      part.pendingMin = ts;
      if (streaming) this.due.push(ts, part);
    }
  }

  processWatermark(ts: number, _input: number): void {
    if (ts <= this.watermark || this.finished) return;
    this.watermark = ts;
    if (ts === Infinity) {
      this.finishAll();
      return;
    }
    if (this.spec.order.kind !== 'rowtime') return; // a bounded input is ordered only at its end
    const due = this.due;
    while (due.size > 0 && due.peekTime() <= ts) {
      const time = due.peekTime();
      const part = due.pop();
      if (part.pendingMin !== time) continue; // stale: released already
      this.partitions.mutating(part);
      this.release(part, ts);
      if (part.pendingMin !== Infinity) due.push(part.pendingMin, part);
      this.settle(part);
    }
    if (this.compiled.withinMs !== null) this.expireUpTo(ts);
    this.forwardWatermark(Math.min(ts, this.holdTime() - 1));
  }

  endInput(_input: number): void {
    if (!this.finished) {
      this.watermark = Infinity;
      this.finishAll();
    }
    this.out.end();
  }

  /**
   * O(1): the partitions are a copy-on-write view, drained by the checkpoint writer (restore() gets it
   * as an array of [key, PartitionSnapshot], the form this operator's snapshots always had).
   */
  snapshot(): {
    watermark: number;
    lastOutWatermark: number;
    finished: boolean;
    partitions: DeferredEntries<Partition>;
  } {
    return {
      watermark: this.watermark,
      lastOutWatermark: this.lastOutWatermark,
      finished: this.finished,
      partitions: this.partitions.snapshotDeferred(),
    };
  }

  restore(state: unknown): void {
    const s = state as OperatorSnapshot;
    this.watermark = s.watermark;
    this.lastOutWatermark = s.lastOutWatermark;
    this.finished = s.finished;
    this.partitions.clear();
    this.due.clear();
    this.live.clear();
    for (const [key, ps] of s.partitions) {
      const part = new Partition(ps.keyValues, RowStore.restore(ps.store));
      part.pending = [...ps.pending];
      part.pendingTs = [...ps.pendingTs];
      part.pendingSorted = ps.pendingSorted;
      part.matchNumber = ps.matchNumber;
      part.covered = ps.covered;
      part.matcher = Matcher.restore(this.rt, part.store, new PartitionSink(this, part), ps.matcher);
      this.partitions.set(key, part);
      for (const t of part.pendingTs) part.pendingMin = Math.min(part.pendingMin, t);
      if (part.pendingMin !== Infinity && this.spec.order.kind === 'rowtime')
        this.due.push(part.pendingMin, part);
      if (part.matcher.busy || part.matcher.firstUnreported < part.store.count) {
        part.live = true;
        this.live.add(part);
      }
    }
    this.rebuildHolds();
    this.expiries.clear();
    for (const [, part] of this.partitions.entries()) this.trackExpiry(part);
  }

  stateSize(): number {
    let n = 0;
    for (const p of this.partitions.entries()) {
      const part = p[1];
      n += part.store.size + part.pending.length + part.matcher.size;
    }
    return n;
  }

  close(): void {
    this.partitions.clear();
    this.due.clear();
    this.live.clear();
    this.holds.clear();
    this.expiries.clear();
  }

  // ------------------------------------------------------------------------------------------
  // Output (called by the partitions' sinks, in start order, from inside a matcher operation whose
  // caller has already called `partitions.mutating(part)`)

  /** @internal */
  emitMatch(
    part: Partition,
    start: number,
    end: number,
    labels: Int32Array,
    excluded: Uint8Array | null,
  ): void {
    const number = ++part.matchNumber;
    const ctx = this.mctx;
    const store = part.store;
    ctx.reset(store, start, end, labels, number);
    const mode = this.spec.rowsPerMatch;
    if (mode === 'ONE') {
      this.out.push(RowKind.INSERT, this.measureRow(part.keyValues));
    } else if (end === start) {
      if (mode !== 'ALL_OMIT_EMPTY') this.out.push(RowKind.INSERT, this.measureRow(store.get(start)));
    } else {
      for (let r = start; r < end; r++) {
        if (excluded !== null && excluded[r - start] === 1) continue;
        ctx.setCurrent(r);
        this.out.push(RowKind.INSERT, this.measureRow(store.get(r)));
      }
    }
    if (end - 1 > part.covered) part.covered = end - 1;
  }

  /** @internal */
  emitUnmatched(part: Partition, start: number): void {
    if (this.spec.rowsPerMatch !== 'ALL_WITH_UNMATCHED' || start <= part.covered) return;
    const row = part.store.get(start);
    const out = row.slice();
    for (let i = 0; i < this.spec.measures.length; i++) out.push(null);
    this.out.push(RowKind.INSERT, out);
  }

  /** @internal */
  emitTimedOut(part: Partition, start: number, labels: Int32Array): void {
    if (this.timedOutOut === null) return;
    this.mctx.reset(part.store, start, start + labels.length, labels, 0);
    this.timedOutOut.push(RowKind.INSERT, this.measureRow(part.keyValues));
  }

  private measureRow(prefix: readonly Value[]): Row {
    const out = prefix.slice();
    const measures = this.spec.measures;
    for (let i = 0; i < measures.length; i++) out.push(measures[i]!.fn(this.mctx));
    return out;
  }

  // ------------------------------------------------------------------------------------------

  private partitionOf(row: Row): Partition {
    const key = this.keyOf(row);
    let part = this.partitions.get(key);
    if (part === undefined) {
      part = new Partition(
        this.spec.partitionBy.map((c) => row[c]),
        new RowStore(),
      );
      part.matcher = new Matcher(this.rt, part.store, new PartitionSink(this, part));
      this.partitions.set(key, part);
    }
    return part;
  }

  /** Moves pending rows with event time <= `upTo` into the partition's ordered store (call `mutating` first). */
  private release(part: Partition, upTo: number): void {
    if (!part.pendingSorted) this.sortPending(part);
    const rows = part.pending;
    const times = part.pendingTs;
    let cut = 0;
    while (cut < rows.length && times[cut]! <= upTo) {
      part.store.push(rows[cut]!, times[cut]!);
      cut++;
    }
    if (cut === rows.length) {
      rows.length = 0;
      times.length = 0;
    } else if (cut > 0) {
      rows.splice(0, cut);
      times.splice(0, cut);
    }
    part.pendingMin = times.length === 0 ? Infinity : times[0]!; // sorted by event time on a stream
  }

  private sortPending(part: Partition): void {
    const idx = part.pending.map((_, i) => i);
    const rows = part.pending;
    const cmp = this.compareRows;
    idx.sort((a, b) => cmp(rows[a]!, rows[b]!) || a - b);
    part.pending = idx.map((i) => rows[i]!);
    const times = part.pendingTs;
    part.pendingTs = idx.map((i) => times[i]!);
    part.pendingSorted = true;
  }

  /** Runs the matcher as far as it can, frees rows it no longer needs, tracks liveness (call `mutating` first). */
  private settle(part: Partition): void {
    part.matcher.advance();
    part.store.trim(part.matcher.lowWater());
    const live = part.matcher.busy || part.matcher.firstUnreported < part.store.count;
    if (live !== part.live) {
      part.live = live;
      if (live) this.live.add(part);
      else this.live.delete(part);
    }
    this.trackHold(part);
    if (this.compiled.withinMs !== null) this.trackExpiry(part);
  }

  /** WITHIN on the watermark alone: ends the attempts no future row can extend, partition by partition. */
  private expireUpTo(ts: number): void {
    const expiries = this.expiries;
    const blocked: Partition[] = [];
    while (expiries.size > 0 && expiries.peekTime() <= ts) {
      const time = expiries.peekTime();
      const part = expiries.pop();
      if (part.expireAt !== time) continue; // stale
      this.partitions.mutating(part);
      part.matcher.expire(ts);
      this.settle(part);
      // Unchanged: rows the matcher has not stepped yet (waiting for lookahead) keep the attempt;
      // try again on the next watermark.
      if (part.expireAt === time) blocked.push(part);
    }
    for (const part of blocked) expiries.push(part.expireAt, part);
  }

  private trackExpiry(part: Partition): void {
    const at = part.matcher.expiryTime();
    if (at === part.expireAt) return;
    part.expireAt = at;
    if (at !== Infinity) this.expiries.push(at, part);
  }

  /** Registers the event time of the partition's first unreported row in `holds` if it changed. */
  private trackHold(part: Partition): void {
    const first = part.matcher.firstUnreported;
    const at = first < part.store.count ? part.store.rowtime(first) : Infinity;
    if (at === part.holdAt) return;
    part.holdAt = at;
    if (at === Infinity) return;
    this.holds.push(at, part);
    // Stale entries later than the earliest one stay until it passes: rebuild when they dominate.
    if (this.holds.size > 2 * this.live.size + 1024) this.rebuildHolds();
  }

  private rebuildHolds(): void {
    this.holds.clear();
    for (const part of this.live) {
      part.holdAt = Infinity;
      this.trackHold(part);
    }
  }

  /** The event time of the earliest unreported row over all partitions (+Infinity: none). */
  private holdTime(): number {
    const holds = this.holds;
    while (holds.size > 0 && holds.peek().holdAt !== holds.peekTime()) holds.pop();
    return holds.peekTime();
  }

  private finishAll(): void {
    this.finished = true;
    for (const [, part] of this.partitions.entries()) {
      this.partitions.mutating(part);
      this.release(part, Infinity);
      part.store.ended = true;
      this.settle(part);
    }
    this.due.clear();
    this.expiries.clear();
    this.forwardWatermark(Infinity);
  }

  private forwardWatermark(ts: number): void {
    if (ts > this.lastOutWatermark) {
      this.lastOutWatermark = ts;
      this.out.watermark(ts);
    }
  }
}
