import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../../operators/api.ts';
import { GroupAggregate } from '../../../operators/relational/group-aggregate.ts';
import {
  Join,
  type JoinOptions,
  JoinType,
  residualOverConcatenation,
} from '../../../operators/relational/join.ts';
import { OperatorHarness, sortRows } from '../../../operators/testing/harness.ts';
import { restoreWhileRunning } from '../snapshot-while.ts';
import { countFn, type Multiset, retractAll, smallKey, smallValue, stepArb, toChangelog } from './helpers.ts';

/** Left rows are [k, v], right rows [k, w]. */
function join(type: JoinType, extra: Partial<JoinOptions> = {}): OperatorHarness {
  return new OperatorHarness(
    new Join({ type, leftKeys: [0], rightKeys: [0], leftArity: 2, rightArity: 2, ...extra }),
    { inputs: 2 },
  );
}
const L = 0;
const R = 1;

describe('Join', () => {
  it('INNER: joins on equal keys, emits +I per match, -D on retraction, and empties its state', () => {
    const h = join(JoinType.INNER);
    h.insert(['a', 1], L).insert(['b', 2], L).insert(['a', 10], R);
    expect(h.takeFormatted()).toEqual(['+I[a, 1, a, 10]']);
    h.insert(['a', 3], L);
    expect(h.takeFormatted()).toEqual(['+I[a, 3, a, 10]']);
    h.delete(['a', 10], R);
    expect(h.takeFormatted()).toEqual(['-D[a, 1, a, 10]', '-D[a, 3, a, 10]']);
    h.delete(['a', 1], L).delete(['a', 3], L).delete(['b', 2], L);
    expect(h.takeFormatted()).toEqual([]);
    expect(h.stateSize()).toBe(0);
  });

  it('INNER: NULL keys never match (=), but do with IS NOT DISTINCT FROM', () => {
    const h = join(JoinType.INNER);
    h.insert([null, 1], L).insert([null, 2], R);
    expect(h.output).toEqual([]);
    expect(h.stateSize()).toBe(0); // rows that can never match are not kept
    const ns = join(JoinType.INNER, { nullSafe: [true] });
    ns.insert([null, 1], L).insert([null, 2], R);
    expect(ns.formatted()).toEqual(['+I[NULL, 1, NULL, 2]']);
  });

  it('INNER: duplicates multiply', () => {
    const h = join(JoinType.INNER);
    h.insert(['a', 1], L).insert(['a', 1], L).insert(['a', 2], R).insert(['a', 2], R);
    expect(h.materialized()).toEqual(Array.from({ length: 4 }, () => ['a', 1, 'a', 2]));
  });

  it('LEFT: emits the padded row, retracts it at the first match and re-emits it when the last match goes', () => {
    const h = join(JoinType.LEFT);
    h.insert(['a', 1], L);
    expect(h.takeFormatted()).toEqual(['+I[a, 1, NULL, NULL]']);
    h.insert(['a', 10], R);
    expect(h.takeFormatted()).toEqual(['-D[a, 1, NULL, NULL]', '+I[a, 1, a, 10]']);
    h.insert(['a', 11], R);
    expect(h.takeFormatted()).toEqual(['+I[a, 1, a, 11]']);
    h.delete(['a', 10], R);
    expect(h.takeFormatted()).toEqual(['-D[a, 1, a, 10]']);
    h.delete(['a', 11], R);
    expect(h.takeFormatted()).toEqual(['-D[a, 1, a, 11]', '+I[a, 1, NULL, NULL]']);
    h.delete(['a', 1], L);
    expect(h.takeFormatted()).toEqual(['-D[a, 1, NULL, NULL]']);
    expect(h.stateSize()).toBe(0);
  });

  it('LEFT: a left row with a NULL key is padded and its retraction retracts the padded row', () => {
    const h = join(JoinType.LEFT);
    h.insert([null, 1], L).insert([null, 5], R).delete([null, 1], L);
    expect(h.formatted()).toEqual(['+I[NULL, 1, NULL, NULL]', '-D[NULL, 1, NULL, NULL]']);
  });

  it('RIGHT and FULL pad the right side too', () => {
    const r = join(JoinType.RIGHT);
    r.insert(['a', 1], L).insert(['b', 2], R);
    expect(r.formatted()).toEqual(['+I[NULL, NULL, b, 2]']);
    const f = join(JoinType.FULL);
    f.insert(['a', 1], L).insert(['b', 2], R).insert(['a', 3], R);
    expect(f.formatted()).toEqual([
      '+I[a, 1, NULL, NULL]',
      '+I[NULL, NULL, b, 2]',
      '-D[a, 1, NULL, NULL]',
      '+I[a, 1, a, 3]',
    ]);
  });

  it('a residual predicate: NULL is not a match', () => {
    const h = join(JoinType.LEFT, {
      residual: (l, r) => (l[1] === null || r[1] === null ? null : (l[1] as number) < (r[1] as number)),
    });
    h.insert(['a', 5], R).insert(['a', 1], L).insert(['a', 9], L).insert(['a', null], L);
    expect(h.materialized()).toEqual(
      sortRows([
        ['a', 1, 'a', 5],
        ['a', 9, null, null],
        ['a', null, null, null],
      ]),
    );
  });

  it('a non-equi join with no keys (and a cross join)', () => {
    const h = new OperatorHarness(
      new Join({
        type: JoinType.INNER,
        leftKeys: [],
        rightKeys: [],
        leftArity: 1,
        rightArity: 1,
        residual: residualOverConcatenation((row) => (row[0] as number) < (row[1] as number)),
      }),
      { inputs: 2 },
    );
    h.insert([1], L).insert([5], L).insert([3], R).insert([0], R);
    expect(h.materialized()).toEqual([[1, 3]]);
    const cross = new OperatorHarness(
      new Join({ type: JoinType.INNER, leftKeys: [], rightKeys: [], leftArity: 1, rightArity: 1 }),
      { inputs: 2 },
    );
    cross.insert([1], L).insert([2], L).insert(['x'], R);
    expect(cross.materialized()).toEqual([
      [1, 'x'],
      [2, 'x'],
    ]);
  });

  it('SEMI: a left row is emitted while it has a match', () => {
    const h = join(JoinType.SEMI);
    h.insert(['a', 1], L).insert(['b', 2], L);
    expect(h.takeFormatted()).toEqual([]);
    h.insert(['a', 7], R).insert(['a', 8], R);
    expect(h.takeFormatted()).toEqual(['+I[a, 1]']);
    h.insert(['a', 1], L);
    expect(h.takeFormatted()).toEqual(['+I[a, 1]']);
    h.delete(['a', 7], R);
    expect(h.takeFormatted()).toEqual([]);
    h.delete(['a', 8], R);
    expect(h.takeFormatted()).toEqual(['-D[a, 1]', '-D[a, 1]']);
  });

  it('ANTI: a left row is emitted while it has no match; NULL keys never match', () => {
    const h = join(JoinType.ANTI);
    h.insert(['a', 1], L).insert([null, 2], L).insert([null, 3], R);
    expect(h.takeFormatted()).toEqual(['+I[a, 1]', '+I[NULL, 2]']);
    h.insert(['a', 9], R);
    expect(h.takeFormatted()).toEqual(['-D[a, 1]']);
    h.delete(['a', 9], R);
    expect(h.takeFormatted()).toEqual(['+I[a, 1]']);
  });

  it('ignores (and counts) the retraction of a row it does not hold', () => {
    const h = join(JoinType.FULL);
    h.delete(['a', 1], L).delete(['a', 1], R);
    expect(h.output).toEqual([]);
    expect(h.ctx.metrics.get('numRetractionsOfUnknownRow')).toBe(2);
  });

  it('watermark is the minimum over both inputs; ends when both end', () => {
    const h = join(JoinType.INNER);
    h.watermark(10, L);
    expect(h.watermarks).toEqual([]);
    h.watermark(5, R).watermark(20, R);
    expect(h.watermarks).toEqual([5, 10]);
    h.watermark(Infinity, L).endInput(L);
    expect(h.ended).toBe(false);
    h.watermark(Infinity, R).endInput(R);
    expect(h.watermarks).toEqual([5, 10, 20, Infinity]);
    expect(h.ended).toBe(true);
  });
});

