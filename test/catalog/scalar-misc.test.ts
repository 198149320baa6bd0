import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FunctionRegistry } from '../../catalog/functions/registry.ts';
import { registerScalarBuiltins, resolveScalarCall } from '../../catalog/functions/scalar/index.ts';
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
    deterministic: r.deterministic,
    call: (...args: Value[]): Value =>
      r.nullOnNullInput && args.some((a) => a === null) ? null : r.impl(...args),
  };
}
const S = T.string();
const sigError = expect.objectContaining({ code: 'FUNCTION_SIGNATURE', phase: 'plan' });

describe('COALESCE / IFNULL / NULLIF / IF', () => {
  it('COALESCE widens to the common type and is NOT NULL when one argument is', () => {
    const c = fn('COALESCE', [T.int(), T.bigint(false)]);
    expect(c.type).toBe('BIGINT NOT NULL');
    expect(c.call(5, 7n)).toBe(5n);
    expect(c.call(null, 7n)).toBe(7n);
    const d = fn('COALESCE', [T.int(), T.decimal(5, 2)]);
    expect(d.type).toBe('DECIMAL(12, 2)');
    expect(d.call(3, null)).toBe(300n);
    expect(fn('COALESCE', [S, S]).type).toBe('STRING');
    expect(fn('COALESCE', [S, S]).call(null, null)).toBeNull();
    expect(fn('COALESCE', [T.null(), T.int()]).call(null, 4)).toBe(4);
    expect(() => fn('COALESCE', [T.int(), T.boolean()])).toThrow(sigError);
    expect(() => fn('COALESCE', [])).toThrow(sigError);
  });
  it('IFNULL', () => {
    const f = fn('IFNULL', [T.int(), T.int(false)]);
    expect(f.type).toBe('INT NOT NULL');
    expect(f.call(null, 2)).toBe(2);
    expect(f.call(1, 2)).toBe(1);
    expect(fn('IFNULL', [S, S]).call(null, null)).toBeNull();
  });
  it('NULLIF', () => {
    const f = fn('NULLIF', [T.int(false), T.int(false)]);
    expect(f.type).toBe('INT');
    expect(f.call(1, 1)).toBeNull();
    expect(f.call(1, 2)).toBe(1);
    expect(f.call(1, null)).toBe(1);
    expect(fn('NULLIF', [T.int(), T.bigint()]).call(3, 3n)).toBeNull();
    expect(fn('NULLIF', [T.array(T.int()), T.array(T.int())]).call([1, 2], [1, 2])).toBeNull();
  });
  it('IF takes the else branch for FALSE and NULL', () => {
    const f = fn('IF', [T.boolean(), T.int(false), T.bigint(false)]);
    expect(f.type).toBe('BIGINT NOT NULL');
    expect(f.call(true, 1, 2n)).toBe(1n);
    expect(f.call(false, 1, 2n)).toBe(2n);
    expect(f.call(null, 1, 2n)).toBe(2n);
    expect(() => fn('IF', [T.int(), T.int(), T.int()])).toThrow(sigError);
  });
});

describe('GREATEST / LEAST', () => {
  it('compare after widening; NULL if any argument is NULL', () => {
    const g = fn('GREATEST', [T.int(), T.double(), T.bigint()]);
    expect(g.type).toBe('DOUBLE');
    expect(g.call(1, 2.5, 3n)).toBe(3);
    expect(g.call(1, null, 3n)).toBeNull();
    expect(fn('LEAST', [S, S, S]).call('b', 'a', 'c')).toBe('a');
    expect(fn('GREATEST', [T.date(), T.date()]).call(10, 20)).toBe(20);
    expect(fn('LEAST', [T.decimal(5, 2), T.decimal(5, 1)]).call(150n, 14n)).toBe(140n);
    expect(fn('GREATEST', [T.int(false), T.int(false)]).type).toBe('INT NOT NULL');
    expect(() => fn('GREATEST', [T.array(T.int())])).toThrow(sigError);
    expect(() => fn('LEAST', [T.int(), S])).toThrow(sigError);
  });
  it('GREATEST is the maximum of a list of integers', () => {
    const g = fn('GREATEST', [T.int(), T.int(), T.int(), T.int()]);
    const l = fn('LEAST', [T.int(), T.int(), T.int(), T.int()]);
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 4, maxLength: 4 }), (xs) => {
        expect(g.call(...xs)).toBe(Math.max(...xs));
        expect(l.call(...xs)).toBe(Math.min(...xs));
      }),
      { numRuns: 100 },
    );
  });
});

