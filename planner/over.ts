/**
 * OVER windows. Binding: every `f(...) OVER (...)` of a select list becomes a call of one `over`
 * node (they must share one window, as in Flink); the select list then reads the calls' results as
 * columns. Lowering picks the operator by what the query means on a stream:
 *
 * 1. `WHERE rn <= N` (or `= 1`, `< N`, `BETWEEN a AND b`) over `ROW_NUMBER() OVER (PARTITION BY ...
 *    ORDER BY ...) AS rn` is Top-N; with N = 1 and ORDER BY a time attribute it is deduplication
 *    (ASC keeps the first row and appends; DESC keeps the last and emits updates).
 * 2. Aggregates ordered by a time attribute (ascending), with a ROWS or RANGE frame ending at the
 *    current row, are a streaming OVER aggregation (append-only).
 * 3. Anything else needs the whole input: allowed over a bounded input, refused over a stream.
 * Over an input with updates (a retract stream), aggregates with ORDER BY and a frame containing the
 * current row run as an updating OVER aggregation (`updatingOver`), which emits updates in turn.
 */

import type { ResolvedAggregate } from '../catalog/functions/registry.ts';
import { type LogicalType, T, withTimeAttribute } from '../catalog/types.ts';
import { RivuletError, type Span } from '../common/errors.ts';
import type { Value } from '../operators/api.ts';
import type { FrameBound, WindowFrame } from '../operators/time/bounded-over-aggregate.ts';
import type {
  FrameBound as FrameBoundAst,
  FunctionCall,
  Identifier,
  NamedWindow,
  WindowSpec,
} from '../parser/ast.ts';
import { type ExprBinder, exprKey, functionName } from './bind-expr.ts';
import { type BoundExpr, inputRef } from './expr.ts';
import type { Field, RelNode, SortKey } from './logical.ts';

export const RANKING = ['ROW_NUMBER', 'RANK', 'DENSE_RANK', 'PERCENT_RANK', 'CUME_DIST', 'NTILE'] as const;
const OFFSET = ['LAG', 'LEAD'] as const;
const VALUE = ['FIRST_VALUE', 'LAST_VALUE'] as const;

export type OverCallSpec =
  | { readonly kind: (typeof RANKING)[number]; readonly buckets?: number; readonly type: LogicalType }
  | {
      readonly kind: 'LAG' | 'LEAD';
      readonly arg: number;
      readonly offset: number;
      readonly default: Value;
      readonly type: LogicalType;
    }
  | { readonly kind: 'FIRST_VALUE' | 'LAST_VALUE'; readonly arg: number; readonly type: LogicalType }
  | {
      readonly kind: 'AGGREGATE';
      readonly name: string;
      readonly fn: ResolvedAggregate;
      readonly args: readonly number[];
      readonly type: LogicalType;
    };

export interface OverRel {
  readonly kind: 'over';
  readonly input: RelNode;
  readonly partitionKeys: readonly number[];
  readonly orderKeys: readonly SortKey[];
  /** null: the SQL default frame. */
  readonly frame: WindowFrame | null;
  /** Whether a frame was written (only then do ROWS frames apply to aggregates on streams). */
  readonly calls: readonly OverCallSpec[];
  readonly fields: readonly Field[];
}

function err(code: string, message: string, span?: Span): RivuletError {
  return new RivuletError('plan', code, message, span);
}

/** Resolves `OVER w` / `OVER (w ...)` against the WINDOW clause. */
export function resolveWindow(over: Identifier | WindowSpec, named: readonly NamedWindow[]): WindowSpec {
  const lookup = (id: Identifier): WindowSpec => {
    const w = named.find((n) => n.name.text === id.text);
    if (!w) throw err('WINDOW_NOT_FOUND', `Window '${id.text}' is not defined in the WINDOW clause`, id.span);
    return w.spec.base ? merge(lookup(w.spec.base), w.spec) : w.spec;
  };
  const merge = (base: WindowSpec, spec: WindowSpec): WindowSpec => ({
    ...spec,
    partitionBy: spec.partitionBy.length > 0 ? spec.partitionBy : base.partitionBy,
    orderBy: spec.orderBy.length > 0 ? spec.orderBy : base.orderBy,
    frame: spec.frame ?? base.frame,
  });
  if (over.kind === 'identifier') return lookup(over);
  return over.base ? merge(lookup(over.base), over) : over;
}

