/**
 * Subqueries in WHERE, decorrelated into joins (the standard rewrites, as Flink's planner does):
 *
 * 1. `[NOT] EXISTS (SELECT ... FROM s WHERE p)`: a SEMI (ANTI) join of the outer rows with `s`, on
 *    the conjuncts of `p` that refer to outer columns; the others filter `s` first.
 * 2. Quantified comparisons `x op ANY|SOME|ALL (SELECT e FROM s WHERE p)`; `x IN (...)` is `x = ANY`
 *    and `x NOT IN (...)` is `x <> ALL`. A leading NOT is pushed in first (`NOT (x op ANY s)` is
 *    `x negop ALL s` in three-valued logic too). As a WHERE conjunct only TRUE keeps a row, so:
 *    - `x op ANY s` is TRUE iff some e has `x op e` TRUE: a SEMI join on `x op e` plus the
 *      correlation conjuncts (an empty s gives FALSE: no row).
 *    - `x op ALL s` is TRUE iff no e has `x op e` FALSE or UNKNOWN: an ANTI join on
 *      `x negop e OR x IS NULL OR e IS NULL` (an empty s gives TRUE: the row stays; a NULL on
 *      either side makes the comparison UNKNOWN, so the row goes).
 * 3. A subquery that is not a plain SELECT (it groups, aggregates, sorts or is a set operation) is
 *    planned on its own and must then be uncorrelated.
 * Uncorrelated scalar subqueries `(SELECT agg ...)` become a join with their single row.
 */

import { T } from '../catalog/types.ts';
import { RivuletError } from '../common/errors.ts';
import type { ComparisonOp, Expr, Query } from '../parser/ast.ts';
import type { ExprBinder } from './bind-expr.ts';
import { type BoundExpr, conjuncts, inputRef, inputsOf, mapInputs } from './expr.ts';
import type { Field, RelNode } from './logical.ts';
import { Scope } from './scope.ts';

export interface Bound {
  readonly rel: RelNode;
  readonly fields: readonly Field[];
}

export interface SubqueryBinder {
  bindQuery(q: Query): Bound;
  bindFromOf(q: Extract<Query, { kind: 'select' }>): Bound;
  exprBinder(scope: Scope, clause?: string): ExprBinder;
  containsAggregate(e: Expr): boolean;
}

function and(args: BoundExpr[]): BoundExpr {
  if (args.length === 0) return { kind: 'literal', value: true, type: T.boolean(false) };
  return args.length === 1 ? (args[0] as BoundExpr) : { kind: 'and', args, type: T.boolean() };
}

/** Whether `q` is a SELECT simple enough to decorrelate through (rule 1/2). */
function isPlainSelect(q: Query, b: SubqueryBinder): q is Extract<Query, { kind: 'select' }> {
  return (
    q.kind === 'select' &&
    q.from !== null &&
    q.groupBy === null &&
    q.having === null &&
    !q.distinct &&
    q.orderBy.length === 0 &&
    q.limit === null &&
    q.offset === null &&
    !q.items.some((i) => b.containsAggregate(i.expr))
  );
}

/** The comparison `negop` with `x negop y` = NOT (`x op y`) for non-NULL operands. */
const NEGATED_OP: Record<ComparisonOp, ComparisonOp> = {
  '=': '<>',
  '<>': '=',
  '<': '>=',
  '>=': '<',
  '>': '<=',
  '<=': '>',
};

/** The left operand of a quantified comparison (or IN), bound over the outer row. */
export interface QuantifiedProbe {
  readonly expr: BoundExpr;
  readonly op: ComparisonOp;
  readonly quantifier: 'ANY' | 'ALL';
}

/** `NOT (x op ANY|ALL s)` as the equivalent quantified comparison `x negop ALL|ANY s`. */
export function negateProbe(p: QuantifiedProbe): QuantifiedProbe {
  return { expr: p.expr, op: NEGATED_OP[p.op], quantifier: p.quantifier === 'ANY' ? 'ALL' : 'ANY' };
}

/**
 * Joins `outer` with the subquery as a SEMI or ANTI join. `probe` is the quantified comparison's
 * left operand (IN is `= ANY`), or null for EXISTS, where `negated` means NOT EXISTS.
 */
