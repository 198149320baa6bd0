/**
 * The SQL grammar: a Chevrotain embedded-actions parser that builds the AST of parser/ast.ts directly
 * (measured faster than building a CST and visiting it, and it keeps each rule's syntax and its node side
 * by side). One instance is created at module load and reused for every parse.
 *
 * How it is organized:
 * 1. Statements: `script` splits on `;`; `statement` dispatches on the first keyword.
 * 2. Queries: `query` (WITH) -> `queryExpression` (UNION/EXCEPT, then ORDER BY/LIMIT/OFFSET/FETCH)
 *    -> `queryTerm` (INTERSECT binds tighter) -> `queryPrimary` (SELECT, VALUES, parenthesized query).
 * 3. FROM: `tableRef` is a primary followed by joins; a primary may be followed by MATCH_RECOGNIZE.
 * 4. Expressions by precedence, loosest first: OR, AND, NOT, predicates (comparison, IS, BETWEEN,
 *    LIKE, SIMILAR TO, IN), `||`, `+ -`, `* / %`, unary sign, postfix (`[i]`, `.field`), primary.
 * 5. Row patterns are parsed from the pattern-mode tokens of parser/lexer.ts.
 *
 * Semantic actions run inside `ACTION` so that Chevrotain's grammar-recording phase (which runs every
 * rule once with fake tokens) never touches the values.
 */

import {
  EmbeddedActionsParser,
  EOF,
  type IOrAlt,
  type IToken,
  type TokenType,
  tokenMatcher,
} from 'chevrotain';
import type { Span } from '../common/errors.ts';
import type * as A from './ast.ts';
import { SqlSyntaxError } from './errors.ts';
import {
  ALL_TOKENS,
  Arrow,
  BinaryStringLiteral,
  Caret,
  Comma,
  Concat,
  Dollar,
  Dot,
  Equals,
  ExclusionClose,
  ExclusionOpen,
  Greater,
  GreaterEq,
  Ident,
  K,
  LBrace,
  LBracket,
  Less,
  LessEq,
  LParen,
  Minus,
  NotEquals,
  NumberLiteral,
  PatternOpen,
  Percent,
  Pipe,
  Plus,
  Question,
  RBrace,
  RBracket,
  RParen,
  Semicolon,
  Slash,
  Star,
  StringLiteral,
  TIME_UNIT_TOKENS,
  UnicodeStringLiteral,
} from './lexer.ts';
import { decodeBinaryString, decodeIdentifier, decodeString, decodeUnicodeString } from './literals.ts';

/** Keywords that may not be an alias without AS because a clause can start with them there. */
const ALIAS_STOP_WORDS = new Set(['OFFSET']);

const QUERY_START = [K.SELECT, K.WITH, K.VALUES];

/** Tokens that can follow a select-list alias. */
const ALIAS_FOLLOWERS: readonly TokenType[] = [
  Comma,
  K.FROM,
  K.WHERE,
  K.GROUP,
  K.HAVING,
  K.WINDOW,
  K.QUALIFY,
  K.ORDER,
  K.LIMIT,
  K.OFFSET,
  K.FETCH,
  K.UNION,
  K.INTERSECT,
  K.EXCEPT,
  RParen,
  Semicolon,
  EOF,
];

const PLURAL_UNITS: ReadonlySet<string> = new Set(['YEARS', 'MONTHS', 'DAYS', 'HOURS', 'MINUTES', 'SECONDS']);

const NILADIC_TOKENS: readonly TokenType[] = [
  K.CURRENT_DATE,
  K.CURRENT_TIME,
  K.CURRENT_TIMESTAMP,
  K.LOCALTIME,
  K.LOCALTIMESTAMP,
  K.CURRENT_USER,
  K.SESSION_USER,
];

const SHOW_TOKENS: readonly TokenType[] = [
  K.TABLES,
  K.VIEWS,
  K.FUNCTIONS,
  K.JOBS,
  K.CATALOGS,
  K.DATABASES,
  K.MODULES,
];

const EXPLAIN_DETAIL_TOKENS: readonly TokenType[] = [
  K.CHANGELOG_MODE,
  K.ESTIMATED_COST,
  K.JSON_EXECUTION_PLAN,
  K.PLAN_ADVICE,
];

const LIKE_FEATURE_TOKENS: readonly TokenType[] = [
  K.ALL,
  K.CONSTRAINTS,
  K.PARTITIONS,
  K.WATERMARKS,
  K.GENERATED,
  K.METADATA,
  K.OPTIONS,
];

const COMPARISON_TOKENS: readonly TokenType[] = [Equals, NotEquals, Less, LessEq, Greater, GreaterEq];

function tokenSpan(tok: IToken): Span {
  return {
    offset: tok.startOffset,
    line: tok.startLine ?? 1,
    column: tok.startColumn ?? 1,
    end: tok.endOffset! + 1,
  };
}

function spanFromTo(start: Span, lastTok: IToken): Span {
  return { offset: start.offset, line: start.line, column: start.column, end: lastTok.endOffset! + 1 };
}

const EMPTY_TAIL = { orderBy: [], limit: null, offset: null } as const;

function hasTail(q: A.Query): boolean {
  return q.kind !== 'with' && (q.orderBy.length > 0 || q.limit !== null || q.offset !== null);
}

export class SqlParser extends EmbeddedActionsParser {
  /** The text being parsed (for positioned errors raised by semantic actions). */
  source = '';
  /** Index among the statement's `?` parameters of the next one. */
  private paramIndex = 0;
  /** Tokens consumed as aliases without AS (error reporting looks at them: `SELECT a FORM t`). */
  implicitAliases: IToken[] = [];
  /** First token of the statement being parsed (error analysis starts there). */
  statementStart: IToken | null = null;

  constructor() {
    super(ALL_TOKENS, {
      maxLookahead: 2,
      skipValidations: process.env['RIVULET_PARSER_VALIDATE'] !== '1',
      traceInitPerf: process.env['RIVULET_PARSER_TRACE'] === '1' ? 2 : false,
    });
    this.performSelfAnalysis();
  }

  /**
   * Alternatives of hot `OR`s built once: Chevrotain otherwise receives a fresh array of fresh closures on
   * every call, which shows up as garbage-collection time. Only for alternatives that capture nothing
   * from the rule invocation.
   */
  private readonly memoTable = new Map<string, unknown>();

  private memo<T>(key: string, make: () => T): T {
    let v = this.memoTable.get(key) as T | undefined;
    if (v === undefined) {
      v = make();
      this.memoTable.set(key, v);
    }
    return v;
  }

  /** Clears per-parse state; call before each parse. */
  begin(source: string): void {
    this.source = source;
    this.paramIndex = 0;
    this.implicitAliases = [];
    this.statementStart = null;
  }

  // -------------------------------------------------------------------------------------------------
  // Helpers (only called inside ACTION or GATE)

  private span(start: IToken): Span {
    const last = this.LA(0);
    return {
      offset: start.startOffset,
      line: start.startLine ?? 1,
      column: start.startColumn ?? 1,
      end: Math.max(last.endOffset ?? start.startOffset, start.startOffset) + 1,
    };
  }

  private spanAfter(start: Span): Span {
    return spanFromTo(start, this.LA(0));
  }

  private fail(tok: IToken, detail: string): never {
    throw new SqlSyntaxError(this.source, tokenSpan(tok), { token: tok.image, expected: [], detail });
  }

  private integer(tok: IToken): number {
    if (!/^\d+$/.test(tok.image)) this.fail(tok, `expected an integer, found '${tok.image}'`);
    return Number.parseInt(tok.image, 10);
  }

  private identOf(tok: IToken): A.Identifier {
    const { text, quoted } = decodeIdentifier(tok.image);
    return { kind: 'identifier', span: tokenSpan(tok), text, quoted };
  }

  private isQueryAhead(): boolean {
    let i = 1;
    while (tokenMatcher(this.LA(i), LParen)) i++;
    const t = this.LA(i);
    return QUERY_START.some((q) => tokenMatcher(t, q));
  }

  private parenQueryBacktrack: (() => boolean) | null = null;

  /**
   * Whether `(` starts a subquery used as a value. `(SELECT` clearly does; for `((` only trying tells
   * `((SELECT 1) UNION (SELECT 2))` (a subquery) from `((SELECT 1) + 1)` (an expression).
   */
  private parenQueryAhead(): boolean {
    const second = this.LA(2);
    if (QUERY_START.some((q) => tokenMatcher(second, q))) return true;
    if (!tokenMatcher(second, LParen) || !this.isQueryAhead()) return false;
    this.parenQueryBacktrack ??= this.BACKTRACK(this.parenQuery);
    const params = this.paramIndex;
    const aliases = this.implicitAliases.length;
    const ok = this.parenQueryBacktrack();
    this.paramIndex = params;
    this.implicitAliases.length = aliases;
    return ok;
  }

  private aliasAllowed(): boolean {
    const t = this.LA(1);
    return tokenMatcher(t, Ident) && !ALIAS_STOP_WORDS.has(t.image.toUpperCase());
  }

  // -------------------------------------------------------------------------------------------------
  // Names

  ident = this.RULE('ident', (): A.Identifier => {
    const t = this.CONSUME(Ident);
    return this.ACTION(() => this.identOf(t));
  });

  qualifiedName = this.RULE('qualifiedName', (): A.QualifiedName => {
    const s = this.LA(1);
    const parts = [this.SUBRULE(this.ident)];
    this.MANY(() => {
      this.CONSUME(Dot);
      parts.push(this.SUBRULE2(this.ident));
    });
    return this.ACTION(() => ({ kind: 'qualifiedName', span: this.span(s), parts }));
  });

