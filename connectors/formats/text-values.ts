/**
 * Scalar values as text, for the places where formats carry them as strings: CSV fields, JSON map
 * keys, numbers quoted in JSON (as Canal writes them), DATE/TIME/TIMESTAMP strings. Parsing is strict
 * (a value that is not exactly of the column's type is an error the format reports); printing is the
 * text parsing reads back to the same value.
 *
 * Temporal text follows Flink's JSON/CSV formats: DATE `yyyy-MM-dd`, TIME `HH:mm:ss[.fff]`, and
 * TIMESTAMP as `yyyy-MM-dd HH:mm:ss[.fff]` ('SQL') or `yyyy-MM-ddTHH:mm:ss[.fff]` ('ISO-8601');
 * TIMESTAMP_LTZ adds a `Z` (the instant in UTC). Fractions are printed with as few digits as needed.
 */
import { formatDate, MS_PER_DAY, parseDate, parseTime } from '../../catalog/datetime.ts';
import { decimalToString, parseDecimal } from '../../catalog/decimal.ts';
import type { LogicalType } from '../../catalog/types.ts';
import type { Value } from '../../operators/api.ts';
import { ValueError } from './api.ts';

export type TimestampStandard = 'SQL' | 'ISO-8601';
export const TIMESTAMP_STANDARDS: readonly TimestampStandard[] = ['SQL', 'ISO-8601'];

export interface TextOptions {
  readonly timestampStandard: TimestampStandard;
  /** DECIMAL as plain digits (`0.00000012`) rather than Java's BigDecimal text (`1.2E-7`). */
  readonly decimalPlain: boolean;
}

const INT_RANGES: Partial<Record<LogicalType['kind'], readonly [number, number]>> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
};
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Scalar kinds that have a text form here (composites do not). */
export function hasTextForm(type: LogicalType): boolean {
  switch (type.kind) {
    case 'ARRAY':
    case 'MAP':
    case 'MULTISET':
    case 'ROW':
    case 'NULL':
    case 'DESCRIPTOR':
    case 'INTERVAL_YEAR_MONTH':
    case 'INTERVAL_DAY_TIME':
      return false;
    default:
      return true;
  }
}

/** A parser from text to the value of a scalar `type`; throws ValueError on malformed text. */
export function textParser(type: LogicalType, options: TextOptions): (text: string) => Value {
  const kind = type.kind;
  switch (kind) {
    case 'BOOLEAN':
      return (text) => {
        const lower = text.trim().toLowerCase();
        if (lower === 'true') return true;
        if (lower === 'false') return false;
        throw new ValueError(`'${text}' is not a BOOLEAN`);
      };
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const [min, max] = INT_RANGES[kind] as readonly [number, number];
      return (text) => {
        const t = text.trim();
        if (!INTEGER_TEXT.test(t)) throw new ValueError(`'${text}' is not an ${kind}`);
        return checkIntRange(Number(t), kind, min, max);
      };
    }
    case 'BIGINT':
      return (text) => {
        const t = text.trim();
        if (!INTEGER_TEXT.test(t)) throw new ValueError(`'${text}' is not a BIGINT`);
        return checkInt64(BigInt(t));
      };
    case 'FLOAT':
    case 'DOUBLE':
      return (text) => {
        const t = text.trim();
        const value = specialFloat(t) ?? (FLOAT_TEXT.test(t) ? Number(t) : undefined);
        if (value === undefined) throw new ValueError(`'${text}' is not a ${kind}`);
        return kind === 'FLOAT' ? Math.fround(value) : value;
      };
    case 'DECIMAL': {
      const shape = { precision: type.precision ?? 10, scale: type.scale ?? 0 };
      return (text) => {
        const value = parseDecimal(text, shape);
        if (value === undefined) throw new ValueError(`'${text}' is not a DECIMAL`);
        if (value === null)
          throw new ValueError(`'${text}' does not fit DECIMAL(${shape.precision}, ${shape.scale})`);
        return value;
      };
    }
    case 'CHAR':
    case 'VARCHAR':
      return (text) => text;
    case 'BINARY':
    case 'VARBINARY':
      return (text) => base64ToBytes(text);
    case 'DATE':
      return (text) => {
        const days = parseDate(text);
        if (days === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(text.trim())) {
          throw new ValueError(`'${text}' is not a DATE (yyyy-MM-dd)`);
        }
        return days;
      };
    case 'TIME':
      return (text) => {
        const ms = parseTime(text);
        if (ms === undefined) throw new ValueError(`'${text}' is not a TIME (HH:mm:ss[.fff])`);
        return ms;
      };
    case 'TIMESTAMP':
      return (text) => parseTimestampText(text, options.timestampStandard, false);
    case 'TIMESTAMP_LTZ':
      return (text) => parseTimestampText(text, options.timestampStandard, true);
    default:
      throw new ValueError(`${kind} has no text form`);
  }
}

