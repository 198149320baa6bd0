import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Row, RowKind } from '../../../operators/api.ts';
import type { JoinType } from '../../../operators/time/join-types.ts';
import { type RankType, ranksOf } from '../../../operators/time/ranking.ts';
import { WindowDeduplicate } from '../../../operators/time/window-deduplicate.ts';
import { WindowJoin } from '../../../operators/time/window-join.ts';
import type { WindowSpec } from '../../../operators/time/window-spec.ts';
import { WindowTableFunction } from '../../../operators/time/window-table-function.ts';
import { WindowTopN } from '../../../operators/time/window-top-n.ts';
import { Harness, sortedJson } from './harness.ts';
import { groupBy, refSessions, refWindows } from './reference.ts';
import { type Arrival, interleave, runScenario, shuffledArrivals, watermarkDelay } from './scenario.ts';

// Input rows: [key, ts, value]; windowed rows append [window_start, window_end, window_time].
const TS = 1;

const alignedSpecArb: fc.Arbitrary<WindowSpec> = fc.oneof(
  fc.record({
    kind: fc.constant('tumble' as const),
    size: fc.integer({ min: 1, max: 30 }),
    offset: fc.integer({ min: -5, max: 5 }),
  }),
  fc
    .record({ slide: fc.integer({ min: 1, max: 10 }), mult: fc.integer({ min: 1, max: 4 }) })
    .map(({ slide, mult }) => ({ kind: 'hop' as const, slide, size: slide * mult })),
  fc
    .record({ step: fc.integer({ min: 1, max: 10 }), mult: fc.integer({ min: 1, max: 4 }) })
    .map(({ step, mult }) => ({ kind: 'cumulate' as const, step, size: step * mult })),
);

const rowsArb = fc.array(
  fc.tuple(
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: -30, max: 150 }),
    fc.integer({ min: 0, max: 9 }),
  ),
  { maxLength: 60 },
);

/** The reference TVF: every row once per window containing it. */
function windowed(spec: WindowSpec, rows: readonly Row[]): Row[] {
  return rows.flatMap((r) => refWindows(spec, r[TS] as number).map(([s, e]) => [...r, s, e, e - 1]));
}

const delayArb = fc.integer({ min: 0, max: 15 });
const jitterArb = fc.array(fc.nat(), { minLength: 1, maxLength: 10 });
/** Snapshot entries written out per arrival while the snapshotted operator goes on (scenario.ts). */
const chunkArb = fc.integer({ min: 1, max: 4 });

