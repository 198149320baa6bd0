/**
 * Quantified comparisons (`x op ANY|SOME|ALL (subquery)`, and IN / NOT IN written with or without a
 * leading NOT) against PostgreSQL (PGlite): random small tables with many NULLs and often an empty
 * subquery, uncorrelated and correlated forms. The final answers must be equal as multisets.
 */
import { agreesWithPostgres, int, pick, type Rand } from './two-tables.ts';

function query(r: Rand): string {
  const op = pick(r, ['=', '<>', '<', '<=', '>', '>=']);
  const quant = pick(r, ['ANY', 'SOME', 'ALL']);
  const probe = pick(r, ['t1.a', 't1.b', '(t1.a + 1)']);
  const filter = pick(r, [
    '',
    ' WHERE t2.b IS NOT NULL',
    ` WHERE t2.b > ${int(r, 0, 3)}`,
    ' WHERE t2.s = t1.s',
    ' WHERE t2.b = t1.b',
  ]);
  const sub = `(SELECT ${pick(r, ['t2.a', 't2.b'])} FROM t2${filter})`;
  const form = int(r, 0, 4);
  let cond: string;
  if (form === 0) cond = `${probe} ${op} ${quant} ${sub}`;
  else if (form === 1) cond = `NOT (${probe} ${op} ${quant} ${sub})`;
  else if (form === 2) cond = `${probe} ${pick(r, ['IN', 'NOT IN'])} ${sub}`;
  else if (form === 3) cond = `NOT (${probe} ${pick(r, ['IN', 'NOT IN'])} ${sub})`;
  else cond = `${probe} ${op} ${quant} ${sub} AND t1.s <> 'r'`;
  return `SELECT t1.a, t1.b, t1.s FROM t1 WHERE ${cond}`;
}

const norm = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);

agreesWithPostgres('quantified comparisons agree with PostgreSQL', 4_2026, query, norm);
