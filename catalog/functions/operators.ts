/**
 * SQL operators as scalar function definitions: arithmetic `+ - * / %` (and unary `-`, `+`),
 * comparisons `= <> < <= > >=`, `IS [NOT] DISTINCT FROM`, string concatenation `||`, and the
 * three-valued `AND`, `OR`, `NOT`. Each definition resolves once per call site to a specialised
 * implementation for its argument types, so no per-row type dispatch happens.
 *
 * Semantics follow Flink (whose generated Java code gives Java's arithmetic):
 *   - Integer operands: the result is the wider integer type; + - * wrap on overflow (two's
 *     complement, as Java); `/` truncates toward zero; `/` and `%` by zero fail (DIVISION_BY_ZERO,
 *     Java's "/ by zero"); `%` takes the sign of the dividend.
 *   - A FLOAT or DOUBLE operand makes the arithmetic binary floating point (FLOAT only when the other
 *     operand is FLOAT or an integer; with DECIMAL it is DOUBLE); division by zero gives
 *     Infinity or NaN as IEEE 754 says.
 *   - Otherwise, with a DECIMAL operand, arithmetic is exact (catalog/decimal.ts) with Flink's result
 *     precision rules; integers act as DECIMAL(3/5/10/19, 0); overflow gives NULL.
 *   - Datetime +/- interval: day-time intervals add milliseconds (DATE keeps whole days), year-month
 *     intervals add months with end-of-month clamping; TIMESTAMP_LTZ adds months in the session
 *     time zone. Interval +/- interval and interval * or / number are supported.
 *   - Comparisons convert both operands to their least restrictive common type (coercion.ts) and
 *     are rejected at planning time when there is none (e.g. STRING = INT, as Flink does).
 */
import { RivuletError } from '../../common/errors.ts';
import type { Value } from '../../operators/api.ts';
import { castFunction } from '../cast.ts';
import { isOrderable, leastRestrictive } from '../coercion.ts';
import {
  addMonthsToDays,
  addMonthsToTimestamp,
  floorMod,
  instantToLocal,
  localToInstant,
  MS_PER_DAY,
} from '../datetime.ts';
import {
  additionShape,
  type DecimalOp,
  type DecimalShape,
  decimalAdd,
  decimalCompare,
  decimalDivide,
  decimalModulo,
  decimalMultiply,
  decimalShapeOf,
  decimalSubtract,
  decimalToNumber,
  decimalType,
  divisionShape,
  MAX_DECIMAL_PRECISION,
  moduloShape,
  multiplicationShape,
} from '../decimal.ts';
import {
  isApproxNumeric,
  isBinaryString,
  isCharacterString,
  isExactNumeric,
  isIntegral,
  isInterval,
  isNumeric,
  isTimestamp,
  type LogicalType,
  MAX_LENGTH,
  T,
  typeEquals,
  typeToString,
  withNullable,
  withTimeAttribute,
} from '../types.ts';
import {
  type FunctionContext,
  type FunctionRegistry,
  type ResolvedScalar,
  type ScalarFunctionDef,
  signatureError,
} from './registry.ts';

type Impl = (...args: Value[]) => Value;
type Binary = (a: Value, b: Value) => Value;

function resolved(resultType: LogicalType, impl: Impl, nullOnNullInput = true): ResolvedScalar {
  return { resultType, impl, nullOnNullInput, deterministic: true };
}

function anyNullable(types: readonly LogicalType[]): boolean {
  return types.some((t) => t.nullable);
}

function divisionByZero(): RivuletError {
  return new RivuletError('runtime', 'DIVISION_BY_ZERO', 'Division by zero: integer division or modulo by 0');
}

// ---------------------------------------------------------------- three-valued logic

/** SQL AND over TRUE/FALSE/NULL: FALSE wins over NULL. */
export function and3(a: Value, b: Value): boolean | null {
  if (a === false || b === false) return false;
  if (a === null || b === null) return null;
  return true;
}

/** SQL OR over TRUE/FALSE/NULL: TRUE wins over NULL. */
export function or3(a: Value, b: Value): boolean | null {
  if (a === true || b === true) return true;
  if (a === null || b === null) return null;
  return false;
}

