import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FunctionRegistry } from '../../catalog/functions/registry.ts';
import { registerScalarBuiltins, resolveScalarCall } from '../../catalog/functions/scalar/index.ts';
import { JavaRandom } from '../../catalog/functions/scalar/math.ts';
import { type LogicalType, T, typeToString } from '../../catalog/types.ts';
import { RivuletError } from '../../common/errors.ts';
import type { Value } from '../../operators/api.ts';

const registry = new FunctionRegistry();
registerScalarBuiltins(registry);
const ctx = { timeZone: 'UTC', now: () => 0 };

/** Resolves NAME for the types and returns the result type and a caller honouring nullOnNullInput. */
function fn(name: string, types: LogicalType[], literals?: Value[]) {
  const def = registry.lookupScalar(name);
  if (!def) throw new Error(`no ${name}`);
  const r = resolveScalarCall(def, types, ctx, literals);
  return {
    type: typeToString(r.resultType),
    deterministic: r.deterministic,
    call: (...args: Value[]): Value =>
      r.nullOnNullInput && args.some((a) => a === null) ? null : r.impl(...args),
  };
}

const planError = (f: () => unknown): RivuletError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RivuletError);
    return e as RivuletError;
  }
  throw new Error('expected an error');
};

describe('ABS / SIGN', () => {
  it('keeps the argument type and handles every representation', () => {
    expect(fn('ABS', [T.int(false)]).type).toBe('INT NOT NULL');
    expect(fn('ABS', [T.int(false)]).call(-5)).toBe(5);
    expect(fn('ABS', [T.bigint()]).call(-5n)).toBe(5n);
    expect(fn('ABS', [T.decimal(5, 2)]).call(-1234n)).toBe(1234n);
    expect(fn('ABS', [T.double()]).call(-1.5)).toBe(1.5);
    expect(fn('ABS', [T.int()]).call(null)).toBeNull();
    expect(fn('ABS', [T.intervalDayTime()]).call(-5000)).toBe(5000);
    expect(fn('ABS', [T.intervalYearMonth()]).type).toBe('INTERVAL YEAR TO MONTH');
  });
  it('wraps at the minimum value as Java does', () => {
    expect(fn('ABS', [T.int()]).call(-2147483648)).toBe(-2147483648);
    expect(fn('ABS', [T.bigint()]).call(-(2n ** 63n))).toBe(-(2n ** 63n));
    expect(fn('ABS', [T.tinyint()]).call(-128)).toBe(-128);
  });
  it('SIGN per type', () => {
    expect(fn('SIGN', [T.int()]).call(-7)).toBe(-1);
    expect(fn('SIGN', [T.bigint()]).call(0n)).toBe(0n);
    expect(fn('SIGN', [T.decimal(5, 2)]).call(-300n)).toBe(-100n); // -1.00
    expect(fn('SIGN', [T.double()]).call(2.5)).toBe(1);
    expect(fn('SIGN', [T.double()]).call(-0)).toBe(0);
  });
  it('rejects non-numbers at planning time', () => {
    const e = planError(() => fn('ABS', [T.string()]));
    expect(e.code).toBe('FUNCTION_SIGNATURE');
    expect(e.phase).toBe('plan');
    expect(e.message).toContain('ABS(<NUMERIC>)');
    expect(e.message).toContain('STRING');
  });
});

