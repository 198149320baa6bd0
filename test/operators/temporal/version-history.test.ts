import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAccumulate, type Row, RowKind } from '../../../operators/api.ts';
import { TimeTravelScan } from '../../../operators/temporal/time-travel-scan.ts';
import {
  type PeriodQuery,
  VersionHistory,
  type VersionHistoryData,
  type VersionRecord,
} from '../../../operators/temporal/version-history.ts';
import { OperatorHarness, sortRows } from '../../../operators/testing/harness.ts';
import { snapshotWhile } from '../snapshot-while.ts';

const at = (h: number, m: number, s = 0) => Date.UTC(2026, 0, 5, h, m, s);

// product_changelog(product_id, name, price, update_time) from Flink's temporal join documentation.
const PRODUCTS: [string, Row][] = [
  ['+I', ['p_001', 'scooter', 11.11, at(0, 1)]],
  ['+I', ['p_002', 'basketball', 23.11, at(0, 2)]],
  ['-U', ['p_001', 'scooter', 11.11, at(12, 0)]],
  ['+U', ['p_001', 'scooter', 12.99, at(12, 0)]],
  ['-U', ['p_002', 'basketball', 23.11, at(12, 0)]],
  ['+U', ['p_002', 'basketball', 19.99, at(12, 0)]],
  ['-D', ['p_001', 'scooter', 12.99, at(18, 0)]],
];
const KIND: Record<string, RowKind> = { '+I': 0, '-U': 1, '+U': 2, '-D': 3 };

function products(retentionMs?: number): VersionHistory {
  const h = new VersionHistory({
    keyIndices: [0],
    timeIndex: 3,
    ...(retentionMs === undefined ? {} : { retentionMs }),
  });
  for (const [k, row] of PRODUCTS) expect(h.apply(KIND[k] as RowKind, row)).toBe(true);
  return h;
}

const prices = (rows: Row[]) => sortRows(rows).map((r) => `${r[0]}=${r[2]}`);
const periods = (vs: VersionRecord[]) =>
  vs.map((v) => `${v.row[0]}=${v.row[2]} [${v.validFrom}, ${v.validTo})`).sort();

describe('VersionHistory: AS OF', () => {
  it('gives the documented snapshots of the product table', () => {
    const h = products();
    expect(prices(h.asOf(at(10, 0)))).toEqual(['p_001=11.11', 'p_002=23.11']);
    expect(prices(h.asOf(at(13, 0)))).toEqual(['p_001=12.99', 'p_002=19.99']);
    expect(prices(h.asOf(at(19, 0)))).toEqual(['p_002=19.99']);
  });

  it('at, just before and just after version boundaries', () => {
    const h = products();
    expect(prices(h.asOf(at(0, 1) - 1))).toEqual([]);
    expect(prices(h.asOf(at(0, 1)))).toEqual(['p_001=11.11']);
    expect(prices(h.asOf(at(0, 2) - 1))).toEqual(['p_001=11.11']);
    expect(prices(h.asOf(at(0, 2)))).toEqual(['p_001=11.11', 'p_002=23.11']);
    expect(prices(h.asOf(at(12, 0) - 1))).toEqual(['p_001=11.11', 'p_002=23.11']);
    expect(prices(h.asOf(at(12, 0)))).toEqual(['p_001=12.99', 'p_002=19.99']);
    expect(prices(h.asOf(at(12, 0) + 1))).toEqual(['p_001=12.99', 'p_002=19.99']);
    expect(prices(h.asOf(at(18, 0) - 1))).toEqual(['p_001=12.99', 'p_002=19.99']);
    expect(prices(h.asOf(at(18, 0)))).toEqual(['p_002=19.99']);
  });
});

