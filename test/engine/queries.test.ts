import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../common/errors.ts';
import { Session } from '../../runtime/session.ts';
import { queryChanges, queryRows, sorted } from './helpers.ts';

const ORDERS = `
CREATE TABLE orders (id INT, customer STRING, amount DECIMAL(10, 2), qty INT)
WITH ('connector' = 'datagen', 'number-of-rows' = '5', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '5');
`;

describe('bounded queries over VALUES', () => {
  it('projects, filters and computes with exact decimals', async () => {
    const rows = await queryRows(`
      SELECT a, b * 2 AS twice, c || '!' AS loud, d + 0.10 AS d2
      FROM (VALUES (1, 10, 'x', 1.25), (2, 20, 'y', 2.50), (3, NULL, 'z', 0.05)) AS t(a, b, c, d)
      WHERE a <> 2`);
    expect(rows).toEqual([
      [1, 20, 'x!', 135n],
      [3, null, 'z!', 15n],
    ]);
  });

  it('groups with COUNT, SUM, MIN, MAX, AVG and HAVING, ordered', async () => {
    const rows = await queryRows(`
      SELECT k, COUNT(*) AS n, SUM(v) AS s, MIN(v) AS lo, MAX(v) AS hi
      FROM (VALUES ('a', 1), ('b', 5), ('a', 3), ('c', 7), ('b', NULL)) AS t(k, v)
      GROUP BY k HAVING COUNT(*) >= 1 ORDER BY k DESC`);
    expect(rows).toEqual([
      ['c', 1n, 7, 7, 7],
      ['b', 2n, 5, 5, 5],
      ['a', 2n, 4, 1, 3],
    ]);
  });

  it('a global aggregate over an empty bounded input gives one row (COUNT 0, SUM NULL)', async () => {
    const rows = await queryRows('SELECT COUNT(*), SUM(v) FROM (VALUES (1), (2)) AS t(v) WHERE v > 5');
    expect(rows).toEqual([[0n, null]]);
  });

  it('joins inner and left outer with NULL padding', async () => {
    const sql = (kind: string) => `
      SELECT o.id, c.name FROM (VALUES (1, 10), (2, 20), (3, 99)) AS o(id, cid)
      ${kind} JOIN (VALUES (10, 'ann'), (20, 'bob')) AS c(cid, name) ON o.cid = c.cid`;
    expect(sorted(await queryRows(sql('INNER')))).toEqual([
      [1, 'ann'],
      [2, 'bob'],
    ]);
    expect(sorted(await queryRows(sql('LEFT')))).toEqual([
      [1, 'ann'],
      [2, 'bob'],
      [3, null],
    ]);
  });

  it('UNION ALL, UNION, INTERSECT and EXCEPT', async () => {
    const a = '(VALUES (1), (2), (2), (3)) AS a(x)';
    const b = '(VALUES (2), (3), (4)) AS b(x)';
    expect(sorted(await queryRows(`SELECT x FROM ${a} UNION ALL SELECT x FROM ${b}`))).toEqual([
      [1],
      [2],
      [2],
      [2],
      [3],
      [3],
      [4],
    ]);
    expect(sorted(await queryRows(`SELECT x FROM ${a} UNION SELECT x FROM ${b}`))).toEqual([
      [1],
      [2],
      [3],
      [4],
    ]);
    expect(sorted(await queryRows(`SELECT x FROM ${a} INTERSECT SELECT x FROM ${b}`))).toEqual([[2], [3]]);
    expect(sorted(await queryRows(`SELECT x FROM ${a} EXCEPT SELECT x FROM ${b}`))).toEqual([[1]]);
  });

  it('SELECT DISTINCT, ORDER BY an expression not selected, LIMIT and OFFSET', async () => {
    const rows = await queryRows(`
      SELECT DISTINCT k FROM (VALUES ('b'), ('a'), ('b'), ('c')) AS t(k) ORDER BY k`);
    expect(rows).toEqual([['a'], ['b'], ['c']]);
    const top = await queryRows(
      `SELECT n FROM (VALUES (5), (1), (4), (2), (3)) AS t(n) ORDER BY n * -1 LIMIT 2 OFFSET 1`,
    );
    expect(top).toEqual([[4], [3]]);
  });

  it('CASE, COALESCE, IN, BETWEEN, LIKE and IS NULL with three-valued logic', async () => {
    const rows = await queryRows(`
      SELECT n,
        CASE WHEN n IS NULL THEN 'none' WHEN n BETWEEN 1 AND 2 THEN 'low' ELSE 'high' END AS band,
        n IN (1, 3) AS odd, s LIKE 'a%' AS a_prefix, COALESCE(n, -1) AS filled
      FROM (VALUES (1, 'abc'), (2, 'xyz'), (3, 'a'), (CAST(NULL AS INT), 'b')) AS t(n, s)`);
    expect(rows).toEqual([
      [1, 'low', true, true, 1],
      [2, 'low', false, false, 2],
      [3, 'high', true, true, 3],
      [null, 'none', null, false, -1],
    ]);
  });

  it('CTEs and views', async () => {
    const session = new Session();
    await session.executeScript(`CREATE VIEW nums AS SELECT * FROM (VALUES (1), (2), (3)) AS t(n)`);
    const rows = await queryRows(
      'WITH doubled AS (SELECT n * 2 AS d FROM nums) SELECT SUM(d) FROM doubled',
      session,
    );
    expect(rows).toEqual([[12]]);
  });
});

