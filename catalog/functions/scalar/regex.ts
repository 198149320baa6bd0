/**
 * Pattern matching built-ins: LIKE, SIMILAR_TO, REGEXP, REGEXP_EXTRACT, REGEXP_REPLACE, and the Java
 * regular-expression dialect they (and STR_TO_MAP) use.
 *
 * Call shapes: `s [NOT] LIKE p [ESCAPE e]` -> `LIKE(s, p[, e])` (the planner wraps NOT);
 * `s [NOT] SIMILAR TO p [ESCAPE e]` -> `SIMILAR_TO(s, p[, e])`. There is no default escape character,
 * as in standard SQL. Each call site caches its last compiled pattern, so a constant pattern compiles once.
 *
 * Java regex -> JavaScript translation (`javaRegex`), in one left-to-right pass:
 *  1. leading inline flags `(?i)`, `(?s)`, `(?m)` (any combination) become RegExp flags;
 *  2. `\Q...\E` becomes the escaped literal text;
 *  3. `\A`, `\z`, `\Z` become look-arounds for the start, the very end, and the end before a final
 *     newline; an unescaped `$` outside a class (without `(?m)`) also means "end or before a final
 *     newline", as in Java;
 *  4. POSIX classes `\p{Alpha}`, `\p{Digit}`, ... (and `\P{...}`) become explicit character classes;
 *  5. atomic groups `(?>...)` become plain groups and possessive quantifiers (`*+`, `++`, `?+`, `}+`)
 *     greedy ones: the same matches except in patterns that rely on the lack of backtracking;
 *  6. everything else is passed through (the two dialects agree on classes, groups, named groups,
 *     back references, look-arounds and quantifiers).
 * Invalid patterns raise INVALID_REGEX; REGEXP then answers FALSE and REGEXP_EXTRACT/REGEXP_REPLACE NULL,
 * as Flink does.
 */
import type { Value } from '../../../operators/api.ts';
import { T } from '../../types.ts';
import type { ScalarFunctionDef } from '../registry.ts';
import {
  badCall,
  defineScalar,
  isIntegralT,
  isStr,
  lastValueCache,
  matches,
  nullableFrom,
  pure,
  runtimeError,
  stringOf,
} from './util.ts';

const POSIX: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'A-Za-z',
  Digit: '0-9',
  Alnum: 'A-Za-z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
  javaLowerCase: 'a-z',
  javaUpperCase: 'A-Z',
  javaWhitespace: ' \\t\\n\\x0B\\f\\r\\x1C-\\x1F',
};

const END_OR_FINAL_NEWLINE = '(?=\\n?(?![\\s\\S]))';

const escapeLiteral = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

function invalidRegex(pattern: string, why: string): Error {
  return runtimeError('INVALID_REGEX', `Invalid regular expression '${pattern}': ${why}`);
}