/** SQL NOT: NULL stays NULL. */
export function not3(a: Value): boolean | null {
  return a === null ? null : !a;
}

// ---------------------------------------------------------------- comparison helpers

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Strings in code point order, which is the order of their UTF-8 bytes (how Flink's StringData
 * compares). JavaScript's `<` compares UTF-16 units, which differs only when the first differing
 * units are a surrogate and a unit at or above U+E000: those are fixed up as ICU does.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x += x >= 0xe000 ? -0x800 : 0x2000;
        y += y >= 0xe000 ? -0x800 : 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Total order on doubles as Java's Double.compare: -0.0 < 0.0 and NaN above everything. */
function compareDoubles(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) {
    if (a !== 0) return 0;
    const na = Object.is(a, -0);
    const nb = Object.is(b, -0);
    return na === nb ? 0 : na ? -1 : 1;
  }
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  return an === bn ? 0 : an ? 1 : -1;
}

/**
 * A total order on non-null values of `type` (for MIN/MAX, ORDER BY, sorted state). Both values
 * must be of that very type (DECIMALs of the same scale). Arrays and rows compare element-wise.
 */
export function comparatorFor(type: LogicalType): (a: Value, b: Value) => number {
  switch (type.kind) {
    case 'FLOAT':
    case 'DOUBLE':
      return (a, b) => compareDoubles(a as number, b as number);
    case 'BINARY':
    case 'VARBINARY':
      return (a, b) => compareBytes(a as Uint8Array, b as Uint8Array);
    case 'BOOLEAN':
      return (a, b) => (a === b ? 0 : a ? 1 : -1);
    case 'CHAR':
    case 'VARCHAR':
      return (a, b) => compareStrings(a as string, b as string);
    case 'ARRAY': {
      const e = nullsFirst(comparatorFor(type.element as LogicalType));
      return (a, b) => {
        const x = a as Value[];
        const y = b as Value[];
        const n = Math.min(x.length, y.length);
        for (let i = 0; i < n; i++) {
          const c = e(x[i], y[i]);
          if (c !== 0) return c;
        }
        return x.length - y.length < 0 ? -1 : x.length === y.length ? 0 : 1;
      };
    }
    case 'ROW': {
      const fs = (type.fields ?? []).map((f) => nullsFirst(comparatorFor(f.type)));
      return (a, b) => {
        for (let i = 0; i < fs.length; i++) {
          const c = (fs[i] as (a: Value, b: Value) => number)((a as Value[])[i], (b as Value[])[i]);
          if (c !== 0) return c;
        }
        return 0;
      };
    }
    case 'MAP':
    case 'MULTISET':
      throw new RivuletError(
        'plan',
        'TYPE_NOT_ORDERABLE',
        `Values of type ${typeToString(type)} have no order`,
      );
    default:
      // numbers (integers, dates, times, timestamps, intervals), bigints (BIGINT, DECIMAL)
      return (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);
  }
}

function nullsFirst(c: (a: Value, b: Value) => number): (a: Value, b: Value) => number {
  return (a, b) => (a === null ? (b === null ? 0 : -1) : b === null ? 1 : c(a, b));
}

/**
 * Equality on non-null values of `type`; nested NULLs (inside arrays, maps, rows) equal each other.
 * Doubles compare as numbers (NaN <> NaN, 0.0 = -0.0, as Java's ==).
 */
