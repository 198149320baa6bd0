/**
 * `scan.topic-partition-discovery.interval`: a continuous query over a `topic-pattern` table reads
 * topics created after it started (when they match the pattern) and partitions added to a topic it
 * reads, each from its earliest offset, without reading anything twice.
 */
import { expect, inject, it } from 'vitest';
import type { Row } from '../../operators/api.ts';
import { Session } from '../../runtime/session.ts';
import { kafkaClient, uniqueName } from './support.ts';

const bootstrap = inject('kafkaBootstrap');

it('discovers new topics matching the pattern and new partitions while the query runs', async () => {
  const kafka = kafkaClient(bootstrap, 'rivulet-discovery-test');
  const admin = kafka.admin();
  await admin.connect();
  const prefix = uniqueName('disc');
  const [a, b, c] = [`${prefix}-a`, `${prefix}-b`, `${prefix}-other`];
  await admin.createTopics({ topics: [{ topic: a, numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  const send = (topic: string, partition: number, i: number) =>
    producer.send({ topic, acks: -1, messages: [{ value: `{"i":${i}}`, partition }] });
  await send(a, 0, 1);

  const session = new Session();
  const [, result] = await session.executeScript(`
    CREATE TABLE events (i INT, t STRING METADATA FROM 'topic' VIRTUAL, p INT METADATA FROM 'partition' VIRTUAL)
    WITH ('connector' = 'kafka', 'topic-pattern' = '${prefix.replace(/-/g, '\\-')}\\-[ab]',
      'properties.bootstrap.servers' = '${bootstrap}', 'scan.startup.mode' = 'earliest-offset',
      'scan.topic-partition-discovery.interval' = '500 ms', 'format' = 'json');
    SELECT i, t, p FROM events`);
  if (result?.kind !== 'query') throw new Error('expected a query');
  const seen: Row[] = [];
  const guard = setTimeout(() => result.job.cancel(), 120_000);
  let grown = false;
  for await (const change of result.sink.changes()) {
    seen.push(change.row);
    if (!grown) {
      grown = true;
      // Created after the job started: a matching topic, a topic that does not match, a partition.
      await admin.createTopics({
        topics: [
          { topic: b, numPartitions: 2 },
          { topic: c, numPartitions: 1 },
        ],
        waitForLeaders: true,
      });
      await admin.createPartitions({ topicPartitions: [{ topic: a, count: 2 }] });
      await send(b, 0, 2);
      await send(b, 1, 3);
      await send(c, 0, 99);
      await send(a, 1, 4);
      await send(a, 0, 5);
    }
    if (seen.length >= 5) result.job.cancel();
  }
  clearTimeout(guard);
  await result.done;
  await producer.disconnect();
  await admin.disconnect();
  const byValue = (x: Row, y: Row) => (x[0] as number) - (y[0] as number);
  expect(seen.sort(byValue)).toEqual([
    [1, a, 0],
    [2, b, 0],
    [3, b, 1],
    [4, a, 1],
    [5, a, 0],
  ]);
}, 150_000);
