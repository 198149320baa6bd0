import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysFromCivil } from '../../catalog/datetime.ts';
import {
  and3,
  comparatorFor,
  compareStrings,
  equalityFor,
  not3,
  OPERATORS,
  operator,
  or3,
  registerOperators,
} from '../../catalog/functions/operators.ts';
import { FunctionRegistry } from '../../catalog/functions/registry.ts';
import { type LogicalType, T, typeToString } from '../../catalog/types.ts';

const ctx = { timeZone: 'Europe/Berlin', now: () => 0 };
const resolve = (op: string, ...types: LogicalType[]) => operator(op).resolve(types, ctx);
const apply = (op: string, types: LogicalType[], ...args: unknown[]) => resolve(op, ...types).impl(...args);
const utcMs = (y: number, mo: number, d: number, h = 0, mi = 0) => Date.UTC(y, mo - 1, d, h, mi);

describe('integer arithmetic (Java semantics)', () => {
  it('result type is the wider integer type', () => {
    expect(typeToString(resolve('+', T.int(false), T.bigint(false)).resultType)).toBe('BIGINT NOT NULL');
    expect(typeToString(resolve('*', T.tinyint(), T.tinyint(false)).resultType)).toBe('TINYINT');
    expect(typeToString(resolve('/', T.smallint(), T.int()).resultType)).toBe('INT');
  });
  it('INT and BIGINT overflow wraps', () => {
    expect(apply('+', [T.int(), T.int()], 2147483647, 1)).toBe(-2147483648);
    expect(apply('-', [T.int(), T.int()], -2147483648, 1)).toBe(2147483647);
    expect(apply('*', [T.int(), T.int()], 65536, 65536)).toBe(0);
    expect(apply('*', [T.int(), T.int()], 123456789, 987654321)).toBe(-67153019);
    expect(apply('+', [T.bigint(), T.bigint()], 2n ** 63n - 1n, 1n)).toBe(-(2n ** 63n));
    expect(apply('*', [T.bigint(), T.int()], 2n ** 62n, 4)).toBe(0n);
    expect(apply('+', [T.tinyint(), T.tinyint()], 127, 1)).toBe(-128);
    expect(apply('/', [T.int(), T.int()], -2147483648, -1)).toBe(-2147483648);
    expect(apply('-', [T.int()], -2147483648)).toBe(-2147483648);
    expect(apply('-', [T.bigint()], -(2n ** 63n))).toBe(-(2n ** 63n));
  });
  it('matches 32-bit two-complement arithmetic for random operands', () => {
    const wrap = (x: bigint) => Number(BigInt.asIntN(32, x));
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        (a, b) => {
          const A = BigInt(a);
          const B = BigInt(b);
          expect(apply('+', [T.int(), T.int()], a, b)).toBe(wrap(A + B));
          expect(apply('-', [T.int(), T.int()], a, b)).toBe(wrap(A - B));
          expect(apply('*', [T.int(), T.int()], a, b)).toBe(wrap(A * B));
          if (b !== 0) {
            expect(apply('/', [T.int(), T.int()], a, b)).toBe(wrap(A / B));
            expect(apply('%', [T.int(), T.int()], a, b)).toBe(wrap(A % B));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
  it('integer division truncates toward zero; % has the sign of the dividend', () => {
    expect(apply('/', [T.int(), T.int()], 7, 2)).toBe(3);
    expect(apply('/', [T.int(), T.int()], -7, 2)).toBe(-3);
    expect(apply('%', [T.int(), T.int()], -7, 2)).toBe(-1);
    expect(apply('%', [T.int(), T.int()], 7, -2)).toBe(1);
    expect(apply('/', [T.bigint(), T.bigint()], -7n, 2n)).toBe(-3n);
    expect(apply('/', [T.int(), T.bigint()], 7, 2n)).toBe(3n);
  });
  it('integer division or modulo by zero fails with DIVISION_BY_ZERO', () => {
    for (const op of ['/', '%']) {
      expect(() => apply(op, [T.int(), T.int()], 1, 0)).toThrow(
        expect.objectContaining({ code: 'DIVISION_BY_ZERO', phase: 'runtime' }),
      );
      expect(() => apply(op, [T.bigint(), T.bigint()], 1n, 0n)).toThrow(
        expect.objectContaining({ code: 'DIVISION_BY_ZERO' }),
      );
    }
  });
});

describe('approximate and decimal arithmetic', () => {
  it('DOUBLE division by zero gives Infinity or NaN', () => {
    expect(apply('/', [T.double(), T.double()], 1, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(apply('/', [T.double(), T.int()], -1, 0)).toBe(Number.NEGATIVE_INFINITY);
    expect(apply('/', [T.double(), T.double()], 0, 0)).toBeNaN();
    expect(apply('%', [T.double(), T.double()], 5.5, 2)).toBe(1.5);
  });
  it('FLOAT stays FLOAT with integers; DECIMAL with FLOAT is DOUBLE', () => {
    expect(resolve('+', T.float(), T.int()).resultType.kind).toBe('FLOAT');
    expect(apply('+', [T.float(), T.int()], Math.fround(0.1), 1)).toBe(Math.fround(1.1));
    expect(resolve('+', T.decimal(5, 2), T.float()).resultType.kind).toBe('DOUBLE');
    expect(apply('*', [T.decimal(5, 2), T.double()], 150n, 2)).toBe(3);
    expect(apply('+', [T.bigint(), T.double()], 10n, 0.5)).toBe(10.5);
  });
  it('DECIMAL arithmetic is exact with Flink result types; integers act as DECIMAL(10, 0)', () => {
    const add = resolve('+', T.decimal(10, 2), T.int());
    expect(typeToString(add.resultType)).toBe('DECIMAL(13, 2)');
    expect(add.impl(150n, 2)).toBe(350n);
    const div = resolve('/', T.decimal(10, 2), T.decimal(5, 1));
    expect(typeToString(div.resultType)).toBe('DECIMAL(17, 8)');
    expect(div.impl(100n, 30n)).toBe(33333333n);
    // 0.1 + 0.2 is exactly 0.3
    expect(apply('+', [T.decimal(2, 1), T.decimal(2, 1)], 1n, 2n)).toBe(3n);
    const mod = resolve('%', T.decimal(5, 2), T.int());
    expect(typeToString(mod.resultType)).toBe('DECIMAL(5, 2)');
    expect(mod.impl(-750n, 2)).toBe(-150n);
    expect(() => div.impl(1n, 0n)).toThrow(expect.objectContaining({ code: 'DIVISION_BY_ZERO' }));
  });
  it('DECIMAL overflow gives NULL, and such results are typed nullable', () => {
    const mul = resolve('*', T.decimal(38, 0, false), T.decimal(38, 0, false));
    expect(mul.resultType.nullable).toBe(true);
    expect(mul.impl(10n ** 37n, 10n ** 37n)).toBeNull();
    const small = resolve('+', T.decimal(5, 2, false), T.decimal(5, 2, false));
    expect(small.resultType.nullable).toBe(false);
  });
  it('unary minus and plus', () => {
    expect(apply('-', [T.decimal(5, 2)], 150n)).toBe(-150n);
    expect(apply('-', [T.double()], 1.5)).toBe(-1.5);
    expect(apply('-', [T.intervalDayTime()], 1000)).toBe(-1000);
    expect(apply('+', [T.int()], 5)).toBe(5);
    expect(() => resolve('-', T.string())).toThrow(expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }));
  });
  it('every arithmetic operator returns NULL semantics through nullOnNullInput', () => {
    for (const op of ['+', '-', '*', '/', '%'])
      expect(resolve(op, T.int(), T.int()).nullOnNullInput).toBe(true);
  });
  it('rejects non-numeric operands naming the operator and types', () => {
    expect(() => resolve('+', T.int(), T.string())).toThrow(
      expect.objectContaining({
        code: 'FUNCTION_SIGNATURE',
        phase: 'plan',
        message: expect.stringContaining("Cannot apply '+' to arguments of type (INT, STRING)"),
      }),
    );
    expect(() => resolve('*', T.date(), T.int())).toThrow(
      expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }),
    );
    expect(() => resolve('+', T.null(), T.null())).toThrow(
      expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }),
    );
    expect(resolve('+', T.null(), T.int()).resultType.kind).toBe('INT');
  });
});

