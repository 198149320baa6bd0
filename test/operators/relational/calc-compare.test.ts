import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Row, RowKind } from '../../../operators/api.ts';
import { Calc } from '../../../operators/relational/calc.ts';
import {
  buildComparator,
  compareStrings,
  compareValues,
  valuesEqual,
} from '../../../operators/relational/compare.ts';
import { GroupAggregate } from '../../../operators/relational/group-aggregate.ts';
import { Chain, OperatorHarness } from '../../../operators/testing/harness.ts';
import { sumFn } from './helpers.ts';

describe('Calc', () => {
  const gt1 = (r: Row) => (r[0] === null ? null : (r[0] as number) > 1);

  it('drops rows whose predicate is false or NULL, projects the rest, keeps the change kind', () => {
    const h = new OperatorHarness(new Calc({ filter: gt1, project: (r) => [r[1], (r[0] as number) * 2] }));
    h.insert([1, 'a']).insert([null, 'b']).insert([2, 'c']).update([2, 'c'], [3, 'c']).delete([3, 'c']);
    expect(h.formatted()).toEqual(['+I[c, 4]', '-U[c, 4]', '+U[c, 6]', '-D[c, 6]']);
  });

  it('without filter or projection passes rows through; forwards watermarks and end', () => {
    const h = new OperatorHarness(new Calc({}));
    const row = [1];
    h.insert(row).watermark(7).endAll();
    expect(h.output[0]?.row).toBe(row);
    expect(h.watermarks).toEqual([7, Infinity]);
    expect(h.ended).toBe(true);
    expect(h.stateSize()).toBe(0);
  });

  it('a retraction of a filtered-out row is dropped like its insertion', () => {
    const h = new OperatorHarness(new Calc({ filter: gt1 }));
    h.insert([0]).delete([0]);
    expect(h.output).toEqual([]);
  });

  it('chains with a GroupAggregate (WHERE then GROUP BY), through the harness Chain', () => {
    const chain = new Chain([
      new Calc({ filter: gt1 }),
      new GroupAggregate({ groupBy: [1], aggregates: [{ create: () => sumFn, args: [0] }] }),
    ]);
    const h = new OperatorHarness(chain);
    h.insert([1, 'a']).insert([2, 'a']).insert([5, 'a']).delete([2, 'a']).endAll();
    expect(h.formatted()).toEqual(['+I[a, 2]', '-U[a, 2]', '+U[a, 7]', '-U[a, 7]', '+U[a, 5]']);
    expect(h.ended).toBe(true);
    const resumed = h.restoreInto(
      new Chain([
        new Calc({ filter: gt1 }),
        new GroupAggregate({ groupBy: [1], aggregates: [{ create: () => sumFn, args: [0] }] }),
      ]),
      h.snapshot(),
    );
    resumed.delete([5, 'a']);
    expect(resumed.materialized()).toEqual([]);
  });
});

describe('compareValues', () => {
  it('orders NULL first, then by value for each representation', () => {
    expect(compareValues(null, 0)).toBeLessThan(0);
    expect(compareValues(null, null)).toBe(0);
    expect(compareValues(2, 10)).toBeLessThan(0);
    expect(compareValues(-0, 0)).toBe(0);
    expect(compareValues(Number.NaN, Infinity)).toBeGreaterThan(0);
    expect(compareValues(Number.NaN, Number.NaN)).toBe(0);
    expect(compareValues(10n, 9n)).toBeGreaterThan(0);
    expect(compareValues(2n, 2.5)).toBeLessThan(0);
    expect(compareValues(3, 2n)).toBeGreaterThan(0);
    expect(compareValues(2n ** 60n, 2 ** 60)).toBe(0);
    expect(compareValues('b', 'ab')).toBeGreaterThan(0);
    expect(compareValues('ab', 'abc')).toBeLessThan(0);
    expect(compareValues(false, true)).toBeLessThan(0);
    expect(compareValues(new Uint8Array([1, 255]), new Uint8Array([2]))).toBeLessThan(0);
    expect(compareValues(new Uint8Array([1]), new Uint8Array([1, 0]))).toBeLessThan(0);
    expect(compareValues([1, 'a'], [1, 'b'])).toBeLessThan(0);
    expect(compareValues([1, null], [1, 0])).toBeLessThan(0);
    expect(compareValues(new Map([[1, 'a']]), new Map([[1, 'a']]))).toBe(0);
    expect(compareValues(new Map([[1, 'a']]), new Map([[1, 'b']]))).toBeLessThan(0);
  });

  it('compares strings by code point, as UTF-8 bytes would (not by UTF-16 unit)', () => {
    // U+1F600 is a surrogate pair (0xD83D ...) and must sort after U+FF61 (0xFF61).
    expect(compareStrings('\u{1F600}', '\uFF61')).toBeGreaterThan(0);
    expect(compareStrings('\uFF61', '\u{1F600}')).toBeLessThan(0);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const byBytes = Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
        expect(Math.sign(compareStrings(a, b))).toBe(byBytes);
      }),
      { numRuns: 300 },
    );
  });

  it('is a total order on numbers (antisymmetric, transitive), consistent with valuesEqual', () => {
    const v = fc.oneof(
      fc.constant(null),
      fc.double(),
      fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
      fc.integer(),
    );
    fc.assert(
      fc.property(v, v, v, (a, b, c) => {
        expect(Math.sign(compareValues(a, b)) + Math.sign(compareValues(b, a))).toBe(0);
        if (compareValues(a, b) <= 0 && compareValues(b, c) <= 0)
          expect(compareValues(a, c)).toBeLessThanOrEqual(0);
        expect(valuesEqual(a, b)).toBe(compareValues(a, b) === 0);
      }),
      { numRuns: 300 },
    );
  });

  it('valuesEqual compares structured values by content', () => {
    expect(valuesEqual([1, [2]], [1, [2]])).toBe(true);
    expect(valuesEqual(new Uint8Array([1]), new Uint8Array([1]))).toBe(true);
    expect(valuesEqual(new Map([['k', 1]]), new Map([['k', 2]]))).toBe(false);
    expect(valuesEqual(null, 0)).toBe(false);
    expect(valuesEqual('1', 1)).toBe(false);
  });
});

describe('buildComparator', () => {
  const rows: Row[] = [
    [1, 'b'],
    [null, 'a'],
    [2, 'a'],
    [1, null],
  ];
  it('ASC NULLS FIRST, then DESC NULLS LAST on a second key', () => {
    const cmp = buildComparator([
      { index: 0, descending: false, nullsFirst: true },
      { index: 1, descending: true, nullsFirst: false },
    ]);
    expect([...rows].sort(cmp)).toEqual([
      [null, 'a'],
      [1, 'b'],
      [1, null],
      [2, 'a'],
    ]);
  });
  it('DESC NULLS FIRST', () => {
    const cmp = buildComparator([{ index: 0, descending: true, nullsFirst: true }]);
    expect([...rows].sort(cmp).map((r) => r[0])).toEqual([null, 2, 1, 1]);
  });
  it('ASC NULLS LAST', () => {
    const cmp = buildComparator([{ index: 0, descending: false, nullsFirst: false }]);
    expect([...rows].sort(cmp).map((r) => r[0])).toEqual([1, 1, 2, null]);
  });
});

it('RowKind numbering is what Calc preserves', () => {
  const h = new OperatorHarness(new Calc({}));
  h.push(RowKind.UPDATE_AFTER, [1]);
  expect(h.output[0]?.kind).toBe(RowKind.UPDATE_AFTER);
});
