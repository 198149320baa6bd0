/**
 * User-defined functions in JavaScript/TypeScript. `CREATE FUNCTION f AS './udf/geo.js'` imports the
 * ES module (a path relative to the working directory, an absolute path, or a package name) and uses
 * its export named like the function, or else its default export. The export is a definition object:
 *
 * ```js
 * // scalar: called once per row; receives SQL NULL as null
 * export default { args: ['DOUBLE', 'DOUBLE'], returns: 'DOUBLE', eval: (a, b) => Math.hypot(a, b) };
 * // aggregate: an accumulator per group; retract makes it usable over update streams
 * export const my_sum = { kind: 'aggregate', args: ['INT'], returns: 'BIGINT',
 *   create: () => ({ s: 0n }), accumulate: (acc, x) => { if (x !== null) acc.s += BigInt(x); return acc; },
 *   retract: (acc, x) => { if (x !== null) acc.s -= BigInt(x); return acc; }, getValue: (acc) => acc.s };
 * ```
 * Argument values arrive converted to the declared argument types; results are converted from plain
 * JavaScript values (numbers, strings, Dates for timestamps) to the declared result type. A function
 * that throws fails the job with an error naming the function; the runtime adds the operator and the
 * record's source position. A scalar or table function may instead skip the record or yield NULL,
 * counted, per its `onError` or the session's `table.exec.udf.error-policy` (see udf-errors.ts).
 */
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { castFunction } from '../catalog/cast.ts';
import type { TableFunctionImpl } from '../catalog/catalog.ts';
import { canCastImplicitly } from '../catalog/coercion.ts';
import type { AggregateFunctionDef, ScalarFunctionDef } from '../catalog/functions/registry.ts';
import { type LogicalType, typeToString } from '../catalog/types.ts';
import { RivuletError } from '../common/errors.ts';
import type { AggregateFunction, Value } from '../operators/api.ts';
import {
  applyUdfErrorPolicy,
  noteUdfNull,
  parseUdfErrorPolicy,
  type UdfErrorPolicy,
  udfFailure,
} from './udf-errors.ts';

export interface ScalarUdf {
  readonly kind?: 'scalar';
  /** SQL types of the arguments, e.g. `['DOUBLE', 'STRING']`. */
  readonly args: readonly string[];
  readonly returns: string;
  readonly eval: (...args: never[]) => unknown;
  /** false for functions whose result changes between calls with the same arguments. */
  readonly deterministic?: boolean;
  /** What a throw does (udf-errors.ts); default: the session's `table.exec.udf.error-policy`. */
  readonly onError?: UdfErrorPolicy;
}

export interface AggregateUdf {
  readonly kind: 'aggregate';
  readonly args: readonly string[];
  readonly returns: string;
  create(): unknown;
  accumulate(acc: never, ...args: never[]): unknown;
  retract?(acc: never, ...args: never[]): unknown;
  merge?(acc: never, other: never): unknown;
  getValue(acc: never): unknown;
}

export interface TableUdf {
  readonly kind: 'table';
  readonly args: readonly string[];
  /** The produced rows' type, e.g. `'ROW<word STRING, len INT>'`. */
  readonly returns: string;
  /** Yields rows as arrays (by position) or objects (by field name). */
  readonly eval: (...args: never[]) => Iterable<unknown>;
  /** What a throw does: `skip` and `null` make the call produce no rows (counted). */
  readonly onError?: UdfErrorPolicy;
}

export type UdfDefinition = ScalarUdf | AggregateUdf | TableUdf;

/** Parses a SQL type name as written in a UDF definition (`'DECIMAL(10, 2)'`). */
export type TypeParser = (text: string) => LogicalType;

/** Imports a UDF module and returns the definition for `name`. */
export async function loadUdf(name: string, specifier: string): Promise<UdfDefinition> {
  const url =
    specifier.startsWith('.') || specifier.startsWith('/')
      ? pathToFileURL(resolvePath(specifier)).href
      : specifier;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new RivuletError(
      'catalog',
      'UDF_LOAD_FAILED',
      `Cannot load function '${name}' from '${specifier}': ${(e as Error).message}`,
    );
  }
  const def = mod[name] ?? mod.default;
  if (!def || typeof def !== 'object') {
    throw new RivuletError(
      'catalog',
      'UDF_INVALID',
      `Module '${specifier}' has no export '${name}' nor a default export describing the function ({ args, returns, eval } or { kind: 'aggregate', ... })`,
    );
  }
  return def as UdfDefinition;
}

/** Converts a JavaScript result to the runtime value of `type`. */
function fromJs(v: unknown, type: LogicalType): Value {
  if (v === null || v === undefined) return null;
  switch (type.kind) {
    case 'BIGINT':
      return typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return Math.trunc(Number(v));
    case 'FLOAT':
    case 'DOUBLE':
      return Number(v);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return v instanceof Date ? v.getTime() : Number(v);
    case 'VARCHAR':
    case 'CHAR':
      return String(v);
    default:
      return typeof v === 'number' && type.kind === 'DECIMAL'
        ? castFunction({ kind: 'DOUBLE', nullable: true }, type)(v)
        : (v as Value);
  }
}