describe('temporal arithmetic', () => {
  const YM = T.intervalYearMonth();
  const DT = T.intervalDayTime();
  it('TIMESTAMP +/- day-time and year-month intervals, with end-of-month clamping', () => {
    expect(apply('+', [T.timestamp(3), DT], utcMs(2024, 1, 1), 90_000)).toBe(utcMs(2024, 1, 1) + 90_000);
    expect(apply('+', [T.timestamp(3), YM], utcMs(2024, 1, 31, 10), 1)).toBe(utcMs(2024, 2, 29, 10));
    expect(apply('-', [T.timestamp(3), YM], utcMs(2024, 3, 31, 10), 13)).toBe(utcMs(2023, 2, 28, 10));
    expect(apply('+', [YM, T.timestamp(3)], 12, utcMs(2024, 2, 29))).toBe(utcMs(2025, 2, 28));
    expect(resolve('+', T.timestamp(3), DT).resultType.kind).toBe('TIMESTAMP');
    const rowtime = { ...T.timestamp(3, false), timeAttribute: 'ROWTIME' as const };
    const dtNotNull = T.intervalDayTime('DAY TO SECOND', false);
    expect(typeToString(resolve('-', rowtime, dtNotNull).resultType)).toBe('TIMESTAMP(3) NOT NULL');
    expect(typeToString(resolve('-', rowtime, DT).resultType)).toBe('TIMESTAMP(3)');
  });
  it('DATE keeps whole days; TIME wraps around midnight', () => {
    const d = daysFromCivil(2024, 1, 31);
    expect(apply('+', [T.date(), DT], d, 86_400_000 * 2)).toBe(d + 2);
    expect(apply('+', [T.date(), DT], d, 3_600_000)).toBe(d);
    expect(apply('+', [T.date(), YM], d, 1)).toBe(daysFromCivil(2024, 2, 29));
    expect(apply('+', [T.time(0), DT], 23 * 3_600_000, 2 * 3_600_000)).toBe(3_600_000);
    expect(apply('-', [T.time(0), DT], 3_600_000, 2 * 3_600_000)).toBe(23 * 3_600_000);
    expect(() => resolve('+', T.time(0), YM)).toThrow(
      expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }),
    );
  });
  it('TIMESTAMP_LTZ adds months in the session time zone', () => {
    // 2024-01-31 12:00 Berlin (11:00Z) + 1 month = 2024-02-29 12:00 Berlin (11:00Z)
    expect(apply('+', [T.timestampLtz(3), YM], utcMs(2024, 1, 31, 11), 1)).toBe(utcMs(2024, 2, 29, 11));
    // across DST: 2024-03-15 12:00 CET (11:00Z) + 1 month = 2024-04-15 12:00 CEST (10:00Z)
    expect(apply('+', [T.timestampLtz(3), YM], utcMs(2024, 3, 15, 11), 1)).toBe(utcMs(2024, 4, 15, 10));
  });
  it('intervals add, subtract and scale', () => {
    expect(apply('+', [DT, DT], 1000, 2000)).toBe(3000);
    expect(apply('-', [YM, YM], 5, 7)).toBe(-2);
    expect(apply('*', [DT, T.int()], 1500, 3)).toBe(4500);
    expect(apply('*', [T.int(), YM], 2, 7)).toBe(14);
    expect(apply('/', [DT, T.int()], 1000, 3)).toBe(333);
    expect(() => resolve('+', DT, YM)).toThrow(expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }));
  });
});

