import { describe, expect, it } from 'vitest';
import { Session } from '../../runtime/session.ts';
import { queryRows, sorted } from './helpers.ts';

const TABLE = `CREATE TABLE t (a INT, b STRING, c INT, d AS probe(c), ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'values', 'data' = '[[1, "x", 10, "2024-01-01 00:00:01"], [2, "y", 20, "2024-01-01 00:00:02"], [3, "z", 30, "2024-01-01 00:00:03"]]');`;

async function session() {
  const s = new Session();
  let calls = 0;
  s.registerFunction('probe', {
    args: ['INT'],
    returns: 'INT',
    eval: (x: number) => {
      calls++;
      return x * 2;
    },
  });
  await s.executeScript(TABLE);
  return { s, calls: () => calls };
}

async function explain(s: Session, sql: string): Promise<string> {
  const [r] = await s.executeScript(`EXPLAIN ${sql}`);
  if (r?.kind !== 'explain') throw new Error('expected a plan');
  return r.text;
}

describe('projection pruning into scans', () => {
  it('EXPLAIN shows the scan reading only the columns the query uses (and the rowtime)', async () => {
    const { s } = await session();
    expect(await explain(s, 'SELECT a FROM t WHERE c > 10')).toContain(
      'TableSourceScan(table=[t, project=[a, c, ts]], fields=[a, c, ts]',
    );
    // The watermark's rowtime stays, so event-time operators above still see it.
    expect(await explain(s, 'SELECT b, d FROM t')).toContain('fields=[b, d, ts]');
  });

  it('computed columns nobody reads are not evaluated; the answer is unchanged', async () => {
    const { s, calls } = await session();
    expect(sorted(await queryRows('SELECT a, b FROM t WHERE c >= 20', s))).toEqual([
      [2, 'y'],
      [3, 'z'],
    ]);
    expect(calls()).toBe(0);
    expect(sorted(await queryRows('SELECT a, d FROM t WHERE c >= 20', s))).toEqual([
      [2, 40],
      [3, 60],
    ]);
    expect(calls()).toBe(3);
  });

  it('event-time windows over a pruned scan still fire on its watermark', async () => {
    const { s } = await session();
    const rows = await queryRows(
      "SELECT window_start, SUM(c) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' HOUR)) GROUP BY window_start, window_end",
      s,
    );
    expect(rows.map((r) => r[1])).toEqual([60]);
  });

  it("the rule can be turned off with 'table.optimizer.disabled-rules'", async () => {
    const { s, calls } = await session();
    await s.executeScript("SET 'table.optimizer.disabled-rules' = 'prune-scan-columns'");
    expect(await explain(s, 'SELECT a FROM t')).toContain('fields=[a, b, c, d, ts]');
    expect(sorted(await queryRows('SELECT a FROM t', s))).toEqual([[1], [2], [3]]);
    expect(calls()).toBe(3);
  });
});