describe('MOD', () => {
  it('integers: sign of the dividend, type of the divisor', () => {
    const m = fn('MOD', [T.int(false), T.int(false)]);
    expect(m.type).toBe('INT NOT NULL');
    expect(m.call(7, 3)).toBe(1);
    expect(m.call(-7, 3)).toBe(-1);
    expect(m.call(7, -3)).toBe(1);
    expect(fn('MOD', [T.bigint(), T.int()]).type).toBe('INT');
    expect(fn('MOD', [T.bigint(), T.int()]).call(10n ** 15n + 7n, 10)).toBe(7);
    expect(fn('MOD', [T.int(), T.bigint()]).call(7, 4n)).toBe(3n);
  });
  it('decimals exactly', () => {
    const m = fn('MOD', [T.decimal(5, 2), T.decimal(4, 1)]);
    expect(m.type).toBe('DECIMAL(5, 2)');
    expect(m.call(1075n, 30n)).toBe(175n); // 10.75 mod 3.0 = 1.75
    expect(fn('MOD', [T.decimal(5, 2), T.int()]).call(-1075n, 3)).toBe(-175n);
    expect(fn('MOD', [T.decimal(5, 2), T.int()]).type).toBe('DECIMAL(5, 2)');
    expect(fn('MOD', [T.decimal(20, 0), T.decimal(30, 10)]).type).toBe('DECIMAL(30, 10)');
  });
  it('division by zero is a runtime error, NULL gives NULL', () => {
    const m = fn('MOD', [T.int(), T.int()]);
    expect(() => m.call(1, 0)).toThrow(/Division by zero/);
    expect(m.call(null, 2)).toBeNull();
    expect(() => fn('MOD', [T.bigint(), T.bigint()]).call(1n, 0n)).toThrow(RivuletError);
  });
  it('rejects approximate numbers', () => {
    expect(planError(() => fn('MOD', [T.double(), T.int()])).code).toBe('FUNCTION_SIGNATURE');
  });
  it('agrees with a brute-force remainder on integers', () => {
    const m = fn('MOD', [T.int(), T.int()]);
    fc.assert(
      fc.property(
        fc.integer({ min: -1e6, max: 1e6 }),
        fc.integer({ min: -1000, max: 1000 }).filter((x) => x !== 0),
        (a, b) => {
          const r = m.call(a, b) as number;
          const q = Math.trunc(a / b);
          expect(r).toBe(a - q * b + 0);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('ROUND / TRUNCATE', () => {
  it('DOUBLE rounds half up through decimal text', () => {
    const r = fn('ROUND', [T.double(), T.int()]);
    expect(r.type).toBe('DOUBLE');
    expect(r.call(2.675, 2)).toBe(2.68);
    expect(r.call(-2.5, 0)).toBe(-3);
    expect(r.call(1234.5, -2)).toBe(1200);
    expect(r.call(1.0, 5)).toBe(1);
    expect(r.call(Number.NaN, 1)).toBeNaN();
    expect(fn('ROUND', [T.double()]).call(0.5)).toBe(1);
  });
  it('DECIMAL with a literal d takes Flink result types', () => {
    const r = fn('ROUND', [T.decimal(10, 4), T.int(false)], [undefined, 2]);
    expect(r.type).toBe('DECIMAL(9, 2)');
    expect(r.call(12345n, 2)).toBe(123n); // 1.2345 -> 1.23
    expect(r.call(12355n, 2)).toBe(124n); // 1.2355 -> 1.24
    expect(r.call(-12355n, 2)).toBe(-124n);
    const neg = fn('ROUND', [T.decimal(10, 2), T.int(false)], [undefined, -1]);
    expect(neg.type).toBe('DECIMAL(9, 0)');
    expect(neg.call(12345n, -1)).toBe(120n); // 123.45 -> 120
    const keep = fn('ROUND', [T.decimal(10, 2), T.int(false)], [undefined, 5]);
    expect(keep.type).toBe('DECIMAL(10, 2)');
    expect(keep.call(12345n, 5)).toBe(12345n);
    expect(fn('ROUND', [T.decimal(10, 2)]).type).toBe('DECIMAL(9, 0)');
    expect(fn('ROUND', [T.decimal(10, 2)]).call(12350n)).toBe(124n);
  });
  it('DECIMAL with a varying d keeps the scale', () => {
    const r = fn('ROUND', [T.decimal(10, 4), T.int()]);
    expect(r.type).toBe('DECIMAL(11, 4)');
    expect(r.call(12345n, 2)).toBe(12300n);
  });
  it('integers with negative d', () => {
    expect(fn('ROUND', [T.int(), T.int()]).call(1250, -2)).toBe(1300);
    expect(fn('ROUND', [T.int(), T.int()]).call(-1250, -2)).toBe(-1300);
    expect(fn('ROUND', [T.bigint(), T.int()]).call(149n, -2)).toBe(100n);
    expect(fn('ROUND', [T.int(), T.int()]).call(7, 3)).toBe(7);
    expect(fn('TRUNCATE', [T.int(), T.int()]).call(1299, -2)).toBe(1200);
    // extreme d: no giant powers of ten are built
    expect(fn('ROUND', [T.int(), T.int()]).call(1299, -2147483648)).toBe(0);
    expect(fn('ROUND', [T.bigint(), T.int()]).call(-(2n ** 62n), -2147483648)).toBe(0n);
    expect(fn('ROUND', [T.double(), T.int()]).call(123.4, -2147483648)).toBe(0);
    expect(fn('ROUND', [T.double(), T.int()]).call(123.4, 2147483647)).toBe(123.4);
    expect(fn('ROUND', [T.decimal(10, 2), T.int()]).call(12345n, -2147483648)).toBe(0n);
    expect(
      fn('ROUND', [T.decimal(10, 2), T.int(false)], [undefined, -2147483648]).call(12345n, -2147483648),
    ).toBe(0n);
    expect(fn('ROUND', [T.int(), T.int()]).call(2147483647, -9)).toBe(2000000000);
    expect(fn('ROUND', [T.tinyint(), T.int()]).call(127, -1)).toBe(-126); // 130 wraps as Java's (byte)
  });
  it('TRUNCATE cuts toward zero', () => {
    expect(fn('TRUNCATE', [T.double(), T.int()]).call(2.679, 2)).toBe(2.67);
    expect(fn('TRUNCATE', [T.double(), T.int()]).call(-2.679, 2)).toBe(-2.67);
    expect(fn('TRUNCATE', [T.double()]).call(-2.9)).toBe(-2);
    expect(fn('TRUNCATE', [T.decimal(6, 3), T.int()], [undefined, 1]).call(-1999n, 1)).toBe(-19n);
  });
  it('NULLs and wrong types', () => {
    expect(fn('ROUND', [T.double(), T.int()]).call(null, 1)).toBeNull();
    expect(fn('ROUND', [T.double(), T.int()]).call(1.5, null)).toBeNull();
    expect(planError(() => fn('ROUND', [T.double(), T.double()])).code).toBe('FUNCTION_SIGNATURE');
    expect(planError(() => fn('ROUND', [T.string()])).code).toBe('FUNCTION_SIGNATURE');
  });
  it('ROUND/TRUNCATE of a DOUBLE match half-up/down on the shortest decimal text', () => {
    /** Reference: the digits of String(x) as a bigint, rounded with bigint arithmetic. */
    const reference = (x: number, d: number, halfUp: boolean): number => {
      const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x)) as RegExpExecArray;
      const frac = m[3] ?? '';
      const scale = frac.length - Number(m[4] ?? 0);
      const digits = BigInt(`${m[2]}${frac}`);
      if (d >= scale) return x + 0; // BigDecimal has no negative zero
      const div = 10n ** BigInt(scale - d);
      let q = digits / div;
      if (halfUp && (digits % div) * 2n >= div) q += 1n;
      const text = d >= 0 ? `${q}e-${d}` : `${q}e${-d}`;
      return (m[1] === '-' ? -1 : 1) * Number(text) + 0;
    };
    const round = fn('ROUND', [T.double(), T.int()]);
    const trunc = fn('TRUNCATE', [T.double(), T.int()]);
    const doubles = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }),
      fc.integer({ min: -1e9, max: 1e9 }).map((k) => k / 1000), // prices and ties such as 2.675
      fc.integer({ min: -1e6, max: 1e6 }).map((k) => k / 8), // exact binary ties such as 0.125
    );
    fc.assert(
      fc.property(doubles, fc.integer({ min: -3, max: 8 }), (x, d) => {
        expect(round.call(x, d)).toBe(reference(x, d, true));
        expect(trunc.call(x, d)).toBe(reference(x, d, false));
      }),
      { numRuns: 300 },
    );
  });
  it('ROUND of a decimal matches a brute-force half-up on the digits', () => {
    const r = fn('ROUND', [T.decimal(18, 4), T.int(false)], [undefined, 1]);
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), (u) => {
        const abs = u < 0n ? -u : u;
        const q = abs / 1000n;
        const rem = abs % 1000n;
        const rounded = rem >= 500n ? q + 1n : q;
        expect(r.call(u, 1)).toBe(u < 0n ? -rounded : rounded);
      }),
      { numRuns: 200 },
    );
  });
});

