/**
 * WindowAggregate: GROUP BY window_start, window_end, keys over a window TVF (TUMBLE, HOP, CUMULATE,
 * SESSION, or windows already assigned upstream), emitting one row per window and group:
 * `group keys ++ aggregate values ++ [window_start, window_end, window_time]`.
 *
 * 1. Each row is assigned to its windows (see window-spec.ts). For each window that is not yet past
 *    `end - 1 + allowedLateness` under the current watermark, the row is accumulated into the
 *    (window, group) entry; aligned windows live in buckets by window end (and start: windows read
 *    from columns may share an end with different starts, chained from the first), keyed inside by
 *    the group key alone, sessions per key.
 *    A row that goes into no window is late: counted as `numLateRecordsDropped`, or sent to
 *    `lateOutput`.
 * 2. A watermark `wm` fires, in window-end order, every window with `end - 1 <= wm`: each entry
 *    emits its result, and its state is freed (or kept until `end - 1 + allowedLateness <= wm`, so
 *    late rows within the lateness update the result: at once, or with `lateFireDelayMs` every
 *    that many ms of processing time, and in any case before the window's state is freed).
 * 3. With `earlyFireDelayMs`, results of open windows that changed are emitted every that many ms of
 *    processing time (checked as input arrives and on `onProcessingTime`); the output is then an
 *    update stream (see window-entry.ts), as it is with allowed lateness.
 * 4. -U/-D input rows retract from their windows (aligned windows only; requires `retract`).
 * 5. GROUPING SETS / ROLLUP / CUBE (`groupingSets`): each row goes into every set's group, keyed by the
 *    set's columns (the other group keys NULL) plus the grouping id, which is appended to the group
 *    keys in the output (bit i, counting from the last group key as bit 0, is 1 when group key i is
 *    not in the set: Flink's GROUPING_ID / `$e`).
 * 6. Processing-time windows (`timeAttribute: 'proctime'`, a window TVF over a PROCTIME() column):
 *    a row's time is `ctx.now()` at arrival, and processing time plays the watermark: windows fire
 *    once the clock has moved past them (`end <= now`), checked as rows arrive and on
 *    `onProcessingTime`. Input watermarks are forwarded; the final +Infinity fires what is left, so a
 *    bounded query still gets every window.
 * Rows with a NULL rowtime are dropped and counted as `numNullRowtimeRecordsDropped`.
 *
 * Snapshots are copy-on-write (operators/state.ts): each bucket's entries and the sessions are
 * MapStates, written out while processing goes on; every in-place change of an entry (accumulators,
 * count, emission state) is preceded by `mutating`. Copied at once: the bucket list (one per window),
 * the timers, and the keys of entries awaiting early or late firing.
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
import { encodeKey, keySelector, MapState, type StateKey } from '../state.ts';
import { type AggregateCall, AggregateCalls } from './aggregate-calls.ts';
import { SessionWindows } from './session-windows.ts';
import { handleLate, notOpened, type ProcessingTimeAware, requireNonNegative } from './support.ts';
import { TimerHeap } from './timer-heap.ts';
import { cloneEntry, newEntry, WindowEmitter, type WindowEntry } from './window-entry.ts';
import { type AlignedWindowSpec, assignWindows, validateWindowSpec, type WindowSpec } from './window-spec.ts';

export interface WindowAggregateOptions {
  readonly window: WindowSpec;
  /** The rowtime column windows are assigned by (unused for `columns` windows). */
  readonly rowtimeIndex: number;
  /** Group key columns; for SESSION they are also the session's partition keys. */
  readonly groupKeys: readonly number[];
  readonly aggregates: readonly AggregateCall[];
  /** Emit changed results of open windows every this many ms of processing time (update output). */
  readonly earlyFireDelayMs?: number;
  /** Keep fired windows this long in event time; late rows within it update the result. */
  readonly allowedLatenessMs?: number;
  /**
   * With allowed lateness: emit the updates of fired windows every this many ms of processing time
   * instead of at every late row (Flink's `table.exec.emit.late-fire.delay`; 0: at once).
   */
  readonly lateFireDelayMs?: number;
  /** Where late rows go instead of being dropped and counted. */
  readonly lateOutput?: Collector;
  /** Windows over event time (default) or processing time (see step 6). */
  readonly timeAttribute?: 'rowtime' | 'proctime';
  /** GROUPING SETS as lists of group-key columns (each a subset of `groupKeys`); aligned windows only. */
  readonly groupingSets?: readonly (readonly number[])[];
}