export function subqueryJoin(
  b: SubqueryBinder,
  outer: Bound,
  q: Query,
  probe: QuantifiedProbe | null,
  negated: boolean,
  span: Expr['span'],
): Bound {
  const what = probe ? (probe.quantifier === 'ALL' ? 'ALL' : 'ANY/IN') : 'EXISTS';
  const n = outer.fields.length;
  let right: Bound;
  const conds: BoundExpr[] = [];
  let value: BoundExpr | null = null;
  if (isPlainSelect(q, b)) {
    const inner = b.bindFromOf(q);
    const m = inner.fields.length;
    // Inner columns first, outer columns after them: an index >= m is a correlated reference.
    const scope = new Scope([...inner.fields, ...outer.fields]);
    const local: BoundExpr[] = [];
    if (q.where) {
      const where = b.exprBinder(scope, 'the subquery WHERE').bindPredicate(q.where, 'WHERE');
      for (const c of conjuncts(where)) {
        if ([...inputsOf(c)].every((i) => i < m)) local.push(c);
        else conds.push(c);
      }
    }
    right =
      local.length > 0
        ? {
            rel: { kind: 'filter', input: inner.rel, condition: and(local), fields: inner.fields },
            fields: inner.fields,
          }
        : inner;
    if (probe) {
      const items = q.items;
      if (items.length !== 1 || (items[0] as { expr: Expr }).expr.kind === 'star') {
        throw new RivuletError(
          'plan',
          'SUBQUERY_COLUMNS',
          `The subquery of ${what} must select exactly one column`,
          q.span,
        );
      }
      value = b.exprBinder(scope, 'the subquery').bind((items[0] as { expr: Expr }).expr);
    }
    // Re-number for the join row (outer ++ inner).
    const remap = (e: BoundExpr) =>
      mapInputs(e, (r) => inputRef(r.index < m ? n + r.index : r.index - m, r.type, r.name));
    for (let i = 0; i < conds.length; i++) conds[i] = remap(conds[i] as BoundExpr);
    if (value) value = remap(value);
  } else {
    right = b.bindQuery(q);
    if (probe) {
      if (right.fields.length !== 1)
        throw new RivuletError(
          'plan',
          'SUBQUERY_COLUMNS',
          `The subquery of ${what} must select exactly one column`,
          q.span,
        );
      const f = right.fields[0] as Field;
      value = inputRef(n, f.type, f.name);
    }
  }
  const joinScope = new Scope([...outer.fields, ...right.fields]);
  const eb = b.exprBinder(joinScope, what);
  let anti = negated;
  if (probe && value) {
    if (probe.quantifier === 'ANY') {
      conds.push(eb.call(probe.op, [probe.expr, value], span));
    } else {
      anti = true;
      const fails: BoundExpr[] = [
        eb.call(NEGATED_OP[probe.op], [probe.expr, value], span),
        { kind: 'isNull', arg: probe.expr, negated: false, type: T.boolean(false) },
        { kind: 'isNull', arg: value, negated: false, type: T.boolean(false) },
      ];
      conds.push({ kind: 'or', args: fails, type: T.boolean() });
    }
  }
  return {
    rel: {
      kind: 'join',
      joinType: anti ? 'ANTI' : 'SEMI',
      left: outer.rel,
      right: right.rel,
      condition: and(conds),
      fields: outer.fields,
    },
    fields: outer.fields,
  };
}

/** Collects uncorrelated scalar subqueries of an expression tree (not nested in other subqueries). */
export function collectScalarSubqueries(e: unknown, out: Extract<Expr, { kind: 'scalarSubquery' }>[] = []) {
  if (!e || typeof e !== 'object') return out;
  const node = e as { kind?: string };
  if (node.kind === 'scalarSubquery') {
    out.push(e as Extract<Expr, { kind: 'scalarSubquery' }>);
    return out;
  }
  if (node.kind === 'exists' || node.kind === 'inSubquery' || node.kind === 'quantifiedComparison')
    return out;
  for (const [k, v] of Object.entries(e)) {
    if (k === 'span') continue;
    if (Array.isArray(v)) for (const x of v) collectScalarSubqueries(x, out);
    else if (v && typeof v === 'object') collectScalarSubqueries(v, out);
  }
  return out;
}
