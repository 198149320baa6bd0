/**
 * The test broker behaves as the Kafka that Rivulet's connectors rely on: messages round-trip with
 * keys and headers, keyed messages stick to one partition of a multi-partition topic, and a
 * read_committed consumer sees committed transactions only, while offsets sent within a transaction
 * commit or vanish with it (the ground of exactly-once sinks).
 */
import { type Admin, type Kafka, Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kafkaClient, readUntil, uniqueName } from './support.ts';

const bootstrap = inject('kafkaBootstrap');
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  kafka = kafkaClient(bootstrap);
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
});

async function createTopic(prefix: string, numPartitions: number): Promise<string> {
  const topic = uniqueName(prefix);
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  expect(created).toBe(true);
  return topic;
}

async function withProducer<T>(
  config: Parameters<Kafka['producer']>[0],
  use: (producer: Producer) => Promise<T>,
): Promise<T> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
  await producer.connect();
  try {
    return await use(producer);
  } finally {
    await producer.disconnect();
  }
}

describe('the Kafka test broker', () => {
  it('answers at the bootstrap address and has a controller', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toContain(bootstrap);
    expect(cluster.controller).not.toBeNull();
  });

  it('round-trips values, keys, null values and headers, in order, with consecutive offsets', async () => {
    const topic = await createTopic('roundtrip', 1);
    await withProducer({}, (producer) =>
      producer.send({
        topic,
        messages: [
          { key: 'k1', value: 'first', headers: { source: 'test', n: '1' } },
          { key: null, value: 'second' },
          { key: 'k3', value: null },
          { value: 'ünïcödé ✓' },
        ],
      }),
    );
    const received = await readUntil(kafka, topic, (got) => got.length === 4);
    for (const m of received) expect(Number(m.timestamp)).toBeGreaterThan(0);
    expect(received.map(({ timestamp: _, ...rest }) => rest)).toEqual([
      { partition: 0, offset: '0', key: 'k1', value: 'first', headers: { source: 'test', n: '1' } },
      { partition: 0, offset: '1', key: null, value: 'second', headers: {} },
      { partition: 0, offset: '2', key: 'k3', value: null, headers: {} },
      { partition: 0, offset: '3', key: null, value: 'ünïcödé ✓', headers: {} },
    ]);
  });

  it('refuses to produce to a topic that does not exist (no auto-creation)', async () => {
    const topic = uniqueName('missing');
    await expect(
      withProducer({ retry: { retries: 1, initialRetryTime: 50 } }, (producer) =>
        producer.send({ topic, messages: [{ value: 'x' }] }),
      ),
    ).rejects.toThrow();
    const { topics } = await admin.fetchTopicMetadata();
    expect(topics.map((t) => t.name)).not.toContain(topic);
  });

  it('creates a topic with several partitions; keyed messages keep to one partition each, in order', async () => {
    const partitions = 4;
    const topic = await createTopic('keyed', partitions);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);

    const keys = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
    const perKey = 5;
    const messages: { key: string; value: string }[] = [];
    for (let i = 0; i < perKey; i++) {
      for (const key of keys) messages.push({ key, value: `${key}:${i}` });
    }
    const sent = await withProducer({}, (producer) => producer.send({ topic, messages }));
    // Where the producer says each partition's batch went.
    const sentPartitions = new Set(sent.map((meta) => meta.partition));

    const received = await readUntil(kafka, topic, (got) => got.length === messages.length);
    const partitionsOfKey = new Map<string, Set<number>>();
    const valuesOfKey = new Map<string, string[]>();
    for (const message of received) {
      const key = message.key!;
      if (!partitionsOfKey.has(key)) partitionsOfKey.set(key, new Set());
      partitionsOfKey.get(key)!.add(message.partition);
      valuesOfKey.set(key, [...(valuesOfKey.get(key) ?? []), message.value!]);
    }
    for (const key of keys) {
      expect(partitionsOfKey.get(key)?.size, `partitions of key ${key}`).toBe(1);
      expect(valuesOfKey.get(key)).toEqual(Array.from({ length: perKey }, (_, i) => `${key}:${i}`));
    }
    const used = new Set(received.map((m) => m.partition));
    expect(used.size).toBeGreaterThan(1);
    expect(used).toEqual(sentPartitions);

    // Every partition's high watermark accounts for exactly the messages read from it.
    const offsets = await admin.fetchTopicOffsets(topic);
    for (const { partition, high } of offsets) {
      expect(Number(high)).toBe(received.filter((m) => m.partition === partition).length);
    }
  });

  it('sends a message to the partition the producer names', async () => {
    const topic = await createTopic('explicit', 3);
    await withProducer({}, (producer) =>
      producer.send({ topic, messages: [{ key: 'any', value: 'to-two', partition: 2 }] }),
    );
    const received = await readUntil(kafka, topic, (got) => got.length === 1);
    expect(received.map((m) => [m.partition, m.value])).toEqual([[2, 'to-two']]);
  });
});

