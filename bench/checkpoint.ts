/**
 * Benchmark: the cost of checkpoints for a job holding 1 million keys of GROUP BY state (issue 9).
 *
 * The job (through SQL and the real runtime): `INSERT INTO sink SELECT k % KEYS, COUNT(*), SUM(v)
 * FROM gen GROUP BY k % KEYS` over an unbounded datagen sequence, into a sink that discards what it
 * gets. Each run first processes rows until the operator holds all KEYS keys (not measured), then:
 *   1. without checkpoints, for DURATION seconds: rows/s;
 *   2. with `execution.checkpointing.interval` = INTERVAL, for DURATION seconds: rows/s, and per
 *      checkpoint taken in that window the stop-the-world pause (the operators' snapshot() calls, which
 *      copy-on-write state makes O(1), + sink pre-commit), the asynchronous part (v8 serialization in
 *      chunks, sha256, write, fsync, rename, retention: on the same thread, interleaved with
 *      processing, so its wall time includes the processing between chunks) and the file's size.
 * The state's size in memory is the heap growth (after a full GC) from before the job started to when it
 * holds every key (run through `npm run bench:checkpoint`, which passes --expose-gc).
 *
 * Run: npm run bench:checkpoint [-- DURATION_S [KEYS [INTERVAL]]]  (defaults: 40, 1000000, 10s)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectorFactory, SinkWriter } from '../connectors/api.ts';
import { defaultConnectors } from '../connectors/index.ts';
import type { CheckpointStats } from '../runtime/checkpoint/coordinator.ts';
import type { Job } from '../runtime/job.ts';
import { Session } from '../runtime/session.ts';

const DURATION_S = Number(process.argv[2] ?? 40);
const KEYS = Number(process.argv[3] ?? 1_000_000);
const INTERVAL = process.argv[4] ?? '10s';

const discard: ConnectorFactory = {
  identifier: 'discard',
  options: [],
  createSink: (): SinkWriter => ({
    accepts: 'retract',
    async open() {},
    write() {},
    async flush() {},
    async close() {},
  }),
};

const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let stateHeap = 0;

async function runFor(
  checkpointDir: string | null,
): Promise<{ rows: number; seconds: number; keys: number; stats: CheckpointStats[] }> {
  const connectors = defaultConnectors();
  connectors.register(discard);
  const session = new Session({ connectors });
  if (checkpointDir !== null) {
    session.options.set('execution.checkpointing.interval', INTERVAL);
    session.options.set('execution.checkpointing.dir', checkpointDir);
    session.options.set('pipeline.name', 'bench-checkpoint');
  }
  const results = await session.executeScript(`
    CREATE TABLE gen (k BIGINT, v BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1000000000',
      'seed' = '7', 'fields.k.kind' = 'sequence', 'fields.k.start' = '0', 'fields.k.end' = '9000000000000',
      'fields.v.min' = '1', 'fields.v.max' = '100');
    CREATE TABLE sink (k BIGINT, c BIGINT, s BIGINT) WITH ('connector' = 'discard');
    INSERT INTO sink SELECT k % ${KEYS}, COUNT(*), SUM(v) FROM gen GROUP BY k % ${KEYS};`);
  const last = results[results.length - 1];
  if (last?.kind !== 'jobs') throw new Error('expected a job');
  const job = last.jobs[0] as Job;
  const held = () => job.operatorNodes.reduce((n, o) => n + o.operator.stateSize(), 0);
  while (held() < KEYS) {
    if (job.status !== 'RUNNING') throw job.error ?? new Error(`job ${job.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (checkpointDir === null) {
    gc?.();
    stateHeap = process.memoryUsage().heapUsed - heapBefore;
  }
  const rows0 = job.recordsIn;
  const checkpoints0 = job.checkpoints?.completed ?? 0;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, DURATION_S * 1000));
  const rows = job.recordsIn - rows0;
  const seconds = (performance.now() - started) / 1000;
  const keys = held();
  const taken = (job.checkpoints?.completed ?? 0) - checkpoints0;
  const stats = taken > 0 ? (job.checkpoints?.history ?? []).slice(-taken) : [];
  job.cancel();
  await last.done;
  return { rows, seconds, keys, stats };
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

const dir = mkdtempSync(join(tmpdir(), 'rivulet-bench-ckpt-'));
try {
  console.log(`GROUP BY over ${fmt(KEYS)} keys, ${DURATION_S} s per run, checkpoint interval ${INTERVAL}`);
  const off = await runFor(null);
  console.log(
    `without checkpoints: ${fmt(off.rows / off.seconds)} rows/s (${fmt(off.rows)} rows, ${fmt(off.keys)} keys held)`,
  );
  if (gc) console.log(`state in memory: ${mb(stateHeap)} of heap (${fmt(stateHeap / KEYS)} bytes per key)`);
  const on = await runFor(dir);
  console.log(
    `with checkpoints:    ${fmt(on.rows / on.seconds)} rows/s (${fmt(on.rows)} rows, ${fmt(on.keys)} keys held, ${on.stats.length} checkpoints)`,
  );
  for (const s of on.stats)
    console.log(
      `  checkpoint ${s.id}: pause ${s.pauseMs.toFixed(0)} ms (stop-the-world), async write ${s.asyncMs.toFixed(0)} ms, size ${mb(s.bytes)}`,
    );
  const cost = 1 - on.rows / on.seconds / (off.rows / off.seconds);
  console.log(`throughput cost of checkpointing: ${(cost * 100).toFixed(1)} %`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
