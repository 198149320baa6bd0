/**
 * The load side of bench/kafka-latency.ts, run as a child process so that the engine under test does
 * not share its event loop. Steps:
 *   1. join a consumer (fresh group) of the output topic and print `ready`;
 *   2. produce JSON records (about 200 bytes, each carrying its produce time `sent` in ms) to the input
 *      topic at a steady rate: every TICK_MS, as many records as keep the total on rate * elapsed (at
 *      most MAX_SEND per request: the broker refuses requests over 1 MB), round-robin over partitions;
 *      then one record per partition 2 s ahead, which moves every partition's watermark past the run;
 *   3. for each result seen on the output topic, latency = the time it was seen minus
 *      - `record` mode: the `sent` time of the record it carries;
 *      - `window` mode: its window's end (`window_end`, UTC), the earliest moment the window's last
 *        input could have been produced;
 *      results for inputs produced in the first WARMUP_MS are left out;
 *   4. once `expected` results arrived (or after 60 s), print one JSON line with the samples.
 * Usage: node bench/kafka-latency-load.ts '<json LoadSpec>'
 */
import { Kafka, logLevel } from 'kafkajs';

export interface LoadSpec {
  readonly bootstrap: string;
  readonly input: string;
  readonly output: string;
  readonly rate: number;
  readonly seconds: number;
  readonly partitions: number;
  readonly mode: 'record' | 'window';
  readonly expected: number;
}

export interface LoadResult {
  readonly results: number;
  readonly samples: number[];
  readonly achievedRate: number;
  readonly produceSeconds: number;
}

const WARMUP_MS = 3000;
const TICK_MS = 5;
const MAX_SEND = 2000;

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

async function main(spec: LoadSpec): Promise<LoadResult> {
  const kafka = new Kafka({
    clientId: 'rivulet-latency-load',
    brokers: [spec.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const samples: number[] = [];
  let measureFrom = Number.POSITIVE_INFINITY;
  let results = 0;
  const consumer = kafka.consumer({ groupId: `lat-read-${Date.now().toString(36)}`, maxWaitTimeInMs: 10 });
  await consumer.connect();
  await consumer.subscribe({ topics: [spec.output], fromBeginning: true });
  let joined: () => void = () => {};
  const join = new Promise<void>((r) => {
    joined = r;
  });
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const seenAt = Date.now();
      for (const m of batch.messages) {
        results++;
        const value = JSON.parse(m.value?.toString('utf8') ?? '{}') as Record<string, unknown>;
        const origin =
          spec.mode === 'record'
            ? (value['sent'] as number)
            : Date.parse(`${String(value['window_end']).replace(' ', 'T')}Z`);
        if (origin >= measureFrom) samples.push(seenAt - origin);
      }
    },
  });
  await join;
  process.stdout.write('ready\n');

  const producer = kafka.producer();
  await producer.connect();
  const pad = 'x'.repeat(100);
  const categories = ['books', 'games', 'music', 'tools'];
  const total = spec.rate * spec.seconds;
  const started = Date.now();
  measureFrom = started + WARMUP_MS;
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * spec.rate), sent + MAX_SEND);
    if (due > sent) {
      const now = Date.now();
      const messages: { value: string; partition: number }[] = [];
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
          partition: j % spec.partitions,
        });
      }
      sent = due;
      await sendRetrying(() => producer.send({ topic: spec.input, acks: 1, messages }));
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  const produceSeconds = (Date.now() - started) / 1000;
  const closing = Date.now() + 2000;
  await sendRetrying(() =>
    producer.send({
      topic: spec.input,
      acks: 1,
      messages: Array.from({ length: spec.partitions }, (_, p) => ({
        value: JSON.stringify({ id: -1, user: 'end', amount: 0, category: 'none', sent: closing, note: '' }),
        partition: p,
      })),
    }),
  );
  await producer.disconnect();
  const deadline = Date.now() + 60_000;
  while (results < spec.expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await consumer.disconnect();
  return { results, samples, achievedRate: sent / produceSeconds, produceSeconds };
}

if (process.argv[2] !== undefined) {
  const result = await main(JSON.parse(process.argv[2]) as LoadSpec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
