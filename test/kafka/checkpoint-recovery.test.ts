/**
 * Crash recovery end to end against the real broker. A child process runs a job reading numbered
 * events from Kafka and writing (a) every event transformed and (b) per-second tumbling-window counts
 * to Kafka sinks, checkpointing every 200 ms. The test produces events while it kills the child with
 * SIGKILL at random moments, several times (some runs with a delay between a checkpoint's durable file
 * and its Kafka commit, so kills also land inside checkpoints), restarting it each time; then a
 * read_committed reader checks the output: with exactly-once every result exactly once, with
 * at-least-once every result at least once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Kafka, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kafkaClient, readUntil, uniqueName } from './support.ts';

const bootstrap = inject('kafkaBootstrap');
const kafka: Kafka = kafkaClient(bootstrap, 'rivulet-recovery-test');
const admin = kafka.admin();
const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'checkpoint-job.ts');
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

beforeAll(() => admin.connect());
afterAll(() => admin.disconnect());

const EVENTS = 3000;
/** Kill -9 rounds before the final run. */
const ROUNDS = 3;
const BASE_TS = Date.UTC(2024, 0, 1);
/** Event n happens at BASE_TS + 10 n ms: 100 events per one-second window. */
const tsOf = (n: number) => BASE_TS + n * 10;

function table(name: string, columns: string, options: Record<string, string>): string {
  const opts = { connector: 'kafka', 'properties.bootstrap.servers': bootstrap, ...options };
  return `CREATE TABLE ${name} (${columns}) WITH (${Object.entries(opts)
    .map(([k, v]) => `'${k}' = '${v}'`)
    .join(', ')})`;
}

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  output(): string;
}

function startChild(scriptFile: string, env: Record<string, string>): Running {
  const child = spawn('npm', ['exec', '--', 'node', CHILD, scriptFile], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: SIGKILL reaches node under npm exec too
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited, output: () => output };
}

