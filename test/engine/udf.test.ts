import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../common/errors.ts';
import { Rivulet } from '../../index.ts';
import { Session } from '../../runtime/session.ts';
import { queryRows, sorted } from './helpers.ts';

describe('UNNEST and table functions', () => {
  it('CROSS JOIN UNNEST, WITH ORDINALITY, LEFT JOIN ... ON TRUE, maps and arrays of rows', async () => {
    expect(
      await queryRows(
        'SELECT id, x FROM (VALUES (1, ARRAY[10, 20]), (2, ARRAY[30])) AS t(id, arr) CROSS JOIN UNNEST(t.arr) AS u(x)',
      ),
    ).toEqual([
      [1, 10],
      [1, 20],
      [2, 30],
    ]);
    expect(await queryRows("SELECT * FROM UNNEST(ARRAY['a', 'b']) WITH ORDINALITY AS u(s, n)")).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(
      await queryRows(
        'SELECT id, x FROM (VALUES (1, ARRAY[10]), (2, CAST(NULL AS ARRAY<INT>))) AS t(id, arr) LEFT JOIN UNNEST(t.arr) AS u(x) ON TRUE',
      ),
    ).toEqual([
      [1, 10],
      [2, null],
    ]);
    expect(sorted(await queryRows("SELECT k, v FROM UNNEST(MAP['a', 1, 'b', 2]) AS m(k, v)"))).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('UNNEST of a non-collection is a planning error', async () => {
    await expect(new Session().executeScript('SELECT * FROM UNNEST(1)')).rejects.toThrow(
      /UNNEST needs an ARRAY, MAP or MULTISET/,
    );
  });
});

describe('user-defined functions', () => {
  it('CREATE FUNCTION loads scalar, aggregate and table functions from an ES module', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-udf-'));
    const file = join(dir, 'udfs.js');
    writeFileSync(
      file,
      `export const hyp = { args: ['DOUBLE', 'DOUBLE'], returns: 'DOUBLE', eval: (a, b) => (a === null || b === null ? null : Math.hypot(a, b)) };
       export const total = { kind: 'aggregate', args: ['INT'], returns: 'BIGINT',
         create: () => ({ s: 0n }),
         accumulate: (acc, x) => { if (x !== null) acc.s += BigInt(x); return acc; },
         retract: (acc, x) => { if (x !== null) acc.s -= BigInt(x); return acc; },
         getValue: (acc) => acc.s };
       export const words = { kind: 'table', args: ['STRING'], returns: 'ROW<w STRING, len INT>',
         *eval(s) { for (const w of (s ?? '').split(' ').filter(Boolean)) yield { w, len: w.length }; } };
       export const boom = { args: ['INT'], returns: 'INT', eval: (x) => { if (x === 2) throw new Error('no twos'); return x; } };`,
    );
    const session = new Session();
    await session.executeScript(`
      CREATE FUNCTION hyp AS '${file}';
      CREATE FUNCTION total AS '${file}' LANGUAGE JAVASCRIPT;
      CREATE TEMPORARY FUNCTION words AS '${file}';
      CREATE FUNCTION boom AS '${file}';`);
    expect(await queryRows('SELECT hyp(3, 4), hyp(CAST(NULL AS DOUBLE), 1)', session)).toEqual([[5, null]]);
    expect(
      await queryRows(
        "SELECT k, total(v) FROM (VALUES ('a', 1), ('a', 2), ('b', 5)) AS t(k, v) GROUP BY k ORDER BY k",
        session,
      ),
    ).toEqual([
      ['a', 3n],
      ['b', 5n],
    ]);
    expect(
      await queryRows(
        "SELECT id, w, len FROM (VALUES (1, 'hello big world')) AS t(id, s), LATERAL TABLE(words(s)) AS x(w, len)",
        session,
      ),
    ).toEqual([
      [1, 'hello', 5],
      [1, 'big', 3],
      [1, 'world', 5],
    ]);
    const err = await queryRows('SELECT boom(x) FROM (VALUES (1), (2)) AS t(x)', session).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RivuletError);
    expect((err as Error).message).toMatch(/function 'boom' threw: no twos/);
    expect((err as Error).message).toMatch(/row 2/);
    await expect(session.executeScript('SELECT hyp(1)')).rejects.toThrow(/takes 2 arguments/);
  });

  it('a module without the function is a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-udf-'));
    writeFileSync(join(dir, 'empty.js'), 'export const x = 1;');
    await expect(
      new Session().executeScript(`CREATE FUNCTION f AS '${join(dir, 'empty.js')}'`),
    ).rejects.toThrow(/has no export 'f'/);
    await expect(
      new Session().executeScript(`CREATE FUNCTION f AS '${join(dir, 'missing.js')}'`),
    ).rejects.toThrow(/Cannot load function 'f'/);
  });
});

describe('embedding API', () => {
  it('streams a query over an in-process source and writes to a callback sink', async () => {
    const engine = new Rivulet();
    async function* clicks() {
      yield { user: 'ann', url: '/a' };
      yield ['bob', '/b'];
      yield { user: 'ann', url: '/c' };
    }
    await engine.registerSource('clicks', { rows: clicks() }, 'user STRING, url STRING');
    engine.registerFunction('shout', { args: ['STRING'], returns: 'STRING', eval: (s: string) => `${s}!` });
    const q = await engine.query('SELECT shout(user) AS u, COUNT(*) AS n FROM clicks GROUP BY shout(user)');
    const changes: string[] = [];
    for await (const c of q)
      changes.push(`${c.kind}${JSON.stringify(c.row, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))}`);
    expect(changes).toEqual(['+I["ann!",1]', '+I["bob!",1]', '-U["ann!",1]', '+U["ann!",2]']);

    const seen: string[] = [];
    await engine.registerSource('nums', { rows: [[1], [2], [3]] }, 'n INT');
    await engine.registerSink('out', (kind, row) => void seen.push(`${kind}${row.join(',')}`), 'n INT');
    const [job] = await engine.execute('INSERT INTO out SELECT n * 10 FROM nums WHERE n > 1');
    if (job?.kind !== 'jobs') throw new Error('expected a job');
    await job.done;
    expect(seen).toEqual(['+I20', '+I30']);
    expect(engine.jobs.every((j) => j.status === 'FINISHED')).toBe(true);
    await engine.close();
  });
});
