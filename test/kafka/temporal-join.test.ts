/**
 * An upsert-kafka table with a watermark is a versioned table: an event-time temporal join of a Kafka
 * stream of orders against it, on the real broker. Orders are produced before the versions they
 * need; a version arriving out of order within the rates' watermark delay is used; one arriving
 * behind the rates' watermark is late and is not.
 */
import { expect, inject, it } from 'vitest';
import type { Row } from '../../operators/api.ts';
import { Session } from '../../runtime/session.ts';
import { kafkaClient, uniqueName } from './support.ts';

const bootstrap = inject('kafkaBootstrap');
const D = '2020-01-01 ';

it('joins Kafka orders with the upsert-kafka version in force at each order time', async () => {
  const kafka = kafkaClient(bootstrap, 'rivulet-temporal-test');
  const admin = kafka.admin();
  await admin.connect();
  const orders = uniqueName('orders');
  const rates = uniqueName('rates');
  await admin.createTopics({
    topics: [
      { topic: orders, numPartitions: 1 },
      { topic: rates, numPartitions: 1 },
    ],
    waitForLeaders: true,
  });
  const producer = kafka.producer();
  await producer.connect();
  const order = (id: string, currency: string, time: string) => ({
    value: JSON.stringify({ id, currency, order_time: `${D}${time}` }),
  });
  const rate = (currency: string, r: number, time: string) => ({
    key: JSON.stringify({ currency }),
    value: JSON.stringify({ currency, rate: r, ts: `${D}${time}` }),
  });
  const send = (topic: string, messages: { key?: string; value: string }[]) =>
    producer.send({ topic, acks: -1, messages });

  // Phase 1: the orders first, then the versions, one of them (EUR 10:35) out of order but within
  // the rates' 10-minute watermark delay.
  await send(orders, [
    order('o1', 'EUR', '10:37:00'),
    order('o2', 'GBP', '10:30:00'),
    order('o3', 'EUR', '10:45:00'),
    order('o4', 'GBP', '10:55:00'),
  ]);
  await send(rates, [
    rate('EUR', 100, '10:00:00'),
    rate('GBP', 2, '10:00:00'),
    rate('EUR', 120, '10:40:00'),
    rate('EUR', 110, '10:35:00'),
    rate('GBP', 3, '11:00:00'),
  ]);

  const session = new Session();
  const [, , result] = await session.executeScript(`
    CREATE TABLE orders (id STRING, currency STRING, order_time TIMESTAMP(3),
      WATERMARK FOR order_time AS order_time - INTERVAL '2' SECOND)
    WITH ('connector' = 'kafka', 'topic' = '${orders}', 'properties.bootstrap.servers' = '${bootstrap}',
      'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
    CREATE TABLE rates (currency STRING, rate INT, ts TIMESTAMP(3),
      PRIMARY KEY (currency) NOT ENFORCED, WATERMARK FOR ts AS ts - INTERVAL '10' MINUTE)
    WITH ('connector' = 'upsert-kafka', 'topic' = '${rates}', 'properties.bootstrap.servers' = '${bootstrap}',
      'key.format' = 'json', 'value.format' = 'json');
    SELECT o.id, r.rate FROM orders AS o
    JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency`);
  if (result?.kind !== 'query') throw new Error('expected a query');
  const seen: Row[] = [];
  const guard = setTimeout(() => result.job.cancel(), 120_000);
  for await (const change of result.sink.changes()) {
    seen.push(change.row);
    if (seen.length === 3) {
      // The combined watermark passed 10:45, so the rates' watermark did too: a GBP version at
      // 10:20 is now late and must not replace the 10:00 one for o5. USD at 11:40 moves the rates'
      // watermark to 11:30 and o6 the orders' to 11:29:58, which releases o4 and o5.
      await send(rates, [rate('GBP', 9, '10:20:00')]);
      await send(orders, [order('o5', 'GBP', '10:58:00'), order('o6', 'EUR', '11:30:00')]);
      await send(rates, [rate('USD', 1, '11:40:00')]);
    }
    if (seen.length >= 5) result.job.cancel();
  }
  clearTimeout(guard);
  await result.done;
  await producer.disconnect();
  await admin.disconnect();
  expect(seen.slice(0, 3).sort()).toEqual([
    ['o1', 110],
    ['o2', 2],
    ['o3', 120],
  ]);
  expect(seen.slice(3).sort()).toEqual([
    ['o4', 2],
    ['o5', 2],
  ]);
}, 150_000);