export function equalityFor(type: LogicalType): (a: Value, b: Value) => boolean {
  switch (type.kind) {
    case 'BINARY':
    case 'VARBINARY':
      return (a, b) => compareBytes(a as Uint8Array, b as Uint8Array) === 0;
    case 'ARRAY': {
      const e = nullSafeEq(equalityFor(type.element as LogicalType));
      return (a, b) => {
        const x = a as Value[];
        const y = b as Value[];
        if (x.length !== y.length) return false;
        for (let i = 0; i < x.length; i++) if (!e(x[i], y[i])) return false;
        return true;
      };
    }
    case 'ROW': {
      const fs = (type.fields ?? []).map((f) => nullSafeEq(equalityFor(f.type)));
      return (a, b) => fs.every((e, i) => e((a as Value[])[i], (b as Value[])[i]));
    }
    case 'MAP':
    case 'MULTISET': {
      const k = nullSafeEq(equalityFor((type.kind === 'MAP' ? type.key : type.element) as LogicalType));
      const v =
        type.kind === 'MAP'
          ? nullSafeEq(equalityFor(type.element as LogicalType))
          : (a: Value, b: Value) => a === b;
      return (a, b) => {
        const x = a as Map<Value, Value>;
        const y = b as Map<Value, Value>;
        if (x.size !== y.size) return false;
        for (const [xk, xv] of x) {
          let found = false;
          for (const [yk, yv] of y) {
            if (k(xk, yk)) {
              found = v(xv, yv);
              break;
            }
          }
          if (!found) return false;
        }
        return true;
      };
    }
    default:
      return (a, b) => a === b;
  }
}

function nullSafeEq(e: (a: Value, b: Value) => boolean): (a: Value, b: Value) => boolean {
  return (a, b) => (a === null || b === null ? a === b : e(a, b));
}

// ---------------------------------------------------------------- comparisons

type ComparisonOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

/** What each comparison says about the sign of compare(a, b). */
const COMPARISON_TESTS: Record<ComparisonOp, (n: number) => boolean> = {
  '=': (n) => n === 0,
  '<>': (n) => n !== 0,
  '<': (n) => n < 0,
  '<=': (n) => n <= 0,
  '>': (n) => n > 0,
  '>=': (n) => n >= 0,
};

const CONSTRUCTED = new Set(['ARRAY', 'MULTISET', 'MAP', 'ROW']);

/** Kinds whose values are JS numbers that widen to INT or DOUBLE unchanged. */
const PLAIN_NUMBER_KINDS = new Set(['TINYINT', 'SMALLINT', 'INT', 'FLOAT', 'DOUBLE']);

function coerceTo(from: LogicalType, to: LogicalType, ctx: FunctionContext): (v: Value) => Value {
  const same = CONSTRUCTED.has(from.kind)
    ? typeEquals(from, to, true)
    : from.kind === to.kind && from.scale === to.scale;
  // Widening a JS number to INT or DOUBLE changes nothing (unlike to FLOAT, which rounds).
  const widening =
    PLAIN_NUMBER_KINDS.has(from.kind) && (to.kind === 'DOUBLE' || isIntegral(to)) && to.kind !== 'BIGINT';
  if (same || widening) return (v) => v;
  return castFunction(from, to, { timeZone: ctx.timeZone });
}

/**
 * A comparison of an INT-family operand (a JS number) with a BIGINT one (a bigint), without
 * converting per row: JavaScript's relational operators compare a number and a bigint exactly.
 */
function mixedIntegerTest(op: ComparisonOp): Binary {
  const lt = (x: Value, y: Value) => (x as number) < (y as number);
  const gt = (x: Value, y: Value) => (x as number) > (y as number);
  switch (op) {
    case '=':
      return (x, y) => !lt(x, y) && !gt(x, y);
    case '<>':
      return (x, y) => lt(x, y) || gt(x, y);
    case '<':
      return lt;
    case '>':
      return gt;
    case '<=':
      return (x, y) => !gt(x, y);
    default:
      return (x, y) => !lt(x, y);
  }
}

/** Exact order of two exact numerics of any scale (a cast to a common DECIMAL could round). */
function exactComparator(a: LogicalType, b: LogicalType): (x: Value, y: Value) => number {
  const sa = a.kind === 'DECIMAL' ? (a.scale ?? 0) : 0;
  const sb = b.kind === 'DECIMAL' ? (b.scale ?? 0) : 0;
  const big = (v: Value): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));
  return (x, y) => decimalCompare(big(x), sa, big(y), sb);
}

