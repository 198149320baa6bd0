/**
 * Bound expressions: the planner's typed form of SQL expressions, after name resolution and function
 * resolution. Column references are positions in the input row. `compile.ts` turns them into
 * JavaScript functions once per query.
 */
import type { ResolvedScalar } from '../catalog/functions/registry.ts';
import { type LogicalType, T } from '../catalog/types.ts';
import type { Value } from '../operators/api.ts';

export type BoundExpr =
  | InputRef
  | Literal
  | Call
  | AndOr
  | Not
  | IsNull
  | IsBool
  | Case
  | Cast
  | InList
  | FieldGet
  | ProcTime
  | CurrentWatermark;

export interface InputRef {
  readonly kind: 'input';
  readonly index: number;
  readonly type: LogicalType;
  /** The column's name, for printing plans. */
  readonly name: string;
}

export interface Literal {
  readonly kind: 'literal';
  readonly value: Value;
  readonly type: LogicalType;
}

/** A scalar function or operator resolved for its argument types. */
export interface Call {
  readonly kind: 'call';
  readonly name: string;
  readonly fn: ResolvedScalar;
  readonly args: readonly BoundExpr[];
  readonly type: LogicalType;
}

/** Three-valued AND / OR (kept apart from calls so they can short-circuit). */
export interface AndOr {
  readonly kind: 'and' | 'or';
  readonly args: readonly BoundExpr[];
  readonly type: LogicalType;
}

export interface Not {
  readonly kind: 'not';
  readonly arg: BoundExpr;
  readonly type: LogicalType;
}

export interface IsNull {
  readonly kind: 'isNull';
  readonly arg: BoundExpr;
  readonly negated: boolean;
  readonly type: LogicalType;
}

/** `x IS [NOT] TRUE|FALSE`. */
export interface IsBool {
  readonly kind: 'isBool';
  readonly arg: BoundExpr;
  readonly value: boolean;
  readonly negated: boolean;
  readonly type: LogicalType;
}

export interface Case {
  readonly kind: 'case';
  readonly whens: readonly { readonly when: BoundExpr; readonly result: BoundExpr }[];
  readonly else: BoundExpr;
  readonly type: LogicalType;
}

export interface Cast {
  readonly kind: 'cast';
  readonly arg: BoundExpr;
  readonly fn: (v: Value) => Value;
  readonly try: boolean;
  readonly type: LogicalType;
}

/** `x [NOT] IN (literals...)` with a precomputed set (non-literal lists become OR chains). */
export interface InList {
  readonly kind: 'inList';
  readonly arg: BoundExpr;
  readonly keys: ReadonlySet<Value>;
  readonly hasNull: boolean;
  readonly negated: boolean;
  readonly type: LogicalType;
}

/** A ROW field by position. */
export interface FieldGet {
  readonly kind: 'fieldGet';
  readonly arg: BoundExpr;
  readonly field: number;
  readonly name: string;
  readonly type: LogicalType;
}

/** PROCTIME(): the processing time when the row is evaluated. */
export interface ProcTime {
  readonly kind: 'proctime';
  readonly type: LogicalType;
}

/**
 * CURRENT_WATERMARK(rowtime): the watermark of the evaluating operator's input when the row is
 * evaluated; NULL before the first watermark. Only a Calc can evaluate it (it tracks the watermark).
 */
export interface CurrentWatermark {
  readonly kind: 'currentWatermark';
  /** The rowtime attribute named in the call (kept for printing and remapping). */
  readonly arg: BoundExpr;
  readonly type: LogicalType;
}

/** Whether an expression reads CURRENT_WATERMARK (it must then run where the watermark is known). */
export function readsWatermark(e: BoundExpr): boolean {
  switch (e.kind) {
    case 'currentWatermark':
      return true;
    case 'input':
    case 'literal':
    case 'proctime':
      return false;
    case 'call':
    case 'and':
    case 'or':
      return e.args.some(readsWatermark);
    case 'case':
      return (
        e.whens.some((w) => readsWatermark(w.when) || readsWatermark(w.result)) || readsWatermark(e.else)
      );
    default:
      return readsWatermark(e.arg);
  }
}