describe('transactions', () => {
  it('a read_committed consumer sees committed transactions and never aborted ones', async () => {
    const topic = await createTopic('txn', 1);
    await withProducer(
      { transactionalId: uniqueName('txn-producer'), idempotent: true, maxInFlightRequests: 1 },
      async (producer) => {
        const first = await producer.transaction();
        await first.send({ topic, messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
        await first.commit();

        const second = await producer.transaction();
        await second.send({ topic, messages: [{ value: 'aborted' }] });
        await second.abort();

        const third = await producer.transaction();
        await third.send({ topic, messages: [{ value: 'committed-3' }] });
        await third.commit();
      },
    );

    const committed = await readUntil(kafka, topic, (got) => got.some((m) => m.value === 'committed-3'));
    expect(committed.map((m) => m.value)).toEqual(['committed-1', 'committed-2', 'committed-3']);

    // The aborted record was really written: an uncommitted reader sees it.
    const everything = await readUntil(kafka, topic, (got) => got.some((m) => m.value === 'committed-3'), {
      readUncommitted: true,
    });
    expect(everything.map((m) => m.value)).toEqual(['committed-1', 'committed-2', 'aborted', 'committed-3']);

    // Each commit or abort writes a control record that takes an offset: data offsets 0, 1 | 2 commit
    // marker | 3 aborted | 4 abort marker | 5 | 6 commit marker. So "last offset + 1" is below the
    // high watermark, which a source must not mistake for unread data.
    expect(everything.map((m) => m.offset)).toEqual(['0', '1', '3', '5']);
    const [partition] = await admin.fetchTopicOffsets(topic);
    expect(partition!.high).toBe('7');
  });

  it('a read_committed consumer waits for an open transaction, then sees it once committed', async () => {
    const topic = await createTopic('txn-open', 1);
    await withProducer(
      { transactionalId: uniqueName('txn-open-producer'), idempotent: true, maxInFlightRequests: 1 },
      async (producer) => {
        const open = await producer.transaction();
        await open.send({ topic, messages: [{ value: 'pending' }] });
        // A plain (non-transactional) producer's record after the open transaction's: still hidden
        // from read_committed readers, who stop at the first offset of an open transaction.
        await withProducer({}, (plain) => plain.send({ topic, messages: [{ value: 'plain-after' }] }));

        await expect(readUntil(kafka, topic, (got) => got.length > 0, { timeoutMs: 2_000 })).rejects.toThrow(
          /condition not met/,
        );

        await open.commit();
      },
    );
    const received = await readUntil(kafka, topic, (got) => got.length === 2);
    expect(received.map((m) => m.value)).toEqual(['pending', 'plain-after']);
  });

  it("offsets sent within a transaction commit with it, and an aborted transaction's offsets do not", async () => {
    const input = await createTopic('txn-in', 1);
    const output = await createTopic('txn-out', 1);
    const groupId = uniqueName('txn-group');
    await withProducer({}, (producer) =>
      producer.send({ topic: input, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] }),
    );

    await withProducer(
      { transactionalId: uniqueName('txn-ctp'), idempotent: true, maxInFlightRequests: 1 },
      async (producer) => {
        // Processed 'a' and 'b': their results and "next offset to read = 2" commit together.
        const done = await producer.transaction();
        await done.send({ topic: output, messages: [{ value: 'A' }, { value: 'B' }] });
        await done.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic: input, partitions: [{ partition: 0, offset: '2' }] }],
        });
        await done.commit();

        // Processed 'c' but failed before committing: neither the result nor offset 3 survive.
        const failed = await producer.transaction();
        await failed.send({ topic: output, messages: [{ value: 'C' }] });
        await failed.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic: input, partitions: [{ partition: 0, offset: '3' }] }],
        });
        await failed.abort();
      },
    );
    // A plain record after the aborted transaction: reading up to it proves 'C' was skipped.
    await withProducer({}, (producer) => producer.send({ topic: output, messages: [{ value: 'end' }] }));

    const [committedOffsets] = await admin.fetchOffsets({ groupId, topics: [input] });
    expect(committedOffsets!.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '2' })]);

    // A restarted job resumes the group at offset 2 and reads 'c' again.
    const resumed = await readUntil(kafka, input, (got) => got.length === 1, { groupId });
    expect(resumed.map((m) => [m.offset, m.value])).toEqual([['2', 'c']]);

    const results = await readUntil(kafka, output, (got) => got.some((m) => m.value === 'end'));
    expect(results.map((m) => m.value)).toEqual(['A', 'B', 'end']);
  });
});
