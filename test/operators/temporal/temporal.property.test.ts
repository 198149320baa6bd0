import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAccumulate, type Row, RowKind } from '../../../operators/api.ts';
import { ProcessingTimeTemporalJoin } from '../../../operators/temporal/processing-time-temporal-join.ts';
import { TimeTravelScan } from '../../../operators/temporal/time-travel-scan.ts';
import type { PeriodQuery } from '../../../operators/temporal/version-history.ts';
import { OperatorHarness, sortRows } from '../../../operators/testing/harness.ts';
import { snapshotWhile } from '../snapshot-while.ts';

const KINDS = [
  RowKind.INSERT,
  RowKind.UPDATE_AFTER,
  RowKind.UPDATE_BEFORE,
  RowKind.DELETE,
  RowKind.INSERT,
] as const;

describe('ProcessingTimeTemporalJoin: property', () => {
  it('joins each left row with the table as replayed from the changelog received before it', () => {
    const step = fc.oneof(
      fc.record({
        side: fc.constant(1 as const),
        key: fc.constantFrom('a', 'b', 'c'),
        kind: fc.constantFrom(...KINDS),
        v: fc.nat(9),
      }),
      fc.record({
        side: fc.constant(0 as const),
        key: fc.constantFrom('a', 'b', 'c', null),
        kind: fc.constant(RowKind.INSERT),
        v: fc.nat(9),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 60 }),
        fc.constantFrom('INNER' as const, 'LEFT' as const),
        (steps, joinType) => {
          const residual = (l: Row, r: Row) => ((l[1] as number) + (r[1] as number)) % 4 !== 0;
          const h = new OperatorHarness(
            new ProcessingTimeTemporalJoin({
              joinType,
              leftKeys: [0],
              rightKeys: [0],
              residual,
              leftArity: 2,
              rightArity: 2,
            }),
            { inputs: 2 },
          );
          const expected: string[] = [];
          steps.forEach((s, i) => {
            if (s.side === 1) {
              h.push(s.kind, [s.key, s.v], 1);
              return;
            }
            const left: Row = [s.key, s.v];
            h.insert(left, 0);
            // Replay the right changes received so far: the last one of the key decides.
            let current: Row | null = null;
            for (const p of steps.slice(0, i))
              if (p.side === 1 && p.key === s.key && p.kind !== RowKind.UPDATE_BEFORE)
                current = isAccumulate(p.kind) ? [p.key, p.v] : null;
            const row =
              s.key !== null && current !== null && residual(left, current)
                ? [...left, ...current]
                : joinType === 'LEFT'
                  ? [...left, null, null]
                  : null;
            if (row) expected.push(JSON.stringify(row));
          });
          expect(h.output.map((c) => JSON.stringify(c.row))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('TimeTravelScan: property', () => {
  it('under out-of-order arrival and advancing watermarks, answers like a brute force on the final data', () => {
    const change = fc.record({
      key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
      t: fc.integer({ min: 0, max: 60 }),
      kind: fc.constantFrom(...KINDS),
      v: fc.nat(99),
      jitter: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    const query = fc.oneof(
      fc.record({ kind: fc.constant('asOf' as const), at: fc.integer({ min: -1, max: 65 }) }),
      fc.record({
        kind: fc.constant('fromTo' as const),
        from: fc.integer({ min: -1, max: 65 }),
        to: fc.integer({ min: -1, max: 65 }),
      }),
      fc.record({
        kind: fc.constant('between' as const),
        from: fc.integer({ min: -1, max: 65 }),
        to: fc.integer({ min: -1, max: 65 }),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(change, { maxLength: 40 }),
        query,
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 8 }),
        fc.nat(),
        fc.integer({ min: 1, max: 4 }),
        (generated, q: PeriodQuery, delay, keyCount, cut, chunk) => {
          // Few keys make equal times of one key common; more outlast a few chunks of a snapshot.
          const keys = 'abcdefgh'.slice(0, keyCount);
          const changes = generated.map((c) => ({
            ...c,
            key: keys[c.key.charCodeAt(0) % keyCount] as string,
          }));
          const arrivals = changes
            .map((c) => ({ ...c, arrival: c.t + c.jitter * delay }))
            .sort((x, y) => x.arrival - y.arrival);
          const make = () => new TimeTravelScan({ keyIndices: [0], timeIndex: 1, query: q });
          const steps: ((h: OperatorHarness) => void)[] = [];
          let maxSeen = Number.NEGATIVE_INFINITY;
          for (const c of arrivals) {
            maxSeen = Math.max(maxSeen, c.t);
            const wm = maxSeen - delay - 1;
            steps.push((h) => h.push(c.kind, [c.key, c.t, c.v]).watermark(wm));
          }
          steps.push((h) => h.endAll());
          const h = new OperatorHarness(make());
          for (const step of steps) step(h);
          // Restored from a snapshot at `at`, written out while the snapshotted scan goes on to the end
          // (freeing history, emitting, dropping it): the same output, in the same order.
          const at = cut % steps.length;
          const first = new OperatorHarness(make());
          for (const step of steps.slice(0, at)) step(first);
          const held = first.stateSize();
          const prefix = [...first.out.changes];
          const snap = snapshotWhile(
            first.operator,
            steps.slice(at).map((step) => () => step(first)),
            chunk,
          );
          first.out.changes.splice(0, first.out.changes.length, ...prefix);
          const resumed = first.restoreInto(make(), snap);
          expect(resumed.stateSize()).toBe(held);
          for (const step of steps.slice(at)) step(resumed);
          expect(resumed.formatted()).toEqual(h.formatted());
          // Brute force on the final data: per key, changes by (time, arrival); a version lasts to the next.
          const expected: Row[] = [];
          for (const key of keys) {
            const mine = arrivals
              .filter((c) => c.key === key && c.kind !== RowKind.UPDATE_BEFORE) // -U changes no version
              .sort((x, y) => x.t - y.t); // stable: arrival order
            mine.forEach((c, j) => {
              if (!isAccumulate(c.kind)) return;
              const to = j + 1 < mine.length ? (mine[j + 1] as { t: number }).t : Number.POSITIVE_INFINITY;
              if (!(c.t < to)) return;
              const row: Row = [c.key, c.t, c.v];
              if (q.kind === 'asOf') {
                if (c.t <= q.at && q.at < to) expected.push(row);
              } else if (
                q.kind === 'fromTo' ? c.t < q.to && to > q.from : q.from <= q.to && c.t <= q.to && to > q.from
              ) {
                expected.push([...row, c.t, to === Number.POSITIVE_INFINITY ? null : to]);
              }
            });
          }
          expect(h.ctx.metrics.get('numLateRecordsDropped')).toBeUndefined();
          expect(sortRows(h.output.map((c) => c.row))).toEqual(sortRows(expected));
          expect(h.stateSize()).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
