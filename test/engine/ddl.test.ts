import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../runtime/session.ts';
import { queryRows } from './helpers.ts';

const SRC = `CREATE TABLE src (id INT, name STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'values', 'data' = '[[1, "a", "2024-01-01 00:00:00"], [2, "b", "2024-01-01 00:00:05"]]');`;

describe('DDL', () => {
  it('CREATE TABLE ... LIKE copies columns, watermark and options, adding new columns', async () => {
    const s = new Session();
    await s.executeScript(`${SRC} CREATE TABLE copy (twice AS id * 2) LIKE src;`);
    expect(await queryRows('SELECT id, twice FROM copy', s)).toEqual([
      [1, 2],
      [2, 4],
    ]);
    const desc = await queryRows('DESCRIBE copy', s);
    expect(desc.map((r) => r[0])).toEqual(['id', 'name', 'ts', 'twice']);
    expect(desc.find((r) => r[0] === 'ts')?.[5]).toBe('declared');
  });

  it('ALTER TABLE SET changes options; RENAME TO renames; both keep the definition valid', async () => {
    const s = new Session();
    await s.executeScript(`${SRC} ALTER TABLE src SET ('data' = '[[7, "z", null]]');`);
    expect(await queryRows('SELECT id, name FROM src', s)).toEqual([[7, 'z']]);
    const [show] = await s.executeScript('SHOW CREATE TABLE src');
    expect(show?.kind === 'explain' && show.text).toContain(`'data' = '[[7, "z", null]]'`);
    await s.executeScript('ALTER TABLE src RENAME TO dst');
    expect(await queryRows('SHOW TABLES', s)).toEqual([['dst']]);
    await expect(s.executeScript("ALTER TABLE dst SET ('bogus' = '1')")).rejects.toThrow(
      /Unsupported option 'bogus'/,
    );
    expect(await queryRows('SELECT id FROM dst', s)).toEqual([[7]]);
  });

  it('CREATE TABLE ... AS SELECT creates the table from the query and fills it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-ctas-'));
    const s = new Session();
    const results = await s.executeScript(`${SRC}
      CREATE TABLE out WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json') AS SELECT id, UPPER(name) AS up FROM src;`);
    const job = results[1];
    if (job?.kind !== 'jobs') throw new Error('expected a job');
    await job.done;
    expect(await queryRows('SELECT * FROM out', s)).toEqual([
      [1, 'A'],
      [2, 'B'],
    ]);
  });

  it('persistent objects survive a restart; temporary ones do not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-catalog-'));
    const a = new Session();
    await a.attachCatalog(dir);
    await a.executeScript(`${SRC}
      CREATE VIEW names AS SELECT name FROM src;
      CREATE TEMPORARY VIEW tmp AS SELECT 1 AS one;`);
    const b = new Session();
    await b.attachCatalog(dir);
    expect(await queryRows('SHOW TABLES', b)).toEqual([['names'], ['src']]);
    expect(await queryRows('SELECT * FROM names', b)).toEqual([['a'], ['b']]);
    await b.executeScript('DROP VIEW names');
    const c = new Session();
    await c.attachCatalog(dir);
    expect(await queryRows('SHOW TABLES', c)).toEqual([['src']]);
  });

  it('dropping, re-creating and IF [NOT] EXISTS', async () => {
    const s = new Session();
    await s.executeScript(SRC);
    await expect(s.executeScript(SRC)).rejects.toThrow(/already exists/);
    await s.executeScript(SRC.replace('CREATE TABLE src', 'CREATE TABLE IF NOT EXISTS src'));
    await s.executeScript('DROP TABLE src; DROP TABLE IF EXISTS src;');
    await expect(s.executeScript('DROP TABLE src')).rejects.toThrow(/does not exist/);
  });
});
