/**
 * String built-ins with Flink's names and semantics: CHAR_LENGTH, UPPER, LOWER, the TRIM family, LPAD,
 * RPAD, SUBSTRING/SUBSTR, REPLACE, OVERLAY, POSITION, LOCATE, INSTR, INITCAP, REVERSE, REPEAT, CONCAT,
 * CONCAT_WS, SPLIT_INDEX, ASCII, CHR, LEFT, RIGHT, STR_TO_MAP.
 *
 * Characters. Flink's string values count characters as Unicode code points (CHAR_LENGTH of an emoji is
 * 1), so lengths and positions here are in code points; strings without surrogate pairs (the common
 * case) take a fast path on plain UTF-16 indices. LPAD/RPAD follow Flink's Java implementation and count
 * UTF-16 units.
 *
 * Call shapes the planner uses for the SQL keyword forms:
 * - `TRIM([BOTH|LEADING|TRAILING] [chars] FROM s)` -> `TRIM(mode, chars, s)` with mode the string
 *   'BOTH' | 'LEADING' | 'TRAILING' and chars the characters to remove (default ' '); `TRIM(s)` trims
 *   spaces on both sides. Every character of `chars` is removed (a set, as Flink does).
 * - `SUBSTRING(s FROM start [FOR len])` -> `SUBSTRING(s, start[, len])`.
 * - `OVERLAY(s PLACING r FROM pos [FOR len])` -> `OVERLAY(s, r, pos[, len])`.
 * - `POSITION(sub IN s [FROM from])` -> `POSITION(sub, s[, from])`.
 */
import type { Value } from '../../../operators/api.ts';
import { type LogicalType, MAX_LENGTH, T } from '../../types.ts';
import type { ScalarFunctionDef } from '../registry.ts';
import { javaRegex, splitAll } from './regex.ts';
import {
  badCall,
  defineScalar,
  isBin,
  isIntegralT,
  isStr,
  lastValueCache,
  matches,
  nullAware,
  nullableFrom,
  pure,
  runtimeError,
  stringOf,
} from './util.ts';

const SURROGATE = /[\uD800-\uDFFF]/;

/** Code points of `s`, or undefined when `s` has none outside the BMP (then UTF-16 indices are code points). */
const codePoints = (s: string): string[] | undefined => (SURROGATE.test(s) ? Array.from(s) : undefined);

/** Number of code points. */
export function cpLength(s: string): number {
  const cps = codePoints(s);
  return cps ? cps.length : s.length;
}

/** Code points [start, end) of `s` (0-based, clamped). */
export function cpSlice(s: string, start: number, end?: number): string {
  const cps = codePoints(s);
  return cps ? cps.slice(start, end).join('') : s.slice(start, end);
}

/** 0-based code-point index of `sub` in `s` at or after code point `from`, or -1. */
function cpIndexOf(s: string, sub: string, from = 0): number {
  const cps = codePoints(s);
  if (!cps) return s.indexOf(sub, from);
  let unit = 0;
  for (let i = 0; i < from && i < cps.length; i++) unit += (cps[i] as string).length;
  const at = s.indexOf(sub, unit);
  return at < 0 ? -1 : cpLength(s.slice(0, at));
}

const S = isStr;
const I = isIntegralT;

/** A null-on-null function of string-ish arguments with a fixed result type. */
function strFn(
  name: string,
  description: string,
  signatures: readonly (readonly ((t: LogicalType) => boolean)[])[],
  sigText: readonly string[],
  result: (args: readonly LogicalType[]) => LogicalType,
  impl: (...args: never[]) => Value,
): ScalarFunctionDef {
  return defineScalar(name, description, (args) => {
    if (!signatures.some((sig) => matches(args, sig))) throw badCall(name, args, sigText);
    return pure(result(args), impl);
  });
}

