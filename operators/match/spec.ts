/**
 * The plan-level description of one MATCH_RECOGNIZE, as the planner hands it to the operator.
 * Operators never see the AST: the planner translates the parsed clause into a `MatchSpec` whose
 * row pattern is the small IR below and whose DEFINE conditions and MEASURES are JavaScript
 * functions over a `MatchContext` (the planner compiles SQL expressions into calls on it).
 *
 * Variables are referred to by number (a `VarRef`): primary pattern variables are numbered in the
 * order of `MatchSpec.variables` (0, 1, ...), union variables (SUBSET) follow them in the order of
 * `MatchSpec.subsets`; `null` is the universal row pattern variable (every row of the match).
 * `variableIndex(spec, name)` turns a name into its number at plan time.
 *
 * @example
 * // PATTERN (START DOWN+ UP+) DEFINE DOWN AS price < PREV(price), UP AS price > PREV(price)
 * const price = (ctx: MatchContext, ref: RowRef | null) => ctx.get(ref, 1) as number | null;
 * const spec: MatchSpec = {
 *   pattern: Pattern.concat(Pattern.v('START'), Pattern.plus(Pattern.v('DOWN')), Pattern.plus(Pattern.v('UP'))),
 *   variables: [
 *     { name: 'START', define: null },
 *     { name: 'DOWN', define: (c) => lt(price(c, c.current()), price(c, c.physical(c.current(), -1))) },
 *     { name: 'UP', define: (c) => gt(price(c, c.current()), price(c, c.physical(c.current(), -1))) },
 *   ],
 *   subsets: [],
 *   measures: [{ name: 'bottom', fn: (c) => c.get(c.nav(1, 'LAST', 0, 'FINAL'), 2) }],
 *   partitionBy: [0],
 *   order: { kind: 'rowtime', rowtime: (r) => r[2] as number },
 *   rowsPerMatch: 'ONE',
 *   afterMatchSkip: { kind: 'PAST_LAST_ROW' },
 *   maxLookback: 1,
 *   maxLookahead: 0,
 * };
 */
import { RivuletError } from '../../common/errors.ts';
import type { AggregateFunction, Row, Value } from '../api.ts';

// ---------------------------------------------------------------------------------------------
// Row pattern IR
// ---------------------------------------------------------------------------------------------

/** One node of a row pattern. */
export type PatternNode =
  | { readonly kind: 'var'; readonly name: string }
  | { readonly kind: 'concat'; readonly items: readonly PatternNode[] }
  | { readonly kind: 'alt'; readonly items: readonly PatternNode[] }
  | {
      readonly kind: 'quant';
      readonly item: PatternNode;
      readonly min: number;
      /** `Infinity` for no upper bound. */
      readonly max: number;
      readonly reluctant: boolean;
    }
  | { readonly kind: 'permute'; readonly items: readonly PatternNode[] }
  | { readonly kind: 'exclude'; readonly item: PatternNode }
  | { readonly kind: 'empty' }
  | { readonly kind: 'anchor'; readonly which: 'start' | 'end' };

export type PatternKind = PatternNode['kind'];

/** Constructors for pattern nodes, so plans and tests read like the SQL they come from. */
export const Pattern = {
  v: (name: string): PatternNode => ({ kind: 'var', name }),
  concat: (...items: PatternNode[]): PatternNode => ({ kind: 'concat', items }),
  alt: (...items: PatternNode[]): PatternNode => ({ kind: 'alt', items }),
  quant: (item: PatternNode, min: number, max: number, reluctant = false): PatternNode => ({
    kind: 'quant',
    item,
    min,
    max,
    reluctant,
  }),
  star: (item: PatternNode, reluctant = false): PatternNode => Pattern.quant(item, 0, Infinity, reluctant),
  plus: (item: PatternNode, reluctant = false): PatternNode => Pattern.quant(item, 1, Infinity, reluctant),
  opt: (item: PatternNode, reluctant = false): PatternNode => Pattern.quant(item, 0, 1, reluctant),
  permute: (...items: PatternNode[]): PatternNode => ({ kind: 'permute', items }),
  exclude: (item: PatternNode): PatternNode => ({ kind: 'exclude', item }),
  empty: (): PatternNode => ({ kind: 'empty' }),
  start: (): PatternNode => ({ kind: 'anchor', which: 'start' }),
  end: (): PatternNode => ({ kind: 'anchor', which: 'end' }),
} as const;

