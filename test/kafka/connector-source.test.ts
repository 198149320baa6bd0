/**
 * The `kafka` connector's source through SQL against the real broker: bounded reads of multi-partition
 * topics with per-partition order, key/value formats with prefixes, metadata columns, startup modes,
 * option validation, bad records (fail with position, skipped, dead-lettered) and a restart that
 * resumes from committed group offsets.
 */
import { type Kafka, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Row } from '../../operators/api.ts';
import { Session } from '../../runtime/session.ts';
import { queryChanges, queryRows } from '../engine/helpers.ts';
import { kafkaClient, readUntil, uniqueName } from './support.ts';

const bootstrap = inject('kafkaBootstrap');
const kafka: Kafka = kafkaClient(bootstrap, 'rivulet-connector-test');
const admin = kafka.admin();

beforeAll(() => admin.connect());
afterAll(() => admin.disconnect());

async function topic(partitions = 1): Promise<string> {
  const name = uniqueName('src');
  await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions }], waitForLeaders: true });
  return name;
}

type Msg = {
  key?: string | null;
  value: string | null;
  partition?: number;
  headers?: Record<string, string>;
  timestamp?: string;
};

async function produce(t: string, messages: Msg[]): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({
      topic: t,
      acks: -1,
      messages: messages.map((m) => ({ ...m, key: m.key ?? null })),
    });
  } finally {
    await producer.disconnect();
  }
}

