/**
 * The scalar built-ins reached from SQL text: the keyword forms the planner turns into function calls
 * (TRIM, EXTRACT, FLOOR/CEIL ... TO, POSITION, SUBSTRING, OVERLAY, TIMESTAMPADD/DIFF, LIKE, SIMILAR TO,
 * element access, constructors), the session time zone, and planning errors for wrong argument types.
 */
import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../common/errors.ts';
import type { Row } from '../../operators/api.ts';
import { Materialized } from '../../repl/results.ts';
import { Session, type StatementResult } from '../../runtime/session.ts';

/** Runs a script; returns the rows of its last query. */
async function rows(sql: string): Promise<Row[]> {
  const results = await new Session({ now: () => Date.UTC(2024, 6, 1, 22, 30, 0) }).executeScript(sql);
  const last = results[results.length - 1] as StatementResult;
  if (last.kind === 'table') return [...last.rows];
  if (last.kind !== 'query') throw new Error(`not a query: ${last.kind}`);
  const view = new Materialized();
  for await (const c of last.sink.changes()) view.apply(c.kind, c.row);
  await last.done;
  if (last.job.error) throw last.job.error;
  return view.toRows();
}
const one = async (expr: string, prelude = ''): Promise<unknown> =>
  ((await rows(`${prelude}SELECT ${expr}`))[0] as Row)[0];

describe('scalar built-ins from SQL', () => {
  it('keyword string forms', async () => {
    expect(await one("TRIM(LEADING 'x' FROM 'xxaxx')")).toBe('axx');
    expect(await one("TRIM(BOTH FROM '  a  ')")).toBe('a');
    expect(await one("TRIM('  a  ')")).toBe('a');
    expect(await one("POSITION('l' IN 'hello')")).toBe(3);
    expect(await one("SUBSTRING('hello' FROM 2 FOR 3)")).toBe('ell');
    expect(await one("OVERLAY('hello' PLACING 'XY' FROM 2 FOR 3)")).toBe('hXYo');
    expect(await one("'a_c' LIKE 'a!_c' ESCAPE '!'")).toBe(true);
    expect(await one("'abc' NOT LIKE 'a%'")).toBe(false);
    expect(await one("'abc' SIMILAR TO '(a|b)+c'")).toBe(true);
  });
  it('keyword temporal forms', async () => {
    expect(await one("EXTRACT(DOW FROM DATE '2024-02-29')")).toBe(5n);
    expect(
      await one("TIMESTAMPDIFF(MONTH, TIMESTAMP '2024-01-31 00:00:00', TIMESTAMP '2024-03-01 00:00:00')"),
    ).toBe(1);
    expect(await one("TIMESTAMPADD(MONTH, 1, DATE '2024-01-31')")).toBe(Date.UTC(2024, 1, 29) / 86_400_000);
    expect(await one("FLOOR(TIMESTAMP '2024-05-15 13:45:00' TO HOUR)")).toBe(Date.UTC(2024, 4, 15, 13));
    expect(await one("CEIL(TIMESTAMP '2024-05-15 13:45:00' TO DAY)")).toBe(Date.UTC(2024, 4, 16));
  });
  it('the session time zone reaches the functions', async () => {
    const berlin = "SET 'table.local-time-zone' = 'Europe/Berlin';\n";
    // now = 2024-07-01 22:30 UTC = 2024-07-02 00:30 in Berlin (CEST)
    expect(await one('CURRENT_DATE', berlin)).toBe(Date.UTC(2024, 6, 2) / 86_400_000);
    expect(await one('CURRENT_DATE')).toBe(Date.UTC(2024, 6, 1) / 86_400_000);
    expect(await one("FROM_UNIXTIME(0, 'yyyy-MM-dd HH:mm')", berlin)).toBe('1970-01-01 01:00');
    expect(await one("UNIX_TIMESTAMP('2024-07-01 00:00:00')", berlin)).toBe(
      BigInt(Date.UTC(2024, 5, 30, 22) / 1000),
    );
  });
  it('collections', async () => {
    expect(await one('ARRAY[1, 2, 3][2]')).toBe(2);
    expect(await one('ARRAY[1, 2, 3][5]')).toBeNull();
    expect(await one("MAP['a', 1, 'b', 2]['b']")).toBe(2);
    expect(await one('CARDINALITY(ARRAY[1, 2])')).toBe(2);
    expect(await one('ARRAY_CONTAINS(ARRAY[1, 2], 2)')).toBe(true);
  });
  it('functions compose and see NULLs', async () => {
    expect(await one("UPPER(CONCAT_WS('-', 'a', CAST(NULL AS STRING), 'b'))")).toBe('A-B');
    expect(await one('COALESCE(CAST(NULL AS INT), 7)')).toBe(7);
    expect(await one('JSON_VALUE(\'{"a":{"b":[10,20]}}\', \'$.a.b[1]\')')).toBe('20');
    expect(await one("REGEXP_EXTRACT('foothebar', 'foo(.*?)(bar)', 2)")).toBe('bar');
    expect(await one('ROUND(2.5E0)')).toBe(3);
  });
  it('wrong argument types are planning errors with the call position', async () => {
    const err = await rows('SELECT 1 AS x,\n  UPPER(42)').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RivuletError);
    const e = err as RivuletError;
    expect(e.code).toBe('FUNCTION_SIGNATURE');
    expect(e.message).toContain('UPPER(STRING)');
    expect(e.span?.line).toBe(2);
  });
});
