import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FunctionRegistry } from '../../catalog/functions/registry.ts';
import { registerScalarBuiltins, resolveScalarCall } from '../../catalog/functions/scalar/index.ts';
import { compileLike, javaRegex, splitAll } from '../../catalog/functions/scalar/regex.ts';
import { type LogicalType, T, typeToString } from '../../catalog/types.ts';
import { RivuletError } from '../../common/errors.ts';
import type { Value } from '../../operators/api.ts';

const registry = new FunctionRegistry();
registerScalarBuiltins(registry);
const ctx = { timeZone: 'UTC', now: () => 0 };

function fn(name: string, types: LogicalType[]) {
  const def = registry.lookupScalar(name);
  if (!def) throw new Error(`no ${name}`);
  const r = resolveScalarCall(def, types, ctx);
  return {
    type: typeToString(r.resultType),
    call: (...args: Value[]): Value =>
      r.nullOnNullInput && args.some((a) => a === null) ? null : r.impl(...args),
  };
}
const S = T.string();

/** A brute-force LIKE (no escape): dynamic programming over code points. */
function refLike(s: string, p: string): boolean {
  const a = Array.from(s);
  const b = Array.from(p);
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (j === b.length) r = i === a.length;
    else if (b[j] === '%') r = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else if (i < a.length && (b[j] === '_' || b[j] === a[i])) r = go(i + 1, j + 1);
    else r = false;
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

describe('LIKE', () => {
  const like = fn('LIKE', [S, S]);
  const likeEsc = fn('LIKE', [S, S, S]);
  it('wildcards, fast paths and regex specials', () => {
    expect(like.type).toBe('BOOLEAN');
    expect(like.call('hello', 'h%')).toBe(true);
    expect(like.call('hello', '%lo')).toBe(true);
    expect(like.call('hello', '%ell%')).toBe(true);
    expect(like.call('hello', 'h_llo')).toBe(true);
    expect(like.call('hello', 'h_lo')).toBe(false);
    expect(like.call('hello', 'hello')).toBe(true);
    expect(like.call('a.c', 'a.c')).toBe(true);
    expect(like.call('abc', 'a.c')).toBe(false);
    expect(like.call('a\nb', 'a%b')).toBe(true);
    expect(like.call('(x)', '(%)')).toBe(true);
    expect(like.call('😀', '_')).toBe(true);
    expect(like.call('', '%')).toBe(true);
    expect(like.call(null, '%')).toBeNull();
    expect(like.call('a', null)).toBeNull();
  });
  it('ESCAPE makes % and _ literal', () => {
    expect(likeEsc.call('10%', '10!%', '!')).toBe(true);
    expect(likeEsc.call('100', '10!%', '!')).toBe(false);
    expect(likeEsc.call('a_b', 'a\\_b', '\\')).toBe(true);
    expect(likeEsc.call('axb', 'a\\_b', '\\')).toBe(false);
    expect(likeEsc.call('a!b', 'a!!b', '!')).toBe(true);
    expect(() => likeEsc.call('ab', 'a!b', '!')).toThrow(/Invalid escape/);
    expect(() => likeEsc.call('ab', 'ab!', '!')).toThrow(RivuletError);
    expect(() => likeEsc.call('ab', 'ab', '!!')).toThrow(/single character/);
  });
  it('matches a brute-force reference', () => {
    const alphabet = fc.constantFrom('a', 'b', '%', '_', '.', '*');
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', '.', '*'), maxLength: 8 }),
        fc.string({ unit: alphabet, maxLength: 6 }),
        (s, p) => {
          expect(like.call(s, p)).toBe(refLike(s, p));
          expect(compileLike(p)(s)).toBe(refLike(s, p));
        },
      ),
      { numRuns: 300 },
    );
  });
  it('caches the compiled pattern but follows a changing one', () => {
    expect(like.call('abc', 'a%')).toBe(true);
    expect(like.call('abc', 'b%')).toBe(false);
    expect(like.call('bcd', 'b%')).toBe(true);
  });
});

describe('SIMILAR_TO', () => {
  const sim = fn('SIMILAR_TO', [S, S]);
  it('SQL regular expressions over the whole string', () => {
    expect(sim.call('abc', 'abc')).toBe(true);
    expect(sim.call('abc', 'a%')).toBe(true);
    expect(sim.call('abc', '_b_')).toBe(true);
    expect(sim.call('abc', '(a|x)(b|y)c')).toBe(true);
    expect(sim.call('aaa', 'a+')).toBe(true);
    expect(sim.call('aaa', 'a{2}')).toBe(false);
    expect(sim.call('abd', 'ab[c-e]')).toBe(true);
    expect(sim.call('abc', 'ab')).toBe(false);
    expect(sim.call('a.c', 'a.c')).toBe(true);
    expect(sim.call('abc', 'a.c')).toBe(false);
    expect(fn('SIMILAR_TO', [S, S, S]).call('a%', 'a#%', '#')).toBe(true);
    expect(fn('SIMILAR_TO', [S, S, S]).call('ab', 'a#%', '#')).toBe(false);
    expect(() => sim.call('a', '(a')).toThrow(/Invalid SIMILAR TO pattern/);
  });
});

