/**
 * Correlated scalar subqueries (decorrelated into a LEFT join with the grouped subquery) against
 * PostgreSQL (PGlite): random small tables with many NULLs, correlation on one or two equalities,
 * in the select list and in WHERE, COUNT (0 for no rows) and aggregates that are NULL for no rows.
 */
import { agreesWithPostgres, int, pick, type Rand } from './two-tables.ts';

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

agreesWithPostgres('correlated scalar subqueries agree with PostgreSQL', 4_2027, query, norm);
