/**
 * The parser's AST for each construct of the dialect: what the planner reads off each node.
 */

import { describe, expect, it } from 'vitest';
import type * as A from '../../parser/ast.ts';
import { parse, parseExpression } from '../../parser/index.ts';

function one(sql: string): A.Statement {
  const statements = parse(sql);
  expect(statements).toHaveLength(1);
  return statements[0]!;
}

function as<K extends A.NodeKind>(
  node: { readonly kind: string } | null | undefined,
  kind: K,
): A.NodeOfKind<K> {
  expect(node?.kind).toBe(kind);
  return node as A.NodeOfKind<K>;
}

const select = (sql: string) => as(one(sql), 'select');
const expr = (sql: string) => parseExpression(sql);
const names = (ids: readonly A.Identifier[]) => ids.map((i) => i.text);

describe('scripts', () => {
  it('splits on semicolons, allows a trailing one, and gives [] for an empty script', () => {
    expect(parse('SELECT 1; SELECT 2;').map((s) => s.kind)).toEqual(['select', 'select']);
    expect(parse('')).toEqual([]);
    expect(parse(' -- only a comment\n/* and another */ ;')).toEqual([]);
  });

  it('gives every statement a span covering its text without the separator', () => {
    const sql = 'SELECT 1;\n  INSERT INTO t SELECT 2 ;';
    const [a, b] = parse(sql);
    expect(sql.slice(a!.span.offset, a!.span.end)).toBe('SELECT 1');
    expect(sql.slice(b!.span.offset, b!.span.end)).toBe('INSERT INTO t SELECT 2');
    expect([b!.span.line, b!.span.column]).toEqual([2, 3]);
  });
});

describe('lexical', () => {
  it('reads identifiers plain, in backticks and in double quotes, keeping case and quoting', () => {
    const s = select('SELECT MyCol, `my ``col`, "x""y" FROM t');
    const ids = s.items.map((i) => as(i.expr, 'columnRef').path[0]!);
    expect(ids.map((i) => [i.text, i.quoted])).toEqual([
      ['MyCol', false],
      ['my `col', true],
      ['x"y', true],
    ]);
  });

  it('accepts non-reserved keywords as names', () => {
    const words = [
      'value',
      'key',
      'timestamp',
      'time',
      'date',
      'language',
      'offset',
      'partition',
      'first',
      'last',
    ];
    const more = ['next', 'prev', 'match', 'define', 'measures', 'pattern', 'running', 'final'];
    const s = select(`SELECT ${[...words, ...more].join(', ')} FROM t`);
    expect(s.items.map((i) => as(i.expr, 'columnRef').path[0]!.text)).toEqual([...words, ...more]);
    const t = as(select('SELECT 1 FROM value AS key').from, 'tableName');
    expect([t.name.parts[0]!.text, t.alias?.name.text]).toEqual(['value', 'key']);
  });

  it('reads keywords in any case', () => {
    expect(one('sElEcT a fRoM t wHeRe b').kind).toBe('select');
  });

  it('decodes string literals: doubled quotes, Unicode escapes, adjacent literals', () => {
    expect(as(expr("'it''s'"), 'stringLiteral').value).toBe("it's");
    expect(as(expr("U&'caf\\00e9 \\+01F600'"), 'stringLiteral').value).toBe('café 😀');
    expect(as(expr("'a'\n'b'"), 'stringLiteral').value).toBe('ab');
    expect(as(expr("X'0A ff'"), 'binaryStringLiteral').hex).toBe('0aff');
  });

  it('keeps the text of numeric literals so exact decimals survive', () => {
    for (const text of ['42', '1.50', '.5', '1e-3', '12345678901234567890.000000001']) {
      expect(as(expr(text), 'numericLiteral').text).toBe(text);
    }
  });

  it('reads typed and interval literals', () => {
    expect(as(expr("DATE '2024-01-31'"), 'typedLiteral')).toMatchObject({
      type: 'DATE',
      value: '2024-01-31',
    });
    expect(as(expr("TIMESTAMP '2024-01-31 12:00:00.5'"), 'typedLiteral').type).toBe('TIMESTAMP');
    const i = as(expr("INTERVAL '1 02:03' DAY TO MINUTE"), 'intervalLiteral');
    expect([i.value, i.sign, i.qualifier.start, i.qualifier.end]).toEqual(['1 02:03', 1, 'DAY', 'MINUTE']);
    const s = as(expr("INTERVAL -'10' SECOND(3)"), 'intervalLiteral');
    expect([s.sign, s.qualifier.start, s.qualifier.startPrecision]).toEqual([-1, 'SECOND', 3]);
    expect(as(expr("INTERVAL '10' MINUTES"), 'intervalLiteral').qualifier.start).toBe('MINUTE');
  });

  it('skips -- and /* */ comments, including Flink hints', () => {
    expect(select('SELECT /*+ OPTIONS(x) */ a -- trailing\nFROM t').items).toHaveLength(1);
  });
});

