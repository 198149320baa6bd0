/**
 * Exact DECIMAL(p, s) arithmetic on unscaled `bigint` values (docs/architecture.md: a DECIMAL value is
 * the bigint `unscaled`, meaning unscaled * 10^-s, the scale coming from the type).
 *
 * Result types follow Flink's `LogicalTypeMerging` (itself adopted from SQL Server's rules, with the
 * Hive/Spark variant of the scale adjustment):
 *
 *   operation   result precision                       result scale
 *   e1 + e2     max(s1, s2) + max(p1-s1, p2-s2) + 1    max(s1, s2)
 *   e1 - e2     max(s1, s2) + max(p1-s1, p2-s2) + 1    max(s1, s2)
 *   e1 * e2     p1 + p2 + 1                            s1 + s2
 *   e1 / e2     p1 - s1 + s2 + max(6, s1 + p2 + 1)     max(6, s1 + p2 + 1)
 *   e1 % e2     min(p1-s1, p2-s2) + max(s1, s2)        max(s1, s2)
 *
 * When the precision exceeds 38 it becomes 38 and the scale shrinks to keep the integer digits, but
 * never below min(scale, 6) (`adjustPrecisionScale`).
 *
 * Values are computed exactly and rounded once, HALF_UP (ties away from zero), to the result scale.
 * Flink's division rounds twice (first to 38 significant digits, then to the scale); Rivulet rounds the
 * exact quotient once, which is the mathematically correct value and differs from Flink only where
 * Flink's double rounding is off by one unit in the last place.
 *
 * A result that does not fit its precision is NULL, as in Flink (`DecimalData.fromBigDecimal` returns
 * null on overflow). Division or modulo by zero fails, as Java's `BigDecimal` does in Flink.
 */
import { RivuletError } from '../common/errors.ts';
import { type LogicalType, T } from './types.ts';

/** The largest DECIMAL precision (Flink's `DecimalType.MAX_PRECISION`). */
export const MAX_DECIMAL_PRECISION = 38;
/** Scale kept at least (if the operands had it) when a result's precision is capped. */
const MINIMUM_ADJUSTED_SCALE = 6;

export interface DecimalShape {
  readonly precision: number;
  readonly scale: number;
}

const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 2 * MAX_DECIMAL_PRECISION + 40; i++, p *= 10n) POW10.push(p);

/** 10^n as a bigint (cached for the range decimal arithmetic needs). */
export function pow10(n: number): bigint {
  return POW10[n] ?? 10n ** BigInt(n);
}

/** Precision and scale of an exact numeric type; integers count as DECIMAL(digits, 0) as in Flink. */
export function decimalShapeOf(t: LogicalType): DecimalShape {
  switch (t.kind) {
    case 'TINYINT':
      return { precision: 3, scale: 0 };
    case 'SMALLINT':
      return { precision: 5, scale: 0 };
    case 'INT':
      return { precision: 10, scale: 0 };
    case 'BIGINT':
      return { precision: 19, scale: 0 };
    case 'DECIMAL':
      return { precision: t.precision ?? 10, scale: t.scale ?? 0 };
    default:
      throw new RivuletError('plan', 'TYPE_MISMATCH', `${t.kind} is not an exact numeric type`);
  }
}

/** Flink's `adjustPrecisionScale`: caps the precision at 38, sacrificing scale down to min(s, 6). */
export function adjustPrecisionScale(precision: number, scale: number): DecimalShape {
  if (precision <= MAX_DECIMAL_PRECISION) return { precision, scale };
  const integerDigits = precision - scale;
  const minScale = Math.min(scale, MINIMUM_ADJUSTED_SCALE);
  return {
    precision: MAX_DECIMAL_PRECISION,
    scale: Math.max(MAX_DECIMAL_PRECISION - integerDigits, minScale),
  };
}

/** Result shape of `a + b` and `a - b` (LogicalTypeMerging.findAdditionDecimalType). */
export function additionShape(a: DecimalShape, b: DecimalShape): DecimalShape {
  const scale = Math.max(a.scale, b.scale);
  return adjustPrecisionScale(Math.max(a.precision - a.scale, b.precision - b.scale) + scale + 1, scale);
}

/** Result shape of `a * b` (findMultiplicationDecimalType). */
export function multiplicationShape(a: DecimalShape, b: DecimalShape): DecimalShape {
  return adjustPrecisionScale(a.precision + b.precision + 1, a.scale + b.scale);
}