/** The pattern in SQL syntax, e.g. `A B*? (C | D){2,3} {- E -} PERMUTE(F, G)`. */
export function formatPattern(p: PatternNode): string {
  switch (p.kind) {
    case 'var':
      return p.name;
    case 'empty':
      return '()';
    case 'anchor':
      return p.which === 'start' ? '^' : '$';
    case 'concat':
      return p.items.map((i) => (i.kind === 'alt' ? `(${formatPattern(i)})` : formatPattern(i))).join(' ');
    case 'alt':
      return p.items.map(formatPattern).join(' | ');
    case 'permute':
      return `PERMUTE(${p.items.map(formatPattern).join(', ')})`;
    case 'exclude':
      return `{- ${formatPattern(p.item)} -}`;
    case 'quant': {
      const inner = p.item;
      const atom =
        inner.kind === 'var' || inner.kind === 'permute' || inner.kind === 'exclude' || inner.kind === 'empty'
          ? formatPattern(inner)
          : `(${formatPattern(inner)})`;
      let q: string;
      if (p.min === 0 && p.max === Infinity) q = '*';
      else if (p.min === 1 && p.max === Infinity) q = '+';
      else if (p.min === 0 && p.max === 1) q = '?';
      else if (p.min === p.max) q = `{${p.min}}`;
      else if (p.max === Infinity) q = `{${p.min},}`;
      else q = `{${p.min},${p.max}}`;
      return `${atom}${q}${p.reluctant ? '?' : ''}`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The match context: what DEFINE conditions and MEASURES are evaluated against
// ---------------------------------------------------------------------------------------------

/**
 * A row of the partition, by its absolute position in the partition's order (0 = first row ever).
 * Physical navigation is arithmetic on it; `ctx.get(ref, column)` reads a value.
 */
export type RowRef = number;

/** A pattern variable by number (see the file comment); `null` is the universal variable. */
export type VarRef = number | null;

/** RUNNING: the match as far as the current row. FINAL: the whole match (MEASURES only). */
export type Semantics = 'RUNNING' | 'FINAL';

/**
 * An aggregate inside DEFINE or MEASURES, e.g. `SUM(A.price)`, `COUNT(*)`, `AVG(B.price - PREV(B.price))`.
 * Create one object per call site at plan time: contexts may cache per call site.
 */
export interface AggregateCall {
  readonly fn: AggregateFunction;
  /** Aggregate over the rows mapped to this variable (null: all rows of the match). */
  readonly variable: VarRef;
  readonly semantics: Semantics;
  /** The argument values for one row of the aggregated set (`[]` for COUNT(*)). */
  readonly args: (ctx: MatchContext, ref: RowRef) => Value[];
}

/**
 * What DEFINE and MEASURES expressions are compiled against. In DEFINE the current row is the row
 * being classified, tentatively mapped to the variable being defined, and semantics are always
 * RUNNING. In MEASURES the current row is the output row (ALL ROWS PER MATCH) or the last row of the
 * match (ONE ROW PER MATCH); in an empty match there is no current row and every navigation is null.
 *
 * SQL to calls (with `price` at column 1):
 * - `price` in DEFINE, `A.price` in DEFINE A        -> `ctx.get(ctx.current(), 1)`
 * - `B.price` (RUNNING LAST(B.price))                -> `ctx.get(ctx.nav(B, 'LAST', 0), 1)`
 * - `FIRST(A.price, 2)`                              -> `ctx.get(ctx.nav(A, 'FIRST', 2), 1)`
 * - `FINAL LAST(price)`                              -> `ctx.get(ctx.nav(null, 'LAST', 0, 'FINAL'), 1)`
 * - `PREV(price, 2)` / `NEXT(price)`                 -> `ctx.get(ctx.physical(ctx.current(), -2), 1)` / `+1`
 * - `PREV(LAST(A.price, 1), 2)`                      -> `ctx.get(ctx.physical(ctx.nav(A, 'LAST', 1), -2), 1)`
 * - `CLASSIFIER()` / `CLASSIFIER(U)`                 -> `ctx.classifier()` / `ctx.classifier(ctx.nav(U, 'LAST', 0))`
 * - `MATCH_NUMBER()`                                 -> `ctx.matchNumber()`
 * - `SUM(A.price)`                                   -> `ctx.aggregate(call)` with a per-site `AggregateCall`
 */
export interface MatchContext {
  /** The current row (see above); null in an empty match. */
  current(): RowRef | null;
  /**
   * Logical navigation: the `offset`-th row mapped to `variable` counting from the first (FIRST) or
   * from the last (LAST) row, among the rows matched so far (RUNNING) or in the whole match (FINAL).
   */
  nav(variable: VarRef, which: 'FIRST' | 'LAST', offset: number, semantics?: Semantics): RowRef | null;
  /** Physical navigation (PREV: negative offset, NEXT: positive) within the partition; null outside it. */
  physical(ref: RowRef | null, offset: number): RowRef | null;
  /** The row at `ref` (null for a null reference). */
  row(ref: RowRef | null): Row | null;
  /** The value at `column` of the row at `ref` (null for a null reference). */
  get(ref: RowRef | null, column: number): Value;
  /** The rows mapped to `variable` in match order (RUNNING: up to the current row). */
  rows(variable: VarRef, semantics?: Semantics): RowRef[];
  /** How many rows are mapped to `variable`. */
  count(variable: VarRef, semantics?: Semantics): number;
  /** The primary variable the row at `ref` (default: the current row) is mapped to; null outside the match. */
  classifier(ref?: RowRef | null): string | null;
  /** The sequential number of the match within its partition, from 1 (not available in DEFINE). */
  matchNumber(): number;
  /** An aggregate over the rows of `call.variable`. */
  aggregate(call: AggregateCall): Value;
  /** The event time of the row at `ref` (for MATCH_ROWTIME); null without a rowtime order or a row. */
  rowtime(ref: RowRef | null): number | null;
}

/**
 * Computes an aggregate by recomputation over `ctx.rows(call.variable, call.semantics)`: the reference
 * way, usable by any context (contexts may do it incrementally where it is safe).
 */
export function aggregateRows(ctx: MatchContext, call: AggregateCall): Value {
  const fn = call.fn;
  let acc = fn.create();
  for (const ref of ctx.rows(call.variable, call.semantics)) acc = fn.accumulate(acc, ...call.args(ctx, ref));
  return fn.getValue(acc);
}

// ---------------------------------------------------------------------------------------------
// The spec
// ---------------------------------------------------------------------------------------------

/** A DEFINE condition: the row matches when it returns exactly `true` (null and false do not). */
export type DefineFn = (ctx: MatchContext) => unknown;
/** A MEASURES expression. */
export type MeasureFn = (ctx: MatchContext) => Value;

export interface VariableSpec {
  readonly name: string;
  /** null: the variable has no DEFINE and matches every row. */
  readonly define: DefineFn | null;
}

export interface SubsetSpec {
  readonly name: string;
  /** Names of primary variables. */
  readonly members: readonly string[];
}

export interface MeasureSpec {
  readonly name: string;
  readonly fn: MeasureFn;
}

/**
 * How rows of a partition are ordered. On a stream, by event time (the watermark makes the order
 * final) and then a tie-breaker; on a bounded input, any total order (rows are sorted at the end).
 */
export type OrderSpec =
  | {
      readonly kind: 'rowtime';
      readonly rowtime: (row: Row) => number;
      /** Orders rows with equal rowtime (ORDER BY's further columns); arrival order when absent. */
      readonly tieBreak?: (a: Row, b: Row) => number;
    }
  | {
      readonly kind: 'bounded';
      readonly compare: (a: Row, b: Row) => number;
      /** Event time of a row, if the input has one (needed for WITHIN and MATCH_ROWTIME). */
      readonly rowtime?: (row: Row) => number;
    };

/**
 * ONE: one row per match (partition columns + measures). ALL_*: every row of each match (input row +
 * measures): SHOW_EMPTY also outputs a row for an empty match, OMIT_EMPTY does not, WITH_UNMATCHED
 * shows empty matches and also outputs rows that belong to no match (measures null).
 */
export type RowsPerMatch = 'ONE' | 'ALL_SHOW_EMPTY' | 'ALL_OMIT_EMPTY' | 'ALL_WITH_UNMATCHED';

/** AFTER MATCH SKIP. `TO v` is `TO_LAST v`. The variable is a primary or a union variable. */
export type AfterMatchSkip =
  | { readonly kind: 'PAST_LAST_ROW' }
  | { readonly kind: 'TO_NEXT_ROW' }
  | { readonly kind: 'TO_FIRST'; readonly variable: number }
  | { readonly kind: 'TO_LAST'; readonly variable: number };

export interface MatchSpec {
  readonly pattern: PatternNode;
  /** Every primary variable of the pattern, each once; a VarRef below `variables.length` names one. */
  readonly variables: readonly VariableSpec[];
  /** Union variables; VarRef `variables.length + i` names `subsets[i]`. */
  readonly subsets: readonly SubsetSpec[];
  readonly measures: readonly MeasureSpec[];
  /** Input columns of PARTITION BY (none: one partition). */
  readonly partitionBy: readonly number[];
  readonly order: OrderSpec;
  readonly rowsPerMatch: RowsPerMatch;
  readonly afterMatchSkip: AfterMatchSkip;
  /** WITHIN: a match must end less than this many milliseconds (event time) after its first row. */
  readonly withinMs?: number | null;
  /**
   * The largest PREV offset anywhere (0 without PREV; `PREV(price, 2)` and `PREV(LAST(A.price, 1), 2)`
   * both give 2). Every PREV target lies at most this many rows before the first row of the match that
   * evaluates it, so older rows are freed. `Infinity` keeps every row.
   */
  readonly maxLookback: number;
  /** The largest NEXT offset anywhere: a row is classified only once this many later rows are known. */
  readonly maxLookahead: number;
}

/** The number of a variable name: primary variables first, then union variables. */
export function variableIndex(spec: Pick<MatchSpec, 'variables' | 'subsets'>, name: string): number {
  const p = spec.variables.findIndex((v) => v.name === name);
  if (p >= 0) return p;
  const s = spec.subsets.findIndex((v) => v.name === name);
  if (s >= 0) return spec.variables.length + s;
  throw new RivuletError('plan', 'MATCH_UNKNOWN_VARIABLE', `unknown pattern variable ${name}`);
}

/** The output row's width: ONE ROW: partition columns + measures; ALL ROWS: input columns + measures. */
export function outputWidth(spec: MatchSpec, inputWidth: number): number {
  return (spec.rowsPerMatch === 'ONE' ? spec.partitionBy.length : inputWidth) + spec.measures.length;
}
