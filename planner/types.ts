/** From the parser's type syntax to logical types, and literal texts to typed values. */

import { type LogicalType, MAX_LENGTH, T } from '../catalog/types.ts';
import { RivuletError } from '../common/errors.ts';
import type { IntervalLiteral, IntervalQualifier, TypedLiteral, TypeNode } from '../parser/ast.ts';

export function typeFromNode(node: TypeNode): LogicalType {
  const nullable = !node.notNull;
  switch (node.kind) {
    case 'simpleType': {
      const p = node.precision;
      switch (node.name) {
        case 'BOOLEAN':
          return T.boolean(nullable);
        case 'TINYINT':
          return T.tinyint(nullable);
        case 'SMALLINT':
          return T.smallint(nullable);
        case 'INT':
          return T.int(nullable);
        case 'BIGINT':
          return T.bigint(nullable);
        case 'FLOAT':
        case 'REAL':
          return T.float(nullable);
        case 'DOUBLE':
          return T.double(nullable);
        case 'DECIMAL': {
          const precision = p ?? 10;
          const scale = node.scale ?? 0;
          if (precision < 1 || precision > 38) {
            throw new RivuletError(
              'plan',
              'TYPE_INVALID',
              `DECIMAL precision must be between 1 and 38, found ${precision}`,
              node.span,
            );
          }
          if (scale < 0 || scale > precision) {
            throw new RivuletError(
              'plan',
              'TYPE_INVALID',
              `DECIMAL scale must be between 0 and the precision ${precision}, found ${scale}`,
              node.span,
            );
          }
          return T.decimal(precision, scale, nullable);
        }
        case 'CHAR':
          return T.char(p ?? 1, nullable);
        case 'VARCHAR':
          return T.varchar(p ?? 1, nullable);
        case 'STRING':
          return T.varchar(MAX_LENGTH, nullable);
        case 'BINARY':
          return T.binary(p ?? 1, nullable);
        case 'VARBINARY':
          return T.varbinary(p ?? 1, nullable);
        case 'BYTES':
          return T.varbinary(MAX_LENGTH, nullable);
        case 'DATE':
          return T.date(nullable);
        case 'TIME':
          return T.time(p ?? 0, nullable);
        case 'TIMESTAMP':
          return T.timestamp(p ?? 6, nullable);
        case 'TIMESTAMP_LTZ':
          return T.timestampLtz(p ?? 6, nullable);
        case 'NULL':
          return T.null();
      }
      break;
    }
    case 'intervalType': {
      const res = qualifierText(node.qualifier);
      return isYearMonth(node.qualifier)
        ? T.intervalYearMonth(res, nullable)
        : T.intervalDayTime(res, nullable);
    }
    case 'arrayType':
      return T.array(typeFromNode(node.element), nullable);
    case 'multisetType':
      return T.multiset(typeFromNode(node.element), nullable);
    case 'mapType':
      return T.map(typeFromNode(node.key), typeFromNode(node.value), nullable);
    case 'rowType':
      return T.row(
        node.fields.map((f) => ({
          name: f.name.text,
          type: typeFromNode(f.type),
          ...(f.comment !== null ? { description: f.comment } : {}),
        })),
        nullable,
      );
  }
  throw new RivuletError('plan', 'TYPE_INVALID', 'unsupported type');
}

function isYearMonth(q: IntervalQualifier): boolean {
  return q.start === 'YEAR' || q.start === 'MONTH' || q.start === 'QUARTER';
}

function qualifierText(q: IntervalQualifier): string {
  return q.end ? `${q.start} TO ${q.end}` : q.start;
}

const MS: Record<string, number> = {
  WEEK: 7 * 86_400_000,
  DAY: 86_400_000,
  HOUR: 3_600_000,
  MINUTE: 60_000,
  SECOND: 1000,
  MILLISECOND: 1,
};

