/**
 * Built-in aggregate functions: COUNT(*), COUNT(x), SUM, AVG, MIN, MAX, STDDEV_POP/SAMP,
 * VAR_POP/SAMP, FIRST_VALUE, LAST_VALUE, LISTAGG, ARRAY_AGG, BOOL_AND, BOOL_OR.
 *
 * Every aggregate is retractable, so it stays correct over update streams:
 *   - COUNT/SUM/AVG/VAR/STDDEV/BOOL_* keep counts and sums, which subtract exactly (integer sums wrap
 *     like Java's, so a retraction undoes an accumulation even after overflow; DECIMAL and integer
 *     variance sums are exact bigints; DOUBLE sums drift under retraction exactly as Flink's do);
 *   - MIN/MAX keep the sorted multiset of live values (value -> count), so retracting the current
 *     extreme reveals the next one; FIRST_VALUE/LAST_VALUE/LISTAGG/ARRAY_AGG keep the live values in
 *     arrival order and a retraction removes the earliest live occurrence of the retracted value.
 * MIN/MAX/FIRST_VALUE/LAST_VALUE also offer `createAppendOnly` (O(1) state) for insert-only input.
 *
 * NULL inputs are ignored (except ARRAY_AGG, which keeps them by default as Flink's RESPECT NULLS);
 * an aggregate over no live (non-null) rows is NULL; COUNT is then 0. Result types follow Flink:
 * COUNT -> BIGINT NOT NULL; SUM(integer/approximate) -> the argument type, SUM(DECIMAL(p, s)) ->
 * DECIMAL(38, s); AVG and VAR/STDDEV of integer or approximate types -> the argument type (integer
 * results truncate toward zero), of DECIMAL(p, s) -> DECIMAL(38, max(6, s)).
 * Accumulators are plain data (objects, arrays, Maps, bigints) so state snapshots can clone them.
 * DISTINCT is applied by wrapping a function with `distinctWrapper`; FILTER is the operator's job.
 */
import type { AggregateFunction, Value } from '../../operators/api.ts';
import { encodeKey } from '../../operators/state.ts';
import { isOrderable } from '../coercion.ts';
import { avgShape, checkPrecision, decimalShapeOf, divideHalfUp, pow10, sumShape } from '../decimal.ts';
import {
  isApproxNumeric,
  isCharacterString,
  isIntegral,
  isNumeric,
  type LogicalType,
  T,
  withNullable,
  withTimeAttribute,
} from '../types.ts';
import { comparatorFor, equalityFor } from './operators.ts';
import {
  type AggregateFunctionDef,
  type FunctionRegistry,
  type ResolvedAggregate,
  signatureError,
} from './registry.ts';

type AnyAggregate = AggregateFunction<unknown, unknown>;

function asAny<A, R>(f: AggregateFunction<A, R>): AnyAggregate {
  return f as unknown as AnyAggregate;
}

function resolvedAgg<A, B>(
  resultType: LogicalType,
  create: () => AggregateFunction<A, unknown>,
  createAppendOnly?: () => AggregateFunction<B, unknown>,
): ResolvedAggregate {
  const r: ResolvedAggregate = {
    resultType,
    create: () => asAny(create()),
    retractable: true,
  };
  return createAppendOnly ? { ...r, createAppendOnly: () => asAny(createAppendOnly()) } : r;
}

/** The argument type an aggregate works on, without its time attribute (MAX(rowtime) is plain). */
function plain(t: LogicalType): LogicalType {
  return withTimeAttribute(t, undefined);
}

// ---------------------------------------------------------------- COUNT

interface CountAcc {
  n: number;
}

