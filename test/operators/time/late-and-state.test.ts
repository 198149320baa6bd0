/**
 * Cross-cutting properties of every event-time operator:
 * - late rows (behind the watermark when they arrive) are counted as `numLateRecordsDropped` and
 *   change nothing: the output equals the run without them, change for change;
 * - state stays flat over a long stream while the watermark advances, and is empty after the end.
 * The results of the runs without late rows are checked against references in each operator's test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Operator, Row } from '../../../operators/api.ts';
import { Deduplicate } from '../../../operators/time/deduplicate.ts';
import { IntervalJoin } from '../../../operators/time/interval-join.ts';
import { OverAggregate } from '../../../operators/time/over-aggregate.ts';
import { WatermarkAssigner } from '../../../operators/time/watermark-assigner.ts';
import { WindowDeduplicate } from '../../../operators/time/window-deduplicate.ts';
import { WindowJoin } from '../../../operators/time/window-join.ts';
import { WindowTableFunction } from '../../../operators/time/window-table-function.ts';
import { WindowTopN } from '../../../operators/time/window-top-n.ts';
import { count, sum } from './harness.ts';
import { type Arrival, injectLate, interleave, runScenario, shuffledArrivals } from './scenario.ts';

const TS = 1;
const SIZE = 10;
/** Rows [key, ts, value] with their tumbling window of SIZE appended: [.., start, end, time]. */
const windowed = (r: Row): Row => {
  const start = Math.floor((r[TS] as number) / SIZE) * SIZE;
  return [...r, start, start + SIZE, start + SIZE - 1];
};

interface Case {
  name: string;
  inputs: number;
  make: () => Operator;
  /** Shapes a generated [key, ts, value] row for this operator's input. */
  shape: (r: Row) => Row;
  /** Whether the operator's final state must be empty after the end (false for per-key state without TTL). */
  emptyAtEnd: boolean;
  /** Output columns holding rowtimes: none of them may be at or behind a watermark already emitted. */
  timeColumns: number[];
  /** Deduplication counts a late row only if its key has not emitted yet (otherwise it is a plain duplicate). */
  countsOnlyUndecided?: boolean;
}

const side = { windowStartIndex: 3, windowEndIndex: 4, keys: [0], arity: 6 };
const cases: Case[] = [
  {
    name: 'WindowTableFunction SESSION',
    timeColumns: [5],
    inputs: 1,
    make: () =>
      new WindowTableFunction({ window: { kind: 'session', gap: 7 }, rowtimeIndex: TS, partitionKeys: [0] }),
    shape: (r) => r,
    emptyAtEnd: true,
  },
  {
    name: 'WindowTopN',
    timeColumns: [5],
    inputs: 1,
    make: () =>
      new WindowTopN({
        windowStartIndex: 3,
        windowEndIndex: 4,
        partitionKeys: [0],
        compare: (a, b) => (a[2] as number) - (b[2] as number) || (a[TS] as number) - (b[TS] as number),
        rankEnd: 2,
        outputRank: true,
      }),
    shape: windowed,
    emptyAtEnd: true,
  },
  {
    name: 'WindowDeduplicate',
    timeColumns: [5],
    inputs: 1,
    make: () =>
      new WindowDeduplicate({
        windowStartIndex: 3,
        windowEndIndex: 4,
        keys: [0],
        rowtimeIndex: TS,
        keepLast: true,
      }),
    shape: windowed,
    emptyAtEnd: true,
  },
  {
    name: 'WindowJoin',
    timeColumns: [5, 11],
    inputs: 2,
    make: () => new WindowJoin({ joinType: 'FULL', left: side, right: side }),
    shape: windowed,
    emptyAtEnd: true,
  },
  {
    name: 'OverAggregate',
    timeColumns: [1],
    inputs: 1,
    make: () =>
      new OverAggregate({
        partitionKeys: [0],
        orderBy: 'rowtime',
        rowtimeIndex: TS,
        frame: { mode: 'range', preceding: 15 },
        aggregates: [
          { create: () => count, args: [] },
          { create: () => sum, args: [2] },
        ],
      }),
    shape: (r) => r,
    emptyAtEnd: true,
  },
  {
    name: 'IntervalJoin',
    timeColumns: [1, 4],
    inputs: 2,
    make: () =>
      new IntervalJoin({
        joinType: 'FULL',
        leftKeys: [0],
        rightKeys: [0],
        leftTimeIndex: TS,
        rightTimeIndex: TS,
        lowerBound: -8,
        upperBound: 3,
        leftArity: 3,
        rightArity: 3,
      }),
    shape: (r) => r,
    emptyAtEnd: true,
  },
  {
    name: 'Deduplicate keep-first by rowtime',
    timeColumns: [1],
    inputs: 1,
    make: () => new Deduplicate({ keys: [0], keepLast: false, orderBy: 'rowtime', rowtimeIndex: TS }),
    shape: (r) => r,
    emptyAtEnd: false,
    countsOnlyUndecided: true,
  },
];

