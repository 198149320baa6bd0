/**
 * Property: for random ROW types (nullable columns, nested ARRAY/MAP/MULTISET/ROW where the format
 * carries them) and random rows of them, decode(encode(row)) gives back the same row, and the change
 * kinds come back as the format defines them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { T } from '../../catalog/types.ts';
import { formatFor } from '../../connectors/formats/index.ts';
import { RowKind } from '../../operators/api.ts';
import {
  ALL_SCALARS,
  AVRO_CAPABILITIES,
  type Capabilities,
  CSV_CAPABILITIES,
  JSON_CAPABILITIES,
  typedRows,
  valueArb,
} from './arbitraries.ts';

const NUM_RUNS = 200;
const kinds = fc.constantFrom(RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE);

function roundTrips(
  identifier: string,
  caps: Capabilities,
  options: Record<string, string>,
  expectedKind: (kind: RowKind) => RowKind,
): void {
  const format = formatFor(identifier);
  fc.assert(
    fc.property(
      typedRows(caps),
      fc.array(kinds, { minLength: 4, maxLength: 4 }),
      ({ type, rows }, rowKinds) => {
        const opts = new Map(Object.entries(options));
        const encode = format.createEncoder(type, opts, '');
        const decode = format.createDecoder(type, opts, '');
        rows.forEach((row, i) => {
          const kind = rowKinds[i] as RowKind;
          const bytes = encode(kind, row);
          expect(bytes).not.toBeNull();
          const decoded = decode(bytes);
          expect(decoded.skipped).toBeUndefined();
          expect(decoded.rows).toEqual([row]);
          expect(decoded.kinds).toEqual([expectedKind(kind)]);
        });
      },
    ),
    { numRuns: NUM_RUNS },
  );
}

const insert = () => RowKind.INSERT;
const asCreateOrDelete = (kind: RowKind): RowKind =>
  kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER ? RowKind.INSERT : RowKind.DELETE;

describe('decode(encode(row)) == row for random row types', () => {
  it('json', () => roundTrips('json', JSON_CAPABILITIES, {}, insert));

  it('json with ISO-8601 timestamps, plain decimals and NULL fields left out', () =>
    roundTrips(
      'json',
      JSON_CAPABILITIES,
      {
        'json.timestamp-format.standard': 'ISO-8601',
        'json.encode.decimal-as-plain-number': 'true',
        'json.encode.ignore-null-fields': 'true',
      },
      insert,
    ));

  it('csv', () => roundTrips('csv', CSV_CAPABILITIES, {}, insert));

  it('csv with a tab delimiter, single quotes and a null literal', () =>
    roundTrips(
      'csv',
      CSV_CAPABILITIES,
      {
        'csv.field-delimiter': '\\t',
        'csv.quote-character': "'",
        'csv.null-literal': 'NULL',
        'csv.array-element-delimiter': '|',
        'csv.allow-comments': 'true',
      },
      insert,
    ));

  it('csv without quoting, with an escape character', () =>
    roundTrips(
      'csv',
      // Without quotes an empty STRING, BYTES or ARRAY cannot be told from NULL (see csv.test.ts).
      {
        ...CSV_CAPABILITIES,
        nesting: 'none',
        scalars: ALL_SCALARS.filter((k) => k !== 'STRING' && k !== 'BYTES'),
      },
      { 'csv.disable-quote-character': 'true', 'csv.escape-character': '\\', 'csv.null-literal': '\\N' },
      insert,
    ));

  it('avro', () => roundTrips('avro', AVRO_CAPABILITIES, {}, insert));

  it('debezium-json: +I/+U as create, -U/-D as delete', () =>
    roundTrips('debezium-json', JSON_CAPABILITIES, {}, asCreateOrDelete));

  it('canal-json: +I/+U as INSERT, -U/-D as DELETE', () =>
    roundTrips('canal-json', JSON_CAPABILITIES, {}, asCreateOrDelete));

  it('raw, for every type it carries', () => {
    const format = formatFor('raw');
    const column = fc
      .constantFrom(
        T.string(),
        T.bytes(),
        T.boolean(),
        T.tinyint(),
        T.smallint(),
        T.int(),
        T.bigint(),
        T.float(),
        T.double(),
      )
      .chain((type) =>
        fc.tuple(fc.constant(type), valueArb(type), fc.constantFrom('big-endian', 'little-endian')),
      );
    fc.assert(
      fc.property(column, ([type, value, endianness]) => {
        const rowType = T.row([{ name: 'v', type }], false);
        const options = new Map([['raw.endianness', endianness]]);
        const bytes = format.createEncoder(rowType, options, '')(RowKind.INSERT, [value]);
        expect(bytes === null).toBe(value === null);
        expect(format.createDecoder(rowType, options, '')(bytes).rows).toEqual([[value]]);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