/** Collects the OVER calls of an expression tree (not inside subqueries). */
export function collectOverCalls(e: unknown, out: FunctionCall[] = []): FunctionCall[] {
  if (!e || typeof e !== 'object') return out;
  const node = e as { kind?: string };
  if (node.kind === 'functionCall' && (e as FunctionCall).over) {
    out.push(e as FunctionCall);
    return out;
  }
  if (node.kind === 'scalarSubquery' || node.kind === 'exists' || node.kind === 'inSubquery') return out;
  for (const [k, v] of Object.entries(e)) {
    if (k === 'span') continue;
    if (Array.isArray(v)) for (const x of v) collectOverCalls(x, out);
    else if (v && typeof v === 'object') collectOverCalls(v, out);
  }
  return out;
}

function bound(b: FrameBoundAst, binder: ExprBinder, range: boolean): FrameBound {
  switch (b.bound) {
    case 'UNBOUNDED_PRECEDING':
      return { kind: 'unboundedPreceding' };
    case 'UNBOUNDED_FOLLOWING':
      return { kind: 'unboundedFollowing' };
    case 'CURRENT_ROW':
      return { kind: 'currentRow' };
    default: {
      const e = binder.bind(b.offset as NonNullable<FrameBoundAst['offset']>);
      const ok = e.kind === 'literal' && (typeof e.value === 'number' || typeof e.value === 'bigint');
      if (!ok)
        throw err(
          'OVER_FRAME',
          'a frame offset must be a constant (a number of rows, or an interval for RANGE)',
          b.span,
        );
      if (!range && e.type.kind.startsWith('INTERVAL'))
        throw err('OVER_FRAME', 'a ROWS frame offset counts rows: use RANGE for an interval', b.span);
      const offset = Number(e.value);
      return b.bound === 'PRECEDING' ? { kind: 'preceding', offset } : { kind: 'following', offset };
    }
  }
}

/**
 * Binds the OVER calls of a select list over `input`: returns the over node (over a pre-projection
 * when arguments or keys are expressions) and, per call, the expression standing for its result.
 */