const intResult = (args: readonly LogicalType[]) => nullableFrom(T.int(false), args);
/** Flink's `varyingString(argument(0))`: VARCHAR of the first argument's length. */
const varyingFirst = (args: readonly LogicalType[]) => {
  const t = args[0] as LogicalType;
  return nullableFrom(
    t.kind === 'NULL' ? T.string(false) : T.varchar(t.precision ?? MAX_LENGTH, false),
    args,
  );
};
/** Flink's `argument(0)` for a string function (an untyped NULL becomes STRING). */
const sameAsFirst = (args: readonly LogicalType[]) => {
  const t = args[0] as LogicalType;
  return nullableFrom(t.kind === 'NULL' ? T.string(false) : t, args);
};
/** Flink's STRING_CONCAT: lengths add up (capped); CHAR only when every part is CHAR. */
function concatType(args: readonly LogicalType[], binary: boolean): LogicalType {
  const len = Math.min(
    MAX_LENGTH,
    args.reduce((n, t) => n + (t.kind === 'NULL' ? 0 : (t.precision ?? MAX_LENGTH)), 0),
  );
  const fixed = args.every((t) => t.kind === (binary ? 'BINARY' : 'CHAR'));
  const type = binary
    ? fixed
      ? T.binary(len, false)
      : T.varbinary(len, false)
    : fixed
      ? T.char(len, false)
      : T.varchar(len, false);
  return nullableFrom(type, args);
}
const strResult = (args: readonly LogicalType[]) => stringOf(args);
const nullableStr = (args: readonly LogicalType[]) => stringOf(args, true);

const charLength = (name: string) =>
  strFn(name, 'Number of characters (code points).', [[S]], [`${name}(STRING)`], intResult, (s: string) =>
    cpLength(s),
  );

// ---- TRIM family ----

function trimSet(s: string, chars: string, leading: boolean, trailing: boolean): string {
  let start = 0;
  let end = s.length;
  if (chars === ' ') {
    if (leading) while (start < end && s.charCodeAt(start) === 32) start++;
    if (trailing) while (end > start && s.charCodeAt(end - 1) === 32) end--;
    return s.slice(start, end);
  }
  const set = new Set(Array.from(chars));
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  if (leading) while (a < b && set.has(cps[a] as string)) a++;
  if (trailing) while (b > a && set.has(cps[b - 1] as string)) b--;
  return cps.slice(a, b).join('');
}

const trim = defineScalar(
  'TRIM',
  'Removes characters (default: spaces) from both ends, or from the leading/trailing end.',
  (args) => {
    const sigs = ['TRIM(STRING)', "TRIM('BOTH'|'LEADING'|'TRAILING', STRING chars, STRING s)"];
    if (matches(args, [S])) return pure(varyingFirst(args), (s: string) => trimSet(s, ' ', true, true));
    if (!matches(args, [S, S, S])) throw badCall('TRIM', args, sigs);
    const typed = varyingFirst([args[2] as LogicalType]);
    return pure(nullableFrom(typed, args), (mode: string, chars: string, s: string) => {
      const m = mode.toUpperCase();
      if (m !== 'BOTH' && m !== 'LEADING' && m !== 'TRAILING') {
        throw runtimeError('INVALID_ARGUMENT', `TRIM mode must be BOTH, LEADING or TRAILING, got '${mode}'`);
      }
      return trimSet(s, chars, m !== 'TRAILING', m !== 'LEADING');
    });
  },
);

const sideTrim = (name: string, leading: boolean, trailing: boolean) =>
  strFn(
    name,
    `Removes spaces (or the given characters) from the ${leading && trailing ? 'both ends' : leading ? 'start' : 'end'}.`,
    [[S], [S, S]],
    [`${name}(STRING)`, `${name}(STRING, STRING chars)`],
    varyingFirst,
    (s: string, chars?: string) => trimSet(s, chars ?? ' ', leading, trailing),
  );

// ---- padding ----

/**
 * Largest string a function builds (UTF-16 units). JavaScript strings stop near 2^29 units; failing
 * earlier with a clear error beats an engine RangeError in the middle of a job.
 */
export const MAX_RESULT_LENGTH = 100_000_000;

function checkLength(fn: string, length: number): void {
  if (length > MAX_RESULT_LENGTH) {
    throw runtimeError(
      'STRING_TOO_LONG',
      `${fn} would build a string of ${length} characters (limit ${MAX_RESULT_LENGTH})`,
    );
  }
}

function pad(base: string, len: number, padding: string, left: boolean): string | null {
  if (len < 0 || padding === '') return null;
  checkLength(left ? 'LPAD' : 'RPAD', len);
  if (len <= base.length) return base.slice(0, len);
  const need = len - base.length;
  const fill = padding.repeat(Math.ceil(need / padding.length)).slice(0, need);
  return left ? fill + base : base + fill;
}

