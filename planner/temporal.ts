/**
 * Temporal tables in the planner.
 *
 * A table is *versioned* when it has a primary key and an event-time attribute (a changelog table with
 * `PRIMARY KEY ... NOT ENFORCED` and a WATERMARK), or when it is a view deduplicating an append-only
 * stream by key, keeping the latest row by event time (`ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts
 * DESC) = 1`): its key and version time are inferred from that, as Flink does.
 *
 * 1. `l JOIN v FOR SYSTEM_TIME AS OF l.rowtime ON l.k = v.pk` is an event-time temporal join: the ON
 *    condition must equate every primary-key column; the rest is a residual condition.
 * 2. `... AS OF l.proctime` is a processing-time temporal (lookup) join against the table materialised
 *    from its changelog; it needs a primary key too.
 *    A key on the left side may be an expression of the left row (`ON MOD(o.id, 100) = r.k`, as in
 *    Nexmark q13): it is computed by a projection below the join that appends it to the left row,
 *    and the join compares that column (see probeKeyColumns).
 * 3. `v FOR SYSTEM_TIME AS OF <constant>` / `FROM a TO b` / `BETWEEN a AND b` outside a join is time
 *    travel over the table's history (beyond Flink): the snapshot at an instant, or every version with
 *    its validity.
 */

import { castFunction } from '../catalog/cast.ts';
import { canCastImplicitly } from '../catalog/coercion.ts';
import { type LogicalType, T, withNullable, withTimeAttribute } from '../catalog/types.ts';
import { RivuletError, type Span } from '../common/errors.ts';
import type { PeriodQuery } from '../operators/temporal/version-history.ts';
import { type BoundExpr, conjuncts, inputRef, inputsOf, mapInputs } from './expr.ts';
import type { Field, RelNode } from './logical.ts';
import { rankFilter } from './over.ts';

export interface Versioned {
  /** Primary-key columns, as positions of the table's (or view's) fields. */
  readonly keys: readonly number[];
  /** The version-time (rowtime) column. */
  readonly time: number;
}

export interface TemporalJoinInfo {
  readonly kind: 'event' | 'processing';
  readonly leftTime: number;
  readonly rightTime: number | null;
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly residual: BoundExpr | null;
}

export interface TimeTravelRel {
  readonly kind: 'timeTravel';
  readonly input: RelNode;
  readonly keys: readonly number[];
  readonly time: number;
  readonly query: PeriodQuery;
  readonly fields: readonly Field[];
}

function err(code: string, message: string, span?: Span): RivuletError {
  return new RivuletError('plan', code, message, span);
}

/** Follows column `i` of `rel`'s output down through projections; undefined when it is computed. */
function _trace(rel: RelNode, i: number): { rel: RelNode; index: number } {
  let node = rel;
  let index = i;
  for (;;) {
    if (node.kind === 'project') {
      const e = node.exprs[index];
      if (e?.kind !== 'input') return { rel: node, index: -1 };
      index = e.index;
      node = node.input;
    } else if (node.kind === 'filter' && !rankFilter(node)) node = node.input;
    else return { rel: node, index };
  }
}

/** Whether the bound table or view is versioned, and by which key and time. */
export function versionedOf(rel: RelNode, fields: readonly Field[]): Versioned | undefined {
  // A table: its primary key and rowtime.
  if (rel.kind === 'scan' && rel.table.primaryKey && rel.watermark) {
    const keys = rel.table.primaryKey.map((k) =>
      fields.findIndex((f, i) => rel.table.columns[i]?.name === k && f !== undefined),
    );
    if (keys.every((k) => k >= 0)) return { keys, time: rel.watermark.column };
  }
  // A deduplicating view: find the keep-last rank filter below its projection.
  let top = rel;
  let project: Extract<RelNode, { kind: 'project' }> | undefined;
  if (top.kind === 'project') {
    project = top;
    top = top.input;
  }
  if (top.kind !== 'filter') return undefined;
  const rank = rankFilter(top);
  if (!rank?.dedup?.keepLast || rank.dedup.time !== 'rowtime') return undefined;
  // Positions in the rank filter's output (= the over node's fields, through its own projection).
  const under = (i: number): number | undefined => {
    if (!rank.project) return i;
    const idx = rank.project.exprs.findIndex((e) => e.kind === 'input' && e.index === i);
    return idx >= 0 ? idx : undefined;
  };
  const up = (i: number | undefined): number | undefined => {
    if (i === undefined) return undefined;
    if (!project) return i;
    const idx = project.exprs.findIndex((e) => e.kind === 'input' && e.index === i);
    return idx >= 0 ? idx : undefined;
  };
  const keys = rank.over.partitionKeys.map((k) => up(under(k)));
  const time = up(under(rank.dedup.timeIndex));
  if (time === undefined || keys.some((k) => k === undefined) || keys.length === 0) return undefined;
  return { keys: keys as number[], time };
}