describe('changelog semantics', () => {
  it('a group aggregate emits -U/+U as the result changes, and nothing when it does not', async () => {
    const changes = await queryChanges(`
      SELECT k, MAX(v) AS m FROM (VALUES ('a', 5), ('a', 3), ('a', 9)) AS t(k, v) GROUP BY k`);
    expect(changes).toEqual(['+I["a",5]', '-U["a",5]', '+U["a",9]']);
  });
});

describe('tables over connectors', () => {
  it('datagen sequences are bounded and computed columns are evaluated', async () => {
    const rows = await queryRows(`
      ${ORDERS}
      SELECT id, id * 10 AS tens FROM orders WHERE id > 2`);
    expect(rows).toEqual([
      [3, 30],
      [4, 40],
      [5, 50],
    ]);
  });

  it('the same seed gives the same random rows', async () => {
    const ddl = `CREATE TABLE r (x INT, s STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '20', 'seed' = '42', 'fields.x.min' = '1', 'fields.x.max' = '6', 'fields.s.length' = '5');`;
    const a = await queryRows(`${ddl} SELECT * FROM r`);
    const b = await queryRows(`${ddl} SELECT * FROM r`);
    expect(a).toHaveLength(20);
    expect(a).toEqual(b);
    for (const [x, s] of a) {
      expect(x).toBeGreaterThanOrEqual(1);
      expect(x).toBeLessThanOrEqual(6);
      expect(s).toMatch(/^[A-Za-z0-9]{5}$/);
    }
  });

  it('INSERT INTO a print sink writes changes in Flink notation', async () => {
    const session = new Session();
    const lines: string[] = [];
    const { printConnector } = await import('../../connectors/print.ts');
    session.connectors.register(
      printConnector({ write: (s: string) => lines.push(s) > 0 } as unknown as NodeJS.WritableStream),
    );
    const results = await session.executeScript(`
      CREATE TABLE out (k STRING, n BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'p');
      INSERT INTO out SELECT k, COUNT(*) FROM (VALUES ('a'), ('b'), ('a')) AS t(k) GROUP BY k;`);
    const job = results[1];
    if (job?.kind !== 'jobs') throw new Error('expected a job');
    await job.done;
    expect(lines.join('')).toBe('p> +I[a, 1]\np> +I[b, 1]\np> -U[a, 1]\np> +U[a, 2]\n');
  });
});

