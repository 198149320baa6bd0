/**
 * Kafka end-to-end benchmark (issue 8). Steps:
 *   1. start the test broker (or use RIVULET_KAFKA_BOOTSTRAP);
 *   2. produce N JSON records of about 200 bytes to an 8-partition topic;
 *   3. the ceiling: kafkajs alone consuming the N records (eachBatch, no decoding) — records/s;
 *   4. Rivulet: a bounded kafka table (earliest -> latest offsets) through a filter and a projection
 *      into another 8-partition topic, acks=all — records/s of input read, decoded, filtered, encoded
 *      and acknowledged by the broker; and the ratio to the ceiling;
 *   5. latency (bench/kafka-latency.ts): p50/p99 from produce to visible in the output topic, for a
 *      pass-through and a 1-second tumbling-window query, at a steady input rate.
 * Usage: npm exec -- node bench/kafka.ts [--records N] [--rate R (10000)] [--seconds S (10)]
 *        [--latency-only] [--buffer-timeout DURATION (execution.buffer-timeout, e.g. '50ms'; default 0)]
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { Session } from '../runtime/session.ts';
import { startBroker } from '../test/kafka/broker.ts';
import { measureLatency } from './kafka-latency.ts';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const N = flag('--records', 200_000);
const RATE = flag('--rate', 10_000);
const SECONDS = flag('--seconds', 10);
const LATENCY_ONLY = process.argv.includes('--latency-only');
const BUFFER_TIMEOUT = process.argv.includes('--buffer-timeout')
  ? (process.argv[process.argv.indexOf('--buffer-timeout') + 1] as string)
  : undefined;
if (BUFFER_TIMEOUT !== undefined) console.log(`execution.buffer-timeout = ${BUFFER_TIMEOUT}`);
const PARTITIONS = 8;

const external = process.env['RIVULET_KAFKA_BOOTSTRAP'];
const broker = external ? null : await startBroker();
const bootstrap = external ?? (broker?.bootstrap as string);
const kafka = new Kafka({ clientId: 'rivulet-bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });

try {
  if (!LATENCY_ONLY) await throughput();
  // 5. Latency at a steady rate.
  await measureLatency({
    kafka,
    bootstrap,
    rate: RATE,
    seconds: SECONDS,
    ...(BUFFER_TIMEOUT !== undefined ? { bufferTimeout: BUFFER_TIMEOUT } : {}),
  });
} finally {
  await broker?.stop();
}

async function throughput(): Promise<void> {
  const suffix = Date.now().toString(36);
  const input = `bench-in-${suffix}`;
  const output = `bench-out-${suffix}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [input, output].map((topic) => ({ topic, numPartitions: PARTITIONS })),
    waitForLeaders: true,
  });

  // 2. Produce.
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const pad = 'x'.repeat(108);
  let bytes = 0;
  const produceStart = performance.now();
  for (let i = 0; i < N; i += 5000) {
    const messages = [];
    for (let j = i; j < Math.min(N, i + 5000); j++) {
      const value = JSON.stringify({
        id: j,
        user: `user-${j % 1000}`,
        amount: (j % 997) / 10,
        category: ['books', 'games', 'music', 'tools'][j % 4],
        ts: 1_700_000_000_000 + j,
        note: pad,
      });
      bytes += value.length;
      messages.push({ value, partition: j % PARTITIONS });
    }
    await producer.send({ topic: input, acks: 1, messages });
  }
  await producer.disconnect();
  const produceMs = performance.now() - produceStart;
  console.log(`produced ${N} records (avg ${(bytes / N).toFixed(0)} bytes) in ${produceMs.toFixed(0)} ms`);

  // 3. kafkajs raw consume.
  const consumer = kafka.consumer({ groupId: `bench-raw-${suffix}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [input], fromBeginning: true });
  let seen = 0;
  let rawStart = 0;
  const rawDone = new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (rawStart === 0) rawStart = performance.now();
        seen += batch.messages.length;
        if (seen >= N) resolve();
      },
    });
  });
  const rawWall = performance.now();
  await rawDone;
  const rawEnd = performance.now();
  await consumer.disconnect();
  const rawRate = N / ((rawEnd - rawStart) / 1000);
  console.log(
    `kafkajs raw consume: ${rawRate.toFixed(0)} records/s (${(rawEnd - rawStart).toFixed(0)} ms from the first batch; ${(rawEnd - rawWall).toFixed(0)} ms with the group join)`,
  );

  // 4. Rivulet end to end.
  const session = new Session();
  if (BUFFER_TIMEOUT !== undefined) session.options.set('execution.buffer-timeout', BUFFER_TIMEOUT);
  const common = `'connector' = 'kafka', 'properties.bootstrap.servers' = '${bootstrap}', 'format' = 'json'`;
  await session.executeScript(`
    CREATE TABLE src (id BIGINT, \`user\` STRING, amount DOUBLE, category STRING, ts BIGINT, note STRING)
      WITH (${common}, 'topic' = '${input}', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');
    CREATE TABLE dst (id BIGINT, \`user\` STRING, amount DOUBLE) WITH (${common}, 'topic' = '${output}');`);
  const start = performance.now();
  const [result] = await session.executeScript(
    `INSERT INTO dst SELECT id, \`user\`, amount * 1.2 FROM src WHERE category <> 'tools'`,
  );
  if (result?.kind !== 'jobs') throw new Error('expected a job');
  await result.done;
  const ms = performance.now() - start;
  const offsets = await admin.fetchTopicOffsets(output);
  const written = offsets.reduce((n, o) => n + Number(o.high), 0);
  await admin.disconnect();
  const rate = N / (ms / 1000);
  console.log(
    `rivulet kafka -> filter/projection -> kafka: ${rate.toFixed(0)} records/s in (${written} written, ${ms.toFixed(0)} ms including the group join)`,
  );
  console.log(`ratio to the kafkajs raw consume ceiling: ${((rate / rawRate) * 100).toFixed(1)}%`);
  if (written !== N - N / 4) throw new Error(`expected ${N - N / 4} records written, found ${written}`);
}
