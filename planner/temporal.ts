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
 * 3. `v FOR SYSTEM_TIME AS OF <constant>` / `FROM a TO b` / `BETWEEN a AND b` outside a join is time
 *    travel over the table's history (beyond Flink): the snapshot at an instant, or every version with
 *    its validity.
 */

import { T, withTimeAttribute } from '../catalog/types.ts';
import { RivuletError, type Span } from '../common/errors.ts';
import type { PeriodQuery } from '../operators/temporal/version-history.ts';
import { type BoundExpr, conjuncts } from './expr.ts';
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