describe('WindowTableFunction', () => {
  it('appends window columns, one row per HOP window, keeping the change kind', () => {
    const h = new Harness(
      new WindowTableFunction({ window: { kind: 'hop', slide: 5, size: 10 }, rowtimeIndex: 1 }),
    );
    h.insert(['a', 7]).push(RowKind.DELETE, ['b', 12]);
    expect(h.out.printed()).toEqual([
      '+I["a",7,0,10,9]',
      '+I["a",7,5,15,14]',
      '-D["b",12,5,15,14]',
      '-D["b",12,10,20,19]',
    ]);
  });

  it('assigns processing-time windows by the arrival time', () => {
    const h = new Harness(
      new WindowTableFunction({
        window: { kind: 'tumble', size: 10 },
        rowtimeIndex: -1,
        timeAttribute: 'proctime',
      }),
    );
    h.clock = 25;
    h.insert(['a']);
    expect(h.out.printed()).toEqual(['+I["a",20,30,29]']);
  });

  it('SESSION buffers rows until the watermark closes their session, then emits them in rowtime order', () => {
    const h = new Harness(
      new WindowTableFunction({ window: { kind: 'session', gap: 10 }, rowtimeIndex: 1, partitionKeys: [0] }),
    );
    h.insert(['a', 5]).insert(['a', 1]).insert(['b', 3]).insert(['a', 30]);
    h.watermark(12);
    expect(h.out.printed()).toEqual(['+I["b",3,3,13,12]']);
    h.watermark(20);
    expect(h.out.printed().slice(1)).toEqual(['+I["a",1,1,15,14]', '+I["a",5,1,15,14]']);
    h.insert(['b', 2]);
    expect(h.metric('numLateRecordsDropped')).toBe(1);
    h.finish();
    expect(h.out.printed().slice(3)).toEqual(['+I["a",30,30,40,39]']);
    expect(h.op.stateSize()).toBe(0);
  });

  it('a snapshot keeps the sessions a watermark emits and frees while it is written out', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 4 }), (keys, chunk) => {
        const make = () =>
          new WindowTableFunction({
            window: { kind: 'session', gap: 5 },
            rowtimeIndex: 1,
            partitionKeys: [0],
          });
        // Two sessions per key (the second arrives without moving the watermark); right after the
        // snapshot a watermark emits and frees the first ones.
        const arrivals: Arrival[] = [];
        const held = new Set<number>();
        for (let k = 0; k < keys; k++) arrivals.push({ input: 0, row: [k, 0] });
        for (let k = 0; k < keys; k++) {
          held.add(arrivals.length);
          arrivals.push({ input: 0, row: [k, 20] });
        }
        const restoreAt = arrivals.length;
        arrivals.push({ input: 0, row: [0, 12] });
        const o = { inputs: 1, tsIndex: [1], delay: 0, noWatermark: held };
        const plain = runScenario(make, arrivals, o);
        const restored = runScenario(make, arrivals, { ...o, restoreAt, snapshotChunk: chunk });
        expect(restored.out.printed()).toEqual(plain.out.printed());
      }),
      { numRuns: 30 },
    );
  });

  it('property: aligned windows equal the reference; SESSION on shuffled input equals sessions of the sorted input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          alignedSpecArb,
          fc.record({ kind: fc.constant('session' as const), gap: fc.integer({ min: 1, max: 15 }) }),
        ),
        rowsArb,
        delayArb,
        jitterArb,
        fc.nat(),
        (spec, tuples, delay, jitter, at) => {
          const rows: Row[] = tuples.map((t) => [...t]);
          const arrivals = shuffledArrivals(rows, TS, delay, jitter);
          const make = () =>
            new WindowTableFunction(
              spec.kind === 'session'
                ? { window: spec, rowtimeIndex: TS, partitionKeys: [0] }
                : { window: spec as Exclude<WindowSpec, { kind: 'session' | 'columns' }>, rowtimeIndex: TS },
            );
          const o = { inputs: 1, tsIndex: [TS], delay: watermarkDelay(spec, delay) };
          const r = runScenario(make, arrivals, o);
          const expected =
            spec.kind === 'session'
              ? refSessions(rows, 0, TS, spec.gap).flatMap((s) =>
                  s.rows.map((x) => [...x, s.start, s.end, s.end - 1]),
                )
              : windowed(spec, rows);
          expect(sortedJson(r.out.rows())).toEqual(sortedJson(expected));
          expect(r.finalState).toBe(0);
          expect(r.metrics.get('numLateRecordsDropped') ?? 0).toBe(0);
          const restored = runScenario(make, arrivals, {
            ...o,
            restoreAt: at % Math.max(1, arrivals.length),
          });
          expect(restored.out.printed()).toEqual(r.out.printed());
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('WindowTopN', () => {
  const byValue = (a: Row, b: Row) => (a[2] as number) - (b[2] as number);
  const byValueThenTs = (a: Row, b: Row) => byValue(a, b) || (a[TS] as number) - (b[TS] as number);

  it('emits the top rows of each window with their rank when the window fires', () => {
    const h = new Harness(
      new WindowTopN({
        windowStartIndex: 3,
        windowEndIndex: 4,
        partitionKeys: [0],
        compare: byValue,
        rankType: 'RANK',
        rankEnd: 2,
        outputRank: true,
      }),
    );
    h.insert(['a', 1, 5, 0, 10])
      .insert(['a', 2, 3, 0, 10])
      .insert(['a', 3, 3, 0, 10])
      .insert(['a', 4, 9, 0, 10]);
    h.insert(['b', 4, 1, 0, 10]).insert(['a', 11, 1, 10, 20]);
    expect(h.op.stateSize()).toBe(6 - 2 + 2); // 'a' window trimmed to the 3 tied/top rows, + 2 timers
    h.watermark(9);
    expect(h.out.printed()).toEqual(['+I["a",2,3,0,10,1]', '+I["a",3,3,0,10,1]', '+I["b",4,1,0,10,1]']);
    h.insert(['a', 5, 0, 0, 10]);
    expect(h.metric('numLateRecordsDropped')).toBe(1);
  });

  it('rejects an empty rank range', () => {
    expect(
      () =>
        new WindowTopN({
          windowStartIndex: 3,
          windowEndIndex: 4,
          partitionKeys: [],
          compare: byValue,
          rankStart: 3,
          rankEnd: 2,
        }),
    ).toThrow(expect.objectContaining({ code: 'TOPN_INVALID_RANK_RANGE' }));
  });

  it('property: equals ranking each window of the sorted input, for every rank type', () => {
    fc.assert(
      fc.property(
        alignedSpecArb,
        rowsArb,
        delayArb,
        jitterArb,
        fc.constantFrom<RankType>('ROW_NUMBER', 'RANK', 'DENSE_RANK'),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        fc.nat(),
        chunkArb,
        (spec, tuples, delay, jitter, rankType, rankStart, extra, outputRank, at, chunk) => {
          const input = windowed(
            spec,
            tuples.map((t) => [...t]),
          );
          const rankEnd = rankStart + extra;
          // ROW_NUMBER needs a total order to be deterministic; RANK and DENSE_RANK handle ties.
          const compare = rankType === 'ROW_NUMBER' ? byValueThenTs : byValue;
          const make = () =>
            new WindowTopN({
              windowStartIndex: 3,
              windowEndIndex: 4,
              partitionKeys: [0],
              compare,
              rankType,
              rankStart,
              rankEnd,
              outputRank,
            });
          const o = { inputs: 1, tsIndex: [TS], delay };
          const arrivals = shuffledArrivals(input, TS, delay, jitter);
          const r = runScenario(make, arrivals, o);
          const expected: Row[] = [];
          for (const g of groupBy(input, (x) => JSON.stringify([x[0], x[3], x[4]])).values()) {
            const sorted = [...g].sort(compare);
            const ranks = ranksOf(sorted, rankType, compare);
            sorted.forEach((x, i) => {
              const rk = ranks[i] as number;
              if (rk >= rankStart && rk <= rankEnd) expected.push(outputRank ? [...x, rk] : x);
            });
          }
          expect(sortedJson(r.out.rows())).toEqual(sortedJson(expected));
          expect(r.out.changes.every((c) => c.kind === RowKind.INSERT)).toBe(true);
          expect(r.finalState).toBe(0);
          const restored = runScenario(make, arrivals, {
            ...o,
            restoreAt: at % Math.max(1, arrivals.length),
            snapshotChunk: chunk,
            checkSnapshot: true,
          });
          expect(restored.out.printed()).toEqual(r.out.printed());
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('WindowDeduplicate', () => {
  it('property: keeps the first or last row by rowtime per window and key, as on sorted input', () => {
    fc.assert(
      fc.property(
        alignedSpecArb,
        rowsArb,
        delayArb,
        jitterArb,
        fc.boolean(),
        fc.nat(),
        chunkArb,
        (spec, tuples, delay, jitter, keepLast, at, chunk) => {
          // One row per (key, ts) so that "first" and "last" are unambiguous.
          const unique = [...new Map(tuples.map((t) => [`${t[0]}/${t[1]}`, [...t] as Row])).values()];
          const input = windowed(spec, unique);
          const make = () =>
            new WindowDeduplicate({
              windowStartIndex: 3,
              windowEndIndex: 4,
              keys: [0],
              rowtimeIndex: TS,
              keepLast,
            });
          const o = { inputs: 1, tsIndex: [TS], delay };
          const arrivals = shuffledArrivals(input, TS, delay, jitter);
          const r = runScenario(make, arrivals, o);
          const expected = [...groupBy(input, (x) => JSON.stringify([x[0], x[3], x[4]])).values()].map(
            (g) => {
              const sorted = [...g].sort((a, b) => (a[TS] as number) - (b[TS] as number));
              return (keepLast ? sorted[sorted.length - 1] : sorted[0]) as Row;
            },
          );
          expect(sortedJson(r.out.rows())).toEqual(sortedJson(expected));
          expect(r.finalState).toBe(0);
          const restored = runScenario(make, arrivals, {
            ...o,
            restoreAt: at % Math.max(1, arrivals.length),
            snapshotChunk: chunk,
            checkSnapshot: true,
          });
          expect(restored.out.printed()).toEqual(r.out.printed());
        },
      ),
      { numRuns: 200 },
    );
  });

  it('counts rows for fired windows as late', () => {
    const h = new Harness(
      new WindowDeduplicate({
        windowStartIndex: 3,
        windowEndIndex: 4,
        keys: [0],
        rowtimeIndex: 1,
        keepLast: false,
      }),
    );
    h.insert(['a', 5, 1, 0, 10]).insert(['a', 2, 2, 0, 10]).watermark(9).insert(['a', 1, 3, 0, 10]);
    expect(h.out.printed()).toEqual(['+I["a",2,2,0,10]']);
    expect(h.metric('numLateRecordsDropped')).toBe(1);
  });
});

describe('WindowJoin', () => {
  const joinTypes: JoinType[] = ['INNER', 'LEFT', 'RIGHT', 'FULL', 'SEMI', 'ANTI'];
  const side = { windowStartIndex: 3, windowEndIndex: 4, keys: [0], arity: 6 };
  const residual = (l: Row, r: Row) => ((l[2] as number) + (r[2] as number)) % 3 !== 0;

  function refJoin(type: JoinType, left: readonly Row[], right: readonly Row[]): Row[] {
    const out: Row[] = [];
    const rightMatched = new Set<Row>();
    const same = (l: Row, r: Row) =>
      l[0] !== null && l[0] === r[0] && l[3] === r[3] && l[4] === r[4] && residual(l, r);
    for (const l of left) {
      const matches = right.filter((r) => same(l, r));
      for (const r of matches) rightMatched.add(r);
      if (type === 'SEMI') {
        if (matches.length > 0) out.push(l);
      } else if (type === 'ANTI') {
        if (matches.length === 0) out.push(l);
      } else {
        for (const r of matches) out.push([...l, ...r]);
        if (matches.length === 0 && (type === 'LEFT' || type === 'FULL'))
          out.push([...l, ...new Array(6).fill(null)]);
      }
    }
    if (type === 'RIGHT' || type === 'FULL') {
      for (const r of right) if (!rightMatched.has(r)) out.push([...new Array(6).fill(null), ...r]);
    }
    return out;
  }

  it('property: every join type equals the nested-loop join of the sorted inputs per window', () => {
    const keyedRows = fc.array(
      fc.tuple(
        fc.option(fc.integer({ min: 0, max: 2 }), { freq: 8 }),
        fc.integer({ min: -30, max: 150 }),
        fc.integer({ min: 0, max: 9 }),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(
        alignedSpecArb,
        keyedRows,
        keyedRows,
        delayArb,
        jitterArb,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }),
        fc.constantFrom(...joinTypes),
        fc.nat(),
        chunkArb,
        (spec, lt, rt, delay, jitter, choice, joinType, at, chunk) => {
          const left = windowed(
            spec,
            lt.map((t) => [...t]),
          );
          const right = windowed(
            spec,
            rt.map((t) => [...t]),
          );
          const arrivals: Arrival[] = interleave(
            shuffledArrivals(left, TS, delay, jitter, 0),
            shuffledArrivals(right, TS, delay, [...jitter].reverse(), 1),
            choice,
          );
          const make = () => new WindowJoin({ joinType, left: side, right: side, residual });
          const o = { inputs: 2, tsIndex: [TS, TS], delay };
          const r = runScenario(make, arrivals, o);
          expect(sortedJson(r.out.rows())).toEqual(sortedJson(refJoin(joinType, left, right)));
          expect(r.finalState).toBe(0);
          expect(r.out.ended).toBe(true);
          const restored = runScenario(make, arrivals, {
            ...o,
            restoreAt: at % Math.max(1, arrivals.length),
            snapshotChunk: chunk,
            checkSnapshot: true,
          });
          expect(restored.out.printed()).toEqual(r.out.printed());
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fires on the minimum of both watermarks and counts late rows', () => {
    const h = new Harness(new WindowJoin({ joinType: 'INNER', left: side, right: side }));
    h.insert(['a', 1, 1, 0, 10, 9], 0).insert(['a', 2, 2, 0, 10, 9], 1);
    h.watermark(50, 0);
    expect(h.out.changes).toEqual([]);
    h.watermark(9, 1);
    expect(h.out.rows()).toEqual([['a', 1, 1, 0, 10, 9, 'a', 2, 2, 0, 10, 9]]);
    expect(h.out.watermarks).toEqual([9]);
    h.insert(['a', 3, 3, 0, 10, 9], 0);
    expect(h.metric('numLateRecordsDropped')).toBe(1);
    expect(h.op.stateSize()).toBe(0);
  });
});