/** SQL's join semantics, recomputed from the final live multisets of both inputs. */
function bruteForce(
  type: JoinType,
  left: Row[],
  right: Row[],
  opts: { nullSafe: boolean; residual?: (l: Row, r: Row) => boolean | null; keyed: boolean },
): Row[] {
  const matches = (l: Row, r: Row) => {
    if (opts.keyed) {
      if (l[0] === null || r[0] === null) {
        if (!(opts.nullSafe && l[0] === null && r[0] === null)) return false;
      } else if (l[0] !== r[0]) return false;
    }
    return opts.residual === undefined || opts.residual(l, r) === true;
  };
  const out: Row[] = [];
  if (type === JoinType.SEMI || type === JoinType.ANTI) {
    for (const l of left) if (right.some((r) => matches(l, r)) === (type === JoinType.SEMI)) out.push(l);
    return sortRows(out);
  }
  for (const l of left) for (const r of right) if (matches(l, r)) out.push([...l, ...r]);
  if (type === JoinType.LEFT || type === JoinType.FULL)
    for (const l of left) if (!right.some((r) => matches(l, r))) out.push([...l, null, null]);
  if (type === JoinType.RIGHT || type === JoinType.FULL)
    for (const r of right) if (!left.some((l) => matches(l, r))) out.push([null, null, ...r]);
  return sortRows(out);
}

