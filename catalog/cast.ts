/**
 * CAST and TRY_CAST between Rivulet types, and the canonical text of every value (`formatValue`).
 *
 * `castFunction(from, to, opts)` validates the pair against Flink's cast matrix once, at planning time
 * (CAST_UNSUPPORTED), and returns a per-row function. Conversions follow Flink (1.15+ cast rules) and
 * Java's numeric semantics, which Flink's generated code inherits:
 *   - integer narrowing wraps (Java `(int) someLong`); FLOAT/DOUBLE to an integer truncates toward
 *     zero and saturates at the target's range, NaN giving 0 (Java's `(int) someDouble`, `(long)`;
 *     TINYINT/SMALLINT narrow the saturated INT, as Java's `(byte) d` does);
 *   - DECIMAL to an integer truncates toward zero and wraps (BigDecimal.longValue then narrowing);
 *   - anything to DECIMAL(p, s) rounds HALF_UP to s; a value that does not fit p gives NULL (Flink's
 *     DecimalData.fromBigDecimal); DOUBLE to DECIMAL uses the shortest decimal text of the double;
 *   - STRING to a number trims blanks; to an integer type a fractional part is dropped and an
 *     out-of-range value fails; STRING to BOOLEAN accepts true/t/yes/y/1 and false/f/no/n/0;
 *   - CHAR(n) pads with blanks and truncates, VARCHAR(n) truncates; BINARY(n)/VARBINARY(n) likewise
 *     with zero bytes; STRING <-> BYTES is UTF-8;
 *   - TIMESTAMP <-> TIMESTAMP_LTZ (and DATE/TIME <-> TIMESTAMP_LTZ) go through the session time zone;
 *   - ARRAY, MAP, MULTISET and ROW cast element-wise.
 * A value that cannot be converted fails CAST with CAST_FAILED (naming the value and both types), and
 * makes TRY_CAST return NULL. NULL always casts to NULL.
 */
import { RivuletError } from '../common/errors.ts';
import type { Value } from '../operators/api.ts';
import { canCastExplicitly } from './coercion.ts';

export { canCastExplicitly, canCastImplicitly } from './coercion.ts';

import {
  floorDiv,
  floorMod,
  formatDate,
  formatTime,
  formatTimestamp,
  instantToLocal,
  localToInstant,
  MS_PER_DAY,
  parseDate,
  parseTime,
  parseTimestamp,
  truncateToPrecision,
} from './datetime.ts';
import {
  type DecimalShape,
  decimalFromNumber,
  decimalToNumber,
  decimalToString,
  decimalTruncate,
  parseDecimal,
  toShape,
} from './decimal.ts';
import { isCharacterString, type LogicalType, MAX_LENGTH, type RowField, typeToString } from './types.ts';

export interface CastOptions {
  /** TRY_CAST: a value that cannot be converted gives NULL instead of failing. */
  readonly tryCast?: boolean;
  /** Session time zone for TIMESTAMP <-> TIMESTAMP_LTZ. Default 'UTC'. */
  readonly timeZone?: string;
}

/** A conversion of a non-null value; throws CastFailure when the value cannot be converted. */
type Conv = (v: Value) => Value;

/**
 * Thrown by conversions and caught by `castFunction`. Deliberately not an Error: TRY_CAST over many
 * bad values should not pay for a stack trace per value.
 */
