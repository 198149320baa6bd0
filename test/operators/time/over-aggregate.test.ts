import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Row, RowKind } from '../../../operators/api.ts';
import type { StateKey } from '../../../operators/state.ts';
import { OverAggregate, type OverFrame } from '../../../operators/time/over-aggregate.ts';
import { snapshotWhile } from '../snapshot-while.ts';
import { count, Harness, maxNoMerge, sortedJson, sum } from './harness.ts';
import { groupBy } from './reference.ts';
import { runScenario, shuffledArrivals } from './scenario.ts';

// Rows: [key, ts, value] -> [key, ts, value, count, sum, max]
const TS = 1;
const aggregates = [
  { create: () => count, args: [] },
  { create: () => sum, args: [2] },
  { create: () => maxNoMerge, args: [2] },
];

function reference(frame: OverFrame, rows: readonly Row[]): Row[] {
  const out: Row[] = [];
  for (const g of groupBy(rows, (r) => String(r[0])).values()) {
    const sorted = [...g].sort((a, b) => (a[TS] as number) - (b[TS] as number));
    sorted.forEach((r, i) => {
      const ts = r[TS] as number;
      let inFrame: Row[];
      if (frame.mode === 'rows') {
        const n = frame.preceding === 'unbounded' ? i : frame.preceding;
        inFrame = sorted.slice(Math.max(0, i - n), i + 1);
      } else {
        const p = frame.preceding === 'unbounded' ? Number.POSITIVE_INFINITY : frame.preceding;
        inFrame = sorted.filter((x) => (x[TS] as number) <= ts && (x[TS] as number) >= ts - p);
      }
      const vals = inFrame.map((x) => x[2] as number);
      out.push([...r, vals.length, vals.reduce((a, b) => a + b, 0), Math.max(...vals)]);
    });
  }
  return out;
}

const frameArb: fc.Arbitrary<OverFrame> = fc.record({
  mode: fc.constantFrom('rows' as const, 'range' as const),
  preceding: fc.oneof(fc.constant('unbounded' as const), fc.integer({ min: 0, max: 20 })),
});

/** A snapshot with its partitions sorted by key: writing one out while processing goes on may reorder them. */
function partitionsByKey(snapshot: unknown): unknown {
  const s = snapshot as { partitions: [StateKey, unknown][] };
  const partitions = [...s.partitions].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return { ...s, partitions };
}

describe('OverAggregate (event time)', () => {
  it('holds rows until the watermark, then emits them in rowtime order; RANGE peers see each other', () => {
    const h = new Harness(
      new OverAggregate({
        partitionKeys: [0],
        orderBy: 'rowtime',
        rowtimeIndex: 1,
        frame: { mode: 'range', preceding: 10 },
        aggregates,
      }),
    );
    h.insert(['a', 5, 1]).insert(['a', 3, 2]).insert(['a', 5, 4]).insert(['a', 20, 8]);
    expect(h.out.changes).toEqual([]);
    h.watermark(5);
    expect(h.out.printed()).toEqual(['+I["a",3,2,1,2,2]', '+I["a",5,1,3,7,4]', '+I["a",5,4,3,7,4]']);
    h.insert(['a', 4, 1]);
    expect(h.metric('numLateRecordsDropped')).toBe(1);
    h.watermark(20);
    expect(h.out.printed().slice(3)).toEqual(['+I["a",20,8,1,8,8]']);
    h.watermark(30);
    expect(h.op.stateSize()).toBe(0);
  });

  it('ROWS n PRECEDING keeps the last n + 1 rows', () => {
    const h = new Harness(
      new OverAggregate({
        partitionKeys: [0],
        orderBy: 'rowtime',
        rowtimeIndex: 1,
        frame: { mode: 'rows', preceding: 1 },
        aggregates,
      }),
    );
    h.insert(['a', 1, 1]).insert(['a', 2, 2]).insert(['a', 3, 4]).finish();
    expect(h.out.printed()).toEqual(['+I["a",1,1,1,1,1]', '+I["a",2,2,2,3,2]', '+I["a",3,4,2,6,4]']);
  });

  it('property: out-of-order input gives the sorted-input reference and frees bounded RANGE state', () => {
    fc.assert(
      fc.property(
        frameArb,
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 3 }),
            fc.integer({ min: 0, max: 100 }),
            fc.integer({ min: -5, max: 20 }),
          ),
          { maxLength: 60 },
        ),
        fc.integer({ min: 0, max: 15 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
        fc.boolean(),
        fc.nat(),
        (frame, tuples, delay, jitter, retractable, at) => {
          // ROWS frames order peers by arrival, so give each partition distinct timestamps there.
          const rows =
            frame.mode === 'rows'
              ? [...new Map(tuples.map((t) => [`${t[0]}/${t[1]}`, [...t] as Row])).values()]
              : tuples.map((t) => [...t] as Row);
          const make = () =>
            new OverAggregate({
              partitionKeys: [0],
              orderBy: 'rowtime',
              rowtimeIndex: TS,
              frame,
              aggregates: retractable ? aggregates.slice(0, 2) : aggregates,
            });
          const o = { inputs: 1, tsIndex: [TS], delay };
          const arrivals = shuffledArrivals(rows, TS, delay, jitter);
          const r = runScenario(make, arrivals, o);
          const expected = reference(frame, rows).map((x) => (retractable ? x.slice(0, 5) : x));
          expect(sortedJson(r.out.rows())).toEqual(sortedJson(expected));
          expect(r.out.changes.every((c) => c.kind === RowKind.INSERT)).toBe(true);
          if (frame.mode === 'range' && frame.preceding !== 'unbounded') expect(r.finalState).toBe(0);
          const restored = runScenario(make, arrivals, {
            ...o,
            restoreAt: at % Math.max(1, arrivals.length),
          });
          expect(restored.out.printed()).toEqual(r.out.printed());
        },
      ),
      { numRuns: 250 },
    );
  });

  it('keeps state flat over a long stream', () => {
    for (const frame of [
      { mode: 'range', preceding: 50 },
      { mode: 'rows', preceding: 5 },
      { mode: 'range', preceding: 'unbounded' },
    ] as OverFrame[]) {
      const rows: Row[] = [];
      for (let i = 0; i < 20_000; i++) rows.push([i % 20, i, i % 7]);
      const r = runScenario(
        () =>
          new OverAggregate({ partitionKeys: [0], orderBy: 'rowtime', rowtimeIndex: TS, frame, aggregates }),
        shuffledArrivals(rows, TS, 30, [3, 17, 29, 0]),
        { inputs: 1, tsIndex: [TS], delay: 30 },
      );
      const first = Math.max(...r.stateTrace.slice(1000, 10_000));
      const second = Math.max(...r.stateTrace.slice(10_000, 19_000));
      // The stream's tail (no watermark advance after the newest row) is left out of both halves.
      expect(second).toBeLessThanOrEqual(first);
    }
  });
});

