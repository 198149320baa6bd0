/**
 * The SQL of examples/kafka against the test broker: every script plans (EXPLAIN), the mirror copies
 * records keeping key, value, headers, timestamp and partition, and the routing splits one source into
 * three topics. Topic names get a unique prefix and the sources are made bounded so the jobs end.
 */
import { readFileSync } from 'node:fs';
import { type Kafka, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Session, type StatementResult } from '../../runtime/session.ts';
import { kafkaClient, readUntil, uniqueName } from './support.ts';

const bootstrap = inject('kafkaBootstrap');
const kafka: Kafka = kafkaClient(bootstrap, 'rivulet-examples-test');
const admin = kafka.admin();

beforeAll(() => admin.connect());
afterAll(() => admin.disconnect());

const TOPICS = [
  'pageviews',
  'pageviews_mirror',
  'pageview_counts',
  'checkout_views',
  'product_views',
  'other_views',
];

/** The example with this run's broker, unique topics and groups, and bounded sources. */
function example(file: string, prefix: string): string {
  return readFileSync(new URL(`../../examples/kafka/${file}`, import.meta.url), 'utf8')
    .replaceAll('localhost:9092', bootstrap)
    .replace(/'topic' = '(\w+)'/g, `'topic' = '${prefix}$1'`)
    .replace(/'properties.group.id' = '([\w-]+)'/g, `'properties.group.id' = '${prefix}$1'`)
    .replaceAll("'scan.bounded.mode' = 'unbounded'", "'scan.bounded.mode' = 'latest-offset'")
    .replaceAll("'scan.startup.mode' = 'group-offsets'", "'scan.startup.mode' = 'earliest-offset'");
}

async function setup(prefix: string): Promise<void> {
  await admin.createTopics({
    topics: TOPICS.map((t) => ({ topic: `${prefix}${t}`, numPartitions: 3 })),
    waitForLeaders: true,
  });
  // Idempotent: a send retried on a busy broker must not write a record twice.
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const pages = ['/', '/product/1', '/checkout', '/about', '/product/2', '/checkout/pay'];
  await producer.send({
    topic: `${prefix}pageviews`,
    acks: -1,
    messages: pages.map((page, i) => ({
      key: `user-${i}`,
      value: JSON.stringify({ user_id: `user-${i}`, page }),
      timestamp: String(1_700_000_000_000 + i * 1000),
      headers: { n: String(i) },
      partition: i % 3,
    })),
  });
  await producer.disconnect();
}

async function runAll(sql: string): Promise<void> {
  const results: StatementResult[] = await new Session().executeScript(sql);
  for (const r of results) if (r.kind === 'jobs') await r.done;
}

describe('examples/kafka', () => {
  it('every example plans', async () => {
    for (const file of ['quickstart.sql', 'mirror.sql', 'routing.sql']) {
      const sql = example(file, 'x-');
      // DDL runs as written; each INSERT and the statement set is EXPLAINed instead of run.
      const firstJob = sql.search(/^(INSERT|EXECUTE)/m);
      const session = new Session();
      await session.executeScript(sql.slice(0, firstJob));
      const jobs = sql
        .slice(firstJob)
        .split(/;\s*\n(?=INSERT|EXECUTE)/)
        .map((s) => s.trim().replace(/;$/, ''))
        .filter((s) => s !== '');
      for (const st of jobs) {
        const [result] = await session.executeScript(`EXPLAIN ${st.replace(/^EXECUTE /, '')}`);
        expect(result?.kind).toBe('explain');
        expect(result?.kind === 'explain' ? result.text : '').toMatch(/TableSourceScan|Scan/i);
      }
    }
  });

  it('the mirror keeps keys, values, headers, timestamps and partitions', async () => {
    const prefix = `${uniqueName('ex')}-`;
    await setup(prefix);
    await runAll(example('mirror.sql', prefix));
    // Every record of the source topic (its size from the partitions' end offsets), and as many copies.
    const marks = await admin.fetchTopicOffsets(`${prefix}pageviews`);
    const size = marks.reduce((n, m) => n + Number(m.high) - Number(m.low), 0);
    expect(size).toBe(6);
    const src = await readUntil(kafka, `${prefix}pageviews`, (r) => r.length >= size);
    const dst = await readUntil(kafka, `${prefix}pageviews_mirror`, (r) => r.length >= size);
    const strip = (m: (typeof src)[number]) => ({
      p: m.partition,
      o: m.offset,
      k: m.key,
      v: m.value,
      h: m.headers,
    });
    const order = (a: { p: number; o: string }, b: { p: number; o: string }) =>
      a.p - b.p || Number(a.o) - Number(b.o);
    expect(dst.map(strip).sort(order)).toEqual(src.map(strip).sort(order));
    const ts = await readTimestamps(`${prefix}pageviews_mirror`);
    expect([...ts].sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => String(1_700_000_000_000 + i * 1000)));
  });

  it('the routing splits one source into three topics', async () => {
    const prefix = `${uniqueName('ex')}-`;
    await setup(prefix);
    await runAll(example('routing.sql', prefix));
    const pagesOf = async (t: string, n: number) =>
      (await readUntil(kafka, `${prefix}${t}`, (r) => r.length >= n))
        .map((m) => JSON.parse(m.value ?? '').page)
        .sort();
    expect(await pagesOf('checkout_views', 2)).toEqual(['/checkout', '/checkout/pay']);
    expect(await pagesOf('product_views', 2)).toEqual(['/product/1', '/product/2']);
    expect(await pagesOf('other_views', 2)).toEqual(['/', '/about']);
  });
});

async function readTimestamps(topic: string): Promise<string[]> {
  return (await readUntil(kafka, topic, (r) => r.length >= 6)).map((m) => m.timestamp);
}
