/**
 * The printer is the parser's inverse: for every corpus statement and for randomly generated ASTs,
 * `parse(format(ast))` equals `ast` apart from spans, and formatting is idempotent.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as A from '../../parser/ast.ts';
import { format, formatExpr, parse, parseExpression } from '../../parser/index.ts';

const SPAN: A.Span = { offset: 0, line: 1, column: 1, end: 0 };

/** The tree without spans (the only thing printing cannot preserve). */
function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== 'span')
        .map(([k, x]) => [k, strip(x)]),
    );
  }
  return v;
}

function roundTrips(statements: readonly A.Statement[]): void {
  const text = format(statements);
  let again: A.Statement[];
  try {
    again = parse(text);
  } catch (e) {
    throw new Error(`printed SQL does not parse:\n${text}\n${(e as Error).message}`);
  }
  expect(strip(again), text).toEqual(strip(statements));
  expect(format(again)).toBe(text);
}

describe('printer: corpus round trip', () => {
  const dir = join(import.meta.dirname, 'fixtures', 'corpus');
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  for (const file of files) {
    it(`${file}: parse(format(ast)) equals ast, and format is idempotent`, () => {
      roundTrips(parse(readFileSync(join(dir, file), 'utf8')));
    });
  }
});

describe('printer: canonical text', () => {
  it('upper-cases keywords, keeps identifiers, and quotes only names that need it', () => {
    const [s] = parse("select `order`, \"My Col\", value, t.ts from db.t as t where x<>'it''s'");
    expect(format(s!)).toBe("SELECT `order`, `My Col`, value, t.ts\nFROM db.t AS t\nWHERE x <> 'it''s';\n");
  });

  it('puts back exactly the parentheses precedence needs', () => {
    const cases: Array<[string, string]> = [
      ['(a + b) * c', '(a + b) * c'],
      ['a + (b * c)', 'a + b * c'],
      ['a - (b - c)', 'a - (b - c)'],
      ['(a - b) - c', 'a - b - c'],
      ['NOT (a AND b)', 'NOT (a AND b)'],
      ['(NOT a) AND b', 'NOT a AND b'],
      ['a = (b = c)', 'a = (b = c)'],
      ['- (-1)', '- -1'],
      ['(a.b).c', '(a.b).c'],
      ['f(x).c[1]', 'f(x).c[1]'],
      ['(a OR b) IS TRUE', '(a OR b) IS TRUE'],
      ['x BETWEEN (a OR b) AND c', 'x BETWEEN (a OR b) AND c'],
    ];
    for (const [input, expected] of cases) expect(formatExpr(parseExpression(input))).toBe(expected);
  });

  it('prints one canonical spelling for synonyms', () => {
    const canonical = (sql: string) => format(parse(sql));
    expect(canonical('SELECT a FROM t FETCH FIRST 5 ROWS ONLY')).toBe(canonical('SELECT a FROM t LIMIT 5'));
    expect(canonical('SELECT CAST(a AS INTEGER), CAST(b AS NUMERIC(5, 2)) FROM t')).toContain(
      'CAST(a AS INT), CAST(b AS DECIMAL(5, 2))',
    );
    expect(canonical('SELECT a != b FROM t')).toContain('a <> b');
    expect(canonical('SELECT SUBSTRING(s, 1, 2) FROM t')).toContain('SUBSTRING(s FROM 1 FOR 2)');
  });

  it('prints MATCH_RECOGNIZE patterns with canonical quantifiers', () => {
    const sql =
      'SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A{0,} B{1,}? C{0,1} D{2,2} E{,3} (F | G)+ {- H -} PERMUTE(I, J) () ^ $) DEFINE A AS TRUE)';
    expect(format(parse(sql))).toContain(
      'PATTERN (A* B+? C? D{2} E{,3} (F | G)+ {- H -} PERMUTE(I, J) () ^ $)',
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Random ASTs

const node = <T extends object>(o: T): T & { span: A.Span } => ({ ...o, span: SPAN });

const plainNames = ['a', 'b', 'price', 'ts', 'Value', 'key', 'first', 'x_1', 'été', 'timestamp'];
const ident: fc.Arbitrary<A.Identifier> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .constantFrom(...plainNames)
      .map((text) => node({ kind: 'identifier' as const, text, quoted: false })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.constantFrom('select', 'My Col', 'a`b', 'x"y', '1st'),
        fc.string({ minLength: 1, maxLength: 6 }),
      )
      .map((text) => node({ kind: 'identifier' as const, text, quoted: true })),
  },
);
const qname = fc
  .array(ident, { minLength: 1, maxLength: 3 })
  .map((parts) => node({ kind: 'qualifiedName' as const, parts }));
const str = fc.string({ maxLength: 8 });
const unitArb = fc.constantFrom<A.TimeUnit>(
  'YEAR',
  'MONTH',
  'DAY',
  'HOUR',
  'MINUTE',
  'SECOND',
  'WEEK',
  'QUARTER',
);
const small = fc.integer({ min: 0, max: 9 });
const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null });

const qualifier: fc.Arbitrary<A.IntervalQualifier> = fc
  .record({
    start: unitArb,
    startPrecision: opt(small),
    fraction: opt(small),
    end: opt(unitArb),
    endPrecision: opt(small),
  })
  .map((r) =>
    node({
      kind: 'intervalQualifier' as const,
      start: r.start,
      startPrecision: r.startPrecision,
      startFraction: r.startPrecision === null ? null : r.fraction,
      end: r.end,
      endPrecision: r.end === null ? null : r.endPrecision,
    }),
  );

const interval: fc.Arbitrary<A.IntervalLiteral> = fc
  .record({ sign: fc.constantFrom<1 | -1>(1, -1), value: fc.constantFrom('5', '1 02:03', '10'), qualifier })
  .map((r) => node({ kind: 'intervalLiteral' as const, ...r }));

const withPrecision: readonly A.SimpleTypeName[] = [
  'FLOAT',
  'CHAR',
  'VARCHAR',
  'BINARY',
  'VARBINARY',
  'TIME',
  'TIMESTAMP',
  'TIMESTAMP_LTZ',
];
const noPrecision: readonly A.SimpleTypeName[] = [
  'BOOLEAN',
  'TINYINT',
  'SMALLINT',
  'INT',
  'BIGINT',
  'REAL',
  'DOUBLE',
  'STRING',
  'BYTES',
  'DATE',
  'NULL',
];

const { type: typeArb } = fc.letrec<{ type: A.TypeNode }>((tie) => {
  const t = tie('type') as fc.Arbitrary<A.TypeNode>;
  return {
    type: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ name: fc.constantFrom(...noPrecision), notNull: fc.boolean() }).map((r) =>
        node({
          kind: 'simpleType' as const,
          name: r.name,
          precision: null,
          scale: null,
          notNull: r.notNull,
        }),
      ),
      fc
        .record({ name: fc.constantFrom(...withPrecision), precision: opt(small), notNull: fc.boolean() })
        .map((r) => node({ kind: 'simpleType' as const, ...r, scale: null })),
      fc.record({ precision: opt(small), scale: small, notNull: fc.boolean() }).map((r) =>
        node({
          kind: 'simpleType' as const,
          name: 'DECIMAL' as const,
          precision: r.precision,
          scale: r.precision === null ? null : r.scale,
          notNull: r.notNull,
        }),
      ),
      fc
        .record({ qualifier, notNull: fc.boolean() })
        .map((r) => node({ kind: 'intervalType' as const, ...r })),
      fc.record({ element: t, notNull: fc.boolean() }).map((r) => node({ kind: 'arrayType' as const, ...r })),
      fc
        .record({ element: t, notNull: fc.boolean() })
        .map((r) => node({ kind: 'multisetType' as const, ...r })),
      fc
        .record({ key: t, value: t, notNull: fc.boolean() })
        .map((r) => node({ kind: 'mapType' as const, ...r })),
      fc
        .record({
          fields: fc.array(
            fc
              .record({ name: ident, type: t, comment: opt(str) })
              .map((f) => node({ kind: 'rowTypeField' as const, ...f })),
            { maxLength: 2 },
          ),
          notNull: fc.boolean(),
        })
        .map((r) => node({ kind: 'rowType' as const, ...r })),
    ),
  };
});