/**
 * Plans `left JOIN right FOR SYSTEM_TIME AS OF <left time attribute> ON ...` (rules 1 and 2).
 * `condition` is over left ++ right fields; `asOf` over the left fields.
 */
export function temporalJoin(
  asOf: BoundExpr,
  condition: BoundExpr,
  left: readonly Field[],
  right: { rel: RelNode; fields: readonly Field[] },
  tableName: string,
  span: Span,
): TemporalJoinInfo {
  if (asOf.kind !== 'input' || asOf.index >= left.length || !(left[asOf.index] as Field).type.timeAttribute) {
    throw err(
      'TEMPORAL_JOIN_TIME',
      'FOR SYSTEM_TIME AS OF in a join must name a time attribute of the left input (its rowtime or a PROCTIME() column)',
      span,
    );
  }
  const kind = (left[asOf.index] as Field).type.timeAttribute === 'ROWTIME' ? 'event' : 'processing';
  const versioned = versionedOf(right.rel, right.fields);
  let pk: readonly number[] | undefined = versioned?.keys;
  if (!pk && kind === 'processing' && right.rel.kind === 'scan' && right.rel.table.primaryKey) {
    const table = right.rel.table;
    pk = (table.primaryKey as readonly string[]).map((k) => table.columns.findIndex((c) => c.name === k));
  }
  if (!pk || (kind === 'event' && !versioned)) {
    throw err(
      'TEMPORAL_TABLE_NOT_VERSIONED',
      kind === 'event'
        ? `Event-time temporal join requires the table '${tableName}' to be versioned: a PRIMARY KEY and an event-time attribute (WATERMARK), or a view deduplicating by key on event time (ROW_NUMBER() OVER (PARTITION BY ... ORDER BY rowtime DESC) = 1)`
        : `Processing-time temporal join requires a PRIMARY KEY on table '${tableName}'`,
      span,
    );
  }
  const n = left.length;
  const leftKeys: number[] = [];
  const rightKeys: number[] = [];
  const rest: BoundExpr[] = [];
  for (const c of conjuncts(condition)) {
    if (c.kind === 'call' && c.name === '=' && c.args.length === 2) {
      const [a, b] = c.args as [BoundExpr, BoundExpr];
      if (a.kind === 'input' && b.kind === 'input') {
        const [l, r] =
          a.index < n && b.index >= n ? [a, b] : b.index < n && a.index >= n ? [b, a] : [null, null];
        if (
          l &&
          r &&
          pk.includes(r.index - n) &&
          !rightKeys.includes(r.index - n) &&
          l.type.kind === r.type.kind
        ) {
          leftKeys.push(l.index);
          rightKeys.push(r.index - n);
          continue;
        }
      }
    }
    rest.push(c);
  }
  const missing = pk.filter((k) => !rightKeys.includes(k));
  if (missing.length > 0) {
    throw err(
      'TEMPORAL_JOIN_KEY',
      `Temporal table join requires an equality condition on every primary key column of '${tableName}' (missing: ${missing.map((k) => right.fields[k]?.name).join(', ')})`,
      span,
    );
  }
  const residual =
    rest.length === 0
      ? null
      : rest.length === 1
        ? (rest[0] as BoundExpr)
        : { kind: 'and' as const, args: rest, type: T.boolean() };
  return { kind, leftTime: asOf.index, rightTime: versioned?.time ?? null, leftKeys, rightKeys, residual };
}

