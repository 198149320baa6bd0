/**
 * fast-check generators of random ROW types and of rows of those types, in Rivulet's value
 * representation (docs/architecture.md), restricted to what each format can carry.
 */
import fc from 'fast-check';
import { daysFromCivil, MS_PER_DAY } from '../../catalog/datetime.ts';
import { type LogicalType, type RowField, T } from '../../catalog/types.ts';
import type { Row, Value } from '../../operators/api.ts';

/** What a format carries: which scalar kinds, and how composites may nest. */
export interface Capabilities {
  readonly scalars: readonly ScalarKind[];
  /** ARRAY/MAP/MULTISET/ROW allowed at any depth (json, avro) or only ARRAY/ROW of scalars (csv). */
  readonly nesting: 'deep' | 'flat' | 'none';
  /** Map keys: any scalar with a text form (json), strings only (avro). */
  readonly mapKeys: readonly ScalarKind[];
}

export type ScalarKind =
  | 'BOOLEAN'
  | 'TINYINT'
  | 'SMALLINT'
  | 'INT'
  | 'BIGINT'
  | 'FLOAT'
  | 'DOUBLE'
  | 'DECIMAL'
  | 'STRING'
  | 'BYTES'
  | 'DATE'
  | 'TIME'
  | 'TIMESTAMP'
  | 'TIMESTAMP_LTZ';

export const ALL_SCALARS: readonly ScalarKind[] = [
  'BOOLEAN',
  'TINYINT',
  'SMALLINT',
  'INT',
  'BIGINT',
  'FLOAT',
  'DOUBLE',
  'DECIMAL',
  'STRING',
  'BYTES',
  'DATE',
  'TIME',
  'TIMESTAMP',
  'TIMESTAMP_LTZ',
];

export const JSON_CAPABILITIES: Capabilities = {
  scalars: ALL_SCALARS,
  nesting: 'deep',
  mapKeys: ['STRING', 'INT', 'BIGINT', 'DATE', 'DECIMAL'],
};
export const AVRO_CAPABILITIES: Capabilities = { scalars: ALL_SCALARS, nesting: 'deep', mapKeys: ['STRING'] };
export const CSV_CAPABILITIES: Capabilities = { scalars: ALL_SCALARS, nesting: 'flat', mapKeys: [] };

function scalarType(kind: ScalarKind, nullable: boolean): fc.Arbitrary<LogicalType> {
  switch (kind) {
    case 'DECIMAL':
      return fc
        .integer({ min: 1, max: 38 })
        .chain((p) => fc.integer({ min: 0, max: p }).map((s) => T.decimal(p, s, nullable)));
    case 'TIMESTAMP':
      return fc.constantFrom(0, 3, 6).map((p) => T.timestamp(p, nullable));
    case 'TIMESTAMP_LTZ':
      return fc.constantFrom(0, 3, 6).map((p) => T.timestampLtz(p, nullable));
    case 'TIME':
      return fc.constant(T.time(3, nullable));
    case 'STRING':
      return fc.constant(T.string(nullable));
    case 'BYTES':
      return fc.constant(T.bytes(nullable));
    default: {
      const make = {
        BOOLEAN: T.boolean,
        TINYINT: T.tinyint,
        SMALLINT: T.smallint,
        INT: T.int,
        BIGINT: T.bigint,
        FLOAT: T.float,
        DOUBLE: T.double,
        DATE: T.date,
      }[kind];
      return fc.constant(make(nullable));
    }
  }
}

const fieldName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/);

function fieldsOf(type: fc.Arbitrary<LogicalType>, min: number, max: number): fc.Arbitrary<RowField[]> {
  return fc
    .uniqueArray(fieldName, { minLength: min, maxLength: max })
    .chain((names) =>
      fc
        .tuple(...names.map(() => type))
        .map((types) => names.map((name, i) => ({ name, type: types[i] as LogicalType }))),
    );
}

/** A random column type the format can carry. */
export function columnType(caps: Capabilities): fc.Arbitrary<LogicalType> {
  const scalar = fc
    .tuple(fc.constantFrom(...caps.scalars), fc.boolean())
    .chain(([kind, nullable]) => scalarType(kind, nullable));
  if (caps.nesting === 'none') return scalar;
  if (caps.nesting === 'flat') {
    return fc.oneof(
      { weight: 4, arbitrary: scalar },
      { weight: 1, arbitrary: fc.tuple(scalar, fc.boolean()).map(([e, n]) => T.array(e, n)) },
      { weight: 1, arbitrary: fc.tuple(fieldsOf(scalar, 1, 3), fc.boolean()).map(([f, n]) => T.row(f, n)) },
    );
  }
  const mapKey = fc.constantFrom(...caps.mapKeys).chain((kind) => scalarType(kind, false));
  const { type } = fc.letrec<{ type: LogicalType }>((tie) => ({
    type: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 5, arbitrary: scalar },
      { weight: 1, arbitrary: fc.tuple(tie('type'), fc.boolean()).map(([e, n]) => T.array(e, n)) },
      {
        weight: 1,
        arbitrary: fc.tuple(mapKey, tie('type'), fc.boolean()).map(([k, v, n]) => T.map(k, v, n)),
      },
      { weight: 1, arbitrary: fc.tuple(mapKey, fc.boolean()).map(([k, n]) => T.multiset(k, n)) },
      {
        weight: 1,
        arbitrary: fc.tuple(fieldsOf(tie('type'), 1, 3), fc.boolean()).map(([f, n]) => T.row(f, n)),
      },
    ),
  }));
  return type;
}

