/**
 * Window table functions in the FROM clause, and the recognition of an aggregation over one
 * (`GROUP BY window_start, window_end, ...`): such an aggregation fires once per window when the
 * watermark passes its end, so its output is append-only, unlike a regular group aggregation.
 */

import { T, typeToString, withTimeAttribute } from '../catalog/types.ts';
import { RivuletError, type Span } from '../common/errors.ts';
import type { Expr, TableFunctionArg, TableFunctionRef } from '../parser/ast.ts';
import type { ExprBinder } from './bind-expr.ts';
import type { AggregateRel, Field, ProjectRel, RelNode, UnionRel, WindowTvfRel } from './logical.ts';
import type { Scope } from './scope.ts';

export const WINDOW_FUNCTIONS = ['TUMBLE', 'HOP', 'CUMULATE', 'SESSION'] as const;
export type WindowFunction = (typeof WINDOW_FUNCTIONS)[number];

/** Positional parameter names of each window TVF after DATA and TIMECOL. */
const PARAMS: Record<WindowFunction, readonly string[]> = {
  TUMBLE: ['SIZE', 'OFFSET'],
  HOP: ['SLIDE', 'SIZE', 'OFFSET'],
  CUMULATE: ['STEP', 'SIZE', 'OFFSET'],
  SESSION: ['GAP'],
};

export function isWindowFunction(name: string): name is WindowFunction {
  return (WINDOW_FUNCTIONS as readonly string[]).includes(name);
}

function err(code: string, message: string, span: Span): RivuletError {
  return new RivuletError('plan', code, message, span);
}

/** Sorts a window TVF's arguments into DATA, TIMECOL and the interval parameters by name. */
export function windowArguments(ref: TableFunctionRef, fn: WindowFunction): Map<string, TableFunctionArg> {
  const names = ['DATA', 'TIMECOL', ...PARAMS[fn]];
  const out = new Map<string, TableFunctionArg>();
  ref.args.forEach((a, i) => {
    const name = a.name ? a.name.text.toUpperCase() : names[i];
    if (!name || !names.includes(name)) {
      throw err(
        'WINDOW_ARGUMENT',
        `${fn} takes (${names.join(', ')}); unexpected argument ${a.name ? `'${a.name.text}'` : `#${i + 1}`}`,
        a.span,
      );
    }
    if (out.has(name)) throw err('WINDOW_ARGUMENT', `${fn}: argument ${name} given twice`, a.span);
    out.set(name, a);
  });
  for (const required of names.filter((n) => n !== 'OFFSET')) {
    if (!out.has(required))
      throw err('WINDOW_ARGUMENT', `${fn} needs the argument ${required} (${names.join(', ')})`, ref.span);
  }
  return out;
}

/** Binds an interval argument to milliseconds. */
export function intervalMs(binder: ExprBinder, arg: TableFunctionArg, what: string): number {
  const v = arg.value;
  if (v.kind === 'tableArgument')
    throw err('WINDOW_ARGUMENT', `${what} must be an interval, not a table`, arg.span);
  const e = binder.bind(v as Expr);
  if (e.kind !== 'literal' || e.type.kind !== 'INTERVAL_DAY_TIME' || typeof e.value !== 'number') {
    throw err(
      'WINDOW_ARGUMENT',
      `${what} must be a constant day-time interval such as INTERVAL '10' MINUTE, found ${typeToString(e.type)}`,
      arg.span,
    );
  }
  if (e.value <= 0) throw err('WINDOW_ARGUMENT', `${what} must be positive`, arg.span);
  return e.value;
}

/** Builds the TVF node over the bound DATA input once the time column and intervals are known. */
export function windowTvf(
  fn: WindowFunction,
  input: { rel: RelNode; fields: readonly Field[] },
  timeIndex: number,
  intervals: Map<string, number>,
  partitionKeys: number[],
  span: Span,
): WindowTvfRel {
  const time = input.fields[timeIndex] as Field;
  if (!time.type.timeAttribute) {
    throw err(
      'WINDOW_TIME_ATTRIBUTE',
      `The window function ${fn} requires DESCRIPTOR(${time.name}) to be a time attribute (a column with a WATERMARK, or PROCTIME()), but its type is ${typeToString(time.type)}`,
      span,
    );
  }
  const get = (k: string) => intervals.get(k) as number;
  const offset = intervals.get('OFFSET');
  const window: WindowTvfRel['window'] =
    fn === 'TUMBLE'
      ? { kind: 'tumble', size: get('SIZE'), ...(offset !== undefined ? { offset } : {}) }
      : fn === 'HOP'
        ? { kind: 'hop', slide: get('SLIDE'), size: get('SIZE'), ...(offset !== undefined ? { offset } : {}) }
        : fn === 'CUMULATE'
          ? {
              kind: 'cumulate',
              step: get('STEP'),
              size: get('SIZE'),
              ...(offset !== undefined ? { offset } : {}),
            }
          : { kind: 'session', gap: get('GAP') };
  if (window.kind === 'cumulate' && window.size % window.step !== 0) {
    throw err('WINDOW_ARGUMENT', `CUMULATE size must be a whole multiple of its step`, span);
  }
  if (window.kind === 'hop' && window.size % window.slide !== 0) {
    throw err('WINDOW_ARGUMENT', `HOP size must be a whole multiple of its slide`, span);
  }
  const precision = 3;
  const fields: Field[] = [
    ...input.fields,
    { name: 'window_start', type: T.timestamp(precision, false) },
    { name: 'window_end', type: T.timestamp(precision, false) },
    { name: 'window_time', type: withTimeAttribute(T.timestamp(precision, false), 'ROWTIME') },
  ];
  return { kind: 'windowTvf', input: input.rel, window, timeIndex, partitionKeys, fields };
}

