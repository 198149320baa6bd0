/**
 * WatermarkAssigner: derives the watermark of a stream from its rows (`WATERMARK FOR ts AS expr`).
 *
 * 1. Each row is forwarded unchanged; the watermark `watermarkOf(row)` of an inserted row (+I/+U,
 *    rowtime not NULL) raises the maximum watermark of the split it came from (a Kafka partition, a
 *    file...; one default split otherwise).
 * 2. A split that has sent no row for `idleTimeoutMs` of processing time is idle and left out, so a
 *    quiet partition does not hold the whole stream back; it rejoins with its next row.
 * 3. The stream's watermark is the minimum over active splits; it is emitted only when it advances
 *    (never backwards) and, with `emitIntervalMs`, at most once per interval of processing time (the
 *    pending advance goes out at the next row, timer or the end).
 * 4. An upstream +Infinity watermark or the end of input emits the final +Infinity watermark.
 */
import {
  type Collector,
  isAccumulate,
  type Operator,
  type OperatorContext,
  type Row,
  type RowKind,
} from '../api.ts';
import { notOpened, type ProcessingTimeAware, requireNonNegative } from './support.ts';

export interface WatermarkAssignerOptions {
  /** The rowtime column (rows whose rowtime is NULL do not move the watermark). */
  readonly rowtimeIndex: number;
  /** The watermark a row implies, e.g. `(row) => row[1] - 5000`. */
  readonly watermarkOf: (row: Row) => number;
  /** Processing time after which a silent split stops holding the watermark back (0 or absent: never). */
  readonly idleTimeoutMs?: number;
  /** Emit at most one watermark per this many ms of processing time (0 or absent: on every advance). */
  readonly emitIntervalMs?: number;
}

interface SplitState {
  wm: number;
  lastSeen: number;
}

const DEFAULT_SPLIT = '';

/**
 * @example
 * // WATERMARK FOR ts AS ts - INTERVAL '5' SECOND, with ts in column 1
 * new WatermarkAssigner({ rowtimeIndex: 1, watermarkOf: (row) => (row[1] as number) - 5000, idleTimeoutMs: 30_000 });
 */
export class WatermarkAssigner implements Operator, ProcessingTimeAware {
  readonly name = 'WatermarkAssigner';
  private readonly opts: WatermarkAssignerOptions;
  private ctx: OperatorContext | null = null;
  private out: Collector | null = null;
  private readonly splits = new Map<string, SplitState>();
  /** The split of the previous row: most streams have one split, so this skips the Map lookup. */
  private lastSplit: SplitState | null = null;
  private lastSplitId = '';
  /**
   * The split whose watermark was the minimum at the last computation, or null when unknown. Without
   * idleness only that split can raise the minimum, so advances of other splits skip the O(splits)
   * scan (many Kafka partitions, one row at a time).
   */
  private minHolder: SplitState | null = null;
  private emitted = Number.NEGATIVE_INFINITY;
  private lastEmitTime = Number.NEGATIVE_INFINITY;
  private ended = false;

