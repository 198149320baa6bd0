import avro from 'avsc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { T } from '../../catalog/types.ts';
import {
  avroSchemaOf,
  bigintToTwosComplement,
  twosComplementToBigint,
} from '../../connectors/formats/avro.ts';
import { RowKind } from '../../operators/api.ts';
import { codec, table, thrown } from './helpers.ts';

describe('avro', () => {
  const type = table({
    id: T.bigint(false),
    name: T.string(),
    price: T.decimal(10, 2),
    day: T.date(),
    at: T.timestamp(3),
    tags: T.array(T.string(false)),
    props: T.map(T.string(), T.double()),
    inner: T.row([{ name: 'flag', type: T.boolean() }]),
  });

  it("derives the schema as Flink does: nullable types as ['null', T] with default null", () => {
    expect(avroSchemaOf(type, 'record', '')).toEqual({
      type: 'record',
      name: 'record',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'name', type: ['null', 'string'], default: null },
        {
          name: 'price',
          type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 }],
          default: null,
        },
        { name: 'day', type: ['null', { type: 'int', logicalType: 'date' }], default: null },
        { name: 'at', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], default: null },
        { name: 'tags', type: ['null', { type: 'array', items: 'string' }], default: null },
        { name: 'props', type: ['null', { type: 'map', values: ['null', 'double'] }], default: null },
        {
          name: 'inner',
          type: [
            'null',
            {
              type: 'record',
              name: 'record_inner',
              fields: [{ name: 'flag', type: ['null', 'boolean'], default: null }],
            },
          ],
          default: null,
        },
      ],
    });
  });

  it('reads what another Avro writer wrote with the same schema', () => {
    // An independent producer: avsc with the schema text and its own (plain JavaScript) values.
    const producer = avro.Type.forSchema(avroSchemaOf(type, 'record', '') as avro.Schema);
    const bytes = producer.toBuffer({
      id: 42,
      name: 'x',
      price: Buffer.from([0x30, 0x39]), // 12345 -> 123.45
      day: 19000,
      at: 1700000000123,
      tags: ['a', 'b'],
      props: { k: 1.5, n: null },
      inner: { flag: true },
    });
    expect(codec('avro', type).decode(new Uint8Array(bytes))).toEqual({
      kinds: [RowKind.INSERT],
      rows: [
        [
          42n,
          'x',
          12345n,
          19000,
          1700000000123,
          ['a', 'b'],
          new Map([
            ['k', 1.5],
            ['n', null],
          ]),
          [true],
        ],
      ],
    });
  });

  it('writes what another Avro reader reads', () => {
    const bytes = codec('avro', type).encodeBytes([-5n, null, -1n, null, 0, [], new Map(), null]);
    const reader = avro.Type.forSchema(avroSchemaOf(type, 'record', '') as avro.Schema);
    const record = reader.fromBuffer(Buffer.from(bytes as Uint8Array));
    expect({ ...record }).toEqual({
      id: -5,
      name: null,
      price: Buffer.from([0xff]),
      day: null,
      at: 0,
      tags: [],
      props: {},
      inner: null,
    });
  });

  it('keeps BIGINT exact beyond 2^53', () => {
    const c = codec('avro', table({ n: T.bigint() }));
    expect(c.decode(c.encodeBytes([9223372036854775807n])).rows).toEqual([[9223372036854775807n]]);
  });

  it('a truncated message or trailing bytes is FORMAT_DECODE', () => {
    const c = codec('avro', type);
    const good = c.encodeBytes([1n, 'name', 100n, 1, 2, ['t'], new Map([['a', 1]]), [false]]) as Uint8Array;
    const truncated = thrown(() => c.decode(good.subarray(0, good.length - 3)));
    expect(truncated.code).toBe('FORMAT_DECODE');
    expect(truncated.message).toMatch(
      /^Cannot decode a 'avro' message: the message does not match the table's Avro schema/,
    );
    expect(thrown(() => c.decode(new Uint8Array([...good, 0]))).code).toBe('FORMAT_DECODE');
  });

  it('refuses types Avro cannot carry', () => {
    expect(thrown(() => codec('avro', table({ m: T.map(T.int(), T.int()) }))).code).toBe(
      'FORMAT_UNSUPPORTED_TYPE',
    );
    expect(thrown(() => codec('avro', table({ 'bad-name': T.int() }))).message).toMatch(
      /field name 'bad-name'/,
    );
    expect(thrown(() => codec('avro', table({ i: T.intervalYearMonth() }))).code).toBe(
      'FORMAT_UNSUPPORTED_TYPE',
    );
  });

  it('decimal bytes: the shortest two’s complement, as Java’s BigInteger.toByteArray', () => {
    expect([...bigintToTwosComplement(0n)]).toEqual([0]);
    expect([...bigintToTwosComplement(127n)]).toEqual([0x7f]);
    expect([...bigintToTwosComplement(128n)]).toEqual([0x00, 0x80]);
    expect([...bigintToTwosComplement(-128n)]).toEqual([0x80]);
    expect([...bigintToTwosComplement(-129n)]).toEqual([0xff, 0x7f]);
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), (n) => {
        const bytes = bigintToTwosComplement(n);
        expect(twosComplementToBigint(bytes)).toBe(n);
        // Shortest: n fits in bytes.length bytes of two's complement, not in one fewer.
        const fits = (k: number) => k > 0 && BigInt.asIntN(8 * k, n) === n;
        expect(fits(bytes.length)).toBe(true);
        expect(fits(bytes.length - 1)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('avro maps', () => {
  it('keep a key named __proto__ (avsc alone would turn it into a prototype)', () => {
    const c = codec(
      'avro',
      table({ m: T.map(T.string(), T.row([{ name: 'x', type: T.int() }])), n: T.map(T.string(), T.int()) }),
    );
    const row = [
      new Map([
        ['__proto__', [1]],
        ['constructor', [2]],
      ]),
      new Map([['__proto__', 3]]),
    ];
    expect(c.decode(c.encodeBytes(row)).rows).toEqual([row]);
  });
});

describe('avro with a damaged item count', () => {
  it('fails as truncated at once instead of reading 2^40 items', () => {
    const c = codec('avro', table({ a: T.array(T.int(false), false) }));
    const count = avro.Type.forSchema('long').toBuffer(2 ** 40);
    const started = performance.now();
    const error = thrown(() => c.decode(new Uint8Array([...count, 2, 4, 6])));
    expect(error.code).toBe('FORMAT_DECODE');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
