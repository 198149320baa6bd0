import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMonthsToDays,
  addMonthsToTimestamp,
  checkTimeZone,
  civilFromDays,
  daysFromCivil,
  formatDate,
  formatTimestamp,
  instantToLocal,
  localToInstant,
  parseTimestamp,
  zoneOffset,
} from '../../catalog/datetime.ts';

const DAY = 86_400_000;
const utcMs = (y: number, mo: number, d: number, h = 0, mi = 0) => Date.UTC(y, mo - 1, d, h, mi);

describe('proleptic Gregorian calendar', () => {
  it('agrees with JavaScript Date for days across five millennia', () => {
    fc.assert(
      fc.property(fc.integer({ min: -700_000, max: 2_900_000 }), (days) => {
        const d = new Date(days * DAY);
        const c = civilFromDays(days);
        expect(c).toEqual({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
        expect(daysFromCivil(c.year, c.month, c.day)).toBe(days);
      }),
      { numRuns: 300 },
    );
  });
  it('formats years as java.time does', () => {
    expect(formatDate(0)).toBe('1970-01-01');
    expect(formatDate(daysFromCivil(12, 3, 4))).toBe('0012-03-04');
    expect(formatDate(daysFromCivil(10000, 1, 1))).toBe('+10000-01-01');
    expect(formatDate(daysFromCivil(-1, 1, 1))).toBe('-0001-01-01');
  });
  it('adds months with end-of-month clamping', () => {
    const d = (y: number, m: number, day: number) => daysFromCivil(y, m, day);
    expect(addMonthsToDays(d(2024, 1, 31), 1)).toBe(d(2024, 2, 29));
    expect(addMonthsToDays(d(2023, 1, 31), 1)).toBe(d(2023, 2, 28));
    expect(addMonthsToDays(d(2024, 3, 31), -1)).toBe(d(2024, 2, 29));
    expect(addMonthsToDays(d(2024, 1, 15), 25)).toBe(d(2026, 2, 15));
    expect(addMonthsToDays(d(2024, 1, 15), -13)).toBe(d(2022, 12, 15));
    expect(addMonthsToTimestamp(utcMs(2024, 1, 31, 10, 30), 1)).toBe(utcMs(2024, 2, 29, 10, 30));
    expect(addMonthsToTimestamp(utcMs(1969, 12, 31, 23, 59), 2)).toBe(utcMs(1970, 2, 28, 23, 59));
  });
});

describe('time zones', () => {
  it('gives the offsets of named zones, with DST', () => {
    expect(zoneOffset('Europe/Berlin', utcMs(2024, 1, 15))).toBe(3_600_000);
    expect(zoneOffset('Europe/Berlin', utcMs(2024, 7, 15))).toBe(7_200_000);
    expect(zoneOffset('America/New_York', utcMs(2024, 7, 15))).toBe(-4 * 3_600_000);
    expect(zoneOffset('Asia/Kolkata', utcMs(2024, 7, 15))).toBe(5.5 * 3_600_000);
    expect(zoneOffset('Australia/Sydney', utcMs(2024, 1, 15))).toBe(11 * 3_600_000);
    expect(zoneOffset('UTC', 123)).toBe(0);
    expect(zoneOffset('+05:30', 123)).toBe(5.5 * 3_600_000);
    expect(zoneOffset('GMT-3', 123)).toBe(-3 * 3_600_000);
  });
  it('switches offset at the exact transition instant (2024-03-31 01:00 UTC in Berlin)', () => {
    const t = utcMs(2024, 3, 31, 1);
    expect(zoneOffset('Europe/Berlin', t - 1)).toBe(3_600_000);
    expect(zoneOffset('Europe/Berlin', t)).toBe(7_200_000);
    expect(instantToLocal('Europe/Berlin', t - 1)).toBe(utcMs(2024, 3, 31, 2) - 1);
    expect(instantToLocal('Europe/Berlin', t)).toBe(utcMs(2024, 3, 31, 3));
  });
  it('resolves wall-clock times in gaps and overlaps as java.time', () => {
    const local = (s: string) => parseTimestamp(s) as number;
    // gap: 02:30 does not exist; moved later by the gap -> 03:30 CEST = 01:30 UTC
    expect(formatTimestamp(localToInstant('Europe/Berlin', local('2024-03-31 02:30:00')))).toBe(
      '2024-03-31 01:30:00.000',
    );
    // overlap: 02:30 happens twice; the earlier instant (CEST, +02:00) wins
    expect(formatTimestamp(localToInstant('Europe/Berlin', local('2024-10-27 02:30:00')))).toBe(
      '2024-10-27 00:30:00.000',
    );
    expect(formatTimestamp(localToInstant('America/New_York', local('2024-11-03 01:30:00')))).toBe(
      '2024-11-03 05:30:00.000',
    );
  });
  it('instantToLocal then localToInstant is the identity except for the later instant of an overlap', () => {
    for (const zone of ['Europe/Berlin', 'America/Sao_Paulo', 'Australia/Lord_Howe', 'Asia/Tokyo']) {
      fc.assert(
        fc.property(fc.integer({ min: utcMs(1975, 1, 1), max: utcMs(2035, 1, 1) }), (instant) => {
          const back = localToInstant(zone, instantToLocal(zone, instant));
          if (back !== instant) {
            // the same wall time also maps to an earlier instant: an overlap
            expect(back).toBeLessThan(instant);
            expect(instantToLocal(zone, back)).toBe(instantToLocal(zone, instant));
          }
        }),
        { numRuns: 200 },
      );
    }
  });
  it('cached offsets agree with an independent Intl reading for random instants', () => {
    // the reference reads the wall clock through Date#toLocaleString, a different Intl path
    const reference = (zone: string, instant: number) => {
      const text = new Date(instant).toLocaleString('sv-SE', { timeZone: zone, hourCycle: 'h23' });
      const [date, time] = text.split(' ') as [string, string];
      const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
      const [h, mi, sec] = time.split(':').map(Number) as [number, number, number];
      return Date.UTC(y, mo - 1, d, h, mi, sec) - (instant - (((instant % 1000) + 1000) % 1000));
    };
    const zones = [
      'Europe/Berlin',
      'Asia/Kathmandu',
      'Australia/Lord_Howe',
      'America/St_Johns',
      'Pacific/Chatham',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: utcMs(1980, 1, 1), max: utcMs(2035, 1, 1) }),
        (zone, instant) => {
          expect(zoneOffset(zone, instant)).toBe(reference(zone, instant));
        },
      ),
      { numRuns: 300 },
    );
  });
  it('cached offsets are right on both sides of every quarter hour of DST transition days', () => {
    const reference = (zone: string, instant: number) => {
      const text = new Date(instant).toLocaleString('sv-SE', { timeZone: zone, hourCycle: 'h23' });
      const [date, time] = text.split(' ') as [string, string];
      const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
      const [h, mi, sec] = time.split(':').map(Number) as [number, number, number];
      return Date.UTC(y, mo - 1, d, h, mi, sec) - (instant - (((instant % 1000) + 1000) % 1000));
    };
    const days: [string, number][] = [
      ['Europe/Berlin', utcMs(2024, 3, 30, 12)],
      ['Europe/Berlin', utcMs(2024, 10, 26, 12)],
      ['Australia/Lord_Howe', utcMs(2024, 4, 6)],
      ['Pacific/Chatham', utcMs(2024, 4, 6)],
    ];
    for (const [zone, start] of days) {
      // zones change offset on a quarter hour: check the last millisecond before each and the first after
      for (let q = 0; q < 96; q++) {
        for (const instant of [start + q * 900_000 - 1, start + q * 900_000]) {
          expect(zoneOffset(zone, instant)).toBe(reference(zone, instant));
        }
      }
    }
  });
  it('rejects unknown zones with INVALID_TIME_ZONE', () => {
    expect(() => checkTimeZone('Mars/Olympus')).toThrow(
      expect.objectContaining({ code: 'INVALID_TIME_ZONE' }),
    );
    expect(() => checkTimeZone('Europe/Berlin')).not.toThrow();
    expect(() => checkTimeZone('+08:00')).not.toThrow();
  });
});
