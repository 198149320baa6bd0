import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FunctionRegistry } from '../../catalog/functions/registry.ts';
import { registerScalarBuiltins, resolveScalarCall } from '../../catalog/functions/scalar/index.ts';
import { urlDecode, urlEncode } from '../../catalog/functions/scalar/url.ts';
import { type LogicalType, T, typeToString } from '../../catalog/types.ts';
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
const AI = T.array(T.int());
const sigError = expect.objectContaining({ code: 'FUNCTION_SIGNATURE', phase: 'plan' });

describe('array slicing, sorting and set operations', () => {
  it('ARRAY_SLICE with positive, zero and negative offsets', () => {
    const f = fn('ARRAY_SLICE', [AI, T.int(), T.int()]);
    const a = [1, 2, 3, 4, 5];
    expect(f.type).toBe('ARRAY<INT>');
    expect(f.call(a, 2, 4)).toEqual([2, 3, 4]);
    expect(f.call(a, 0, 2)).toEqual([1, 2]);
    expect(f.call(a, -2, -1)).toEqual([4, 5]);
    expect(f.call(a, 4, 2)).toEqual([]);
    expect(f.call(a, 6, 9)).toEqual([]);
    expect(f.call(a, -9, 2)).toEqual([1, 2]);
    expect(fn('ARRAY_SLICE', [AI, T.int()]).call(a, 3)).toEqual([3, 4, 5]);
    expect(f.call(a, null, 2)).toBeNull();
    expect(() => fn('ARRAY_SLICE', [AI, S])).toThrow(sigError);
  });
  it('ARRAY_SLICE agrees with a brute-force reference', () => {
    const f = fn('ARRAY_SLICE', [AI, T.int(), T.int()]);
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 8 }),
        fc.integer({ min: -10, max: 10 }),
        fc.integer({ min: -10, max: 10 }),
        (a, s, e) => {
          const n = a.length;
          const pos = (x: number) => (x > 0 ? x : x === 0 ? 1 : n + x + 1); // 1-based position
          const want = a.filter((_, i) => i + 1 >= pos(s) && i + 1 <= pos(e));
          expect(f.call(a, s, e)).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });
  it('ARRAY_SORT orders values and places NULLs', () => {
    const a = [3, null, 1, 2];
    expect(fn('ARRAY_SORT', [AI]).call(a)).toEqual([null, 1, 2, 3]);
    expect(fn('ARRAY_SORT', [AI, T.boolean()]).call(a, false)).toEqual([3, 2, 1, null]);
    expect(fn('ARRAY_SORT', [AI, T.boolean(), T.boolean()]).call(a, true, false)).toEqual([1, 2, 3, null]);
    expect(fn('ARRAY_SORT', [T.array(S)]).call(['b', 'a', 'B'])).toEqual(['B', 'a', 'b']);
    expect(() => fn('ARRAY_SORT', [T.array(T.map(S, S))])).toThrow(sigError);
  });
  it('ARRAY_MAX / ARRAY_MIN skip NULLs', () => {
    expect(fn('ARRAY_MAX', [AI]).call([1, null, 7, 3])).toBe(7);
    expect(fn('ARRAY_MIN', [AI]).call([4, null, 2])).toBe(2);
    expect(fn('ARRAY_MAX', [AI]).call([])).toBeNull();
    expect(fn('ARRAY_MIN', [T.array(T.decimal(5, 2))]).call([150n, 20n])).toBe(20n);
    expect(fn('ARRAY_MAX', [T.array(T.int(false), false)]).type).toBe('INT');
  });
  it('ARRAY_UNION / ARRAY_INTERSECT / ARRAY_EXCEPT keep first occurrences without duplicates', () => {
    expect(fn('ARRAY_UNION', [AI, AI]).call([1, 2, 2], [3, 1, null])).toEqual([1, 2, 3, null]);
    expect(fn('ARRAY_INTERSECT', [AI, AI]).call([1, 2, 2, 3], [2, 3, 4])).toEqual([2, 3]);
    expect(fn('ARRAY_EXCEPT', [AI, AI]).call([1, 2, 2, 3, null], [3])).toEqual([1, 2, null]);
    const widened = fn('ARRAY_UNION', [AI, T.array(T.bigint())]);
    expect(widened.type).toBe('ARRAY<BIGINT>');
    expect(widened.call([1], [1n, 2n])).toEqual([1n, 2n]);
    expect(fn('ARRAY_UNION', [AI, AI]).call(null, [1])).toBeNull();
    expect(() => fn('ARRAY_EXCEPT', [AI, T.array(S)])).toThrow(sigError);
  });
  it('set operations agree with brute force', () => {
    const u = fn('ARRAY_UNION', [AI, AI]);
    const i = fn('ARRAY_INTERSECT', [AI, AI]);
    const x = fn('ARRAY_EXCEPT', [AI, AI]);
    const small = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 8 });
    fc.assert(
      fc.property(small, small, (a, b) => {
        const dedup = (xs: number[]) => xs.filter((v, k) => xs.indexOf(v) === k);
        expect(u.call(a, b)).toEqual(dedup([...a, ...b]));
        expect(i.call(a, b)).toEqual(dedup(a.filter((v) => b.includes(v))));
        expect(x.call(a, b)).toEqual(dedup(a.filter((v) => !b.includes(v))));
      }),
      { numRuns: 200 },
    );
  });
  it('MAP_UNION: later maps win', () => {
    const f = fn('MAP_UNION', [T.map(S, T.int()), T.map(S, T.int())]);
    expect(
      f.call(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
        new Map([
          ['b', 3],
          ['c', 4],
        ]),
      ),
    ).toEqual(
      new Map([
        ['a', 1],
        ['b', 3],
        ['c', 4],
      ]),
    );
    expect(f.call(new Map(), null)).toBeNull();
    expect(() => fn('MAP_UNION', [T.map(S, T.int()), AI])).toThrow(sigError);
  });
});

