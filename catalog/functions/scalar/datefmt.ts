/**
 * Java date-time patterns (the `SimpleDateFormat`/`DateTimeFormatter` letters Flink's DATE_FORMAT,
 * TO_TIMESTAMP, TO_DATE, UNIX_TIMESTAMP and FROM_UNIXTIME accept), for formatting and parsing
 * wall-clock milliseconds.
 *
 * Algorithm:
 *  1. `compilePattern` splits the pattern once into tokens: a run of one letter (`yyyy`, `MM`, `SSS`),
 *     quoted literal text (`'T'`, `''` is a quote), or any other literal character. Unknown letters are an
 *     INVALID_FORMAT error.
 *  2. Formatting walks the tokens over the civil fields of the value (year, month, ... from
 *     catalog/datetime.ts). `S...S` is the fraction of the second with as many digits as letters.
 *  3. Parsing walks the tokens over the text: a numeric field reads exactly as many digits as letters
 *     when the next token is also a numeric field (so `yyyyMMdd` works), otherwise as many as are there;
 *     names (`MMM`, `EEE`, `a`) match case-insensitively; offsets (`X`, `Z`) record a zone offset. The
 *     whole text must be consumed and every field must be in range, else the text does not parse.
 *
 * Supported letters: G y u M L Q q d D E a H k K h m s S w Y z Z X and quoted text. Where the two Java
 * classes disagree, java.time's DateTimeFormatter wins (Flink's DATE_FORMAT uses it): `u` is the year
 * (not the day of week), `S...S` the fraction of the second, `Y`/`w` the ISO week-based year and week.
 */
import { civilFromDays, daysFromCivil, daysInMonth, floorDiv, MS_PER_DAY } from '../../datetime.ts';
import { runtimeError } from './util.ts';

type Token = { letter: string; count: number } | { text: string };

