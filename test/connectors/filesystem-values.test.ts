import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../common/errors.ts';
import { Session } from '../../runtime/session.ts';
import { queryChanges, queryRows } from '../engine/helpers.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'rivulet-fs-'));

describe('filesystem connector', () => {
  it('reads JSON lines from a directory of files in name order', async () => {
    const d = dir();
    writeFileSync(join(d, 'b.json'), '{"id": 3, "name": "c"}\n');
    writeFileSync(join(d, 'a.json'), '{"id": 1, "name": "a"}\n\n{"id": 2, "name": "b"}');
    writeFileSync(join(d, '.hidden'), 'not json');
    const rows = await queryRows(`
      CREATE TABLE t (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '${d}', 'format' = 'json');
      SELECT id, name FROM t`);
    expect(rows).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
  });

  it('reads CSV with the format options', async () => {
    const d = dir();
    const f = join(d, 'data.csv');
    writeFileSync(f, '1;x;2.50\n2;y;\n');
    const rows = await queryRows(`
      CREATE TABLE t (id INT, s STRING, p DECIMAL(5, 2)) WITH ('connector' = 'filesystem', 'path' = '${f}', 'format' = 'csv', 'csv.field-delimiter' = ';');
      SELECT * FROM t`);
    expect(rows).toEqual([
      [1, 'x', 250n],
      [2, 'y', null],
    ]);
  });

  it('a bad record fails the job naming file and line, unless ignore-parse-errors skips it', async () => {
    const d = dir();
    const f = join(d, 'bad.json');
    writeFileSync(f, '{"id": 1}\n{"id": oops}\n{"id": 3}\n');
    const ddl = (extra: string) =>
      `CREATE TABLE t (id INT) WITH ('connector' = 'filesystem', 'path' = '${f}', 'format' = 'json'${extra});`;
    const err = await queryRows(`${ddl('')} SELECT * FROM t`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RivuletError);
    expect((err as Error).message).toContain('bad.json:2');
    const session = new Session();
    const rows = await queryRows(`${ddl(", 'json.ignore-parse-errors' = 'true'")} SELECT * FROM t`, session);
    expect(rows).toEqual([[1], [3]]);
  });

  it('an INSERT writes JSON lines into the directory', async () => {
    const d = dir();
    const session = new Session();
    const results = await session.executeScript(`
      CREATE TABLE out (k STRING, n INT) WITH ('connector' = 'filesystem', 'path' = '${d}', 'format' = 'json');
      INSERT INTO out SELECT * FROM (VALUES ('a', 1), ('b', 2)) AS v(k, n);`);
    const job = results[1];
    if (job?.kind !== 'jobs') throw new Error('expected a job');
    await job.done;
    const files = readdirSync(d);
    expect(files).toHaveLength(1);
    const lines = readFileSync(join(d, files[0] as string), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { k: 'a', n: 1 },
      { k: 'b', n: 2 },
    ]);
  });

  it('refuses to write updates into an append-only format', async () => {
    const session = new Session();
    await session.executeScript(
      `CREATE TABLE out (k STRING, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir()}', 'format' = 'csv')`,
    );
    await expect(
      session.executeScript("INSERT INTO out SELECT k, COUNT(*) FROM (VALUES ('a')) AS v(k) GROUP BY k"),
    ).rejects.toThrow(/doesn't support consuming update/);
  });
});

describe('values connector', () => {
  it('reads rows by position or by name, typed as the table declares', async () => {
    const rows = await queryRows(`
      CREATE TABLE v (id INT, ts TIMESTAMP(3), price DECIMAL(6, 2)) WITH ('connector' = 'values',
        'data' = '[[1, "2024-01-01 10:00:00", 1.5], {"id": 2, "price": "2.25"}]');
      SELECT * FROM v`);
    expect(rows).toEqual([
      [1, Date.UTC(2024, 0, 1, 10), 150n],
      [2, null, 225n],
    ]);
  });

  it('"$op" makes a changelog that flows through aggregations', async () => {
    const changes = await queryChanges(`
      CREATE TABLE v (k STRING, n INT) WITH ('connector' = 'values',
        'data' = '[{"k": "a", "n": 1}, {"k": "a", "n": 2}, {"$op": "-D", "k": "a", "n": 1}]');
      SELECT k, SUM(n) FROM v GROUP BY k`);
    expect(changes).toEqual(['+I["a",1]', '-U["a",1]', '+U["a",3]', '-U["a",3]', '+U["a",2]']);
  });

  it('bad data is a planning error', async () => {
    await expect(
      new Session().executeScript(
        `CREATE TABLE v (id INT) WITH ('connector' = 'values', 'data' = '[[1, 2]]'); SELECT * FROM v`,
      ),
    ).rejects.toThrow(/has 2 values for 1 columns/);
  });
});
