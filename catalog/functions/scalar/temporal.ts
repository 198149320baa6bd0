/**
 * Temporal built-ins with Flink's names and types: CURRENT_TIMESTAMP, NOW, CURRENT_ROW_TIMESTAMP,
 * LOCALTIMESTAMP, CURRENT_DATE, CURRENT_TIME, LOCALTIME, PROCTIME, EXTRACT, YEAR ... SECOND, DATE_FORMAT,
 * TO_DATE, TO_TIMESTAMP, TO_TIMESTAMP_LTZ, UNIX_TIMESTAMP, FROM_UNIXTIME, TIMESTAMPADD, TIMESTAMPDIFF,
 * FLOOR_TIME, CEIL_TIME, CONVERT_TZ.
 *
 * The session time zone is `ctx.timeZone` (checked when the call is resolved). A TIMESTAMP_LTZ is an
 * instant: field extraction, formatting, flooring and calendar arithmetic happen on its wall-clock time
 * in the session zone; sub-day arithmetic happens on the instant (so adding 1 hour across a DST change
 * adds 3,600,000 ms).
 *
 * Call shapes the planner uses for the keyword forms (units are upper-case strings, normally literals):
 * - `EXTRACT(unit FROM x)` -> `EXTRACT(unit, x)`; units MILLENNIUM, CENTURY, DECADE, YEAR, ISOYEAR,
 *   QUARTER, MONTH, WEEK, DAY, DOY, DOW (1 = Sunday), ISODOW (1 = Monday), HOUR, MINUTE, SECOND,
 *   MILLISECOND (seconds * 1000 + ms, as Calcite), MICROSECOND, NANOSECOND, EPOCH.
 * - `TIMESTAMPADD(unit, n, x)` and `TIMESTAMPDIFF(unit, a, b)`: units YEAR, QUARTER, MONTH, WEEK, DAY,
 *   HOUR, MINUTE, SECOND, MILLISECOND (FRAC_SECOND is accepted as MILLISECOND), MICROSECOND and NANOSECOND
 *   (truncated to whole milliseconds), and DECADE, CENTURY, MILLENNIUM (10, 100, 1000 years).
 * - `FLOOR(x TO unit)` -> `FLOOR_TIME(unit, x)`, `CEIL(x TO unit)` -> `CEIL_TIME(unit, x)`; units MILLENNIUM,
 *   CENTURY (both starting in a year ending in 1, as EXTRACT counts them), DECADE, YEAR,
 *   QUARTER, MONTH, WEEK (weeks start on Sunday, as Calcite), DAY, HOUR, MINUTE, SECOND, MILLISECOND.
 * TIMESTAMPADD on a DATE with a unit below DAY returns a TIMESTAMP(3) (as Flink); that needs the unit as
 * a planning-time literal (see util.ts); without it a DATE stays a DATE and such units are a runtime error.
 */
import type { Value } from '../../../operators/api.ts';
import {
  addMonthsToDays,
  addMonthsToTimestamp,
  checkTimeZone,
  civilFromDays,
  daysFromCivil,
  floorDiv,
  floorMod,
  instantToLocal as instantToLocalUnchecked,
  localToInstant as localToInstantUnchecked,
  MS_PER_DAY,
  parseDate,
  parseTimestamp,
  zoneOffset as zoneOffsetUnchecked,
} from '../../datetime.ts';
import { type LogicalType, T, withTimeAttribute } from '../../types.ts';
import type { FunctionContext, ScalarFunctionDef } from '../registry.ts';
import { compilePattern, formatWithPattern, isoDayOfWeek, isoWeek, parseWithPattern } from './datefmt.ts';
import { decimalToNumber } from './numeric.ts';
import {
  badCall,
  defineScalar,
  isDate,
  isIntegralT,
  isLtz,
  isNum,
  isStr,
  isTime,
  isTs,
  lastValueCache,
  matches,
  nullAware,
  nullableFrom,
  pure,
  runtimeError,
  stringOf,
} from './util.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const SECOND = 1000;
const LONG_MIN = -(2n ** 63n);

const DEFAULT_FORMAT = 'yyyy-MM-dd HH:mm:ss';

/** The range of instants (and wall-clock times) time zones can be looked up for: JavaScript's Date range. */
const MAX_INSTANT = 8.64e15;

