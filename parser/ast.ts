/**
 * Rivulet's SQL abstract syntax tree: what `parse` returns and what the planner consumes.
 *
 * Conventions (stable: later changes only add kinds or optional fields, never rename):
 * - Every node has a `readonly kind` string literal (the discriminant of its union) and a `readonly span`
 *   covering its source text (0-based offset, 1-based line and column, `end` one past the last char).
 * - Lists are never `undefined`: an absent list is `[]`; an absent single child is `null`.
 * - Identifiers keep their text as written and whether they were quoted; name resolution (Flink matches
 *   case-sensitively) happens in the planner. Keywords are normalized to upper case in enum-like fields.
 * - Parentheses written only for grouping leave no node: the tree's shape is the grouping. The printer
 *   puts parentheses back where precedence needs them.
 * - Spellings with identical meaning are normalized: `!=` becomes `<>`, `SOME` becomes `ANY`, `INTEGER`
 *   becomes `INT`, `LIMIT n` and `FETCH FIRST n ROWS ONLY` both become `limit`, `SUBSTRING(s, a, b)` and
 *   `SUBSTRING(s FROM a FOR b)` both become a `substring` node.
 */

import type { Span } from '../common/errors.ts';

export type { Span };

// ---------------------------------------------------------------------------------------------------
// Names

/** An identifier: `value`, `` `My Col` ``, `"My Col"`. `text` has quote escapes resolved. */
export interface Identifier {
  readonly kind: 'identifier';
  readonly span: Span;
  readonly text: string;
  readonly quoted: boolean;
}

/** A possibly qualified object name: `t`, `db.t`, `cat.db.t`. */
export interface QualifiedName {
  readonly kind: 'qualifiedName';
  readonly span: Span;
  readonly parts: readonly Identifier[];
}

// ---------------------------------------------------------------------------------------------------
// Statements

export type Statement =
  | Query
  | InsertStatement
  | StatementSet
  | ExecuteStatement
  | CreateTableStatement
  | CreateViewStatement
  | CreateFunctionStatement
  | DropStatement
  | AlterTableSetStatement
  | AlterTableRenameStatement
  | ShowStatement
  | ShowCreateStatement
  | DescribeStatement
  | ExplainStatement
  | SetStatement
  | ResetStatement
  | StopJobStatement
  | ShowJobStatement
  | UseStatement;

/** `'key' = 'value'` in `WITH (...)`, `ALTER TABLE ... SET (...)`. */
export interface Property {
  readonly kind: 'property';
  readonly span: Span;
  readonly key: string;
  readonly value: string;
}

/** `INSERT INTO|OVERWRITE target [PARTITION (k = v, ...)] [(cols)] query`. */
export interface InsertStatement {
  readonly kind: 'insert';
  readonly span: Span;
  readonly overwrite: boolean;
  readonly target: QualifiedName;
  /** Static partition spec `PARTITION (k = 'v', ...)`; values are literals. */
  readonly partition: readonly PartitionValue[];
  readonly columns: readonly Identifier[];
  readonly query: Query;
}

export interface PartitionValue {
  readonly kind: 'partitionValue';
  readonly span: Span;
  readonly column: Identifier;
  readonly value: Expr;
}

/**
 * `EXECUTE STATEMENT SET BEGIN insert; ... END` (`style: 'execute'`),
 * `BEGIN STATEMENT SET; insert; ... END` (`style: 'begin'`), or, only after EXPLAIN,
 * `STATEMENT SET BEGIN insert; ... END` (`style: 'explain'`, Flink's spelling of `EXPLAIN STATEMENT SET`).
 */
export interface StatementSet {
  readonly kind: 'statementSet';
  readonly span: Span;
  readonly style: 'execute' | 'begin' | 'explain';
  readonly inserts: readonly InsertStatement[];
}

/** `EXECUTE INSERT ...` or `EXECUTE SELECT ...`: the statement, submitted as a job. */
export interface ExecuteStatement {
  readonly kind: 'execute';
  readonly span: Span;
  readonly statement: InsertStatement | Query;
}

/**
 * `CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name [(elements)] [COMMENT '...'] [PARTITIONED BY (cols)]
 *  [WITH (props)] [LIKE source [(like options)]] [AS query]`.
 */
export interface CreateTableStatement {
  readonly kind: 'createTable';
  readonly span: Span;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  readonly columns: readonly ColumnDefinition[];
  readonly watermarks: readonly WatermarkDefinition[];
  /** The table-level `[CONSTRAINT name] PRIMARY KEY (cols) NOT ENFORCED`, if any. */
  readonly primaryKey: PrimaryKeyConstraint | null;
  readonly comment: string | null;
  readonly partitionedBy: readonly Identifier[];
  readonly options: readonly Property[];
  readonly like: LikeClause | null;
  /** `CREATE TABLE ... AS query` (CTAS). */
  readonly asQuery: Query | null;
}

export type ColumnDefinition = PhysicalColumn | ComputedColumn | MetadataColumn;

/** `name TYPE [PRIMARY KEY NOT ENFORCED] [COMMENT '...']`. */
export interface PhysicalColumn {
  readonly kind: 'physicalColumn';
  readonly span: Span;
  readonly name: Identifier;
  readonly type: TypeNode;
  /** A column-level `[CONSTRAINT name] PRIMARY KEY NOT ENFORCED`: `columns` is `[name]`, the span starts at `name`. */
  readonly primaryKey: PrimaryKeyConstraint | null;
  readonly comment: string | null;
}

/** `name AS expr [COMMENT '...']`. */
export interface ComputedColumn {
  readonly kind: 'computedColumn';
  readonly span: Span;
  readonly name: Identifier;
  readonly expr: Expr;
  readonly comment: string | null;
}