function countFunction(arity: number): AggregateFunction<CountAcc, bigint> {
  const getValue = (acc: CountAcc) => BigInt(acc.n);
  const merge = (acc: CountAcc, other: CountAcc) => {
    acc.n += other.n;
    return acc;
  };
  // COUNT(*) and COUNT(x) are the common cases and run once per row: no rest arguments there.
  if (arity === 0) {
    return {
      create: () => ({ n: 0 }),
      accumulate(acc) {
        acc.n++;
        return acc;
      },
      retract(acc) {
        acc.n--;
        return acc;
      },
      merge,
      getValue,
    };
  }
  if (arity === 1) {
    return {
      create: () => ({ n: 0 }),
      accumulate(acc, v) {
        if (v !== null && v !== undefined) acc.n++;
        return acc;
      },
      retract(acc, v) {
        if (v !== null && v !== undefined) acc.n--;
        return acc;
      },
      merge,
      getValue,
    };
  }
  const live = (args: Value[]) => args.every((a) => a !== null && a !== undefined);
  return {
    create: () => ({ n: 0 }),
    accumulate(acc, ...args) {
      if (live(args)) acc.n++;
      return acc;
    },
    retract(acc, ...args) {
      if (live(args)) acc.n--;
      return acc;
    },
    merge,
    getValue,
  };
}

const COUNT: AggregateFunctionDef = {
  name: 'COUNT',
  description: 'COUNT(*) counts rows; COUNT(x) counts rows where x is not NULL. BIGINT NOT NULL.',
  resolve(argTypes) {
    return resolvedAgg(T.bigint(false), () => countFunction(argTypes.length));
  },
};

// ---------------------------------------------------------------- SUM / AVG

interface NumberSumAcc {
  sum: number;
  n: number;
}
interface BigSumAcc {
  sum: bigint;
  n: number;
}

const WRAP: Partial<Record<string, (x: number) => number>> = {
  TINYINT: (x) => (x << 24) >> 24,
  SMALLINT: (x) => (x << 16) >> 16,
  INT: (x) => x | 0,
};

function numberSum(finish: (sum: number, n: number) => number, wrap: (x: number) => number) {
  return (): AggregateFunction<NumberSumAcc, number | null> => ({
    create: () => ({ sum: 0, n: 0 }),
    accumulate(acc, v) {
      if (v !== null && v !== undefined) {
        acc.sum = wrap(acc.sum + (v as number));
        acc.n++;
      }
      return acc;
    },
    retract(acc, v) {
      if (v !== null && v !== undefined) {
        acc.sum = wrap(acc.sum - (v as number));
        acc.n--;
      }
      return acc;
    },
    merge(acc, other) {
      acc.sum = wrap(acc.sum + other.sum);
      acc.n += other.n;
      return acc;
    },
    getValue: (acc) => (acc.n === 0 ? null : finish(acc.sum, acc.n)),
  });
}

function bigSum(
  finish: (sum: bigint, n: number) => Value,
  wrap: (x: bigint) => bigint,
  toBig: (v: Value) => bigint,
) {
  return (): AggregateFunction<BigSumAcc, Value> => ({
    create: () => ({ sum: 0n, n: 0 }),
    accumulate(acc, v) {
      if (v !== null && v !== undefined) {
        acc.sum = wrap(acc.sum + toBig(v));
        acc.n++;
      }
      return acc;
    },
    retract(acc, v) {
      if (v !== null && v !== undefined) {
        acc.sum = wrap(acc.sum - toBig(v));
        acc.n--;
      }
      return acc;
    },
    merge(acc, other) {
      acc.sum = wrap(acc.sum + other.sum);
      acc.n += other.n;
      return acc;
    },
    getValue: (acc) => (acc.n === 0 ? null : finish(acc.sum, acc.n)),
  });
}

const wrap64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const exact = (x: bigint): bigint => x;
const asBig = (v: Value): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));

function numericArg(name: string, argTypes: readonly LogicalType[]): LogicalType {
  const t = argTypes[0];
  if (argTypes.length !== 1 || !t || !isNumeric(t))
    throw signatureError(name, argTypes, [`${name}(<NUMERIC>)`]);
  return plain(t);
}

