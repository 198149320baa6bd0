/**
 * UpdatingOverAggregate (an OVER aggregation over an input with retractions) against a brute-force
 * reference that lives only here: after every change, the live multiset of input rows is sorted
 * totally (ORDER BY key with its NULL placement, then every column), each row's frame is computed from
 * its definition (ROWS: positions; RANGE: values, NULLs peers of NULLs only) and aggregated directly.
 * The operator's changelog, materialized, must equal that multiset after every step, and must never
 * retract a row it did not emit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AggregateFunction, type Row, RowKind, type Value } from '../../../operators/api.ts';
import type { SortKey } from '../../../operators/relational/compare.ts';
import { UpdatingOverAggregate } from '../../../operators/relational/updating-over-aggregate.ts';
import { OperatorHarness } from '../../../operators/testing/harness.ts';
import type { FrameBound, WindowFrame } from '../../../operators/time/bounded-over-aggregate.ts';
import { queryRows } from '../../engine/helpers.ts';
import { snapshotWhile } from '../snapshot-while.ts';

// Rows: [partition, ord (small int or NULL), val (small int)].
const sum: AggregateFunction<{ s: number; n: number }, number | null> = {
  create: () => ({ s: 0, n: 0 }),
  accumulate: (a, v) => ({ s: a.s + (v as number), n: a.n + 1 }),
  retract: (a, v) => ({ s: a.s - (v as number), n: a.n - 1 }),
  getValue: (a) => (a.n === 0 ? null : a.s),
};
const count: AggregateFunction<number, number> = {
  create: () => 0,
  accumulate: (a) => a + 1,
  retract: (a) => a - 1,
  getValue: (a) => a,
};
/** No retract: the operator must re-accumulate when a frame's front moves. */
const max: AggregateFunction<number | null, number | null> = {
  create: () => null,
  accumulate: (a, v) => (a === null || (v as number) > a ? (v as number) : a),
  getValue: (a) => a,
};

type Agg = 'sum' | 'count' | 'max';
const FNS = { sum, count, max } as const;

/** The reference order: ORDER BY ord (direction, NULL placement), then every column. */
function referenceSort(rows: Row[], desc: boolean, nullsFirst: boolean): Row[] {
  const cmpNum = (x: Value, y: Value): number => {
    if (x === y) return 0;
    if (x === null) return nullsFirst ? -1 : 1;
    if (y === null) return nullsFirst ? 1 : -1;
    return desc ? (y as number) - (x as number) : (x as number) - (y as number);
  };
  const nullSmall = (x: Value, y: Value): number =>
    x === y ? 0 : x === null ? -1 : y === null ? 1 : (x as number) - (y as number);
  return [...rows].sort(
    (x, y) => cmpNum(x[1], y[1]) || nullSmall(x[0], y[0]) || nullSmall(x[1], y[1]) || nullSmall(x[2], y[2]),
  );
}

function inFrame(frame: WindowFrame, desc: boolean, sortedRows: Row[], j: number, k: number): boolean {
  if (frame.mode === 'rows') {
    const lo = (b: FrameBound): number =>
      b.kind === 'unboundedPreceding' ? -Infinity : b.kind === 'preceding' ? j - b.offset : j;
    const hi = (b: FrameBound): number =>
      b.kind === 'unboundedFollowing' ? Infinity : b.kind === 'following' ? j + b.offset : j;
    return k >= lo(frame.start) && k <= hi(frame.end);
  }
  const cur = (sortedRows[j] as Row)[1];
  const other = (sortedRows[k] as Row)[1];
  // "Preceding" by value: before in the sort order. NULLs are peers of NULLs only: between a NULL
  // and a value, only an UNBOUNDED bound on that side reaches across.
  const startOk = (): boolean => {
    if (frame.start.kind === 'unboundedPreceding') return true;
    if (cur === null || other === null) return cur === other || k >= j;
    const off = frame.start.kind === 'preceding' ? frame.start.offset : 0;
    const d = desc ? (other as number) - (cur as number) : (cur as number) - (other as number);
    return d <= off;
  };
  const endOk = (): boolean => {
    if (frame.end.kind === 'unboundedFollowing') return true;
    if (cur === null || other === null) return cur === other || k <= j;
    const off = frame.end.kind === 'following' ? frame.end.offset : 0;
    const d = desc ? (cur as number) - (other as number) : (other as number) - (cur as number);
    return d <= off;
  };
  return startOk() && endOk();
}

