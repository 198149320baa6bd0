/**
 * Correlated scalar subqueries (decorrelated into a LEFT join with the grouped subquery) against
 * PostgreSQL (PGlite): random small tables with many NULLs, correlation on one or two equalities,
 * in the select list and in WHERE, COUNT (0 for no rows) and aggregates that are NULL for no rows.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../connectors/datagen.ts';
import { Session } from '../../runtime/session.ts';
import { queryRows } from '../engine/helpers.ts';

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** Rows of (a, b, s): a quarter of the integers NULL; a fifth of the tables empty. */
function rows(r: Rand): (number | string | null)[][] {
  const n = r() < 0.2 ? 0 : int(r, 1, 8);
  return Array.from({ length: n }, () => [
    r() < 0.25 ? null : int(r, 0, 4),
    r() < 0.25 ? null : int(r, 0, 4),
    pick(r, ['p', 'q', 'r']),
  ]);
}

function query(r: Rand): string {
  const agg = pick(r, [
    'COUNT(*)',
    'COUNT(t2.a)',
    'SUM(t2.a)',
    'MIN(t2.a)',
    'MAX(t2.b)',
    'COUNT(DISTINCT t2.a)',
  ]);
  const corr = pick(r, ['t2.b = t1.b', 't2.s = t1.s', 't2.b = t1.a AND t2.s = t1.s', 't1.a = t2.a']);
  const local = pick(r, ['', ' AND t2.a IS NOT NULL', ` AND t2.b > ${int(r, 0, 3)}`]);
  const sub = `(SELECT ${agg} FROM t2 WHERE ${corr}${local})`;
  if (r() < 0.5) return `SELECT t1.a, t1.s, ${sub} AS v FROM t1`;
  return `SELECT t1.a, t1.b, t1.s FROM t1 WHERE ${pick(r, ['t1.a', 't1.b', '1'])} ${pick(r, ['<', '=', '>='])} ${sub}`;
}

const norm = (v: unknown): unknown =>
  typeof v === 'bigint' ? Number(v) : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
const canon = (rs: unknown[][]) => rs.map((row) => JSON.stringify(row.map(norm))).sort();

describe('correlated scalar subqueries agree with PostgreSQL', () => {
  let pg: PGlite;
  beforeAll(async () => {
    pg = new PGlite();
    await pg.query('SELECT 1');
  }, 180_000);
  afterAll(async () => {
    await pg?.close();
  });

  it('200 generated queries over tables with NULLs and empty tables give the same rows', async () => {
    const r = seededRandom(4_2027);
    const mismatches: string[] = [];
    let nonEmpty = 0;
    for (let round = 0; round < 20; round++) {
      const t1 = rows(r);
      const t2 = rows(r);
      const session = new Session();
      await pg.exec('DROP TABLE IF EXISTS t1; DROP TABLE IF EXISTS t2;');
      for (const [name, data] of [
        ['t1', t1],
        ['t2', t2],
      ] as const) {
        await pg.exec(`CREATE TABLE ${name} (a INT, b INT, s TEXT)`);
        for (const row of data) await pg.query(`INSERT INTO ${name} VALUES ($1, $2, $3)`, row);
        await session.executeScript(
          `CREATE TABLE ${name} (a INT, b INT, s STRING) WITH ('connector' = 'values', 'data' = '${JSON.stringify(data)}')`,
        );
      }
      for (let k = 0; k < 10; k++) {
        const sql = query(r);
        const expected = (await pg.query<Record<string, unknown>>(sql, [], { rowMode: 'array' }))
          .rows as unknown as unknown[][];
        if (expected.length > 0) nonEmpty++;
        let got: unknown[][];
        try {
          got = await queryRows(sql, session);
        } catch (e) {
          mismatches.push(`${sql}\n  Rivulet failed: ${(e as Error).message}`);
          continue;
        }
        if (JSON.stringify(canon(got)) !== JSON.stringify(canon(expected))) {
          mismatches.push(
            `${sql}\n  tables: ${JSON.stringify(t1)} / ${JSON.stringify(t2)}\n  rivulet:  ${canon(got).join(' ')}\n  postgres: ${canon(expected).join(' ')}`,
          );
        }
      }
    }
    expect(mismatches.slice(0, 5).join('\n\n')).toBe('');
    // The generator must exercise both outcomes, or the comparison proves little.
    expect(nonEmpty).toBeGreaterThan(40);
    expect(nonEmpty).toBeLessThan(190);
  }, 300_000);
});
