/**
 * The SQL lexer: Chevrotain token types and one shared Lexer instance.
 *
 * 1. Keywords are token types with `longer_alt: Identifier` (so `selection` is an identifier, not
 *    SELECT + `ion`), tried longest first (so `TIMESTAMP_LTZ` wins over `TIMESTAMP`). Keywords are
 *    case-insensitive; identifiers keep their case.
 * 2. Non-reserved keywords (`value`, `timestamp`, `partition`, `pattern`, ...) also carry the `Ident`
 *    category, which is what the grammar consumes wherever it wants an identifier. So a non-reserved
 *    keyword is a keyword where the grammar asks for it and a name everywhere else.
 * 3. MATCH_RECOGNIZE's `PATTERN (` is one token that pushes the `pattern` lexer mode. In that mode
 *    `B*`, `B+?`, `{2,}`, `{- A -}`, `^`, `$` and `|` are quantifier/anchor/exclusion tokens, parentheses
 *    nest (each `(` pushes the mode again, each `)` pops), and the `)` that closes `PATTERN (` pops back
 *    to the default mode.
 * 4. Unterminated strings, quoted identifiers and comments are matched by dedicated error tokens so the
 *    parser can report them at their start rather than as a stray quote character.
 */

import { createToken, type IToken, Lexer, type TokenType } from 'chevrotain';

// ---------------------------------------------------------------------------------------------------
// Categories

/** Anything the grammar accepts as an identifier: plain, quoted, or a non-reserved keyword. */
export const Ident = createToken({ name: 'Ident', pattern: Lexer.NA, label: 'an identifier' });
/** Every keyword. */
export const Keyword = createToken({ name: 'Keyword', pattern: Lexer.NA });

// ---------------------------------------------------------------------------------------------------
// Skipped and error tokens

const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n\f\v]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
const LineComment = createToken({ name: 'LineComment', pattern: /--[^\n\r]*/, group: Lexer.SKIPPED });
const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[\s\S]*?\*\//,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
export const UnterminatedComment = createToken({
  name: 'UnterminatedComment',
  pattern: /\/\*[\s\S]*/,
  line_breaks: true,
});

// ---------------------------------------------------------------------------------------------------
// Literals and identifiers

export const StringLiteral = createToken({
  name: 'StringLiteral',
  // The closing quote is not followed by another one (`'abc''` is unterminated, not `'abc'` + `'`).
  pattern: /'(?:[^']|'')*'(?!')/,
  line_breaks: true,
  label: 'a string',
});
export const UnicodeStringLiteral = createToken({
  name: 'UnicodeStringLiteral',
  pattern: /[uU]&'(?:[^']|'')*'(?!')/,
  line_breaks: true,
  label: 'a string',
});
export const BinaryStringLiteral = createToken({
  name: 'BinaryStringLiteral',
  pattern: /[xX]'[^']*'/,
  line_breaks: true,
  label: 'a binary string',
});
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /(?:[uUxX]&?)?'(?:[^']|'')*/,
  line_breaks: true,
});
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
  label: 'a number',
});

export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_\u00C0-\uFFFF]*/,
  categories: [Ident],
  label: 'an identifier',
});
export const BacktickIdentifier = createToken({
  name: 'BacktickIdentifier',
  pattern: /`(?:[^`]|``)*`/,
  categories: [Ident],
  line_breaks: true,
  label: 'an identifier',
});
export const DoubleQuotedIdentifier = createToken({
  name: 'DoubleQuotedIdentifier',
  pattern: /"(?:[^"]|"")*"/,
  categories: [Ident],
  line_breaks: true,
  label: 'an identifier',
});
export const UnterminatedIdentifier = createToken({
  name: 'UnterminatedIdentifier',
  pattern: /[`"][\s\S]*/,
  line_breaks: true,
});

// ---------------------------------------------------------------------------------------------------
// Keywords

