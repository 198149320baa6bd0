import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Operator, Row } from '../../../operators/api.ts';
import { Distinct } from '../../../operators/relational/distinct.ts';
import { GroupAggregate } from '../../../operators/relational/group-aggregate.ts';
import { hashRow } from '../../../operators/relational/row-hash.ts';
import { SetOp, SetOpKind } from '../../../operators/relational/set-op.ts';
import { Union } from '../../../operators/relational/union.ts';
import { OperatorHarness, sortRows } from '../../../operators/testing/harness.ts';
import { restoreWhileRunning, snapshotWhile } from '../snapshot-while.ts';
import { Multiset, retractAll, smallKey, smallValue, stepArb, toChangelog } from './helpers.ts';

const L = 0;
const R = 1;
const rowArb = fc.tuple(smallKey, smallValue) as fc.Arbitrary<Row>;

/** Row hashes for the copy-on-write tests: hash chains of one entry, of every row, and of some rows. */
const hashes: [string, ((row: Row) => number) | undefined][] = [
  ['the real hash', undefined],
  ['a hash that always collides', () => 42],
  // Several chains of a few rows each, so that the writer has not passed every chain when rows change.
  ['a hash with some collisions', (row) => hashRow(row) & 7],
];

/**
 * Property: a snapshot taken after a random prefix of a random changelog, and written out a few
 * entries at a time while the live operator processes the rest and then retracts everything, restores
 * into an operator that continues exactly like an uninterrupted run (to the end, retractions included,
 * so that a count the live operator changed in the snapshot shows up as a missing or extra -D).
 */
function snapshotWhileRunningContinues(make: () => Operator, inputs: number): void {
  fc.assert(
    fc.property(
      fc.array(stepArb(rowArb, inputs), { maxLength: 50 }),
      fc.nat(),
      fc.integer({ min: 1, max: 4 }),
      (steps, cut, chunk) => {
        const { changes, live } = toChangelog(steps, inputs);
        const at = cut % (changes.length + 1);
        const whole = new OperatorHarness(make(), { inputs });
        for (const c of [...changes, ...retractAll(live)]) whole.push(c.kind, c.row, c.input);
        const first = new OperatorHarness(make(), { inputs });
        for (const c of changes.slice(0, at)) first.push(c.kind, c.row, c.input);
        const heldAtCut = first.stateSize();
        const rest = [...changes.slice(at), ...retractAll(live)];
        const resumed = restoreWhileRunning(first, make(), rest, chunk);
        expect(first.stateSize()).toBe(0);
        expect(resumed.stateSize()).toBe(heldAtCut);
        for (const c of [...changes.slice(at), ...retractAll(live)]) resumed.push(c.kind, c.row, c.input);
        expect(resumed.formatted()).toEqual(whole.formatted());
        expect(resumed.stateSize()).toBe(0);
      },
    ),
    { numRuns: 150 },
  );
}