describe('IS_ALPHA / IS_DIGIT / IS_DECIMAL', () => {
  it('classify text; FALSE for NULL and empty', () => {
    expect(fn('IS_ALPHA', [S]).type).toBe('BOOLEAN NOT NULL');
    expect(fn('IS_ALPHA', [S]).call('abcÄ')).toBe(true);
    expect(fn('IS_ALPHA', [S]).call('ab1')).toBe(false);
    expect(fn('IS_ALPHA', [S]).call('')).toBe(false);
    expect(fn('IS_ALPHA', [S]).call(null)).toBe(false);
    expect(fn('IS_DIGIT', [S]).call('0123')).toBe(true);
    expect(fn('IS_DIGIT', [S]).call('12.3')).toBe(false);
    expect(fn('IS_DECIMAL', [S]).call('-12.3e4')).toBe(true);
    expect(fn('IS_DECIMAL', [S]).call('.5')).toBe(true);
    expect(fn('IS_DECIMAL', [S]).call('1.2.3')).toBe(false);
    expect(fn('IS_DECIMAL', [S]).call(null)).toBe(false);
    expect(() => fn('IS_DIGIT', [T.int()])).toThrow(sigError);
  });
});

describe('hashes and encodings', () => {
  it('known digests', () => {
    expect(fn('MD5', [S]).call('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(fn('MD5', [S]).call('abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(fn('SHA1', [S]).call('abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(fn('SHA256', [S]).call('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(fn('SHA2', [S, T.int()]).call('abc', 224)).toBe(
      '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7',
    );
    expect(fn('SHA2', [S, T.int()]).call('abc', 100)).toBeNull();
    expect(fn('SHA512', [S]).call('abc')).toHaveLength(128);
    expect(fn('SHA384', [S]).call('abc')).toHaveLength(96);
    expect(fn('MD5', [T.bytes()]).call(new TextEncoder().encode('abc'))).toBe(
      '900150983cd24fb0d6963f7d28e17f72',
    );
    expect(fn('MD5', [S]).call(null)).toBeNull();
    expect(fn('MD5', [T.string(false)]).type).toBe('CHAR(32) NOT NULL');
    expect(fn('SHA256', [S]).type).toBe('CHAR(64)');
    expect(fn('SHA2', [T.string(false), T.int(false)]).type).toBe('VARCHAR(128)');
    expect(() => fn('MD5', [T.int()])).toThrow(sigError);
  });
  it('base64 round trips and rejects bad input', () => {
    expect(fn('TO_BASE64', [S]).call('hello world')).toBe('aGVsbG8gd29ybGQ=');
    expect(fn('FROM_BASE64', [S]).call('aGVsbG8gd29ybGQ=')).toBe('hello world');
    expect(fn('FROM_BASE64', [S]).call('aGk')).toBe('hi');
    expect(() => fn('FROM_BASE64', [S]).call('a$b=')).toThrow(
      expect.objectContaining({ code: 'INVALID_BASE64' }),
    );
    expect(() => fn('FROM_BASE64', [S]).call('abcde')).toThrow(RivuletError);
    const enc = fn('TO_BASE64', [S]);
    const dec = fn('FROM_BASE64', [S]);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(dec.call(enc.call(s))).toBe(s);
      }),
      { numRuns: 200 },
    );
  });
  it('UUID is a fresh version-4 UUID per call', () => {
    const u = fn('UUID', []);
    expect(u.deterministic).toBe(false);
    expect(u.type).toBe('CHAR(36) NOT NULL');
    const a = u.call() as string;
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(u.call()).not.toBe(a);
  });
});

describe('TYPEOF', () => {
  it('prints the argument type as Flink does', () => {
    expect(fn('TYPEOF', [T.int(false)]).call(1)).toBe('INT NOT NULL');
    expect(fn('TYPEOF', [T.decimal(10, 2)]).call(null)).toBe('DECIMAL(10, 2)');
    expect(fn('TYPEOF', [T.string(), T.boolean(false)]).call(null, true)).toBe('STRING');
    expect(fn('TYPEOF', [T.array(T.int())]).type).toBe('STRING');
    expect(() => fn('TYPEOF', [])).toThrow(sigError);
  });
});

describe('collections', () => {
  const AI = T.array(T.int());
  it('CARDINALITY / ELEMENT / ITEM', () => {
    expect(fn('CARDINALITY', [AI]).call([1, 2, 3])).toBe(3);
    expect(fn('CARDINALITY', [T.map(S, T.int())]).call(new Map([['a', 1]]))).toBe(1);
    expect(
      fn('CARDINALITY', [T.multiset(S)]).call(
        new Map([
          ['a', 2],
          ['b', 1],
        ]),
      ),
    ).toBe(3);
    expect(fn('CARDINALITY', [AI]).call(null)).toBeNull();
    expect(fn('ELEMENT', [AI]).call([7])).toBe(7);
    expect(fn('ELEMENT', [AI]).call([])).toBeNull();
    expect(() => fn('ELEMENT', [AI]).call([1, 2])).toThrow(/at most one/);
    const item = fn('ITEM', [AI, T.int()]);
    expect(item.type).toBe('INT');
    expect(item.call([10, 20], 1)).toBe(10);
    expect(item.call([10, 20], 0)).toBeNull();
    expect(item.call([10, 20], 3)).toBeNull();
    const m = fn('ITEM', [T.map(S, T.int(false)), S]);
    expect(m.type).toBe('INT');
    expect(m.call(new Map([['a', 1]]), 'a')).toBe(1);
    expect(m.call(new Map([['a', 1]]), 'b')).toBeNull();
    const bk = fn('ITEM', [T.map(T.bigint(), S), T.int()]);
    expect(bk.call(new Map([[5n, 'five']]), 5)).toBe('five');
    const arrKey = fn('ITEM', [T.map(AI, S), AI]);
    expect(arrKey.call(new Map([[[1, 2], 'x']]), [1, 2])).toBe('x');
    expect(() => fn('ITEM', [AI, S])).toThrow(sigError);
    expect(() => fn('ITEM', [T.map(S, S), T.boolean()])).toThrow(sigError);
    expect(() => fn('CARDINALITY', [S])).toThrow(sigError);
  });
  it('ARRAY_CONTAINS / ARRAY_POSITION / ARRAY_REMOVE', () => {
    const c = fn('ARRAY_CONTAINS', [AI, T.int()]);
    expect(c.call([1, 2, null], 2)).toBe(true);
    expect(c.call([1, 2], 3)).toBe(false);
    expect(c.call([1, null], null)).toBe(true);
    expect(c.call([1], null)).toBe(false);
    expect(c.call(null, 1)).toBeNull();
    expect(fn('ARRAY_CONTAINS', [T.array(T.bigint()), T.int()]).call([1n, 2n], 2)).toBe(true);
    // Elements compare as the = operator does: NaN <> NaN and 0.0 = -0.0 (Java's ==).
    const dbl = fn('ARRAY_CONTAINS', [T.array(T.double()), T.double()]);
    expect(dbl.call([Number.NaN], Number.NaN)).toBe(false);
    expect(dbl.call([0], -0)).toBe(true);
    expect(
      fn('ARRAY_CONTAINS', [T.array(T.bytes()), T.bytes()]).call([new Uint8Array([1])], new Uint8Array([1])),
    ).toBe(true);
    expect(() => fn('ARRAY_CONTAINS', [AI, S])).toThrow(sigError);
    const p = fn('ARRAY_POSITION', [AI, T.int()]);
    expect(p.call([5, 6, 5], 5)).toBe(1);
    expect(p.call([5, 6], 7)).toBe(0);
    expect(p.call([5, 6], null)).toBeNull();
    const r = fn('ARRAY_REMOVE', [AI, T.int()]);
    expect(r.call([1, 2, 1, null], 1)).toEqual([2, null]);
    expect(r.call([1, null], null)).toEqual([1]);
    expect(r.call(null, 1)).toBeNull();
  });
  it('ARRAY_DISTINCT / ARRAY_REVERSE / ARRAY_CONCAT / ARRAY_JOIN', () => {
    expect(fn('ARRAY_DISTINCT', [AI]).call([1, 2, 1, null, null, 3])).toEqual([1, 2, null, 3]);
    expect(fn('ARRAY_DISTINCT', [T.array(AI)]).call([[1], [1], [2]])).toEqual([[1], [2]]);
    expect(fn('ARRAY_REVERSE', [AI]).call([1, 2, 3])).toEqual([3, 2, 1]);
    const cat = fn('ARRAY_CONCAT', [AI, T.array(T.bigint())]);
    expect(cat.type).toBe('ARRAY<BIGINT>');
    expect(cat.call([1, null], [2n])).toEqual([1n, null, 2n]);
    expect(cat.call([1], null)).toBeNull();
    expect(() => fn('ARRAY_CONCAT', [AI, T.array(S)])).toThrow(sigError);
    const j = fn('ARRAY_JOIN', [T.array(S), S]);
    expect(j.call(['a', null, 'b'], ',')).toBe('a,b');
    expect(fn('ARRAY_JOIN', [T.array(S), S, S]).call(['a', null, 'b'], ',', '?')).toBe('a,?,b');
    expect(j.call(null, ',')).toBeNull();
    expect(() => fn('ARRAY_JOIN', [AI, S])).toThrow(sigError);
  });
  it('ARRAY_DISTINCT keeps first occurrences (brute-force reference)', () => {
    const d = fn('ARRAY_DISTINCT', [AI]);
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 5 }), { nil: null })), (xs) => {
        const want = xs.filter((x, i) => xs.indexOf(x) === i);
        expect(d.call(xs)).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });
  it('MAP_KEYS / MAP_VALUES / MAP_ENTRIES / MAP_FROM_ARRAYS', () => {
    const MT = T.map(S, T.int());
    const m = new Map<string, number | null>([
      ['a', 1],
      ['b', null],
    ]);
    expect(fn('MAP_KEYS', [MT]).call(m)).toEqual(['a', 'b']);
    expect(fn('MAP_KEYS', [MT]).type).toBe('ARRAY<STRING>');
    expect(fn('MAP_VALUES', [MT]).call(m)).toEqual([1, null]);
    expect(fn('MAP_ENTRIES', [MT]).call(m)).toEqual([
      ['a', 1],
      ['b', null],
    ]);
    expect(fn('MAP_ENTRIES', [MT]).type).toBe('ARRAY<ROW<`key` STRING, `value` INT> NOT NULL>');
    const f = fn('MAP_FROM_ARRAYS', [T.array(S), AI]);
    expect(f.call(['x', 'y'], [1, 2])).toEqual(
      new Map([
        ['x', 1],
        ['y', 2],
      ]),
    );
    expect(() => f.call(['x'], [1, 2])).toThrow(/1 keys but 2 values/);
    expect(fn('MAP_KEYS', [MT]).call(null)).toBeNull();
    expect(() => fn('MAP_KEYS', [AI])).toThrow(sigError);
  });
  it('ARRAY / MAP / ROW constructors', () => {
    const a = fn('ARRAY', [T.int(false), T.bigint()]);
    expect(a.type).toBe('ARRAY<BIGINT> NOT NULL');
    expect(a.call(1, null)).toEqual([1n, null]);
    const m = fn('MAP', [S, T.int(), S, T.int()]);
    expect(m.call('a', 1, 'a', 2)).toEqual(new Map([['a', 2]]));
    expect(() => fn('MAP', [S])).toThrow(sigError);
    const r = fn('ROW', [T.int(), S]);
    expect(r.type).toBe('ROW<`EXPR$0` INT, `EXPR$1` STRING> NOT NULL');
    expect(r.call(1, null)).toEqual([1, null]);
  });
});