function comparison(op: ComparisonOp, description: string): ScalarFunctionDef {
  return {
    name: op,
    description,
    resolve(argTypes, ctx) {
      const accepted = [`<COMPARABLE_TYPE> ${op} <COMPARABLE_TYPE>`];
      if (argTypes.length !== 2) throw signatureError(op, argTypes, accepted);
      const [a, b] = argTypes as [LogicalType, LogicalType];
      const common = leastRestrictive([a, b]);
      const ordering = op !== '=' && op !== '<>';
      if (!common || (ordering && !isOrderable(common))) {
        throw signatureError(op, argTypes, accepted, 'The operands have no common comparable type');
      }
      const resultType = T.boolean(anyNullable(argTypes));
      if (common.kind === 'DECIMAL' && isExactNumeric(a) && isExactNumeric(b)) {
        const c = exactComparator(a, b);
        return resolved(resultType, ((x: Value, y: Value) => COMPARISON_TESTS[op](c(x, y))) as Impl);
      }
      if (isIntegral(a) && isIntegral(b) && (a.kind === 'BIGINT') !== (b.kind === 'BIGINT')) {
        return resolved(resultType, mixedIntegerTest(op) as Impl);
      }
      const ca = coerceTo(a, common, ctx);
      const cb = coerceTo(b, common, ctx);
      // Strings order by code point (compareStrings), so only their equality uses ===.
      const simple = isPrimitiveOrdered(common) && (!ordering || !isCharacterString(common));
      let test: Binary;
      if (!ordering) {
        const eq = simple ? (x: Value, y: Value) => x === y : equalityFor(common);
        test = op === '=' ? (x, y) => eq(ca(x), cb(y)) : (x, y) => !eq(ca(x), cb(y));
      } else if (simple) {
        // JS relational operators on numbers and bigints match Java's primitive comparisons.
        const cmp: Record<string, Binary> = {
          '<': (x, y) => (ca(x) as number) < (cb(y) as number),
          '<=': (x, y) => (ca(x) as number) <= (cb(y) as number),
          '>': (x, y) => (ca(x) as number) > (cb(y) as number),
          '>=': (x, y) => (ca(x) as number) >= (cb(y) as number),
        };
        test = cmp[op] as Binary;
      } else {
        const c = comparatorFor(common);
        const p = COMPARISON_TESTS[op];
        test = (x, y) => p(c(ca(x), cb(y)));
      }
      return resolved(resultType, test as Impl);
    },
  };
}

/** Types whose values compare correctly with JS `===` and `<` (numbers, bigints, strings). */
function isPrimitiveOrdered(t: LogicalType): boolean {
  return (
    isNumeric(t) ||
    isCharacterString(t) ||
    t.kind === 'DATE' ||
    t.kind === 'TIME' ||
    isTimestamp(t) ||
    isInterval(t)
  );
}

function distinctFrom(negated: boolean): ScalarFunctionDef {
  const name = negated ? 'IS NOT DISTINCT FROM' : 'IS DISTINCT FROM';
  return {
    name,
    description: negated
      ? 'TRUE if both operands are equal or both are NULL; never NULL.'
      : 'TRUE if the operands differ, treating NULL as a comparable value; never NULL.',
    resolve(argTypes, ctx) {
      const accepted = [`<COMPARABLE_TYPE> ${name} <COMPARABLE_TYPE>`];
      if (argTypes.length !== 2) throw signatureError(name, argTypes, accepted);
      const [a, b] = argTypes as [LogicalType, LogicalType];
      const common = leastRestrictive([a, b]);
      if (!common) throw signatureError(name, argTypes, accepted, 'The operands have no common type');
      let same: (x: Value, y: Value) => boolean;
      if (common.kind === 'DECIMAL' && isExactNumeric(a) && isExactNumeric(b)) {
        const c = exactComparator(a, b);
        same = (x, y) => (x === null || y === null ? x === y : c(x, y) === 0);
      } else {
        const ca = coerceTo(a, common, ctx);
        const cb = coerceTo(b, common, ctx);
        const eq = isPrimitiveOrdered(common) ? (x: Value, y: Value) => x === y : equalityFor(common);
        same = (x, y) => (x === null || y === null ? x === y : eq(ca(x), cb(y)));
      }
      const impl: Binary = negated ? same : (x, y) => !same(x, y);
      return resolved(T.boolean(false), impl as Impl, false);
    },
  };
}

// ---------------------------------------------------------------- arithmetic

