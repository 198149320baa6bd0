/**
 * WindowJoin: joins two windowed inputs on `window_start`, `window_end` and equi keys (INNER, LEFT,
 * RIGHT, FULL, SEMI, ANTI), as Flink's window join: all rows of a window are joined at once when the
 * watermark (the minimum of both inputs) passes `window_end - 1`; the output is append-only.
 *
 * 1. Each row is buffered under (window_end; window_start ++ equi-key values) on its side. Rows with
 *    a NULL key can never match: they are buffered under a group of their own side only, so outer
 *    joins still pad them.
 * 2. On firing, for every group, each left row is paired with each right row satisfying the
 *    residual predicate: INNER/LEFT/RIGHT/FULL emit `left ++ right`; unmatched rows are padded with
 *    NULLs on the outer side(s); SEMI emits left rows with a match, ANTI those without (left columns
 *    only). The window's state is then freed.
 * 3. A row for a window the combined watermark has already closed is late (counted, or sent to
 *    `lateOutputs[input]`). Inserts only.
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
import { encodeKey } from '../state.ts';
import { hasNullKey, type JoinType, padLeftRow, padRightRow, padsLeft, padsRight } from './join-types.ts';
import { handleLate, InputWatermarks, notOpened } from './support.ts';
import { WindowBuckets } from './window-buckets.ts';

export interface WindowJoinSide {
  readonly windowStartIndex: number;
  readonly windowEndIndex: number;
  readonly keys: readonly number[];
  /** Number of columns (for NULL padding). */
  readonly arity: number;
}

export interface WindowJoinOptions {
  readonly joinType: JoinType;
  /** Input 0. */
  readonly left: WindowJoinSide;
  /** Input 1. */
  readonly right: WindowJoinSide;
  /** Non-equi part of the join condition. */
  readonly residual?: (left: Row, right: Row) => boolean | null;
  /** Where late rows of each input (index 0: left, 1: right) go instead of being dropped and counted. */
  readonly lateOutputs?: readonly (Collector | undefined)[];
}

interface Group {
  left: Row[];
  right: Row[];
}

export class WindowJoin implements Operator {
  readonly name = 'WindowJoin';
  private readonly opts: WindowJoinOptions;
  // Rows are never changed: a copy of a group copies its two lists.
  private readonly buckets = new WindowBuckets<Group>((g) => ({
    left: g.left.slice(),
    right: g.right.slice(),
  }));
  private readonly watermarks = new InputWatermarks(2);
  private ctx: OperatorContext | null = null;
  private out: Collector | null = null;
  private readonly ended = [false, false];

  constructor(options: WindowJoinOptions) {
    const l = options.left.keys.length;
    if (l !== options.right.keys.length) {
      throw new RivuletError(
        'plan',
        'JOIN_KEY_MISMATCH',
        `a window join needs as many left keys (${l}) as right keys`,
      );
    }
    this.opts = options;
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, input: number): void {
    const ctx = this.ctx;
    if (!ctx) throw notOpened(this.name);
    if (!isAccumulate(kind)) {
      throw new RivuletError(
        'runtime',
        'WINDOW_JOIN_RETRACT',
        'a window join accepts only inserts: an input is an update stream',
      );
    }
    const side = input === 0 ? this.opts.left : this.opts.right;
    const end = row[side.windowEndIndex] as number;
    if (this.buckets.isLate(end, this.watermarks.current)) {
      handleLate(ctx, this.opts.lateOutputs?.[input], kind, row);
      return;
    }
    const start = row[side.windowStartIndex];
    // A NULL key joins nothing: a group of its own, tagged by side, that no row of the other side reaches.
    const key = hasNullKey(row, side.keys)
      ? encodeKey([start, null, input])
      : encodeKey([start, ...side.keys.map((c) => row[c])]);
    const g = this.buckets.group(end, key, () => ({ left: [], right: [] }));
    (input === 0 ? g.left : g.right).push(row);
  }

  processWatermark(ts: number, input: number): void {
    const wm = this.watermarks.advance(ts, input);
    if (wm === null) return;
    this.buckets.fire(wm, (g) => this.joinGroup(g));
    this.out?.watermark(wm);
  }

  private joinGroup(g: Group): void {
    const out = this.out as Collector;
    const { joinType, residual } = this.opts;
    const rightMatched = padsRight(joinType) ? new Array<boolean>(g.right.length).fill(false) : null;
    for (const l of g.left) {
      let matched = false;
      for (let j = 0; j < g.right.length; j++) {
        const r = g.right[j] as Row;
        if (residual && residual(l, r) !== true) continue;
        matched = true;
        if (joinType === 'SEMI') break;
        if (joinType === 'ANTI') break;
        if (rightMatched) rightMatched[j] = true;
        out.push(RowKind.INSERT, [...l, ...r]);
      }
      if (joinType === 'SEMI' && matched) out.push(RowKind.INSERT, l);
      else if (joinType === 'ANTI' && !matched) out.push(RowKind.INSERT, l);
      else if (!matched && padsLeft(joinType)) out.push(RowKind.INSERT, padLeftRow(l, this.opts.right.arity));
    }
    if (rightMatched) {
      for (let j = 0; j < g.right.length; j++) {
        if (!rightMatched[j]) out.push(RowKind.INSERT, padRightRow(g.right[j] as Row, this.opts.left.arity));
      }
    }
  }

  endInput(input: number): void {
    // The output ends when both inputs have ended.
    this.ended[input] = true;
    if (this.ended[0] && this.ended[1]) this.out?.end();
  }

  snapshot(): unknown {
    // The windows' groups are written out copy-on-write (WindowBuckets.snapshot).
    return { wm: this.watermarks.snapshot(), buckets: this.buckets.snapshot(), ended: [...this.ended] };
  }

  restore(state: unknown): void {
    const s = structuredClone(state) as { wm: number[]; buckets: unknown; ended: boolean[] };
    this.watermarks.restore(s.wm);
    this.buckets.restore(s.buckets);
    this.ended[0] = s.ended[0] as boolean;
    this.ended[1] = s.ended[1] as boolean;
  }

  stateSize(): number {
    return this.buckets.size((g) => g.left.length + g.right.length);
  }

  close(): void {}
}
