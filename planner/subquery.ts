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
 * Uncorrelated scalar subqueries `(SELECT agg ...)` become a join with their single row; correlated
 * ones a LEFT join with the subquery grouped by its correlation keys (see correlatedScalarJoin).
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

/** Built-in aggregates whose value over no rows is NULL, so an unmatched outer row may get NULL. */
const NULL_ON_EMPTY = new Set([
  'SUM',
  'AVG',
  'MIN',
  'MAX',
  'STDDEV_POP',
  'STDDEV_SAMP',
  'VAR_POP',
  'VAR_SAMP',
  'FIRST_VALUE',
  'LAST_VALUE',
  'LISTAGG',
  'ARRAY_AGG',
  'BOOL_AND',
  'BOOL_OR',
]);

function correlationError(span: Expr['span'], why: string): RivuletError {
  return new RivuletError(
    'plan',
    'SUBQUERY_CORRELATION',
    `A correlated scalar subquery must be SELECT agg(...) FROM ... WHERE ... with one built-in aggregate and correlation by equalities (inner = outer) combined with AND: ${why}`,
    span,
  );
}

/** Binds `e` in `scope`, or returns null when a column is not found there. */
function tryBind(b: SubqueryBinder, scope: Scope, e: Expr): BoundExpr | null {
  try {
    return b.exprBinder(scope, 'the subquery').bind(e);
  } catch (err) {
    if (err instanceof RivuletError && err.code === 'COLUMN_NOT_FOUND') return null;
    throw err;
  }
}

/**
 * A correlated scalar subquery `(SELECT agg(e) FROM s WHERE local AND s.k1 = o.x1 AND ...)`,
 * decorrelated (the standard rewrite, as Flink's planner does):
 *
 * 1. Split the WHERE conjuncts: those that bind over `s` alone stay in the subquery; each other one
 *    must be `inner = outer` (one side binding over `s`, the other over the outer row).
 * 2. Group the subquery by the inner sides: `SELECT agg(e), k1, ... FROM s WHERE local GROUP BY k1, ...`,
 *    at most one row per correlation key.
 * 3. LEFT JOIN the outer rows with it on `x1 = k1 AND ...`, and keep the outer columns plus the value.
 *    An outer row without a match (no inner rows, or a NULL key) gets the aggregate over no rows:
 *    NULL, or 0 for COUNT (the "COUNT bug" of naive rewrites).
 * Returns null when the subquery is not correlated (no conjunct needs the outer row).
 */
export function correlatedScalarJoin(
  b: SubqueryBinder,
  outer: Bound,
  q: Query,
  span: Expr['span'],
): { bound: Bound; value: BoundExpr } | null {
  if (q.kind !== 'select' || q.from === null || q.where === null) return null;
  const inner = b.bindFromOf(q);
  const innerScope = new Scope(inner.fields);
  const outerScope = new Scope(outer.fields);
  const local: Expr[] = [];
  const keys: { inner: Expr; outer: BoundExpr }[] = [];
  const conjunctsOf = (e: Expr): Expr[] =>
    e.kind === 'binary' && e.op === 'AND' ? [...conjunctsOf(e.left), ...conjunctsOf(e.right)] : [e];
  for (const c of conjunctsOf(q.where)) {
    if (tryBind(b, innerScope, c) !== null) {
      local.push(c);
      continue;
    }
    if (c.kind !== 'binary' || c.op !== '=')
      throw correlationError(c.span, 'this condition is not an equality');
    const l = tryBind(b, innerScope, c.left);
    const r = tryBind(b, innerScope, c.right);
    const innerSide = l !== null ? c.left : r !== null ? c.right : null;
    const outerSide = l !== null ? c.right : c.left;
    const outerBound = innerSide === null ? null : tryBind(b, outerScope, outerSide);
    if (innerSide === null || outerBound === null)
      throw correlationError(
        c.span,
        'one side must use only the subquery’s columns, the other only the outer row’s',
      );
    keys.push({ inner: innerSide, outer: outerBound });
  }
  if (keys.length === 0) return null;
  const item = q.items[0];
  const call = item?.expr;
  if (
    q.items.length !== 1 ||
    call?.kind !== 'functionCall' ||
    call.over !== null ||
    q.groupBy !== null ||
    q.having !== null ||
    q.distinct ||
    q.orderBy.length > 0 ||
    q.limit !== null ||
    q.offset !== null
  ) {
    throw correlationError(
      q.span,
      'it must select exactly one aggregate call, without GROUP BY, HAVING, DISTINCT, ORDER BY or LIMIT',
    );
  }
  const name = (call.name.parts[call.name.parts.length - 1]?.text ?? '').toUpperCase();
  const isCount = name === 'COUNT';
  if (!isCount && !NULL_ON_EMPTY.has(name)) {
    throw correlationError(
      call.span,
      `${name} is not a built-in aggregate whose value over no rows is known`,
    );
  }
  const andAst = (xs: Expr[]): Expr | null =>
    xs.length === 0
      ? null
      : xs.reduce((acc, x) => ({ kind: 'binary', op: 'AND', left: acc, right: x, span: x.span }) as Expr);
  const grouped: Query = {
    ...q,
    items: [
      item as (typeof q.items)[number],
      ...keys.map((k) => ({ kind: 'selectItem' as const, span: k.inner.span, expr: k.inner, alias: null })),
    ],
    where: andAst(local),
    groupBy: { kind: 'groupBy', span: q.span, distinct: false, elements: keys.map((k) => k.inner) },
  };
  const right = b.bindQuery(grouped);
  const n = outer.fields.length;
  const joinFields: Field[] = [
    ...outer.fields,
    ...right.fields.map((f) => ({ ...f, type: { ...f.type, nullable: true } })),
  ];
  const eb = b.exprBinder(new Scope(joinFields), 'the subquery');
  const conds = keys.map((k, i) => {
    const f = joinFields[n + 1 + i] as Field;
    return eb.call('=', [k.outer, inputRef(n + 1 + i, f.type, f.name)], span);
  });
  const joined: RelNode = {
    kind: 'join',
    joinType: 'LEFT',
    left: outer.rel,
    right: right.rel,
    condition: and(conds),
    fields: joinFields,
  };
  const valueField = joinFields[n] as Field;
  const raw = inputRef(n, valueField.type, valueField.name);
  const value: BoundExpr = isCount
    ? {
        kind: 'case',
        whens: [
          {
            when: { kind: 'isNull', arg: raw, negated: false, type: T.boolean(false) },
            result: { kind: 'literal', value: 0n, type: T.bigint(false) },
          },
        ],
        else: raw,
        type: T.bigint(false),
      }
    : raw;
  const fields: Field[] = [...outer.fields, { name: valueField.name, type: value.type }];
  const exprs: BoundExpr[] = [...outer.fields.map((f, i) => inputRef(i, f.type, f.name)), value];
  return {
    bound: { rel: { kind: 'project', input: joined, exprs, fields }, fields },
    value: inputRef(n, value.type, valueField.name),
  };
}