/** An aggregation over a window TVF, grouped by its window_start and window_end. */
export interface WindowAggregation {
  readonly tvf: WindowTvfRel;
  /** Positions, in the aggregate's input row, of window_start and window_end. */
  readonly startKey: number;
  readonly endKey: number;
}

/**
 * Whether `agg` groups by the window bounds of a window TVF below it, through projections and
 * filters (the aggregation's pre-projection, views and subqueries over the TVF).
 */
export function windowAggregation(agg: AggregateRel): WindowAggregation | undefined {
  let input = agg.input;
  let map = (i: number): number | undefined => i;
  for (;;) {
    if (input.kind === 'project') {
      const exprs = input.exprs;
      const outer = map;
      map = (i) => {
        const j = outer(i);
        const e = j === undefined ? undefined : exprs[j];
        return e?.kind === 'input' ? e.index : undefined;
      };
      input = input.input;
    } else if (input.kind === 'filter') {
      // A filter keeps its input's columns in place (a Top-N filter sits on an OVER node, which
      // ends the search below).
      input = input.input;
    } else break;
  }
  if (input.kind !== 'windowTvf') return undefined;
  const width = input.fields.length;
  let startKey: number | undefined;
  let endKey: number | undefined;
  for (const k of agg.groupKeys) {
    const src = map(k);
    if (src === width - 3) startKey = k;
    if (src === width - 2) endKey = k;
  }
  if (startKey === undefined || endKey === undefined) return undefined;
  return { tvf: input, startKey, endKey };
}

/**
 * GROUPING SETS / ROLLUP / CUBE over a window TVF. The binder plans grouping sets as a UNION ALL of
 * one aggregation per set over one shared input, each padded by a projection (NULL for rolled-up
 * keys, GROUPING() values as constants). When every branch is a window aggregation over that same
 * input, with the same aggregates and distinct sets, one window aggregate can compute all sets at
 * once (reading the input once), and each branch's projection is applied to its set's rows.
 */
export interface WindowGroupingSets {
  readonly input: RelNode;
  readonly startKey: number;
  readonly endKey: number;
  /** Every group key of any set except the window bounds, ascending. */
  readonly keys: readonly number[];
  readonly branches: readonly { readonly agg: AggregateRel; readonly project: ProjectRel }[];
}

export function windowGroupingSets(union: UnionRel): WindowGroupingSets | undefined {
  const branches: { agg: AggregateRel; project: ProjectRel }[] = [];
  for (const i of union.inputs) {
    if (i.kind !== 'project' || i.input.kind !== 'aggregate') return undefined;
    branches.push({ agg: i.input, project: i });
  }
  const first = branches[0];
  if (!first || branches.length < 2) return undefined;
  const w = windowAggregation(first.agg);
  if (!w) return undefined;
  const seen = new Set<string>();
  const keys = new Set<number>();
  for (const b of branches) {
    if (b.agg.input !== first.agg.input || b.agg.aggs !== first.agg.aggs) return undefined;
    const wb = windowAggregation(b.agg);
    if (!wb || wb.startKey !== w.startKey || wb.endKey !== w.endKey) return undefined;
    const set = b.agg.groupKeys.filter((k) => k !== w.startKey && k !== w.endKey);
    const text = [...set].sort((x, y) => x - y).join(',');
    // A set listed twice must give its rows twice, as the UNION does: leave that to the UNION.
    if (seen.has(text)) return undefined;
    seen.add(text);
    for (const k of set) keys.add(k);
  }
  return {
    input: first.agg.input,
    startKey: w.startKey,
    endKey: w.endKey,
    keys: [...keys].sort((x, y) => x - y),
    branches,
  };
}

export type { Scope };