/** A random ROW type (a table's physical columns). */
export function rowType(caps: Capabilities, maxColumns = 5): fc.Arbitrary<LogicalType> {
  return fieldsOf(columnType(caps), 1, maxColumns).map((fields) => T.row(fields, false));
}

const MIN_DAY = daysFromCivil(1, 1, 1);
const MAX_DAY = daysFromCivil(9999, 12, 31);
const INT_BOUNDS: Record<string, [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
};

/**
 * One character: often one that formats must escape or quote (delimiters, quotes, backslash, line
 * breaks, `#`), else any code point but lone surrogates. (fast-check's `unit: 'binary'` would do, but
 * builds a table of every code point first: seconds of start-up per test worker.)
 */
const character = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      ',',
      ';',
      '|',
      '"',
      "'",
      '\\',
      '\n',
      '\r',
      '\t',
      '#',
      ' ',
      'N',
      'e',
      '{',
      '[',
      ':',
    ),
  },
  { weight: 3, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCodePoint(c)) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 0, max: 0x10ffff - 0x800 })
      .map((c) => String.fromCodePoint(c < 0xd800 ? c : c + 0x800)),
  },
);

/** A random value of `type` (NULL sometimes, when the type is nullable). */
export function valueArb(type: LogicalType): fc.Arbitrary<Value> {
  const value = nonNullValue(type);
  return type.nullable ? fc.option(value, { nil: null, freq: 5 }) : value;
}

function nonNullValue(type: LogicalType): fc.Arbitrary<Value> {
  switch (type.kind) {
    case 'BOOLEAN':
      return fc.boolean();
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const [min, max] = INT_BOUNDS[type.kind] as [number, number];
      return fc.integer({ min, max });
    }
    case 'BIGINT':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'FLOAT':
      return fc.float();
    case 'DOUBLE':
      return fc.double();
    case 'DECIMAL': {
      const bound = 10n ** BigInt(type.precision ?? 10) - 1n;
      return fc.bigInt({ min: -bound, max: bound });
    }
    case 'VARCHAR':
    case 'CHAR':
      return fc.string({ unit: character, maxLength: 12 });
    case 'VARBINARY':
    case 'BINARY':
      return fc.uint8Array({ maxLength: 12 });
    case 'DATE':
      return fc.integer({ min: MIN_DAY, max: MAX_DAY });
    case 'TIME':
      return fc.integer({ min: 0, max: MS_PER_DAY - 1 });
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return fc.integer({ min: MIN_DAY * MS_PER_DAY, max: (MAX_DAY + 1) * MS_PER_DAY - 1 });
    case 'ARRAY':
      return fc.array(valueArb(type.element as LogicalType), { maxLength: 4 });
    case 'MAP':
      return fc
        .uniqueArray(fc.tuple(nonNullValue(type.key as LogicalType), valueArb(type.element as LogicalType)), {
          maxLength: 3,
          selector: ([k]) => mapKeyIdentity(k),
        })
        .map((entries) => new Map(entries));
    case 'MULTISET':
      return fc
        .uniqueArray(fc.tuple(nonNullValue(type.element as LogicalType), fc.integer({ min: 1, max: 1000 })), {
          maxLength: 3,
          selector: ([k]) => mapKeyIdentity(k),
        })
        .map((entries) => new Map(entries));
    case 'ROW':
      return fc.tuple(...(type.fields ?? []).map((f) => valueArb(f.type))) as fc.Arbitrary<Value>;
    default:
      throw new Error(`no generator for ${type.kind}`);
  }
}

/** Keys that Map would treat as one (SameValueZero), or that print to the same text. */
function mapKeyIdentity(key: Value): string {
  return typeof key === 'bigint' ? `${key}n` : String(key);
}

/** A random ROW type together with rows of it. */
export function typedRows(
  caps: Capabilities,
  maxColumns = 5,
): fc.Arbitrary<{ type: LogicalType; rows: Row[] }> {
  return rowType(caps, maxColumns).chain((type) =>
    fc
      .array(valueArb(type) as fc.Arbitrary<Row>, { minLength: 1, maxLength: 4 })
      .map((rows) => ({ type, rows })),
  );
}
