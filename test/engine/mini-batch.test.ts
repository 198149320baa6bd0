import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../common/errors.ts';
import { Session } from '../../runtime/session.ts';
import { queryChanges, queryRows, sorted } from './helpers.ts';

const rows = JSON.stringify(Array.from({ length: 300 }, (_, i) => [i % 7, i]));
const TABLE = `CREATE TABLE t (k INT, v INT) WITH ('connector' = 'values', 'data' = '${rows}');`;
const QUERY = 'SELECT k, COUNT(*) AS n, SUM(v) AS s, MAX(v) AS m FROM t GROUP BY k';
const MINI_BATCH = `
  SET 'table.exec.mini-batch.enabled' = 'true';
  SET 'table.exec.mini-batch.allow-latency' = '1 h';
  SET 'table.exec.mini-batch.size' = '1000';`;

describe('table.exec.mini-batch.*', () => {
  it('gives the same final answer with one change per group per batch', async () => {
    const plain = await queryChanges(`${TABLE} ${QUERY}`);
    const batched = await queryChanges(`${TABLE} ${MINI_BATCH} ${QUERY}`);
    // Per row: +I for the first row of a group, -U/+U for each later one.
    expect(plain.length).toBe(7 + 2 * (300 - 7));
    // All 300 rows fit one batch of 1000 and the latency never passes: one +I per group at the end.
    expect(batched.length).toBe(7);
    expect(batched.every((c) => c.startsWith('+I'))).toBe(true);
    expect(sorted(await queryRows(`${TABLE} ${MINI_BATCH} ${QUERY}`))).toEqual(
      sorted(await queryRows(`${TABLE} ${QUERY}`)),
    );
  });

  it('a small size emits as it goes; the answer stays the same, over an updating input too', async () => {
    const small = MINI_BATCH.replace("'1000'", "'50'");
    const twoLevel = `SELECT n, COUNT(*) AS groups FROM (${QUERY}) AS g GROUP BY n`;
    const batched = await queryChanges(`${TABLE} ${small} ${QUERY}`);
    expect(batched.length).toBeGreaterThan(7);
    expect(batched.length).toBeLessThan(7 + 2 * (300 - 7));
    expect(sorted(await queryRows(`${TABLE} ${small} ${twoLevel}`))).toEqual(
      sorted(await queryRows(`${TABLE} ${twoLevel}`)),
    );
  });

  it('enabling it without a latency and a size is a configuration error naming both', async () => {
    const session = new Session();
    await session.executeScript(`${TABLE} SET 'table.exec.mini-batch.enabled' = 'true';`);
    const err = await session.executeScript(QUERY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RivuletError);
    expect((err as RivuletError).code).toBe('OPTION_INVALID');
    expect((err as Error).message).toMatch(/allow-latency.*table\.exec\.mini-batch\.size/);
  });
});
