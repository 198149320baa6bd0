/**
 * Turning lexer and parser failures into SqlSyntaxErrors a user can act on:
 * 1. Position: the offending token (or the end of the last token for "unexpected end of input").
 * 2. Expected: the grammar's possible next tokens after the failing statement's prefix
 *    (parser/expected.ts), grouped: an expression / a type / a time unit / an operator / an identifier
 *    / a string instead of dozens of tokens, keywords by name, punctuation quoted.
 * 3. Suggestion: when the offending word is a near miss (edit distance) of an expected keyword.
 * 4. `SELECT a FORM t` parses `FORM` as an alias and fails at `t`; when the token before the failure was
 *    such an implicit alias and is a near miss of a keyword expected in its place, the error is reported
 *    at the alias instead ("unexpected 'FORM' ... did you mean FROM?").
 */

import {
  EOF,
  type ILexingError,
  type IRecognitionException,
  type IToken,
  type Rule,
  type TokenType,
  tokenMatcher,
} from 'chevrotain';
import type { Span } from '../common/errors.ts';
import { SqlSyntaxError } from './errors.ts';
import { type NextToken, nextTokens } from './expected.ts';
import type { SqlParser } from './grammar.ts';
import {
  BinaryStringLiteral,
  Comma,
  Concat,
  Dot,
  Equals,
  ExclusionClose,
  Greater,
  GreaterEq,
  Ident,
  K,
  Keyword,
  Less,
  LessEq,
  Minus,
  NotEquals,
  NumberLiteral,
  Percent,
  Plus,
  RBrace,
  RBracket,
  RESERVED_WORDS,
  RParen,
  Semicolon,
  Slash,
  Star,
  StringLiteral,
  TIME_UNIT_TOKENS,
  UnicodeStringLiteral,
  UnterminatedComment,
  UnterminatedIdentifier,
  UnterminatedString,
} from './lexer.ts';

const END_OF_INPUT = '<end of input>';

const OPERATORS: ReadonlySet<TokenType> = new Set([
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Concat,
  Equals,
  NotEquals,
  Less,
  LessEq,
  Greater,
  GreaterEq,
]);

export function lexicalError(
  source: string,
  tokens: readonly IToken[],
  errors: readonly ILexingError[],
): SqlSyntaxError | null {
  const bad = tokens.find(
    (t) =>
      t.tokenType === UnterminatedString ||
      t.tokenType === UnterminatedIdentifier ||
      t.tokenType === UnterminatedComment,
  );
  const err = errors[0];
  if (bad !== undefined && (err === undefined || bad.startOffset <= err.offset)) {
    const what =
      bad.tokenType === UnterminatedString
        ? 'unterminated string literal (a closing quote is missing)'
        : bad.tokenType === UnterminatedComment
          ? "unterminated comment (missing '*/')"
          : `unterminated quoted identifier (missing closing ${bad.image[0]})`;
    const span: Span = {
      offset: bad.startOffset,
      line: bad.startLine ?? 1,
      column: bad.startColumn ?? 1,
      end: bad.startOffset + 1,
    };
    return new SqlSyntaxError(source, span, { token: bad.image.slice(0, 20), expected: [], detail: what });
  }
  if (err !== undefined) {
    const ch = source.slice(err.offset, err.offset + Math.max(1, Math.min(err.length, 1)));
    const span: Span = {
      offset: err.offset,
      line: err.line ?? 1,
      column: err.column ?? 1,
      end: err.offset + 1,
    };
    return new SqlSyntaxError(source, span, {
      token: ch,
      expected: [],
      detail: `unexpected character '${ch}'`,
    });
  }
  return null;
}

export interface ParseFailure {
  readonly source: string;
  readonly tokens: readonly IToken[];
  readonly error: IRecognitionException;
  readonly parser: SqlParser;
  /** Rule the expected-token analysis starts from, and the token index where it starts. */
  readonly entry: Rule;
  readonly entryStart: number;
  /** Whether a finished entry may be followed by `;` (statements) or only by the end of input. */
  readonly statementLevel: boolean;
}