export const literal = (value: Value, type: LogicalType): Literal => ({ kind: 'literal', value, type });
export const inputRef = (index: number, type: LogicalType, name: string): InputRef => ({
  kind: 'input',
  index,
  type,
  name,
});
export const TRUE = literal(true, T.boolean(false));

/** Whether an expression's value can change between evaluations with the same input (no folding). */
export function isDeterministic(e: BoundExpr): boolean {
  switch (e.kind) {
    case 'proctime':
    case 'currentWatermark':
      return false;
    case 'call':
      return e.fn.deterministic && e.args.every(isDeterministic);
    case 'input':
    case 'literal':
      return true;
    case 'and':
    case 'or':
      return e.args.every(isDeterministic);
    case 'case':
      return (
        e.whens.every((w) => isDeterministic(w.when) && isDeterministic(w.result)) && isDeterministic(e.else)
      );
    default:
      return isDeterministic(e.arg);
  }
}

/** Every input position an expression reads. */
export function inputsOf(e: BoundExpr, into = new Set<number>()): Set<number> {
  switch (e.kind) {
    case 'input':
      into.add(e.index);
      break;
    case 'literal':
    case 'proctime':
      break;
    case 'call':
    case 'and':
    case 'or':
      for (const a of e.args) inputsOf(a, into);
      break;
    case 'case':
      for (const w of e.whens) {
        inputsOf(w.when, into);
        inputsOf(w.result, into);
      }
      inputsOf(e.else, into);
      break;
    default:
      inputsOf(e.arg, into);
  }
  return into;
}

/** Rewrites input references (for pushing expressions through projections and joins). */
export function mapInputs(e: BoundExpr, f: (ref: InputRef) => BoundExpr): BoundExpr {
  switch (e.kind) {
    case 'input':
      return f(e);
    case 'literal':
    case 'proctime':
      return e;
    case 'call':
      return { ...e, args: e.args.map((a) => mapInputs(a, f)) };
    case 'and':
    case 'or':
      return { ...e, args: e.args.map((a) => mapInputs(a, f)) };
    case 'case':
      return {
        ...e,
        whens: e.whens.map((w) => ({ when: mapInputs(w.when, f), result: mapInputs(w.result, f) })),
        else: mapInputs(e.else, f),
      };
    default:
      return { ...e, arg: mapInputs(e.arg, f) };
  }
}

/** Splits a predicate into its AND-ed conjuncts. */
export function conjuncts(e: BoundExpr): BoundExpr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/** Prints an expression for EXPLAIN, Flink style: `>(price, 10)`, `$2`. */
export function exprToString(e: BoundExpr): string {
  switch (e.kind) {
    case 'input':
      return e.name;
    case 'literal':
      return e.value === null
        ? 'null'
        : typeof e.value === 'string'
          ? `'${e.value.replace(/'/g, "''")}'`
          : String(e.value);
    case 'call':
      return `${e.name}(${e.args.map(exprToString).join(', ')})`;
    case 'and':
    case 'or':
      return `${e.kind.toUpperCase()}(${e.args.map(exprToString).join(', ')})`;
    case 'not':
      return `NOT(${exprToString(e.arg)})`;
    case 'isNull':
      return `IS ${e.negated ? 'NOT ' : ''}NULL(${exprToString(e.arg)})`;
    case 'isBool':
      return `IS ${e.negated ? 'NOT ' : ''}${e.value ? 'TRUE' : 'FALSE'}(${exprToString(e.arg)})`;
    case 'case':
      return `CASE(${e.whens.map((w) => `${exprToString(w.when)}, ${exprToString(w.result)}`).join(', ')}, ${exprToString(e.else)})`;
    case 'cast':
      return `${e.try ? 'TRY_CAST' : 'CAST'}(${exprToString(e.arg)})`;
    case 'inList':
      return `${e.negated ? 'NOT ' : ''}IN(${exprToString(e.arg)}, ${[...e.keys].map(String).join(', ')})`;
    case 'fieldGet':
      return `${exprToString(e.arg)}.${e.name}`;
    case 'proctime':
      return 'PROCTIME()';
    case 'currentWatermark':
      return `CURRENT_WATERMARK(${exprToString(e.arg)})`;
  }
}
