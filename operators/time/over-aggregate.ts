/**
 * OverAggregate: `agg(...) OVER (PARTITION BY keys ORDER BY <time attribute> frame)` on an unbounded
 * stream, with frame `ROWS BETWEEN n PRECEDING AND CURRENT ROW`, `RANGE BETWEEN <interval> PRECEDING
 * AND CURRENT ROW`, or UNBOUNDED PRECEDING. Emits `input row ++ aggregate values` for every row,
 * append-only.
 *
 * Event time (`orderBy: 'rowtime'`):
 * 1. A row with rowtime <= watermark is late (counted or sent to `lateOutput`); others are buffered
 *    per partition and rowtime, with a timer at that rowtime.
 * 2. When the watermark passes a timer, that partition's rows of that rowtime are final in order and
 *    are processed. RANGE: all rows of the timestamp enter the frame first (peers see each other),
 *    rows older than `ts - interval` leave it, and every row gets the same values. ROWS: rows enter
 *    one at a time in arrival order; the frame keeps the last n + 1.
 * 3. Rows leave the frame by `retract`, or, when some function cannot retract, by re-accumulating the
 *    rows still in the frame. A RANGE frame whose newest row is older than `wm - interval` can serve
 *    no future row and is freed (a cleanup timer at `newest + interval`).
 * Processing time (`orderBy: 'proctime'`): rows are processed at once in arrival order, the frame's
 * time being `ctx.now()` at arrival. A RANGE frame whose newest row is older than `now - interval`
 * serves no future row: `onProcessingTime` frees such partitions (the runtime calls it on a timer).
 *
 * Snapshots are copy-on-write (operators/state.ts): the partitions (accumulators, frame rows, rows
 * waiting for the watermark) are a MapState, written out while processing goes on, so a checkpoint no
 * longer copies every frame at the pause. Every in-place change of a partition (rows buffered, a
 * rowtime's rows drained and processed, frame rows entering or leaving, accumulators changed or
 * rebuilt) is preceded by `mutating`; only the first one after a snapshot copies the partition.
 * Copied at the pause: the timers, one (time, key) pair per partition and pending rowtime (and per
 * processed rowtime still in a bounded RANGE frame), without rows. They are kept as they are rather
 * than rebuilt from the partitions on restore, since their heap order decides the output order of
 * partitions that fire at the same time.
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
import { keySelector, MapState, type StateCodec, type StateKey } from '../state.ts';
import { type AggregateCall, AggregateCalls } from './aggregate-calls.ts';
import { handleLate, notOpened, type ProcessingTimeAware } from './support.ts';
import { TimerHeap } from './timer-heap.ts';

export interface OverFrame {
  readonly mode: 'rows' | 'range';
  /** Rows (ROWS) or milliseconds (RANGE) before the current row; 'unbounded' for UNBOUNDED PRECEDING. */
  readonly preceding: number | 'unbounded';
}

export interface OverAggregateOptions {
  readonly partitionKeys: readonly number[];
  readonly orderBy: 'rowtime' | 'proctime';
  /** The rowtime column (rowtime ordering only). */
  readonly rowtimeIndex?: number;
  readonly frame: OverFrame;
  readonly aggregates: readonly AggregateCall[];
  readonly lateOutput?: Collector;
}

interface Partition {
  accs: unknown[];
  /** Rows in the frame (bounded frames only) and their times, oldest first. */
  frame: Row[];
  frameTs: number[];
  /** Rowtime ordering: rows waiting for the watermark, by rowtime. */
  pending: [number, Row[]][];
}

/** Partitions in checkpoints: an array of the fields, not an object (fewer bytes to write). */
const PARTITION_CODEC: StateCodec<Partition> = {
  encode: (p) => [p.accs, p.frame, p.frameTs, p.pending],
  decode: (x) => {
    if (!Array.isArray(x)) return x as Partition; // an object: a snapshot taken before the codec
    const [accs, frame, frameTs, pending] = x as [unknown[], Row[], number[], [number, Row[]][]];
    return { accs, frame, frameTs, pending };
  },
};