const SUM: AggregateFunctionDef = {
  name: 'SUM',
  description: 'Sum of the non-NULL values; NULL if there are none. DECIMAL(p, s) sums to DECIMAL(38, s).',
  resolve(argTypes) {
    const t = numericArg('SUM', argTypes);
    const resultType = withNullable(t, true);
    const wrap = WRAP[t.kind];
    if (wrap)
      return resolvedAgg(
        resultType,
        numberSum((s) => s, wrap),
      );
    switch (t.kind) {
      case 'BIGINT':
        return resolvedAgg(
          resultType,
          bigSum((s) => s, wrap64, asBig),
        );
      case 'FLOAT':
        return resolvedAgg(
          resultType,
          numberSum(Math.fround, (x) => x),
        );
      case 'DOUBLE':
        return resolvedAgg(
          resultType,
          numberSum(
            (s) => s,
            (x) => x,
          ),
        );
      default: {
        // DECIMAL: an exact, unbounded sum; a total beyond 38 digits is NULL.
        const shape = sumShape(decimalShapeOf(t));
        return resolvedAgg(
          T.decimal(shape.precision, shape.scale),
          bigSum((s) => checkPrecision(s, shape.precision), exact, asBig),
        );
      }
    }
  },
};

const AVG: AggregateFunctionDef = {
  name: 'AVG',
  description:
    'Average of the non-NULL values; NULL if there are none. Integer types average to the same type (truncated).',
  resolve(argTypes) {
    const t = numericArg('AVG', argTypes);
    const resultType = withNullable(t, true);
    if (isIntegral(t)) {
      const toValue = t.kind === 'BIGINT' ? (q: bigint) => q : (q: bigint) => Number(q);
      return resolvedAgg(
        resultType,
        bigSum((s, n) => toValue(s / BigInt(n)), exact, asBig),
      );
    }
    if (isApproxNumeric(t)) {
      const f = t.kind === 'FLOAT' ? Math.fround : (x: number) => x;
      return resolvedAgg(
        resultType,
        numberSum(
          (s, n) => f(s / n),
          (x) => x,
        ),
      );
    }
    const input = decimalShapeOf(t);
    const out = avgShape(input);
    const up = pow10(out.scale - input.scale);
    return resolvedAgg(
      T.decimal(out.precision, out.scale),
      bigSum((s, n) => checkPrecision(divideHalfUp(s * up, BigInt(n)), out.precision), exact, asBig),
    );
  },
};

// ---------------------------------------------------------------- VAR / STDDEV

type Dispersion = 'VAR_POP' | 'VAR_SAMP' | 'STDDEV_POP' | 'STDDEV_SAMP';

interface ExactMomentsAcc {
  n: number;
  sum: bigint;
  sq: bigint;
}
interface DoubleMomentsAcc {
  n: number;
  sum: number;
  sq: number;
}

/** floor(sqrt(x)) for x >= 0: integer Newton iteration from a starting point above the root. */
export function isqrt(x: bigint): bigint {
  if (x < 2n) return x;
  const approx = Math.sqrt(Number(x));
  // The float estimate is within a relative 2^-50 of the root; push it safely above, then descend.
  let r = Number.isFinite(approx)
    ? BigInt(Math.ceil(approx)) + (BigInt(Math.ceil(approx)) >> 40n) + 2n
    : 1n << BigInt(Math.ceil(x.toString(2).length / 2) + 1);
  for (;;) {
    const next = (r + x / r) >> 1n;
    if (next >= r) return r;
    r = next;
  }
}

function exactMoments(finish: (acc: ExactMomentsAcc) => Value) {
  return (): AggregateFunction<ExactMomentsAcc, Value> => ({
    create: () => ({ n: 0, sum: 0n, sq: 0n }),
    accumulate(acc, v) {
      if (v !== null && v !== undefined) {
        const x = asBig(v);
        acc.n++;
        acc.sum += x;
        acc.sq += x * x;
      }
      return acc;
    },
    retract(acc, v) {
      if (v !== null && v !== undefined) {
        const x = asBig(v);
        acc.n--;
        acc.sum -= x;
        acc.sq -= x * x;
      }
      return acc;
    },
    merge(acc, o) {
      acc.n += o.n;
      acc.sum += o.sum;
      acc.sq += o.sq;
      return acc;
    },
    getValue: finish,
  });
}

