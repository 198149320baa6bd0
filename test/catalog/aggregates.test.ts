import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AGGREGATES,
  arrayAggregate,
  distinctWrapper,
  isqrt,
  registerAggregates,
} from '../../catalog/functions/aggregates.ts';
import { type AggregateFunctionDef, FunctionRegistry } from '../../catalog/functions/registry.ts';
import { type LogicalType, T, typeToString } from '../../catalog/types.ts';
import type { AggregateFunction } from '../../operators/api.ts';

const ctx = { timeZone: 'UTC', now: () => 0 };
const def = (name: string): AggregateFunctionDef => {
  const d = AGGREGATES.find((a) => a.name === name);
  if (!d) throw new Error(`no aggregate ${name}`);
  return d;
};
const make = (name: string, ...types: LogicalType[]) => def(name).resolve(types, ctx).create();

/** Feeds values (one argument each) through accumulate and returns the result. */
function over(f: AggregateFunction, values: unknown[], retract: unknown[] = []): unknown {
  let acc = f.create();
  for (const v of values) acc = f.accumulate(acc, v);
  for (const v of retract) acc = f.retract?.(acc, v) ?? acc;
  return f.getValue(acc);
}

// ---------------------------------------------------------------- brute-force references

type Ref = (live: unknown[]) => unknown;
const nonNull = (live: unknown[]) => live.filter((v) => v !== null);
const emptyNull =
  (f: (vals: unknown[]) => unknown): Ref =>
  (live) => {
    const vals = nonNull(live);
    return vals.length === 0 ? null : f(vals);
  };
const big = (v: unknown) => (typeof v === 'bigint' ? v : BigInt(v as number));
const bigSum = (vals: unknown[]) => vals.reduce<bigint>((s, v) => s + big(v), 0n);
const halfUp = (n: bigint, d: bigint) => {
  const neg = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  let q = an / ad;
  if ((an % ad) * 2n >= ad) q++;
  return neg ? -q : q;
};
/** Population / sample variance of integers as an exact fraction: sum (n x - S)^2 / (n^2 d). */
const varianceFraction = (vals: unknown[], sample: boolean): [bigint, bigint] => {
  const n = BigInt(vals.length);
  const s = bigSum(vals);
  const num = vals.reduce<bigint>((acc, v) => acc + (n * big(v) - s) ** 2n, 0n);
  return [num, n * n * (sample ? n - 1n : n)];
};
const floorSqrt = (q: bigint) => {
  let r = BigInt(Math.floor(Math.sqrt(Number(q))));
  while (r * r > q) r--;
  while ((r + 1n) * (r + 1n) <= q) r++;
  return r;
};

interface Case {
  name: string;
  types: LogicalType[];
  values: fc.Arbitrary<unknown>;
  ref: Ref;
  def?: AggregateFunctionDef;
  distinct?: boolean;
  /** Compare array results as multisets. */
  unordered?: boolean;
}

const intVals = fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null, freq: 5 });
const smallInts = fc.option(fc.integer({ min: -3, max: 3 }), { nil: null, freq: 5 });
const bigVals = fc.option(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), { nil: null, freq: 5 });
const decVals = fc.option(fc.bigInt({ min: -99999n, max: 99999n }), { nil: null, freq: 5 });
const strVals = fc.option(fc.constantFrom('a', 'b', 'c', 'dd'), { nil: null, freq: 5 });
const boolVals = fc.option(fc.boolean(), { nil: null, freq: 4 });