export class OverAggregate implements Operator, ProcessingTimeAware {
  readonly name = 'OverAggregate';
  private readonly opts: OverAggregateOptions;
  private readonly aggs: AggregateCalls;
  private readonly keyOf: (row: Row) => StateKey;
  private readonly bounded: boolean;
  private readonly preceding: number;
  private readonly partitions: MapState<Partition>;
  /** (time, key): process pending rows of `key` at `time`, or free a stale RANGE frame. */
  private readonly timers = new TimerHeap<StateKey>();
  private ctx: OperatorContext | null = null;
  private out: Collector | null = null;
  private wm = Number.NEGATIVE_INFINITY;
  private pendingRows = 0;

  constructor(options: OverAggregateOptions) {
    const p = options.frame.preceding;
    if (p !== 'unbounded' && (!Number.isInteger(p) || p < 0)) {
      throw new RivuletError(
        'plan',
        'OVER_INVALID_FRAME',
        `an OVER frame's PRECEDING bound must be a non-negative integer, got ${p}`,
      );
    }
    if (options.orderBy === 'rowtime' && options.rowtimeIndex === undefined) {
      throw new RivuletError(
        'plan',
        'OVER_INVALID_FRAME',
        'an OVER window ordered by event time needs its rowtime column',
      );
    }
    this.opts = options;
    this.aggs = new AggregateCalls(options.aggregates);
    this.keyOf = keySelector(options.partitionKeys);
    this.bounded = p !== 'unbounded';
    this.preceding = p === 'unbounded' ? Number.POSITIVE_INFINITY : p;
    this.partitions = new MapState<Partition>('partitions', (x) => this.copyPartition(x), PARTITION_CODEC);
  }

