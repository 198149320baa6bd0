import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../common/errors.ts';
import { Session } from '../../runtime/session.ts';
import { queryRows } from './helpers.ts';

const T0 = Date.UTC(2011, 3, 1, 10);
const ticker = (prices: number[], symbol = 'ACME', start = '2011-04-01 10:00:') =>
  `CREATE TABLE Ticker (symbol STRING, price INT, rowtime TIMESTAMP(3), WATERMARK FOR rowtime AS rowtime - INTERVAL '1' SECOND)
   WITH ('connector' = 'values', 'data' = '${JSON.stringify(prices.map((p, i) => [symbol, p, `${start}${String(i).padStart(2, '0')}`]))}');`;

describe('MATCH_RECOGNIZE through SQL', () => {
  it("Flink documentation's V-shape example gives its documented row", async () => {
    const rows = await queryRows(`${ticker([12, 17, 19, 21, 25, 18, 15, 14, 24, 25, 19])}
      SELECT * FROM Ticker MATCH_RECOGNIZE (
        PARTITION BY symbol ORDER BY rowtime
        MEASURES START_ROW.rowtime AS start_tstamp, LAST(PRICE_DOWN.rowtime) AS bottom_tstamp, LAST(PRICE_UP.rowtime) AS end_tstamp
        ONE ROW PER MATCH
        AFTER MATCH SKIP TO LAST PRICE_UP
        PATTERN (START_ROW PRICE_DOWN+ PRICE_UP)
        DEFINE
          PRICE_DOWN AS (LAST(PRICE_DOWN.price, 1) IS NULL AND PRICE_DOWN.price < START_ROW.price) OR PRICE_DOWN.price < LAST(PRICE_DOWN.price, 1),
          PRICE_UP AS PRICE_UP.price > LAST(PRICE_DOWN.price, 1)
      ) MR`);
    expect(rows).toEqual([['ACME', T0 + 4000, T0 + 7000, T0 + 8000]]);
  });

  const skipQuery = (skip: string) => `${ticker([7, 9, 10, 5, 10, 7, 14], 'XYZ', '2018-09-17 10:00:')}
    SELECT sumPrice, FIRST_T, LAST_T FROM Ticker MATCH_RECOGNIZE (
      PARTITION BY symbol ORDER BY rowtime
      MEASURES SUM(A.price) AS sumPrice, FIRST(rowtime) AS FIRST_T, LAST(rowtime) AS LAST_T
      ONE ROW PER MATCH
      AFTER MATCH SKIP ${skip}
      PATTERN (A+ C)
      DEFINE A AS SUM(A.price) < 30
    )`;
  const S0 = Date.UTC(2018, 8, 17, 10);
  const at = (s: number) => S0 + s * 1000;

  it('AFTER MATCH SKIP strategies as Flink documents them', async () => {
    expect(await queryRows(skipQuery('PAST LAST ROW'))).toEqual([
      [26, at(0), at(3)],
      [17, at(4), at(6)],
    ]);
    // Flink's table lists five rows; by the standard's semantics the attempt starting at the 6th row
    // (A = 7, C = 14) also matches, and Flink's own engine emits it too: the documentation omits it.
    expect(await queryRows(skipQuery('TO NEXT ROW'))).toEqual([
      [26, at(0), at(3)],
      [24, at(1), at(4)],
      [25, at(2), at(5)],
      [22, at(3), at(6)],
      [17, at(4), at(6)],
      [7, at(5), at(6)],
    ]);
    // Flink documents three rows for TO LAST A. By the standard, after the third match the attempt
    // at its last A row (price 7) matches A = 7, C = 14, and skipping TO LAST A from that match lands
    // on its own first row: the standard's error, which Rivulet raises instead of looping.
    const toLast = await queryRows(skipQuery('TO LAST A')).catch((e: unknown) => e);
    expect(((toLast as Error).cause as RivuletError).code).toBe('MATCH_SKIP_TO_FIRST_ROW');
    const err = await queryRows(skipQuery('TO FIRST A')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RivuletError);
  });

  it('ALL ROWS PER MATCH with CLASSIFIER, MATCH_NUMBER, running and final aggregates', async () => {
    const rows = await queryRows(`${ticker([12, 17, 19, 15, 14, 24, 19])}
      SELECT price, cls, mn, run, total FROM Ticker MATCH_RECOGNIZE (
        PARTITION BY symbol ORDER BY rowtime
        MEASURES CLASSIFIER() AS cls, MATCH_NUMBER() AS mn, RUNNING SUM(price) AS run, FINAL COUNT(*) AS total
        ALL ROWS PER MATCH
        PATTERN (A B+ C)
        DEFINE B AS price > PREV(price), C AS price < PREV(price)
      )`);
    expect(rows).toEqual([
      [12, 'A', 1n, 12, 4n],
      [17, 'B', 1n, 29, 4n],
      [19, 'B', 1n, 48, 4n],
      [15, 'C', 1n, 63, 4n],
      [14, 'A', 2n, 14, 3n],
      [24, 'B', 2n, 38, 3n],
      [19, 'C', 2n, 57, 3n],
    ]);
  });

  it('user-defined functions work inside DEFINE and MEASURES', async () => {
    const session = new Session();
    session.registerFunction('is_even', {
      args: ['INT'],
      returns: 'BOOLEAN',
      eval: (x: number | null) => (x === null ? null : x % 2 === 0),
    });
    const rows = await queryRows(
      `${ticker([1, 2, 4, 6, 7, 8, 10])}
      SELECT n FROM Ticker MATCH_RECOGNIZE (
        ORDER BY rowtime MEASURES COUNT(E.price) AS n PATTERN (E{2,}) DEFINE E AS is_even(E.price)
      )`,
      session,
    );
    expect(rows).toEqual([[3n], [2n]]);
  });

  it('a stream must be ordered by its event time; variables must exist', async () => {
    const s = new Session();
    await s.executeScript(`CREATE TABLE g (id INT, ts TIMESTAMP(3)) WITH ('connector' = 'datagen')`);
    await expect(
      s.executeScript(
        'SELECT * FROM g MATCH_RECOGNIZE (ORDER BY id MEASURES A.id AS x PATTERN (A) DEFINE A AS id > 0)',
      ),
    ).rejects.toThrow(/ORDER BY an event-time attribute/);
    await expect(
      new Session().executeScript(
        `${ticker([1])} SELECT * FROM Ticker MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.price AS p PATTERN (A) DEFINE B AS price > 0)`,
      ),
    ).rejects.toThrow(/'B' is not a variable of the PATTERN/);
  });
});
