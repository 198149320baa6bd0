/**
 * End-to-end latency of continuous Kafka queries at a fixed input rate (issue 8), used by
 * bench/kafka.ts. Steps, for each query:
 *   1. create an 8-partition input topic and an output topic; start the query as an INSERT job over
 *      an unbounded kafka table (from the earliest offset, so nothing is missed while it joins);
 *   2. start a kafkajs consumer of the output topic (a fresh group) and wait until it has joined;
 *   3. produce JSON records (about 200 bytes, each carrying its produce time `sent` in ms) at a steady
 *      rate: every 5 ms, as many records as keep the total on rate * elapsed;
 *   4. latency = the time the consumer of the output topic sees a result minus
 *      - pass-through (filter + projection): the `sent` time of the record it carries;
 *      - windowed (1-second TUMBLE on the produce time, watermark 100 ms behind): the window's end,
 *        the earliest moment its last input could have been produced, so the figure includes the
 *        watermark delay and the time for the watermark to pass the window end on every partition;
 *   5. the first WARMUP_MS of results are left out (group joins, JIT); p50/p99/max are printed.
 * The machine is shared: the figures are noisy, and the output consumer's fetch wait (10 ms) is part
 * of what is measured, as it would be for any reader of the output topic.
 */
import type { Kafka } from 'kafkajs';
import { Session } from '../runtime/session.ts';

const PARTITIONS = 8;
const WARMUP_MS = 3000;
const TICK_MS = 5;
const MAX_SEND = 2000;