/** Compiles a Java regular expression into an equivalent JavaScript RegExp (see the file header). */
export function javaRegex(pattern: string, flags = ''): RegExp {
  let f = flags;
  let i = 0;
  for (;;) {
    const m = /^\(\?([imsux]+)\)/.exec(pattern.slice(i));
    if (!m) break;
    for (const ch of m[1] as string) if ((ch === 'i' || ch === 'm' || ch === 's') && !f.includes(ch)) f += ch;
    i += m[0].length;
  }
  const n = pattern.length;
  let out = '';
  let inClass = false;
  let lastQuantifier = false;
  while (i < n) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const d = pattern[i + 1];
      if (d === undefined) throw invalidRegex(pattern, 'trailing backslash');
      lastQuantifier = false;
      if (d === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        out += escapeLiteral(end < 0 ? pattern.slice(i + 2) : pattern.slice(i + 2, end));
        i = end < 0 ? n : end + 2;
        continue;
      }
      if (!inClass && (d === 'A' || d === 'z' || d === 'Z')) {
        out += d === 'A' ? '(?<![\\s\\S])' : d === 'z' ? '(?![\\s\\S])' : END_OR_FINAL_NEWLINE;
        i += 2;
        continue;
      }
      if ((d === 'p' || d === 'P') && pattern[i + 2] === '{') {
        const close = pattern.indexOf('}', i + 3);
        const name = close < 0 ? '' : pattern.slice(i + 3, close).replace(/^Is/, '');
        const cls = POSIX[name];
        if (cls === undefined) throw invalidRegex(pattern, `unsupported class \\${d}{${name}}`);
        if (inClass && d === 'P') throw invalidRegex(pattern, `\\P{${name}} inside a character class`);
        out += inClass ? cls : `[${d === 'P' ? '^' : ''}${cls}]`;
        i = close + 1;
        continue;
      }
      out += c + d;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      lastQuantifier = false;
      out += c;
      i++;
      if (pattern[i] === '^') {
        out += '^';
        i++;
      }
      if (pattern[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '$' && !f.includes('m')) {
      out += END_OR_FINAL_NEWLINE;
      lastQuantifier = false;
      i++;
      continue;
    }
    if (c === '(' && pattern.startsWith('(?>', i)) {
      out += '(?:';
      lastQuantifier = false;
      i += 3;
      continue;
    }
    if (c === '+' && lastQuantifier) {
      lastQuantifier = false; // possessive: drop the marker
      i++;
      continue;
    }
    if (c === '?' && lastQuantifier) {
      lastQuantifier = false; // reluctant marker, passes through
      out += c;
      i++;
      continue;
    }
    lastQuantifier = c === '*' || c === '+' || c === '?' || c === '}';
    out += c;
    i++;
  }
  try {
    return new RegExp(out, f);
  } catch (e) {
    throw invalidRegex(pattern, (e as Error).message);
  }
}

/** Java's `split(regex, -1)`: every part, empty ones included. `re` must be global. */
export function splitAll(s: string, re: RegExp): string[] {
  const parts: string[] = [];
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    if (m[0].length === 0) {
      if (m.index >= s.length) break;
      re.lastIndex = m.index + 1;
      if (m.index === 0) continue; // Java drops a leading empty match
    }
    parts.push(s.slice(last, m.index));
    last = m.index + m[0].length;
  }
  parts.push(s.slice(last));
  return parts;
}

/** Compiles with the given flags, or null when the pattern is invalid (Flink's functions answer NULL/FALSE). */
const tryJavaRegex = (flags: string) =>
  lastValueCache((p: string): RegExp | null => {
    try {
      return javaRegex(p, flags);
    } catch {
      return null;
    }
  });

/** Number of capturing groups of a compiled pattern. */
const groupCount = (re: RegExp): number =>
  (new RegExp(`${re.source}|`, re.flags.replace('g', '')).exec('') as RegExpExecArray).length - 1;

type ReplacementPart = string | number | { name: string };

/** Parses a Java replacement string: `$n` and `${name}` are group references, `\x` is a literal x. */
export function parseJavaReplacement(rep: string, groups: number): ReplacementPart[] {
  const parts: ReplacementPart[] = [];
  let lit = '';
  for (let i = 0; i < rep.length; i++) {
    const c = rep[i] as string;
    if (c === '\\') {
      i++;
      if (i >= rep.length) throw runtimeError('INVALID_REGEX', 'character to be escaped is missing');
      lit += rep[i];
    } else if (c === '$') {
      i++;
      if (rep[i] === '{') {
        const close = rep.indexOf('}', i);
        if (close < 0) throw runtimeError('INVALID_REGEX', "named capturing group is missing trailing '}'");
        if (lit) parts.push(lit);
        lit = '';
        parts.push({ name: rep.slice(i + 1, close) });
        i = close;
        continue;
      }
      const d = rep.charCodeAt(i) - 48;
      if (!(d >= 0 && d <= 9)) throw runtimeError('INVALID_REGEX', 'Illegal group reference');
      let num = d;
      // Java keeps reading digits while the number stays a valid group.
      while (i + 1 < rep.length) {
        const e = rep.charCodeAt(i + 1) - 48;
        if (!(e >= 0 && e <= 9) || num * 10 + e > groups) break;
        num = num * 10 + e;
        i++;
      }
      if (num > groups) throw runtimeError('INVALID_REGEX', `No group ${num}`);
      if (lit) parts.push(lit);
      lit = '';
      parts.push(num);
    } else {
      lit += c;
    }
  }
  if (lit) parts.push(lit);
  return parts;
}