describe('comparisons', () => {
  it('compare mixed numeric types exactly through the common type', () => {
    expect(apply('=', [T.int(), T.bigint()], 5, 5n)).toBe(true);
    expect(apply('<', [T.int(), T.bigint()], 5, 6n)).toBe(true);
    expect(apply('=', [T.decimal(5, 2), T.int()], 500n, 5)).toBe(true);
    expect(apply('>', [T.decimal(5, 2), T.decimal(6, 3)], 101n, 1009n)).toBe(true);
    expect(apply('=', [T.double(), T.int()], 2.0, 2)).toBe(true);
    expect(apply('<', [T.decimal(5, 2), T.double()], 150n, 1.6)).toBe(true);
    expect(apply('<>', [T.bigint(), T.double()], 3n, 3.5)).toBe(true);
    // the common type DECIMAL(38, 0) would round 1.23456 to 1: decimals compare exactly instead
    expect(apply('=', [T.decimal(38, 0), T.decimal(10, 5)], 1n, 123456n)).toBe(false);
    expect(apply('<', [T.decimal(38, 0), T.decimal(10, 5)], 1n, 123456n)).toBe(true);
    expect(resolve('IS DISTINCT FROM', T.decimal(38, 0), T.decimal(10, 5)).impl(1n, 123456n)).toBe(true);
    expect(resolve('IS DISTINCT FROM', T.bigint(), T.decimal(10, 5)).impl(1n, 100000n)).toBe(false);
  });
  it('agree with the order of exact values for random integers and decimals', () => {
    fc.assert(
      fc.property(fc.integer(), fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), (a, b) => {
        const A = BigInt(a) * 100n;
        expect(apply('<', [T.int(), T.decimal(14, 2)], a, b)).toBe(A < b);
        expect(apply('>=', [T.int(), T.decimal(14, 2)], a, b)).toBe(A >= b);
        expect(apply('=', [T.int(), T.decimal(14, 2)], a, b)).toBe(A === b);
      }),
      { numRuns: 300 },
    );
  });
  it('compare INT with BIGINT exactly for all six operators', () => {
    const ref: Record<string, (a: bigint, b: bigint) => boolean> = {
      '=': (a, b) => a === b,
      '<>': (a, b) => a !== b,
      '<': (a, b) => a < b,
      '<=': (a, b) => a <= b,
      '>': (a, b) => a > b,
      '>=': (a, b) => a >= b,
    };
    const near = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer());
    fc.assert(
      fc.property(
        near,
        fc.oneof(near.map(BigInt), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
        (a, b) => {
          for (const [op, f] of Object.entries(ref)) {
            expect(apply(op, [T.int(), T.bigint()], a, b)).toBe(f(BigInt(a), b));
            expect(apply(op, [T.bigint(), T.smallint()], b, a % 32768)).toBe(f(b, BigInt(a % 32768)));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
  it('compares strings, booleans, temporal values and bytes', () => {
    expect(apply('<', [T.string(), T.char(3)], 'abc', 'abd')).toBe(true);
    expect(apply('<', [T.string(), T.string()], 'Z', 'a')).toBe(true);
    expect(apply('<', [T.boolean(), T.boolean()], false, true)).toBe(true);
    expect(apply('>=', [T.date(), T.date()], 5, 5)).toBe(true);
    expect(apply('<', [T.bytes(), T.bytes()], new Uint8Array([1, 2]), new Uint8Array([1, 255]))).toBe(true);
    expect(apply('=', [T.bytes(), T.bytes()], new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    // TIMESTAMP vs TIMESTAMP_LTZ compares instants in the session zone (Berlin, +01:00 in January)
    expect(
      apply('=', [T.timestamp(3), T.timestampLtz(3)], utcMs(2024, 1, 1, 12), utcMs(2024, 1, 1, 11)),
    ).toBe(true);
  });
  it('orders strings by code point, i.e. by UTF-8 bytes as Flink does', () => {
    const utf8 = new TextEncoder();
    const byBytes = (a: string, b: string) => {
      const x = utf8.encode(a);
      const y = utf8.encode(b);
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        if (x[i] !== y[i]) return (x[i] as number) < (y[i] as number) ? -1 : 1;
      }
      return Math.sign(x.length - y.length);
    };
    // U+FF21 (fullwidth A) sorts before U+1F600 (an emoji) by code point, after it by UTF-16 unit
    expect(compareStrings('\uff21', '\u{1f600}')).toBe(-1);
    expect(apply('<', [T.string(), T.string()], '\uff21', '\u{1f600}')).toBe(true);
    const text = fc.string({
      unit: fc.constantFrom('a', 'z', '\u00e9', '\uff21', '\u{1f600}', '\u{10ffff}'),
    });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(compareStrings(a, b)).toBe(byBytes(a, b));
        expect(comparatorFor(T.string())(a, b)).toBe(byBytes(a, b));
        expect(apply('<=', [T.string(), T.string()], a, b)).toBe(byBytes(a, b) <= 0);
      }),
      { numRuns: 300 },
    );
  });
  it('compares arrays and rows for equality, element-wise', () => {
    expect(apply('=', [T.array(T.int()), T.array(T.bigint())], [1, 2], [1n, 2n])).toBe(true);
    expect(apply('<>', [T.array(T.int()), T.array(T.int())], [1, 2], [1, 3])).toBe(true);
    expect(apply('=', [T.array(T.int()), T.array(T.int())], [1, null], [1, null])).toBe(true);
    const m = T.map(T.string(), T.int());
    expect(
      apply(
        '=',
        [m, m],
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
        new Map([
          ['b', 2],
          ['a', 1],
        ]),
      ),
    ).toBe(true);
  });
  it('rejects incomparable operands at planning time, as Flink does for STRING = INT', () => {
    expect(() => resolve('=', T.string(), T.int())).toThrow(
      expect.objectContaining({ code: 'FUNCTION_SIGNATURE', message: expect.stringContaining("'='") }),
    );
    expect(() => resolve('<', T.map(T.int(), T.int()), T.map(T.int(), T.int()))).toThrow(
      expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }),
    );
    expect(() => resolve('<', T.date(), T.timestamp(3))).toThrow(
      expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }),
    );
  });
  it('IS [NOT] DISTINCT FROM treats NULL as a value and is never NULL', () => {
    const d = resolve('IS DISTINCT FROM', T.int(), T.bigint());
    expect(d.nullOnNullInput).toBe(false);
    expect(d.resultType.nullable).toBe(false);
    expect(d.impl(null, null)).toBe(false);
    expect(d.impl(1, null)).toBe(true);
    expect(d.impl(1, 1n)).toBe(false);
    expect(d.impl(1, 2n)).toBe(true);
    const nd = resolve('IS NOT DISTINCT FROM', T.string(), T.string());
    expect(nd.impl(null, null)).toBe(true);
    expect(nd.impl('a', null)).toBe(false);
  });
  it('comparatorFor is a total order with Java Double.compare semantics', () => {
    const c = comparatorFor(T.double());
    const sorted = [Number.NaN, 1, -0, 0, Number.NEGATIVE_INFINITY, -1].sort(c);
    expect(sorted.map((x) => (Object.is(x, -0) ? '-0' : String(x)))).toEqual([
      '-Infinity',
      '-1',
      '-0',
      '0',
      '1',
      'NaN',
    ]);
    expect([3n, -1n, 2n].sort(comparatorFor(T.bigint()))).toEqual([-1n, 2n, 3n]);
    expect(equalityFor(T.array(T.string()))(['a'], ['a'])).toBe(true);
  });
});

