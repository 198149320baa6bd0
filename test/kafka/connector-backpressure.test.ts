/**
 * Backpressure of the Kafka source: when the runtime stops pulling, the source stops fetching (its
 * partitions are paused once their buffers are full) instead of buffering the topic; pulling again
 * resumes them and every record arrives once, in offset order.
 */
import { Partitioners } from 'kafkajs';
import { expect, inject, it } from 'vitest';
import { T } from '../../catalog/types.ts';
import { kafkaConnector } from '../../connectors/kafka/index.ts';
import { BUFFER_PER_PARTITION, type KafkaSource } from '../../connectors/kafka/source.ts';
import { kafkaClient, uniqueName } from './support.ts';

const bootstrap = inject('kafkaBootstrap');

it('pauses a partition whose buffer is full and loses nothing on resume', async () => {
  const kafka = kafkaClient(bootstrap, 'rivulet-backpressure-test');
  const admin = kafka.admin();
  await admin.connect();
  const topic = uniqueName('bp');
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const total = 60_000;
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const pad = 'p'.repeat(80);
  for (let i = 0; i < total; i += 2000) {
    await producer.send({
      topic,
      messages: Array.from({ length: 2000 }, (_, j) => ({ value: `{"i":${i + j},"pad":"${pad}"}` })),
    });
  }
  await producer.disconnect();

  const source = kafkaConnector.createSource?.({
    name: 'bp',
    columns: [
      { name: 'i', type: T.int() },
      { name: 'pad', type: T.string() },
    ],
    options: new Map([
      ['connector', 'kafka'],
      ['properties.bootstrap.servers', bootstrap],
      ['topic', topic],
      ['format', 'json'],
      ['scan.startup.mode', 'earliest-offset'],
      ['scan.bounded.mode', 'latest-offset'],
    ]),
  }) as KafkaSource;
  await source.open({ jobName: 'bp', now: Date.now, skipped: () => {} });
  try {
    // Nobody pulls: the buffer fills up to the limit (plus at most one fetch) and then stops growing.
    await new Promise((r) => setTimeout(r, 3000));
    const held = source.buffered();
    expect(held).toBeGreaterThanOrEqual(BUFFER_PER_PARTITION);
    expect(held).toBeLessThan(total / 2);
    await new Promise((r) => setTimeout(r, 1000));
    expect(source.buffered()).toBe(held);
    const seen: number[] = [];
    for (;;) {
      const batch = await source.next(1000);
      if (batch === null) break;
      for (const row of batch.rows) seen.push(row[0] as number);
    }
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
  } finally {
    await source.close();
  }
});
