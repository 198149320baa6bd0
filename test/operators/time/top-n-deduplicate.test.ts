import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Operator, type Row, RowKind } from '../../../operators/api.ts';
import { materializeSnapshot } from '../../../operators/state.ts';
import { Deduplicate } from '../../../operators/time/deduplicate.ts';
import { TopN } from '../../../operators/time/top-n.ts';
import { snapshotWhile } from '../snapshot-while.ts';
import { Harness, materialize, sortedJson } from './harness.ts';
import { groupBy } from './reference.ts';
import { runScenario, shuffledArrivals } from './scenario.ts';

// Rows: [partition, value, id]
const byValue = (a: Row, b: Row) => (a[1] as number) - (b[1] as number);
// Among rows of equal value the top N is a free choice (as ROW_NUMBER's is in Flink), so the property
// orders totally: equal rows are then interchangeable and the expected top N is one multiset.
const byValueThenId = (a: Row, b: Row) => byValue(a, b) || (a[2] as number) - (b[2] as number);

/** One step of a run: a change at a processing time, or a watermark. */
interface TimedStep {
  readonly time: number;
  readonly kind: RowKind | 'watermark';
  readonly row: Row;
  readonly ts?: number;
}

function runStep(h: Harness, s: TimedStep): void {
  h.clock = s.time;
  if (s.kind === 'watermark') h.watermark(s.ts as number);
  else h.push(s.kind, s.row);
}

/**
 * The copy-on-write property: the operator snapshotted after `at` steps, the snapshot written out a few
 * entries at a time (`chunk`) while it runs the remaining steps, and restored into a fresh operator that
 * runs them again: that one must emit exactly what an uninterrupted run emits after step `at`, and end
 * with the same state size.
 */
function expectSnapshotWhileRunningContinues(
  make: () => Operator,
  steps: readonly TimedStep[],
  at: number,
  chunk: number,
): void {
  const whole = new Harness(make());
  for (const s of steps) runStep(whole, s);
  const first = new Harness(make());
  for (const s of steps.slice(0, at)) runStep(first, s);
  const emittedAtCut = first.out.changes.length;
  const snap = snapshotWhile(
    first.op,
    steps.slice(at).map((s) => () => runStep(first, s)),
    chunk,
  );
  expect(first.out.printed()).toEqual(whole.out.printed());
  const op = make();
  op.restore(structuredClone(snap)); // restore() precedes open(), as in a job
  const resumed = new Harness(op);
  for (const s of steps.slice(at)) runStep(resumed, s);
  expect(resumed.out.printed()).toEqual(whole.out.printed().slice(emittedAtCut));
  expect(resumed.op.stateSize()).toBe(whole.op.stateSize());
}