describe('FLOOR / CEIL', () => {
  it('numbers of every kind', () => {
    expect(fn('FLOOR', [T.double()]).call(-1.5)).toBe(-2);
    expect(fn('CEIL', [T.double()]).call(-1.5)).toBe(-1);
    expect(fn('CEILING', [T.double()]).call(1.2)).toBe(2);
    expect(fn('FLOOR', [T.decimal(5, 2)]).type).toBe('DECIMAL(5, 0)');
    expect(fn('FLOOR', [T.decimal(5, 2)]).call(-150n)).toBe(-2n);
    expect(fn('CEIL', [T.decimal(5, 2)]).call(101n)).toBe(2n);
    expect(fn('CEIL', [T.int(false)]).call(3)).toBe(3);
    expect(fn('FLOOR', [T.double()]).call(null)).toBeNull();
  });
  it('time values point to FLOOR_TIME', () => {
    expect(planError(() => fn('FLOOR', [T.timestamp(3)])).message).toContain('FLOOR_TIME');
  });
});

describe('DOUBLE functions', () => {
  it('compute in DOUBLE from any numeric type', () => {
    expect(fn('POWER', [T.int(), T.int()]).call(2, 10)).toBe(1024);
    expect(fn('POWER', [T.decimal(3, 1), T.int()]).call(15n, 2)).toBe(2.25);
    expect(fn('SQRT', [T.bigint()]).call(16n)).toBe(4);
    expect(fn('EXP', [T.int()]).call(0)).toBe(1);
    expect(fn('LN', [T.double()]).call(Math.E)).toBeCloseTo(1, 12);
    expect(fn('LOG10', [T.int()]).call(1000)).toBeCloseTo(3, 12);
    expect(fn('LOG2', [T.int()]).call(8)).toBe(3);
    expect(fn('LOG', [T.int()]).call(1)).toBe(0);
    expect(fn('LOG', [T.int(), T.int()]).call(2, 1024)).toBeCloseTo(10, 12);
    // LOG (unlike LN) refuses arguments outside its domain, as Flink does.
    expect(() => fn('LOG', [T.int()]).call(0)).toThrow(/must be > 0/);
    expect(() => fn('LOG', [T.int(), T.int()]).call(1, 8)).toThrow(/base of 'log\(base, x\)' must be > 1/);
    expect(() => fn('LOG', [T.int(), T.double()]).call(2, -1)).toThrow(RivuletError);
    expect(fn('SQRT', [T.double()]).call(-1)).toBeNaN();
    expect(fn('LN', [T.double()]).call(0)).toBe(Number.NEGATIVE_INFINITY);
  });
  it('trigonometry', () => {
    expect(fn('SIN', [T.double()]).call(Math.PI / 2)).toBe(1);
    expect(fn('COS', [T.double()]).call(0)).toBe(1);
    expect(fn('TAN', [T.double()]).call(0)).toBe(0);
    expect(fn('COT', [T.double()]).call(Math.PI / 4)).toBeCloseTo(1, 12);
    expect(fn('ASIN', [T.double()]).call(1)).toBeCloseTo(Math.PI / 2, 12);
    expect(fn('ACOS', [T.double()]).call(1)).toBe(0);
    expect(fn('ATAN', [T.double()]).call(1)).toBeCloseTo(Math.PI / 4, 12);
    expect(fn('ATAN2', [T.double(), T.double()]).call(1, 1)).toBeCloseTo(Math.PI / 4, 12);
    expect(fn('SINH', [T.double()]).call(0)).toBe(0);
    expect(fn('COSH', [T.double()]).call(0)).toBe(1);
    expect(fn('TANH', [T.double()]).call(0)).toBe(0);
    expect(fn('DEGREES', [T.double()]).call(Math.PI)).toBe(180);
    expect(fn('RADIANS', [T.int()]).call(180)).toBe(Math.PI);
  });
  it('are nullable as their arguments; PI and E are NOT NULL constants', () => {
    expect(fn('SQRT', [T.int(false)]).type).toBe('DOUBLE NOT NULL');
    expect(fn('SQRT', [T.int()]).type).toBe('DOUBLE');
    expect(fn('SQRT', [T.int()]).call(null)).toBeNull();
    expect(fn('PI', []).call()).toBe(Math.PI);
    expect(fn('E', []).type).toBe('DOUBLE NOT NULL');
    expect(planError(() => fn('PI', [T.int()])).code).toBe('FUNCTION_SIGNATURE');
    expect(planError(() => fn('SQRT', [T.boolean()])).code).toBe('FUNCTION_SIGNATURE');
  });
});

