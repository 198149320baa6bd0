/**
 * IntervalJoin: `l JOIN r ON l.k = r.k AND l.ts BETWEEN r.ts + lowerBound AND r.ts + upperBound`
 * (INNER, LEFT, RIGHT, FULL), with an optional residual predicate. Append-only output.
 * (`a.ts BETWEEN b.ts - INTERVAL '1' HOUR AND b.ts` is lowerBound = -3600000, upperBound = 0.)
 *
 * 1. A row with rowtime <= the combined watermark (the minimum of both inputs) is late: counted, or
 *    sent to `lateOutputs[input]`.
 * 2. Otherwise it is matched at once against the buffered rows of the other side with the same key
 *    whose time fits the interval (and the residual): each match is emitted, both rows marked matched.
 * 3. It is then buffered while a future row of the other side could still match it. Future rows have
 *    rowtime > watermark, so a left row is useless once `l.ts - lowerBound <= wm`, a right row once
 *    `r.ts + upperBound <= wm`; a timer at that time removes it, and outer joins then emit it padded
 *    with NULLs if it never matched. A row already useless on arrival is not buffered.
 * 4. A row with a NULL key never matches: outer joins emit it padded at once, inner joins drop it.
 * 5. Output rows carry both rowtimes, and a buffered row can be emitted after the watermark passed its
 *    time (matched by a later arrival, or padded on expiry). So the forwarded watermark is held back by
 *    `max(0, upperBound, -lowerBound)`, as Flink does: no output row is then behind a watermark already
 *    sent downstream (arrivals are > wm, their partners > wm - that bound; padded rows likewise).
 * Snapshots are copy-on-write for the buffered rows (a MapState per key, written out while processing
 * goes on, operators/state.ts): a key's state is `mutating` before it changes. The timers (one per
 * buffered row: a time and a key) are copied at once.
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
import { keySelector, MapState, type StateKey } from '../state.ts';
import { hasNullKey, padLeftRow, padRightRow, padsLeft, padsRight } from './join-types.ts';
import { handleLate, InputWatermarks, notOpened } from './support.ts';
import { TimerHeap } from './timer-heap.ts';

export type IntervalJoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';

export interface IntervalJoinOptions {
  readonly joinType: IntervalJoinType;
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly leftTimeIndex: number;
  readonly rightTimeIndex: number;
  /** The left rowtime must be >= right rowtime + lowerBound (ms, may be negative). */
  readonly lowerBound: number;
  /** The left rowtime must be <= right rowtime + upperBound (ms). */
  readonly upperBound: number;
  readonly residual?: (left: Row, right: Row) => boolean;
  readonly leftArity: number;
  readonly rightArity: number;
  /** Where late rows of each input (index 0: left, 1: right) go instead of being dropped and counted. */
  readonly lateOutputs?: readonly (Collector | undefined)[];
}

interface Buffered {
  row: Row;
  ts: number;
  matched: boolean;
}

interface KeyState {
  left: Buffered[];
  right: Buffered[];
}

/** A key's state as it is, for copy-on-write: the entries (whose `matched` changes) are copied, rows shared. */
function cloneKeyState(s: KeyState): KeyState {
  return { left: s.left.map((b) => ({ ...b })), right: s.right.map((b) => ({ ...b })) };
}

/**
 * @example
 * // o JOIN s ON o.id = s.order_id AND o.ts BETWEEN s.ts - INTERVAL '4' HOUR AND s.ts
 * // left rows [id, ts, ...3 columns], right rows [order_id, ts, ...2 columns]
 * new IntervalJoin({
 *   joinType: 'INNER', leftKeys: [0], rightKeys: [0], leftTimeIndex: 1, rightTimeIndex: 1,
 *   lowerBound: -4 * 3_600_000, upperBound: 0, leftArity: 5, rightArity: 4,
 * });
 */
export class IntervalJoin implements Operator {
  readonly name = 'IntervalJoin';
  private readonly opts: IntervalJoinOptions;
  private readonly leftKey: (row: Row) => StateKey;
  private readonly rightKey: (row: Row) => StateKey;
  private state = new MapState<KeyState>('state', cloneKeyState);
  /** (expiry time, [key, side]): side 0 = left rows, 1 = right rows. */
  private readonly timers = new TimerHeap<[StateKey, number]>();
  private readonly watermarks = new InputWatermarks(2);
  private readonly ended = [false, false];
  private buffered = 0;
  /** How far the output watermark lags the input watermark (step 5). */
  private readonly watermarkDelay: number;
  private ctx: OperatorContext | null = null;
  private out: Collector | null = null;