/** `name TYPE METADATA [FROM 'key'] [VIRTUAL] [COMMENT '...']`. */
export interface MetadataColumn {
  readonly kind: 'metadataColumn';
  readonly span: Span;
  readonly name: Identifier;
  readonly type: TypeNode;
  /** The metadata key when it differs from the column name. */
  readonly metadataKey: string | null;
  readonly virtual: boolean;
  readonly comment: string | null;
}

/** `WATERMARK FOR column AS expr`. `column` may be a nested path (`a.b`). */
export interface WatermarkDefinition {
  readonly kind: 'watermark';
  readonly span: Span;
  readonly column: readonly Identifier[];
  readonly expr: Expr;
}

/** `[CONSTRAINT name] PRIMARY KEY (cols) NOT ENFORCED`. */
export interface PrimaryKeyConstraint {
  readonly kind: 'primaryKey';
  readonly span: Span;
  readonly constraintName: Identifier | null;
  readonly columns: readonly Identifier[];
  /** Flink requires `NOT ENFORCED`; the parser accepts `ENFORCED` too so the planner can reject it clearly. */
  readonly enforced: boolean;
}

/** `LIKE source [(INCLUDING ALL EXCLUDING OPTIONS ...)]`. */
export interface LikeClause {
  /** (`'likeClause'`, not `'like'`, which is the LIKE predicate.) */
  readonly kind: 'likeClause';
  readonly span: Span;
  readonly source: QualifiedName;
  readonly options: readonly LikeOption[];
}

export interface LikeOption {
  readonly kind: 'likeOption';
  readonly span: Span;
  readonly mode: 'INCLUDING' | 'EXCLUDING' | 'OVERWRITING';
  readonly feature:
    | 'ALL'
    | 'CONSTRAINTS'
    | 'PARTITIONS'
    | 'WATERMARKS'
    | 'GENERATED'
    | 'METADATA'
    | 'OPTIONS';
}

/** `CREATE [TEMPORARY] VIEW [IF NOT EXISTS] name [(cols)] [COMMENT '...'] AS query`. */
export interface CreateViewStatement {
  readonly kind: 'createView';
  readonly span: Span;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  readonly columns: readonly Identifier[];
  readonly comment: string | null;
  readonly query: Query;
}

/**
 * `CREATE [TEMPORARY [SYSTEM]] FUNCTION [IF NOT EXISTS] name AS 'module-specifier' [LANGUAGE lang]`.
 * `language` is upper-cased (`'JAVASCRIPT'`), `null` when not written.
 */
export interface CreateFunctionStatement {
  readonly kind: 'createFunction';
  readonly span: Span;
  readonly temporary: boolean;
  readonly system: boolean;
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  readonly specifier: string;
  readonly language: string | null;
}

/** `DROP [TEMPORARY [SYSTEM]] TABLE|VIEW|FUNCTION [IF EXISTS] name`. */
export interface DropStatement {
  readonly kind: 'drop';
  readonly span: Span;
  readonly objectType: 'TABLE' | 'VIEW' | 'FUNCTION';
  readonly temporary: boolean;
  readonly system: boolean;
  readonly ifExists: boolean;
  readonly name: QualifiedName;
}

/** `ALTER TABLE [IF EXISTS] name SET ('k' = 'v', ...)`. */
export interface AlterTableSetStatement {
  readonly kind: 'alterTableSet';
  readonly span: Span;
  readonly ifExists: boolean;
  readonly name: QualifiedName;
  readonly options: readonly Property[];
}

/** `ALTER TABLE [IF EXISTS] name RENAME TO newName`. */
export interface AlterTableRenameStatement {
  readonly kind: 'alterTableRename';
  readonly span: Span;
  readonly ifExists: boolean;
  readonly name: QualifiedName;
  readonly newName: QualifiedName;
}

/** `SHOW TABLES|VIEWS|FUNCTIONS|JOBS|CATALOGS|DATABASES|MODULES`. */
export interface ShowStatement {
  readonly kind: 'show';
  readonly span: Span;
  readonly what: 'TABLES' | 'VIEWS' | 'FUNCTIONS' | 'JOBS' | 'CATALOGS' | 'DATABASES' | 'MODULES';
}

/** `SHOW CREATE TABLE|VIEW name`. */
export interface ShowCreateStatement {
  readonly kind: 'showCreate';
  readonly span: Span;
  readonly objectType: 'TABLE' | 'VIEW';
  readonly name: QualifiedName;
}

/** `DESCRIBE name` / `DESC name`. */
export interface DescribeStatement {
  readonly kind: 'describe';
  readonly span: Span;
  readonly name: QualifiedName;
}

/**
 * `EXPLAIN [detail, ...] statement` and `EXPLAIN PLAN FOR statement` (the same thing).
 * Details are upper-cased: `'CHANGELOG_MODE'`, `'ESTIMATED_COST'`, `'JSON_EXECUTION_PLAN'`, `'PLAN_ADVICE'`.
 */
export interface ExplainStatement {
  readonly kind: 'explain';
  readonly span: Span;
  readonly details: readonly ExplainDetail[];
  readonly statement: Query | InsertStatement | StatementSet | ExecuteStatement;
}

export type ExplainDetail = 'CHANGELOG_MODE' | 'ESTIMATED_COST' | 'JSON_EXECUTION_PLAN' | 'PLAN_ADVICE';

/** `SET` (list all; both null) or `SET 'key' = 'value'`. */
export interface SetStatement {
  readonly kind: 'set';
  readonly span: Span;
  readonly key: string | null;
  readonly value: string | null;
}

/** `RESET` (all) or `RESET 'key'`. */
export interface ResetStatement {
  readonly kind: 'reset';
  readonly span: Span;
  readonly key: string | null;
}

