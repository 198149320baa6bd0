/**
 * A processing-time temporal (lookup) join against a changing upsert-kafka table: each order is joined
 * with the row its key holds when the order is processed. Which order first sees a change depends on
 * timing, so the test checks what cannot depend on it: the rates seen, in order, go through the
 * table's states in the order they were written (none, 100, 120, deleted), and an order produced after
 * a change was observed sees it.
 */
import { expect, inject, it } from 'vitest';
import type { Row } from '../../operators/api.ts';
import { Session } from '../../runtime/session.ts';
import { kafkaClient, uniqueName } from './support.ts';

const bootstrap = inject('kafkaBootstrap');

it('a lookup join sees the table change, in the order the changes were written', async () => {
  const kafka = kafkaClient(bootstrap, 'rivulet-lookup-test');
  const admin = kafka.admin();
  await admin.connect();
  const orders = uniqueName('lk-orders');
  const rates = uniqueName('lk-rates');
  await admin.createTopics({
    topics: [
      { topic: orders, numPartitions: 1 },
      { topic: rates, numPartitions: 1 },
    ],
    waitForLeaders: true,
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const setRate = (r: number | null) =>
    producer.send({
      topic: rates,
      acks: -1,
      messages: [
        {
          key: '{"currency":"EUR"}',
          value: r === null ? null : JSON.stringify({ currency: 'EUR', rate: r }),
        },
      ],
    });
  let n = 0;
  const order = async (): Promise<string> => {
    const id = `o${++n}`;
    await producer.send({
      topic: orders,
      acks: -1,
      messages: [{ value: JSON.stringify({ id, currency: 'EUR' }) }],
    });
    return id;
  };

  const session = new Session();
  const [, , result] = await session.executeScript(`
    CREATE TABLE orders (id STRING, currency STRING, pt AS PROCTIME())
    WITH ('connector' = 'kafka', 'topic' = '${orders}', 'properties.bootstrap.servers' = '${bootstrap}',
      'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
    CREATE TABLE rates (currency STRING, rate INT, PRIMARY KEY (currency) NOT ENFORCED)
    WITH ('connector' = 'upsert-kafka', 'topic' = '${rates}', 'properties.bootstrap.servers' = '${bootstrap}',
      'key.format' = 'json', 'value.format' = 'json');
    SELECT o.id, r.rate FROM orders AS o
    LEFT JOIN rates FOR SYSTEM_TIME AS OF o.pt AS r ON o.currency = r.currency`);
  if (result?.kind !== 'query') throw new Error('expected a query');
  const seen: Row[] = [];
  const reading = (async () => {
    for await (const change of result.sink.changes()) seen.push(change.row);
  })();
  const guard = setTimeout(() => result.job.cancel(), 150_000);
  /** Sends orders (one every 200 ms) until one of them is joined with `rate`; returns its id. */
  const ordersUntil = async (rate: number | null): Promise<string> => {
    for (;;) {
      const id = await order();
      const deadline = Date.now() + 2000;
      while (Date.now() < deadline && !seen.some((r) => r[0] === id))
        await new Promise((r) => setTimeout(r, 20));
      const row = seen.find((r) => r[0] === id);
      if (row !== undefined && row[1] === rate) return id;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  /** Sends one order and waits for its result. */
  const oneOrder = async (): Promise<Row> => {
    const id = await order();
    const deadline = Date.now() + 60_000;
    while (!seen.some((r) => r[0] === id)) {
      if (Date.now() > deadline)
        throw new Error(`no result for order ${id} within 60 s; seen ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return seen.find((r) => r[0] === id) as Row;
  };

  await setRate(100);
  await ordersUntil(100);
  expect((await oneOrder())[1]).toBe(100);
  await setRate(120);
  await ordersUntil(120);
  expect((await oneOrder())[1]).toBe(120);
  await setRate(null);
  await ordersUntil(null);
  expect((await oneOrder())[1]).toBe(null);
  result.job.cancel();
  clearTimeout(guard);
  await result.done;
  await reading;
  await producer.disconnect();
  await admin.disconnect();

  // Every order is joined once, in order, and the rates seen follow the table's history.
  expect(seen.map((r) => r[0])).toEqual(Array.from({ length: n }, (_, i) => `o${i + 1}`));
  const phases = seen.map((r) => String(r[1])).join(' ');
  expect(phases).toMatch(/^(null )*(100 )+(120 )+(null ?)+$/);
}, 180_000);