function ddl(name: string, columns: string, options: Record<string, string>): string {
  const opts = { connector: 'kafka', 'properties.bootstrap.servers': bootstrap, ...options };
  return `CREATE TABLE ${name} (${columns}) WITH (${Object.entries(opts)
    .map(([k, v]) => `'${k}' = '${v.replace(/'/g, "''")}'`)
    .join(', ')})`;
}

const bounded = { 'scan.startup.mode': 'earliest-offset', 'scan.bounded.mode': 'latest-offset' };

describe('kafka source', () => {
  it('reads a bounded multi-partition topic, keeping each partition in offset order', async () => {
    const t = await topic(3);
    const messages: Msg[] = [];
    for (let i = 0; i < 60; i++)
      messages.push({ value: JSON.stringify({ id: i, p: i % 3 }), partition: i % 3 });
    await produce(t, messages);
    const rows = await queryRows(
      `${ddl('ev', "id INT, p INT, part INT METADATA FROM 'partition' VIRTUAL, off BIGINT METADATA FROM 'offset' VIRTUAL", { topic: t, format: 'json', ...bounded })};
       SELECT id, p, part, off FROM ev`,
    );
    expect(rows).toHaveLength(60);
    for (const part of [0, 1, 2]) {
      const mine = rows.filter((r) => r[2] === part);
      expect(mine.map((r) => r[0])).toEqual(
        mine.map((r) => r[0]).sort((a, b) => (a as number) - (b as number)),
      );
      expect(mine.map((r) => r[3])).toEqual(mine.map((_, i) => BigInt(i)));
      expect(mine.every((r) => r[1] === part)).toBe(true);
    }
  });

  it('reads metadata columns: topic, timestamp, timestamp-type, headers, leader-epoch', async () => {
    const t = await topic(1);
    await produce(t, [{ key: 'k1', value: '{"v":1}', headers: { h: 'x' }, timestamp: '1700000000123' }]);
    const rows = await queryRows(
      `${ddl(
        'm',
        `v INT, tp STRING METADATA FROM 'topic', ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
         tt STRING METADATA FROM 'timestamp-type', hs MAP<STRING, BYTES> METADATA FROM 'headers',
         ep INT METADATA FROM 'leader-epoch'`,
        { topic: t, format: 'json', ...bounded },
      )};
       SELECT v, tp, ts, tt, hs, ep FROM m`,
    );
    expect(rows).toHaveLength(1);
    const [v, tp, ts, tt, hs, ep] = rows[0] as Row;
    expect([v, tp, ts, tt]).toEqual([1, t, 1700000000123, 'CreateTime']);
    expect(new TextDecoder().decode((hs as Map<string, Uint8Array>).get('h'))).toBe('x');
    expect(typeof ep).toBe('number');
  });

  it('reads key fields from the key format with a prefix, value EXCEPT_KEY', async () => {
    const t = await topic(1);
    await produce(t, [
      { key: '{"id":7}', value: '{"name":"a"}' },
      { key: '{"id":8}', value: '{"name":"b"}' },
    ]);
    const rows = await queryRows(
      `${ddl('kv', 'k_id INT, name STRING', {
        topic: t,
        'key.format': 'json',
        'key.fields': 'k_id',
        'key.fields-prefix': 'k_',
        'value.format': 'json',
        'value.fields-include': 'EXCEPT_KEY',
        ...bounded,
      })};
       SELECT k_id, name FROM kv`,
    );
    expect(rows).toEqual([
      [7, 'a'],
      [8, 'b'],
    ]);
  });

  it('honours startup modes: specific-offsets, timestamp, latest-offset', async () => {
    const t = await topic(2);
    const msgs: Msg[] = [];
    for (let i = 0; i < 10; i++)
      msgs.push({ value: `{"i":${i}}`, partition: i % 2, timestamp: String(1_000_000 + i * 1000) });
    await produce(t, msgs);
    const ids = async (opts: Record<string, string>) =>
      (
        await queryRows(
          `${ddl('s', 'i INT', { topic: t, format: 'json', 'scan.bounded.mode': 'latest-offset', ...opts })}; SELECT i FROM s`,
        )
      )
        .map((r) => r[0] as number)
        .sort((a, b) => a - b);
    expect(
      await ids({
        'scan.startup.mode': 'specific-offsets',
        'scan.startup.specific-offsets': 'partition:0,offset:3;partition:1,offset:4',
      }),
    ).toEqual([6, 8, 9]);
    expect(
      await ids({ 'scan.startup.mode': 'timestamp', 'scan.startup.timestamp-millis': '1007000' }),
    ).toEqual([7, 8, 9]);
    expect(await ids({ 'scan.startup.mode': 'latest-offset' })).toEqual([]);
    expect(
      await ids({
        'scan.startup.mode': 'earliest-offset',
        'scan.bounded.mode': 'specific-offsets',
        'scan.bounded.specific-offsets': 'partition:0,offset:1;partition:1,offset:2',
      }),
    ).toEqual([0, 1, 3]);
  });

  it('reads a list of topics and a topic pattern', async () => {
    const a = await topic(1);
    const b = await topic(1);
    await produce(a, [{ value: '{"i":1}' }]);
    await produce(b, [{ value: '{"i":2}' }]);
    const list = await queryRows(
      `${ddl('l', 'i INT', { topic: `${a};${b}`, format: 'json', ...bounded })}; SELECT i FROM l`,
    );
    expect(list.map((r) => r[0]).sort()).toEqual([1, 2]);
    const pat = await queryRows(
      `${ddl('p', 'i INT', { 'topic-pattern': a.replace(/-/g, '\\-'), format: 'json', ...bounded })}; SELECT i FROM p`,
    );
    expect(pat).toEqual([[1]]);
  });

  it('refuses unknown options with a did-you-mean and the valid list', async () => {
    const s = new Session();
    await expect(
      s.executeScript(
        ddl('bad', 'i INT', { topic: 'x', format: 'json', 'scan.startup.mod': 'earliest-offset' }),
      ),
    ).rejects.toThrow(/Unsupported option 'scan.startup.mod'.*did you mean 'scan.startup.mode'/);
  });

  it('fails on a bad record naming topic, partition and offset', async () => {
    const t = await topic(1);
    await produce(t, [{ value: '{"i":1}' }, { value: 'not json' }]);
    await expect(
      queryRows(`${ddl('b', 'i INT', { topic: t, format: 'json', ...bounded })}; SELECT i FROM b`),
    ).rejects.toThrow(new RegExp(`${t}/0@1.*partition 0, offset 1`));
  });

  it('skips bad records with ignore-parse-errors', async () => {
    const t = await topic(1);
    await produce(t, [{ value: '{"i":1}' }, { value: 'not json' }, { value: '{"i":3}' }]);
    const rows = await queryRows(
      `${ddl('b', 'i INT', { topic: t, format: 'json', 'json.ignore-parse-errors': 'true', ...bounded })}; SELECT i FROM b`,
    );
    expect(rows).toEqual([[1], [3]]);
  });

  it('sends bad records unchanged to the dead-letter topic with the error header', async () => {
    const t = await topic(1);
    const dlq = await topic(1);
    await produce(t, [
      { value: '{"i":1}' },
      { key: 'kk', value: 'oops', headers: { origin: 'test' } },
      { value: '{"i":3}' },
    ]);
    const rows = await queryRows(
      `${ddl('b', 'i INT', { topic: t, format: 'json', 'dead-letter.topic': dlq, ...bounded })}; SELECT i FROM b`,
    );
    expect(rows).toEqual([[1], [3]]);
    const dead = await readUntil(kafka, dlq, (r) => r.length >= 1);
    expect(dead[0]?.key).toBe('kk');
    expect(dead[0]?.value).toBe('oops');
    expect(dead[0]?.headers['origin']).toBe('test');
    expect(dead[0]?.headers['x-rivulet-error']).toMatch(new RegExp(`${t}/0@1`));
  });

  it('resumes from committed group offsets after a restart', async () => {
    const t = await topic(2);
    const group = uniqueName('g');
    await produce(
      t,
      [0, 1, 2, 3].map((i) => ({ value: `{"i":${i}}`, partition: i % 2 })),
    );
    const read = async () =>
      (
        await queryRows(
          `${ddl('g', 'i INT', { topic: t, format: 'json', 'properties.group.id': group, 'scan.startup.mode': 'group-offsets', 'scan.bounded.mode': 'latest-offset' })}; SELECT i FROM g`,
        )
      )
        .map((r) => r[0] as number)
        .sort((a, b) => a - b);
    expect(await read()).toEqual([0, 1, 2, 3]);
    await produce(
      t,
      [4, 5, 6].map((i) => ({ value: `{"i":${i}}`, partition: i % 2 })),
    );
    expect(await read()).toEqual([4, 5, 6]);
    const committed = await admin.fetchOffsets({ groupId: group, topics: [t] });
    expect(committed[0]?.partitions.map((p) => p.offset).sort()).toEqual(['3', '4']);
  });

  it('reads a changelog format (debezium-json) as updates', async () => {
    const t = await topic(1);
    await produce(t, [
      { value: JSON.stringify({ before: null, after: { id: 1, v: 'a' }, op: 'c' }) },
      { value: JSON.stringify({ before: { id: 1, v: 'a' }, after: { id: 1, v: 'b' }, op: 'u' }) },
    ]);
    const changes = await queryChanges(
      `${ddl('d', 'id INT, v STRING', { topic: t, format: 'debezium-json', ...bounded })}; SELECT id, v FROM d`,
    );
    expect(changes).toEqual(['+I[1,"a"]', '-U[1,"a"]', '+U[1,"b"]']);
  });

  it('keeps a watermark per partition: a fast partition does not make a slow one late', async () => {
    const t = await topic(2);
    // Partition 0 is far ahead in event time; partition 1's records are older but not late.
    await produce(t, [
      ...[10, 20, 30].map((s) => ({ value: `{"v":${s}}`, partition: 0, timestamp: String(s * 1000) })),
      ...[1, 2].map((s) => ({ value: `{"v":${s}}`, partition: 1, timestamp: String(s * 1000) })),
    ]);
    const rows = await queryRows(
      `${ddl('w', `v INT, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp', WATERMARK FOR ts AS ts`, { topic: t, format: 'json', ...bounded })};
       SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE w, DESCRIPTOR(ts), INTERVAL '10' SECOND))
       GROUP BY window_start, window_end`,
    );
    const counts = rows.map((r) => Number(r[1])).sort();
    expect(counts).toEqual([1, 1, 1, 2]);
  });
});
