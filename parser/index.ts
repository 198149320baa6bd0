/**
 * Rivulet's SQL parser: Flink SQL (plus the standard where it offers more) to a typed AST.
 *
 * @example
 * ```ts
 * import { parse } from './parser/index.ts';
 * const [stmt] = parse('SELECT id, price * 2 AS doubled FROM orders WHERE price > 10');
 * if (stmt.kind === 'select') console.log(stmt.items.length); // 2
 * ```
 */

import type { IToken } from 'chevrotain';
import type { Expr, Statement } from './ast.ts';
import { lexicalError, syntaxError } from './diagnose.ts';
import { SqlParser } from './grammar.ts';
import { sqlLexer } from './lexer.ts';

export type * from './ast.ts';
export { isQuery } from './ast.ts';
export { SqlSyntaxError, type SyntaxErrorDetails } from './errors.ts';
export { format, formatExpr, formatIdentifier, formatStatement, formatType } from './printer.ts';

/** The one parser instance: Chevrotain parsers are built once and fed new input. */
const parser = new SqlParser();

function tokenize(sql: string): IToken[] {
  const { tokens, errors } = sqlLexer.tokenize(sql);
  const err = lexicalError(sql, tokens, errors);
  if (err !== null) throw err;
  return tokens;
}

/**
 * Parses a script of `;`-separated statements (a trailing `;` is optional; an empty script gives `[]`).
 * Throws a `SqlSyntaxError` (with `line`, `column`, `token`, `expected`, `snippet`) on the first error.
 */
export function parse(sql: string): Statement[] {
  const tokens = tokenize(sql);
  parser.begin(sql);
  parser.input = tokens;
  const statements = parser.script();
  const error = parser.errors[0];
  if (error !== undefined) {
    const start = parser.statementStart;
    const startIdx = start === null ? -1 : tokens.indexOf(start);
    const rules = parser.getGAstProductions();
    throw syntaxError({
      source: sql,
      tokens,
      error,
      parser,
      entry: startIdx < 0 ? rules['script']! : rules['statement']!,
      entryStart: Math.max(0, startIdx),
      statementLevel: true,
    });
  }
  return statements;
}

/** Parses one expression, e.g. a computed column or a `WHERE` condition typed in a tool. */
export function parseExpression(sql: string): Expr {
  const tokens = tokenize(sql);
  parser.begin(sql);
  parser.input = tokens;
  const expr = parser.standaloneExpr();
  const error = parser.errors[0];
  if (error !== undefined) {
    throw syntaxError({
      source: sql,
      tokens,
      error,
      parser,
      entry: parser.getGAstProductions()['standaloneExpr']!,
      entryStart: 0,
      statementLevel: false,
    });
  }
  return expr;
}
