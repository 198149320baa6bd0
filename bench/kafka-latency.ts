/**
 * End-to-end latency of continuous Kafka queries at a fixed input rate (issue 8), used by
 * bench/kafka.ts. For each query:
 *   1. create an 8-partition input topic and an 8-partition output topic; start the query as an
 *      INSERT job over an unbounded kafka table (from the earliest offset, so nothing is missed while
 *      it joins its group), in this process;
 *   2. start the load in a child process (bench/kafka-latency-load.ts): it joins a reader of the
 *      output topic, produces ~200-byte JSON records carrying their produce time at a steady rate,
 *      and measures for each result the time it became visible in the output topic minus
 *      - pass-through (filter + projection): the produce time of the record it carries;
 *      - windowed (1-second TUMBLE on the produce time, watermark 100 ms behind): the window's end,
 *        so the figure includes the watermark delay and the wait for every partition's watermark;
 *   3. print p50/p99/max over the results after a 3-second warm-up, and the rate achieved.
 * The load runs in its own process so the engine's work does not delay producing or reading; the
 * machine is shared, so the figures are noisy. The reader's fetch wait (10 ms) is part of what is
 * measured, as for any reader of the output topic.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { Session } from '../runtime/session.ts';
import type { LoadResult, LoadSpec } from './kafka-latency-load.ts';

const PARTITIONS = 8;

export interface LatencyOptions {
  readonly kafka: Kafka;
  readonly bootstrap: string;
  /** Records per second produced. */
  readonly rate: number;
  /** How long records are produced. */
  readonly seconds: number;
  /** `execution.buffer-timeout` of the measured jobs (default: not set, 0). */
  readonly bufferTimeout?: string;
}

export interface LatencyFigures {
  readonly query: string;
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Records actually produced per second. */
  readonly achievedRate: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/** Runs the load process and resolves with its result line. */
function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, 'kafka-latency-load.ts'), JSON.stringify(spec)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{'))
        reject(new Error(`the load process failed (exit ${code}): ${out}`));
      else resolve(JSON.parse(last) as LoadResult);
    });
  });
}

/** Runs both queries and returns their figures (also printed). */
export async function measureLatency(o: LatencyOptions): Promise<LatencyFigures[]> {
  return [
    await runOne(o, 'pass-through', 'record', {
      dstColumns: 'id BIGINT, `user` STRING, amount DOUBLE, sent BIGINT',
      // Every record passes the filter (the closing records do not): one result per record.
      insert: "INSERT INTO dst SELECT id, `user`, amount * 1.2, sent FROM src WHERE category <> 'none'",
    }),
    await runOne(o, 'tumble 1 s', 'window', {
      dstColumns: 'window_end TIMESTAMP(3), n BIGINT',
      insert: `INSERT INTO dst SELECT CAST(window_end AS TIMESTAMP(3)), COUNT(*)
        FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(rt), INTERVAL '1' SECOND)) GROUP BY window_start, window_end`,
    }),
  ];
}

async function runOne(
  o: LatencyOptions,
  name: string,
  mode: LoadSpec['mode'],
  q: { readonly dstColumns: string; readonly insert: string },
): Promise<LatencyFigures> {
  const { kafka, bootstrap, rate, seconds } = o;
  const suffix = `${name.replace(/\W+/g, '-')}-${Date.now().toString(36)}`;
  const input = `lat-in-${suffix}`;
  const output = `lat-out-${suffix}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [input, output].map((topic) => ({ topic, numPartitions: PARTITIONS })),
    waitForLeaders: true,
  });
  const common = `'connector' = 'kafka', 'properties.bootstrap.servers' = '${bootstrap}', 'format' = 'json'`;
  const session = new Session();
  if (o.bufferTimeout !== undefined) session.options.set('execution.buffer-timeout', o.bufferTimeout);
  // The rowtime is the produce time carried in the record; the session time zone is UTC.
  await session.executeScript(`
    CREATE TABLE src (id BIGINT, \`user\` STRING, amount DOUBLE, category STRING, sent BIGINT, note STRING,
      rt AS TO_TIMESTAMP_LTZ(sent, 3), WATERMARK FOR rt AS rt - INTERVAL '0.1' SECOND)
      WITH (${common}, 'topic' = '${input}', 'scan.startup.mode' = 'earliest-offset');
    CREATE TABLE dst (${q.dstColumns}) WITH (${common}, 'topic' = '${output}');`);
  const [job] = await session.executeScript(q.insert);
  if (job?.kind !== 'jobs') throw new Error('expected a job');
  const expected = mode === 'record' ? rate * seconds : Math.floor(seconds);
  const load = await runLoad({
    bootstrap,
    input,
    output,
    rate,
    seconds,
    partitions: PARTITIONS,
    mode,
    expected,
  });
  for (const j of job.jobs) j.cancel();
  await job.done;
  await admin.disconnect();
  if (load.results < expected)
    throw new Error(`${name}: ${load.results} results of ${expected} expected arrived`);
  const sorted = [...load.samples].sort((a, b) => a - b);
  const figures: LatencyFigures = {
    query: name,
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    achievedRate: load.achievedRate,
  };
  console.log(
    `latency, ${name} at ${load.achievedRate.toFixed(0)} records/s (${rate} asked) for ${load.produceSeconds.toFixed(1)} s: p50 ${figures.p50} ms, p99 ${figures.p99} ms, max ${figures.max} ms (${figures.samples} results after a 3 s warm-up)`,
  );
  return figures;
}