function checkInstant(ms: number): number {
  if (!(Math.abs(ms) <= MAX_INSTANT)) {
    throw runtimeError(
      'VALUE_OUT_OF_RANGE',
      `The time ${ms} ms from 1970-01-01 is outside the supported range (about ±273,000 years)`,
    );
  }
  return ms;
}
const instantToLocal = (zone: string, ms: number): number => instantToLocalUnchecked(zone, checkInstant(ms));
const localToInstant = (zone: string, ms: number): number => localToInstantUnchecked(zone, checkInstant(ms));
const zoneOffset = (zone: string, ms: number): number => zoneOffsetUnchecked(zone, checkInstant(ms));

function checkedZone(ctx: FunctionContext): string {
  checkTimeZone(ctx.timeZone);
  return ctx.timeZone;
}

const noArgs = (name: string, args: readonly LogicalType[]): void => {
  if (args.length !== 0) throw badCall(name, args, [`${name}()`]);
};

// ---- current time ----

const nowFn = (name: string, description: string) =>
  defineScalar(name, description, (args, ctx) => {
    noArgs(name, args);
    return nullAware(T.timestampLtz(3, false), () => ctx.now(), false);
  });

const localTimestamp = defineScalar(
  'LOCALTIMESTAMP',
  'The current wall-clock time in the session time zone, TIMESTAMP(3).',
  (args, ctx) => {
    noArgs('LOCALTIMESTAMP', args);
    const zone = checkedZone(ctx);
    return nullAware(T.timestamp(3, false), () => instantToLocal(zone, ctx.now()), false);
  },
);

const currentDate = defineScalar(
  'CURRENT_DATE',
  'The current date in the session time zone.',
  (args, ctx) => {
    noArgs('CURRENT_DATE', args);
    const zone = checkedZone(ctx);
    return nullAware(T.date(false), () => floorDiv(instantToLocal(zone, ctx.now()), MS_PER_DAY), false);
  },
);

const currentTime = (name: string) =>
  defineScalar(name, 'The current time of day in the session time zone, TIME(0).', (args, ctx) => {
    noArgs(name, args);
    const zone = checkedZone(ctx);
    return nullAware(
      T.time(0, false),
      () => {
        const ms = floorMod(instantToLocal(zone, ctx.now()), MS_PER_DAY);
        return ms - (ms % SECOND);
      },
      false,
    );
  });

const proctime = defineScalar(
  'PROCTIME',
  'The processing time attribute: the current instant, TIMESTAMP_LTZ(3) *PROCTIME*.',
  (args, ctx) => {
    noArgs('PROCTIME', args);
    return nullAware(withTimeAttribute(T.timestampLtz(3, false), 'PROCTIME'), () => ctx.now(), false);
  },
);

// ---- field extraction ----

type Kind = 'DATE' | 'TIMESTAMP' | 'TIMESTAMP_LTZ' | 'TIME' | 'INTERVAL_YEAR_MONTH' | 'INTERVAL_DAY_TIME';

/** Wall-clock ms of a date/timestamp value (LTZ seen in `zone`). */
function wallClock(kind: Kind, zone: string): (v: number) => number {
  if (kind === 'DATE') return (v) => v * MS_PER_DAY;
  if (kind === 'TIMESTAMP_LTZ') return (v) => instantToLocal(zone, v);
  return (v) => v;
}

const DATE_UNITS = new Set([
  'MILLENNIUM',
  'CENTURY',
  'DECADE',
  'YEAR',
  'ISOYEAR',
  'QUARTER',
  'MONTH',
  'WEEK',
  'DAY',
  'DOY',
  'DOW',
  'ISODOW',
]);
const TIME_UNITS = new Set(['HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND', 'NANOSECOND']);

/** A field of wall-clock ms. */
function wallField(unit: string, ms: number): number {
  const days = floorDiv(ms, MS_PER_DAY);
  const msOfDay = ms - days * MS_PER_DAY;
  switch (unit) {
    case 'HOUR':
      return Math.floor(msOfDay / HOUR);
    case 'MINUTE':
      return Math.floor(msOfDay / MINUTE) % 60;
    case 'SECOND':
      return Math.floor(msOfDay / SECOND) % 60;
    case 'MILLISECOND':
      return msOfDay % MINUTE;
    case 'MICROSECOND':
      return (msOfDay % MINUTE) * 1000;
    case 'NANOSECOND':
      return (msOfDay % MINUTE) * 1_000_000;
    case 'EPOCH':
      return floorDiv(ms, SECOND);
  }
  const { year, month, day } = civilFromDays(days);
  switch (unit) {
    case 'YEAR':
      return year;
    case 'MONTH':
      return month;
    case 'DAY':
      return day;
    case 'QUARTER':
      return Math.floor((month + 2) / 3);
    case 'WEEK':
      return isoWeek(days).week;
    case 'ISOYEAR':
      return isoWeek(days).year;
    case 'DOY':
      return days - daysFromCivil(year, 1, 1) + 1;
    case 'DOW':
      return (isoDayOfWeek(days) % 7) + 1;
    case 'ISODOW':
      return isoDayOfWeek(days);
    case 'DECADE':
      return Math.floor(year / 10);
    case 'CENTURY':
      return year > 0 ? Math.floor((year + 99) / 100) : -Math.floor((-year + 100) / 100);
    case 'MILLENNIUM':
      return year > 0 ? Math.floor((year + 999) / 1000) : -Math.floor((-year + 1000) / 1000);
  }
  throw runtimeError('INVALID_ARGUMENT', `Unknown time unit '${unit}'`);
}