/** A printer of the values of a scalar `type` as text (the inverse of `textParser`). */
export function textPrinter(type: LogicalType, options: TextOptions): (value: Value) => string {
  switch (type.kind) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'CHAR':
    case 'VARCHAR':
      return (value) => String(value);
    case 'FLOAT':
    case 'DOUBLE':
      return (value) => formatFloat(value as number);
    case 'DECIMAL': {
      const scale = type.scale ?? 0;
      return options.decimalPlain
        ? (value) => decimalToString(value as bigint, scale)
        : (value) => decimalToJavaString(value as bigint, scale);
    }
    case 'BINARY':
    case 'VARBINARY':
      return (value) => Buffer.from(value as Uint8Array).toString('base64');
    case 'DATE':
      return (value) => formatDate(value as number);
    case 'TIME':
      return (value) => formatTimeOfDay(value as number);
    case 'TIMESTAMP':
      return (value) => formatTimestampText(value as number, options.timestampStandard, false);
    case 'TIMESTAMP_LTZ':
      return (value) => formatTimestampText(value as number, options.timestampStandard, true);
    default:
      throw new ValueError(`${type.kind} has no text form`);
  }
}

// ---------------------------------------------------------------------------------------------

export function checkIntRange(value: number, kind: string, min: number, max: number): number {
  if (!Number.isInteger(value)) throw new ValueError(`${value} is not an integer (${kind})`);
  if (value < min || value > max) throw new ValueError(`${value} is out of range for ${kind}`);
  return value;
}

export function checkInt64(value: bigint): bigint {
  if (value < INT64_MIN || value > INT64_MAX) throw new ValueError(`${value} is out of range for BIGINT`);
  return value;
}

export function intRange(kind: LogicalType['kind']): readonly [number, number] | undefined {
  return INT_RANGES[kind];
}

/** NaN and the infinities, written as Java writes them. */
export function specialFloat(text: string): number | undefined {
  if (text === 'NaN') return Number.NaN;
  if (text === 'Infinity' || text === '+Infinity') return Number.POSITIVE_INFINITY;
  if (text === '-Infinity') return Number.NEGATIVE_INFINITY;
  return undefined;
}

/** Shortest text that reads back as the same double; keeps the sign of -0. */
export function formatFloat(value: number): string {
  if (Object.is(value, -0)) return '-0.0';
  return String(value);
}

/**
 * Java's `BigDecimal.toString()` for a non-negative scale: plain digits unless the adjusted exponent
 * (the power of ten of the leading digit) is below -6, then scientific: (12n, 8) -> `1.2E-7`.
 */
export function decimalToJavaString(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  const adjusted = digits.length - 1 - scale;
  if (scale <= 0 || adjusted >= -6) return decimalToString(unscaled, scale);
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${negative ? '-' : ''}${mantissa}E${adjusted}`;
}

/** Standard base64 (Flink's JSON writes BYTES so); whitespace tolerated, anything else refused. */
export function base64ToBytes(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw new ValueError(`'${abbreviate(text)}' is not base64`);
  }
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/** `HH:mm:ss`, with `.f`..`.fff` only when there are milliseconds (java.time's ISO_LOCAL_TIME). */
function formatTimeOfDay(msOfDay: number): string {
  const ms = ((msOfDay % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const fraction = ms % 1000;
  const base = `${pad2(h)}:${pad2(m)}:${pad2(s)}`;
  return fraction === 0 ? base : `${base}.${String(fraction).padStart(3, '0').replace(/0+$/, '')}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function formatTimestampText(ms: number, standard: TimestampStandard, zoned: boolean): string {
  const days = Math.floor(ms / MS_PER_DAY);
  const time = formatTimeOfDay(ms - days * MS_PER_DAY);
  return `${formatDate(days)}${standard === 'SQL' ? ' ' : 'T'}${time}${zoned ? 'Z' : ''}`;
}

const TIMESTAMP_TEXT = /^(\d{4}-\d{2}-\d{2})([ T])(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z?)$/;

function parseTimestampText(text: string, standard: TimestampStandard, zoned: boolean): number {
  const shape =
    standard === 'SQL'
      ? `yyyy-MM-dd HH:mm:ss[.fff]${zoned ? 'Z' : ''}`
      : `yyyy-MM-ddTHH:mm:ss[.fff]${zoned ? 'Z' : ''}`;
  const m = TIMESTAMP_TEXT.exec(text.trim());
  if (m === null || (m[2] === ' ') !== (standard === 'SQL') || (m[4] === 'Z') !== zoned) {
    throw new ValueError(
      `'${abbreviate(text)}' is not a ${zoned ? 'TIMESTAMP_LTZ' : 'TIMESTAMP'} in the ${standard} format (${shape})`,
    );
  }
  const days = parseDate(m[1] as string);
  const time = parseTime(m[3] as string);
  if (days === undefined || time === undefined) {
    throw new ValueError(`'${abbreviate(text)}' is not a valid date and time`);
  }
  return days * MS_PER_DAY + time;
}

export function abbreviate(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}
