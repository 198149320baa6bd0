/** CURRENT_WATERMARK(rowtime): the input's watermark when a row is evaluated (Flink semantics). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../common/errors.ts';
import { Session } from '../../runtime/session.ts';
import { queryChanges, queryRows } from './helpers.ts';

const T0 = Date.UTC(2024, 0, 1);
const stamp = (s: number) => new Date(T0 + s * 1000).toISOString().replace('T', ' ').slice(0, 19);

/** One row per source batch, so the watermark advances between rows: `ts - 2 s`. */
function table(times: readonly number[]): string {
  const data = JSON.stringify(times.map((t, i) => [i, stamp(t)]));
  return `CREATE TABLE t (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
    WITH ('connector' = 'values', 'data' = '${data}', 'rows-per-batch' = '1');`;
}

describe('CURRENT_WATERMARK', () => {
  it('is NULL before the first watermark, then the watermark that preceded the row', async () => {
    const changes = await queryChanges(`${table([10, 20, 15])} SELECT id, CURRENT_WATERMARK(ts) FROM t`);
    expect(changes).toEqual(['+I[0,null]', `+I[1,${T0 + 8_000}]`, `+I[2,${T0 + 18_000}]`]);
  });

  it('property: WHERE ts > CURRENT_WATERMARK(ts) keeps exactly the rows not behind the watermark', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 20 }), async (times) => {
        const got = await queryRows(`${table(times)}
          SELECT id FROM t WHERE CURRENT_WATERMARK(ts) IS NULL OR ts > CURRENT_WATERMARK(ts)`);
        // Brute force: the watermark before row i is max(ts_j - 2 s) over the rows before it.
        const expected: number[] = [];
        let wm = Number.NEGATIVE_INFINITY;
        times.forEach((t, i) => {
          if (i === 0 || t > wm) expected.push(i);
          wm = Math.max(wm, t - 2);
        });
        expect(got.map((r) => r[0])).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('is typed as a nullable TIMESTAMP(3) and needs a rowtime attribute', async () => {
    const s = new Session();
    await s.executeScript(table([1]));
    const [plan] = await s.executeScript('EXPLAIN SELECT CURRENT_WATERMARK(ts) AS wm FROM t');
    expect(plan?.kind === 'explain' && plan.text).toMatch(/^wm: TIMESTAMP\(3\)$/m);
    const err = await s.executeScript('SELECT CURRENT_WATERMARK(id) FROM t').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RivuletError);
    expect((err as RivuletError).code).toBe('CURRENT_WATERMARK_ARGUMENT');
    const join = await s
      .executeScript('SELECT * FROM t a JOIN t b ON a.id = b.id AND a.ts > CURRENT_WATERMARK(b.ts)')
      .catch((e: unknown) => e);
    expect((join as RivuletError).code).toBe('CURRENT_WATERMARK_PLACEMENT');
  });
});