type ArithOp = '+' | '-' | '*' | '/' | '%';

const INT_BITS: Partial<Record<string, number>> = { TINYINT: 8, SMALLINT: 16, INT: 32 };
const INTEGER_ORDER = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'];

function wrapTo(bits: number): (n: number) => number {
  if (bits === 32) return (n) => n | 0;
  const shift = 32 - bits;
  return (n) => ((n | 0) << shift) >> shift;
}

function integerArith(op: ArithOp, a: LogicalType, b: LogicalType): { type: LogicalType; impl: Binary } {
  const kind = INTEGER_ORDER.indexOf(a.kind) >= INTEGER_ORDER.indexOf(b.kind) ? a.kind : b.kind;
  const type = withNullable(kind === a.kind ? a : b, a.nullable || b.nullable);
  const bits = INT_BITS[kind];
  if (bits !== undefined) {
    const w = wrapTo(bits);
    // Products of two 32-bit values exceed 2^53: Math.imul gives the exact low 32 bits.
    const ops: Record<ArithOp, Binary> = {
      '+': (x, y) => w((x as number) + (y as number)),
      '-': (x, y) => w((x as number) - (y as number)),
      '*': (x, y) => w(Math.imul(x as number, y as number)),
      '/': (x, y) => {
        if (y === 0) throw divisionByZero();
        return w(Math.trunc((x as number) / (y as number)));
      },
      '%': (x, y) => {
        if (y === 0) throw divisionByZero();
        return w((x as number) % (y as number));
      },
    };
    return { type, impl: ops[op] };
  }
  const big = (v: Value): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));
  const ops: Record<ArithOp, Binary> = {
    '+': (x, y) => BigInt.asIntN(64, big(x) + big(y)),
    '-': (x, y) => BigInt.asIntN(64, big(x) - big(y)),
    '*': (x, y) => BigInt.asIntN(64, big(x) * big(y)),
    '/': (x, y) => {
      const d = big(y);
      if (d === 0n) throw divisionByZero();
      return BigInt.asIntN(64, big(x) / d);
    },
    '%': (x, y) => {
      const d = big(y);
      if (d === 0n) throw divisionByZero();
      return big(x) % d;
    },
  };
  return { type, impl: ops[op] };
}

/** Converts a value of an exact or approximate numeric type to a JS number. */
function toNumber(t: LogicalType): (v: Value) => number {
  if (t.kind === 'BIGINT') return (v) => Number(v as bigint);
  if (t.kind === 'DECIMAL') {
    const s = t.scale ?? 0;
    return (v) => decimalToNumber(v as bigint, s);
  }
  return (v) => v as number;
}

function approxArith(op: ArithOp, a: LogicalType, b: LogicalType): { type: LogicalType; impl: Binary } {
  const isFloat = (a.kind === 'FLOAT' || isIntegral(a)) && (b.kind === 'FLOAT' || isIntegral(b));
  const type = isFloat ? T.float(a.nullable || b.nullable) : T.double(a.nullable || b.nullable);
  const na = toNumber(a);
  const nb = toNumber(b);
  const ops: Record<ArithOp, (x: number, y: number) => number> = {
    '+': (x, y) => x + y,
    '-': (x, y) => x - y,
    '*': (x, y) => x * y,
    '/': (x, y) => x / y,
    '%': (x, y) => x % y,
  };
  const f = ops[op];
  if (isFloat) return { type, impl: (x, y) => Math.fround(f(na(x), nb(y))) };
  return { type, impl: (x, y) => f(na(x), nb(y)) };
}

function decimalArith(op: ArithOp, a: LogicalType, b: LogicalType): { type: LogicalType; impl: Binary } {
  const sa = decimalShapeOf(a);
  const sb = decimalShapeOf(b);
  const shapes: Record<ArithOp, (x: DecimalShape, y: DecimalShape) => DecimalShape> = {
    '+': additionShape,
    '-': additionShape,
    '*': multiplicationShape,
    '/': divisionShape,
    '%': moduloShape,
  };
  const makers: Record<ArithOp, (x: DecimalShape, y: DecimalShape, r: DecimalShape) => DecimalOp> = {
    '+': decimalAdd,
    '-': decimalSubtract,
    '*': decimalMultiply,
    '/': decimalDivide,
    '%': decimalModulo,
  };
  const r = shapes[op](sa, sb);
  const f = makers[op](sa, sb, r);
  // Overflow (-> NULL) is only possible when the precision had to be capped at 38.
  const type = decimalType(r, a.nullable || b.nullable || r.precision === MAX_DECIMAL_PRECISION);
  const big = (v: Value): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));
  return { type, impl: (x, y) => f(big(x), big(y)) };
}

