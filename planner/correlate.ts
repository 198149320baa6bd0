/**
 * Correlated table functions in FROM: `t CROSS JOIN UNNEST(t.arr) AS u(x)`, `t, UNNEST(...)`,
 * `t, LATERAL TABLE(f(t.a)) AS r(...)` and `t LEFT JOIN LATERAL TABLE(...) ON TRUE`. The function's
 * arguments are bound over the left row; for each left row the produced rows are appended to it.
 */

import type { TableFunctionImpl } from '../catalog/catalog.ts';
import { type LogicalType, T, withNullable } from '../catalog/types.ts';
import { RivuletError, type Span } from '../common/errors.ts';
import type { Row, Value } from '../operators/api.ts';
import type { BoundExpr } from './expr.ts';
import type { Field, RelNode } from './logical.ts';

export interface CorrelateRel {
  readonly kind: 'correlate';
  readonly input: RelNode;
  /** Over the input row. */
  readonly args: readonly BoundExpr[];
  readonly fn: { readonly kind: 'unnest' } | { readonly kind: 'udtf'; readonly impl: TableFunctionImpl };
  readonly withOrdinality: boolean;
  /** LEFT JOIN LATERAL ... ON TRUE: keep input rows the function produces nothing for. */
  readonly outer: boolean;
  readonly fields: readonly Field[];
}

function err(code: string, message: string, span: Span): RivuletError {
  return new RivuletError('plan', code, message, span);
}

/** The columns UNNEST produces for an argument of this type. */
export function unnestFields(type: LogicalType, span: Span): { name: string; type: LogicalType }[] {
  switch (type.kind) {
    case 'ARRAY':
    case 'MULTISET': {
      const el = type.element as LogicalType;
      if (el.kind === 'ROW')
        return (el.fields ?? []).map((f) => ({ name: f.name, type: withNullable(f.type, true) }));
      return [{ name: 'EXPR$0', type: el }];
    }
    case 'MAP':
      return [
        { name: 'KEY', type: type.key as LogicalType },
        { name: 'VALUE', type: type.element as LogicalType },
      ];
    default:
      throw err('UNNEST_TYPE', `UNNEST needs an ARRAY, MAP or MULTISET, found ${type.kind}`, span);
  }
}

/** The per-row function of UNNEST over the evaluated arguments (several arguments zip, padding with NULL). */
export function unnestFunction(types: readonly LogicalType[]): (args: readonly Value[]) => Iterable<Row> {
  const expand = types.map((t): ((v: Value) => Row[]) => {
    if (t.kind === 'MAP') return (v) => [...(v as Map<Value, Value>)].map(([k, x]) => [k, x]);
    if (t.kind === 'MULTISET')
      return (v) => [...(v as Map<Value, number>)].flatMap(([x, n]) => Array.from({ length: n }, () => [x]));
    const rowEl = (t.element as LogicalType).kind === 'ROW';
    const width = rowEl ? ((t.element as LogicalType).fields ?? []).length : 1;
    return (v) =>
      (v as Value[]).map((x) => (rowEl ? (x === null ? new Array(width).fill(null) : [...(x as Row)]) : [x]));
  });
  const widths = types.map((t) =>
    t.kind === 'MAP'
      ? 2
      : (t.element as LogicalType).kind === 'ROW'
        ? ((t.element as LogicalType).fields ?? []).length
        : 1,
  );
  return (args) => {
    const parts = args.map((a, i) => (a === null ? [] : (expand[i] as (v: Value) => Row[])(a)));
    if (parts.length === 1) return parts[0] as Row[];
    const n = Math.max(0, ...parts.map((p) => p.length));
    const out: Row[] = [];
    for (let r = 0; r < n; r++) out.push(parts.flatMap((p, i) => p[r] ?? new Array(widths[i]).fill(null)));
    return out;
  };
}

export const ORDINALITY_FIELD = { name: 'ORDINALITY', type: T.int(false) };