const padFn = (name: 'LPAD' | 'RPAD') =>
  strFn(
    name,
    `Pads (or cuts) to len characters with pad on the ${name === 'LPAD' ? 'left' : 'right'}; NULL if len < 0 or pad is empty.`,
    [[S, I, S]],
    [`${name}(STRING, INT len, STRING pad)`],
    nullableStr,
    (s: string, len: number | bigint, p: string) => pad(s, Number(len), p, name === 'LPAD'),
  );

// ---- SUBSTRING, LEFT, RIGHT, OVERLAY ----

/** Flink's SUBSTRING: 1-based start, 0 behaves as 1, negative counts from the end; negative len is NULL. */
export function substring(s: string, start: number, len?: number): string | null {
  if (len !== undefined && len < 0) return null;
  const n = cpLength(s);
  let from: number;
  if (start > 0) {
    from = start - 1;
    if (from >= n) return '';
  } else if (start < 0) {
    from = n + start;
    if (from < 0) return '';
  } else {
    from = 0;
  }
  const to = len === undefined || n - from < len ? n : from + len;
  return cpSlice(s, from, to);
}

const substringFn = (name: string) =>
  defineScalar(
    name,
    'Substring from a 1-based start (negative: from the end) of optional length.',
    (args) => {
      if (!matches(args, [S, I]) && !matches(args, [S, I, I])) {
        throw badCall(name, args, [`${name}(STRING, INT start)`, `${name}(STRING, INT start, INT len)`]);
      }
      return pure(stringOf(args, args.length === 3), (s: string, start: Value, len?: Value) =>
        substring(s, Number(start), len === undefined ? undefined : Number(len)),
      );
    },
  );

const left = strFn(
  'LEFT',
  'The leftmost len characters.',
  [[S, I]],
  ['LEFT(STRING, INT len)'],
  varyingFirst,
  (s: string, n: Value) => {
    const k = Number(n);
    return k <= 0 ? '' : cpSlice(s, 0, k);
  },
);

const right = strFn(
  'RIGHT',
  'The rightmost len characters.',
  [[S, I]],
  ['RIGHT(STRING, INT len)'],
  varyingFirst,
  (s: string, n: Value) => {
    const k = Number(n);
    if (k <= 0) return '';
    const len = cpLength(s);
    return k >= len ? s : cpSlice(s, len - k);
  },
);

const overlay = strFn(
  'OVERLAY',
  'Replaces len characters (default: the length of r) of s from the 1-based position pos with r.',
  [
    [S, S, I],
    [S, S, I, I],
  ],
  ['OVERLAY(STRING s, STRING r, INT pos)', 'OVERLAY(STRING s, STRING r, INT pos, INT len)'],
  (args) => concatType(args.slice(0, 2), false),
  (s: string, r: string, pos: Value, len?: Value) => {
    const n = cpLength(s);
    const p = Math.min(Math.max(Number(pos) - 1, 0), n);
    const l = len === undefined ? cpLength(r) : Number(len);
    const after = Math.min(Math.max(p + l, p), n);
    return cpSlice(s, 0, p) + r + cpSlice(s, after);
  },
);

// ---- searching ----

const position = strFn(
  'POSITION',
  '1-based position of the first occurrence of sub in s (searching from position from, default 1), 0 if absent.',
  [
    [S, S],
    [S, S, I],
  ],
  ['POSITION(STRING sub, STRING s)', 'POSITION(STRING sub, STRING s, INT from)'],
  intResult,
  (sub: string, s: string, from?: Value) => {
    if (from === undefined) return cpIndexOf(s, sub) + 1;
    const f = Number(from) - 1;
    if (f < 0 || f > cpLength(s)) return 0;
    return cpIndexOf(s, sub, f) + 1;
  },
);

const locate = strFn(
  'LOCATE',
  '1-based position of the first occurrence of sub in s at or after position pos (default 1), 0 if absent.',
  [
    [S, S],
    [S, S, I],
  ],
  ['LOCATE(STRING sub, STRING s)', 'LOCATE(STRING sub, STRING s, INT pos)'],
  intResult,
  (sub: string, s: string, pos?: Value) => {
    const from = pos === undefined ? 0 : Number(pos) - 1;
    if (from < 0 || from > cpLength(s)) return 0;
    return cpIndexOf(s, sub, from) + 1;
  },
);