describe('concatenation and three-valued logic', () => {
  it('|| concatenates strings and bytes, with a summed length', () => {
    const r = resolve('||', T.varchar(3), T.char(2));
    expect(typeToString(r.resultType)).toBe('VARCHAR(5)');
    expect(r.impl('ab', 'cd')).toBe('abcd');
    expect(typeToString(resolve('||', T.string(), T.string()).resultType)).toBe('STRING');
    expect(typeToString(resolve('||', T.char(2, false), T.char(3, false)).resultType)).toBe(
      'CHAR(5) NOT NULL',
    );
    expect(apply('||', [T.bytes(), T.bytes()], new Uint8Array([1]), new Uint8Array([2]))).toEqual(
      new Uint8Array([1, 2]),
    );
    expect(() => resolve('||', T.string(), T.int())).toThrow(
      expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }),
    );
  });
  it('AND, OR and NOT follow the SQL truth tables', () => {
    const vals = [true, false, null] as const;
    const andTable = [
      [true, false, null],
      [false, false, false],
      [null, false, null],
    ];
    const orTable = [
      [true, true, true],
      [true, false, null],
      [true, null, null],
    ];
    const and = resolve('AND', T.boolean(), T.boolean());
    const or = resolve('OR', T.boolean(), T.boolean());
    expect(and.nullOnNullInput).toBe(false);
    vals.forEach((a, i) => {
      vals.forEach((b, j) => {
        expect(and3(a, b)).toBe(andTable[i]?.[j]);
        expect(or3(a, b)).toBe(orTable[i]?.[j]);
        expect(and.impl(a, b)).toBe(andTable[i]?.[j]);
        expect(or.impl(a, b)).toBe(orTable[i]?.[j]);
      });
    });
    expect(not3(null)).toBeNull();
    expect(not3(true)).toBe(false);
    expect(resolve('NOT', T.boolean()).impl(false)).toBe(true);
    expect(resolve('AND', T.boolean(), T.boolean(), T.boolean()).impl(true, null, false)).toBe(false);
    expect(resolve('OR', T.boolean(), T.null(), T.boolean()).impl(false, null, false)).toBeNull();
    expect(() => resolve('AND', T.boolean(), T.int())).toThrow(
      expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }),
    );
  });
});

describe('registration', () => {
  it('registers every operator under its symbol, case-insensitively', () => {
    const r = new FunctionRegistry();
    registerOperators(r);
    for (const op of OPERATORS) expect(r.lookupScalar(op.name.toLowerCase())).toBe(op);
    expect(r.lookupScalar('is distinct from')?.name).toBe('IS DISTINCT FROM');
    expect(r.names()).toContain('||');
  });
});