describe('Join properties', () => {
  const rowArb = fc.tuple(smallKey, smallValue) as fc.Arbitrary<Row>;
  const residual = (l: Row, r: Row) =>
    l[1] === null || r[1] === null ? null : (l[1] as number) <= (r[1] as number);
  const variants: { name: string; keyed: boolean; nullSafe: boolean; residual?: typeof residual }[] = [
    { name: 'equi', keyed: true, nullSafe: false },
    { name: 'equi + residual', keyed: true, nullSafe: false, residual },
    { name: 'null-safe equi', keyed: true, nullSafe: true },
    { name: 'non-equi (no keys)', keyed: false, nullSafe: false, residual },
  ];
  for (const type of Object.values(JoinType)) {
    for (const v of variants) {
      it(`${type} ${v.name}: materialised output equals SQL semantics over the live inputs; state empties`, () => {
        fc.assert(
          fc.property(fc.array(stepArb(rowArb, 2), { maxLength: 50 }), (steps) => {
            const { changes, live } = toChangelog(steps, 2);
            const h = new OperatorHarness(
              new Join({
                type,
                leftKeys: v.keyed ? [0] : [],
                rightKeys: v.keyed ? [0] : [],
                leftArity: 2,
                rightArity: 2,
                nullSafe: [v.nullSafe],
                residual: v.residual,
              }),
              { inputs: 2 },
            );
            for (const c of changes) h.push(c.kind, c.row, c.input);
            const [l, r] = live as [Multiset, Multiset];
            expect(h.materialized()).toEqual(bruteForce(type, l.rows(), r.rows(), v));
            for (const c of retractAll(live)) h.push(c.kind, c.row, c.input);
            expect(h.materialized()).toEqual([]);
            expect(h.stateSize()).toBe(0);
          }),
          { numRuns: 100 },
        );
      });
    }
  }

  for (const type of Object.values(JoinType)) {
    it(`${type}: snapshot/restore at any point continues exactly like an uninterrupted run`, () => {
      const make = () =>
        new Join({ type, leftKeys: [0], rightKeys: [0], leftArity: 2, rightArity: 2, residual });
      fc.assert(
        fc.property(
          fc.array(stepArb(rowArb, 2), { maxLength: 40 }),
          fc.nat(),
          fc.integer({ min: 1, max: 3 }),
          (steps, cut, chunk) => {
            const { changes, live } = toChangelog(steps, 2);
            const at = cut % (changes.length + 1);
            const whole = new OperatorHarness(make(), { inputs: 2 });
            for (const c of changes) whole.push(c.kind, c.row, c.input);
            const first = new OperatorHarness(make(), { inputs: 2 });
            for (const c of changes.slice(0, at)) first.push(c.kind, c.row, c.input);
            const heldAtCut = first.stateSize();
            // The snapshot is written out (copy-on-write) while the first run goes on and retracts all.
            const rest = [...changes.slice(at), ...retractAll(live)];
            const resumed = restoreWhileRunning(first, make(), rest, chunk);
            expect(first.stateSize()).toBe(0);
            expect(resumed.stateSize()).toBe(heldAtCut);
            for (const c of changes.slice(at)) resumed.push(c.kind, c.row, c.input);
            expect(resumed.formatted()).toEqual(whole.formatted());
          },
        ),
        { numRuns: 60 },
      );
    });
  }
});