/** A field of an interval value. */
function intervalField(kind: Kind, unit: string, v: number): number {
  if (kind === 'INTERVAL_YEAR_MONTH') {
    if (unit === 'YEAR') return Math.trunc(v / 12);
    if (unit === 'MONTH') return v % 12;
    if (unit === 'QUARTER') return Math.trunc((v % 12) / 3) + 1;
  } else {
    switch (unit) {
      case 'DAY':
        return Math.trunc(v / MS_PER_DAY);
      case 'HOUR':
        return Math.trunc(v / HOUR) % 24;
      case 'MINUTE':
        return Math.trunc(v / MINUTE) % 60;
      case 'SECOND':
        return Math.trunc(v / SECOND) % 60;
      case 'MILLISECOND':
        return v % MINUTE;
      case 'EPOCH':
        return Math.trunc(v / SECOND);
    }
  }
  throw runtimeError('INVALID_ARGUMENT', `Cannot extract ${unit} from an interval of kind ${kind}`);
}

/** The extraction of `unit` from values of `kind`, or an error message when the pair is invalid. */
function extractor(kind: Kind, unitText: string, zone: string): ((v: number) => number) | string {
  const unit = unitText.toUpperCase();
  if (!DATE_UNITS.has(unit) && !TIME_UNITS.has(unit) && unit !== 'EPOCH')
    return `Unknown time unit '${unitText}'`;
  if (kind === 'INTERVAL_YEAR_MONTH' || kind === 'INTERVAL_DAY_TIME')
    return (v) => intervalField(kind, unit, v);
  if (kind === 'TIME' && DATE_UNITS.has(unit)) return `Cannot extract ${unit} from a TIME`;
  if (kind === 'DATE' && TIME_UNITS.has(unit)) return `Cannot extract ${unit} from a DATE`;
  const wall = wallClock(kind, zone);
  if (kind === 'TIMESTAMP_LTZ' && unit === 'EPOCH') return (v) => floorDiv(v, SECOND);
  return (v) => wallField(unit, wall(v));
}

const TEMPORAL_KINDS = new Set([
  'DATE',
  'TIMESTAMP',
  'TIMESTAMP_LTZ',
  'TIME',
  'INTERVAL_YEAR_MONTH',
  'INTERVAL_DAY_TIME',
]);

const extract = defineScalar(
  'EXTRACT',
  'EXTRACT(unit, x): a field of a date, time, timestamp or interval, as BIGINT.',
  (args, ctx, literals) => {
    const sig = ['EXTRACT(STRING unit, DATE|TIME|TIMESTAMP|TIMESTAMP_LTZ|INTERVAL)'];
    const t = args[1];
    if (args.length !== 2 || !isStr(args[0]!) || !t || !(TEMPORAL_KINDS.has(t.kind) || t.kind === 'NULL')) {
      throw badCall('EXTRACT', args, sig);
    }
    const kind = (t.kind === 'NULL' ? 'TIMESTAMP' : t.kind) as Kind;
    const zone = checkedZone(ctx);
    if (typeof literals[0] === 'string') {
      const e = extractor(kind, literals[0], zone);
      if (typeof e === 'string') throw badCall('EXTRACT', args, sig, e);
    }
    const get = lastValueCache((unit: string) => extractor(kind, unit, zone));
    return pure(nullableFrom(T.bigint(false), args), (unit: string, v: number) => {
      const e = get(unit);
      if (typeof e === 'string') throw runtimeError('INVALID_ARGUMENT', e);
      return BigInt(e(v));
    });
  },
);