/** One grouping set, compiled: which group keys it keeps, and its grouping id. */
interface GroupingSet {
  keep: boolean[];
  id: number;
}

/** Aligned windows sharing one end (tumble/hop/cumulate ends identify windows uniquely). */
interface Bucket {
  end: number;
  start: number;
  entries: MapState<WindowEntry>;
  fired: boolean;
  /** Another window with the same end and a different start (only for windows read from columns). */
  next: Bucket | null;
}

/**
 * @example
 * // SELECT user, window_start, window_end, COUNT(*), SUM(amount)
 * // FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY user, window_start, window_end
 * // input rows [user, ts, amount] -> output rows [user, count, sum, window_start, window_end, window_time]
 * new WindowAggregate({
 *   window: { kind: 'tumble', size: 60_000 },
 *   rowtimeIndex: 1,
 *   groupKeys: [0],
 *   aggregates: [{ create: () => COUNT, args: [] }, { create: () => SUM, args: [2] }],
 * });
 */
export class WindowAggregate implements Operator, ProcessingTimeAware {
  readonly name = 'WindowAggregate';
  private readonly opts: WindowAggregateOptions;
  private readonly aggs: AggregateCalls;
  private readonly emitter: WindowEmitter;
  private readonly keyOf: (row: Row) => StateKey;
  private readonly lateness: number;
  private readonly earlyDelay: number;
  private readonly lateDelay: number;
  private ctx: OperatorContext | null = null;
  private out: Collector | null = null;
  private wm = Number.NEGATIVE_INFINITY;

  // Aligned and `columns` windows.
  private readonly buckets = new Map<number, Bucket>();
  private readonly bucketTimers = new TimerHeap<number>();
  private lastBucket: Bucket | null = null;
  private readonly windowScratch: number[] = [];
  // Session windows.
  private readonly sessions: SessionWindows | null;
  // Early firing: entries changed since their last emission, and when to emit them next.
  private readonly dirty = new Set<WindowEntry>();
  private nextEarlyFire = Number.NEGATIVE_INFINITY;
  // Late firing with a delay: fired entries updated by late rows, and when to emit them next.
  private readonly lateDirty = new Set<WindowEntry>();
  private nextLateFire = Number.NEGATIVE_INFINITY;
  // TUMBLE, resolved once: the hot path of the benchmark reads these instead of the options.
  private readonly tumbleSize: number;
  private readonly tumbleOffset: number;
  private readonly rowtimeIndex: number;
  private readonly updating: boolean;
  private readonly groupingSets: GroupingSet[] | null;
  private readonly proctime: boolean;
  /** Proctime mode: the last input watermark forwarded (the internal `wm` is processing time). */
  private forwarded = Number.NEGATIVE_INFINITY;

  constructor(options: WindowAggregateOptions) {
    validateWindowSpec(options.window);
    requireNonNegative('earlyFireDelayMs', options.earlyFireDelayMs);
    requireNonNegative('allowedLatenessMs', options.allowedLatenessMs);
    requireNonNegative('lateFireDelayMs', options.lateFireDelayMs);
    this.opts = options;
    this.aggs = new AggregateCalls(options.aggregates);
    this.lateness = options.allowedLatenessMs ?? 0;
    this.earlyDelay = options.earlyFireDelayMs ?? 0;
    this.lateDelay = this.lateness > 0 ? (options.lateFireDelayMs ?? 0) : 0;
    this.emitter = new WindowEmitter(this.aggs, this.lateness > 0 || this.earlyDelay > 0);
    this.keyOf = keySelector(options.groupKeys);
    const w = options.window;
    this.sessions = w.kind === 'session' ? new SessionWindows(w.gap, this.aggs) : null;
    this.tumbleSize = w.kind === 'tumble' ? w.size : 0;
    this.tumbleOffset = w.kind === 'tumble' ? (w.offset ?? 0) : 0;
    this.rowtimeIndex = options.rowtimeIndex;
    this.updating = this.emitter.updating;
    this.groupingSets = options.groupingSets ? compileGroupingSets(options) : null;
    this.proctime = options.timeAttribute === 'proctime';
    if (this.proctime && w.kind === 'columns') {
      throw new RivuletError(
        'plan',
        'WINDOW_PROCTIME_COLUMNS',
        'processing-time windows are assigned here, not read from columns',
      );
    }
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
    this.emitter.setOutput(out);
    if (this.earlyDelay > 0) this.nextEarlyFire = ctx.now() + this.earlyDelay;
    if (this.lateDelay > 0) this.nextLateFire = ctx.now() + this.lateDelay;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    const ctx = this.ctx;
    if (!ctx) throw notOpened(this.name);
    const size = this.tumbleSize;
    if (size > 0 && this.earlyDelay === 0 && this.groupingSets === null && !this.proctime) {
      // TUMBLE without early firing: one window, computed inline.
      const ts = row[this.rowtimeIndex];
      if (typeof ts === 'number') {
        let m = (ts - this.tumbleOffset) % size;
        if (m < 0) m += size;
        const start = ts - m;
        if (!this.addToWindow(kind, row, start, start + size, this.keyOf(row), null)) {
          handleLate(ctx, this.opts.lateOutput, kind, row);
        }
        return;
      }
    }
    const w = this.opts.window;
    if (w.kind === 'columns') {
      const scratch = this.windowScratch;
      scratch.length = 0;
      scratch.push(row[w.startIndex] as number, row[w.endIndex] as number);
      this.addToWindows(kind, row, 1);
    } else {
      let ts = row[this.opts.rowtimeIndex];
      if (this.proctime) {
        ts = ctx.now();
        this.advance((ts as number) - 1);
      }
      if (ts === null) {
        ctx.count('numNullRowtimeRecordsDropped');
        return;
      }
      if (w.kind === 'session') this.processSession(kind, row, ts as number);
      else this.processAligned(kind, row, ts as number, w);
    }
    if (this.earlyDelay > 0) this.maybeEarlyFire(ctx.now());
    if (this.lateDelay > 0) this.maybeLateFire(ctx.now());
  }

