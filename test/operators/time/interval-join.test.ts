import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Row, RowKind } from '../../../operators/api.ts';
import { IntervalJoin, type IntervalJoinType } from '../../../operators/time/interval-join.ts';
import { Harness, sortedJson } from './harness.ts';
import { interleave, runScenario, shuffledArrivals } from './scenario.ts';

// Rows on both sides: [key, ts, value]
const TS = 1;
const residual = (l: Row, r: Row) => ((l[2] as number) + (r[2] as number)) % 4 !== 0;

function options(joinType: IntervalJoinType, lowerBound: number, upperBound: number, withResidual = true) {
  return {
    joinType,
    leftKeys: [0],
    rightKeys: [0],
    leftTimeIndex: TS,
    rightTimeIndex: TS,
    lowerBound,
    upperBound,
    leftArity: 3,
    rightArity: 3,
    ...(withResidual ? { residual } : {}),
  };
}

function reference(
  type: IntervalJoinType,
  lower: number,
  upper: number,
  left: readonly Row[],
  right: readonly Row[],
): Row[] {
  const out: Row[] = [];
  const rightMatched = new Set<Row>();
  for (const l of left) {
    let matched = false;
    for (const r of right) {
      const lt = l[TS] as number;
      const rt = r[TS] as number;
      if (l[0] === null || l[0] !== r[0] || lt < rt + lower || lt > rt + upper || !residual(l, r)) continue;
      matched = true;
      rightMatched.add(r);
      out.push([...l, ...r]);
    }
    if (!matched && (type === 'LEFT' || type === 'FULL')) out.push([...l, null, null, null]);
  }
  if (type === 'RIGHT' || type === 'FULL') {
    for (const r of right) if (!rightMatched.has(r)) out.push([null, null, null, ...r]);
  }
  return out;
}

describe('IntervalJoin', () => {
  it('matches rows within the interval on arrival and pads outer rows when the watermark expires them', () => {
    // l.ts BETWEEN r.ts - 10 AND r.ts
    const h = new Harness(new IntervalJoin(options('LEFT', -10, 0, false)));
    h.insert(['a', 100, 1], 1).insert(['a', 95, 2], 0).insert(['a', 80, 3], 0).insert(['b', 50, 4], 0);
    expect(h.out.rows()).toEqual([['a', 95, 2, 'a', 100, 1]]);
    h.watermark(200, 0);
    expect(h.out.changes).toHaveLength(1); // the right input holds the watermark back
    h.watermark(60, 1); // left rows with ts - lower <= 60 can match nothing more: b@50
    expect(h.out.rows().slice(1)).toEqual([['b', 50, 4, null, null, null]]);
    h.watermark(100, 1);
    expect(sortedJson(h.out.rows().slice(2))).toEqual(sortedJson([['a', 80, 3, null, null, null]]));
    h.insert(['a', 99, 5], 0);
    expect(h.metric('numLateRecordsDropped')).toBe(1);
    h.finish(2);
    expect(h.op.stateSize()).toBe(0);
    expect(h.out.ended).toBe(true);
  });

  it('rejects an empty interval', () => {
    expect(() => new IntervalJoin(options('INNER', 5, 1))).toThrow(
      expect.objectContaining({ code: 'INTERVAL_JOIN_EMPTY_INTERVAL' }),
    );
  });

  it('property: every join type on out-of-order inputs equals the nested-loop join, and frees state', () => {
    const side = fc.array(
      fc.tuple(
        fc.option(fc.integer({ min: 0, max: 2 }), { freq: 8 }),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 0, max: 9 }),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom<IntervalJoinType>('INNER', 'LEFT', 'RIGHT', 'FULL'),
        fc.integer({ min: -20, max: 20 }),
        fc.integer({ min: 0, max: 25 }),
        side,
        side,
        fc.integer({ min: 0, max: 15 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }),
        fc.nat(),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 3, max: 8 }),
        (joinType, lower, width, lt, rt, delay, jitter, choice, at, chunk, keys) => {
          // Up to 8 keys (by the value column): a key's rows outlast a few chunks of a snapshot.
          const keyed = (t: readonly [number | null, number, number]): Row =>
            t[0] === null ? [...t] : [(t[0] * 10 + t[2]) % keys, t[1], t[2]];
          const left = lt.map(keyed);
          const right = rt.map(keyed);
          const arrivals = interleave(
            shuffledArrivals(left, TS, delay, jitter, 0),
            shuffledArrivals(right, TS, delay, [...jitter].reverse(), 1),
            choice,
          );
          const make = () => new IntervalJoin(options(joinType, lower, lower + width));
          const o = { inputs: 2, tsIndex: [TS, TS], delay };
          const r = runScenario(make, arrivals, o);
          expect(sortedJson(r.out.rows())).toEqual(
            sortedJson(reference(joinType, lower, lower + width, left, right)),
          );
          expect(r.out.changes.every((c) => c.kind === RowKind.INSERT)).toBe(true);
          expect(r.finalState).toBe(0);
          // The snapshot is written out while the join goes on to the end (matching, expiring, padding).
          const restored = runScenario(make, arrivals, {
            ...o,
            restoreAt: at % Math.max(1, arrivals.length),
            snapshotChunk: chunk,
          });
          expect(restored.out.printed()).toEqual(r.out.printed());
        },
      ),
      { numRuns: 250 },
    );
  });

  it('keeps state flat over a long stream', () => {
    const left: Row[] = [];
    const right: Row[] = [];
    for (let i = 0; i < 10_000; i++) {
      left.push([i % 30, i, i % 5]);
      right.push([(i * 7) % 30, i, i % 3]);
    }
    const r = runScenario(
      () => new IntervalJoin(options('FULL', -20, 10)),
      interleave(
        shuffledArrivals(left, TS, 25, [4, 9, 1, 22], 0),
        shuffledArrivals(right, TS, 25, [13, 0, 7], 1),
        [true, false],
      ),
      { inputs: 2, tsIndex: [TS, TS], delay: 25 },
    );
    const first = Math.max(...r.stateTrace.slice(1000, 10_000));
    const second = Math.max(...r.stateTrace.slice(10_000, 19_000));
    expect(second).toBeLessThanOrEqual(first);
    expect(r.finalState).toBe(0);
  });
});