function arrivalsOf(c: Case, rows: Row[][], delay: number, jitter: number[], choice: boolean[]): Arrival[] {
  const per = rows.map((rs, input) =>
    shuffledArrivals(
      rs.map((r) => c.shape(r)),
      TS,
      delay,
      input === 0 ? jitter : [...jitter].reverse(),
      input,
    ),
  );
  return per.length === 1
    ? (per[0] as Arrival[])
    : interleave(per[0] as Arrival[], per[1] as Arrival[], choice);
}

const rowsArb = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 150 }), fc.integer({ min: 0, max: 9 })),
  {
    maxLength: 40,
  },
);

describe('late rows are counted and change nothing', () => {
  for (const c of cases) {
    it(c.name, () => {
      fc.assert(
        fc.property(
          rowsArb,
          rowsArb,
          fc.integer({ min: 0, max: 10 }),
          fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
          fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 8 }),
          (a, b, delay, jitter, choice, picks) => {
            const rows = [a, b].slice(0, c.inputs).map((rs) => rs.map((t) => [...t] as Row));
            const arrivals = arrivalsOf(c, rows, delay, jitter, choice);
            const o = { inputs: c.inputs, tsIndex: new Array(c.inputs).fill(TS), delay };
            // Far enough behind that the row's window (or session, frame, interval) is closed too.
            const withLate = injectLate(arrivals, o, picks, (_input, wm, seed) =>
              c.shape([seed % 4, wm - 40 - (seed % 5), seed % 10]),
            );
            const clean = runScenario(c.make, arrivals, o);
            const dirty = runScenario(c.make, withLate.arrivals, { ...o, noWatermark: withLate.late });
            const counted = dirty.metrics.get('numLateRecordsDropped') ?? 0;
            if (c.countsOnlyUndecided) expect(counted).toBeLessThanOrEqual(withLate.lateRows.length);
            else expect(counted).toBe(withLate.lateRows.length);
            expect(dirty.out.printed()).toEqual(clean.out.printed());
            expect(dirty.out.watermarks).toEqual(clean.out.watermarks);
            // Downstream operators may rely on it: nothing emitted is behind an emitted watermark.
            clean.out.changes.forEach((ch, i) => {
              for (const col of c.timeColumns) {
                const t = ch.row[col];
                if (t !== null) expect(t as number).toBeGreaterThan(clean.out.watermarkBefore[i] as number);
              }
            });
            for (let i = 1; i < clean.out.watermarks.length; i++) {
              expect(clean.out.watermarks[i] as number).toBeGreaterThan(
                clean.out.watermarks[i - 1] as number,
              );
            }
          },
        ),
        { numRuns: 100 },
      );
    });
  }
});

describe('state stays flat over a long stream', () => {
  for (const c of cases) {
    it(c.name, () => {
      const n = 12_000;
      const gen = (salt: number) =>
        Array.from({ length: n }, (_, i) => [(i * (7 + salt)) % 25, i, (i * 13 + salt) % 10] as Row);
      const arrivals = arrivalsOf(
        c,
        [gen(0), gen(3)].slice(0, c.inputs),
        20,
        [5, 19, 2, 11, 0],
        [true, false, false, true],
      );
      const r = runScenario(c.make, arrivals, {
        inputs: c.inputs,
        tsIndex: new Array(c.inputs).fill(TS),
        delay: 20,
      });
      const len = arrivals.length;
      // Ignore the warm-up and the tail (after the newest row the watermark stops advancing).
      const first = Math.max(...r.stateTrace.slice(Math.floor(len * 0.05), Math.floor(len / 2)));
      const second = Math.max(...r.stateTrace.slice(Math.floor(len / 2), Math.floor(len * 0.95)));
      expect(second).toBeLessThanOrEqual(first);
      if (c.emptyAtEnd) expect(r.finalState).toBe(0);
      else expect(r.finalState).toBeLessThanOrEqual(25);
    });
  }

  it('WatermarkAssigner holds one entry per split', () => {
    const op = new WatermarkAssigner({ rowtimeIndex: TS, watermarkOf: (r) => (r[TS] as number) - 5 });
    const arrivals = Array.from({ length: 5000 }, (_, i) => ({ input: 0, row: [i % 3, i, 0] as Row }));
    const r = runScenario(() => op, arrivals, { inputs: 1, tsIndex: [TS], delay: 0 });
    expect(Math.max(...r.stateTrace)).toBe(1);
  });
});