/** Result shape of `a / b` (findDivisionDecimalType). */
export function divisionShape(a: DecimalShape, b: DecimalShape): DecimalShape {
  const scale = Math.max(6, a.scale + b.precision + 1);
  return adjustPrecisionScale(a.precision - a.scale + b.scale + scale, scale);
}

/** Result shape of `a % b` (findModuloDecimalType). */
export function moduloShape(a: DecimalShape, b: DecimalShape): DecimalShape {
  const scale = Math.max(a.scale, b.scale);
  return adjustPrecisionScale(Math.min(a.precision - a.scale, b.precision - b.scale) + scale, scale);
}

/** SUM(DECIMAL(p, s)) is DECIMAL(38, s) (findSumAggType). */
export function sumShape(a: DecimalShape): DecimalShape {
  return { precision: MAX_DECIMAL_PRECISION, scale: a.scale };
}

/** AVG(DECIMAL(p, s)) is DECIMAL(38, max(6, s)): a division of DECIMAL(38, s) by DECIMAL(20, 0). */
export function avgShape(a: DecimalShape): DecimalShape {
  return divisionShape({ precision: MAX_DECIMAL_PRECISION, scale: a.scale }, { precision: 20, scale: 0 });
}

/** The DECIMAL logical type of a shape. */
export function decimalType(shape: DecimalShape, nullable = true): LogicalType {
  return T.decimal(shape.precision, shape.scale, nullable);
}

/** True if the unscaled value has at most `precision` digits. */
export function fitsPrecision(unscaled: bigint, precision: number): boolean {
  const bound = pow10(precision);
  return unscaled < bound && unscaled > -bound;
}

/** The value itself if it fits `precision`, otherwise null (Flink's overflow behaviour). */
export function checkPrecision(unscaled: bigint, precision: number): bigint | null {
  return fitsPrecision(unscaled, precision) ? unscaled : null;
}

/** Integer division n / d rounded HALF_UP (ties away from zero). d must be non-zero. */
export function divideHalfUp(n: bigint, d: bigint): bigint {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= d) return n < 0n ? q - 1n : q + 1n;
  return q;
}

/** Changes the scale of an unscaled value; reducing it rounds HALF_UP (as BigDecimal.setScale). */
export function rescale(unscaled: bigint, fromScale: number, toScale: number): bigint {
  if (toScale === fromScale) return unscaled;
  if (toScale > fromScale) return unscaled * pow10(toScale - fromScale);
  return divideHalfUp(unscaled, pow10(fromScale - toScale));
}

/** Rescales and checks the precision: null when the value does not fit DECIMAL(precision, toScale). */
export function toShape(unscaled: bigint, fromScale: number, to: DecimalShape): bigint | null {
  return checkPrecision(rescale(unscaled, fromScale, to.scale), to.precision);
}

function divisionByZero(): RivuletError {
  return new RivuletError('runtime', 'DIVISION_BY_ZERO', 'Division by zero (DECIMAL)');
}

/** A binary decimal operation on unscaled values, bound to operand and result shapes. */
export type DecimalOp = (a: bigint, b: bigint) => bigint | null;

/** `a + b` for operands of shapes `sa`, `sb` into shape `r`. */
export function decimalAdd(sa: DecimalShape, sb: DecimalShape, r: DecimalShape): DecimalOp {
  const common = Math.max(sa.scale, sb.scale);
  const fa = pow10(common - sa.scale);
  const fb = pow10(common - sb.scale);
  if (common === r.scale) return (a, b) => checkPrecision(a * fa + b * fb, r.precision);
  return (a, b) => checkPrecision(rescale(a * fa + b * fb, common, r.scale), r.precision);
}

/** `a - b` for operands of shapes `sa`, `sb` into shape `r`. */
export function decimalSubtract(sa: DecimalShape, sb: DecimalShape, r: DecimalShape): DecimalOp {
  const add = decimalAdd(sa, sb, r);
  return (a, b) => add(a, -b);
}

/** `a * b`: the exact product has scale sa + sb, rounded to the result scale. */
export function decimalMultiply(sa: DecimalShape, sb: DecimalShape, r: DecimalShape): DecimalOp {
  const exactScale = sa.scale + sb.scale;
  return (a, b) => checkPrecision(rescale(a * b, exactScale, r.scale), r.precision);
}

