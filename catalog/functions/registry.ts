/**
 * The shared shape of built-in (and user-defined) functions. The planner resolves a call by name,
 * then asks the definition to `resolve` itself for the argument types it was given; the result carries
 * the result type and a plain JavaScript implementation that the expression compiler calls per row.
 *
 * Resolution happens once per call site at planning time, so a definition may pick a specialised
 * implementation for its argument types (e.g. a bigint or a number path) and never branch per row.
 */
import { RivuletError } from '../../common/errors.ts';
import type { AggregateFunction, Value } from '../../operators/api.ts';
import { type LogicalType, typeToString } from '../types.ts';

/** What a function may know about the session when it is resolved and when it runs. */
export interface FunctionContext {
  /** The session time zone (`table.local-time-zone`), an IANA name such as `Europe/Berlin`, or `UTC`. */
  readonly timeZone: string;
  /** Current processing time in epoch milliseconds (injectable for tests). */
  now(): number;
  /** `table.exec.udf.error-policy`: what a throwing user-defined function does (runtime/udf-errors.ts). */
  readonly udfErrorPolicy?: 'fail' | 'skip' | 'null';
}

/** A scalar function bound to argument types. */
export interface ResolvedScalar {
  readonly resultType: LogicalType;
  readonly impl: (...args: Value[]) => Value;
  /** true: result is NULL when any argument is NULL, and `impl` is never called with null. */
  readonly nullOnNullInput: boolean;
  /** false for RAND(), NOW(), UUID() ...: the planner must not constant-fold such calls. */
  readonly deterministic: boolean;
}

export interface ScalarFunctionDef {
  /** Upper-case canonical name, e.g. `UPPER`, or an operator symbol such as `+`. */
  readonly name: string;
  readonly description: string;
  /**
   * Resolve for argument types or throw RivuletError('plan', 'FUNCTION_SIGNATURE', ...) naming the
   * function, the given types and the accepted signatures (see `signatureError`).
   */
  resolve(argTypes: readonly LogicalType[], ctx: FunctionContext): ResolvedScalar;
}

/** An aggregate function bound to argument types. */
export interface ResolvedAggregate {
  readonly resultType: LogicalType;
  /** A fresh function object per operator instance (it may hold per-instance caches). */
  readonly create: () => AggregateFunction;
  /** true when the created function implements `retract` (needed over update streams). */
  readonly retractable: boolean;
  /**
   * A cheaper variant for insert-only input, when there is one: e.g. MAX keeps only the current
   * maximum instead of the multiset of live values. The planner may use it when the aggregated
   * input never retracts; it has no `retract`.
   */
  readonly createAppendOnly?: () => AggregateFunction;
}

export interface AggregateFunctionDef {
  readonly name: string;
  readonly description: string;
  /** Same error contract as `ScalarFunctionDef.resolve`. COUNT(*) is resolved with no arguments. */
  resolve(argTypes: readonly LogicalType[], ctx: FunctionContext): ResolvedAggregate;
}

/**
 * The error for a call whose argument types match no signature, e.g.
 * `Cannot apply 'UPPER' to arguments of type (INT). Supported signatures: UPPER(STRING)`.
 *
 * @example throw signatureError('UPPER', argTypes, ['UPPER(STRING)']);
 */
export function signatureError(
  name: string,
  argTypes: readonly LogicalType[],
  accepted: readonly string[],
  detail?: string,
): RivuletError {
  const given = argTypes.map(typeToString).join(', ');
  const extra = detail ? ` ${detail}.` : '';
  return new RivuletError(
    'plan',
    'FUNCTION_SIGNATURE',
    `Cannot apply '${name}' to arguments of type (${given}).${extra} Supported signatures: ${accepted.join(', ')}`,
  );
}

/**
 * Built-in and registered functions by name (case-insensitive). Scalars and aggregates live in
 * separate name spaces, as a name such as `MIN` may only be an aggregate while `LEFT` only a scalar.
 */
export class FunctionRegistry {
  private readonly scalars = new Map<string, ScalarFunctionDef>();
  private readonly aggregates = new Map<string, AggregateFunctionDef>();

  /** Registers (or replaces) a scalar function under its name. */
  registerScalar(def: ScalarFunctionDef): void {
    this.scalars.set(def.name.toUpperCase(), def);
  }

  /** Registers (or replaces) an aggregate function under its name. */
  registerAggregate(def: AggregateFunctionDef): void {
    this.aggregates.set(def.name.toUpperCase(), def);
  }

  lookupScalar(name: string): ScalarFunctionDef | undefined {
    return this.scalars.get(name.toUpperCase());
  }

  lookupAggregate(name: string): AggregateFunctionDef | undefined {
    return this.aggregates.get(name.toUpperCase());
  }

  /** Removes a function of either kind; true if one was removed. */
  unregister(name: string): boolean {
    const key = name.toUpperCase();
    const a = this.scalars.delete(key);
    const b = this.aggregates.delete(key);
    return a || b;
  }

  /** All registered names, upper-case, sorted (for SHOW FUNCTIONS and did-you-mean hints). */
  names(): string[] {
    return [...new Set([...this.scalars.keys(), ...this.aggregates.keys()])].sort();
  }
}