  constructor(options: WatermarkAssignerOptions) {
    requireNonNegative('idleTimeoutMs', options.idleTimeoutMs);
    requireNonNegative('emitIntervalMs', options.emitIntervalMs);
    this.opts = options;
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  /** The last watermark emitted. */
  get currentWatermark(): number {
    return this.emitted;
  }

  /** Declares a split before its first row: until then (or until it is idle) it holds the watermark at -Infinity. */
  addSplit(split: string): void {
    if (!this.splits.has(split)) {
      this.splits.set(split, { wm: Number.NEGATIVE_INFINITY, lastSeen: this.now() });
      this.minHolder = null;
    }
  }

  /** A split that has finished (e.g. a bounded partition) no longer holds the watermark back. */
  finishSplit(split: string): void {
    if (this.splits.delete(split)) {
      this.minHolder = null;
      if (this.lastSplitId === split) this.lastSplit = null;
      this.maybeEmit(this.now());
    }
  }

  process(kind: RowKind, row: Row, _input: number): void {
    this.processFromSplit(kind, row, DEFAULT_SPLIT);
  }

  /** Processes a row read from the named split. */
  processFromSplit(kind: RowKind, row: Row, split: string): void {
    const out = this.out;
    if (!out) throw notOpened(this.name);
    out.push(kind, row);
    // Only rows that add data move event time; a retraction repeats an old row's time.
    if (!isAccumulate(kind) || row[this.opts.rowtimeIndex] === null) return;
    const wm = this.opts.watermarkOf(row);
    let s = this.lastSplit;
    if (s === null || this.lastSplitId !== split) {
      s = this.splits.get(split) ?? null;
      if (s === null) {
        s = { wm: Number.NEGATIVE_INFINITY, lastSeen: 0 };
        this.minHolder = null;
        this.splits.set(split, s);
      }
      this.lastSplit = s;
      this.lastSplitId = split;
    }
    const idleTimeout = this.opts.idleTimeoutMs ?? 0;
    const interval = this.opts.emitIntervalMs ?? 0;
    // Reading the clock costs little, but only idleness and emit intervals need it.
    const now = idleTimeout > 0 || interval > 0 ? this.now() : 0;
    s.lastSeen = now;
    if (wm > s.wm) {
      s.wm = wm;
      const holder = this.minHolder;
      if (wm > this.emitted && (idleTimeout > 0 || holder === null || holder === s)) this.maybeEmit(now);
    }
  }

  processWatermark(ts: number, _input: number): void {
    // Only the end of upstream input matters: this operator defines the stream's event time.
    if (ts === Number.POSITIVE_INFINITY) this.emitFinal();
  }

  endInput(_input: number): void {
    this.emitFinal();
    this.out?.end();
  }

  onProcessingTime(now: number): void {
    this.maybeEmit(now, true);
  }

  private emitFinal(): void {
    if (this.ended) return;
    this.ended = true;
    this.emitted = Number.POSITIVE_INFINITY;
    this.out?.watermark(Number.POSITIVE_INFINITY);
  }

  private now(): number {
    if (!this.ctx) throw notOpened(this.name);
    return this.ctx.now();
  }

  /** Computes the min over active splits and emits it if it advanced (and the interval allows). */
  private maybeEmit(now: number, timer = false): void {
    if (this.ended) return;
    const interval = this.opts.emitIntervalMs ?? 0;
    if (interval > 0 && now - this.lastEmitTime < interval) {
      // Not computed now, so the next advance of any split must look again.
      this.minHolder = null;
      return;
    }
    const idleTimeout = this.opts.idleTimeoutMs ?? 0;
    let min = Number.POSITIVE_INFINITY;
    let active = 0;
    let holder: SplitState | null = null;
    if (this.splits.size === 1 && !timer) {
      // The common single-split case; a split that just sent a row is active by definition.
      for (const s of this.splits.values()) {
        min = s.wm;
        active = 1;
        holder = s;
      }
    } else {
      for (const s of this.splits.values()) {
        if (idleTimeout > 0 && now - s.lastSeen >= idleTimeout) continue;
        active++;
        if (s.wm < min) {
          min = s.wm;
          holder = s;
        }
      }
    }
    this.minHolder = holder;
    // All splits idle: the stream is idle and its watermark stays where it is.
    if (active === 0 || min <= this.emitted) return;
    this.emitted = min;
    this.lastEmitTime = now;
    this.out?.watermark(min);
  }

  snapshot(): unknown {
    return {
      splits: [...this.splits.entries()].map(([id, s]) => [id, s.wm]),
      emitted: this.emitted,
    };
  }

  restore(state: unknown): void {
    const s = state as { splits: [string, number][]; emitted: number };
    this.splits.clear();
    this.lastSplit = null;
    this.minHolder = null;
    // Restored splits count as just seen: idleness restarts from the moment of recovery.
    const now = this.ctx ? this.ctx.now() : 0;
    for (const [id, wm] of s.splits) this.splits.set(id, { wm, lastSeen: now });
    this.emitted = s.emitted;
  }

  stateSize(): number {
    return this.splits.size;
  }

  close(): void {
    this.splits.clear();
    this.lastSplit = null;
    this.minHolder = null;
  }
}