describe('expressions', () => {
  const shape = (e: A.Expr): unknown => {
    switch (e.kind) {
      case 'binary':
        return [e.op, shape(e.left), shape(e.right)];
      case 'unary':
        return [e.op, shape(e.operand)];
      case 'columnRef':
        return e.path.map((p) => p.text).join('.');
      case 'numericLiteral':
        return e.text;
      default:
        return e.kind;
    }
  };

  it('applies standard precedence and left associativity', () => {
    expect(shape(expr('a OR b AND NOT c = d'))).toEqual(['OR', 'a', ['AND', 'b', ['NOT', ['=', 'c', 'd']]]]);
    expect(shape(expr('a + b * c - d'))).toEqual(['-', ['+', 'a', ['*', 'b', 'c']], 'd']);
    expect(shape(expr('a || b + c'))).toEqual(['||', 'a', ['+', 'b', 'c']]);
    expect(shape(expr('-a * b % 2'))).toEqual(['%', ['*', ['-', 'a'], 'b'], '2']);
    expect(shape(expr('(a + b) * c'))).toEqual(['*', ['+', 'a', 'b'], 'c']);
  });

  it('normalizes != to <>', () => {
    expect(as(expr('a != b'), 'binary').op).toBe('<>');
  });

  it('reads IS, BETWEEN, LIKE, SIMILAR TO, IN and quantified comparisons', () => {
    expect(as(expr('a IS NOT UNKNOWN'), 'is')).toMatchObject({ not: true, test: 'UNKNOWN' });
    expect(as(expr('a IS NOT DISTINCT FROM b'), 'isDistinctFrom').not).toBe(true);
    expect(as(expr('a NOT BETWEEN SYMMETRIC 1 AND 2'), 'between')).toMatchObject({
      not: true,
      symmetric: true,
    });
    const like = as(expr("a NOT LIKE 'x!%' ESCAPE '!'"), 'like');
    expect([like.op, like.not, like.escape?.kind]).toEqual(['LIKE', true, 'stringLiteral']);
    expect(as(expr("a SIMILAR TO 'x|y'"), 'like').op).toBe('SIMILAR_TO');
    expect(as(expr('a NOT IN (1, 2)'), 'inList').list).toHaveLength(2);
    expect(as(expr('a IN (SELECT b FROM t)'), 'inSubquery').not).toBe(false);
    expect(as(expr('a >= SOME (SELECT b FROM t)'), 'quantifiedComparison')).toMatchObject({
      op: '>=',
      quantifier: 'ANY',
    });
    expect(as(as(expr('NOT EXISTS (SELECT 1)'), 'unary').operand, 'exists').query.kind).toBe('select');
    expect(as(expr('(SELECT MAX(x) FROM t) + 1'), 'binary').left.kind).toBe('scalarSubquery');
  });

  it('reads CASE, CAST and TRY_CAST', () => {
    const simple = as(expr("CASE a WHEN 1 THEN 'one' ELSE 'other' END"), 'case');
    expect([simple.operand?.kind, simple.whens.length, simple.else?.kind]).toEqual([
      'columnRef',
      1,
      'stringLiteral',
    ]);
    expect(as(expr('CASE WHEN a THEN 1 END'), 'case').operand).toBeNull();
    const c = as(expr('TRY_CAST(a AS DECIMAL(10, 2) NOT NULL)'), 'cast');
    expect([c.try, c.type]).toMatchObject([
      true,
      { kind: 'simpleType', name: 'DECIMAL', precision: 10, scale: 2, notNull: true },
    ]);
  });

  it('reads the keyword-argument functions', () => {
    expect(as(expr('EXTRACT(YEAR FROM ts)'), 'extract').unit).toBe('YEAR');
    expect(as(expr("POSITION('a' IN s FROM 2)"), 'position').from?.kind).toBe('numericLiteral');
    expect(as(expr("TRIM(LEADING 'x' FROM s)"), 'trim')).toMatchObject({
      side: 'LEADING',
      chars: { kind: 'stringLiteral' },
    });
    expect(as(expr('TRIM(s)'), 'trim')).toMatchObject({ side: null, chars: null });
    expect(as(expr('SUBSTRING(s FROM 2 FOR 3)'), 'substring').length?.kind).toBe('numericLiteral');
    expect(as(expr('SUBSTRING(s, 2)'), 'substring').length).toBeNull();
    expect(as(expr("OVERLAY(s PLACING 'x' FROM 2)"), 'overlay').placing.kind).toBe('stringLiteral');
    expect(as(expr('FLOOR(ts TO HOUR)'), 'ceilFloor')).toMatchObject({ fn: 'FLOOR', unit: 'HOUR' });
    expect(as(expr('CEIL(x)'), 'functionCall').name.parts[0]!.text).toBe('CEIL');
    expect(as(expr('TIMESTAMPADD(DAY, 1, ts)'), 'timestampAdd').unit).toBe('DAY');
    expect(as(expr('TIMESTAMPDIFF(SECOND, a, b)'), 'timestampDiff').unit).toBe('SECOND');
  });

  it('reads function calls with DISTINCT, FILTER, WITHIN GROUP, null treatment and OVER', () => {
    const f = as(expr('COUNT(DISTINCT a) FILTER (WHERE b > 0) OVER w'), 'functionCall');
    expect([f.distinct, f.filter?.kind, as(f.over, 'identifier').text]).toEqual([true, 'binary', 'w']);
    const g = as(expr('PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x DESC)'), 'functionCall');
    expect(g.withinGroup[0]!.direction).toBe('DESC');
    const h = as(
      expr(
        'LAG(x, 1) IGNORE NULLS OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)',
      ),
      'functionCall',
    );
    const spec = as(h.over, 'windowSpec');
    expect([
      h.nullTreatment,
      spec.partitionBy.length,
      spec.frame?.start.bound,
      spec.frame?.end?.bound,
    ]).toEqual(['IGNORE_NULLS', 1, 'PRECEDING', 'CURRENT_ROW']);
    expect(as(expr('COUNT(*)'), 'functionCall').args[0]!.kind).toBe('star');
    expect(as(expr('db.fn(1)'), 'functionCall').name.parts.map((p) => p.text)).toEqual(['db', 'fn']);
  });

  it('reads niladic keywords and PROCTIME() as calls', () => {
    const c = as(expr('CURRENT_TIMESTAMP'), 'functionCall');
    expect([c.name.parts[0]!.text, c.args.length]).toEqual(['CURRENT_TIMESTAMP', 0]);
    expect(as(expr('PROCTIME()'), 'functionCall').name.parts[0]!.text).toBe('PROCTIME');
  });

  it('reads constructors and element and field access', () => {
    expect(as(expr('ARRAY[1, 2]'), 'arrayConstructor').elements).toHaveLength(2);
    const m = as(expr("MAP['a', 1, 'b', 2]"), 'mapConstructor');
    expect(m.entries.map((e) => as(e.key, 'stringLiteral').value)).toEqual(['a', 'b']);
    expect(as(expr('ROW(1, 2)'), 'row').explicit).toBe(true);
    expect(as(expr('(1, 2)'), 'row').explicit).toBe(false);
    expect(as(expr("m['k']"), 'elementAccess').index.kind).toBe('stringLiteral');
    const fa = as(expr('f(x).y'), 'fieldAccess');
    expect([fa.expr.kind, fa.field.text]).toEqual(['functionCall', 'y']);
    expect(names(as(expr('r.a.b'), 'columnRef').path)).toEqual(['r', 'a', 'b']);
    expect(as(as(expr('arr[1].z'), 'fieldAccess').expr, 'elementAccess').expr.kind).toBe('columnRef');
  });

  it('numbers ? parameters in order within a statement', () => {
    const s = select('SELECT ? FROM t WHERE a = ? AND b = ?');
    const params: number[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') {
        if ((v as { kind?: string }).kind === 'parameter') params.push((v as A.Parameter).index);
        Object.values(v).forEach(walk);
      }
    };
    walk(s);
    expect(params.sort()).toEqual([0, 1, 2]);
  });
});

