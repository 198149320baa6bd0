import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Row, RowKind } from '../../../operators/api.ts';
import { type AggregateCall, GroupAggregate } from '../../../operators/relational/group-aggregate.ts';
import { materializeSnapshot } from '../../../operators/state.ts';
import { OperatorHarness, sortRows } from '../../../operators/testing/harness.ts';
import { restoreWhileRunning } from '../snapshot-while.ts';
import {
  appendOnlyCountFn,
  countFn,
  minFn,
  retractAll,
  smallKey,
  smallValue,
  stepArb,
  sumFn,
  toChangelog,
} from './helpers.ts';

const COUNT_STAR: AggregateCall = { create: () => countFn, args: [], name: 'COUNT' };
const SUM_1: AggregateCall = { create: () => sumFn, args: [1], name: 'SUM' };

function agg(
  groupBy: number[],
  aggregates: AggregateCall[],
  extra: Partial<ConstructorParameters<typeof GroupAggregate>[0]> = {},
) {
  return new OperatorHarness(new GroupAggregate({ groupBy, aggregates, ...extra }));
}

describe('GroupAggregate', () => {
  it('emits +I for a new group and -U/+U when its result changes', () => {
    const h = agg([0], [COUNT_STAR, SUM_1]);
    h.insert(['a', 1]).insert(['b', 5]).insert(['a', 2]);
    expect(h.takeFormatted()).toEqual(['+I[a, 1, 1]', '+I[b, 1, 5]', '-U[a, 1, 1]', '+U[a, 2, 3]']);
  });

  it('emits nothing when the result row did not change', () => {
    const h = agg([0], [SUM_1]);
    h.insert(['a', 1]).insert(['a', 0]).insert(['a', null]);
    expect(h.takeFormatted()).toEqual(['+I[a, 1]']);
    h.update(['a', 0], ['a', 0]);
    expect(h.takeFormatted()).toEqual([]);
  });

  it('retracts: -U/+U on a smaller group, -D when the last row of a group goes, and state empties', () => {
    const h = agg([0], [COUNT_STAR, SUM_1]);
    h.insert(['a', 1]).insert(['a', 2]).take();
    h.delete(['a', 1]);
    expect(h.takeFormatted()).toEqual(['-U[a, 2, 3]', '+U[a, 1, 2]']);
    h.delete(['a', 2]);
    expect(h.takeFormatted()).toEqual(['-D[a, 1, 2]']);
    expect(h.stateSize()).toBe(0);
    h.insert(['a', 7]);
    expect(h.takeFormatted()).toEqual(['+I[a, 1, 7]']);
  });

  it('treats an update of the input as a retraction then an accumulation', () => {
    const h = agg([0], [SUM_1]);
    h.insert(['a', 1]).insert(['b', 1]).take();
    h.update(['a', 1], ['b', 4]);
    expect(h.takeFormatted()).toEqual(['-D[a, 1]', '-U[b, 1]', '+U[b, 5]']);
  });

  it('groups NULL keys together, and aggregates skip NULL arguments', () => {
    const h = agg([0], [COUNT_STAR, { create: () => countFn, args: [1] }, SUM_1]);
    h.insert([null, null]).insert([null, 4]);
    expect(h.materialized()).toEqual([[null, 2, 1, 4]]);
  });

  it('ignores (and counts) a retraction for a group it does not know', () => {
    const h = agg([0], [SUM_1]);
    h.delete(['x', 1]);
    expect(h.output).toEqual([]);
    expect(h.ctx.metrics.get('numRetractionsOfUnknownGroup')).toBe(1);
    expect(h.stateSize()).toBe(0);
  });

  it('supports FILTER (WHERE): rows failing (or NULL for) the filter are not aggregated but still keep the group', () => {
    const positive = (r: Row) => (r[1] === null ? null : (r[1] as number) > 0);
    const h = agg([0], [COUNT_STAR, { create: () => sumFn, args: [1], filter: positive }]);
    h.insert(['a', -5]).insert(['a', null]).insert(['a', 3]);
    expect(h.materialized()).toEqual([['a', 3, 3]]);
    h.delete(['a', 3]);
    expect(h.materialized()).toEqual([['a', 2, null]]);
  });

  it('supports DISTINCT: a value counts once however many rows carry it, until the last one goes', () => {
    const h = agg(
      [0],
      [
        { create: () => countFn, args: [1], distinct: true },
        { create: () => sumFn, args: [1], distinct: true },
      ],
    );
    h.insert(['a', 2]).insert(['a', 2]).insert(['a', 3]);
    expect(h.materialized()).toEqual([['a', 2, 5]]);
    h.take();
    h.delete(['a', 2]);
    expect(h.takeFormatted()).toEqual([]); // one row with 2 remains: no change
    h.delete(['a', 2]);
    expect(h.takeFormatted()).toEqual(['-U[a, 2, 5]', '+U[a, 1, 3]']);
  });

  it('DISTINCT with several arguments keys on the whole argument tuple', () => {
    const h = agg([], [{ create: () => countFn, args: [0, 1], distinct: true }]);
    h.insert([1, 2]).insert([1, 2]).insert([2, 1]);
    expect(h.materialized()).toEqual([[2]]);
  });

  it('accepts a compiled argument extractor instead of columns', () => {
    const h = agg([0], [{ create: () => sumFn, argsOf: (r) => [(r[1] as number) * 10] }]);
    h.insert(['a', 1]).insert(['a', 2]);
    expect(h.materialized()).toEqual([['a', 30]]);
  });

  it('omits -U when emitUpdateBefore is false (an upsert consumer)', () => {
    const h = agg([0], [SUM_1], { emitUpdateBefore: false });
    h.insert(['a', 1]).insert(['a', 2]);
    expect(h.formatted()).toEqual(['+I[a, 1]', '+U[a, 3]']);
  });

  it('fails with a clear error when a non-retractable aggregate meets a retraction', () => {
    const h = agg([0], [{ create: () => appendOnlyCountFn, args: [], name: 'MY_AGG' }]);
    h.insert(['a', 1]).insert(['a', 2]);
    expect(() => h.delete(['a', 1])).toThrow(
      expect.objectContaining({ code: 'AGGREGATE_RETRACT_UNSUPPORTED' }),
    );
  });

  describe('global aggregation (no GROUP BY)', () => {
    it('emits nothing for empty input in streaming mode (Flink streaming)', () => {
      const h = agg([], [COUNT_STAR, SUM_1]);
      h.endAll();
      expect(h.output).toEqual([]);
      expect(h.ended).toBe(true);
    });

    it('emits one row over no rows at the end in batch mode (Flink batch): COUNT 0, SUM NULL', () => {
      const h = agg([], [COUNT_STAR, SUM_1], { emptyGlobalResultAtEnd: true });
      h.endAll();
      expect(h.formatted()).toEqual(['+I[0, NULL]']);
      expect(h.watermarks).toEqual([Infinity]);
    });

    it('in batch mode emits the empty row also when every row was retracted, and nothing extra otherwise', () => {
      const h = agg([], [COUNT_STAR], { emptyGlobalResultAtEnd: true });
      h.insert(['a', 1]).delete(['a', 1]).endAll();
      expect(h.formatted()).toEqual(['+I[1]', '-D[1]', '+I[0]']);
      const h2 = agg([], [COUNT_STAR], { emptyGlobalResultAtEnd: true });
      h2.insert(['a', 1]).endAll();
      expect(h2.formatted()).toEqual(['+I[1]']);
    });

    it('retracts its row when all rows are retracted (streaming)', () => {
      const h = agg([], [COUNT_STAR]);
      h.insert([1]).insert([2]).delete([1]).delete([2]);
      expect(h.formatted()).toEqual(['+I[1]', '-U[1]', '+U[2]', '-U[2]', '+U[1]', '-D[1]']);
      expect(h.stateSize()).toBe(0);
    });
  });

  describe('state TTL', () => {
    it('forgets a group idle for longer than the TTL: the next row starts it afresh (Flink semantics)', () => {
      const h = agg([0], [COUNT_STAR], { stateTtlMs: 1000 });
      h.setTime(0).insert(['a']);
      h.setTime(500).insert(['a']);
      h.setTime(1400).insert(['a']); // written at 500: still alive at 1400
      h.setTime(2400).insert(['a']); // idle since 1400: expired
      expect(h.formatted()).toEqual(['+I[a, 1]', '-U[a, 1]', '+U[a, 2]', '-U[a, 2]', '+U[a, 3]', '+I[a, 1]']);
    });

    it('reclaims the state of keys never seen again', () => {
      const h = agg([0], [COUNT_STAR], { stateTtlMs: 100 });
      for (let i = 0; i < 50; i++) h.setTime(i).insert([`k${i}`]);
      expect(h.stateSize()).toBe(50);
      h.setTime(1000).insert(['late']);
      expect(h.stateSize()).toBe(1);
      expect(h.ctx.metrics.get('numExpiredStates')).toBe(50);
    });

    it('re-emits an unchanged result as -U/+U, as Flink does with TTL, so downstream state is refreshed', () => {
      const h = agg([0], [SUM_1], { stateTtlMs: 1000 });
      h.insert(['a', 1]).insert(['a', 0]);
      expect(h.formatted()).toEqual(['+I[a, 1]', '-U[a, 1]', '+U[a, 1]']);
    });

    it('ignores a retraction for an expired group', () => {
      const h = agg([0], [COUNT_STAR], { stateTtlMs: 100 });
      h.setTime(0).insert(['a']);
      h.setTime(200).delete(['a']);
      expect(h.formatted()).toEqual(['+I[a, 1]']);
      expect(h.stateSize()).toBe(0);
    });
  });

  it('forwards watermarks and ends', () => {
    const h = agg([0], [COUNT_STAR]);
    h.watermark(5).watermark(9).endInput();
    expect(h.watermarks).toEqual([5, 9]);
    expect(h.ended).toBe(true);
  });

  it('snapshot -> restore -> continue gives the same output as an uninterrupted run, and a snapshot is immune to later changes', () => {
    const calls = (): AggregateCall[] => [
      COUNT_STAR,
      SUM_1,
      { create: () => minFn, args: [1] },
      { create: () => countFn, args: [1], distinct: true },
    ];
    const before: Row[] = [
      ['a', 1],
      ['b', 2],
      ['a', 3],
    ];
    const continueRun = (h: OperatorHarness) =>
      h.insert(['a', 1]).insert(['b', null]).delete(['a', 1]).delete(['b', 2]);
    const whole = agg([0], calls());
    for (const r of before) whole.insert(r);
    whole.take();
    continueRun(whole);

    const first = agg([0], calls());
    for (const r of before) first.insert(r);
    // Not copied by the harness: the snapshot must not see what is processed after it was taken, even
    // when it is only written out later (copy-on-write).
    const raw = first.operator.snapshot();
    first.insert(['a', 100]).insert(['c', 1]).delete(['b', null]);
    const fresh = new GroupAggregate({ groupBy: [0], aggregates: calls() });
    fresh.restore(materializeSnapshot(raw));
    const resumed = new OperatorHarness(fresh);
    continueRun(resumed);
    expect(resumed.formatted()).toEqual(whole.formatted());
    expect(resumed.formatted()).toEqual([
      '-U[a, 2, 4, 1, 2]',
      '+U[a, 3, 5, 1, 2]',
      '-U[b, 1, 2, 2, 1]',
      '+U[b, 2, 2, 2, 1]',
      '-U[a, 3, 5, 1, 2]',
      '+U[a, 2, 4, 1, 2]',
      '-U[b, 2, 2, 2, 1]',
      '+U[b, 1, NULL, NULL, 0]',
    ]);
  });
});

