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
    call: (...args: Value[]): Value =>
      r.nullOnNullInput && args.some((a) => a === null) ? null : r.impl(...args),
  };
}
const S = T.string();
const I = T.int();
const str = (name: string, n: number) => fn(name, Array(n).fill(S));

const signatureError = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RivuletError);
    expect((e as RivuletError).code).toBe('FUNCTION_SIGNATURE');
    return (e as RivuletError).message;
  }
  throw new Error('expected a signature error');
};

/** A reference SUBSTRING on code-point arrays, written from Flink's documented rules. */
function refSubstring(s: string, start: number, len?: number): string | null {
  if (len !== undefined && len < 0) return null;
  const cps = Array.from(s);
  const from = start > 0 ? start - 1 : start < 0 ? cps.length + start : 0;
  if (from < 0 || from >= cps.length) return '';
  return cps.slice(from, len === undefined ? undefined : from + len).join('');
}

describe('lengths and case', () => {
  it('CHAR_LENGTH counts code points', () => {
    const f = fn('CHAR_LENGTH', [S]);
    expect(f.type).toBe('INT');
    expect(f.call('hello')).toBe(5);
    expect(f.call('')).toBe(0);
    expect(f.call('a😀b')).toBe(3);
    expect(f.call(null)).toBeNull();
    expect(fn('CHARACTER_LENGTH', [T.string(false)]).type).toBe('INT NOT NULL');
    signatureError(() => fn('CHAR_LENGTH', [I]));
  });
  it('UPPER / LOWER / INITCAP', () => {
    expect(str('UPPER', 1).call('straße')).toBe('STRASSE');
    expect(str('LOWER', 1).call('ÀBC')).toBe('àbc');
    expect(str('INITCAP', 1).call('hello wORLD, 2nd-tIME')).toBe('Hello World, 2nd-Time');
    expect(str('UPPER', 1).call(null)).toBeNull();
    expect(fn('UPPER', [T.varchar(10, false)]).type).toBe('VARCHAR(10) NOT NULL');
    expect(fn('LOWER', [T.char(3)]).type).toBe('CHAR(3)');
  });
  it('REVERSE is an involution on code points', () => {
    const r = str('REVERSE', 1);
    expect(r.call('abc😀')).toBe('😀cba');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite' }), (s) => {
        expect(r.call(r.call(s))).toBe(s);
      }),
      { numRuns: 200 },
    );
  });
});

describe('TRIM family', () => {
  it('TRIM(s) and TRIM(mode, chars, s)', () => {
    expect(str('TRIM', 1).call('  a b  ')).toBe('a b');
    const t = str('TRIM', 3);
    expect(t.call('BOTH', 'xy', 'xyaxbyx')).toBe('axb');
    expect(t.call('LEADING', 'x', 'xxaxx')).toBe('axx');
    expect(t.call('TRAILING', ' ', '  a  ')).toBe('  a');
    expect(t.call('both', '😀', '😀a😀')).toBe('a');
    expect(() => t.call('MIDDLE', ' ', 'a')).toThrow(/BOTH, LEADING or TRAILING/);
    expect(t.call(null, ' ', 'a')).toBeNull();
  });
  it('LTRIM / RTRIM / BTRIM only touch spaces by default', () => {
    expect(str('LTRIM', 1).call(' \t a ')).toBe('\t a ');
    expect(str('RTRIM', 1).call(' a  ')).toBe(' a');
    expect(str('BTRIM', 1).call('  a  ')).toBe('a');
    expect(str('LTRIM', 2).call('abcab', 'ba')).toBe('cab');
    expect(str('RTRIM', 2).call('abcab', 'ba')).toBe('abc');
  });
});