const fieldFn = (name: string, unit: string, kinds: readonly string[]): ScalarFunctionDef =>
  defineScalar(name, `The ${unit.toLowerCase()} field, as BIGINT.`, (args, ctx) => {
    const t = args[0];
    if (args.length !== 1 || !t || !(kinds.includes(t.kind) || t.kind === 'NULL')) {
      throw badCall(
        name,
        args,
        kinds.map((k) => `${name}(${k})`),
      );
    }
    const kind = (t.kind === 'NULL' ? 'TIMESTAMP' : t.kind) as Kind;
    const e = extractor(kind, unit, checkedZone(ctx)) as (v: number) => number;
    return pure(nullableFrom(T.bigint(false), args), (v: number) => BigInt(e(v)));
  });

const DATE_LIKE = ['DATE', 'TIMESTAMP', 'TIMESTAMP_LTZ'];
const TIME_LIKE = ['TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ'];

// ---- formatting and parsing ----

const dateFormat = defineScalar(
  'DATE_FORMAT',
  'Formats a timestamp (or timestamp text) with a Java date-time pattern such as yyyy-MM-dd HH:mm:ss.',
  (args, ctx) => {
    const sig = [
      'DATE_FORMAT(TIMESTAMP, STRING format)',
      'DATE_FORMAT(TIMESTAMP_LTZ, STRING format)',
      'DATE_FORMAT(DATE, STRING format)',
      'DATE_FORMAT(STRING, STRING format)',
    ];
    const t = args[0];
    if (args.length !== 2 || !t || !isStr(args[1]!) || !(isTs(t) || isLtz(t) || isDate(t) || isStr(t))) {
      throw badCall('DATE_FORMAT', args, sig);
    }
    const zone = checkedZone(ctx);
    if (t.kind === 'TIMESTAMP_LTZ') {
      return pure(stringOf(args), (v: number, f: string) =>
        formatWithPattern(instantToLocal(zone, v), compilePattern(f), zoneOffset(zone, v)),
      );
    }
    if (t.kind === 'DATE')
      return pure(stringOf(args), (v: number, f: string) =>
        formatWithPattern(v * MS_PER_DAY, compilePattern(f)),
      );
    if (t.kind === 'TIMESTAMP')
      return pure(stringOf(args), (v: number, f: string) => formatWithPattern(v, compilePattern(f)));
    return pure(stringOf(args, true), (s: string, f: string) => {
      const ms = parseTimestamp(s);
      return ms === undefined ? null : formatWithPattern(ms, compilePattern(f));
    });
  },
);

/** Wall-clock ms of text in a pattern (default: the ISO-like default parser), or undefined. */
function parseText(s: string, fmt: string | undefined): number | undefined {
  if (fmt === undefined) return parseTimestamp(s);
  const p = parseWithPattern(s, compilePattern(fmt));
  if (p === undefined) return undefined;
  return p.offsetMs === undefined ? p.local : p.local - p.offsetMs;
}

const toDate = defineScalar(
  'TO_DATE',
  'Parses a date (default pattern yyyy-MM-dd); NULL if it does not parse.',
  (args) => {
    if (!matches(args, [isStr]) && !matches(args, [isStr, isStr])) {
      throw badCall('TO_DATE', args, ['TO_DATE(STRING)', 'TO_DATE(STRING, STRING format)']);
    }
    return pure(T.date(true), (s: string, f?: string) => {
      if (f === undefined) return parseDate(s) ?? null;
      const p = parseWithPattern(s, compilePattern(f));
      return p === undefined ? null : floorDiv(p.local, MS_PER_DAY);
    });
  },
);

const toTimestamp = defineScalar(
  'TO_TIMESTAMP',
  'Parses a timestamp (default pattern yyyy-MM-dd HH:mm:ss, fraction optional); NULL if it does not parse.',
  (args) => {
    if (!matches(args, [isStr]) && !matches(args, [isStr, isStr])) {
      throw badCall('TO_TIMESTAMP', args, ['TO_TIMESTAMP(STRING)', 'TO_TIMESTAMP(STRING, STRING format)']);
    }
    return pure(T.timestamp(3, true), (s: string, f?: string) => parseText(s, f) ?? null);
  },
);