/** Plans time travel over a versioned table (rule 3). `at`/`from`/`to` are constant timestamps in ms. */
export function timeTravel(
  input: { rel: RelNode; fields: readonly Field[] },
  query: PeriodQuery,
  tableName: string,
  span: Span,
): TimeTravelRel {
  const v = versionedOf(input.rel, input.fields);
  if (!v) {
    throw err(
      'TEMPORAL_TABLE_NOT_VERSIONED',
      `FOR SYSTEM_TIME needs a versioned table: '${tableName}' has no PRIMARY KEY and event-time attribute`,
      span,
    );
  }
  const base = input.fields.map((f) => ({ ...f, type: withTimeAttribute(f.type, undefined) }));
  const validity =
    query.kind === 'asOf'
      ? []
      : [
          { name: 'valid_from', type: T.timestamp(3, false) },
          { name: 'valid_to', type: T.timestamp(3, true) },
        ];
  return {
    kind: 'timeTravel',
    input: input.rel,
    keys: v.keys,
    time: v.time,
    query,
    fields: [...base, ...validity],
  };
}

/** The left-side key expressions a temporal join computes below itself (see probeKeyColumns). */
export interface ProbeKeys {
  /** Expressions over the left row, appended to it (in this order) by a projection. */
  readonly exprs: readonly BoundExpr[];
  /** The join condition over (left ++ computed keys ++ right). */
  readonly condition: BoundExpr;
}

/**
 * Finds the conjuncts `expr(left) = right column` whose left side is an expression rather than a
 * column (Flink computes such keys in a Calc below the join). Returns the expressions to append to
 * the left row and the condition rewritten to compare the appended columns, with every right
 * reference shifted past them; undefined when every key is already a column.
 */
export function probeKeyColumns(condition: BoundExpr, leftArity: number): ProbeKeys | undefined {
  const n = leftArity;
  const onlyLeft = (e: BoundExpr): boolean => {
    const used = inputsOf(e);
    return used.size > 0 && [...used].every((i) => i < n) && !containsProctime(e);
  };
  const exprs: BoundExpr[] = [];
  // conjunct -> [index of the side that is a left expression, position of its appended column]
  const replaced = new Map<BoundExpr, [number, number]>();
  for (const c of conjuncts(condition)) {
    if (c.kind !== 'call' || c.name !== '=' || c.args.length !== 2) continue;
    const [a, b] = c.args as [BoundExpr, BoundExpr];
    const side =
      a.kind !== 'input' && onlyLeft(a) && b.kind === 'input' && b.index >= n
        ? 0
        : b.kind !== 'input' && onlyLeft(b) && a.kind === 'input' && a.index >= n
          ? 1
          : -1;
    if (side < 0) continue;
    const key = c.args[side] as BoundExpr;
    const column = c.args[1 - side] as BoundExpr;
    replaced.set(c, [side, exprs.length]);
    exprs.push(widenTo(key, column.type));
  }
  if (exprs.length === 0) return undefined;
  const m = exprs.length;
  const shift = (e: BoundExpr): BoundExpr =>
    mapInputs(e, (r) => (r.index >= n ? inputRef(r.index + m, r.type, r.name) : r));
  const rewritten = conjuncts(condition).map((c): BoundExpr => {
    const hit = replaced.get(c);
    if (!hit || c.kind !== 'call') return shift(c);
    const [side, k] = hit;
    const key = exprs[k] as BoundExpr;
    const args = c.args.map((arg, i) => (i === side ? inputRef(n + k, key.type, `$key${k}`) : shift(arg)));
    return { ...c, args };
  });
  return {
    exprs,
    condition:
      rewritten.length === 1
        ? (rewritten[0] as BoundExpr)
        : { kind: 'and', args: rewritten, type: T.boolean() },
  };
}

/**
 * The key expression converted to the column's type when it is implicitly castable to it (MOD of a
 * BIGINT by an INT literal is an INT, as in Flink, compared with a BIGINT key): the join hashes and
 * compares keys by value, and an INT and a BIGINT of the same number are different values.
 */
function widenTo(e: BoundExpr, type: LogicalType): BoundExpr {
  if (e.type.kind === type.kind || !canCastImplicitly(e.type, type)) return e;
  const target = withNullable(type, e.type.nullable);
  return { kind: 'cast', arg: e, fn: castFunction(e.type, target), try: false, type: target };
}

function containsProctime(e: BoundExpr): boolean {
  switch (e.kind) {
    case 'proctime':
      return true;
    case 'input':
    case 'literal':
      return false;
    case 'call':
    case 'and':
    case 'or':
      return e.args.some(containsProctime);
    case 'case':
      return (
        e.whens.some((w) => containsProctime(w.when) || containsProctime(w.result)) ||
        containsProctime(e.else)
      );
    default:
      return containsProctime(e.arg);
  }
}