describe('RAND / RAND_INTEGER', () => {
  it('java.util.Random sequence for a seed', () => {
    // Known values of new java.util.Random(42): nextInt(10) = 0, 3, 8; nextDouble = 0.7275636800328681
    const a = new JavaRandom(42);
    expect([a.nextInt(10), a.nextInt(10), a.nextInt(10)]).toEqual([0, 3, 8]);
    expect(new JavaRandom(42).nextDouble()).toBe(0.7275636800328681);
  });
  it('seeded RAND repeats per call site, unseeded does not fold', () => {
    const r1 = fn('RAND', [T.int(false)]);
    const r2 = fn('RAND', [T.int(false)]);
    const s1 = [r1.call(7), r1.call(7), r1.call(7)];
    const s2 = [r2.call(7), r2.call(7), r2.call(7)];
    expect(s1).toEqual(s2);
    expect(new Set(s1).size).toBe(3);
    expect(r1.deterministic).toBe(false);
    const u = fn('RAND', []);
    expect(u.type).toBe('DOUBLE NOT NULL');
    for (let i = 0; i < 100; i++) {
      const x = u.call() as number;
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
  it('RAND_INTEGER stays in [0, bound)', () => {
    const r = fn('RAND_INTEGER', [T.int(false), T.int(false)]);
    const seq = Array.from({ length: 50 }, () => r.call(1, 7) as number);
    expect(seq.every((x) => Number.isInteger(x) && x >= 0 && x < 7)).toBe(true);
    const again = fn('RAND_INTEGER', [T.int(false), T.int(false)]);
    expect(Array.from({ length: 50 }, () => again.call(1, 7))).toEqual(seq);
    const u = fn('RAND_INTEGER', [T.int(false)]);
    for (let i = 0; i < 50; i++) expect(u.call(3) as number).toBeLessThan(3);
    expect(() => u.call(0)).toThrow(/positive/);
    expect(fn('RAND_INTEGER', [T.int()]).call(null)).toBeNull();
  });
});

describe('BIN / HEX', () => {
  it('two’s complement for negatives, upper-case hex of strings', () => {
    expect(fn('BIN', [T.int()]).call(12)).toBe('1100');
    expect(fn('BIN', [T.bigint()]).call(-1n)).toBe('1'.repeat(64));
    expect(fn('HEX', [T.int()]).call(255)).toBe('FF');
    expect(fn('HEX', [T.int()]).call(-1)).toBe('F'.repeat(16));
    expect(fn('HEX', [T.string()]).call('hello world')).toBe('68656C6C6F20776F726C64');
    expect(fn('HEX', [T.bytes()]).call(new Uint8Array([0, 171]))).toBe('00AB');
    expect(fn('BIN', [T.int()]).call(null)).toBeNull();
    expect(planError(() => fn('BIN', [T.double()])).code).toBe('FUNCTION_SIGNATURE');
  });
});
