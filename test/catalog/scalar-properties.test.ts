/**
 * Property tests of the scalar built-ins against independent references that live only here:
 * JavaScript's Date (UTC calendar fields), Intl (wall clock in a time zone), JSON.stringify, and
 * brute-force string searches on code-point arrays.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FunctionRegistry } from '../../catalog/functions/registry.ts';
import { registerScalarBuiltins, resolveScalarCall } from '../../catalog/functions/scalar/index.ts';
import {
  evalJsonPath,
  JsonPathError,
  JsonPathSyntaxError,
  parseJson,
  parseJsonPath,
  stringifyJson,
} from '../../catalog/functions/scalar/jsonpath.ts';
import { type LogicalType, T } from '../../catalog/types.ts';
import type { Value } from '../../operators/api.ts';

const registry = new FunctionRegistry();
registerScalarBuiltins(registry);

function fn(name: string, types: LogicalType[], timeZone = 'UTC') {
  const def = registry.lookupScalar(name);
  if (!def) throw new Error(`no ${name}`);
  const r = resolveScalarCall(def, types, { timeZone, now: () => 0 });
  return (...args: Value[]): Value =>
    r.nullOnNullInput && args.some((a) => a === null) ? null : r.impl(...args);
}
const S = T.string();
const DAY = 86_400_000;
/** Timestamps between 1600 and 2400 (ms). */
const anyTs = fc.integer({ min: Date.UTC(1600, 0, 1), max: Date.UTC(2400, 0, 1) });

