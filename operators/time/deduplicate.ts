/**
 * Deduplicate on an unbounded stream: `ROW_NUMBER() OVER (PARTITION BY keys ORDER BY <time> ASC|DESC)
 * = 1`.
 *
 * - Keep first by processing time: the first row of a key is emitted (+I), later ones dropped; the
 *   state per key is a "seen" flag. Append-only.
 * - Keep first by event time: the row of smallest rowtime wins, which is only certain once the
 *   watermark passes it. So the candidate with the smallest rowtime (ties: first arrival) is held
 *   with a timer at its rowtime and emitted (+I) when the watermark reaches it; afterwards only the
 *   "seen" flag remains and every later row of the key is a duplicate. Rows at or behind the
 *   watermark for a key not yet emitted are late (counted, or sent to `lateOutput`). Append-only.
 * - Keep last (processing time, or event time where a row replaces the current one only if its
 *   rowtime is >= the current one's): the first row is +I, each replacement `-U old, +U new`.
 * With `stateTtlMs`, a key not written for that long (processing time) is forgotten, as Flink's
 * state TTL; a later row of it then counts as new.
 * Snapshots are copy-on-write for the per-key state (ttl-map.ts); the pending event-time timers are
 * copied (one per candidate awaiting the watermark).
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
import { keySelector, type StateKey } from '../state.ts';
import { handleLate, notOpened, type ProcessingTimeAware, requireNonNegative } from './support.ts';
import { TimerHeap } from './timer-heap.ts';
import { TtlMap, type TtlMapEntry } from './ttl-map.ts';

export interface DeduplicateOptions {
  readonly keys: readonly number[];
  /** ORDER BY ... DESC: keep the last row (update output); otherwise the first (append-only). */
  readonly keepLast: boolean;
  readonly orderBy: 'rowtime' | 'proctime';
  /** The rowtime column (event-time ordering only). */
  readonly rowtimeIndex?: number;
  readonly stateTtlMs?: number;
  readonly lateOutput?: Collector;
}

/** Per key: the row held (a candidate, or the last row), or null once a first row has been emitted. */
interface KeyState {
  row: Row | null;
  emitted: boolean;
}

export class Deduplicate implements Operator, ProcessingTimeAware {
  readonly name = 'Deduplicate';
  private readonly opts: DeduplicateOptions;
  private readonly keyOf: (row: Row) => StateKey;
  private readonly state: TtlMap<KeyState>;
  private readonly timers = new TimerHeap<StateKey>();
  private ctx: OperatorContext | null = null;
  private out: Collector | null = null;
  private wm = Number.NEGATIVE_INFINITY;

  constructor(options: DeduplicateOptions) {
    requireNonNegative('stateTtlMs', options.stateTtlMs);
    if (options.orderBy === 'rowtime' && options.rowtimeIndex === undefined) {
      throw new RivuletError(
        'plan',
        'DEDUPLICATE_NO_ROWTIME',
        'deduplication ordered by event time needs its rowtime column',
      );
    }
    this.opts = options;
    this.keyOf = keySelector(options.keys);
    this.state = new TtlMap<KeyState>(options.stateTtlMs, (s) => ({ ...s }));
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    const ctx = this.ctx;
    const out = this.out;
    if (!ctx || !out) throw notOpened(this.name);
    if (!isAccumulate(kind)) {
      throw new RivuletError(
        'runtime',
        'DEDUPLICATE_RETRACT',
        'deduplication accepts only inserts: its input is an update stream',
      );
    }
    const now = ctx.now();
    this.state.expire(now);
    const o = this.opts;
    const key = this.keyOf(row);
    const s = this.state.get(key);
    if (o.orderBy === 'proctime') {
      if (!o.keepLast) {
        if (s) return;
        this.state.set(key, { row: null, emitted: true }, now);
        out.push(RowKind.INSERT, row);
        return;
      }
      this.replace(key, s, row, now);
      return;
    }
    const t = o.rowtimeIndex as number;
    const ts = row[t];
    if (ts === null) {
      ctx.count('numNullRowtimeRecordsDropped');
      return;
    }
    if (o.keepLast) {
      if (s?.row && (ts as number) < (s.row[t] as number)) return;
      this.replace(key, s, row, now);
      return;
    }
    if (s?.emitted) return;
    if ((ts as number) <= this.wm) {
      handleLate(ctx, o.lateOutput, kind, row);
      return;
    }
    if (s?.row && (ts as number) >= (s.row[t] as number)) return;
    this.state.set(key, { row, emitted: false }, now);
    this.timers.push(ts as number, key);
  }

  private replace(key: StateKey, s: KeyState | undefined, row: Row, now: number): void {
    const out = this.out as Collector;
    if (s?.row) {
      out.push(RowKind.UPDATE_BEFORE, s.row);
      out.push(RowKind.UPDATE_AFTER, row);
    } else out.push(RowKind.INSERT, row);
    this.state.set(key, { row, emitted: true }, now);
  }

  processWatermark(ts: number, _input: number): void {
    if (ts <= this.wm) return;
    this.wm = ts;
    const out = this.out as Collector;
    const t = this.opts.rowtimeIndex as number;
    while (this.timers.size > 0 && this.timers.peekTime() <= ts) {
      const key = this.timers.pop();
      const s = this.state.get(key);
      // A stale timer: the candidate was replaced by an earlier row, already emitted, or expired.
      if (!s || s.emitted || !s.row || (s.row[t] as number) > ts) continue;
      this.state.getForUpdate(key); // copy-on-write for a checkpoint in progress
      out.push(RowKind.INSERT, s.row);
      s.row = null;
      s.emitted = true;
    }
    out.watermark(ts);
  }

  onProcessingTime(now: number): void {
    this.state.expire(now);
  }

  endInput(_input: number): void {
    this.out?.end();
  }

  snapshot(): unknown {
    // The keys' state is written out while processing goes on (copy-on-write); timers hold keys only.
    return { wm: this.wm, state: this.state.snapshotDeferred(), timers: this.timers.snapshot() };
  }

  restore(state: unknown): void {
    const s = structuredClone(state) as {
      wm: number;
      state: TtlMapEntry<KeyState>[];
      timers: [number, StateKey][];
    };
    this.wm = s.wm;
    this.state.restore(s.state);
    this.timers.restore(s.timers);
  }

  /** Keys held + pending event-time timers. */
  stateSize(): number {
    return this.state.size + this.timers.size;
  }

  close(): void {}
}