const instr = strFn(
  'INSTR',
  '1-based position of the first occurrence of sub in s, 0 if absent.',
  [[S, S]],
  ['INSTR(STRING s, STRING sub)'],
  intResult,
  (s: string, sub: string) => cpIndexOf(s, sub) + 1,
);

// ---- case and order ----

const upper = strFn('UPPER', 'Upper case.', [[S]], ['UPPER(STRING)'], sameAsFirst, (s: string) =>
  s.toUpperCase(),
);
const lower = strFn('LOWER', 'Lower case.', [[S]], ['LOWER(STRING)'], sameAsFirst, (s: string) =>
  s.toLowerCase(),
);

const ALNUM = /[\p{L}\p{N}]/u;
const initcap = strFn(
  'INITCAP',
  'First letter of each word upper case, the rest lower case (a word is a run of letters and digits).',
  [[S]],
  ['INITCAP(STRING)'],
  strResult,
  (s: string) => {
    let out = '';
    let inWord = false;
    for (const ch of s) {
      const alnum = ALNUM.test(ch);
      out += alnum ? (inWord ? ch.toLowerCase() : ch.toUpperCase()) : ch;
      inWord = alnum;
    }
    return out;
  },
);

const reverse = strFn(
  'REVERSE',
  'Characters in reverse order.',
  [[S]],
  ['REVERSE(STRING)'],
  strResult,
  (s: string) => Array.from(s).reverse().join(''),
);

const repeat = strFn(
  'REPEAT',
  's repeated n times ("" when n <= 0).',
  [[S, I]],
  ['REPEAT(STRING, INT n)'],
  strResult,
  (s: string, n: Value) => {
    const k = Number(n);
    if (k <= 0) return '';
    checkLength('REPEAT', s.length * k);
    return s.repeat(k);
  },
);

const replace = strFn(
  'REPLACE',
  'Replaces every occurrence of search in s with replacement.',
  [[S, S, S]],
  ['REPLACE(STRING s, STRING search, STRING replacement)'],
  strResult,
  (s: string, search: string, rep: string) => s.replaceAll(search, () => rep),
);

// ---- concatenation and splitting ----

const concat = defineScalar(
  'CONCAT',
  'Concatenation of strings, or of BYTES; NULL if any argument is NULL.',
  (args) => {
    const sigs = ['CONCAT(STRING, STRING...)', 'CONCAT(BYTES, BYTES...)'];
    if (args.length === 0) throw badCall('CONCAT', args, sigs);
    if (args.every(S)) return pure(concatType(args, false), (...parts: string[]) => parts.join(''));
    if (!args.every(isBin)) throw badCall('CONCAT', args, sigs);
    return pure(concatType(args, true), (...parts: Uint8Array[]) => {
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    });
  },
);

const concatWs = defineScalar(
  'CONCAT_WS',
  'Concatenation with a separator, skipping NULL arguments; NULL only if the separator is NULL.',
  (args) => {
    if (args.length < 1 || !args.every(S)) {
      throw badCall('CONCAT_WS', args, ['CONCAT_WS(STRING separator, STRING...)']);
    }
    return nullAware(
      stringOf([args[0] as LogicalType]),
      (sep: string | null, ...parts: (string | null)[]) => {
        if (sep === null) return null;
        return parts.filter((p) => p !== null).join(sep);
      },
    );
  },
);

const splitIndex = strFn(
  'SPLIT_INDEX',
  'Splits s at every delimiter and returns the 0-based index-th part; NULL when out of range.',
  [[S, S, I]],
  ['SPLIT_INDEX(STRING s, STRING delimiter, INT index)'],
  nullableStr,
  (s: string, delim: string, index: Value) => {
    const i = Number(index);
    if (i < 0) return null;
    const parts = delim === '' ? s.split(/\s+/) : s.split(delim);
    return parts[i] ?? null;
  },
);

