/**
 * Rivulet's logical types: every SQL type the dialect accepts, with nullability. Runtime values of each
 * type are described in docs/architecture.md. Types are plain immutable objects compared structurally
 * (`typeEquals`), printed the way Flink prints them (`typeToString`).
 */

export type TypeKind =
  | 'BOOLEAN'
  | 'TINYINT'
  | 'SMALLINT'
  | 'INT'
  | 'BIGINT'
  | 'FLOAT'
  | 'DOUBLE'
  | 'DECIMAL'
  | 'CHAR'
  | 'VARCHAR'
  | 'BINARY'
  | 'VARBINARY'
  | 'DATE'
  | 'TIME'
  | 'TIMESTAMP'
  | 'TIMESTAMP_LTZ'
  | 'INTERVAL_YEAR_MONTH'
  | 'INTERVAL_DAY_TIME'
  | 'ARRAY'
  | 'MAP'
  | 'MULTISET'
  | 'ROW'
  | 'NULL'
  | 'DESCRIPTOR';

/** Marks a TIMESTAMP/TIMESTAMP_LTZ column as a time attribute (Flink's `*ROWTIME*` / `*PROCTIME*`). */
export type TimeAttribute = 'ROWTIME' | 'PROCTIME';

export interface RowField {
  readonly name: string;
  readonly type: LogicalType;
  readonly description?: string;
}

export interface LogicalType {
  readonly kind: TypeKind;
  readonly nullable: boolean;
  /** DECIMAL precision; CHAR/VARCHAR/BINARY/VARBINARY length (VARCHAR max = STRING); TIME/TIMESTAMP precision. */
  readonly precision?: number;
  /** DECIMAL scale. */
  readonly scale?: number;
  /** ARRAY and MULTISET element type, MAP value type. */
  readonly element?: LogicalType;
  /** MAP key type. */
  readonly key?: LogicalType;
  /** ROW fields. */
  readonly fields?: readonly RowField[];
  /** Interval resolution as written, e.g. 'DAY TO SECOND', 'MONTH' (printing only). */
  readonly resolution?: string;
  readonly timeAttribute?: TimeAttribute;
}

/** VARCHAR's largest length: `STRING` is `VARCHAR(2147483647)`, as in Flink. */
export const MAX_LENGTH = 2147483647;

const make = (kind: TypeKind, extra: Partial<LogicalType> = {}, nullable = true): LogicalType => ({
  kind,
  nullable,
  ...extra,
});

/** Constructors for the common types (nullable unless said otherwise). */
export const T = {
  boolean: (nullable = true) => make('BOOLEAN', {}, nullable),
  tinyint: (nullable = true) => make('TINYINT', {}, nullable),
  smallint: (nullable = true) => make('SMALLINT', {}, nullable),
  int: (nullable = true) => make('INT', {}, nullable),
  bigint: (nullable = true) => make('BIGINT', {}, nullable),
  float: (nullable = true) => make('FLOAT', {}, nullable),
  double: (nullable = true) => make('DOUBLE', {}, nullable),
  decimal: (precision = 10, scale = 0, nullable = true) => make('DECIMAL', { precision, scale }, nullable),
  char: (length = 1, nullable = true) => make('CHAR', { precision: length }, nullable),
  varchar: (length = MAX_LENGTH, nullable = true) => make('VARCHAR', { precision: length }, nullable),
  string: (nullable = true) => make('VARCHAR', { precision: MAX_LENGTH }, nullable),
  binary: (length = 1, nullable = true) => make('BINARY', { precision: length }, nullable),
  varbinary: (length = MAX_LENGTH, nullable = true) => make('VARBINARY', { precision: length }, nullable),
  bytes: (nullable = true) => make('VARBINARY', { precision: MAX_LENGTH }, nullable),
  date: (nullable = true) => make('DATE', {}, nullable),
  time: (precision = 0, nullable = true) => make('TIME', { precision }, nullable),
  timestamp: (precision = 6, nullable = true) => make('TIMESTAMP', { precision }, nullable),
  timestampLtz: (precision = 6, nullable = true) => make('TIMESTAMP_LTZ', { precision }, nullable),
  intervalYearMonth: (resolution = 'YEAR TO MONTH', nullable = true) =>
    make('INTERVAL_YEAR_MONTH', { resolution }, nullable),
  intervalDayTime: (resolution = 'DAY TO SECOND', nullable = true) =>
    make('INTERVAL_DAY_TIME', { resolution, precision: 3 }, nullable),
  array: (element: LogicalType, nullable = true) => make('ARRAY', { element }, nullable),
  multiset: (element: LogicalType, nullable = true) => make('MULTISET', { element }, nullable),
  map: (key: LogicalType, value: LogicalType, nullable = true) =>
    make('MAP', { key, element: value }, nullable),
  row: (fields: readonly RowField[], nullable = true) => make('ROW', { fields }, nullable),
  null: () => make('NULL', {}, true),
} as const;

