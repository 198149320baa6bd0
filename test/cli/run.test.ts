import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = new URL('../../bin/rivulet.js', import.meta.url).pathname;

async function rivulet(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: tmpdir() });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const SQL =
  "SELECT k, COUNT(*) AS n, SUM(v) AS s FROM (VALUES ('a', 1), ('b', 5), ('a', 3)) AS t(k, v) GROUP BY k ORDER BY k";

describe('rivulet exec and run', () => {
  it('--format json prints exactly one document with columns and the final rows', async () => {
    const r = await rivulet('--format', 'json', 'exec', SQL);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      columns: [
        { name: 'k', type: 'CHAR(1) NOT NULL' },
        { name: 'n', type: 'BIGINT NOT NULL' },
        { name: 's', type: 'INT' },
      ],
      rows: [
        ['a', 2, 4],
        ['b', 1, 5],
      ],
    });
  });

  it('--format json renders DECIMAL and huge BIGINT as strings, timestamps and dates as text', async () => {
    const r = await rivulet(
      '--format',
      'json',
      'exec',
      "SELECT CAST(12.5 AS DECIMAL(5, 2)) AS d, CAST('9007199254740993' AS BIGINT) AS b, TIMESTAMP '2024-01-02 03:04:05.6' AS ts, DATE '2024-02-29' AS dt, ARRAY[1, 2] AS arr",
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).rows).toEqual([
      ['12.50', '9007199254740993', '2024-01-02 03:04:05.600', '2024-02-29', [1, 2]],
    ]);
  });

  it('--format csv prints a header and rows; the table format boxes them', async () => {
    const csv = await rivulet('--format', 'csv', 'exec', SQL);
    expect(csv.stdout).toBe('k,n,s\na,2,4\nb,1,5\n');
    const table = await rivulet('exec', SQL);
    expect(table.stdout).toContain('| k | n | s |');
    expect(table.stdout).toContain('2 rows in set');
  });

  it('--format changelog prints each change with its kind', async () => {
    const r = await rivulet(
      '--format',
      'changelog',
      'exec',
      "SELECT k, MAX(v) FROM (VALUES ('a', 1), ('a', 3)) AS t(k, v) GROUP BY k",
    );
    expect(r.stdout).toBe('+I[a, 1]\n-U[a, 1]\n+U[a, 3]\n');
  });

  it('-e is the same as exec', async () => {
    const r = await rivulet('--format', 'csv', '-e', 'SELECT 1 + 1 AS two');
    expect(r.stdout).toBe('two\n2\n');
  });

  it('run executes a script file with DDL, a view and a query', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-run-'));
    const file = join(dir, 'job.sql');
    writeFileSync(
      file,
      `CREATE TABLE seq (id INT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '10');
       CREATE VIEW evens AS SELECT id FROM seq WHERE MOD(id, 2) = 0;
       SELECT COUNT(*) AS n, SUM(id) AS total FROM evens;`,
    );
    const r = await rivulet('--format', 'json', 'run', file);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).rows).toEqual([[5, 30]]);
  });

  it('a SQL error exits non-zero with a positioned message on stderr and nothing on stdout', async () => {
    const r = await rivulet('--format', 'json', 'exec', 'SELECT 1;\nSELECT nope FROM (VALUES (1)) AS t(x)');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("<exec>:2:8: Column 'nope' not found");
    expect(r.stderr).toContain('^^^^');
  });

  it('a missing script file is a clear error', async () => {
    const r = await rivulet('run', '/no/such/file.sql');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot read /no/such/file.sql');
  });

  it('--set overrides session options such as the time zone', async () => {
    // The epoch instant, shown in the session time zone.
    const sql = 'SELECT TO_TIMESTAMP_LTZ(0, 3) AS t';
    const utc = await rivulet('--format', 'csv', 'exec', sql);
    const berlin = await rivulet(
      '--format',
      'csv',
      'exec',
      '--set',
      'table.local-time-zone=Europe/Berlin',
      sql,
    );
    expect(utc.stdout).toBe('t\n1970-01-01 00:00:00.000\n');
    expect(berlin.stdout).toBe('t\n1970-01-01 01:00:00.000\n');
  });
});

describe('npm start', () => {
  it('runs the quickstart to completion', async () => {
    const r = await rivulet('run', new URL('../../examples/quickstart.sql', import.meta.url).pathname);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('| tier');
    expect(r.stdout).toContain('| window_start');
  });
});

describe('rivulet check and explain', () => {
  it('check validates a script without running it, and reports the first error with its position', async () => {
    const quickstart = new URL('../../examples/quickstart.sql', import.meta.url).pathname;
    const ok = await rivulet('check', quickstart);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('OK (4 statements, 2 planned)');
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-check-'));
    const bad = join(dir, 'bad.sql');
    writeFileSync(bad, "CREATE TABLE t (a INT) WITH ('connector' = 'datagen');\nSELECT b FROM t;\n");
    const r = await rivulet('check', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:2:8: Column 'b' not found`);
  });

  it('explain prints the plans with changelog modes', async () => {
    const r = await rivulet('explain', new URL('../../examples/quickstart.sql', import.meta.url).pathname);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('GroupAggregate(groupBy=[tier]');
    expect(r.stdout).toContain('WindowAggregate(');
    expect(r.stdout).toContain('changelogMode=[I,UB,UA,D]');
  });
});