describe('VersionHistory: FROM .. TO and BETWEEN .. AND', () => {
  it('reports each version with its validity', () => {
    expect(periods(products().versions())).toEqual([
      `p_001=11.11 [${at(0, 1)}, ${at(12, 0)})`,
      `p_001=12.99 [${at(12, 0)}, ${at(18, 0)})`,
      `p_002=19.99 [${at(12, 0)}, Infinity)`,
      `p_002=23.11 [${at(0, 2)}, ${at(12, 0)})`,
    ]);
  });

  it('FROM excludes a version starting at the upper bound, BETWEEN includes it', () => {
    const h = products();
    const noon = at(12, 0);
    expect(periods(h.fromTo(at(11, 0), noon)).map((s) => s.split(' ')[0])).toEqual([
      'p_001=11.11',
      'p_002=23.11',
    ]);
    expect(periods(h.between(at(11, 0), noon)).map((s) => s.split(' ')[0])).toEqual([
      'p_001=11.11',
      'p_001=12.99',
      'p_002=19.99',
      'p_002=23.11',
    ]);
    // A version that ended exactly at the lower bound is in neither.
    expect(periods(h.fromTo(noon, noon + 1)).map((s) => s.split(' ')[0])).toEqual([
      'p_001=12.99',
      'p_002=19.99',
    ]);
    expect(periods(h.between(noon, noon)).map((s) => s.split(' ')[0])).toEqual([
      'p_001=12.99',
      'p_002=19.99',
    ]);
    // Empty and reversed ranges.
    expect(h.fromTo(noon, noon)).toEqual([]);
    expect(h.between(noon, noon - 1)).toEqual([]);
    expect(h.fromTo(at(0, 0), at(0, 1))).toEqual([]);
    expect(h.between(at(0, 0), at(0, 1)).map((v) => v.row[0])).toEqual(['p_001']);
  });

  it("a -U carrying the old row's time does not end the version; the +U after it does", () => {
    // What a versioned view over ROW_NUMBER() deduplication (keep last) emits.
    const h = new VersionHistory({ keyIndices: [0], timeIndex: 1 });
    h.apply(RowKind.INSERT, ['k', 10, 'a']);
    h.apply(RowKind.UPDATE_BEFORE, ['k', 10, 'a']);
    h.apply(RowKind.UPDATE_AFTER, ['k', 30, 'b']);
    expect(periods(h.versions())).toEqual(['k=a [10, 30)', 'k=b [30, Infinity)']);
    expect(h.asOf(20)).toEqual([['k', 10, 'a']]);
  });

  it('versions overwritten at the same timestamp have no validity and are never reported', () => {
    const h = new VersionHistory({ keyIndices: [0], timeIndex: 1 });
    h.apply(RowKind.INSERT, ['k', 10, 'a']);
    h.apply(RowKind.UPDATE_AFTER, ['k', 10, 'b']);
    h.apply(RowKind.UPDATE_AFTER, ['k', 20, 'c']);
    expect(periods(h.versions())).toEqual(['k=b [10, 20)', 'k=c [20, Infinity)']);
    expect(h.asOf(10)).toEqual([['k', 10, 'b']]);
  });
});

describe('VersionHistory: retention', () => {
  it('keeps the configured event time behind the watermark and refuses queries before it', () => {
    const hour = 3_600_000;
    const h = products(hour);
    h.advanceWatermark(at(13, 0));
    expect(h.horizon).toBe(at(12, 0));
    expect(prices(h.asOf(at(12, 0)))).toEqual(['p_001=12.99', 'p_002=19.99']);
    expect(() => h.asOf(at(12, 0) - 1)).toThrow(
      expect.objectContaining({ code: 'TIME_TRAVEL_BEYOND_RETENTION', phase: 'runtime' }),
    );
    expect(() => h.between(at(11, 0), at(14, 0))).toThrow(
      expect.objectContaining({ code: 'TIME_TRAVEL_BEYOND_RETENTION' }),
    );
    // Versions that ended at or before 12:00 are gone: the two 12:00 versions and nothing older.
    expect(h.size).toBe(3); // two versions + p_001's deletion at 18:00
    expect(h.apply(RowKind.UPDATE_AFTER, ['p_002', 'basketball', 1, at(11, 0)])).toBe(false);
    expect(h.apply(RowKind.UPDATE_AFTER, ['p_002', 'basketball', 1, at(12, 30)])).toBe(true);
    expect(prices(h.asOf(at(12, 30)))).toEqual(['p_001=12.99', 'p_002=1']);
  });

  it('retention 0 keeps only what a temporal join needs; a key deleted before the watermark is dropped', () => {
    const h = products(0);
    h.advanceWatermark(at(19, 0));
    expect(periods(h.versions())).toEqual([`p_002=19.99 [${at(12, 0)}, Infinity)`]);
    expect(h.size).toBe(1);
    h.advanceWatermark(Number.POSITIVE_INFINITY);
    expect(h.size).toBe(0);
  });

  it('rejects a negative retention', () => {
    expect(() => new VersionHistory({ keyIndices: [0], timeIndex: 1, retentionMs: -1 })).toThrow(
      expect.objectContaining({ code: 'TIME_INVALID_OPTION' }),
    );
  });
});