describe('more string functions', () => {
  it('SPLIT', () => {
    const f = fn('SPLIT', [S, S]);
    expect(f.type).toBe('ARRAY<STRING NOT NULL>');
    expect(f.call('a,b,,c,', ',')).toEqual(['a', 'b', '', 'c', '']);
    expect(f.call('abc', '')).toEqual(['a', 'b', 'c']);
    expect(f.call('abc', 'x')).toEqual(['abc']);
    expect(f.call(null, ',')).toBeNull();
  });
  it('TRANSLATE', () => {
    const f = fn('TRANSLATE', [S, S, S]);
    expect(f.call('AaBbCc', 'abc', '123')).toBe('A1B2C3');
    expect(f.call('AaBbCc', 'abc', '1')).toBe('A1BC');
    expect(f.call('aaa', 'aa', 'xy')).toBe('xxx');
  });
  it('ELT', () => {
    const f = fn('ELT', [T.int(), S, S]);
    expect(f.call(2, 'x', 'y')).toBe('y');
    expect(f.call(3, 'x', 'y')).toBeNull();
    expect(f.call(0, 'x', 'y')).toBeNull();
    expect(f.call(null, 'x', 'y')).toBeNull();
    expect(() => fn('ELT', [S, S])).toThrow(sigError);
  });
});

