import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Collector, isAccumulate, type Row, RowKind } from '../../../operators/api.ts';
import { EventTimeTemporalJoin } from '../../../operators/temporal/event-time-temporal-join.ts';
import { type Change, materialize, TestContext } from '../../../operators/testing/harness.ts';
import { snapshotWhile } from '../snapshot-while.ts';

// Left rows [key, ts, v]; right rows (the versioned table, key = column 0) [key, ts, v].
interface Ev {
  input: number;
  kind: RowKind;
  row: Row;
  arrival: number;
}

const residual = (l: Row, r: Row): boolean | null => {
  const s = (l[2] as number) + (r[2] as number);
  if (s % 5 === 0) return null;
  return s % 3 !== 0;
};

/** Brute force on the final data: the version in force at t is the last change of the key with time <= t. */
function reference(joinType: 'INNER' | 'LEFT', withResidual: boolean, arrived: readonly Ev[]): Change[] {
  // -U is not a version change: the +U after it is (see the operator's step 1).
  const right = arrived.filter((e) => e.input === 1 && e.kind !== RowKind.UPDATE_BEFORE);
  const out: Change[] = [];
  for (const e of arrived) {
    if (e.input !== 0) continue;
    const [key, t] = e.row as [string | null, number];
    let best: Ev | null = null;
    let bestIdx = -1;
    right.forEach((r, idx) => {
      if (key === null || r.row[0] !== key || (r.row[1] as number) > t) return;
      if (
        best === null ||
        (r.row[1] as number) > (best.row[1] as number) ||
        ((r.row[1] as number) === (best.row[1] as number) && idx > bestIdx)
      ) {
        best = r;
        bestIdx = idx;
      }
    });
    const version = best as Ev | null;
    const matched =
      version !== null &&
      isAccumulate(version.kind) &&
      (!withResidual || residual(e.row, version.row) === true);
    if (matched) out.push({ kind: e.kind, row: [...e.row, ...version.row] });
    else if (joinType === 'LEFT') out.push({ kind: e.kind, row: [...e.row, null, null, null] });
  }
  return out;
}

const KINDS = [RowKind.INSERT, RowKind.UPDATE_AFTER, RowKind.UPDATE_BEFORE, RowKind.DELETE] as const;