/** `SHOW JOB 'id'`: one job's operators with their metrics. */
export interface ShowJobStatement {
  readonly kind: 'showJob';
  readonly span: Span;
  readonly jobId: string;
}

/** `STOP JOB 'id' [WITH SAVEPOINT] [WITH DRAIN]`. */
export interface StopJobStatement {
  readonly kind: 'stopJob';
  readonly span: Span;
  readonly jobId: string;
  readonly withSavepoint: boolean;
  readonly withDrain: boolean;
}

/** `USE name` (a database) or `USE CATALOG name`. */
export interface UseStatement {
  readonly kind: 'use';
  readonly span: Span;
  readonly catalog: boolean;
  readonly name: QualifiedName;
}

// ---------------------------------------------------------------------------------------------------
// Queries

/**
 * A query expression. `ORDER BY` / `LIMIT` / `OFFSET` written after a query belong to the outermost
 * query node they follow: on a `select` for `SELECT ... ORDER BY`, on the `setOperation` for
 * `SELECT ... UNION SELECT ... ORDER BY`, on the inner node for a parenthesized `(SELECT ... LIMIT 1)`.
 * For `WITH ... SELECT ... ORDER BY` they sit on the `with` node's body.
 */
export type Query = SelectQuery | SetOperationQuery | ValuesQuery | WithQuery;

/** Ordering and row limiting common to every query node. */
export interface QueryTail {
  readonly orderBy: readonly OrderItem[];
  /** `LIMIT n` or `FETCH FIRST|NEXT n ROW|ROWS ONLY`. */
  readonly limit: Expr | null;
  /** `OFFSET m [ROW|ROWS]`. */
  readonly offset: Expr | null;
}

export interface SelectQuery extends QueryTail {
  readonly kind: 'select';
  readonly span: Span;
  /** `SELECT DISTINCT`; `SELECT ALL` is the default and gives `false`. */
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  /** The FROM clause; `FROM a, b` is a `join` with `joinType: 'COMMA'`. */
  readonly from: TableRef | null;
  readonly where: Expr | null;
  readonly groupBy: GroupBy | null;
  readonly having: Expr | null;
  readonly windows: readonly NamedWindow[];
  readonly qualify: Expr | null;
}

/** An item of the select list: an expression (possibly a `star`) with an optional alias. */
export interface SelectItem {
  readonly kind: 'selectItem';
  readonly span: Span;
  readonly expr: Expr;
  readonly alias: Identifier | null;
}

/**
 * `left UNION|INTERSECT|EXCEPT [ALL|DISTINCT] right`. INTERSECT binds tighter than UNION and EXCEPT,
 * which are left-associative.
 */
export interface SetOperationQuery extends QueryTail {
  readonly kind: 'setOperation';
  readonly span: Span;
  readonly op: 'UNION' | 'INTERSECT' | 'EXCEPT';
  readonly all: boolean;
  readonly left: Query;
  readonly right: Query;
}

/** `VALUES (a, b), (c, d)`. Each row is a `row` expression (`explicit` when written `ROW(...)`). */
export interface ValuesQuery extends QueryTail {
  readonly kind: 'values';
  readonly span: Span;
  readonly rows: readonly RowConstructor[];
}

/** `WITH name [(cols)] AS (query), ... body`. */
export interface WithQuery {
  readonly kind: 'with';
  readonly span: Span;
  readonly ctes: readonly CommonTableExpression[];
  readonly body: Query;
}

export interface CommonTableExpression {
  readonly kind: 'cte';
  readonly span: Span;
  readonly name: Identifier;
  readonly columns: readonly Identifier[];
  readonly query: Query;
}

/** `expr [ASC|DESC] [NULLS FIRST|LAST]`; `null` where not written. */
export interface OrderItem {
  readonly kind: 'orderItem';
  readonly span: Span;
  readonly expr: Expr;
  readonly direction: 'ASC' | 'DESC' | null;
  readonly nulls: 'FIRST' | 'LAST' | null;
}

/** `GROUP BY [ALL|DISTINCT] element, ...` (`distinct` for `GROUP BY DISTINCT`). */
export interface GroupBy {
  readonly kind: 'groupBy';
  readonly span: Span;
  readonly distinct: boolean;
  readonly elements: readonly GroupingElement[];
}

/**
 * One element of GROUP BY. A plain expression groups by that expression; a `row` expression written
 * without `ROW` (`(a, b)`) as an element of GROUPING SETS / ROLLUP / CUBE (or of GROUP BY itself) is a
 * composite grouping set of its fields.
 */
export type GroupingElement = Expr | GroupingSets | Rollup | Cube | EmptyGroupingSet;

export interface GroupingSets {
  readonly kind: 'groupingSets';
  readonly span: Span;
  readonly sets: readonly GroupingElement[];
}

export interface Rollup {
  readonly kind: 'rollup';
  readonly span: Span;
  readonly items: readonly Expr[];
}

export interface Cube {
  readonly kind: 'cube';
  readonly span: Span;
  readonly items: readonly Expr[];
}

/** `()` as a grouping set: the grand total. */
export interface EmptyGroupingSet {
  readonly kind: 'emptyGroupingSet';
  readonly span: Span;
}

/** `WINDOW name AS (spec)`. */
export interface NamedWindow {
  readonly kind: 'namedWindow';
  readonly span: Span;
  readonly name: Identifier;
  readonly spec: WindowSpec;
}

/** `([base] [PARTITION BY ...] [ORDER BY ...] [ROWS|RANGE frame])`. */
export interface WindowSpec {
  readonly kind: 'windowSpec';
  readonly span: Span;
  /** An existing window this one refines: `OVER (w ORDER BY x)`. */
  readonly base: Identifier | null;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly frame: WindowFrame | null;
}