function doubleMoments(finish: (acc: DoubleMomentsAcc) => Value) {
  return (): AggregateFunction<DoubleMomentsAcc, Value> => ({
    create: () => ({ n: 0, sum: 0, sq: 0 }),
    accumulate(acc, v) {
      if (v !== null && v !== undefined) {
        const x = v as number;
        acc.n++;
        acc.sum += x;
        acc.sq += x * x;
      }
      return acc;
    },
    retract(acc, v) {
      if (v !== null && v !== undefined) {
        const x = v as number;
        acc.n--;
        acc.sum -= x;
        acc.sq -= x * x;
      }
      return acc;
    },
    merge(acc, o) {
      acc.n += o.n;
      acc.sum += o.sum;
      acc.sq += o.sq;
      return acc;
    },
    getValue: finish,
  });
}

function dispersion(name: Dispersion): AggregateFunctionDef {
  const sample = name.endsWith('SAMP');
  const root = name.startsWith('STDDEV');
  return {
    name,
    description: `${root ? 'Standard deviation' : 'Variance'} (${sample ? 'sample' : 'population'}) of the non-NULL values.`,
    resolve(argTypes) {
      const t = numericArg(name, argTypes);
      const minRows = sample ? 2 : 1;
      // n * sum(x^2) - sum(x)^2 over n^2 (population) or n(n-1) (sample): exact for exact types.
      const ratio = (a: ExactMomentsAcc): [bigint, bigint] => {
        const n = BigInt(a.n);
        return [n * a.sq - a.sum * a.sum, sample ? n * (n - 1n) : n * n];
      };
      if (isApproxNumeric(t)) {
        const f = t.kind === 'FLOAT' ? Math.fround : (x: number) => x;
        return resolvedAgg(
          withNullable(t, true),
          doubleMoments((a) => {
            if (a.n < minRows) return null;
            const v = Math.max(0, (a.sq - (a.sum * a.sum) / a.n) / (sample ? a.n - 1 : a.n));
            return f(root ? Math.sqrt(v) : v);
          }),
        );
      }
      if (isIntegral(t)) {
        const toValue = t.kind === 'BIGINT' ? (q: bigint) => q : (q: bigint) => Number(q);
        return resolvedAgg(
          withNullable(t, true),
          exactMoments((a) => {
            if (a.n < minRows) return null;
            const [num, den] = ratio(a);
            const q = num / den;
            return toValue(root ? isqrt(q) : q);
          }),
        );
      }
      const input = decimalShapeOf(t);
      const out = avgShape(input);
      return resolvedAgg(
        T.decimal(out.precision, out.scale),
        exactMoments((a) => {
          if (a.n < minRows) return null;
          const [num, den] = ratio(a);
          // The moments are in units of 10^-2s; the result has scale out.scale.
          if (!root)
            return checkPrecision(divideHalfUp(num * pow10(out.scale), den * pow10(2 * input.scale)), 38);
          // sqrt(num / den) * 10^rs = sqrt(X) with X = num * 10^(2 rs) / (den * 10^(2 s)); round HALF_UP.
          const xn = num * pow10(2 * out.scale);
          const xd = den * pow10(2 * input.scale);
          const r = isqrt(xn / xd);
          const roundUp = 4n * xn >= (4n * r * r + 4n * r + 1n) * xd;
          return checkPrecision(roundUp ? r + 1n : r, 38);
        }),
      );
    },
  };
}

// ---------------------------------------------------------------- MIN / MAX

/** The sorted multiset of live values: distinct values ascending, with their counts. */
interface SortedAcc {
  vals: Value[];
  counts: number[];
}

