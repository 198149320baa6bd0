/**
 * GROUPING SETS / ROLLUP / CUBE over window TVFs: one window aggregate computes every set (the input
 * is read once), checked against a brute-force grouping of the generated rows per set.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../operators/api.ts';
import { Session } from '../../runtime/session.ts';
import { queryChanges, queryRows, sorted } from './helpers.ts';

const T0 = Date.UTC(2024, 0, 1);
const stamp = (s: number) => new Date(T0 + s * 1000).toISOString().replace('T', ' ').slice(0, 19);

interface Ev {
  a: string;
  b: number;
  v: number;
  t: number;
}

function table(evs: readonly Ev[], perBatch: number): string {
  const data = JSON.stringify(evs.map((e) => [e.a, e.b, e.v, stamp(e.t)]));
  return `CREATE TABLE t (a STRING, b INT, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
    WITH ('connector' = 'values', 'data' = '${data}', 'rows-per-batch' = '${perBatch}');`;
}

/** Rows arriving at most 5 s of event time out of order (sorted by time plus a jitter in [0, 5]). */
const eventsArb = fc
  .array(
    fc.record({
      a: fc.constantFrom('x', 'y'),
      b: fc.integer({ min: 1, max: 3 }),
      v: fc.integer({ min: 0, max: 9 }),
      t: fc.integer({ min: 0, max: 59 }),
      jitter: fc.integer({ min: 0, max: 5 }),
    }),
    { maxLength: 30 },
  )
  .map((rs) => [...rs].sort((x, y) => x.t + x.jitter - (y.t + y.jitter)).map(({ jitter: _, ...e }) => e));

const FORMS = {
  'GROUPING SETS ((a), (b), ())': [['a'], ['b'], []],
  'ROLLUP (a, b)': [['a', 'b'], ['a'], []],
  'CUBE (a, b)': [['a', 'b'], ['a'], ['b'], []],
} as const;

describe('GROUPING SETS over windows', () => {
  it('property: each set equals a brute-force grouping per window, with GROUPING_ID', async () => {
    await fc.assert(
      fc.asyncProperty(
        eventsArb,
        fc.constantFrom(...(Object.keys(FORMS) as (keyof typeof FORMS)[])),
        fc.integer({ min: 1, max: 4 }),
        async (evs, form, perBatch) => {
          const got = await queryRows(`${table(evs, perBatch)}
            SELECT window_start, a, b, GROUPING_ID(a, b), COUNT(*), SUM(v)
            FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '20' SECOND))
            GROUP BY window_start, window_end, ${form}`);
          const expected = new Map<string, Row>();
          for (const set of FORMS[form]) {
            const id = (set.includes('a' as never) ? 0 : 2) + (set.includes('b' as never) ? 0 : 1);
            for (const e of evs) {
              const start = T0 + Math.floor(e.t / 20) * 20_000;
              const a = set.includes('a' as never) ? e.a : null;
              const b = set.includes('b' as never) ? e.b : null;
              const key = JSON.stringify([start, a, b, id]);
              const cur = expected.get(key) ?? [start, a, b, BigInt(id), 0n, 0];
              cur[4] = (cur[4] as bigint) + 1n;
              cur[5] = (cur[5] as number) + e.v;
              expected.set(key, cur);
            }
          }
          expect(sorted(got)).toEqual(sorted([...expected.values()]));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads the input once: one window aggregate with every set, append-only', async () => {
    const s = new Session();
    await s.executeScript(table([{ a: 'x', b: 1, v: 2, t: 1 }], 1));
    const q = `SELECT window_start, a, COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '20' SECOND))
      GROUP BY window_start, window_end, ROLLUP (a)`;
    const [plan] = await s.executeScript(`EXPLAIN ${q}`);
    const text = plan?.kind === 'explain' ? plan.text : '';
    expect(text).toContain('WindowAggregate(groupBy=[window_start, window_end], groupingSets=[(a), ()]');
    expect(text.match(/TableSourceScan/g)).toHaveLength(1);
    expect(text).not.toContain('Union');
    expect(await queryChanges(q, s)).toEqual([`+I[${T0},"x","1n"]`, `+I[${T0},null,"1n"]`]);
  });
});