  constructor(options: IntervalJoinOptions) {
    if (options.leftKeys.length !== options.rightKeys.length) {
      throw new RivuletError(
        'plan',
        'JOIN_KEY_MISMATCH',
        'an interval join needs as many left keys as right keys',
      );
    }
    if (!(options.lowerBound <= options.upperBound)) {
      throw new RivuletError(
        'plan',
        'INTERVAL_JOIN_EMPTY_INTERVAL',
        `an interval join's lower bound (${options.lowerBound} ms) must not exceed its upper bound (${options.upperBound} ms)`,
      );
    }
    this.opts = options;
    this.watermarkDelay = Math.max(0, options.upperBound, -options.lowerBound);
    // Composite keys encode the same way on both sides, so equal values meet under one state key.
    this.leftKey = keySelector(options.leftKeys);
    this.rightKey = keySelector(options.rightKeys);
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, input: number): void {
    const ctx = this.ctx;
    const out = this.out;
    if (!ctx || !out) throw notOpened(this.name);
    if (!isAccumulate(kind)) {
      throw new RivuletError(
        'runtime',
        'INTERVAL_JOIN_RETRACT',
        'an interval join accepts only inserts: an input is an update stream',
      );
    }
    const o = this.opts;
    const isLeft = input === 0;
    const ts = row[isLeft ? o.leftTimeIndex : o.rightTimeIndex];
    if (ts === null) {
      ctx.count('numNullRowtimeRecordsDropped');
      return;
    }
    const wm = this.watermarks.current;
    if ((ts as number) <= wm) {
      handleLate(ctx, o.lateOutputs?.[input], kind, row);
      return;
    }
    const t = ts as number;
    const pads = isLeft ? padsLeft(o.joinType) : padsRight(o.joinType);
    if (hasNullKey(row, isLeft ? o.leftKeys : o.rightKeys)) {
      if (pads) out.push(RowKind.INSERT, this.pad(row, isLeft));
      return;
    }
    const key = isLeft ? this.leftKey(row) : this.rightKey(row);
    let s = this.state.get(key);
    const me: Buffered = { row, ts: t, matched: false };
    if (s) {
      this.state.mutating(s); // copy-on-write: matches are marked, the row may be buffered
      for (const other of isLeft ? s.right : s.left) {
        const lt = isLeft ? t : other.ts;
        const rt = isLeft ? other.ts : t;
        if (lt < rt + o.lowerBound || lt > rt + o.upperBound) continue;
        const l = isLeft ? row : other.row;
        const r = isLeft ? other.row : row;
        if (o.residual && !o.residual(l, r)) continue;
        me.matched = true;
        other.matched = true;
        out.push(RowKind.INSERT, [...l, ...r]);
      }
    }
    const expiry = this.expiry(t, isLeft);
    if (expiry <= wm) {
      if (!me.matched && pads) out.push(RowKind.INSERT, this.pad(row, isLeft));
      return;
    }
    if (!s) {
      s = { left: [], right: [] };
      this.state.set(key, s);
    }
    (isLeft ? s.left : s.right).push(me);
    this.buffered++;
    this.timers.push(expiry, [key, isLeft ? 0 : 1]);
  }

  /** The watermark at which a row of this side can no longer match a future row. */
  private expiry(ts: number, isLeft: boolean): number {
    return isLeft ? ts - this.opts.lowerBound : ts + this.opts.upperBound;
  }

  private pad(row: Row, isLeft: boolean): Row {
    return isLeft ? padLeftRow(row, this.opts.rightArity) : padRightRow(row, this.opts.leftArity);
  }

  processWatermark(ts: number, input: number): void {
    const wm = this.watermarks.advance(ts, input);
    if (wm === null) return;
    const out = this.out as Collector;
    const o = this.opts;
    const timers = this.timers;
    while (timers.size > 0 && timers.peekTime() <= wm) {
      const [key, side] = timers.pop();
      const s = this.state.get(key);
      if (!s) continue;
      this.state.mutating(s);
      const isLeft = side === 0;
      const pads = isLeft ? padsLeft(o.joinType) : padsRight(o.joinType);
      const keep: Buffered[] = [];
      for (const b of isLeft ? s.left : s.right) {
        if (this.expiry(b.ts, isLeft) <= wm) {
          this.buffered--;
          if (pads && !b.matched) out.push(RowKind.INSERT, this.pad(b.row, isLeft));
        } else keep.push(b);
      }
      if (isLeft) s.left = keep;
      else s.right = keep;
      if (s.left.length === 0 && s.right.length === 0) this.state.delete(key);
    }
    out.watermark(wm - this.watermarkDelay);
  }

  endInput(input: number): void {
    this.ended[input] = true;
    if (this.ended[0] && this.ended[1]) this.out?.end();
  }

  snapshot(): unknown {
    // The buffered rows are written out copy-on-write; the timers are copied now.
    return {
      wm: this.watermarks.snapshot(),
      state: this.state.snapshotDeferred(),
      timers: structuredClone(this.timers.snapshot()),
      ended: [...this.ended],
    };
  }

  restore(state: unknown): void {
    const s = structuredClone(state) as {
      wm: number[];
      state: [StateKey, KeyState][];
      timers: [number, [StateKey, number]][];
      ended: boolean[];
    };
    this.watermarks.restore(s.wm);
    // Key order does not matter: keys are looked up, and timers decide what expires when.
    this.state = new MapState<KeyState>('state', cloneKeyState);
    this.state.restore(s.state);
    this.buffered = 0;
    for (const [, v] of s.state) this.buffered += v.left.length + v.right.length;
    this.timers.restore(s.timers);
    this.ended[0] = s.ended[0] as boolean;
    this.ended[1] = s.ended[1] as boolean;
  }

  /** Buffered rows + pending timers. */
  stateSize(): number {
    return this.buffered + this.timers.size;
  }

  close(): void {
    this.state = new MapState<KeyState>('state', cloneKeyState);
  }
}
