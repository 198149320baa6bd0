/**
 * `'versioned.history-retention'`: a versioned table's history retained by the session (fed by the
 * first job that reads the table, pruned by watermark minus retention) answers time travel queries
 * without reading the source again, and refuses instants older than what it retained.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RivuletError } from '../../common/errors.ts';
import { Session } from '../../runtime/session.ts';
import { queryRows, sorted } from './helpers.ts';

const D = '2020-01-01 ';
const at = (hms: string) => Date.parse(`2020-01-01T${hms}Z`);

/** Debezium change events of two products: p1 changes at 12:00 and is deleted at 18:00. */
function writeChangelog(dir: string): string {
  const row = (id: string, price: number, time: string) =>
    JSON.stringify({ id, price, update_time: `${D}${time}` });
  const ev = (op: string, before: string | null, after: string | null) =>
    JSON.stringify({
      before: before === null ? null : JSON.parse(before),
      after: after === null ? null : JSON.parse(after),
      op,
    });
  const lines = [
    ev('c', null, row('p1', 11, '00:01:00')),
    ev('c', null, row('p2', 23, '00:02:00')),
    ev('u', row('p1', 11, '00:01:00'), row('p1', 13, '12:00:00')),
    ev('u', row('p2', 23, '00:02:00'), row('p2', 20, '12:00:00')),
    ev('d', row('p1', 13, '18:00:00'), null),
  ];
  const path = join(dir, 'products.json');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function productsDdl(path: string, retention: string | null): string {
  return `CREATE TABLE products (id STRING, price INT, update_time TIMESTAMP(3),
    PRIMARY KEY (id) NOT ENFORCED, WATERMARK FOR update_time AS update_time)
    WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'debezium-json'${
      retention === null ? '' : `, 'versioned.history-retention' = '${retention}'`
    });`;
}

const asOf = (time: string) => `SELECT id, price FROM products FOR SYSTEM_TIME AS OF TIMESTAMP '${D}${time}'`;

describe("'versioned.history-retention'", () => {
  it('answers time travel from the history a job retained, after the source is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-history-'));
    const path = writeChangelog(dir);
    const s = new Session();
    await s.executeScript(productsDdl(path, '7 h'));
    // A job reading the table feeds its retained history.
    expect(sorted(await queryRows('SELECT id, price FROM products', s))).toEqual([['p2', 20]]);
    rmSync(path);
    // The last watermark was 18:00, so 7 h keep everything from 11:00 on.
    expect(sorted(await queryRows(asOf('11:00:00'), s))).toEqual([
      ['p1', 11],
      ['p2', 23],
    ]);
    expect(sorted(await queryRows(asOf('11:59:59.999'), s))).toEqual([
      ['p1', 11],
      ['p2', 23],
    ]);
    expect(sorted(await queryRows(asOf('12:00:00'), s))).toEqual([
      ['p1', 13],
      ['p2', 20],
    ]);
    expect(sorted(await queryRows(asOf('17:59:59.999'), s))).toEqual([
      ['p1', 13],
      ['p2', 20],
    ]);
    expect(sorted(await queryRows(asOf('18:00:00'), s))).toEqual([['p2', 20]]);
    const periods = await queryRows(
      `SELECT id, price, valid_from, valid_to FROM products FOR SYSTEM_TIME FROM TIMESTAMP '${D}11:30:00' TO TIMESTAMP '${D}23:00:00'`,
      s,
    );
    expect(sorted(periods)).toEqual(
      sorted([
        ['p1', 11, at('00:01:00'), at('12:00:00')],
        ['p1', 13, at('12:00:00'), at('18:00:00')],
        ['p2', 23, at('00:02:00'), at('12:00:00')],
        ['p2', 20, at('12:00:00'), null],
      ]),
    );
  });

  it('refuses an instant older than the retained history, naming the option', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-history-'));
    const s = new Session();
    await s.executeScript(productsDdl(writeChangelog(dir), '7 h'));
    await queryRows('SELECT id FROM products', s);
    for (const query of [
      asOf('10:59:59.999'),
      `SELECT id FROM products FOR SYSTEM_TIME BETWEEN TIMESTAMP '${D}10:00:00' AND TIMESTAMP '${D}23:00:00'`,
    ]) {
      const err = (await queryRows(query, s).catch((e: unknown) => e)) as RivuletError;
      expect(err.code).toBe('TIME_TRAVEL_BEYOND_RETENTION');
      expect(err.message).toMatch(/2020-01-01 11:00:00\.000.*versioned\.history-retention/);
    }
  });

  it('without the option, or before any job read the table, time travel reads the source', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-history-'));
    for (const retention of [null, '1 min']) {
      const s = new Session();
      await s.executeScript(productsDdl(writeChangelog(dir), retention));
      // Nothing retained yet: the whole source is read, however old the instant.
      expect(sorted(await queryRows(asOf('06:00:00'), s))).toEqual([
        ['p1', 11],
        ['p2', 23],
      ]);
      await queryRows('SELECT id FROM products', s);
      if (retention === null) {
        // Still read from the source, which is there.
        expect(sorted(await queryRows(asOf('06:00:00'), s))).toEqual([
          ['p1', 11],
          ['p2', 23],
        ]);
      } else {
        await expect(queryRows(asOf('06:00:00'), s)).rejects.toMatchObject({
          code: 'TIME_TRAVEL_BEYOND_RETENTION',
        });
      }
    }
  });

  it('DESCRIBE shows the retention beside the version time', async () => {
    const s = new Session();
    await s.executeScript(productsDdl('/nonexistent/products.json', '7 h'));
    const rows = await queryRows('DESCRIBE products', s);
    expect(rows.find((r) => r[0] === 'update_time')?.[4]).toBe(
      'version time (versioned table; history retained 7 h)',
    );
  });

  it('a malformed retention is a planning error', async () => {
    const s = new Session();
    await s.executeScript(productsDdl('/nonexistent/products.json', 'a while'));
    await expect(queryRows('SELECT id FROM products', s)).rejects.toMatchObject({
      code: 'OPTION_INVALID',
      phase: 'plan',
    });
  });

  it('is refused on a table that is not versioned', async () => {
    const s = new Session();
    await s.executeScript(`CREATE TABLE t (id STRING, ts TIMESTAMP(3)) WITH ('connector' = 'values',
      'data' = '[]', 'versioned.history-retention' = '1 h');`);
    await expect(queryRows('SELECT * FROM t', s)).rejects.toMatchObject({
      code: 'HISTORY_RETENTION_NOT_VERSIONED',
    });
  });
});