describe('more regular-expression functions', () => {
  it('REGEXP_COUNT / REGEXP_EXTRACT_ALL / REGEXP_INSTR / REGEXP_SUBSTR', () => {
    expect(fn('REGEXP_COUNT', [S, S]).call('ababab', 'ab')).toBe(3);
    expect(fn('REGEXP_COUNT', [S, S]).call('abc', 'x*')).toBe(4);
    expect(fn('REGEXP_COUNT', [S, S]).call('abc', '(')).toBeNull();
    const all = fn('REGEXP_EXTRACT_ALL', [S, S, T.int()]);
    expect(all.call('k1=v1;k2=v2', '(\\w+)=(\\w+)', 2)).toEqual(['v1', 'v2']);
    expect(fn('REGEXP_EXTRACT_ALL', [S, S]).call('k1=v1;k2=v2', '(\\w+)=')).toEqual(['k1', 'k2']);
    expect(all.call('abc', '(x)', 1)).toEqual([]);
    expect(all.call('abc', '(a)', 2)).toBeNull();
    expect(fn('REGEXP_INSTR', [S, S]).call('hello world', 'o\\s')).toBe(5);
    expect(fn('REGEXP_INSTR', [S, S]).call('😀ab', 'b')).toBe(3);
    expect(fn('REGEXP_INSTR', [S, S]).call('hello', 'z')).toBe(0);
    expect(fn('REGEXP_SUBSTR', [S, S]).call('order 1234 shipped', '\\d+')).toBe('1234');
    expect(fn('REGEXP_SUBSTR', [S, S]).call('none', '\\d+')).toBeNull();
  });
});

describe('URLs and character sets', () => {
  it('URL_ENCODE / URL_DECODE as Java', () => {
    expect(fn('URL_ENCODE', [S]).call('a b&c=d/é*')).toBe('a+b%26c%3Dd%2F%C3%A9*');
    expect(fn('URL_DECODE', [S]).call('a+b%26c%3Dd%2F%C3%A9')).toBe('a b&c=d/é');
    expect(fn('URL_DECODE', [S]).call('bad%2')).toBeNull();
    expect(fn('URL_DECODE', [S]).call('%FF')).toBeNull();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(urlDecode(urlEncode(s))).toBe(s);
      }),
      { numRuns: 200 },
    );
  });
  it('PARSE_URL parts and query parameters', () => {
    const f = fn('PARSE_URL', [S, S]);
    const url = 'https://user:pw@example.com:8080/a/b.html?x=1&y=two#frag';
    expect(f.call(url, 'PROTOCOL')).toBe('https');
    expect(f.call(url, 'HOST')).toBe('example.com');
    expect(f.call(url, 'AUTHORITY')).toBe('user:pw@example.com:8080');
    expect(f.call(url, 'USERINFO')).toBe('user:pw');
    expect(f.call(url, 'PATH')).toBe('/a/b.html');
    expect(f.call(url, 'QUERY')).toBe('x=1&y=two');
    expect(f.call(url, 'REF')).toBe('frag');
    expect(f.call(url, 'FILE')).toBe('/a/b.html?x=1&y=two');
    expect(f.call('http://h/p', 'QUERY')).toBeNull();
    expect(f.call('no scheme here', 'HOST')).toBeNull();
    const q = fn('PARSE_URL', [S, S, S]);
    expect(q.call(url, 'QUERY', 'y')).toBe('two');
    expect(q.call(url, 'QUERY', 'z')).toBeNull();
    expect(q.call(url, 'HOST', 'y')).toBeNull();
    expect(() => f.call(url, 'PORT')).toThrow(/unknown part/);
  });
  it('ENCODE / DECODE', () => {
    const enc = fn('ENCODE', [S, S]);
    const dec = fn('DECODE', [T.bytes(), S]);
    expect(enc.type).toBe('BYTES');
    expect(enc.call('é', 'UTF-8')).toEqual(new Uint8Array([0xc3, 0xa9]));
    expect(enc.call('é', 'ISO-8859-1')).toEqual(new Uint8Array([0xe9]));
    expect(enc.call('é', 'US-ASCII')).toEqual(new Uint8Array([0x3f]));
    expect(enc.call('A', 'UTF-16')).toEqual(new Uint8Array([0xfe, 0xff, 0, 0x41]));
    expect(enc.call('A', 'utf-16le')).toEqual(new Uint8Array([0x41, 0]));
    expect(dec.call(new Uint8Array([0xc3, 0xa9]), 'UTF-8')).toBe('é');
    expect(dec.call(new Uint8Array([0xe9]), 'ISO-8859-1')).toBe('é');
    expect(dec.call(new Uint8Array([0xff, 0xfe, 0x41, 0]), 'UTF-16')).toBe('A');
    expect(() => enc.call('a', 'EBCDIC')).toThrow(/Unsupported character set/);
    for (const cs of ['UTF-8', 'UTF-16', 'UTF-16BE', 'UTF-16LE']) {
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme' }), (s) => {
          expect(dec.call(enc.call(s, cs), cs)).toBe(s);
        }),
        { numRuns: 50 },
      );
    }
  });
});

