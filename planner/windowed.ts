/**
 * Operations on windowed relations (Flink's window Top-N, window deduplication and window join).
 * A relation is *windowed* when some of its columns are the `window_start` and `window_end` of a
 * window TVF (or of a window aggregation, Top-N or join over one), carried through projections and
 * filters. On such a relation:
 *
 * 1. `ROW_NUMBER() OVER (PARTITION BY window_start, window_end, ... ORDER BY ...) ... WHERE rn <= N`
 *    is a window Top-N: each window's top rows are emitted once, when the watermark passes
 *    `window_end` (append-only), and the window's state is freed.
 * 2. The same with N = 1 and ORDER BY a rowtime attribute (ASC keeps the first row, DESC the last) is
 *    a window deduplication.
 * 3. A join of two windowed relations whose condition equates both sides' `window_start` and both
 *    sides' `window_end` is a window join (INNER, LEFT, RIGHT, FULL; SEMI/ANTI from IN / EXISTS
 *    subqueries): all rows of a window are joined at once when the watermark passes its end. Both
 *    sides must use the same window (as Flink requires); SESSION windows are refused, as in Flink.
 *
 * The recognisers here are pure functions of the logical plan, so `physical.ts` (changelog modes),
 * `explain.ts` and the job builder agree on what is planned.
 */
import { RivuletError } from '../common/errors.ts';
import type { WindowSpec } from '../operators/time/window-spec.ts';
import { type BoundExpr, conjuncts } from './expr.ts';
import type { Field, JoinRel, RelNode } from './logical.ts';
import { type RankFilter, rankFilter } from './over.ts';
import { windowAggregation } from './window.ts';

/** Positions of a relation's window columns and the window they came from. */
export interface WindowColumns {
  readonly start: number;
  readonly end: number;
  readonly window: Exclude<WindowSpec, { kind: 'columns' }>;
}

/** The window columns of `node`, if it is windowed (see the file comment). */
export function windowColumns(node: RelNode): WindowColumns | undefined {
  switch (node.kind) {
    case 'windowTvf': {
      const w = node.fields.length;
      return { start: w - 3, end: w - 2, window: node.window };
    }
    case 'project': {
      const inner = windowColumns(node.input);
      if (!inner) return undefined;
      const at = (i: number) => node.exprs.findIndex((e) => e.kind === 'input' && e.index === i);
      const start = at(inner.start);
      const end = at(inner.end);
      return start >= 0 && end >= 0 ? { start, end, window: inner.window } : undefined;
    }
    case 'filter': {
      const rank = rankFilter(node);
      if (!rank) return windowColumns(node.input);
      const w = windowRank(rank);
      if (!w) return undefined;
      // The over node keeps its input's columns in place; a projection above it may move them.
      if (!rank.project) return w.columns;
      return windowColumns({ ...rank.project, input: rank.over.input });
    }
    case 'aggregate': {
      const w = windowAggregation(node);
      if (!w) return undefined;
      return {
        start: node.groupKeys.indexOf(w.startKey),
        end: node.groupKeys.indexOf(w.endKey),
        window: w.tvf.window,
      };
    }
    case 'join': {
      const j = windowJoin(node);
      if (!j) return undefined;
      if (node.joinType === 'RIGHT') {
        const width = node.left.fields.length;
        return { start: j.right.start + width, end: j.right.end + width, window: j.right.window };
      }
      // A FULL join pads either side's window columns with NULL: not windowed any more.
      return node.joinType === 'FULL' ? undefined : j.left;
    }
    default:
      return undefined;
  }
}

/** A Top-N or deduplication whose partition includes the window bounds of its windowed input. */
export interface WindowRank {
  /** Window columns of the over node's input. */
  readonly columns: WindowColumns;
  /** PARTITION BY columns other than window_start and window_end. */
  readonly keys: readonly number[];
  /** Deduplication by a rowtime attribute (rank 1 only); otherwise a Top-N. */
  readonly dedup: { readonly keepLast: boolean; readonly timeIndex: number } | undefined;
}