export function bindOver(
  calls: readonly FunctionCall[],
  named: readonly NamedWindow[],
  input: { rel: RelNode; fields: readonly Field[] },
  binder: ExprBinder,
  registry: {
    lookupAggregate(
      name: string,
    ): { resolve(t: readonly LogicalType[], ctx: never): ResolvedAggregate } | undefined;
  },
  fnContext: unknown,
): { rel: OverRel; results: Map<FunctionCall, BoundExpr> } {
  const specs = calls.map((c) => resolveWindow(c.over as Identifier | WindowSpec, named));
  const first = specs[0] as WindowSpec;
  const pre: BoundExpr[] = input.fields.map((f, i) => inputRef(i, f.type, f.name));
  const position = (e: BoundExpr): number => {
    const k = exprKey(e);
    const i = pre.findIndex((p) => exprKey(p) === k);
    if (i >= 0) return i;
    pre.push(e);
    return pre.length - 1;
  };
  const partitionKeys = first.partitionBy.map((p) => position(binder.bind(p)));
  const orderKeys: SortKey[] = first.orderBy.map((o) => {
    const descending = o.direction === 'DESC';
    return {
      index: position(binder.bind(o.expr)),
      descending,
      nullsFirst: o.nulls ? o.nulls === 'FIRST' : !descending,
    };
  });
  const keyText = (s: WindowSpec) =>
    JSON.stringify([s.partitionBy, s.orderBy, s.frame], (k, v) => (k === 'span' ? undefined : v));
  specs.forEach((s, i) => {
    if (keyText(s) !== keyText(first)) {
      throw err(
        'OVER_WINDOWS',
        'All OVER calls of a query must use the same window (PARTITION BY, ORDER BY and frame), as in Flink',
        (calls[i] as FunctionCall).span,
      );
    }
  });
  const range = first.frame?.unit === 'RANGE';
  const frame: WindowFrame | null = first.frame
    ? {
        mode: range ? 'range' : 'rows',
        start: bound(first.frame.start, binder, range),
        end: first.frame.end ? bound(first.frame.end, binder, range) : { kind: 'currentRow' },
      }
    : null;
  const specsOut: OverCallSpec[] = calls.map((c) => {
    const name = functionName(c).toUpperCase();
    if (c.distinct || c.filter)
      throw err('OVER_CALL', `DISTINCT and FILTER are not supported in OVER aggregates (${name})`, c.span);
    const args = c.args.filter((a) => a.kind !== 'star').map((a) => binder.bind(a));
    if ((RANKING as readonly string[]).includes(name)) {
      if (first.orderBy.length === 0 && name !== 'NTILE' && name !== 'ROW_NUMBER') {
        throw err('OVER_CALL', `${name} needs ORDER BY in its window`, c.span);
      }
      if (name === 'NTILE') {
        const n = args[0];
        if (n?.kind !== 'literal' || typeof n.value !== 'number' || n.value < 1)
          throw err('OVER_CALL', 'NTILE needs a positive integer constant', c.span);
        return { kind: 'NTILE', buckets: n.value, type: T.int(false) };
      }
      if (args.length > 0) throw err('OVER_CALL', `${name}() takes no arguments`, c.span);
      const type = name === 'PERCENT_RANK' || name === 'CUME_DIST' ? T.double(false) : T.bigint(false);
      return { kind: name as (typeof RANKING)[number], type };
    }
    if ((OFFSET as readonly string[]).includes(name)) {
      const arg = args[0];
      if (!arg) throw err('OVER_CALL', `${name} needs an argument`, c.span);
      const off = args[1];
      const offset = off && off.kind === 'literal' ? Number(off.value) : 1;
      const def = args[2];
      const dv = def ? (def.kind === 'literal' ? def.value : null) : null;
      return {
        kind: name as 'LAG' | 'LEAD',
        arg: position(arg),
        offset,
        default: dv,
        type: withTimeAttribute({ ...arg.type, nullable: true }, undefined),
      };
    }
    if ((VALUE as readonly string[]).includes(name) && args.length === 1) {
      const arg = args[0] as BoundExpr;
      return {
        kind: name as 'FIRST_VALUE' | 'LAST_VALUE',
        arg: position(arg),
        type: withTimeAttribute({ ...arg.type, nullable: true }, undefined),
      };
    }
    const def = registry.lookupAggregate(name);
    if (!def) throw err('FUNCTION_NOT_FOUND', `${name} is not an aggregate or window function`, c.span);
    let fn: ResolvedAggregate;
    try {
      fn = def.resolve(
        args.map((a) => a.type),
        fnContext as never,
      );
    } catch (e) {
      if (e instanceof RivuletError && !e.span) throw err(e.code, e.message, c.span);
      throw e;
    }
    return { kind: 'AGGREGATE', name, fn, args: args.map(position), type: fn.resultType };
  });
  const preFields: Field[] = pre.map((e, i) =>
    i < input.fields.length ? (input.fields[i] as Field) : { name: `$over${i}`, type: e.type },
  );
  const projected: RelNode =
    pre.length === input.fields.length
      ? input.rel
      : { kind: 'project', input: input.rel, exprs: pre, fields: preFields };
  const fields: Field[] = [...preFields, ...specsOut.map((s, i) => ({ name: `$w${i}`, type: s.type }))];
  const rel: OverRel = {
    kind: 'over',
    input: projected,
    partitionKeys,
    orderKeys,
    frame,
    calls: specsOut,
    fields,
  };
  const results = new Map<FunctionCall, BoundExpr>();
  calls.forEach((c, i) => {
    const f = fields[preFields.length + i] as Field;
    results.set(c, inputRef(preFields.length + i, f.type, functionName(c).toUpperCase()));
  });
  return { rel, results };
}

/** Top-N or deduplication: a filter on the row number of an `over` node (see the file comment). */
export interface RankFilter {
  readonly over: OverRel;
  /** The projection between filter and over node, if any. */
  readonly project: Extract<RelNode, { kind: 'project' }> | undefined;
  readonly rankStart: number;
  readonly rankEnd: number;
  /** Deduplication: rank 1 only, ordered by a time attribute. */
  readonly dedup:
    | { readonly keepLast: boolean; readonly time: 'rowtime' | 'proctime'; readonly timeIndex: number }
    | undefined;
}

