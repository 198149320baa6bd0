import { describe, expect, it } from 'vitest';
import type { Row } from '../../../operators/api.ts';
import { TableFunctionCall, unnestColumn } from '../../../operators/relational/table-function-call.ts';
import { OperatorHarness } from '../../../operators/testing/harness.ts';

const split = (row: Row): Row[] => (row[1] === null ? [] : (row[1] as string).split(',').map((s) => [s]));

describe('TableFunctionCall', () => {
  it('emits input ++ produced row for each produced row, keeping the change kind', () => {
    const h = new OperatorHarness(new TableFunctionCall({ fn: split, producedArity: 1 }));
    h.insert([1, 'a,b']).delete([1, 'a,b']).insert([2, null]);
    expect(h.formatted()).toEqual(['+I[1, a,b, a]', '+I[1, a,b, b]', '-D[1, a,b, a]', '-D[1, a,b, b]']);
  });

  it('LEFT variant pads with NULLs when nothing is produced (and retracts the padded row the same way)', () => {
    const h = new OperatorHarness(new TableFunctionCall({ fn: split, producedArity: 1, outer: true }));
    h.insert([2, null]).delete([2, null]);
    expect(h.formatted()).toEqual(['+I[2, NULL, NULL]', '-D[2, NULL, NULL]']);
    expect(h.materialized()).toEqual([]);
  });

  it('WITH ORDINALITY appends the 1-based position; an ON condition filters, padding if nothing passes', () => {
    const h = new OperatorHarness(
      new TableFunctionCall({
        fn: split,
        producedArity: 1,
        withOrdinality: true,
        outer: true,
        condition: (r) => r[2] !== 'x',
      }),
    );
    h.insert([1, 'p,q']).insert([2, 'x']);
    expect(h.formatted()).toEqual(['+I[1, p,q, p, 1]', '+I[1, p,q, q, 2]', '+I[2, x, NULL, NULL]']);
  });

  it('UNNEST of arrays, arrays of rows, maps and multisets; NULL yields nothing', () => {
    const arr = new OperatorHarness(new TableFunctionCall({ fn: unnestColumn(0), producedArity: 1 }));
    arr.insert([[1, null, 3]]).insert([null]);
    expect(arr.output.map((c) => c.row[1])).toEqual([1, null, 3]);
    const rows = new OperatorHarness(
      new TableFunctionCall({ fn: unnestColumn(0, { rowElements: true }), producedArity: 2 }),
    );
    rows.insert([[['a', 1], null]]);
    expect(rows.output.map((c) => c.row.slice(1))).toEqual([
      ['a', 1],
      [null, null],
    ]);
    const map = new OperatorHarness(
      new TableFunctionCall({ fn: unnestColumn(0, { map: true }), producedArity: 2 }),
    );
    map.insert([new Map([['k', 1]])]);
    expect(map.output.map((c) => c.row.slice(1))).toEqual([['k', 1]]);
    const ms = new OperatorHarness(
      new TableFunctionCall({ fn: unnestColumn(0, { multiset: true }), producedArity: 1 }),
    );
    ms.insert([new Map([['z', 2]])]);
    expect(ms.output.map((c) => c.row[1])).toEqual(['z', 'z']);
  });

  it('a failing function fails with an error naming it', () => {
    const h = new OperatorHarness(
      new TableFunctionCall({
        fn: () => {
          throw new Error('boom');
        },
        producedArity: 1,
        functionName: 'my_udtf',
      }),
    );
    expect(() => h.insert([1])).toThrow(/on row \[1\]: boom/);
    expect(() => h.insert([1])).toThrow(
      expect.objectContaining({ code: 'TABLE_FUNCTION_FAILED', message: expect.stringContaining('my_udtf') }),
    );
  });

  it('forwards watermarks and end', () => {
    const h = new OperatorHarness(new TableFunctionCall({ fn: split, producedArity: 1 }));
    h.watermark(3).endAll();
    expect(h.watermarks).toEqual([3, Infinity]);
    expect(h.ended).toBe(true);
  });
});
