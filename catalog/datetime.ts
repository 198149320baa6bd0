/**
 * Calendar and time-zone arithmetic on Rivulet's temporal values (docs/architecture.md): DATE = days
 * since 1970-01-01, TIME = ms since midnight, TIMESTAMP = wall-clock ms since 1970-01-01 00:00:00,
 * TIMESTAMP_LTZ = epoch ms (an instant). Calendar is the proleptic Gregorian one, as java.time's.
 *
 * Time zones (`table.local-time-zone`) are IANA names resolved through `Intl.DateTimeFormat`, or fixed
 * offsets ('UTC', '+08:00', 'GMT-3'). Converting a wall-clock time to an instant follows
 * java.time's `LocalDateTime.atZone`: in an overlap (clocks set back) the earlier instant wins; in a
 * gap (clocks set forward) the time is moved later by the length of the gap.
 */
import { RivuletError } from '../common/errors.ts';

export const MS_PER_DAY = 86_400_000;

/** Floor division and a non-negative remainder, for times before 1970. */
export function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}
export function floorMod(a: number, b: number): number {
  const r = a % b;
  return r < 0 ? r + b : r === 0 ? 0 : r;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). Counts 400-year eras of 146097
 * days from 0000-03-01 so that the leap day falls at the end of each counted year.
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12; // March = 0
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** The inverse of `daysFromCivil`. */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Adds months to a date, clamping the day to the end of the target month (java.time's plusMonths:
 * 2024-01-31 + 1 month = 2024-02-29).
 */
export function addMonthsToDays(days: number, months: number): number {
  const { year, month, day } = civilFromDays(days);
  const total = year * 12 + (month - 1) + months;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  return daysFromCivil(y, m, Math.min(day, daysInMonth(y, m)));
}

/** Adds months to a wall-clock timestamp, keeping the time of day (end-of-month clamping). */
export function addMonthsToTimestamp(ms: number, months: number): number {
  const days = floorDiv(ms, MS_PER_DAY);
  return addMonthsToDays(days, months) * MS_PER_DAY + (ms - days * MS_PER_DAY);
}

/** Truncates milliseconds to a fractional-second precision 0..3 (toward the past). */
export function truncateToPrecision(ms: number, precision: number): number {
  if (precision >= 3) return ms;
  const unit = 10 ** (3 - precision);
  return ms - floorMod(ms, unit);
}

// ---------------------------------------------------------------- formatting

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
/** Two digits, the hot case of formatting (no padStart call). */
function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** The year as java.time prints it: 4 digits, a sign beyond 9999 or before year 0. */
function formatYear(y: number): string {
  if (y >= 0 && y <= 9999) return pad(y, 4);
  if (y > 9999) return `+${y}`;
  return `-${pad(-y, 4)}`;
}

let lastDays = Number.NaN;
let lastDate = '';

/** `YYYY-MM-DD`. The last result is kept: consecutive timestamps of a stream mostly share a day. */
export function formatDate(days: number): string {
  if (days === lastDays) return lastDate;
  const { year, month, day } = civilFromDays(days);
  lastDate = `${formatYear(year)}-${pad2(month)}-${pad2(day)}`;
  lastDays = days;
  return lastDate;
}

function fraction(msOfSecond: number, precision: number): string {
  if (precision <= 0) return '';
  const digits = msOfSecond < 10 ? `00${msOfSecond}` : msOfSecond < 100 ? `0${msOfSecond}` : `${msOfSecond}`;
  if (precision === 3) return `.${digits}`;
  return `.${precision < 3 ? digits.slice(0, precision) : digits + '0'.repeat(precision - 3)}`;
}

