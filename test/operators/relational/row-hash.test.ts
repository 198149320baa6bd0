import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../../operators/api.ts';
import { valuesEqual } from '../../../operators/relational/compare.ts';
import {
  chainEntries,
  findRow,
  hashRow,
  hashValue,
  insertRow,
  type RowEntry,
  removeRow,
} from '../../../operators/relational/row-hash.ts';

interface E extends RowEntry {
  tag: string;
}

describe('row hashing', () => {
  it('equal values hash equally (the contract hash tables rely on)', () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom(0, -0, Number.NaN, 0.5, -0.5, 2 ** 40),
      fc.constantFrom(0n, 3n, 2n ** 40n),
      fc.constantFrom('', 'a', 'ab'),
      fc.constantFrom(new Uint8Array([1]), new Uint8Array([1])),
    );
    const arr = fc.array(value, { maxLength: 3 });
    fc.assert(
      fc.property(arr, arr, (a, b) => {
        if (a.length === b.length && a.every((x, i) => valuesEqual(x, b[i])))
          expect(hashRow(a)).toBe(hashRow(b));
      }),
      { numRuns: 300 },
    );
    expect(hashValue(-0)).toBe(hashValue(0));
    expect(hashValue(Number.NaN)).toBe(hashValue(0 / 0));
    expect(hashValue(3n)).toBe(hashValue(3));
    expect(
      hashValue(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ),
    ).toBe(
      hashValue(
        new Map([
          ['b', 2],
          ['a', 1],
        ]),
      ),
    );
    expect(hashValue([1, [2]])).toBe(hashValue([1, [2]]));
  });

  it('spreads typical rows (few collisions)', () => {
    const hashes = new Set<number>();
    for (let i = 0; i < 20_000; i++) hashes.add(hashRow([i % 100, `s${i}`, i * 0.25]));
    expect(hashes.size).toBeGreaterThan(19_900);
  });

  it('chains rows that share a hash: find, insert and remove anywhere in the chain', () => {
    const table = new Map<number, E>();
    const rows: Row[] = [['a'], ['b'], ['c']];
    const entries = rows.map((row, i) => ({ row, next: null, tag: `e${i}` }) as E);
    for (const e of entries) insertRow(table, 7, e); // forced collision
    expect(findRow(table, 7, ['b'])?.tag).toBe('e1');
    expect(findRow(table, 7, ['z'])).toBeUndefined();
    expect(findRow(table, 8, ['a'])).toBeUndefined();
    removeRow(table, 7, entries[1] as E); // middle
    expect([...chainEntries(table.values())].map((e) => e.tag).sort()).toEqual(['e0', 'e2']);
    removeRow(table, 7, entries[2] as E); // head (inserted last)
    expect(findRow(table, 7, ['a'])?.tag).toBe('e0');
    removeRow(table, 7, entries[0] as E);
    expect(table.size).toBe(0);
  });
});