/** `ROWS|RANGE start` or `ROWS|RANGE BETWEEN start AND end` (`end` non-null). */
export interface WindowFrame {
  readonly kind: 'windowFrame';
  readonly span: Span;
  readonly unit: 'ROWS' | 'RANGE';
  readonly start: FrameBound;
  readonly end: FrameBound | null;
}

/** `UNBOUNDED PRECEDING`, `n PRECEDING`, `CURRENT ROW`, `n FOLLOWING`, `UNBOUNDED FOLLOWING`. */
export interface FrameBound {
  readonly kind: 'frameBound';
  readonly span: Span;
  readonly bound: 'UNBOUNDED_PRECEDING' | 'PRECEDING' | 'CURRENT_ROW' | 'FOLLOWING' | 'UNBOUNDED_FOLLOWING';
  /** The `n` of `n PRECEDING` / `n FOLLOWING` (an expression such as `INTERVAL '1' HOUR`). */
  readonly offset: Expr | null;
}

// ---------------------------------------------------------------------------------------------------
// Table references (the FROM clause)

/**
 * A table reference. `(VALUES ...) AS t(a, b)` is a `subquery` whose query is a `values` node;
 * `LATERAL (subquery)` is a `subquery` with `lateral: true`; `[LATERAL] TABLE(fn(args))` (including the
 * window TVFs TUMBLE/HOP/CUMULATE/SESSION) is a `tableFunction`.
 */
export type TableRef = TableName | SubqueryRef | JoinRef | TableFunctionRef | UnnestRef | MatchRecognizeRef;

/** `AS alias [(col, ...)]` (the `AS` is optional). */
export interface Alias {
  readonly kind: 'alias';
  readonly span: Span;
  readonly name: Identifier;
  readonly columns: readonly Identifier[];
}

/** `name [FOR SYSTEM_TIME ...] [[AS] alias [(cols)]]`. */
export interface TableName {
  readonly kind: 'tableName';
  readonly span: Span;
  readonly name: QualifiedName;
  readonly systemTime: SystemTimeClause | null;
  readonly alias: Alias | null;
}

/** `FOR SYSTEM_TIME AS OF expr` (a temporal join when on the right of a join). */
export interface SystemTimeAsOf {
  readonly kind: 'systemTimeAsOf';
  readonly span: Span;
  readonly at: Expr;
}

/** `FOR SYSTEM_TIME FROM a TO b` / `FOR SYSTEM_TIME BETWEEN a AND b`. */
export interface SystemTimeRange {
  readonly kind: 'systemTimeRange';
  readonly span: Span;
  readonly mode: 'FROM_TO' | 'BETWEEN';
  readonly from: Expr;
  readonly to: Expr;
}

export type SystemTimeClause = SystemTimeAsOf | SystemTimeRange;

/** `[LATERAL] (query) [[AS] alias [(cols)]]`. */
export interface SubqueryRef {
  readonly kind: 'subquery';
  readonly span: Span;
  readonly lateral: boolean;
  readonly query: Query;
  readonly alias: Alias | null;
}

/**
 * `left [NATURAL] joinType JOIN right [ON cond | USING (cols)]`; `'COMMA'` is `FROM a, b`.
 * `condition` is null for CROSS, COMMA and NATURAL joins.
 */
export interface JoinRef {
  readonly kind: 'join';
  readonly span: Span;
  readonly joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS' | 'COMMA';
  readonly natural: boolean;
  readonly left: TableRef;
  readonly right: TableRef;
  readonly condition: JoinOn | JoinUsing | null;
}

export interface JoinOn {
  readonly kind: 'joinOn';
  readonly span: Span;
  readonly expr: Expr;
}

export interface JoinUsing {
  readonly kind: 'joinUsing';
  readonly span: Span;
  readonly columns: readonly Identifier[];
}

/**
 * `[LATERAL] TABLE(fn(args)) [[AS] alias [(cols)]]`, e.g.
 * `TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' MINUTE))` or
 * `TABLE(SESSION(DATA => TABLE bids PARTITION BY item, TIMECOL => DESCRIPTOR(ts), GAP => INTERVAL '5' MINUTE))`.
 */
export interface TableFunctionRef {
  readonly kind: 'tableFunction';
  readonly span: Span;
  readonly lateral: boolean;
  readonly name: QualifiedName;
  readonly args: readonly TableFunctionArg[];
  readonly alias: Alias | null;
}

/** An argument of a table function, positional (`name: null`) or named (`NAME => value`). */
export interface TableFunctionArg {
  readonly kind: 'tableFunctionArg';
  readonly span: Span;
  readonly name: Identifier | null;
  readonly value: Expr | TableArgument;
}

/** `TABLE t [PARTITION BY key | PARTITION BY (key, ...)] [ORDER BY ...]` passed to a table function. */
export interface TableArgument {
  readonly kind: 'tableArgument';
  readonly span: Span;
  readonly table: QualifiedName;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
}

/** `UNNEST(expr, ...) [WITH ORDINALITY] [[AS] alias [(cols)]]`. */
export interface UnnestRef {
  readonly kind: 'unnest';
  readonly span: Span;
  readonly args: readonly Expr[];
  readonly withOrdinality: boolean;
  readonly alias: Alias | null;
}

/** `input MATCH_RECOGNIZE ( ... ) [[AS] alias]` (SQL:2016 row pattern recognition). */
export interface MatchRecognizeRef {
  readonly kind: 'matchRecognize';
  readonly span: Span;
  readonly input: TableRef;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly measures: readonly Measure[];
  /** `null` when not written (the default is ONE ROW PER MATCH). */
  readonly rowsPerMatch: RowsPerMatch | null;
  readonly afterMatchSkip: AfterMatchSkip | null;
  /** `INITIAL` or `SEEK` before PATTERN; `null` when not written (the default is INITIAL). */
  readonly mode: 'INITIAL' | 'SEEK' | null;
  readonly pattern: RowPattern;
  /** `WITHIN interval` (Flink): a match must complete within this time from its first row. */
  readonly within: IntervalLiteral | null;
  readonly subsets: readonly SubsetDefinition[];
  readonly definitions: readonly PatternDefinition[];
  readonly alias: Alias | null;
}

