/**
 * Creates the example topics and produces sample page views (JSON, keyed by user, with a header and
 * event timestamps a second apart) to `pageviews`. Usage:
 *   KAFKA=127.0.0.1:PORT npm exec -- node examples/kafka/produce.ts [count]
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';

const bootstrap = process.env['KAFKA'] ?? 'localhost:9092';
const count = Number(process.argv[2] ?? '1000');
const kafka = new Kafka({ clientId: 'rivulet-example', brokers: [bootstrap], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const topics = [
  'pageviews',
  'pageviews_mirror',
  'pageview_counts',
  'checkout_views',
  'product_views',
  'other_views',
];
const existing = new Set(await admin.listTopics());
await admin.createTopics({
  topics: topics.filter((t) => !existing.has(t)).map((topic) => ({ topic, numPartitions: 3 })),
  waitForLeaders: true,
});
await admin.disconnect();

const pages = ['/', '/product/1', '/product/2', '/checkout', '/checkout/pay', '/about'];
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
const start = Date.now() - count * 1000;
const messages = Array.from({ length: count }, (_, i) => {
  const user = `user-${i % 17}`;
  return {
    key: user,
    value: JSON.stringify({ user_id: user, page: pages[(i * 7) % pages.length] }),
    timestamp: String(start + i * 1000),
    headers: { source: 'produce.ts' },
  };
});
await producer.send({ topic: 'pageviews', acks: -1, messages });
await producer.disconnect();
console.log(`produced ${count} page views to pageviews at ${bootstrap}`);
