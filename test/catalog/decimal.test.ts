import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  additionShape,
  avgShape,
  checkPrecision,
  type DecimalShape,
  decimalAdd,
  decimalCompare,
  decimalDivide,
  decimalFromNumber,
  decimalModulo,
  decimalMultiply,
  decimalSubtract,
  decimalToNumber,
  decimalToString,
  decimalTruncate,
  divisionShape,
  moduloShape,
  multiplicationShape,
  parseDecimal,
  parseDecimalText,
  rescale,
  sumShape,
} from '../../catalog/decimal.ts';

const shape = (precision: number, scale: number): DecimalShape => ({ precision, scale });

// ---- a brute-force reference: exact rationals n/d, rounded HALF_UP (ties away from zero) ----
interface Rat {
  n: bigint;
  d: bigint;
}
const rat = (unscaled: bigint, scale: number): Rat => ({ n: unscaled, d: 10n ** BigInt(scale) });
const abs = (x: bigint) => (x < 0n ? -x : x);
/** The unscaled value at `scale` of a rational, rounded half away from zero. */
function roundRat(r: Rat, scale: number): bigint {
  const num = r.n * 10n ** BigInt(scale);
  const neg = num < 0n !== r.d < 0n;
  const an = abs(num);
  const ad = abs(r.d);
  let q = an / ad;
  if ((an % ad) * 2n >= ad) q += 1n;
  return neg ? -q : q;
}
function fits(v: bigint, precision: number): boolean {
  return abs(v) < 10n ** BigInt(precision);
}

/** An arbitrary DECIMAL(p, s) shape and a value of it. */
const decimalArb = fc
  .integer({ min: 1, max: 38 })
  .chain((p) => fc.integer({ min: 0, max: p }).map((s) => shape(p, s)))
  .chain((sh) =>
    fc
      .bigInt({ min: -(10n ** BigInt(sh.precision)) + 1n, max: 10n ** BigInt(sh.precision) - 1n })
      .map((v) => ({ sh, v })),
  );

describe('result precision and scale (Flink LogicalTypeMerging)', () => {
  it('addition: max(s1, s2) + max(p1-s1, p2-s2) + 1 and max scale', () => {
    expect(additionShape(shape(10, 2), shape(5, 3))).toEqual(shape(12, 3));
    // capped at 38: keep integer digits, scale shrinks but not below min(s, 6)
    expect(additionShape(shape(38, 8), shape(32, 8))).toEqual(shape(38, 7));
    expect(additionShape(shape(38, 2), shape(38, 2))).toEqual(shape(38, 2));
  });
  it('multiplication: p1 + p2 + 1 and s1 + s2', () => {
    expect(multiplicationShape(shape(10, 2), shape(5, 3))).toEqual(shape(16, 5));
    expect(multiplicationShape(shape(38, 10), shape(38, 10))).toEqual(shape(38, 6));
    // 41 digits, 37 of them integer: the scale stays min(4, 6) = 4 even though 37 + 4 > 38
    expect(multiplicationShape(shape(20, 2), shape(20, 2))).toEqual(shape(38, 4));
    expect(multiplicationShape(shape(30, 10), shape(10, 0))).toEqual(shape(38, 7));
  });
  it('division: scale max(6, s1 + p2 + 1), precision p1 - s1 + s2 + scale', () => {
    expect(divisionShape(shape(10, 2), shape(5, 1))).toEqual(shape(17, 8));
    expect(divisionShape(shape(10, 0), shape(10, 0))).toEqual(shape(21, 11));
    expect(divisionShape(shape(38, 10), shape(38, 10))).toEqual(shape(38, 6));
  });
  it('modulo: min(p1-s1, p2-s2) + max(s1, s2)', () => {
    expect(moduloShape(shape(10, 2), shape(5, 3))).toEqual(shape(5, 3));
  });
  it('SUM is DECIMAL(38, s) and AVG is DECIMAL(38, max(6, s))', () => {
    expect(sumShape(shape(10, 2))).toEqual(shape(38, 2));
    expect(avgShape(shape(10, 2))).toEqual(shape(38, 6));
    expect(avgShape(shape(20, 9))).toEqual(shape(38, 9));
  });
});