export type RowsPerMatch =
  | 'ONE_ROW_PER_MATCH'
  | 'ALL_ROWS_PER_MATCH'
  | 'ALL_ROWS_PER_MATCH_SHOW_EMPTY'
  | 'ALL_ROWS_PER_MATCH_OMIT_EMPTY'
  | 'ALL_ROWS_PER_MATCH_WITH_UNMATCHED';

/** `expr AS name` in MEASURES. */
export interface Measure {
  readonly kind: 'measure';
  readonly span: Span;
  readonly expr: Expr;
  readonly name: Identifier;
}

/**
 * `AFTER MATCH SKIP PAST LAST ROW | TO NEXT ROW | TO FIRST var | TO LAST var | TO var`.
 * `TO var` (`to: 'VARIABLE'`) means the same as `TO LAST var` in the standard; kept apart for printing.
 */
export interface AfterMatchSkip {
  readonly kind: 'afterMatchSkip';
  readonly span: Span;
  readonly to: 'PAST_LAST_ROW' | 'NEXT_ROW' | 'FIRST' | 'LAST' | 'VARIABLE';
  readonly variable: Identifier | null;
}

/** `SUBSET u = (a, b)`. */
export interface SubsetDefinition {
  readonly kind: 'subset';
  readonly span: Span;
  readonly name: Identifier;
  readonly variables: readonly Identifier[];
}

/** `var AS condition` in DEFINE. */
export interface PatternDefinition {
  readonly kind: 'patternDefinition';
  readonly span: Span;
  readonly variable: Identifier;
  readonly condition: Expr;
}

// ---------------------------------------------------------------------------------------------------
// Row patterns (PATTERN (...))

/**
 * A row pattern. Grouping parentheses leave no node (`(A B)+` is a `patternQuantified` over a
 * `patternConcat`); `()` is `patternEmpty`.
 */
export type RowPattern =
  | PatternVariable
  | PatternConcat
  | PatternAlternation
  | PatternEmpty
  | PatternAnchor
  | PatternExclusion
  | PatternPermute
  | PatternQuantified;

export interface PatternVariable {
  readonly kind: 'patternVariable';
  readonly span: Span;
  readonly name: Identifier;
}

/** `A B C`: at least two items. */
export interface PatternConcat {
  readonly kind: 'patternConcat';
  readonly span: Span;
  readonly items: readonly RowPattern[];
}

/** `A | B | C`: at least two alternatives, in preference order. */
export interface PatternAlternation {
  readonly kind: 'patternAlternation';
  readonly span: Span;
  readonly alternatives: readonly RowPattern[];
}

/** `()`: matches the empty sequence of rows. */
export interface PatternEmpty {
  readonly kind: 'patternEmpty';
  readonly span: Span;
}

/** `^` (start of the partition) or `$` (end of the partition). */
export interface PatternAnchor {
  readonly kind: 'patternAnchor';
  readonly span: Span;
  readonly anchor: 'START' | 'END';
}

/** `{- pattern -}`: rows matched inside are not output by ALL ROWS PER MATCH. */
export interface PatternExclusion {
  readonly kind: 'patternExclusion';
  readonly span: Span;
  readonly pattern: RowPattern;
}

/** `PERMUTE(a, b, c)`: every order of the items, preferred in lexicographic order of positions. */
export interface PatternPermute {
  readonly kind: 'patternPermute';
  readonly span: Span;
  readonly items: readonly RowPattern[];
}

/**
 * `p*` (0..∞), `p+` (1..∞), `p?` (0..1), `p{n}` (n..n), `p{n,}` (n..∞), `p{,m}` (0..m), `p{n,m}`; each
 * with a trailing `?` is reluctant. `max` is `null` for unbounded.
 */
