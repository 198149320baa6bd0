/**
 * Within one job, every scan of a table shares one source: the INSERTs of a statement set reading
 * one table read it once, and a self-join still sees every row on both sides.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const dir = mkdtempSync(join(tmpdir(), 'rivulet-shared-'));

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

  it('scans reading different columns share the source and each gets its own columns', async () => {
    const s = new Session();
    const results = await s.executeScript(`CREATE TABLE wide (k INT, page STRING, n INT, tag STRING) WITH (
        'connector' = 'values',
        'data' = '${JSON.stringify([
          [1, '/a', 10, 'x'],
          [2, '/b', 20, 'y'],
          [1, '/c', 30, 'z'],
        ])}');
      CREATE TABLE only_tags (tag STRING) WITH ('connector' = 'filesystem', 'path' = '${dir}/tags', 'format' = 'json');
      CREATE TABLE picked (k INT, n INT) WITH ('connector' = 'filesystem', 'path' = '${dir}/picked', 'format' = 'json');
      EXECUTE STATEMENT SET BEGIN
        INSERT INTO only_tags SELECT tag FROM wide;
        INSERT INTO picked SELECT k, n FROM wide WHERE page <> '/b';
      END;`);
    const last = results[results.length - 1];
    if (last?.kind !== 'jobs') throw new Error('expected a job');
    await last.done;
    expect(last.jobs[0]?.recordsIn).toBe(3);
    const t = new Session();
    await t.executeScript(`CREATE TABLE only_tags (tag STRING) WITH ('connector' = 'filesystem', 'path' = '${dir}/tags', 'format' = 'json');
      CREATE TABLE picked (k INT, n INT) WITH ('connector' = 'filesystem', 'path' = '${dir}/picked', 'format' = 'json');`);
    expect(sorted(await queryRows('SELECT tag FROM only_tags', t))).toEqual([['x'], ['y'], ['z']]);
    expect(sorted(await queryRows('SELECT k, n FROM picked', t))).toEqual([
      [1, 10],
      [1, 30],
    ]);
  });
});