export function rankFilter(filter: Extract<RelNode, { kind: 'filter' }>): RankFilter | undefined {
  let input = filter.input;
  let project: Extract<RelNode, { kind: 'project' }> | undefined;
  if (input.kind === 'project') {
    project = input;
    input = input.input;
  }
  if (input.kind !== 'over') return undefined;
  const over = input;
  if (over.calls.length !== 1 || over.calls[0]?.kind !== 'ROW_NUMBER' || over.orderKeys.length === 0)
    return undefined;
  const rnColumn = over.fields.length - 1;
  const isRn = (e: BoundExpr): boolean => {
    if (e.kind !== 'input') return false;
    if (!project) return e.index === rnColumn;
    const p = project.exprs[e.index];
    return p?.kind === 'input' && p.index === rnColumn;
  };
  const constant = (e: BoundExpr): number | undefined =>
    e.kind === 'literal' && (typeof e.value === 'number' || typeof e.value === 'bigint')
      ? Number(e.value)
      : undefined;
  let lo = 1;
  let hi = Infinity;
  const conds = filter.condition.kind === 'and' ? filter.condition.args : [filter.condition];
  for (const c of conds) {
    if (c.kind !== 'call' || c.args.length !== 2) return undefined;
    const [a, b] = c.args as [BoundExpr, BoundExpr];
    let op = c.name;
    // Normalise to `rn op n`; `n op rn` flips the comparison.
    const flipped = !isRn(a);
    const n = flipped ? (isRn(b) ? constant(a) : undefined) : constant(b);
    if (n === undefined) return undefined;
    if (flipped) op = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' }[op] ?? op;
    if (op === '<=') hi = Math.min(hi, n);
    else if (op === '<') hi = Math.min(hi, n - 1);
    else if (op === '>=') lo = Math.max(lo, n);
    else if (op === '>') lo = Math.max(lo, n + 1);
    else if (op === '=') {
      lo = Math.max(lo, n);
      hi = Math.min(hi, n);
    } else return undefined;
  }
  if (!Number.isFinite(hi)) return undefined;
  let dedup: RankFilter['dedup'];
  const order = over.orderKeys[0] as SortKey;
  const orderField = over.fields[order.index] as Field;
  if (lo === 1 && hi === 1 && over.orderKeys.length === 1 && orderField.type.timeAttribute) {
    dedup = {
      keepLast: order.descending,
      time: orderField.type.timeAttribute === 'ROWTIME' ? 'rowtime' : 'proctime',
      timeIndex: order.index,
    };
  }
  return { over, project, rankStart: lo, rankEnd: hi, dedup };
}

/** Whether an over node can run as a streaming OVER aggregation (rule 2). */
export function streamingOver(over: OverRel):
  | {
      time: 'rowtime' | 'proctime';
      timeIndex: number;
      preceding: number | 'unbounded';
      mode: 'rows' | 'range';
    }
  | undefined {
  if (over.orderKeys.length !== 1) return undefined;
  const order = over.orderKeys[0] as SortKey;
  const t = (over.fields[order.index] as Field).type.timeAttribute;
  if (!t || order.descending) return undefined;
  if (!over.calls.every((c) => c.kind === 'AGGREGATE')) return undefined;
  const f = over.frame;
  if (f && f.end.kind !== 'currentRow') return undefined;
  const start = f?.start ?? { kind: 'unboundedPreceding' as const };
  const preceding =
    start.kind === 'unboundedPreceding'
      ? 'unbounded'
      : start.kind === 'preceding'
        ? start.offset
        : start.kind === 'currentRow'
          ? 0
          : undefined;
  if (preceding === undefined) return undefined;
  return {
    time: t === 'ROWTIME' ? 'rowtime' : 'proctime',
    timeIndex: order.index,
    preceding,
    mode: f?.mode ?? 'range',
  };
}

const RANGE_OFFSET_KINDS = new Set([
  'TINYINT',
  'SMALLINT',
  'INT',
  'BIGINT',
  'FLOAT',
  'DOUBLE',
  'TIME',
  'TIMESTAMP',
  'TIMESTAMP_LTZ',
]);

/**
 * Whether an over node can run over an updating (retract) input: aggregates only, ORDER BY, a frame
 * that contains the current row, and for a RANGE frame with an offset one numeric or time ORDER BY key.
 */
export function updatingOver(over: OverRel): boolean {
  if (over.orderKeys.length === 0 || !over.calls.every((c) => c.kind === 'AGGREGATE')) return false;
  const f = over.frame;
  if (!f) return true;
  const startOk =
    f.start.kind === 'unboundedPreceding' || f.start.kind === 'preceding' || f.start.kind === 'currentRow';
  const endOk =
    f.end.kind === 'unboundedFollowing' || f.end.kind === 'following' || f.end.kind === 'currentRow';
  if (!startOk || !endOk) return false;
  const offset = f.start.kind === 'preceding' || f.end.kind === 'following';
  if (f.mode === 'range' && offset) {
    if (over.orderKeys.length !== 1) return false;
    const t = (over.fields[(over.orderKeys[0] as SortKey).index] as Field).type.kind;
    // Values the operator can subtract an offset from as numbers (DECIMAL is scaled, DATE counts days).
    return RANGE_OFFSET_KINDS.has(t);
  }
  return true;
}
