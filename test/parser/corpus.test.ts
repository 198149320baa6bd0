/**
 * The valid-SQL corpus (test/parser/fixtures/corpus/*.sql): every file must parse, into exactly the number
 * of statements its `-- statements: N` header promises, with spans that point back into the text, and a
 * selection of statements must produce the AST shape a planner relies on (statement kinds, join types,
 * pattern quantifiers, normalized spellings...).
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr, Identifier, NodeKind, NodeOfKind, QualifiedName, Statement } from '../../parser/ast.ts';
import { parse } from '../../parser/index.ts';
import { RESERVED_WORDS } from '../../parser/lexer.ts';

const CORPUS_DIR = join(import.meta.dirname, 'fixtures', 'corpus');
const FILES = readdirSync(CORPUS_DIR)
  .filter((f) => f.endsWith('.sql'))
  .sort();

function source(file: string): string {
  return readFileSync(join(CORPUS_DIR, file), 'utf8');
}

/** The statement count a corpus file declares in its first line. */
function declaredCount(text: string): number {
  const m = /^-- statements: (\d+)/.exec(text);
  if (m === null) throw new Error('corpus file lacks its "-- statements: N" header');
  return Number(m[1]);
}

const parsedCache = new Map<string, readonly Statement[]>();
function statements(file: string): readonly Statement[] {
  let parsed = parsedCache.get(file);
  if (parsed === undefined) {
    parsed = parse(source(file));
    parsedCache.set(file, parsed);
  }
  return parsed;
}

function statement(file: string, index: number): Statement {
  const all = statements(file);
  const s = all[index];
  if (s === undefined) throw new Error(`${file} has no statement #${index} (it has ${all.length})`);
  return s;
}

/** Asserts a node's kind and narrows it. */
function as<K extends NodeKind>(node: { readonly kind: string } | null | undefined, kind: K): NodeOfKind<K> {
  expect(node?.kind).toBe(kind);
  return node as NodeOfKind<K>;
}

const texts = (ids: readonly Identifier[]): string[] => ids.map((i) => i.text);
const qname = (q: QualifiedName): string => q.parts.map((p) => p.text).join('.');

/** The first select of a statement that is a plain SELECT query. */
function select(file: string, index: number): NodeOfKind<'select'> {
  return as(statement(file, index), 'select');
}

function item(sel: NodeOfKind<'select'>, i: number): Expr {
  const it = sel.items[i];
  if (it === undefined) throw new Error(`no select item #${i}`);
  return it.expr;
}

function quantifier(p: { readonly kind: string } | undefined): [number, number | null, boolean] {
  const q = as(p, 'patternQuantified');
  return [q.min, q.max, q.reluctant];
}

// ---------------------------------------------------------------------------------------------------
// Generic checks over every file

interface SpannedNode {
  readonly kind: string;
  readonly span: {
    readonly offset: number;
    readonly end: number;
    readonly line: number;
    readonly column: number;
  };
}

function isNode(v: unknown): v is SpannedNode {
  return (
    typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string' && 'span' in v
  );
}

/** 1-based line and column of a 0-based offset, counting `\r\n`, `\r` and `\n` as one line break. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Every node's span is well-formed, agrees with the text (line/column of its offset) and lies inside its
 * parent's span. Returns a list of problems (empty when all is well) so one failure shows them all.
 */
function spanProblems(text: string, root: SpannedNode): string[] {
  const problems: string[] = [];
  // A node may be shared (a column-level PRIMARY KEY lists the column's own name node): it is checked
  // where it first appears.
  const seen = new Set<SpannedNode>();
  const visit = (node: SpannedNode, parent: SpannedNode | null, path: string): void => {
    if (seen.has(node)) return;
    seen.add(node);
    const { offset, end, line, column } = node.span;
    if (!(offset >= 0 && offset <= end && end <= text.length)) {
      problems.push(`${path} (${node.kind}): bad span ${offset}..${end}`);
      return;
    }
    const lc = lineColumn(text, offset);
    if (lc.line !== line || lc.column !== column) {
      problems.push(
        `${path} (${node.kind}): span says ${line}:${column}, offset ${offset} is ${lc.line}:${lc.column}`,
      );
    }
    if (parent !== null && (offset < parent.span.offset || end > parent.span.end)) {
      problems.push(
        `${path} (${node.kind}) ${offset}..${end} lies outside its parent ${parent.kind} ${parent.span.offset}..${parent.span.end}`,
      );
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'span') continue;
      const children = Array.isArray(value) ? value : [value];
      children.forEach((child, i) => {
        if (isNode(child)) visit(child, node, `${path}.${key}${Array.isArray(value) ? `[${i}]` : ''}`);
      });
    }
  };
  visit(root, null, root.kind);
  return problems;
}