/** Reserved words: never identifiers unless quoted (they structure statements and clauses). */
const RESERVED = [
  'ALL',
  'ALTER',
  'AND',
  'ANY',
  'ARRAY',
  'AS',
  'BETWEEN',
  'BY',
  'CASE',
  'CAST',
  'CREATE',
  'CROSS',
  'CURRENT',
  'CURRENT_DATE',
  'CURRENT_TIME',
  'CURRENT_TIMESTAMP',
  'CURRENT_USER',
  'DISTINCT',
  'DROP',
  'ELSE',
  'END',
  'EXCEPT',
  'EXISTS',
  'FALSE',
  'FETCH',
  'FOR',
  'FROM',
  'FULL',
  'GROUP',
  'HAVING',
  'IN',
  'INNER',
  'INSERT',
  'INTERSECT',
  'INTERVAL',
  'INTO',
  'IS',
  'JOIN',
  'LATERAL',
  'LEFT',
  'LIKE',
  'LIMIT',
  'LOCALTIME',
  'LOCALTIMESTAMP',
  'MAP',
  'MATCH_RECOGNIZE',
  'MULTISET',
  'NATURAL',
  'NOT',
  'NULL',
  'ON',
  'OR',
  'ORDER',
  'OUTER',
  'OVER',
  'QUALIFY',
  'RIGHT',
  'ROW',
  'SELECT',
  'SESSION_USER',
  'SET',
  'SIMILAR',
  'SOME',
  'TABLE',
  'THEN',
  'TRUE',
  'UNION',
  'UNKNOWN',
  'UNNEST',
  'USING',
  'VALUES',
  'WHEN',
  'WHERE',
  'WINDOW',
  'WITH',
] as const;

/** Non-reserved words: keywords where the grammar expects them, identifiers elsewhere. */
const NON_RESERVED = [
  'AFTER',
  'ASC',
  'ASYMMETRIC',
  'BEGIN',
  'BIGINT',
  'BINARY',
  'BOOLEAN',
  'BOTH',
  'BYTES',
  'CATALOG',
  'CATALOGS',
  'CEIL',
  'CEILING',
  'CENTURY',
  'CHANGELOG_MODE',
  'CHAR',
  'CHARACTER',
  'COMMENT',
  'CONSTRAINT',
  'CONSTRAINTS',
  'CUBE',
  'DATABASES',
  'DATE',
  'DAY',
  'DEC',
  'DECADE',
  'DECIMAL',
  'DEFINE',
  'DESC',
  'DESCRIBE',
  'DESCRIPTOR',
  'DOUBLE',
  'DOW',
  'DOY',
  'DRAIN',
  'EMPTY',
  'ENFORCED',
  'EPOCH',
  'ESCAPE',
  'ESTIMATED_COST',
  'EXCLUDING',
  'EXECUTE',
  'EXPLAIN',
  'EXTRACT',
  'FILTER',
  'FINAL',
  'FIRST',
  'FLOAT',
  'FLOOR',
  'FOLLOWING',
  'FUNCTION',
  'FUNCTIONS',
  'GENERATED',
  'GROUPING',
  'HOUR',
  'IF',
  'IGNORE',
  'INCLUDING',
  'INITIAL',
  'INT',
  'INTEGER',
  'ISODOW',
  'ISOYEAR',
  'JOB',
  'JOBS',
  'JSON_EXECUTION_PLAN',
  'KEY',
  'LANGUAGE',
  'LAST',
  'LEADING',
  'LOCAL',
  'MATCH',
  'MATCHES',
  'MEASURES',
  'METADATA',
  'MICROSECOND',
  'MILLENNIUM',
  'MILLISECOND',
  'MINUTE',
  'MODULES',
  'MONTH',
  'NANOSECOND',
  'NEXT',
  'NULLS',
  'NUMERIC',
  'OF',
  'OFFSET',
  'OMIT',
  'ONE',
  'ONLY',
  'OPTIONS',
  'ORDINALITY',
  'OVERLAY',
  'OVERWRITE',
  'OVERWRITING',
  'PARTITION',
  'PARTITIONED',
  'PARTITIONS',
  'PAST',
  'PER',
  'PERMUTE',
  'PLACING',
  'PLAN',
  'PLAN_ADVICE',
  'POSITION',
  'PRECEDING',
  'PRECISION',
  'PRIMARY',
  'QUARTER',
  'RANGE',
  'REAL',
  'RENAME',
  'RESET',
  'RESPECT',
  'ROLLUP',
  'ROWS',
  'RUNNING',
  'SAVEPOINT',
  'SECOND',
  'SEEK',
  'SETS',
  'SHOW',
  'SKIP',
  'SMALLINT',
  'STATEMENT',
  'STOP',
  'STRING',
  'SUBSET',
  'SUBSTRING',
  'SYMMETRIC',
  'SYSTEM',
  'SYSTEM_TIME',
  'TABLES',
  'TEMPORARY',
  'TIME',
  'TIMESTAMP',
  'TIMESTAMPADD',
  'TIMESTAMPDIFF',
  'TIMESTAMP_LTZ',
  'TINYINT',
  'TO',
  'TRAILING',
  'TRIM',
  'TRY_CAST',
  'UNBOUNDED',
  'UNMATCHED',
  'USE',
  'VARBINARY',
  'VARCHAR',
  'VARYING',
  'VIEW',
  'VIEWS',
  'VIRTUAL',
  'WATERMARK',
  'WATERMARKS',
  'WEEK',
  'WITHIN',
  'WITHOUT',
  'YEAR',
  'YEARS',
  'MONTHS',
  'DAYS',
  'HOURS',
  'MINUTES',
  'SECONDS',
  'ZONE',
] as const;

