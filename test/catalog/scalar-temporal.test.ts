import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseDate, parseTimestamp } from '../../catalog/datetime.ts';
import { FunctionRegistry } from '../../catalog/functions/registry.ts';
import {
  compilePattern,
  formatWithPattern,
  parseWithPattern,
} from '../../catalog/functions/scalar/datefmt.ts';
import { registerScalarBuiltins, resolveScalarCall } from '../../catalog/functions/scalar/index.ts';
import { type LogicalType, T, typeToString } from '../../catalog/types.ts';
import { RivuletError } from '../../common/errors.ts';
import type { Value } from '../../operators/api.ts';

const registry = new FunctionRegistry();
registerScalarBuiltins(registry);

/** Wall-clock ms of 'yyyy-MM-dd HH:mm:ss[.fff]'; as an instant when read in UTC. */
const ts = (s: string): number => parseTimestamp(s) as number;
const day = (s: string): number => parseDate(s) as number;
const BERLIN = 'Europe/Berlin';

function fn(
  name: string,
  types: LogicalType[],
  opts: { tz?: string; now?: number; literals?: Value[] } = {},
) {
  const def = registry.lookupScalar(name);
  if (!def) throw new Error(`no ${name}`);
  const ctx = { timeZone: opts.tz ?? 'UTC', now: () => opts.now ?? 0 };
  const r = resolveScalarCall(def, types, ctx, opts.literals);
  return {
    type: typeToString(r.resultType),
    deterministic: r.deterministic,
    call: (...args: Value[]): Value =>
      r.nullOnNullInput && args.some((a) => a === null) ? null : r.impl(...args),
  };
}
const S = T.string();

describe('current time', () => {
  const now = ts('2024-07-01 22:30:15.250'); // an instant: 22:30 UTC = 00:30 next day in Berlin (CEST)
  it('CURRENT_TIMESTAMP / NOW / PROCTIME are instants', () => {
    const c = fn('CURRENT_TIMESTAMP', [], { now });
    expect(c.type).toBe('TIMESTAMP_LTZ(3) NOT NULL');
    expect(c.call()).toBe(now);
    expect(c.deterministic).toBe(false);
    expect(fn('NOW', [], { now }).call()).toBe(now);
    const p = fn('PROCTIME', [], { now });
    expect(p.type).toBe('TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*');
    expect(p.call()).toBe(now);
  });
  it('LOCALTIMESTAMP / CURRENT_DATE / CURRENT_TIME follow the session zone', () => {
    expect(fn('LOCALTIMESTAMP', [], { now, tz: BERLIN }).call()).toBe(ts('2024-07-02 00:30:15.250'));
    expect(fn('LOCALTIMESTAMP', [], { now }).call()).toBe(now);
    expect(fn('LOCALTIMESTAMP', [], { now }).type).toBe('TIMESTAMP(3) NOT NULL');
    expect(fn('CURRENT_DATE', [], { now, tz: BERLIN }).call()).toBe(day('2024-07-02'));
    expect(fn('CURRENT_DATE', [], { now }).call()).toBe(day('2024-07-01'));
    expect(fn('CURRENT_TIME', [], { now, tz: BERLIN }).call()).toBe((30 * 60 + 15) * 1000);
    expect(fn('LOCALTIME', [], { now }).type).toBe('TIME(0) NOT NULL');
    expect(fn('UNIX_TIMESTAMP', [], { now }).call()).toBe(BigInt(Math.floor(now / 1000)));
  });
  it('an unknown session zone is reported when resolving', () => {
    expect(() => fn('LOCALTIMESTAMP', [], { tz: 'Mars/Olympus' })).toThrow(
      expect.objectContaining({ code: 'INVALID_TIME_ZONE' }),
    );
  });
});