export function windowRank(rank: RankFilter): WindowRank | undefined {
  const columns = windowColumns(rank.over.input);
  if (!columns) return undefined;
  const keys = rank.over.partitionKeys;
  if (!keys.includes(columns.start) || !keys.includes(columns.end)) return undefined;
  const d = rank.dedup;
  return {
    columns,
    keys: keys.filter((k) => k !== columns.start && k !== columns.end),
    dedup: d && d.time === 'rowtime' ? { keepLast: d.keepLast, timeIndex: d.timeIndex } : undefined,
  };
}

/** The window bounds equated by a window join's condition, and its remaining equi keys. */
export interface WindowJoinInfo {
  readonly left: WindowColumns;
  readonly right: WindowColumns;
  /** The condition without the window-bound equalities (over left ++ right columns). */
  readonly rest: BoundExpr | null;
}

/**
 * Whether `join` is a window join: both inputs windowed and the condition equating both window
 * starts and both window ends. Throws when it equates them but the windows differ or are sessions.
 */
export function windowJoin(join: JoinRel): WindowJoinInfo | undefined {
  if (join.interval || join.temporal) return undefined;
  const left = windowColumns(join.left);
  const right = windowColumns(join.right);
  if (!left || !right) return undefined;
  const width = join.left.fields.length;
  const equates = (c: BoundExpr, l: number, r: number): boolean => {
    if (c.kind !== 'call' || c.name !== '=' || c.args.length !== 2) return false;
    const [a, b] = c.args as [BoundExpr, BoundExpr];
    if (a.kind !== 'input' || b.kind !== 'input') return false;
    return (a.index === l && b.index === r + width) || (b.index === l && a.index === r + width);
  };
  const conds = conjuncts(join.condition);
  const startEq = conds.find((c) => equates(c, left.start, right.start));
  const endEq = conds.find((c) => equates(c, left.end, right.end));
  if (!startEq || !endEq) return undefined;
  const l = join.left.fields as readonly Field[];
  const r = join.right.fields as readonly Field[];
  if (left.window.kind === 'session' || right.window.kind === 'session') {
    throw new RivuletError(
      'plan',
      'WINDOW_JOIN_SESSION',
      `A window join needs TUMBLE, HOP or CUMULATE windows on both sides; SESSION windows (on ${
        left.window.kind === 'session'
          ? `the left, ${l[left.start]?.name}`
          : `the right, ${r[right.start]?.name}`
      }) are not supported, as in Flink`,
    );
  }
  if (JSON.stringify(left.window) !== JSON.stringify(right.window)) {
    throw new RivuletError(
      'plan',
      'WINDOW_JOIN_MISMATCH',
      `A window join needs the same window table function on both sides (left: ${describeWindow(left.window)}, right: ${describeWindow(right.window)})`,
    );
  }
  const rest = conds.filter((c) => c !== startEq && c !== endEq);
  const restExpr: BoundExpr | null =
    rest.length === 0
      ? null
      : rest.length === 1
        ? (rest[0] as BoundExpr)
        : { kind: 'and', args: rest, type: join.condition.type };
  return { left, right, rest: restExpr };
}

/** `TUMBLE(size=60000 ms)`-style text of a window (EXPLAIN and errors). */
export function describeWindow(w: WindowColumns['window']): string {
  const s = (ms: number) => `${ms} ms`;
  const off = (o: number | undefined) => (o ? `, offset=${s(o)}` : '');
  switch (w.kind) {
    case 'tumble':
      return `TUMBLE(size=${s(w.size)}${off(w.offset)})`;
    case 'hop':
      return `HOP(slide=${s(w.slide)}, size=${s(w.size)}${off(w.offset)})`;
    case 'cumulate':
      return `CUMULATE(step=${s(w.step)}, size=${s(w.size)}${off(w.offset)})`;
    case 'session':
      return `SESSION(gap=${s(w.gap)})`;
  }
}
