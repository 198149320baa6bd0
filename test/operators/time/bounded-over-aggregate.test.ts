import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row, Value } from '../../../operators/api.ts';
import {
  BoundedOverAggregate,
  type FrameBound,
  type OverCall,
  type WindowFrame,
} from '../../../operators/time/bounded-over-aggregate.ts';
import { snapshotWhile } from '../snapshot-while.ts';
import { count, Harness, maxNoMerge, sortedJson, sum } from './harness.ts';
import { groupBy } from './reference.ts';

// Rows: [partition, orderKey (may be NULL), value]
const nullsFirst = (a: Value, b: Value) =>
  a === b ? 0 : a === null ? -1 : b === null ? 1 : (a as number) - (b as number);

function run(options: ConstructorParameters<typeof BoundedOverAggregate>[0], rows: Row[]): Row[] {
  const h = new Harness(new BoundedOverAggregate(options));
  for (const r of rows) h.insert(r);
  h.finish();
  expect(h.op.stateSize()).toBe(0);
  return h.out.rows();
}

describe('BoundedOverAggregate', () => {
  it('computes ranking and offset functions over each sorted partition', () => {
    const rows: Row[] = [
      ['a', 3, 30],
      ['a', 1, 10],
      ['b', 5, 50],
      ['a', 3, 31],
      ['a', 7, 70],
    ];
    const calls: OverCall[] = [
      { kind: 'ROW_NUMBER' },
      { kind: 'RANK' },
      { kind: 'DENSE_RANK' },
      { kind: 'NTILE', buckets: 3 },
      { kind: 'LAG', arg: 2 },
      { kind: 'LEAD', arg: 2, offset: 2, default: -1 },
      { kind: 'PERCENT_RANK' },
      { kind: 'CUME_DIST' },
    ];
    const out = run({ partitionKeys: [0], compare: (x, y) => nullsFirst(x[1], y[1]), calls }, rows);
    expect(out).toEqual([
      ['a', 1, 10, 1, 1, 1, 1, null, 31, 0, 0.25],
      ['a', 3, 30, 2, 2, 2, 1, 10, 70, 1 / 3, 0.75],
      ['a', 3, 31, 3, 2, 2, 2, 30, -1, 1 / 3, 0.75],
      ['a', 7, 70, 4, 4, 3, 3, 31, -1, 1, 1],
      ['b', 5, 50, 1, 1, 1, 1, null, -1, 0, 1],
    ]);
  });

  it('rejects invalid frames and arguments with stable codes', () => {
    const frame: WindowFrame = {
      mode: 'range',
      start: { kind: 'preceding', offset: 1 },
      end: { kind: 'currentRow' },
    };
    expect(
      () =>
        new BoundedOverAggregate({
          partitionKeys: [],
          calls: [{ kind: 'AGGREGATE', call: { create: () => sum, args: [2] }, frame }],
        }),
    ).toThrow(expect.objectContaining({ code: 'OVER_INVALID_FRAME' }));
    expect(
      () => new BoundedOverAggregate({ partitionKeys: [], calls: [{ kind: 'NTILE', buckets: 0 }] }),
    ).toThrow(expect.objectContaining({ code: 'OVER_INVALID_ARGUMENT' }));
  });

  const boundArb: fc.Arbitrary<FrameBound> = fc.oneof(
    fc.constant({ kind: 'unboundedPreceding' as const }),
    fc.integer({ min: 0, max: 4 }).map((offset) => ({ kind: 'preceding' as const, offset })),
    fc.constant({ kind: 'currentRow' as const }),
    fc.integer({ min: 0, max: 4 }).map((offset) => ({ kind: 'following' as const, offset })),
    fc.constant({ kind: 'unboundedFollowing' as const }),
  );
  const frameArb: fc.Arbitrary<WindowFrame> = fc
    .record({ mode: fc.constantFrom('rows' as const, 'range' as const), start: boundArb, end: boundArb })
    .filter((f) => f.start.kind !== 'unboundedFollowing' && f.end.kind !== 'unboundedPreceding');

  /**
   * The frame of sorted row i, straight from the definitions (SQL:2016 7.11): CURRENT ROW bounds are
   * peer-group bounds; an offset bound of a NULL-keyed row is its peer bound; for other rows, NULL-keyed
   * rows lie on the side where the sort puts them, and non-NULL rows are compared by key distance.
   */
  function refFrame(
    f: WindowFrame,
    sorted: Row[],
    i: number,
    cmp: (a: Row, b: Row) => number,
    desc: boolean,
  ): Row[] {
    const key = (r: Row) => r[1] as number | null;
    const cur = sorted[i] as Row;
    const ki = key(cur);
    const test = (b: FrameBound, j: number, isStart: boolean): boolean => {
      const row = sorted[j] as Row;
      if (b.kind === 'unboundedPreceding' || b.kind === 'unboundedFollowing') return true;
      if (f.mode === 'rows') {
        const edge = b.kind === 'preceding' ? i - b.offset : b.kind === 'following' ? i + b.offset : i;
        return isStart ? j >= edge : j <= edge;
      }
      if (b.kind === 'currentRow' || ki === null) return isStart ? cmp(row, cur) >= 0 : cmp(row, cur) <= 0;
      const kj = key(row);
      if (kj === null) return isStart ? cmp(row, cur) > 0 : cmp(row, cur) < 0;
      const d = desc ? ki - kj : kj - ki;
      const limit = b.kind === 'preceding' ? -b.offset : b.offset;
      return isStart ? d >= limit : d <= limit;
    };
    return sorted.filter((_, j) => test(f.start, j, true) && test(f.end, j, false));
  }

  it('property: aggregates and FIRST/LAST_VALUE over any frame equal the per-row definition', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 2 }),
            fc.option(fc.integer({ min: 0, max: 8 }), { freq: 6 }),
            fc.integer({ min: -9, max: 9 }),
          ),
          {
            maxLength: 40,
          },
        ),
        frameArb,
        fc.boolean(),
        fc.boolean(),
        (tuples, frame, desc, retractable) => {
          const rows = tuples.map((t) => [...t] as Row);
          const compare = (x: Row, y: Row) => nullsFirst(x[1], y[1]) * (desc ? -1 : 1);
          const calls: OverCall[] = [
            { kind: 'AGGREGATE', call: { create: () => count, args: [] }, frame },
            { kind: 'AGGREGATE', call: { create: () => (retractable ? sum : maxNoMerge), args: [2] }, frame },
            { kind: 'FIRST_VALUE', arg: 2, frame },
            { kind: 'LAST_VALUE', arg: 2, frame },
          ];
          const out = run(
            { partitionKeys: [0], compare, orderKey: (r) => r[1] as number | null, descending: desc, calls },
            rows,
          );
          const expected: Row[] = [];
          for (const g of groupBy(rows, (r) => String(r[0])).values()) {
            const sorted = [...g].sort(compare);
            sorted.forEach((r, i) => {
              const fr = refFrame(frame, sorted, i, compare, desc);
              const vs = fr.map((x) => x[2] as number);
              const agg =
                vs.length === 0 ? null : retractable ? vs.reduce((a, b) => a + b, 0) : Math.max(...vs);
              expected.push([...r, vs.length, agg, fr[0]?.[2] ?? null, fr[fr.length - 1]?.[2] ?? null]);
            });
          }
          expect(sortedJson(out)).toEqual(sortedJson(expected));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: NTILE splits each partition into buckets whose sizes differ by at most one, larger first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 8 }), (n, b) => {
        const rows: Row[] = Array.from({ length: n }, (_, i) => ['p', i, i]);
        const out = run(
          {
            partitionKeys: [0],
            compare: (x, y) => (x[1] as number) - (y[1] as number),
            calls: [{ kind: 'NTILE', buckets: b }],
          },
          rows,
        );
        const tiles = out.map((r) => r[3] as number);
        const sizes = [...groupBy(tiles, String).values()].map((g) => g.length);
        for (let i = 1; i < tiles.length; i++)
          expect(tiles[i]).toBeGreaterThanOrEqual(tiles[i - 1] as number);
        expect(Math.max(...sizes, 0) - Math.min(...sizes, Number.POSITIVE_INFINITY)).toBeLessThanOrEqual(
          n === 0 ? Number.NEGATIVE_INFINITY : 1,
        );
        for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1] as number);
        expect(new Set(tiles).size).toBe(Math.min(n, b));
      }),
      { numRuns: 200 },
    );
  });

  it('property: a snapshot written out in chunks while rows arrive (and the input ends) restores to the uninterrupted run', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 4 }),
            fc.option(fc.integer({ min: 0, max: 8 }), { freq: 6 }),
            fc.integer({ min: -9, max: 9 }),
          ),
          { maxLength: 40 },
        ),
        frameArb,
        fc.nat(),
        fc.integer({ min: 1, max: 4 }),
        (tuples, frame, at, chunk) => {
          const rows = tuples.map((t) => [...t] as Row);
          const make = () =>
            new BoundedOverAggregate({
              partitionKeys: [0],
              compare: (x, y) => nullsFirst(x[1], y[1]),
              orderKey: (r) => r[1] as number | null,
              calls: [
                { kind: 'ROW_NUMBER' },
                { kind: 'LAG', arg: 2 },
                { kind: 'AGGREGATE', call: { create: () => sum, args: [2] }, frame },
              ],
            });
          const plain = new Harness(make());
          for (const r of rows) plain.insert(r);
          plain.finish();
          // The snapshot is written out 1 to 4 partitions per step while the live operator takes the
          // remaining rows (appending to partitions the writer has or has not reached) and ends
          // (emitting and dropping every partition).
          const cut = at % (rows.length + 1);
          const first = new Harness(make());
          for (const r of rows.slice(0, cut)) first.insert(r);
          const steps = rows.slice(cut).map((r) => () => {
            first.insert(r);
          });
          steps.push(() => {
            first.finish();
          });
          const snap = snapshotWhile(first.op, steps, chunk);
          expect(first.out.printed()).toEqual(plain.out.printed());
          const resumed = new Harness(make());
          resumed.op.restore(structuredClone(snap));
          for (const r of rows.slice(cut)) resumed.insert(r);
          resumed.finish();
          // Partitions come out in first-seen order: the restored operator keeps that order too.
          expect(resumed.out.printed()).toEqual(plain.out.printed());
          expect(resumed.op.stateSize()).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