export type ReservedKeyword = (typeof RESERVED)[number];
export type NonReservedKeyword = (typeof NON_RESERVED)[number];
export type KeywordName = ReservedKeyword | NonReservedKeyword;

function keyword(name: string, reserved: boolean): TokenType {
  return createToken({
    name,
    pattern: new RegExp(name, 'i'),
    // Hints spare the lexer from analysing ~250 regular expressions at start-up.
    start_chars_hint: [name[0]!, name[0]!.toLowerCase()],
    line_breaks: false,
    longer_alt: Identifier,
    categories: reserved ? [Keyword] : [Keyword, Ident],
    label: name,
  });
}

/** Keyword token types by name: `K.SELECT`. */
export const K = Object.fromEntries([
  ...RESERVED.map((n) => [n, keyword(n, true)]),
  ...NON_RESERVED.map((n) => [n, keyword(n, false)]),
]) as Record<KeywordName, TokenType>;

/** Upper-case words that are reserved (and so need quoting when used as identifiers). */
export const RESERVED_WORDS: ReadonlySet<string> = new Set<string>(RESERVED);
/** Every keyword, upper case. */
export const KEYWORD_WORDS: ReadonlySet<string> = new Set<string>([...RESERVED, ...NON_RESERVED]);

/**
 * MATCH_RECOGNIZE's `PATTERN (`: the keyword, then (across whitespace and comments) the opening
 * parenthesis. One token so that it can switch the lexer into the pattern mode. Elsewhere `pattern` is an
 * ordinary name, even before a parenthesis (`pattern(msg)`, `AS pattern (a, b)`), so the token is only
 * produced directly inside the parentheses of a MATCH_RECOGNIZE, where a clause may start, and before that
 * MATCH_RECOGNIZE's PATTERN clause has been seen.
 */
const patternOpenRe = /PATTERN(?:\s|--[^\n\r]*|\/\*[\s\S]*?\*\/)*\(/iy;

/** Tokens after which `pattern(` would be an expression (a function call), not the PATTERN clause. */
const EXPRESSION_CONTEXT = new Set(['Comma', 'BY', 'MEASURES', 'AS', 'DEFINE', 'AND', 'OR', 'NOT', 'LParen']);

function patternClauseAllowed(tokens: readonly IToken[]): boolean {
  const prev = tokens[tokens.length - 1];
  if (prev === undefined) return false;
  let depth = 0;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const name = tokens[i]!.tokenType.name;
    // Never look past the statement (keeps the scan short in long scripts).
    if (name === 'Semicolon') return false;
    if (name === 'RParen' || name === 'PatternRParen') depth++;
    else if (name === 'PatternOpen') {
      // `PATTERN (` opens a parenthesis too; at depth 0 it is this MATCH_RECOGNIZE's own clause.
      if (depth === 0) return false;
      depth--;
    } else if (name === 'PatternLParen') depth--;
    else if (name === 'LParen') {
      if (depth === 0) {
        const opener = tokens[i - 1];
        if (opener?.tokenType.name !== 'MATCH_RECOGNIZE') return false;
        // Right after `MATCH_RECOGNIZE (` or after something that can end a clause.
        return i === tokens.length - 1 || !(EXPRESSION_CONTEXT.has(prev.tokenType.name) || isOperator(prev));
      }
      depth--;
    }
  }
  return false;
}

function isOperator(t: IToken): boolean {
  return /^[-+*/%=<>|]/.test(t.image) && t.tokenType.name !== 'RParen';
}

export const PatternOpen = createToken({
  name: 'PatternOpen',
  pattern: {
    exec: (text: string, offset: number, tokens: IToken[]): RegExpExecArray | null => {
      patternOpenRe.lastIndex = offset;
      const m = patternOpenRe.exec(text);
      return m !== null && patternClauseAllowed(tokens) ? m : null;
    },
  },
  line_breaks: true,
  start_chars_hint: ['P', 'p'],
  push_mode: 'pattern',
  label: 'PATTERN (',
});

// ---------------------------------------------------------------------------------------------------
// Operators and punctuation

const op = (
  name: string,
  pattern: RegExp,
  label: string,
  extra: Partial<Parameters<typeof createToken>[0]> = {},
) => createToken({ name, pattern, label: `'${label}'`, ...extra });