// ---- LIKE and SIMILAR TO ----

type Matcher = (s: string) => boolean;

function checkEscape(esc: string | undefined, fn: string): void {
  if (esc !== undefined && Array.from(esc).length !== 1) {
    throw runtimeError('INVALID_ESCAPE', `${fn} ESCAPE must be a single character, got '${esc}'`);
  }
}

/**
 * Compiles a LIKE pattern: `%` is any sequence, `_` any one character, the escape character makes the
 * next `%`, `_` or escape literal (anything else after it is an error). Patterns that are a literal
 * with `%` at an end become startsWith/endsWith/includes tests.
 */
export function compileLike(pattern: string, esc?: string): Matcher {
  checkEscape(esc, 'LIKE');
  type Tok = { lit: string } | '%' | '_';
  const toks: Tok[] = [];
  const cps = Array.from(pattern);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i] as string;
    if (esc !== undefined && c === esc) {
      const next = cps[i + 1];
      if (next === undefined || (next !== '%' && next !== '_' && next !== esc)) {
        throw runtimeError('INVALID_ESCAPE', `Invalid escape sequence in LIKE pattern '${pattern}'`);
      }
      toks.push({ lit: next });
      i++;
    } else if (c === '%' || c === '_') {
      toks.push(c);
    } else {
      toks.push({ lit: c });
    }
  }
  const isLit = (t: Tok | undefined): t is { lit: string } => typeof t === 'object';
  const litText = (ts: Tok[]): string | undefined =>
    ts.every(isLit) ? ts.map((t) => (t as { lit: string }).lit).join('') : undefined;
  const whole = litText(toks);
  if (whole !== undefined) return (s) => s === whole;
  const first = toks[0];
  const last = toks[toks.length - 1];
  if (last === '%') {
    const prefix = litText(toks.slice(0, -1));
    if (prefix !== undefined) return (s) => s.startsWith(prefix);
  }
  if (first === '%') {
    const suffix = litText(toks.slice(1));
    if (suffix !== undefined) return (s) => s.endsWith(suffix);
    if (last === '%' && toks.length >= 2) {
      const middle = litText(toks.slice(1, -1));
      if (middle !== undefined) return (s) => s.includes(middle);
    }
  }
  let src = '';
  for (const t of toks) src += t === '%' ? '.*' : t === '_' ? '.' : escapeLiteral(t.lit);
  const re = new RegExp(`^${src}$`, 'su');
  return (s) => re.test(s);
}

/**
 * Compiles a SIMILAR TO pattern (SQL regular expression, matched against the whole string): `%` and
 * `_` as in LIKE; `|`, `*`, `+`, `?`, `{m,n}`, `( )` and `[...]` as in regular expressions; every other
 * character is literal; the escape character makes the next character literal.
 */