/**
 * `a / b` rounded HALF_UP to the result scale: with a = A*10^-sa, b = B*10^-sb the quotient scaled
 * by 10^r is A * 10^(sb + r - sa) / B. Division by zero throws DIVISION_BY_ZERO.
 */
export function decimalDivide(sa: DecimalShape, sb: DecimalShape, r: DecimalShape): DecimalOp {
  const shift = sb.scale + r.scale - sa.scale;
  const up = shift >= 0 ? pow10(shift) : 1n;
  const down = shift < 0 ? pow10(-shift) : 1n;
  return (a, b) => {
    if (b === 0n) throw divisionByZero();
    return checkPrecision(divideHalfUp(a * up, b * down), r.precision);
  };
}

/** `a % b` with the sign of the dividend (as Java's BigDecimal.remainder); exact at the common scale. */
export function decimalModulo(sa: DecimalShape, sb: DecimalShape, r: DecimalShape): DecimalOp {
  const common = Math.max(sa.scale, sb.scale);
  const fa = pow10(common - sa.scale);
  const fb = pow10(common - sb.scale);
  return (a, b) => {
    if (b === 0n) throw divisionByZero();
    return checkPrecision(rescale((a * fa) % (b * fb), common, r.scale), r.precision);
  };
}

/** Compares a (scale sa) with b (scale sb) exactly: negative, zero or positive. */
export function decimalCompare(a: bigint, sa: number, b: bigint, sb: number): number {
  if (sa < sb) a *= pow10(sb - sa);
  else if (sb < sa) b *= pow10(sa - sb);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The exact plain text of a decimal with all `scale` digits, e.g. (-5n, 2) -> '-0.05'. */
export function decimalToString(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  let digits = (neg ? -unscaled : unscaled).toString();
  if (scale <= 0) return (neg ? '-' : '') + digits + (scale < 0 ? '0'.repeat(-scale) : '');
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  const cut = digits.length - scale;
  return `${neg ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

/** A decimal number as text and its exact unscaled value and scale (scale may be negative). */
export interface ParsedDecimal {
  readonly unscaled: bigint;
  readonly scale: number;
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses decimal text exactly ('12.50', '-.5', '1e-3', '+7'); null if it is not a number. Leading and
 * trailing whitespace is ignored, as Flink's string-to-decimal cast trims.
 */
export function parseDecimalText(text: string): ParsedDecimal | null {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m) return null;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart === '' && fracPart === '') return null;
  const exp = m[4] ? Number.parseInt(m[4], 10) : 0;
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 10000) return null;
  let unscaled = BigInt(`${intPart}${fracPart}` || '0');
  if (m[1] === '-') unscaled = -unscaled;
  return { unscaled, scale: fracPart.length - exp };
}

/**
 * Parses text into DECIMAL(precision, scale): rounds HALF_UP to the scale; null if it does not fit;
 * undefined if the text is not a number (the caller decides whether that is an error).
 */
export function parseDecimal(text: string, to: DecimalShape): bigint | null | undefined {
  const parsed = parseDecimalText(text);
  if (!parsed) return undefined;
  return toShape(parsed.unscaled, parsed.scale, to);
}

/**
 * The decimal nearest a double, as Java's `BigDecimal.valueOf(double)`: from the shortest text that
 * reads back as the same double (JavaScript's `String(x)` gives exactly that), then rounded to `to`.
 * NaN and infinities have no decimal value: undefined.
 */
export function decimalFromNumber(x: number, to: DecimalShape): bigint | null | undefined {
  if (!Number.isFinite(x)) return undefined;
  const parsed = parseDecimalText(String(x)) as ParsedDecimal;
  return toShape(parsed.unscaled, parsed.scale, to);
}

/** The double nearest the decimal (correctly rounded, via its exact text). */
export function decimalToNumber(unscaled: bigint, scale: number): number {
  return Number(decimalToString(unscaled, scale));
}

/** The integer part, truncated toward zero (Java's BigDecimal.longValue before narrowing). */
export function decimalTruncate(unscaled: bigint, scale: number): bigint {
  if (scale <= 0) return unscaled * pow10(-scale);
  return unscaled / pow10(scale);
}

/** Negation keeps precision and scale. */
export function decimalNegate(unscaled: bigint): bigint {
  return -unscaled;
}