describe('parser corpus: every file', () => {
  it('has corpus files for every area of the dialect', () => {
    const areas = FILES.map((f) => f.replace(/\.sql$/, ''));
    for (const area of [
      'ddl',
      'dml',
      'queries',
      'joins',
      'windows',
      'temporal',
      'match_recognize',
      'expressions',
      'types',
      'utility',
      'nexmark',
      'lexical',
    ]) {
      expect(areas).toContain(area);
    }
  });

  for (const file of FILES) {
    describe(file, () => {
      it('parses into the declared number of statements', () => {
        const text = source(file);
        expect(statements(file)).toHaveLength(declaredCount(text));
      });

      it('gives statements ordered, non-overlapping spans that start on the statement text', () => {
        const text = source(file);
        let previousEnd = 0;
        for (const s of statements(file)) {
          expect(s.span.offset).toBeGreaterThanOrEqual(previousEnd);
          const slice = text.slice(s.span.offset, s.span.end);
          // A statement's text starts with a keyword or a parenthesis, never with blanks or a comment,
          // and the separating `;` is not part of it.
          expect(slice).toMatch(/^[A-Za-z(]/);
          expect(slice.trimEnd().endsWith(';')).toBe(false);
          previousEnd = s.span.end;
        }
      });

      it('gives every node a span that matches the text and nests inside its parent', () => {
        const text = source(file);
        const problems = statements(file).flatMap((s) => spanProblems(text, s));
        expect(problems.slice(0, 20)).toEqual([]);
      });

      it('reads CRLF line endings like LF: same statements, same lines and columns', () => {
        const crlf = parse(source(file).replaceAll('\n', '\r\n'));
        const where = (ss: readonly Statement[]) => ss.map((s) => [s.kind, s.span.line, s.span.column]);
        expect(where(crlf)).toEqual(where(statements(file)));
      });

      it('reads keywords case-insensitively (the lower-cased file parses to the same statement kinds)', () => {
        const lower = parse(source(file).toLowerCase());
        expect(lower.map((s) => s.kind)).toEqual(statements(file).map((s) => s.kind));
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------------
// Key AST facts, file by file

describe('parser corpus: ddl.sql', () => {
  const F = 'ddl.sql';

  it('reads a full CREATE TABLE: columns of each kind, watermark, key, comment, partitioning, options', () => {
    const t = as(statement(F, 0), 'createTable');
    expect(qname(t.name)).toBe('orders');
    expect(t.temporary).toBe(false);
    expect(t.ifNotExists).toBe(false);
    expect(t.columns.map((c) => [c.name.text, c.kind])).toEqual([
      ['order_id', 'physicalColumn'],
      ['customer_id', 'physicalColumn'],
      ['product', 'physicalColumn'],
      ['price', 'physicalColumn'],
      ['currency', 'physicalColumn'],
      ['order_time', 'physicalColumn'],
      ['proc_time', 'computedColumn'],
      ['price_with_tax', 'computedColumn'],
    ]);
    const orderId = as(t.columns[0], 'physicalColumn');
    expect(as(orderId.type, 'simpleType')).toMatchObject({ name: 'BIGINT', notNull: true });
    expect(orderId.comment).toBe('unique per order');
    const price = as(t.columns[3], 'physicalColumn');
    expect(as(price.type, 'simpleType')).toMatchObject({ name: 'DECIMAL', precision: 10, scale: 2 });
    const proc = as(t.columns[6], 'computedColumn');
    expect(qname(as(proc.expr, 'functionCall').name)).toBe('PROCTIME');
    expect(as(t.columns[7], 'computedColumn').comment).toBe('gross price');
    expect(t.watermarks).toHaveLength(1);
    expect(texts(t.watermarks[0]!.column)).toEqual(['order_time']);
    expect(as(t.watermarks[0]!.expr, 'binary').op).toBe('-');
    expect(texts(t.primaryKey!.columns)).toEqual(['order_id']);
    expect(t.primaryKey!.enforced).toBe(false);
    expect(t.comment).toBe('every order placed in the shop');
    expect(texts(t.partitionedBy)).toEqual(['currency']);
    expect(t.options.map((o) => [o.key, o.value])).toEqual([
      ['connector', 'kafka'],
      ['topic', 'orders'],
      ['properties.bootstrap.servers', 'localhost:9092'],
      ['properties.group.id', 'rivulet-orders'],
      ['scan.startup.mode', 'earliest-offset'],
      ['format', 'json'],
    ]);
    expect(t.asQuery).toBeNull();
    expect(t.like).toBeNull();
  });

  it('reads metadata columns with and without FROM and VIRTUAL', () => {
    const t = as(statement(F, 1), 'createTable');
    const meta = t.columns.slice(1, 5).map((c) => {
      const m = as(c, 'metadataColumn');
      return [m.name.text, m.metadataKey, m.virtual];
    });
    expect(meta).toEqual([
      ['event_time', 'timestamp', false],
      ['partition_id', 'partition', true],
      ['offset', null, true],
      ['headers', null, false],
    ]);
    const headers = as(t.columns[4], 'metadataColumn');
    expect(headers.comment).toBe('raw record headers');
    const map = as(headers.type, 'mapType');
    expect(as(map.key, 'simpleType').name).toBe('STRING');
    expect(as(map.value, 'simpleType').name).toBe('BYTES');
    expect(as(as(t.columns[1], 'metadataColumn').type, 'simpleType')).toMatchObject({
      name: 'TIMESTAMP_LTZ',
      precision: 3,
    });
  });

  it('reads TEMPORARY, IF NOT EXISTS, lower-case keywords and nested watermark columns', () => {
    const rates = as(statement(F, 2), 'createTable');
    expect([rates.temporary, rates.ifNotExists]).toEqual([true, true]);
    const lower = as(statement(F, 3), 'createTable');
    expect(qname(lower.name)).toBe('Lower_Case_Keywords');
    expect(texts(lower.primaryKey!.columns)).toEqual(['id', 'name']);
    const readings = as(statement(F, 4), 'createTable');
    expect(texts(readings.watermarks[0]!.column)).toEqual(['reading', 'ts']);
    expect(
      as(as(readings.columns[1], 'physicalColumn').type, 'rowType').fields.map((f) => f.name.text),
    ).toEqual(['temperature', 'humidity', 'ts']);
  });

  it('reads CREATE TABLE AS SELECT (with and without options) and CREATE TABLE LIKE', () => {
    const ctas = as(statement(F, 5), 'createTable');
    expect(ctas.columns).toEqual([]);
    expect(ctas.options).toHaveLength(3);
    expect(as(ctas.asQuery, 'select').where).not.toBeNull();
    const plain = as(statement(F, 6), 'createTable');
    expect(plain.options).toEqual([]);
    expect(plain.asQuery?.kind).toBe('select');
    const like = as(statement(F, 7), 'createTable');
    expect(qname(like.like!.source)).toBe('orders');
    expect(like.options.map((o) => o.key)).toEqual(['connector', 'path', 'format']);
  });

  it('reads views and functions', () => {
    const v = as(statement(F, 8), 'createView');
    expect([qname(v.name), v.temporary, v.ifNotExists, v.columns.length]).toEqual([
      'expensive_orders',
      false,
      false,
      0,
    ]);
    const tv = as(statement(F, 9), 'createView');
    expect([tv.temporary, tv.ifNotExists]).toEqual([true, true]);
    expect(texts(tv.columns)).toEqual(['customer', 'total', 'orders_placed']);
    expect(as(tv.query, 'select').groupBy).not.toBeNull();
    const f = as(statement(F, 10), 'createFunction');
    expect([qname(f.name), f.specifier, f.language, f.temporary]).toEqual([
      'parse_agent',
      './udfs/parse-agent.js',
      null,
      false,
    ]);
    const g = as(statement(F, 11), 'createFunction');
    expect([g.specifier, g.language, g.temporary, g.ifNotExists]).toEqual([
      'geo-utils/hash',
      'JAVASCRIPT',
      true,
      true,
    ]);
  });

  it('reads DROP, ALTER ... SET and ALTER ... RENAME TO, and qualified names with quoted parts', () => {
    const drops = [12, 13, 14, 15].map((i) => {
      const d = as(statement(F, i), 'drop');
      return [d.objectType, d.ifExists, qname(d.name)];
    });
    expect(drops).toEqual([
      ['TABLE', false, 'orders_archive'],
      ['TABLE', true, 'order_copy'],
      ['VIEW', true, 'expensive_orders'],
      ['FUNCTION', false, 'parse_agent'],
    ]);
    const set = as(statement(F, 16), 'alterTableSet');
    expect(set.options.map((o) => [o.key, o.value])).toEqual([
      ['scan.startup.mode', 'latest-offset'],
      ['properties.group.id', 'g2'],
    ]);
    const rename = as(statement(F, 17), 'alterTableRename');
    expect([qname(rename.name), qname(rename.newName)]).toEqual(['orders', 'shop_orders']);
    const daily = as(statement(F, 18), 'createTable');
    expect(texts(daily.name.parts)).toEqual(['analytics', 'daily_revenue']);
    const day = as(daily.columns[0], 'physicalColumn');
    expect([day.name.text, day.name.quoted]).toEqual(['day', true]);
  });
});

describe('parser corpus: dml.sql', () => {
  const F = 'dml.sql';

  it('reads INSERT INTO / OVERWRITE with column lists and every query form', () => {
    const plain = as(statement(F, 0), 'insert');
    expect([plain.overwrite, qname(plain.target), plain.columns.length]).toEqual([false, 'shop_orders', 0]);
    expect(texts(as(statement(F, 1), 'insert').columns)).toEqual(['customer_id', 'total']);
    expect(as(statement(F, 2), 'insert').overwrite).toBe(true);
    const values = as(as(statement(F, 3), 'insert').query, 'values');
    expect(values.rows.map((r) => r.fields.length)).toEqual([2, 2, 2]);
    expect(as(statement(F, 5), 'insert').query.kind).toBe('with');
    expect(texts(as(statement(F, 9), 'insert').target.parts)).toEqual(['analytics', 'order-events']);
  });

  it('reads both statement-set spellings as one statement each', () => {
    const exec = as(statement(F, 6), 'statementSet');
    expect(exec.style).toBe('execute');
    expect(exec.inserts.map((i) => qname(i.target))).toEqual(['eu_orders', 'us_orders']);
    const begin = as(statement(F, 7), 'statementSet');
    expect(begin.style).toBe('begin');
    expect(begin.inserts.map((i) => [qname(i.target), i.overwrite])).toEqual([
      ['clicks_by_user', false],
      ['clicks_by_page', false],
      ['clicks_archive', true],
    ]);
    expect(texts(begin.inserts[1]!.columns)).toEqual(['page', 'clicks']);
  });

  it('reads EXECUTE INSERT and a final statement without a semicolon', () => {
    const exec = as(statement(F, 8), 'execute');
    expect(qname(as(exec.statement, 'insert').target)).toBe('audit_log');
    expect(qname(as(statement(F, 10), 'insert').target)).toBe('counts');
  });
});

describe('parser corpus: queries.sql', () => {
  const F = 'queries.sql';

  it('reads stars, qualified stars, aliases with and without AS, DISTINCT and ALL', () => {
    expect(as(item(select(F, 0), 0), 'star').qualifier).toEqual([]);
    expect(select(F, 1).distinct).toBe(false);
    expect(select(F, 2).distinct).toBe(true);
    const s = select(F, 3);
    expect(texts(as(item(s, 0), 'star').qualifier)).toEqual(['o']);
    expect(s.items.map((i) => i.alias?.text ?? null)).toEqual([null, 'customer_name', 'town']);
    expect(as(s.from, 'join').joinType).toBe('COMMA');
  });

  it('reads table aliases with column lists, VALUES tables and derived tables', () => {
    const t = as(select(F, 4).from, 'tableName');
    expect([t.alias?.name.text, texts(t.alias?.columns ?? [])]).toEqual(['t', ['id', 'value']]);
    const t2 = as(select(F, 5).from, 'tableName');
    expect(texts(t2.alias?.columns ?? [])).toEqual(['id', 'value']);
    const v = as(select(F, 6).from, 'subquery');
    expect(as(v.query, 'values').rows).toHaveLength(3);
    expect(texts(v.alias!.columns)).toEqual(['a', 'b']);
    expect(as(statement(F, 8), 'values').rows).toHaveLength(2);
  });

  it('reads LATERAL subqueries, LATERAL TABLE functions and UNNEST', () => {
    const lateral = as(as(select(F, 10).from, 'join').right, 'subquery');
    expect(lateral.lateral).toBe(true);
    expect(as(lateral.query, 'select').limit).not.toBeNull();
    const fn = as(as(select(F, 11).from, 'join').right, 'tableFunction');
    expect([fn.lateral, qname(fn.name), fn.alias?.name.text, texts(fn.alias?.columns ?? [])]).toEqual([
      true,
      'split_words',
      'w',
      ['word', 'len'],
    ]);
    const cross = as(select(F, 12).from, 'join');
    expect(cross.joinType).toBe('CROSS');
    expect(as(cross.right, 'unnest').withOrdinality).toBe(false);
    const ord = as(as(select(F, 13).from, 'join').right, 'unnest');
    expect([ord.withOrdinality, texts(ord.alias!.columns)]).toEqual([true, ['item', 'pos']]);
  });

  it('reads GROUP BY, HAVING, ORDER BY with directions and NULLS, LIMIT', () => {
    const s = select(F, 15);
    expect(s.groupBy!.elements).toHaveLength(2);
    expect(as(s.having, 'binary').op).toBe('AND');
    expect(s.orderBy.map((o) => [o.direction, o.nulls])).toEqual([
      ['DESC', 'LAST'],
      ['ASC', 'FIRST'],
      [null, null],
    ]);
    expect(as(s.limit, 'numericLiteral').text).toBe('10');
    expect(s.offset).toBeNull();
  });

  it('reads GROUPING SETS (with the empty set), ROLLUP and CUBE', () => {
    const sets = as(select(F, 16).groupBy!.elements[0], 'groupingSets');
    expect(sets.sets.map((e) => e.kind)).toEqual(['row', 'columnRef', 'emptyGroupingSet']);
    expect(as(select(F, 17).groupBy!.elements[0], 'rollup').items).toHaveLength(2);
    expect(as(select(F, 18).groupBy!.elements[0], 'cube').items).toHaveLength(2);
    expect(select(F, 19).groupBy!.elements.map((e) => e.kind)).toEqual(['columnRef', 'rollup']);
  });

  it('reads named windows, OVER w, RANGE frames with interval offsets, and QUALIFY', () => {
    const s = select(F, 20);
    expect(s.windows.map((w) => w.name.text)).toEqual(['w']);
    const frame = s.windows[0]!.spec.frame!;
    expect(frame.unit).toBe('RANGE');
    expect(frame.start.bound).toBe('PRECEDING');
    expect(as(frame.start.offset, 'intervalLiteral').qualifier.start).toBe('HOUR');
    expect(frame.end?.bound).toBe('CURRENT_ROW');
    expect(as(as(item(s, 2), 'functionCall').over, 'identifier').text).toBe('w');
    expect(as(select(F, 21).qualify, 'binary').op).toBe('=');
  });

  it('normalizes LIMIT/OFFSET and OFFSET/FETCH to the same limit and offset', () => {
    const lo = select(F, 22);
    expect([as(lo.limit, 'numericLiteral').text, as(lo.offset, 'numericLiteral').text]).toEqual(['20', '40']);
    const fetch = select(F, 23);
    expect([as(fetch.limit, 'numericLiteral').text, as(fetch.offset, 'numericLiteral').text]).toEqual([
      '20',
      '40',
    ]);
    expect(as(select(F, 24).limit, 'numericLiteral').text).toBe('1');
  });

  it('gives INTERSECT precedence over UNION and EXCEPT, which associate to the left', () => {
    const u = as(statement(F, 25), 'setOperation');
    expect([u.op, u.all]).toEqual(['UNION', false]);
    expect(u.left.kind).toBe('select');
    expect(as(u.right, 'setOperation').op).toBe('INTERSECT');

    const e = as(statement(F, 26), 'setOperation');
    expect([e.op, e.all]).toEqual(['EXCEPT', true]);
    expect(as(e.left, 'setOperation')).toMatchObject({ op: 'UNION', all: true });

    const top = as(statement(F, 27), 'setOperation');
    expect([top.op, top.all]).toEqual(['UNION', true]);
    expect(as(top.left, 'setOperation').op).toBe('EXCEPT');
    expect(as(top.right, 'setOperation')).toMatchObject({ op: 'INTERSECT', all: true });
    expect(top.orderBy).toHaveLength(1);
    expect(as(top.limit, 'numericLiteral').text).toBe('5');
    expect(as(top.right, 'setOperation').orderBy).toEqual([]);
  });

  it('reads WITH with several CTEs, CTE column lists and a scalar subquery', () => {
    const w = as(statement(F, 28), 'with');
    expect(w.ctes.map((c) => [c.name.text, texts(c.columns)])).toEqual([
      ['eu', []],
      ['totals', ['customer', 'total']],
    ]);
    const body = as(w.body, 'select');
    expect(as(as(body.where, 'binary').right, 'scalarSubquery').query.kind).toBe('select');
    const q = as(select(F, 29).from, 'tableName');
    expect(texts(q.name.parts)).toEqual(['analytics', 'public', 'customers']);
  });
});

describe('parser corpus: joins.sql', () => {
  const F = 'joins.sql';
  const join = (i: number) => as(select(F, i).from, 'join');

  it('reads every join type with ON', () => {
    expect(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [join(i).joinType, join(i).natural, join(i).condition?.kind]),
    ).toEqual([
      ['INNER', false, 'joinOn'],
      ['INNER', false, 'joinOn'],
      ['LEFT', false, 'joinOn'],
      ['LEFT', false, 'joinOn'],
      ['RIGHT', false, 'joinOn'],
      ['RIGHT', false, 'joinOn'],
      ['FULL', false, 'joinOn'],
      ['FULL', false, 'joinOn'],
    ]);
  });

  it('reads CROSS, USING and NATURAL joins', () => {
    expect([join(8).joinType, join(8).condition]).toEqual(['CROSS', null]);
    expect(join(9).joinType).toBe('INNER');
    expect(texts(as(join(9).condition, 'joinUsing').columns)).toEqual(['order_id']);
    expect(texts(as(join(10).condition, 'joinUsing').columns)).toEqual(['order_id', 'customer_id']);
    expect([join(11).joinType, join(11).natural, join(11).condition]).toEqual(['INNER', true, null]);
    expect([join(12).joinType, join(12).natural]).toEqual(['LEFT', true]);
  });

  it('associates join chains to the left', () => {
    const top = join(13);
    expect(top.joinType).toBe('FULL');
    const mid = as(top.left, 'join');
    expect(mid.joinType).toBe('LEFT');
    const first = as(mid.left, 'join');
    expect(first.joinType).toBe('INNER');
    expect(as(first.left, 'tableName').alias?.name.text).toBe('o');
  });

  it('reads joins with derived tables and lateral table functions', () => {
    expect(as(join(14).right, 'subquery').alias?.name.text).toBe('t');
    const lat = join(15);
    expect(lat.joinType).toBe('LEFT');
    expect(as(lat.right, 'tableFunction').lateral).toBe(true);
    expect(as(as(lat.condition, 'joinOn').expr, 'booleanLiteral').value).toBe(true);
    const between = as(as(select(F, 16).where, 'binary').right, 'between');
    expect(as(between.low, 'binary').op).toBe('-');
  });
});

describe('parser corpus: windows.sql', () => {
  const F = 'windows.sql';
  const tvf = (i: number) => as(select(F, i).from, 'tableFunction');

  it('reads a positional TUMBLE call: TABLE argument, DESCRIPTOR, interval', () => {
    const t = tvf(0);
    expect(qname(t.name)).toBe('TUMBLE');
    expect(t.args.map((a) => a.name)).toEqual([null, null, null]);
    expect(qname(as(t.args[0]!.value, 'tableArgument').table)).toBe('bids');
    expect(texts(as(t.args[1]!.value, 'descriptor').columns)).toEqual(['bid_time']);
    const size = as(t.args[2]!.value, 'intervalLiteral');
    expect([size.value, size.qualifier.start, size.qualifier.end]).toEqual(['10', 'MINUTE', null]);
    expect(tvf(2).args).toHaveLength(4);
  });

  it('reads named arguments, including a quoted name', () => {
    expect(tvf(1).args.map((a) => a.name?.text)).toEqual(['DATA', 'TIMECOL', 'SIZE']);
    const withOffset = tvf(3);
    expect(withOffset.args.map((a) => a.name?.text)).toEqual(['DATA', 'TIMECOL', 'SIZE', 'OFFSET']);
    expect(withOffset.args[3]!.name!.quoted).toBe(true);
    expect(tvf(5).args.map((a) => a.name?.text)).toEqual(['DATA', 'TIMECOL', 'SLIDE', 'SIZE']);
  });

  it('reads HOP, CUMULATE and SESSION with PARTITION BY on its table argument', () => {
    expect([qname(tvf(4).name), tvf(4).args.length]).toEqual(['HOP', 4]);
    expect([qname(tvf(6).name), tvf(6).args.length]).toEqual(['CUMULATE', 4]);
    const session = tvf(7);
    expect(qname(session.name)).toBe('SESSION');
    const table = as(session.args[0]!.value, 'tableArgument');
    expect(table.partitionBy.map((e) => texts(as(e, 'columnRef').path))).toEqual([['item']]);
  });

  it('reads window aggregation with GROUPING SETS, ROLLUP and CUBE after window columns', () => {
    expect(select(F, 8).groupBy!.elements.map((e) => e.kind)).toEqual([
      'columnRef',
      'columnRef',
      'groupingSets',
    ]);
    expect(select(F, 9).groupBy!.elements[2]!.kind).toBe('rollup');
    expect(select(F, 10).groupBy!.elements[2]!.kind).toBe('cube');
  });

  it('reads a window join of two windowed subqueries', () => {
    const j = as(select(F, 13).from, 'join');
    expect(j.joinType).toBe('FULL');
    expect(as(j.left, 'subquery').alias?.name.text).toBe('L');
    expect(as(as(j.left, 'subquery').query, 'select').from?.kind).toBe('tableFunction');
  });

  it('reads every OVER frame form', () => {
    const s = select(F, 16);
    const frames = s.items.slice(3).map((i) => {
      const f = as(as(i.expr, 'functionCall').over, 'windowSpec').frame!;
      return [f.unit, f.start.bound, f.end?.bound ?? null];
    });
    expect(frames).toEqual([
      ['RANGE', 'PRECEDING', 'CURRENT_ROW'],
      ['ROWS', 'PRECEDING', 'CURRENT_ROW'],
      ['ROWS', 'UNBOUNDED_PRECEDING', 'UNBOUNDED_FOLLOWING'],
      ['ROWS', 'CURRENT_ROW', 'FOLLOWING'],
      ['ROWS', 'UNBOUNDED_PRECEDING', null],
      ['RANGE', 'UNBOUNDED_PRECEDING', null],
    ]);
  });

  it('reads a window refining a named window: OVER (w ROWS ...)', () => {
    const s = select(F, 17);
    const spec = as(as(item(s, 3), 'functionCall').over, 'windowSpec');
    expect(spec.base?.text).toBe('w');
    expect(spec.frame?.unit).toBe('ROWS');
    expect(as(as(item(s, 2), 'functionCall').over, 'identifier').text).toBe('w');
  });
});

describe('parser corpus: windows_partition_keys.sql', () => {
  const F = 'windows_partition_keys.sql';
  const keys = (i: number) => {
    const fn = as(select(F, i).from, 'tableFunction');
    return as(fn.args[0]!.value, 'tableArgument').partitionBy.map((e) => texts(as(e, 'columnRef').path));
  };

  it('reads a parenthesized PARTITION BY list of a table argument as its keys', () => {
    expect(keys(0)).toEqual([['item'], ['supplier_id']]);
    expect(as(select(F, 0).from, 'tableFunction').args.map((a) => a.name?.text)).toEqual([
      'DATA',
      'TIMECOL',
      'GAP',
    ]);
    expect(keys(1)).toEqual([['item'], ['supplier_id']]);
    expect(as(select(F, 1).from, 'tableFunction').args).toHaveLength(3);
    expect(keys(2)).toEqual([['item']]);
  });
});

describe('parser corpus: temporal.sql', () => {
  const F = 'temporal.sql';

  it('reads FOR SYSTEM_TIME AS OF on the right of a join, with and without alias', () => {
    const left = as(select(F, 1).from, 'join');
    expect(left.joinType).toBe('LEFT');
    const rates = as(left.right, 'tableName');
    expect(rates.alias).toBeNull();
    expect(texts(as(as(rates.systemTime, 'systemTimeAsOf').at, 'columnRef').path)).toEqual([
      'orders',
      'order_time',
    ]);

    const inner = as(select(F, 2).from, 'join');
    expect(inner.joinType).toBe('INNER');
    const r = as(inner.right, 'tableName');
    expect(r.alias?.name.text).toBe('r');
    expect(texts(as(as(r.systemTime, 'systemTimeAsOf').at, 'columnRef').path)).toEqual(['o', 'order_time']);
  });

  it('reads a point in time given as a literal or an expression', () => {
    const lit = as(select(F, 7).from, 'tableName');
    expect(as(as(lit.systemTime, 'systemTimeAsOf').at, 'typedLiteral')).toMatchObject({
      type: 'TIMESTAMP',
      value: '2024-01-01 00:00:00',
    });
    const expr = as(select(F, 8).from, 'tableName');
    expect(as(as(expr.systemTime, 'systemTimeAsOf').at, 'binary').op).toBe('-');
    expect(expr.alias?.name.text).toBe('r');
  });

  it('reads the side-input lookup join with key/value columns', () => {
    const s = select(F, 9);
    expect(texts(as(item(s, 2), 'columnRef').path)).toEqual(['s', 'value']);
    const j = as(s.from, 'join');
    expect(as(j.right, 'tableName').systemTime?.kind).toBe('systemTimeAsOf');
  });
});

describe('parser corpus: match_recognize.sql', () => {
  const F = 'match_recognize.sql';
  const mr = (i: number) => {
    const from = select(F, i).from;
    return as(from, 'matchRecognize');
  };
  const vars = (p: { readonly kind: string }) => as(p, 'patternConcat').items;

  it('reads every clause of a basic MATCH_RECOGNIZE', () => {
    const m = mr(0);
    expect(qname(as(m.input, 'tableName').name)).toBe('events');
    expect(m.partitionBy).toHaveLength(1);
    expect(m.orderBy).toHaveLength(1);
    expect(m.measures.map((x) => x.name.text)).toEqual(['aid', 'bid', 'cid']);
    expect(texts(as(m.measures[0]!.expr, 'columnRef').path)).toEqual(['A', 'id']);
    expect(vars(m.pattern).map((p) => as(p, 'patternVariable').name.text)).toEqual(['A', 'B', 'C']);
    expect(m.definitions.map((d) => d.variable.text)).toEqual(['A', 'B', 'C']);
    expect([m.rowsPerMatch, m.afterMatchSkip, m.mode, m.within]).toEqual([null, null, null, null]);
    expect(m.alias?.name.text).toBe('T');
  });

  it('reads the V-shape: ONE ROW PER MATCH, SKIP TO LAST, greedy +', () => {
    const m = mr(1);
    expect(m.rowsPerMatch).toBe('ONE_ROW_PER_MATCH');
    expect([m.afterMatchSkip?.to, m.afterMatchSkip?.variable?.text]).toEqual(['LAST', 'UP']);
    const items = vars(m.pattern);
    expect(as(items[0], 'patternVariable').name.text).toBe('STRT');
    expect(quantifier(items[1])).toEqual([1, null, false]);
    expect(quantifier(items[2])).toEqual([1, null, false]);
    expect(m.alias?.name.text).toBe('MR');
  });

  it('reads the W-shape with SKIP PAST LAST ROW', () => {
    const m = mr(2);
    expect(m.afterMatchSkip?.to).toBe('PAST_LAST_ROW');
    expect(vars(m.pattern)).toHaveLength(5);
    expect(m.alias).toBeNull();
  });

  it('reads SKIP TO NEXT ROW, reluctant *?, WITHIN and nested navigation PREV(LAST(A.price, 1), 2)', () => {
    const m = mr(3);
    expect(m.afterMatchSkip?.to).toBe('NEXT_ROW');
    const items = vars(m.pattern);
    expect(quantifier(items[0])).toEqual([1, null, false]);
    expect(quantifier(items[1])).toEqual([0, null, true]);
    expect(as(m.within, 'intervalLiteral').qualifier.start).toBe('HOUR');
    const cond = as(m.definitions[0]!.condition, 'binary');
    const prev = as(as(cond.right, 'binary').right, 'functionCall');
    expect(qname(prev.name).toUpperCase()).toBe('PREV');
    const last = as(prev.args[0], 'functionCall');
    expect(qname(last.name).toUpperCase()).toBe('LAST');
    expect(last.args).toHaveLength(2);
    expect(as(prev.args[1], 'numericLiteral').text).toBe('2');
    const countA = as(m.measures[4]!.expr, 'functionCall');
    expect(texts(as(countA.args[0], 'star').qualifier)).toEqual(['A']);
  });

  it('reads RUNNING/FINAL, CLASSIFIER, MATCH_NUMBER, ALL ROWS PER MATCH, SKIP TO FIRST and {n,}', () => {
    const m = mr(4);
    expect(m.rowsPerMatch).toBe('ALL_ROWS_PER_MATCH');
    expect([m.afterMatchSkip?.to, m.afterMatchSkip?.variable?.text]).toEqual(['FIRST', 'H']);
    const calls = m.measures.map((x) => {
      const f = as(x.expr, 'functionCall');
      return [qname(f.name).toUpperCase(), f.semantics];
    });
    expect(calls).toEqual([
      ['CLASSIFIER', null],
      ['MATCH_NUMBER', null],
      ['LAST', 'RUNNING'],
      ['LAST', 'FINAL'],
      ['COUNT', 'FINAL'],
      ['FIRST', 'RUNNING'],
      ['MATCH_PROCTIME', null],
    ]);
    expect(quantifier(vars(m.pattern)[1])).toEqual([3, null, false]);
  });

  it('reads the rows-per-match variants and SKIP TO variable', () => {
    expect(mr(5).rowsPerMatch).toBe('ALL_ROWS_PER_MATCH_SHOW_EMPTY');
    expect(mr(6).rowsPerMatch).toBe('ALL_ROWS_PER_MATCH_OMIT_EMPTY');
    const m = mr(7);
    expect(m.rowsPerMatch).toBe('ALL_ROWS_PER_MATCH_WITH_UNMATCHED');
    expect([m.afterMatchSkip?.to, m.afterMatchSkip?.variable?.text]).toEqual(['VARIABLE', 'A']);
    expect(quantifier(mr(5).pattern)).toEqual([0, null, false]);
  });

  it('reads every bounded quantifier, greedy and reluctant, and INITIAL / SEEK', () => {
    const a = mr(8);
    expect(a.mode).toBe('INITIAL');
    expect(vars(a.pattern).map(quantifier)).toEqual([
      [2, 2, false],
      [0, 3, false],
      [1, 4, false],
      [2, null, true],
    ]);
    const b = mr(9);
    expect(b.mode).toBe('SEEK');
    expect(vars(b.pattern).map(quantifier)).toEqual([
      [0, 1, true],
      [1, null, true],
      [0, null, true],
      [2, 5, true],
      [3, 3, true],
      [0, 2, true],
    ]);
  });

  it('reads alternation with lower precedence than concatenation, and quantified groups', () => {
    const alt = as(mr(10).pattern, 'patternAlternation');
    expect(alt.alternatives).toHaveLength(2);
    const [first, second] = alt.alternatives;
    const seq = vars(first!);
    const fails = as(seq[0], 'patternQuantified');
    expect([fails.min, fails.max]).toEqual([3, 3]);
    expect(as(fails.pattern, 'patternAlternation').alternatives).toHaveLength(2);
    expect(quantifier(seq[1])).toEqual([1, null, false]);
    expect(as(second, 'patternVariable').name.text).toBe('ADMIN');
  });

  it('reads anchors and exclusions', () => {
    const items = vars(mr(11).pattern);
    expect(items.map((p) => p.kind)).toEqual([
      'patternAnchor',
      'patternVariable',
      'patternExclusion',
      'patternVariable',
      'patternAnchor',
    ]);
    expect([as(items[0], 'patternAnchor').anchor, as(items[4], 'patternAnchor').anchor]).toEqual([
      'START',
      'END',
    ]);
    expect(quantifier(as(items[2], 'patternExclusion').pattern)).toEqual([0, null, false]);
  });

  it('reads PERMUTE, also with quantified and grouped items inside', () => {
    const items = vars(mr(12).pattern);
    const perm = as(items[0], 'patternPermute');
    expect(perm.items.map((p) => as(p, 'patternVariable').name.text)).toEqual(['A', 'B', 'C']);
    const nested = vars(mr(13).pattern);
    const perm2 = as(nested[0], 'patternPermute');
    expect(perm2.items.map((p) => p.kind)).toEqual([
      'patternVariable',
      'patternQuantified',
      'patternAlternation',
    ]);
    expect(quantifier(as(nested[1], 'patternExclusion').pattern)).toEqual([0, 1, true]);
  });

  it('reads SUBSET definitions', () => {
    const m = mr(14);
    expect(m.subsets.map((s) => [s.name.text, texts(s.variables)])).toEqual([
      ['U', ['UP_ROW', 'DOWN_ROW']],
      ['EDGES', ['S', 'E']],
    ]);
  });

  it('reads the empty pattern and NEXT with an offset', () => {
    const m = mr(15);
    const alt = as(m.pattern, 'patternAlternation');
    expect(alt.alternatives.map((p) => p.kind)).toEqual(['patternEmpty', 'patternVariable']);
    const next = as(as(as(m.definitions[0]!.condition, 'binary').right, 'binary').right, 'functionCall');
    expect(next.args).toHaveLength(2);
  });

  it('tokenizes B*C+D? without spaces as quantifiers, not arithmetic', () => {
    const items = vars(mr(16).pattern);
    expect(items.map((p) => (p.kind === 'patternVariable' ? [1, 1, false] : quantifier(p)))).toEqual([
      [1, 1, false],
      [0, null, false],
      [1, null, false],
      [0, 1, false],
    ]);
    expect(mr(16).measures).toEqual([]);
  });

  it('reads a reluctant quantified group and an alias with columns', () => {
    const m = mr(17);
    const group = as(vars(m.pattern)[0], 'patternQuantified');
    expect([group.min, group.max, group.reluctant]).toEqual([2, 3, true]);
    expect(as(group.pattern, 'patternConcat').items).toHaveLength(2);
    expect(m.orderBy.map((o) => o.direction)).toEqual(['ASC', 'DESC']);
    expect(m.alias?.columns).toHaveLength(5);
  });

  it('reads MATCH_RECOGNIZE inside a derived table and in its smallest form', () => {
    const outer = as(select(F, 18).from, 'subquery');
    expect(as(as(outer.query, 'select').from, 'matchRecognize').measures).toHaveLength(1);
    const minimal = mr(19);
    expect([minimal.partitionBy.length, minimal.measures.length, minimal.definitions.length]).toEqual([
      0, 0, 1,
    ]);
    expect(as(minimal.pattern, 'patternVariable').name.text).toBe('A');
  });
});

describe('parser corpus: expressions.sql', () => {
  const F = 'expressions.sql';

  it('applies OR < AND < NOT precedence', () => {
    const s = select(F, 0);
    const or = as(item(s, 0), 'binary');
    expect(or.op).toBe('OR');
    const and = as(or.right, 'binary');
    expect(and.op).toBe('AND');
    expect(as(and.right, 'unary').op).toBe('NOT');
    expect(as(as(item(s, 1), 'binary').left, 'unary').op).toBe('NOT');
    expect(as(as(item(s, 2), 'binary').left, 'binary').op).toBe('OR');
  });

  it('reads every comparison and normalizes != to <>', () => {
    expect(select(F, 1).items.map((i) => as(i.expr, 'binary').op)).toEqual([
      '=',
      '<>',
      '<>',
      '<',
      '<=',
      '>',
      '>=',
    ]);
  });

  it('applies arithmetic precedence and left associativity', () => {
    const and = as(select(F, 2).where, 'binary');
    expect(and.op).toBe('AND');
    const gt = as(and.left, 'binary');
    expect(gt.op).toBe('>');
    const minus = as(gt.left, 'binary');
    expect(minus.op).toBe('-');
    const plus = as(minus.left, 'binary');
    expect(plus.op).toBe('+');
    expect(as(plus.right, 'binary').op).toBe('*');
    const mod = as(minus.right, 'binary');
    expect(mod.op).toBe('%');
    expect(as(mod.left, 'binary').op).toBe('/');
    expect(as(gt.right, 'unary').op).toBe('-');
  });

  it('reads IS tests and IS [NOT] DISTINCT FROM', () => {
    const s = select(F, 3);
    const tests = s.items.slice(0, 8).map((i) => {
      const e = as(i.expr, 'is');
      return [e.not, e.test];
    });
    expect(tests).toEqual([
      [false, 'NULL'],
      [true, 'NULL'],
      [false, 'TRUE'],
      [true, 'TRUE'],
      [false, 'FALSE'],
      [true, 'FALSE'],
      [false, 'UNKNOWN'],
      [true, 'UNKNOWN'],
    ]);
    expect(s.items.slice(8).map((i) => as(i.expr, 'isDistinctFrom').not)).toEqual([false, true]);
  });

  /** The conjuncts of a chain of ANDs, left to right. */
  function conjuncts(e: Expr | null): Expr[] {
    if (e === null) return [];
    if (e.kind === 'binary' && e.op === 'AND') return [...conjuncts(e.left), ...conjuncts(e.right)];
    return [e];
  }

  it('reads BETWEEN with NOT, SYMMETRIC and ASYMMETRIC', () => {
    const parts = conjuncts(select(F, 4).where).map((e) => {
      const b = as(e, 'between');
      return [b.not, b.symmetric];
    });
    expect(parts).toEqual([
      [false, false],
      [true, false],
      [false, true],
      [false, false],
      [true, true],
    ]);
  });

  it('reads LIKE and SIMILAR TO with NOT and ESCAPE', () => {
    const parts = conjuncts(select(F, 5).where).map((e) => {
      const l = as(e, 'like');
      return [l.op, l.not, l.escape === null ? null : as(l.escape, 'stringLiteral').value];
    });
    expect(parts).toEqual([
      ['LIKE', false, null],
      ['LIKE', true, null],
      ['LIKE', false, '!'],
      ['SIMILAR_TO', false, null],
      ['SIMILAR_TO', true, '\\'],
    ]);
  });

  it('reads IN lists, IN subqueries and EXISTS', () => {
    const parts = conjuncts(select(F, 6).where);
    expect(parts.map((e) => e.kind)).toEqual([
      'inList',
      'inList',
      'inSubquery',
      'inSubquery',
      'exists',
      'unary',
    ]);
    expect(as(parts[0], 'inList').list).toHaveLength(3);
    expect(as(parts[1], 'inList').not).toBe(true);
    expect(as(parts[3], 'inSubquery').not).toBe(true);
    expect(as(as(parts[5], 'unary').operand, 'exists').query.kind).toBe('select');
  });

  it('reads quantified comparisons, normalizing SOME to ANY, and scalar subqueries', () => {
    const s = select(F, 7);
    expect(as(as(item(s, 1), 'binary').right, 'scalarSubquery').query.kind).toBe('select');
    const parts = conjuncts(s.where).map((e) => {
      const q = as(e, 'quantifiedComparison');
      return [q.op, q.quantifier];
    });
    expect(parts).toEqual([
      ['>', 'ALL'],
      ['=', 'ANY'],
      ['<=', 'ANY'],
    ]);
  });

  it('reads || as left-associative concatenation', () => {
    const c = as(item(select(F, 8), 0), 'binary');
    expect(c.op).toBe('||');
    expect(as(c.left, 'binary').op).toBe('||');
  });

  it('reads simple, searched and nested CASE', () => {
    const s = select(F, 9);
    const simple = as(item(s, 0), 'case');
    expect([simple.operand?.kind, simple.whens.length, simple.else?.kind]).toEqual([
      'columnRef',
      2,
      'stringLiteral',
    ]);
    const searched = as(item(s, 1), 'case');
    expect([searched.operand, searched.whens.length, searched.else]).toEqual([null, 2, null]);
    expect(as(as(item(s, 2), 'case').whens[0]!.result, 'case').whens).toHaveLength(1);
  });

  it('reads CAST and TRY_CAST with simple and nested types', () => {
    const s = select(F, 10);
    expect(as(item(s, 0), 'cast').try).toBe(false);
    expect(as(item(s, 2), 'cast').try).toBe(true);
    expect(as(as(item(s, 3), 'cast').type, 'simpleType')).toMatchObject({
      name: 'TIMESTAMP_LTZ',
      precision: 3,
    });
    const row = as(as(item(s, 4), 'cast').type, 'rowType');
    expect(row.fields.map((f) => [f.name.text, f.type.kind])).toEqual([
      ['id', 'simpleType'],
      ['tags', 'arrayType'],
    ]);
    expect(as(as(item(s, 5), 'cast').expr, 'nullLiteral')).toBeTruthy();
  });

  it('reads the special-syntax functions into their own nodes', () => {
    const s = select(F, 11);
    const kinds = s.items.map((i) => i.expr.kind);
    expect(kinds).toEqual([
      ...Array(8).fill('extract'),
      'position',
      'position',
      'trim',
      'trim',
      'trim',
      'trim',
      'trim',
      'substring',
      'substring',
      'substring',
      'overlay',
      'overlay',
      'ceilFloor',
      'ceilFloor',
      'functionCall',
      'functionCall',
      'timestampAdd',
      'timestampDiff',
      'timestampAdd',
    ]);
    expect(s.items.slice(0, 8).map((i) => as(i.expr, 'extract').unit)).toEqual([
      'YEAR',
      'MONTH',
      'DAY',
      'HOUR',
      'MINUTE',
      'SECOND',
      'DOW',
      'EPOCH',
    ]);
    expect(as(item(s, 9), 'position').from).not.toBeNull();
    expect(s.items.slice(10, 15).map((i) => as(i.expr, 'trim').side)).toEqual([
      'BOTH',
      'LEADING',
      'TRAILING',
      null,
      null,
    ]);
    expect(as(item(s, 12), 'trim').chars).toBeNull();
    expect(as(item(s, 13), 'trim').chars?.kind).toBe('stringLiteral');
    expect(as(item(s, 16), 'substring').length).toBeNull();
    expect(as(item(s, 17), 'substring').length?.kind).toBe('numericLiteral');
    expect([as(item(s, 20), 'ceilFloor').fn, as(item(s, 20), 'ceilFloor').unit]).toEqual(['CEIL', 'HOUR']);
    expect([as(item(s, 21), 'ceilFloor').fn, as(item(s, 21), 'ceilFloor').unit]).toEqual(['FLOOR', 'DAY']);
    expect(as(item(s, 24), 'timestampAdd').unit).toBe('MINUTE');
    expect(as(item(s, 25), 'timestampDiff').unit).toBe('SECOND');
    expect(as(item(s, 26), 'timestampAdd').unit).toBe('WEEK');
  });

  it('reads aggregate modifiers: COUNT(*), DISTINCT, FILTER, WITHIN GROUP', () => {
    const s = select(F, 12);
    const count = as(item(s, 0), 'functionCall');
    expect(as(count.args[0], 'star').qualifier).toEqual([]);
    expect(as(item(s, 1), 'functionCall').distinct).toBe(true);
    expect(as(item(s, 2), 'functionCall').distinct).toBe(false);
    expect(as(as(item(s, 3), 'functionCall').filter, 'binary').op).toBe('>');
    const both = as(item(s, 4), 'functionCall');
    expect([both.distinct, both.filter?.kind]).toEqual([true, 'binary']);
    expect(as(item(s, 5), 'functionCall').withinGroup).toHaveLength(1);
    expect(as(item(s, 6), 'functionCall').withinGroup[0]!.direction).toBe('DESC');
  });

  it('reads ARRAY, MAP and ROW constructors', () => {
    const s = select(F, 13);
    expect(as(item(s, 0), 'arrayConstructor').elements).toHaveLength(3);
    expect(as(item(s, 2), 'mapConstructor').entries.map((e) => as(e.key, 'stringLiteral').value)).toEqual([
      'k1',
      'k2',
    ]);
    const row = as(item(s, 3), 'row');
    expect([row.explicit, row.fields.length]).toEqual([true, 3]);
    expect(as(item(s, 4), 'arrayConstructor').elements.map((e) => e.kind)).toEqual([
      'arrayConstructor',
      'arrayConstructor',
    ]);
  });

  it('reads field paths, element access and field access on computed values', () => {
    const s = select(F, 14);
    expect(texts(as(item(s, 0), 'columnRef').path)).toEqual(['payload', 'account', 'name']);
    expect(texts(as(item(s, 1), 'columnRef').path)).toEqual(['e', 'payload', 'account', 'id']);
    expect(as(as(item(s, 2), 'elementAccess').index, 'numericLiteral').text).toBe('1');
    expect(as(as(item(s, 3), 'elementAccess').index, 'stringLiteral').value).toBe('color');
    expect(as(as(item(s, 4), 'elementAccess').expr, 'elementAccess').expr.kind).toBe('columnRef');
    const sku = as(item(s, 5), 'fieldAccess');
    expect([sku.field.text, sku.expr.kind]).toEqual(['sku', 'elementAccess']);
    expect(as(as(item(s, 6), 'fieldAccess').expr, 'functionCall').args).toHaveLength(1);
    expect(as(item(s, 7), 'fieldAccess').field.text).toBe('account');
  });

  it('reads niladic functions without parentheses as calls', () => {
    const s = select(F, 15);
    expect(s.items.map((i) => qname(as(i.expr, 'functionCall').name).toUpperCase())).toEqual([
      'PROCTIME',
      'CURRENT_TIMESTAMP',
      'CURRENT_DATE',
      'CURRENT_TIME',
      'LOCALTIMESTAMP',
      'NOW',
    ]);
  });

  it('reads literals of every kind, keeping numeric text exact', () => {
    const s = select(F, 16);
    const e = (i: number) => item(s, i);
    expect(as(e(0), 'booleanLiteral').value).toBe(true);
    expect(as(e(1), 'booleanLiteral').value).toBe(false);
    as(e(2), 'nullLiteral');
    as(e(3), 'unknownLiteral');
    expect([4, 5, 7, 8, 9, 10, 11, 12].map((i) => as(e(i), 'numericLiteral').text)).toEqual([
      '0',
      '42',
      '3.14',
      '.5',
      '5.',
      '1e10',
      '1.5E-3',
      '2E+2',
    ]);
    const minusSeven = e(6);
    const seven = minusSeven.kind === 'unary' ? minusSeven.operand : minusSeven;
    expect(as(seven, 'numericLiteral').text.replace('-', '')).toBe('7');
    expect([13, 14, 15].map((i) => as(e(i), 'stringLiteral').value)).toEqual(['text', "it's", '']);
    expect(
      [16, 17, 18, 19, 20].map((i) => [as(e(i), 'typedLiteral').type, as(e(i), 'typedLiteral').value]),
    ).toEqual([
      ['DATE', '2024-02-29'],
      ['TIME', '23:59:59'],
      ['TIME', '12:00:00.123'],
      ['TIMESTAMP', '2024-02-29 23:59:59'],
      ['TIMESTAMP', '2024-02-29 23:59:59.999'],
    ]);
    expect(as(e(21), 'binaryStringLiteral').hex).toBe('0aff');
  });

  it('reads interval literals of every form', () => {
    const s = select(F, 17);
    const q = s.items.slice(0, 16).map((i) => {
      const l = as(i.expr, 'intervalLiteral');
      const k = l.qualifier;
      return [l.sign, l.value, k.start, k.startPrecision, k.end, k.endPrecision];
    });
    expect(q).toEqual([
      [1, '5', 'MINUTE', null, null, null],
      [1, '1 02:03', 'DAY', null, 'MINUTE', null],
      [1, '10', 'SECOND', 3, null, null],
      [1, '2', 'YEAR', null, null, null],
      [1, '1-6', 'YEAR', null, 'MONTH', null],
      [1, '3', 'MONTH', null, null, null],
      [1, '7', 'DAY', null, null, null],
      [1, '100', 'DAY', 3, null, null],
      [1, '12', 'HOUR', null, null, null],
      [1, '1 02', 'DAY', null, 'HOUR', null],
      [1, '1 02:03:04.567', 'DAY', null, 'SECOND', 3],
      [1, '02:30', 'HOUR', null, 'MINUTE', null],
      [1, '02:30:15', 'HOUR', null, 'SECOND', null],
      [1, '30:15', 'MINUTE', null, 'SECOND', null],
      [1, '1.5', 'SECOND', null, null, null],
      [-1, '3', 'HOUR', null, null, null],
    ]);
    const arith = as(item(s, 16), 'binary');
    expect([arith.op, as(arith.left, 'binary').op]).toEqual(['-', '+']);
  });

  it('leaves no node for grouping parentheses', () => {
    const s = select(F, 18);
    const mul = as(item(s, 0), 'binary');
    expect([mul.op, as(mul.left, 'binary').op]).toEqual(['*', '+']);
    expect(as(item(s, 2), 'columnRef').path.map((p) => p.text)).toEqual(['a']);
    expect(as(as(item(s, 3), 'unary').operand, 'binary').op).toBe('-');
  });

  it('reads ordinary function calls, including names that are also keywords', () => {
    const names = select(F, 19).items.map((i) => qname(as(i.expr, 'functionCall').name));
    expect(names.map((n) => n.toUpperCase())).toEqual([
      'COALESCE',
      'NULLIF',
      'IF',
      'ABS',
      'MOD',
      'UPPER',
      'LOWER',
    ]);
    expect(names[6]).toBe('lower');
  });
});

describe('parser corpus: types.sql', () => {
  const F = 'types.sql';

  it('normalizes type names and reads parameters, zones and NOT NULL', () => {
    const t = as(statement(F, 0), 'createTable');
    const byName = new Map(t.columns.map((c) => [c.name.text, as(c, 'physicalColumn').type]));
    const simple = (name: string) => as(byName.get(name), 'simpleType');
    const facts = [
      'c_int',
      'c_integer',
      'c_double',
      'c_double_precision',
      'c_decimal',
      'c_decimal_p',
      'c_decimal_ps',
      'c_numeric',
      'c_char',
      'c_varchar',
      'c_varchar_plain',
      'c_string',
      'c_varbinary',
      'c_time',
      'c_time_p',
      'c_timestamp',
      'c_timestamp_without',
      'c_timestamp_ltz',
      'c_timestamp_local',
      'c_timestamp_local_plain',
    ].map((n) => {
      const ty = simple(n);
      return [n, ty.name, ty.precision, ty.scale, ty.notNull];
    });
    expect(facts).toEqual([
      ['c_int', 'INT', null, null, false],
      ['c_integer', 'INT', null, null, true],
      ['c_double', 'DOUBLE', null, null, false],
      ['c_double_precision', 'DOUBLE', null, null, false],
      ['c_decimal', 'DECIMAL', null, null, false],
      ['c_decimal_p', 'DECIMAL', 10, null, false],
      ['c_decimal_ps', 'DECIMAL', 10, 2, false],
      ['c_numeric', 'DECIMAL', 38, 18, false],
      ['c_char', 'CHAR', 3, null, false],
      ['c_varchar', 'VARCHAR', 255, null, false],
      ['c_varchar_plain', 'VARCHAR', null, null, false],
      ['c_string', 'STRING', null, null, true],
      ['c_varbinary', 'VARBINARY', 64, null, false],
      ['c_time', 'TIME', null, null, false],
      ['c_time_p', 'TIME', 3, null, false],
      ['c_timestamp', 'TIMESTAMP', null, null, false],
      ['c_timestamp_without', 'TIMESTAMP', 3, null, false],
      ['c_timestamp_ltz', 'TIMESTAMP_LTZ', 3, null, false],
      ['c_timestamp_local', 'TIMESTAMP_LTZ', 3, null, false],
      ['c_timestamp_local_plain', 'TIMESTAMP_LTZ', null, null, false],
    ]);
  });

  it('reads interval, collection and nested structured types (with >> and >>>> closers)', () => {
    const t = as(statement(F, 0), 'createTable');
    const byName = new Map(t.columns.map((c) => [c.name.text, as(c, 'physicalColumn').type]));
    const ym = as(byName.get('c_interval_ym'), 'intervalType').qualifier;
    expect([ym.start, ym.end]).toEqual(['YEAR', 'MONTH']);
    const ds = as(byName.get('c_interval_ds'), 'intervalType').qualifier;
    expect([ds.start, ds.end, ds.endPrecision]).toEqual(['DAY', 'SECOND', 3]);
    const arrNN = as(byName.get('c_array_nn'), 'arrayType');
    expect([arrNN.notNull, as(arrNN.element, 'simpleType').notNull]).toEqual([true, true]);
    const mapNested = as(byName.get('c_map_nested'), 'mapType');
    expect(as(as(mapNested.value, 'arrayType').element, 'simpleType').name).toBe('INT');
    expect(as(as(byName.get('c_multiset'), 'multisetType').element, 'simpleType').name).toBe('STRING');
    const nested = as(byName.get('c_row_nested'), 'rowType');
    expect(nested.fields.map((f) => f.name.text)).toEqual(['id', 'tags', 'geo']);
    expect(as(as(nested.fields[1]!.type, 'arrayType').element, 'rowType').fields).toHaveLength(2);
    const deep = as(byName.get('c_deep'), 'arrayType');
    const deepMap = as(deep.element, 'mapType');
    const deepRow = as(as(deepMap.value, 'arrayType').element, 'rowType');
    expect(deepRow.fields.map((f) => f.name.text)).toEqual(['x']);
    expect(t.columns).toHaveLength(41);
  });

  it('reads casts to every type', () => {
    const s = select(F, 1);
    expect(s.items).toHaveLength(26);
    const last = as(item(s, 25), 'cast').type;
    expect(as(last, 'simpleType')).toMatchObject({ name: 'INT', notNull: true });
    const ltz = as(as(item(s, 18), 'cast').type, 'simpleType');
    expect([ltz.name, ltz.precision]).toEqual(['TIMESTAMP_LTZ', 3]);
    expect(as(item(s, 20), 'cast').type.kind).toBe('intervalType');
    const quotedUser = as(statement(F, 2), 'createTable');
    const payload = as(as(quotedUser.columns[3], 'physicalColumn').type, 'rowType');
    expect([payload.fields[0]!.name.text, payload.fields[0]!.name.quoted]).toEqual(['user', true]);
  });
});

describe('parser corpus: utility.sql', () => {
  const F = 'utility.sql';

  it('reads every utility statement kind in order', () => {
    expect(statements(F).map((s) => s.kind)).toEqual([
      ...Array(7).fill('show'),
      'showCreate',
      'showCreate',
      'describe',
      'describe',
      ...Array(6).fill('explain'),
      'set',
      'set',
      'set',
      'reset',
      'reset',
      ...Array(4).fill('stopJob'),
      'use',
      'use',
      'set',
      'show',
      'showJob',
    ]);
  });

  it('reads the details of SHOW, SHOW CREATE, DESCRIBE and EXPLAIN', () => {
    expect(
      statements(F)
        .slice(0, 7)
        .map((s) => as(s, 'show').what),
    ).toEqual(['TABLES', 'VIEWS', 'FUNCTIONS', 'JOBS', 'CATALOGS', 'DATABASES', 'TABLES']);
    const sc = as(statement(F, 8), 'showCreate');
    expect([sc.objectType, qname(sc.name)]).toEqual(['VIEW', 'expensive_orders']);
    expect(qname(as(statement(F, 10), 'describe').name)).toBe('analytics.orders');
    const explains = statements(F)
      .slice(11, 17)
      .map((s) => {
        const e = as(s, 'explain');
        return [e.details, e.statement.kind];
      });
    expect(explains).toEqual([
      [[], 'select'],
      [[], 'select'],
      [['CHANGELOG_MODE'], 'select'],
      [['ESTIMATED_COST'], 'select'],
      [['CHANGELOG_MODE', 'ESTIMATED_COST'], 'select'],
      [[], 'insert'],
    ]);
  });

  it('reads SET, RESET, STOP JOB and USE', () => {
    const set = as(statement(F, 17), 'set');
    expect([set.key, set.value]).toEqual(['table.exec.state.ttl', '1 h']);
    expect(as(statement(F, 18), 'set').value).toBe("it's a job");
    const all = as(statement(F, 19), 'set');
    expect([all.key, all.value]).toEqual([null, null]);
    expect(as(statement(F, 20), 'reset').key).toBe('table.exec.state.ttl');
    expect(as(statement(F, 21), 'reset').key).toBeNull();
    const stops = statements(F)
      .slice(22, 26)
      .map((s) => {
        const j = as(s, 'stopJob');
        return [j.jobId, j.withSavepoint, j.withDrain];
      });
    expect(stops).toEqual([
      ['228d70913eab60dda85c5e7f78b5782c', false, false],
      ['job-1', true, false],
      ['job-2', false, true],
      ['job-3', true, true],
    ]);
    const use = as(statement(F, 27), 'use');
    expect([use.catalog, qname(use.name)]).toEqual([false, 'Analytics']);
  });
});

describe('parser corpus: lexical.sql', () => {
  const F = 'lexical.sql';

  it('skips comments, including ones hiding semicolons and quotes', () => {
    expect(select(F, 0).items).toHaveLength(1);
    expect(select(F, 1).items.map((i) => texts(as(i.expr, 'columnRef').path))).toEqual([['a'], ['b'], ['c']]);
    expect(qname(as(select(F, 1).from, 'tableName').name)).toBe('t');
    expect(select(F, 2).items).toHaveLength(1);
  });

  it('resolves doubled quotes in backtick and double-quoted identifiers and keeps their case', () => {
    const bt = select(F, 3).items.map((i) => {
      const id = as(i.expr, 'columnRef').path[0]!;
      return [id.text, id.quoted];
    });
    expect(bt).toEqual([
      ['order', true],
      ['select', true],
      ['my column', true],
      ['weird`name', true],
      ['123abc', true],
    ]);
    expect(qname(as(select(F, 3).from, 'tableName').name)).toBe('my-table');
    const dq = select(F, 4).items.map((i) => as(i.expr, 'columnRef').path[0]!.text);
    expect(dq).toEqual(['order', 'Mixed Case', 'say "hi"', 'tab\tinside']);
    expect(texts(as(select(F, 4).from, 'tableName').name.parts)).toEqual(['My Schema', 'My Table']);
  });

  it("decodes '' escapes and keeps comment markers inside strings", () => {
    const values = select(F, 5).items.map((i) => as(i.expr, 'stringLiteral').value);
    expect(values).toEqual([
      "it's",
      "'quoted'",
      "two ''",
      'line one\nline two',
      '-- not a comment',
      '/* not a comment */',
      'semi;colon',
    ]);
  });

  it('decodes Unicode escape strings U&', () => {
    const values = select(F, 6).items.map((i) => as(i.expr, 'stringLiteral').value);
    expect(values).toEqual(['ABC', 'café', '\u{1F600} smile', 'back\\slash', 'lower!']);
  });

  it('keeps numeric literal text exactly as written', () => {
    const values = select(F, 7).items.map((i) => as(i.expr, 'numericLiteral').text);
    expect(values).toEqual([
      '0',
      '007',
      '123456789012345678901234567890',
      '1.0',
      '0.5',
      '.25',
      '10.',
      '6.02e23',
      '6.02E-23',
      '1E+3',
      '1e0',
    ]);
  });

  it('reads mixed-case keywords and keeps identifier case', () => {
    const s = select(F, 8);
    expect(s.distinct).toBe(true);
    expect(texts(as(item(s, 0), 'columnRef').path)).toEqual(['MixedCaseColumn']);
    expect(as(s.where, 'is')).toMatchObject({ not: true, test: 'NULL' });
    expect(s.orderBy).toHaveLength(1);
  });

  it('accepts non-reserved keywords as column names, table columns, qualified names and aliases', () => {
    const names = [
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
      'next',
      'prev',
      'match',
      'define',
      'measures',
      'pattern',
      'running',
      'final',
    ];
    expect(
      select(F, 9).items.map((i) =>
        as(i.expr, 'columnRef')
          .path.map((p) => p.text)
          .join('.'),
      ),
    ).toEqual(names);
    const ddl = as(statement(F, 10), 'createTable');
    expect(ddl.columns.map((c) => c.name.text)).toEqual(names);
    expect(texts(ddl.watermarks[0]!.column)).toEqual(['timestamp']);
    const q = select(F, 11);
    expect(q.items.map((i) => texts(as(i.expr, 'columnRef').path)[1])).toEqual([
      'value',
      'key',
      'timestamp',
      'offset',
      'partition',
      'first',
      'last',
    ]);
    expect([as(q.limit, 'numericLiteral').text, as(q.offset, 'numericLiteral').text]).toEqual(['5', '1']);
    expect(select(F, 12).items.map((i) => i.alias?.text)).toEqual(['value', 'key', 'timestamp', 'pattern']);
    const m = as(select(F, 13).from, 'matchRecognize');
    expect(texts(as(m.partitionBy[0], 'columnRef').path)).toEqual(['key']);
    const cond = as(m.definitions[1]!.condition, 'binary');
    expect(texts(as(cond.left, 'columnRef').path)).toEqual(['B', 'partition']);
  });

  it('accepts tabs and a final statement without semicolon followed by a comment', () => {
    expect(select(F, 14).items).toHaveLength(2);
    expect(qname(as(select(F, 15).from, 'tableName').name)).toBe('t');
  });
});

describe('parser corpus: nexmark.sql', () => {
  const F = 'nexmark.sql';

  it('reads the generator table, the three views and every query q0..q22 as its INSERT', () => {
    const kinds = statements(F).map((s) =>
      s.kind === 'insert'
        ? `insert ${qname(s.target)}`
        : s.kind === 'createView'
          ? `view ${qname(s.name)}`
          : s.kind,
    );
    expect(kinds).toEqual([
      'createTable',
      'view person',
      'view auction',
      'view bid',
      ...Array.from({ length: 10 }, (_, i) => `insert nexmark_q${i}`),
      'createTable',
      'insert fs_sink',
      'insert nexmark_q11',
      'view bid_with_proctime',
      'insert nexmark_q12',
      'createTable',
      'insert nexmark_q13',
      'createFunction',
      ...Array.from({ length: 9 }, (_, i) => `insert nexmark_q${i + 14}`),
    ]);
  });

  it('reads the generator schema: nested ROW columns, a computed CASE column, a watermark', () => {
    const t = as(statement(F, 0), 'createTable');
    expect(t.columns.map((c) => c.kind)).toEqual([
      'physicalColumn',
      'physicalColumn',
      'physicalColumn',
      'physicalColumn',
      'computedColumn',
    ]);
    expect(as(as(t.columns[2], 'physicalColumn').type, 'rowType').fields).toHaveLength(10);
    expect(as(as(t.columns[4], 'computedColumn').expr, 'case').whens).toHaveLength(2);
    expect(texts(t.watermarks[0]!.column)).toEqual(['dateTime']);
  });

  it('reads q4 with `final` as an ordinary column alias and q6 with a ROWS frame', () => {
    const q4 = as(as(statement(F, 8), 'insert').query, 'select');
    const avg = as(item(q4, 1), 'functionCall');
    expect(texts(as(avg.args[0], 'columnRef').path)).toEqual(['Q', 'final']);
    const q6 = as(as(statement(F, 10), 'insert').query, 'select');
    const frame = as(as(item(q6, 1), 'functionCall').over, 'windowSpec').frame!;
    expect([frame.unit, frame.start.bound, frame.end?.bound]).toEqual(['ROWS', 'PRECEDING', 'CURRENT_ROW']);
  });

  it('reads q5 as CTEs over a HOP window and q7 as a join with a TUMBLE aggregation', () => {
    const q5 = as(as(statement(F, 9), 'insert').query, 'with');
    expect(q5.ctes.map((c) => c.name.text)).toEqual(['auction_bids', 'max_bids']);
    const hop = as(as(q5.ctes[0]!.query, 'select').from, 'tableFunction');
    expect([qname(hop.name), hop.args.length]).toEqual(['HOP', 4]);
    expect(as(hop.args[3]!.value, 'intervalLiteral').value).toBe('10');
    const q7 = as(as(statement(F, 11), 'insert').query, 'select');
    const inner = as(as(as(q7.from, 'join').right, 'subquery').query, 'select');
    expect(qname(as(inner.from, 'tableFunction').name)).toBe('TUMBLE');
  });

  it('reads q11 as a SESSION window partitioned by bidder with DESCRIPTOR and gap as separate arguments', () => {
    const q11 = as(as(statement(F, 16), 'insert').query, 'select');
    const session = as(q11.from, 'tableFunction');
    expect(session.args.map((a) => a.value.kind)).toEqual(['tableArgument', 'descriptor', 'intervalLiteral']);
    const table = as(session.args[0]!.value, 'tableArgument');
    expect(table.partitionBy.map((e) => texts(as(e, 'columnRef').path))).toEqual([['bidder']]);
  });

  it('reads q14 with HOUR(...) as a function call and q21 with a four-branch CASE', () => {
    const q14 = as(as(statement(F, 22), 'insert').query, 'select');
    const cond = as(as(item(q14, 3), 'case').whens[0]!.condition, 'binary');
    expect(qname(as(as(cond.left, 'binary').left, 'functionCall').name).toUpperCase()).toBe('HOUR');
    const q21 = as(as(statement(F, 29), 'insert').query, 'select');
    const c = as(item(q21, 4), 'case');
    expect([c.whens.length, qname(as(c.else, 'functionCall').name)]).toEqual([4, 'REGEXP_EXTRACT']);
    const q22 = as(as(statement(F, 30), 'insert').query, 'select');
    expect(q22.items.slice(4).map((i) => i.alias?.text)).toEqual(['dir1', 'dir2', 'dir3']);
  });

  it('reads q13 as a processing-time lookup join and q15 with FILTER clauses', () => {
    const q13 = as(as(statement(F, 20), 'insert').query, 'select');
    const j = as(q13.from, 'join');
    expect(as(j.right, 'tableName').systemTime?.kind).toBe('systemTimeAsOf');
    const q15 = as(as(statement(F, 23), 'insert').query, 'select');
    expect(q15.items.filter((i) => i.expr.kind === 'functionCall' && i.expr.filter !== null)).toHaveLength(9);
  });
});

describe('parser corpus: flink_extras.sql', () => {
  const F = 'flink_extras.sql';

  it('reads column-level and named primary keys and LIKE options', () => {
    const users = as(statement(F, 0), 'createTable');
    const id = as(users.columns[0], 'physicalColumn');
    expect([texts(id.primaryKey!.columns), id.primaryKey!.enforced]).toEqual([['id'], false]);
    const accounts = as(statement(F, 1), 'createTable');
    expect([accounts.primaryKey!.constraintName?.text, texts(accounts.primaryKey!.columns)]).toEqual([
      'pk_accounts',
      ['id', 'region'],
    ]);
    const copy = as(statement(F, 2), 'createTable');
    expect(copy.like!.options.map((o) => [o.mode, o.feature])).toEqual([
      ['INCLUDING', 'ALL'],
      ['EXCLUDING', 'OPTIONS'],
      ['OVERWRITING', 'WATERMARKS'],
    ]);
    expect(copy.columns.map((c) => c.name.text)).toEqual(['extra']);
  });

  it('reads TEMPORARY SYSTEM functions, DROP TEMPORARY and ALTER TABLE IF EXISTS', () => {
    const fn = as(statement(F, 3), 'createFunction');
    expect([fn.temporary, fn.system, fn.language]).toEqual([true, true, 'JAVASCRIPT']);
    const dropView = as(statement(F, 4), 'drop');
    expect([dropView.objectType, dropView.temporary, dropView.system, dropView.ifExists]).toEqual([
      'VIEW',
      true,
      false,
      true,
    ]);
    const dropFn = as(statement(F, 5), 'drop');
    expect([dropFn.objectType, dropFn.temporary, dropFn.system]).toEqual(['FUNCTION', true, true]);
    expect(as(statement(F, 6), 'alterTableSet').ifExists).toBe(true);
    expect(as(statement(F, 7), 'alterTableRename').ifExists).toBe(true);
  });

  it('reads static partitions, EXECUTE SELECT, EXPLAIN details, SHOW MODULES and USE CATALOG', () => {
    const ins = as(statement(F, 8), 'insert');
    expect(ins.partition.map((p) => [p.column.text, as(p.value, 'stringLiteral').value])).toEqual([
      ['dt', '2024-01-01'],
      ['hr', '10'],
    ]);
    expect(as(statement(F, 9), 'execute').statement.kind).toBe('select');
    expect(as(statement(F, 10), 'explain').details).toEqual(['JSON_EXECUTION_PLAN', 'PLAN_ADVICE']);
    expect(as(statement(F, 11), 'show').what).toBe('MODULES');
    const use = as(statement(F, 12), 'use');
    expect([use.catalog, qname(use.name)]).toEqual([true, 'hive_catalog']);
  });

  it('reads the suffix spellings `T ARRAY` / `T MULTISET` and `ROW(name T, ...)`', () => {
    const t = as(statement(F, 13), 'createTable');
    const types = t.columns.map((c) => as(c, 'physicalColumn').type);
    expect(as(as(types[0], 'arrayType').element, 'simpleType').name).toBe('STRING');
    const counts = as(types[1], 'multisetType');
    expect([as(counts.element, 'simpleType').name, counts.notNull]).toEqual(['INT', true]);
    expect(as(types[2], 'rowType').fields.map((f) => f.name.text)).toEqual(['x', 'y']);
    expect(as(types[3], 'simpleType')).toMatchObject({ name: 'BINARY', precision: 16 });
  });

  it('reads IGNORE/RESPECT NULLS, dynamic parameters and adjacent string literals', () => {
    const s = select(F, 14);
    expect(s.items.slice(1).map((i) => as(i.expr, 'functionCall').nullTreatment)).toEqual([
      'IGNORE_NULLS',
      'RESPECT_NULLS',
    ]);
    const where = as(select(F, 15).where, 'binary');
    expect([
      as(as(where.left, 'binary').right, 'parameter').index,
      as(as(where.right, 'binary').right, 'parameter').index,
    ]).toEqual([0, 1]);
    expect(as(item(select(F, 16), 0), 'stringLiteral').value).toBe('one string');
  });

  it('reads FOR SYSTEM_TIME BETWEEN and FROM ... TO', () => {
    const between = as(as(select(F, 17).from, 'tableName').systemTime, 'systemTimeRange');
    expect(between.mode).toBe('BETWEEN');
    const fromTo = as(as(select(F, 18).from, 'tableName').systemTime, 'systemTimeRange');
    expect(fromTo.mode).toBe('FROM_TO');
    expect(as(fromTo.to, 'typedLiteral').value).toBe('2024-02-01 00:00:00');
  });
});

describe('parser corpus: explain_statement_set.sql', () => {
  const F = 'explain_statement_set.sql';

  it("reads EXPLAIN STATEMENT SET (Flink's spelling) and EXPLAIN EXECUTE STATEMENT SET", () => {
    const plain = as(statement(F, 0), 'explain');
    expect(as(plain.statement, 'statementSet').inserts.map((i) => qname(i.target))).toEqual([
      'pageviews_by_page',
      'visitors_by_page',
    ]);
    const exec = as(statement(F, 1), 'explain');
    expect(exec.details).toEqual(['CHANGELOG_MODE']);
    expect(as(exec.statement, 'statementSet').inserts).toHaveLength(1);
  });
});

describe('parser corpus: script edges', () => {
  it('gives no statements for an empty script, blanks or comments only', () => {
    expect(parse('')).toEqual([]);
    expect(parse(' \n\t\r\n ')).toEqual([]);
    expect(parse('-- nothing to run\n/* really\n nothing */\n')).toEqual([]);
  });

  it('makes the final semicolon optional and ignores comments after it', () => {
    expect(parse('SELECT 1')).toHaveLength(1);
    expect(parse('SELECT 1;')).toHaveLength(1);
    expect(parse('SELECT 1;\n-- done\n')).toHaveLength(1);
    expect(parse('SELECT 1; SELECT 2;')).toHaveLength(2);
  });

  it('gives each statement of a one-line script its own column', () => {
    const [a, b] = parse('SELECT 1; SELECT 2');
    expect([a!.span.column, b!.span.column, b!.span.offset]).toEqual([1, 11, 10]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Lexical properties against a reference encoding written here: quoting and escaping round-trips.

/** Every identifier node in a tree (in document order). */
function identifiers(node: unknown, out: Identifier[] = []): Identifier[] {
  if (Array.isArray(node)) {
    for (const n of node) identifiers(n, out);
  } else if (typeof node === 'object' && node !== null) {
    if ((node as { kind?: unknown }).kind === 'identifier') out.push(node as Identifier);
    for (const [k, v] of Object.entries(node)) if (k !== 'span') identifiers(v, out);
  }
  return out;
}

describe('parser corpus: lexical properties', () => {
  const NON_RESERVED_NAMES = [
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
    'next',
    'prev',
    'match',
    'define',
    'measures',
    'pattern',
    'running',
    'final',
  ];
  const TEMPLATES = [
    'SELECT {k} FROM t',
    'SELECT {k}, a FROM t',
    'SELECT t.{k} FROM t',
    'SELECT a AS {k} FROM t',
    'SELECT * FROM t WHERE {k} = 1',
    'SELECT {k}, COUNT(*) FROM t GROUP BY {k}',
    'SELECT a FROM t ORDER BY {k} DESC',
    'SELECT f({k}) FROM t',
    'SELECT * FROM t AS {k}',
    'INSERT INTO t ({k}) SELECT 1',
    "CREATE TABLE x ({k} INT, b STRING) WITH ('a' = 'b')",
  ];

  for (const template of TEMPLATES) {
    it(`accepts every non-reserved keyword of the issue as a name in: ${template}`, () => {
      const failures: string[] = [];
      for (const k of NON_RESERVED_NAMES) {
        const sql = template.replaceAll('{k}', k);
        try {
          const ids = identifiers(parse(sql)).map((i) => i.text);
          if (!ids.includes(k)) failures.push(`${sql}: no identifier '${k}' in the AST`);
        } catch (e) {
          failures.push(`${sql}: ${(e as Error).message}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }

  // Names that are not reserved words (the parser's own list): they must always read as identifiers.
  const plainName = fc
    .stringMatching(/^[a-z_][a-z0-9_]{0,12}$/)
    .filter((s) => !RESERVED_WORDS.has(s.toUpperCase()));

  it('reads a backtick identifier with any content, doubled backticks standing for one', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20, unit: 'binary' }), (name) => {
        const [stmt] = parse(`SELECT \`${name.replaceAll('`', '``')}\` FROM t`);
        const id = as(as(stmt, 'select').items[0]!.expr, 'columnRef').path[0]!;
        expect([id.text, id.quoted]).toEqual([name, true]);
      }),
      { numRuns: 200 },
    );
  });

  it('reads a double-quoted identifier with any content, doubled quotes standing for one', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20, unit: 'binary' }), (name) => {
        const [stmt] = parse(`SELECT "${name.replaceAll('"', '""')}" FROM t`);
        const id = as(as(stmt, 'select').items[0]!.expr, 'columnRef').path[0]!;
        expect([id.text, id.quoted]).toEqual([name, true]);
      }),
      { numRuns: 200 },
    );
  });

  it("reads a string literal with any content, '' standing for one quote", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30, unit: 'binary' }), (value) => {
        const [stmt] = parse(`SELECT '${value.replaceAll("'", "''")}' AS s`);
        expect(as(as(stmt, 'select').items[0]!.expr, 'stringLiteral').value).toBe(value);
      }),
      { numRuns: 200 },
    );
  });

  it('decodes U& strings written with 4- and 6-digit escapes of any code point', () => {
    /** The reference encoding: every character as an escape, `\\` for a backslash, `''` for a quote. */
    const encode = (s: string, six: boolean): string =>
      [...s]
        .map((ch) => {
          const cp = ch.codePointAt(0)!;
          if (six || cp > 0xffff) return `\\+${cp.toString(16).padStart(6, '0')}`;
          return `\\${cp.toString(16).padStart(4, '0')}`;
        })
        .join('');
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
        fc.boolean(),
        fc.boolean(),
        (value, six, upper) => {
          const text = upper ? encode(value, six).toUpperCase() : encode(value, six);
          const [stmt] = parse(`SELECT U&'${text}' AS s`);
          expect(as(as(stmt, 'select').items[0]!.expr, 'stringLiteral').value).toBe(value);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps plain identifiers exactly as written, in any letter case', () => {
    fc.assert(
      fc.property(plainName, plainName, fc.boolean(), (col, table, upper) => {
        const c = upper ? col.toUpperCase() : col;
        const s = as(parse(`SELECT ${c} FROM ${table}_tbl`)[0], 'select');
        expect(texts(as(s.items[0]!.expr, 'columnRef').path)).toEqual([c]);
        expect(qname(as(s.from, 'tableName').name)).toBe(`${table}_tbl`);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the text of any numeric literal exactly', () => {
    const digits = fc.stringMatching(/^[0-9]{1,12}$/);
    const numeric = fc
      .tuple(
        digits,
        fc.option(fc.stringMatching(/^[0-9]{0,6}$/)),
        fc.option(
          fc.tuple(
            fc.constantFrom('e', 'E'),
            fc.constantFrom('', '+', '-'),
            fc.stringMatching(/^[0-9]{1,3}$/),
          ),
        ),
      )
      .map(([i, f, e]) => `${i}${f === null ? '' : `.${f}`}${e === null ? '' : e.join('')}`);
    fc.assert(
      fc.property(numeric, (n) => {
        const [stmt] = parse(`SELECT ${n} AS v`);
        expect(as(as(stmt, 'select').items[0]!.expr, 'numericLiteral').text).toBe(n);
      }),
      { numRuns: 200 },
    );
  });
});

describe('parser corpus: pattern_as_name.sql', () => {
  const F = 'pattern_as_name.sql';

  it('reads `pattern` followed by a parenthesis as a function name and as an alias with columns', () => {
    expect(qname(as(item(select(F, 0), 0), 'functionCall').name)).toBe('pattern');
    const t = as(select(F, 1).from, 'tableName');
    expect([t.alias?.name.text, texts(t.alias?.columns ?? [])]).toEqual(['pattern', ['a', 'b']]);
    expect(texts(as(item(select(F, 2), 0), 'columnRef').path)).toEqual(['pattern']);
  });
});

describe('parser corpus: coverage', () => {
  it('contains every kind of AST node that parser/ast.ts declares', () => {
    // The kinds are read from the AST's source so that a new node kind fails this test until the corpus
    // has an example of it.
    const astSource = readFileSync(join(import.meta.dirname, '..', '..', 'parser', 'ast.ts'), 'utf8');
    const declared = new Set([...astSource.matchAll(/readonly kind: '([A-Za-z]+)'/g)].map((m) => m[1]!));
    const seen = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) for (const x of v) walk(x);
      else if (typeof v === 'object' && v !== null) {
        const kind = (v as { kind?: unknown }).kind;
        if (typeof kind === 'string') seen.add(kind);
        for (const [k, x] of Object.entries(v)) if (k !== 'span') walk(x);
      }
    };
    for (const file of FILES) {
      try {
        walk(statements(file));
      } catch {
        // a file that does not parse is reported by its own tests
      }
    }
    expect(declared.size).toBeGreaterThan(50);
    expect([...declared].filter((k) => !seen.has(k)).sort()).toEqual([]);
  });
});