export function compileSimilar(pattern: string, esc?: string): Matcher {
  checkEscape(esc, 'SIMILAR TO');
  const cps = Array.from(pattern);
  let src = '';
  let inClass = false;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i] as string;
    if (esc !== undefined && c === esc) {
      const next = cps[i + 1];
      if (next === undefined) {
        throw runtimeError('INVALID_ESCAPE', `Invalid escape sequence in SIMILAR TO pattern '${pattern}'`);
      }
      src += escapeLiteral(next);
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      src += c === '\\' ? '\\\\' : c;
    } else if (c === '[') {
      inClass = true;
      src += c;
    } else if (c === '%') {
      src += '.*';
    } else if (c === '_') {
      src += '.';
    } else if (c === '(') {
      src += '(?:';
    } else if ('|*+?{}),'.includes(c) || /[0-9]/.test(c)) {
      src += c;
    } else {
      src += escapeLiteral(c);
    }
  }
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${src})$`, 'su');
  } catch (e) {
    throw runtimeError('INVALID_PATTERN', `Invalid SIMILAR TO pattern '${pattern}': ${(e as Error).message}`);
  }
  return (s) => re.test(s);
}

function patternPredicate(
  name: 'LIKE' | 'SIMILAR_TO',
  compile: (p: string, e?: string) => Matcher,
): ScalarFunctionDef {
  return defineScalar(
    name,
    name === 'LIKE'
      ? 'SQL LIKE: % matches any sequence, _ any one character; optional escape character.'
      : 'SQL SIMILAR TO: whole-string SQL regular expression match; optional escape character.',
    (args) => {
      if (!matches(args, [isStr, isStr]) && !matches(args, [isStr, isStr, isStr])) {
        throw badCall(name, args, [
          `${name}(STRING s, STRING pattern)`,
          `${name}(STRING s, STRING pattern, STRING escape)`,
        ]);
      }
      let lastPattern: string | undefined;
      let lastEscape: string | undefined;
      let matcher: Matcher | undefined;
      return pure(nullableFrom(T.boolean(false), args), (s: string, p: string, e?: string) => {
        if (matcher === undefined || p !== lastPattern || e !== lastEscape) {
          matcher = compile(p, e);
          lastPattern = p;
          lastEscape = e;
        }
        return matcher(s);
      });
    },
  );
}

// ---- REGEXP family ----

const regexp = defineScalar(
  'REGEXP',
  'true when some substring of s matches the Java regular expression.',
  (args) => {
    if (!matches(args, [isStr, isStr])) throw badCall('REGEXP', args, ['REGEXP(STRING s, STRING regex)']);
    const compile = tryJavaRegex('');
    return pure(nullableFrom(T.boolean(false), args), (s: string, p: string) => {
      if (p === '') return false;
      const re = compile(p);
      return re === null ? false : re.test(s);
    });
  },
);

const regexpExtract = defineScalar(
  'REGEXP_EXTRACT',
  'The index-th group (default 1) of the first match of regex in s; NULL when there is none.',
  (args) => {
    if (!matches(args, [isStr, isStr]) && !matches(args, [isStr, isStr, isIntegralT])) {
      throw badCall('REGEXP_EXTRACT', args, [
        'REGEXP_EXTRACT(STRING s, STRING regex)',
        'REGEXP_EXTRACT(STRING s, STRING regex, INT index)',
      ]);
    }
    const compile = lastValueCache((p: string) => {
      try {
        const re = javaRegex(p, '');
        return { re, groups: groupCount(re) };
      } catch {
        return null;
      }
    });
    return pure(stringOf(args, true), (s: string, p: string, index?: Value) => {
      const c = compile(p);
      if (c === null) return null;
      const idx = index === undefined ? 1 : Number(index);
      if (idx < 0 || idx > c.groups) return null;
      const m = c.re.exec(s);
      return m === null ? null : (m[idx] ?? null);
    });
  },
);

const regexpReplace = defineScalar(
  'REGEXP_REPLACE',
  'Replaces every match of regex in s with the replacement ($n refers to group n); NULL for an invalid regex.',
  (args) => {
    if (!matches(args, [isStr, isStr, isStr])) {
      throw badCall('REGEXP_REPLACE', args, ['REGEXP_REPLACE(STRING s, STRING regex, STRING replacement)']);
    }
    // Cache the last (pattern, replacement) pair: both are constants at almost every call site.
    let lastP: string | undefined;
    let lastRep: string | undefined;
    let compiled: { re: RegExp; parts: ReplacementPart[] } | null = null;
    const compile = (p: string, rep: string) => {
      if (p !== lastP || rep !== lastRep) {
        lastP = p;
        lastRep = rep;
        try {
          const re = javaRegex(p, 'g');
          compiled = { re, parts: parseJavaReplacement(rep, groupCount(re)) };
        } catch {
          compiled = null;
        }
      }
      return compiled;
    };
    return pure(stringOf(args, true), (s: string, p: string, rep: string) => {
      const c = compile(p, rep);
      if (c === null) return null;
      const { re, parts } = c;
      return s.replace(re, (...m: unknown[]) => {
        let out = '';
        const last = m[m.length - 1];
        const named =
          typeof last === 'object' && last !== null ? (last as Record<string, string | undefined>) : {};
        for (const part of parts) {
          if (typeof part === 'string') out += part;
          else if (typeof part === 'number') out += (m[part] as string | undefined) ?? '';
          else out += named[part.name] ?? '';
        }
        return out;
      });
    });
  },
);

/** A per-call-site cache of global-flag compiled regexes (null for invalid ones) with their group counts. */
function globalRegexCache(): (p: string) => { re: RegExp; groups: number } | null {
  return lastValueCache((p: string) => {
    try {
      const re = javaRegex(p, 'g');
      return { re, groups: groupCount(re) };
    } catch {
      return null;
    }
  });
}

/** Every match of a global regex in s (zero-length matches step one character, as Java's find()). */
function allMatches(s: string, re: RegExp): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    out.push(m);
    if (m[0].length === 0) re.lastIndex = m.index + 1;
    if (re.lastIndex > s.length) break;
  }
  return out;
}

const regexpCount = defineScalar(
  'REGEXP_COUNT',
  'Number of matches of regex in s; NULL for an invalid regex.',
  (args) => {
    if (!matches(args, [isStr, isStr]))
      throw badCall('REGEXP_COUNT', args, ['REGEXP_COUNT(STRING s, STRING regex)']);
    const compile = globalRegexCache();
    return pure(T.int(true), (s: string, p: string) => {
      const c = compile(p);
      return c === null ? null : allMatches(s, c.re).length;
    });
  },
);

const regexpExtractAll = defineScalar(
  'REGEXP_EXTRACT_ALL',
  'The index-th group (default 1) of every match of regex in s, as an array; NULL for an invalid regex or index.',
  (args) => {
    if (!matches(args, [isStr, isStr]) && !matches(args, [isStr, isStr, isIntegralT])) {
      throw badCall('REGEXP_EXTRACT_ALL', args, [
        'REGEXP_EXTRACT_ALL(STRING s, STRING regex)',
        'REGEXP_EXTRACT_ALL(STRING s, STRING regex, INT index)',
      ]);
    }
    const compile = globalRegexCache();
    return pure(T.array(T.string(true), true), (s: string, p: string, index?: Value) => {
      const c = compile(p);
      const idx = index === undefined ? 1 : Number(index);
      if (c === null || idx < 0 || idx > c.groups) return null;
      return allMatches(s, c.re).map((m) => m[idx] ?? null);
    });
  },
);

const regexpInstr = defineScalar(
  'REGEXP_INSTR',
  '1-based position of the first match of regex in s, 0 if none; NULL for an invalid regex.',
  (args) => {
    if (!matches(args, [isStr, isStr]))
      throw badCall('REGEXP_INSTR', args, ['REGEXP_INSTR(STRING s, STRING regex)']);
    const compile = tryJavaRegex('');
    return pure(T.int(true), (s: string, p: string) => {
      const re = compile(p);
      if (re === null) return null;
      const m = re.exec(s);
      return m === null ? 0 : Array.from(s.slice(0, m.index)).length + 1;
    });
  },
);

const regexpSubstr = defineScalar(
  'REGEXP_SUBSTR',
  'The first substring of s matching regex; NULL if none or for an invalid regex.',
  (args) => {
    if (!matches(args, [isStr, isStr]))
      throw badCall('REGEXP_SUBSTR', args, ['REGEXP_SUBSTR(STRING s, STRING regex)']);
    const compile = tryJavaRegex('');
    return pure(T.string(true), (s: string, p: string) => {
      const re = compile(p);
      const m = re === null ? null : re.exec(s);
      return m === null ? null : m[0];
    });
  },
);

/** Every pattern-matching built-in of this module. */
export const regexFunctions: readonly ScalarFunctionDef[] = [
  patternPredicate('LIKE', compileLike),
  patternPredicate('SIMILAR_TO', compileSimilar),
  regexp,
  regexpExtract,
  regexpReplace,
  regexpCount,
  regexpExtractAll,
  regexpInstr,
  regexpSubstr,
];