describe('Distinct', () => {
  it('emits +I on the first copy and -D when the last copy is retracted', () => {
    const h = new OperatorHarness(new Distinct());
    h.insert(['a', 1]).insert(['a', 1]).insert([null, null]).delete(['a', 1]);
    expect(h.takeFormatted()).toEqual(['+I[a, 1]', '+I[NULL, NULL]']);
    h.delete(['a', 1]).delete([null, null]);
    expect(h.takeFormatted()).toEqual(['-D[a, 1]', '-D[NULL, NULL]']);
    expect(h.stateSize()).toBe(0);
  });

  it('compares rows by SQL value: "1" differs from 1, -0 is 0, NaN is one value', () => {
    const h = new OperatorHarness(new Distinct());
    h.insert([1])
      .insert(['1'])
      .insert([1])
      .insert([-0])
      .insert([0])
      .insert([Number.NaN])
      .insert([Number.NaN]);
    expect(h.formatted()).toEqual(['+I[1]', '+I[1]', '+I[0]', '+I[NaN]']);
    expect(h.stateSize()).toBe(4);
  });

  it('empty input: no output, ends', () => {
    const h = new OperatorHarness(new Distinct());
    h.endAll();
    expect(h.output).toEqual([]);
    expect(h.ended).toBe(true);
  });

  it('property: output is the set of live rows; state empties after retracting all; snapshot/restore continues', () => {
    fc.assert(
      fc.property(fc.array(stepArb(rowArb), { maxLength: 60 }), fc.nat(), (steps, cut) => {
        const { changes, live } = toChangelog(steps);
        const at = cut % (changes.length + 1);
        const first = new OperatorHarness(new Distinct());
        for (const c of changes.slice(0, at)) first.push(c.kind, c.row);
        const h = first.restoreInto(new Distinct(), first.snapshot());
        for (const c of changes.slice(at)) h.push(c.kind, c.row);
        const distinct = new Multiset();
        for (const r of (live[0] as Multiset).rows()) if (distinct.count(r) === 0) distinct.add(r);
        expect(h.materialized()).toEqual(sortRows(distinct.rows()));
        for (const c of retractAll(live)) h.push(c.kind, c.row);
        expect(h.materialized()).toEqual([]);
        expect(h.stateSize()).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Distinct copy-on-write snapshots', () => {
  it('a snapshot keeps the count of a row deep in a hash chain that changes before the chain is written', () => {
    // Two chains: [x] alone, then b -> a (b inserted last heads the chain).
    const make = () => new Distinct({ hashRow: (row) => (row[0] === 'x' ? 0 : 1) });
    const first = new OperatorHarness(make());
    first.insert(['x']).insert(['a']).insert(['b']);
    // One entry is written per step: the chain b -> a only after `a` got a second copy.
    const snap = snapshotWhile(first.operator, [() => first.insert(['a'])], 1);
    const resumed = first.restoreInto(make(), snap);
    resumed.take();
    resumed.delete(['a']);
    expect(resumed.takeFormatted()).toEqual(['-D[a]']);
  });

  for (const [label, hashRow] of hashes) {
    it(`property (${label}): a snapshot written out while the operator goes on restores exactly`, () => {
      snapshotWhileRunningContinues(() => new Distinct({ hashRow }), 1);
    });
  }
});

describe('Union (UNION ALL)', () => {
  it('forwards every change of every input', () => {
    const h = new OperatorHarness(new Union(3), { inputs: 3 });
    h.insert([1], 0).insert([1], 1).delete([1], 0).insert([2], 2);
    expect(h.formatted()).toEqual(['+I[1]', '+I[1]', '-D[1]', '+I[2]']);
  });

  it('watermark is the minimum over inputs and it ends when all inputs ended', () => {
    const h = new OperatorHarness(new Union(2), { inputs: 2 });
    h.watermark(3, 0).watermark(1, 1).watermark(5, 1).watermark(4, 0);
    expect(h.watermarks).toEqual([1, 3, 4]);
    h.watermark(Infinity, 0).endInput(0);
    expect(h.watermarks).toEqual([1, 3, 4, 5]);
    expect(h.ended).toBe(false);
    h.watermark(Infinity, 1).endInput(1);
    expect(h.watermarks).toEqual([1, 3, 4, 5, Infinity]);
    expect(h.ended).toBe(true);
  });

  it('rejects zero inputs', () => {
    expect(() => new Union(0)).toThrow(/at least one input/);
  });
});

describe('SetOp', () => {
  it('UNION removes duplicates within and across inputs', () => {
    const h = new OperatorHarness(new SetOp({ kind: SetOpKind.UNION }), { inputs: 2 });
    h.insert([1], L).insert([1], L).insert([1], R).insert([2], R);
    expect(h.takeFormatted()).toEqual(['+I[1]', '+I[2]']);
    h.delete([1], L).delete([1], L);
    expect(h.takeFormatted()).toEqual([]);
    h.delete([1], R);
    expect(h.takeFormatted()).toEqual(['-D[1]']);
  });

  it('INTERSECT and INTERSECT ALL', () => {
    const i = new OperatorHarness(new SetOp({ kind: SetOpKind.INTERSECT }), { inputs: 2 });
    const ia = new OperatorHarness(new SetOp({ kind: SetOpKind.INTERSECT_ALL }), { inputs: 2 });
    for (const h of [i, ia])
      h.insert([1], L)
        .insert([1], L)
        .insert([1], L)
        .insert([1], R)
        .insert([1], R)
        .insert([null], L)
        .insert([null], R)
        .insert([3], R);
    expect(i.materialized()).toEqual([[null], [1]]); // NULLs are not distinct in set operations
    expect(ia.materialized()).toEqual([[null], [1], [1]]);
  });

  it('EXCEPT and EXCEPT ALL', () => {
    const e = new OperatorHarness(new SetOp({ kind: SetOpKind.EXCEPT }), { inputs: 2 });
    const ea = new OperatorHarness(new SetOp({ kind: SetOpKind.EXCEPT_ALL }), { inputs: 2 });
    for (const h of [e, ea])
      h.insert([1], L).insert([1], L).insert([1], L).insert([1], R).insert([2], L).insert([2], R);
    expect(e.materialized()).toEqual([]);
    expect(ea.materialized()).toEqual([[1], [1]]);
    ea.take();
    ea.delete([1], R);
    expect(ea.takeFormatted()).toEqual(['+I[1]']);
    ea.insert([3], R);
    expect(ea.takeFormatted()).toEqual([]);
  });

  it('UNION over three inputs', () => {
    const h = new OperatorHarness(new SetOp({ kind: SetOpKind.UNION, inputs: 3 }), { inputs: 3 });
    h.insert([1], 0).insert([1], 2).delete([1], 0);
    expect(h.materialized()).toEqual([[1]]);
  });

  it('refuses INTERSECT/EXCEPT with other than two inputs', () => {
    expect(() => new SetOp({ kind: SetOpKind.EXCEPT, inputs: 3 })).toThrow(/takes 2 inputs/);
  });

  const reference: Record<SetOpKind, (m: number, n: number) => number> = {
    UNION: (m, n) => (m + n > 0 ? 1 : 0),
    INTERSECT: (m, n) => (m > 0 && n > 0 ? 1 : 0),
    INTERSECT_ALL: (m, n) => Math.min(m, n),
    EXCEPT: (m, n) => (m > 0 && n === 0 ? 1 : 0),
    EXCEPT_ALL: (m, n) => Math.max(0, m - n),
  };
  for (const kind of Object.values(SetOpKind)) {
    it(`property: ${kind} equals its definition over the live inputs; state empties; snapshot/restore continues`, () => {
      fc.assert(
        fc.property(fc.array(stepArb(rowArb, 2), { maxLength: 60 }), fc.nat(), (steps, cut) => {
          const { changes, live } = toChangelog(steps, 2);
          const at = cut % (changes.length + 1);
          const first = new OperatorHarness(new SetOp({ kind }), { inputs: 2 });
          for (const c of changes.slice(0, at)) first.push(c.kind, c.row, c.input);
          const h = first.restoreInto(new SetOp({ kind }), first.snapshot());
          for (const c of changes.slice(at)) h.push(c.kind, c.row, c.input);
          const [l, r] = live as [Multiset, Multiset];
          const expected: Row[] = [];
          const seen = new Multiset();
          for (const row of [...l.rows(), ...r.rows()]) {
            if (seen.count(row) > 0) continue;
            seen.add(row);
            for (let i = 0; i < reference[kind](l.count(row), r.count(row)); i++) expected.push(row);
          }
          expect(h.materialized()).toEqual(sortRows(expected));
          for (const c of retractAll(live)) h.push(c.kind, c.row, c.input);
          expect(h.materialized()).toEqual([]);
          expect(h.stateSize()).toBe(0);
        }),
        { numRuns: 150 },
      );
    });
  }
});

describe('SetOp copy-on-write snapshots', () => {
  for (const kind of Object.values(SetOpKind)) {
    for (const [label, hashRow] of hashes) {
      it(`property: ${kind} (${label}): a snapshot written out while the operator goes on restores exactly`, () => {
        snapshotWhileRunningContinues(() => new SetOp({ kind, hashRow }), 2);
      });
    }
  }
});

describe('DISTINCT planned as a GroupAggregate without aggregates (for state TTL)', () => {
  it('behaves exactly like Distinct on any changelog (and, with TTL, gives the same final rows)', () => {
    fc.assert(
      fc.property(fc.array(stepArb(rowArb), { maxLength: 60 }), (steps) => {
        const { changes } = toChangelog(steps);
        const d = new OperatorHarness(new Distinct());
        const g = new OperatorHarness(new GroupAggregate({ groupBy: [0, 1], aggregates: [] }));
        const ttl = new OperatorHarness(
          new GroupAggregate({ groupBy: [0, 1], aggregates: [], stateTtlMs: 1_000_000 }),
        );
        for (const c of changes) {
          d.push(c.kind, c.row);
          g.push(c.kind, c.row);
          ttl.push(c.kind, c.row);
        }
        expect(g.formatted()).toEqual(d.formatted());
        expect(ttl.materialized()).toEqual(d.materialized());
      }),
      { numRuns: 150 },
    );
  });
});
