/**
 * `'versioned.history-retention'` on a live upsert-kafka table: while a continuous query reads the
 * table, time travel queries in the same session answer from the history it retains (without
 * reading the topic), and refuse instants older than the watermark minus the retention.
 */
import { expect, inject, it } from 'vitest';
import type { RivuletError } from '../../common/errors.ts';
import type { Row } from '../../operators/api.ts';
import { Session } from '../../runtime/session.ts';
import { queryRows, sorted } from '../engine/helpers.ts';
import { kafkaClient, uniqueName } from './support.ts';

const bootstrap = inject('kafkaBootstrap');
const D = '2020-01-01 ';

it('time travel answers from the history a running query retains of an upsert-kafka table', async () => {
  const kafka = kafkaClient(bootstrap, 'rivulet-history-test');
  const admin = kafka.admin();
  await admin.connect();
  const topic = uniqueName('rates-history');
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const session = new Session();
  const [, feeder] = await session.executeScript(`
    CREATE TABLE rates (currency STRING, rate INT, ts TIMESTAMP(3),
      PRIMARY KEY (currency) NOT ENFORCED, WATERMARK FOR ts AS ts)
    WITH ('connector' = 'upsert-kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${bootstrap}',
      'key.format' = 'json', 'value.format' = 'json', 'versioned.history-retention' = '1 h');
    SELECT currency, rate FROM rates`);
  if (feeder?.kind !== 'query') throw new Error('expected a query');
  const producer = kafka.producer();
  await producer.connect();
  const rate = (currency: string, r: number, time: string) => ({
    key: JSON.stringify({ currency }),
    value: JSON.stringify({ currency, rate: r, ts: `${D}${time}` }),
  });
  await producer.send({
    topic,
    acks: -1,
    messages: [
      rate('EUR', 100, '10:00:00'),
      rate('EUR', 110, '10:30:00'),
      rate('USD', 1, '11:00:00'),
      rate('EUR', 120, '12:00:00'),
    ],
  });
  await producer.disconnect();
  const asOf = (time: string) =>
    queryRows(`SELECT currency, rate FROM rates FOR SYSTEM_TIME AS OF TIMESTAMP '${D}${time}'`, session);

  // The feeding query reads the topic in its own time: wait (generously) until the history has all.
  const deadline = Date.now() + 60_000;
  let latest: Row[] = [];
  while (Date.now() < deadline) {
    latest = sorted(await asOf('12:00:00'));
    if (latest.length === 2 && latest[0]?.[1] === 120) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(latest).toEqual([
    ['EUR', 120],
    ['USD', 1],
  ]);
  // The watermark is 12:00, so one hour is kept: from 11:00 on.
  expect(sorted(await asOf('11:30:00'))).toEqual([
    ['EUR', 110],
    ['USD', 1],
  ]);
  expect(sorted(await asOf('11:00:00'))).toEqual([
    ['EUR', 110],
    ['USD', 1],
  ]);
  const err = (await asOf('10:59:59.999').catch((e: unknown) => e)) as RivuletError;
  expect(err.code).toBe('TIME_TRAVEL_BEYOND_RETENTION');
  feeder.job.cancel();
  await feeder.done;
  await admin.disconnect();
}, 120_000);
