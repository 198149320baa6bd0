import { describe, expect, it } from 'vitest';
import { RowKind } from '../../../operators/api.ts';
import { formatChange, materialize } from '../../../operators/testing/harness.ts';

describe('test harness', () => {
  it('materialises a changelog into its final multiset', () => {
    expect(
      materialize([
        { kind: RowKind.INSERT, row: ['b', 1] },
        { kind: RowKind.INSERT, row: ['a', 1] },
        { kind: RowKind.UPDATE_BEFORE, row: ['a', 1] },
        { kind: RowKind.UPDATE_AFTER, row: ['a', 2] },
        { kind: RowKind.INSERT, row: ['a', 2] },
      ]),
    ).toEqual([
      ['a', 2],
      ['a', 2],
      ['b', 1],
    ]);
  });

  it('rejects a changelog that retracts a row it never inserted', () => {
    expect(() => materialize([{ kind: RowKind.DELETE, row: [1] }])).toThrow(/not present/);
  });

  it('formats changes the way Flink prints them', () => {
    expect(formatChange({ kind: RowKind.UPDATE_AFTER, row: [1n, null, 'x', [1, 2]] })).toBe(
      '+U[1, NULL, x, [1, 2]]',
    );
  });
});