export interface PatternQuantified {
  readonly kind: 'patternQuantified';
  readonly span: Span;
  readonly pattern: RowPattern;
  readonly min: number;
  readonly max: number | null;
  readonly reluctant: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Expressions

export type Expr =
  | NumericLiteral
  | StringLiteral
  | BinaryStringLiteral
  | BooleanLiteral
  | NullLiteral
  | UnknownLiteral
  | TypedLiteral
  | IntervalLiteral
  | ColumnRef
  | Star
  | Parameter
  | FunctionCall
  | CaseExpr
  | CastExpr
  | UnaryExpr
  | BinaryExpr
  | IsExpr
  | IsDistinctFromExpr
  | BetweenExpr
  | LikeExpr
  | InListExpr
  | InSubqueryExpr
  | ExistsExpr
  | ScalarSubquery
  | QuantifiedComparison
  | ExtractExpr
  | PositionExpr
  | TrimExpr
  | SubstringExpr
  | OverlayExpr
  | CeilFloorExpr
  | TimestampAddExpr
  | TimestampDiffExpr
  | ArrayConstructor
  | MapConstructor
  | RowConstructor
  | ElementAccess
  | FieldAccess
  | DescriptorExpr;

/** `42`, `1.50`, `1e-3`, `.5`: `text` exactly as written, so exact decimals survive. */
export interface NumericLiteral {
  readonly kind: 'numericLiteral';
  readonly span: Span;
  readonly text: string;
}

/** `'it''s'` or `U&'\00e9t\00e9'`: `value` is the decoded string. Adjacent literals are concatenated. */
export interface StringLiteral {
  readonly kind: 'stringLiteral';
  readonly span: Span;
  readonly value: string;
}

/** `X'0aff'`: `hex` is the digits in lower case. */
export interface BinaryStringLiteral {
  readonly kind: 'binaryStringLiteral';
  readonly span: Span;
  readonly hex: string;
}

export interface BooleanLiteral {
  readonly kind: 'booleanLiteral';
  readonly span: Span;
  readonly value: boolean;
}

export interface NullLiteral {
  readonly kind: 'nullLiteral';
  readonly span: Span;
}

/** `UNKNOWN`: the null boolean. */
export interface UnknownLiteral {
  readonly kind: 'unknownLiteral';
  readonly span: Span;
}

/** `DATE '2024-01-31'`, `TIME '12:00:00'`, `TIMESTAMP '2024-01-31 12:00:00.123'`: `value` unparsed. */
export interface TypedLiteral {
  readonly kind: 'typedLiteral';
  readonly span: Span;
  readonly type: 'DATE' | 'TIME' | 'TIMESTAMP';
  readonly value: string;
}

/** `INTERVAL '5' MINUTE`, `INTERVAL '1 02:03' DAY TO MINUTE`, `INTERVAL -'3' SECOND(3)`. */
export interface IntervalLiteral {
  readonly kind: 'intervalLiteral';
  readonly span: Span;
  /** `-1` for `INTERVAL -'...'`. */
  readonly sign: 1 | -1;
  /** The text between the quotes, unparsed (`'1 02:03'`). */
  readonly value: string;
  readonly qualifier: IntervalQualifier;
}

export type TimeUnit =
  | 'YEAR'
  | 'QUARTER'
  | 'MONTH'
  | 'WEEK'
  | 'DAY'
  | 'HOUR'
  | 'MINUTE'
  | 'SECOND'
  | 'MILLISECOND'
  | 'MICROSECOND'
  | 'NANOSECOND'
  | 'DOW'
  | 'DOY'
  | 'ISODOW'
  | 'ISOYEAR'
  | 'EPOCH'
  | 'DECADE'
  | 'CENTURY'
  | 'MILLENNIUM';

/**
 * `start[(p)] [TO end[(p)]]` as in `DAY(2) TO SECOND(3)`. For `SECOND(p, f)` the fractional precision
 * `f` is `startFraction`.
 */
export interface IntervalQualifier {
  readonly kind: 'intervalQualifier';
  readonly span: Span;
  readonly start: TimeUnit;
  readonly startPrecision: number | null;
  readonly startFraction: number | null;
  readonly end: TimeUnit | null;
  readonly endPrecision: number | null;
}

/**
 * A column (or field) reference by path: `price`, `b.price`, `db.t.price`, `A.price` in MATCH_RECOGNIZE.
 * The planner decides which prefix names a table and which parts are nested fields.
 */
export interface ColumnRef {
  readonly kind: 'columnRef';
  readonly span: Span;
  readonly path: readonly Identifier[];
}

/** `*` (`qualifier: []`) or `t.*` / `A.*`. Appears in select lists and as `COUNT(*)` / `COUNT(A.*)`. */
export interface Star {
  readonly kind: 'star';
  readonly span: Span;
  readonly qualifier: readonly Identifier[];
}

/** `?`: a positional parameter; `index` is 0-based in order of appearance in the statement. */
export interface Parameter {
  readonly kind: 'parameter';
  readonly span: Span;
  readonly index: number;
}

/**
 * `[RUNNING|FINAL] name([DISTINCT|ALL] args) [WITHIN GROUP (ORDER BY ...)] [FILTER (WHERE ...)]
 *  [OVER window]`. Niladic keywords written without parentheses (`CURRENT_TIMESTAMP`, `CURRENT_DATE`,
 * `CURRENT_TIME`, `LOCALTIME`, `LOCALTIMESTAMP`, `CURRENT_USER`...) are calls with no arguments too.
 * Names keep their spelling (`count` stays `count`); built-ins are matched case-insensitively.
 */
export interface FunctionCall {
  readonly kind: 'functionCall';
  readonly span: Span;
  readonly name: QualifiedName;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  /** `RUNNING` / `FINAL` prefix (MATCH_RECOGNIZE MEASURES). */
  readonly semantics: 'RUNNING' | 'FINAL' | null;
  /** `IGNORE NULLS` / `RESPECT NULLS` after the arguments (LAG, LEAD, FIRST_VALUE...). */
  readonly nullTreatment: 'IGNORE_NULLS' | 'RESPECT_NULLS' | null;
  readonly withinGroup: readonly OrderItem[];
  readonly filter: Expr | null;
  /** `OVER w` (an Identifier naming a WINDOW) or `OVER (spec)`. */
  readonly over: Identifier | WindowSpec | null;
}

/** `CASE [operand] WHEN ... THEN ... [ELSE ...] END`. */
export interface CaseExpr {
  readonly kind: 'case';
  readonly span: Span;
  /** The simple form's operand: `CASE x WHEN 1 THEN ...`; `null` for the searched form. */
  readonly operand: Expr | null;
  readonly whens: readonly WhenClause[];
  readonly else: Expr | null;
}

export interface WhenClause {
  readonly kind: 'when';
  readonly span: Span;
  readonly condition: Expr;
  readonly result: Expr;
}

/** `CAST(expr AS type)` / `TRY_CAST(expr AS type)`. */
export interface CastExpr {
  readonly kind: 'cast';
  readonly span: Span;
  readonly try: boolean;
  readonly expr: Expr;
  readonly type: TypeNode;
}

export interface UnaryExpr {
  readonly kind: 'unary';
  readonly span: Span;
  readonly op: '-' | '+' | 'NOT';
  readonly operand: Expr;
}

export type ComparisonOp = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type BinaryOp = 'OR' | 'AND' | ComparisonOp | '+' | '-' | '*' | '/' | '%' | '||';

/** Binary operators, left-associative. `!=` is normalized to `<>`. */
export interface BinaryExpr {
  readonly kind: 'binary';
  readonly span: Span;
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

/** `expr IS [NOT] NULL|TRUE|FALSE|UNKNOWN`. */
export interface IsExpr {
  readonly kind: 'is';
  readonly span: Span;
  readonly expr: Expr;
  readonly not: boolean;
  readonly test: 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN';
}

/** `left IS [NOT] DISTINCT FROM right`. */
export interface IsDistinctFromExpr {
  readonly kind: 'isDistinctFrom';
  readonly span: Span;
  readonly not: boolean;
  readonly left: Expr;
  readonly right: Expr;
}

/** `expr [NOT] BETWEEN [ASYMMETRIC|SYMMETRIC] low AND high`. */
export interface BetweenExpr {
  readonly kind: 'between';
  readonly span: Span;
  readonly expr: Expr;
  readonly not: boolean;
  readonly symmetric: boolean;
  readonly low: Expr;
  readonly high: Expr;
}

/** `expr [NOT] LIKE pattern [ESCAPE e]` and `expr [NOT] SIMILAR TO pattern [ESCAPE e]`. */
export interface LikeExpr {
  readonly kind: 'like';
  readonly span: Span;
  readonly op: 'LIKE' | 'SIMILAR_TO';
  readonly not: boolean;
  readonly expr: Expr;
  readonly pattern: Expr;
  readonly escape: Expr | null;
}

/** `expr [NOT] IN (a, b, ...)`. */
export interface InListExpr {
  readonly kind: 'inList';
  readonly span: Span;
  readonly not: boolean;
  readonly expr: Expr;
  readonly list: readonly Expr[];
}

/** `expr [NOT] IN (query)`. */
export interface InSubqueryExpr {
  readonly kind: 'inSubquery';
  readonly span: Span;
  readonly not: boolean;
  readonly expr: Expr;
  readonly query: Query;
}

/** `EXISTS (query)`; `NOT EXISTS` is a `unary` NOT around it. */
export interface ExistsExpr {
  readonly kind: 'exists';
  readonly span: Span;
  readonly query: Query;
}

/** `(query)` used as a value. */
export interface ScalarSubquery {
  readonly kind: 'scalarSubquery';
  readonly span: Span;
  readonly query: Query;
}

/** `left op ANY|SOME|ALL (query)`; SOME is normalized to ANY. */
export interface QuantifiedComparison {
  readonly kind: 'quantifiedComparison';
  readonly span: Span;
  readonly op: ComparisonOp;
  readonly quantifier: 'ANY' | 'ALL';
  readonly left: Expr;
  readonly query: Query;
}

/** `EXTRACT(unit FROM expr)`. */
export interface ExtractExpr {
  readonly kind: 'extract';
  readonly span: Span;
  readonly unit: TimeUnit;
  readonly expr: Expr;
}

/** `POSITION(needle IN haystack [FROM start])`. */
export interface PositionExpr {
  readonly kind: 'position';
  readonly span: Span;
  readonly needle: Expr;
  readonly haystack: Expr;
  readonly from: Expr | null;
}

/** `TRIM([BOTH|LEADING|TRAILING] [chars] FROM expr)` or `TRIM(expr)`. */
export interface TrimExpr {
  readonly kind: 'trim';
  readonly span: Span;
  readonly side: 'BOTH' | 'LEADING' | 'TRAILING' | null;
  readonly chars: Expr | null;
  readonly expr: Expr;
}

/** `SUBSTRING(expr FROM start [FOR length])` or `SUBSTRING(expr, start [, length])`. */
export interface SubstringExpr {
  readonly kind: 'substring';
  readonly span: Span;
  readonly expr: Expr;
  readonly start: Expr;
  readonly length: Expr | null;
}

/** `OVERLAY(expr PLACING replacement FROM start [FOR length])`. */
export interface OverlayExpr {
  readonly kind: 'overlay';
  readonly span: Span;
  readonly expr: Expr;
  readonly placing: Expr;
  readonly start: Expr;
  readonly length: Expr | null;
}

/** `CEIL(expr TO unit)` / `FLOOR(expr TO unit)`; plain `CEIL(x)` is a function call. */
export interface CeilFloorExpr {
  readonly kind: 'ceilFloor';
  readonly span: Span;
  readonly fn: 'CEIL' | 'FLOOR';
  readonly expr: Expr;
  readonly unit: TimeUnit;
}

/** `TIMESTAMPADD(unit, amount, timestamp)`. */
export interface TimestampAddExpr {
  readonly kind: 'timestampAdd';
  readonly span: Span;
  readonly unit: TimeUnit;
  readonly amount: Expr;
  readonly timestamp: Expr;
}

/** `TIMESTAMPDIFF(unit, start, end)`. */
export interface TimestampDiffExpr {
  readonly kind: 'timestampDiff';
  readonly span: Span;
  readonly unit: TimeUnit;
  readonly start: Expr;
  readonly end: Expr;
}

/** `ARRAY[a, b, ...]`. */
export interface ArrayConstructor {
  readonly kind: 'arrayConstructor';
  readonly span: Span;
  readonly elements: readonly Expr[];
}

/** `MAP[k1, v1, k2, v2, ...]`: `entries` pairs them up. */
export interface MapConstructor {
  readonly kind: 'mapConstructor';
  readonly span: Span;
  readonly entries: readonly MapEntry[];
}

export interface MapEntry {
  readonly kind: 'mapEntry';
  readonly span: Span;
  readonly key: Expr;
  readonly value: Expr;
}

/** `ROW(a, b)` (`explicit`) or `(a, b)` (two or more fields). */
export interface RowConstructor {
  readonly kind: 'row';
  readonly span: Span;
  readonly explicit: boolean;
  readonly fields: readonly Expr[];
}

/** `arr[1]`, `m['key']`. */
export interface ElementAccess {
  readonly kind: 'elementAccess';
  readonly span: Span;
  readonly expr: Expr;
  readonly index: Expr;
}

/**
 * `expr.field` where `expr` is not a plain path (`f(x).a`, `arr[1].a`, `(r).a`); `a.b.c` on its own
 * is a `columnRef` with a three-part path.
 */
export interface FieldAccess {
  readonly kind: 'fieldAccess';
  readonly span: Span;
  readonly expr: Expr;
  readonly field: Identifier;
}

/** `DESCRIPTOR(col, ...)`, the time column argument of window TVFs. */
export interface DescriptorExpr {
  readonly kind: 'descriptor';
  readonly span: Span;
  readonly columns: readonly Identifier[];
}

// ---------------------------------------------------------------------------------------------------
// Types

export type TypeNode =
  | SimpleTypeNode
  | IntervalTypeNode
  | ArrayTypeNode
  | MultisetTypeNode
  | MapTypeNode
  | RowTypeNode;

/**
 * Normalized names: `INTEGER` -> `INT`, `NUMERIC`/`DEC` -> `DECIMAL`, `DOUBLE PRECISION` -> `DOUBLE`,
 * `CHARACTER` -> `CHAR`, `CHARACTER VARYING` -> `VARCHAR`, `TIMESTAMP WITH LOCAL TIME ZONE` ->
 * `TIMESTAMP_LTZ`, `TIMESTAMP WITHOUT TIME ZONE` -> `TIMESTAMP`. `STRING` and `BYTES` stay as written
 * (VARCHAR / VARBINARY of maximum length).
 */
export type SimpleTypeName =
  | 'BOOLEAN'
  | 'TINYINT'
  | 'SMALLINT'
  | 'INT'
  | 'BIGINT'
  | 'FLOAT'
  | 'REAL'
  | 'DOUBLE'
  | 'DECIMAL'
  | 'CHAR'
  | 'VARCHAR'
  | 'STRING'
  | 'BINARY'
  | 'VARBINARY'
  | 'BYTES'
  | 'DATE'
  | 'TIME'
  | 'TIMESTAMP'
  | 'TIMESTAMP_LTZ'
  | 'NULL';

export interface SimpleTypeNode {
  readonly kind: 'simpleType';
  readonly span: Span;
  readonly name: SimpleTypeName;
  /** Length, precision or fractional-second precision when written. */
  readonly precision: number | null;
  /** DECIMAL scale when written. */
  readonly scale: number | null;
  readonly notNull: boolean;
}

/** `INTERVAL DAY TO SECOND(3)` etc. */
export interface IntervalTypeNode {
  readonly kind: 'intervalType';
  readonly span: Span;
  readonly qualifier: IntervalQualifier;
  readonly notNull: boolean;
}

/** `ARRAY<T>` or `T ARRAY`. */
export interface ArrayTypeNode {
  readonly kind: 'arrayType';
  readonly span: Span;
  readonly element: TypeNode;
  readonly notNull: boolean;
}

/** `MULTISET<T>` or `T MULTISET`. */
export interface MultisetTypeNode {
  readonly kind: 'multisetType';
  readonly span: Span;
  readonly element: TypeNode;
  readonly notNull: boolean;
}

/** `MAP<K, V>`. */
export interface MapTypeNode {
  readonly kind: 'mapType';
  readonly span: Span;
  readonly key: TypeNode;
  readonly value: TypeNode;
  readonly notNull: boolean;
}

/** `ROW<name T [COMMENT '...'], ...>` or `ROW(name T, ...)`. */
export interface RowTypeNode {
  readonly kind: 'rowType';
  readonly span: Span;
  readonly fields: readonly RowTypeField[];
  readonly notNull: boolean;
}

export interface RowTypeField {
  readonly kind: 'rowTypeField';
  readonly span: Span;
  readonly name: Identifier;
  readonly type: TypeNode;
  readonly comment: string | null;
}

// ---------------------------------------------------------------------------------------------------
// Every node

export type Node =
  | Statement
  | Identifier
  | QualifiedName
  | Property
  | PartitionValue
  | ColumnDefinition
  | WatermarkDefinition
  | PrimaryKeyConstraint
  | LikeClause
  | LikeOption
  | SelectItem
  | CommonTableExpression
  | OrderItem
  | GroupBy
  | GroupingSets
  | Rollup
  | Cube
  | EmptyGroupingSet
  | NamedWindow
  | WindowSpec
  | WindowFrame
  | FrameBound
  | TableRef
  | Alias
  | SystemTimeClause
  | JoinOn
  | JoinUsing
  | TableFunctionArg
  | TableArgument
  | Measure
  | AfterMatchSkip
  | SubsetDefinition
  | PatternDefinition
  | RowPattern
  | Expr
  | WhenClause
  | MapEntry
  | IntervalQualifier
  | TypeNode
  | RowTypeField;

export type NodeKind = Node['kind'];

/** The node of a given kind: `NodeOfKind<'select'>` is `SelectQuery`. */
export type NodeOfKind<K extends NodeKind> = Extract<Node, { readonly kind: K }>;

const QUERY_KINDS: ReadonlySet<string> = new Set(['select', 'setOperation', 'values', 'with']);

/** Whether a statement (or any node) is a query expression. */
export function isQuery(node: { readonly kind: string }): node is Query {
  return QUERY_KINDS.has(node.kind);
}