function argConverters(
  name: string,
  declared: readonly LogicalType[],
  given: readonly LogicalType[],
): ((v: Value) => Value)[] {
  if (declared.length !== given.length) {
    throw new RivuletError(
      'plan',
      'FUNCTION_SIGNATURE',
      `Function '${name}' takes ${declared.length} arguments (${declared.map(typeToString).join(', ')}), found ${given.length}`,
    );
  }
  return declared.map((d, i) => {
    const g = given[i] as LogicalType;
    if (g.kind === 'NULL' || (g.kind === d.kind && g.scale === d.scale)) return (v: Value) => v;
    if (!canCastImplicitly(g, d)) {
      throw new RivuletError(
        'plan',
        'FUNCTION_SIGNATURE',
        `Function '${name}' argument ${i + 1} must be ${typeToString(d)}, found ${typeToString(g)}`,
      );
    }
    return castFunction(g, d);
  });
}

/** The definition's own policy, validated, or undefined to follow the session's. */
function ownPolicy(name: string, def: { onError?: unknown }): UdfErrorPolicy | undefined {
  if (def.onError === undefined) return undefined;
  return parseUdfErrorPolicy(String(def.onError), `The onError of function '${name}'`);
}

/** A registry definition for a scalar UDF. */
export function scalarUdf(name: string, def: ScalarUdf, parseType: TypeParser): ScalarFunctionDef {
  const declared = def.args.map(parseType);
  const result = parseType(def.returns);
  const fn = def.eval as (...args: Value[]) => unknown;
  const own = ownPolicy(name, def);
  return {
    name: name.toUpperCase(),
    description: `user-defined function ${name}(${declared.map(typeToString).join(', ')}) -> ${typeToString(result)}`,
    resolve(argTypes, ctx) {
      const conv = argConverters(name, declared, argTypes);
      const policy = own ?? ctx.udfErrorPolicy ?? 'fail';
      return {
        resultType: { ...result, nullable: true },
        nullOnNullInput: false,
        deterministic: def.deterministic !== false,
        impl: (...args: Value[]) => {
          for (let i = 0; i < args.length; i++)
            if (args[i] !== null) args[i] = (conv[i] as (v: Value) => Value)(args[i]);
          try {
            return fromJs(fn(...args), result);
          } catch (e) {
            return applyUdfErrorPolicy(policy, name, e, null);
          }
        },
      };
    },
  };
}

/** The catalog form of a table UDF; argument count and types are checked when it is called. */
export function tableUdf(name: string, def: TableUdf, parseType: TypeParser): TableFunctionImpl {
  const declared = def.args.map(parseType);
  const resultType = parseType(def.returns);
  if (resultType.kind !== 'ROW') {
    throw new RivuletError(
      'catalog',
      'UDF_INVALID',
      `Table function '${name}' must return a ROW<...> type, found ${typeToString(resultType)}`,
    );
  }
  const fields = resultType.fields ?? [];
  const fn = def.eval as (...args: Value[]) => Iterable<unknown>;
  const own = ownPolicy(name, def);
  const make = (policy: UdfErrorPolicy): TableFunctionImpl => ({
    name: name.toUpperCase(),
    resultType,
    withErrorPolicy: (p) => make(own ?? p),
    eval: (args) => {
      if (args.length !== declared.length) {
        throw new RivuletError(
          'runtime',
          'UDF_FAILED',
          `table function '${name}' takes ${declared.length} arguments, got ${args.length}`,
        );
      }
      const out: Value[][] = [];
      try {
        for (const r of fn(...args)) {
          const row = Array.isArray(r)
            ? r
            : fields.map((f) => (r as Record<string, unknown>)[f.name] ?? null);
          out.push(fields.map((f, i) => fromJs(row[i], f.type)));
        }
      } catch (e) {
        if (policy === 'fail') throw udfFailure(name, e);
        noteUdfNull(name, e, 'the call produced no rows');
        return [];
      }
      return out;
    },
  });
  return make(own ?? 'fail');
}

/** A registry definition for an aggregate UDF. */
export function aggregateUdf(name: string, def: AggregateUdf, parseType: TypeParser): AggregateFunctionDef {
  const declared = def.args.map(parseType);
  const result = parseType(def.returns);
  const d = def as unknown as AggregateFunction & { getValue(acc: unknown): unknown };
  return {
    name: name.toUpperCase(),
    description: `user-defined aggregate ${name}(${declared.map(typeToString).join(', ')}) -> ${typeToString(result)}`,
    resolve(argTypes) {
      const conv = argConverters(name, declared, argTypes);
      const convert = (args: Value[]) =>
        args.map((a, i) => (a === null ? null : (conv[i] as (v: Value) => Value)(a)));
      const wrap =
        <A extends unknown[], R>(f: (...a: A) => R) =>
        (...a: A): R => {
          try {
            return f(...a);
          } catch (e) {
            throw udfFailure(name, e);
          }
        };
      const create = (): AggregateFunction => ({
        create: wrap(() => d.create()),
        accumulate: wrap((acc: unknown, ...args: Value[]) => d.accumulate(acc, ...convert(args))),
        ...(d.retract
          ? {
              retract: wrap((acc: unknown, ...args: Value[]) =>
                (d.retract as NonNullable<typeof d.retract>)(acc, ...convert(args)),
              ),
            }
          : {}),
        ...(d.merge
          ? {
              merge: wrap((acc: unknown, other: unknown) =>
                (d.merge as NonNullable<typeof d.merge>)(acc, other),
              ),
            }
          : {}),
        getValue: wrap((acc: unknown) => fromJs(d.getValue(acc), result)),
      });
      return {
        resultType: { ...result, nullable: true },
        create,
        retractable: typeof def.retract === 'function',
      };
    },
  };
}