describe('types', () => {
  const type = (t: string) => as(expr(`CAST(x AS ${t})`), 'cast').type;
  it('normalizes spellings', () => {
    expect(type('INTEGER')).toMatchObject({ name: 'INT' });
    expect(type('NUMERIC(5)')).toMatchObject({ name: 'DECIMAL', precision: 5, scale: null });
    expect(type('DOUBLE PRECISION')).toMatchObject({ name: 'DOUBLE' });
    expect(type('CHARACTER VARYING(3)')).toMatchObject({ name: 'VARCHAR', precision: 3 });
    expect(type('TIMESTAMP(3) WITH LOCAL TIME ZONE')).toMatchObject({ name: 'TIMESTAMP_LTZ', precision: 3 });
    expect(type('TIMESTAMP(6) WITHOUT TIME ZONE')).toMatchObject({ name: 'TIMESTAMP', precision: 6 });
    expect(type('STRING')).toMatchObject({ name: 'STRING' });
  });

  it('reads collection, row and interval types with NOT NULL at each level', () => {
    const a = as(type('ARRAY<INT NOT NULL> NOT NULL'), 'arrayType');
    expect([a.notNull, a.element.notNull]).toEqual([true, true]);
    expect(as(type('INT ARRAY'), 'arrayType').element).toMatchObject({ name: 'INT' });
    const m = as(type('MAP<STRING, MULTISET<BIGINT>>'), 'mapType');
    expect(m.value.kind).toBe('multisetType');
    const r = as(type("ROW<a INT COMMENT 'x', `b c` ROW(d DATE)>"), 'rowType');
    expect(r.fields.map((f) => [f.name.text, f.type.kind, f.comment])).toEqual([
      ['a', 'simpleType', 'x'],
      ['b c', 'rowType', null],
    ]);
    const i = as(type('INTERVAL DAY(2) TO SECOND(3)'), 'intervalType');
    expect(i.qualifier).toMatchObject({ start: 'DAY', startPrecision: 2, end: 'SECOND', endPrecision: 3 });
  });
});