const aliasArb: fc.Arbitrary<A.Alias> = fc
  .record({ name: ident, columns: fc.array(ident, { maxLength: 2 }) })
  .map((r) => node({ kind: 'alias' as const, ...r }));

interface Arbs {
  expr: A.Expr;
  query: A.Query;
  tableRef: A.TableRef;
  pattern: A.RowPattern;
}

const cmpOps: readonly A.ComparisonOp[] = ['=', '<>', '<', '<=', '>', '>='];
const binOps: readonly A.BinaryOp[] = ['OR', 'AND', ...cmpOps, '+', '-', '*', '/', '%', '||'];
const fnNames = fc.constantFrom('f', 'my_fn', 'COUNT', 'sum', 'LAST').map((text) =>
  node({
    kind: 'qualifiedName' as const,
    parts: [node({ kind: 'identifier' as const, text, quoted: false })],
  }),
);

const arbs = fc.letrec<Arbs>((tie) => {
  const expr = tie('expr') as fc.Arbitrary<A.Expr>;
  const query = tie('query') as fc.Arbitrary<A.Query>;
  const tableRef = tie('tableRef') as fc.Arbitrary<A.TableRef>;
  const pattern = tie('pattern') as fc.Arbitrary<A.RowPattern>;
  const exprs = (min: number, max: number) => fc.array(expr, { minLength: min, maxLength: max });
  const orderItem = fc
    .record({
      expr,
      direction: fc.constantFrom<A.OrderItem['direction']>(null, 'ASC', 'DESC'),
      nulls: fc.constantFrom<A.OrderItem['nulls']>(null, 'FIRST', 'LAST'),
    })
    .map((r) => node({ kind: 'orderItem' as const, ...r }));
  const bound = fc.oneof(
    fc
      .constantFrom('UNBOUNDED_PRECEDING', 'CURRENT_ROW', 'UNBOUNDED_FOLLOWING')
      .map((b) => node({ kind: 'frameBound' as const, bound: b as A.FrameBound['bound'], offset: null })),
    fc
      .record({ bound: fc.constantFrom('PRECEDING', 'FOLLOWING'), offset: expr })
      .map((r) =>
        node({ kind: 'frameBound' as const, bound: r.bound as A.FrameBound['bound'], offset: r.offset }),
      ),
  );
  const windowSpec = fc
    .record({
      base: opt(ident),
      partitionBy: exprs(0, 2),
      orderBy: fc.array(orderItem, { maxLength: 2 }),
      frame: opt(
        fc.record({ unit: fc.constantFrom('ROWS', 'RANGE'), start: bound, end: opt(bound) }).map((r) =>
          node({
            kind: 'windowFrame' as const,
            unit: r.unit as 'ROWS' | 'RANGE',
            start: r.start,
            end: r.end,
          }),
        ),
      ),
    })
    .map((r) => node({ kind: 'windowSpec' as const, ...r }));
  const subquery = fc.oneof(
    fc
      .record({ items: fc.array(expr, { minLength: 1, maxLength: 2 }) })
      .map((r) => simpleSelect(r.items, null)),
    query,
  );
  const call = fc
    .record({
      name: fnNames,
      args: exprs(0, 3),
      distinct: fc.boolean(),
      semantics: fc.constantFrom<A.FunctionCall['semantics']>(null, null, 'RUNNING', 'FINAL'),
      nullTreatment: fc.constantFrom<A.FunctionCall['nullTreatment']>(null, null, 'IGNORE_NULLS'),
      withinGroup: fc.array(orderItem, { maxLength: 1 }),
      filter: opt(expr),
      over: fc.oneof(fc.constant(null), ident, windowSpec),
    })
    .map((r) => node({ kind: 'functionCall' as const, ...r, distinct: r.distinct && r.args.length > 0 }));
  const leaf = fc.oneof(
    fc
      .constantFrom('1', '42', '1.50', '.5', '1e3')
      .map((text) => node({ kind: 'numericLiteral' as const, text })),
    str.map((value) => node({ kind: 'stringLiteral' as const, value })),
    fc.boolean().map((value) => node({ kind: 'booleanLiteral' as const, value })),
    fc.constant(node({ kind: 'nullLiteral' as const })),
    fc.constant(node({ kind: 'unknownLiteral' as const })),
    fc.constantFrom('0aff', '').map((hex) => node({ kind: 'binaryStringLiteral' as const, hex })),
    fc
      .record({ type: fc.constantFrom<A.TypedLiteral['type']>('DATE', 'TIME', 'TIMESTAMP'), value: str })
      .map((r) => node({ kind: 'typedLiteral' as const, ...r })),
    interval,
    fc.array(ident, { minLength: 1, maxLength: 3 }).map((path) => node({ kind: 'columnRef' as const, path })),
    fc
      .array(ident, { minLength: 1, maxLength: 2 })
      .map((columns) => node({ kind: 'descriptor' as const, columns })),
  );
  const col = fc
    .array(ident, { minLength: 1, maxLength: 2 })
    .map((path): A.Expr => node({ kind: 'columnRef' as const, path }));
  return {
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      call,
      fc
        .record({ op: fc.constantFrom(...binOps), left: expr, right: expr })
        .map((r) => node({ kind: 'binary' as const, ...r })),
      fc
        .record({ op: fc.constantFrom<A.UnaryExpr['op']>('-', '+', 'NOT'), operand: expr })
        .map((r) => node({ kind: 'unary' as const, ...r })),
      fc
        .record({
          operand: opt(expr),
          whens: fc.array(
            fc.record({ condition: expr, result: expr }).map((w) => node({ kind: 'when' as const, ...w })),
            { minLength: 1, maxLength: 2 },
          ),
          else: opt(expr),
        })
        .map((r) => node({ kind: 'case' as const, ...r })),
      fc.record({ try: fc.boolean(), expr, type: typeArb }).map((r) => node({ kind: 'cast' as const, ...r })),
      fc
        .record({
          expr,
          not: fc.boolean(),
          test: fc.constantFrom<A.IsExpr['test']>('NULL', 'TRUE', 'FALSE', 'UNKNOWN'),
        })
        .map((r) => node({ kind: 'is' as const, ...r })),
      fc
        .record({ not: fc.boolean(), left: expr, right: expr })
        .map((r) => node({ kind: 'isDistinctFrom' as const, ...r })),
      fc
        .record({ expr, not: fc.boolean(), symmetric: fc.boolean(), low: expr, high: expr })
        .map((r) => node({ kind: 'between' as const, ...r })),
      fc
        .record({
          op: fc.constantFrom<A.LikeExpr['op']>('LIKE', 'SIMILAR_TO'),
          not: fc.boolean(),
          expr,
          pattern: expr,
          escape: opt(expr),
        })
        .map((r) => node({ kind: 'like' as const, ...r })),
      fc
        .record({ not: fc.boolean(), expr, list: exprs(1, 3) })
        // `x IN ((SELECT ...))` is an IN subquery: a one-element list holding a subquery reads back as one.
        .filter((r) => !(r.list.length === 1 && r.list[0]!.kind === 'scalarSubquery'))
        .map((r) => node({ kind: 'inList' as const, ...r })),
      fc
        .record({ not: fc.boolean(), expr, query: subquery })
        .map((r) => node({ kind: 'inSubquery' as const, ...r })),
      subquery.map((q) => node({ kind: 'exists' as const, query: q })),
      subquery.map((q) => node({ kind: 'scalarSubquery' as const, query: q })),
      fc
        .record({
          op: fc.constantFrom(...cmpOps),
          quantifier: fc.constantFrom<'ANY' | 'ALL'>('ANY', 'ALL'),
          left: expr,
          query: subquery,
        })
        .map((r) => node({ kind: 'quantifiedComparison' as const, ...r })),
      fc.record({ unit: unitArb, expr }).map((r) => node({ kind: 'extract' as const, ...r })),
      fc
        .record({ needle: expr, haystack: expr, from: opt(expr) })
        .map((r) => node({ kind: 'position' as const, ...r })),
      fc
        .record({
          side: fc.constantFrom<A.TrimExpr['side']>(null, 'BOTH', 'LEADING', 'TRAILING'),
          chars: opt(expr),
          expr,
        })
        .map((r) => node({ kind: 'trim' as const, ...r })),
      fc
        .record({ expr, start: expr, length: opt(expr) })
        .map((r) => node({ kind: 'substring' as const, ...r })),
      fc
        .record({ expr, placing: expr, start: expr, length: opt(expr) })
        .map((r) => node({ kind: 'overlay' as const, ...r })),
      // Not an interval literal: `CEIL(INTERVAL '1' DAY TO DAY)` reads `TO DAY` as the interval's own end.
      fc
        .record({ fn: fc.constantFrom<'CEIL' | 'FLOOR'>('CEIL', 'FLOOR'), expr: col, unit: unitArb })
        .map((r) => node({ kind: 'ceilFloor' as const, ...r })),
      fc
        .record({ unit: unitArb, amount: expr, timestamp: expr })
        .map((r) => node({ kind: 'timestampAdd' as const, ...r })),
      fc
        .record({ unit: unitArb, start: expr, end: expr })
        .map((r) => node({ kind: 'timestampDiff' as const, ...r })),
      exprs(0, 3).map((elements) => node({ kind: 'arrayConstructor' as const, elements })),
      fc
        .array(
          fc.record({ key: expr, value: expr }).map((e) => node({ kind: 'mapEntry' as const, ...e })),
          { maxLength: 2 },
        )
        .map((entries) => node({ kind: 'mapConstructor' as const, entries })),
      exprs(0, 3).map((fields) => node({ kind: 'row' as const, explicit: true, fields })),
      exprs(2, 3).map((fields) => node({ kind: 'row' as const, explicit: false, fields })),
      fc.record({ expr, index: expr }).map((r) => node({ kind: 'elementAccess' as const, ...r })),
      fc.record({ expr, field: ident }).map((r) => node({ kind: 'fieldAccess' as const, ...r })),
    ),
    query: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      selectArb(expr, tableRef, orderItem, windowSpec),
      fc
        .record({
          rows: fc.array(
            fc.oneof(
              exprs(0, 3).map((fields) => node({ kind: 'row' as const, explicit: true, fields })),
              fc
                .array(leaf, { minLength: 1, maxLength: 3 })
                .map((fields) => node({ kind: 'row' as const, explicit: false, fields })),
            ),
            { minLength: 1, maxLength: 3 },
          ),
          tail: tailArb(expr, orderItem),
        })
        .map((r) => node({ kind: 'values' as const, rows: r.rows, ...r.tail })),
      fc
        .record({
          op: fc.constantFrom<A.SetOperationQuery['op']>('UNION', 'INTERSECT', 'EXCEPT'),
          all: fc.boolean(),
          left: query,
          right: query,
          tail: tailArb(expr, orderItem),
        })
        .map((r) =>
          node({
            kind: 'setOperation' as const,
            op: r.op,
            all: r.all,
            left: r.left,
            right: r.right,
            ...r.tail,
          }),
        ),
      fc
        .record({
          ctes: fc.array(
            fc
              .record({ name: ident, columns: fc.array(ident, { maxLength: 2 }), query })
              .map((c) => node({ kind: 'cte' as const, ...c })),
            { minLength: 1, maxLength: 2 },
          ),
          body: query,
        })
        .filter((r) => r.body.kind !== 'with')
        .map((r) => node({ kind: 'with' as const, ...r })),
    ),
    tableRef: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc
        .record({
          name: qname,
          systemTime: opt(
            fc.oneof(
              col.map((at): A.SystemTimeClause => node({ kind: 'systemTimeAsOf' as const, at })),
              fc
                .record({
                  mode: fc.constantFrom<'FROM_TO' | 'BETWEEN'>('FROM_TO', 'BETWEEN'),
                  from: col,
                  to: col,
                })
                .map((r): A.SystemTimeClause => node({ kind: 'systemTimeRange' as const, ...r })),
            ),
          ),
          alias: opt(aliasArb),
        })
        .map((r) => node({ kind: 'tableName' as const, ...r })),
      fc
        .record({ lateral: fc.boolean(), query, alias: opt(aliasArb) })
        .map((r) => node({ kind: 'subquery' as const, ...r })),
      fc
        .record({
          lateral: fc.boolean(),
          name: qname,
          args: fc.array(
            fc
              .record({
                name: opt(ident),
                value: fc.oneof(
                  expr,
                  fc
                    .record({
                      table: qname,
                      partitionBy: exprs(0, 2),
                      orderBy: fc.array(orderItem, { maxLength: 1 }),
                    })
                    // One key that is itself an implicit row would read back as several keys.
                    .filter(
                      (t) =>
                        !(
                          t.partitionBy.length === 1 &&
                          t.partitionBy[0]!.kind === 'row' &&
                          !t.partitionBy[0]!.explicit
                        ),
                    )
                    .map((t): A.TableArgument => node({ kind: 'tableArgument' as const, ...t })),
                ),
              })
              .map((a) => node({ kind: 'tableFunctionArg' as const, ...a })),
            { maxLength: 3 },
          ),
          alias: opt(aliasArb),
        })
        .map((r) => node({ kind: 'tableFunction' as const, ...r })),
      fc
        .record({ args: exprs(1, 2), withOrdinality: fc.boolean(), alias: opt(aliasArb) })
        .map((r) => node({ kind: 'unnest' as const, ...r })),
      joinArb(tableRef, expr),
      matchRecognizeArb(expr, orderItem, pattern),
    ),
    pattern: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('A', 'B', 'UP', 'down').map(
        (text): A.RowPattern =>
          node({
            kind: 'patternVariable' as const,
            name: node({ kind: 'identifier' as const, text, quoted: false }),
          }),
      ),
      fc
        .array(pattern, { minLength: 2, maxLength: 3 })
        .map((items) => node({ kind: 'patternConcat' as const, items })),
      fc
        .array(pattern, { minLength: 2, maxLength: 3 })
        .map((alternatives) => node({ kind: 'patternAlternation' as const, alternatives })),
      fc.constant(node({ kind: 'patternEmpty' as const })),
      fc
        .constantFrom<'START' | 'END'>('START', 'END')
        .map((anchor) => node({ kind: 'patternAnchor' as const, anchor })),
      pattern.map((p) => node({ kind: 'patternExclusion' as const, pattern: p })),
      fc
        .array(pattern, { minLength: 1, maxLength: 3 })
        .map((items) => node({ kind: 'patternPermute' as const, items })),
      fc
        .record({
          pattern,
          min: fc.integer({ min: 0, max: 3 }),
          extra: opt(fc.integer({ min: 0, max: 3 })),
          reluctant: fc.boolean(),
        })
        .map((r) =>
          node({
            kind: 'patternQuantified' as const,
            pattern: r.pattern,
            min: r.min,
            max: r.extra === null ? null : r.min + r.extra,
            reluctant: r.reluctant,
          }),
        ),
    ),
  };
});