describe('planning errors carry positions and suggestions', () => {
  const planError = async (sql: string): Promise<RivuletError> => {
    try {
      await new Session().executeScript(sql);
    } catch (e) {
      if (e instanceof RivuletError) return e;
      throw e;
    }
    throw new Error('expected an error');
  };

  it('unknown column with did-you-mean', async () => {
    const e = await planError('SELECT amout FROM (VALUES (1)) AS t(amount)');
    expect(e.code).toBe('COLUMN_NOT_FOUND');
    expect(e.message).toContain("did you mean 'amount'");
    expect(e.span).toMatchObject({ line: 1, column: 8 });
  });

  it('unknown table', async () => {
    const e = await planError('SELECT * FROM nowhere');
    expect(e.code).toBe('TABLE_NOT_FOUND');
    expect(e.span?.column).toBe(15);
  });

  it('a column that is not grouped', async () => {
    const e = await planError('SELECT k, v FROM (VALUES (1, 2)) AS t(k, v) GROUP BY k');
    expect(e.code).toBe('NOT_GROUPED');
    expect(e.message).toContain("'v'");
  });

  it('type mismatch names both types', async () => {
    const e = await planError("SELECT 1 + 'a'");
    expect(e.message).toMatch(/INT/);
    expect(e.message).toMatch(/CHAR/);
  });

  it('unknown connector option lists the valid ones', async () => {
    const e = await planError(
      "CREATE TABLE t (a INT) WITH ('connector' = 'datagen', 'rows-per-secnd' = '5')",
    );
    expect(e.code).toBe('OPTION_UNKNOWN');
    expect(e.message).toContain("did you mean 'rows-per-second'");
  });

  it('an update stream into an append-only sink is refused', async () => {
    const session = new Session();
    const { RowKind } = await import('../../operators/api.ts');
    void RowKind;
    session.connectors.register({
      identifier: 'append',
      options: [],
      createSink: () => ({
        accepts: 'insert-only',
        open: async () => {},
        write: () => {},
        flush: async () => {},
        close: async () => {},
      }),
    });
    await session.executeScript("CREATE TABLE s (k INT, n BIGINT) WITH ('connector' = 'append')");
    let err: unknown;
    try {
      await session.executeScript('INSERT INTO s SELECT k, COUNT(*) FROM (VALUES (1)) AS t(k) GROUP BY k');
    } catch (e) {
      err = e;
    }
    expect((err as RivuletError).code).toBe('SINK_CHANGELOG');
  });
});