describe('Java regex dialect', () => {
  it('translates Java-only constructs', () => {
    expect(javaRegex('(?i)abc').test('ABC')).toBe(true);
    expect(javaRegex('\\Qa.b\\E').test('a.b')).toBe(true);
    expect(javaRegex('\\Qa.b\\E').test('axb')).toBe(false);
    expect(javaRegex('\\Aab').test('xab')).toBe(false);
    expect(javaRegex('ab\\z').test('ab\n')).toBe(false);
    expect(javaRegex('ab\\Z').test('ab\n')).toBe(true);
    expect(javaRegex('ab$').test('ab\n')).toBe(true);
    expect(javaRegex('^\\p{Alpha}+$').test('abC')).toBe(true);
    expect(javaRegex('^\\p{Digit}+$').test('12a')).toBe(false);
    expect(javaRegex('^[\\p{Upper}_]+$').test('A_B')).toBe(true);
    expect(javaRegex('^a++b$').test('aab')).toBe(true);
    expect(javaRegex('^(?>ab)c$').test('abc')).toBe(true);
    expect(javaRegex('[$]').test('$')).toBe(true);
    expect(() => javaRegex('a(')).toThrow(/Invalid regular expression/);
    expect(() => javaRegex('\\p{Nope}')).toThrow(/unsupported class/);
  });
  it('splitAll keeps empty parts as split(regex, -1)', () => {
    expect(splitAll('a,,b,', /,/g)).toEqual(['a', '', 'b', '']);
    expect(splitAll('abc', /x/g)).toEqual(['abc']);
  });
});

describe('REGEXP, REGEXP_EXTRACT, REGEXP_REPLACE', () => {
  it('REGEXP finds a match anywhere; FALSE for an invalid or empty pattern', () => {
    const r = fn('REGEXP', [S, S]);
    expect(r.call('foothebar', 'the')).toBe(true);
    expect(r.call('foothebar', '^the')).toBe(false);
    expect(r.call('abc', '(')).toBe(false);
    expect(r.call('abc', '')).toBe(false);
    expect(r.call(null, 'a')).toBeNull();
  });
  it('REGEXP_EXTRACT returns a group or NULL', () => {
    const e = fn('REGEXP_EXTRACT', [S, S, T.int()]);
    expect(e.type).toBe('STRING');
    expect(e.call('foothebar', 'foo(.*?)(bar)', 2)).toBe('bar');
    expect(e.call('foothebar', 'foo(.*?)(bar)', 1)).toBe('the');
    expect(e.call('foothebar', 'foo(.*?)(bar)', 0)).toBe('foothebar');
    expect(e.call('foothebar', 'foo(.*?)(bar)', 3)).toBeNull();
    expect(e.call('foothebar', 'x(y)', 1)).toBeNull();
    expect(e.call('ab', 'a(x)?b', 1)).toBeNull();
    expect(e.call('ab', '(', 1)).toBeNull();
    expect(fn('REGEXP_EXTRACT', [S, S]).call('k=v', '(\\w)=(\\w)')).toBe('k');
  });
  it('REGEXP_REPLACE uses Java replacement syntax', () => {
    const r = fn('REGEXP_REPLACE', [S, S, S]);
    expect(r.call('foobar', 'oo|ar', '')).toBe('fb');
    expect(r.call('2024-01-31', '(\\d+)-(\\d+)-(\\d+)', '$3/$2/$1')).toBe('31/01/2024');
    expect(r.call('a1b2', '\\d', '\\$')).toBe('a$b$');
    // A Java named-group reference: dollar, brace, name, brace.
    expect(r.call('ab', '(?<x>a)', ['[$', '{x}]'].join(''))).toBe('[a]b');
    expect(r.call('abc', 'x*', '-')).toBe('-a-b-c-');
    expect(r.call('abc', '(', 'x')).toBeNull();
    expect(r.call('abc', 'b', '$2')).toBeNull();
    expect(r.call(null, 'b', 'x')).toBeNull();
  });
  it('wrong argument types are planning errors', () => {
    for (const [name, types] of [
      ['REGEXP', [S, T.int()]],
      ['REGEXP_EXTRACT', [S, S, S]],
      ['REGEXP_REPLACE', [S, S]],
      ['LIKE', [S, T.int()]],
      ['SIMILAR_TO', [T.int(), S]],
    ] as const) {
      expect(() => fn(name, [...types])).toThrow(
        expect.objectContaining({ code: 'FUNCTION_SIGNATURE', phase: 'plan' }),
      );
    }
  });
});
