import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../../operators/api.ts';
import { buildComparator } from '../../../operators/relational/compare.ts';
import { Limit } from '../../../operators/relational/limit.ts';
import { SortLimit } from '../../../operators/relational/sort-limit.ts';
import { encodeKey } from '../../../operators/state.ts';
import { OperatorHarness, sortRows } from '../../../operators/testing/harness.ts';
import { snapshotWhile } from '../snapshot-while.ts';
import { type Multiset, smallKey, smallValue, stepArb, toChangelog } from './helpers.ts';

const byValueDesc = buildComparator([{ index: 1, descending: true, nullsFirst: false }]);

describe('SortLimit (bounded ORDER BY / LIMIT / OFFSET)', () => {
  it('buffers until the end of input, then emits in order; finite watermarks are held back', () => {
    const h = new OperatorHarness(new SortLimit({ compare: byValueDesc }));
    h.insert(['a', 1]).insert(['b', null]).insert(['c', 3]).watermark(100);
    expect(h.output).toEqual([]);
    expect(h.watermarks).toEqual([]);
    h.endAll();
    expect(h.formatted()).toEqual(['+I[c, 3]', '+I[a, 1]', '+I[b, NULL]']);
    expect(h.watermarks).toEqual([Infinity]);
    expect(h.ended).toBe(true);
    expect(h.stateSize()).toBe(0);
  });

  it('LIMIT and OFFSET; equal keys keep arrival order (stable)', () => {
    const h = new OperatorHarness(
      new SortLimit({
        compare: buildComparator([{ index: 0, descending: false, nullsFirst: true }]),
        limit: 2,
        offset: 1,
      }),
    );
    h.insert([2, 'x']).insert([1, 'first']).insert([1, 'second']).insert([1, 'third']).endAll();
    expect(h.formatted()).toEqual(['+I[1, second]', '+I[1, third]']);
  });

  it('LIMIT 0 and empty input emit nothing', () => {
    const h = new OperatorHarness(new SortLimit({ limit: 0 }));
    h.insert([1]).endAll();
    expect(h.output).toEqual([]);
    const e = new OperatorHarness(new SortLimit({ compare: byValueDesc }));
    e.endAll();
    expect(e.output).toEqual([]);
  });

  it('accepts an update stream (e.g. ORDER BY over an aggregate) and sorts its final rows', () => {
    const h = new OperatorHarness(new SortLimit({ compare: byValueDesc, limit: 2 }));
    h.insert(['a', 1]).insert(['b', 2]).update(['a', 1], ['a', 5]).insert(['c', 3]).delete(['b', 2]).endAll();
    expect(h.formatted()).toEqual(['+I[a, 5]', '+I[c, 3]']);
  });

  it('property: the output is the sorted live multiset sliced by OFFSET/LIMIT, across a snapshot/restore', () => {
    const rowArb = fc.tuple(smallKey, smallValue) as fc.Arbitrary<Row>;
    const cmp = buildComparator([
      { index: 1, descending: true, nullsFirst: false },
      { index: 0, descending: false, nullsFirst: true },
    ]);
    fc.assert(
      fc.property(
        fc.array(stepArb(rowArb), { maxLength: 50 }),
        fc.nat(5),
        fc.nat(8),
        fc.nat(),
        (steps, offset, limit, cut) => {
          const { changes, live } = toChangelog(steps);
          const at = cut % (changes.length + 1);
          const make = () => new SortLimit({ compare: cmp, limit, offset });
          const first = new OperatorHarness(make());
          for (const c of changes.slice(0, at)) first.push(c.kind, c.row);
          const h = first.restoreInto(make(), first.snapshot());
          for (const c of changes.slice(at)) h.push(c.kind, c.row);
          h.endAll();
          const expected = (live[0] as Multiset)
            .rows()
            .sort(cmp)
            .slice(offset, offset + limit);
          expect(h.output.map((c) => c.row)).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('SortLimit copy-on-write snapshots', () => {
  it('property: a snapshot written out while the operator goes on (to its end) restores into one that gives the same answer', () => {
    const rowArb = fc.tuple(smallKey, smallValue) as fc.Arbitrary<Row>;
    const cmp = buildComparator([{ index: 1, descending: true, nullsFirst: false }]);
    fc.assert(
      fc.property(
        fc.array(stepArb(rowArb), { maxLength: 50 }),
        fc.record({
          insertOnlyInput: fc.boolean(),
          ordered: fc.boolean(),
          limit: fc.option(fc.nat(8), { nil: undefined }),
          offset: fc.nat(5),
        }),
        fc.nat(),
        fc.integer({ min: 1, max: 4 }),
        (steps, o, cut, chunk) => {
          const make = () =>
            new SortLimit({
              compare: o.ordered ? cmp : undefined,
              limit: o.limit,
              offset: o.offset,
              insertOnlyInput: o.insertOnlyInput,
            });
          const { changes } = toChangelog(
            o.insertOnlyInput ? steps.map((x) => ({ ...x, op: 'ins' })) : steps,
          );
          const at = cut % (changes.length + 1);
          const whole = new OperatorHarness(make());
          for (const c of changes) whole.push(c.kind, c.row);
          whole.endAll();
          const first = new OperatorHarness(make());
          for (const c of changes.slice(0, at)) first.push(c.kind, c.row);
          const heldAtCut = first.stateSize();
          // The live operator goes on to the end of its input (emitting and dropping its buffer).
          const rest = [
            ...changes.slice(at).map((c) => () => {
              first.push(c.kind, c.row);
            }),
            () => {
              first.endAll();
            },
          ];
          const snap = snapshotWhile(first.operator, rest, chunk);
          expect(first.formatted()).toEqual(whole.formatted());
          expect(first.stateSize()).toBe(0);
          const resumed = new OperatorHarness(make());
          resumed.operator.restore(structuredClone(snap));
          expect(resumed.stateSize()).toBe(heldAtCut);
          for (const c of changes.slice(at)) resumed.push(c.kind, c.row);
          resumed.endAll();
          expect(resumed.formatted()).toEqual(whole.formatted());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('restores a snapshot written before copy-on-write (rows and retractions as arrays)', () => {
    const h = new OperatorHarness(new SortLimit({ compare: byValueDesc }));
    h.operator.restore({
      rows: [
        ['a', 1],
        ['b', 2],
        ['a', 1],
      ],
      retracted: [[encodeKey(['a', 1]), 1]],
      heap: [],
      seq: 0,
      finished: false,
    });
    h.insert(['c', 3]).endAll();
    expect(h.formatted()).toEqual(['+I[c, 3]', '+I[b, 2]', '+I[a, 1]']);
  });
});

describe('SortLimit over an insert-only input (bounded buffer)', () => {
  it('keeps only OFFSET + LIMIT rows, and gives what the full sort gives (stable on ties)', () => {
    const cmp = buildComparator([{ index: 0, descending: false, nullsFirst: true }]);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 5 })), fc.nat(1000)), {
          maxLength: 80,
        }),
        fc.nat(4),
        fc.nat(6),
        fc.boolean(),
        fc.nat(),
        (rows, offset, limit, ordered, cut) => {
          const at = cut % (rows.length + 1);
          const make = (insertOnlyInput: boolean) =>
            new SortLimit({ compare: ordered ? cmp : undefined, limit, offset, insertOnlyInput });
          const full = new OperatorHarness(make(false));
          const first = new OperatorHarness(make(true));
          let maxState = 0;
          rows.forEach((r, i) => {
            full.insert(r);
            if (i < at) first.insert(r);
            maxState = Math.max(maxState, first.stateSize());
          });
          const bounded = first.restoreInto(make(true), first.snapshot());
          for (const r of rows.slice(at)) {
            bounded.insert(r);
            maxState = Math.max(maxState, bounded.stateSize());
          }
          full.endAll();
          bounded.endAll();
          expect(bounded.formatted()).toEqual(full.formatted());
          expect(maxState).toBeLessThanOrEqual(offset + limit);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a retraction when planned as insert-only', () => {
    const h = new OperatorHarness(new SortLimit({ limit: 1, insertOnlyInput: true }));
    expect(() => h.delete([1])).toThrow(/insert-only/);
  });
});

describe('Limit (streaming LIMIT without ORDER BY)', () => {
  it('insert-only input: emits the first rows after OFFSET and keeps O(1) state', () => {
    const h = new OperatorHarness(new Limit({ limit: 2, offset: 1, insertOnlyInput: true }));
    for (let i = 0; i < 10; i++) h.insert([i]);
    expect(h.formatted()).toEqual(['+I[1]', '+I[2]']);
    expect(h.stateSize()).toBe(1);
    expect(() => h.delete([1])).toThrow(/insert-only/);
  });

  it('changelog input: a retracted row in the window is replaced by the next live row', () => {
    const h = new OperatorHarness(new Limit({ limit: 2 }));
    h.insert(['a']).insert(['b']).insert(['c']);
    expect(h.takeFormatted()).toEqual(['+I[a]', '+I[b]']);
    h.delete(['a']);
    expect(h.takeFormatted()).toEqual(['-D[a]', '+I[c]']);
    h.delete(['c']).delete(['b']);
    expect(h.takeFormatted()).toEqual(['-D[c]', '-D[b]']);
    expect(h.stateSize()).toBe(0);
  });

  it('changelog input with OFFSET: a retraction before the window shifts it', () => {
    const h = new OperatorHarness(new Limit({ limit: 1, offset: 1 }));
    h.insert(['a']).insert(['b']).insert(['c']);
    expect(h.takeFormatted()).toEqual(['+I[b]']);
    h.delete(['a']);
    expect(h.takeFormatted()).toEqual(['-D[b]', '+I[c]']);
  });

  it('retracting a copy that lies beyond the window changes nothing', () => {
    const h = new OperatorHarness(new Limit({ limit: 1 }));
    h.insert(['a']).insert(['a']).take();
    h.delete(['a']);
    expect(h.output).toEqual([]);
  });

  it('property: the output is a sub-multiset of the live rows of the right size (in arrival order for inserts only)', () => {
    const rowArb = fc.tuple(smallKey) as fc.Arbitrary<Row>;
    fc.assert(
      fc.property(
        fc.array(stepArb(rowArb), { maxLength: 50 }),
        fc.nat(4),
        fc.nat(4),
        (steps, offset, limit) => {
          const { changes, live } = toChangelog(steps);
          const h = new OperatorHarness(new Limit({ limit, offset }));
          for (const c of changes) h.push(c.kind, c.row);
          const out = h.materialized();
          const liveRows = live[0] as Multiset;
          expect(out.length).toBe(Math.max(0, Math.min(limit, liveRows.size - offset)));
          const remaining = sortRows(liveRows.rows());
          for (const r of out) {
            const i = remaining.findIndex((x) => x[0] === r[0]);
            expect(i).toBeGreaterThanOrEqual(0);
            remaining.splice(i, 1);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Limit snapshot', () => {
  it('property: snapshot/restore at any point continues exactly like an uninterrupted run', () => {
    const rowArb = fc.tuple(smallKey) as fc.Arbitrary<Row>;
    fc.assert(
      fc.property(
        fc.array(stepArb(rowArb), { maxLength: 40 }),
        fc.nat(3),
        fc.nat(3),
        fc.nat(),
        (steps, offset, limit, cut) => {
          const { changes } = toChangelog(steps);
          const at = cut % (changes.length + 1);
          const make = () => new Limit({ limit, offset });
          const whole = new OperatorHarness(make());
          for (const c of changes) whole.push(c.kind, c.row);
          const first = new OperatorHarness(make());
          for (const c of changes.slice(0, at)) first.push(c.kind, c.row);
          const resumed = first.restoreInto(make(), first.snapshot());
          for (const c of changes.slice(at)) resumed.push(c.kind, c.row);
          expect(resumed.formatted()).toEqual(whole.formatted());
        },
      ),
      { numRuns: 150 },
    );
  });
});