  identList = this.RULE('identList', (): A.Identifier[] => {
    const ids: A.Identifier[] = [];
    this.CONSUME(LParen);
    this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => ids.push(this.SUBRULE(this.ident)) });
    this.CONSUME(RParen);
    return ids;
  });

  stringValue = this.RULE('stringValue', (): string => {
    const t = this.CONSUME(StringLiteral);
    return this.ACTION(() => decodeString(t.image));
  });

  // -------------------------------------------------------------------------------------------------
  // Script and statements

  script = this.RULE('script', (): A.Statement[] => {
    const out: A.Statement[] = [];
    this.OPTION(() => out.push(this.SUBRULE(this.statement)));
    this.MANY(() => {
      this.CONSUME(Semicolon);
      this.OPTION2(() => out.push(this.SUBRULE2(this.statement)));
    });
    return out;
  });

  statement = this.RULE('statement', (): A.Statement => {
    this.ACTION(() => {
      this.paramIndex = 0;
      this.statementStart = this.LA(1);
    });
    return this.OR([
      { ALT: () => this.SUBRULE(this.query) },
      { ALT: () => this.SUBRULE(this.insert) },
      { ALT: () => this.SUBRULE(this.executeStatement) },
      { ALT: () => this.SUBRULE(this.beginStatementSet) },
      { ALT: () => this.SUBRULE(this.createStatement) },
      { ALT: () => this.SUBRULE(this.dropStatement) },
      { ALT: () => this.SUBRULE(this.alterStatement) },
      { ALT: () => this.SUBRULE(this.showStatement) },
      { ALT: () => this.SUBRULE(this.describeStatement) },
      { ALT: () => this.SUBRULE(this.explainStatement) },
      { ALT: () => this.SUBRULE(this.setStatement) },
      { ALT: () => this.SUBRULE(this.resetStatement) },
      { ALT: () => this.SUBRULE(this.stopStatement) },
      { ALT: () => this.SUBRULE(this.useStatement) },
    ]);
  });

  insert = this.RULE('insert', (): A.InsertStatement => {
    const s = this.CONSUME(K.INSERT);
    const overwrite = this.OR([
      {
        ALT: () => {
          this.CONSUME(K.INTO);
          return false;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.OVERWRITE);
          return true;
        },
      },
    ]);
    const target = this.SUBRULE(this.qualifiedName);
    const partition: A.PartitionValue[] = [];
    this.OPTION(() => {
      this.CONSUME(K.PARTITION);
      this.CONSUME(LParen);
      this.AT_LEAST_ONE_SEP({
        SEP: Comma,
        DEF: () => {
          const ps = this.LA(1);
          const column = this.SUBRULE(this.ident);
          this.CONSUME(Equals);
          const value = this.SUBRULE(this.expr);
          this.ACTION(() => partition.push({ kind: 'partitionValue', span: this.span(ps), column, value }));
        },
      });
      this.CONSUME(RParen);
    });
    let columns: A.Identifier[] = [];
    this.OPTION2({
      GATE: () => !this.isQueryAhead(),
      DEF: () => {
        columns = this.SUBRULE(this.identList);
      },
    });
    const query = this.SUBRULE(this.query);
    return this.ACTION(() => ({
      kind: 'insert',
      span: this.span(s),
      overwrite,
      target,
      partition,
      columns,
      query,
    }));
  });

  /** `insert (; insert)* [;]` up to END, as in statement sets. */
  insertList = this.RULE('insertList', (): A.InsertStatement[] => {
    const inserts: A.InsertStatement[] = [];
    this.AT_LEAST_ONE(() => {
      inserts.push(this.SUBRULE(this.insert));
      this.CONSUME(Semicolon);
    });
    this.CONSUME(K.END);
    return inserts;
  });

  executeStatement = this.RULE('executeStatement', (): A.StatementSet | A.ExecuteStatement => {
    const s = this.CONSUME(K.EXECUTE);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.STATEMENT);
          this.CONSUME(K.SET);
          this.CONSUME(K.BEGIN);
          const inserts = this.SUBRULE(this.insertList);
          return this.ACTION(
            (): A.StatementSet => ({ kind: 'statementSet', span: this.span(s), style: 'execute', inserts }),
          );
        },
      },
      {
        ALT: () => {
          const statement = this.SUBRULE(this.insert);
          return this.ACTION((): A.ExecuteStatement => ({ kind: 'execute', span: this.span(s), statement }));
        },
      },
      {
        ALT: () => {
          const statement = this.SUBRULE(this.query);
          return this.ACTION((): A.ExecuteStatement => ({ kind: 'execute', span: this.span(s), statement }));
        },
      },
    ]);
  });

  beginStatementSet = this.RULE('beginStatementSet', (): A.StatementSet => {
    const s = this.CONSUME(K.BEGIN);
    this.CONSUME(K.STATEMENT);
    this.CONSUME(K.SET);
    this.CONSUME(Semicolon);
    const inserts = this.SUBRULE(this.insertList);
    return this.ACTION(() => ({ kind: 'statementSet', span: this.span(s), style: 'begin', inserts }));
  });

  properties = this.RULE('properties', (): A.Property[] => {
    const props: A.Property[] = [];
    this.CONSUME(LParen);
    this.AT_LEAST_ONE_SEP({
      SEP: Comma,
      DEF: () => {
        const s = this.LA(1);
        const key = this.SUBRULE(this.stringValue);
        this.CONSUME(Equals);
        const value = this.SUBRULE2(this.stringValue);
        this.ACTION(() => props.push({ kind: 'property', span: this.span(s), key, value }));
      },
    });
    this.CONSUME(RParen);
    return props;
  });

  ifNotExists = this.RULE('ifNotExists', (): boolean => {
    let present = false;
    this.OPTION(() => {
      this.CONSUME(K.IF);
      this.CONSUME(K.NOT);
      this.CONSUME(K.EXISTS);
      present = true;
    });
    return present;
  });

  ifExists = this.RULE('ifExists', (): boolean => {
    let present = false;
    this.OPTION(() => {
      this.CONSUME(K.IF);
      this.CONSUME(K.EXISTS);
      present = true;
    });
    return present;
  });

  createStatement = this.RULE(
    'createStatement',
    (): A.CreateTableStatement | A.CreateViewStatement | A.CreateFunctionStatement => {
      const s = this.CONSUME(K.CREATE);
      let temporary = false;
      let system = false;
      this.OPTION(() => {
        this.CONSUME(K.TEMPORARY);
        temporary = true;
        this.OPTION2(() => {
          this.CONSUME(K.SYSTEM);
          system = true;
        });
      });
      return this.OR([
        { ALT: () => this.SUBRULE(this.createTableRest, { ARGS: [s, temporary] }) },
        { ALT: () => this.SUBRULE(this.createViewRest, { ARGS: [s, temporary] }) },
        { ALT: () => this.SUBRULE(this.createFunctionRest, { ARGS: [s, temporary, system] }) },
      ]);
    },
  );

  createTableRest = this.RULE('createTableRest', (s: IToken, temporary: boolean): A.CreateTableStatement => {
    this.CONSUME(K.TABLE);
    const ifNotExists = this.SUBRULE(this.ifNotExists);
    const name = this.SUBRULE(this.qualifiedName);
    const columns: A.ColumnDefinition[] = [];
    const watermarks: A.WatermarkDefinition[] = [];
    let primaryKey: A.PrimaryKeyConstraint | null = null;
    let comment: string | null = null;
    let partitionedBy: A.Identifier[] = [];
    let options: A.Property[] = [];
    let like: A.LikeClause | null = null;
    let asQuery: A.Query | null = null;
    this.OPTION(() => {
      this.CONSUME(LParen);
      this.AT_LEAST_ONE_SEP({
        SEP: Comma,
        DEF: () => {
          // Decide on the first token (plus gates), so that a bad type in `b VARCHR(3)` is reported at
          // the type rather than at the column name.
          this.OR({
            MAX_LOOKAHEAD: 1,
            IGNORE_AMBIGUITIES: true,
            DEF: [
              {
                GATE: () => tokenMatcher(this.LA(2), K.FOR),
                ALT: () => watermarks.push(this.SUBRULE(this.watermarkDefinition)),
              },
              {
                GATE: () =>
                  (tokenMatcher(this.LA(1), K.PRIMARY) && tokenMatcher(this.LA(2), K.KEY)) ||
                  (tokenMatcher(this.LA(1), K.CONSTRAINT) && tokenMatcher(this.LA(3), K.PRIMARY)),
                ALT: () => {
                  const pk = this.SUBRULE(this.tablePrimaryKey);
                  this.ACTION(() => {
                    if (primaryKey !== null) this.fail(this.LA(0), 'a table can have only one PRIMARY KEY');
                    primaryKey = pk;
                  });
                },
              },
              { ALT: () => columns.push(this.SUBRULE(this.columnDefinition)) },
            ],
          });
        },
      });
      this.CONSUME(RParen);
    });
    this.OPTION2(() => {
      this.CONSUME(K.COMMENT);
      comment = this.SUBRULE(this.stringValue);
    });
    this.OPTION3(() => {
      this.CONSUME(K.PARTITIONED);
      this.CONSUME(K.BY);
      partitionedBy = this.SUBRULE(this.identList);
    });
    this.OPTION4(() => {
      this.CONSUME(K.WITH);
      options = this.SUBRULE(this.properties);
    });
    this.OPTION5(() => {
      like = this.SUBRULE(this.likeClause);
    });
    this.OPTION6(() => {
      this.CONSUME(K.AS);
      asQuery = this.SUBRULE(this.query);
    });
    return this.ACTION(() => ({
      kind: 'createTable',
      span: this.span(s),
      temporary,
      ifNotExists,
      name,
      columns,
      watermarks,
      primaryKey,
      comment,
      partitionedBy,
      options,
      like,
      asQuery,
    }));
  });

  watermarkDefinition = this.RULE('watermarkDefinition', (): A.WatermarkDefinition => {
    const s = this.CONSUME(K.WATERMARK);
    this.CONSUME(K.FOR);
    const column = [this.SUBRULE(this.ident)];
    this.MANY(() => {
      this.CONSUME(Dot);
      column.push(this.SUBRULE2(this.ident));
    });
    this.CONSUME(K.AS);
    const expr = this.SUBRULE(this.expr);
    return this.ACTION(() => ({ kind: 'watermark', span: this.span(s), column, expr }));
  });

  constraintName = this.RULE('constraintName', (): A.Identifier | null => {
    let name: A.Identifier | null = null;
    this.OPTION(() => {
      this.CONSUME(K.CONSTRAINT);
      name = this.SUBRULE(this.ident);
    });
    return name;
  });

  enforcement = this.RULE('enforcement', (): boolean => {
    let enforced = true;
    this.OPTION(() => {
      this.CONSUME(K.NOT);
      enforced = false;
    });
    this.CONSUME(K.ENFORCED);
    return enforced;
  });

  tablePrimaryKey = this.RULE('tablePrimaryKey', (): A.PrimaryKeyConstraint => {
    const s = this.LA(1);
    const constraintName = this.SUBRULE(this.constraintName);
    this.CONSUME(K.PRIMARY);
    this.CONSUME(K.KEY);
    const columns = this.SUBRULE(this.identList);
    const enforced = this.SUBRULE(this.enforcement);
    return this.ACTION(() => ({ kind: 'primaryKey', span: this.span(s), constraintName, columns, enforced }));
  });

  columnDefinition = this.RULE('columnDefinition', (): A.ColumnDefinition => {
    const s = this.LA(1);
    const name = this.SUBRULE(this.ident);
    const col = this.OR([
      {
        ALT: () => {
          this.CONSUME(K.AS);
          const expr = this.SUBRULE(this.expr);
          return this.ACTION(
            (): A.ColumnDefinition => ({
              kind: 'computedColumn',
              span: this.span(s),
              name,
              expr,
              comment: null,
            }),
          );
        },
      },
      {
        ALT: () => {
          const type = this.SUBRULE(this.typeNode);
          return this.OR2([
            {
              ALT: () => {
                this.CONSUME(K.METADATA);
                let metadataKey: string | null = null;
                let virtual = false;
                this.OPTION(() => {
                  this.CONSUME(K.FROM);
                  metadataKey = this.SUBRULE(this.stringValue);
                });
                this.OPTION2(() => {
                  this.CONSUME(K.VIRTUAL);
                  virtual = true;
                });
                return this.ACTION(
                  (): A.ColumnDefinition => ({
                    kind: 'metadataColumn',
                    span: this.span(s),
                    name,
                    type,
                    metadataKey,
                    virtual,
                    comment: null,
                  }),
                );
              },
            },
            {
              ALT: () => {
                let primaryKey: A.PrimaryKeyConstraint | null = null;
                this.OPTION3(() => {
                  const constraintName = this.SUBRULE(this.constraintName);
                  this.CONSUME(K.PRIMARY);
                  this.CONSUME(K.KEY);
                  const enforced = this.SUBRULE(this.enforcement);
                  // The span starts at the column name so that `columns: [name]` lies inside it.
                  primaryKey = this.ACTION(() => ({
                    kind: 'primaryKey',
                    span: this.span(s),
                    constraintName,
                    columns: [name],
                    enforced,
                  }));
                });
                return this.ACTION(
                  (): A.ColumnDefinition => ({
                    kind: 'physicalColumn',
                    span: this.span(s),
                    name,
                    type,
                    primaryKey,
                    comment: null,
                  }),
                );
              },
            },
          ]);
        },
      },
    ]);
    let comment: string | null = null;
    this.OPTION4(() => {
      this.CONSUME(K.COMMENT);
      comment = this.SUBRULE2(this.stringValue);
    });
    return this.ACTION(() => ({ ...col, span: this.span(s), comment }));
  });

  likeClause = this.RULE('likeClause', (): A.LikeClause => {
    const s = this.CONSUME(K.LIKE);
    const source = this.SUBRULE(this.qualifiedName);
    const options: A.LikeOption[] = [];
    this.OPTION(() => {
      this.CONSUME(LParen);
      this.AT_LEAST_ONE(() => {
        const os = this.LA(1);
        const mode = this.OR([
          { ALT: () => this.CONSUME(K.INCLUDING) },
          { ALT: () => this.CONSUME(K.EXCLUDING) },
          { ALT: () => this.CONSUME(K.OVERWRITING) },
        ]);
        const feature = this.OR2(LIKE_FEATURE_TOKENS.map((t) => ({ ALT: () => this.CONSUME2(t) })));
        this.ACTION(() =>
          options.push({
            kind: 'likeOption',
            span: this.span(os),
            mode: mode.image.toUpperCase() as A.LikeOption['mode'],
            feature: feature.image.toUpperCase() as A.LikeOption['feature'],
          }),
        );
      });
      this.CONSUME(RParen);
    });
    return this.ACTION(() => ({ kind: 'likeClause', span: this.span(s), source, options }));
  });

  createViewRest = this.RULE('createViewRest', (s: IToken, temporary: boolean): A.CreateViewStatement => {
    this.CONSUME(K.VIEW);
    const ifNotExists = this.SUBRULE(this.ifNotExists);
    const name = this.SUBRULE(this.qualifiedName);
    let columns: A.Identifier[] = [];
    this.OPTION(() => {
      columns = this.SUBRULE(this.identList);
    });
    let comment: string | null = null;
    this.OPTION2(() => {
      this.CONSUME(K.COMMENT);
      comment = this.SUBRULE(this.stringValue);
    });
    this.CONSUME(K.AS);
    const query = this.SUBRULE(this.query);
    return this.ACTION(() => ({
      kind: 'createView',
      span: this.span(s),
      temporary,
      ifNotExists,
      name,
      columns,
      comment,
      query,
    }));
  });

  createFunctionRest = this.RULE(
    'createFunctionRest',
    (s: IToken, temporary: boolean, system: boolean): A.CreateFunctionStatement => {
      this.CONSUME(K.FUNCTION);
      const ifNotExists = this.SUBRULE(this.ifNotExists);
      const name = this.SUBRULE(this.qualifiedName);
      this.CONSUME(K.AS);
      const specifier = this.SUBRULE(this.stringValue);
      let language: string | null = null;
      this.OPTION(() => {
        this.CONSUME(K.LANGUAGE);
        const lang = this.SUBRULE(this.ident);
        language = this.ACTION(() => lang.text.toUpperCase());
      });
      return this.ACTION(() => ({
        kind: 'createFunction',
        span: this.span(s),
        temporary,
        system,
        ifNotExists,
        name,
        specifier,
        language,
      }));
    },
  );

  dropStatement = this.RULE('dropStatement', (): A.DropStatement => {
    const s = this.CONSUME(K.DROP);
    let temporary = false;
    let system = false;
    this.OPTION(() => {
      this.CONSUME(K.TEMPORARY);
      temporary = true;
      this.OPTION2(() => {
        this.CONSUME(K.SYSTEM);
        system = true;
      });
    });
    const kind = this.OR([
      { ALT: () => this.CONSUME(K.TABLE) },
      { ALT: () => this.CONSUME(K.VIEW) },
      { ALT: () => this.CONSUME(K.FUNCTION) },
    ]);
    const ifExists = this.SUBRULE(this.ifExists);
    const name = this.SUBRULE(this.qualifiedName);
    return this.ACTION(() => ({
      kind: 'drop',
      span: this.span(s),
      objectType: kind.image.toUpperCase() as A.DropStatement['objectType'],
      temporary,
      system,
      ifExists,
      name,
    }));
  });

  alterStatement = this.RULE('alterStatement', (): A.AlterTableSetStatement | A.AlterTableRenameStatement => {
    const s = this.CONSUME(K.ALTER);
    this.CONSUME(K.TABLE);
    const ifExists = this.SUBRULE(this.ifExists);
    const name = this.SUBRULE(this.qualifiedName);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.SET);
          const options = this.SUBRULE(this.properties);
          return this.ACTION(
            (): A.AlterTableSetStatement => ({
              kind: 'alterTableSet',
              span: this.span(s),
              ifExists,
              name,
              options,
            }),
          );
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.RENAME);
          this.CONSUME(K.TO);
          const newName = this.SUBRULE2(this.qualifiedName);
          return this.ACTION(
            (): A.AlterTableRenameStatement => ({
              kind: 'alterTableRename',
              span: this.span(s),
              ifExists,
              name,
              newName,
            }),
          );
        },
      },
    ]);
  });

  showStatement = this.RULE(
    'showStatement',
    (): A.ShowStatement | A.ShowCreateStatement | A.ShowJobStatement => {
      const s = this.CONSUME(K.SHOW);
      return this.OR([
        {
          ALT: () => {
            this.CONSUME(K.JOB);
            const jobId = this.SUBRULE(this.stringValue);
            return this.ACTION((): A.ShowJobStatement => ({ kind: 'showJob', span: this.span(s), jobId }));
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.CREATE);
            const t = this.OR2([{ ALT: () => this.CONSUME(K.TABLE) }, { ALT: () => this.CONSUME(K.VIEW) }]);
            const name = this.SUBRULE(this.qualifiedName);
            return this.ACTION(
              (): A.ShowCreateStatement => ({
                kind: 'showCreate',
                span: this.span(s),
                objectType: t.image.toUpperCase() as A.ShowCreateStatement['objectType'],
                name,
              }),
            );
          },
        },
        {
          ALT: () => {
            const w = this.OR3(SHOW_TOKENS.map((t) => ({ ALT: () => this.CONSUME2(t) })));
            return this.ACTION(
              (): A.ShowStatement => ({
                kind: 'show',
                span: this.span(s),
                what: w.image.toUpperCase() as A.ShowStatement['what'],
              }),
            );
          },
        },
      ]);
    },
  );

  describeStatement = this.RULE('describeStatement', (): A.DescribeStatement => {
    const s = this.OR([{ ALT: () => this.CONSUME(K.DESCRIBE) }, { ALT: () => this.CONSUME(K.DESC) }]);
    const name = this.SUBRULE(this.qualifiedName);
    return this.ACTION(() => ({ kind: 'describe', span: this.span(s), name }));
  });

  explainStatement = this.RULE('explainStatement', (): A.ExplainStatement => {
    const s = this.CONSUME(K.EXPLAIN);
    const details: A.ExplainDetail[] = [];
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(K.PLAN);
            this.CONSUME(K.FOR);
          },
        },
        {
          ALT: () => {
            this.AT_LEAST_ONE_SEP({
              SEP: Comma,
              DEF: () => {
                const d = this.OR2(EXPLAIN_DETAIL_TOKENS.map((t) => ({ ALT: () => this.CONSUME(t) })));
                this.ACTION(() => details.push(d.image.toUpperCase() as A.ExplainDetail));
              },
            });
          },
        },
      ]);
    });
    const statement = this.OR3([
      {
        ALT: () => {
          const ss = this.CONSUME(K.STATEMENT);
          this.CONSUME(K.SET);
          this.CONSUME(K.BEGIN);
          const inserts = this.SUBRULE(this.insertList);
          return this.ACTION(
            (): A.StatementSet => ({ kind: 'statementSet', span: this.span(ss), style: 'explain', inserts }),
          );
        },
      },
      { ALT: () => this.SUBRULE(this.query) },
      { ALT: () => this.SUBRULE(this.insert) },
      { ALT: () => this.SUBRULE(this.executeStatement) },
      { ALT: () => this.SUBRULE(this.beginStatementSet) },
    ]);
    return this.ACTION(() => ({ kind: 'explain', span: this.span(s), details, statement }));
  });

  setStatement = this.RULE('setStatement', (): A.SetStatement => {
    const s = this.CONSUME(K.SET);
    let key: string | null = null;
    let value: string | null = null;
    this.OPTION(() => {
      key = this.SUBRULE(this.stringValue);
      this.CONSUME(Equals);
      value = this.SUBRULE2(this.stringValue);
    });
    return this.ACTION(() => ({ kind: 'set', span: this.span(s), key, value }));
  });

  resetStatement = this.RULE('resetStatement', (): A.ResetStatement => {
    const s = this.CONSUME(K.RESET);
    let key: string | null = null;
    this.OPTION(() => {
      key = this.SUBRULE(this.stringValue);
    });
    return this.ACTION(() => ({ kind: 'reset', span: this.span(s), key }));
  });

  stopStatement = this.RULE('stopStatement', (): A.StopJobStatement => {
    const s = this.CONSUME(K.STOP);
    this.CONSUME(K.JOB);
    const jobId = this.SUBRULE(this.stringValue);
    let withSavepoint = false;
    let withDrain = false;
    this.OPTION(() => {
      this.CONSUME(K.WITH);
      this.OR([
        {
          ALT: () => {
            this.CONSUME(K.SAVEPOINT);
            withSavepoint = true;
            this.OPTION2({
              MAX_LOOKAHEAD: 1,
              DEF: () => {
                this.CONSUME2(K.WITH);
                this.CONSUME(K.DRAIN);
                withDrain = true;
              },
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME2(K.DRAIN);
            withDrain = true;
          },
        },
      ]);
    });
    return this.ACTION(() => ({ kind: 'stopJob', span: this.span(s), jobId, withSavepoint, withDrain }));
  });

  useStatement = this.RULE('useStatement', (): A.UseStatement => {
    const s = this.CONSUME(K.USE);
    let catalog = false;
    this.OPTION({
      GATE: () => tokenMatcher(this.LA(2), Ident),
      DEF: () => {
        this.CONSUME(K.CATALOG);
        catalog = true;
      },
    });
    const name = this.SUBRULE(this.qualifiedName);
    return this.ACTION(() => ({ kind: 'use', span: this.span(s), catalog, name }));
  });

  // -------------------------------------------------------------------------------------------------
  // Queries

  query = this.RULE('query', (): A.Query => {
    return this.OR([
      {
        ALT: () => {
          const s = this.CONSUME(K.WITH);
          const ctes: A.CommonTableExpression[] = [];
          this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => ctes.push(this.SUBRULE(this.cte)) });
          const body = this.SUBRULE(this.queryExpression);
          return this.ACTION((): A.Query => ({ kind: 'with', span: this.span(s), ctes, body }));
        },
      },
      { ALT: () => this.SUBRULE2(this.queryExpression) },
    ]);
  });

  cte = this.RULE('cte', (): A.CommonTableExpression => {
    const s = this.LA(1);
    const name = this.SUBRULE(this.ident);
    let columns: A.Identifier[] = [];
    this.OPTION(() => {
      columns = this.SUBRULE(this.identList);
    });
    this.CONSUME(K.AS);
    this.CONSUME(LParen);
    const query = this.SUBRULE(this.query);
    this.CONSUME(RParen);
    return this.ACTION(() => ({ kind: 'cte', span: this.span(s), name, columns, query }));
  });

  queryExpression = this.RULE('queryExpression', (): A.Query => {
    let left = this.SUBRULE(this.queryTerm);
    this.MANY(() => {
      const op = this.OR([{ ALT: () => this.CONSUME(K.UNION) }, { ALT: () => this.CONSUME(K.EXCEPT) }]);
      const all = this.SUBRULE(this.setQuantifier);
      const right = this.SUBRULE2(this.queryTerm);
      left = this.ACTION(
        (): A.Query => ({
          kind: 'setOperation',
          span: this.spanAfter(left.span),
          op: op.image.toUpperCase() as 'UNION' | 'EXCEPT',
          all,
          left,
          right,
          ...EMPTY_TAIL,
        }),
      );
    });
    const tailStart = this.LA(1);
    const tail = this.SUBRULE(this.queryTail);
    return this.ACTION(() => {
      if (tail === null) return left;
      if (left.kind === 'with') return left; // unreachable: queryTerm never yields a bare WITH
      if (hasTail(left)) {
        this.fail(
          tailStart,
          'this query already has ORDER BY/LIMIT/OFFSET inside its parentheses; wrap it in a subquery to order or limit it again',
        );
      }
      return { ...left, span: this.spanAfter(left.span), ...tail };
    });
  });

  setQuantifier = this.RULE('setQuantifier', (): boolean => {
    let all = false;
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(K.ALL);
            all = true;
          },
        },
        { ALT: () => this.CONSUME(K.DISTINCT) },
      ]);
    });
    return all;
  });

  queryTail = this.RULE('queryTail', (): A.QueryTail | null => {
    let orderBy: A.OrderItem[] = [];
    let limit: A.Expr | null = null;
    let offset: A.Expr | null = null;
    let any = false;
    this.OPTION(() => {
      this.CONSUME(K.ORDER);
      this.CONSUME(K.BY);
      orderBy = this.SUBRULE(this.orderItems);
      any = true;
    });
    this.OPTION2(() => {
      this.CONSUME(K.LIMIT);
      limit = this.SUBRULE(this.expr);
      any = true;
    });
    this.OPTION3(() => {
      this.CONSUME(K.OFFSET);
      offset = this.SUBRULE2(this.expr);
      this.OPTION4(() => this.OR([{ ALT: () => this.CONSUME(K.ROW) }, { ALT: () => this.CONSUME(K.ROWS) }]));
      any = true;
    });
    this.OPTION5(() => {
      const f = this.CONSUME(K.FETCH);
      this.OR2([{ ALT: () => this.CONSUME(K.FIRST) }, { ALT: () => this.CONSUME(K.NEXT) }]);
      const n = this.SUBRULE3(this.expr);
      this.OR3([{ ALT: () => this.CONSUME2(K.ROW) }, { ALT: () => this.CONSUME2(K.ROWS) }]);
      this.CONSUME(K.ONLY);
      this.ACTION(() => {
        if (limit !== null) this.fail(f, 'a query cannot have both LIMIT and FETCH');
      });
      limit = n;
      any = true;
    });
    return any ? { orderBy, limit, offset } : null;
  });

  orderItems = this.RULE('orderItems', (): A.OrderItem[] => {
    const items: A.OrderItem[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => items.push(this.SUBRULE(this.orderItem)) });
    return items;
  });

  orderItem = this.RULE('orderItem', (): A.OrderItem => {
    const s = this.LA(1);
    const expr = this.SUBRULE(this.expr);
    let direction: A.OrderItem['direction'] = null;
    let nulls: A.OrderItem['nulls'] = null;
    this.OPTION(() => {
      direction = this.OR([
        {
          ALT: () => {
            this.CONSUME(K.ASC);
            return 'ASC' as const;
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.DESC);
            return 'DESC' as const;
          },
        },
      ]);
    });
    this.OPTION2(() => {
      this.CONSUME(K.NULLS);
      nulls = this.OR2([
        {
          ALT: () => {
            this.CONSUME(K.FIRST);
            return 'FIRST' as const;
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.LAST);
            return 'LAST' as const;
          },
        },
      ]);
    });
    return this.ACTION(() => ({ kind: 'orderItem', span: this.span(s), expr, direction, nulls }));
  });

  queryTerm = this.RULE('queryTerm', (): A.Query => {
    let left = this.SUBRULE(this.queryPrimary);
    this.MANY(() => {
      this.CONSUME(K.INTERSECT);
      const all = this.SUBRULE(this.setQuantifier);
      const right = this.SUBRULE2(this.queryPrimary);
      left = this.ACTION(
        (): A.Query => ({
          kind: 'setOperation',
          span: this.spanAfter(left.span),
          op: 'INTERSECT',
          all,
          left,
          right,
          ...EMPTY_TAIL,
        }),
      );
    });
    return left;
  });

  queryPrimary = this.RULE('queryPrimary', (): A.Query => {
    return this.OR([
      { ALT: () => this.SUBRULE(this.select) },
      { ALT: () => this.SUBRULE(this.valuesQuery) },
      {
        ALT: () => {
          // The parentheses belong to the node's span, so a statement's span covers all its text.
          const open = this.CONSUME(LParen);
          const q = this.SUBRULE(this.query);
          this.CONSUME(RParen);
          return this.ACTION((): A.Query => ({ ...q, span: this.span(open) }));
        },
      },
    ]);
  });

  valuesQuery = this.RULE('valuesQuery', (): A.ValuesQuery => {
    const s = this.CONSUME(K.VALUES);
    const rows: A.RowConstructor[] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: Comma,
      DEF: () => {
        const e = this.SUBRULE(this.expr);
        this.ACTION(() =>
          rows.push(e.kind === 'row' ? e : { kind: 'row', span: e.span, explicit: false, fields: [e] }),
        );
      },
    });
    return this.ACTION(() => ({ kind: 'values', span: this.span(s), rows, ...EMPTY_TAIL }));
  });

  select = this.RULE('select', (): A.SelectQuery => {
    const s = this.CONSUME(K.SELECT);
    let distinct = false;
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(K.ALL) },
        {
          ALT: () => {
            this.CONSUME(K.DISTINCT);
            distinct = true;
          },
        },
      ]);
    });
    const items: A.SelectItem[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => items.push(this.SUBRULE(this.selectItem)) });
    let from: A.TableRef | null = null;
    let where: A.Expr | null = null;
    let groupBy: A.GroupBy | null = null;
    let having: A.Expr | null = null;
    const windows: A.NamedWindow[] = [];
    let qualify: A.Expr | null = null;
    this.OPTION2(() => {
      this.CONSUME(K.FROM);
      from = this.SUBRULE(this.fromClause);
    });
    this.OPTION3(() => {
      this.CONSUME(K.WHERE);
      where = this.SUBRULE(this.expr);
    });
    this.OPTION4(() => {
      groupBy = this.SUBRULE(this.groupByClause);
    });
    this.OPTION5(() => {
      this.CONSUME(K.HAVING);
      having = this.SUBRULE2(this.expr);
    });
    this.OPTION6(() => {
      this.CONSUME(K.WINDOW);
      this.AT_LEAST_ONE_SEP2({ SEP: Comma, DEF: () => windows.push(this.SUBRULE(this.namedWindow)) });
    });
    this.OPTION7(() => {
      this.CONSUME(K.QUALIFY);
      qualify = this.SUBRULE3(this.expr);
    });
    return this.ACTION(() => ({
      kind: 'select',
      span: this.span(s),
      distinct,
      items,
      from,
      where,
      groupBy,
      having,
      windows,
      qualify,
      ...EMPTY_TAIL,
    }));
  });

  selectItem = this.RULE('selectItem', (): A.SelectItem => {
    const s = this.LA(1);
    const expr = this.OR([
      { ALT: () => this.SUBRULE(this.bareStar) },
      { ALT: () => this.SUBRULE(this.expr) },
    ]);
    let alias: A.Identifier | null = null;
    // `*` and `t.*` take no alias.
    this.OPTION({
      GATE: () => expr.kind !== 'star' && (tokenMatcher(this.LA(1), K.AS) || this.aliasAllowed()),
      DEF: () => {
        alias = this.SUBRULE(this.columnAlias);
      },
    });
    return this.ACTION(() => ({ kind: 'selectItem', span: this.span(s), expr, alias }));
  });

  /** `AS name` or, where unambiguous, just `name`. */
  columnAlias = this.RULE('columnAlias', (): A.Identifier => {
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.AS);
          return this.SUBRULE(this.ident);
        },
      },
      {
        GATE: () => this.aliasAllowed(),
        ALT: () => {
          const t = this.LA(1);
          const id = this.SUBRULE2(this.ident);
          this.ACTION(() => this.implicitAliases.push(t));
          return id;
        },
      },
    ]);
  });

  /** `*` on its own: a select item or the argument of `COUNT(*)`. */
  bareStar = this.RULE('bareStar', (): A.Expr => {
    const t = this.CONSUME(Star);
    return this.ACTION((): A.Expr => ({ kind: 'star', span: tokenSpan(t), qualifier: [] }));
  });

  groupByClause = this.RULE('groupByClause', (): A.GroupBy => {
    const s = this.CONSUME(K.GROUP);
    this.CONSUME(K.BY);
    let distinct = false;
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(K.ALL) },
        {
          ALT: () => {
            this.CONSUME(K.DISTINCT);
            distinct = true;
          },
        },
      ]);
    });
    const elements: A.GroupingElement[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => elements.push(this.SUBRULE(this.groupingElement)) });
    return this.ACTION(() => ({ kind: 'groupBy', span: this.span(s), distinct, elements }));
  });

  groupingElement = this.RULE('groupingElement', (): A.GroupingElement => {
    const s = this.LA(1);
    return this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: () => {
            this.CONSUME(K.GROUPING);
            this.CONSUME(K.SETS);
            this.CONSUME(LParen);
            const sets: A.GroupingElement[] = [];
            this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => sets.push(this.SUBRULE(this.groupingElement)) });
            this.CONSUME(RParen);
            return this.ACTION((): A.GroupingElement => ({ kind: 'groupingSets', span: this.span(s), sets }));
          },
        },
        {
          ALT: () => {
            const kw = this.OR2([{ ALT: () => this.CONSUME(K.ROLLUP) }, { ALT: () => this.CONSUME(K.CUBE) }]);
            this.CONSUME2(LParen);
            const items = this.SUBRULE(this.exprList);
            this.CONSUME2(RParen);
            return this.ACTION(
              (): A.GroupingElement => ({
                kind: kw.image.toUpperCase() === 'ROLLUP' ? 'rollup' : 'cube',
                span: this.span(s),
                items,
              }),
            );
          },
        },
        {
          ALT: () => {
            this.CONSUME3(LParen);
            this.CONSUME3(RParen);
            return this.ACTION((): A.GroupingElement => ({ kind: 'emptyGroupingSet', span: this.span(s) }));
          },
        },
        { ALT: () => this.SUBRULE(this.expr) },
      ],
    });
  });

  exprList = this.RULE('exprList', (): A.Expr[] => {
    const items: A.Expr[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => items.push(this.SUBRULE(this.expr)) });
    return items;
  });

  namedWindow = this.RULE('namedWindow', (): A.NamedWindow => {
    const s = this.LA(1);
    const name = this.SUBRULE(this.ident);
    this.CONSUME(K.AS);
    const spec = this.SUBRULE(this.windowSpec);
    return this.ACTION(() => ({ kind: 'namedWindow', span: this.span(s), name, spec }));
  });

  windowSpec = this.RULE('windowSpec', (): A.WindowSpec => {
    const s = this.CONSUME(LParen);
    let base: A.Identifier | null = null;
    let partitionBy: A.Expr[] = [];
    let orderBy: A.OrderItem[] = [];
    let frame: A.WindowFrame | null = null;
    this.OPTION({
      GATE: () => {
        const t = this.LA(1);
        return !tokenMatcher(t, K.PARTITION) && !tokenMatcher(t, K.ROWS) && !tokenMatcher(t, K.RANGE);
      },
      DEF: () => {
        base = this.SUBRULE(this.ident);
      },
    });
    this.OPTION2(() => {
      this.CONSUME(K.PARTITION);
      this.CONSUME(K.BY);
      partitionBy = this.SUBRULE(this.exprList);
    });
    this.OPTION3(() => {
      this.CONSUME(K.ORDER);
      this.CONSUME2(K.BY);
      orderBy = this.SUBRULE(this.orderItems);
    });
    this.OPTION4(() => {
      frame = this.SUBRULE(this.windowFrame);
    });
    this.CONSUME(RParen);
    return this.ACTION(() => ({ kind: 'windowSpec', span: this.span(s), base, partitionBy, orderBy, frame }));
  });

  windowFrame = this.RULE('windowFrame', (): A.WindowFrame => {
    const s = this.LA(1);
    const unit = this.OR([
      {
        ALT: () => {
          this.CONSUME(K.ROWS);
          return 'ROWS' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.RANGE);
          return 'RANGE' as const;
        },
      },
    ]);
    return this.OR2([
      {
        ALT: () => {
          this.CONSUME(K.BETWEEN);
          const start = this.SUBRULE(this.frameBound);
          this.CONSUME(K.AND);
          const end = this.SUBRULE2(this.frameBound);
          return this.ACTION(
            (): A.WindowFrame => ({ kind: 'windowFrame', span: this.span(s), unit, start, end }),
          );
        },
      },
      {
        ALT: () => {
          const start = this.SUBRULE3(this.frameBound);
          return this.ACTION(
            (): A.WindowFrame => ({ kind: 'windowFrame', span: this.span(s), unit, start, end: null }),
          );
        },
      },
    ]);
  });

  frameBound = this.RULE('frameBound', (): A.FrameBound => {
    const s = this.LA(1);
    return this.OR({
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        {
          ALT: () => {
            this.CONSUME(K.UNBOUNDED);
            const b = this.OR2([
              {
                ALT: () => {
                  this.CONSUME(K.PRECEDING);
                  return 'UNBOUNDED_PRECEDING' as const;
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.FOLLOWING);
                  return 'UNBOUNDED_FOLLOWING' as const;
                },
              },
            ]);
            return this.ACTION(
              (): A.FrameBound => ({ kind: 'frameBound', span: this.span(s), bound: b, offset: null }),
            );
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.CURRENT);
            this.CONSUME(K.ROW);
            return this.ACTION(
              (): A.FrameBound => ({
                kind: 'frameBound',
                span: this.span(s),
                bound: 'CURRENT_ROW',
                offset: null,
              }),
            );
          },
        },
        {
          ALT: () => {
            const offset = this.SUBRULE(this.concatExpr);
            const b = this.OR3([
              {
                ALT: () => {
                  this.CONSUME2(K.PRECEDING);
                  return 'PRECEDING' as const;
                },
              },
              {
                ALT: () => {
                  this.CONSUME2(K.FOLLOWING);
                  return 'FOLLOWING' as const;
                },
              },
            ]);
            return this.ACTION(
              (): A.FrameBound => ({ kind: 'frameBound', span: this.span(s), bound: b, offset }),
            );
          },
        },
      ],
    });
  });

  // -------------------------------------------------------------------------------------------------
  // FROM

  fromClause = this.RULE('fromClause', (): A.TableRef => {
    let left = this.SUBRULE(this.tableRef);
    this.MANY(() => {
      this.CONSUME(Comma);
      const right = this.SUBRULE2(this.tableRef);
      left = this.ACTION(
        (): A.TableRef => ({
          kind: 'join',
          span: this.spanAfter(left.span),
          joinType: 'COMMA',
          natural: false,
          left,
          right,
          condition: null,
        }),
      );
    });
    return left;
  });

  tableRef = this.RULE('tableRef', (): A.TableRef => {
    let left = this.SUBRULE(this.tablePrimary);
    this.MANY(() => {
      const l = left;
      left = this.SUBRULE(this.joinRest, { ARGS: [l] });
    });
    return left;
  });

  joinRest = this.RULE('joinRest', (left: A.TableRef): A.JoinRef => {
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.CROSS);
          this.CONSUME(K.JOIN);
          const right = this.SUBRULE(this.tablePrimary);
          return this.ACTION(
            (): A.JoinRef => ({
              kind: 'join',
              span: this.spanAfter(left.span),
              joinType: 'CROSS',
              natural: false,
              left,
              right,
              condition: null,
            }),
          );
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.NATURAL);
          const joinType = this.SUBRULE(this.joinType);
          this.CONSUME2(K.JOIN);
          const right = this.SUBRULE2(this.tablePrimary);
          return this.ACTION(
            (): A.JoinRef => ({
              kind: 'join',
              span: this.spanAfter(left.span),
              joinType,
              natural: true,
              left,
              right,
              condition: null,
            }),
          );
        },
      },
      {
        ALT: () => {
          const joinType = this.SUBRULE2(this.joinType);
          this.CONSUME3(K.JOIN);
          const right = this.SUBRULE3(this.tablePrimary);
          const cs = this.LA(1);
          const condition = this.OR2([
            {
              ALT: () => {
                this.CONSUME(K.ON);
                const expr = this.SUBRULE(this.expr);
                return this.ACTION((): A.JoinOn => ({ kind: 'joinOn', span: this.span(cs), expr }));
              },
            },
            {
              ALT: () => {
                this.CONSUME(K.USING);
                const columns = this.SUBRULE(this.identList);
                return this.ACTION((): A.JoinUsing => ({ kind: 'joinUsing', span: this.span(cs), columns }));
              },
            },
          ]);
          return this.ACTION(
            (): A.JoinRef => ({
              kind: 'join',
              span: this.spanAfter(left.span),
              joinType,
              natural: false,
              left,
              right,
              condition,
            }),
          );
        },
      },
    ]);
  });

  joinType = this.RULE('joinType', (): 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' => {
    let t: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' = 'INNER';
    this.OPTION(() => {
      t = this.OR([
        {
          ALT: () => {
            this.CONSUME(K.INNER);
            return 'INNER' as const;
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.LEFT);
            this.OPTION2(() => this.CONSUME(K.OUTER));
            return 'LEFT' as const;
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.RIGHT);
            this.OPTION3(() => this.CONSUME2(K.OUTER));
            return 'RIGHT' as const;
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.FULL);
            this.OPTION4(() => this.CONSUME3(K.OUTER));
            return 'FULL' as const;
          },
        },
      ]);
    });
    return t;
  });

  tableAlias = this.RULE('tableAlias', (): A.Alias => {
    const s = this.LA(1);
    const name = this.SUBRULE(this.columnAlias);
    let columns: A.Identifier[] = [];
    this.OPTION(() => {
      columns = this.SUBRULE(this.identList);
    });
    return this.ACTION(() => ({ kind: 'alias', span: this.span(s), name, columns }));
  });

  optionalAlias = this.RULE('optionalAlias', (): A.Alias | null => {
    let alias: A.Alias | null = null;
    this.OPTION({
      GATE: () => tokenMatcher(this.LA(1), K.AS) || this.aliasAllowed(),
      DEF: () => {
        alias = this.SUBRULE(this.tableAlias);
      },
    });
    return alias;
  });

  tablePrimary = this.RULE('tablePrimary', (): A.TableRef => {
    const s = this.LA(1);
    let ref = this.OR({
      IGNORE_AMBIGUITIES: true,
      // Commit on `(` so that `FROM (* FROM t)` is reported inside the parentheses.
      MAX_LOOKAHEAD: 1,
      DEF: [
        {
          ALT: () => {
            this.CONSUME(K.LATERAL);
            return this.OR2([
              { ALT: () => this.SUBRULE(this.tableFunction, { ARGS: [s, true] }) },
              { ALT: () => this.SUBRULE(this.subqueryRef, { ARGS: [s, true] }) },
            ]);
          },
        },
        { ALT: () => this.SUBRULE2(this.tableFunction, { ARGS: [s, false] }) },
        { ALT: () => this.SUBRULE(this.unnestRef) },
        {
          GATE: () => this.parenQueryAhead(),
          ALT: () => this.SUBRULE2(this.subqueryRef, { ARGS: [s, false] }),
        },
        {
          ALT: () => {
            const open = this.CONSUME(LParen);
            const inner = this.SUBRULE(this.tableRef);
            this.CONSUME(RParen);
            return this.ACTION((): A.TableRef => ({ ...inner, span: this.span(open) }));
          },
        },
        { ALT: () => this.SUBRULE(this.tableNameRef) },
      ],
    });
    this.MANY(() => {
      const input = ref;
      ref = this.SUBRULE(this.matchRecognize, { ARGS: [input] });
    });
    return ref;
  });

  tableNameRef = this.RULE('tableNameRef', (): A.TableName => {
    const s = this.LA(1);
    const name = this.SUBRULE(this.qualifiedName);
    let systemTime: A.SystemTimeClause | null = null;
    this.OPTION(() => {
      systemTime = this.SUBRULE(this.systemTimeClause);
    });
    const alias = this.SUBRULE(this.optionalAlias);
    return this.ACTION(() => ({ kind: 'tableName', span: this.span(s), name, systemTime, alias }));
  });

  systemTimeClause = this.RULE('systemTimeClause', (): A.SystemTimeClause => {
    const s = this.CONSUME(K.FOR);
    this.CONSUME(K.SYSTEM_TIME);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.AS);
          this.CONSUME(K.OF);
          const at = this.SUBRULE(this.concatExpr);
          return this.ACTION((): A.SystemTimeClause => ({ kind: 'systemTimeAsOf', span: this.span(s), at }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.FROM);
          const from = this.SUBRULE2(this.concatExpr);
          this.CONSUME(K.TO);
          const to = this.SUBRULE3(this.concatExpr);
          return this.ACTION(
            (): A.SystemTimeClause => ({
              kind: 'systemTimeRange',
              span: this.span(s),
              mode: 'FROM_TO',
              from,
              to,
            }),
          );
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.BETWEEN);
          const from = this.SUBRULE4(this.concatExpr);
          this.CONSUME(K.AND);
          const to = this.SUBRULE5(this.concatExpr);
          return this.ACTION(
            (): A.SystemTimeClause => ({
              kind: 'systemTimeRange',
              span: this.span(s),
              mode: 'BETWEEN',
              from,
              to,
            }),
          );
        },
      },
    ]);
  });

  subqueryRef = this.RULE('subqueryRef', (s: IToken, lateral: boolean): A.SubqueryRef => {
    this.CONSUME(LParen);
    const query = this.SUBRULE(this.query);
    this.CONSUME(RParen);
    const alias = this.SUBRULE(this.optionalAlias);
    return this.ACTION(() => ({ kind: 'subquery', span: this.span(s), lateral, query, alias }));
  });

  tableFunction = this.RULE('tableFunction', (s: IToken, lateral: boolean): A.TableFunctionRef => {
    this.CONSUME(K.TABLE);
    this.CONSUME(LParen);
    const name = this.SUBRULE(this.qualifiedName);
    this.CONSUME2(LParen);
    const args: A.TableFunctionArg[] = [];
    this.MANY_SEP({ SEP: Comma, DEF: () => args.push(this.SUBRULE(this.tableFunctionArg)) });
    this.CONSUME(RParen);
    this.CONSUME2(RParen);
    const alias = this.SUBRULE(this.optionalAlias);
    return this.ACTION(() => ({ kind: 'tableFunction', span: this.span(s), lateral, name, args, alias }));
  });

  tableFunctionArg = this.RULE('tableFunctionArg', (): A.TableFunctionArg => {
    const s = this.LA(1);
    let name: A.Identifier | null = null;
    this.OPTION({
      GATE: () => tokenMatcher(this.LA(2), Arrow),
      DEF: () => {
        name = this.SUBRULE(this.ident);
        this.CONSUME(Arrow);
      },
    });
    const value = this.OR([
      { ALT: (): A.Expr | A.TableArgument => this.SUBRULE(this.tableArgument) },
      { ALT: (): A.Expr | A.TableArgument => this.SUBRULE(this.expr) },
    ]);
    return this.ACTION(() => ({ kind: 'tableFunctionArg', span: this.span(s), name, value }));
  });

  tableArgument = this.RULE('tableArgument', (): A.TableArgument => {
    const s = this.CONSUME(K.TABLE);
    const table = this.SUBRULE(this.qualifiedName);
    let partitionBy: A.Expr[] = [];
    let orderBy: A.OrderItem[] = [];
    // A table argument is followed by more arguments, so its keys are one expression or a parenthesized
    // list: `TABLE t PARTITION BY (a, b), DESCRIPTOR(ts), ...`.
    this.OPTION(() => {
      this.CONSUME(K.PARTITION);
      this.CONSUME(K.BY);
      const keys = this.SUBRULE(this.expr);
      partitionBy = this.ACTION(() => (keys.kind === 'row' && !keys.explicit ? [...keys.fields] : [keys]));
    });
    // One ordering key, for the same reason.
    this.OPTION2(() => {
      this.CONSUME(K.ORDER);
      this.CONSUME2(K.BY);
      orderBy = [this.SUBRULE(this.orderItem)];
    });
    return this.ACTION(() => ({ kind: 'tableArgument', span: this.span(s), table, partitionBy, orderBy }));
  });

  unnestRef = this.RULE('unnestRef', (): A.UnnestRef => {
    const s = this.CONSUME(K.UNNEST);
    this.CONSUME(LParen);
    const args = this.SUBRULE(this.exprList);
    this.CONSUME(RParen);
    let withOrdinality = false;
    this.OPTION(() => {
      this.CONSUME(K.WITH);
      this.CONSUME(K.ORDINALITY);
      withOrdinality = true;
    });
    const alias = this.SUBRULE(this.optionalAlias);
    return this.ACTION(() => ({ kind: 'unnest', span: this.span(s), args, withOrdinality, alias }));
  });

  // -------------------------------------------------------------------------------------------------
  // MATCH_RECOGNIZE

  matchRecognize = this.RULE('matchRecognize', (input: A.TableRef): A.MatchRecognizeRef => {
    this.CONSUME(K.MATCH_RECOGNIZE);
    this.CONSUME(LParen);
    let partitionBy: A.Expr[] = [];
    let orderBy: A.OrderItem[] = [];
    const measures: A.Measure[] = [];
    let rowsPerMatch: A.RowsPerMatch | null = null;
    let afterMatchSkip: A.AfterMatchSkip | null = null;
    let mode: 'INITIAL' | 'SEEK' | null = null;
    let within: A.IntervalLiteral | null = null;
    const subsets: A.SubsetDefinition[] = [];
    const definitions: A.PatternDefinition[] = [];
    this.OPTION(() => {
      this.CONSUME(K.PARTITION);
      this.CONSUME(K.BY);
      partitionBy = this.SUBRULE(this.exprList);
    });
    this.OPTION2(() => {
      this.CONSUME(K.ORDER);
      this.CONSUME2(K.BY);
      orderBy = this.SUBRULE(this.orderItems);
    });
    this.OPTION3(() => {
      this.CONSUME(K.MEASURES);
      this.AT_LEAST_ONE_SEP({
        SEP: Comma,
        DEF: () => {
          const ms = this.LA(1);
          const expr = this.SUBRULE(this.expr);
          this.CONSUME(K.AS);
          const name = this.SUBRULE(this.ident);
          this.ACTION(() => measures.push({ kind: 'measure', span: this.span(ms), expr, name }));
        },
      });
    });
    this.OPTION4(() => {
      rowsPerMatch = this.SUBRULE(this.rowsPerMatch);
    });
    this.OPTION5(() => {
      afterMatchSkip = this.SUBRULE(this.afterMatchSkip);
    });
    this.OPTION6(() => {
      mode = this.OR([
        {
          ALT: () => {
            this.CONSUME(K.INITIAL);
            return 'INITIAL' as const;
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.SEEK);
            return 'SEEK' as const;
          },
        },
      ]);
    });
    this.CONSUME(PatternOpen);
    const pattern = this.SUBRULE(this.rowPattern);
    this.CONSUME(RParen);
    this.OPTION7(() => {
      this.CONSUME(K.WITHIN);
      within = this.SUBRULE(this.intervalLiteral);
    });
    this.OPTION8(() => {
      this.CONSUME(K.SUBSET);
      this.AT_LEAST_ONE_SEP2({
        MAX_LOOKAHEAD: 1,
        SEP: Comma,
        DEF: () => {
          const ss = this.LA(1);
          const name = this.SUBRULE2(this.ident);
          this.CONSUME(Equals);
          const variables = this.SUBRULE(this.identList);
          this.ACTION(() => subsets.push({ kind: 'subset', span: this.span(ss), name, variables }));
        },
      });
    });
    this.CONSUME(K.DEFINE);
    this.AT_LEAST_ONE_SEP3({
      SEP: Comma,
      DEF: () => {
        const ds = this.LA(1);
        const variable = this.SUBRULE3(this.ident);
        this.CONSUME2(K.AS);
        const condition = this.SUBRULE2(this.expr);
        this.ACTION(() =>
          definitions.push({ kind: 'patternDefinition', span: this.span(ds), variable, condition }),
        );
      },
    });
    this.CONSUME2(RParen);
    const alias = this.SUBRULE(this.optionalAlias);
    return this.ACTION(() => ({
      kind: 'matchRecognize',
      span: this.spanAfter(input.span),
      input,
      partitionBy,
      orderBy,
      measures,
      rowsPerMatch,
      afterMatchSkip,
      mode,
      pattern,
      within,
      subsets,
      definitions,
      alias,
    }));
  });

  rowsPerMatch = this.RULE('rowsPerMatch', (): A.RowsPerMatch => {
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.ONE);
          this.CONSUME(K.ROW);
          this.CONSUME(K.PER);
          this.CONSUME(K.MATCH);
          return 'ONE_ROW_PER_MATCH' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.ALL);
          this.CONSUME(K.ROWS);
          this.CONSUME2(K.PER);
          this.CONSUME2(K.MATCH);
          let r: A.RowsPerMatch = 'ALL_ROWS_PER_MATCH';
          this.OPTION(() => {
            r = this.OR2([
              {
                ALT: () => {
                  this.CONSUME(K.SHOW);
                  this.CONSUME(K.EMPTY);
                  this.CONSUME(K.MATCHES);
                  return 'ALL_ROWS_PER_MATCH_SHOW_EMPTY' as const;
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.OMIT);
                  this.CONSUME2(K.EMPTY);
                  this.CONSUME2(K.MATCHES);
                  return 'ALL_ROWS_PER_MATCH_OMIT_EMPTY' as const;
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.WITH);
                  this.CONSUME(K.UNMATCHED);
                  this.CONSUME2(K.ROWS);
                  return 'ALL_ROWS_PER_MATCH_WITH_UNMATCHED' as const;
                },
              },
            ]);
          });
          return r;
        },
      },
    ]);
  });

  afterMatchSkip = this.RULE('afterMatchSkip', (): A.AfterMatchSkip => {
    const s = this.CONSUME(K.AFTER);
    this.CONSUME(K.MATCH);
    this.CONSUME(K.SKIP);
    const target = this.OR([
      {
        ALT: (): SkipTarget => {
          this.CONSUME(K.PAST);
          this.CONSUME(K.LAST);
          this.CONSUME(K.ROW);
          return ['PAST_LAST_ROW', null];
        },
      },
      {
        ALT: (): SkipTarget => {
          this.CONSUME(K.TO);
          return this.OR2({
            IGNORE_AMBIGUITIES: true,
            DEF: [
              {
                GATE: () => tokenMatcher(this.LA(2), K.ROW),
                ALT: (): SkipTarget => {
                  this.CONSUME(K.NEXT);
                  this.CONSUME2(K.ROW);
                  return ['NEXT_ROW', null];
                },
              },
              {
                GATE: () => tokenMatcher(this.LA(2), Ident),
                ALT: (): SkipTarget => {
                  this.CONSUME(K.FIRST);
                  return ['FIRST', this.SUBRULE(this.ident)];
                },
              },
              {
                GATE: () => tokenMatcher(this.LA(2), Ident),
                ALT: (): SkipTarget => {
                  this.CONSUME2(K.LAST);
                  return ['LAST', this.SUBRULE2(this.ident)];
                },
              },
              { ALT: (): SkipTarget => ['VARIABLE', this.SUBRULE3(this.ident)] },
            ],
          });
        },
      },
    ]);
    return this.ACTION(() => ({
      kind: 'afterMatchSkip',
      span: this.span(s),
      to: target[0],
      variable: target[1],
    }));
  });

  /** Alternation: `a | b | c`. */
  rowPattern = this.RULE('rowPattern', (): A.RowPattern => {
    const s = this.LA(1);
    const alternatives = [this.SUBRULE(this.patternConcat)];
    this.MANY(() => {
      this.CONSUME(Pipe);
      alternatives.push(this.SUBRULE2(this.patternConcat));
    });
    return this.ACTION(() =>
      alternatives.length === 1
        ? alternatives[0]!
        : { kind: 'patternAlternation', span: this.span(s), alternatives },
    );
  });

  patternConcat = this.RULE('patternConcat', (): A.RowPattern => {
    const s = this.LA(1);
    const items: A.RowPattern[] = [];
    this.AT_LEAST_ONE(() => items.push(this.SUBRULE(this.patternFactor)));
    return this.ACTION(() =>
      items.length === 1 ? items[0]! : { kind: 'patternConcat', span: this.span(s), items },
    );
  });

  patternFactor = this.RULE('patternFactor', (): A.RowPattern => {
    const s = this.LA(1);
    let p = this.SUBRULE(this.patternPrimary);
    this.OPTION(() => {
      const bounds = this.OR([
        {
          ALT: (): [number, number | null] => {
            this.CONSUME(Star);
            return [0, null];
          },
        },
        {
          ALT: (): [number, number | null] => {
            this.CONSUME(Plus);
            return [1, null];
          },
        },
        {
          ALT: (): [number, number | null] => {
            this.CONSUME(Question);
            return [0, 1];
          },
        },
        { ALT: (): [number, number | null] => this.SUBRULE(this.braceQuantifier) },
      ]);
      let reluctant = false;
      this.OPTION2(() => {
        this.CONSUME2(Question);
        reluctant = true;
      });
      const inner = p;
      p = this.ACTION(
        (): A.RowPattern => ({
          kind: 'patternQuantified',
          span: this.span(s),
          pattern: inner,
          min: bounds[0],
          max: bounds[1],
          reluctant,
        }),
      );
    });
    return p;
  });

  braceQuantifier = this.RULE('braceQuantifier', (): [number, number | null] => {
    const open = this.CONSUME(LBrace);
    let min: number | null = null;
    let max: number | null = null;
    let comma = false;
    this.OPTION(() => {
      const t = this.CONSUME(NumberLiteral);
      min = this.ACTION(() => this.integer(t));
    });
    this.OPTION2(() => {
      this.CONSUME(Comma);
      comma = true;
      this.OPTION3(() => {
        const t = this.CONSUME2(NumberLiteral);
        max = this.ACTION(() => this.integer(t));
      });
    });
    this.CONSUME(RBrace);
    return this.ACTION((): [number, number | null] => {
      if (min === null && max === null) this.fail(open, 'a quantifier {n,m} needs at least one bound');
      const lo: number = min ?? 0;
      const hi: number | null = comma ? max : lo;
      if (hi !== null && hi < lo)
        this.fail(open, `quantifier {${lo},${hi}}: the maximum is below the minimum`);
      return [lo, hi];
    });
  });

  patternPrimary = this.RULE('patternPrimary', (): A.RowPattern => {
    const s = this.LA(1);
    return this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => tokenMatcher(this.LA(2), LParen),
          ALT: () => {
            this.CONSUME(K.PERMUTE);
            this.CONSUME(LParen);
            const items: A.RowPattern[] = [];
            this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => items.push(this.SUBRULE(this.rowPattern)) });
            this.CONSUME(RParen);
            return this.ACTION((): A.RowPattern => ({ kind: 'patternPermute', span: this.span(s), items }));
          },
        },
        {
          ALT: () => {
            const name = this.SUBRULE(this.ident);
            return this.ACTION((): A.RowPattern => ({ kind: 'patternVariable', span: name.span, name }));
          },
        },
        {
          ALT: () => {
            this.CONSUME2(LParen);
            let inner: A.RowPattern | null = null;
            this.OPTION(() => {
              inner = this.SUBRULE2(this.rowPattern);
            });
            this.CONSUME2(RParen);
            return this.ACTION((): A.RowPattern => inner ?? { kind: 'patternEmpty', span: this.span(s) });
          },
        },
        {
          ALT: () => {
            this.CONSUME(Caret);
            return this.ACTION(
              (): A.RowPattern => ({ kind: 'patternAnchor', span: this.span(s), anchor: 'START' }),
            );
          },
        },
        {
          ALT: () => {
            this.CONSUME(Dollar);
            return this.ACTION(
              (): A.RowPattern => ({ kind: 'patternAnchor', span: this.span(s), anchor: 'END' }),
            );
          },
        },
        {
          ALT: () => {
            this.CONSUME(ExclusionOpen);
            const pattern = this.SUBRULE3(this.rowPattern);
            this.CONSUME(ExclusionClose);
            return this.ACTION(
              (): A.RowPattern => ({ kind: 'patternExclusion', span: this.span(s), pattern }),
            );
          },
        },
      ],
    });
  });

  // -------------------------------------------------------------------------------------------------
  // Expressions

  expr = this.RULE('expr', (): A.Expr => {
    let left = this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(K.OR);
      const right = this.SUBRULE2(this.andExpr);
      const l = left;
      left = this.ACTION(
        (): A.Expr => ({ kind: 'binary', span: this.spanAfter(l.span), op: 'OR', left: l, right }),
      );
    });
    return left;
  });

  andExpr = this.RULE('andExpr', (): A.Expr => {
    let left = this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(K.AND);
      const right = this.SUBRULE2(this.notExpr);
      const l = left;
      left = this.ACTION(
        (): A.Expr => ({ kind: 'binary', span: this.spanAfter(l.span), op: 'AND', left: l, right }),
      );
    });
    return left;
  });

  notExpr = this.RULE('notExpr', (): A.Expr => {
    return this.OR(
      this.memo('notExpr', () => [
        {
          ALT: () => {
            const s = this.CONSUME(K.NOT);
            const operand = this.SUBRULE(this.notExpr);
            return this.ACTION((): A.Expr => ({ kind: 'unary', span: this.span(s), op: 'NOT', operand }));
          },
        },
        { ALT: () => this.SUBRULE(this.predicate) },
      ]),
    );
  });

  predicate = this.RULE('predicate', (): A.Expr => {
    let left = this.SUBRULE(this.concatExpr);
    this.MANY(() => {
      const l = left;
      left = this.SUBRULE(this.predicateRest, { ARGS: [l] });
    });
    return left;
  });

  predicateRest = this.RULE('predicateRest', (left: A.Expr): A.Expr => {
    return this.OR([
      { ALT: () => this.SUBRULE(this.comparisonRest, { ARGS: [left] }) },
      { ALT: () => this.SUBRULE(this.isRest, { ARGS: [left] }) },
      {
        ALT: () => {
          let not = false;
          this.OPTION(() => {
            this.CONSUME(K.NOT);
            not = true;
          });
          return this.SUBRULE(this.negatableRest, { ARGS: [left, not] });
        },
      },
    ]);
  });

  comparisonRest = this.RULE('comparisonRest', (left: A.Expr): A.Expr => {
    const opTok = this.OR(
      this.memo('comparisonOps', () => COMPARISON_TOKENS.map((t) => ({ ALT: () => this.CONSUME(t) }))),
    );
    return this.OR2([
      {
        ALT: () => {
          const q = this.OR3([
            { ALT: () => this.CONSUME(K.ANY) },
            { ALT: () => this.CONSUME(K.SOME) },
            { ALT: () => this.CONSUME(K.ALL) },
          ]);
          this.CONSUME(LParen);
          const query = this.SUBRULE(this.query);
          this.CONSUME(RParen);
          return this.ACTION(
            (): A.Expr => ({
              kind: 'quantifiedComparison',
              span: this.spanAfter(left.span),
              op: comparisonOp(opTok),
              quantifier: q.image.toUpperCase() === 'ALL' ? 'ALL' : 'ANY',
              left,
              query,
            }),
          );
        },
      },
      {
        ALT: () => {
          const right = this.SUBRULE(this.concatExpr);
          return this.ACTION(
            (): A.Expr => ({
              kind: 'binary',
              span: this.spanAfter(left.span),
              op: comparisonOp(opTok),
              left,
              right,
            }),
          );
        },
      },
    ]);
  });

  isRest = this.RULE('isRest', (left: A.Expr): A.Expr => {
    this.CONSUME(K.IS);
    let not = false;
    this.OPTION(() => {
      this.CONSUME(K.NOT);
      not = true;
    });
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.DISTINCT);
          this.CONSUME(K.FROM);
          const right = this.SUBRULE(this.concatExpr);
          return this.ACTION(
            (): A.Expr => ({ kind: 'isDistinctFrom', span: this.spanAfter(left.span), not, left, right }),
          );
        },
      },
      {
        ALT: () => {
          const t = this.OR2([
            { ALT: () => this.CONSUME(K.NULL) },
            { ALT: () => this.CONSUME(K.TRUE) },
            { ALT: () => this.CONSUME(K.FALSE) },
            { ALT: () => this.CONSUME(K.UNKNOWN) },
          ]);
          return this.ACTION(
            (): A.Expr => ({
              kind: 'is',
              span: this.spanAfter(left.span),
              expr: left,
              not,
              test: t.image.toUpperCase() as A.IsExpr['test'],
            }),
          );
        },
      },
    ]);
  });

  negatableRest = this.RULE('negatableRest', (left: A.Expr, not: boolean): A.Expr => {
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.BETWEEN);
          let symmetric = false;
          this.OPTION(() => {
            this.OR2([
              { ALT: () => this.CONSUME(K.ASYMMETRIC) },
              {
                ALT: () => {
                  this.CONSUME(K.SYMMETRIC);
                  symmetric = true;
                },
              },
            ]);
          });
          const low = this.SUBRULE(this.concatExpr);
          this.CONSUME(K.AND);
          const high = this.SUBRULE2(this.concatExpr);
          return this.ACTION(
            (): A.Expr => ({
              kind: 'between',
              span: this.spanAfter(left.span),
              expr: left,
              not,
              symmetric,
              low,
              high,
            }),
          );
        },
      },
      {
        ALT: () => {
          const op = this.OR3([
            {
              ALT: () => {
                this.CONSUME(K.LIKE);
                return 'LIKE' as const;
              },
            },
            {
              ALT: () => {
                this.CONSUME(K.SIMILAR);
                this.CONSUME(K.TO);
                return 'SIMILAR_TO' as const;
              },
            },
          ]);
          const pattern = this.SUBRULE3(this.concatExpr);
          let escapeChar: A.Expr | null = null;
          this.OPTION2(() => {
            this.CONSUME(K.ESCAPE);
            escapeChar = this.SUBRULE4(this.concatExpr);
          });
          return this.ACTION(
            (): A.Expr => ({
              kind: 'like',
              span: this.spanAfter(left.span),
              op,
              not,
              expr: left,
              pattern,
              escape: escapeChar,
            }),
          );
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.IN);
          return this.OR4({
            MAX_LOOKAHEAD: 1,
            IGNORE_AMBIGUITIES: true,
            DEF: [
              {
                GATE: () => this.parenQueryAhead(),
                ALT: () => {
                  this.CONSUME(LParen);
                  const query = this.SUBRULE(this.query);
                  this.CONSUME(RParen);
                  return this.ACTION(
                    (): A.Expr => ({
                      kind: 'inSubquery',
                      span: this.spanAfter(left.span),
                      not,
                      expr: left,
                      query,
                    }),
                  );
                },
              },
              {
                ALT: () => {
                  this.CONSUME2(LParen);
                  const list = this.SUBRULE(this.exprList);
                  this.CONSUME2(RParen);
                  return this.ACTION(
                    (): A.Expr => ({
                      kind: 'inList',
                      span: this.spanAfter(left.span),
                      not,
                      expr: left,
                      list,
                    }),
                  );
                },
              },
            ],
          });
        },
      },
    ]);
  });

  concatExpr = this.RULE('concatExpr', (): A.Expr => {
    let left = this.SUBRULE(this.additiveExpr);
    this.MANY(() => {
      this.CONSUME(Concat);
      const right = this.SUBRULE2(this.additiveExpr);
      const l = left;
      left = this.ACTION(
        (): A.Expr => ({ kind: 'binary', span: this.spanAfter(l.span), op: '||', left: l, right }),
      );
    });
    return left;
  });

  additiveExpr = this.RULE('additiveExpr', (): A.Expr => {
    let left = this.SUBRULE(this.multiplicativeExpr);
    this.MANY(() => {
      const op = this.OR(
        this.memo('additiveOps', () => [
          { ALT: () => this.CONSUME(Plus) },
          { ALT: () => this.CONSUME(Minus) },
        ]),
      );
      const right = this.SUBRULE2(this.multiplicativeExpr);
      const l = left;
      left = this.ACTION(
        (): A.Expr => ({
          kind: 'binary',
          span: this.spanAfter(l.span),
          op: op.image as '+' | '-',
          left: l,
          right,
        }),
      );
    });
    return left;
  });

  multiplicativeExpr = this.RULE('multiplicativeExpr', (): A.Expr => {
    let left = this.SUBRULE(this.unaryExpr);
    this.MANY(() => {
      const op = this.OR(
        this.memo('multiplicativeOps', () => [
          { ALT: () => this.CONSUME(Star) },
          { ALT: () => this.CONSUME(Slash) },
          { ALT: () => this.CONSUME(Percent) },
        ]),
      );
      const right = this.SUBRULE2(this.unaryExpr);
      const l = left;
      left = this.ACTION(
        (): A.Expr => ({
          kind: 'binary',
          span: this.spanAfter(l.span),
          op: op.image as '*' | '/' | '%',
          left: l,
          right,
        }),
      );
    });
    return left;
  });

  unaryExpr = this.RULE('unaryExpr', (): A.Expr => {
    return this.OR(
      this.memo('unaryExpr', () => [
        {
          ALT: () => {
            const op = this.OR2([{ ALT: () => this.CONSUME(Minus) }, { ALT: () => this.CONSUME(Plus) }]);
            const operand = this.SUBRULE(this.unaryExpr);
            return this.ACTION(
              (): A.Expr => ({ kind: 'unary', span: this.span(op), op: op.image as '-' | '+', operand }),
            );
          },
        },
        { ALT: () => this.SUBRULE(this.postfixExpr) },
      ]),
    );
  });

  postfixExpr = this.RULE('postfixExpr', (): A.Expr => {
    let e = this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(LBracket);
            const index = this.SUBRULE(this.expr);
            this.CONSUME(RBracket);
            const base = e;
            e = this.ACTION(
              (): A.Expr => ({ kind: 'elementAccess', span: this.spanAfter(base.span), expr: base, index }),
            );
          },
        },
        {
          ALT: () => {
            this.CONSUME(Dot);
            const field = this.SUBRULE(this.ident);
            const base = e;
            e = this.ACTION(
              (): A.Expr => ({ kind: 'fieldAccess', span: this.spanAfter(base.span), expr: base, field }),
            );
          },
        },
      ]);
    });
    return e;
  });

  primary = this.RULE('primary', (): A.Expr => {
    // Decided on the first token (plus gates), so that an error inside a construct is reported inside it
    // (`SELECT ()` fails at `)`, not at `(`), and so that start-up computes small lookahead tables.
    return this.OR(
      this.memo('primary', () => ({
        IGNORE_AMBIGUITIES: true,
        MAX_LOOKAHEAD: 1,
        DEF: [
          { ALT: () => this.SUBRULE(this.literal) },
          { GATE: () => tokenMatcher(this.LA(2), StringLiteral), ALT: () => this.SUBRULE(this.typedLiteral) },
          { ALT: () => this.SUBRULE(this.intervalLiteral) },
          {
            ALT: () => {
              const t = this.CONSUME(Question);
              return this.ACTION(
                (): A.Expr => ({ kind: 'parameter', span: tokenSpan(t), index: this.paramIndex++ }),
              );
            },
          },
          { ALT: () => this.SUBRULE(this.caseExpr) },
          {
            GATE: () => !tokenMatcher(this.LA(1), K.TRY_CAST) || tokenMatcher(this.LA(2), LParen),
            ALT: () => this.SUBRULE(this.castExpr),
          },
          {
            ALT: () => {
              const s = this.CONSUME(K.EXISTS);
              this.CONSUME(LParen);
              const query = this.SUBRULE(this.query);
              this.CONSUME(RParen);
              return this.ACTION((): A.Expr => ({ kind: 'exists', span: this.span(s), query }));
            },
          },
          { GATE: () => this.parenQueryAhead(), ALT: () => this.SUBRULE(this.parenQuery) },
          { ALT: () => this.SUBRULE(this.parenExpr) },
          { ALT: () => this.SUBRULE(this.constructorExpr) },
          { ALT: () => this.SUBRULE(this.niladic) },
          { GATE: () => tokenMatcher(this.LA(2), LParen), ALT: () => this.SUBRULE(this.specialFunction) },
          {
            GATE: () => tokenMatcher(this.LA(2), Ident) && tokenMatcher(this.LA(3), LParen),
            ALT: () => this.SUBRULE(this.navigationCall),
          },
          { GATE: () => tokenMatcher(this.LA(2), LParen), ALT: () => this.SUBRULE(this.reservedNameCall) },
          { ALT: () => this.SUBRULE(this.pathOrCall) },
        ],
      })),
    );
  });

  literal = this.RULE('literal', (): A.Expr => {
    return this.OR(
      this.memo('literal', () => [
        {
          ALT: () => {
            const t = this.CONSUME(NumberLiteral);
            return this.ACTION((): A.Expr => ({ kind: 'numericLiteral', span: tokenSpan(t), text: t.image }));
          },
        },
        {
          ALT: () => {
            const s = this.LA(1);
            let value = '';
            this.AT_LEAST_ONE(() => {
              const t = this.OR2([
                { ALT: () => this.CONSUME(StringLiteral) },
                { ALT: () => this.CONSUME(UnicodeStringLiteral) },
              ]);
              this.ACTION(() => {
                if (t.tokenType === StringLiteral) {
                  value += decodeString(t.image);
                } else {
                  const r = decodeUnicodeString(t.image);
                  if ('problem' in r) this.fail(t, r.problem);
                  value += r.value;
                }
              });
            });
            return this.ACTION((): A.Expr => ({ kind: 'stringLiteral', span: this.span(s), value }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(BinaryStringLiteral);
            return this.ACTION((): A.Expr => {
              const r = decodeBinaryString(t.image);
              if ('problem' in r) this.fail(t, r.problem);
              return { kind: 'binaryStringLiteral', span: tokenSpan(t), hex: r.hex };
            });
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(K.TRUE);
            return this.ACTION((): A.Expr => ({ kind: 'booleanLiteral', span: tokenSpan(t), value: true }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(K.FALSE);
            return this.ACTION((): A.Expr => ({ kind: 'booleanLiteral', span: tokenSpan(t), value: false }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(K.NULL);
            return this.ACTION((): A.Expr => ({ kind: 'nullLiteral', span: tokenSpan(t) }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(K.UNKNOWN);
            return this.ACTION((): A.Expr => ({ kind: 'unknownLiteral', span: tokenSpan(t) }));
          },
        },
      ]),
    );
  });

  typedLiteral = this.RULE('typedLiteral', (): A.Expr => {
    const s = this.LA(1);
    const type = this.OR([
      {
        ALT: () => {
          this.CONSUME(K.DATE);
          return 'DATE' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.TIME);
          return 'TIME' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.TIMESTAMP);
          return 'TIMESTAMP' as const;
        },
      },
    ]);
    const value = this.SUBRULE(this.stringValue);
    return this.ACTION((): A.Expr => ({ kind: 'typedLiteral', span: this.span(s), type, value }));
  });

  intervalLiteral = this.RULE('intervalLiteral', (): A.IntervalLiteral => {
    const s = this.CONSUME(K.INTERVAL);
    let sign: 1 | -1 = 1;
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(Minus);
            sign = -1;
          },
        },
        { ALT: () => this.CONSUME(Plus) },
      ]);
    });
    const value = this.SUBRULE(this.stringValue);
    const qualifier = this.SUBRULE(this.intervalQualifier);
    return this.ACTION(
      (): A.IntervalLiteral => ({ kind: 'intervalLiteral', span: this.span(s), sign, value, qualifier }),
    );
  });

  timeUnit = this.RULE('timeUnit', (): A.TimeUnit => {
    const t = this.OR(
      this.memo('timeUnit', () => TIME_UNIT_TOKENS.map((tt) => ({ ALT: () => this.CONSUME(tt) }))),
    );
    // Flink accepts plurals (`INTERVAL '10' MINUTES`); they mean the singular unit.
    return this.ACTION(() => {
      const u = t.image.toUpperCase();
      return (PLURAL_UNITS.has(u) ? u.slice(0, -1) : u) as A.TimeUnit;
    });
  });

  intervalQualifier = this.RULE('intervalQualifier', (): A.IntervalQualifier => {
    const s = this.LA(1);
    const start = this.SUBRULE(this.timeUnit);
    let startPrecision: number | null = null;
    let startFraction: number | null = null;
    let end: A.TimeUnit | null = null;
    let endPrecision: number | null = null;
    this.OPTION(() => {
      this.CONSUME(LParen);
      const p = this.CONSUME(NumberLiteral);
      startPrecision = this.ACTION(() => this.integer(p));
      this.OPTION2(() => {
        this.CONSUME(Comma);
        const f = this.CONSUME2(NumberLiteral);
        startFraction = this.ACTION(() => this.integer(f));
      });
      this.CONSUME(RParen);
    });
    this.OPTION3(() => {
      this.CONSUME(K.TO);
      end = this.SUBRULE2(this.timeUnit);
      this.OPTION4(() => {
        this.CONSUME2(LParen);
        const p = this.CONSUME3(NumberLiteral);
        endPrecision = this.ACTION(() => this.integer(p));
        this.CONSUME2(RParen);
      });
    });
    return this.ACTION(() => ({
      kind: 'intervalQualifier',
      span: this.span(s),
      start,
      startPrecision,
      startFraction,
      end,
      endPrecision,
    }));
  });

  caseExpr = this.RULE('caseExpr', (): A.Expr => {
    const s = this.CONSUME(K.CASE);
    let operand: A.Expr | null = null;
    this.OPTION(() => {
      operand = this.SUBRULE(this.expr);
    });
    const whens: A.WhenClause[] = [];
    this.AT_LEAST_ONE(() => {
      const ws = this.CONSUME(K.WHEN);
      const condition = this.SUBRULE2(this.expr);
      this.CONSUME(K.THEN);
      const result = this.SUBRULE3(this.expr);
      this.ACTION(() => whens.push({ kind: 'when', span: this.span(ws), condition, result }));
    });
    let elseExpr: A.Expr | null = null;
    this.OPTION2(() => {
      this.CONSUME(K.ELSE);
      elseExpr = this.SUBRULE4(this.expr);
    });
    this.CONSUME(K.END);
    return this.ACTION((): A.Expr => ({ kind: 'case', span: this.span(s), operand, whens, else: elseExpr }));
  });

  castExpr = this.RULE('castExpr', (): A.Expr => {
    const s = this.OR([{ ALT: () => this.CONSUME(K.CAST) }, { ALT: () => this.CONSUME(K.TRY_CAST) }]);
    this.CONSUME(LParen);
    const expr = this.SUBRULE(this.expr);
    this.CONSUME(K.AS);
    const type = this.SUBRULE(this.typeNode);
    this.CONSUME(RParen);
    return this.ACTION(
      (): A.Expr => ({
        kind: 'cast',
        span: this.span(s),
        try: s.image.toUpperCase() === 'TRY_CAST',
        expr,
        type,
      }),
    );
  });

  parenQuery = this.RULE('parenQuery', (): A.Expr => {
    const s = this.CONSUME(LParen);
    const query = this.SUBRULE(this.query);
    this.CONSUME(RParen);
    return this.ACTION((): A.Expr => ({ kind: 'scalarSubquery', span: this.span(s), query }));
  });

  parenExpr = this.RULE('parenExpr', (): A.Expr => {
    const s = this.CONSUME(LParen);
    const items = this.SUBRULE(this.exprList);
    this.CONSUME(RParen);
    return this.ACTION(
      (): A.Expr =>
        items.length === 1
          ? { ...items[0]!, span: this.span(s) }
          : { kind: 'row', span: this.span(s), explicit: false, fields: items },
    );
  });

  constructorExpr = this.RULE('constructorExpr', (): A.Expr => {
    return this.OR([
      {
        ALT: () => {
          const s = this.CONSUME(K.ARRAY);
          this.CONSUME(LBracket);
          let elements: A.Expr[] = [];
          this.OPTION(() => {
            elements = this.SUBRULE(this.exprList);
          });
          this.CONSUME(RBracket);
          return this.ACTION((): A.Expr => ({ kind: 'arrayConstructor', span: this.span(s), elements }));
        },
      },
      {
        ALT: () => {
          const s = this.CONSUME(K.MAP);
          this.CONSUME2(LBracket);
          let items: A.Expr[] = [];
          this.OPTION2(() => {
            items = this.SUBRULE2(this.exprList);
          });
          const close = this.CONSUME2(RBracket);
          return this.ACTION((): A.Expr => {
            if (items.length % 2 !== 0)
              this.fail(close, 'MAP[...] needs an even number of arguments: key, value, ...');
            const entries: A.MapEntry[] = [];
            for (let i = 0; i < items.length; i += 2) {
              const key = items[i]!;
              const value = items[i + 1]!;
              entries.push({ kind: 'mapEntry', span: { ...key.span, end: value.span.end }, key, value });
            }
            return { kind: 'mapConstructor', span: this.span(s), entries };
          });
        },
      },
      {
        ALT: () => {
          const s = this.CONSUME(K.ROW);
          this.CONSUME(LParen);
          let fields: A.Expr[] = [];
          this.OPTION3(() => {
            fields = this.SUBRULE3(this.exprList);
          });
          this.CONSUME(RParen);
          return this.ACTION((): A.Expr => ({ kind: 'row', span: this.span(s), explicit: true, fields }));
        },
      },
    ]);
  });

  niladic = this.RULE('niladic', (): A.Expr => {
    const t = this.OR(
      this.memo('niladic', () => NILADIC_TOKENS.map((tt) => ({ ALT: () => this.CONSUME(tt) }))),
    );
    return this.ACTION((): A.Expr => {
      const name: A.Identifier = { kind: 'identifier', span: tokenSpan(t), text: t.image, quoted: false };
      return plainCall(tokenSpan(t), { kind: 'qualifiedName', span: tokenSpan(t), parts: [name] }, []);
    });
  });

  /** Functions with keyword-separated arguments: EXTRACT, POSITION, TRIM, SUBSTRING, OVERLAY, CEIL/FLOOR, ... */
  specialFunction = this.RULE('specialFunction', (): A.Expr => {
    return this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => tokenMatcher(this.LA(2), LParen), ALT: () => this.SUBRULE(this.extractCall) },
        { GATE: () => tokenMatcher(this.LA(2), LParen), ALT: () => this.SUBRULE(this.positionCall) },
        { GATE: () => tokenMatcher(this.LA(2), LParen), ALT: () => this.SUBRULE(this.trimCall) },
        { GATE: () => tokenMatcher(this.LA(2), LParen), ALT: () => this.SUBRULE(this.substringCall) },
        { GATE: () => tokenMatcher(this.LA(2), LParen), ALT: () => this.SUBRULE(this.overlayCall) },
        { GATE: () => tokenMatcher(this.LA(2), LParen), ALT: () => this.SUBRULE(this.ceilFloorCall) },
        { GATE: () => tokenMatcher(this.LA(2), LParen), ALT: () => this.SUBRULE(this.timestampArithCall) },
        { GATE: () => tokenMatcher(this.LA(2), LParen), ALT: () => this.SUBRULE(this.descriptorCall) },
      ],
    });
  });

  extractCall = this.RULE('extractCall', (): A.Expr => {
    const s = this.CONSUME(K.EXTRACT);
    this.CONSUME(LParen);
    const unit = this.SUBRULE(this.timeUnit);
    this.CONSUME(K.FROM);
    const expr = this.SUBRULE(this.expr);
    this.CONSUME(RParen);
    return this.ACTION((): A.Expr => ({ kind: 'extract', span: this.span(s), unit, expr }));
  });

  positionCall = this.RULE('positionCall', (): A.Expr => {
    const s = this.CONSUME(K.POSITION);
    this.CONSUME(LParen);
    const needle = this.SUBRULE(this.concatExpr);
    this.CONSUME(K.IN);
    const haystack = this.SUBRULE2(this.concatExpr);
    let from: A.Expr | null = null;
    this.OPTION(() => {
      this.CONSUME(K.FROM);
      from = this.SUBRULE3(this.expr);
    });
    this.CONSUME(RParen);
    return this.ACTION((): A.Expr => ({ kind: 'position', span: this.span(s), needle, haystack, from }));
  });

  trimCall = this.RULE('trimCall', (): A.Expr => {
    const s = this.CONSUME(K.TRIM);
    this.CONSUME(LParen);
    const r = this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => {
            const t = this.LA(1);
            return tokenMatcher(t, K.BOTH) || tokenMatcher(t, K.LEADING) || tokenMatcher(t, K.TRAILING);
          },
          ALT: () => {
            const sideTok = this.OR2([
              { ALT: () => this.CONSUME(K.BOTH) },
              { ALT: () => this.CONSUME(K.LEADING) },
              { ALT: () => this.CONSUME(K.TRAILING) },
            ]);
            let chars: A.Expr | null = null;
            this.OPTION(() => {
              chars = this.SUBRULE(this.concatExpr);
            });
            this.CONSUME(K.FROM);
            const expr = this.SUBRULE(this.expr);
            return {
              side: this.ACTION(() => sideTok.image.toUpperCase() as A.TrimExpr['side']),
              chars,
              expr,
            };
          },
        },
        {
          ALT: () => {
            const first = this.SUBRULE2(this.concatExpr);
            let second: A.Expr | null = null;
            this.OPTION2(() => {
              this.CONSUME2(K.FROM);
              second = this.SUBRULE2(this.expr);
            });
            return second === null
              ? { side: null, chars: null, expr: first }
              : { side: null, chars: first, expr: second };
          },
        },
      ],
    });
    this.CONSUME(RParen);
    return this.ACTION((): A.Expr => ({ kind: 'trim', span: this.span(s), ...r }));
  });

  substringCall = this.RULE('substringCall', (): A.Expr => {
    const s = this.CONSUME(K.SUBSTRING);
    this.CONSUME(LParen);
    const expr = this.SUBRULE(this.expr);
    let start: A.Expr | null = null;
    let length: A.Expr | null = null;
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.FROM);
          start = this.SUBRULE2(this.expr);
          this.OPTION(() => {
            this.CONSUME(K.FOR);
            length = this.SUBRULE3(this.expr);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(Comma);
          start = this.SUBRULE4(this.expr);
          this.OPTION2(() => {
            this.CONSUME2(Comma);
            length = this.SUBRULE5(this.expr);
          });
        },
      },
    ]);
    this.CONSUME(RParen);
    return this.ACTION(
      (): A.Expr => ({ kind: 'substring', span: this.span(s), expr, start: start!, length }),
    );
  });

  overlayCall = this.RULE('overlayCall', (): A.Expr => {
    const s = this.CONSUME(K.OVERLAY);
    this.CONSUME(LParen);
    const expr = this.SUBRULE(this.expr);
    this.CONSUME(K.PLACING);
    const placing = this.SUBRULE2(this.expr);
    this.CONSUME(K.FROM);
    const start = this.SUBRULE3(this.expr);
    let length: A.Expr | null = null;
    this.OPTION(() => {
      this.CONSUME(K.FOR);
      length = this.SUBRULE4(this.expr);
    });
    this.CONSUME(RParen);
    return this.ACTION((): A.Expr => ({ kind: 'overlay', span: this.span(s), expr, placing, start, length }));
  });

  ceilFloorCall = this.RULE('ceilFloorCall', (): A.Expr => {
    const s = this.OR([
      { ALT: () => this.CONSUME(K.CEIL) },
      { ALT: () => this.CONSUME(K.CEILING) },
      { ALT: () => this.CONSUME(K.FLOOR) },
    ]);
    this.CONSUME(LParen);
    const expr = this.SUBRULE(this.expr);
    let unit: A.TimeUnit | null = null;
    this.OPTION(() => {
      this.CONSUME(K.TO);
      unit = this.SUBRULE(this.timeUnit);
    });
    this.CONSUME(RParen);
    return this.ACTION((): A.Expr => {
      const span = this.span(s);
      if (unit !== null) {
        return {
          kind: 'ceilFloor',
          span,
          fn: s.image.toUpperCase() === 'FLOOR' ? 'FLOOR' : 'CEIL',
          expr,
          unit,
        };
      }
      const name: A.Identifier = { kind: 'identifier', span: tokenSpan(s), text: s.image, quoted: false };
      return plainCall(span, { kind: 'qualifiedName', span: tokenSpan(s), parts: [name] }, [expr]);
    });
  });

  timestampArithCall = this.RULE('timestampArithCall', (): A.Expr => {
    const s = this.OR([
      { ALT: () => this.CONSUME(K.TIMESTAMPADD) },
      { ALT: () => this.CONSUME(K.TIMESTAMPDIFF) },
    ]);
    this.CONSUME(LParen);
    const unit = this.SUBRULE(this.timeUnit);
    this.CONSUME(Comma);
    const a = this.SUBRULE(this.expr);
    this.CONSUME2(Comma);
    const b = this.SUBRULE2(this.expr);
    this.CONSUME(RParen);
    return this.ACTION(
      (): A.Expr =>
        s.image.toUpperCase() === 'TIMESTAMPADD'
          ? { kind: 'timestampAdd', span: this.span(s), unit, amount: a, timestamp: b }
          : { kind: 'timestampDiff', span: this.span(s), unit, start: a, end: b },
    );
  });

  descriptorCall = this.RULE('descriptorCall', (): A.Expr => {
    const s = this.CONSUME(K.DESCRIPTOR);
    const columns = this.SUBRULE(this.identList);
    return this.ACTION((): A.Expr => ({ kind: 'descriptor', span: this.span(s), columns }));
  });

  /** `RUNNING LAST(A.price)`, `FINAL COUNT(*)`: MATCH_RECOGNIZE running/final semantics. */
  navigationCall = this.RULE('navigationCall', (): A.Expr => {
    const s = this.LA(1);
    const sem = this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => tokenMatcher(this.LA(2), Ident) && tokenMatcher(this.LA(3), LParen),
          ALT: () => {
            this.CONSUME(K.RUNNING);
            return 'RUNNING' as const;
          },
        },
        {
          GATE: () => tokenMatcher(this.LA(2), Ident) && tokenMatcher(this.LA(3), LParen),
          ALT: () => {
            this.CONSUME(K.FINAL);
            return 'FINAL' as const;
          },
        },
      ],
    });
    const name = this.SUBRULE(this.ident);
    const call = this.SUBRULE(this.callRest, { ARGS: [s, [name]] });
    return this.ACTION((): A.Expr => ({ ...call, semantics: sem }));
  });

  /** `LEFT(s, n)`, `RIGHT(s, n)`: functions named by reserved words. */
  reservedNameCall = this.RULE('reservedNameCall', (): A.Expr => {
    const s = this.LA(1);
    const t = this.OR([{ ALT: () => this.CONSUME(K.LEFT) }, { ALT: () => this.CONSUME(K.RIGHT) }]);
    const name = this.ACTION(
      (): A.Identifier => ({ kind: 'identifier', span: tokenSpan(t), text: t.image, quoted: false }),
    );
    return this.SUBRULE(this.callRest, { ARGS: [s, [name]] });
  });

  /** `a`, `t.a`, `t.*`, `f(x)`, `db.f(x)`. */
  pathOrCall = this.RULE('pathOrCall', (): A.Expr => {
    const s = this.LA(1);
    const parts = [this.SUBRULE(this.ident)];
    let star: IToken | null = null;
    this.MANY({
      GATE: () => star === null && (tokenMatcher(this.LA(2), Ident) || tokenMatcher(this.LA(2), Star)),
      DEF: () => {
        this.CONSUME(Dot);
        this.OR([
          { ALT: () => parts.push(this.SUBRULE2(this.ident)) },
          {
            ALT: () => {
              star = this.CONSUME(Star);
            },
          },
        ]);
      },
    });
    let call: A.FunctionCall | null = null;
    this.OPTION({
      GATE: () => star === null,
      DEF: () => {
        call = this.SUBRULE(this.callRest, { ARGS: [s, parts] });
      },
    });
    return this.ACTION((): A.Expr => {
      if (call !== null) return call;
      return star !== null
        ? { kind: 'star', span: this.span(s), qualifier: parts }
        : { kind: 'columnRef', span: this.span(s), path: parts };
    });
  });

  /** The argument list and suffixes of a function call whose name has been read. */
  callRest = this.RULE('callRest', (s: IToken, nameParts: A.Identifier[]): A.FunctionCall => {
    this.CONSUME(LParen);
    let distinct = false;
    let args: A.Expr[] = [];
    this.OPTION2(() => {
      this.OR4([
        {
          ALT: () => {
            this.OR([
              { ALT: () => this.CONSUME(K.ALL) },
              {
                ALT: () => {
                  this.CONSUME(K.DISTINCT);
                  distinct = true;
                },
              },
            ]);
            args = this.SUBRULE(this.exprList);
          },
        },
        {
          ALT: () => {
            args = [this.SUBRULE(this.bareStar)];
          },
        },
        {
          ALT: () => {
            args = this.SUBRULE2(this.exprList);
          },
        },
      ]);
    });
    this.CONSUME(RParen);
    let nullTreatment: A.FunctionCall['nullTreatment'] = null;
    this.OPTION3(() => {
      nullTreatment = this.OR2([
        {
          ALT: () => {
            this.CONSUME(K.IGNORE);
            return 'IGNORE_NULLS' as const;
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.RESPECT);
            return 'RESPECT_NULLS' as const;
          },
        },
      ]);
      this.CONSUME(K.NULLS);
    });
    let withinGroup: A.OrderItem[] = [];
    this.OPTION4(() => {
      this.CONSUME(K.WITHIN);
      this.CONSUME(K.GROUP);
      this.CONSUME2(LParen);
      this.CONSUME(K.ORDER);
      this.CONSUME(K.BY);
      withinGroup = this.SUBRULE(this.orderItems);
      this.CONSUME2(RParen);
    });
    let filter: A.Expr | null = null;
    this.OPTION5({
      // `count(*) filter FROM t` names the column `filter`; anywhere else FILTER starts the clause.
      GATE: () =>
        tokenMatcher(this.LA(2), LParen) || !ALIAS_FOLLOWERS.some((t) => tokenMatcher(this.LA(2), t)),
      DEF: () => {
        this.CONSUME(K.FILTER);
        this.CONSUME3(LParen);
        this.CONSUME(K.WHERE);
        filter = this.SUBRULE(this.expr);
        this.CONSUME3(RParen);
      },
    });
    let over: A.Identifier | A.WindowSpec | null = null;
    this.OPTION6(() => {
      this.CONSUME(K.OVER);
      over = this.OR3([
        { ALT: (): A.Identifier | A.WindowSpec => this.SUBRULE(this.windowSpec) },
        { ALT: (): A.Identifier | A.WindowSpec => this.SUBRULE(this.ident) },
      ]);
    });
    return this.ACTION(() => {
      const first = nameParts[0]!;
      const last = nameParts[nameParts.length - 1]!;
      return {
        kind: 'functionCall',
        span: this.span(s),
        name: { kind: 'qualifiedName', span: { ...first.span, end: last.span.end }, parts: nameParts },
        args,
        distinct,
        semantics: null,
        nullTreatment,
        withinGroup,
        filter,
        over,
      };
    });
  });

  // -------------------------------------------------------------------------------------------------
  // Types

  typeNode = this.RULE('typeNode', (): A.TypeNode => {
    const s = this.LA(1);
    let t = this.OR([
      { ALT: () => this.SUBRULE(this.collectionType) },
      { ALT: () => this.SUBRULE(this.rowType) },
      {
        ALT: () => {
          this.CONSUME(K.INTERVAL);
          const qualifier = this.SUBRULE(this.intervalQualifier);
          return this.ACTION(
            (): A.TypeNode => ({ kind: 'intervalType', span: this.span(s), qualifier, notNull: false }),
          );
        },
      },
      { ALT: () => this.SUBRULE(this.simpleType) },
    ]);
    const notNull = this.SUBRULE(this.nullability);
    t = this.ACTION(() => ({ ...t, span: this.span(s), notNull }));
    this.MANY(() => {
      const kind = this.OR2([
        {
          ALT: () => {
            this.CONSUME(K.ARRAY);
            return 'arrayType' as const;
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.MULTISET);
            return 'multisetType' as const;
          },
        },
      ]);
      const nn = this.SUBRULE2(this.nullability);
      const element = t;
      t = this.ACTION((): A.TypeNode => ({ kind, span: this.span(s), element, notNull: nn }));
    });
    return t;
  });

  nullability = this.RULE('nullability', (): boolean => {
    let notNull = false;
    this.OPTION({
      DEF: () => {
        this.OR([
          {
            ALT: () => {
              this.CONSUME(K.NOT);
              this.CONSUME(K.NULL);
              notNull = true;
            },
          },
          { ALT: () => this.CONSUME2(K.NULL) },
        ]);
      },
    });
    return notNull;
  });

  collectionType = this.RULE('collectionType', (): A.TypeNode => {
    const s = this.LA(1);
    return this.OR([
      {
        ALT: () => {
          const kind = this.OR2([
            {
              ALT: () => {
                this.CONSUME(K.ARRAY);
                return 'arrayType' as const;
              },
            },
            {
              ALT: () => {
                this.CONSUME(K.MULTISET);
                return 'multisetType' as const;
              },
            },
          ]);
          this.CONSUME(Less);
          const element = this.SUBRULE(this.typeNode);
          this.CONSUME(Greater);
          return this.ACTION((): A.TypeNode => ({ kind, span: this.span(s), element, notNull: false }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.MAP);
          this.CONSUME2(Less);
          const key = this.SUBRULE2(this.typeNode);
          this.CONSUME(Comma);
          const value = this.SUBRULE3(this.typeNode);
          this.CONSUME2(Greater);
          return this.ACTION(
            (): A.TypeNode => ({ kind: 'mapType', span: this.span(s), key, value, notNull: false }),
          );
        },
      },
    ]);
  });

  rowType = this.RULE('rowType', (): A.TypeNode => {
    const s = this.CONSUME(K.ROW);
    const fields: A.RowTypeField[] = [];
    this.OR([
      {
        ALT: () => {
          this.CONSUME(Less);
          this.MANY_SEP({ SEP: Comma, DEF: () => fields.push(this.SUBRULE(this.rowTypeField)) });
          this.CONSUME(Greater);
        },
      },
      {
        ALT: () => {
          this.CONSUME(LParen);
          this.MANY_SEP2({ SEP: Comma, DEF: () => fields.push(this.SUBRULE2(this.rowTypeField)) });
          this.CONSUME(RParen);
        },
      },
    ]);
    return this.ACTION((): A.TypeNode => ({ kind: 'rowType', span: this.span(s), fields, notNull: false }));
  });

  rowTypeField = this.RULE('rowTypeField', (): A.RowTypeField => {
    const s = this.LA(1);
    const name = this.SUBRULE(this.ident);
    const type = this.SUBRULE(this.typeNode);
    let comment: string | null = null;
    this.OPTION(() => {
      this.CONSUME(K.COMMENT);
      comment = this.SUBRULE(this.stringValue);
    });
    return this.ACTION(() => ({ kind: 'rowTypeField', span: this.span(s), name, type, comment }));
  });

  precisionArgs = this.RULE('precisionArgs', (): [number | null, number | null] => {
    let p: number | null = null;
    let sc: number | null = null;
    this.OPTION(() => {
      this.CONSUME(LParen);
      const pt = this.CONSUME(NumberLiteral);
      p = this.ACTION(() => this.integer(pt));
      this.OPTION2(() => {
        this.CONSUME(Comma);
        const st = this.CONSUME2(NumberLiteral);
        sc = this.ACTION(() => this.integer(st));
      });
      this.CONSUME(RParen);
    });
    return [p, sc];
  });

  simpleType = this.RULE('simpleType', (): A.TypeNode => {
    const s = this.LA(1);
    // Only the types that take a length or precision are followed by `(`, and only TIME and TIMESTAMP by a
    // time-zone clause, so that error messages after `INT` do not offer `(` or `WITH LOCAL TIME ZONE`.
    let args: [number | null, number | null] = [null, null];
    let argsStart: IToken = s;
    const name = this.OR([
      {
        ALT: () => {
          this.CONSUME(K.BOOLEAN);
          return 'BOOLEAN' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.TINYINT);
          return 'TINYINT' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.SMALLINT);
          return 'SMALLINT' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.INT);
          return 'INT' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.INTEGER);
          return 'INT' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.BIGINT);
          return 'BIGINT' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.FLOAT);
          argsStart = this.LA(1);
          args = this.SUBRULE(this.precisionArgs);
          return 'FLOAT' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.REAL);
          return 'REAL' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.DOUBLE);
          this.OPTION(() => this.CONSUME(K.PRECISION));
          return 'DOUBLE' as const;
        },
      },
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(K.DECIMAL) },
            { ALT: () => this.CONSUME(K.DEC) },
            { ALT: () => this.CONSUME(K.NUMERIC) },
          ]);
          argsStart = this.LA(1);
          args = this.SUBRULE2(this.precisionArgs);
          return 'DECIMAL' as const;
        },
      },
      {
        ALT: () => {
          this.OR3([{ ALT: () => this.CONSUME(K.CHAR) }, { ALT: () => this.CONSUME(K.CHARACTER) }]);
          let varying = false;
          this.OPTION2(() => {
            this.CONSUME(K.VARYING);
            varying = true;
          });
          argsStart = this.LA(1);
          args = this.SUBRULE3(this.precisionArgs);
          return varying ? ('VARCHAR' as const) : ('CHAR' as const);
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.VARCHAR);
          argsStart = this.LA(1);
          args = this.SUBRULE4(this.precisionArgs);
          return 'VARCHAR' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.STRING);
          return 'STRING' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.BINARY);
          argsStart = this.LA(1);
          args = this.SUBRULE5(this.precisionArgs);
          return 'BINARY' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.VARBINARY);
          argsStart = this.LA(1);
          args = this.SUBRULE6(this.precisionArgs);
          return 'VARBINARY' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.BYTES);
          return 'BYTES' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.DATE);
          return 'DATE' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.TIME);
          argsStart = this.LA(1);
          args = this.SUBRULE7(this.precisionArgs);
          this.OPTION3(() => {
            this.CONSUME(K.WITHOUT);
            this.CONSUME2(K.TIME);
            this.CONSUME(K.ZONE);
          });
          return 'TIME' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.TIMESTAMP);
          argsStart = this.LA(1);
          args = this.SUBRULE8(this.precisionArgs);
          let local = false;
          this.OPTION4(() => {
            this.OR4([
              {
                ALT: () => {
                  this.CONSUME2(K.WITHOUT);
                  this.CONSUME3(K.TIME);
                  this.CONSUME2(K.ZONE);
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.WITH);
                  this.CONSUME(K.LOCAL);
                  this.CONSUME4(K.TIME);
                  this.CONSUME3(K.ZONE);
                  local = true;
                },
              },
            ]);
          });
          return local ? ('TIMESTAMP_LTZ' as const) : ('TIMESTAMP' as const);
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.TIMESTAMP_LTZ);
          argsStart = this.LA(1);
          args = this.SUBRULE9(this.precisionArgs);
          return 'TIMESTAMP_LTZ' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.NULL);
          return 'NULL' as const;
        },
      },
    ]);
    return this.ACTION((): A.TypeNode => {
      const [precision, scale] = args;
      if (scale !== null && name !== 'DECIMAL')
        this.fail(argsStart, `type ${name} takes a single length or precision`);
      return { kind: 'simpleType', span: this.span(s), name, precision, scale, notNull: false };
    });
  });

  // -------------------------------------------------------------------------------------------------
  // Entry point for a standalone expression

  standaloneExpr = this.RULE('standaloneExpr', (): A.Expr => this.SUBRULE(this.expr));
}

type SkipTarget = [A.AfterMatchSkip['to'], A.Identifier | null];

function comparisonOp(t: IToken): A.ComparisonOp {
  const img = t.image;
  return img === '!=' ? '<>' : (img as A.ComparisonOp);
}

function plainCall(span: Span, name: A.QualifiedName, args: A.Expr[]): A.FunctionCall {
  return {
    kind: 'functionCall',
    span,
    name,
    args,
    distinct: false,
    semantics: null,
    nullTreatment: null,
    withinGroup: [],
    filter: null,
    over: null,
  };
}

export type { IOrAlt };
