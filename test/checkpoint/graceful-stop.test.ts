/**
 * `rivulet run` stopped with SIGTERM (or SIGINT) while checkpointing: the job takes a final checkpoint
 * and stops; run again, it resumes from it (rows already written are not written again).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const bin = new URL('../../bin/rivulet.js', import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function lines(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter((l) => l.trim() !== '');
}

async function runUntil(
  args: string[],
  ready: () => boolean,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stderr: string }> {
  const child: ChildProcess = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!ready() && Date.now() < deadline && child.exitCode === null)
    await new Promise((r) => setTimeout(r, 50));
  child.kill(signal);
  return { code: await exited, stderr };
}

describe('rivulet run: graceful stop', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} takes a final checkpoint; the next run resumes after it`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rivulet-graceful-'));
      dirs.push(dir);
      const out = join(dir, 'out');
      const file = join(dir, 'job.sql');
      const script = (rows: number) =>
        `SET 'execution.checkpointing.interval' = '1 h';
         SET 'execution.checkpointing.dir' = '${join(dir, 'checkpoints')}';
         SET 'pipeline.name' = 'graceful';
         CREATE TABLE src (n BIGINT) WITH ('connector' = 'values', 'bounded' = 'false', 'data' = '${JSON.stringify(Array.from({ length: rows }, (_, i) => [i + 1]))}');
         CREATE TABLE dst (n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json');
         INSERT INTO dst SELECT n FROM src;`;
      writeFileSync(file, script(50));
      // The interval is an hour: the only checkpoint is the final one.
      const first = await runUntil(['run', file], () => lines(out).length >= 50, signal);
      expect(first.stderr).toMatch(/Job 'graceful' stopped with a final checkpoint: .*chk-1\.rvck/);
      expect(first.code).toBe(0);
      expect(readdirSync(join(dir, 'checkpoints', 'graceful'))).toEqual(['chk-1.rvck']);

      // Ten more rows in the table: the restored job reads on from row 51.
      writeFileSync(file, script(60));
      const second = await runUntil(['run', file], () => lines(out).length >= 60, signal);
      expect(second.code).toBe(0);
      expect(second.stderr).toMatch(/final checkpoint: .*chk-2\.rvck/);
      // Restored at row 50: nothing written twice, nothing missing.
      expect(
        lines(out)
          .map((l) => JSON.parse(l).n as number)
          .sort((a, b) => a - b),
      ).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    }, 60_000);
  }
});