describe('PRINTF', () => {
  const p = (types: LogicalType[], ...args: Value[]) => fn('PRINTF', [S, ...types]).call(...args);
  it('formats as java.util.Formatter', () => {
    expect(p([T.int(), S], '%d items of %s', 3, 'tea')).toBe('3 items of tea');
    expect(p([T.int(), T.int(), T.int()], '[%5d|%-5d|%05d]', 42, 42, 42)).toBe('[   42|42   |00042]');
    expect(p([T.bigint()], '%,d', 1234567n)).toBe('1,234,567');
    expect(p([T.int(), T.int()], '%+d %(d', 5, -5)).toBe('+5 (5)');
    expect(p([T.int(), T.int(), T.int()], '%x %X %o', 255, 255, 8)).toBe('ff FF 10');
    expect(p([T.int()], '%x', -1)).toBe('ffffffff');
    expect(p([T.bigint()], '%x', -1n)).toBe('ffffffffffffffff');
    expect(p([T.double()], '%.2f', 2.675)).toBe('2.68');
    expect(p([T.double()], '%f', 1.5)).toBe('1.500000');
    expect(p([T.double()], '%.3e', 12345.678)).toBe('1.235e+04');
    expect(p([T.double()], '%E', 0.000123)).toBe('1.230000E-04');
    expect(p([T.decimal(10, 2)], '%.1f', 1255n)).toBe('12.6');
    expect(p([T.double()], '%,.2f', -1234567.891)).toBe('-1,234,567.89');
    expect(p([S, S], '%2$s %1$s', 'a', 'b')).toBe('b a');
    expect(p([S, S], '%.2s|%S', 'abc', 'abc')).toBe('ab|ABC');
    expect(p([T.boolean(), T.boolean()], '%b %B', null, true)).toBe('false TRUE');
    expect(p([S], '%s', null)).toBe('null');
    expect(p([], '100%% done%n')).toBe('100% done\n');
    expect(p([T.double()], '%s', 1)).toBe('1.0');
    expect(p([S], '%c', 'x')).toBe('x');
  });
  it('refuses mismatched conversions and missing arguments; NULL format is NULL', () => {
    expect(() => p([S], '%d', 'x')).toThrow(expect.objectContaining({ code: 'INVALID_FORMAT' }));
    expect(() => p([T.int()], '%f', 1)).toThrow(/cannot format/);
    expect(() => p([], '%s')).toThrow(/needs more arguments/);
    expect(() => p([], '%q')).toThrow(/unknown conversion/);
    expect(fn('PRINTF', [S]).call(null)).toBeNull();
    expect(() => fn('PRINTF', [T.int()])).toThrow(sigError);
  });
  it('%.nf agrees with a bigint reference on decimal values', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.integer({ min: 0, max: 6 }),
        (u, prec) => {
          // reference: value u / 10^4 rounded half-up to prec decimals
          const scale = 4;
          const abs = u < 0n ? -u : u;
          const div = 10n ** BigInt(scale - Math.min(prec, scale));
          let q = abs / div + ((abs % div) * 2n >= div ? 1n : 0n);
          if (prec > scale) q *= 10n ** BigInt(prec - scale);
          const digits = q.toString().padStart(prec + 1, '0');
          const text = prec === 0 ? digits : `${digits.slice(0, -prec)}.${digits.slice(-prec)}`;
          expect(p([T.decimal(19, 4)], `%.${prec}f`, u)).toBe(`${u < 0n ? '-' : ''}${text}`);
        },
      ),
      { numRuns: 200 },
    );
  });
});