describe('Join output kinds (as Flink)', () => {
  it('INNER forwards the input kind, so an update stays an update', () => {
    const h = join(JoinType.INNER);
    h.insert(['a', 1], L).insert(['a', 10], R).take();
    h.update(['a', 1], ['a', 2], L);
    expect(h.takeFormatted()).toEqual(['-U[a, 1, a, 10]', '+U[a, 2, a, 10]']);
  });

  it('outer joins turn an update into -D/+I', () => {
    const h = join(JoinType.LEFT);
    h.insert(['a', 1], L).insert(['a', 10], R).take();
    h.update(['a', 1], ['a', 2], L);
    expect(h.takeFormatted()).toEqual(['-D[a, 1, a, 10]', '+I[a, 2, a, 10]']);
  });

  it('SEMI forwards a left update; right-side effects are +I/-D', () => {
    const h = join(JoinType.SEMI);
    h.insert(['a', 10], R).insert(['a', 1], L).take();
    h.update(['a', 1], ['a', 2], L);
    expect(h.takeFormatted()).toEqual(['-U[a, 1]', '+U[a, 2]']);
    h.delete(['a', 10], R);
    expect(h.takeFormatted()).toEqual(['-D[a, 2]']);
  });
});

describe('Join state TTL', () => {
  it('rows of a key not written for the TTL stop joining (Flink semantics) and their state is reclaimed', () => {
    const h = join(JoinType.INNER, { stateTtlMs: 100 });
    h.setTime(0).insert(['a', 1], L);
    h.setTime(50).insert(['a', 10], R);
    expect(h.takeFormatted()).toEqual(['+I[a, 1, a, 10]']);
    h.setTime(120).insert(['a', 11], R); // left 'a' last written at 0: expired
    expect(h.takeFormatted()).toEqual([]);
    expect(h.stateSize()).toBe(2); // the right rows: written at 50 and 120
    h.setTime(500).insert(['z', 0], L);
    expect(h.stateSize()).toBe(1);
    expect(h.ctx.metrics.get('numExpiredStates')).toBe(2);
  });

  it('a write refreshes the key: rows written within the TTL keep joining', () => {
    const h = join(JoinType.LEFT, { stateTtlMs: 100 });
    h.setTime(0).insert(['a', 1], L);
    h.setTime(90).insert(['a', 2], L);
    h.setTime(150).insert(['a', 10], R);
    expect(h.materialized()).toEqual([
      ['a', 1, 'a', 10],
      ['a', 2, 'a', 10],
    ]);
  });

  it('snapshot keeps the TTL bookkeeping', () => {
    const h = join(JoinType.INNER, { stateTtlMs: 100 });
    h.setTime(0).insert(['a', 1], L);
    const make = () =>
      new Join({
        type: JoinType.INNER,
        leftKeys: [0],
        rightKeys: [0],
        leftArity: 2,
        rightArity: 2,
        stateTtlMs: 100,
      });
    const resumed = h.restoreInto(make(), h.snapshot());
    resumed.setTime(99).insert(['a', 5], R);
    resumed.setTime(250).insert(['a', 6], L).insert(['a', 7], R); // the right 'a' row (99) is expired by 250
    expect(resumed.formatted()).toEqual(['+I[a, 1, a, 5]', '+I[a, 6, a, 7]']);
  });
});

describe('Join feeding a GroupAggregate', () => {
  it('property: COUNT(*) per left key over a LEFT join equals the recomputation (the join changelog is consumable)', () => {
    const rowArb = fc.tuple(smallKey, smallValue) as fc.Arbitrary<Row>;
    fc.assert(
      fc.property(fc.array(stepArb(rowArb, 2), { maxLength: 50 }), (steps) => {
        const { changes, live } = toChangelog(steps, 2);
        const j = join(JoinType.LEFT);
        const g = new OperatorHarness(
          new GroupAggregate({ groupBy: [0], aggregates: [{ create: () => countFn, args: [] }] }),
        );
        for (const c of changes) {
          j.push(c.kind, c.row, c.input);
          for (const o of j.take()) g.push(o.kind, o.row);
        }
        const [l, r] = live as [Multiset, Multiset];
        const joined = bruteForce(JoinType.LEFT, l.rows(), r.rows(), { keyed: true, nullSafe: false });
        const counts = new Map<unknown, number>();
        for (const row of joined) counts.set(row[0], (counts.get(row[0]) ?? 0) + 1);
        expect(g.materialized()).toEqual(sortRows([...counts].map(([k, n]) => [k, n])));
      }),
      { numRuns: 150 },
    );
  });
});