export interface LatencyOptions {
  readonly kafka: Kafka;
  readonly bootstrap: string;
  /** Records per second produced. */
  readonly rate: number;
  /** How long records are produced. */
  readonly seconds: number;
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

/** Sends, retrying while a freshly created topic's leadership settles (a retriable broker answer). */
async function sendRetrying(send: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await send();
      return;
    } catch (e) {
      if (attempt >= 20 || (e as { retriable?: boolean }).retriable !== true) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/** Runs both queries and returns their figures (also printed). */
export async function measureLatency(o: LatencyOptions): Promise<LatencyFigures[]> {
  const out: LatencyFigures[] = [];
  out.push(
    await runOne(o, 'pass-through', (src, dst) => ({
      dstColumns: 'id BIGINT, `user` STRING, amount DOUBLE, sent BIGINT',
      insert: `INSERT INTO ${dst} SELECT id, \`user\`, amount * 1.2, sent FROM ${src} WHERE category <> 'none'`,
      // Every record passes the filter: one sample per record.
      latencyOf: (value, seenAt) => seenAt - (value['sent'] as number),
    })),
  );
  out.push(
    await runOne(o, 'tumble 1 s', (src, dst) => ({
      dstColumns: 'window_end TIMESTAMP(3), n BIGINT',
      insert: `INSERT INTO ${dst} SELECT CAST(window_end AS TIMESTAMP(3)), COUNT(*)
        FROM TABLE(TUMBLE(TABLE ${src}, DESCRIPTOR(rt), INTERVAL '1' SECOND)) GROUP BY window_start, window_end`,
      // The session time zone is UTC, so the TIMESTAMP text is the UTC wall clock.
      latencyOf: (value, seenAt) => seenAt - Date.parse(`${String(value['window_end']).replace(' ', 'T')}Z`),
    })),
  );
  return out;
}

interface QuerySpec {
  readonly dstColumns: string;
  readonly insert: string;
  readonly latencyOf: (value: Record<string, unknown>, seenAt: number) => number;
}

async function runOne(
  o: LatencyOptions,
  name: string,
  spec: (src: string, dst: string) => QuerySpec,
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
  const q = spec('src', 'dst');
  const common = `'connector' = 'kafka', 'properties.bootstrap.servers' = '${bootstrap}', 'format' = 'json'`;
  const session = new Session();
  // The rowtime is the produce time carried in the record (UTC wall clock as TIMESTAMP(3)).
  await session.executeScript(`
    CREATE TABLE src (id BIGINT, \`user\` STRING, amount DOUBLE, category STRING, sent BIGINT, note STRING,
      rt AS TO_TIMESTAMP_LTZ(sent, 3), WATERMARK FOR rt AS rt - INTERVAL '0.1' SECOND)
      WITH (${common}, 'topic' = '${input}', 'scan.startup.mode' = 'earliest-offset');
    CREATE TABLE dst (${q.dstColumns}) WITH (${common}, 'topic' = '${output}');`);
  const [job] = await session.executeScript(q.insert);
  if (job?.kind !== 'jobs') throw new Error('expected a job');

  // 2. The reader of the output topic.
  const samples: number[] = [];
  let measureFrom = Number.POSITIVE_INFINITY;
  const consumer = kafka.consumer({ groupId: `lat-read-${suffix}`, maxWaitTimeInMs: 10 });
  await consumer.connect();
  await consumer.subscribe({ topics: [output], fromBeginning: true });
  let joined: () => void = () => {};
  const join = new Promise<void>((r) => {
    joined = r;
  });
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  let results = 0;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const seenAt = Date.now();
      for (const m of batch.messages) {
        results++;
        const value = JSON.parse(m.value?.toString('utf8') ?? '{}') as Record<string, unknown>;
        const produced = seenAt - q.latencyOf(value, seenAt);
        if (produced >= measureFrom) samples.push(q.latencyOf(value, seenAt));
      }
    },
  });
  await join;

  // 3. Produce at a steady rate.
  const producer = kafka.producer();
  await producer.connect();
  const pad = 'x'.repeat(100);
  const started = Date.now();
  measureFrom = started + WARMUP_MS;
  let sent = 0;
  const total = rate * seconds;
  const categories = ['books', 'games', 'music', 'tools'];
  while (sent < total) {
    // At most MAX_SEND records per request (the broker refuses requests over 1 MB); a producer that
    // fell behind catches up over the following ticks.
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate), sent + MAX_SEND);
    if (due > sent) {
      const messages: { value: string; partition: number }[] = [];
      const now = Date.now();
      for (let j = sent; j < due; j++) {
        messages.push({
          value: JSON.stringify({
            id: j,
            user: `user-${j % 1000}`,
            amount: (j % 997) / 10,
            category: categories[j % 4],
            sent: now,
            note: pad,
          }),
          partition: j % PARTITIONS,
        });
      }
      sent = due;
      await sendRetrying(() => producer.send({ topic: input, acks: 1, messages }));
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  const achievedRate = sent / ((Date.now() - started) / 1000);
  // Moves the watermark of every partition past the last window.
  const closing = Date.now() + 2000;
  await sendRetrying(() =>
    producer.send({
      topic: input,
      acks: 1,
      messages: Array.from({ length: PARTITIONS }, (_, p) => ({
        value: JSON.stringify({ id: -1, user: 'end', amount: 0, category: 'none', sent: closing, note: '' }),
        partition: p,
      })),
    }),
  );
  await producer.disconnect();

  // 4. Wait for the results: every record (pass-through) or every window of the run (windowed).
  const expected = name === 'pass-through' ? total : Math.floor(seconds);
  const deadline = Date.now() + 60_000;
  while (results < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const j of job.jobs) j.cancel();
  await job.done;
  await consumer.disconnect();
  await admin.disconnect();
  if (results < expected) throw new Error(`${name}: ${results} results of ${expected} expected arrived`);

  const sorted = [...samples].sort((a, b) => a - b);
  const figures: LatencyFigures = {
    query: name,
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    achievedRate,
  };
  console.log(
    `latency, ${name} at ${achievedRate.toFixed(0)} records/s for ${seconds} s: p50 ${figures.p50} ms, p99 ${figures.p99} ms, max ${figures.max} ms (${figures.samples} samples after a ${WARMUP_MS} ms warm-up)`,
  );
  return figures;
}
