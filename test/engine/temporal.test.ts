import { describe, expect, it } from 'vitest';
import type { RivuletError } from '../../common/errors.ts';
import { Session } from '../../runtime/session.ts';
import { queryRows, sorted } from './helpers.ts';

const D = '2020-01-01 ';
const at = (hms: string) => Date.parse(`2020-01-01T${hms}Z`);

/** The product changelog of Flink's event-time temporal join example, as a versioned table. */
const PRODUCTS = `CREATE TABLE product_changelog (
  product_id STRING, product_name STRING, price DECIMAL(10, 2), update_time TIMESTAMP(3),
  PRIMARY KEY (product_id) NOT ENFORCED,
  WATERMARK FOR update_time AS update_time
) WITH ('connector' = 'values', 'data' = '${JSON.stringify([
  { product_id: 'p_001', product_name: 'scooter', price: 11.11, update_time: `${D}00:01:00` },
  { product_id: 'p_002', product_name: 'basketball', price: 23.11, update_time: `${D}00:02:00` },
  { $op: '-U', product_id: 'p_001', product_name: 'scooter', price: 11.11, update_time: `${D}12:00:00` },
  { $op: '+U', product_id: 'p_001', product_name: 'scooter', price: 12.99, update_time: `${D}12:00:00` },
  { $op: '-U', product_id: 'p_002', product_name: 'basketball', price: 23.11, update_time: `${D}12:00:00` },
  { $op: '+U', product_id: 'p_002', product_name: 'basketball', price: 19.99, update_time: `${D}12:00:00` },
  { $op: '-D', product_id: 'p_001', product_name: 'scooter', price: 12.99, update_time: `${D}18:00:00` },
])}');`;

const ORDERS = `CREATE TABLE orders (order_id STRING, product_id STRING, order_time TIMESTAMP(3), WATERMARK FOR order_time AS order_time)
WITH ('connector' = 'values', 'data' = '${JSON.stringify([
  ['o_001', 'p_001', `${D}00:01:00`],
  ['o_002', 'p_002', `${D}00:03:00`],
  ['o_003', 'p_001', `${D}12:00:00`],
  ['o_004', 'p_002', `${D}12:00:00`],
  ['o_005', 'p_001', `${D}18:00:00`],
])}');`;

