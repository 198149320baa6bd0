/**
 * Interval joins: a join whose condition bounds one input's rowtime by the other's, e.g.
 * `o.ts BETWEEN s.ts - INTERVAL '1' HOUR AND s.ts`. Such a join can free its state as the watermark
 * advances and keeps the rowtime attributes (Flink's interval join); without both bounds it is a
 * regular join.
 *
 * The conjuncts `L op R + c` (L, R the two rowtimes, c a constant interval, op one of >=, >, <=, <,
 * written either way round) are normalised to `R + lower <= L <= R + upper`.
 */
import type { BoundExpr } from './expr.ts';
import { conjuncts } from './expr.ts';
import type { Field } from './logical.ts';

export interface IntervalBounds {
  readonly leftTime: number;
  /** Right rowtime position, within the right input. */
  readonly rightTime: number;
  readonly lower: number;
  readonly upper: number;
  /** The conjuncts that are not time bounds. */
  readonly rest: readonly BoundExpr[];
}

/** `ref + c` with its input position and constant, or undefined. */
function timeTerm(e: BoundExpr): { index: number; offset: number } | undefined {
  if (e.kind === 'input') return { index: e.index, offset: 0 };
  if (e.kind === 'call' && (e.name === '+' || e.name === '-') && e.args.length === 2) {
    const [a, b] = e.args as [BoundExpr, BoundExpr];
    if (
      a.kind === 'input' &&
      b.kind === 'literal' &&
      typeof b.value === 'number' &&
      b.type.kind === 'INTERVAL_DAY_TIME'
    ) {
      return { index: a.index, offset: e.name === '+' ? b.value : -b.value };
    }
    if (
      e.name === '+' &&
      b.kind === 'input' &&
      a.kind === 'literal' &&
      typeof a.value === 'number' &&
      a.type.kind === 'INTERVAL_DAY_TIME'
    ) {
      return { index: b.index, offset: a.value };
    }
  }
  return undefined;
}

export function intervalBounds(
  condition: BoundExpr,
  left: readonly Field[],
  right: readonly Field[],
): IntervalBounds | undefined {
  const isRowtime = (i: number) => {
    const f = i < left.length ? left[i] : right[i - left.length];
    return f?.type.timeAttribute === 'ROWTIME';
  };
  let leftTime: number | undefined;
  let rightTime: number | undefined;
  let lower = -Infinity;
  let upper = Infinity;
  const rest: BoundExpr[] = [];
  for (const c of conjuncts(condition)) {
    const bound =
      c.kind === 'call' && ['>=', '>', '<=', '<'].includes(c.name) && c.args.length === 2 ? c : undefined;
    const a = bound ? timeTerm(bound.args[0] as BoundExpr) : undefined;
    const b = bound ? timeTerm(bound.args[1] as BoundExpr) : undefined;
    if (
      !bound ||
      !a ||
      !b ||
      !isRowtime(a.index) ||
      !isRowtime(b.index) ||
      a.index < left.length === b.index < left.length
    ) {
      rest.push(c);
      continue;
    }
    // Orient as L op R + k.
    let op = bound.name;
    let l = a;
    let r = b;
    if (a.index >= left.length) {
      l = b;
      r = a;
      op = { '>=': '<=', '>': '<', '<=': '>=', '<': '>' }[op] as string;
    }
    const li = l.index;
    const ri = r.index - left.length;
    if ((leftTime !== undefined && leftTime !== li) || (rightTime !== undefined && rightTime !== ri)) {
      rest.push(c);
      continue;
    }
    leftTime = li;
    rightTime = ri;
    // l.t + l.off  op  r.t + r.off   =>   L op R + (r.off - l.off)
    const k = r.offset - l.offset;
    if (op === '>=') lower = Math.max(lower, k);
    else if (op === '>') lower = Math.max(lower, k + 1);
    else if (op === '<=') upper = Math.min(upper, k);
    else upper = Math.min(upper, k - 1);
  }
  if (leftTime === undefined || rightTime === undefined || !Number.isFinite(lower) || !Number.isFinite(upper))
    return undefined;
  return { leftTime, rightTime, lower, upper, rest };
}
