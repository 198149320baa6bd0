import { describe, expect, it } from 'vitest';
import { type Row, RowKind } from '../../../operators/api.ts';
import {
  ProcessingTimeTemporalJoin,
  type ProcessingTimeTemporalJoinOptions,
} from '../../../operators/temporal/processing-time-temporal-join.ts';
import { OperatorHarness } from '../../../operators/testing/harness.ts';
import { snapshotWhile } from '../snapshot-while.ts';

const LEFT = 0;
const RIGHT = 1;

// Left [order_id, currency, amount]; right (materialised lookup table) [currency, rate].
function join(over: Partial<ProcessingTimeTemporalJoinOptions> = {}): OperatorHarness {
  const op = new ProcessingTimeTemporalJoin({
    joinType: 'INNER',
    leftKeys: [1],
    rightKeys: [0],
    leftArity: 3,
    rightArity: 2,
    ...over,
  });
  return new OperatorHarness(op, { inputs: 2 });
}

describe('ProcessingTimeTemporalJoin', () => {
  it('joins each left row with the row its key holds when the left row arrives', () => {
    const h = join({ joinType: 'LEFT' });
    h.insert(['o1', 'EUR', 10], LEFT); // table still empty
    h.insert(['EUR', 1.14], RIGHT).insert(['USD', 1.0], RIGHT);
    h.insert(['o2', 'EUR', 10], LEFT);
    h.update(['EUR', 1.14], ['EUR', 1.1], RIGHT);
    h.insert(['o3', 'EUR', 10], LEFT).insert(['o4', 'USD', 5], LEFT);
    h.delete(['USD', 1.0], RIGHT);
    h.insert(['o5', 'USD', 5], LEFT);
    h.push(RowKind.UPDATE_AFTER, ['USD', 0.9], RIGHT); // an upsert without a preceding -U
    h.insert(['o6', 'USD', 5], LEFT);
    // Earlier output is never revised when the table changes later.
    expect(h.formatted()).toEqual([
      '+I[o1, EUR, 10, NULL, NULL]',
      '+I[o2, EUR, 10, EUR, 1.14]',
      '+I[o3, EUR, 10, EUR, 1.1]',
      '+I[o4, USD, 5, USD, 1]',
      '+I[o5, USD, 5, NULL, NULL]',
      '+I[o6, USD, 5, USD, 0.9]',
    ]);
    expect(h.stateSize()).toBe(2);
  });

  it('a left row between a -U and its +U still sees the key', () => {
    const h = join();
    h.insert(['EUR', 1.1], RIGHT);
    h.push(RowKind.UPDATE_BEFORE, ['EUR', 1.1], RIGHT);
    h.insert(['a', 'EUR', 1], LEFT);
    h.push(RowKind.UPDATE_AFTER, ['EUR', 1.2], RIGHT);
    h.insert(['b', 'EUR', 1], LEFT);
    expect(h.formatted()).toEqual(['+I[a, EUR, 1, EUR, 1.1]', '+I[b, EUR, 1, EUR, 1.2]']);
  });

  it('INNER drops rows without a match, a NULL key, or a residual that is not true', () => {
    const residual = (l: Row, r: Row) => (l[2] === null ? null : (l[2] as number) * (r[1] as number) > 5);
    const h = join({ residual });
    h.insert(['EUR', 1.1], RIGHT);
    h.insert(['a', 'EUR', 10], LEFT).insert(['b', 'EUR', 1], LEFT).insert(['c', 'EUR', null], LEFT);
    h.insert(['d', 'GBP', 10], LEFT).insert(['e', null, 10], LEFT);
    expect(h.formatted()).toEqual(['+I[a, EUR, 10, EUR, 1.1]']);
  });

  it('passes the left row kind through, joined with the current row', () => {
    const h = join();
    h.insert(['EUR', 1.1], RIGHT);
    h.insert(['a', 'EUR', 10], LEFT);
    h.update(['a', 'EUR', 10], ['a', 'EUR', 20], LEFT);
    h.delete(['a', 'EUR', 20], LEFT);
    expect(h.formatted()).toEqual([
      '+I[a, EUR, 10, EUR, 1.1]',
      '-U[a, EUR, 10, EUR, 1.1]',
      '+U[a, EUR, 20, EUR, 1.1]',
      '-D[a, EUR, 20, EUR, 1.1]',
    ]);
  });

  it("forwards the left input's watermarks only and ends with the left input", () => {
    const h = join();
    h.watermark(10, RIGHT).watermark(5, LEFT).watermark(3, LEFT).watermark(7, LEFT);
    expect(h.watermarks).toEqual([5, 7]);
    h.endInput(RIGHT);
    expect(h.ended).toBe(false);
    h.endInput(LEFT);
    expect(h.ended).toBe(true);
  });

  it('restores the materialised table from a snapshot', () => {
    const h = join();
    h.insert(['EUR', 1.1], RIGHT).insert(['USD', 1], RIGHT).delete(['USD', 1], RIGHT);
    const snap = h.snapshot();
    const restored = h.restoreInto(
      new ProcessingTimeTemporalJoin({
        joinType: 'LEFT',
        leftKeys: [1],
        rightKeys: [0],
        leftArity: 3,
        rightArity: 2,
      }),
      snap,
    );
    restored.insert(['a', 'EUR', 1], LEFT).insert(['b', 'USD', 1], LEFT);
    expect(restored.formatted()).toEqual(['+I[a, EUR, 1, EUR, 1.1]', '+I[b, USD, 1, NULL, NULL]']);
    expect(restored.stateSize()).toBe(1);
  });

  it('a snapshot written out while the table keeps changing restores the table as it was', () => {
    const make = () =>
      new ProcessingTimeTemporalJoin({
        joinType: 'LEFT',
        leftKeys: [1],
        rightKeys: [0],
        leftArity: 3,
        rightArity: 2,
      });
    const h = new OperatorHarness(make(), { inputs: 2 });
    for (let i = 0; i < 20; i++) h.insert([`C${i}`, i], RIGHT);
    const later = [
      ...Array.from({ length: 10 }, (_, i) => () => h.update([`C${i}`, i], [`C${i}`, 100 + i], RIGHT)),
      ...Array.from({ length: 5 }, (_, i) => () => h.delete([`C${10 + i}`, 10 + i], RIGHT)),
      () => h.insert(['NEW', 1], RIGHT),
    ];
    const snap = snapshotWhile(h.operator, later, 3);
    const restored = make();
    restored.restore(snap);
    const rows = restored.currentRows().sort((a, b) => Number(a[1]) - Number(b[1]));
    expect(rows).toEqual(Array.from({ length: 20 }, (_, i) => [`C${i}`, i]));
  });

  it('with loadRightFirst, left rows and watermarks wait until the bounded table is loaded', () => {
    const h = join({ joinType: 'LEFT', loadRightFirst: true });
    h.insert(['o1', 'EUR', 10], LEFT).watermark(5, LEFT);
    h.insert(['EUR', 1.1], RIGHT);
    h.insert(['o2', 'USD', 1], LEFT);
    h.update(['EUR', 1.1], ['EUR', 1.2], RIGHT).insert(['USD', 0.9], RIGHT);
    h.endInput(LEFT);
    // Nothing leaves before the table is complete, the end included.
    expect(h.formatted()).toEqual([]);
    expect(h.watermarks).toEqual([]);
    expect(h.ended).toBe(false);
    h.endInput(RIGHT);
    expect(h.formatted()).toEqual(['+I[o1, EUR, 10, EUR, 1.2]', '+I[o2, USD, 1, USD, 0.9]']);
    expect(h.watermarks).toEqual([5]);
    expect(h.ended).toBe(true);
    // The waiting rows are gone; the table holds its two keys.
    expect(h.stateSize()).toBe(2);
  });
});