export function syntaxError(f: ParseFailure): SqlSyntaxError {
  const { tokens } = f;
  let idx = f.error.token.tokenType === EOF ? tokens.length : tokens.indexOf(f.error.token);
  if (idx < 0) idx = tokens.length;
  let expected = describeExpected(f, idx);
  let suggestion = nearMiss(tokens[idx], expected);

  const prev = tokens[idx - 1];
  if (suggestion === undefined && prev !== undefined && f.parser.implicitAliases.includes(prev)) {
    const atAlias = describeExpected(f, idx - 1);
    const s = nearMiss(prev, atAlias);
    if (s !== undefined) {
      idx -= 1;
      expected = atAlias;
      suggestion = s;
    }
  }

  const tok = tokens[idx];
  // `*` and `t.*` take no alias, which the grammar expresses with a gate the expected-token walk ignores.
  const before = tokens[idx - 1];
  if (before !== undefined && before.tokenType === Star && starIsItem(tokens[idx - 2])) {
    expected = expected.filter((e) => e !== 'AS' && e !== 'an identifier');
  }
  const span = tok !== undefined ? tokenSpanOf(tok) : endSpan(f.source, tokens);
  const wantsName = expected.includes('an identifier') || expected.includes('an expression');
  const hint =
    tok !== undefined &&
    wantsName &&
    RESERVED_WORDS.has(tok.image.toUpperCase()) &&
    tokenMatcher(tok, Keyword)
      ? `'${tok.image}' is a reserved word: quote it (\`${tok.image}\`) to use it as a name`
      : undefined;
  return new SqlSyntaxError(f.source, span, {
    token: tok !== undefined ? tok.image : END_OF_INPUT,
    expected,
    ...(suggestion !== undefined ? { suggestion } : {}),
    ...(hint !== undefined ? { hint } : {}),
  });
}

/** Whether a `*` after `t` is a select-list star (`SELECT *`, `, t.*`) rather than multiplication. */
function starIsItem(t: IToken | undefined): boolean {
  if (t === undefined) return false;
  return (
    t.tokenType === Dot ||
    t.tokenType === Comma ||
    tokenMatcher(t, K.SELECT) ||
    tokenMatcher(t, K.DISTINCT) ||
    tokenMatcher(t, K.ALL)
  );
}

function tokenSpanOf(t: IToken): Span {
  return {
    offset: t.startOffset,
    line: t.startLine ?? 1,
    column: t.startColumn ?? 1,
    end: (t.endOffset ?? t.startOffset) + 1,
  };
}

function endSpan(source: string, tokens: readonly IToken[]): Span {
  const last = tokens[tokens.length - 1];
  if (last === undefined) return { offset: 0, line: 1, column: 1, end: 0 };
  const end = (last.endOffset ?? last.startOffset) + 1;
  const before = source.slice(0, end);
  const line = before.split(/\r\n|\r|\n/).length;
  const column = end - Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r'));
  return { offset: end, line, column, end };
}

let firstSets: { expr: Set<TokenType>; type: Set<TokenType> } | null = null;

function sets(parser: SqlParser): { expr: Set<TokenType>; type: Set<TokenType> } {
  if (firstSets === null) {
    const rules = parser.getGAstProductions();
    const first = (name: string) => new Set(nextTokens(rules[name]!, []).next.map((n) => n.tokenType));
    firstSets = { expr: first('expr'), type: first('typeNode') };
  }
  return firstSets;
}