describe('EXTRACT and field functions', () => {
  const t = ts('2024-02-29 13:45:30.123');
  it('every unit of a TIMESTAMP', () => {
    const e = fn('EXTRACT', [S, T.timestamp(3)]);
    expect(e.type).toBe('BIGINT');
    const cases: [string, bigint][] = [
      ['YEAR', 2024n],
      ['QUARTER', 1n],
      ['MONTH', 2n],
      ['WEEK', 9n],
      ['DAY', 29n],
      ['DOY', 60n],
      ['DOW', 5n], // Thursday; 1 = Sunday
      ['ISODOW', 4n],
      ['HOUR', 13n],
      ['MINUTE', 45n],
      ['SECOND', 30n],
      ['MILLISECOND', 30123n],
      ['MICROSECOND', 30123000n],
      ['DECADE', 202n],
      ['CENTURY', 21n],
      ['MILLENNIUM', 3n],
      ['EPOCH', BigInt(Math.floor(t / 1000))],
    ];
    for (const [unit, want] of cases) expect([unit, e.call(unit, t)]).toEqual([unit, want]);
    expect(e.call('year', t)).toBe(2024n);
    expect(e.call('YEAR', null)).toBeNull();
  });
  it('ISO week-based year at year boundaries', () => {
    const e = fn('EXTRACT', [S, T.date()]);
    expect(e.call('WEEK', day('2021-01-03'))).toBe(53n);
    expect(e.call('ISOYEAR', day('2021-01-03'))).toBe(2020n);
    expect(e.call('WEEK', day('2024-12-30'))).toBe(1n);
    expect(e.call('ISOYEAR', day('2024-12-30'))).toBe(2025n);
  });
  it('DATE, TIME, TIMESTAMP_LTZ and intervals', () => {
    expect(fn('EXTRACT', [S, T.date()]).call('MONTH', day('1969-12-31'))).toBe(12n);
    expect(fn('EXTRACT', [S, T.time(0)]).call('HOUR', (5 * 3600 + 6 * 60) * 1000)).toBe(5n);
    const ltz = ts('2024-03-31 00:30:00'); // instant; 01:30 CET in Berlin... after 01:00 UTC it is CEST
    expect(fn('EXTRACT', [S, T.timestampLtz(3)], { tz: BERLIN }).call('HOUR', ltz)).toBe(1n);
    expect(fn('EXTRACT', [S, T.timestampLtz(3)], { tz: BERLIN }).call('HOUR', ltz + 3600_000)).toBe(3n); // DST jump
    expect(fn('EXTRACT', [S, T.timestampLtz(3)]).call('HOUR', ltz)).toBe(0n);
    expect(fn('EXTRACT', [S, T.intervalDayTime()]).call('HOUR', 26 * 3600_000)).toBe(2n);
    expect(fn('EXTRACT', [S, T.intervalDayTime()]).call('DAY', 26 * 3600_000)).toBe(1n);
    expect(fn('EXTRACT', [S, T.intervalYearMonth()]).call('YEAR', 27)).toBe(2n);
    expect(fn('EXTRACT', [S, T.intervalYearMonth()]).call('MONTH', 27)).toBe(3n);
  });
  it('a unit that does not fit is a planning error when constant, else a runtime error', () => {
    expect(() => fn('EXTRACT', [S, T.date()], { literals: ['HOUR', undefined] })).toThrow(
      expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }),
    );
    expect(() => fn('EXTRACT', [S, T.time(0)]).call('YEAR', 0)).toThrow(/Cannot extract YEAR from a TIME/);
    expect(() => fn('EXTRACT', [S, T.date()]).call('FORTNIGHT', 0)).toThrow(/Unknown time unit/);
    expect(() => fn('EXTRACT', [S, S])).toThrow(expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }));
  });
  it('YEAR ... SECOND shorthands', () => {
    const d = day('2024-12-31');
    expect(fn('YEAR', [T.date()]).call(d)).toBe(2024n);
    expect(fn('QUARTER', [T.date()]).call(d)).toBe(4n);
    expect(fn('MONTH', [T.date()]).call(d)).toBe(12n);
    expect(fn('WEEK', [T.date()]).call(d)).toBe(1n);
    expect(fn('DAYOFYEAR', [T.date()]).call(d)).toBe(366n);
    expect(fn('DAYOFMONTH', [T.date()]).call(d)).toBe(31n);
    expect(fn('DAYOFWEEK', [T.date()]).call(d)).toBe(3n); // Tuesday
    expect(fn('HOUR', [T.timestamp(3)]).call(ts('2024-01-01 23:59:58'))).toBe(23n);
    expect(fn('MINUTE', [T.time(0)]).call(61 * 60_000)).toBe(1n);
    expect(fn('SECOND', [T.timestamp(3)]).call(ts('2024-01-01 23:59:58'))).toBe(58n);
    expect(fn('YEAR', [T.date(false)]).type).toBe('BIGINT NOT NULL');
    expect(() => fn('HOUR', [T.date()])).toThrow(expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }));
  });
});