  private processAligned(kind: RowKind, row: Row, ts: number, w: AlignedWindowSpec): void {
    const scratch = this.windowScratch;
    scratch.length = 0;
    const n = assignWindows(w, ts, scratch);
    this.addToWindows(kind, row, n);
  }

  /**
   * Adds the change to the `n` windows in `windowScratch` (flat start/end pairs), for every grouping
   * set; the row is late when no window took it. Entries are keyed by the group key alone (no
   * string per row for a single-column key): the bucket already identifies the window.
   */
  private addToWindows(kind: RowKind, row: Row, n: number): void {
    const scratch = this.windowScratch;
    let added = n === 0;
    const sets = this.groupingSets;
    if (sets === null) {
      // Buckets are per window (end and start), so the group key alone identifies an entry.
      const key = this.keyOf(row);
      for (let i = 0; i < n; i++) {
        const start = scratch[2 * i] as number;
        if (this.addToWindow(kind, row, start, scratch[2 * i + 1] as number, key, null)) added = true;
      }
    } else {
      for (const set of sets) {
        const keyRow = this.groupValues(row);
        for (let j = 0; j < keyRow.length; j++) if (!set.keep[j]) keyRow[j] = null;
        keyRow.push(set.id);
        const k = encodeKey(keyRow);
        for (let i = 0; i < n; i++) {
          const start = scratch[2 * i] as number;
          if (this.addToWindow(kind, row, start, scratch[2 * i + 1] as number, k, keyRow)) added = true;
        }
      }
    }
    if (!added) handleLate(this.ctx as OperatorContext, this.opts.lateOutput, kind, row);
  }

  private groupValues(row: Row): Row {
    const keys = this.opts.groupKeys;
    const v: Row = [];
    for (let i = 0; i < keys.length; i++) v.push(row[keys[i] as number]);
    return v;
  }

  /** Adds the change to one window; false when the window is past its lateness (the row is late there). */
  private addToWindow(
    kind: RowKind,
    row: Row,
    start: number,
    end: number,
    key: StateKey,
    keyRow: Row | null,
  ): boolean {
    if (end - 1 + this.lateness <= this.wm) return false;
    let bucket = this.lastBucket;
    if (bucket === null || bucket.end !== end || bucket.start !== start) bucket = this.bucketFor(end, start);
    // The hot path is kept small (so it inlines): new entries, retractions and updates go elsewhere.
    const e = bucket.entries.get(key);
    if (e !== undefined && kind === RowKind.INSERT && !this.updating) {
      bucket.entries.mutating(e); // copy-on-write for a checkpoint in progress
      this.aggs.accumulate(e.accs, row);
      e.count++;
      return true;
    }
    this.changeEntry(kind, row, start, end, key, keyRow, bucket, e);
    return true;
  }