function reference(
  live: Row[],
  frame: WindowFrame,
  desc: boolean,
  nullsFirst: boolean,
  aggs: Agg[],
): string[] {
  const out: string[] = [];
  for (const p of new Set(live.map((r) => r[0]))) {
    const sortedRows = referenceSort(
      live.filter((r) => r[0] === p),
      desc,
      nullsFirst,
    );
    sortedRows.forEach((row, j) => {
      const members = sortedRows.filter((_, k) => inFrame(frame, desc, sortedRows, j, k));
      const vals = aggs.map((a) => {
        const v = members.map((m) => m[2] as number);
        if (a === 'count') return v.length;
        if (v.length === 0) return null;
        return a === 'sum' ? v.reduce((s, x) => s + x, 0) : Math.max(...v);
      });
      out.push(JSON.stringify([...row, ...vals]));
    });
  }
  return out.sort();
}

const boundArb = (side: 'start' | 'end'): fc.Arbitrary<FrameBound> =>
  side === 'start'
    ? fc.oneof(
        fc.constant<FrameBound>({ kind: 'unboundedPreceding' }),
        fc.integer({ min: 0, max: 3 }).map<FrameBound>((offset) => ({ kind: 'preceding', offset })),
        fc.constant<FrameBound>({ kind: 'currentRow' }),
      )
    : fc.oneof(
        fc.constant<FrameBound>({ kind: 'currentRow' }),
        fc.integer({ min: 0, max: 3 }).map<FrameBound>((offset) => ({ kind: 'following', offset })),
        fc.constant<FrameBound>({ kind: 'unboundedFollowing' }),
      );

const rowArb = fc.tuple(
  fc.integer({ min: 0, max: 2 }),
  fc.option(fc.integer({ min: 0, max: 6 }), { freq: 6 }),
  fc.integer({ min: -5, max: 9 }),
);
// An op: insert a row, retract the n-th live row (mod the live count), or retract a row never inserted.
const opArb = fc.oneof(
  { weight: 6, arbitrary: rowArb.map((r) => ({ op: 'insert' as const, row: r as Row })) },
  { weight: 3, arbitrary: fc.nat().map((n) => ({ op: 'retract' as const, n })) },
  { weight: 1, arbitrary: fc.constant({ op: 'unknown' as const }) },
);