describe('OverAggregate snapshots (copy-on-write)', () => {
  it('property: a snapshot written out in chunks while the operator goes on restores to the uninterrupted run', () => {
    fc.assert(
      fc.property(
        frameArb,
        // Few distinct values: DISTINCT counts go up and down as rows enter and leave frames.
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: -2, max: 3 })), { maxLength: 60 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 5, max: 60 }),
        fc.integer({ min: 0, max: 8 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
        fc.boolean(),
        fc.nat(),
        fc.integer({ min: 1, max: 4 }),
        (frame, tuples, keys, span, delay, jitter, retractable, at, chunk) => {
          // A few partitions over a short span of time: while the snapshot is written out (1 to 4
          // partitions per row of the live operator), their pending rows drain, frames slide (SUM
          // retracts; MAX cannot, so the frame is accumulated again) and RANGE partitions are freed
          // and created again.
          const rows: Row[] = tuples.map(([k, ts, v]) => [k % keys, ts % span, v]);
          const make = () =>
            new OverAggregate({
              partitionKeys: [0],
              orderBy: 'rowtime',
              rowtimeIndex: TS,
              frame,
              // COUNT(DISTINCT v): an accumulator holding a map of argument tuples with counts.
              aggregates: [
                ...(retractable ? aggregates.slice(0, 2) : aggregates),
                { create: () => count, args: [2], distinct: true },
              ],
            });
          const o = { inputs: 1, tsIndex: [TS], delay };
          const arrivals = shuffledArrivals(rows, TS, delay, jitter);
          const plain = runScenario(make, arrivals, o);
          const restored = runScenario(make, arrivals, {
            ...o,
            restoreAt: arrivals.length === 0 ? 0 : at % arrivals.length,
            snapshotChunk: chunk,
            checkSnapshot: partitionsByKey,
          });
          expect(restored.out.printed()).toEqual(plain.out.printed());
          expect(restored.out.watermarks).toEqual(plain.out.watermarks);
          expect(restored.finalState).toBe(plain.finalState);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property (processing time): a snapshot written out while rows arrive and frames are freed restores', () => {
    fc.assert(
      fc.property(
        frameArb,
        fc.array(
          fc.record({
            key: fc.integer({ min: 0, max: 3 }),
            value: fc.integer({ min: -5, max: 20 }),
            dt: fc.integer({ min: 0, max: 8 }),
            tick: fc.boolean(),
          }),
          { maxLength: 50 },
        ),
        fc.boolean(),
        fc.nat(),
        fc.integer({ min: 1, max: 4 }),
        (frame, ops, retractable, at, chunk) => {
          const make = () =>
            new OverAggregate({
              partitionKeys: [0],
              orderBy: 'proctime',
              frame,
              aggregates: retractable ? aggregates.slice(0, 2) : aggregates,
            });
          // Each step: the clock moves, a row arrives, and maybe the cleanup timer frees stale frames.
          const step = (h: Harness<OverAggregate>, op: (typeof ops)[number]) => {
            h.clock += op.dt;
            h.insert([op.key, 0, op.value]);
            if (op.tick) h.op.onProcessingTime(h.clock);
          };
          const plain = new Harness(make());
          for (const op of ops) step(plain, op);
          const cut = ops.length === 0 ? 0 : at % (ops.length + 1);
          const first = new Harness(make());
          for (const op of ops.slice(0, cut)) step(first, op);
          const clock = first.clock;
          const prefix = first.out.printed();
          const snap = snapshotWhile(
            first.op,
            ops.slice(cut).map((op) => () => step(first, op)),
            chunk,
          );
          expect(first.out.printed()).toEqual(plain.out.printed());
          const resumed = new Harness(make());
          resumed.op.restore(structuredClone(snap));
          resumed.clock = clock;
          for (const op of ops.slice(cut)) step(resumed, op);
          expect([...prefix, ...resumed.out.printed()]).toEqual(plain.out.printed());
          expect(resumed.op.stateSize()).toBe(plain.op.stateSize());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('restores a snapshot taken before snapshots were copy-on-write (partitions as objects)', () => {
    const make = () =>
      new OverAggregate({
        partitionKeys: [0],
        orderBy: 'rowtime',
        rowtimeIndex: TS,
        frame: { mode: 'range', preceding: 5 },
        aggregates,
      });
    const before: Row[] = [
      ['a', 1, 3],
      ['b', 2, 5],
      ['a', 4, 1],
      ['a', 3, 7],
      ['b', 6, 2],
      ['a', 8, 4],
      ['a', 9, 6],
      ['b', 9, 1],
      ['a', 12, 2],
    ];
    const after: Row[] = [
      ['b', 14, 3],
      ['a', 10, 5],
      ['b', 11, 8],
    ];
    // What the previous OverAggregate's snapshot() returned after `before` and the watermark 8
    // (structuredClone of the partitions map's entries and the timer heap).
    const old = {
      wm: 8,
      partitions: [
        [
          'a',
          {
            accs: [3, { s: 12, n: 3 }, 7],
            frame: [
              ['a', 3, 7],
              ['a', 4, 1],
              ['a', 8, 4],
            ],
            frameTs: [3, 4, 8],
            pending: [
              [9, [['a', 9, 6]]],
              [12, [['a', 12, 2]]],
            ],
          },
        ],
        [
          'b',
          {
            accs: [2, { s: 7, n: 2 }, 5],
            frame: [
              ['b', 2, 5],
              ['b', 6, 2],
            ],
            frameTs: [2, 6],
            pending: [[9, [['b', 9, 1]]]],
          },
        ],
      ],
      timers: [
        [9, 'a'],
        [11, 'b'],
        [9, 'a'],
        [13, 'a'],
        [12, 'a'],
        [9, 'b'],
      ],
    };
    const plain = new Harness(make());
    for (const r of before) plain.insert(r);
    plain.watermark(8);
    const emitted = plain.out.changes.length;
    for (const r of after) plain.insert(r);
    plain.finish();
    const resumed = new Harness(make());
    resumed.op.restore(old);
    for (const r of after) resumed.insert(r);
    resumed.finish();
    expect(resumed.out.printed()).toEqual(plain.out.printed().slice(emitted));
    expect(resumed.op.stateSize()).toBe(0);
  });
});

describe('OverAggregate (processing time)', () => {
  it('processes rows on arrival, the RANGE frame measured in processing time', () => {
    const h = new Harness(
      new OverAggregate({
        partitionKeys: [0],
        orderBy: 'proctime',
        frame: { mode: 'range', preceding: 100 },
        aggregates,
      }),
    );
    h.clock = 1000;
    h.insert(['a', 0, 5]);
    h.clock = 1050;
    h.insert(['a', 0, 1]).insert(['b', 0, 7]);
    h.clock = 1120;
    h.insert(['a', 0, 2]);
    expect(h.out.printed()).toEqual([
      '+I["a",0,5,1,5,5]',
      '+I["a",0,1,2,6,5]',
      '+I["b",0,7,1,7,7]',
      '+I["a",0,2,2,3,2]',
    ]);
    // b's frame (its row at 1050) can serve no row arriving after 1150: freed on the timer.
    h.op.onProcessingTime(1150);
    expect(h.op.stateSize()).toBe(2 + 3); // partitions a, b + frame rows (a: 2, b: 1)
    h.op.onProcessingTime(1151);
    expect(h.op.stateSize()).toBe(1 + 2);
    h.op.onProcessingTime(1221);
    expect(h.op.stateSize()).toBe(0);
  });
});