describe('queries', () => {
  it('reads the clauses of SELECT', () => {
    const s = select(
      'SELECT DISTINCT a AS x, b y, t.* FROM t WHERE a > 1 GROUP BY a, b HAVING COUNT(*) > 1 WINDOW w AS (PARTITION BY a) QUALIFY x = 1 ORDER BY x DESC NULLS FIRST LIMIT 10 OFFSET 5',
    );
    expect(s.distinct).toBe(true);
    expect(s.items.map((i) => i.alias?.text ?? null)).toEqual(['x', 'y', null]);
    expect(as(s.items[2]!.expr, 'star').qualifier.map((q) => q.text)).toEqual(['t']);
    expect([
      s.where?.kind,
      s.groupBy?.elements.length,
      s.having?.kind,
      s.windows[0]!.name.text,
      s.qualify?.kind,
    ]).toEqual(['binary', 2, 'binary', 'w', 'binary']);
    expect(s.orderBy[0]).toMatchObject({ direction: 'DESC', nulls: 'FIRST' });
    expect([as(s.limit, 'numericLiteral').text, as(s.offset, 'numericLiteral').text]).toEqual(['10', '5']);
  });

  it('reads FETCH FIRST as a limit', () => {
    const s = select('SELECT a FROM t OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY');
    expect([as(s.limit, 'numericLiteral').text, as(s.offset, 'numericLiteral').text]).toEqual(['3', '2']);
  });

  it('binds INTERSECT tighter than UNION and EXCEPT, which associate to the left', () => {
    const q = as(
      one('SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT ALL SELECT 4 ORDER BY 1'),
      'setOperation',
    );
    expect([q.op, q.all, q.orderBy.length]).toEqual(['EXCEPT', true, 1]);
    const left = as(q.left, 'setOperation');
    expect([left.op, as(left.right, 'setOperation').op]).toEqual(['UNION', 'INTERSECT']);
  });

  it('keeps ORDER BY / LIMIT inside parentheses on the inner query', () => {
    const q = as(one('(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT b FROM u)'), 'setOperation');
    expect(as(q.left, 'select').limit?.kind).toBe('numericLiteral');
    expect(q.limit).toBeNull();
  });

  it('reads WITH and VALUES', () => {
    const w = as(one('WITH a (x) AS (VALUES (1), (2)), b AS (SELECT * FROM a) SELECT * FROM b'), 'with');
    expect(w.ctes.map((c) => [c.name.text, names(c.columns)])).toEqual([
      ['a', ['x']],
      ['b', []],
    ]);
    expect(as(w.ctes[0]!.query, 'values').rows.map((r) => r.fields.length)).toEqual([1, 1]);
    expect(as(one("VALUES ROW(1, 'a'), (2, 'b')"), 'values').rows.map((r) => r.explicit)).toEqual([
      true,
      false,
    ]);
  });

  it('reads GROUPING SETS, ROLLUP, CUBE and the empty grouping set', () => {
    const g = select('SELECT 1 FROM t GROUP BY GROUPING SETS ((a, b), a, ()), ROLLUP (a, b), CUBE (c)')
      .groupBy!;
    expect(g.elements.map((e) => e.kind)).toEqual(['groupingSets', 'rollup', 'cube']);
    expect(as(g.elements[0], 'groupingSets').sets.map((s) => s.kind)).toEqual([
      'row',
      'columnRef',
      'emptyGroupingSet',
    ]);
  });
});