/** An interval literal's value: milliseconds (day-time) or months (year-month), with its type. */
export function intervalValue(lit: IntervalLiteral): { value: number; type: LogicalType } {
  const q = lit.qualifier;
  const bad = (): never => {
    throw new RivuletError(
      'plan',
      'LITERAL_INVALID',
      `invalid interval literal '${lit.value}' for ${qualifierText(q)}`,
      lit.span,
    );
  };
  let text = lit.value.trim();
  let sign = lit.sign as number;
  if (text.startsWith('-')) {
    sign = -sign;
    text = text.slice(1).trim();
  } else if (text.startsWith('+')) text = text.slice(1).trim();
  if (isYearMonth(q)) {
    let months: number;
    if (q.end === 'MONTH' && q.start === 'YEAR') {
      const m = /^(\d+)-(\d+)$/.exec(text) ?? bad();
      months = Number(m[1]) * 12 + Number(m[2]);
    } else {
      if (!/^\d+$/.test(text)) bad();
      const n = Number(text);
      months = q.start === 'YEAR' ? n * 12 : q.start === 'QUARTER' ? n * 3 : n;
    }
    return { value: sign * months, type: T.intervalYearMonth(qualifierText(q), false) };
  }
  // Day-time: fields from start to end separated by ' ' (days) and ':' (time), seconds with a fraction.
  const units = ['DAY', 'HOUR', 'MINUTE', 'SECOND'];
  if (q.start === 'WEEK' || q.start === 'MILLISECOND') {
    if (!/^\d+$/.test(text)) bad();
    return { value: sign * Number(text) * (MS[q.start] as number), type: T.intervalDayTime(q.start, false) };
  }
  const from = units.indexOf(q.start);
  const to = q.end ? units.indexOf(q.end) : from;
  if (from < 0 || to < from) bad();
  const parts = text.split(/[ :]/);
  if (parts.length !== to - from + 1) bad();
  let ms = 0;
  for (let i = 0; i < parts.length; i++) {
    const unit = units[from + i] as string;
    const part = parts[i] as string;
    const isSecond = unit === 'SECOND';
    if (!(isSecond ? /^\d+(\.\d+)?$/ : /^\d+$/).test(part)) bad();
    ms += Math.round(Number(part) * (MS[unit] as number));
  }
  return { value: sign * ms, type: T.intervalDayTime(qualifierText(q), false) };
}

const DAY_MS = 86_400_000;

/** Days since the epoch of a `yyyy-mm-dd` date (proleptic Gregorian), or null if malformed. */
export function parseDate(text: string): number | null {
  const m = /^\s*(\d{1,4})-(\d{1,2})-(\d{1,2})\s*$/.exec(text);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  // Date.UTC maps years 0..99 to 1900..1999; set the full year explicitly.
  const exact = new Date(0);
  exact.setUTCFullYear(y, mo - 1, d);
  return Math.round(exact.getTime() / DAY_MS);
}

/** Milliseconds since midnight of `hh:mm[:ss[.fff]]`, or null. */
export function parseTime(text: string): number | null {
  const m = /^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*$/.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const s = Number(m[3] ?? 0);
  if (h > 23 || mi > 59 || s > 59) return null;
  const frac = m[4] ? Number(`0.${m[4]}`) : 0;
  return h * 3_600_000 + mi * 60_000 + s * 1000 + Math.floor(frac * 1000 + 1e-9);
}

/** Wall-clock epoch milliseconds of `yyyy-mm-dd[ hh:mm[:ss[.fff]]]` (also with `T`), or null. */
export function parseTimestamp(text: string): number | null {
  const m = /^\s*(\d{1,4}-\d{1,2}-\d{1,2})(?:[ T](.+?))?\s*$/.exec(text);
  if (!m) return null;
  const days = parseDate(m[1] as string);
  if (days === null) return null;
  const time = m[2] === undefined ? 0 : parseTime(m[2]);
  if (time === null) return null;
  return days * DAY_MS + time;
}

/** A typed literal's value and type (`DATE '...'`, `TIME '...'`, `TIMESTAMP '...'`). */
export function typedLiteralValue(lit: TypedLiteral): { value: number; type: LogicalType } {
  const fail = (): never => {
    throw new RivuletError('plan', 'LITERAL_INVALID', `invalid ${lit.type} literal '${lit.value}'`, lit.span);
  };
  const fraction = /\.(\d+)/.exec(lit.value)?.[1]?.length ?? 0;
  switch (lit.type) {
    case 'DATE':
      return { value: parseDate(lit.value) ?? fail(), type: T.date(false) };
    case 'TIME':
      return { value: parseTime(lit.value) ?? fail(), type: T.time(Math.min(fraction, 3), false) };
    case 'TIMESTAMP':
      return {
        value: parseTimestamp(lit.value) ?? fail(),
        type: T.timestamp(Math.max(0, Math.min(fraction, 9)), false),
      };
  }
}