const toTimestampLtz = defineScalar(
  'TO_TIMESTAMP_LTZ',
  'An instant from epoch seconds (precision 0) or milliseconds (precision 3, the default), or from text in a pattern and time zone.',
  (args, ctx, literals) => {
    const sigs = [
      'TO_TIMESTAMP_LTZ(<NUMERIC> epoch)',
      'TO_TIMESTAMP_LTZ(<NUMERIC> epoch, INT precision)',
      'TO_TIMESTAMP_LTZ(STRING, STRING format)',
      'TO_TIMESTAMP_LTZ(STRING, STRING format, STRING timeZone)',
    ];
    const first = args[0];
    if (
      first &&
      isStr(first) &&
      first.kind !== 'NULL' &&
      (matches(args, [isStr, isStr]) || matches(args, [isStr, isStr, isStr]))
    ) {
      const zone = checkedZone(ctx);
      return pure(T.timestampLtz(3, true), (s: string, f: string, z?: string) => {
        const p = parseWithPattern(s, compilePattern(f));
        if (p === undefined) return null;
        if (p.offsetMs !== undefined) return p.local - p.offsetMs;
        if (z !== undefined) checkTimeZone(z);
        return localToInstant(z ?? zone, p.local);
      });
    }
    if (!matches(args, [isNum]) && !matches(args, [isNum, isIntegralT]))
      throw badCall('TO_TIMESTAMP_LTZ', args, sigs);
    const lit = literals[1];
    if (lit !== undefined && lit !== null && Number(lit) !== 0 && Number(lit) !== 3) {
      throw badCall(
        'TO_TIMESTAMP_LTZ',
        args,
        sigs,
        `The precision must be 0 (seconds) or 3 (milliseconds), got ${String(lit)}`,
      );
    }
    const t = first as LogicalType;
    const toNumber: (v: Value) => number =
      t.kind === 'BIGINT'
        ? (v) => Number(v)
        : t.kind === 'DECIMAL'
          ? (v) => decimalToNumber(v as bigint, t.scale ?? 0)
          : (v) => v as number;
    return pure(nullableFrom(T.timestampLtz(3, false), args), (v: Value, precision?: Value) => {
      const p = precision === undefined ? 3 : Number(precision);
      if (p !== 0 && p !== 3)
        throw runtimeError('INVALID_ARGUMENT', `TO_TIMESTAMP_LTZ precision must be 0 or 3, got ${p}`);
      const x = toNumber(v);
      return checkInstant(Math.floor(p === 0 ? x * 1000 : x));
    });
  },
);

const unixTimestamp = defineScalar(
  'UNIX_TIMESTAMP',
  'Current epoch seconds, or the epoch seconds of text (default pattern yyyy-MM-dd HH:mm:ss) in the session time zone; -9223372036854775808 if it does not parse.',
  (args, ctx) => {
    if (args.length === 0)
      return nullAware(T.bigint(false), () => BigInt(Math.floor(ctx.now() / 1000)), false);
    if (!matches(args, [isStr]) && !matches(args, [isStr, isStr])) {
      throw badCall('UNIX_TIMESTAMP', args, [
        'UNIX_TIMESTAMP()',
        'UNIX_TIMESTAMP(STRING)',
        'UNIX_TIMESTAMP(STRING, STRING format)',
      ]);
    }
    const zone = checkedZone(ctx);
    return pure(nullableFrom(T.bigint(false), args), (s: string, f = DEFAULT_FORMAT) => {
      // Flink parses with SimpleDateFormat, which ignores text after the pattern ('... 12:00:00.123').
      const p = parseWithPattern(s, compilePattern(f), true);
      if (p === undefined) return LONG_MIN;
      const instant = p.offsetMs !== undefined ? p.local - p.offsetMs : localToInstant(zone, p.local);
      return BigInt(floorDiv(instant, 1000));
    });
  },
);

const fromUnixtime = defineScalar(
  'FROM_UNIXTIME',
  'Formats epoch seconds in the session time zone (default pattern yyyy-MM-dd HH:mm:ss).',
  (args, ctx) => {
    if (!matches(args, [isNum]) && !matches(args, [isNum, isStr])) {
      throw badCall('FROM_UNIXTIME', args, [
        'FROM_UNIXTIME(<NUMERIC> seconds)',
        'FROM_UNIXTIME(<NUMERIC> seconds, STRING format)',
      ]);
    }
    const zone = checkedZone(ctx);
    const t = args[0] as LogicalType;
    const toNumber: (v: Value) => number =
      t.kind === 'BIGINT'
        ? (v) => Number(v)
        : t.kind === 'DECIMAL'
          ? (v) => decimalToNumber(v as bigint, t.scale ?? 0)
          : (v) => v as number;
    return pure(stringOf(args), (v: Value, f = DEFAULT_FORMAT) => {
      const instant = Math.floor(toNumber(v) * 1000);
      return formatWithPattern(instantToLocal(zone, instant), compilePattern(f), zoneOffset(zone, instant));
    });
  },
);