function simpleSelect(items: readonly A.Expr[], from: A.TableRef | null): A.SelectQuery {
  return node({
    kind: 'select' as const,
    distinct: false,
    items: items.map((e) => node({ kind: 'selectItem' as const, expr: e, alias: null })),
    from,
    where: null,
    groupBy: null,
    having: null,
    windows: [],
    qualify: null,
    orderBy: [],
    limit: null,
    offset: null,
  });
}

function tailArb(
  expr: fc.Arbitrary<A.Expr>,
  orderItem: fc.Arbitrary<A.OrderItem>,
): fc.Arbitrary<A.QueryTail> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant({ orderBy: [], limit: null, offset: null }) },
    {
      weight: 1,
      arbitrary: fc.record({
        orderBy: fc.array(orderItem, { maxLength: 2 }),
        limit: opt(expr),
        offset: opt(expr),
      }),
    },
  );
}

function selectArb(
  expr: fc.Arbitrary<A.Expr>,
  tableRef: fc.Arbitrary<A.TableRef>,
  orderItem: fc.Arbitrary<A.OrderItem>,
  windowSpec: fc.Arbitrary<A.WindowSpec>,
): fc.Arbitrary<A.Query> {
  const item = fc.oneof(
    fc.record({ expr, alias: opt(ident) }).map((r) => node({ kind: 'selectItem' as const, ...r })),
    fc
      .array(ident, { maxLength: 2 })
      .map((qualifier) =>
        node({ kind: 'selectItem' as const, expr: node({ kind: 'star' as const, qualifier }), alias: null }),
      ),
  );
  const grouping: fc.Arbitrary<A.GroupingElement> = fc.oneof(
    expr,
    fc.array(expr, { minLength: 1, maxLength: 2 }).map((items) => node({ kind: 'rollup' as const, items })),
    fc.array(expr, { minLength: 1, maxLength: 2 }).map((items) => node({ kind: 'cube' as const, items })),
    fc.constant(node({ kind: 'emptyGroupingSet' as const })),
    fc
      .array(fc.oneof(expr, fc.constant(node({ kind: 'emptyGroupingSet' as const }))), {
        minLength: 1,
        maxLength: 2,
      })
      .map((sets) => node({ kind: 'groupingSets' as const, sets })),
  );
  return fc
    .record({
      distinct: fc.boolean(),
      items: fc.array(item, { minLength: 1, maxLength: 3 }),
      from: opt(tableRef),
      where: opt(expr),
      groupBy: opt(
        fc
          .record({ distinct: fc.boolean(), elements: fc.array(grouping, { minLength: 1, maxLength: 2 }) })
          .map((g) => node({ kind: 'groupBy' as const, ...g })),
      ),
      having: opt(expr),
      windows: fc.array(
        fc.record({ name: ident, spec: windowSpec }).map((w) => node({ kind: 'namedWindow' as const, ...w })),
        { maxLength: 1 },
      ),
      qualify: opt(expr),
      tail: tailArb(expr, orderItem),
    })
    .map(({ tail, ...r }) => node({ kind: 'select' as const, ...r, ...tail }));
}

