/**
 * Differential test of bounded runs (issue 4): a few hundred generated queries run by Rivulet (through
 * its streaming operators, to the end of the bounded input) and by PostgreSQL (PGlite, an independent
 * engine from the npm registry); the final results must be equal as multisets. The queries stay in
 * the SQL both dialects define identically (no division, no AVG of integers, lower-case ASCII strings).
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../connectors/datagen.ts';
import { Session } from '../../runtime/session.ts';
import { queryRows } from '../engine/helpers.ts';

const QUERIES = Number(process.env.RIVULET_DIFF_QUERIES ?? 300);

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

interface Table {
  name: string;
  ints: string[];
  str: string;
  rows: (number | string | null)[][];
}

function makeTable(r: Rand, name: string, ints: string[], str: string): Table {
  const rows = Array.from({ length: int(r, 0, 12) }, () => [
    ...ints.map(() => (r() < 0.2 ? null : int(r, -3, 5))),
    r() < 0.2 ? null : pick(r, ['a', 'b', 'c', 'ab']),
  ]);
  return { name, ints, str, rows };
}

function intExpr(r: Rand, cols: string[], depth = 0): string {
  const leaf = () => (r() < 0.7 ? pick(r, cols) : String(int(r, -2, 4)));
  if (depth >= 2 || r() < 0.4) return leaf();
  switch (int(r, 0, 5)) {
    case 0:
      return `(${intExpr(r, cols, depth + 1)} + ${intExpr(r, cols, depth + 1)})`;
    case 1:
      return `(${intExpr(r, cols, depth + 1)} - ${intExpr(r, cols, depth + 1)})`;
    case 2:
      return `(${intExpr(r, cols, depth + 1)} * ${intExpr(r, cols, depth + 1)})`;
    case 3:
      return `CASE WHEN ${pred(r, cols, [], depth + 1)} THEN ${intExpr(r, cols, depth + 1)} ELSE ${intExpr(r, cols, depth + 1)} END`;
    case 4:
      return `COALESCE(${pick(r, cols)}, ${int(r, -1, 3)})`;
    default:
      return `ABS(${intExpr(r, cols, depth + 1)})`;
  }
}

function pred(r: Rand, cols: string[], strs: string[], depth = 0): string {
  const cmp = () =>
    `${intExpr(r, cols, depth + 1)} ${pick(r, ['=', '<>', '<', '<=', '>', '>='])} ${intExpr(r, cols, depth + 1)}`;
  if (depth >= 2) return cmp();
  switch (int(r, 0, 8)) {
    case 0:
      return `${pick(r, cols)} IS ${pick(r, ['', 'NOT '])}NULL`;
    case 1:
      return `(${pred(r, cols, strs, depth + 1)} AND ${pred(r, cols, strs, depth + 1)})`;
    case 2:
      return `(${pred(r, cols, strs, depth + 1)} OR ${pred(r, cols, strs, depth + 1)})`;
    case 3:
      return `NOT (${pred(r, cols, strs, depth + 1)})`;
    case 4:
      return `${pick(r, cols)} BETWEEN ${int(r, -2, 1)} AND ${int(r, 1, 4)}`;
    case 5:
      return `${pick(r, cols)} ${pick(r, ['', 'NOT '])}IN (${int(r, -1, 1)}, ${int(r, 2, 3)}, ${int(r, 4, 5)})`;
    case 6:
      return strs.length > 0
        ? `${pick(r, strs)} ${pick(r, ['=', '<>', '<'])} '${pick(r, ['a', 'b', 'ab'])}'`
        : cmp();
    case 7:
      return strs.length > 0 ? `${pick(r, strs)} LIKE '${pick(r, ['a%', '%b', '_'])}'` : cmp();
    default:
      return cmp();
  }
}

function query(r: Rand, t1: Table, t2: Table): string {
  const c1 = [...t1.ints, t1.str].map((c) => `t1.${c}`);
  const i1 = t1.ints.map((c) => `t1.${c}`);
  const i2 = t2.ints.map((c) => `t2.${c}`);
  const s1 = [`t1.${t1.str}`];
  switch (int(r, 0, 7)) {
    case 0:
      return `SELECT ${intExpr(r, i1)} AS x, ${pick(r, c1)} AS y FROM t1${r() < 0.7 ? ` WHERE ${pred(r, i1, s1)}` : ''}`;
    case 1:
      return `SELECT DISTINCT ${pick(r, i1)} AS x, t1.${t1.str} AS s FROM t1`;
    case 2: {
      const key = pick(r, [...i1, `t1.${t1.str}`]);
      const aggs = [
        'COUNT(*)',
        `COUNT(${pick(r, i1)})`,
        `SUM(${intExpr(r, i1)})`,
        `MIN(${pick(r, i1)})`,
        `MAX(${intExpr(r, i1)})`,
        `COUNT(DISTINCT ${pick(r, i1)})`,
      ];
      const n = int(r, 1, 3);
      const sel = Array.from({ length: n }, (_, i) => `${pick(r, aggs)} AS a${i}`).join(', ');
      const having = r() < 0.3 ? ` HAVING COUNT(*) > ${int(r, 0, 2)}` : '';
      return `SELECT ${key} AS k, ${sel} FROM t1${r() < 0.5 ? ` WHERE ${pred(r, i1, s1)}` : ''} GROUP BY ${key}${having}`;
    }
    case 3: {
      const kind = pick(r, ['INNER', 'LEFT', 'RIGHT', 'FULL']);
      const extra = r() < 0.4 ? ` AND ${pred(r, [...i1, ...i2], [])}` : '';
      return `SELECT ${pick(r, i1)} AS x, ${pick(r, i2)} AS y, t2.${t2.str} AS s FROM t1 ${kind} JOIN t2 ON t1.${t1.ints[0]} = t2.${t2.ints[0]}${extra}`;
    }
    case 4: {
      const op = pick(r, ['UNION ALL', 'UNION', 'INTERSECT', 'EXCEPT', 'INTERSECT ALL', 'EXCEPT ALL']);
      return `SELECT ${pick(r, i1)} AS x FROM t1 ${op} SELECT ${pick(r, i2)} AS x FROM t2`;
    }
    case 5: {
      const form = int(r, 0, 3);
      if (form === 0)
        return `SELECT t1.${t1.ints[0]} AS x FROM t1 WHERE ${pick(r, i1)} IN (SELECT ${pick(r, i2)} FROM t2)`;
      if (form === 1)
        return `SELECT t1.${t1.ints[0]} AS x FROM t1 WHERE ${pick(r, i1)} NOT IN (SELECT ${pick(r, i2)} FROM t2)`;
      if (form === 2)
        return `SELECT t1.${t1.str} AS s FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.${t2.ints[0]} = t1.${t1.ints[0]})`;
      return `SELECT t1.${t1.str} AS s FROM t1 WHERE NOT EXISTS (SELECT 1 FROM t2 WHERE t2.${t2.ints[1]} = t1.${t1.ints[1]} AND ${pred(r, i2, [])})`;
    }
    case 6:
      return `SELECT COUNT(*) AS n, SUM(${intExpr(r, i1)}) AS s, MAX(${pick(r, i1)}) AS m FROM t1 WHERE ${pred(r, i1, s1)}`;
    default: {
      const key = pick(r, i1);
      return `SELECT k, SUM(v) AS total FROM (SELECT ${key} AS k, ${intExpr(r, i1)} AS v FROM t1) AS sub GROUP BY k`;
    }
  }
}

/** Values as both engines' results compare: integers as numbers, everything else as is. */
const norm = (v: unknown): unknown =>
  typeof v === 'bigint' ? Number(v) : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
