import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningGateway, serve } from '../../server/gateway.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/rivulet.js', import.meta.url).pathname;

async function rivulet(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      cwd: tmpdir(),
      env: { ...process.env, RIVULET_TOKEN: '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

function script(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rivulet-detach-')), 'job.sql');
  writeFileSync(file, text);
  return file;
}

const running: RunningGateway[] = [];
afterEach(async () => {
  for (const g of running.splice(0)) await g.close();
});
async function server(token?: string): Promise<RunningGateway> {
  const gw = await serve({ port: 0, ...(token ? { token } : {}) });
  running.push(gw);
  return gw;
}

async function metrics(gw: RunningGateway, token?: string): Promise<string> {
  const r = await fetch(`${gw.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return r.text();
}

const DDL = `CREATE TABLE g (x INT) WITH ('connector' = 'datagen', 'rows-per-second' = '100');
CREATE TABLE out1 (x INT) WITH ('connector' = 'blackhole');
CREATE TABLE out2 (x INT) WITH ('connector' = 'blackhole');
`;

describe('rivulet run --detach FILE --server URL', () => {
  it('submits the statements, prints the job ids and leaves the jobs running on the server', async () => {
    const gw = await server('tok');
    const file = script(`${DDL}SET 'pipeline.name' = 'first';
INSERT INTO out1 SELECT x FROM g;
SET 'pipeline.name' = 'second';
INSERT INTO out2 SELECT x + 1 FROM g;
`);
    const r = await rivulet(['run', '--detach', file, '--server', gw.url], { RIVULET_TOKEN: 'tok' });
    expect(r.stderr).toMatch(/^Submitted 2 jobs to http:\/\/127\.0\.0\.1:\d+ \(session [0-9a-f-]{36}\)\.\n$/);
    expect(r.code).toBe(0);
    const ids = r.stdout.trim().split('\n');
    expect(ids).toHaveLength(2);
    // The CLI has exited; the server runs both jobs under their names.
    const text = await metrics(gw, 'tok');
    expect(text).toContain(`rivulet_job_records_in_total{job_id="${ids[0]}",job_name="first"}`);
    expect(text).toContain(`rivulet_job_records_in_total{job_id="${ids[1]}",job_name="second"}`);
    expect(text).toMatch(/^rivulet_jobs\{status="RUNNING"\} 2$/m);
  }, 60_000);

  it('shows a SQL error from the server at its place in the file, and the jobs already started', async () => {
    const gw = await server();
    const file = script(`${DDL}INSERT INTO out1 SELECT x FROM g;
INSERT INTO out2
  SELECT nope FROM g;
`);
    const r = await rivulet(['run', '--detach', file, '--server', gw.url]);
    expect(r.code).toBe(1);
    const [first, ...rest] = r.stdout.trim().split('\n');
    expect(rest).toEqual([]);
    expect(r.stderr).toContain(`${file}:6:10: `);
    expect(r.stderr).toMatch(/nope/);
    expect(r.stderr).toContain('6 |   SELECT nope FROM g;\n  |          ^^^^');
    expect(r.stderr).toContain(`Jobs submitted before the failure keep running: ${first}`);
  }, 60_000);

  it('refuses a syntax error or a query before submitting anything', async () => {
    const gw = await server();
    const syntax = await rivulet([
      'run',
      '--detach',
      script(`${DDL}INSERT INTO out1 SELEC x FROM g;`),
      '--server',
      gw.url,
    ]);
    expect(syntax.code).toBe(1);
    expect(syntax.stdout).toBe('');
    expect(syntax.stderr).toMatch(/job\.sql:4:\d+: /);
    expect(syntax.stderr).toMatch(/\n4 \| INSERT INTO out1 SELEC x FROM g;\n/);
    const query = await rivulet(['run', '--detach', script(`${DDL}SELECT x FROM g;`), '--server', gw.url]);
    expect(query.code).toBe(1);
    expect(query.stderr).toMatch(/job\.sql:4:1: rivulet run --detach submits jobs and exits/);
    expect(await metrics(gw)).toMatch(/^rivulet_sessions 0$/m);
  }, 60_000);

  it('fails clearly when the server is down, the token is wrong, or --server is missing', async () => {
    const gw = await server('right');
    const url = gw.url;
    const file = script(`${DDL}INSERT INTO out1 SELECT x FROM g;`);
    const wrong = await rivulet(['run', '--detach', file, '--server', url, '--token', 'wrong']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/bearer token.*\(pass --token or set RIVULET_TOKEN\)/);
    await gw.close();
    running.splice(0);
    const down = await rivulet(['run', '--detach', file, '--server', url]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(
      new RegExp(`cannot reach ${url.replace(/[.]/g, '\\.')}.*is \`rivulet serve\` running there\\?`),
    );
    const missing = await rivulet(['run', '--detach', file]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--detach needs --server URL/);
  }, 60_000);
});
