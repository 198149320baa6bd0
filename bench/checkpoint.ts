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
 * QUERY picks the state's shape (the pause is what copy-on-write state must keep small for each):
 *   group  the GROUP BY above: one accumulator per key;
 *   over   `SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)` over KEYS
 *          random keys, on event time: per partition its accumulator and the 10 rows of its frame;
 *   match  MATCH_RECOGNIZE over KEYS partitions (a rise of two or more rows then a fall): per
 *          partition its held rows and the matcher's attempts.
 * The measured part starts once every key has been seen (over and match: 20 and 4 rows per key read).
 *
 * Run: npm run bench:checkpoint [-- DURATION_S [KEYS [INTERVAL [QUERY]]]]  (defaults: 40, 1000000, 10s,
 * group)
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
const QUERY = process.argv[5] ?? 'group';

/**
 * The generator: `k` a sequence for GROUP BY (every key seen in turn), random keys with the wall clock
 * as event time for OVER and MATCH_RECOGNIZE (a sequence is a bounded source, for which both would
 * buffer their input until it ends).
 */
const SEQUENCE = `'fields.k.kind' = 'sequence', 'fields.k.start' = '0', 'fields.k.end' = '9000000000000'`;
const RANDOM = `'fields.k.min' = '0', 'fields.k.max' = '${KEYS - 1}'`;
const gen = (keys: string, rowtime: boolean) => `CREATE TABLE gen (k BIGINT, v BIGINT${
  rowtime ? `, ts AS LOCALTIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND` : ''
}) WITH ('connector' = 'datagen', 'rows-per-second' = '1000000000', 'seed' = '7', ${keys},
  'fields.v.min' = '1', 'fields.v.max' = '100');`;

/** The script per QUERY, and the rows to read before the measured part starts. */
const QUERIES: Record<string, { sql: string; warmRows: number; label: string }> = {
  group: {
    label: `GROUP BY over ${KEYS.toLocaleString('en-US')} keys`,
    warmRows: KEYS,
    sql: `${gen(SEQUENCE, false)}
      CREATE TABLE sink (k BIGINT, c BIGINT, s BIGINT) WITH ('connector' = 'discard');
      INSERT INTO sink SELECT k % ${KEYS}, COUNT(*), SUM(v) FROM gen GROUP BY k % ${KEYS};`,
  },
  over: {
    label: `OVER (ROWS 9 PRECEDING, event time) over ${KEYS.toLocaleString('en-US')} partitions`,
    warmRows: KEYS * 20,
    sql: `${gen(RANDOM, true)}
      CREATE TABLE sink (k BIGINT, v BIGINT, s BIGINT) WITH ('connector' = 'discard');
      INSERT INTO sink SELECT k, v, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)
      FROM gen;`,
  },
  match: {
    label: `MATCH_RECOGNIZE over ${KEYS.toLocaleString('en-US')} partitions`,
    warmRows: KEYS * 4,
    sql: `${gen(RANDOM, true)}
      CREATE TABLE sink (k BIGINT, first_v BIGINT, top_v BIGINT, n BIGINT) WITH ('connector' = 'discard');
      INSERT INTO sink SELECT * FROM gen
      MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts
        MEASURES FIRST(UP.v) AS first_v, LAST(UP.v) AS top_v, COUNT(UP.v) AS n
        ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW
        PATTERN (UP{2,} DOWN) DEFINE UP AS UP.v >= LAST(UP.v, 1) OR LAST(UP.v, 1) IS NULL, DOWN AS DOWN.v < LAST(UP.v));`,
  },
};
const query = QUERIES[QUERY];
if (query === undefined) throw new Error(`QUERY must be one of ${Object.keys(QUERIES).join(', ')}`);

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
  const results = await session.executeScript(query.sql);
  const last = results[results.length - 1];
  if (last?.kind !== 'jobs') throw new Error('expected a job');
  const job = last.jobs[0] as Job;
  const held = () => job.operatorNodes.reduce((n, o) => n + o.operator.stateSize(), 0);
  while (job.recordsIn < query.warmRows || (QUERY === 'group' && held() < KEYS)) {
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
  console.log(`${query.label}, ${DURATION_S} s per run, checkpoint interval ${INTERVAL}`);
  const off = await runFor(null);
  console.log(
    `without checkpoints: ${fmt(off.rows / off.seconds)} rows/s (${fmt(off.rows)} rows, ${fmt(off.keys)} state entries)`,
  );
  if (gc) console.log(`state in memory: ${mb(stateHeap)} of heap (${fmt(stateHeap / KEYS)} bytes per key)`);
  const on = await runFor(dir);
  console.log(
    `with checkpoints:    ${fmt(on.rows / on.seconds)} rows/s (${fmt(on.rows)} rows, ${fmt(on.keys)} state entries, ${on.stats.length} checkpoints)`,
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