describe('temporal tables through SQL', () => {
  it("Flink's event-time temporal join example gives its documented result", async () => {
    const rows = await queryRows(`${PRODUCTS} ${ORDERS}
      SELECT O.order_id, O.order_time, P.product_name, P.update_time, P.price
      FROM orders AS O LEFT JOIN product_changelog FOR SYSTEM_TIME AS OF O.order_time AS P ON O.product_id = P.product_id`);
    expect(sorted(rows)).toEqual(
      sorted([
        ['o_001', at('00:01:00'), 'scooter', at('00:01:00'), 1111n],
        ['o_002', at('00:03:00'), 'basketball', at('00:02:00'), 2311n],
        ['o_003', at('12:00:00'), 'scooter', at('12:00:00'), 1299n],
        ['o_004', at('12:00:00'), 'basketball', at('12:00:00'), 1999n],
        ['o_005', at('18:00:00'), null, null, null],
      ]),
    );
  });

  it('a versioned view over an append-only stream (deduplication) joins the same way', async () => {
    const rates = `CREATE TABLE rates_log (currency STRING, rate INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
      WITH ('connector' = 'values', 'data' = '${JSON.stringify([
        ['EUR', 114, `${D}09:00:00`],
        ['GBP', 102, `${D}09:00:00`],
        ['EUR', 116, `${D}10:45:00`],
        ['EUR', 119, `${D}11:15:00`],
      ])}');
      CREATE VIEW rates AS SELECT currency, rate, ts FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY currency ORDER BY ts DESC) AS rn FROM rates_log) WHERE rn = 1;
      CREATE TABLE o (amount INT, currency STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
      WITH ('connector' = 'values', 'data' = '${JSON.stringify([
        [2, 'EUR', `${D}10:15:00`],
        [1, 'EUR', `${D}11:30:00`],
        [50, 'GBP', `${D}11:40:00`],
        [3, 'JPY', `${D}11:50:00`],
      ])}');`;
    const rows = await queryRows(`${rates}
      SELECT o.amount * r.rate AS total FROM o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.currency = r.currency`);
    expect(sorted(rows)).toEqual(sorted([[228], [119], [5100]]));
    const plan = await new Session().executeScript(`${rates}
      EXPLAIN SELECT o.amount FROM o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.currency = r.currency`);
    const last = plan[plan.length - 1];
    expect(last?.kind === 'explain' && last.text).toContain(
      'TemporalJoin(kind=[event-time], joinType=[INNER], key=[currency]',
    );
  });

  it('time travel: the snapshot as of an instant, and every version with its validity', async () => {
    const asOf = (ts: string) =>
      queryRows(
        `${PRODUCTS} SELECT product_id, price FROM product_changelog FOR SYSTEM_TIME AS OF TIMESTAMP '${D}${ts}'`,
      );
    expect(sorted(await asOf('10:00:00'))).toEqual([
      ['p_001', 1111n],
      ['p_002', 2311n],
    ]);
    expect(sorted(await asOf('13:00:00'))).toEqual([
      ['p_001', 1299n],
      ['p_002', 1999n],
    ]);
    expect(sorted(await asOf('11:59:59.999'))).toEqual([
      ['p_001', 1111n],
      ['p_002', 2311n],
    ]);
    expect(sorted(await asOf('18:00:00'))).toEqual([['p_002', 1999n]]);
    const versions = await queryRows(`${PRODUCTS}
      SELECT product_id, price, valid_from, valid_to FROM product_changelog FOR SYSTEM_TIME FROM TIMESTAMP '${D}00:00:00' TO TIMESTAMP '${D}23:00:00'`);
    expect(sorted(versions)).toEqual(
      sorted([
        ['p_001', 1111n, at('00:01:00'), at('12:00:00')],
        ['p_001', 1299n, at('12:00:00'), at('18:00:00')],
        ['p_002', 2311n, at('00:02:00'), at('12:00:00')],
        ['p_002', 1999n, at('12:00:00'), null],
      ]),
    );
  });

  it('a key computed from the left row (an expression, not a column) joins like a column key', async () => {
    // Order o_00N asks for product p_00(N mod 2 + 1): o_001 -> p_002 (no version yet at 00:01), ...
    const rows = await queryRows(`${PRODUCTS} ${ORDERS}
      SELECT O.order_id, P.product_id, P.price
      FROM orders AS O LEFT JOIN product_changelog FOR SYSTEM_TIME AS OF O.order_time AS P
      ON CONCAT('p_00', CAST(MOD(CAST(SUBSTRING(O.order_id, 5) AS INT), 2) + 1 AS STRING)) = P.product_id`);
    expect(sorted(rows)).toEqual(
      sorted([
        ['o_001', null, null],
        ['o_002', 'p_001', 1111n],
        ['o_003', 'p_002', 1999n],
        ['o_004', 'p_001', 1299n],
        ['o_005', 'p_002', 1999n],
      ]),
    );
  });

  it('EXPLAIN of a processing-time join keyed by an expression shows the key computed below the join', async () => {
    const plan = await new Session().executeScript(`${PRODUCTS} ${ORDERS}
      EXPLAIN SELECT O.order_id, P.price FROM (SELECT *, PROCTIME() AS pt FROM orders) AS O
      JOIN product_changelog FOR SYSTEM_TIME AS OF O.pt AS P ON UPPER(O.product_id) = P.product_id`);
    const last = plan[plan.length - 1];
    const text = last?.kind === 'explain' ? last.text : '';
    expect(text).toContain(
      'TemporalJoin(kind=[processing-time], joinType=[INNER], key=[product_id], leftTime=[pt], versionTime=[update_time], stateRetention=[the latest row of each key])',
    );
    expect(text).toMatch(/Calc\(select=\[.*UPPER\(product_id\) AS \$key0\]\)/);
  });

  it('refuses a join condition that does not cover the primary key, and a table that is not versioned', async () => {
    const s = new Session();
    await s.executeScript(`${PRODUCTS} ${ORDERS}`);
    await expect(
      s.executeScript(
        'SELECT * FROM orders AS O JOIN product_changelog FOR SYSTEM_TIME AS OF O.order_time AS P ON O.order_id = P.product_name',
      ),
    ).rejects.toThrow(/equality condition on every primary key column/);
    const err = await s
      .executeScript(
        'SELECT * FROM product_changelog AS P JOIN orders FOR SYSTEM_TIME AS OF P.update_time AS O ON O.order_id = P.product_id',
      )
      .catch((e: unknown) => e);
    expect((err as RivuletError).code).toBe('TEMPORAL_TABLE_NOT_VERSIONED');
  });
});

describe('introspection of versioned tables', () => {
  it('DESCRIBE shows the key and version time of a versioned table and an inferred versioned view', async () => {
    const s = new Session();
    await s.executeScript(`${PRODUCTS}
      CREATE VIEW latest AS SELECT product_id, price, update_time FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY update_time DESC) AS rn FROM product_changelog) WHERE rn = 1;`);
    const table = await queryRows('DESCRIBE product_changelog', s);
    expect(table.find((r) => r[0] === 'product_id')?.[3]).toBe('PRI(product_id)');
    expect(table.find((r) => r[0] === 'update_time')?.[4]).toBe('version time (versioned table)');
    const view = await queryRows('DESCRIBE latest', s);
    expect(view.find((r) => r[0] === 'product_id')?.[3]).toBe('PRI(product_id) (inferred)');
    expect(view.find((r) => r[0] === 'update_time')?.[4]).toBe('version time (versioned view)');
  });
});