  /** The bucket of window [start, end), created (and its end's timer set) when absent. */
  private bucketFor(end: number, start: number): Bucket {
    const head = this.buckets.get(end);
    let bucket: Bucket | null = head ?? null;
    while (bucket !== null && bucket.start !== start) bucket = bucket.next;
    if (bucket === null) {
      // A window sharing a fired window's end was complete as soon as it came.
      bucket = { end, start, entries: newEntries(), fired: head?.fired ?? false, next: null };
      if (head === undefined) {
        this.buckets.set(end, bucket);
        this.bucketTimers.push(end - 1, end);
      } else {
        bucket.next = head.next;
        head.next = bucket;
      }
    }
    this.lastBucket = bucket;
    return bucket;
  }

  private changeEntry(
    kind: RowKind,
    row: Row,
    start: number,
    end: number,
    key: StateKey,
    keyRow: Row | null,
    bucket: Bucket,
    found: WindowEntry | undefined,
  ): void {
    let e = found;
    if (e !== undefined) bucket.entries.mutating(e);
    if (isAccumulate(kind)) {
      if (e === undefined) {
        e = newEntry(keyRow ?? this.groupValues(row), start, end, this.aggs.create(), false);
        bucket.entries.set(key, e);
      }
      this.aggs.accumulate(e.accs, row);
      e.count++;
    } else {
      // Retracting a row the window never saw (e.g. it was late) changes nothing.
      if (e === undefined) return;
      this.aggs.retract(e.accs, row);
      e.count--;
    }
    this.touched(e, bucket.fired);
  }

  /** Records a change: late updates go out at once or by late firing; early firing batches the rest. */
  private touched(e: WindowEntry, fired: boolean): void {
    if (!this.emitter.updating) return;
    e.dirty = true;
    if (fired) {
      if (this.lateDelay > 0) this.lateDirty.add(e);
      else this.emitter.emit(e);
    } else if (this.earlyDelay > 0) this.dirty.add(e);
  }

  private processSession(kind: RowKind, row: Row, ts: number): void {
    const sessions = this.sessions as SessionWindows;
    if (!isAccumulate(kind)) {
      throw new RivuletError(
        'runtime',
        'WINDOW_SESSION_RETRACT',
        'session windows accept only inserts: the input of this session window aggregation is an update stream',
      );
    }
    const key = this.keyOf(row);
    if (sessions.mergedEnd(key, ts) - 1 + this.lateness <= this.wm) {
      handleLate(this.ctx as OperatorContext, this.opts.lateOutput, kind, row);
      return;
    }
    // add() tells the sessions map of the key's changes: they cover the withdrawals and emission below.
    const added = sessions.add(key, this.groupValues(row), ts, row);
    const e = added.entry;
    for (const gone of added.absorbed) {
      this.emitter.withdraw(gone);
      this.dirty.delete(gone);
      this.lateDirty.delete(gone);
    }
    if (added.reshaped) {
      // A reshaped session is a new window: it fires by its own timer, or now if already past it.
      e.fired = e.end - 1 <= this.wm;
      if (e.fired) this.fireSession(key, e);
      else if (this.earlyDelay > 0) this.dirty.add(e);
    } else {
      this.touched(e, e.fired);
    }
  }

  processWatermark(ts: number, _input: number): void {
    if (this.proctime) {
      if (ts <= this.forwarded) return;
      this.forwarded = ts;
      if (ts === Number.POSITIVE_INFINITY) this.advance(ts);
      this.out?.watermark(ts);
      return;
    }
    if (ts <= this.wm) return;
    this.advance(ts);
    this.out?.watermark(ts);
  }

  /** Moves the operator's time (the watermark, or processing time - 1) to `wm`, firing what it completes. */
  private advance(wm: number): void {
    if (wm <= this.wm) return;
    this.wm = wm;
    if (this.earlyDelay > 0 && this.ctx) this.maybeEarlyFire(this.ctx.now());
    this.fireBuckets(wm);
    if (this.sessions) this.fireSessions(wm);
  }

  private fireBuckets(wm: number): void {
    const timers = this.bucketTimers;
    while (timers.size > 0 && timers.peekTime() <= wm) {
      const end = timers.pop();
      const head = this.buckets.get(end);
      if (head === undefined) continue;
      for (let bucket: Bucket | null = head; bucket !== null; bucket = bucket.next)
        this.fireBucket(bucket, wm);
      if (head.fired && end - 1 + this.lateness <= wm) {
        this.buckets.delete(end);
        this.lastBucket = null;
      }
    }
  }