describe('FROM', () => {
  const from = (sql: string) => select(`SELECT * FROM ${sql}`).from!;

  it('reads joins of every kind, left-associated', () => {
    const j = as(from('a JOIN b ON a.x = b.x LEFT OUTER JOIN c USING (x) CROSS JOIN d'), 'join');
    expect([j.joinType, j.condition]).toEqual(['CROSS', null]);
    const l = as(j.left, 'join');
    expect([l.joinType, as(l.condition, 'joinUsing').columns[0]!.text]).toEqual(['LEFT', 'x']);
    expect(as(l.left, 'join').joinType).toBe('INNER');
    const n = as(from('a NATURAL FULL JOIN b'), 'join');
    expect([n.natural, n.joinType, n.condition]).toEqual([true, 'FULL', null]);
    expect(as(from('a, b'), 'join').joinType).toBe('COMMA');
  });

  it('reads temporal table references', () => {
    const j = as(from('orders o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.c = r.c'), 'join');
    const r = as(j.right, 'tableName');
    expect([as(r.systemTime, 'systemTimeAsOf').at.kind, r.alias?.name.text]).toEqual(['columnRef', 'r']);
    const range = as(
      as(from('t FOR SYSTEM_TIME BETWEEN a AND b'), 'tableName').systemTime,
      'systemTimeRange',
    );
    expect(range.mode).toBe('BETWEEN');
  });

  it('reads derived tables, VALUES with column aliases, LATERAL and UNNEST', () => {
    const v = as(from("(VALUES (1, 'a')) AS t(id, value)"), 'subquery');
    expect([v.query.kind, names(v.alias!.columns)]).toEqual(['values', ['id', 'value']]);
    const lat = as(as(from('a, LATERAL (SELECT * FROM b WHERE b.x = a.x) s'), 'join').right, 'subquery');
    expect(lat.lateral).toBe(true);
    const tf = as(
      as(from('a LEFT JOIN LATERAL TABLE(split(a.s)) AS T(w) ON TRUE'), 'join').right,
      'tableFunction',
    );
    expect([tf.lateral, tf.name.parts[0]!.text, names(tf.alias!.columns)]).toEqual([true, 'split', ['w']]);
    const u = as(as(from('t CROSS JOIN UNNEST(t.arr) WITH ORDINALITY AS u(x, n)'), 'join').right, 'unnest');
    expect([u.withOrdinality, names(u.alias!.columns)]).toEqual([true, ['x', 'n']]);
  });

  it('reads window table functions with positional and named arguments', () => {
    const t = as(from("TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' MINUTE))"), 'tableFunction');
    expect(t.args.map((a) => a.value.kind)).toEqual(['tableArgument', 'descriptor', 'intervalLiteral']);
    const s = as(
      from(
        "TABLE(SESSION(DATA => TABLE bids PARTITION BY (item, bidder), TIMECOL => DESCRIPTOR(ts), GAP => INTERVAL '5' MINUTE))",
      ),
      'tableFunction',
    );
    expect(s.args.map((a) => a.name?.text)).toEqual(['DATA', 'TIMECOL', 'GAP']);
    expect(as(s.args[0]!.value, 'tableArgument').partitionBy).toHaveLength(2);
  });
});

