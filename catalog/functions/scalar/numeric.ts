/**
 * Numeric plumbing for the scalar built-ins, on top of catalog/decimal.ts: rounding an unscaled DECIMAL
 * value with the rounding modes ROUND/TRUNCATE/FLOOR/CEIL need (decimal.ts only rounds HALF_UP), the
 * exact decimal digits of a double, and converters between runtime representations of numbers
 * (INT = number, BIGINT = bigint, DECIMAL = unscaled bigint with the scale in the type, DOUBLE = number).
 */
import type { Value } from '../../../operators/api.ts';
import { decimalToNumber, parseDecimalText, pow10 } from '../../decimal.ts';
import type { LogicalType } from '../../types.ts';

export { decimalToNumber, decimalToString, MAX_DECIMAL_PRECISION, pow10 } from '../../decimal.ts';

export type RoundingMode = 'HALF_UP' | 'DOWN' | 'FLOOR' | 'CEILING';

/** Divides `u` by 10^k (k >= 0) with the rounding mode, exactly. */
export function shiftRight(u: bigint, k: number, mode: RoundingMode): bigint {
  if (k <= 0) return u * pow10(-k);
  // |u| < 10^(k-1): the quotient is below 0.1 in magnitude, so no need to build 10^k (k may be huge).
  if (k > (u < 0n ? -u : u).toString().length) {
    if (u === 0n || mode === 'DOWN' || mode === 'HALF_UP') return 0n;
    if (mode === 'FLOOR') return u < 0n ? -1n : 0n;
    return u > 0n ? 1n : 0n;
  }
  const d = pow10(k);
  const q = u / d; // truncates toward zero
  const r = u - q * d;
  if (r === 0n) return q;
  switch (mode) {
    case 'DOWN':
      return q;
    case 'FLOOR':
      return u < 0n ? q - 1n : q;
    case 'CEILING':
      return u > 0n ? q + 1n : q;
    case 'HALF_UP': {
      const twice = (r < 0n ? -r : r) * 2n;
      if (twice >= d) return u < 0n ? q - 1n : q + 1n;
      return q;
    }
  }
}

/**
 * The shortest decimal text of a finite double (what Java's `BigDecimal.valueOf(double)` reads) as an
 * unscaled value and a scale (negative for large exponents).
 */
export function exactDecimal(x: number): { u: bigint; s: number } {
  const p = parseDecimalText(String(x));
  if (p === null) throw new RangeError(`not a finite number: ${x}`);
  return { u: p.unscaled, s: p.scale };
}

/** A converter of values of a numeric type to a JavaScript number (DOUBLE). */
export function toDoubleConverter(t: LogicalType): (v: Value) => number {
  if (t.kind === 'BIGINT') return (v) => Number(v as bigint);
  if (t.kind === 'DECIMAL') {
    const s = t.scale ?? 0;
    return (v) => decimalToNumber(v as bigint, s);
  }
  return (v) => v as number;
}

/** A converter of values of an exact numeric type to an unscaled bigint at scale `scale`. */
export function toUnscaledConverter(t: LogicalType, scale: number): (v: Value) => bigint {
  if (t.kind === 'DECIMAL') {
    const from = t.scale ?? 0;
    // Widening only: callers pick `scale` >= every operand's scale.
    const f = pow10(scale - from);
    return (v) => (v as bigint) * f;
  }
  const f = pow10(scale);
  return (v) => BigInt(v as number | bigint) * f;
}
