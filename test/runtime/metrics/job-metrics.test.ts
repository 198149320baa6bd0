import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bottleneckOf, type NodeMetricsSnapshot } from '../../../runtime/metrics/job-metrics.ts';
import { CostedSource, costedChain, FakeClock } from './fixtures.ts';

function byId(nodes: readonly NodeMetricsSnapshot[]) {
  return Object.fromEntries(nodes.map((n) => [n.id, n]));
}

describe('JobMetrics: time attribution in the pull model', () => {
  it('splits a job second into busy (pull, rows, watermarks, flush), backpressured (flush) and idle', async () => {
    const clock = new FakeClock();
    // 3 batches of 32 rows; pulling costs 2 ms; Op1 costs 1 ms a row, Op2 3 ms a row and 5 ms at the
    // final watermark; each flush with data costs 10 ms.
    const { job, sink } = costedChain(
      clock,
      new CostedSource(clock, [32, 32, 32], 2),
      [{ rowCost: 1 }, { rowCost: 3, endCost: 5 }],
      10,
    );
    await job.run();
    expect(sink.rows).toHaveLength(96);
    expect(clock.t).toBe(3 * 2 + 96 * 4 + 5 + 3 * 10);
    clock.t = 1000; // the snapshot spans exactly one second since the start
    const snap = job.metrics.snapshot();
    expect(snap.windowMs).toBe(1000);
    const n = byId(snap.nodes);
    const src = n['1:Source(t)'] as NodeMetricsSnapshot;
    const op1 = n['1:Op1'] as NodeMetricsSnapshot;
    const op2 = n['2:Op2'] as NodeMetricsSnapshot;
    const out = n['Sink(out)'] as NodeMetricsSnapshot;
    expect(src.busyTimeMsPerSecond).toBeCloseTo(6, 6);
    expect(op1.busyTimeMsPerSecond).toBeCloseTo(96, 6);
    expect(op2.busyTimeMsPerSecond).toBeCloseTo(3 * 96 + 5, 6);
    expect(out.busyTimeMsPerSecond).toBeCloseTo(30, 6);
    // The flushes hold back the source and both operators.
    for (const x of [src, op1, op2]) expect(x.backPressuredTimeMsPerSecond).toBeCloseTo(30, 6);
    expect(out.backPressuredTimeMsPerSecond).toBe(0);
    expect(op1.idleTimeMsPerSecond).toBeCloseTo(1000 - 96 - 30, 6);
    expect(snap.bottleneck).toBe('2:Op2');
    // Counts, rates over the second, topology, state.
    expect([
      src.numRecordsIn,
      src.numRecordsOut,
      op1.numRecordsIn,
      op2.numRecordsOut,
      out.numRecordsIn,
    ]).toEqual([96, 96, 96, 96, 96]);
    expect(op2.numRecordsInPerSecond).toBeCloseTo(96, 6);
    expect(op2.inputs).toEqual(['1:Op1']);
    expect(out.inputs).toEqual(['2:Op2']);
    expect(op1.inputs).toEqual(['1:Source(t)']);
    expect(op2.stateEntries).toBe(96);
    expect(src.stateEntries).toBeNull();
  });

  it('attributes exactly the per-row costs for any batch sizes and costs (rows are sampled)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 70 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 4 }),
        async (sizes, costs, flushCost, pullCost) => {
          const clock = new FakeClock();
          const { job } = costedChain(
            clock,
            new CostedSource(clock, sizes, pullCost),
            costs.map((c) => ({ rowCost: c })),
            flushCost,
          );
          await job.run();
          const rows = sizes.reduce((a, b) => a + b, 0);
          const nonEmpty = sizes.filter((s) => s > 0).length;
          const total = clock.t;
          // Snapshot when at least a second passed, and turn the per-second figures back into totals.
          const span = Math.max(1000, total);
          clock.t = span;
          const n = byId(job.metrics.snapshot().nodes);
          const busyMs = (id: string) => ((n[id] as NodeMetricsSnapshot).busyTimeMsPerSecond * span) / 1000;
          costs.forEach((c, i) => {
            expect(busyMs(`${i + 1}:Op${i + 1}`)).toBeCloseTo(rows * c, 6);
          });
          expect(busyMs('1:Source(t)')).toBeCloseTo(nonEmpty * pullCost, 6);
          expect(busyMs('Sink(out)')).toBeCloseTo(nonEmpty * flushCost, 6);
          // One thread: every millisecond of the run is somebody's busy time, except pulls that gave
          // no rows (idle).
          const busy = Object.keys(n).reduce((a, id) => a + busyMs(id), 0);
          expect(busy).toBeCloseTo(total - (sizes.length - nonEmpty) * pullCost, 6);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reports the sources split lag and its sum as the job lag', async () => {
    const clock = new FakeClock();
    const lag = new Map([
      ['t-0', 5],
      ['t-1', 7],
    ]);
    const { job } = costedChain(clock, new CostedSource(clock, [3], 1, lag), [{ rowCost: 1 }], 1);
    await job.run();
    const snap = job.metrics.snapshot();
    expect(byId(snap.nodes)['1:Source(t)']?.splitLag).toEqual({ 't-0': 5, 't-1': 7 });
    expect(snap.lag).toBe(12);
  });
});

describe('bottleneckOf', () => {
  const node = (id: string, busy: number, bp = 0): NodeMetricsSnapshot => ({
    id,
    kind: 'operator',
    inputs: [],
    busyTimeMsPerSecond: busy,
    backPressuredTimeMsPerSecond: bp,
    idleTimeMsPerSecond: 1000 - busy - bp,
    numRecordsIn: 0,
    numRecordsOut: 0,
    numRecordsInPerSecond: 0,
    numRecordsOutPerSecond: 0,
    watermark: null,
    watermarkLagMs: null,
    stateEntries: null,
    stateBytes: null,
    counters: {},
    splitLag: null,
  });
  it('marks the busiest node, the most upstream on ties, and nothing when the job keeps up', () => {
    expect(bottleneckOf([node('a', 200, 700), node('b', 600), node('c', 100)])).toBe('b');
    expect(bottleneckOf([node('a', 300), node('b', 300)])).toBe('a');
    expect(bottleneckOf([node('a', 99), node('b', 50)])).toBeNull();
    expect(bottleneckOf([])).toBeNull();
  });
});