const cases: Case[] = [
  { name: 'COUNT', types: [], values: intVals, ref: (live) => BigInt(live.length) },
  { name: 'COUNT', types: [T.int()], values: intVals, ref: (live) => BigInt(nonNull(live).length) },
  {
    name: 'SUM',
    types: [T.int()],
    values: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null, freq: 5 }),
    ref: emptyNull((vals) => Number(BigInt.asIntN(32, bigSum(vals)))),
  },
  {
    name: 'SUM',
    types: [T.bigint()],
    values: bigVals,
    ref: emptyNull((vals) => BigInt.asIntN(64, bigSum(vals))),
  },
  { name: 'SUM', types: [T.decimal(5, 2)], values: decVals, ref: emptyNull(bigSum) },
  {
    name: 'AVG',
    types: [T.int()],
    values: intVals,
    ref: emptyNull((vals) => Number(bigSum(vals) / BigInt(vals.length))),
  },
  {
    name: 'AVG',
    types: [T.decimal(5, 2)],
    values: decVals,
    // DECIMAL(38, 6): sum (scale 2) * 10^4 / n, HALF_UP
    ref: emptyNull((vals) => halfUp(bigSum(vals) * 10000n, BigInt(vals.length))),
  },
  {
    name: 'MIN',
    types: [T.int()],
    values: intVals,
    ref: emptyNull((vals) => Math.min(...(vals as number[]))),
  },
  {
    name: 'MAX',
    types: [T.int()],
    values: intVals,
    ref: emptyNull((vals) => Math.max(...(vals as number[]))),
  },
  {
    name: 'MAX',
    types: [T.string()],
    values: strVals,
    ref: emptyNull((vals) => [...(vals as string[])].sort().pop()),
  },
  {
    name: 'MIN',
    types: [T.decimal(5, 2)],
    values: decVals,
    ref: emptyNull((vals) => [...(vals as bigint[])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[0]),
  },
  {
    name: 'VAR_POP',
    types: [T.int()],
    values: intVals,
    ref: emptyNull((vals) => {
      const [n, d] = varianceFraction(vals, false);
      return Number(n / d);
    }),
  },
  {
    name: 'VAR_SAMP',
    types: [T.bigint()],
    values: fc.option(fc.bigInt({ min: -1000n, max: 1000n }), { nil: null, freq: 5 }),
    ref: (live) => {
      const vals = nonNull(live);
      if (vals.length < 2) return null;
      const [n, d] = varianceFraction(vals, true);
      return n / d;
    },
  },
  {
    name: 'STDDEV_POP',
    types: [T.int()],
    values: intVals,
    ref: emptyNull((vals) => {
      const [n, d] = varianceFraction(vals, false);
      return Number(floorSqrt(n / d));
    }),
  },
  {
    name: 'STDDEV_SAMP',
    types: [T.decimal(5, 2)],
    values: decVals,
    ref: (live) => {
      const vals = nonNull(live);
      if (vals.length < 2) return null;
      // unscaled values have scale 2; the result has scale 6: sqrt(num / den) * 10^4, HALF_UP
      const [n, d] = varianceFraction(vals, true);
      const x = { n: n * 10n ** 8n, d };
      let r = floorSqrt(x.n / x.d);
      // round half up: compare (r + 0.5)^2 with x
      if (4n * x.n >= (4n * r * r + 4n * r + 1n) * x.d) r++;
      return r;
    },
  },
  {
    name: 'VAR_POP',
    types: [T.decimal(5, 2)],
    values: decVals,
    ref: emptyNull((vals) => {
      // variance has scale 4 in unscaled units; result scale 6 -> * 10^2
      const [n, d] = varianceFraction(vals, false);
      return halfUp(n * 100n, d);
    }),
  },
  { name: 'FIRST_VALUE', types: [T.string()], values: strVals, ref: emptyNull((vals) => vals[0]) },
  {
    name: 'LAST_VALUE',
    types: [T.int()],
    values: smallInts,
    ref: emptyNull((vals) => vals[vals.length - 1]),
  },
  { name: 'LISTAGG', types: [T.string()], values: strVals, ref: emptyNull((vals) => vals.join(',')) },
  {
    name: 'ARRAY_AGG',
    types: [T.int()],
    values: smallInts,
    ref: (live) => (live.length === 0 ? null : [...live]),
  },
  {
    name: 'ARRAY_AGG',
    types: [T.int()],
    values: smallInts,
    def: arrayAggregate(true),
    ref: emptyNull((vals) => [...vals]),
  },
  {
    name: 'BOOL_AND',
    types: [T.boolean()],
    values: boolVals,
    ref: emptyNull((vals) => vals.every((v) => v)),
  },
  { name: 'BOOL_OR', types: [T.boolean()], values: boolVals, ref: emptyNull((vals) => vals.some((v) => v)) },
  {
    name: 'COUNT',
    types: [T.int()],
    values: smallInts,
    distinct: true,
    ref: (live) => BigInt(new Set(nonNull(live)).size),
  },
  {
    name: 'SUM',
    types: [T.int()],
    values: smallInts,
    distinct: true,
    ref: emptyNull((vals) => [...new Set(vals as number[])].reduce((a, b) => a + b, 0)),
  },
  {
    name: 'ARRAY_AGG',
    types: [T.int()],
    values: smallInts,
    distinct: true,
    // one element per distinct live value; DISTINCT leaves their order unspecified
    unordered: true,
    ref: (live) => {
      const seen: unknown[] = [];
      for (const v of live) if (!seen.includes(v)) seen.push(v);
      return seen.length === 0 ? null : seen;
    },
  },
];

/** One step: accumulate a new value, or retract one of the live values (picked by index). */
const stepArb = (values: fc.Arbitrary<unknown>) =>
  fc.record({ retract: fc.boolean(), value: values, pick: fc.nat(), snapshot: fc.boolean() });