export function withNullable(type: LogicalType, nullable: boolean): LogicalType {
  return type.nullable === nullable ? type : { ...type, nullable };
}

export function withTimeAttribute(type: LogicalType, timeAttribute: TimeAttribute | undefined): LogicalType {
  if (type.timeAttribute === timeAttribute) return type;
  const { timeAttribute: _drop, ...rest } = type;
  return timeAttribute ? { ...rest, timeAttribute } : rest;
}

export const isExactNumeric = (t: LogicalType): boolean =>
  t.kind === 'TINYINT' ||
  t.kind === 'SMALLINT' ||
  t.kind === 'INT' ||
  t.kind === 'BIGINT' ||
  t.kind === 'DECIMAL';
export const isIntegral = (t: LogicalType): boolean =>
  t.kind === 'TINYINT' || t.kind === 'SMALLINT' || t.kind === 'INT' || t.kind === 'BIGINT';
export const isApproxNumeric = (t: LogicalType): boolean => t.kind === 'FLOAT' || t.kind === 'DOUBLE';
export const isNumeric = (t: LogicalType): boolean => isExactNumeric(t) || isApproxNumeric(t);
export const isCharacterString = (t: LogicalType): boolean => t.kind === 'CHAR' || t.kind === 'VARCHAR';
export const isBinaryString = (t: LogicalType): boolean => t.kind === 'BINARY' || t.kind === 'VARBINARY';
export const isTimestamp = (t: LogicalType): boolean => t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
export const isInterval = (t: LogicalType): boolean =>
  t.kind === 'INTERVAL_YEAR_MONTH' || t.kind === 'INTERVAL_DAY_TIME';

/** Structural equality; `ignoreNullability` compares the types alone. Time attributes are ignored. */
export function typeEquals(a: LogicalType, b: LogicalType, ignoreNullability = false): boolean {
  if (a.kind !== b.kind) return false;
  if (!ignoreNullability && a.nullable !== b.nullable) return false;
  if (a.precision !== b.precision || a.scale !== b.scale) return false;
  if ((a.element === undefined) !== (b.element === undefined)) return false;
  if (a.element && b.element && !typeEquals(a.element, b.element, false)) return false;
  if ((a.key === undefined) !== (b.key === undefined)) return false;
  if (a.key && b.key && !typeEquals(a.key, b.key, false)) return false;
  if (a.fields || b.fields) {
    const fa = a.fields ?? [];
    const fb = b.fields ?? [];
    if (fa.length !== fb.length) return false;
    for (let i = 0; i < fa.length; i++) {
      const x = fa[i] as RowField;
      const y = fb[i] as RowField;
      if (x.name !== y.name || !typeEquals(x.type, y.type, false)) return false;
    }
  }
  return true;
}

/** Prints a type as Flink does: `INT NOT NULL`, `DECIMAL(10, 2)`, `STRING`, `TIMESTAMP(3) *ROWTIME*`. */
export function typeToString(t: LogicalType): string {
  const nn = t.nullable ? '' : ' NOT NULL';
  const attr = t.timeAttribute ? ` *${t.timeAttribute}*` : '';
  switch (t.kind) {
    case 'DECIMAL':
      return `DECIMAL(${t.precision ?? 10}, ${t.scale ?? 0})${nn}`;
    case 'CHAR':
    case 'BINARY':
    case 'TIME':
      return `${t.kind}(${t.precision ?? 1})${nn}`;
    case 'VARCHAR':
      return `${t.precision === MAX_LENGTH ? 'STRING' : `VARCHAR(${t.precision})`}${nn}`;
    case 'VARBINARY':
      return `${t.precision === MAX_LENGTH ? 'BYTES' : `VARBINARY(${t.precision})`}${nn}`;
    case 'TIMESTAMP':
      return `TIMESTAMP(${t.precision ?? 6})${nn}${attr}`;
    case 'TIMESTAMP_LTZ':
      return `TIMESTAMP_LTZ(${t.precision ?? 6})${nn}${attr}`;
    case 'INTERVAL_YEAR_MONTH':
    case 'INTERVAL_DAY_TIME':
      return `INTERVAL ${t.resolution ?? ''}${nn}`;
    case 'ARRAY':
    case 'MULTISET':
      return `${t.kind}<${typeToString(t.element as LogicalType)}>${nn}`;
    case 'MAP':
      return `MAP<${typeToString(t.key as LogicalType)}, ${typeToString(t.element as LogicalType)}>${nn}`;
    case 'ROW':
      return `ROW<${(t.fields ?? []).map((f) => `${quoteFieldName(f.name)} ${typeToString(f.type)}`).join(', ')}>${nn}`;
    default:
      return `${t.kind}${nn}`;
  }
}

function quoteFieldName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `\`${name}\`` : `\`${name.replace(/`/g, '``')}\``;
}