function numericArith(op: ArithOp, a: LogicalType, b: LogicalType): { type: LogicalType; impl: Binary } {
  if (isIntegral(a) && isIntegral(b)) return integerArith(op, a, b);
  if (isApproxNumeric(a) || isApproxNumeric(b)) return approxArith(op, a, b);
  return decimalArith(op, a, b);
}

const DATETIME_KINDS = new Set(['DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ']);

function plainType(t: LogicalType, nullable: boolean): LogicalType {
  return withTimeAttribute(withNullable(t, nullable), undefined);
}

/** datetime +/- interval (sign = 1 or -1). */
function datetimePlusInterval(
  dt: LogicalType,
  iv: LogicalType,
  sign: number,
  ctx: FunctionContext,
): ((d: Value, i: Value) => Value) | null {
  const yearMonth = iv.kind === 'INTERVAL_YEAR_MONTH';
  switch (dt.kind) {
    case 'DATE':
      return yearMonth
        ? (d, i) => addMonthsToDays(d as number, sign * (i as number))
        : (d, i) => (d as number) + Math.trunc((sign * (i as number)) / MS_PER_DAY);
    case 'TIME':
      return yearMonth ? null : (d, i) => floorMod((d as number) + sign * (i as number), MS_PER_DAY);
    case 'TIMESTAMP':
      return yearMonth
        ? (d, i) => addMonthsToTimestamp(d as number, sign * (i as number))
        : (d, i) => (d as number) + sign * (i as number);
    case 'TIMESTAMP_LTZ': {
      const zone = ctx.timeZone;
      return yearMonth
        ? (d, i) =>
            localToInstant(
              zone,
              addMonthsToTimestamp(instantToLocal(zone, d as number), sign * (i as number)),
            )
        : (d, i) => (d as number) + sign * (i as number);
    }
    default:
      return null;
  }
}

function temporalArith(
  op: ArithOp,
  a: LogicalType,
  b: LogicalType,
  ctx: FunctionContext,
): { type: LogicalType; impl: Binary } | null {
  const nullable = a.nullable || b.nullable;
  if ((op === '+' || op === '-') && DATETIME_KINDS.has(a.kind) && isInterval(b)) {
    const f = datetimePlusInterval(a, b, op === '+' ? 1 : -1, ctx);
    // rowtime + INTERVAL is a plain timestamp: a computed value is no longer a time attribute
    return f ? { type: plainType(a, nullable), impl: f } : null;
  }
  if (op === '+' && isInterval(a) && DATETIME_KINDS.has(b.kind)) {
    const f = datetimePlusInterval(b, a, 1, ctx);
    return f ? { type: plainType(b, nullable), impl: (x, y) => f(y, x) } : null;
  }
  if ((op === '+' || op === '-') && isInterval(a) && a.kind === b.kind) {
    // Different resolutions (HOUR vs DAY TO SECOND) widen to the full resolution of the kind.
    const widest = a.kind === 'INTERVAL_DAY_TIME' ? T.intervalDayTime() : T.intervalYearMonth();
    const type = withNullable(a.resolution === b.resolution ? a : widest, nullable);
    return {
      type,
      impl: op === '+' ? (x, y) => (x as number) + (y as number) : (x, y) => (x as number) - (y as number),
    };
  }
  const scaled = (iv: LogicalType, n: LogicalType, divide: boolean) => {
    const num = toNumber(n);
    const ym = iv.kind === 'INTERVAL_YEAR_MONTH';
    return (x: Value, y: Value) => {
      const factor = num(y);
      if (divide && factor === 0) throw divisionByZero();
      const r = divide ? (x as number) / factor : (x as number) * factor;
      return ym ? Math.trunc(r) : Math.round(r);
    };
  };
  if ((op === '*' || op === '/') && isInterval(a) && isNumeric(b)) {
    return { type: withNullable(a, nullable), impl: scaled(a, b, op === '/') };
  }
  if (op === '*' && isNumeric(a) && isInterval(b)) {
    const f = scaled(b, a, false);
    return { type: withNullable(b, nullable), impl: (x, y) => f(y, x) };
  }
  return null;
}

