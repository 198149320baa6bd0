import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row, Value } from '../../../operators/api.ts';
import { AggregateCalls } from '../../../operators/time/aggregate-calls.ts';
import { count, maxNoMerge, sum } from './harness.ts';

describe('AggregateCalls.copy (copy-on-write snapshots of accumulators)', () => {
  it('property: a copy keeps its values while the original goes on, and goes on to the same values', () => {
    // COUNT(*) (a number), SUM (a flat object changed in place), MAX, COUNT(DISTINCT v) (a map of
    // argument tuples whose counts change in place) and a user accumulator nested deeper.
    const nested = {
      create: () => ({ last: { v: null as Value } }),
      accumulate: (acc: { last: { v: Value } }, v: Value) => {
        acc.last.v = v;
        return acc;
      },
      retract: (acc: { last: { v: Value } }) => acc,
      getValue: (acc: { last: { v: Value } }) => acc.last.v,
    };
    const calls = (retracting: boolean) =>
      new AggregateCalls([
        { create: () => count, args: [] },
        { create: () => sum, args: [0] },
        ...(retracting ? [] : [{ create: () => maxNoMerge, args: [0] }]),
        { create: () => count, args: [0], distinct: true },
        { create: () => nested, args: [0] },
      ]);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -2, max: 3 }), { maxLength: 30 }),
        fc.array(fc.integer({ min: -2, max: 3 }), { maxLength: 30 }),
        fc.boolean(),
        (before, after, retracting) => {
          const aggs = calls(retracting);
          const values = (accs: unknown[]) => {
            const out: Value[] = [];
            aggs.values(accs, out);
            return out;
          };
          // `after` rows enter; with retraction, as many of the oldest rows leave (a sliding frame).
          const goOn = (accs: unknown[]) => {
            const frame: Row[] = before.map((v) => [v]);
            for (const v of after) {
              aggs.accumulate(accs, [v]);
              frame.push([v]);
              if (retracting) aggs.retract(accs, frame.shift() as Row);
            }
          };
          const accs = aggs.create();
          for (const v of before) aggs.accumulate(accs, [v]);
          const atCopy = values(accs);
          const copy = aggs.copy(accs);
          goOn(accs);
          expect(values(copy)).toEqual(atCopy);
          goOn(copy);
          expect(values(copy)).toEqual(values(accs));
        },
      ),
      { numRuns: 300 },
    );
  });
});