export const NotEquals = op('NotEquals', /<>|!=/, '<>');
export const LessEq = op('LessEq', /<=/, '<=');
export const GreaterEq = op('GreaterEq', />=/, '>=');
export const Arrow = op('Arrow', /=>/, '=>');
export const Concat = op('Concat', /\|\|/, '||');
export const Equals = op('Equals', /=/, '=');
export const Less = op('Less', /</, '<');
export const Greater = op('Greater', />/, '>');
export const Plus = op('Plus', /\+/, '+');
export const Minus = op('Minus', /-/, '-');
export const Star = op('Star', /\*/, '*');
export const Slash = op('Slash', /\//, '/');
export const Percent = op('Percent', /%/, '%');
export const LParen = op('LParen', /\(/, '(');
export const RParen = op('RParen', /\)/, ')');
export const LBracket = op('LBracket', /\[/, '[');
export const RBracket = op('RBracket', /]/, ']');
export const Comma = op('Comma', /,/, ',');
export const Semicolon = op('Semicolon', /;/, ';');
export const Dot = op('Dot', /\./, '.');
export const Question = op('Question', /\?/, '?');

// Pattern-mode tokens.
export const PatternLParen = op('PatternLParen', /\(/, '(', { categories: [LParen], push_mode: 'pattern' });
export const PatternRParen = op('PatternRParen', /\)/, ')', { categories: [RParen], pop_mode: true });
export const ExclusionOpen = op('ExclusionOpen', /\{-/, '{-');
export const ExclusionClose = op('ExclusionClose', /-\}/, '-}');
export const LBrace = op('LBrace', /\{/, '{');
export const RBrace = op('RBrace', /\}/, '}');
export const Pipe = op('Pipe', /\|/, '|');
export const Caret = op('Caret', /\^/, '^');
export const Dollar = op('Dollar', /\$/, '$');

// ---------------------------------------------------------------------------------------------------
// Modes

const keywordsLongestFirst = Object.values(K).sort((a, b) => b.name.length - a.name.length);

const defaultMode: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  UnicodeStringLiteral,
  BinaryStringLiteral,
  StringLiteral,
  UnterminatedString,
  NumberLiteral,
  PatternOpen,
  ...keywordsLongestFirst,
  Identifier,
  BacktickIdentifier,
  DoubleQuotedIdentifier,
  UnterminatedIdentifier,
  NotEquals,
  LessEq,
  GreaterEq,
  Arrow,
  Concat,
  Equals,
  Less,
  Greater,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Semicolon,
  Dot,
  Question,
];

const patternMode: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  ExclusionOpen,
  ExclusionClose,
  LBrace,
  RBrace,
  PatternLParen,
  PatternRParen,
  Pipe,
  Caret,
  Dollar,
  Comma,
  Star,
  Plus,
  Question,
  NumberLiteral,
  K.PERMUTE,
  Identifier,
  BacktickIdentifier,
  DoubleQuotedIdentifier,
  UnterminatedIdentifier,
];

/** Every token type the parser may see (categories included). */
export const ALL_TOKENS: TokenType[] = [
  Ident,
  Keyword,
  ...defaultMode,
  ...patternMode.filter((t) => !defaultMode.includes(t)),
];

/** Token types that make the lexer's output an error (reported with their position). */
export const ERROR_TOKENS: ReadonlySet<TokenType> = new Set([
  UnterminatedComment,
  UnterminatedString,
  UnterminatedIdentifier,
]);

export const sqlLexer = new Lexer(
  { modes: { default: defaultMode, pattern: patternMode }, defaultMode: 'default' },
  {
    positionTracking: 'full',
    ensureOptimizations: false,
    skipValidations: true,
    traceInitPerf: process.env['RIVULET_PARSER_TRACE'] === '1' ? 2 : false,
  },
);

/** The time units of intervals, EXTRACT, TIMESTAMPADD ... (Flink's plurals included). */
export const TIME_UNIT_TOKENS: readonly TokenType[] = [
  K.YEAR,
  K.QUARTER,
  K.MONTH,
  K.WEEK,
  K.DAY,
  K.HOUR,
  K.MINUTE,
  K.SECOND,
  K.MILLISECOND,
  K.MICROSECOND,
  K.NANOSECOND,
  K.DOW,
  K.DOY,
  K.ISODOW,
  K.ISOYEAR,
  K.EPOCH,
  K.DECADE,
  K.CENTURY,
  K.MILLENNIUM,
  K.YEARS,
  K.MONTHS,
  K.DAYS,
  K.HOURS,
  K.MINUTES,
  K.SECONDS,
];