describe('exact arithmetic against a rational reference', () => {
  const pair = fc.tuple(decimalArb, decimalArb);
  const runs = { numRuns: 300 };

  it('add and subtract are exact, NULL only on overflow', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const r = additionShape(a.sh, b.sh);
        const sum = rat(a.v * 10n ** BigInt(b.sh.scale) + b.v * 10n ** BigInt(a.sh.scale), 0);
        sum.d = 10n ** BigInt(a.sh.scale + b.sh.scale);
        const want = roundRat(sum, r.scale);
        expect(decimalAdd(a.sh, b.sh, r)(a.v, b.v)).toBe(fits(want, r.precision) ? want : null);
        const diff = { n: a.v * 10n ** BigInt(b.sh.scale) - b.v * 10n ** BigInt(a.sh.scale), d: sum.d };
        const wantD = roundRat(diff, r.scale);
        expect(decimalSubtract(a.sh, b.sh, r)(a.v, b.v)).toBe(fits(wantD, r.precision) ? wantD : null);
      }),
      runs,
    );
  });

  it('multiply rounds the exact product HALF_UP to the result scale', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const r = multiplicationShape(a.sh, b.sh);
        const want = roundRat({ n: a.v * b.v, d: 10n ** BigInt(a.sh.scale + b.sh.scale) }, r.scale);
        expect(decimalMultiply(a.sh, b.sh, r)(a.v, b.v)).toBe(fits(want, r.precision) ? want : null);
      }),
      runs,
    );
  });

  it('divide rounds the exact quotient HALF_UP to the result scale', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        fc.pre(b.v !== 0n);
        const r = divisionShape(a.sh, b.sh);
        const q = { n: a.v * 10n ** BigInt(b.sh.scale), d: b.v * 10n ** BigInt(a.sh.scale) };
        const want = roundRat(q, r.scale);
        expect(decimalDivide(a.sh, b.sh, r)(a.v, b.v)).toBe(fits(want, r.precision) ? want : null);
      }),
      runs,
    );
  });

  it('modulo has the sign of the dividend and a - b * trunc(a / b) as value', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        fc.pre(b.v !== 0n);
        const r = moduloShape(a.sh, b.sh);
        const common = Math.max(a.sh.scale, b.sh.scale);
        const x = a.v * 10n ** BigInt(common - a.sh.scale);
        const y = b.v * 10n ** BigInt(common - b.sh.scale);
        const t = x / y; // truncates toward zero
        const rem = x - y * t;
        const want = roundRat({ n: rem, d: 10n ** BigInt(common) }, r.scale);
        expect(decimalModulo(a.sh, b.sh, r)(a.v, b.v)).toBe(fits(want, r.precision) ? want : null);
      }),
      runs,
    );
  });

  it('compare agrees with the rational order', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const lhs = a.v * 10n ** BigInt(b.sh.scale);
        const rhs = b.v * 10n ** BigInt(a.sh.scale);
        expect(decimalCompare(a.v, a.sh.scale, b.v, b.sh.scale)).toBe(lhs < rhs ? -1 : lhs > rhs ? 1 : 0);
      }),
      runs,
    );
  });

  it('toString and parse round-trip exactly', () => {
    fc.assert(
      fc.property(decimalArb, ({ sh, v }) => {
        const text = decimalToString(v, sh.scale);
        expect(parseDecimal(text, sh)).toBe(v);
        // the text has exactly `scale` fractional digits
        expect(text.includes('.') ? (text.split('.')[1] as string).length : 0).toBe(sh.scale);
      }),
      runs,
    );
  });
});

