/**
 * Shared helpers for the MATCH_RECOGNIZE tests: a collecting output, an operator context, small
 * aggregate functions, and a letter-based spec builder for preference-order cases (rows are
 * `[id, letter, ts]`, one partition, ALL ROWS PER MATCH with CLASSIFIER and MATCH_NUMBER).
 */
import type {
  AggregateFunction,
  Collector,
  OperatorContext,
  Row,
  RowKind,
  Value,
} from '../../../operators/api.ts';
import { RowKind as RK } from '../../../operators/api.ts';
import { MatchRecognize } from '../../../operators/match/operator.ts';
import {
  type AfterMatchSkip,
  type AggregateCall,
  type MatchContext,
  type MatchSpec,
  type MeasureSpec,
  type PatternNode,
  type RowsPerMatch,
  type SubsetSpec,
  variableIndex,
} from '../../../operators/match/spec.ts';

export class Collect implements Collector {
  readonly rows: Row[] = [];
  readonly kinds: RowKind[] = [];
  readonly watermarks: number[] = [];
  ended = 0;
  push(kind: RowKind, row: Row): void {
    this.kinds.push(kind);
    this.rows.push(row);
  }
  watermark(ts: number): void {
    this.watermarks.push(ts);
  }
  end(): void {
    this.ended++;
  }
}

export function testContext(): OperatorContext & { metrics: Map<string, number> } {
  const metrics = new Map<string, number>();
  return {
    jobName: 'test',
    operatorId: '1:MatchRecognize',
    now: () => 0,
    count: (m: string, by = 1) => {
      metrics.set(m, (metrics.get(m) ?? 0) + by);
    },
    metrics,
  };
}

/** Opens `spec` as an operator with a fresh collector. */
export function openOperator(spec: MatchSpec, timedOut?: Collect) {
  const op = new MatchRecognize(spec, timedOut ? { timedOut } : {});
  const out = new Collect();
  const ctx = testContext();
  op.open(ctx, out);
  return { op, out, ctx };
}

/** Runs a bounded input through the operator: all rows, then +Infinity and end of input. */
export function runBounded(spec: MatchSpec, rows: readonly Row[]): Row[] {
  const { op, out } = openOperator(spec);
  for (const r of rows) op.process(RK.INSERT, r, 0);
  op.processWatermark(Infinity, 0);
  op.endInput(0);
  return out.rows;
}

// ---- aggregates ------------------------------------------------------------------------------

export const SUM: AggregateFunction<{ s: number; n: number }, number | null> = {
  create: () => ({ s: 0, n: 0 }),
  accumulate: (acc, x) => {
    if (x !== null) {
      acc.s += x as number;
      acc.n++;
    }
    return acc;
  },
  getValue: (acc) => (acc.n === 0 ? null : acc.s),
};

export const COUNT: AggregateFunction<{ n: number }, number> = {
  create: () => ({ n: 0 }),
  accumulate: (acc, ...args) => {
    if (args.length === 0 || args[0] !== null) acc.n++;
    return acc;
  },
  getValue: (acc) => acc.n,
};

export const AVG: AggregateFunction<{ s: number; n: number }, number | null> = {
  create: () => ({ s: 0, n: 0 }),
  accumulate: (acc, x) => {
    if (x !== null) {
      acc.s += x as number;
      acc.n++;
    }
    return acc;
  },
  getValue: (acc) => (acc.n === 0 ? null : acc.s / acc.n),
};

/** An immutable accumulator, as a UDAF may have: accumulate returns a new one. */
export const ARRAY_AGG: AggregateFunction<readonly Value[], Value[] | null> = {
  create: () => [],
  accumulate: (acc, x) => [...acc, x],
  getValue: (acc) => (acc.length === 0 ? null : [...acc]),
};

export function aggCall(
  fn: AggregateFunction,
  variable: number | null,
  column: number | null,
  semantics: 'RUNNING' | 'FINAL' = 'RUNNING',
): AggregateCall {
  return {
    fn: fn as AggregateFunction,
    variable,
    semantics,
    args: column === null ? () => [] : (ctx: MatchContext, ref: number) => [ctx.get(ref, column)],
  };
}

// ---- letter specs ----------------------------------------------------------------------------

/** Rows `[id, letter, ts]` from a string, ts = id * 1000. */
export function letterRows(s: string): Row[] {
  return [...s].map((ch, i) => [i, ch, i * 1000]);
}

export interface LetterOptions {
  rowsPerMatch?: RowsPerMatch;
  skip?: (spec: Pick<MatchSpec, 'variables' | 'subsets'>) => AfterMatchSkip;
  subsets?: SubsetSpec[];
  measures?: (spec: Pick<MatchSpec, 'variables' | 'subsets'>) => MeasureSpec[];
  withinMs?: number;
}

/**
 * A spec over letter rows: each variable matches the rows whose letter is in its string (null: any
 * row). Default output: ALL ROWS PER MATCH with measures `cls` (CLASSIFIER) and `mn` (MATCH_NUMBER).
 */
export function letterSpec(
  pattern: PatternNode,
  defs: Record<string, string | null>,
  opts: LetterOptions = {},
): MatchSpec {
  const variables = Object.entries(defs).map(([name, letters]) => ({
    name,
    define:
      letters === null ? null : (ctx: MatchContext) => letters.includes(ctx.get(ctx.current(), 1) as string),
  }));
  const base = { variables, subsets: opts.subsets ?? [] };
  return {
    pattern,
    ...base,
    measures: opts.measures
      ? opts.measures(base)
      : [
          { name: 'cls', fn: (c) => c.classifier() },
          { name: 'mn', fn: (c) => c.matchNumber() },
        ],
    partitionBy: [],
    order: {
      kind: 'bounded',
      compare: (a, b) => (a[0] as number) - (b[0] as number),
      rowtime: (r) => r[2] as number,
    },
    rowsPerMatch: opts.rowsPerMatch ?? 'ALL_SHOW_EMPTY',
    afterMatchSkip: opts.skip ? opts.skip(base) : { kind: 'PAST_LAST_ROW' },
    withinMs: opts.withinMs ?? null,
    maxLookback: 0,
    maxLookahead: 0,
  };
}

/** ALL ROWS output of a letter spec as `id:CLASSIFIER#match` strings (`-` for null). */
export function allRows(rows: readonly Row[]): string[] {
  return rows.map((r) => `${r[0]}:${r[3] ?? '-'}#${r[4] ?? '-'}`);
}

export { variableIndex };