/** Brute force: GROUP BY col 0, COUNT(*), SUM(v), MIN(v), COUNT(DISTINCT v), SUM(v) FILTER (WHERE v > 0). */
function bruteForce(rows: Row[]): Row[] {
  const groups = new Map<unknown, Row[]>();
  for (const r of rows) {
    const g = groups.get(r[0]) ?? [];
    g.push(r);
    groups.set(r[0], g);
  }
  const out: Row[] = [];
  for (const [k, g] of groups) {
    const vs = g.map((r) => r[1]).filter((v): v is number => v !== null);
    const pos = vs.filter((v) => v > 0);
    out.push([
      k,
      g.length,
      vs.length ? vs.reduce((a, b) => a + b, 0) : null,
      vs.length ? Math.min(...vs) : null,
      new Set(vs).size,
      pos.length ? pos.reduce((a, b) => a + b, 0) : null,
    ]);
  }
  return sortRows(out);
}

const PROPERTY_CALLS = (): AggregateCall[] => [
  COUNT_STAR,
  SUM_1,
  { create: () => minFn, args: [1] },
  { create: () => countFn, args: [1], distinct: true },
  { create: () => sumFn, args: [1], filter: (r) => (r[1] === null ? null : (r[1] as number) > 0) },
];

describe('GroupAggregate properties', () => {
  const rowArb = fc.tuple(smallKey, smallValue) as fc.Arbitrary<Row>;

  it('materialised output equals a recomputation over the live rows; no redundant updates; empty state after retracting all', () => {
    fc.assert(
      fc.property(fc.array(stepArb(rowArb), { maxLength: 60 }), (steps) => {
        const { changes, live } = toChangelog(steps);
        const h = agg([0], PROPERTY_CALLS());
        for (const c of changes) h.push(c.kind, c.row);
        expect(h.materialized()).toEqual(
          bruteForce((live[0] as ReturnType<typeof toChangelog>['live'][0]).rows()),
        );
        const out = h.output;
        for (let i = 0; i < out.length; i++) {
          const c = out[i] as (typeof out)[0];
          if (c.kind === RowKind.UPDATE_BEFORE) {
            const next = out[i + 1];
            expect(next?.kind).toBe(RowKind.UPDATE_AFTER);
            expect(next?.row).not.toEqual(c.row);
          }
        }
        for (const c of retractAll(live)) h.push(c.kind, c.row);
        expect(h.materialized()).toEqual([]);
        expect(h.stateSize()).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('global aggregation in batch mode ends with exactly one row', () => {
    fc.assert(
      fc.property(fc.array(stepArb(rowArb), { maxLength: 30 }), (steps) => {
        const { changes, live } = toChangelog(steps);
        const h = agg([], [COUNT_STAR, SUM_1], { emptyGlobalResultAtEnd: true });
        for (const c of changes) h.push(c.kind, c.row);
        h.endAll();
        const rows = (live[0] as ReturnType<typeof toChangelog>['live'][0]).rows();
        const vs = rows.map((r) => r[1]).filter((v): v is number => v !== null);
        expect(h.materialized()).toEqual([[rows.length, vs.length ? vs.reduce((a, b) => a + b, 0) : null]]);
      }),
      { numRuns: 150 },
    );
  });

  it('snapshot/restore at any point continues exactly like an uninterrupted run', () => {
    fc.assert(
      fc.property(fc.array(stepArb(rowArb), { maxLength: 40 }), fc.nat(), (steps, cut) => {
        const { changes } = toChangelog(steps);
        const at = changes.length === 0 ? 0 : cut % (changes.length + 1);
        const whole = agg([0], PROPERTY_CALLS());
        for (const c of changes) whole.push(c.kind, c.row);
        const first = agg([0], PROPERTY_CALLS());
        for (const c of changes.slice(0, at)) first.push(c.kind, c.row);
        const resumed = first.restoreInto(
          new GroupAggregate({ groupBy: [0], aggregates: PROPERTY_CALLS() }),
          first.snapshot(),
        );
        for (const c of changes.slice(at)) resumed.push(c.kind, c.row);
        expect(resumed.formatted()).toEqual(whole.formatted());
      }),
      { numRuns: 150 },
    );
  });
});

describe('GroupAggregate change detection on structured results', () => {
  it('a result that is a fresh but equal array each time is not an update', () => {
    // A "distinct values as a sorted array" aggregate: getValue builds a new array on every call.
    const setAgg = {
      create: () => new Map<number, number>(),
      accumulate: (acc: Map<number, number>, x: unknown) =>
        acc.set(x as number, (acc.get(x as number) ?? 0) + 1),
      retract: (acc: Map<number, number>, x: unknown) => {
        const c = (acc.get(x as number) ?? 0) - 1;
        if (c <= 0) acc.delete(x as number);
        else acc.set(x as number, c);
        return acc;
      },
      getValue: (acc: Map<number, number>) => [...acc.keys()].sort((a, b) => a - b),
    };
    const h = agg([0], [{ create: () => setAgg, args: [1] }]);
    h.insert(['k', 2]).insert(['k', 1]).insert(['k', 2]).delete(['k', 2]);
    expect(h.formatted()).toEqual(['+I[k, [2]]', '-U[k, [2]]', '+U[k, [1, 2]]']);
  });
});

describe('GroupAggregate errors', () => {
  it('an aggregate function that throws fails with an error naming it and the row', () => {
    const bad = {
      create: () => 0,
      accumulate: (_acc: unknown, x: unknown) => {
        if (x === 13) throw new Error('unlucky');
        return 0;
      },
      retract: () => 0,
      getValue: () => 0,
    };
    const h = agg([0], [COUNT_STAR, { create: () => bad, args: [1], name: 'MY_UDAF' }]);
    h.insert(['a', 1]);
    let err: unknown;
    try {
      h.insert(['a', 13]);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'AGGREGATE_FUNCTION_FAILED', phase: 'runtime' });
    expect((err as Error).message).toContain('MY_UDAF');
    expect((err as Error).message).toContain('["a", 13]');
    expect((err as Error).message).toContain('unlucky');
  });
});

describe('GroupAggregate with several group columns (hashed state)', () => {
  /** Brute force: GROUP BY cols 0, 1: COUNT(*), SUM(v). */
  function bruteForce2(rows: Row[]): Row[] {
    const groups = new Map<string, Row[]>();
    for (const r of rows) {
      const k = JSON.stringify([r[0], r[1]]);
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    return sortRows(
      [...groups.values()].map((g) => {
        const vs = g.map((r) => r[2]).filter((v): v is number => v !== null);
        return [g[0]?.[0], g[0]?.[1], g.length, vs.length ? vs.reduce((a, b) => a + b, 0) : null];
      }),
    );
  }
  const rowArb = fc.tuple(smallKey, smallValue, smallValue) as fc.Arbitrary<Row>;
  const hashes: [string, ((row: Row, cols: readonly number[]) => number) | undefined][] = [
    ['the real hash', undefined],
    ['a hash that always collides', () => 42],
    ['a hash with some collisions', (row) => (row[1] === null ? 0 : (row[1] as number) & 1)],
  ];
  for (const [label, hashGroupKey] of hashes) {
    it(`property (${label}): equals the recomputation, state empties, snapshot/restore continues`, () => {
      const make = (ttl = 0) =>
        new GroupAggregate({
          groupBy: [0, 1],
          aggregates: [COUNT_STAR, { create: () => sumFn, args: [2] }],
          hashGroupKey,
          stateTtlMs: ttl,
        });
      fc.assert(
        fc.property(
          fc.array(stepArb(rowArb), { maxLength: 60 }),
          fc.nat(),
          fc.boolean(),
          fc.integer({ min: 1, max: 4 }),
          (steps, cut, withTtl, chunk) => {
            const { changes, live } = toChangelog(steps);
            const at = cut % (changes.length + 1);
            const first = new OperatorHarness(make(withTtl ? 1_000_000 : 0));
            for (const c of changes.slice(0, at)) first.push(c.kind, c.row);
            // The snapshot is written out while the first operator goes on to the end and retracts all.
            const rest = [...changes.slice(at), ...retractAll(live)];
            const h = restoreWhileRunning(first, make(withTtl ? 1_000_000 : 0), rest, chunk);
            expect(first.stateSize()).toBe(0);
            for (const c of changes.slice(at)) h.push(c.kind, c.row);
            expect(h.materialized()).toEqual(
              bruteForce2((live[0] as ReturnType<typeof toChangelog>['live'][0]).rows()),
            );
            for (const c of retractAll(live)) h.push(c.kind, c.row);
            expect(h.materialized()).toEqual([]);
            expect(h.stateSize()).toBe(0);
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('groups whose hashes collide stay apart, and TTL expires groups in the overflow map too', () => {
    const h = new OperatorHarness(
      new GroupAggregate({
        groupBy: [0, 1],
        aggregates: [COUNT_STAR],
        hashGroupKey: () => 7,
        stateTtlMs: 100,
      }),
    );
    h.setTime(0).insert(['a', 1]).insert(['b', 2]).insert(['a', 1]);
    expect(h.materialized()).toEqual([
      ['a', 1, 2],
      ['b', 2, 1],
    ]);
    expect(h.stateSize()).toBe(2);
    h.setTime(1000).insert(['c', 3]);
    expect(h.stateSize()).toBe(1);
  });
});
