/**
 * What a user sees when SQL does not parse: the error type, its position, the offending token, the
 * grouped expectations, the near-miss suggestion and the caret snippet.
 */

import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../common/errors.ts';
import { parse, parseExpression, SqlSyntaxError } from '../../parser/index.ts';

function failure(sql: string, parser: (s: string) => unknown = parse): SqlSyntaxError {
  try {
    parser(sql);
  } catch (e) {
    expect(e).toBeInstanceOf(SqlSyntaxError);
    return e as SqlSyntaxError;
  }
  throw new Error(`expected a syntax error for: ${sql}`);
}

describe('syntax errors', () => {
  it('are RivuletErrors of phase parse with code SQL_SYNTAX and a span', () => {
    const e = failure('SELECT a FROM');
    expect(e).toBeInstanceOf(RivuletError);
    expect([e.phase, e.code, e.name]).toEqual(['parse', 'SQL_SYNTAX', 'SqlSyntaxError']);
    expect(e.span).toMatchObject({ line: 1, column: 14 });
  });

  it('point at a misspelt keyword read as an alias and suggest the keyword', () => {
    const e = failure('SELECT a\n       FORM t');
    expect([e.line, e.column, e.token, e.suggestion]).toEqual([2, 8, 'FORM', 'FROM']);
    expect(e.message).toMatch(
      /^Syntax error at line 2, column 8: unexpected 'FORM'; expected .*FROM.*\(did you mean FROM\?\)$/,
    );
    expect(e.snippet).toBe('2 |        FORM t\n  |        ^^^^');
  });

  it('suggest keywords for misspellings at the start of a statement and of a clause', () => {
    expect(failure('SELEC 1').suggestion).toBe('SELECT');
    expect(failure('SELECT a FROM t WHER a = 1').suggestion).toBe('WHERE');
    expect(failure('SELECT a FROM t GROUP BY a HAVNG a > 1').suggestion).toBe('HAVING');
    expect(failure('SELECT a FROM t xyz abc').suggestion).toBeUndefined();
  });

  it('group the expected tokens instead of listing every possible one', () => {
    const e = failure('SELECT a FROM t WHERE');
    expect(e.expected).toEqual(['an expression']);
    expect(e.token).toBe('<end of input>');
    expect(failure('CREATE TABLE t (a VARCHR(3))').expected).toContain('a type');
    expect(failure('SELECT EXTRACT(FORTNIGHT FROM ts)').expected[0]).toMatch(/^a time unit/);
    const ops = failure('SELECT COUNT(a FROM t');
    expect(ops.expected.slice(0, 2).sort()).toEqual(["')'", "','"]);
    expect(ops.expected).toContain('an operator');
    expect(ops.message.length).toBeLessThan(300);
  });

  it('explain how to use a reserved word as a name', () => {
    const e = failure('SELECT order FROM t');
    expect(e.message).toContain("'order' is a reserved word: quote it (`order`)");
    expect(parse('SELECT `order` FROM t')).toHaveLength(1);
  });

  it('report errors in later statements at their absolute line', () => {
    const e = failure('SELECT 1;\nSELECT 2;\n\nSELECT * FROM t WHERE a = = 1');
    expect([e.line, e.column, e.token]).toEqual([4, 27, '=']);
  });

  it('report lexical errors with their position', () => {
    const s = failure("SELECT 'abc FROM t");
    expect([s.line, s.column, s.message]).toEqual([
      1,
      8,
      expect.stringContaining('unterminated string literal'),
    ]);
    expect(failure('SELECT `abc FROM t').message).toContain('unterminated quoted identifier');
    expect(failure('SELECT 1 /* open').message).toContain('unterminated comment');
    const c = failure('SELECT a # b FROM t');
    expect([c.column, c.token, c.message]).toEqual([
      10,
      '#',
      expect.stringContaining("unexpected character '#'"),
    ]);
    expect(failure("SELECT U&'\\zz'").message).toContain('invalid Unicode escape');
    expect(failure("SELECT X'0'").message).toContain('even number of hex digits');
  });

  it('report semantic slips the grammar can see', () => {
    expect(failure("SELECT MAP['a'] FROM t").message).toContain('even number of arguments');
    // INT takes no length: the `(` is where the type should have ended.
    expect(failure('SELECT CAST(a AS INT(3)) FROM t').column).toBe(21);
    expect(
      failure('SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A{3,1}) DEFINE A AS TRUE)').message,
    ).toContain('maximum is below the minimum');
    expect(failure('SELECT a FROM t LIMIT 1 FETCH FIRST 2 ROWS ONLY').message).toContain(
      'both LIMIT and FETCH',
    );
    expect(
      failure('CREATE TABLE t (a INT, PRIMARY KEY (a) NOT ENFORCED, PRIMARY KEY (a) NOT ENFORCED)').message,
    ).toContain('only one PRIMARY KEY');
  });

  it('come from parseExpression too, without offering a statement separator', () => {
    const e = failure('a +', parseExpression);
    expect(e.expected).toEqual(['an expression']);
    expect(failure('a b', parseExpression).expected).not.toContain("';'");
  });
});