describe('UpdatingOverAggregate', () => {
  it('keeps every live row with its frame aggregate, after every insert and retraction', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'rows' | 'range'>('rows', 'range'),
        boundArb('start'),
        boundArb('end'),
        fc.boolean(),
        fc.boolean(),
        fc.subarray<Agg>(['sum', 'count', 'max'], { minLength: 1 }),
        fc.array(opArb, { maxLength: 40 }),
        (mode, start, end, desc, nullsFirst, aggs, ops) => {
          const frame: WindowFrame = { mode, start, end };
          const orderKeys: SortKey[] = [{ index: 1, descending: desc, nullsFirst }];
          const h = new OperatorHarness(
            new UpdatingOverAggregate({
              partitionKeys: [0],
              orderKeys,
              frame,
              aggregates: aggs.map((a) => ({
                create: () => FNS[a],
                args: a === 'count' ? [] : [2],
                name: a,
              })),
            }),
          );
          const live: Row[] = [];
          const emitted = new Map<string, number>();
          let seen = 0;
          for (const op of ops) {
            if (op.op === 'insert') {
              live.push(op.row);
              h.operator.process(RowKind.INSERT, op.row, 0);
            } else if (op.op === 'retract') {
              if (live.length === 0) continue;
              const [row] = live.splice(op.n % live.length, 1);
              h.operator.process(op.n % 2 === 0 ? RowKind.DELETE : RowKind.UPDATE_BEFORE, row as Row, 0);
            } else {
              h.operator.process(RowKind.DELETE, [9, 9, 99], 0);
            }
            for (const c of h.output.slice(seen)) {
              const k = JSON.stringify(c.row);
              const add = c.kind === RowKind.INSERT || c.kind === RowKind.UPDATE_AFTER;
              const n = (emitted.get(k) ?? 0) + (add ? 1 : -1);
              expect(n, `retracted ${k}, which was not emitted`).toBeGreaterThanOrEqual(0);
              if (n === 0) emitted.delete(k);
              else emitted.set(k, n);
            }
            seen = h.output.length;
            const actual = [...emitted].flatMap(([k, n]) => Array.from({ length: n }, () => k)).sort();
            expect(actual).toEqual(reference(live, frame, desc, nullsFirst, aggs));
          }
          expect(h.operator.stateSize()).toBe(live.length);
        },
      ),
      { numRuns: 250 },
    );
  });

  it('re-emits only the rows whose frame changed (ROWS 1 PRECEDING)', () => {
    const h = new OperatorHarness(
      new UpdatingOverAggregate({
        partitionKeys: [0],
        orderKeys: [{ index: 1, descending: false, nullsFirst: true }],
        frame: { mode: 'rows', start: { kind: 'preceding', offset: 1 }, end: { kind: 'currentRow' } },
        aggregates: [{ create: () => sum, args: [2] }],
      }),
    );
    for (const t of [1, 2, 3, 4]) h.operator.process(RowKind.INSERT, [0, t, t * 10], 0);
    const before = h.output.length;
    h.operator.process(RowKind.DELETE, [0, 2, 20], 0);
    expect(h.output.slice(before)).toEqual([
      { kind: RowKind.DELETE, row: [0, 2, 20, 30] },
      { kind: RowKind.UPDATE_BEFORE, row: [0, 3, 30, 50] },
      { kind: RowKind.UPDATE_AFTER, row: [0, 3, 30, 40] },
    ]);
  });

  it('survives a snapshot and restore', () => {
    const opts = {
      partitionKeys: [0],
      orderKeys: [{ index: 1, descending: false, nullsFirst: true }],
      frame: null,
      aggregates: [{ create: () => count, args: [] }],
    };
    const a = new OperatorHarness(new UpdatingOverAggregate(opts));
    for (const t of [1, 2, 3]) a.operator.process(RowKind.INSERT, [0, t, 0], 0);
    const b = new OperatorHarness(new UpdatingOverAggregate(opts));
    b.operator.restore(a.snapshot());
    // A snapshot written before copy-on-write: the [partition, entries] pairs themselves.
    const old = new OperatorHarness(new UpdatingOverAggregate(opts));
    old.operator.restore((a.snapshot() as { partitions: unknown }).partitions);
    for (const h of [b, old]) {
      h.operator.process(RowKind.DELETE, [0, 1, 0], 0);
      expect(h.output).toEqual([
        { kind: RowKind.DELETE, row: [0, 1, 0, 1] },
        { kind: RowKind.UPDATE_BEFORE, row: [0, 2, 0, 2] },
        { kind: RowKind.UPDATE_AFTER, row: [0, 2, 0, 1] },
        { kind: RowKind.UPDATE_BEFORE, row: [0, 3, 0, 3] },
        { kind: RowKind.UPDATE_AFTER, row: [0, 3, 0, 2] },
      ]);
    }
  });

  it('property: a snapshot written out while the operator goes on restores into one that continues identically', () => {
    // More partitions than above, so that the writer has not passed them all when they change.
    const manyPartitions = fc.tuple(
      fc.integer({ min: 0, max: 7 }),
      fc.option(fc.integer({ min: 0, max: 6 }), { freq: 6 }),
      fc.integer({ min: -5, max: 9 }),
    ) as fc.Arbitrary<Row>;
    fc.assert(
      fc.property(
        fc.constantFrom<'rows' | 'range'>('rows', 'range'),
        boundArb('start'),
        boundArb('end'),
        fc.array(
          fc.oneof(
            manyPartitions,
            fc.nat().map((n) => n),
          ),
          { maxLength: 40 },
        ),
        fc.nat(),
        fc.integer({ min: 1, max: 4 }),
        (mode, start, end, ops, cut, chunk) => {
          const make = () =>
            new UpdatingOverAggregate({
              partitionKeys: [0],
              orderKeys: [{ index: 1, descending: false, nullsFirst: true }],
              frame: { mode, start, end },
              aggregates: [
                { create: () => sum, args: [2], name: 'sum' },
                { create: () => count, args: [], name: 'count' },
              ],
            });
          // A row is inserted, a number retracts the n-th live row; at the end every live row is retracted.
          const changes: { kind: RowKind; row: Row }[] = [];
          const live: Row[] = [];
          for (const o of ops) {
            if (Array.isArray(o)) {
              live.push(o);
              changes.push({ kind: RowKind.INSERT, row: o });
            } else if (live.length > 0) {
              const [row] = live.splice(o % live.length, 1);
              changes.push({ kind: RowKind.DELETE, row: row as Row });
            }
          }
          const at = cut % (changes.length + 1);
          for (const row of live) changes.push({ kind: RowKind.DELETE, row });
          const whole = new OperatorHarness(make());
          for (const c of changes) whole.push(c.kind, c.row);
          const first = new OperatorHarness(make());
          for (const c of changes.slice(0, at)) first.push(c.kind, c.row);
          const heldAtCut = first.stateSize();
          const prefix = [...first.out.changes];
          const rest = changes.slice(at).map((c) => () => {
            first.push(c.kind, c.row);
          });
          const snap = snapshotWhile(first.operator, rest, chunk);
          expect(first.stateSize()).toBe(0);
          first.out.changes.splice(0, first.out.changes.length, ...prefix);
          const resumed = first.restoreInto(make(), snap);
          expect(resumed.stateSize()).toBe(heldAtCut);
          for (const c of changes.slice(at)) resumed.push(c.kind, c.row);
          expect(resumed.formatted()).toEqual(whole.formatted());
        },
      ),
      { numRuns: 250 },
    );
  });
});

