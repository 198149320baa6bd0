/**
 * The broker never outlives what started it: `npm run kafka` (start.ts) stops it on Ctrl-C, and when
 * the starting process is killed with SIGKILL (no clean-up code can run) the watchdog in
 * run-broker.sh stops the JVM and deletes its data. Each test starts its own broker through start.ts.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kafkaClient } from './support.ts';

const START = join(dirname(fileURLToPath(import.meta.url)), 'start.ts');

interface Started {
  readonly child: ChildProcess;
  readonly bootstrap: string;
  readonly workDir: string;
  output(): string;
}

/** Runs start.ts and waits for its "ready" and "data" lines. */
function startByHand(): Promise<Started> {
  const child = spawn(process.execPath, [START], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      reject(new Error(`start.ts did not report a ready broker:\n${output}`));
    }, 110_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const ready = /Kafka broker ready at (\S+)/.exec(output);
      const data = /Broker data: (\S+)/.exec(output);
      if (ready && data) {
        clearTimeout(timer);
        resolve({ child, bootstrap: ready[1] as string, workDir: data[1] as string, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start.ts exited (${code}) before the broker was ready:\n${output}`));
    });
  });
}

/** Processes whose command line mentions `text` (the broker's work directory names its JVM). */
function processesMentioning(text: string): string[] {
  const table = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return table
    .split('\n')
    .filter((line) => line.includes(text))
    .map((line) => line.trim());
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return condition();
}

describe('the broker started by hand (npm run kafka)', () => {
  it('serves clients, and stops cleanly on Ctrl-C', async () => {
    const started = await startByHand();
    expect(processesMentioning(started.workDir).some((line) => line.includes('kafka.Kafka'))).toBe(true);
    const admin = kafkaClient(started.bootstrap).admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toEqual([started.bootstrap]);

    const exited = new Promise<number | null>((resolve) => started.child.once('exit', resolve));
    started.child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(started.output()).toContain('Kafka broker stopped.');
    expect(processesMentioning(started.workDir)).toEqual([]);
    expect(existsSync(started.workDir)).toBe(false);
  });

  it('does not outlive a starter killed with SIGKILL', async () => {
    const started = await startByHand();
    started.child.kill('SIGKILL');
    // The watchdog polls once a second, then Kafka's shutdown takes a few seconds.
    const gone = await until(() => processesMentioning(started.workDir).length === 0, 60_000);
    expect(gone, `still running: ${processesMentioning(started.workDir).join('\n')}`).toBe(true);
    expect(await until(() => !existsSync(started.workDir), 5_000)).toBe(true);
  });
});