describe('padding', () => {
  it('LPAD / RPAD as Flink', () => {
    const l = fn('LPAD', [S, I, S]);
    const r = fn('RPAD', [S, I, S]);
    expect(l.type).toBe('STRING');
    expect(l.call('hi', 4, '??')).toBe('??hi');
    expect(l.call('hi', 5, 'ab')).toBe('abahi');
    expect(l.call('hi', 1, '??')).toBe('h');
    expect(r.call('hi', 5, 'ab')).toBe('hiaba');
    expect(r.call('hi', 0, 'x')).toBe('');
    expect(l.call('hi', -1, 'x')).toBeNull();
    expect(l.call('hi', 4, '')).toBeNull();
    expect(l.call(null, 4, 'x')).toBeNull();
  });
  it('result length is exactly len (UTF-16 units) for ASCII input', () => {
    const l = fn('LPAD', [S, I, S]);
    const r = fn('RPAD', [S, I, S]);
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 50 }), fc.string({ minLength: 1 }), (s, n, p) => {
        const a = l.call(s, n, p) as string;
        const b = r.call(s, n, p) as string;
        expect(a.length).toBe(n);
        expect(b.length).toBe(n);
        if (n >= s.length) {
          expect(a.endsWith(s)).toBe(true);
          expect(b.startsWith(s)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('SUBSTRING, LEFT, RIGHT, OVERLAY', () => {
  it('Flink examples and edge cases', () => {
    const s = fn('SUBSTRING', [S, I, I]);
    const s2 = fn('SUBSTR', [S, I]);
    expect(s.call('Hello World', 1, 5)).toBe('Hello');
    expect(s2.call('Hello World', 7)).toBe('World');
    expect(s2.call('Hello', -3)).toBe('llo');
    expect(s2.call('Hello', 0)).toBe('Hello');
    expect(s2.call('Hello', 10)).toBe('');
    expect(s2.call('Hello', -10)).toBe('');
    expect(s.call('Hello', 2, 100)).toBe('ello');
    expect(s.call('Hello', 2, -1)).toBeNull();
    expect(s.call('a😀b', 2, 1)).toBe('😀');
    expect(s.call(null, 1, 1)).toBeNull();
    expect(s.type).toBe('STRING');
  });
  it('SUBSTRING agrees with a brute-force reference', () => {
    const s = fn('SUBSTRING', [S, I, I]);
    const s2 = fn('SUBSTRING', [S, I]);
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 12 }),
        fc.integer({ min: -15, max: 15 }),
        fc.integer({ min: -2, max: 15 }),
        (x, start, len) => {
          expect(s.call(x, start, len)).toBe(refSubstring(x, start, len));
          expect(s2.call(x, start)).toBe(refSubstring(x, start));
        },
      ),
      { numRuns: 300 },
    );
  });
  it('LEFT / RIGHT', () => {
    expect(fn('LEFT', [S, I]).call('Hello', 2)).toBe('He');
    expect(fn('LEFT', [S, I]).call('Hello', -1)).toBe('');
    expect(fn('RIGHT', [S, I]).call('Hello', 3)).toBe('llo');
    expect(fn('RIGHT', [S, I]).call('Hello', 30)).toBe('Hello');
    expect(fn('RIGHT', [S, I]).call('a😀', 1)).toBe('😀');
    expect(fn('LEFT', [T.char(5), I]).type).toBe('VARCHAR(5)');
    expect(fn('LTRIM', [T.varchar(7)]).type).toBe('VARCHAR(7)');
  });
  it('OVERLAY replaces a range', () => {
    const o = fn('OVERLAY', [S, S, I]);
    const o4 = fn('OVERLAY', [S, S, I, I]);
    expect(o.call('This is an old string', ' new', 11)).toBe('This is an new string');
    expect(o4.call('This is an old string', ' new', 11, 4)).toBe('This is an new string');
    expect(o4.call('abcdef', 'XY', 2, 0)).toBe('aXYbcdef');
    expect(o4.call('abcdef', 'XY', 5, 10)).toBe('abcdXY');
    expect(o4.call('abc', 'XY', 9, 1)).toBe('abcXY');
  });
});

describe('searching', () => {
  it('POSITION / LOCATE / INSTR are 1-based, 0 when absent', () => {
    expect(fn('POSITION', [S, S]).call('lo', 'Hello')).toBe(4);
    expect(fn('POSITION', [S, S]).call('x', 'Hello')).toBe(0);
    expect(fn('POSITION', [S, S]).call('', 'Hello')).toBe(1);
    expect(fn('POSITION', [S, S]).call('b', '😀b')).toBe(2);
    expect(fn('POSITION', [S, S, I]).call('l', 'Hello', 4)).toBe(4);
    expect(fn('POSITION', [S, S, I]).call('l', 'Hello', 5)).toBe(0);
    expect(fn('POSITION', [S, S, I]).call('l', 'Hello', 0)).toBe(0);
    expect(fn('LOCATE', [S, S]).call('l', 'Hello')).toBe(3);
    expect(fn('LOCATE', [S, S, I]).call('l', 'Hello', 4)).toBe(4);
    expect(fn('LOCATE', [S, S, I]).call('l', 'Hello', 5)).toBe(0);
    expect(fn('LOCATE', [S, S, I]).call('l', 'Hello', 0)).toBe(0);
    expect(fn('INSTR', [S, S]).call('Hello', 'll')).toBe(3);
    expect(fn('INSTR', [S, S]).call(null, 'll')).toBeNull();
  });
});

describe('building strings', () => {
  it('REPEAT / REPLACE', () => {
    expect(fn('REPEAT', [S, I]).call('ab', 3)).toBe('ababab');
    expect(fn('REPEAT', [S, I]).call('ab', -1)).toBe('');
    expect(fn('REPEAT', [S, I]).call('', 2147483647)).toBe('');
    expect(() => fn('REPEAT', [S, I]).call('ab', 2147483647)).toThrow(
      expect.objectContaining({ code: 'STRING_TOO_LONG' }),
    );
    expect(() => fn('LPAD', [S, I, S]).call('ab', 2147483647, 'x')).toThrow(
      expect.objectContaining({ code: 'STRING_TOO_LONG' }),
    );
    expect(str('REPLACE', 3).call('hello world', 'o', '0')).toBe('hell0 w0rld');
    expect(str('REPLACE', 3).call('abc', '', '-')).toBe('-a-b-c-');
    expect(str('REPLACE', 3).call('a.b', '.', '$&')).toBe('a$&b');
  });
  it('CONCAT is NULL on any NULL; CONCAT_WS skips NULLs', () => {
    expect(fn('CONCAT', [S, S, S]).call('a', 'b', 'c')).toBe('abc');
    expect(fn('CONCAT', [S, S]).call('a', null)).toBeNull();
    const ws = fn('CONCAT_WS', [S, S, S, S]);
    expect(ws.call('~', 'a', null, 'c')).toBe('a~c');
    expect(ws.call(null, 'a', 'b', 'c')).toBeNull();
    expect(fn('CONCAT_WS', [T.string(false), S]).type).toBe('STRING NOT NULL');
    signatureError(() => fn('CONCAT', [S, I]));
    signatureError(() => fn('CONCAT', [S, T.bytes()]));
    expect(fn('CONCAT', [T.varchar(3), T.char(2, false)]).type).toBe('VARCHAR(5)');
    expect(fn('CONCAT', [T.char(3, false), T.char(2, false)]).type).toBe('CHAR(5) NOT NULL');
    expect(fn('CONCAT', [S, S]).type).toBe('STRING');
    const bytes = fn('CONCAT', [T.bytes(), T.binary(2)]);
    expect(bytes.type).toBe('BYTES');
    expect(bytes.call(new Uint8Array([1]), new Uint8Array([2, 3]))).toEqual(new Uint8Array([1, 2, 3]));
  });
  it('SPLIT_INDEX picks a 0-based part', () => {
    const f = fn('SPLIT_INDEX', [S, S, I]);
    expect(f.call('Jack,John,Mary', ',', 2)).toBe('Mary');
    expect(f.call('Jack,John,Mary', ',', 3)).toBeNull();
    expect(f.call('a,,b', ',', 1)).toBe('');
    expect(f.call('a::b', '::', 1)).toBe('b');
    expect(f.call('a,b', ',', -1)).toBeNull();
    expect(fn('SPLIT_INDEX', [T.string(false), T.string(false), T.int(false)]).type).toBe('STRING');
  });
  it('STR_TO_MAP with default and regex delimiters', () => {
    const f = fn('STR_TO_MAP', [S]);
    expect(f.call('a=1,b=2,c')).toEqual(
      new Map<string, string | null>([
        ['a', '1'],
        ['b', '2'],
        ['c', null],
      ]),
    );
    expect(f.call('')).toEqual(new Map());
    const g = fn('STR_TO_MAP', [S, S, S]);
    expect(g.call('a:1;b:2=3', ';', ':')).toEqual(
      new Map([
        ['a', '1'],
        ['b', '2=3'],
      ]),
    );
    expect(g.call('a.1|b.2', '\\|', '\\.')).toEqual(
      new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
    );
    expect(f.type).toBe('MAP<STRING, STRING>');
  });
  it('ASCII / CHR', () => {
    expect(str('ASCII', 1).call('abc')).toBe(97);
    expect(str('ASCII', 1).call('')).toBe(0);
    expect(str('ASCII', 1).type).toBe('TINYINT');
    expect(fn('CHR', [T.int(false)]).type).toBe('CHAR(1) NOT NULL');
    expect(fn('CHR', [I]).call(97)).toBe('a');
    expect(fn('CHR', [I]).call(353)).toBe('a'); // 353 & 255 = 97
    expect(fn('CHR', [I]).call(-1)).toBe('');
    expect(fn('CHR', [I]).call(null)).toBeNull();
  });
});

describe('argument checking', () => {
  it('lists accepted signatures', () => {
    const msg = signatureError(() => fn('LPAD', [S, S, S]));
    expect(msg).toContain('LPAD(STRING, INT len, STRING pad)');
    expect(msg).toContain("Cannot apply 'LPAD'");
    signatureError(() => fn('SUBSTRING', [S]));
    signatureError(() => fn('TRIM', [S, S]));
    signatureError(() => fn('REPEAT', [S, S]));
    signatureError(() => fn('STR_TO_MAP', [S, S]));
  });
  it('an untyped NULL literal fits any string argument', () => {
    expect(fn('UPPER', [T.null()]).call(null)).toBeNull();
  });
});
