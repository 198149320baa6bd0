import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { configureLogging, parseLogLevel } from '../../common/log.ts';
import { Session, type StatementResult } from '../../runtime/session.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/rivulet.js', import.meta.url).pathname;

async function rivulet(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      cwd: tmpdir(),
      env: { ...process.env, RIVULET_LOG_LEVEL: '', RIVULET_LOG_FILE: '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A JSON-lines file with one bad line among good ones, and a script reading it with skipping on. */
function fixture(): { dir: string; script: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-log-'));
  writeFileSync(join(dir, 'in.json'), '{"x":1}\n{"x":\n{"x":3}\n');
  const script = join(dir, 'job.sql');
  writeFileSync(
    script,
    `CREATE TABLE t (x INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'in.json')}',
       'format' = 'json', 'json.ignore-parse-errors' = 'true');
     CREATE TABLE out (x INT) WITH ('connector' = 'blackhole');
     SET 'pipeline.name' = 'copy';
     INSERT INTO out SELECT x FROM t;`,
  );
  return { dir, script };
}

const lines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('structured logging', () => {
  afterEach(() => {
    configureLogging({ level: 'warn' });
  });

  it('logs job lifecycle and skipped records with the job and operator in every line', async () => {
    let text = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    });
    configureLogging({ level: 'info', destination: sink });
    const { script } = fixture();
    const s = new Session();
    const results = await s.executeScript(readFileSync(script, 'utf8'));
    await (results[results.length - 1] as Extract<StatementResult, { kind: 'jobs' }>).done;
    const logged = lines(text);
    for (const l of logged) {
      expect(l.job).toBe('copy');
      expect(l.jobId).toMatch(/^job-\d+$/);
    }
    const msgs = logged.map((l) => l.msg);
    expect(msgs[0]).toBe('job started');
    const skipped = logged.find((l) => String(l.msg).startsWith('skipped the record'));
    expect(skipped).toMatchObject({ level: 40, operator: '1:Source(t)' });
    expect(String(skipped?.position)).toMatch(/in\.json:2$/);
    expect(logged[logged.length - 1]).toMatchObject({ msg: 'job finished', recordsIn: 2, recordsOut: 2 });
  });

  it('logs a failed job as an error naming the operator', async () => {
    let text = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    });
    configureLogging({ level: 'error', destination: sink });
    const s = new Session();
    const results = await s.executeScript(`CREATE TABLE out (x INT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT 10 / (x - 2) FROM (VALUES (1), (2)) AS t(x);`);
    await (results[results.length - 1] as Extract<StatementResult, { kind: 'jobs' }>).done.catch(() => {});
    const [failed, ...rest] = lines(text);
    expect(rest).toEqual([]);
    expect(failed).toMatchObject({ level: 50, job: 'insert-into_out' });
    expect(String(failed?.operator)).toMatch(/Calc/);
    expect(String(failed?.msg)).toMatch(/failed in operator/);
  });

  it('rivulet run: skipped records are reported on stderr by default; --log-level and --log-file', async () => {
    const { dir, script } = fixture();
    const quiet = await rivulet(['run', script]);
    expect(quiet.code).toBe(0);
    const warned = lines(quiet.stderr);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ job: 'copy', operator: '1:Source(t)' });
    expect(String(warned[0]?.msg)).toMatch(/^skipped the record at .*in\.json:2/);

    const file = join(dir, 'logs', 'rivulet.log');
    const verbose = await rivulet(['--log-level', 'info', '--log-file', file, 'run', script]);
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toBe("Job 'copy' (job-1) submitted.\n");
    const msgs = lines(readFileSync(file, 'utf8')).map((l) => l.msg);
    expect(msgs).toContain('job started');
    expect(msgs).toContain('job finished');

    const off = await rivulet(['run', script], { RIVULET_LOG_LEVEL: 'off' });
    expect(off.code).toBe(0);
    expect(off.stderr).toBe("Job 'copy' (job-1) submitted.\n");

    const bad = await rivulet(['--log-level', 'loud', 'run', script]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/Unknown log level 'loud'/);
  }, 60_000);

  it('parses level names', () => {
    expect(parseLogLevel('INFO')).toBe('info');
    expect(parseLogLevel('off')).toBe('silent');
    expect(() => parseLogLevel('chatty')).toThrow(/Unknown log level/);
  });
});
