/**
 * The SQL printer: an AST back to canonical SQL text. Keywords are upper case, identifiers are quoted
 * (with backticks) when they must be (reserved words, characters outside a plain name) or when they were
 * quoted in the source, clauses start on their own lines, and parentheses appear exactly where precedence
 * needs them. Printing is the inverse of parsing up to spans and normalized spellings:
 * `parse(format(ast))` equals `ast` apart from spans (see test/parser/printer.test.ts).
 *
 * Expression precedence, loosest first (an operand printed below its context's level gets parentheses):
 * 1 OR, 2 AND, 3 NOT, 4 predicates (comparisons, IS, BETWEEN, LIKE, IN), 5 `||`, 6 `+ -`, 7 `* / %`,
 * 8 unary sign, 9 postfix (`[i]`, `.field`), 10 primaries.
 */

import type * as A from './ast.ts';
import { RESERVED_WORDS } from './lexer.ts';

const PLAIN_NAME = /^[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_\u00C0-\uFFFF]*$/;

function needsQuotes(text: string): boolean {
  return !PLAIN_NAME.test(text) || RESERVED_WORDS.has(text.toUpperCase());
}

export function formatIdentifier(id: A.Identifier): string {
  return id.quoted || needsQuotes(id.text) ? `\`${id.text.replaceAll('`', '``')}\`` : id.text;
}

function name(q: A.QualifiedName): string {
  return q.parts.map(formatIdentifier).join('.');
}