  /** Fires one window's bucket once the watermark passes its end; flushes it before it is freed. */
  private fireBucket(bucket: Bucket, wm: number): void {
    const end = bucket.end;
    if (!bucket.fired && end - 1 <= wm) {
      bucket.fired = true;
      for (const [, e] of bucket.entries.entries()) {
        bucket.entries.mutating(e);
        e.fired = true;
        this.emitter.emit(e);
        this.dirty.delete(e);
      }
      if (this.lateness > 0 && bucket === this.buckets.get(end))
        this.bucketTimers.push(end - 1 + this.lateness, end);
    }
    // Pending late updates go out before the window is forgotten.
    if (bucket.fired && end - 1 + this.lateness <= wm && this.lateDelay > 0)
      for (const [, e] of bucket.entries.entries()) {
        if (!this.lateDirty.has(e)) continue;
        bucket.entries.mutating(e);
        this.flushLate(e);
      }
  }

  private fireSessions(wm: number): void {
    const sessions = this.sessions as SessionWindows;
    const timers = sessions.timers;
    while (timers.size > 0 && timers.peekTime() <= wm) {
      const [key, end] = timers.pop();
      const e = sessions.find(key, end);
      if (e === undefined) continue;
      sessions.mutating(key);
      if (!e.fired && end - 1 <= wm) this.fireSession(key, e);
      if (e.fired && end - 1 + this.lateness <= wm) {
        this.flushLate(e);
        sessions.remove(key, e);
      }
    }
  }

  /** Emits an entry's pending late update now (its window is about to be freed). */
  private flushLate(e: WindowEntry): void {
    if (this.lateDirty.delete(e)) this.emitter.emit(e);
  }

  private fireSession(key: StateKey, e: WindowEntry): void {
    const sessions = this.sessions as SessionWindows;
    e.fired = true;
    this.emitter.emit(e);
    this.dirty.delete(e);
    this.lateDirty.delete(e);
    if (this.lateness > 0) sessions.timers.push(e.end - 1 + this.lateness, [key, e.end]);
    else sessions.remove(key, e);
  }

  private maybeEarlyFire(now: number): void {
    if (now < this.nextEarlyFire) return;
    this.nextEarlyFire = now + this.earlyDelay;
    for (const e of this.dirty) {
      this.mutatingEntry(e);
      this.emitter.emit(e);
    }
    this.dirty.clear();
  }

  private maybeLateFire(now: number): void {
    if (now < this.nextLateFire) return;
    this.nextLateFire = now + this.lateDelay;
    for (const e of this.lateDirty) {
      this.mutatingEntry(e);
      this.emitter.emit(e);
    }
    this.lateDirty.clear();
  }

  onProcessingTime(now: number): void {
    if (this.earlyDelay > 0) this.maybeEarlyFire(now);
    if (this.lateDelay > 0) this.maybeLateFire(now);
    if (this.proctime) this.advance(now - 1);
  }

  endInput(_input: number): void {
    this.out?.end();
  }

  snapshot(): unknown {
    // Copy-on-write: the entries of each bucket and the sessions are written out while processing
    // goes on (operators/state.ts). Buckets go in a plain object keyed by position (a snapshot holds
    // DeferredEntries only as property values of plain objects), which keeps their order.
    const buckets: Record<number, unknown> = {};
    this.allBuckets().forEach((b, i) => {
      buckets[i] = { end: b.end, start: b.start, fired: b.fired, entries: b.entries.snapshotDeferred() };
    });
    return {
      wm: this.wm,
      forwarded: this.forwarded,
      nextEarlyFire: this.nextEarlyFire,
      nextLateFire: this.nextLateFire,
      buckets,
      bucketTimers: structuredClone(this.bucketTimers.snapshot()),
      sessions: this.sessions?.snapshot() ?? null,
      // Entries awaiting early firing, in the order they will be emitted.
      dirty: [...this.dirty].map((e) => [e.end, e.start, this.stateKeyOf(e)]),
      lateDirty: [...this.lateDirty].map((e) => [e.end, e.start, this.stateKeyOf(e)]),
    };
  }