function lowerBound(vals: Value[], v: Value, cmp: (a: Value, b: Value) => number): number {
  let lo = 0;
  let hi = vals.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(vals[mid], v) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function extremeFunction(
  cmp: (a: Value, b: Value) => number,
  max: boolean,
): AggregateFunction<SortedAcc, Value> {
  const add = (acc: SortedAcc, v: Value, n: number): void => {
    const i = lowerBound(acc.vals, v, cmp);
    if (i < acc.vals.length && cmp(acc.vals[i], v) === 0) acc.counts[i] = (acc.counts[i] as number) + n;
    else {
      acc.vals.splice(i, 0, v);
      acc.counts.splice(i, 0, n);
    }
  };
  return {
    create: () => ({ vals: [], counts: [] }),
    accumulate(acc, v) {
      if (v !== null && v !== undefined) add(acc, v, 1);
      return acc;
    },
    retract(acc, v) {
      if (v === null || v === undefined) return acc;
      const i = lowerBound(acc.vals, v, cmp);
      if (i < acc.vals.length && cmp(acc.vals[i], v) === 0) {
        const c = (acc.counts[i] as number) - 1;
        if (c <= 0) {
          acc.vals.splice(i, 1);
          acc.counts.splice(i, 1);
        } else acc.counts[i] = c;
      }
      return acc;
    },
    merge(acc, other) {
      for (let i = 0; i < other.vals.length; i++) add(acc, other.vals[i], other.counts[i] as number);
      return acc;
    },
    getValue: (acc) =>
      acc.vals.length === 0 ? null : ((max ? acc.vals[acc.vals.length - 1] : acc.vals[0]) ?? null),
  };
}

interface OneAcc {
  v: Value;
}

function extremeAppendOnly(
  cmp: (a: Value, b: Value) => number,
  max: boolean,
): AggregateFunction<OneAcc, Value> {
  const better = (v: Value, cur: Value): boolean => cur === null || (max ? cmp(v, cur) > 0 : cmp(v, cur) < 0);
  return {
    create: () => ({ v: null }),
    accumulate(acc, v) {
      if (v !== null && v !== undefined && better(v, acc.v)) acc.v = v;
      return acc;
    },
    merge(acc, other) {
      if (other.v !== null && better(other.v, acc.v)) acc.v = other.v;
      return acc;
    },
    getValue: (acc) => acc.v,
  };
}

function extreme(name: 'MIN' | 'MAX'): AggregateFunctionDef {
  const max = name === 'MAX';
  return {
    name,
    description: `The ${max ? 'largest' : 'smallest'} non-NULL value; NULL if there is none.`,
    resolve(argTypes) {
      const t = argTypes[0];
      if (argTypes.length !== 1 || !t || !isOrderable(t) || t.kind === 'NULL') {
        throw signatureError(name, argTypes, [`${name}(<COMPARABLE_TYPE>)`]);
      }
      const type = plain(t);
      const cmp = comparatorFor(type);
      return resolvedAgg(
        withNullable(type, true),
        () => extremeFunction(cmp, max),
        () => extremeAppendOnly(cmp, max),
      );
    },
  };
}

// ---------------------------------------------------------------- ordered live values

interface ListAcc {
  vals: Value[];
}

/** Index of the earliest live value equal to `v`, or -1. */
function findEqual(vals: Value[], v: Value, eq: (a: Value, b: Value) => boolean): number {
  for (let i = 0; i < vals.length; i++) {
    const x = vals[i];
    if (x === null || v === null ? x === v : eq(x, v)) return i;
  }
  return -1;
}

function liveList(
  type: LogicalType,
  keepNulls: boolean,
  finish: (vals: Value[]) => Value,
): () => AggregateFunction<ListAcc, Value> {
  const eq = equalityFor(type);
  return () => ({
    create: () => ({ vals: [] }),
    accumulate(acc, v) {
      const x = v === undefined ? null : v;
      if (x !== null || keepNulls) acc.vals.push(x);
      return acc;
    },
    retract(acc, v) {
      const x = v === undefined ? null : v;
      if (x === null && !keepNulls) return acc;
      const i = findEqual(acc.vals, x, eq);
      if (i >= 0) acc.vals.splice(i, 1);
      return acc;
    },
    merge(acc, other) {
      acc.vals.push(...other.vals);
      return acc;
    },
    getValue: (acc) => (acc.vals.length === 0 ? null : finish(acc.vals)),
  });
}

function firstLastAppendOnly(last: boolean): () => AggregateFunction<{ v: Value; set: boolean }, Value> {
  return () => ({
    create: () => ({ v: null, set: false }),
    accumulate(acc, v) {
      if (v !== null && v !== undefined && (last || !acc.set)) {
        acc.v = v;
        acc.set = true;
      }
      return acc;
    },
    merge(acc, other) {
      if (other.set && (last || !acc.set)) {
        acc.v = other.v;
        acc.set = true;
      }
      return acc;
    },
    getValue: (acc) => acc.v,
  });
}

function firstLast(name: 'FIRST_VALUE' | 'LAST_VALUE'): AggregateFunctionDef {
  const last = name === 'LAST_VALUE';
  return {
    name,
    description: `The ${last ? 'last' : 'first'} non-NULL value in arrival order among the live rows.`,
    resolve(argTypes) {
      const t = argTypes[0];
      if (argTypes.length !== 1 || !t || t.kind === 'NULL')
        throw signatureError(name, argTypes, [`${name}(<ANY>)`]);
      const type = plain(t);
      return resolvedAgg(
        withNullable(type, true),
        liveList(type, false, (vals) => (last ? vals[vals.length - 1] : vals[0]) ?? null),
        firstLastAppendOnly(last),
      );
    },
  };
}

interface ListAggAcc {
  vals: string[];
  seps: string[];
}

function listAggFunction(): AggregateFunction<ListAggAcc, string | null> {
  return {
    create: () => ({ vals: [], seps: [] }),
    accumulate(acc, v, sep) {
      if (v === null || v === undefined) return acc;
      acc.vals.push(v as string);
      acc.seps.push(sep === null || sep === undefined ? ',' : (sep as string));
      return acc;
    },
    retract(acc, v) {
      if (v === null || v === undefined) return acc;
      const i = acc.vals.indexOf(v as string);
      if (i >= 0) {
        acc.vals.splice(i, 1);
        acc.seps.splice(i, 1);
      }
      return acc;
    },
    merge(acc, other) {
      acc.vals.push(...other.vals);
      acc.seps.push(...other.seps);
      return acc;
    },
    getValue(acc) {
      if (acc.vals.length === 0) return null;
      let s = acc.vals[0] as string;
      for (let i = 1; i < acc.vals.length; i++) s += (acc.seps[i] as string) + (acc.vals[i] as string);
      return s;
    },
  };
}

const LISTAGG: AggregateFunctionDef = {
  name: 'LISTAGG',
  description:
    "Concatenates the non-NULL strings in arrival order, separated by the separator (default ',').",
  resolve(argTypes) {
    const okText = (t: LogicalType | undefined) => !!t && (isCharacterString(t) || t.kind === 'NULL');
    if (argTypes.length < 1 || argTypes.length > 2 || !argTypes.every(okText)) {
      throw signatureError('LISTAGG', argTypes, ['LISTAGG(<STRING>)', 'LISTAGG(<STRING>, <STRING>)']);
    }
    return resolvedAgg(T.string(), listAggFunction);
  },
};

/**
 * ARRAY_AGG(x): the live values in arrival order, NULLs included (Flink's default RESPECT NULLS);
 * `ignoreNulls` gives ARRAY_AGG(x IGNORE NULLS). NULL when there are no rows.
 */
export function arrayAggregate(ignoreNulls: boolean): AggregateFunctionDef {
  return {
    name: 'ARRAY_AGG',
    description: 'Collects the values into an array in arrival order; NULL if there are no rows.',
    resolve(argTypes) {
      const t = argTypes[0];
      if (argTypes.length !== 1 || !t || t.kind === 'NULL') {
        throw signatureError('ARRAY_AGG', argTypes, ['ARRAY_AGG(<ANY>)']);
      }
      const type = plain(t);
      return resolvedAgg(
        T.array(ignoreNulls ? withNullable(type, false) : type),
        liveList(type, !ignoreNulls, (vals) => vals.slice()),
      );
    },
  };
}

// ---------------------------------------------------------------- BOOL_AND / BOOL_OR

interface BoolAcc {
  t: number;
  f: number;
}

function boolAggregate(name: 'BOOL_AND' | 'BOOL_OR'): AggregateFunctionDef {
  const isAnd = name === 'BOOL_AND';
  const fn = (): AggregateFunction<BoolAcc, boolean | null> => ({
    create: () => ({ t: 0, f: 0 }),
    accumulate(acc, v) {
      if (v === true) acc.t++;
      else if (v === false) acc.f++;
      return acc;
    },
    retract(acc, v) {
      if (v === true) acc.t--;
      else if (v === false) acc.f--;
      return acc;
    },
    merge(acc, o) {
      acc.t += o.t;
      acc.f += o.f;
      return acc;
    },
    getValue(acc) {
      if (acc.t + acc.f === 0) return null;
      return isAnd ? acc.f === 0 : acc.t > 0;
    },
  });
  return {
    name,
    description: `${isAnd ? 'TRUE if every' : 'TRUE if any'} non-NULL value is TRUE; NULL if there are none.`,
    resolve(argTypes) {
      const t = argTypes[0];
      if (argTypes.length !== 1 || !t || (t.kind !== 'BOOLEAN' && t.kind !== 'NULL')) {
        throw signatureError(name, argTypes, [`${name}(<BOOLEAN>)`]);
      }
      return resolvedAgg(T.boolean(), fn);
    },
  };
}

// ---------------------------------------------------------------- DISTINCT

interface DistinctAcc {
  /** encoded argument tuple -> [arguments, live count] */
  seen: Map<string, [Value[], number]>;
  inner: unknown;
}

/**
 * Wraps an aggregate for `agg(DISTINCT x)`: only the first live occurrence of an argument tuple is
 * accumulated, and only its last retraction is retracted, so the wrapped function sees each distinct
 * value once.
 *
 * @example const f = distinctWrapper(countDef.resolve([T.int()], ctx).create());
 */
export function distinctWrapper(fn: AnyAggregate): AnyAggregate {
  const wrapped: AggregateFunction<DistinctAcc, unknown> = {
    create: () => ({ seen: new Map(), inner: fn.create() }),
    accumulate(acc, ...args) {
      const key = encodeKey(args);
      const entry = acc.seen.get(key);
      if (entry) entry[1]++;
      else {
        acc.seen.set(key, [args, 1]);
        acc.inner = fn.accumulate(acc.inner, ...args);
      }
      return acc;
    },
    retract(acc, ...args) {
      const key = encodeKey(args);
      const entry = acc.seen.get(key);
      if (!entry) return acc;
      if (entry[1] > 1) entry[1]--;
      else {
        acc.seen.delete(key);
        if (fn.retract) acc.inner = fn.retract(acc.inner, ...args);
      }
      return acc;
    },
    merge(acc, other) {
      for (const [key, [args, n]] of other.seen) {
        const entry = acc.seen.get(key);
        if (entry) entry[1] += n;
        else {
          acc.seen.set(key, [args, n]);
          acc.inner = fn.accumulate(acc.inner, ...args);
        }
      }
      return acc;
    },
    getValue: (acc) => fn.getValue(acc.inner),
  };
  return asAny(wrapped);
}

// ---------------------------------------------------------------- registry

/** Every built-in aggregate definition. */
export const AGGREGATES: readonly AggregateFunctionDef[] = [
  COUNT,
  SUM,
  AVG,
  extreme('MIN'),
  extreme('MAX'),
  dispersion('STDDEV_POP'),
  dispersion('STDDEV_SAMP'),
  dispersion('VAR_POP'),
  dispersion('VAR_SAMP'),
  firstLast('FIRST_VALUE'),
  firstLast('LAST_VALUE'),
  LISTAGG,
  arrayAggregate(false),
  boolAggregate('BOOL_AND'),
  boolAggregate('BOOL_OR'),
];

/** Registers the built-in aggregates into `registry`. */
export function registerAggregates(registry: FunctionRegistry): void {
  for (const a of AGGREGATES) registry.registerAggregate(a);
}