describe('Join on several key columns (hashed state)', () => {
  /** Left rows are [a, b, v], right rows [b, a, w]; ON l.a = r.a AND l.b = r.b. */
  function reference(type: JoinType, left: Row[], right: Row[]): Row[] {
    const eq = (x: unknown, y: unknown) => x !== null && y !== null && x === y;
    const matches = (l: Row, r: Row) => eq(l[0], r[1]) && eq(l[1], r[0]);
    const out: Row[] = [];
    if (type === JoinType.SEMI || type === JoinType.ANTI) {
      for (const l of left) if (right.some((r) => matches(l, r)) === (type === JoinType.SEMI)) out.push(l);
      return sortRows(out);
    }
    for (const l of left) for (const r of right) if (matches(l, r)) out.push([...l, ...r]);
    if (type === JoinType.LEFT || type === JoinType.FULL)
      for (const l of left) if (!right.some((r) => matches(l, r))) out.push([...l, null, null, null]);
    if (type === JoinType.RIGHT || type === JoinType.FULL)
      for (const r of right) if (!left.some((l) => matches(l, r))) out.push([null, null, null, ...r]);
    return sortRows(out);
  }
  const keyPart = fc.oneof(fc.constant(null), fc.constantFrom('x', 'y'));
  const rowArb = fc.tuple(keyPart, keyPart, smallValue) as fc.Arbitrary<Row>;
  const hashes: [string, ((row: Row, cols: readonly number[]) => number) | undefined][] = [
    ['real hash', undefined],
    ['always colliding hash', () => 1],
  ];
  for (const type of Object.values(JoinType)) {
    for (const [label, hashJoinKey] of hashes) {
      it(`${type} (${label}): equals SQL semantics; state empties`, () => {
        fc.assert(
          fc.property(fc.array(stepArb(rowArb, 2), { maxLength: 50 }), (steps) => {
            const { changes, live } = toChangelog(steps, 2);
            const h = new OperatorHarness(
              new Join({
                type,
                leftKeys: [0, 1],
                rightKeys: [1, 0],
                leftArity: 3,
                rightArity: 3,
                hashJoinKey,
              }),
              { inputs: 2 },
            );
            for (const c of changes) h.push(c.kind, c.row, c.input);
            const [l, r] = live as [Multiset, Multiset];
            expect(h.materialized()).toEqual(reference(type, l.rows(), r.rows()));
            for (const c of retractAll(live)) h.push(c.kind, c.row, c.input);
            expect(h.materialized()).toEqual([]);
            expect(h.stateSize()).toBe(0);
          }),
          { numRuns: 60 },
        );
      });
    }
  }
});

describe('Join with a TTL that never fires', () => {
  it('property: gives exactly the output of a join without TTL (the TTL bookkeeping does not disturb state)', () => {
    const rowArb = fc.tuple(smallKey, smallValue) as fc.Arbitrary<Row>;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(stepArb(rowArb, 2), fc.nat(10)), { maxLength: 50 }),
        fc.constantFrom(...Object.values(JoinType)),
        (timed, type) => {
          const { changes } = toChangelog(
            timed.map(([s]) => s),
            2,
          );
          const plain = join(type);
          const ttl = join(type, { stateTtlMs: 1_000_000, leftKeys: [0], rightKeys: [0] });
          let t = 0;
          changes.forEach((c, i) => {
            t += timed[Math.min(i, timed.length - 1)]?.[1] ?? 0;
            plain.push(c.kind, c.row, c.input);
            ttl.setTime(t).push(c.kind, c.row, c.input);
          });
          expect(ttl.formatted()).toEqual(plain.formatted());
          expect(ttl.stateSize()).toBe(plain.stateSize());
        },
      ),
      { numRuns: 150 },
    );
  });
});