/** `HH:MM:SS` with `precision` fractional digits (TIME(p)). */
export function formatTime(msOfDay: number, precision = 0): string {
  const ms = floorMod(msOfDay, MS_PER_DAY);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${pad2(h)}:${pad2(m)}:${pad2(s)}${fraction(ms % 1000, precision)}`;
}

/** `YYYY-MM-DD HH:MM:SS.fff` with `precision` fractional digits (TIMESTAMP(p)). */
export function formatTimestamp(ms: number, precision = 3): string {
  const days = floorDiv(ms, MS_PER_DAY);
  return `${formatDate(days)} ${formatTime(ms - days * MS_PER_DAY, precision)}`;
}

// ---------------------------------------------------------------- parsing

const DATE_RE = /^(\d{1,4})-(\d{1,2})-(\d{1,2})$/;
const TIME_RE = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?$/;

/** Days of 'yyyy-[m]m-[d]d', or undefined if the text is not a valid date. */
export function parseDate(text: string): number | undefined {
  const m = DATE_RE.exec(text.trim());
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return daysFromCivil(y, mo, d);
}

/** Milliseconds of day of 'HH:mm[:ss[.fffffffff]]' (digits beyond ms dropped), or undefined. */
export function parseTime(text: string): number | undefined {
  const m = TIME_RE.exec(text.trim());
  if (!m) return undefined;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const s = m[3] === undefined ? 0 : Number(m[3]);
  if (h > 23 || mi > 59 || s > 59) return undefined;
  const ms = m[4] === undefined ? 0 : Number(m[4].slice(0, 3).padEnd(3, '0'));
  return ((h * 60 + mi) * 60 + s) * 1000 + ms;
}

/**
 * Wall-clock ms of 'yyyy-MM-dd[( |T)HH:mm[:ss[.fffffffff]]]', or undefined. A date alone is midnight.
 */
export function parseTimestamp(text: string): number | undefined {
  const t = text.trim();
  const sep = t.search(/[ T]/);
  const datePart = sep < 0 ? t : t.slice(0, sep);
  const days = parseDate(datePart);
  if (days === undefined) return undefined;
  if (sep < 0) return days * MS_PER_DAY;
  const time = parseTime(t.slice(sep + 1));
  return time === undefined ? undefined : days * MS_PER_DAY + time;
}

// ---------------------------------------------------------------- time zones

const FIXED_OFFSET_RE = /^(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;
const formatters = new Map<string, Intl.DateTimeFormat>();
/** Per zone: its fixed offset, if it has one, else offsets by 15-minute bucket. */
interface ZoneInfo {
  readonly fixed: number | undefined;
  readonly buckets: Map<number, number>;
}
const zones = new Map<string, ZoneInfo>();

function zoneInfo(zone: string): ZoneInfo {
  let info = zones.get(zone);
  if (!info) {
    const fixed = fixedOffset(zone);
    if (fixed === undefined) formatterFor(zone); // validates the name
    info = { fixed, buckets: new Map() };
    zones.set(zone, info);
  }
  return info;
}
const BUCKET_MS = 15 * 60_000;

/** The fixed offset in ms of 'UTC', 'Z', '+08:00', 'GMT-3'..., or undefined for region names. */
function fixedOffset(zone: string): number | undefined {
  const z = zone.trim();
  if (/^(UTC|GMT|UT|Z|Etc\/UTC|Etc\/GMT)$/i.test(z)) return 0;
  const m = FIXED_OFFSET_RE.exec(z);
  if (!m) return undefined;
  const h = Number(m[2]);
  const mi = m[3] === undefined ? 0 : Number(m[3]);
  if (h > 18 || mi > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (h * 60 + mi) * 60_000;
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (e) {
      throw new RivuletError(
        'config',
        'INVALID_TIME_ZONE',
        `Unknown time zone '${zone}': use an IANA name such as 'Europe/Berlin', 'UTC' or an offset such as '+08:00'`,
        undefined,
        { cause: e },
      );
    }
    formatters.set(zone, f);
  }
  return f;
}

/** Throws INVALID_TIME_ZONE unless `zone` is a usable time zone. */
export function checkTimeZone(zone: string): void {
  zoneInfo(zone);
}

function exactOffset(zone: string, instant: number): number {
  const f = formatterFor(zone);
  let y = 0;
  let mo = 1;
  let d = 1;
  let h = 0;
  let mi = 0;
  let s = 0;
  let bc = false;
  for (const p of f.formatToParts(instant)) {
    switch (p.type) {
      case 'year':
        y = Number(p.value);
        break;
      case 'month':
        mo = Number(p.value);
        break;
      case 'day':
        d = Number(p.value);
        break;
      case 'hour':
        h = Number(p.value);
        break;
      case 'minute':
        mi = Number(p.value);
        break;
      case 'second':
        s = Number(p.value);
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
    }
  }
  const year = bc ? 1 - y : y;
  const wall = daysFromCivil(year, mo, d) * MS_PER_DAY + ((h * 60 + mi) * 60 + s) * 1000;
  return wall - (instant - floorMod(instant, 1000));
}

/**
 * The UTC offset in ms of `zone` at `instant` (epoch ms). Offsets are cached per 15-minute bucket
 * when the offset is the same at both ends of the bucket (a zone never changes offset twice within
 * 15 minutes), so per-row conversions do not call Intl.
 */
export function zoneOffset(zone: string, instant: number): number {
  const info = zoneInfo(zone);
  if (info.fixed !== undefined) return info.fixed;
  const bucket = Math.floor(instant / BUCKET_MS);
  const cached = info.buckets.get(bucket);
  if (cached !== undefined) return cached;
  const start = bucket * BUCKET_MS;
  const a = exactOffset(zone, start);
  const b = exactOffset(zone, start + BUCKET_MS - 1);
  if (a !== b) return exactOffset(zone, instant);
  if (info.buckets.size > 100_000) info.buckets.clear();
  info.buckets.set(bucket, a);
  return a;
}

/** The wall-clock time in `zone` of an instant (TIMESTAMP_LTZ -> TIMESTAMP). */
export function instantToLocal(zone: string, instant: number): number {
  return instant + zoneOffset(zone, instant);
}

/**
 * The instant of a wall-clock time in `zone` (TIMESTAMP -> TIMESTAMP_LTZ), as java.time: the earlier
 * instant in an overlap; in a gap the offset before the gap, which moves the time later.
 */
export function localToInstant(zone: string, local: number): number {
  const fixed = zoneInfo(zone).fixed;
  if (fixed !== undefined) return local - fixed;
  // Offsets lie within +-18h, so the instant is within that window of `local`; the offsets just
  // before and after it are the only candidates.
  const before = zoneOffset(zone, local - 18 * 3_600_000);
  const after = zoneOffset(zone, local + 18 * 3_600_000);
  const candidates = before >= after ? [before, after] : [after, before];
  for (const o of candidates) {
    if (zoneOffset(zone, local - o) === o) return local - o;
  }
  return local - before;
}
