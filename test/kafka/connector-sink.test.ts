/**
 * The Kafka sinks through SQL against the real broker: partitioners, written metadata (timestamp,
 * headers, partition) with VIRTUAL columns not written, exactly-once transactions seen by a
 * read_committed consumer (commit and abort), and upsert-kafka round trips (updates and tombstones read
 * back as a changelog; a GROUP BY written as upserts and read back).
 */
import { type Kafka, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { T } from '../../catalog/types.ts';
import type { TableInfo } from '../../connectors/api.ts';
import { kafkaConnector } from '../../connectors/kafka/index.ts';
import { RowKind } from '../../operators/api.ts';
import { Session, type StatementResult } from '../../runtime/session.ts';
import { queryChanges, queryRows } from '../engine/helpers.ts';
import { kafkaClient, readUntil, uniqueName } from './support.ts';

const bootstrap = inject('kafkaBootstrap');
const kafka: Kafka = kafkaClient(bootstrap, 'rivulet-sink-test');
const admin = kafka.admin();

beforeAll(() => admin.connect());
afterAll(() => admin.disconnect());

async function topic(partitions = 1): Promise<string> {
  const name = uniqueName('sink');
  await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions }], waitForLeaders: true });
  return name;
}

function ddl(name: string, columns: string, options: Record<string, string>, connector = 'kafka'): string {
  const opts = { connector, 'properties.bootstrap.servers': bootstrap, ...options };
  return `CREATE TABLE ${name} (${columns}) WITH (${Object.entries(opts)
    .map(([k, v]) => `'${k}' = '${v.replace(/'/g, "''")}'`)
    .join(', ')})`;
}

/** Runs a script whose last statement is an INSERT and waits for its job to finish. */
async function insert(sql: string, session = new Session()): Promise<void> {
  const results = await session.executeScript(sql);
  const last = results[results.length - 1] as StatementResult;
  if (last.kind !== 'jobs') throw new Error(`not an INSERT: ${last.kind}`);
  await last.done;
}

const bounded = { 'scan.startup.mode': 'earliest-offset', 'scan.bounded.mode': 'latest-offset' };

describe('kafka sink', () => {
  it('writes keys, values, timestamp, headers and partition; VIRTUAL metadata is not written', async () => {
    const t = await topic(3);
    await insert(
      `${ddl(
        'out',
        `id INT, name STRING, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp', hs MAP<STRING, BYTES> METADATA FROM 'headers',
         off BIGINT METADATA FROM 'offset' VIRTUAL, part INT METADATA FROM 'partition'`,
        { topic: t, 'key.format': 'json', 'key.fields': 'id', 'value.format': 'json' },
      )};
       INSERT INTO out SELECT id, name, TO_TIMESTAMP_LTZ(1700000000000 + id, 3), MAP['h', CAST('v' AS BYTES)], id - 1
       FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) AS v(id, name)`,
    );
    const got = await readUntil(kafka, t, (r) => r.length >= 3);
    const byKey = new Map(got.map((m) => [m.key, m]));
    for (const id of [1, 2, 3]) {
      const m = byKey.get(`{"id":${id}}`);
      expect(m?.value).toBe(JSON.stringify({ id, name: ' abc'[id] }));
      expect(m?.partition).toBe(id - 1);
      expect(m?.headers['h']).toBe('v');
    }
    const back = await queryRows(
      `${ddl('r', `id INT, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'`, { topic: t, format: 'json', ...bounded })}; SELECT id, ts FROM r`,
    );
    expect(back.sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual([
      [1, 1700000000001],
      [2, 1700000000002],
      [3, 1700000000003],
    ]);
  });

  it('round-robin spreads records over partitions; fixed writes one partition', async () => {
    const rr = await topic(4);
    const fixed = await topic(4);
    const values = 'VALUES (1), (2), (3), (4), (5), (6), (7), (8)';
    await insert(
      `${ddl('o', 'i INT', { topic: rr, format: 'json', 'sink.partitioner': 'round-robin' })}; INSERT INTO o SELECT * FROM (${values}) AS v(i)`,
    );
    await insert(
      `${ddl('o', 'i INT', { topic: fixed, format: 'json', 'sink.partitioner': 'fixed' })}; INSERT INTO o SELECT * FROM (${values}) AS v(i)`,
    );
    const a = await readUntil(kafka, rr, (r) => r.length >= 8);
    expect([0, 1, 2, 3].map((p) => a.filter((m) => m.partition === p).length)).toEqual([2, 2, 2, 2]);
    const b = await readUntil(kafka, fixed, (r) => r.length >= 8);
    expect(new Set(b.map((m) => m.partition))).toEqual(new Set([0]));
  });

  it('refuses exactly-once without a transactional id prefix, and read-only metadata not VIRTUAL', async () => {
    const s = new Session();
    await s.executeScript(
      ddl('x', 'i INT', { topic: 'x', format: 'json', 'sink.delivery-guarantee': 'exactly-once' }),
    );
    await expect(s.executeScript('INSERT INTO x VALUES (1)')).rejects.toThrow(/sink.transactional-id-prefix/);
    await s.executeScript(ddl('y', `i INT, o BIGINT METADATA FROM 'offset'`, { topic: 'x', format: 'json' }));
    await expect(s.executeScript('INSERT INTO y VALUES (1, 2)')).rejects.toThrow(/VIRTUAL/);
  });

  it('exactly-once: committed data is visible to read_committed, aborted data never', async () => {
    const t = await topic(1);
    const table: TableInfo = {
      name: 'eo',
      columns: [{ name: 'i', type: T.int() }],
      options: new Map([
        ['connector', 'kafka'],
        ['properties.bootstrap.servers', bootstrap],
        ['topic', t],
        ['format', 'json'],
        ['sink.delivery-guarantee', 'exactly-once'],
        ['sink.transactional-id-prefix', uniqueName('tx')],
      ]),
    };
    const sink = kafkaConnector.createSink?.(table);
    if (!sink) throw new Error('no sink');
    await sink.open({ jobName: 'eo', now: Date.now });
    try {
      sink.write(RowKind.INSERT, [1]);
      await sink.prepareCommit?.(1);
      await sink.abort?.();
      sink.write(RowKind.INSERT, [2]);
      sink.write(RowKind.INSERT, [3]);
      await sink.prepareCommit?.(2);
      // Not yet committed: a read_committed reader sees nothing, a read_uncommitted one sees all three.
      const uncommitted = await readUntil(kafka, t, (r) => r.length >= 3, { readUncommitted: true });
      expect(uncommitted.map((m) => m.value)).toEqual(['{"i":1}', '{"i":2}', '{"i":3}']);
      await sink.commit?.(2);
      sink.write(RowKind.INSERT, [4]);
      await sink.prepareCommit?.(3);
      await sink.abort?.();
      sink.write(RowKind.INSERT, [5]);
      await sink.prepareCommit?.(4);
      await sink.commit?.(4);
    } finally {
      await sink.close();
    }
    const committed = await readUntil(kafka, t, (r) => r.some((m) => m.value === '{"i":5}'));
    expect(committed.map((m) => m.value)).toEqual(['{"i":2}', '{"i":3}', '{"i":5}']);
  });

  it('exactly-once through SQL: a finished INSERT commits its transaction', async () => {
    const t = await topic(2);
    await insert(
      `${ddl('o', 'i INT', { topic: t, format: 'json', 'sink.delivery-guarantee': 'exactly-once', 'sink.transactional-id-prefix': uniqueName('tx') })};
       INSERT INTO o SELECT * FROM (VALUES (1), (2), (3)) AS v(i)`,
    );
    const got = await readUntil(kafka, t, (r) => r.length >= 3);
    expect(got.map((m) => m.value).sort()).toEqual(['{"i":1}', '{"i":2}', '{"i":3}']);
  });
});

describe('upsert-kafka', () => {
  it('reads updates and tombstones as a changelog', async () => {
    const t = await topic(1);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic: t,
      messages: [
        { key: '{"id":1}', value: '{"id":1,"v":"a"}' },
        { key: '{"id":2}', value: '{"id":2,"v":"x"}' },
        { key: '{"id":1}', value: '{"id":1,"v":"b"}' },
        { key: '{"id":2}', value: null },
        { key: '{"id":3}', value: null },
      ],
    });
    await producer.disconnect();
    const options = {
      topic: t,
      'key.format': 'json',
      'value.format': 'json',
      'scan.bounded.mode': 'latest-offset',
    };
    const changes = await queryChanges(
      `${ddl('u', 'id INT, v STRING, PRIMARY KEY (id) NOT ENFORCED', options, 'upsert-kafka')}; SELECT id, v FROM u`,
    );
    expect(changes).toEqual(['+I[1,"a"]', '+I[2,"x"]', '-U[1,"a"]', '+U[1,"b"]', '-D[2,"x"]']);
  });

  it('needs a PRIMARY KEY', async () => {
    const s = new Session();
    await expect(
      s.executeScript(
        `${ddl('u', 'id INT, v STRING', { topic: 'x', 'key.format': 'json', 'value.format': 'json' }, 'upsert-kafka')}; SELECT * FROM u`,
      ),
    ).rejects.toThrow(/PRIMARY KEY/);
  });

  it('a GROUP BY written as upserts (buffer reduces updates of a key) and read back', async () => {
    const src = await topic(2);
    const out = await topic(1);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const events: { value: string; partition: number }[] = [];
    for (let i = 0; i < 30; i++)
      events.push({ value: JSON.stringify({ user: `u${i % 3}`, amount: i }), partition: i % 2 });
    await producer.send({ topic: src, messages: events });
    await producer.disconnect();
    await insert(
      `${ddl('ev', 'user STRING, amount INT', { topic: src, format: 'json', 'scan.startup.mode': 'earliest-offset', 'scan.bounded.mode': 'latest-offset' })};
       ${ddl('totals', 'user STRING, total INT, n BIGINT, PRIMARY KEY (user) NOT ENFORCED', { topic: out, 'key.format': 'json', 'value.format': 'json', 'sink.buffer-flush.max-rows': '1000', 'sink.buffer-flush.interval': '1s' }, 'upsert-kafka')};
       INSERT INTO totals SELECT user, SUM(amount), COUNT(*) FROM ev GROUP BY user`,
    );
    const rows = await queryRows(
      `${ddl('t', 'user STRING, total INT, n BIGINT, PRIMARY KEY (user) NOT ENFORCED', { topic: out, 'key.format': 'json', 'value.format': 'json', 'scan.bounded.mode': 'latest-offset' }, 'upsert-kafka')};
       SELECT user, total, n FROM t`,
    );
    const expected = [0, 1, 2].map((u) => {
      const mine = events.map((_, i) => i).filter((i) => i % 3 === u);
      return [`u${u}`, mine.reduce((a, b) => a + b, 0), BigInt(mine.length)];
    });
    expect(rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual(expected);
    // Buffering wrote far fewer records than the 30 updates the aggregation produced.
    const offsets = await admin.fetchTopicOffsets(out);
    expect(Number(offsets[0]?.high)).toBeLessThan(30);
  });
});