  restore(state: unknown): void {
    const s = structuredClone(state) as {
      wm: number;
      forwarded: number;
      nextEarlyFire: number;
      nextLateFire?: number;
      /** By position (an array in snapshots taken before copy-on-write). */
      buckets: Record<
        number,
        { end: number; start: number; fired: boolean; entries: [StateKey, WindowEntry][] }
      >;
      bucketTimers: [number, number][];
      sessions: unknown;
      dirty: [number, number, StateKey][];
      lateDirty?: [number, number, StateKey][];
    };
    this.wm = s.wm;
    this.forwarded = s.forwarded;
    this.nextEarlyFire = s.nextEarlyFire;
    this.nextLateFire = s.nextLateFire ?? Number.NEGATIVE_INFINITY;
    this.buckets.clear();
    this.lateDirty.clear();
    this.lastBucket = null;
    this.dirty.clear();
    // Entries of a bucket come back in the order they were created (a bucket only ever gains keys, so
    // its snapshot has no displaced keys to append): windows fire them in the same order as before.
    for (const b of Object.values(s.buckets)) {
      const entries = newEntries();
      entries.restore(b.entries);
      const bucket: Bucket = { end: b.end, start: b.start, fired: b.fired, entries, next: null };
      const head = this.buckets.get(b.end);
      if (head === undefined) this.buckets.set(b.end, bucket);
      else {
        bucket.next = head.next;
        head.next = bucket;
      }
    }
    this.bucketTimers.restore(s.bucketTimers);
    this.lastBucket = null;
    if (this.sessions && s.sessions) this.sessions.restore(s.sessions);
    const find = (end: number, start: number, key: StateKey): WindowEntry | undefined => {
      if (this.sessions) return this.sessions.find(key, end);
      let b = this.buckets.get(end) ?? null;
      while (b !== null && b.start !== start) b = b.next;
      return b?.entries.get(key);
    };
    for (const [end, start, key] of s.dirty) {
      const e = find(end, start, key);
      if (e) this.dirty.add(e);
    }
    for (const [end, start, key] of s.lateDirty ?? []) {
      const e = find(end, start, key);
      if (e) this.lateDirty.add(e);
    }
  }

  /** Tells the map holding entry `e` that it is about to change in place (copy-on-write). */
  private mutatingEntry(e: WindowEntry): void {
    if (this.sessions) {
      this.sessions.mutating(this.stateKeyOf(e));
      return;
    }
    let b = this.buckets.get(e.end) ?? null;
    while (b !== null && b.start !== e.start) b = b.next;
    b?.entries.mutating(e);
  }

  /** Every bucket, chains included. */
  private allBuckets(): Bucket[] {
    const out: Bucket[] = [];
    for (const head of this.buckets.values())
      for (let b: Bucket | null = head; b !== null; b = b.next) out.push(b);
    return out;
  }

  /** The key an entry is stored under (in its bucket, or its session list). */
  private stateKeyOf(e: WindowEntry): StateKey {
    if (this.groupingSets) return encodeKey(e.key);
    return this.keyOf(this.keyRowAsInput(e.key));
  }

  /** Rebuilds an input-shaped row holding only the group key columns, for the key selector. */
  private keyRowAsInput(key: Row): Row {
    const row: Row = [];
    this.opts.groupKeys.forEach((c, i) => {
      row[c] = key[i];
    });
    return row;
  }

  stateSize(): number {
    let n = this.bucketTimers.size;
    for (const b of this.allBuckets()) n += b.entries.size;
    return n + (this.sessions?.size() ?? 0);
  }

  close(): void {
    this.buckets.clear();
    this.lastBucket = null;
    this.dirty.clear();
    this.lateDirty.clear();
  }
}

/** The entries of one window, by group key. */
function newEntries(): MapState<WindowEntry> {
  return new MapState<WindowEntry>('entries', cloneEntry);
}

function compileGroupingSets(o: WindowAggregateOptions): GroupingSet[] {
  if (o.window.kind === 'session') {
    throw new RivuletError(
      'plan',
      'WINDOW_SESSION_GROUPING_SETS',
      'GROUPING SETS are not supported with SESSION windows (group by the session keys instead)',
    );
  }
  const n = o.groupKeys.length;
  return (o.groupingSets ?? []).map((set) => {
    for (const c of set) {
      if (!o.groupKeys.includes(c)) {
        throw new RivuletError(
          'plan',
          'WINDOW_GROUPING_SET_KEY',
          `grouping set column ${c} is not one of the group keys [${o.groupKeys.join(', ')}]`,
        );
      }
    }
    const keep = o.groupKeys.map((c) => set.includes(c));
    let id = 0;
    keep.forEach((k, i) => {
      if (!k) id |= 1 << (n - 1 - i);
    });
    return { keep, id };
  });
}