const convertTz = defineScalar(
  'CONVERT_TZ',
  "Converts 'yyyy-MM-dd HH:mm:ss' text from one time zone to another.",
  (args) => {
    if (!matches(args, [isStr, isStr, isStr])) {
      throw badCall('CONVERT_TZ', args, ['CONVERT_TZ(STRING datetime, STRING fromZone, STRING toZone)']);
    }
    const out = compilePattern(DEFAULT_FORMAT);
    return pure(stringOf(args, true), (s: string, from: string, to: string) => {
      const local = parseTimestamp(s);
      if (local === undefined) return null;
      checkTimeZone(from);
      checkTimeZone(to);
      return formatWithPattern(instantToLocal(to, localToInstant(from, local)), out);
    });
  },
);

// ---- arithmetic with units ----

const UNIT_MS: Record<string, number> = {
  WEEK: 7 * MS_PER_DAY,
  DAY: MS_PER_DAY,
  HOUR,
  MINUTE,
  SECOND,
  MILLISECOND: 1,
  FRAC_SECOND: 1,
};
/** Units finer than Rivulet's millisecond precision: how many make one millisecond. */
const PER_MS: Record<string, number> = { MICROSECOND: 1000, NANOSECOND: 1_000_000 };
const UNIT_MONTHS: Record<string, number> = {
  MILLENNIUM: 12_000,
  CENTURY: 1200,
  DECADE: 120,
  YEAR: 12,
  QUARTER: 3,
  MONTH: 1,
};

/** n units in ms (sub-millisecond units are truncated toward negative infinity to whole ms). */
function unitsToMs(u: string, n: number): number {
  const per = PER_MS[u];
  return per !== undefined ? Math.floor(n / per) : n * (UNIT_MS[u] as number);
}

/** Whole units in a span of ms, truncated toward zero. */
function msToUnits(u: string, ms: number): number {
  const per = PER_MS[u];
  return per !== undefined ? ms * per : Math.trunc(ms / (UNIT_MS[u] as number));
}

function normUnit(unit: string): string {
  const u = unit.toUpperCase();
  if (!(u in UNIT_MS) && !(u in UNIT_MONTHS) && !(u in PER_MS)) {
    throw runtimeError(
      'INVALID_ARGUMENT',
      `Unknown time unit '${unit}': expected MILLENNIUM, CENTURY, DECADE, YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND or NANOSECOND`,
    );
  }
  return u === 'FRAC_SECOND' ? 'MILLISECOND' : u;
}

const subDay = (u: string): boolean =>
  u === 'HOUR' || u === 'MINUTE' || u === 'SECOND' || u === 'MILLISECOND' || u in PER_MS;

const timestampAdd = defineScalar(
  'TIMESTAMPADD',
  'TIMESTAMPADD(unit, n, x): x plus n units (months clamp to the end of the month).',
  (args, ctx, literals) => {
    const sig = ['TIMESTAMPADD(STRING unit, INT n, DATE|TIMESTAMP|TIMESTAMP_LTZ|TIME)'];
    const t = args[2];
    if (
      args.length !== 3 ||
      !isStr(args[0]!) ||
      !isIntegralT(args[1]!) ||
      !t ||
      !(isDate(t) || isTs(t) || isLtz(t) || isTime(t))
    ) {
      throw badCall('TIMESTAMPADD', args, sig);
    }
    const zone = checkedZone(ctx);
    let litUnit: string | undefined;
    if (typeof literals[0] === 'string') {
      try {
        litUnit = normUnit(literals[0]);
      } catch (e) {
        throw badCall('TIMESTAMPADD', args, sig, (e as Error).message);
      }
    }
    const nullable = args.some((a) => a.nullable);
    const kind = t.kind === 'NULL' ? 'TIMESTAMP' : t.kind;
    if (kind === 'DATE') {
      const toTs = litUnit !== undefined && subDay(litUnit);
      return pure(toTs ? T.timestamp(3, nullable) : T.date(nullable), (unit: string, n: Value, d: number) => {
        const u = normUnit(unit);
        const k = Number(n);
        if (u in UNIT_MONTHS) {
          const days = addMonthsToDays(d, k * (UNIT_MONTHS[u] as number));
          return toTs ? days * MS_PER_DAY : days;
        }
        if (toTs) return d * MS_PER_DAY + unitsToMs(u, k);
        if (subDay(u)) {
          throw runtimeError(
            'INVALID_ARGUMENT',
            `TIMESTAMPADD(${u}, n, d) needs d to be a TIMESTAMP when the unit is not known at planning time: CAST the DATE to TIMESTAMP`,
          );
        }
        return d + unitsToMs(u, k) / MS_PER_DAY;
      });
    }
    if (kind === 'TIME') {
      return pure(t, (unit: string, n: Value, v: number) => {
        const u = normUnit(unit);
        if (u in UNIT_MONTHS) return v;
        return floorMod(v + unitsToMs(u, Number(n)), MS_PER_DAY);
      });
    }
    const ltz = kind === 'TIMESTAMP_LTZ';
    return pure(
      t.kind === 'NULL' ? T.timestamp(3, true) : nullableFrom(t, args),
      (unit: string, n: Value, v: number) => {
        const u = normUnit(unit);
        const k = Number(n);
        if (u in UNIT_MONTHS || (ltz && (u === 'DAY' || u === 'WEEK'))) {
          const wall = ltz ? instantToLocal(zone, v) : v;
          const moved =
            u in UNIT_MONTHS
              ? addMonthsToTimestamp(wall, k * (UNIT_MONTHS[u] as number))
              : wall + unitsToMs(u, k);
          return ltz ? localToInstant(zone, moved) : moved;
        }
        return v + unitsToMs(u, k);
      },
    );
  },
);