const ARITH_SIGNATURES: Record<ArithOp, string[]> = {
  '+': [
    '<NUMERIC> + <NUMERIC>',
    '<DATETIME> + <INTERVAL>',
    '<INTERVAL> + <DATETIME>',
    '<INTERVAL> + <INTERVAL>',
  ],
  '-': ['<NUMERIC> - <NUMERIC>', '<DATETIME> - <INTERVAL>', '<INTERVAL> - <INTERVAL>', '- <NUMERIC>'],
  '*': ['<NUMERIC> * <NUMERIC>', '<INTERVAL> * <NUMERIC>', '<NUMERIC> * <INTERVAL>'],
  '/': ['<NUMERIC> / <NUMERIC>', '<INTERVAL> / <NUMERIC>'],
  '%': ['<NUMERIC> % <NUMERIC>'],
};

/** Replaces a NULL-typed operand by the other operand's type (its value is always NULL). */
function adoptNullType(a: LogicalType, b: LogicalType): [LogicalType, LogicalType] {
  if (a.kind === 'NULL' && b.kind !== 'NULL') return [withNullable(b, true), b];
  if (b.kind === 'NULL' && a.kind !== 'NULL') return [a, withNullable(a, true)];
  return [a, b];
}

function unary(op: '+' | '-', t: LogicalType): ResolvedScalar | null {
  if (op === '+') return isNumeric(t) || isInterval(t) ? resolved(t, (x) => x) : null;
  const bits = INT_BITS[t.kind];
  if (bits !== undefined) {
    const w = wrapTo(bits);
    return resolved(t, (x) => w(-(x as number)));
  }
  switch (t.kind) {
    case 'BIGINT':
      return resolved(t, (x) => BigInt.asIntN(64, -(x as bigint)));
    case 'DECIMAL':
      return resolved(t, (x) => -(x as bigint));
    case 'FLOAT':
    case 'DOUBLE':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return resolved(t, (x) => -(x as number));
    default:
      return null;
  }
}

function arithmetic(op: ArithOp, description: string): ScalarFunctionDef {
  return {
    name: op,
    description,
    resolve(argTypes, ctx) {
      const accepted = ARITH_SIGNATURES[op];
      if (argTypes.length === 1 && (op === '+' || op === '-')) {
        const r = unary(op, argTypes[0] as LogicalType);
        if (r) return r;
        throw signatureError(op, argTypes, accepted);
      }
      if (argTypes.length !== 2) throw signatureError(op, argTypes, accepted);
      const [a, b] = adoptNullType(argTypes[0] as LogicalType, argTypes[1] as LogicalType);
      if (a.kind === 'NULL' && b.kind === 'NULL') {
        throw signatureError(op, argTypes, accepted, 'NULL operands need a type: use CAST(NULL AS type)');
      }
      const r = isNumeric(a) && isNumeric(b) ? numericArith(op, a, b) : temporalArith(op, a, b, ctx);
      if (!r) throw signatureError(op, argTypes, accepted);
      return resolved(r.type, r.impl as Impl);
    },
  };
}

// ---------------------------------------------------------------- strings and logic