describe('rounding, overflow and division by zero', () => {
  it('rounds HALF_UP: ties away from zero', () => {
    expect(rescale(125n, 2, 1)).toBe(13n);
    expect(rescale(-125n, 2, 1)).toBe(-13n);
    expect(rescale(124n, 2, 1)).toBe(12n);
    expect(rescale(-124n, 2, 1)).toBe(-12n);
    expect(rescale(5n, 1, 0)).toBe(1n);
    expect(rescale(-5n, 1, 0)).toBe(-1n);
    expect(rescale(7n, 0, 3)).toBe(7000n);
  });
  it('a value beyond its precision is NULL (Flink decimal overflow)', () => {
    expect(checkPrecision(99999n, 5)).toBe(99999n);
    expect(checkPrecision(100000n, 5)).toBeNull();
    expect(checkPrecision(-100000n, 5)).toBeNull();
    const r = additionShape(shape(38, 0), shape(38, 0));
    expect(decimalAdd(shape(38, 0), shape(38, 0), r)(10n ** 38n - 1n, 1n)).toBeNull();
  });
  it('1 / 3 and 2 / 3 at the division scale', () => {
    const s = shape(10, 0);
    const r = divisionShape(s, s);
    expect(r.scale).toBe(11);
    expect(decimalToString(decimalDivide(s, s, r)(1n, 3n) as bigint, r.scale)).toBe('0.33333333333');
    expect(decimalToString(decimalDivide(s, s, r)(2n, 3n) as bigint, r.scale)).toBe('0.66666666667');
    expect(decimalToString(decimalDivide(s, s, r)(-2n, 3n) as bigint, r.scale)).toBe('-0.66666666667');
  });
  it('division and modulo by zero fail with DIVISION_BY_ZERO', () => {
    const s = shape(10, 2);
    expect(() => decimalDivide(s, s, divisionShape(s, s))(100n, 0n)).toThrow(
      expect.objectContaining({ code: 'DIVISION_BY_ZERO', phase: 'runtime' }),
    );
    expect(() => decimalModulo(s, s, moduloShape(s, s))(100n, 0n)).toThrow(
      expect.objectContaining({ code: 'DIVISION_BY_ZERO' }),
    );
  });
});

describe('text and number conversions', () => {
  it('formats with all scale digits', () => {
    expect(decimalToString(5n, 2)).toBe('0.05');
    expect(decimalToString(-5n, 2)).toBe('-0.05');
    expect(decimalToString(12345n, 2)).toBe('123.45');
    expect(decimalToString(0n, 3)).toBe('0.000');
    expect(decimalToString(42n, 0)).toBe('42');
    expect(decimalToString(10n ** 38n - 1n, 38)).toBe(`0.${'9'.repeat(38)}`);
  });
  it('parses signs, exponents and blanks exactly; rejects junk', () => {
    expect(parseDecimalText(' -.5 ')).toEqual({ unscaled: -5n, scale: 1 });
    expect(parseDecimalText('1.5e3')).toEqual({ unscaled: 15n, scale: -2 });
    expect(parseDecimal('1.5e3', shape(10, 2))).toBe(150000n);
    expect(parseDecimal('+7', shape(3, 1))).toBe(70n);
    expect(parseDecimal('12.345', shape(10, 2))).toBe(1235n);
    expect(parseDecimal('123456', shape(5, 0))).toBeNull();
    for (const bad of ['', '.', 'abc', '1.2.3', '1e', '--1', '1,5']) {
      expect(parseDecimal(bad, shape(10, 2))).toBeUndefined();
    }
  });
  it('doubles convert via their shortest text, as BigDecimal.valueOf', () => {
    expect(decimalFromNumber(0.1, shape(10, 5))).toBe(10000n);
    expect(decimalFromNumber(1e-7, shape(20, 10))).toBe(1000n);
    expect(decimalFromNumber(2.675, shape(10, 2))).toBe(268n);
    expect(decimalFromNumber(Number.NaN, shape(10, 2))).toBeUndefined();
    expect(decimalFromNumber(Number.POSITIVE_INFINITY, shape(10, 2))).toBeUndefined();
    expect(decimalToNumber(1n, 1)).toBe(0.1);
    expect(decimalToNumber(-123456n, 5)).toBe(-1.23456);
  });
  it('truncates toward zero', () => {
    expect(decimalTruncate(-199n, 2)).toBe(-1n);
    expect(decimalTruncate(199n, 2)).toBe(1n);
  });
});
