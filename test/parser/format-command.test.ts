/**
 * `rivulet format`: canonical output, idempotence, stdin, and positioned errors on stderr with exit 1.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../repl/cli.ts';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out = new Capture();
  const err = new Capture();
  const status = await main(['node', 'rivulet', ...args], out, err);
  return { status, stdout: out.text, stderr: err.text };
}

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rivulet-format-')), 'q.sql');
  writeFileSync(path, text);
  return path;
}

describe('rivulet format', () => {
  it('prints every statement in canonical form, separated by ; and a blank line', async () => {
    const r = await run(['format', file('select a,b from t where x=1;\ncreate view v as select 1')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('SELECT a, b\nFROM t\nWHERE x = 1;\n\nCREATE VIEW v AS\nSELECT 1;\n');
    expect(r.stderr).toBe('');
  });

  it('is idempotent', async () => {
    const sql =
      "CREATE TABLE t (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector'='datagen');" +
      'SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts MEASURES A.id AS a PATTERN (A B*?) DEFINE B AS B.id > A.id)';
    const once = await run(['format', file(sql)]);
    const twice = await run(['format', file(once.stdout)]);
    expect(twice.status).toBe(0);
    expect(twice.stdout).toBe(once.stdout);
  });

  it('prints file:line:column, the message and a caret snippet on a syntax error, and exits 1', async () => {
    const path = file('SELECT a\nFORM t');
    const r = await run(['format', path]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `${path}:2:1: Syntax error at line 2, column 1: unexpected 'FORM'; expected ',', FROM, WHERE, GROUP, HAVING, WINDOW, QUALIFY, INTERSECT, UNION, EXCEPT, ORDER, LIMIT, ... (did you mean FROM?)\n2 | FORM t\n  | ^^^^\n`,
    );
  });

  it('reads standard input for - (spawned as a real process)', () => {
    const r = spawnSync('npx', ['rivulet', 'format', '-'], {
      input: 'select 1 as x',
      encoding: 'utf8',
      cwd: process.cwd(),
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('SELECT 1 AS x;\n');
  });

  it('fails clearly on a missing file', async () => {
    const r = await run(['format', '/nonexistent/q.sql']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot read /nonexistent/q.sql');
  });
});