describe('DATE_FORMAT and patterns', () => {
  const t = ts('2024-03-05 07:08:09.012');
  it('SimpleDateFormat letters', () => {
    const f = fn('DATE_FORMAT', [T.timestamp(3), S]);
    expect(f.call(t, 'yyyy-MM-dd HH:mm:ss.SSS')).toBe('2024-03-05 07:08:09.012');
    expect(f.call(t, 'yy/M/d')).toBe('24/3/5');
    expect(f.call(t, 'EEE, d MMM yyyy')).toBe('Tue, 5 Mar 2024');
    expect(f.call(t, 'EEEE MMMM')).toBe('Tuesday March');
    expect(f.call(t, 'h:mm a')).toBe('7:08 AM');
    expect(f.call(ts('2024-03-05 19:00:00'), 'hh a, k, K')).toBe('07 PM, 19, 7');
    expect(f.call(t, "yyyyMMdd'T'HHmmss")).toBe('20240305T070809');
    expect(f.call(t, "'o''clock' D")).toBe("o'clock 65");
    expect(f.call(t, 'S')).toBe('0');
    // java.time letters (Flink's DATE_FORMAT uses DateTimeFormatter): u = year, Q = quarter, Y/w = ISO week year/week
    expect(f.call(t, 'uuuu-QQQ QQQQ Q')).toBe('2024-Q1 1st quarter 1');
    expect(f.call(ts('2024-12-30 00:00:00'), 'YYYY-ww yyyy')).toBe('2025-01 2024');
    expect(fn('TO_DATE', [S, S]).call('20240305', 'uuuuMMdd')).toBe(day('2024-03-05'));
    expect(() => f.call(t, 'yyyy-bb')).toThrow(/Unknown pattern letter 'b'/);
    expect(f.call(null, 'yyyy')).toBeNull();
  });
  it('TIMESTAMP_LTZ in the session zone, with its offset', () => {
    const instant = ts('2024-07-01 12:00:00');
    const f = fn('DATE_FORMAT', [T.timestampLtz(3), S], { tz: BERLIN });
    expect(f.call(instant, 'yyyy-MM-dd HH:mm XXX')).toBe('2024-07-01 14:00 +02:00');
    expect(f.call(ts('2024-01-01 12:00:00'), 'HH:mm Z')).toBe('13:00 +0100');
    expect(fn('DATE_FORMAT', [T.timestampLtz(3), S]).call(instant, 'HH:mm X')).toBe('12:00 Z');
  });
  it('DATE and timestamp text', () => {
    expect(fn('DATE_FORMAT', [T.date(), S]).call(day('2024-01-02'), 'dd.MM.yyyy')).toBe('02.01.2024');
    const s = fn('DATE_FORMAT', [S, S]);
    expect(s.call('2024-01-02 03:04:05', 'yyyy/MM/dd HH')).toBe('2024/01/02 03');
    expect(s.call('not a time', 'yyyy')).toBeNull();
    expect(() => fn('DATE_FORMAT', [T.int(), S])).toThrow(
      expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }),
    );
  });
  it('format then parse is the identity for full patterns', () => {
    const patterns = [
      'yyyy-MM-dd HH:mm:ss.SSS',
      'yyyyMMddHHmmssSSS',
      "dd MMM yyyy 'at' hh:mm:ss.SSS a",
      'D yyyy HH:mm:ss.SSS',
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: ts('1900-01-01 00:00:00'), max: ts('2200-12-31 23:59:59') }),
        fc.constantFrom(...patterns),
        (ms, p) => {
          const c = compilePattern(p);
          const text = formatWithPattern(ms, c);
          expect(parseWithPattern(text, c)?.local).toBe(ms);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('parsing', () => {
  it('TO_DATE', () => {
    expect(fn('TO_DATE', [S]).call('2024-02-29')).toBe(day('2024-02-29'));
    expect(fn('TO_DATE', [S]).call('2023-02-29')).toBeNull();
    expect(fn('TO_DATE', [S, S]).call('29/02/2024', 'dd/MM/yyyy')).toBe(day('2024-02-29'));
    expect(fn('TO_DATE', [S, S]).call('20240229', 'yyyyMMdd')).toBe(day('2024-02-29'));
    expect(fn('TO_DATE', [S, S]).call('2024-02-29 extra', 'yyyy-MM-dd')).toBeNull();
    expect(fn('TO_DATE', [S]).call(null)).toBeNull();
    expect(fn('TO_DATE', [T.string(false)]).type).toBe('DATE');
  });
  it('TO_TIMESTAMP', () => {
    const f = fn('TO_TIMESTAMP', [S]);
    expect(f.type).toBe('TIMESTAMP(3)');
    expect(f.call('2024-01-02 03:04:05')).toBe(ts('2024-01-02 03:04:05'));
    expect(f.call('2024-01-02 03:04:05.678')).toBe(ts('2024-01-02 03:04:05.678'));
    expect(f.call('garbage')).toBeNull();
    const g = fn('TO_TIMESTAMP', [S, S]);
    expect(g.call('02.01.2024 3:04 PM', 'dd.MM.yyyy h:mm a')).toBe(ts('2024-01-02 15:04:00'));
    expect(g.call('2024-13-01', 'yyyy-MM-dd')).toBeNull();
    expect(g.call('12 Mar 2024', 'dd MMM yyyy')).toBe(ts('2024-03-12 00:00:00'));
    expect(g.call('2024-01-02T10:00:00+02:00', "yyyy-MM-dd'T'HH:mm:ssXXX")).toBe(ts('2024-01-02 08:00:00'));
  });
  it('TO_TIMESTAMP_LTZ from epoch seconds/millis and from text', () => {
    const f = fn('TO_TIMESTAMP_LTZ', [T.bigint(), T.int()]);
    expect(f.type).toBe('TIMESTAMP_LTZ(3)');
    expect(f.call(1_700_000_000n, 0)).toBe(1_700_000_000_000);
    expect(f.call(1_700_000_000_123n, 3)).toBe(1_700_000_000_123);
    expect(fn('TO_TIMESTAMP_LTZ', [T.bigint()]).call(5n)).toBe(5);
    expect(fn('TO_TIMESTAMP_LTZ', [T.double(), T.int()]).call(1.5, 0)).toBe(1500);
    expect(fn('TO_TIMESTAMP_LTZ', [T.decimal(10, 3), T.int()]).call(1500n, 0)).toBe(1500);
    expect(() => f.call(1n, 6)).toThrow(/precision must be 0 or 3/);
    expect(() => fn('TO_TIMESTAMP_LTZ', [T.bigint(), T.int()], { literals: [undefined, 9] })).toThrow(
      expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }),
    );
    const t = fn('TO_TIMESTAMP_LTZ', [S, S], { tz: BERLIN });
    expect(t.call('2024-07-01 14:00:00', 'yyyy-MM-dd HH:mm:ss')).toBe(ts('2024-07-01 12:00:00'));
    const z = fn('TO_TIMESTAMP_LTZ', [S, S, S]);
    expect(z.call('2024-01-01 01:00:00', 'yyyy-MM-dd HH:mm:ss', 'Asia/Tokyo')).toBe(
      ts('2023-12-31 16:00:00'),
    );
    expect(z.call('nope', 'yyyy', 'UTC')).toBeNull();
  });
  it('UNIX_TIMESTAMP reads text in the session zone; unparseable text gives Long.MIN_VALUE', () => {
    const f = fn('UNIX_TIMESTAMP', [S], { tz: BERLIN });
    expect(f.call('1970-01-01 01:00:00')).toBe(0n);
    expect(fn('UNIX_TIMESTAMP', [S]).call('1970-01-01 01:00:00')).toBe(3600n);
    expect(fn('UNIX_TIMESTAMP', [S, S]).call('1970-01-01 00:00:00 +0100', 'yyyy-MM-dd HH:mm:ss Z')).toBe(
      -3600n,
    );
    expect(f.call('bad')).toBe(-(2n ** 63n));
    expect(fn('UNIX_TIMESTAMP', [S]).call('1970-01-01 00:01:00.999')).toBe(60n); // trailing text ignored
    expect(f.call(null)).toBeNull();
  });
  it('FROM_UNIXTIME formats in the session zone', () => {
    expect(fn('FROM_UNIXTIME', [T.bigint()]).call(44n)).toBe('1970-01-01 00:00:44');
    expect(fn('FROM_UNIXTIME', [T.bigint()], { tz: BERLIN }).call(0n)).toBe('1970-01-01 01:00:00');
    expect(fn('FROM_UNIXTIME', [T.int(), S], { tz: 'Asia/Kolkata' }).call(0, 'HH:mm')).toBe('05:30');
    expect(fn('FROM_UNIXTIME', [T.int()]).call(null)).toBeNull();
  });
  it('CONVERT_TZ', () => {
    const f = fn('CONVERT_TZ', [S, S, S]);
    expect(f.call('1970-01-01 00:00:00', 'UTC', 'America/Los_Angeles')).toBe('1969-12-31 16:00:00');
    expect(f.call('2024-07-01 12:00:00', BERLIN, 'UTC')).toBe('2024-07-01 10:00:00');
    expect(f.call('bad', 'UTC', 'UTC')).toBeNull();
    expect(() => f.call('2024-07-01 12:00:00', 'Nowhere/City', 'UTC')).toThrow(RivuletError);
  });
});

