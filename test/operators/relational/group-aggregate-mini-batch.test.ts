import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Row, RowKind, type Value } from '../../../operators/api.ts';
import {
  type AggregateCall,
  GroupAggregate,
  type MiniBatchOptions,
} from '../../../operators/relational/group-aggregate.ts';
import { type Change, formatRow, OperatorHarness, sortRows } from '../../../operators/testing/harness.ts';
import { countFn, minFn, retractAll, smallKey, smallValue, stepArb, sumFn, toChangelog } from './helpers.ts';

const CALLS = (): AggregateCall[] => [
  { create: () => countFn, args: [], name: 'COUNT' },
  { create: () => sumFn, args: [1], name: 'SUM' },
  { create: () => minFn, args: [1], name: 'MIN' },
];

function batched(miniBatch: MiniBatchOptions, groupBy: number[] = [0]) {
  return new OperatorHarness(new GroupAggregate({ groupBy, aggregates: CALLS(), miniBatch }));
}

/** COUNT(*), SUM(v), MIN(v) per key of the live rows, recomputed from scratch. */
function bruteForce(rows: readonly Row[]): Row[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = JSON.stringify(r[0]);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return sortRows(
    [...groups.values()].map((g) => {
      const vs = g.map((r) => r[1]).filter((v): v is number => v !== null);
      return [
        g[0]?.[0] ?? null,
        g.length,
        vs.length ? vs.reduce((a, b) => a + b, 0) : null,
        vs.length ? Math.min(...vs) : null,
      ] as Value[];
    }),
  );
}

describe('GroupAggregate mini-batch', () => {
  it('buffers until the latency has passed at a flush, then emits one change per group', () => {
    const h = batched({ size: 100, latencyMs: 1000 });
    h.setTime(0).insert(['a', 1]).insert(['a', 2]).insert(['b', 5]).insert(['a', 3]);
    h.operator.flush?.();
    expect(h.takeFormatted()).toEqual([]);
    h.setTime(999);
    h.operator.flush?.();
    expect(h.takeFormatted()).toEqual([]);
    h.setTime(1000);
    h.operator.flush?.();
    expect(h.takeFormatted()).toEqual(['+I[a, 3, 6, 1]', '+I[b, 1, 5, 5]']);
    // The next batch: -U/+U once per changed group, nothing for an unchanged one.
    h.insert(['a', 4]).insert(['a', 5]).insert(['b', 1]).delete(['b', 1]);
    h.setTime(2500);
    h.operator.flush?.();
    expect(h.takeFormatted()).toEqual(['-U[a, 3, 6, 1]', '+U[a, 5, 15, 1]']);
  });

  it('emits when `size` changes are buffered, and before a watermark or the end of input', () => {
    const h = batched({ size: 3, latencyMs: 60_000 });
    h.insert(['a', 1]).insert(['b', 2]);
    expect(h.takeFormatted()).toEqual([]);
    h.insert(['a', 3]);
    expect(h.takeFormatted()).toEqual(['+I[a, 2, 4, 1]', '+I[b, 1, 2, 2]']);
    h.insert(['c', 7]).watermark(10);
    expect(h.takeFormatted()).toEqual(['+I[c, 1, 7, 7]']);
    expect(h.watermarks).toEqual([10]);
    h.insert(['c', 8]).endInput();
    expect(h.takeFormatted()).toEqual(['-U[c, 1, 7, 7]', '+U[c, 2, 15, 7]']);
  });

  it('a group emptied within a batch emits -D (or nothing if never emitted); refilled, an update', () => {
    const h = batched({ size: 100, latencyMs: 1 });
    h.insert(['a', 1]).insert(['b', 2]).setTime(5);
    h.operator.flush?.();
    h.take();
    // a: emptied and refilled with another row; b: emptied; c: created and emptied.
    h.delete(['a', 1]).insert(['a', 9]).delete(['b', 2]).insert(['c', 3]).delete(['c', 3]);
    // A retraction for the emptied group b is unknown, as it would be without mini-batch.
    h.delete(['b', 2]);
    h.setTime(10);
    h.operator.flush?.();
    expect(h.takeFormatted()).toEqual(['-U[a, 1, 1, 1]', '+U[a, 1, 9, 9]', '-D[b, 1, 2, 2]']);
    expect(h.stateSize()).toBe(1);
    expect(h.ctx.metrics.get('numRetractionsOfUnknownGroup')).toBe(1);
  });

  it('a snapshot taken with groups pending restores them, and they emit at the next flush', () => {
    const h = batched({ size: 100, latencyMs: 1000 }, [0, 2]);
    h.insert(['a', 1, 'x']).insert(['a', 2, 'y']);
    const snap = h.snapshot();
    const resumed = h.restoreInto(
      new GroupAggregate({ groupBy: [0, 2], aggregates: CALLS(), miniBatch: { size: 100, latencyMs: 1000 } }),
      snap,
    );
    resumed.setTime(2000).insert(['a', 3, 'x']);
    resumed.operator.flush?.();
    expect(resumed.takeFormatted()).toEqual(['+I[a, x, 2, 4, 1]', '+I[a, y, 1, 2, 2]']);
  });

  it('property: any batching gives the per-row answer, one change (pair) per group per batch, no redundant updates', () => {
    const rowArb = fc.tuple(smallKey, smallValue) as fc.Arbitrary<Row>;
    fc.assert(
      fc.property(
        fc.array(stepArb(rowArb), { maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.nat({ max: 80 }), { maxLength: 8 }),
        (steps, size, flushAt) => {
          const { changes, live } = toChangelog(steps);
          const h = batched({ size, latencyMs: 1 });
          const flushes = new Set(flushAt);
          let batchStart = 0;
          const checkBatch = () => {
            const batch = h.output.slice(batchStart);
            batchStart = h.output.length;
            const seen = new Set<string>();
            for (let i = 0; i < batch.length; i++) {
              const c = batch[i] as Change;
              if (c.kind === RowKind.UPDATE_AFTER) continue;
              const key = JSON.stringify(c.row[0]);
              expect(seen.has(key)).toBe(false);
              seen.add(key);
              if (c.kind === RowKind.UPDATE_BEFORE) {
                const next = batch[i + 1];
                expect(next?.kind).toBe(RowKind.UPDATE_AFTER);
                expect(formatRow(next?.row as Row)).not.toBe(formatRow(c.row));
              }
            }
          };
          changes.forEach((c, i) => {
            h.push(c.kind, c.row);
            if (h.output.length > batchStart) checkBatch();
            if (flushes.has(i)) {
              h.setTime(h.ctx.time + 1);
              h.operator.flush?.();
              checkBatch();
            }
          });
          h.watermark(Infinity);
          checkBatch();
          expect(h.materialized()).toEqual(bruteForce(live[0]?.rows() ?? []));
          for (const c of retractAll(live)) h.push(c.kind, c.row);
          h.endInput();
          expect(h.materialized()).toEqual([]);
          expect(h.stateSize()).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