const strToMap = defineScalar(
  'STR_TO_MAP',
  'Splits text into key/value pairs (delimiters are regular expressions; defaults "," and "=").',
  (args) => {
    if (!matches(args, [S]) && !matches(args, [S, S, S])) {
      throw badCall('STR_TO_MAP', args, [
        'STR_TO_MAP(STRING)',
        'STR_TO_MAP(STRING, STRING listDelimiter, STRING keyValueDelimiter)',
      ]);
    }
    const listRe = lastValueCache((d: string) => javaRegex(d, 'g'));
    const kvRe = lastValueCache((d: string) => javaRegex(d, ''));
    return pure(nullableFrom(T.map(T.string(), T.string(), false), args), (s: string, ld = ',', kd = '=') => {
      const out = new Map<Value, Value>();
      if (s === '') return out;
      const kv = kvRe(kd);
      for (const pair of splitAll(s, listRe(ld))) {
        const m = kv.exec(pair);
        if (!m) out.set(pair, null);
        else out.set(pair.slice(0, m.index), pair.slice(m.index + m[0].length));
      }
      return out;
    });
  },
);

// ---- characters ----

const ascii = strFn(
  'ASCII',
  'Numeric code of the first character as TINYINT (0 for the empty string; Java byte narrowing above 127).',
  [[S]],
  ['ASCII(STRING)'],
  (args) => nullableFrom(T.tinyint(false), args),
  (s: string) => (s.length === 0 ? 0 : (s.charCodeAt(0) << 24) >> 24),
);

const chr = strFn(
  'CHR',
  'The character whose code is n modulo 256 ("" for negative n).',
  [[I]],
  ['CHR(INT)'],
  (args) => nullableFrom(T.char(1, false), args),
  (n: Value) => {
    const k = Number(n);
    return k < 0 ? '' : String.fromCharCode(k & 0xff);
  },
);

const split = defineScalar(
  'SPLIT',
  'Splits s at every occurrence of the delimiter into an array (an empty delimiter splits into characters).',
  (args) => {
    if (!matches(args, [S, S])) throw badCall('SPLIT', args, ['SPLIT(STRING s, STRING delimiter)']);
    return pure(nullableFrom(T.array(T.string(false), false), args), (s: string, d: string) =>
      d === '' ? Array.from(s) : s.split(d),
    );
  },
);

const translate = strFn(
  'TRANSLATE',
  'Replaces every character of s found in from by the character at the same place in to (removed when to is shorter).',
  [[S, S, S]],
  ['TRANSLATE(STRING s, STRING from, STRING to)'],
  strResult,
  (s: string, from: string, to: string) => {
    const f = Array.from(from);
    const t = Array.from(to);
    const map = new Map<string, string>();
    f.forEach((ch, i) => {
      if (!map.has(ch)) map.set(ch, t[i] ?? '');
    });
    let out = '';
    for (const ch of s) out += map.get(ch) ?? ch;
    return out;
  },
);

const elt = defineScalar(
  'ELT',
  'ELT(n, e1, e2, ...): the n-th expression (1-based); NULL when n is out of range.',
  (args) => {
    const sig = ['ELT(INT n, <STRING|BYTES> e1, ...)'];
    const rest = args.slice(1);
    if (args.length < 2 || !isIntegralT(args[0] as LogicalType)) throw badCall('ELT', args, sig);
    const allStr = rest.every(S);
    if (!allStr && !rest.every(isBin)) throw badCall('ELT', args, sig);
    const len = Math.max(...rest.map((t) => (t.kind === 'NULL' ? 0 : (t.precision ?? MAX_LENGTH))));
    const type = allStr ? T.varchar(Math.max(len, 1), true) : T.varbinary(Math.max(len, 1), true);
    return nullAware(type, (n: Value, ...es: Value[]) => {
      if (n === null) return null;
      const i = Number(n);
      return i >= 1 && i <= es.length ? (es[i - 1] as Value) : null;
    });
  },
);

/** Every string built-in of this module. */
export const stringFunctions: readonly ScalarFunctionDef[] = [
  charLength('CHAR_LENGTH'),
  charLength('CHARACTER_LENGTH'),
  upper,
  lower,
  trim,
  sideTrim('LTRIM', true, false),
  sideTrim('RTRIM', false, true),
  sideTrim('BTRIM', true, true),
  padFn('LPAD'),
  padFn('RPAD'),
  substringFn('SUBSTRING'),
  substringFn('SUBSTR'),
  left,
  right,
  overlay,
  position,
  locate,
  instr,
  initcap,
  reverse,
  repeat,
  replace,
  concat,
  concatWs,
  splitIndex,
  strToMap,
  ascii,
  chr,
  split,
  translate,
  elt,
];