/** The grouped list of what the grammar accepts at token `idx`. */
function describeExpected(f: ParseFailure, idx: number): string[] {
  const prefix = f.tokens.slice(f.entryStart, idx);
  const { next, canEnd } = nextTokens(f.entry, prefix);
  // Clauses that could come next (FROM, WHERE, ...) first, then an alias, then the ways the current
  // expression could go on (operators, `.`, `[`); otherwise in grammar order.
  const types = [...next].sort((a, b) => rank(a) - rank(b)).map((n) => n.tokenType);
  const has = (t: TokenType) => types.includes(t);
  const { expr, type } = sets(f.parser);
  const out: string[] = [];
  const add = (s: string) => {
    if (!out.includes(s)) out.push(s);
  };
  const exprHere = has(NumberLiteral) && has(K.CASE) && has(K.CAST);
  const typeHere = has(K.BIGINT) && has(K.BOOLEAN) && has(K.ARRAY);
  const unitHere = has(K.YEAR) && has(K.SECOND) && !exprHere;
  const opCount = types.filter((t) => OPERATORS.has(t)).length;
  for (const t of types) {
    if (exprHere && expr.has(t)) {
      add('an expression');
    } else if (typeHere && type.has(t)) {
      add('a type');
    } else if (unitHere && TIME_UNITS.has(t)) {
      add('a time unit (YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, ...)');
    } else if (opCount >= 3 && OPERATORS.has(t)) {
      add('an operator');
    } else if (t === Ident) {
      add('an identifier');
    } else if (t === StringLiteral || t === UnicodeStringLiteral || t === BinaryStringLiteral) {
      add('a string');
    } else if (t === NumberLiteral) {
      add('a number');
    } else if (isKeyword(t)) {
      add(t.name);
    } else {
      add(typeof t.LABEL === 'string' ? t.LABEL : t.name);
    }
  }
  if (canEnd) {
    if (f.statementLevel) add("';'");
    add('end of input');
  }
  return out;
}

const EXPRESSION_RULES = new Set([
  'expr',
  'andExpr',
  'notExpr',
  'predicate',
  'predicateRest',
  'comparisonRest',
  'isRest',
  'negatableRest',
  'concatExpr',
  'additiveExpr',
  'multiplicativeExpr',
  'unaryExpr',
  'postfixExpr',
  'pathOrCall',
  'callRest',
]);

const HELPER_RULES = new Set(['ident', 'qualifiedName', 'identList', 'stringValue', 'exprList']);

const ALIAS_RULES = new Set(['columnAlias', 'tableAlias', 'optionalAlias']);

/** Closing brackets and separators: when one is possible it is usually what is missing. */
const CLOSERS: ReadonlySet<TokenType> = new Set([RParen, RBracket, ExclusionClose, RBrace, Comma, Semicolon]);

function rank(n: NextToken): number {
  if (CLOSERS.has(n.tokenType)) return 0;
  const inner = n.rules.find((r) => !HELPER_RULES.has(r)) ?? '';
  if (EXPRESSION_RULES.has(inner)) return 3;
  if (ALIAS_RULES.has(inner)) return 2;
  return 1;
}

const TIME_UNITS: ReadonlySet<TokenType> = new Set(TIME_UNIT_TOKENS);

function isKeyword(t: TokenType): boolean {
  return (t.CATEGORIES ?? []).includes(Keyword);
}

/** An expected keyword that `tok` (a word) is a likely misspelling of. */
function nearMiss(tok: IToken | undefined, expected: readonly string[]): string | undefined {
  // Only words that are not keywords: `END` where `;` is missing is not a misspelt `AND`.
  if (tok === undefined || !tokenMatcher(tok, Ident) || tokenMatcher(tok, Keyword)) return undefined;
  if (tok.image.startsWith('`') || tok.image.startsWith('"')) return undefined;
  const word = tok.image.toUpperCase();
  if (word.length < 3) return undefined;
  let best: string | undefined;
  let bestDistance = word.length >= 5 ? 2 : 1;
  for (const e of expected) {
    if (!/^[A-Z_]+$/.test(e) || e === word) continue;
    const d = editDistance(word, e);
    if (d <= bestDistance && (best === undefined || d < bestDistance)) {
      best = e;
      bestDistance = d;
    }
  }
  return best;
}

/** Damerau-Levenshtein distance (optimal string alignment): a swap of neighbours counts as one edit. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}