function str(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const NILADIC = new Set([
  'CURRENT_DATE',
  'CURRENT_TIME',
  'CURRENT_TIMESTAMP',
  'LOCALTIME',
  'LOCALTIMESTAMP',
  'CURRENT_USER',
  'SESSION_USER',
]);

/** Functions named by words the grammar reads specially; their names print as written. */
const KEYWORD_FUNCTION_NAMES = new Set(['LEFT', 'RIGHT', 'CEIL', 'CEILING', 'FLOOR']);

// ---------------------------------------------------------------------------------------------------
// Entry points

/**
 * Prints statements as a script: each statement followed by `;`, statements separated by a blank line.
 *
 * @example
 * format(parse('select a from t where b=1'))
 * // 'SELECT a\nFROM t\nWHERE b = 1;\n'
 */
export function format(statements: A.Statement | readonly A.Statement[]): string {
  const list = Array.isArray(statements) ? statements : [statements as A.Statement];
  if (list.length === 0) return '';
  return `${list.map((s) => `${formatStatement(s)};`).join('\n\n')}\n`;
}

/** Prints one statement without the trailing `;`. */
export function formatStatement(s: A.Statement): string {
  return statement(s, '');
}

/** Prints one expression on one line. */
export function formatExpr(e: A.Expr): string {
  return expr(e, 0);
}

/** Prints a type, e.g. `ARRAY<INT NOT NULL>`. */
export function formatType(t: A.TypeNode): string {
  return type(t);
}

// ---------------------------------------------------------------------------------------------------
// Statements

function statement(s: A.Statement, ind: string): string {
  switch (s.kind) {
    case 'select':
    case 'setOperation':
    case 'values':
    case 'with':
      return query(s, ind);
    case 'insert':
      return insert(s, ind);
    case 'statementSet': {
      const body = s.inserts.map((i) => `${ind}  ${insert(i, `${ind}  `)};\n`).join('');
      if (s.style === 'begin') return `BEGIN STATEMENT SET;\n${body}${ind}END`;
      return `${s.style === 'execute' ? 'EXECUTE ' : ''}STATEMENT SET\n${ind}BEGIN\n${body}${ind}END`;
    }
    case 'execute':
      return `EXECUTE ${s.statement.kind === 'insert' ? insert(s.statement, ind) : query(s.statement, ind)}`;
    case 'createTable':
      return createTable(s, ind);
    case 'createView': {
      let out = `CREATE ${s.temporary ? 'TEMPORARY ' : ''}VIEW ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${name(s.name)}`;
      if (s.columns.length > 0) out += ` (${s.columns.map(formatIdentifier).join(', ')})`;
      if (s.comment !== null) out += ` COMMENT ${str(s.comment)}`;
      return `${out} AS\n${ind}${query(s.query, ind)}`;
    }
    case 'createFunction': {
      const temp = s.temporary ? (s.system ? 'TEMPORARY SYSTEM ' : 'TEMPORARY ') : '';
      const lang = s.language !== null ? ` LANGUAGE ${s.language}` : '';
      return `CREATE ${temp}FUNCTION ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${name(s.name)} AS ${str(s.specifier)}${lang}`;
    }
    case 'drop': {
      const temp = s.temporary ? (s.system ? 'TEMPORARY SYSTEM ' : 'TEMPORARY ') : '';
      return `DROP ${temp}${s.objectType} ${s.ifExists ? 'IF EXISTS ' : ''}${name(s.name)}`;
    }
    case 'alterTableSet':
      return `ALTER TABLE ${s.ifExists ? 'IF EXISTS ' : ''}${name(s.name)} SET ${properties(s.options, ind)}`;
    case 'alterTableRename':
      return `ALTER TABLE ${s.ifExists ? 'IF EXISTS ' : ''}${name(s.name)} RENAME TO ${name(s.newName)}`;
    case 'show':
      return `SHOW ${s.what}`;
    case 'showCreate':
      return `SHOW CREATE ${s.objectType} ${name(s.name)}`;
    case 'describe':
      return `DESCRIBE ${name(s.name)}`;
    case 'explain':
      return `EXPLAIN ${s.details.length > 0 ? `${s.details.join(', ')} ` : ''}${statement(s.statement, ind)}`;
    case 'set':
      return s.key === null ? 'SET' : `SET ${str(s.key)} = ${str(s.value ?? '')}`;
    case 'reset':
      return s.key === null ? 'RESET' : `RESET ${str(s.key)}`;
    case 'showJob':
      return `SHOW JOB ${str(s.jobId)}`;
    case 'stopJob':
      return `STOP JOB ${str(s.jobId)}${s.withSavepoint ? ' WITH SAVEPOINT' : ''}${s.withDrain ? ' WITH DRAIN' : ''}`;
    case 'use':
      return `USE ${s.catalog ? 'CATALOG ' : ''}${name(s.name)}`;
  }
}

function insert(s: A.InsertStatement, ind: string): string {
  let out = `INSERT ${s.overwrite ? 'OVERWRITE' : 'INTO'} ${name(s.target)}`;
  if (s.partition.length > 0) {
    out += ` PARTITION (${s.partition.map((p) => `${formatIdentifier(p.column)} = ${expr(p.value, 0)}`).join(', ')})`;
  }
  if (s.columns.length > 0) out += ` (${s.columns.map(formatIdentifier).join(', ')})`;
  return `${out}\n${ind}${query(s.query, ind)}`;
}

function properties(props: readonly A.Property[], ind: string): string {
  return `(\n${props.map((p) => `${ind}  ${str(p.key)} = ${str(p.value)}`).join(',\n')}\n${ind})`;
}

function primaryKey(pk: A.PrimaryKeyConstraint, inline: boolean): string {
  const cname = pk.constraintName !== null ? `CONSTRAINT ${formatIdentifier(pk.constraintName)} ` : '';
  const cols = inline ? '' : ` (${pk.columns.map(formatIdentifier).join(', ')})`;
  return `${cname}PRIMARY KEY${cols} ${pk.enforced ? 'ENFORCED' : 'NOT ENFORCED'}`;
}

function column(c: A.ColumnDefinition): string {
  let out = formatIdentifier(c.name);
  switch (c.kind) {
    case 'physicalColumn':
      out += ` ${type(c.type)}`;
      if (c.primaryKey !== null) out += ` ${primaryKey(c.primaryKey, true)}`;
      break;
    case 'computedColumn':
      out += ` AS ${expr(c.expr, 0)}`;
      break;
    case 'metadataColumn':
      out += ` ${type(c.type)} METADATA`;
      if (c.metadataKey !== null) out += ` FROM ${str(c.metadataKey)}`;
      if (c.virtual) out += ' VIRTUAL';
      break;
  }
  if (c.comment !== null) out += ` COMMENT ${str(c.comment)}`;
  return out;
}

function createTable(s: A.CreateTableStatement, ind: string): string {
  let out = `CREATE ${s.temporary ? 'TEMPORARY ' : ''}TABLE ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${name(s.name)}`;
  const elements = [
    ...s.columns.map(column),
    ...s.watermarks.map(
      (w) => `WATERMARK FOR ${w.column.map(formatIdentifier).join('.')} AS ${expr(w.expr, 0)}`,
    ),
    ...(s.primaryKey !== null ? [primaryKey(s.primaryKey, false)] : []),
  ];
  if (elements.length > 0) out += ` (\n${elements.map((e) => `${ind}  ${e}`).join(',\n')}\n${ind})`;
  if (s.comment !== null) out += `\n${ind}COMMENT ${str(s.comment)}`;
  if (s.partitionedBy.length > 0)
    out += `\n${ind}PARTITIONED BY (${s.partitionedBy.map(formatIdentifier).join(', ')})`;
  if (s.options.length > 0) out += `\n${ind}WITH ${properties(s.options, ind)}`;
  if (s.like !== null) {
    out += `\n${ind}LIKE ${name(s.like.source)}`;
    if (s.like.options.length > 0)
      out += ` (${s.like.options.map((o) => `${o.mode} ${o.feature}`).join(' ')})`;
  }
  if (s.asQuery !== null) out += `\n${ind}AS\n${ind}${query(s.asQuery, ind)}`;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Queries

function hasTail(q: A.Query): boolean {
  return q.kind !== 'with' && (q.orderBy.length > 0 || q.limit !== null || q.offset !== null);
}

function query(q: A.Query, ind: string): string {
  switch (q.kind) {
    case 'with': {
      const ctes = q.ctes.map((c) => {
        const cols = c.columns.length > 0 ? ` (${c.columns.map(formatIdentifier).join(', ')})` : '';
        return `${formatIdentifier(c.name)}${cols} AS (\n${ind}  ${query(c.query, `${ind}  `)}\n${ind})`;
      });
      return `WITH ${ctes.join(`,\n${ind}`)}\n${ind}${query(q.body, ind)}`;
    }
    case 'select':
      return select(q, ind) + tail(q, ind);
    case 'values':
      return `VALUES ${q.rows.map((r) => rowValue(r)).join(', ')}${tail(q, ind)}`;
    case 'setOperation': {
      const level = q.op === 'INTERSECT' ? 2 : 1;
      const left = setOperand(q.left, level, false, ind);
      const right = setOperand(q.right, level, true, ind);
      return `${left}\n${ind}${q.op}${q.all ? ' ALL' : ''}\n${ind}${right}${tail(q, ind)}`;
    }
  }
}

function setOperand(q: A.Query, level: number, isRight: boolean, ind: string): string {
  let paren = q.kind === 'with' || hasTail(q);
  if (q.kind === 'setOperation') {
    const own = q.op === 'INTERSECT' ? 2 : 1;
    paren ||= isRight ? own <= level : own < level;
  }
  return paren ? `(${query(q, `${ind}  `)})` : query(q, ind);
}

function tail(q: A.QueryTail, ind: string): string {
  let out = '';
  if (q.orderBy.length > 0) out += `\n${ind}ORDER BY ${q.orderBy.map(orderItem).join(', ')}`;
  if (q.limit !== null) out += `\n${ind}LIMIT ${expr(q.limit, 0)}`;
  if (q.offset !== null) out += `\n${ind}OFFSET ${expr(q.offset, 0)}`;
  return out;
}

function rowValue(r: A.RowConstructor): string {
  const fields = r.fields.map((f) => expr(f, 0)).join(', ');
  return r.explicit ? `ROW(${fields})` : `(${fields})`;
}

function select(q: A.SelectQuery, ind: string): string {
  const items = q.items.map((i) =>
    i.alias !== null ? `${expr(i.expr, 0)} AS ${formatIdentifier(i.alias)}` : expr(i.expr, 0),
  );
  let out = `SELECT ${q.distinct ? 'DISTINCT ' : ''}${items.join(', ')}`;
  if (q.from !== null) out += `\n${ind}FROM ${tableRef(q.from, ind)}`;
  if (q.where !== null) out += `\n${ind}WHERE ${expr(q.where, 0)}`;
  if (q.groupBy !== null) {
    out += `\n${ind}GROUP BY ${q.groupBy.distinct ? 'DISTINCT ' : ''}${q.groupBy.elements.map(groupingElement).join(', ')}`;
  }
  if (q.having !== null) out += `\n${ind}HAVING ${expr(q.having, 0)}`;
  if (q.windows.length > 0) {
    out += `\n${ind}WINDOW ${q.windows.map((w) => `${formatIdentifier(w.name)} AS ${windowSpec(w.spec)}`).join(', ')}`;
  }
  if (q.qualify !== null) out += `\n${ind}QUALIFY ${expr(q.qualify, 0)}`;
  return out;
}

function groupingElement(g: A.GroupingElement): string {
  switch (g.kind) {
    case 'groupingSets':
      return `GROUPING SETS (${g.sets.map(groupingElement).join(', ')})`;
    case 'rollup':
      return `ROLLUP (${g.items.map((e) => expr(e, 0)).join(', ')})`;
    case 'cube':
      return `CUBE (${g.items.map((e) => expr(e, 0)).join(', ')})`;
    case 'emptyGroupingSet':
      return '()';
    default:
      return expr(g, 0);
  }
}

function orderItem(o: A.OrderItem): string {
  return `${expr(o.expr, 0)}${o.direction !== null ? ` ${o.direction}` : ''}${o.nulls !== null ? ` NULLS ${o.nulls}` : ''}`;
}

function windowSpec(w: A.WindowSpec): string {
  const parts: string[] = [];
  if (w.base !== null) parts.push(formatIdentifier(w.base));
  if (w.partitionBy.length > 0) parts.push(`PARTITION BY ${w.partitionBy.map((e) => expr(e, 0)).join(', ')}`);
  if (w.orderBy.length > 0) parts.push(`ORDER BY ${w.orderBy.map(orderItem).join(', ')}`);
  if (w.frame !== null) {
    const f = w.frame;
    parts.push(
      f.end === null
        ? `${f.unit} ${frameBound(f.start)}`
        : `${f.unit} BETWEEN ${frameBound(f.start)} AND ${frameBound(f.end)}`,
    );
  }
  return `(${parts.join(' ')})`;
}

function frameBound(b: A.FrameBound): string {
  switch (b.bound) {
    case 'UNBOUNDED_PRECEDING':
      return 'UNBOUNDED PRECEDING';
    case 'UNBOUNDED_FOLLOWING':
      return 'UNBOUNDED FOLLOWING';
    case 'CURRENT_ROW':
      return 'CURRENT ROW';
    case 'PRECEDING':
      return `${expr(b.offset!, 5)} PRECEDING`;
    case 'FOLLOWING':
      return `${expr(b.offset!, 5)} FOLLOWING`;
  }
}

// ---------------------------------------------------------------------------------------------------
// Table references

function alias(a: A.Alias | null): string {
  if (a === null) return '';
  const cols = a.columns.length > 0 ? `(${a.columns.map(formatIdentifier).join(', ')})` : '';
  return ` AS ${formatIdentifier(a.name)}${cols}`;
}

/** A table reference in a position that only takes a primary (right of JOIN, input of MATCH_RECOGNIZE). */
function tablePrimary(t: A.TableRef, ind: string): string {
  return t.kind === 'join' ? `(${tableRef(t, ind)})` : tableRef(t, ind);
}

function tableRef(t: A.TableRef, ind: string): string {
  switch (t.kind) {
    case 'tableName': {
      let out = name(t.name);
      const st = t.systemTime;
      if (st !== null) {
        out +=
          st.kind === 'systemTimeAsOf'
            ? ` FOR SYSTEM_TIME AS OF ${expr(st.at, 5)}`
            : st.mode === 'FROM_TO'
              ? ` FOR SYSTEM_TIME FROM ${expr(st.from, 5)} TO ${expr(st.to, 5)}`
              : ` FOR SYSTEM_TIME BETWEEN ${expr(st.from, 5)} AND ${expr(st.to, 5)}`;
      }
      return out + alias(t.alias);
    }
    case 'subquery':
      return `${t.lateral ? 'LATERAL ' : ''}(\n${ind}  ${query(t.query, `${ind}  `)}\n${ind})${alias(t.alias)}`;
    case 'join': {
      const left = tableRef(t.left, ind);
      if (t.joinType === 'COMMA') return `${left},\n${ind}  ${tableRef(t.right, `${ind}  `)}`;
      const right = tablePrimary(t.right, ind);
      const kind =
        t.joinType === 'CROSS'
          ? 'CROSS JOIN'
          : `${t.natural ? 'NATURAL ' : ''}${t.joinType === 'INNER' ? '' : `${t.joinType} `}JOIN`;
      let cond = '';
      if (t.condition !== null) {
        cond =
          t.condition.kind === 'joinOn'
            ? ` ON ${expr(t.condition.expr, 0)}`
            : ` USING (${t.condition.columns.map(formatIdentifier).join(', ')})`;
      }
      return `${left}\n${ind}${kind} ${right}${cond}`;
    }
    case 'tableFunction': {
      const args = t.args.map(tableFunctionArg).join(', ');
      return `${t.lateral ? 'LATERAL ' : ''}TABLE(${name(t.name)}(${args}))${alias(t.alias)}`;
    }
    case 'unnest':
      return `UNNEST(${t.args.map((a) => expr(a, 0)).join(', ')})${t.withOrdinality ? ' WITH ORDINALITY' : ''}${alias(t.alias)}`;
    case 'matchRecognize':
      return matchRecognize(t, ind);
  }
}

function tableFunctionArg(a: A.TableFunctionArg): string {
  const prefix = a.name !== null ? `${formatIdentifier(a.name)} => ` : '';
  const v = a.value;
  if (v.kind === 'tableArgument') {
    let out = `TABLE ${name(v.table)}`;
    if (v.partitionBy.length === 1) out += ` PARTITION BY ${expr(v.partitionBy[0]!, 0)}`;
    if (v.partitionBy.length > 1) out += ` PARTITION BY (${v.partitionBy.map((e) => expr(e, 0)).join(', ')})`;
    if (v.orderBy.length > 0) out += ` ORDER BY ${v.orderBy.map(orderItem).join(', ')}`;
    return prefix + out;
  }
  return prefix + expr(v, 0);
}

const ROWS_PER_MATCH: Record<A.RowsPerMatch, string> = {
  ONE_ROW_PER_MATCH: 'ONE ROW PER MATCH',
  ALL_ROWS_PER_MATCH: 'ALL ROWS PER MATCH',
  ALL_ROWS_PER_MATCH_SHOW_EMPTY: 'ALL ROWS PER MATCH SHOW EMPTY MATCHES',
  ALL_ROWS_PER_MATCH_OMIT_EMPTY: 'ALL ROWS PER MATCH OMIT EMPTY MATCHES',
  ALL_ROWS_PER_MATCH_WITH_UNMATCHED: 'ALL ROWS PER MATCH WITH UNMATCHED ROWS',
};

function afterMatchSkip(s: A.AfterMatchSkip): string {
  switch (s.to) {
    case 'PAST_LAST_ROW':
      return 'AFTER MATCH SKIP PAST LAST ROW';
    case 'NEXT_ROW':
      return 'AFTER MATCH SKIP TO NEXT ROW';
    case 'FIRST':
      return `AFTER MATCH SKIP TO FIRST ${formatIdentifier(s.variable!)}`;
    case 'LAST':
      return `AFTER MATCH SKIP TO LAST ${formatIdentifier(s.variable!)}`;
    case 'VARIABLE':
      return `AFTER MATCH SKIP TO ${formatIdentifier(s.variable!)}`;
  }
}

function matchRecognize(m: A.MatchRecognizeRef, ind: string): string {
  const i2 = `${ind}  `;
  const i4 = `${ind}    `;
  const lines: string[] = [];
  if (m.partitionBy.length > 0) lines.push(`PARTITION BY ${m.partitionBy.map((e) => expr(e, 0)).join(', ')}`);
  if (m.orderBy.length > 0) lines.push(`ORDER BY ${m.orderBy.map(orderItem).join(', ')}`);
  if (m.measures.length > 0) {
    lines.push(
      `MEASURES\n${m.measures.map((x) => `${i4}${expr(x.expr, 0)} AS ${formatIdentifier(x.name)}`).join(`,\n`)}`,
    );
  }
  if (m.rowsPerMatch !== null) lines.push(ROWS_PER_MATCH[m.rowsPerMatch]);
  if (m.afterMatchSkip !== null) lines.push(afterMatchSkip(m.afterMatchSkip));
  lines.push(`${m.mode !== null ? `${m.mode} ` : ''}PATTERN (${pattern(m.pattern, 0)})`);
  if (m.within !== null) lines.push(`WITHIN ${expr(m.within, 5)}`);
  if (m.subsets.length > 0) {
    lines.push(
      `SUBSET ${m.subsets.map((s) => `${formatIdentifier(s.name)} = (${s.variables.map(formatIdentifier).join(', ')})`).join(', ')}`,
    );
  }
  lines.push(
    `DEFINE\n${m.definitions.map((d) => `${i4}${formatIdentifier(d.variable)} AS ${expr(d.condition, 0)}`).join(',\n')}`,
  );
  return `${tablePrimary(m.input, ind)} MATCH_RECOGNIZE (\n${lines.map((l) => i2 + l).join('\n')}\n${ind})${alias(m.alias)}`;
}

// ---------------------------------------------------------------------------------------------------
// Row patterns: 1 alternation, 2 concatenation, 3 quantified, 4 primary

function patternLevel(p: A.RowPattern): number {
  switch (p.kind) {
    case 'patternAlternation':
      return 1;
    case 'patternConcat':
      return 2;
    case 'patternQuantified':
      return 3;
    default:
      return 4;
  }
}

/** Prints `p`, parenthesized unless it binds strictly tighter than `above`. */
function pattern(p: A.RowPattern, above: number): string {
  const text = patternText(p);
  return patternLevel(p) > above ? text : `(${text})`;
}

function patternText(p: A.RowPattern): string {
  switch (p.kind) {
    case 'patternVariable':
      return formatIdentifier(p.name);
    case 'patternAlternation':
      return p.alternatives.map((a) => pattern(a, 1)).join(' | ');
    case 'patternConcat':
      return p.items.map((a) => pattern(a, 2)).join(' ');
    case 'patternEmpty':
      return '()';
    case 'patternAnchor':
      return p.anchor === 'START' ? '^' : '$';
    case 'patternExclusion':
      return `{- ${pattern(p.pattern, 0)} -}`;
    case 'patternPermute':
      return `PERMUTE(${p.items.map((a) => pattern(a, 0)).join(', ')})`;
    case 'patternQuantified':
      return `${pattern(p.pattern, 3)}${quantifier(p.min, p.max)}${p.reluctant ? '?' : ''}`;
  }
}

function quantifier(min: number, max: number | null): string {
  if (max === null) return min === 0 ? '*' : min === 1 ? '+' : `{${min},}`;
  if (min === 0 && max === 1) return '?';
  if (min === max) return `{${min}}`;
  return min === 0 ? `{,${max}}` : `{${min},${max}}`;
}

// ---------------------------------------------------------------------------------------------------
// Expressions

function precedence(e: A.Expr): number {
  switch (e.kind) {
    case 'binary':
      switch (e.op) {
        case 'OR':
          return 1;
        case 'AND':
          return 2;
        case '||':
          return 5;
        case '+':
        case '-':
          return 6;
        case '*':
        case '/':
        case '%':
          return 7;
        default:
          return 4;
      }
    case 'unary':
      return e.op === 'NOT' ? 3 : 8;
    case 'is':
    case 'isDistinctFrom':
    case 'between':
    case 'like':
    case 'inList':
    case 'inSubquery':
    case 'quantifiedComparison':
      return 4;
    case 'elementAccess':
    case 'fieldAccess':
      return 9;
    default:
      return 10;
  }
}

/** Prints `e` in a context that needs at least precedence `min` (parenthesized otherwise). */
function expr(e: A.Expr, min: number): string {
  const text = exprText(e);
  return precedence(e) < min ? `(${text})` : text;
}

function list(es: readonly A.Expr[]): string {
  return es.map((e) => expr(e, 0)).join(', ');
}

function exprText(e: A.Expr): string {
  switch (e.kind) {
    case 'numericLiteral':
      return e.text;
    case 'stringLiteral':
      return str(e.value);
    case 'binaryStringLiteral':
      return `X'${e.hex.toUpperCase()}'`;
    case 'booleanLiteral':
      return e.value ? 'TRUE' : 'FALSE';
    case 'nullLiteral':
      return 'NULL';
    case 'unknownLiteral':
      return 'UNKNOWN';
    case 'typedLiteral':
      return `${e.type} ${str(e.value)}`;
    case 'intervalLiteral':
      return `INTERVAL ${e.sign < 0 ? '-' : ''}${str(e.value)} ${intervalQualifier(e.qualifier)}`;
    case 'columnRef':
      return e.path.map(formatIdentifier).join('.');
    case 'star':
      return e.qualifier.length > 0 ? `${e.qualifier.map(formatIdentifier).join('.')}.*` : '*';
    case 'parameter':
      return '?';
    case 'functionCall':
      return functionCall(e);
    case 'case': {
      let out = 'CASE';
      if (e.operand !== null) out += ` ${expr(e.operand, 0)}`;
      for (const w of e.whens) out += ` WHEN ${expr(w.condition, 0)} THEN ${expr(w.result, 0)}`;
      if (e.else !== null) out += ` ELSE ${expr(e.else, 0)}`;
      return `${out} END`;
    }
    case 'cast':
      return `${e.try ? 'TRY_CAST' : 'CAST'}(${expr(e.expr, 0)} AS ${type(e.type)})`;
    case 'unary': {
      if (e.op === 'NOT') return `NOT ${expr(e.operand, 3)}`;
      const operand = expr(e.operand, 8);
      // `- -1` must not become `--1`, which would start a comment.
      return operand.startsWith('-') || operand.startsWith('+') ? `${e.op} ${operand}` : `${e.op}${operand}`;
    }
    case 'binary': {
      const p = precedence(e);
      return `${expr(e.left, p)} ${e.op} ${expr(e.right, p + 1)}`;
    }
    case 'is':
      return `${expr(e.expr, 4)} IS ${e.not ? 'NOT ' : ''}${e.test}`;
    case 'isDistinctFrom':
      return `${expr(e.left, 4)} IS ${e.not ? 'NOT ' : ''}DISTINCT FROM ${expr(e.right, 5)}`;
    case 'between':
      return `${expr(e.expr, 4)} ${e.not ? 'NOT ' : ''}BETWEEN ${e.symmetric ? 'SYMMETRIC ' : ''}${expr(e.low, 5)} AND ${expr(e.high, 5)}`;
    case 'like': {
      const op = e.op === 'LIKE' ? 'LIKE' : 'SIMILAR TO';
      const esc = e.escape !== null ? ` ESCAPE ${expr(e.escape, 5)}` : '';
      return `${expr(e.expr, 4)} ${e.not ? 'NOT ' : ''}${op} ${expr(e.pattern, 5)}${esc}`;
    }
    case 'inList':
      return `${expr(e.expr, 4)} ${e.not ? 'NOT ' : ''}IN (${list(e.list)})`;
    case 'inSubquery':
      return `${expr(e.expr, 4)} ${e.not ? 'NOT ' : ''}IN (${query(e.query, '')})`;
    case 'exists':
      return `EXISTS (${query(e.query, '')})`;
    case 'scalarSubquery':
      return `(${query(e.query, '')})`;
    case 'quantifiedComparison':
      return `${expr(e.left, 4)} ${e.op} ${e.quantifier} (${query(e.query, '')})`;
    case 'extract':
      return `EXTRACT(${e.unit} FROM ${expr(e.expr, 0)})`;
    case 'position':
      return `POSITION(${expr(e.needle, 5)} IN ${expr(e.haystack, 5)}${e.from !== null ? ` FROM ${expr(e.from, 0)}` : ''})`;
    case 'trim': {
      if (e.side === null && e.chars === null) return `TRIM(${expr(e.expr, 5)})`;
      const side = e.side !== null ? `${e.side} ` : '';
      const chars = e.chars !== null ? `${expr(e.chars, 5)} ` : '';
      return `TRIM(${side}${chars}FROM ${expr(e.expr, 0)})`;
    }
    case 'substring':
      return `SUBSTRING(${expr(e.expr, 0)} FROM ${expr(e.start, 0)}${e.length !== null ? ` FOR ${expr(e.length, 0)}` : ''})`;
    case 'overlay':
      return `OVERLAY(${expr(e.expr, 0)} PLACING ${expr(e.placing, 0)} FROM ${expr(e.start, 0)}${e.length !== null ? ` FOR ${expr(e.length, 0)}` : ''})`;
    case 'ceilFloor':
      return `${e.fn}(${expr(e.expr, 0)} TO ${e.unit})`;
    case 'timestampAdd':
      return `TIMESTAMPADD(${e.unit}, ${expr(e.amount, 0)}, ${expr(e.timestamp, 0)})`;
    case 'timestampDiff':
      return `TIMESTAMPDIFF(${e.unit}, ${expr(e.start, 0)}, ${expr(e.end, 0)})`;
    case 'arrayConstructor':
      return `ARRAY[${list(e.elements)}]`;
    case 'mapConstructor':
      return `MAP[${e.entries.map((en) => `${expr(en.key, 0)}, ${expr(en.value, 0)}`).join(', ')}]`;
    case 'row':
      return e.explicit ? `ROW(${list(e.fields)})` : `(${list(e.fields)})`;
    case 'elementAccess':
      return `${expr(e.expr, 9)}[${expr(e.index, 0)}]`;
    case 'fieldAccess': {
      // A bare path would merge with the field (`a.b` + `.c` reads back as the path `a.b.c`), and a
      // number would swallow the dot: both need parentheses.
      const base =
        e.expr.kind === 'functionCall' || e.expr.kind === 'elementAccess' || e.expr.kind === 'fieldAccess';
      const inner = exprText(e.expr);
      return `${base ? inner : `(${inner})`}.${formatIdentifier(e.field)}`;
    }
    case 'descriptor':
      return `DESCRIPTOR(${e.columns.map(formatIdentifier).join(', ')})`;
  }
}

function functionName(q: A.QualifiedName): string {
  const only = q.parts.length === 1 ? q.parts[0]! : null;
  if (only !== null && !only.quoted && KEYWORD_FUNCTION_NAMES.has(only.text.toUpperCase())) return only.text;
  return name(q);
}

function functionCall(f: A.FunctionCall): string {
  const only = f.name.parts.length === 1 ? f.name.parts[0]! : null;
  if (
    only !== null &&
    !only.quoted &&
    NILADIC.has(only.text.toUpperCase()) &&
    f.args.length === 0 &&
    f.over === null &&
    f.filter === null
  ) {
    return only.text;
  }
  let out = f.semantics !== null ? `${f.semantics} ` : '';
  out += `${functionName(f.name)}(${f.distinct ? 'DISTINCT ' : ''}${list(f.args)})`;
  if (f.nullTreatment !== null)
    out += f.nullTreatment === 'IGNORE_NULLS' ? ' IGNORE NULLS' : ' RESPECT NULLS';
  if (f.withinGroup.length > 0) out += ` WITHIN GROUP (ORDER BY ${f.withinGroup.map(orderItem).join(', ')})`;
  if (f.filter !== null) out += ` FILTER (WHERE ${expr(f.filter, 0)})`;
  if (f.over !== null)
    out += ` OVER ${f.over.kind === 'identifier' ? formatIdentifier(f.over) : windowSpec(f.over)}`;
  return out;
}

function intervalQualifier(q: A.IntervalQualifier): string {
  let out: string = q.start;
  if (q.startPrecision !== null) {
    out += q.startFraction !== null ? `(${q.startPrecision}, ${q.startFraction})` : `(${q.startPrecision})`;
  }
  if (q.end !== null) out += ` TO ${q.end}${q.endPrecision !== null ? `(${q.endPrecision})` : ''}`;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Types

function type(t: A.TypeNode): string {
  const nn = t.notNull ? ' NOT NULL' : '';
  switch (t.kind) {
    case 'simpleType': {
      const args =
        t.precision === null ? '' : t.scale === null ? `(${t.precision})` : `(${t.precision}, ${t.scale})`;
      return `${t.name}${args}${nn}`;
    }
    case 'intervalType':
      return `INTERVAL ${intervalQualifier(t.qualifier)}${nn}`;
    case 'arrayType':
      return `ARRAY<${type(t.element)}>${nn}`;
    case 'multisetType':
      return `MULTISET<${type(t.element)}>${nn}`;
    case 'mapType':
      return `MAP<${type(t.key)}, ${type(t.value)}>${nn}`;
    case 'rowType': {
      const fields = t.fields.map(
        (f) =>
          `${formatIdentifier(f.name)} ${type(f.type)}${f.comment !== null ? ` COMMENT ${str(f.comment)}` : ''}`,
      );
      // `ROW<>` would lex as ROW followed by the `<>` operator.
      return fields.length === 0 ? `ROW()${nn}` : `ROW<${fields.join(', ')}>${nn}`;
    }
  }
}
