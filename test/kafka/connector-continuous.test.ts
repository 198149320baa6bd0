/**
 * An unbounded Kafka table read by a continuous query: records produced while the query runs arrive,
 * cancelling the job leaves no consumer-group member behind, and the committed offsets of
 * `properties.group.id` cover what was processed. Also: client properties (SASL/SSL) are mapped from
 * Flink's names, and bad ones are planning errors.
 */
import { Partitioners } from 'kafkajs';
import { expect, inject, it } from 'vitest';
import { clientConfig } from '../../connectors/kafka/options.ts';
import type { Row } from '../../operators/api.ts';
import { Session } from '../../runtime/session.ts';
import { kafkaClient, uniqueName } from './support.ts';

const bootstrap = inject('kafkaBootstrap');

it('a continuous query sees records produced while it runs, and cancels cleanly', async () => {
  const kafka = kafkaClient(bootstrap, 'rivulet-continuous-test');
  const admin = kafka.admin();
  await admin.connect();
  const topic = uniqueName('cont');
  const group = uniqueName('cont-group');
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  const session = new Session();
  const [, result] = await session.executeScript(`
    CREATE TABLE live (i INT) WITH ('connector' = 'kafka', 'topic' = '${topic}',
      'properties.bootstrap.servers' = '${bootstrap}', 'properties.group.id' = '${group}',
      'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
    SELECT i * 10 FROM live WHERE i > 0`);
  if (result?.kind !== 'query') throw new Error('expected a query');
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const seen: Row[] = [];
  const sending = (async () => {
    for (let i = 0; i <= 20; i++) {
      await producer.send({ topic, messages: [{ value: `{"i":${i}}`, partition: i % 2 }] });
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const timeout = setTimeout(() => result.job.cancel(), 60_000);
  for await (const change of result.sink.changes()) {
    seen.push(change.row);
    if (seen.length === 20) result.job.cancel();
  }
  clearTimeout(timeout);
  await result.done;
  await sending;
  await producer.disconnect();
  expect(seen.map((r) => r[0] as number).sort((a, b) => a - b)).toEqual(
    Array.from({ length: 20 }, (_, i) => (i + 1) * 10),
  );
  // The source's consumer left its group; the user's group has offsets but no members.
  const groups = await admin.describeGroups([group]);
  expect(groups.groups[0]?.members ?? []).toEqual([]);
  const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  const total = (committed[0]?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  expect(total).toBeGreaterThan(0);
  expect(total).toBeLessThanOrEqual(21);
  await admin.disconnect();
});

it('maps SASL and SSL properties to kafkajs and rejects unknown mechanisms', () => {
  const table = (extra: Record<string, string>) => ({
    name: 't',
    columns: [],
    options: new Map(Object.entries({ 'properties.bootstrap.servers': 'a:1, b:2', ...extra })),
  });
  const config = clientConfig(
    table({
      'properties.security.protocol': 'SASL_SSL',
      'properties.sasl.mechanism': 'SCRAM-SHA-512',
      'properties.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3\\"cret";',
      'properties.client.id': 'my-app',
    }),
    'source',
  );
  expect(config.brokers).toEqual(['a:1', 'b:2']);
  expect(config.ssl).toBe(true);
  expect(config.clientId).toBe('my-app');
  expect(config.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'alice', password: 's3"cret' });
  expect(clientConfig(table({}), 'sink').ssl).toBeUndefined();
  expect(() =>
    clientConfig(
      table({ 'properties.security.protocol': 'SASL_PLAINTEXT', 'properties.sasl.mechanism': 'GSSAPI' }),
      'x',
    ),
  ).toThrow(/sasl.mechanism/);
  expect(() => clientConfig(table({ 'properties.security.protocol': 'SASL_PLAINTEXT' }), 'x')).toThrow(
    /username/,
  );
});
