/**
 * Shared helpers for the built-in scalar functions: type-family tests used by `resolve`, result
 * nullability, signature errors, the literal-aware resolution extension, and small runtime caches.
 *
 * Literal-aware resolution. A few Flink result types depend on the *value* of a constant argument
 * (ROUND(DECIMAL(p, s), d) has scale min(s, d); TIMESTAMPADD(HOUR, n, DATE) is a TIMESTAMP while
 * TIMESTAMPADD(DAY, n, DATE) stays a DATE). `ScalarFunctionDef.resolve` only sees types, so the
 * built-ins here accept an optional third parameter `literals`: `literals[i]` is the runtime value of
 * argument i when the planner knows it to be a constant, and `undefined` otherwise. The planner calls
 * `resolveScalarCall(def, argTypes, ctx, literals)` which passes them along; without literals each such
 * function falls back to a documented type that is still correct for every value.
 */
import { RivuletError } from '../../../common/errors.ts';
import type { Value } from '../../../operators/api.ts';
import { type LogicalType, T, withNullable } from '../../types.ts';
import {
  type FunctionContext,
  type ResolvedScalar,
  type ScalarFunctionDef,
  signatureError,
} from '../registry.ts';

export type Literals = readonly (Value | undefined)[];

/** A scalar definition whose `resolve` may also use constant argument values. */
export interface LiteralAwareScalarDef extends ScalarFunctionDef {
  resolve(argTypes: readonly LogicalType[], ctx: FunctionContext, literals?: Literals): ResolvedScalar;
}

/**
 * Resolves a call, handing constant argument values to definitions that use them.
 *
 * @example resolveScalarCall(registry.lookupScalar('ROUND')!, [T.decimal(10, 4), T.int()], ctx, [undefined, 2])
 */
export function resolveScalarCall(
  def: ScalarFunctionDef,
  argTypes: readonly LogicalType[],
  ctx: FunctionContext,
  literals?: Literals,
): ResolvedScalar {
  return (def as LiteralAwareScalarDef).resolve(argTypes, ctx, literals);
}

export function defineScalar(
  name: string,
  description: string,
  resolve: (argTypes: readonly LogicalType[], ctx: FunctionContext, literals: Literals) => ResolvedScalar,
): LiteralAwareScalarDef {
  return {
    name,
    description,
    resolve: (argTypes, ctx, literals) => resolve(argTypes, ctx, literals ?? []),
  };
}

/** Error for a bad call: lists what the function accepts. */
export function badCall(
  name: string,
  argTypes: readonly LogicalType[],
  accepted: readonly string[],
  detail?: string,
): RivuletError {
  return signatureError(name, argTypes, accepted, detail);
}

// ---- type families (an untyped NULL literal fits every family) ----

const isNullType = (t: LogicalType): boolean => t.kind === 'NULL';
export const isStr = (t: LogicalType): boolean => t.kind === 'CHAR' || t.kind === 'VARCHAR' || isNullType(t);
export const isBin = (t: LogicalType): boolean =>
  t.kind === 'BINARY' || t.kind === 'VARBINARY' || isNullType(t);
export const isIntegralT = (t: LogicalType): boolean =>
  t.kind === 'TINYINT' || t.kind === 'SMALLINT' || t.kind === 'INT' || t.kind === 'BIGINT' || isNullType(t);
export const isNum = (t: LogicalType): boolean =>
  isIntegralT(t) || t.kind === 'DECIMAL' || t.kind === 'FLOAT' || t.kind === 'DOUBLE';
export const isBool = (t: LogicalType): boolean => t.kind === 'BOOLEAN' || isNullType(t);
export const isDate = (t: LogicalType): boolean => t.kind === 'DATE' || isNullType(t);
export const isTime = (t: LogicalType): boolean => t.kind === 'TIME' || isNullType(t);
export const isTs = (t: LogicalType): boolean => t.kind === 'TIMESTAMP' || isNullType(t);
export const isLtz = (t: LogicalType): boolean => t.kind === 'TIMESTAMP_LTZ' || isNullType(t);
export const isArr = (t: LogicalType): boolean => t.kind === 'ARRAY' || isNullType(t);
export const isMapT = (t: LogicalType): boolean => t.kind === 'MAP' || isNullType(t);

/** true when some argument may be NULL. */
export const anyNullable = (types: readonly LogicalType[]): boolean => types.some((t) => t.nullable);

/** `type` made nullable when any argument is nullable (the rule for null-on-null functions). */
export const nullableFrom = (type: LogicalType, args: readonly LogicalType[], extra = false): LogicalType =>
  withNullable(type, extra || anyNullable(args));

/** STRING, nullable as the arguments. */
export const stringOf = (args: readonly LogicalType[], extra = false): LogicalType =>
  withNullable(T.string(), extra || anyNullable(args));

/** Checks the argument count and families; `families[i]` tests argument i. */
export function matches(
  argTypes: readonly LogicalType[],
  families: readonly ((t: LogicalType) => boolean)[],
): boolean {
  if (argTypes.length !== families.length) return false;
  for (let i = 0; i < families.length; i++)
    if (!(families[i] as (t: LogicalType) => boolean)(argTypes[i]!)) return false;
  return true;
}

/** A resolved, deterministic, null-on-null scalar. */
export function pure(resultType: LogicalType, impl: (...args: never[]) => Value): ResolvedScalar {
  return {
    resultType,
    impl: impl as (...args: Value[]) => Value,
    nullOnNullInput: true,
    deterministic: true,
  };
}

/** A resolved scalar that sees NULL arguments itself. */
export function nullAware(
  resultType: LogicalType,
  impl: (...args: never[]) => Value,
  deterministic = true,
): ResolvedScalar {
  return { resultType, impl: impl as (...args: Value[]) => Value, nullOnNullInput: false, deterministic };
}

/** A runtime error raised by a function for a bad value (the planner could not see it coming). */
export function runtimeError(code: string, message: string): RivuletError {
  return new RivuletError('runtime', code, message);
}

/**
 * Memoises the last computation for a (usually constant) string key: patterns, formats, units. One
 * entry is enough because a call site almost always passes the same constant; a varying key still
 * works, it just recompiles.
 */
export function lastValueCache<K, V>(compute: (key: K) => V): (key: K) => V {
  let lastKey: K | undefined;
  let lastValue: V | undefined;
  let filled = false;
  return (key: K): V => {
    if (filled && key === lastKey) return lastValue as V;
    const v = compute(key);
    lastKey = key;
    lastValue = v;
    filled = true;
    return v;
  };
}