describe('calendar fields against Date', () => {
  it('EXTRACT of a TIMESTAMP equals the UTC fields of Date', () => {
    const e = fn('EXTRACT', [S, T.timestamp(3)]);
    fc.assert(
      fc.property(anyTs, (ms) => {
        const d = new Date(ms);
        const start = Date.UTC(d.getUTCFullYear(), 0, 1);
        expect(e('YEAR', ms)).toBe(BigInt(d.getUTCFullYear()));
        expect(e('MONTH', ms)).toBe(BigInt(d.getUTCMonth() + 1));
        expect(e('DAY', ms)).toBe(BigInt(d.getUTCDate()));
        expect(e('HOUR', ms)).toBe(BigInt(d.getUTCHours()));
        expect(e('MINUTE', ms)).toBe(BigInt(d.getUTCMinutes()));
        expect(e('SECOND', ms)).toBe(BigInt(d.getUTCSeconds()));
        expect(e('DOW', ms)).toBe(BigInt(d.getUTCDay() + 1));
        expect(e('DOY', ms)).toBe(BigInt(Math.floor((ms - start) / DAY) + 1));
        expect(e('QUARTER', ms)).toBe(BigInt(Math.floor(d.getUTCMonth() / 3) + 1));
      }),
      { numRuns: 300 },
    );
  });
  it('ISO week: Thursday rule, checked by walking to that week’s Thursday', () => {
    const e = fn('EXTRACT', [S, T.date()]);
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 100_000 }), (days) => {
        const isoDow = ((new Date(days * DAY).getUTCDay() + 6) % 7) + 1;
        const thursday = new Date((days - isoDow + 4) * DAY);
        const year = thursday.getUTCFullYear();
        const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY)) + 1;
        expect(e('WEEK', days)).toBe(BigInt(week));
        expect(e('ISOYEAR', days)).toBe(BigInt(year));
        expect(e('ISODOW', days)).toBe(BigInt(isoDow));
      }),
      { numRuns: 300 },
    );
  });
  it('FLOOR_TIME / CEIL_TIME bracket the value with unit boundaries', () => {
    const fl = fn('FLOOR_TIME', [S, T.timestamp(3)]);
    const ce = fn('CEIL_TIME', [S, T.timestamp(3)]);
    const startOf: Record<string, (d: Date) => number> = {
      YEAR: (d) => Date.UTC(d.getUTCFullYear(), 0, 1),
      QUARTER: (d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - (d.getUTCMonth() % 3), 1),
      MONTH: (d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
      WEEK: (d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - d.getUTCDay()),
      DAY: (d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()),
      HOUR: (d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()),
      MINUTE: (d) => Math.floor(d.getTime() / 60_000) * 60_000,
      SECOND: (d) => Math.floor(d.getTime() / 1000) * 1000,
    };
    fc.assert(
      fc.property(anyTs, fc.constantFrom(...Object.keys(startOf)), (ms, unit) => {
        const f = fl(unit, ms) as number;
        expect(f).toBe((startOf[unit] as (d: Date) => number)(new Date(ms)));
        const c = ce(unit, ms) as number;
        if (f === ms) expect(c).toBe(ms);
        else {
          expect(c).toBeGreaterThan(ms);
          // the ceiling is the next boundary: its floor is itself and one ms before floors to f
          expect(fl(unit, c)).toBe(c);
          expect(fl(unit, c - 1)).toBe(f);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('time zones against Intl', () => {
  const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC'];
  it('HOUR/MINUTE/DAY of a TIMESTAMP_LTZ are the wall clock of the session zone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1980, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom(...zones),
        (ms, zone) => {
          const parts = Object.fromEntries(
            new Intl.DateTimeFormat('en-US', {
              timeZone: zone,
              hourCycle: 'h23',
              year: 'numeric',
              month: 'numeric',
              day: 'numeric',
              hour: 'numeric',
              minute: 'numeric',
            })
              .formatToParts(ms)
              .map((p) => [p.type, p.value]),
          );
          const e = fn('EXTRACT', [S, T.timestampLtz(3)], zone);
          expect(e('HOUR', ms)).toBe(BigInt(Number(parts.hour)));
          expect(e('MINUTE', ms)).toBe(BigInt(Number(parts.minute)));
          expect(e('DAY', ms)).toBe(BigInt(Number(parts.day)));
          expect(e('MONTH', ms)).toBe(BigInt(Number(parts.month)));
        },
      ),
      { numRuns: 200 },
    );
  });
  it('FROM_UNIXTIME then UNIX_TIMESTAMP returns the second, except in repeated (overlap) hours', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000_000_000 }), fc.constantFrom(...zones), (sec, zone) => {
        const text = fn('FROM_UNIXTIME', [T.bigint()], zone)(BigInt(sec)) as string;
        const back = fn('UNIX_TIMESTAMP', [S], zone)(text) as bigint;
        // In an overlap the earlier of the two instants is chosen (java.time's rule).
        expect(back === BigInt(sec) || back < BigInt(sec)).toBe(true);
        expect(BigInt(sec) - back <= 3600n).toBe(true);
        expect(fn('FROM_UNIXTIME', [T.bigint()], zone)(back)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });
});

describe('JSON text', () => {
  it('parse then print reproduces JSON.stringify output', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        expect(stringifyJson(parseJson(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
  it('random path texts either parse or fail with a path syntax error; evaluation only fails with path errors', () => {
    const piece = fc.constantFrom(
      '$',
      '.',
      '..',
      'a',
      '*',
      '[',
      ']',
      '0',
      '1',
      ' to ',
      'last',
      '-',
      "'k'",
      '?',
      '(',
      ')',
      '@',
      '==',
      '<',
      '1.5',
      'lax ',
      'strict ',
      ',',
      ' ',
    );
    const doc = parseJson('{"a":[{"k":1},{"k":2,"a":{"k":[3]}}],"k":"v"}');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        let path: ReturnType<typeof parseJsonPath>;
        try {
          path = parseJsonPath(text);
        } catch (e) {
          expect(e).toBeInstanceOf(JsonPathSyntaxError);
          return;
        }
        try {
          expect(Array.isArray(evalJsonPath(path, doc))).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(JsonPathError);
        }
      }),
      { numRuns: 500 },
    );
  });
  it('JSON_VALUE reads back every member of a flat object', () => {
    const jv = fn('JSON_VALUE', [S, S]);
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1 }), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
        (o) => {
          const text = JSON.stringify(o);
          for (const [k, v] of Object.entries(o)) {
            const path = `$['${k.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
            expect(jv(text, path)).toBe(String(v));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('string searches against brute force on code points', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'b', '😀', 'é'), maxLength: 10 });
  it('LOCATE / POSITION / INSTR', () => {
    const locate = fn('LOCATE', [S, S, T.int()]);
    const position = fn('POSITION', [S, S]);
    const instr = fn('INSTR', [S, S]);
    fc.assert(
      fc.property(text, text, fc.integer({ min: -1, max: 12 }), (s, sub, from) => {
        const cs = Array.from(s);
        const subCs = Array.from(sub);
        const find = (start: number): number => {
          for (let i = start; i + subCs.length <= cs.length; i++) {
            if (subCs.every((c, j) => cs[i + j] === c)) return i + 1;
          }
          return 0;
        };
        expect(position(sub, s)).toBe(find(0));
        expect(instr(s, sub)).toBe(find(0));
        expect(locate(sub, s, from)).toBe(from < 1 || from - 1 > cs.length ? 0 : find(from - 1));
      }),
      { numRuns: 300 },
    );
  });
  it('TRIM removes exactly the outer characters of the set', () => {
    const trim = fn('TRIM', [S, S, S]);
    fc.assert(
      fc.property(
        text,
        fc.string({ unit: fc.constantFrom('a', '😀'), minLength: 1, maxLength: 2 }),
        (s, chars) => {
          const set = new Set(Array.from(chars));
          const cs = Array.from(s);
          let a = 0;
          let b = cs.length;
          while (a < b && set.has(cs[a] as string)) a++;
          while (b > a && set.has(cs[b - 1] as string)) b--;
          expect(trim('BOTH', chars, s)).toBe(cs.slice(a, b).join(''));
          expect(trim('LEADING', chars, s)).toBe(cs.slice(a).join(''));
          let e = cs.length;
          while (e > 0 && set.has(cs[e - 1] as string)) e--;
          expect(trim('TRAILING', chars, s)).toBe(cs.slice(0, e).join(''));
        },
      ),
      { numRuns: 300 },
    );
  });
  it('SPLIT_INDEX picks the parts of a split', () => {
    const si = fn('SPLIT_INDEX', [S, S, T.int()]);
    fc.assert(
      fc.property(text, fc.constantFrom('a', 'ab', '😀'), fc.integer({ min: 0, max: 6 }), (s, d, i) => {
        const parts = s.split(d);
        expect(si(s, d, i)).toBe(i < parts.length ? parts[i] : null);
      }),
      { numRuns: 200 },
    );
  });
});