describe('TopN', () => {
  it('emits per-rank updates with the rank column', () => {
    const h = new Harness(new TopN({ partitionKeys: [0], compare: byValue, rankEnd: 2, outputRank: true }));
    h.insert(['p', 5, 'a']).insert(['p', 3, 'b']).insert(['p', 9, 'c']).insert(['p', 1, 'd']);
    expect(h.out.printed()).toEqual([
      '+I["p",5,"a",1]',
      '-U["p",5,"a",1]',
      '+U["p",3,"b",1]',
      '+I["p",5,"a",2]',
      '-U["p",3,"b",1]',
      '+U["p",1,"d",1]',
      '-U["p",5,"a",2]',
      '+U["p",3,"b",2]',
    ]);
    expect(h.op.stateSize()).toBe(1 + 2);
  });

  it('without the rank column emits only rows entering and leaving the top N', () => {
    const h = new Harness(new TopN({ partitionKeys: [0], compare: byValue, rankEnd: 2 }));
    h.insert(['p', 5, 'a']).insert(['p', 3, 'b']).insert(['p', 9, 'c']).insert(['p', 1, 'd']);
    expect(h.out.printed()).toEqual(['+I["p",5,"a"]', '+I["p",3,"b"]', '-D["p",5,"a"]', '+I["p",1,"d"]']);
  });

  it('refuses a retraction when planned for insert-only input', () => {
    const h = new Harness(new TopN({ partitionKeys: [0], compare: byValue, rankEnd: 2 }));
    expect(() => h.push(RowKind.DELETE, ['p', 1, 'x'])).toThrow(
      expect.objectContaining({ code: 'TOPN_RETRACT_UNSUPPORTED' }),
    );
  });

  it('property: after every change the materialised output is the top-N of the rows so far', () => {
    const ops = fc.array(
      fc.record({
        del: fc.boolean(),
        pick: fc.nat(),
        row: fc.tuple(
          fc.integer({ min: 0, max: 2 }),
          fc.integer({ min: 0, max: 6 }),
          fc.integer({ min: 0, max: 3 }),
        ),
      }),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(
        ops,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        fc.boolean(),
        (steps, rankStart, extra, retractions, at) => {
          const rankEnd = rankStart + extra;
          const make = (outputRank: boolean) =>
            new Harness(
              new TopN({
                partitionKeys: [0],
                compare: byValueThenId,
                rankStart,
                rankEnd,
                outputRank,
                acceptsRetractions: retractions,
              }),
            );
          const withRank = make(true);
          const noRank = make(false);
          let live: Row[] = [];
          for (const s of steps) {
            if (s.del && retractions && live.length > 0) {
              const victim = live[s.pick % live.length] as Row;
              live = live.filter((r) => r !== victim);
              // Retract an equal copy, as an upstream operator would send it.
              withRank.push(RowKind.DELETE, [...victim]);
              noRank.push(RowKind.DELETE, [...victim]);
            } else {
              const row: Row = [...s.row];
              live.push(row);
              withRank.insert(row);
              noRank.insert(row);
            }
            const expected: Row[] = [];
            for (const g of groupBy(live, (r) => String(r[0])).values()) {
              [...g]
                .sort(byValueThenId)
                .slice(rankStart - 1, rankEnd)
                .forEach((r, i) => {
                  expected.push([...r, rankStart + i]);
                });
            }
            expect(materialize(withRank.out.changes)).toEqual(sortedJson(expected));
            expect(materialize(noRank.out.changes)).toEqual(sortedJson(expected.map((r) => r.slice(0, 3))));
          }
          expect(noRank.out.changes.length).toBeLessThanOrEqual(withRank.out.changes.length);
          // Snapshot/restore keeps the state: a fresh operator continues identically.
          if (at) {
            const copy = make(true);
            copy.op.restore(structuredClone(materializeSnapshot(withRank.op.snapshot())));
            const before = withRank.out.changes.length;
            for (const probe of [
              [0, 0, 9],
              [1, 3, 9],
              [2, 6, 9],
            ] as Row[]) {
              copy.insert(probe);
              withRank.insert(probe);
            }
            expect(copy.out.printed()).toEqual(withRank.out.printed().slice(before));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: a snapshot written out while the operator goes on restores into one that continues identically', () => {
    const ops = fc.array(
      fc.record({
        del: fc.boolean(),
        pick: fc.nat(),
        tick: fc.integer({ min: 0, max: 3 }),
        row: fc.tuple(
          fc.integer({ min: 0, max: 7 }),
          fc.integer({ min: 0, max: 6 }),
          fc.integer({ min: 0, max: 3 }),
        ),
      }),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(
        ops,
        fc.record({
          rankStart: fc.integer({ min: 1, max: 3 }),
          extra: fc.integer({ min: 0, max: 3 }),
          outputRank: fc.boolean(),
          retractions: fc.boolean(),
          ttl: fc.constantFrom(0, 6),
        }),
        fc.nat(),
        fc.integer({ min: 1, max: 4 }),
        (ops, o, cut, chunk) => {
          const make = () =>
            new TopN({
              partitionKeys: [0],
              compare: byValueThenId,
              rankStart: o.rankStart,
              rankEnd: o.rankStart + o.extra,
              outputRank: o.outputRank,
              acceptsRetractions: o.retractions,
              stateTtlMs: o.ttl,
            });
          const steps: TimedStep[] = [];
          let live: Row[] = [];
          let time = 0;
          for (const s of ops) {
            time += s.tick;
            if (s.del && o.retractions && live.length > 0) {
              const victim = live[s.pick % live.length] as Row;
              live = live.filter((r) => r !== victim);
              steps.push({ time, kind: RowKind.DELETE, row: [...victim] });
            } else {
              live.push(s.row);
              steps.push({ time, kind: RowKind.INSERT, row: s.row });
            }
          }
          // Then every partition shows what it holds: all its rows retracted, or a new best row in each.
          for (const r of live) if (o.retractions) steps.push({ time, kind: RowKind.DELETE, row: r });
          for (let p = 0; p < 8; p++) steps.push({ time, kind: RowKind.INSERT, row: [p, -1, 0] });
          expectSnapshotWhileRunningContinues(make, steps, cut % (steps.length + 1), chunk);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('state TTL forgets idle partitions and keeps state flat over unbounded partitions', () => {
    const h = new Harness(new TopN({ partitionKeys: [0], compare: byValue, rankEnd: 3, stateTtlMs: 1000 }));
    const sizes: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      h.clock = i; // one row per ms, always a new partition
      h.insert([i, i % 10, i]);
      sizes.push(h.op.stateSize());
    }
    expect(Math.max(...sizes.slice(10_000))).toBeLessThanOrEqual(Math.max(...sizes.slice(1000, 10_000)));
    expect(h.op.stateSize()).toBeLessThanOrEqual(2 * 1001);
    h.op.onProcessingTime(30_000);
    expect(h.op.stateSize()).toBe(0);
  });
});

describe('Deduplicate', () => {
  const rowsArb = fc.array(
    fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 100 }), fc.nat(99)),
    { maxLength: 60 },
  );
  // Rows: [key, ts, payload]

  it('keep-first by processing time emits each key once, append-only', () => {
    const h = new Harness(new Deduplicate({ keys: [0], keepLast: false, orderBy: 'proctime' }));
    h.insert(['a', 1, 1]).insert(['b', 2, 2]).insert(['a', 3, 3]);
    expect(h.out.printed()).toEqual(['+I["a",1,1]', '+I["b",2,2]']);
  });

  it('keep-last by processing time emits -U/+U as the last row changes', () => {
    const h = new Harness(new Deduplicate({ keys: [0], keepLast: true, orderBy: 'proctime' }));
    h.insert(['a', 1, 1]).insert(['a', 3, 3]);
    expect(h.out.printed()).toEqual(['+I["a",1,1]', '-U["a",1,1]', '+U["a",3,3]']);
  });

  it('property: keep-first by rowtime on out-of-order input emits the earliest row per key, once, when final', () => {
    fc.assert(
      fc.property(
        rowsArb,
        fc.integer({ min: 0, max: 15 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (tuples, delay, jitter, at) => {
          const rows = [...new Map(tuples.map((t) => [`${t[0]}/${t[1]}`, [...t] as Row])).values()];
          const make = () =>
            new Deduplicate({ keys: [0], keepLast: false, orderBy: 'rowtime', rowtimeIndex: 1 });
          const arrivals = shuffledArrivals(rows, 1, delay, jitter);
          const o = { inputs: 1, tsIndex: [1], delay };
          const r = runScenario(make, arrivals, o);
          const expected = [...groupBy(rows, (x) => String(x[0])).values()].map(
            (g) => [...g].sort((a, b) => (a[1] as number) - (b[1] as number))[0] as Row,
          );
          expect(r.out.changes.every((c) => c.kind === RowKind.INSERT)).toBe(true);
          expect(sortedJson(r.out.rows())).toEqual(sortedJson(expected));
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

  it('property: keep-last by rowtime materialises to the latest row per key, on any arrival order', () => {
    fc.assert(
      fc.property(
        rowsArb,
        fc.integer({ min: 0, max: 15 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        (tuples, delay, jitter) => {
          const rows = [...new Map(tuples.map((t) => [`${t[0]}/${t[1]}`, [...t] as Row])).values()];
          const r = runScenario(
            () => new Deduplicate({ keys: [0], keepLast: true, orderBy: 'rowtime', rowtimeIndex: 1 }),
            shuffledArrivals(rows, 1, delay, jitter),
            { inputs: 1, tsIndex: [1], delay },
          );
          const expected = [...groupBy(rows, (x) => String(x[0])).values()].map(
            (g) => [...g].sort((a, b) => (b[1] as number) - (a[1] as number))[0] as Row,
          );
          expect(materialize(r.out.changes)).toEqual(sortedJson(expected));
        },
      ),
      { numRuns: 250 },
    );
  });

  it('property: a snapshot written out while the operator goes on restores into one that continues identically', () => {
    const ops = fc.array(
      fc.record({
        watermark: fc.boolean(),
        tick: fc.integer({ min: 0, max: 3 }),
        row: fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 30 }), fc.nat(99)),
      }),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(
        ops,
        fc.record({
          keepLast: fc.boolean(),
          orderBy: fc.constantFrom<'rowtime' | 'proctime'>('rowtime', 'proctime'),
          ttl: fc.constantFrom(0, 6),
          delay: fc.integer({ min: 0, max: 10 }),
        }),
        fc.nat(),
        fc.integer({ min: 1, max: 4 }),
        (ops, o, cut, chunk) => {
          const make = () =>
            new Deduplicate({
              keys: [0],
              keepLast: o.keepLast,
              orderBy: o.orderBy,
              rowtimeIndex: 1,
              stateTtlMs: o.ttl,
            });
          const steps: TimedStep[] = [];
          let time = 0;
          let maxTs = 0;
          for (const s of ops) {
            time += s.tick;
            steps.push({ time, kind: RowKind.INSERT, row: s.row });
            maxTs = Math.max(maxTs, s.row[1] as number);
            if (s.watermark) steps.push({ time, kind: 'watermark', row: [], ts: maxTs - o.delay });
          }
          // Then every key shows what it holds: pending rows fire, and a later row comes for each key.
          steps.push({ time, kind: 'watermark', row: [], ts: 100 });
          for (let k = 0; k < 8; k++) steps.push({ time, kind: RowKind.INSERT, row: [k, 200, 0] });
          steps.push({ time, kind: 'watermark', row: [], ts: 300 });
          expectSnapshotWhileRunningContinues(make, steps, cut % (steps.length + 1), chunk);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keep-first by rowtime counts late rows of keys not yet emitted', () => {
    const h = new Harness(
      new Deduplicate({ keys: [0], keepLast: false, orderBy: 'rowtime', rowtimeIndex: 1 }),
    );
    h.insert(['a', 10, 1]).watermark(20);
    expect(h.out.printed()).toEqual(['+I["a",10,1]']);
    h.insert(['a', 5, 2]).insert(['b', 15, 3]);
    expect(h.out.changes).toHaveLength(1);
    expect(h.metric('numLateRecordsDropped')).toBe(1); // b is late; a is a duplicate
  });

  it('state TTL expires seen flags, so state stays flat over unbounded keys', () => {
    for (const keepLast of [false, true]) {
      const h = new Harness(new Deduplicate({ keys: [0], keepLast, orderBy: 'proctime', stateTtlMs: 500 }));
      const sizes: number[] = [];
      for (let i = 0; i < 20_000; i++) {
        h.clock = i;
        h.insert([i % 5000, i, 0]);
        sizes.push(h.op.stateSize());
      }
      expect(Math.max(...sizes.slice(10_000))).toBeLessThanOrEqual(501);
    }
    const h = new Harness(
      new Deduplicate({ keys: [0], keepLast: false, orderBy: 'proctime', stateTtlMs: 500 }),
    );
    h.insert(['a', 1, 1]);
    h.clock = 499;
    h.insert(['a', 2, 2]);
    h.clock = 500;
    h.insert(['a', 3, 3]);
    expect(h.out.printed()).toEqual(['+I["a",1,1]', '+I["a",3,3]']);
  });
});
