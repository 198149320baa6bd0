import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../common/errors.ts';
import { configureLogging } from '../../common/log.ts';
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

describe('UDF error policy', () => {
  async function sessionWithBoom(extra = '') {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-udf-'));
    const file = join(dir, 'boom.js');
    writeFileSync(
      file,
      `export const boom = { args: ['INT'], returns: 'INT', eval: (x) => { if (x === 2) throw new Error('no twos'); return x; } };
       export const lenient = { args: ['INT'], returns: 'INT', onError: 'null', eval: (x) => { if (x === 2) throw new Error('no twos'); return x; } };
       export const parts = { kind: 'table', args: ['INT'], returns: 'ROW<p INT>', *eval(x) { if (x === 2) throw new Error('no twos'); yield [x]; yield [x * 10]; } };
       ${extra}`,
    );
    const session = new Session();
    await session.executeScript(`
      CREATE FUNCTION boom AS '${file}';
      CREATE FUNCTION lenient AS '${file}';
      CREATE FUNCTION parts AS '${file}';`);
    return session;
  }
  const rows = '(VALUES (1), (2), (3)) AS t(x)';
  const lastJob = (s: Session) => s.jobs[s.jobs.length - 1] as Session['jobs'][number];

  it('by default a throwing UDF fails the job naming the function, the operator and the record', async () => {
    const session = await sessionWithBoom();
    const err = await queryRows(`SELECT boom(x) FROM ${rows}`, session).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RivuletError);
    expect((err as Error).message).toMatch(
      /failed in operator \d+:Calc while processing the record at values row 2: function 'boom' threw: no twos/,
    );
    expect(lastJob(session).status).toBe('FAILED');
  });

  it("'skip' drops the failing record in a projection or filter and counts it", async () => {
    const session = await sessionWithBoom();
    // The job's log (common/log.ts) says why each record was dropped.
    const warnings: string[] = [];
    configureLogging({ level: 'warn', destination: { write: (line: string) => void warnings.push(line) } });
    try {
      await session.executeScript("SET 'table.exec.udf.error-policy' = 'skip'");
      expect(sorted(await queryRows(`SELECT x, boom(x) FROM ${rows}`, session))).toEqual([
        [1, 1],
        [3, 3],
      ]);
      expect(lastJob(session).skipped).toBe(1);
      expect(sorted(await queryRows(`SELECT x FROM ${rows} WHERE boom(x) > 0`, session))).toEqual([[1], [3]]);
      // The record is dropped before the aggregation (its arguments are computed by a projection).
      expect(await queryRows(`SELECT SUM(boom(x)), COUNT(*) FROM ${rows}`, session)).toEqual([[4, 2n]]);
      const shown = (await session.executeScript('SHOW JOBS'))[0];
      if (shown?.kind !== 'table') throw new Error('expected a table');
      const skippedColumn = shown.columns.findIndex((c) => c.name === 'records skipped');
      expect(shown.rows.slice(-3).map((r) => r[skippedColumn])).toEqual(['1', '1', '1']);
      await new Promise((r) => setImmediate(r));
      expect(
        warnings.some((w) => /function 'boom' threw: no twos \(record dropped by operator/.test(w)),
      ).toBe(true);
    } finally {
      configureLogging();
    }
  });

  it("'skip' cannot drop a record inside a join condition: the job fails saying to use 'null'", async () => {
    const session = await sessionWithBoom();
    await session.executeScript("SET 'table.exec.udf.error-policy' = 'skip'");
    const err = await queryRows(
      `SELECT t.x FROM ${rows} JOIN (VALUES (1), (2)) AS u(y) ON t.x = u.y AND boom(t.x) > 0`,
      session,
    ).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/function 'boom' threw: no twos \(error policy 'skip' can drop/);
    expect((err as Error).message).toMatch(/'table.exec.udf.error-policy' = 'null'/);
  });

  it("'null' makes the call NULL (table functions: no rows) and counts it", async () => {
    const session = await sessionWithBoom();
    await session.executeScript("SET 'table.exec.udf.error-policy' = 'null'");
    expect(sorted(await queryRows(`SELECT x, boom(x) FROM ${rows}`, session))).toEqual([
      [1, 1],
      [2, null],
      [3, 3],
    ]);
    expect(lastJob(session).udfNullResults).toBe(1);
    expect(lastJob(session).skipped).toBe(0);
    expect(
      sorted(await queryRows(`SELECT x, p FROM ${rows}, LATERAL TABLE(parts(x)) AS r(p)`, session)),
    ).toEqual(
      sorted([
        [1, 1],
        [1, 10],
        [3, 3],
        [3, 30],
      ]),
    );
    expect(lastJob(session).udfNullResults).toBe(1);
    // A join condition that became NULL is unknown: the pair does not join.
    expect(
      await queryRows(
        `SELECT t.x FROM ${rows} JOIN (VALUES (1), (2)) AS u(y) ON t.x = u.y AND boom(t.x) > 0`,
        session,
      ),
    ).toEqual([[1]]);
  });

  it("a function's own onError wins over the session's policy, which defaults to 'fail'", async () => {
    const session = await sessionWithBoom();
    expect(sorted(await queryRows(`SELECT lenient(x) FROM ${rows}`, session))).toEqual([[1], [3], [null]]);
    expect(lastJob(session).udfNullResults).toBe(1);
    await expect(
      queryRows(`SELECT x, p FROM ${rows}, LATERAL TABLE(parts(x)) AS r(p)`, session),
    ).rejects.toThrow(/function 'parts' threw: no twos/);
  });

  it('an unknown policy is refused, in SET and in a definition', async () => {
    const session = new Session();
    await expect(session.executeScript("SET 'table.exec.udf.error-policy' = 'ignore'")).rejects.toThrow(
      /must be one of 'fail', 'skip' or 'null', found 'ignore'/,
    );
    expect(() =>
      session.registerFunction('f', {
        args: ['INT'],
        returns: 'INT',
        onError: 'drop' as 'null',
        eval: (x: number) => x,
      }),
    ).toThrow(/The onError of function 'f' must be one of/);
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