describe('MATCH_RECOGNIZE', () => {
  const mr = (body: string) =>
    as(select(`SELECT * FROM t MATCH_RECOGNIZE (${body}) AS m`).from, 'matchRecognize');
  const quantifiers = (p: A.RowPattern): unknown =>
    p.kind === 'patternQuantified'
      ? [p.min, p.max, p.reluctant]
      : p.kind === 'patternConcat'
        ? p.items.map(quantifiers)
        : p.kind;

  it('reads every clause', () => {
    const m = mr(
      "PARTITION BY sym ORDER BY ts MEASURES FIRST(A.ts) AS s, FINAL LAST(B.price) AS e ALL ROWS PER MATCH OMIT EMPTY MATCHES AFTER MATCH SKIP TO LAST B SEEK PATTERN (A B+) WITHIN INTERVAL '1' HOUR SUBSET U = (A, B) DEFINE B AS B.price < PREV(B.price)",
    );
    expect(m.partitionBy).toHaveLength(1);
    expect(m.measures.map((x) => [x.name.text, as(x.expr, 'functionCall').semantics])).toEqual([
      ['s', null],
      ['e', 'FINAL'],
    ]);
    expect([m.rowsPerMatch, m.afterMatchSkip?.to, m.afterMatchSkip?.variable?.text, m.mode]).toEqual([
      'ALL_ROWS_PER_MATCH_OMIT_EMPTY',
      'LAST',
      'B',
      'SEEK',
    ]);
    expect([
      m.within?.qualifier.start,
      m.subsets[0]!.variables.length,
      m.definitions[0]!.variable.text,
      m.alias?.name.text,
    ]).toEqual(['HOUR', 2, 'B', 'm']);
  });

  it('tokenizes quantifiers in the pattern, not as arithmetic', () => {
    const m = mr('ORDER BY ts PATTERN (A B* C+? D?? E{2} F{2,} G{,3}? H{1,4}) DEFINE A AS TRUE');
    expect(quantifiers(m.pattern)).toEqual([
      'patternVariable',
      [0, null, false],
      [1, null, true],
      [0, 1, true],
      [2, 2, false],
      [2, null, false],
      [0, 3, true],
      [1, 4, false],
    ]);
  });

  it('reads alternation, grouping, the empty pattern, anchors, exclusion and PERMUTE', () => {
    const p = mr('ORDER BY ts PATTERN (^ (A | B C)+ {- D -} PERMUTE(E, F) () $) DEFINE A AS TRUE').pattern;
    const items = as(p, 'patternConcat').items;
    expect(items.map((i) => i.kind)).toEqual([
      'patternAnchor',
      'patternQuantified',
      'patternExclusion',
      'patternPermute',
      'patternEmpty',
      'patternAnchor',
    ]);
    const alt = as(as(items[1], 'patternQuantified').pattern, 'patternAlternation');
    expect(alt.alternatives.map((a) => a.kind)).toEqual(['patternVariable', 'patternConcat']);
    expect(as(items[3], 'patternPermute').items).toHaveLength(2);
  });

  it('reads the AFTER MATCH SKIP forms', () => {
    const skip = (s: string) =>
      mr(`ORDER BY ts AFTER MATCH SKIP ${s} PATTERN (A) DEFINE A AS TRUE`).afterMatchSkip!;
    expect(skip('PAST LAST ROW').to).toBe('PAST_LAST_ROW');
    expect(skip('TO NEXT ROW').to).toBe('NEXT_ROW');
    expect([skip('TO FIRST A').to, skip('TO A').to]).toEqual(['FIRST', 'VARIABLE']);
  });

  it('keeps `pattern` an ordinary name outside MATCH_RECOGNIZE', () => {
    const s = select("SELECT pattern(msg, 'x') FROM logs AS pattern (a)");
    expect(as(s.items[0]!.expr, 'functionCall').name.parts[0]!.text).toBe('pattern');
  });
});