describe('TIMESTAMPADD / TIMESTAMPDIFF', () => {
  it('calendar units clamp to the end of the month', () => {
    const f = fn('TIMESTAMPADD', [S, T.int(), T.timestamp(3)]);
    expect(f.type).toBe('TIMESTAMP(3)');
    expect(f.call('MONTH', 1, ts('2024-01-31 10:00:00'))).toBe(ts('2024-02-29 10:00:00'));
    expect(f.call('YEAR', -1, ts('2024-02-29 00:00:00'))).toBe(ts('2023-02-28 00:00:00'));
    expect(f.call('QUARTER', 1, ts('2024-11-30 00:00:00'))).toBe(ts('2025-02-28 00:00:00'));
    expect(f.call('WEEK', 2, ts('2024-01-01 00:00:00'))).toBe(ts('2024-01-15 00:00:00'));
    expect(f.call('HOUR', -25, ts('2024-01-02 00:00:00'))).toBe(ts('2023-12-31 23:00:00'));
    expect(f.call('SECOND', 90, ts('2024-01-01 00:00:00'))).toBe(ts('2024-01-01 00:01:30'));
    expect(() => f.call('EON', 1, 0)).toThrow(/Unknown time unit/);
    expect(f.call('DAY', null, 0)).toBeNull();
  });
  it('DATE stays a DATE for day units and becomes TIMESTAMP for a constant sub-day unit', () => {
    const d = fn('TIMESTAMPADD', [S, T.int(), T.date()], { literals: ['DAY', undefined, undefined] });
    expect(d.type).toBe('DATE');
    expect(d.call('DAY', 3, day('2024-02-27'))).toBe(day('2024-03-01'));
    expect(fn('TIMESTAMPADD', [S, T.int(), T.date()]).call('MONTH', 1, day('2024-01-31'))).toBe(
      day('2024-02-29'),
    );
    const h = fn('TIMESTAMPADD', [S, T.int(), T.date()], { literals: ['HOUR', undefined, undefined] });
    expect(h.type).toBe('TIMESTAMP(3)');
    expect(h.call('HOUR', 5, day('2024-01-01'))).toBe(ts('2024-01-01 05:00:00'));
    expect(() => fn('TIMESTAMPADD', [S, T.int(), T.date()]).call('HOUR', 1, 0)).toThrow(
      /CAST the DATE to TIMESTAMP/,
    );
    expect(() =>
      fn('TIMESTAMPADD', [S, T.int(), T.date()], { literals: ['EON', undefined, undefined] }),
    ).toThrow(expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }));
  });
  it('TIMESTAMP_LTZ across a DST change in Berlin: DAY keeps the wall time, HOUR counts real hours', () => {
    const f = fn('TIMESTAMPADD', [S, T.int(), T.timestampLtz(3)], { tz: BERLIN });
    const before = ts('2024-03-30 11:00:00'); // 12:00 CET
    expect(f.call('DAY', 1, before)).toBe(ts('2024-03-31 10:00:00')); // 12:00 CEST
    expect(f.call('HOUR', 24, before)).toBe(ts('2024-03-31 11:00:00')); // 13:00 CEST
    const utc = fn('TIMESTAMPADD', [S, T.int(), T.timestampLtz(3)]);
    expect(utc.call('DAY', 1, before)).toBe(ts('2024-03-31 11:00:00'));
  });
  it('sub-millisecond units truncate to whole milliseconds; decades and centuries are months', () => {
    const f = fn('TIMESTAMPADD', [S, T.int(), T.timestamp(3)]);
    const t = ts('2024-01-01 00:00:00');
    expect(f.call('MICROSECOND', 2500, t)).toBe(t + 2);
    expect(f.call('MICROSECOND', -1, t)).toBe(t - 1);
    expect(f.call('NANOSECOND', 3_000_000, t)).toBe(t + 3);
    expect(f.call('DECADE', 1, ts('2020-02-29 00:00:00'))).toBe(ts('2030-02-28 00:00:00'));
    expect(f.call('CENTURY', -1, t)).toBe(ts('1924-01-01 00:00:00'));
    const d = fn('TIMESTAMPDIFF', [S, T.timestamp(3), T.timestamp(3)]);
    expect(d.call('MICROSECOND', t, t + 5)).toBe(5000);
    expect(d.call('DECADE', ts('2000-01-01 00:00:00'), ts('2029-12-31 00:00:00'))).toBe(2);
  });
  it('TIME wraps around midnight', () => {
    expect(fn('TIMESTAMPADD', [S, T.int(), T.time(0)]).call('HOUR', 3, 22 * 3600_000)).toBe(3600_000);
  });
  it('TIMESTAMPDIFF counts whole units', () => {
    const f = fn('TIMESTAMPDIFF', [S, T.timestamp(3), T.timestamp(3)]);
    expect(f.type).toBe('INT');
    expect(f.call('DAY', ts('2024-01-01 00:00:00'), ts('2024-01-03 23:59:59'))).toBe(2);
    expect(f.call('DAY', ts('2024-01-03 23:59:59'), ts('2024-01-01 00:00:00'))).toBe(-2);
    // Months count as Calcite's subtractMonths: the earlier time plus n months (clamped) must not pass the later.
    expect(f.call('MONTH', ts('2024-01-31 00:00:00'), ts('2024-02-29 00:00:00'))).toBe(1);
    expect(f.call('MONTH', ts('2024-01-31 00:00:00'), ts('2024-02-28 23:59:59'))).toBe(0);
    expect(f.call('MONTH', ts('2024-01-31 00:00:00'), ts('2024-09-30 00:00:00'))).toBe(8);
    expect(f.call('MONTH', ts('2024-01-29 12:00:00'), ts('2024-02-29 11:00:00'))).toBe(0);
    expect(f.call('MONTH', ts('2024-01-29 00:00:00'), ts('2024-02-29 00:00:00'))).toBe(1);
    expect(f.call('MONTH', ts('2024-03-15 00:00:00'), ts('2024-01-16 00:00:00'))).toBe(-1);
    expect(f.call('MONTH', ts('2024-02-29 00:00:00'), ts('2024-01-31 00:00:00'))).toBe(-1);
    expect(f.call('YEAR', ts('2020-02-29 00:00:00'), ts('2024-02-28 00:00:00'))).toBe(3);
    expect(f.call('QUARTER', ts('2024-01-01 00:00:00'), ts('2024-12-31 00:00:00'))).toBe(3);
    expect(f.call('SECOND', ts('2024-01-01 00:00:00'), ts('2024-01-01 00:00:01.999'))).toBe(1);
    expect(
      fn('TIMESTAMPDIFF', [S, T.date(), T.date()]).call('WEEK', day('2024-01-01'), day('2024-01-15')),
    ).toBe(2);
    const ltz = fn('TIMESTAMPDIFF', [S, T.timestampLtz(3), T.timestampLtz(3)], { tz: BERLIN });
    expect(ltz.call('HOUR', ts('2024-03-30 23:00:00'), ts('2024-03-31 23:00:00'))).toBe(24);
    expect(f.call('DAY', null, 0)).toBeNull();
  });
  it('TIMESTAMPDIFF in months agrees with counting month steps (both directions)', () => {
    const f = fn('TIMESTAMPDIFF', [S, T.date(), T.date()]);
    const add = fn('TIMESTAMPADD', [S, T.int(), T.date()]);
    fc.assert(
      fc.property(
        fc.integer({ min: day('1990-01-01'), max: day('2030-12-31') }),
        fc.integer({ min: 0, max: 400 }),
        (a, delta) => {
          const b = a + delta;
          // Brute force: the largest n with a + n months <= b.
          let n = 0;
          while ((add.call('MONTH', n + 1, a) as number) <= b) n++;
          expect(f.call('MONTH', a, b)).toBe(n);
          expect(f.call('MONTH', b, a)).toBe(n === 0 ? 0 : -n); // never -0
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('FLOOR_TIME / CEIL_TIME', () => {
  it('TIMESTAMP', () => {
    const fl = fn('FLOOR_TIME', [S, T.timestamp(3)]);
    const ce = fn('CEIL_TIME', [S, T.timestamp(3)]);
    const t = ts('2024-05-15 13:45:30.500');
    expect(fl.type).toBe('TIMESTAMP(3)');
    expect(formatTimestamp(fl.call('YEAR', t) as number)).toBe('2024-01-01 00:00:00.000');
    expect(formatTimestamp(fl.call('QUARTER', t) as number)).toBe('2024-04-01 00:00:00.000');
    expect(formatTimestamp(fl.call('MONTH', t) as number)).toBe('2024-05-01 00:00:00.000');
    expect(formatTimestamp(fl.call('WEEK', t) as number)).toBe('2024-05-12 00:00:00.000'); // Sunday
    expect(formatTimestamp(fl.call('DAY', t) as number)).toBe('2024-05-15 00:00:00.000');
    expect(formatTimestamp(fl.call('HOUR', t) as number)).toBe('2024-05-15 13:00:00.000');
    expect(formatTimestamp(fl.call('MINUTE', t) as number)).toBe('2024-05-15 13:45:00.000');
    expect(formatTimestamp(fl.call('SECOND', t) as number)).toBe('2024-05-15 13:45:30.000');
    expect(formatTimestamp(ce.call('MONTH', t) as number)).toBe('2024-06-01 00:00:00.000');
    expect(formatTimestamp(ce.call('HOUR', t) as number)).toBe('2024-05-15 14:00:00.000');
    expect(ce.call('DAY', ts('2024-05-15 00:00:00'))).toBe(ts('2024-05-15 00:00:00'));
    expect(formatTimestamp(fl.call('DAY', ts('1969-12-31 23:00:00')) as number)).toBe(
      '1969-12-31 00:00:00.000',
    );
    expect(fl.call('DAY', null)).toBeNull();
  });
  it('DECADE, CENTURY and MILLENNIUM (centuries start in years ending in 1)', () => {
    const fl = fn('FLOOR_TIME', [S, T.date()]);
    const ce = fn('CEIL_TIME', [S, T.date()]);
    expect(fl.call('DECADE', day('2024-05-15'))).toBe(day('2020-01-01'));
    expect(fl.call('CENTURY', day('2024-05-15'))).toBe(day('2001-01-01'));
    expect(fl.call('CENTURY', day('2000-12-31'))).toBe(day('1901-01-01'));
    expect(fl.call('MILLENNIUM', day('2024-05-15'))).toBe(day('2001-01-01'));
    expect(ce.call('DECADE', day('2024-05-15'))).toBe(day('2030-01-01'));
    expect(ce.call('CENTURY', day('2001-01-01'))).toBe(day('2001-01-01'));
    const t = fn('FLOOR_TIME', [S, T.timestamp(3)]);
    expect(t.call('MICROSECOND', 1234)).toBe(1234);
  });
  it('DATE, TIME and TIMESTAMP_LTZ (floored in the session zone)', () => {
    expect(fn('FLOOR_TIME', [S, T.date()]).call('MONTH', day('2024-05-15'))).toBe(day('2024-05-01'));
    expect(fn('CEIL_TIME', [S, T.date()]).call('YEAR', day('2024-05-15'))).toBe(day('2025-01-01'));
    expect(fn('FLOOR_TIME', [S, T.time(0)]).call('HOUR', 5_400_000)).toBe(3_600_000);
    const ltz = fn('FLOOR_TIME', [S, T.timestampLtz(3)], { tz: BERLIN });
    // 2024-07-01 23:30 UTC is 2024-07-02 01:30 in Berlin: its day starts at 2024-07-01 22:00 UTC.
    expect(ltz.call('DAY', ts('2024-07-01 23:30:00'))).toBe(ts('2024-07-01 22:00:00'));
    expect(fn('FLOOR_TIME', [S, T.timestampLtz(3)]).call('DAY', ts('2024-07-01 23:30:00'))).toBe(
      ts('2024-07-01 00:00:00'),
    );
  });
  it('wrong types and units', () => {
    expect(() => fn('FLOOR_TIME', [S, T.int()])).toThrow(
      expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }),
    );
    expect(() => fn('CEIL_TIME', [S, T.date()], { literals: ['FORTNIGHT', undefined] })).toThrow(
      expect.objectContaining({ code: 'FUNCTION_SIGNATURE' }),
    );
  });
});