describe('every aggregate under random accumulate/retract sequences equals a recomputation from the live rows', () => {
  for (const c of cases) {
    const label = `${c.distinct ? 'DISTINCT ' : ''}${c.name}(${c.types.map(typeToString).join(', ') || '*'})`;
    it(label, () => {
      const resolvedDef = c.def ?? def(c.name);
      fc.assert(
        fc.property(fc.array(stepArb(c.values), { maxLength: 40 }), (steps) => {
          const base = resolvedDef.resolve(c.types, ctx).create();
          const f = c.distinct ? distinctWrapper(base) : base;
          let acc = f.create();
          const live: unknown[] = [];
          expect(f.getValue(acc)).toEqual(c.ref(live));
          for (const s of steps) {
            if (s.retract && live.length > 0) {
              const v = live[s.pick % live.length];
              live.splice(live.indexOf(v), 1); // the earliest live occurrence goes
              acc = f.retract?.(acc, ...(c.types.length === 0 ? [] : [v])) ?? acc;
            } else {
              live.push(s.value);
              acc = f.accumulate(acc, ...(c.types.length === 0 ? [] : [s.value]));
            }
            // state snapshots are structured clones: the clone must carry on identically
            if (s.snapshot) acc = structuredClone(acc);
            const got = f.getValue(acc);
            const want = c.ref(live);
            if (c.unordered && Array.isArray(got) && Array.isArray(want)) {
              expect([...got].sort()).toEqual([...want].sort());
            } else expect(got).toEqual(want);
          }
        }),
        { numRuns: 100 },
      );
    });
  }
});