class CastFailure {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

function fail(reason: string): never {
  throw new CastFailure(reason);
}

/**
 * The per-row function of `CAST(x AS to)` (or TRY_CAST) for `x` of type `from`.
 * Throws RivuletError('plan', 'CAST_UNSUPPORTED') if Flink's matrix does not allow the pair.
 *
 * @example castFunction(T.string(), T.int())(' 42 ') // 42
 */
export function castFunction(
  from: LogicalType,
  to: LogicalType,
  opts: CastOptions = {},
): (v: Value) => Value {
  if (!canCastExplicitly(from, to)) {
    throw new RivuletError(
      'plan',
      'CAST_UNSUPPORTED',
      `Cannot cast ${typeToString(from)} to ${typeToString(to)}: this conversion is not supported`,
    );
  }
  const timeZone = opts.timeZone ?? 'UTC';
  const conv = converter(from, to, timeZone);
  if (!mayFail(from, to)) return (v) => (v === null || v === undefined ? null : conv(v));
  if (opts.tryCast) {
    return (v) => {
      if (v === null || v === undefined) return null;
      try {
        return conv(v);
      } catch (e) {
        if (e instanceof CastFailure) return null;
        throw e;
      }
    };
  }
  return (v) => {
    if (v === null || v === undefined) return null;
    try {
      return conv(v);
    } catch (e) {
      if (e instanceof CastFailure) {
        throw new RivuletError(
          'runtime',
          'CAST_FAILED',
          `Cannot cast ${describeValue(v, from, timeZone)} of type ${typeToString(from)} to ${typeToString(to)}: ${e.message}`,
        );
      }
      throw e;
    }
  };
}

/** False for conversions that succeed for every value (no try/catch needed per row). */
function mayFail(from: LogicalType, to: LogicalType): boolean {
  if (isCharacterString(from)) return !isCharacterString(to);
  if (to.kind === 'DECIMAL') return from.kind === 'FLOAT' || from.kind === 'DOUBLE';
  return from.kind === 'ARRAY' || from.kind === 'MAP' || from.kind === 'MULTISET' || from.kind === 'ROW';
}

function describeValue(v: Value, type: LogicalType, timeZone: string): string {
  const text = formatValue(v, type, timeZone);
  const shown = text.length > 200 ? `${text.slice(0, 200)}...` : text;
  return `'${shown.replace(/'/g, "''")}'`;
}

const identity: Conv = (v) => v;

function converter(from: LogicalType, to: LogicalType, tz: string): Conv {
  if (from.kind === 'NULL') return () => null;
  switch (to.kind) {
    case 'CHAR':
    case 'VARCHAR':
      return toText(from, to, tz);
    case 'BINARY':
    case 'VARBINARY':
      return toBinary(from, to);
    case 'BOOLEAN':
      return toBoolean(from);
    case 'TINYINT':
      return toSmallInteger(from, 8);
    case 'SMALLINT':
      return toSmallInteger(from, 16);
    case 'INT':
      return toSmallInteger(from, 32);
    case 'BIGINT':
      return toBigint(from);
    case 'FLOAT': {
      const d = toDouble(from);
      return (v) => Math.fround(d(v) as number);
    }
    case 'DOUBLE':
      return toDouble(from);
    case 'DECIMAL':
      return toDecimal(from, { precision: to.precision ?? 10, scale: to.scale ?? 0 });
    case 'DATE':
      return toDate(from, tz);
    case 'TIME':
      return toTime(from, to.precision ?? 0, tz);
    case 'TIMESTAMP':
      return toTimestamp(from, to.precision ?? 6, tz);
    case 'TIMESTAMP_LTZ':
      return toTimestampLtz(from, to.precision ?? 6, tz);
    case 'INTERVAL_YEAR_MONTH':
    case 'INTERVAL_DAY_TIME':
      return from.kind === 'BIGINT' ? (v) => Number(v as bigint) : identity;
    case 'ARRAY': {
      const e = nullSafe(converter(from.element as LogicalType, to.element as LogicalType, tz));
      return (v) => (v as Value[]).map(e);
    }
    case 'MULTISET': {
      const e = nullSafe(converter(from.element as LogicalType, to.element as LogicalType, tz));
      return (v) => {
        const out = new Map<Value, number>();
        for (const [k, n] of v as Map<Value, number>) {
          const key = e(k);
          out.set(key, (out.get(key) ?? 0) + n);
        }
        return out;
      };
    }
    case 'MAP': {
      const k = nullSafe(converter(from.key as LogicalType, to.key as LogicalType, tz));
      const e = nullSafe(converter(from.element as LogicalType, to.element as LogicalType, tz));
      return (v) => {
        const out = new Map<Value, Value>();
        for (const [key, val] of v as Map<Value, Value>) out.set(k(key), e(val));
        return out;
      };
    }
    case 'ROW': {
      const tf = to.fields ?? [];
      const fs = (from.fields ?? []).map((f, i) => nullSafe(converter(f.type, (tf[i] as RowField).type, tz)));
      return (v) => fs.map((c, i) => c((v as Value[])[i] ?? null));
    }
    default:
      return identity;
  }
}

function nullSafe(c: Conv): Conv {
  return (v) => (v === null || v === undefined ? null : c(v));
}

// ---------------------------------------------------------------- text

function toText(from: LogicalType, to: LogicalType, tz: string): Conv {
  const length = to.precision ?? MAX_LENGTH;
  const base: Conv = isCharacterString(from) ? identity : (v) => formatValue(v, from, tz);
  if (to.kind === 'CHAR') {
    return (v) => {
      const s = base(v) as string;
      return s.length >= length ? s.slice(0, length) : s.padEnd(length, ' ');
    };
  }
  if (length >= MAX_LENGTH) return base;
  return (v) => {
    const s = base(v) as string;
    return s.length > length ? s.slice(0, length) : s;
  };
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

function toBinary(from: LogicalType, to: LogicalType): Conv {
  const length = to.precision ?? MAX_LENGTH;
  const base: Conv = isCharacterString(from) ? (v) => utf8Encoder.encode(v as string) : identity;
  return (v) => {
    const b = base(v) as Uint8Array;
    if (b.length > length) return b.slice(0, length);
    if (to.kind === 'BINARY' && b.length < length) {
      const out = new Uint8Array(length);
      out.set(b);
      return out;
    }
    return b;
  };
}

// ---------------------------------------------------------------- boolean

const TRUE_WORDS = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n', '0']);

function toBoolean(from: LogicalType): Conv {
  switch (from.kind) {
    case 'BIGINT':
      return (v) => v !== 0n;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return (v) => v !== 0;
    case 'CHAR':
    case 'VARCHAR':
      return (v) => {
        const s = (v as string).trim().toLowerCase();
        if (TRUE_WORDS.has(s)) return true;
        if (FALSE_WORDS.has(s)) return false;
        return fail('not a valid BOOLEAN (expected TRUE/FALSE, T/F, YES/NO, Y/N or 1/0)');
      };
    default:
      return identity;
  }
}

// ---------------------------------------------------------------- integers

const INTEGER_TEXT = /^[+-]?\d+(?:\.\d*)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const TWO_63 = 2 ** 63;

/** Parses integer text (fraction dropped) and checks it fits `bits`; fails otherwise. */
function parseInteger(text: string, bits: number, typeName: string): bigint {
  const s = text.trim();
  if (!INTEGER_TEXT.test(s)) fail(`not a valid ${typeName}`);
  const dot = s.indexOf('.');
  const n = BigInt(dot < 0 ? s : s.slice(0, dot));
  const limit = 1n << BigInt(bits - 1);
  if (n < -limit || n >= limit) fail(`out of the range of ${typeName}`);
  return n;
}

/** As parseInteger for types of at most 32 bits, without bigints (exact: fewer than 16 digits). */
function parseSmallInteger(text: string, bits: number, typeName: string): number {
  const s = text.trim();
  if (!INTEGER_TEXT.test(s)) fail(`not a valid ${typeName}`);
  const dot = s.indexOf('.');
  const digits = dot < 0 ? s : s.slice(0, dot);
  if (digits.length > 15) return Number(parseInteger(digits, bits, typeName));
  const n = Number(digits);
  const limit = 2 ** (bits - 1);
  if (n < -limit || n >= limit) fail(`out of the range of ${typeName}`);
  return n === 0 ? 0 : n;
}

/** Java's `(int) d`: truncate toward zero, saturate at the INT range, NaN -> 0. */
function doubleToInt32(d: number): number {
  if (Number.isNaN(d)) return 0;
  if (d >= 2147483647) return 2147483647;
  if (d <= -2147483648) return -2147483648;
  return Math.trunc(d) | 0;
}

/** Java's `(long) d`. */
function doubleToInt64(d: number): bigint {
  if (Number.isNaN(d)) return 0n;
  if (d >= TWO_63) return INT64_MAX;
  if (d <= -TWO_63) return INT64_MIN;
  return BigInt(Math.trunc(d));
}

/** Wraps a JS integer to a signed `bits`-bit integer (8, 16, 32) as Java's narrowing casts do. */
function wrapNumber(n: number, bits: number): number {
  if (bits === 32) return n | 0;
  const shift = 32 - bits;
  return ((n | 0) << shift) >> shift;
}

function toSmallInteger(from: LogicalType, bits: number): Conv {
  const name = bits === 8 ? 'TINYINT' : bits === 16 ? 'SMALLINT' : 'INT';
  switch (from.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'INTERVAL_YEAR_MONTH':
      return (v) => wrapNumber(v as number, bits);
    case 'BIGINT':
      return (v) => Number(BigInt.asIntN(bits, v as bigint));
    case 'FLOAT':
    case 'DOUBLE':
      return (v) => wrapNumber(doubleToInt32(v as number), bits);
    case 'DECIMAL': {
      const scale = from.scale ?? 0;
      return (v) => Number(BigInt.asIntN(bits, BigInt.asIntN(64, decimalTruncate(v as bigint, scale))));
    }
    case 'BOOLEAN':
      return (v) => (v ? 1 : 0);
    case 'CHAR':
    case 'VARCHAR':
      return (v) => parseSmallInteger(v as string, bits, name);
    default:
      return identity;
  }
}

function toBigint(from: LogicalType): Conv {
  switch (from.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'INTERVAL_DAY_TIME':
      return (v) => BigInt(v as number);
    case 'FLOAT':
    case 'DOUBLE':
      return (v) => doubleToInt64(v as number);
    case 'DECIMAL': {
      const scale = from.scale ?? 0;
      return (v) => BigInt.asIntN(64, decimalTruncate(v as bigint, scale));
    }
    case 'BOOLEAN':
      return (v) => (v ? 1n : 0n);
    case 'CHAR':
    case 'VARCHAR':
      return (v) => parseInteger(v as string, 64, 'BIGINT');
    default:
      return identity;
  }
}

// ---------------------------------------------------------------- approximate numbers

const DOUBLE_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[dDfF]?$/;

/** Java's Double.parseDouble on trimmed text (NaN, Infinity and a d/f suffix accepted). */
function parseDouble(text: string): number {
  const s = text.trim();
  if (s === 'NaN') return Number.NaN;
  if (s === 'Infinity' || s === '+Infinity') return Number.POSITIVE_INFINITY;
  if (s === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (!DOUBLE_TEXT.test(s)) fail('not a valid number');
  return Number(/[dDfF]$/.test(s) ? s.slice(0, -1) : s);
}

function toDouble(from: LogicalType): Conv {
  switch (from.kind) {
    case 'BIGINT':
      return (v) => Number(v as bigint);
    case 'DECIMAL': {
      const scale = from.scale ?? 0;
      return (v) => decimalToNumber(v as bigint, scale);
    }
    case 'BOOLEAN':
      return (v) => (v ? 1 : 0);
    case 'CHAR':
    case 'VARCHAR':
      return (v) => parseDouble(v as string);
    default:
      return identity;
  }
}

// ---------------------------------------------------------------- decimal

function toDecimal(from: LogicalType, to: DecimalShape): Conv {
  switch (from.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return (v) => toShape(BigInt(v as number), 0, to);
    case 'BIGINT':
      return (v) => toShape(v as bigint, 0, to);
    case 'BOOLEAN':
      return (v) => toShape(v ? 1n : 0n, 0, to);
    case 'FLOAT':
    case 'DOUBLE':
      return (v) => {
        const r = decimalFromNumber(v as number, to);
        return r === undefined ? fail('NaN and infinite values have no DECIMAL value') : r;
      };
    case 'DECIMAL': {
      const scale = from.scale ?? 0;
      return (v) => toShape(v as bigint, scale, to);
    }
    case 'CHAR':
    case 'VARCHAR':
      return (v) => {
        const r = parseDecimal(v as string, to);
        return r === undefined ? fail('not a valid DECIMAL') : r;
      };
    default:
      return identity;
  }
}

// ---------------------------------------------------------------- temporal

function toDate(from: LogicalType, tz: string): Conv {
  switch (from.kind) {
    case 'TIMESTAMP':
      return (v) => floorDiv(v as number, MS_PER_DAY);
    case 'TIMESTAMP_LTZ':
      return (v) => floorDiv(instantToLocal(tz, v as number), MS_PER_DAY);
    case 'CHAR':
    case 'VARCHAR':
      return (v) => {
        // As Calcite's date parser: a time part after a blank is ignored.
        const s = (v as string).trim();
        const blank = s.search(/[ T]/);
        const d = parseDate(blank < 0 ? s : s.slice(0, blank));
        return d === undefined ? fail("not a valid DATE (expected 'yyyy-MM-dd')") : d;
      };
    default:
      return identity;
  }
}

function toTime(from: LogicalType, precision: number, tz: string): Conv {
  switch (from.kind) {
    case 'TIMESTAMP':
      return (v) => truncateToPrecision(floorMod(v as number, MS_PER_DAY), precision);
    case 'TIMESTAMP_LTZ':
      return (v) => truncateToPrecision(floorMod(instantToLocal(tz, v as number), MS_PER_DAY), precision);
    case 'CHAR':
    case 'VARCHAR':
      return (v) => {
        const t = parseTime(v as string);
        return t === undefined
          ? fail("not a valid TIME (expected 'HH:mm:ss[.fff]')")
          : truncateToPrecision(t, precision);
      };
    default:
      return (v) => truncateToPrecision(v as number, precision);
  }
}

function toTimestamp(from: LogicalType, precision: number, tz: string): Conv {
  switch (from.kind) {
    case 'DATE':
      return (v) => (v as number) * MS_PER_DAY;
    case 'TIMESTAMP_LTZ':
      return (v) => truncateToPrecision(instantToLocal(tz, v as number), precision);
    case 'CHAR':
    case 'VARCHAR':
      return (v) => {
        const t = parseTimestamp(v as string);
        return t === undefined
          ? fail("not a valid TIMESTAMP (expected 'yyyy-MM-dd HH:mm:ss[.fff]')")
          : truncateToPrecision(t, precision);
      };
    default:
      // TIMESTAMP(p) and TIME (on 1970-01-01).
      return (v) => truncateToPrecision(v as number, precision);
  }
}

function toTimestampLtz(from: LogicalType, precision: number, tz: string): Conv {
  if (from.kind === 'TIMESTAMP_LTZ') return (v) => truncateToPrecision(v as number, precision);
  const local = toTimestamp(from, precision, tz);
  return (v) => truncateToPrecision(localToInstant(tz, local(v) as number), precision);
}

// ---------------------------------------------------------------- formatting

/**
 * Java's Double.toString / Float.toString layout of shortest round-trip digits: plain notation for
 * 1e-3 <= |x| < 1e7 (at least one fractional digit, '1.0'), otherwise 'd.dddE[-]n'.
 */
function javaNumberText(x: number, float: boolean): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  let exp = x.toExponential();
  if (float) {
    // Shortest digits that read back as the same 32-bit float.
    for (let p = 1; p <= 9; p++) {
      const candidate = Number(x.toPrecision(p));
      if (Math.fround(candidate) === x) {
        exp = candidate.toExponential();
        break;
      }
    }
  }
  const neg = exp.startsWith('-');
  const [mant, e] = (neg ? exp.slice(1) : exp).split('e') as [string, string];
  const digits = mant.replace('.', '');
  const e10 = Number(e);
  let body: string;
  if (e10 >= -3 && e10 < 7) {
    if (e10 >= 0) {
      const intPart = digits.slice(0, e10 + 1).padEnd(e10 + 1, '0');
      const frac = digits.slice(e10 + 1);
      body = `${intPart}.${frac || '0'}`;
    } else {
      body = `0.${'0'.repeat(-e10 - 1)}${digits}`;
    }
  } else {
    body = `${digits[0]}.${digits.slice(1) || '0'}E${e10}`;
  }
  return neg ? `-${body}` : body;
}

/** Flink's text of a DAY TO SECOND interval: '+1 02:03:04.000'. */
function formatDayTime(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const a = Math.abs(ms);
  const days = Math.floor(a / MS_PER_DAY);
  return `${sign}${days} ${formatTime(a % MS_PER_DAY, 3)}`;
}

/** Flink's text of a YEAR TO MONTH interval: '+1-02'. */
function formatYearMonth(months: number): string {
  const sign = months < 0 ? '-' : '+';
  const a = Math.abs(months);
  return `${sign}${Math.floor(a / 12)}-${String(a % 12).padStart(2, '0')}`;
}

/**
 * The canonical text of a value of `type`: what CAST(x AS STRING) gives and what the CLI prints.
 * NULL (also nested) is 'NULL'; BOOLEAN 'TRUE'/'FALSE'; DECIMAL exact with all its scale digits;
 * DOUBLE/FLOAT as Java prints them ('1.0', '1.0E20'); DATE 'YYYY-MM-DD'; TIME 'HH:MM:SS[.f]';
 * TIMESTAMP(p) 'YYYY-MM-DD HH:MM:SS' plus p fractional digits; TIMESTAMP_LTZ the same in `timeZone`;
 * BYTES decoded as UTF-8; ARRAY '[a, b]'; MAP and MULTISET '{k=v, ...}'; ROW '(a, b)'.
 *
 * @example formatValue(1234n, T.decimal(10, 2), 'UTC') // '12.34'
 */
export function formatValue(v: Value, type: LogicalType, timeZone = 'UTC'): string {
  if (v === null || v === undefined) return 'NULL';
  switch (type.kind) {
    case 'BOOLEAN':
      return v ? 'TRUE' : 'FALSE';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return String(v);
    case 'FLOAT':
      return javaNumberText(v as number, true);
    case 'DOUBLE':
      return javaNumberText(v as number, false);
    case 'DECIMAL':
      return decimalToString(v as bigint, type.scale ?? 0);
    case 'CHAR':
    case 'VARCHAR':
      return v as string;
    case 'BINARY':
    case 'VARBINARY':
      return utf8Decoder.decode(v as Uint8Array);
    case 'DATE':
      return formatDate(v as number);
    case 'TIME':
      return formatTime(v as number, type.precision ?? 0);
    case 'TIMESTAMP':
      return formatTimestamp(v as number, type.precision ?? 6);
    case 'TIMESTAMP_LTZ':
      return formatTimestamp(instantToLocal(timeZone, v as number), type.precision ?? 6);
    case 'INTERVAL_DAY_TIME':
      return formatDayTime(v as number);
    case 'INTERVAL_YEAR_MONTH':
      return formatYearMonth(v as number);
    case 'ARRAY':
      return `[${(v as Value[]).map((e) => formatValue(e, type.element as LogicalType, timeZone)).join(', ')}]`;
    case 'MULTISET': {
      const e = type.element as LogicalType;
      const parts = [...(v as Map<Value, number>)].map(([k, n]) => `${formatValue(k, e, timeZone)}=${n}`);
      return `{${parts.join(', ')}}`;
    }
    case 'MAP': {
      const k = type.key as LogicalType;
      const e = type.element as LogicalType;
      const parts = [...(v as Map<Value, Value>)].map(
        ([key, val]) => `${formatValue(key, k, timeZone)}=${formatValue(val, e, timeZone)}`,
      );
      return `{${parts.join(', ')}}`;
    }
    case 'ROW': {
      const fields = type.fields ?? [];
      const vals = v as Value[];
      return `(${fields.map((f, i) => formatValue(vals[i] ?? null, f.type, timeZone)).join(', ')})`;
    }
    default:
      return String(v);
  }
}