function joinArb(tableRef: fc.Arbitrary<A.TableRef>, expr: fc.Arbitrary<A.Expr>): fc.Arbitrary<A.TableRef> {
  const condition = fc.oneof(
    expr.map((e): A.JoinOn | A.JoinUsing => node({ kind: 'joinOn' as const, expr: e })),
    fc
      .array(ident, { minLength: 1, maxLength: 2 })
      .map((columns): A.JoinOn | A.JoinUsing => node({ kind: 'joinUsing' as const, columns })),
  );
  return fc
    .record({
      joinType: fc.constantFrom<A.JoinRef['joinType']>('INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'COMMA'),
      natural: fc.boolean(),
      left: tableRef,
      right: tableRef,
      condition,
    })
    .filter(
      // FROM a, b JOIN c reads as a, (b JOIN c): a comma join only on the left of another comma join.
      (r) =>
        !(r.left.kind === 'join' && r.left.joinType === 'COMMA' && r.joinType !== 'COMMA') &&
        !(r.right.kind === 'join' && r.right.joinType === 'COMMA'),
    )
    .map((r) => {
      const simple = r.joinType === 'CROSS' || r.joinType === 'COMMA';
      const natural = !simple && r.natural;
      return node({
        kind: 'join' as const,
        joinType: r.joinType,
        natural,
        left: r.left,
        right: r.right,
        condition: simple || natural ? null : r.condition,
      });
    });
}

function matchRecognizeArb(
  expr: fc.Arbitrary<A.Expr>,
  orderItem: fc.Arbitrary<A.OrderItem>,
  pattern: fc.Arbitrary<A.RowPattern>,
): fc.Arbitrary<A.TableRef> {
  const variable = fc
    .constantFrom('A', 'B', 'UP')
    .map((text) => node({ kind: 'identifier' as const, text, quoted: false }));
  return fc
    .record({
      input: fc
        .record({ name: qname, alias: opt(aliasArb) })
        .map((r) => node({ kind: 'tableName' as const, ...r, systemTime: null })),
      partitionBy: fc.array(expr, { maxLength: 2 }),
      orderBy: fc.array(orderItem, { maxLength: 2 }),
      measures: fc.array(
        fc.record({ expr, name: ident }).map((m) => node({ kind: 'measure' as const, ...m })),
        { maxLength: 2 },
      ),
      rowsPerMatch: fc.constantFrom<A.RowsPerMatch | null>(
        null,
        'ONE_ROW_PER_MATCH',
        'ALL_ROWS_PER_MATCH',
        'ALL_ROWS_PER_MATCH_SHOW_EMPTY',
        'ALL_ROWS_PER_MATCH_OMIT_EMPTY',
        'ALL_ROWS_PER_MATCH_WITH_UNMATCHED',
      ),
      afterMatchSkip: opt(
        fc
          .record({
            to: fc.constantFrom<A.AfterMatchSkip['to']>(
              'PAST_LAST_ROW',
              'NEXT_ROW',
              'FIRST',
              'LAST',
              'VARIABLE',
            ),
            v: variable,
          })
          .map((r) =>
            node({
              kind: 'afterMatchSkip' as const,
              to: r.to,
              variable: r.to === 'PAST_LAST_ROW' || r.to === 'NEXT_ROW' ? null : r.v,
            }),
          ),
      ),
      mode: fc.constantFrom<'INITIAL' | 'SEEK' | null>(null, 'INITIAL', 'SEEK'),
      pattern,
      within: opt(interval),
      subsets: fc.array(
        fc
          .record({ name: variable, variables: fc.array(variable, { minLength: 1, maxLength: 2 }) })
          .map((s) => node({ kind: 'subset' as const, ...s })),
        { maxLength: 1 },
      ),
      definitions: fc.array(
        fc
          .record({ variable, condition: expr })
          .map((d) => node({ kind: 'patternDefinition' as const, ...d })),
        { minLength: 1, maxLength: 2 },
      ),
      alias: opt(aliasArb),
    })
    .map((r) => node({ kind: 'matchRecognize' as const, ...r }));
}

const property = fc.record({ key: str, value: str }).map((p) => node({ kind: 'property' as const, ...p }));

const insertArb: fc.Arbitrary<A.InsertStatement> = fc
  .record({
    overwrite: fc.boolean(),
    target: qname,
    partition: fc.array(
      fc
        .record({ column: ident, value: arbs.expr })
        .map((p) => node({ kind: 'partitionValue' as const, ...p })),
      { maxLength: 1 },
    ),
    columns: fc.array(ident, { maxLength: 2 }),
    query: arbs.query,
  })
  .map((r) => node({ kind: 'insert' as const, ...r }));

const column: fc.Arbitrary<A.ColumnDefinition> = fc.oneof(
  fc
    .record({
      name: ident,
      type: typeArb,
      primaryKey: opt(fc.record({ constraintName: opt(ident), enforced: fc.boolean() })),
      comment: opt(str),
    })
    .map((r) =>
      node({
        kind: 'physicalColumn' as const,
        name: r.name,
        type: r.type,
        comment: r.comment,
        primaryKey:
          r.primaryKey === null
            ? null
            : node({ kind: 'primaryKey' as const, ...r.primaryKey, columns: [r.name] }),
      }),
    ),
  fc
    .record({ name: ident, expr: arbs.expr, comment: opt(str) })
    .map((r) => node({ kind: 'computedColumn' as const, ...r })),
  fc
    .record({ name: ident, type: typeArb, metadataKey: opt(str), virtual: fc.boolean(), comment: opt(str) })
    .map((r) => node({ kind: 'metadataColumn' as const, ...r })),
);

const statementArb: fc.Arbitrary<A.Statement> = fc.oneof(
  arbs.query,
  insertArb,
  fc
    .record({
      style: fc.constantFrom<'execute' | 'begin'>('execute', 'begin'),
      inserts: fc.array(insertArb, { minLength: 1, maxLength: 2 }),
    })
    .map((r) => node({ kind: 'statementSet' as const, ...r })),
  fc.oneof(insertArb, arbs.query).map((statement) => node({ kind: 'execute' as const, statement })),
  fc
    .record({
      temporary: fc.boolean(),
      ifNotExists: fc.boolean(),
      name: qname,
      columns: fc.array(column, { maxLength: 3 }),
      watermarks: fc.array(
        fc
          .record({ column: fc.array(ident, { minLength: 1, maxLength: 2 }), expr: arbs.expr })
          .map((w) => node({ kind: 'watermark' as const, ...w })),
        { maxLength: 1 },
      ),
      primaryKey: opt(
        fc
          .record({
            constraintName: opt(ident),
            columns: fc.array(ident, { minLength: 1, maxLength: 2 }),
            enforced: fc.boolean(),
          })
          .map((p) => node({ kind: 'primaryKey' as const, ...p })),
      ),
      comment: opt(str),
      partitionedBy: fc.array(ident, { maxLength: 2 }),
      options: fc.array(property, { maxLength: 2 }),
      like: opt(
        fc
          .record({
            source: qname,
            options: fc.array(
              fc
                .record({
                  mode: fc.constantFrom<A.LikeOption['mode']>('INCLUDING', 'EXCLUDING', 'OVERWRITING'),
                  feature: fc.constantFrom<A.LikeOption['feature']>(
                    'ALL',
                    'OPTIONS',
                    'WATERMARKS',
                    'METADATA',
                  ),
                })
                .map((o) => node({ kind: 'likeOption' as const, ...o })),
              { maxLength: 2 },
            ),
          })
          .map((l) => node({ kind: 'likeClause' as const, ...l })),
      ),
      asQuery: opt(arbs.query),
    })
    .map((r) => node({ kind: 'createTable' as const, ...r })),
  fc
    .record({
      temporary: fc.boolean(),
      ifNotExists: fc.boolean(),
      name: qname,
      columns: fc.array(ident, { maxLength: 2 }),
      comment: opt(str),
      query: arbs.query,
    })
    .map((r) => node({ kind: 'createView' as const, ...r })),
  fc
    .record({
      temporary: fc.boolean(),
      system: fc.boolean(),
      ifNotExists: fc.boolean(),
      name: qname,
      specifier: str,
      language: fc.constantFrom(null, 'JAVASCRIPT'),
    })
    .map((r) => node({ kind: 'createFunction' as const, ...r, system: r.temporary && r.system })),
  fc
    .record({
      objectType: fc.constantFrom<A.DropStatement['objectType']>('TABLE', 'VIEW', 'FUNCTION'),
      temporary: fc.boolean(),
      system: fc.boolean(),
      ifExists: fc.boolean(),
      name: qname,
    })
    .map((r) => node({ kind: 'drop' as const, ...r, system: r.temporary && r.system })),
  fc
    .record({
      ifExists: fc.boolean(),
      name: qname,
      options: fc.array(property, { minLength: 1, maxLength: 2 }),
    })
    .map((r) => node({ kind: 'alterTableSet' as const, ...r })),
  fc
    .record({ ifExists: fc.boolean(), name: qname, newName: qname })
    .map((r) => node({ kind: 'alterTableRename' as const, ...r })),
  fc
    .constantFrom<A.ShowStatement['what']>(
      'TABLES',
      'VIEWS',
      'FUNCTIONS',
      'JOBS',
      'CATALOGS',
      'DATABASES',
      'MODULES',
    )
    .map((what) => node({ kind: 'show' as const, what })),
  fc
    .record({ objectType: fc.constantFrom<'TABLE' | 'VIEW'>('TABLE', 'VIEW'), name: qname })
    .map((r) => node({ kind: 'showCreate' as const, ...r })),
  qname.map((name) => node({ kind: 'describe' as const, name })),
  fc
    .record({
      details: fc.subarray<A.ExplainDetail>([
        'CHANGELOG_MODE',
        'ESTIMATED_COST',
        'JSON_EXECUTION_PLAN',
        'PLAN_ADVICE',
      ]),
      statement: fc.oneof(
        arbs.query,
        insertArb,
        fc
          .array(insertArb, { minLength: 1, maxLength: 2 })
          .map(
            (inserts): A.StatementSet =>
              node({ kind: 'statementSet' as const, style: 'explain' as const, inserts }),
          ),
      ),
    })
    .map((r) => node({ kind: 'explain' as const, ...r })),
  fc
    .option(fc.record({ key: str, value: str }), { nil: null })
    .map((kv) => node({ kind: 'set' as const, key: kv?.key ?? null, value: kv?.value ?? null })),
  opt(str).map((key) => node({ kind: 'reset' as const, key })),
  fc
    .record({ jobId: str, withSavepoint: fc.boolean(), withDrain: fc.boolean() })
    .map((r) => node({ kind: 'stopJob' as const, ...r })),
  fc.record({ catalog: fc.boolean(), name: qname }).map((r) => node({ kind: 'use' as const, ...r })),
);

describe('printer: random ASTs', () => {
  it('parse(format(expr)) equals the expression', () => {
    fc.assert(
      fc.property(arbs.expr, (e) => {
        const text = formatExpr(e);
        expect(strip(parseExpression(text)), text).toEqual(strip(e));
      }),
      { numRuns: 300 },
    );
  });

  it('parse(format(statements)) equals the statements, and format is idempotent', () => {
    fc.assert(
      fc.property(fc.array(statementArb, { minLength: 1, maxLength: 3 }), (statements) =>
        roundTrips(statements),
      ),
      { numRuns: 200 },
    );
  });
});