describe('VersionHistory: property', () => {
  interface Change {
    key: string;
    t: number;
    kind: RowKind;
    v: number;
  }
  /** Brute force: sort each key's changes by (time, arrival); a version lasts until the next change. */
  function reference(changes: readonly Change[]): VersionRecord[] {
    const out: VersionRecord[] = [];
    for (const key of new Set(changes.map((c) => c.key))) {
      const mine = changes
        .map((c, i) => ({ c, i }))
        .filter((x) => x.c.key === key && x.c.kind !== RowKind.UPDATE_BEFORE)
        .sort((a, b) => a.c.t - b.c.t || a.i - b.i);
      mine.forEach(({ c }, j) => {
        if (!isAccumulate(c.kind)) return;
        const validTo = j + 1 < mine.length ? (mine[j + 1] as { c: Change }).c.t : Number.POSITIVE_INFINITY;
        if (c.t < validTo) out.push({ row: [c.key, c.t, c.v], validFrom: c.t, validTo });
      });
    }
    return out;
  }
  function answer(vs: VersionRecord[], q: PeriodQuery): string[] {
    return periods(
      vs.filter((v) =>
        q.kind === 'asOf'
          ? v.validFrom <= q.at && q.at < v.validTo
          : q.kind === 'fromTo'
            ? v.validFrom < q.to && v.validTo > q.from
            : q.from <= q.to && v.validFrom <= q.to && v.validTo > q.from,
      ),
    );
  }
  const change = fc.record({
    key: fc.constantFrom('a', 'b', 'c'),
    t: fc.integer({ min: 0, max: 50 }),
    kind: fc.constantFrom(
      RowKind.INSERT,
      RowKind.UPDATE_AFTER,
      RowKind.UPDATE_BEFORE,
      RowKind.DELETE,
      RowKind.INSERT,
    ),
    v: fc.integer({ min: 0, max: 99 }),
  });
  const query = fc.oneof(
    fc.record({ kind: fc.constant('asOf' as const), at: fc.integer({ min: -2, max: 55 }) }),
    fc.record({
      kind: fc.constant('fromTo' as const),
      from: fc.integer({ min: -2, max: 55 }),
      to: fc.integer({ min: -2, max: 55 }),
    }),
    fc.record({
      kind: fc.constant('between' as const),
      from: fc.integer({ min: -2, max: 55 }),
      to: fc.integer({ min: -2, max: 55 }),
    }),
  );

  it('answers every period query like a brute-force evaluation, within the retention', () => {
    fc.assert(
      fc.property(
        fc.array(change, { maxLength: 40 }),
        fc.array(query, { minLength: 1, maxLength: 8 }),
        fc.option(
          fc.record({ wm: fc.integer({ min: 0, max: 60 }), retention: fc.integer({ min: 0, max: 30 }) }),
        ),
        (changes, queries, cleanup) => {
          const h = new VersionHistory({
            keyIndices: [0],
            timeIndex: 1,
            retentionMs: cleanup?.retention ?? 0,
          });
          for (const c of changes) h.apply(c.kind, [c.key, c.t, c.v]);
          if (cleanup) h.advanceWatermark(cleanup.wm);
          const all = reference(changes);
          for (const q of queries) {
            const lower = q.kind === 'asOf' ? q.at : q.from;
            if (lower < h.horizon) {
              expect(() => h.query(q)).toThrow(
                expect.objectContaining({ code: 'TIME_TRAVEL_BEYOND_RETENTION' }),
              );
            } else {
              expect(periods(h.query(q))).toEqual(answer(all, q));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a snapshot restores keys in the order they appeared, though a key dropped while it is written out comes last', () => {
    const live = new VersionHistory({ keyIndices: [0], timeIndex: 1 });
    live.apply(RowKind.INSERT, ['a', 1, 0]);
    live.apply(RowKind.INSERT, ['b', 1, 0]);
    live.apply(RowKind.DELETE, ['b', 2, 0]);
    live.apply(RowKind.INSERT, ['c', 1, 0]);
    const asItWas = structuredClone(live.toData());
    // The writer takes 'a', then the watermark drops 'b' (deleted before it), then the writer goes on.
    const snap = snapshotWhile(live, [() => live.advanceWatermark(10)], 1) as VersionHistoryData;
    expect(snap.keys.map(([k]) => k)).toEqual(['a', 'c', 'b']);
    const restored = new VersionHistory({ keyIndices: [0], timeIndex: 1 });
    restored.restoreData(snap);
    expect(restored.toData()).toEqual(asItWas);
    expect(restored.asOf(1).map((r) => r[0])).toEqual(['a', 'b', 'c']);
  });

  it('a snapshot written out while changes and watermarks go on restores the history as it was', () => {
    const step = fc.oneof(
      {
        weight: 3,
        // Many deletions: keys whose last change is an old deletion are dropped, which reorders a
        // snapshot's keys (a dropped key comes after the others), so restoreData must sort them back.
        arbitrary: fc.tuple(change, fc.boolean()).map(([c, del]) => ({
          ...c,
          key: 'abcdefgh'[c.v % 8] as string,
          kind: del ? RowKind.DELETE : c.kind,
        })),
      },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }).map((advance) => ({ advance })) },
    );
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 60 }),
        fc.nat(),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(0, 5, Number.POSITIVE_INFINITY),
        (steps, cut, chunk, retentionMs) => {
          const make = () => new VersionHistory({ keyIndices: [0], timeIndex: 1, retentionMs });
          let wm = 0;
          // Watermarks free history (and drop keys whose last change is an old deletion).
          const ops = steps.map((s) => {
            if ('advance' in s) {
              wm += s.advance * 3;
              const w = wm;
              return (h: VersionHistory) => h.advanceWatermark(w);
            }
            return (h: VersionHistory) => {
              h.apply(s.kind, [s.key, s.t, s.v]);
            };
          });
          const at = cut % (ops.length + 1);
          const whole = make();
          for (const op of ops) op(whole);
          const live = make();
          for (const op of ops.slice(0, at)) op(live);
          const asItWas = structuredClone(live.toData());
          const rest = ops.slice(at).map((op) => () => op(live));
          const snap = snapshotWhile(live, rest, chunk) as VersionHistoryData;
          const restored = make();
          restored.restoreData(snap);
          // Same versions, keys in the same order (the order queries list them), same timers.
          expect(restored.toData()).toEqual(asItWas);
          for (const op of ops.slice(at)) op(restored);
          expect(restored.toData()).toEqual(whole.toData());
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('TimeTravelScan', () => {
  const scan = (query: PeriodQuery) => new TimeTravelScan({ keyIndices: [0], timeIndex: 3, query });

  it('emits the AS OF snapshot as soon as the watermark reaches it, then ignores the rest', () => {
    const h = new OperatorHarness(scan({ kind: 'asOf', at: at(13, 0) }));
    h.pushAll(PRODUCTS.slice(0, 6));
    h.watermark(at(12, 59));
    expect(h.output).toEqual([]);
    h.watermark(at(13, 0));
    expect(prices(h.output.map((c) => c.row))).toEqual(['p_001=12.99', 'p_002=19.99']);
    expect(h.output.every((c) => c.kind === RowKind.INSERT)).toBe(true);
    h.pushAll(PRODUCTS.slice(6));
    h.endAll();
    expect(h.output).toHaveLength(2);
    expect(h.stateSize()).toBe(0);
    expect(h.ended).toBe(true);
  });

  it('emits FROM .. TO versions with valid_from and valid_to at the end of input (NULL: still in force)', () => {
    const h = new OperatorHarness(scan({ kind: 'fromTo', from: at(11, 0), to: at(18, 0) }));
    h.pushAll(PRODUCTS);
    h.watermark(at(20, 0));
    expect(h.output).toEqual([]);
    h.endAll();
    expect(h.formatted().sort()).toEqual(
      [
        `+I[p_001, scooter, 11.11, ${at(0, 1)}, ${at(0, 1)}, ${at(12, 0)}]`,
        `+I[p_001, scooter, 12.99, ${at(12, 0)}, ${at(12, 0)}, ${at(18, 0)}]`,
        `+I[p_002, basketball, 19.99, ${at(12, 0)}, ${at(12, 0)}, NULL]`,
        `+I[p_002, basketball, 23.11, ${at(0, 2)}, ${at(0, 2)}, ${at(12, 0)}]`,
      ].sort(),
    );
  });

  it('frees history before the queried period as the watermark advances, and restores from a snapshot', () => {
    const q: PeriodQuery = { kind: 'between', from: 1000, to: 1010 };
    const h = new OperatorHarness(new TimeTravelScan({ keyIndices: [0], timeIndex: 1, query: q }));
    for (let t = 0; t < 1000; t++) {
      h.insert([`k${t % 3}`, t, t]);
      h.watermark(t - 5);
    }
    expect(h.stateSize()).toBeLessThan(40);
    const snap = h.snapshot();
    const restored = h.restoreInto(new TimeTravelScan({ keyIndices: [0], timeIndex: 1, query: q }), snap);
    for (const x of [h, restored]) {
      for (let t = 1000; t < 1020; t++) x.insert([`k${t % 3}`, t, t]);
      x.insert(['late', 10, 0]); // before what was freed: cannot be placed
      x.endAll();
    }
    expect(restored.formatted()).toEqual(h.formatted());
    expect(h.ctx.metrics.get('numLateRecordsDropped')).toBe(1);
    // Key t % 3 changes every 3 ms: 998 (k2) and 999 (k0) are still in force at 1000, 997 (k1) ended at 1000.
    expect(h.output.map((c) => c.row[1]).sort((a, b) => (a as number) - (b as number))).toEqual(
      Array.from({ length: 13 }, (_, i) => 998 + i),
    );
  });
});
