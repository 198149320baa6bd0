/**
 * Consumer lag of the Kafka source per partition (records between the next offset to hand out and
 * the partition's high watermark), as SHOW JOB and /metrics report it.
 */
import { expect, inject, it } from 'vitest';
import { T } from '../../catalog/types.ts';
import { kafkaConnector } from '../../connectors/kafka/index.ts';
import type { KafkaSource } from '../../connectors/kafka/source.ts';
import { Session, type StatementResult } from '../../runtime/session.ts';
import { kafkaClient, uniqueName } from './support.ts';

const bootstrap = inject('kafkaBootstrap');

async function eventually(f: () => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!f()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function topicWith(partitions: number, counts: readonly number[]): Promise<string> {
  const kafka = kafkaClient(bootstrap, 'rivulet-lag-test');
  const admin = kafka.admin();
  await admin.connect();
  const topic = uniqueName('lag');
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
  await produce(topic, counts, 0);
  return topic;
}

async function produce(topic: string, counts: readonly number[], from: number): Promise<void> {
  const producer = kafkaClient(bootstrap, 'rivulet-lag-test').producer();
  await producer.connect();
  for (const [partition, n] of counts.entries()) {
    if (n === 0) continue;
    await producer.send({
      topic,
      messages: Array.from({ length: n }, (_, i) => ({ partition, value: `{"i":${from + i}}` })),
    });
  }
  await producer.disconnect();
}

it('reports lag per partition: what is not pulled yet, also records produced after the start', async () => {
  const topic = await topicWith(2, [30, 12]);
  const source = kafkaConnector.createSource?.({
    name: 'lag',
    columns: [{ name: 'i', type: T.int() }],
    options: new Map([
      ['connector', 'kafka'],
      ['properties.bootstrap.servers', bootstrap],
      ['topic', topic],
      ['format', 'json'],
      ['scan.startup.mode', 'earliest-offset'],
    ]),
  }) as KafkaSource;
  await source.open({ jobName: 'lag', now: Date.now, skipped: () => {} });
  try {
    // Nothing pulled yet: all of it is lag.
    expect(Object.fromEntries(source.lag())).toEqual({ [`${topic}-0`]: 30, [`${topic}-1`]: 12 });
    let read = 0;
    while (read < 42) read += (await source.next(7))?.rows.length ?? 0;
    expect(Object.fromEntries(source.lag())).toEqual({ [`${topic}-0`]: 0, [`${topic}-1`]: 0 });
    // New records: the source learns the new high watermark from a fetch or its periodic admin read.
    await produce(topic, [0, 5], 100);
    await eventually(() => source.lag().get(`${topic}-1`) === 5);
    expect(source.lag().get(`${topic}-0`)).toBe(0);
    while (read < 47) read += (await source.next(100))?.rows.length ?? 0;
    expect(source.lag().get(`${topic}-1`)).toBe(0);
  } finally {
    await source.close();
  }
});

it('shows the lag of a running job in SHOW JOBS and SHOW JOB', async () => {
  const topic = await topicWith(1, [25]);
  const s = new Session();
  const results = await s.executeScript(`
    CREATE TABLE k (i INT) WITH ('connector' = 'kafka', 'properties.bootstrap.servers' = '${bootstrap}',
      'topic' = '${topic}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
    CREATE TABLE out (i INT) WITH ('connector' = 'blackhole');
    INSERT INTO out SELECT i FROM k;`);
  const r = results[results.length - 1] as Extract<StatementResult, { kind: 'jobs' }>;
  const job = r.jobs[0];
  try {
    await eventually(() => (job?.recordsOut ?? 0) === 25);
    const jobs = (await s.executeScript('SHOW JOBS'))[0] as Extract<StatementResult, { kind: 'table' }>;
    expect(jobs.rows[0]?.[8]).toBe('0');
    const text = (await s.executeScript(`SHOW JOB '${job?.id}'`))[0] as Extract<
      StatementResult,
      { kind: 'explain' }
    >;
    expect(text.text).toContain(`Source lag:\n  1:Source(k) ${topic}-0: 0 records behind`);
  } finally {
    job?.cancel();
    await r.done.catch(() => {});
  }
});
