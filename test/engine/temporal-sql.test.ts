/**
 * Event-time temporal joins through SQL, in the shapes users write them: inside a view feeding a
 * window aggregation, two joins in a chain, a key deleted and inserted again, several versions at
 * one timestamp, and a version arriving out of order within the versioned table's watermark delay.
 * Expected rows are worked out by hand from the data (the version in force at each order time).
 */
import { describe, expect, it } from 'vitest';
import { queryRows, sorted } from './helpers.ts';

const D = '2020-01-01 ';
const at = (hms: string) => Date.parse(`2020-01-01T${hms}Z`);

function table(name: string, columns: string, rows: unknown[], extra = ''): string {
  return `CREATE TABLE ${name} (${columns}${extra}) WITH ('connector' = 'values', 'data' = '${JSON.stringify(rows)}');`;
}

const RATES = table(
  'rates',
  'currency STRING, rate INT, ts TIMESTAMP(3)',
  [
    ['EUR', 100, `${D}10:00:00`],
    ['USD', 50, `${D}10:00:00`],
    { $op: '-U', currency: 'EUR', rate: 100, ts: `${D}10:00:00` },
    { $op: '+U', currency: 'EUR', rate: 110, ts: `${D}10:30:00` },
  ],
  ', PRIMARY KEY (currency) NOT ENFORCED, WATERMARK FOR ts AS ts',
);

const ORDERS = table(
  'orders',
  'id INT, currency STRING, amount INT, ts TIMESTAMP(3)',
  [
    [1, 'EUR', 2, `${D}10:10:00`],
    [2, 'USD', 1, `${D}10:20:00`],
    [3, 'EUR', 1, `${D}10:40:00`],
    [4, 'USD', 3, `${D}11:05:00`],
    [5, 'EUR', 1, `${D}11:10:00`],
  ],
  ', WATERMARK FOR ts AS ts',
);

describe('event-time temporal joins in SQL', () => {
  it('a temporal join inside a view feeds an event-time window aggregation', async () => {
    const rows = await queryRows(`${RATES} ${ORDERS}
      CREATE VIEW converted AS
        SELECT o.id, o.ts, o.amount * r.rate AS v
        FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.currency = r.currency;
      SELECT window_start, window_end, SUM(v), COUNT(*)
      FROM TABLE(TUMBLE(TABLE converted, DESCRIPTOR(ts), INTERVAL '1' HOUR))
      GROUP BY window_start, window_end`);
    // 10:00-11:00: 2*100 + 1*50 + 1*110; 11:00-12:00: 3*50 + 1*110.
    expect(sorted(rows)).toEqual([
      [at('10:00:00'), at('11:00:00'), 360, 3n],
      [at('11:00:00'), at('12:00:00'), 260, 2n],
    ]);
  });

  it('two temporal joins in a chain each take the version in force at the order time', async () => {
    const fees = table(
      'fees',
      'currency STRING, fee INT, ts TIMESTAMP(3)',
      [
        ['EUR', 1, `${D}09:00:00`],
        ['USD', 5, `${D}09:00:00`],
        { $op: '-U', currency: 'EUR', fee: 1, ts: `${D}09:00:00` },
        { $op: '+U', currency: 'EUR', fee: 2, ts: `${D}10:35:00` },
      ],
      ', PRIMARY KEY (currency) NOT ENFORCED, WATERMARK FOR ts AS ts',
    );
    const rows = await queryRows(`${RATES} ${ORDERS} ${fees}
      SELECT o.id, r.rate, f.fee
      FROM orders AS o
      JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.currency = r.currency
      JOIN fees FOR SYSTEM_TIME AS OF o.ts AS f ON o.currency = f.currency`);
    expect(sorted(rows)).toEqual([
      [1, 100, 1],
      [2, 50, 5],
      [3, 110, 2],
      [4, 50, 5],
      [5, 110, 2],
    ]);
  });

  it('a deleted key matches nothing until re-inserted; of versions at one time the last wins', async () => {
    const prices = table(
      'prices',
      'item STRING, price INT, ts TIMESTAMP(3)',
      [
        ['a', 100, `${D}10:00:00`],
        { $op: '-U', item: 'a', price: 100, ts: `${D}10:00:00` },
        { $op: '+U', item: 'a', price: 101, ts: `${D}10:30:00` },
        { $op: '-U', item: 'a', price: 101, ts: `${D}10:30:00` },
        { $op: '+U', item: 'a', price: 102, ts: `${D}10:30:00` },
        { $op: '-U', item: 'a', price: 102, ts: `${D}10:30:00` },
        { $op: '+U', item: 'a', price: 103, ts: `${D}10:30:00` },
        { $op: '-D', item: 'a', price: 103, ts: `${D}10:50:00` },
        ['a', 120, `${D}11:00:00`],
      ],
      ', PRIMARY KEY (item) NOT ENFORCED, WATERMARK FOR ts AS ts',
    );
    const buys = table(
      'buys',
      'n INT, item STRING, ts TIMESTAMP(3)',
      [
        [1, 'a', `${D}10:20:00`],
        [2, 'a', `${D}10:30:00`],
        [3, 'a', `${D}10:45:00`],
        [4, 'a', `${D}10:50:00`],
        [5, 'a', `${D}10:55:00`],
        [6, 'a', `${D}11:00:00`],
        [7, 'a', `${D}11:30:00`],
        [8, 'b', `${D}11:30:00`],
      ],
      ', WATERMARK FOR ts AS ts',
    );
    const rows = await queryRows(`${prices} ${buys}
      SELECT b.n, p.price FROM buys AS b
      LEFT JOIN prices FOR SYSTEM_TIME AS OF b.ts AS p ON b.item = p.item`);
    expect(sorted(rows)).toEqual(
      sorted([
        [1, 100],
        [2, 103],
        [3, 103],
        [4, null],
        [5, null],
        [6, 120],
        [7, 120],
        [8, null],
      ]),
    );
  });

  it('uses a version that arrives after a newer one, within the watermark delay', async () => {
    // The 10:35 version arrives after the 10:40 one; the watermark (10 minutes behind) is at 10:30
    // then, so it is not late, and an order at 10:37 must see it.
    const late = table(
      'quotes',
      'sym STRING, px INT, ts TIMESTAMP(3)',
      [
        ['X', 1, `${D}10:00:00`],
        ['X', 3, `${D}10:40:00`],
        ['X', 2, `${D}10:35:00`],
        ['Y', 7, `${D}11:00:00`],
      ],
      ", PRIMARY KEY (sym) NOT ENFORCED, WATERMARK FOR ts AS ts - INTERVAL '10' MINUTE",
    );
    const trades = table(
      'trades',
      'n INT, sym STRING, ts TIMESTAMP(3)',
      [
        [1, 'X', `${D}10:34:59`],
        [2, 'X', `${D}10:37:00`],
        [3, 'X', `${D}10:45:00`],
      ],
      ', WATERMARK FOR ts AS ts',
    );
    const rows = await queryRows(`${late} ${trades}
      SELECT t.n, q.px FROM trades AS t JOIN quotes FOR SYSTEM_TIME AS OF t.ts AS q ON t.sym = q.sym`);
    expect(sorted(rows)).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });
});