const scenario = fc.record({
  joinType: fc.constantFrom('INNER' as const, 'LEFT' as const),
  withResidual: fc.boolean(),
  delay: fc.integer({ min: 0, max: 40 }),
  right: fc.array(
    fc.record({
      key: fc.constantFrom('a', 'b', 'c', 'e', 'f', 'g', 'h', 'i'),
      t: fc.integer({ min: 0, max: 60 }), // a narrow range, so equal times of one key are common
      kind: fc.constantFrom(...KINDS, RowKind.INSERT, RowKind.UPDATE_AFTER),
      v: fc.integer({ min: 0, max: 9 }),
      jitter: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    { maxLength: 40 },
  ),
  left: fc.array(
    fc.record({
      key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', null),
      t: fc.integer({ min: 0, max: 70 }),
      v: fc.integer({ min: 0, max: 9 }),
      jitter: fc.double({ min: 0, max: 1, noNaN: true }),
      retractAfter: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { freq: 3 }),
    }),
    { maxLength: 40 },
  ),
  watermarkEvery: fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
  /** Keys in use: few make equal times of one key common, more outlast a few chunks of a snapshot. */
  keys: fc.integer({ min: 3, max: 9 }),
  cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
  /** Snapshot entries written out per event the snapshotted operator goes on with. */
  chunk: fc.integer({ min: 1, max: 4 }),
});

const KEYS = 'abcdefghi';
/** Key `k` folded onto the first `n` keys (null stays null). */
const fold = (k: string | null, n: number): string | null =>
  k === null ? null : (KEYS[KEYS.indexOf(k) % n] as string);

describe('EventTimeTemporalJoin: property', () => {
  it('streaming output equals a brute-force "version in force" evaluation, under out-of-orderness and restores', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        // Arrival order: each event arrives at time + jitter * delay (bounded out-of-orderness);
        // a left retraction arrives after its insert, still within the delay.
        const events: Ev[] = [];
        for (const r of s.right)
          events.push({
            input: 1,
            kind: r.kind,
            row: [fold(r.key, s.keys), r.t, r.v],
            arrival: r.t + r.jitter * s.delay,
          });
        for (const l of s.left) {
          const row: Row = [fold(l.key, s.keys), l.t, l.v];
          const a = l.t + l.jitter * s.delay;
          events.push({ input: 0, kind: RowKind.INSERT, row, arrival: a });
          if (l.retractAfter !== null)
            events.push({
              input: 0,
              kind: RowKind.DELETE,
              row,
              arrival: a + l.retractAfter * (l.t + s.delay - a),
            });
        }
        events.sort((x, y) => x.arrival - y.arrival); // stable: an insert stays before its retraction

        let log: ({ wm: number } | Change)[] = [];
        const collector: Collector = {
          push: (kind, row) => log.push({ kind, row }),
          watermark: (wm) => log.push({ wm }),
          end: () => {},
        };
        const ctx = new TestContext();
        const make = () =>
          new EventTimeTemporalJoin({
            joinType: s.joinType,
            leftKeys: [0],
            rightKeys: [0],
            leftTimeIndex: 1,
            rightTimeIndex: 1,
            leftArity: 3,
            rightArity: 3,
            ...(s.withResidual ? { residual } : {}),
          });
        const feed = (o: EventTimeTemporalJoin, i: number, maxSeen: number[]): void => {
          const e = events[i] as Ev;
          o.process(e.kind, e.row, e.input);
          maxSeen[e.input] = Math.max(maxSeen[e.input] as number, e.row[1] as number);
          if (s.watermarkEvery[i % s.watermarkEvery.length])
            o.processWatermark((maxSeen[e.input] as number) - s.delay - 1, e.input);
        };
        const finish = (o: EventTimeTemporalJoin): void => {
          for (const input of [0, 1]) {
            o.processWatermark(Number.POSITIVE_INFINITY, input);
            o.endInput(input);
          }
        };
        let op = make();
        op.open(ctx, collector);
        const maxSeen = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
        const cutAt = s.cut === null ? -1 : Math.floor(s.cut * events.length);
        events.forEach((_, i) => {
          if (i === cutAt) {
            // The snapshot is written out (copy-on-write) while the operator goes on to the end,
            // joining, freeing versions and finally dropping all; its output is not kept.
            const live = op;
            const heldAtCut = live.stateSize();
            const liveMaxSeen = [...maxSeen];
            const kept = log;
            log = [];
            const steps = events.slice(i).map((_e, j) => () => feed(live, i + j, liveMaxSeen));
            steps.push(() => finish(live));
            const snap = structuredClone(snapshotWhile(live, steps, s.chunk));
            expect(live.stateSize()).toBe(0);
            log = kept;
            op = make();
            op.restore(snap);
            expect(op.stateSize()).toBe(heldAtCut);
            op.open(ctx, collector);
          }
          feed(op, i, maxSeen);
        });
        finish(op);

        expect(ctx.metrics.get('numLateRecordsDropped')).toBeUndefined();
        const changes = log.filter((x): x is Change => 'kind' in x);
        expect(materialize(changes)).toEqual(materialize(reference(s.joinType, s.withResidual, events)));
        // Output in time order, never behind a watermark already forwarded.
        let wm = Number.NEGATIVE_INFINITY;
        let last = Number.NEGATIVE_INFINITY;
        for (const x of log) {
          if ('wm' in x) wm = x.wm;
          else {
            const t = x.row[1] as number;
            expect(t).toBeGreaterThan(wm);
            expect(t).toBeGreaterThanOrEqual(last);
            last = t;
          }
        }
        expect(op.stateSize()).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('a snapshot keeps the versions a watermark frees while it is written out', () => {
    // Every key has two versions and a left row waiting between them; the snapshot is taken, then a
    // watermark joins the waiting rows and frees the older versions before the writer reaches them.
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 9 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 9, maxLength: 9 }),
        (keys, chunk, gaps) => {
          const make = () =>
            new EventTimeTemporalJoin({
              joinType: 'LEFT',
              leftKeys: [0],
              rightKeys: [0],
              leftTimeIndex: 1,
              rightTimeIndex: 1,
              leftArity: 3,
              rightArity: 3,
            });
          const names = [...KEYS].slice(0, keys);
          const setUp = (o: EventTimeTemporalJoin): void => {
            names.forEach((k, i) => {
              const second = 10 + (gaps[i] as number);
              o.process(RowKind.INSERT, [k, 10, i], 1);
              o.process(RowKind.UPDATE_AFTER, [k, second, i + 10], 1);
              o.process(RowKind.INSERT, [k, second - 1, 0], 0);
            });
          };
          const after = [
            (o: EventTimeTemporalJoin) => o.processWatermark(30, 0),
            (o: EventTimeTemporalJoin) => o.processWatermark(30, 1),
            (o: EventTimeTemporalJoin) => o.process(RowKind.INSERT, ['a', 31, 0], 0),
            (o: EventTimeTemporalJoin) => o.processWatermark(Number.POSITIVE_INFINITY, 0),
            (o: EventTimeTemporalJoin) => o.processWatermark(Number.POSITIVE_INFINITY, 1),
          ];
          const run = (o: EventTimeTemporalJoin): Change[] => {
            const got: Change[] = [];
            o.open(new TestContext(), {
              push: (kind, row) => got.push({ kind, row }),
              watermark() {},
              end() {},
            });
            return got;
          };
          const whole = make();
          const expected = run(whole);
          setUp(whole);
          for (const f of after) f(whole);
          const first = make();
          run(first);
          setUp(first);
          const held = first.stateSize();
          const snap = structuredClone(
            snapshotWhile(
              first,
              after.map((f) => () => f(first)),
              chunk,
            ),
          );
          const resumed = make();
          resumed.restore(snap);
          expect(resumed.stateSize()).toBe(held);
          const got = run(resumed);
          for (const f of after) f(resumed);
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});
