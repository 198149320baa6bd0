/**
 * The shell driven over pipes (no terminal): what a user types arrives on stdin line by line, and
 * results, errors and the history file are checked after the shell ends.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runShell, spawnPiped, tempHome } from './harness.ts';

const GEN = (name: string, rows: number) =>
  `CREATE TABLE ${name} (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '${rows}', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '${rows}');`;

describe('rivulet shell over pipes', () => {
  it("SHOW JOB 'id' prints the job's operator tree with its metrics, and no log lines", async () => {
    const r = await runShell(
      [
        GEN('src', 50),
        "CREATE TABLE out_j (k INT, n BIGINT) WITH ('connector' = 'blackhole');",
        'INSERT INTO out_j SELECT id % 3, COUNT(*) FROM src GROUP BY id % 3;',
        "SHOW JOB 'job-1';",
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Job 'insert-into_out_j' \(job-1\): (RUNNING|FINISHED), up /);
    expect(r.stdout).toMatch(/\nSink\(out_j\)\s.*\n└─ \d+:GroupAggregate/);
    expect(r.stdout).toMatch(/\nBottleneck: /);
  }, 60_000);

  it('runs statements, including one spread over several lines with ; in strings and comments', async () => {
    const r = await runShell(
      [
        "SELECT 1 AS a, 'x;y' AS b; -- a comment; with a semicolon",
        'SELECT',
        '  2 + 3 AS five, /* ; inside */',
        "  'it''s;' AS s",
        ';',
        'QUIT;',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('| a | b   |');
    expect(r.stdout).toContain('| 1 | x;y |');
    expect(r.stdout).toMatch(/\|\s+5 \| it's; \|/);
  }, 60_000);

  it('prints an error with its caret snippet and keeps going', async () => {
    const r = await runShell(
      [
        'SELECT nope FROM missing;',
        'SELEC 1;',
        'SELECT 1 / 0 AS boom;',
        "CREATE TABLE sink_t (x INT) WITH ('connector' = 'print');",
        'INSERT INTO sink_t SELECT 1 / 0;',
        'SELECT 7 AS seven;',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("[ERROR] <shell>:1:18: Object 'missing' not found");
    expect(r.stderr).toContain('1 | SELECT nope FROM missing;');
    expect(r.stderr).toMatch(/\n\s+\|\s+\^/);
    expect(r.stderr).toMatch(/\[ERROR\] <shell>:1:1: .*SELEC/);
    // A query that fails while running, and a background job that fails, are reported too.
    expect(r.stderr).toMatch(/\[ERROR\] job 'collect' failed .*Division by zero/);
    expect(r.stderr).toMatch(/\[ERROR\] a job failed: job 'insert-into_sink_t' failed .*Division by zero/);
    expect(r.stdout).toContain('| seven |');
    expect(r.stdout).toMatch(/\|\s+7 \|/);
  }, 60_000);

  it('sets and resets options, and the result mode changes how a query is shown', async () => {
    const r = await runShell(
      [
        GEN('g', 3),
        "SET 'sql-client.execution.result-mode' = 'changelog';",
        'SELECT COUNT(*) AS c FROM g;',
        "SET 'sql-client.execution.result-mode' = 'tableau';",
        'SELECT COUNT(*) AS c FROM g;',
        "RESET 'sql-client.execution.result-mode';",
        'SELECT COUNT(*) AS c FROM g;',
        'SELECT MOD(id, 2) AS parity, COUNT(*) AS n FROM g GROUP BY MOD(id, 2);',
        "SET 'table.local-time-zone' = 'Europe/Berlin';",
        'SET;',
        "SET 'sql-client.execution.result-mode' = 'bogus';",
        'SELECT 1;',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("[INFO] Table 'g' created.");
    // changelog: one line per change with its kind.
    expect(r.stdout).toContain('+I[1]\n-U[1]\n+U[2]\n-U[2]\n+U[3]\n');
    // tableau: every change in a box with its op.
    expect(r.stdout).toContain('| op | c |');
    expect(r.stdout).toContain('| -U | 2 |');
    // table (the default again after RESET): the final materialised row only.
    expect(r.stdout).toMatch(/\| c \|\n\+---\+\n\| 3 \|\n\+---\+\n1 row in set/);
    // Updated groups keep the place where they first appeared (parity 1 came first).
    expect(r.stdout).toContain('| parity | n |\n+--------+---+\n|      1 | 2 |\n|      0 | 1 |\n');
    expect(r.stdout).toMatch(/\| table\.local-time-zone\s+\| Europe\/Berlin \|/);
    expect(r.stderr).toContain("[ERROR] Unknown result mode 'bogus'");
  }, 60_000);

  it('HELP; prints the help and QUIT; ends the shell before later statements', async () => {
    const r = await runShell('help;\nSELECT 1 AS before_quit;\nquit;\nSELECT 2 AS after_quit;\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Statements end with ';'");
    expect(r.stdout).toContain("SET 'sql-client.execution.result-mode'");
    expect(r.stdout).toContain('before_quit');
    expect(r.stdout).not.toContain('after_quit');
    const e = await runShell('EXIT ;\nSELECT 2 AS after_exit;\n');
    expect(e.stdout).not.toContain('after_exit');
  }, 60_000);

  it('runs an init script (-i) before reading input, and reports its errors at file positions', async () => {
    const home = tempHome();
    const init = join(home, 'init.sql');
    writeFileSync(init, `${GEN('t', 2)}\nSET 'sql-client.execution.result-mode' = 'tableau';\n`);
    const r = await runShell('SELECT id FROM t;\n', { home, args: ['-i', init] });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("[INFO] Table 't' created.");
    expect(r.stdout).toMatch(/\| id \|\n\+----\+\n\| {2}1 \|\n\| {2}2 \|/);

    const bad = join(home, 'bad.sql');
    writeFileSync(bad, "SELECT 1;\n\nSELECT x FROM nowhere;\nSET 'never' = 'run';\n");
    const b = await runShell('SET;\n', { home, args: ['--init', bad] });
    expect(b.code).toBe(0);
    expect(b.stderr).toContain(`[ERROR] ${bad}:3:15: Object 'nowhere' not found`);
    expect(b.stderr).toContain('3 | SELECT x FROM nowhere;');
    expect(b.stderr).toContain('stopped at the error above');
    // The shell still reads its input after the failed init script; the statement after the error did not run.
    expect(b.stdout).toContain('sql-client.execution.result-mode');
    expect(b.stdout).not.toContain('never');
  }, 60_000);

  it('keeps history across sessions in $RIVULET_HOME/history, or in $RIVULET_HISTORY', async () => {
    const home = tempHome();
    await runShell('SELECT 1\n  AS one;\nSHOW TABLES;\n', { home });
    expect(readFileSync(join(home, 'history'), 'utf8')).toBe('SELECT 1 AS one;\nSHOW TABLES;\n');
    await runShell('SELECT 2;\n', { home });
    expect(readFileSync(join(home, 'history'), 'utf8')).toBe('SELECT 1 AS one;\nSHOW TABLES;\nSELECT 2;\n');
    const elsewhere = join(home, 'other-history');
    await runShell('SELECT 3;\n', { home, env: { RIVULET_HISTORY: elsewhere } });
    expect(readFileSync(elsewhere, 'utf8')).toBe('SELECT 3;\n');
  }, 60_000);

  it('keeps tables in the persistent catalog of $RIVULET_HOME between sessions', async () => {
    const home = tempHome();
    await runShell(`${GEN('kept', 2)}\n`, { home });
    const r = await runShell('SHOW TABLES;\nSELECT COUNT(*) AS n FROM kept;\n', { home });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('| kept       |');
    expect(r.stdout).toMatch(/\| n \|\n\+---\+\n\| 2 \|/);
  }, 60_000);

  it('SIGINT cancels a running continuous query and the shell goes on with the next statement', async () => {
    const home = tempHome();
    const p = spawnPiped([], home);
    try {
      p.child.stdin?.write(
        [
          "CREATE TABLE endless (id INT) WITH ('connector' = 'datagen', 'rows-per-second' = '50');",
          "SET 'sql-client.execution.result-mode' = 'tableau';",
          'SELECT id FROM endless;',
          '',
        ].join('\n'),
      );
      // A continuous query in tableau mode: the header with types, then rows as they come.
      await p.waitFor(/\| op \|\s+id \|\n\|\s+\|\s+INT \|\n\+-+\+-+\+\n\| \+I \|/);
      p.child.kill('SIGINT');
      await p.waitFor('Query cancelled after');
      p.child.stdin?.end('SELECT 42 AS answer;\n');
      expect(await p.exit()).toBe(0);
      expect(p.stdout).toMatch(/Received a total of \d+ rows/);
      expect(p.stdout).toMatch(/\|\s+42 \|/);
    } finally {
      p.child.kill('SIGKILL');
    }
  }, 60_000);

  it('runs a statement left without its ; at the end of input', async () => {
    const r = await runShell('SELECT 5 AS five');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\|\s+5 \|/);
  }, 60_000);

  it('submits INSERT jobs to run in the background, and shows DESCRIBE, EXPLAIN and SHOW JOBS', async () => {
    const r = await runShell(
      [
        GEN('src', 3),
        "CREATE TABLE out_t (id INT) WITH ('connector' = 'print');",
        'INSERT INTO out_t SELECT id * 100 FROM src;',
        'DESCRIBE src;',
        'EXPLAIN SELECT id FROM src WHERE id > 1;',
        'SHOW JOBS;',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/\[INFO\] Job 'insert-into_out_t' \(job-\d+\) submitted/);
    // The print sink writes the job's rows while the shell goes on.
    expect(r.stdout).toContain('+I[300]');
    expect(r.stdout).toMatch(/\| name \| type \| null \|/);
    expect(r.stdout).toMatch(/\| id\s+\| INT\s+\| TRUE\s+\|/);
    expect(r.stdout).toContain('TableSourceScan(table=[src]');
    expect(r.stdout).toMatch(/\| job-\d+\s+\| insert-into_out_t \|/);
  }, 60_000);
});