describe('OVER over an updating input, through SQL', () => {
  it('runs a RANGE frame over a GROUP BY result, with the final values of every group', async () => {
    // Per (k, g): the sum of v; then per k, ordered by that sum, the count of groups whose sum is
    // within 10 below it (RANGE BETWEEN 10 PRECEDING AND CURRENT ROW).
    const data: [string, number, number][] = [
      ['a', 1, 5],
      ['a', 2, 12],
      ['a', 1, 4],
      ['a', 3, 30],
      ['b', 1, 1],
      ['a', 2, 1],
      ['b', 2, 2],
      ['a', 4, 18],
    ];
    const rows = await queryRows(`
      CREATE TABLE t (k STRING, g INT, v INT) WITH ('connector' = 'values', 'data' = '${JSON.stringify(data)}');
      SELECT k, s, COUNT(*) OVER (PARTITION BY k ORDER BY s RANGE BETWEEN 10 PRECEDING AND CURRENT ROW)
      FROM (SELECT k, g, SUM(v) AS s FROM t GROUP BY k, g)`);
    // Final sums: a: g1 9, g2 13, g3 30, g4 18; b: g1 1, g2 2.
    const expected = [
      ['a', 9, 1n],
      ['a', 13, 2n],
      ['a', 18, 3n],
      ['a', 30, 1n],
      ['b', 1, 1n],
      ['b', 2, 2n],
    ];
    const key = (r: readonly unknown[]) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
    expect(rows.map(key).sort()).toEqual(expected.map(key).sort());
  });
});