  /**
   * A partition as it is now, for copy-on-write: what processing changes in place is copied (the
   * accumulators, the frame, the pending slots); rows are never changed and are shared.
   */
  private copyPartition(p: Partition): Partition {
    return {
      accs: this.aggs.copy(p.accs),
      frame: p.frame.slice(),
      frameTs: p.frameTs.slice(),
      pending: p.pending.map(([t, rows]) => [t, rows.slice()]),
    };
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  /** The partition of `key` (created if absent), which the caller is about to change in place. */
  private writablePartition(key: StateKey): Partition {
    const partitions = this.partitions;
    let p = partitions.get(key);
    if (p !== undefined) {
      partitions.mutating(p); // copy-on-write for a checkpoint in progress
      return p;
    }
    p = { accs: this.aggs.create(), frame: [], frameTs: [], pending: [] };
    partitions.set(key, p);
    return p;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    const ctx = this.ctx;
    if (!ctx) throw notOpened(this.name);
    if (!isAccumulate(kind)) {
      throw new RivuletError(
        'runtime',
        'OVER_RETRACT',
        'OVER aggregation accepts only inserts: its input is an update stream',
      );
    }
    const key = this.keyOf(row);
    if (this.opts.orderBy === 'proctime') {
      this.processGroup(this.writablePartition(key), ctx.now(), [row]);
      return;
    }
    const ts = row[this.opts.rowtimeIndex as number];
    if (ts === null) {
      ctx.count('numNullRowtimeRecordsDropped');
      return;
    }
    if ((ts as number) <= this.wm) {
      handleLate(ctx, this.opts.lateOutput, kind, row);
      return;
    }
    const p = this.writablePartition(key);
    let slot = p.pending.find((s) => s[0] === ts);
    if (!slot) {
      slot = [ts as number, []];
      p.pending.push(slot);
      this.timers.push(ts as number, key);
    }
    slot[1].push(row);
    this.pendingRows++;
  }

  processWatermark(ts: number, _input: number): void {
    if (ts <= this.wm) return;
    this.wm = ts;
    const timers = this.timers;
    while (timers.size > 0 && timers.peekTime() <= ts) {
      const time = timers.peekTime();
      const key = timers.pop();
      const p = this.partitions.get(key);
      if (!p) continue;
      const i = p.pending.findIndex((s) => s[0] === time);
      if (i >= 0) {
        this.partitions.mutating(p); // copy-on-write: its pending rows drain into the frame
        const rows = (p.pending[i] as [number, Row[]])[1];
        p.pending.splice(i, 1);
        this.pendingRows -= rows.length;
        this.processGroup(p, time, rows);
        if (this.opts.frame.mode === 'range' && this.bounded) timers.push(time + this.preceding, key);
      }
      this.maybeFree(key, p);
    }
    this.out?.watermark(ts);
  }

  /** Frees a RANGE frame no future row can reach (all future rows have rowtime > wm). */
  private maybeFree(key: StateKey, p: Partition): void {
    if (this.opts.frame.mode !== 'range' || !this.bounded) return;
    const newest =
      p.frameTs.length === 0 ? Number.NEGATIVE_INFINITY : (p.frameTs[p.frameTs.length - 1] as number);
    if (newest + this.preceding <= this.wm && p.pending.length === 0) this.partitions.delete(key);
  }

  /** Processes rows of one partition that share an order time, emitting each with its aggregates. */
  private processGroup(p: Partition, time: number, rows: Row[]): void {
    const out = this.out as Collector;
    const aggs = this.aggs;
    if (this.opts.frame.mode === 'range') {
      for (const r of rows) this.enter(p, r, time);
      if (this.bounded) this.evict(p, (t) => t < time - this.preceding, 0);
      const values: Row = [];
      aggs.values(p.accs, values);
      for (const r of rows) out.push(RowKind.INSERT, [...r, ...values]);
      return;
    }
    for (const r of rows) {
      this.enter(p, r, time);
      if (this.bounded) this.evict(p, () => true, this.preceding + 1);
      const out2: Row = r.slice();
      aggs.values(p.accs, out2);
      out.push(RowKind.INSERT, out2);
    }
  }

  private enter(p: Partition, row: Row, time: number): void {
    this.aggs.accumulate(p.accs, row);
    if (this.bounded) {
      p.frame.push(row);
      p.frameTs.push(time);
    }
  }

  /** Drops the oldest frame rows while `leaves(time)` holds and more than `keep` rows remain. */
  private evict(p: Partition, leaves: (t: number) => boolean, keep: number): void {
    let n = 0;
    while (p.frame.length - n > keep && leaves(p.frameTs[n] as number)) n++;
    if (n === 0) return;
    const gone = p.frame.splice(0, n);
    p.frameTs.splice(0, n);
    if (this.aggs.canRetract) {
      for (const r of gone) this.aggs.retract(p.accs, r);
    } else {
      p.accs = this.aggs.create();
      for (const r of p.frame) this.aggs.accumulate(p.accs, r);
    }
  }

  onProcessingTime(now: number): void {
    if (this.opts.orderBy !== 'proctime' || this.opts.frame.mode !== 'range' || !this.bounded) return;
    for (const [key, p] of this.partitions.entries()) {
      const newest =
        p.frameTs.length === 0 ? Number.NEGATIVE_INFINITY : (p.frameTs[p.frameTs.length - 1] as number);
      // A future row arrives at now' >= now, and its frame starts at now' - interval > newest.
      if (newest < now - this.preceding) this.partitions.delete(key);
    }
  }

  endInput(_input: number): void {
    this.out?.end();
  }

  snapshot(): unknown {
    // The partitions are written out copy-on-write; the timers are copied now (fresh pairs of a time
    // and a primitive key).
    return { wm: this.wm, partitions: this.partitions.snapshotDeferred(), timers: this.timers.snapshot() };
  }

  /**
   * Takes a snapshot as snapshot() gives it once written out, or as older versions took it (the
   * partitions as objects, copied at once): the codec reads both.
   */
  restore(state: unknown): void {
    const s = structuredClone(state) as {
      wm: number;
      partitions: [StateKey, unknown][];
      timers: [number, StateKey][];
    };
    this.wm = s.wm;
    this.partitions.restore(s.partitions);
    this.pendingRows = 0;
    for (const [, p] of this.partitions.entries())
      for (const [, rows] of p.pending) this.pendingRows += rows.length;
    this.timers.restore(s.timers);
  }

  /** Partitions + rows in frames + rows waiting for the watermark + timers. */
  stateSize(): number {
    let n = this.partitions.size + this.pendingRows + this.timers.size;
    for (const [, p] of this.partitions.entries()) n += p.frame.length;
    return n;
  }

  close(): void {
    this.partitions.clear();
  }
}