const canon = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r.map(norm))).sort();

describe('bounded queries agree with PostgreSQL', () => {
  let pg: PGlite;
  beforeAll(async () => {
    pg = new PGlite();
    await pg.query('SELECT 1');
  }, 180_000);
  afterAll(async () => {
    await pg?.close();
  });

  it(`${QUERIES} generated queries give the same results`, async () => {
    const r = seededRandom(20261125);
    const mismatches: string[] = [];
    let nonEmpty = 0;
    let i = 0;
    while (i < QUERIES) {
      // A fresh pair of tables every 10 queries.
      const t1 = makeTable(r, 't1', ['a', 'b'], 's');
      const t2 = makeTable(r, 't2', ['a', 'c'], 's');
      const session = new Session();
      await pg.exec('DROP TABLE IF EXISTS t1; DROP TABLE IF EXISTS t2;');
      for (const t of [t1, t2]) {
        await pg.exec(`CREATE TABLE ${t.name} (${t.ints.map((c) => `${c} INT`).join(', ')}, ${t.str} TEXT)`);
        for (const row of t.rows) {
          await pg.query(`INSERT INTO ${t.name} VALUES (${row.map((_, j) => `$${j + 1}`).join(', ')})`, row);
        }
        const data = JSON.stringify(t.rows).replace(/'/g, "''");
        await session.executeScript(
          `CREATE TABLE ${t.name} (${t.ints.map((c) => `${c} INT`).join(', ')}, ${t.str} STRING) WITH ('connector' = 'values', 'data' = '${data}')`,
        );
      }
      for (let k = 0; k < 10 && i < QUERIES; k++, i++) {
        const sql = query(r, t1, t2);
        const expected = (await pg.query<Record<string, unknown>>(sql, [], { rowMode: 'array' }))
          .rows as unknown as unknown[][];
        let got: unknown[][];
        try {
          got = await queryRows(sql, session);
        } catch (e) {
          mismatches.push(`${sql}\n  Rivulet failed: ${(e as Error).message}`);
          continue;
        }
        if (expected.length > 0) nonEmpty++;
        // RIVULET_DIFF_DEBUG=break drops one row of every non-empty result: the check must then fail.
        if (process.env.RIVULET_DIFF_DEBUG === 'break' && got.length > 0) got = got.slice(1);
        if (JSON.stringify(canon(got)) !== JSON.stringify(canon(expected))) {
          mismatches.push(
            `${sql}\n  tables: ${JSON.stringify(t1.rows)} / ${JSON.stringify(t2.rows)}\n  rivulet:  ${canon(got).join(' ')}\n  postgres: ${canon(expected).join(' ')}`,
          );
        }
      }
    }
    if (process.env.RIVULET_DIFF_DEBUG) console.log(`non-empty results: ${nonEmpty}/${QUERIES}`);
    expect(mismatches.slice(0, 5).join('\n\n')).toBe('');
  }, 300_000);
});