const LETTERS = new Set('GyuMLQqdDEaHkKhmsSwYzZX'.split(''));
const NUMERIC = new Set('yuMLdDHkKhmsSwY'.split(''));

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const QUARTERS = ['1st', '2nd', '3rd', '4th'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export interface CompiledPattern {
  readonly tokens: readonly Token[];
}

const cache = new Map<string, CompiledPattern>();

/** Splits a Java date-time pattern into tokens (cached per pattern text). */
export function compilePattern(pattern: string): CompiledPattern {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        tokens.push({ text: "'" });
        i += 2;
        continue;
      }
      let text = '';
      i++;
      for (;;) {
        if (i >= pattern.length)
          throw runtimeError('INVALID_FORMAT', `Unterminated quote in date pattern '${pattern}'`);
        if (pattern[i] === "'") {
          if (pattern[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += pattern[i];
        i++;
      }
      tokens.push({ text });
    } else if (/[A-Za-z]/.test(c)) {
      if (!LETTERS.has(c))
        throw runtimeError('INVALID_FORMAT', `Unknown pattern letter '${c}' in date pattern '${pattern}'`);
      let j = i;
      while (pattern[j] === c) j++;
      tokens.push({ letter: c, count: j - i });
      i = j;
    } else {
      tokens.push({ text: c });
      i++;
    }
  }
  const compiled = { tokens };
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

/** ISO day of week, 1 = Monday .. 7 = Sunday, of a day number. */
export const isoDayOfWeek = (days: number): number => ((((days + 3) % 7) + 7) % 7) + 1;

/** ISO-8601 week-based year and week number of a day number. */
export function isoWeek(days: number): { year: number; week: number } {
  const thursday = days - isoDayOfWeek(days) + 4;
  const year = civilFromDays(thursday).year;
  return { year, week: Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1 };
}

const pad = (n: number, width: number): string => {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
};

function formatOffset(offsetMs: number, letter: string, count: number): string {
  const total = Math.round(offsetMs / 60_000);
  if (letter === 'X' && total === 0) return 'Z';
  const sign = total < 0 ? '-' : '+';
  const h = pad(Math.floor(Math.abs(total) / 60), 2);
  const m = pad(Math.abs(total) % 60, 2);
  if (letter === 'z') return total === 0 ? 'UTC' : `GMT${sign}${h}:${m}`;
  if (letter === 'X')
    return count === 1
      ? m === '00'
        ? `${sign}${h}`
        : `${sign}${h}${m}`
      : count === 2
        ? `${sign}${h}${m}`
        : `${sign}${h}:${m}`;
  return `${sign}${h}${m}`;
}

/**
 * Formats wall-clock ms with a compiled pattern. `offsetMs` is what the zone letters print (the
 * session zone's offset for a TIMESTAMP_LTZ, 0 for a TIMESTAMP).
 */
export function formatWithPattern(ms: number, p: CompiledPattern, offsetMs = 0): string {
  const days = floorDiv(ms, MS_PER_DAY);
  const msOfDay = ms - days * MS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  const hour = Math.floor(msOfDay / 3_600_000);
  const minute = Math.floor(msOfDay / 60_000) % 60;
  const second = Math.floor(msOfDay / 1000) % 60;
  const milli = msOfDay % 1000;
  let out = '';
  for (const t of p.tokens) {
    if ('text' in t) {
      out += t.text;
      continue;
    }
    const n = t.count;
    switch (t.letter) {
      case 'G':
        out += year > 0 ? 'AD' : 'BC';
        break;
      case 'y':
      case 'u':
        out += n === 2 ? pad(((year % 100) + 100) % 100, 2) : pad(year, n);
        break;
      case 'Y': {
        const wy = isoWeek(days).year;
        out += n === 2 ? pad(((wy % 100) + 100) % 100, 2) : pad(wy, n);
        break;
      }
      case 'Q':
      case 'q': {
        const q = Math.floor((month - 1) / 3) + 1;
        out += n >= 4 ? `${QUARTERS[q - 1]} quarter` : n === 3 ? `Q${q}` : pad(q, n);
        break;
      }
      case 'M':
      case 'L':
        out +=
          n >= 4
            ? (MONTHS[month - 1] as string)
            : n === 3
              ? (MONTHS[month - 1] as string).slice(0, 3)
              : pad(month, n);
        break;
      case 'd':
        out += pad(day, n);
        break;
      case 'D':
        out += pad(days - daysFromCivil(year, 1, 1) + 1, n);
        break;
      case 'E': {
        const name = DAYS[isoDayOfWeek(days) - 1] as string;
        out += n >= 4 ? name : name.slice(0, 3);
        break;
      }
      case 'w':
        out += pad(isoWeek(days).week, n);
        break;
      case 'a':
        out += hour < 12 ? 'AM' : 'PM';
        break;
      case 'H':
        out += pad(hour, n);
        break;
      case 'k':
        out += pad(hour === 0 ? 24 : hour, n);
        break;
      case 'K':
        out += pad(hour % 12, n);
        break;
      case 'h':
        out += pad(hour % 12 === 0 ? 12 : hour % 12, n);
        break;
      case 'm':
        out += pad(minute, n);
        break;
      case 's':
        out += pad(second, n);
        break;
      case 'S':
        out += n <= 3 ? pad(milli, 3).slice(0, n) : pad(milli, 3) + '0'.repeat(n - 3);
        break;
      default:
        out += formatOffset(offsetMs, t.letter, n);
    }
  }
  return out;
}

/** A parsed wall-clock time, and the zone offset the text named (if any). */
export interface ParsedDateTime {
  readonly local: number;
  readonly offsetMs: number | undefined;
}

const isNumericToken = (t: Token | undefined): boolean =>
  t !== undefined && 'letter' in t && (NUMERIC.has(t.letter) || (t.letter === 'M' && t.count <= 2));

function matchName(
  text: string,
  at: number,
  names: readonly string[],
): { index: number; length: number } | undefined {
  const rest = text.slice(at).toLowerCase();
  let best: { index: number; length: number } | undefined;
  names.forEach((name, index) => {
    for (const candidate of [name, name.slice(0, 3)]) {
      if (rest.startsWith(candidate.toLowerCase()) && (!best || candidate.length > best.length)) {
        best = { index, length: candidate.length };
      }
    }
  });
  return best;
}

/**
 * Parses `text` with a compiled pattern; undefined when it does not match or a field is out of range.
 * `allowTrailing` accepts text after the pattern, as SimpleDateFormat.parse does (UNIX_TIMESTAMP).
 */
export function parseWithPattern(
  text: string,
  p: CompiledPattern,
  allowTrailing = false,
): ParsedDateTime | undefined {
  let year = 1970;
  let month = 1;
  let day = 1;
  let dayOfYear: number | undefined;
  let hour = 0;
  let hour12: number | undefined;
  let pm: boolean | undefined;
  let minute = 0;
  let second = 0;
  let milli = 0;
  let offsetMs: number | undefined;
  let pos = 0;
  const toks = p.tokens;
  for (let ti = 0; ti < toks.length; ti++) {
    const t = toks[ti] as Token;
    if ('text' in t) {
      if (!text.startsWith(t.text, pos)) return undefined;
      pos += t.text.length;
      continue;
    }
    const { letter, count } = t;
    if (letter === 'G') {
      const m = /^(AD|BC)/i.exec(text.slice(pos));
      if (!m) return undefined;
      pos += 2;
      continue;
    }
    if ((letter === 'M' || letter === 'L') && count >= 3) {
      const m = matchName(text, pos, MONTHS);
      if (!m) return undefined;
      month = m.index + 1;
      pos += m.length;
      continue;
    }
    if (letter === 'E') {
      const m = matchName(text, pos, DAYS);
      if (!m) return undefined;
      pos += m.length;
      continue;
    }
    if (letter === 'a') {
      const m = /^(AM|PM)/i.exec(text.slice(pos));
      if (!m) return undefined;
      pm = (m[1] as string).toUpperCase() === 'PM';
      pos += 2;
      continue;
    }
    if (letter === 'X' || letter === 'Z' || letter === 'z') {
      const rest = text.slice(pos);
      if (/^Z/.test(rest) && letter !== 'Z') {
        offsetMs = 0;
        pos += 1;
        continue;
      }
      const m = /^(?:GMT|UTC)?([+-])(\d{2}):?(\d{2})?/.exec(rest);
      if (!m) {
        if (/^(UTC|GMT)/.test(rest)) {
          offsetMs = 0;
          pos += 3;
          continue;
        }
        return undefined;
      }
      offsetMs = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000;
      pos += m[0].length;
      continue;
    }
    // Numeric field: fixed width when another numeric field follows directly.
    const fixed = isNumericToken(toks[ti + 1]);
    const sign = letter === 'y' && (text[pos] === '-' || text[pos] === '+') && count !== 2 ? text[pos] : '';
    const start = pos + sign.length;
    let end = start;
    const max = fixed ? count : letter === 'S' ? 9 : 10;
    while (end < text.length && end - start < max && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57)
      end++;
    if (end === start || (fixed && end - start !== count)) return undefined;
    const digits = text.slice(start, end);
    const value = Number(digits) * (sign === '-' ? -1 : 1);
    pos = end;
    switch (letter) {
      case 'y':
      case 'u':
        year = count === 2 && digits.length === 2 ? 2000 + value : value;
        break;
      case 'M':
      case 'L':
        month = value;
        break;
      case 'd':
        day = value;
        break;
      case 'D':
        dayOfYear = value;
        break;
      case 'H':
        hour = value;
        break;
      case 'k':
        hour = value === 24 ? 0 : value;
        if (value < 1 || value > 24) return undefined;
        break;
      case 'K':
        hour12 = value;
        if (value > 11) return undefined;
        break;
      case 'h':
        hour12 = value === 12 ? 0 : value;
        if (value < 1 || value > 12) return undefined;
        break;
      case 'm':
        minute = value;
        break;
      case 's':
        second = value;
        break;
      case 'S':
        milli = Number(digits.slice(0, 3).padEnd(3, '0'));
        break;
      default:
        break; // w, Y, Q: read, not needed to place the date
    }
  }
  if (pos !== text.length && !allowTrailing) return undefined;
  if (hour12 !== undefined) hour = hour12 + (pm ? 12 : 0);
  else if (pm !== undefined && hour < 12 && pm) hour += 12;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  let days: number;
  if (dayOfYear !== undefined) {
    const yearDays = daysFromCivil(year + 1, 1, 1) - daysFromCivil(year, 1, 1);
    if (dayOfYear < 1 || dayOfYear > yearDays) return undefined;
    days = daysFromCivil(year, 1, 1) + dayOfYear - 1;
  } else {
    if (day < 1 || day > daysInMonth(year, month)) return undefined;
    days = daysFromCivil(year, month, day);
  }
  return { local: days * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + milli, offsetMs };
}