describe('empty input, NULL input and merge', () => {
  it('an aggregate over no rows is NULL, COUNT is 0', () => {
    for (const a of AGGREGATES) {
      const types = a.name === 'COUNT' ? [] : a.name.startsWith('BOOL') ? [T.boolean()] : [T.int()];
      const f = a.resolve(a.name === 'LISTAGG' ? [T.string()] : types, ctx).create();
      expect({ name: a.name, value: f.getValue(f.create()) }).toEqual({
        name: a.name,
        value: a.name === 'COUNT' ? 0n : null,
      });
    }
  });
  it('only NULL inputs: NULL (COUNT(x) 0, COUNT(*) counts them, ARRAY_AGG keeps them)', () => {
    expect(over(make('SUM', T.int()), [null, null])).toBeNull();
    expect(over(make('MIN', T.int()), [null])).toBeNull();
    expect(over(make('COUNT', T.int()), [null, null])).toBe(0n);
    expect(over(make('COUNT'), [null, null])).toBe(2n);
    expect(over(make('ARRAY_AGG', T.int()), [null, 1, null])).toEqual([null, 1, null]);
    expect(over(make('LISTAGG', T.string()), [null])).toBeNull();
    expect(over(make('FIRST_VALUE', T.int()), [null, 7, 8])).toBe(7);
  });
  it('retracting everything returns to the empty result', () => {
    expect(over(make('MAX', T.int()), [3, 9, 5], [9, 3, 5])).toBeNull();
    expect(over(make('MAX', T.int()), [3, 9, 5], [9])).toBe(5);
    expect(over(make('SUM', T.double()), [1.5, 2.5], [1.5, 2.5])).toBeNull();
    expect(over(make('COUNT'), [1, 2], [1, 2])).toBe(0n);
  });
  it('merge combines two partial accumulators', () => {
    for (const name of ['COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'VAR_SAMP', 'STDDEV_POP']) {
      const f = make(name, T.int());
      const a = [5, 1, null, 7];
      const b = [2, 9];
      let accA = f.create();
      for (const v of a) accA = f.accumulate(accA, v);
      let accB = f.create();
      for (const v of b) accB = f.accumulate(accB, v);
      expect({ name, v: f.getValue(f.merge?.(accA, accB)) }).toEqual({ name, v: over(f, [...a, ...b]) });
    }
  });
  it('SUM of INT wraps like Java, and a retraction undoes it exactly', () => {
    expect(over(make('SUM', T.int()), [2147483647, 1])).toBe(-2147483648);
    expect(over(make('SUM', T.int()), [2147483647, 1], [1])).toBe(2147483647);
  });
  it('SUM of DECIMAL beyond 38 digits is NULL', () => {
    const nines = 10n ** 38n - 1n;
    expect(over(make('SUM', T.decimal(38, 0)), [nines, 1n])).toBeNull();
    expect(over(make('SUM', T.decimal(38, 0)), [nines, 1n], [1n])).toBe(nines);
  });
  it('DOUBLE and FLOAT aggregates', () => {
    expect(over(make('AVG', T.double()), [1, 2, 4])).toBeCloseTo(7 / 3, 12);
    expect(over(make('SUM', T.float()), [Math.fround(0.1), Math.fround(0.2)])).toBe(
      Math.fround(Math.fround(0.1) + Math.fround(0.2)),
    );
    expect(over(make('STDDEV_POP', T.double()), [2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2, 12);
    expect(over(make('VAR_SAMP', T.double()), [1, 2, 3, 4])).toBeCloseTo(5 / 3, 12);
    expect(over(make('VAR_SAMP', T.double()), [1])).toBeNull();
    expect(over(make('VAR_POP', T.double()), [1])).toBe(0);
  });
  it('LISTAGG uses the given separator', () => {
    const f = make('LISTAGG', T.string(), T.string());
    let acc = f.create();
    for (const v of ['a', 'b', 'c']) acc = f.accumulate(acc, v, '; ');
    expect(f.getValue(acc)).toBe('a; b; c');
    acc = f.retract?.(acc, 'b', '; ') ?? acc;
    expect(f.getValue(acc)).toBe('a; c');
  });
  it('MIN/MAX/FIRST/LAST offer O(1) append-only variants with the same answers', () => {
    for (const name of ['MIN', 'MAX', 'FIRST_VALUE', 'LAST_VALUE']) {
      const r = def(name).resolve([T.int()], ctx);
      expect(r.retractable).toBe(true);
      const appendOnly = r.createAppendOnly?.();
      expect(appendOnly).toBeDefined();
      expect(appendOnly?.retract).toBeUndefined();
      fc.assert(
        fc.property(fc.array(intVals, { maxLength: 30 }), (vals) => {
          expect(over(appendOnly as AggregateFunction, vals)).toEqual(over(r.create(), vals));
        }),
        { numRuns: 50 },
      );
    }
  });
});

describe('result types and signatures (as Flink)', () => {
  const rt = (name: string, ...types: LogicalType[]) =>
    typeToString(def(name).resolve(types, ctx).resultType);
  it('derives result types', () => {
    expect(rt('COUNT')).toBe('BIGINT NOT NULL');
    expect(rt('COUNT', T.string(false))).toBe('BIGINT NOT NULL');
    expect(rt('SUM', T.int(false))).toBe('INT');
    expect(rt('SUM', T.bigint())).toBe('BIGINT');
    expect(rt('SUM', T.decimal(10, 2))).toBe('DECIMAL(38, 2)');
    expect(rt('AVG', T.int())).toBe('INT');
    expect(rt('AVG', T.tinyint())).toBe('TINYINT');
    expect(rt('AVG', T.decimal(10, 2))).toBe('DECIMAL(38, 6)');
    expect(rt('AVG', T.decimal(20, 8))).toBe('DECIMAL(38, 8)');
    expect(rt('STDDEV_SAMP', T.double())).toBe('DOUBLE');
    expect(rt('VAR_POP', T.decimal(10, 2))).toBe('DECIMAL(38, 6)');
    expect(rt('MAX', { ...T.timestamp(3, false), timeAttribute: 'ROWTIME' })).toBe('TIMESTAMP(3)');
    expect(rt('LISTAGG', T.string())).toBe('STRING');
    expect(rt('ARRAY_AGG', T.int(false))).toBe('ARRAY<INT NOT NULL>');
    expect(rt('BOOL_AND', T.boolean(false))).toBe('BOOLEAN');
  });
  it('rejects wrong argument types at planning time', () => {
    const bad: [string, LogicalType[]][] = [
      ['SUM', [T.string()]],
      ['AVG', [T.boolean()]],
      ['MIN', [T.map(T.int(), T.int())]],
      ['STDDEV_POP', [T.date()]],
      ['LISTAGG', [T.int()]],
      ['BOOL_OR', [T.int()]],
      ['SUM', [T.int(), T.int()]],
    ];
    for (const [name, types] of bad) {
      expect(() => def(name).resolve(types, ctx)).toThrow(
        expect.objectContaining({
          code: 'FUNCTION_SIGNATURE',
          phase: 'plan',
          message: expect.stringContaining(name),
        }),
      );
    }
  });
  it('registers all aggregates case-insensitively', () => {
    const r = new FunctionRegistry();
    registerAggregates(r);
    expect(r.lookupAggregate('stddev_samp')?.name).toBe('STDDEV_SAMP');
    expect(r.lookupScalar('COUNT')).toBeUndefined();
    expect(r.names()).toEqual([...AGGREGATES.map((a) => a.name)].sort());
  });
});

describe('isqrt', () => {
  it('is the floor square root for huge values', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 160n }), (x) => {
        const r = isqrt(x);
        expect(r * r <= x && (r + 1n) * (r + 1n) > x).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