function killGroup(r: Running, signal: NodeJS.Signals): void {
  try {
    process.kill(-(r.child.pid as number), signal);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runCrashScenario(guarantee: 'exactly-once' | 'at-least-once') {
  const input = uniqueName('ckpt-in');
  const events = uniqueName('ckpt-events');
  const windows = uniqueName('ckpt-windows');
  await admin.createTopics({
    topics: [
      { topic: input, numPartitions: 2 },
      { topic: events, numPartitions: 2 },
      { topic: windows, numPartitions: 1 },
    ],
    waitForLeaders: true,
  });
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-kafka-ckpt-'));
  const sinkOptions = (prefix: string): Record<string, string> => ({
    format: 'json',
    'sink.delivery-guarantee': guarantee,
    ...(guarantee === 'exactly-once' ? { 'sink.transactional-id-prefix': uniqueName(prefix) } : {}),
  });
  const script = `
    SET 'execution.checkpointing.interval' = '200 ms';
    SET 'execution.checkpointing.dir' = '${dir}';
    SET 'pipeline.name' = 'crash-test';
    ${table('src', 'n BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts', {
      topic: input,
      format: 'json',
      'scan.startup.mode': 'earliest-offset',
      'properties.group.id': uniqueName('ckpt-group'),
      'properties.isolation.level': 'read_committed',
    })};
    ${table('events_out', 'n BIGINT, sq BIGINT', { topic: events, ...sinkOptions('ev') })};
    ${table('windows_out', 'w TIMESTAMP(3), c BIGINT, s BIGINT', { topic: windows, ...sinkOptions('win') })};
    EXECUTE STATEMENT SET BEGIN
      INSERT INTO events_out SELECT n, n * n FROM src;
      INSERT INTO windows_out SELECT window_start, COUNT(*), SUM(n)
        FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end;
    END;`;
  const scriptFile = join(dir, 'job.sql');
  writeFileSync(scriptFile, script);

  // The producer writes the events over a few seconds while the child is killed and restarted.
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const fmt = (ts: number) => new Date(ts).toISOString().replace('T', ' ').replace('Z', '');
  const producing = (async () => {
    for (let n = 1; n <= EVENTS; n += 30) {
      const messages = [];
      for (let k = n; k < n + 30 && k <= EVENTS; k++)
        messages.push({ partition: k % 2, value: JSON.stringify({ n: k, ts: fmt(tsOf(k)) }) });
      await producer.send({ topic: input, messages, acks: -1 });
      await sleep(40);
    }
  })();

  const log: string[] = [];
  let roundsWithCheckpoints = 0;
  try {
    // Kill at random moments, several times; every other run delays commits so kills hit checkpoints.
    const jobDir = join(dir, 'crash-test');
    const checkpointIds = () =>
      existsSync(jobDir)
        ? readdirSync(jobDir)
            .map((f) => /^chk-(\d+)\.rvck$/.exec(f)?.[1])
            .filter((x) => x !== undefined)
            .map(Number)
        : [];
    for (let round = 0; round < ROUNDS; round++) {
      const delayed = round % 2 === 1;
      const before = Math.max(0, ...checkpointIds());
      const r = startChild(scriptFile, delayed ? { RIVULET_TEST_CHECKPOINT_COMMIT_DELAY_MS: '150' } : {});
      // Once this run wrote a checkpoint of its own, kill it at a random moment in the next 1.2 s.
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && Math.max(0, ...checkpointIds()) <= before && r.child.exitCode === null)
        await sleep(50);
      const wait = Math.floor(Math.random() * 1200);
      await Promise.race([r.exited, sleep(wait)]);
      killGroup(r, 'SIGKILL');
      await r.exited;
      const ids = checkpointIds();
      if (Math.max(0, ...ids) > before) roundsWithCheckpoints++;
      log.push(
        `round ${round}: killed ${wait} ms after its first checkpoint${delayed ? ' (commit delay 150 ms)' : ''}, checkpoints on disk: ${ids.join(' ') || 'none'}`,
      );
      expect(r.output()).not.toMatch(/job failed/);
    }
    // The kills happened while the job was checkpointing (else this test would not test recovery).
    expect(roundsWithCheckpoints, log.join('; ')).toBe(ROUNDS);
    await producing;
    const last = startChild(scriptFile, {});
    try {
      // Every event n in 1..EVENTS, and every window that the final watermark closed.
      const wanted = new Set(Array.from({ length: EVENTS }, (_, i) => String(i + 1)));
      const out = await readUntil(
        kafka,
        events,
        (got) => {
          const seen = new Set(got.map((m) => String(JSON.parse(m.value as string).n)));
          for (const n of wanted) if (!seen.has(n)) return false;
          return true;
        },
        { timeoutMs: 45_000 },
      );
      // Event partitions' watermarks: the slower partition holds the last event before EVENTS.
      const finalWatermark = tsOf(EVENTS - 1);
      const closedWindows: number[] = [];
      for (let w = Math.floor(tsOf(1) / 1000) * 1000; w + 1000 <= finalWatermark; w += 1000)
        closedWindows.push(w);
      const win = await readUntil(
        kafka,
        windows,
        (got) => {
          const seen = new Set(
            got.map((m) => Date.parse(`${JSON.parse(m.value as string).w.replace(' ', 'T')}Z`)),
          );
          return closedWindows.every((w) => seen.has(w));
        },
        { timeoutMs: 45_000 },
      );
      const counts = new Map<string, number>();
      for (const m of out) {
        const v = JSON.parse(m.value as string) as { n: number; sq: number };
        expect(v.sq).toBe(v.n * v.n);
        counts.set(String(v.n), (counts.get(String(v.n)) ?? 0) + 1);
      }
      const perWindow = new Map<number, number>();
      for (const m of win) {
        const v = JSON.parse(m.value as string) as { w: string; c: number; s: number };
        const w = Date.parse(`${v.w.replace(' ', 'T')}Z`);
        perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
        // The window's count and sum, from the events whose timestamps fall in it.
        let c = 0;
        let s = 0;
        for (let n = 1; n <= EVENTS; n++)
          if (tsOf(n) >= w && tsOf(n) < w + 1000) {
            c++;
            s += n;
          }
        expect({ w: v.w, c: v.c, s: v.s }).toEqual({ w: v.w, c, s });
      }
      if (guarantee === 'exactly-once') {
        const dup = [...counts].filter(([, k]) => k !== 1);
        expect(dup, `events written more than once (${log.join('; ')})`).toEqual([]);
        expect(out).toHaveLength(EVENTS);
        expect([...perWindow].filter(([, k]) => k !== 1)).toEqual([]);
      } else {
        expect(counts.size).toBe(EVENTS);
      }
    } finally {
      killGroup(last, 'SIGKILL');
      await last.exited;
    }
  } finally {
    await producing.catch(() => {});
    await producer.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
  return log;
}

describe('crash recovery with checkpoints', () => {
  it('exactly-once: after repeated kill -9 a read_committed reader sees every result exactly once', async () => {
    const log = await runCrashScenario('exactly-once');
    console.log(`exactly-once crash run: ${log.join('; ')}`);
  }, 150_000);

  it('at-least-once: after repeated kill -9 every result is there at least once', async () => {
    await runCrashScenario('at-least-once');
  }, 150_000);
});