/**
 * Whole months from wall-clock `a` to `b`, truncated toward zero, as Calcite's `subtractMonths` (which
 * Flink's TIMESTAMPDIFF uses): the largest n with `earlier + n months <= later`, months added with
 * end-of-month clamping, so 2024-01-31 to 2024-02-29 is one month.
 */
function monthsBetween(a: number, b: number): number {
  if (b < a) return -monthsBetween(b, a);
  // No month is longer than 31 days, so this first guess never overshoots; it is at most 2 short.
  let m = Math.floor((b - a) / (31 * MS_PER_DAY));
  while (addMonthsToTimestamp(a, m + 1) <= b) m++;
  return m;
}

const timestampDiff = defineScalar(
  'TIMESTAMPDIFF',
  'TIMESTAMPDIFF(unit, a, b): the number of whole units from a to b, as INT.',
  (args, ctx, literals) => {
    const sig = [
      'TIMESTAMPDIFF(STRING unit, DATE|TIMESTAMP|TIMESTAMP_LTZ a, DATE|TIMESTAMP|TIMESTAMP_LTZ b)',
    ];
    const ok = (t: LogicalType) => isDate(t) || isTs(t) || isLtz(t);
    if (args.length !== 3 || !isStr(args[0]!) || !ok(args[1]!) || !ok(args[2]!))
      throw badCall('TIMESTAMPDIFF', args, sig);
    if (typeof literals[0] === 'string') {
      try {
        normUnit(literals[0]);
      } catch (e) {
        throw badCall('TIMESTAMPDIFF', args, sig, (e as Error).message);
      }
    }
    const zone = checkedZone(ctx);
    const [ta, tb] = [args[1], args[2]] as [LogicalType, LogicalType];
    // Both sides as wall-clock ms (for calendar units) and as comparable ms (for fixed units).
    const wall = (t: LogicalType) => wallClock((t.kind === 'NULL' ? 'TIMESTAMP' : t.kind) as Kind, zone);
    const bothLtz = ta.kind === 'TIMESTAMP_LTZ' && tb.kind === 'TIMESTAMP_LTZ';
    const wa = wall(ta);
    const wb = wall(tb);
    return pure(nullableFrom(T.int(false), args), (unit: string, a: number, b: number) => {
      const u = normUnit(unit);
      const x = wa(a);
      const y = wb(b);
      if (u in UNIT_MONTHS) return Math.trunc(monthsBetween(x, y) / (UNIT_MONTHS[u] as number)) | 0;
      const diff = bothLtz ? b - a : y - x;
      return msToUnits(u, diff) | 0;
    });
  },
);

/** Floors wall-clock ms to the start of a unit. */
function floorWall(unit: string, ms: number): number {
  const days = floorDiv(ms, MS_PER_DAY);
  switch (unit) {
    case 'MILLENNIUM':
    case 'CENTURY':
    case 'DECADE': {
      // Centuries and millennia start in a year ending in 1 (2001-01-01), as EXTRACT counts them.
      const { year } = civilFromDays(days);
      const start =
        unit === 'DECADE'
          ? year - floorMod(year, 10)
          : unit === 'CENTURY'
            ? Math.floor((year - 1) / 100) * 100 + 1
            : Math.floor((year - 1) / 1000) * 1000 + 1;
      return daysFromCivil(start, 1, 1) * MS_PER_DAY;
    }
    case 'MICROSECOND':
    case 'NANOSECOND':
      return ms; // finer than the millisecond values Rivulet keeps
    case 'YEAR':
    case 'QUARTER':
    case 'MONTH': {
      const { year, month } = civilFromDays(days);
      const m = unit === 'YEAR' ? 1 : unit === 'QUARTER' ? month - ((month - 1) % 3) : month;
      return daysFromCivil(year, m, 1) * MS_PER_DAY;
    }
    case 'WEEK':
      return (days - (isoDayOfWeek(days) % 7)) * MS_PER_DAY; // back to Sunday
    default: {
      const step = UNIT_MS[unit] as number;
      return ms - floorMod(ms, step);
    }
  }
}

