/**
 * Within one job, every scan of a table shares one source: the INSERTs of a statement set reading
 * one table read it once, and a self-join still sees every row on both sides.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../runtime/session.ts';
import { queryRows, sorted } from './helpers.ts';

const CLICKS = `CREATE TABLE clicks (k INT, page STRING) WITH ('connector' = 'values', 'data' = '${JSON.stringify(
  [
    [1, '/a'],
    [2, '/b'],
    [1, '/c'],
    [3, '/a'],
    [2, '/a'],
  ],
)}');`;

describe('one source per table in a job', () => {
  it('a statement set of three INSERTs reads its source table once', async () => {
    const s = new Session();
    const results = await s.executeScript(`${CLICKS}
      CREATE TABLE a_views (k INT) WITH ('connector' = 'blackhole');
      CREATE TABLE other_views (k INT, page STRING) WITH ('connector' = 'blackhole');
      CREATE TABLE per_key (k INT, n BIGINT) WITH ('connector' = 'blackhole');
      EXECUTE STATEMENT SET BEGIN
        INSERT INTO a_views SELECT k FROM clicks WHERE page = '/a';
        INSERT INTO other_views SELECT k, page FROM clicks WHERE page <> '/a';
        INSERT INTO per_key SELECT k, COUNT(*) FROM clicks GROUP BY k;
      END;`);
    const last = results[results.length - 1];
    if (last?.kind !== 'jobs') throw new Error('expected a job');
    await last.done;
    const [job] = last.jobs;
    expect(last.jobs).toHaveLength(1);
    // Five rows read once (not fifteen); 3 + 2 rows written, plus the counts' changelog
    // (+I per new key, -U/+U per later row of a key: 3 + 2 * 2).
    expect(job?.recordsIn).toBe(5);
    expect(job?.recordsOut).toBe(3 + 2 + 3 + 2 * 2);
  });

  it('a self-join over one shared source joins every pair', async () => {
    const rows = await queryRows(`${CLICKS}
      SELECT x.page, y.page FROM clicks AS x JOIN clicks AS y ON x.k = y.k AND x.page < y.page`);
    expect(sorted(rows)).toEqual([
      ['/a', '/b'],
      ['/a', '/c'],
    ]);
  });
});