describe('subqueries', () => {
  const orders = '(VALUES (1, 10), (2, 20), (3, CAST(NULL AS INT)), (4, 10)) AS o(id, c)';
  it('IN and NOT IN follow SQL NULL semantics', async () => {
    expect(
      sorted(
        await queryRows(`SELECT id FROM ${orders} WHERE c IN (SELECT k FROM (VALUES (10), (30)) AS x(k))`),
      ),
    ).toEqual([[1], [4]]);
    expect(
      await queryRows(`SELECT id FROM ${orders} WHERE c NOT IN (SELECT k FROM (VALUES (10), (30)) AS x(k))`),
    ).toEqual([[2]]);
    // A NULL in the subquery makes NOT IN unknown for every row.
    expect(
      await queryRows(
        `SELECT id FROM ${orders} WHERE c NOT IN (SELECT k FROM (VALUES (10), (CAST(NULL AS INT))) AS x(k))`,
      ),
    ).toEqual([]);
  });

  it('correlated EXISTS and NOT EXISTS become semi and anti joins', async () => {
    const items = "(VALUES (10, 'a'), (10, 'b'), (30, 'c')) AS x(k, n)";
    expect(
      sorted(
        await queryRows(
          `SELECT id FROM ${orders} WHERE EXISTS (SELECT 1 FROM ${items} WHERE x.k = o.c AND x.n <> 'b')`,
        ),
      ),
    ).toEqual([[1], [4]]);
    expect(
      sorted(
        await queryRows(`SELECT id FROM ${orders} WHERE NOT EXISTS (SELECT 1 FROM ${items} WHERE x.k = o.c)`),
      ),
    ).toEqual([[2], [3]]);
  });

  it('an uncorrelated scalar subquery is joined as a value', async () => {
    const rows = await queryRows(
      `SELECT id FROM ${orders} WHERE c > (SELECT MIN(k) FROM (VALUES (10), (15)) AS x(k))`,
    );
    expect(rows).toEqual([[2]]);
  });

  it('a scalar subquery that may return several rows is refused', async () => {
    await expect(
      new Session().executeScript(`SELECT (SELECT k FROM (VALUES (1), (2)) AS x(k)) AS v`),
    ).rejects.toThrow(/exactly one aggregate/);
  });

  it('quantified comparisons: ALL over an empty subquery is TRUE, ANY is FALSE, NULLs make them unknown', async () => {
    const none = '(SELECT k FROM (VALUES (1)) AS x(k) WHERE k > 5)';
    expect(sorted(await queryRows(`SELECT id FROM ${orders} WHERE c > ALL ${none}`))).toEqual([
      [1],
      [2],
      [3],
      [4],
    ]);
    expect(await queryRows(`SELECT id FROM ${orders} WHERE c = SOME ${none}`)).toEqual([]);
    const some = '(SELECT k FROM (VALUES (5), (15)) AS x(k))';
    expect(sorted(await queryRows(`SELECT id FROM ${orders} WHERE c > ALL ${some}`))).toEqual([[2]]);
    expect(sorted(await queryRows(`SELECT id FROM ${orders} WHERE c < ANY ${some}`))).toEqual([[1], [4]]);
    // NOT (c > ALL s) is c <= ANY s: id 3 (c NULL) is unknown either way and never selected.
    expect(sorted(await queryRows(`SELECT id FROM ${orders} WHERE NOT (c > ALL ${some})`))).toEqual([
      [1],
      [4],
    ]);
    const withNull = '(SELECT k FROM (VALUES (5), (CAST(NULL AS INT))) AS x(k))';
    expect(await queryRows(`SELECT id FROM ${orders} WHERE c > ALL ${withNull}`)).toEqual([]);
    expect(sorted(await queryRows(`SELECT id FROM ${orders} WHERE c > ANY ${withNull}`))).toEqual([
      [1],
      [2],
      [4],
    ]);
  });

  it('a quantified comparison against an aggregating subquery follows its updates', async () => {
    // The subquery's rows are updated as its input arrives (MAX per group): the answer is the final one.
    const sub = '(SELECT MAX(v) FROM (VALUES (1, 4), (1, 12), (2, 3), (2, 9)) AS x(g, v) GROUP BY g)';
    expect(sorted(await queryRows(`SELECT id FROM ${orders} WHERE c >= ALL ${sub}`))).toEqual([[2]]);
    expect(sorted(await queryRows(`SELECT id FROM ${orders} WHERE c >= SOME ${sub}`))).toEqual([
      [1],
      [2],
      [4],
    ]);
  });

  it('correlated scalar subqueries: a LEFT join with the grouped subquery; COUNT over no rows is 0', async () => {
    const items = '(VALUES (10, 4), (10, 8), (20, 30)) AS x(k, w)';
    expect(
      sorted(
        await queryRows(
          `SELECT id, (SELECT COUNT(*) FROM ${items} WHERE x.k = o.c) AS n, (SELECT MAX(w) FROM ${items} WHERE x.k = o.c AND w < 10) AS m FROM ${orders}`,
        ),
      ),
    ).toEqual([
      [1, 2n, 8],
      [2, 1n, null],
      [3, 0n, null],
      [4, 2n, 8],
    ]);
    expect(
      sorted(
        await queryRows(`SELECT id FROM ${orders} WHERE c < (SELECT SUM(w) FROM ${items} WHERE x.k = o.c)`),
      ),
    ).toEqual([[1], [2], [4]]);
  });

  it('a correlated scalar subquery that cannot be decorrelated is a planning error saying why', async () => {
    const items = '(VALUES (10, 4)) AS x(k, w)';
    for (const [sql, why] of [
      [`SELECT id, (SELECT MAX(w) FROM ${items} WHERE x.k < o.c) FROM ${orders}`, /not an equality/],
      [`SELECT id, (SELECT w FROM ${items} WHERE x.k = o.c) FROM ${orders}`, /exactly one aggregate call/],
    ] as const) {
      const err = await queryRows(sql).catch((e: unknown) => e);
      expect((err as RivuletError).code).toBe('SUBQUERY_CORRELATION');
      expect((err as Error).message).toMatch(why);
    }
  });

  it('a quantified comparison outside a WHERE conjunct is a planning error', async () => {
    let err: unknown;
    try {
      await queryRows(`SELECT c > ALL (SELECT k FROM (VALUES (1)) AS x(k)) FROM ${orders}`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RivuletError);
    expect((err as RivuletError).code).toBe('SUBQUERY_MISPLACED');
  });
});

describe('grouping sets', () => {
  const data = "(VALUES ('a', 'x', 1), ('a', 'y', 2), ('b', 'x', 3)) AS t(k, c, v)";
  it('ROLLUP gives the subtotals and the grand total, with GROUPING bits', async () => {
    const rows = await queryRows(
      `SELECT k, c, SUM(v) AS s, GROUPING(k, c) AS g FROM ${data} GROUP BY ROLLUP(k, c)`,
    );
    expect(sorted(rows)).toEqual(
      sorted([
        ['a', 'x', 1, 0n],
        ['a', 'y', 2, 0n],
        ['b', 'x', 3, 0n],
        ['a', null, 3, 1n],
        ['b', null, 3, 1n],
        [null, null, 6, 3n],
      ]),
    );
  });

  it('CUBE and GROUPING SETS', async () => {
    expect(
      await queryRows(`SELECT COUNT(*) FROM (SELECT k, c, COUNT(*) AS n FROM ${data} GROUP BY CUBE(k, c))`),
    ).toEqual([[8n]]);
    const rows = await queryRows(`SELECT k, c, SUM(v) FROM ${data} GROUP BY GROUPING SETS ((k), (c))`);
    expect(sorted(rows)).toEqual(
      sorted([
        ['a', null, 3],
        ['b', null, 3],
        [null, 'x', 4],
        [null, 'y', 2],
      ]),
    );
  });
});

describe('rewrite rules', () => {
  it('WHERE conditions of a comma join become join keys and per-side filters; constants are folded', async () => {
    const [plan] = await new Session().executeScript(
      'EXPLAIN SELECT a.x, b.y FROM (VALUES (1, 2)) AS a(x, k), (VALUES (1, 3)) AS b(y, k) WHERE a.k = b.k AND a.x > 1 + 2 AND b.y < 5',
    );
    const text = plan?.kind === 'explain' ? plan.text : '';
    expect(text).toMatch(/Join\(joinType=\[INNER\], where=\[=\(k, k\)\]\)/);
    expect(text).toContain('Calc(where=[>(x, 3)])');
    expect(text).toContain('Calc(where=[<(y, 5)])');
    const rows = await queryRows(
      'SELECT a.x, b.y FROM (VALUES (4, 2), (5, 9)) AS a(x, k), (VALUES (1, 2), (2, 9), (7, 9)) AS b(y, k) WHERE a.k = b.k AND a.x > 1 + 2 AND b.y < 5',
    );
    expect(sorted(rows)).toEqual([
      [4, 1],
      [5, 2],
    ]);
  });

  it('a rule can be disabled by name', async () => {
    const s = new Session();
    await s.executeScript("SET 'table.optimizer.disabled-rules' = 'push-down-filter'");
    const [plan] = await s.executeScript(
      'EXPLAIN SELECT a.x FROM (VALUES (1, 2)) AS a(x, k), (VALUES (1, 3)) AS b(y, k) WHERE a.k = b.k',
    );
    expect(plan?.kind === 'explain' && plan.text).toMatch(/Join\(joinType=\[INNER\], where=\[true\]\)/);
  });
});