function stepWall(unit: string, ms: number): number {
  if (unit in UNIT_MONTHS) return addMonthsToTimestamp(ms, UNIT_MONTHS[unit] as number);
  return ms + (UNIT_MS[unit] as number);
}

const floorCeilTime = (name: 'FLOOR_TIME' | 'CEIL_TIME'): ScalarFunctionDef =>
  defineScalar(
    name,
    `${name}(unit, x): x rounded ${name === 'FLOOR_TIME' ? 'down' : 'up'} to a whole unit (FLOOR/CEIL(x TO unit)).`,
    (args, ctx, literals) => {
      const sig = [`${name}(STRING unit, DATE|TIME|TIMESTAMP|TIMESTAMP_LTZ)`];
      const t = args[1];
      if (args.length !== 2 || !isStr(args[0]!) || !t || !(isDate(t) || isTs(t) || isLtz(t) || isTime(t))) {
        throw badCall(name, args, sig);
      }
      if (typeof literals[0] === 'string') {
        try {
          normUnit(literals[0]);
        } catch (e) {
          throw badCall(name, args, sig, (e as Error).message);
        }
      }
      const zone = checkedZone(ctx);
      const ceil = name === 'CEIL_TIME';
      const round = (unit: string, wall: number): number => {
        const u = normUnit(unit);
        const f = floorWall(u, wall);
        return ceil && f !== wall ? stepWall(u, f) : f;
      };
      const kind = t.kind === 'NULL' ? 'TIMESTAMP' : t.kind;
      const rt = t.kind === 'NULL' ? T.timestamp(3, true) : nullableFrom(t, args);
      switch (kind) {
        case 'DATE':
          return pure(rt, (u: string, d: number) => floorDiv(round(u, d * MS_PER_DAY), MS_PER_DAY));
        case 'TIME':
          return pure(rt, (u: string, v: number) => floorMod(round(u, v), MS_PER_DAY));
        case 'TIMESTAMP_LTZ':
          return pure(rt, (u: string, v: number) => localToInstant(zone, round(u, instantToLocal(zone, v))));
        default:
          return pure(rt, (u: string, v: number) => round(u, v));
      }
    },
  );

/** Every temporal built-in of this module. */
export const temporalFunctions: readonly ScalarFunctionDef[] = [
  nowFn('CURRENT_TIMESTAMP', 'The current instant, TIMESTAMP_LTZ(3).'),
  nowFn('NOW', 'The current instant, TIMESTAMP_LTZ(3) (same as CURRENT_TIMESTAMP).'),
  nowFn('CURRENT_ROW_TIMESTAMP', 'The current instant, evaluated for every row, TIMESTAMP_LTZ(3).'),
  localTimestamp,
  currentDate,
  currentTime('CURRENT_TIME'),
  currentTime('LOCALTIME'),
  proctime,
  extract,
  fieldFn('YEAR', 'YEAR', DATE_LIKE),
  fieldFn('QUARTER', 'QUARTER', DATE_LIKE),
  fieldFn('MONTH', 'MONTH', DATE_LIKE),
  fieldFn('WEEK', 'WEEK', DATE_LIKE),
  fieldFn('DAYOFYEAR', 'DOY', DATE_LIKE),
  fieldFn('DAYOFMONTH', 'DAY', DATE_LIKE),
  fieldFn('DAYOFWEEK', 'DOW', DATE_LIKE),
  fieldFn('HOUR', 'HOUR', TIME_LIKE),
  fieldFn('MINUTE', 'MINUTE', TIME_LIKE),
  fieldFn('SECOND', 'SECOND', TIME_LIKE),
  dateFormat,
  toDate,
  toTimestamp,
  toTimestampLtz,
  unixTimestamp,
  fromUnixtime,
  convertTz,
  timestampAdd,
  timestampDiff,
  floorCeilTime('FLOOR_TIME'),
  floorCeilTime('CEIL_TIME'),
];
