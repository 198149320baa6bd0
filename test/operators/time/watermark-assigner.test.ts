import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RowKind } from '../../../operators/api.ts';
import { WatermarkAssigner } from '../../../operators/time/watermark-assigner.ts';
import { Harness } from './harness.ts';

// Rows: [id, ts]
const make = (extra: { idleTimeoutMs?: number; emitIntervalMs?: number } = {}) =>
  new WatermarkAssigner({ rowtimeIndex: 1, watermarkOf: (r) => (r[1] as number) - 5, ...extra });

describe('WatermarkAssigner', () => {
  it('forwards rows and emits ts - delay only when it advances', () => {
    const h = new Harness(make());
    h.insert([1, 100]).insert([2, 90]).insert([3, 100]).insert([4, 101]).insert([5, null]);
    h.push(RowKind.DELETE, [6, 500]);
    expect(h.out.rows()).toEqual([
      [1, 100],
      [2, 90],
      [3, 100],
      [4, 101],
      [5, null],
      [6, 500],
    ]);
    expect(h.out.watermarks).toEqual([95, 96]);
  });

  it('emits the minimum over splits and ignores idle splits', () => {
    const h = new Harness(make({ idleTimeoutMs: 1000 }));
    const op = h.op;
    op.processFromSplit(RowKind.INSERT, [1, 100], 'p0');
    op.processFromSplit(RowKind.INSERT, [2, 50], 'p1');
    expect(h.out.watermarks).toEqual([95]);
    op.processFromSplit(RowKind.INSERT, [3, 200], 'p0');
    expect(h.out.watermarks).toEqual([95]); // p1 holds it back at 45 < 95
    op.processFromSplit(RowKind.INSERT, [4, 150], 'p1');
    expect(h.out.watermarks).toEqual([95, 145]);
    h.clock = 500;
    op.processFromSplit(RowKind.INSERT, [5, 300], 'p0');
    expect(h.out.watermarks).toEqual([95, 145]);
    h.clock = 1000; // p1 silent since t=0: idle
    op.onProcessingTime(1000);
    expect(h.out.watermarks).toEqual([95, 145, 295]);
    // p1 comes back behind: the watermark never goes backwards.
    op.processFromSplit(RowKind.INSERT, [6, 160], 'p1');
    op.processFromSplit(RowKind.INSERT, [7, 400], 'p0');
    expect(h.out.watermarks).toEqual([95, 145, 295]);
    op.processFromSplit(RowKind.INSERT, [8, 500], 'p1');
    expect(h.out.watermarks).toEqual([95, 145, 295, 395]);
  });

  it('a declared split holds the watermark until it sends or goes idle; a finished split releases it', () => {
    const h = new Harness(make());
    h.op.addSplit('a');
    h.op.processFromSplit(RowKind.INSERT, [1, 100], 'b');
    expect(h.out.watermarks).toEqual([]);
    h.op.finishSplit('a');
    expect(h.out.watermarks).toEqual([95]);
  });

  it('rate-limits emission with emitIntervalMs and flushes on the timer', () => {
    const h = new Harness(make({ emitIntervalMs: 200 }));
    h.clock = 1000;
    h.insert([1, 10]);
    h.clock = 1100;
    h.insert([2, 20]).insert([3, 30]);
    expect(h.out.watermarks).toEqual([5]);
    h.op.onProcessingTime(1200);
    expect(h.out.watermarks).toEqual([5, 25]);
  });

  it('after a rate-limited advance, the next advance of any split emits the new minimum', () => {
    const h = new Harness(make({ emitIntervalMs: 20 }));
    const at = (clock: number, split: string, ts: number) => {
      h.clock = clock;
      h.op.processFromSplit(RowKind.INSERT, [0, ts], split);
    };
    at(0, 'a', 100);
    at(30, 'b', 300);
    at(35, 'a', 400); // min now b: 295
    at(40, 'b', 500); // too soon after the last emission: pending
    at(60, 'a', 700); // b's advance is still pending: the min is now 495
    expect(h.out.watermarks).toEqual([95, 295, 495]);
  });

  it('emits +Infinity at the end of input exactly once, and survives snapshot/restore', () => {
    const h = new Harness(make());
    h.insert([1, 10]);
    const snap = structuredClone(h.op.snapshot());
    const h2 = new Harness(make());
    h2.op.restore(snap);
    h2.insert([2, 8]);
    expect(h2.out.watermarks).toEqual([]);
    h2.insert([3, 12]);
    h2.finish();
    h2.watermark(Number.POSITIVE_INFINITY);
    expect(h2.out.watermarks).toEqual([7, Number.POSITIVE_INFINITY]);
    expect(h2.out.ended).toBe(true);
  });

  it('property: emitted watermarks strictly increase and equal the running min over splits of max(ts) - delay', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 1000 }))),
        (events) => {
          const h = new Harness(make());
          const perSplit = new Map<string, number>();
          let expected = Number.NEGATIVE_INFINITY;
          for (const [split, ts] of events) {
            h.op.processFromSplit(RowKind.INSERT, [0, ts], `s${split}`);
            perSplit.set(
              `s${split}`,
              Math.max(perSplit.get(`s${split}`) ?? Number.NEGATIVE_INFINITY, ts - 5),
            );
            expected = Math.max(expected, Math.min(...perSplit.values()));
            expect(h.out.watermarks.length === 0 ? Number.NEGATIVE_INFINITY : h.out.watermarks.at(-1)).toBe(
              expected,
            );
          }
          for (let i = 1; i < h.out.watermarks.length; i++) {
            expect(h.out.watermarks[i] as number).toBeGreaterThan(h.out.watermarks[i - 1] as number);
          }
          expect(h.op.stateSize()).toBe(perSplit.size);
        },
      ),
      { numRuns: 200 },
    );
  });
  it('property: with an emit interval, the watermark catches up with the running min at the next emission', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 3 }),
            fc.integer({ min: 0, max: 1000 }),
            fc.integer({ min: 0, max: 30 }),
          ),
        ),
        (events) => {
          const h = new Harness(make({ emitIntervalMs: 20 }));
          const perSplit = new Map<string, number>();
          let lastEmitClock = Number.NEGATIVE_INFINITY;
          const lastWm = () =>
            h.out.watermarks.length === 0 ? Number.NEGATIVE_INFINITY : (h.out.watermarks.at(-1) as number);
          for (const [split, ts, dt] of events) {
            h.clock += dt;
            const prevSplit = perSplit.get(`s${split}`) ?? Number.NEGATIVE_INFINITY;
            const prevWm = lastWm();
            const n = h.out.watermarks.length;
            h.op.processFromSplit(RowKind.INSERT, [0, ts], `s${split}`);
            perSplit.set(`s${split}`, Math.max(prevSplit, ts - 5));
            // A row that raises its split above the watermark, once the interval has passed, emits
            // everything pending: the watermark is then the running min (or stays, never going back).
            if (ts - 5 > prevSplit && ts - 5 > prevWm && h.clock - lastEmitClock >= 20) {
              expect(lastWm()).toBe(Math.max(prevWm, Math.min(...perSplit.values())));
            }
            if (h.out.watermarks.length > n) lastEmitClock = h.clock;
            const w = h.out.watermarks;
            for (let i = 1; i < w.length; i++) expect(w[i] as number).toBeGreaterThan(w[i - 1] as number);
          }
          const before =
            h.out.watermarks.length === 0 ? Number.NEGATIVE_INFINITY : (h.out.watermarks.at(-1) as number);
          h.clock += 20;
          h.op.onProcessingTime(h.clock);
          // The pending advance goes out on the timer; a split that appeared later may hold the min
          // below what was already emitted, and the watermark never goes back.
          const min = perSplit.size === 0 ? Number.NEGATIVE_INFINITY : Math.min(...perSplit.values());
          const last = h.out.watermarks.length === 0 ? Number.NEGATIVE_INFINITY : h.out.watermarks.at(-1);
          expect(last).toBe(Math.max(before, min));
        },
      ),
      { numRuns: 300 },
    );
  });
});