const concatOp: ScalarFunctionDef = {
  name: '||',
  description: 'Concatenates two character strings (or two binary strings).',
  resolve(argTypes) {
    const accepted = ['<STRING> || <STRING>', '<BYTES> || <BYTES>'];
    if (argTypes.length !== 2) throw signatureError('||', argTypes, accepted);
    const [x, y] = argTypes as [LogicalType, LogicalType];
    const a = x.kind === 'NULL' ? (isBinaryString(y) ? T.bytes() : T.string()) : x;
    const b = y.kind === 'NULL' ? (isBinaryString(a) ? T.bytes() : T.string()) : y;
    const nullable = x.nullable || y.nullable;
    const length = Math.min(MAX_LENGTH, (a.precision ?? 1) + (b.precision ?? 1));
    if (isCharacterString(a) && isCharacterString(b)) {
      // As Calcite's DYADIC_STRING_SUM_PRECISION: CHAR || CHAR stays fixed-length.
      const type =
        a.kind === 'CHAR' && b.kind === 'CHAR' ? T.char(length, nullable) : T.varchar(length, nullable);
      return resolved(type, (p, q) => (p as string) + (q as string));
    }
    if (isBinaryString(a) && isBinaryString(b)) {
      return resolved(T.varbinary(length, nullable), (p, q) => {
        const u = p as Uint8Array;
        const v = q as Uint8Array;
        const out = new Uint8Array(u.length + v.length);
        out.set(u);
        out.set(v, u.length);
        return out;
      });
    }
    throw signatureError('||', argTypes, accepted);
  },
};

function isBooleanLike(t: LogicalType): boolean {
  return t.kind === 'BOOLEAN' || t.kind === 'NULL';
}

function logical(name: 'AND' | 'OR', f: (a: Value, b: Value) => boolean | null): ScalarFunctionDef {
  return {
    name,
    description: `Three-valued logical ${name} of BOOLEAN operands (any number, at least two).`,
    resolve(argTypes) {
      if (argTypes.length < 2 || !argTypes.every(isBooleanLike)) {
        throw signatureError(name, argTypes, [`<BOOLEAN> ${name} <BOOLEAN>`]);
      }
      const impl: Impl =
        argTypes.length === 2
          ? (a, b) => f(a ?? null, b ?? null)
          : (...args) => {
              let acc: boolean | null = (args[0] ?? null) as boolean | null;
              for (let i = 1; i < args.length; i++) acc = f(acc, args[i] ?? null);
              return acc;
            };
      return resolved(T.boolean(anyNullable(argTypes)), impl, false);
    },
  };
}

const notOp: ScalarFunctionDef = {
  name: 'NOT',
  description: 'Logical negation; NOT NULL is NULL.',
  resolve(argTypes) {
    if (argTypes.length !== 1 || !isBooleanLike(argTypes[0] as LogicalType)) {
      throw signatureError('NOT', argTypes, ['NOT <BOOLEAN>']);
    }
    return resolved(T.boolean(anyNullable(argTypes)), (a) => !a);
  },
};

/** Every operator definition, by symbol. */
export const OPERATORS: readonly ScalarFunctionDef[] = [
  arithmetic('+', 'Addition (numbers, datetime + interval, interval + interval); unary plus.'),
  arithmetic('-', 'Subtraction (numbers, datetime - interval, interval - interval); unary minus.'),
  arithmetic('*', 'Multiplication (numbers, interval * number).'),
  arithmetic('/', 'Division; integer division truncates, by zero fails; DOUBLE gives Infinity/NaN.'),
  arithmetic('%', 'Remainder with the sign of the dividend; integer or DECIMAL modulo by zero fails.'),
  comparison('=', 'Equality after conversion to the common type.'),
  comparison('<>', 'Inequality after conversion to the common type.'),
  comparison('<', 'Less than.'),
  comparison('<=', 'Less than or equal.'),
  comparison('>', 'Greater than.'),
  comparison('>=', 'Greater than or equal.'),
  distinctFrom(false),
  distinctFrom(true),
  concatOp,
  logical('AND', and3),
  logical('OR', or3),
  notOp,
];

/** Registers all operators into `registry` under their symbols ('+', '=', 'AND', '||', ...). */
export function registerOperators(registry: FunctionRegistry): void {
  for (const op of OPERATORS) registry.registerScalar(op);
}

/** The operator definition for a symbol, e.g. `operator('+')`. */
export function operator(symbol: string): ScalarFunctionDef {
  const found = OPERATORS.find((o) => o.name === symbol.toUpperCase());
  if (!found) throw new RivuletError('internal', 'INTERNAL', `no operator '${symbol}'`);
  return found;
}