describe('DDL, DML and utility statements', () => {
  it('reads CREATE TABLE with every kind of column and clause', () => {
    const t = as(
      one(`CREATE TEMPORARY TABLE IF NOT EXISTS db.t (
        id BIGINT NOT NULL PRIMARY KEY NOT ENFORCED COMMENT 'key',
        price AS amount * 2,
        ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
        WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
      ) COMMENT 'orders' PARTITIONED BY (id) WITH ('connector' = 'kafka', 'topic' = 'o')`),
      'createTable',
    );
    expect([t.temporary, t.ifNotExists, t.name.parts.length, t.comment, names(t.partitionedBy)]).toEqual([
      true,
      true,
      2,
      'orders',
      ['id'],
    ]);
    expect(t.columns.map((c) => c.kind)).toEqual(['physicalColumn', 'computedColumn', 'metadataColumn']);
    const id = as(t.columns[0], 'physicalColumn');
    expect([id.comment, id.primaryKey?.enforced, names(id.primaryKey!.columns)]).toEqual([
      'key',
      false,
      ['id'],
    ]);
    expect(as(t.columns[2], 'metadataColumn')).toMatchObject({ metadataKey: 'timestamp', virtual: true });
    expect(t.watermarks[0]!.column[0]!.text).toBe('ts');
    expect(t.options.map((o) => [o.key, o.value])).toEqual([
      ['connector', 'kafka'],
      ['topic', 'o'],
    ]);
  });

  it('reads CREATE TABLE ... LIKE and AS SELECT, CREATE VIEW and CREATE FUNCTION', () => {
    const like = as(
      one("CREATE TABLE t2 WITH ('a' = 'b') LIKE t (EXCLUDING ALL INCLUDING WATERMARKS)"),
      'createTable',
    );
    expect(like.like?.options.map((o) => `${o.mode} ${o.feature}`)).toEqual([
      'EXCLUDING ALL',
      'INCLUDING WATERMARKS',
    ]);
    expect(as(one('CREATE TABLE t3 AS SELECT * FROM t'), 'createTable').asQuery?.kind).toBe('select');
    const v = as(one("CREATE VIEW v (a) COMMENT 'c' AS SELECT 1"), 'createView');
    expect([names(v.columns), v.comment]).toEqual([['a'], 'c']);
    const f = as(one("CREATE TEMPORARY SYSTEM FUNCTION f AS './f.js' LANGUAGE javascript"), 'createFunction');
    expect([f.system, f.specifier, f.language]).toEqual([true, './f.js', 'JAVASCRIPT']);
  });

  it('reads DROP and ALTER', () => {
    expect(as(one('DROP TEMPORARY VIEW IF EXISTS v'), 'drop')).toMatchObject({
      objectType: 'VIEW',
      temporary: true,
      ifExists: true,
    });
    expect(as(one("ALTER TABLE t SET ('k' = 'v')"), 'alterTableSet').options).toHaveLength(1);
    expect(as(one('ALTER TABLE t RENAME TO u'), 'alterTableRename').newName.parts[0]!.text).toBe('u');
  });

  it('reads INSERT, statement sets and EXECUTE', () => {
    const i = as(one("INSERT OVERWRITE t PARTITION (dt = '1') (a, b) SELECT 1, 2"), 'insert');
    expect([i.overwrite, i.partition[0]!.column.text, names(i.columns)]).toEqual([true, 'dt', ['a', 'b']]);
    const e = as(
      one('EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END'),
      'statementSet',
    );
    expect([e.style, e.inserts.length]).toEqual(['execute', 2]);
    const b = parse('BEGIN STATEMENT SET; INSERT INTO a SELECT 1; END; SELECT 1');
    expect(b.map((s) => s.kind)).toEqual(['statementSet', 'select']);
    expect(as(one('EXECUTE INSERT INTO a SELECT 1'), 'execute').statement.kind).toBe('insert');
  });

  it('reads SHOW, DESCRIBE, EXPLAIN, SET, RESET, STOP JOB and USE', () => {
    expect(parse('SHOW TABLES; SHOW JOBS').map((s) => as(s, 'show').what)).toEqual(['TABLES', 'JOBS']);
    expect(as(one('SHOW CREATE VIEW v'), 'showCreate').objectType).toBe('VIEW');
    expect(as(one('DESC t'), 'describe').name.parts[0]!.text).toBe('t');
    const x = as(one('EXPLAIN CHANGELOG_MODE, ESTIMATED_COST SELECT 1'), 'explain');
    expect([x.details, x.statement.kind]).toEqual([['CHANGELOG_MODE', 'ESTIMATED_COST'], 'select']);
    expect(as(one('EXPLAIN PLAN FOR INSERT INTO t SELECT 1'), 'explain').details).toEqual([]);
    expect(as(one("SET 'a.b' = 'c'"), 'set')).toMatchObject({ key: 'a.b', value: 'c' });
    expect(as(one('SET'), 'set')).toMatchObject({ key: null, value: null });
    expect(as(one("RESET 'a'"), 'reset').key).toBe('a');
    expect(as(one("STOP JOB 'j1' WITH SAVEPOINT WITH DRAIN"), 'stopJob')).toMatchObject({
      jobId: 'j1',
      withSavepoint: true,
      withDrain: true,
    });
    expect(as(one('USE CATALOG c'), 'use').catalog).toBe(true);
    expect(as(one('USE catalog'), 'use')).toMatchObject({ catalog: false });
  });
});
