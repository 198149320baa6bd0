/**
 * Formats over a real Kafka topic, as the Kafka connectors will use them: rows encoded by a format's
 * encoder travel through the broker as message keys and values and decode back to the same changes;
 * a malformed message among good ones is skipped and reported with ignore-parse-errors.
 */
import { Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LogicalType, type RowField, T } from '../../catalog/types.ts';
import { type DecodeResult, formatFor } from '../../connectors/formats/index.ts';
import { type Row, RowKind } from '../../operators/api.ts';
import { kafkaClient, uniqueName } from './support.ts';

const kafka = kafkaClient(inject('kafkaBootstrap'), 'rivulet-formats-test');
const admin = kafka.admin();

beforeAll(() => admin.connect());
afterAll(() => admin.disconnect());

function rowType(fields: Record<string, LogicalType>): LogicalType {
  return T.row(
    Object.entries(fields).map(([name, type]): RowField => ({ name, type })),
    false,
  );
}

/** Sends messages to a fresh one-partition topic and reads their raw keys and values back in order. */
async function throughKafka(
  messages: { key: Uint8Array | null; value: Uint8Array | null }[],
): Promise<{ key: Uint8Array | null; value: Uint8Array | null }[]> {
  const topic = uniqueName('formats');
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({
      topic,
      messages: messages.map((m) => ({
        key: m.key === null ? null : Buffer.from(m.key),
        value: m.value === null ? null : Buffer.from(m.value),
      })),
    });
  } finally {
    await producer.disconnect();
  }
  const consumer = kafka.consumer({ groupId: uniqueName('formats-group'), maxWaitTimeInMs: 100 });
  const received: { key: Uint8Array | null; value: Uint8Array | null }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; received ${received.length}`)), 30_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            received.push({
              key: message.key === null ? null : new Uint8Array(message.key),
              value: message.value === null ? null : new Uint8Array(message.value),
            });
            if (received.length === messages.length) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

function flatten(results: DecodeResult[]): { kinds: RowKind[]; rows: Row[] } {
  return { kinds: results.flatMap((r) => r.kinds), rows: results.flatMap((r) => r.rows) };
}

describe('formats through Kafka', () => {
  it('debezium-json values with json keys carry a changelog', async () => {
    const table = rowType({ id: T.bigint(false), name: T.string(), balance: T.decimal(20, 2) });
    const keyType = rowType({ id: T.bigint(false) });
    const options = new Map<string, string>();
    const value = formatFor('debezium-json');
    const key = formatFor('json');
    const encodeValue = value.createEncoder(table, options, 'value.');
    const encodeKey = key.createEncoder(keyType, options, 'key.');
    const changes: [RowKind, Row][] = [
      [RowKind.INSERT, [9007199254740993n, 'ada', 1000n]],
      [RowKind.UPDATE_BEFORE, [9007199254740993n, 'ada', 1000n]],
      [RowKind.UPDATE_AFTER, [9007199254740993n, 'ada', 250075n]],
      [RowKind.INSERT, [2n, null, null]],
      [RowKind.DELETE, [2n, null, null]],
    ];
    const received = await throughKafka(
      changes.map(([kind, row]) => ({
        key: encodeKey(RowKind.INSERT, [row[0]]),
        value: encodeValue(kind, row),
      })),
    );

    const decodeValue = value.createDecoder(table, options, 'value.');
    const decodeKey = key.createDecoder(keyType, options, 'key.');
    expect(received.map((m) => decodeKey(m.key).rows[0])).toEqual(changes.map(([, row]) => [row[0]]));
    // Debezium-json writes an update as delete + create; each comes back as its own change.
    expect(flatten(received.map((m) => decodeValue(m.value)))).toEqual({
      kinds: [RowKind.INSERT, RowKind.DELETE, RowKind.INSERT, RowKind.INSERT, RowKind.DELETE],
      rows: changes.map(([, row]) => row),
    });
  });

  it('avro values with raw keys, NULL values as tombstones', async () => {
    const table = rowType({
      id: T.string(false),
      amount: T.decimal(38, 18),
      at: T.timestampLtz(3),
      tags: T.array(T.string()),
      attributes: T.map(T.string(), T.row([{ name: 'weight', type: T.double() }])),
    });
    const options = new Map<string, string>();
    const value = formatFor('avro');
    const key = formatFor('raw');
    const keyType = rowType({ id: T.string() });
    const rows: Row[] = [
      ['a', 123456789012345678901234567890123456n, 1700000000123, ['x', null], new Map([['w', [0.5]]])],
      ['b', -1n, 0, [], new Map()],
    ];
    const encodeValue = value.createEncoder(table, options, '');
    const encodeKey = key.createEncoder(keyType, options, 'key.');
    const received = await throughKafka([
      ...rows.map((row) => ({
        key: encodeKey(RowKind.INSERT, [row[0]]),
        value: encodeValue(RowKind.INSERT, row),
      })),
      { key: encodeKey(RowKind.INSERT, ['a']), value: null },
    ]);
    const decodeValue = value.createDecoder(table, options, '');
    const decodeKey = key.createDecoder(keyType, options, 'key.');
    expect(received.map((m) => decodeKey(m.key).rows[0])).toEqual([['a'], ['b'], ['a']]);
    expect(received.slice(0, 2).map((m) => decodeValue(m.value).rows[0])).toEqual(rows);
    expect(received[2]?.value).toBeNull();
    expect(decodeValue(null)).toEqual({ kinds: [], rows: [] });
  });

  it('a malformed message between good ones is skipped and reported with json.ignore-parse-errors', async () => {
    const table = rowType({ n: T.int(), s: T.string() });
    const options = new Map([['value.json.ignore-parse-errors', 'true']]);
    const encoder = new TextEncoder();
    const received = await throughKafka(
      ['{"n":1,"s":"a"}', '{"n":"two"}', '{"n":3', '{"n":4,"s":null}'].map((text) => ({
        key: null,
        value: encoder.encode(text),
      })),
    );
    const decode = formatFor('json').createDecoder(table, options, 'value.');
    const results = received.map((m) => decode(m.value));
    expect(flatten(results).rows).toEqual([
      [1, 'a'],
      [4, null],
    ]);
    expect(results.map((r) => r.skipped?.code ?? 'ok')).toEqual([
      'ok',
      'FORMAT_DECODE',
      'FORMAT_DECODE',
      'ok',
    ]);
    expect(results[1]?.skipped?.message).toBe(
      "Cannot decode a 'json' message: field 'n': 'two' is not an INT",
    );
  });
});
