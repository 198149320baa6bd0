import { describe, expect, it } from 'vitest';
import { T } from '../../catalog/types.ts';
import { RowKind } from '../../operators/api.ts';
import { codec, table, thrown } from './helpers.ts';

describe('raw', () => {
  it('a STRING column is the whole message in raw.charset', () => {
    const utf8 = codec('raw', table({ line: T.string() }));
    expect(utf8.decode('héllo, "world"')).toEqual({ kinds: [RowKind.INSERT], rows: [['héllo, "world"']] });
    expect([...(utf8.encodeBytes(['é']) ?? [])]).toEqual([0xc3, 0xa9]);
    const latin1 = codec('raw', table({ line: T.string() }), { 'raw.charset': 'ISO-8859-1' });
    expect([...(latin1.encodeBytes(['é']) ?? [])]).toEqual([0xe9]);
    expect(latin1.decode(new Uint8Array([0x63, 0x61, 0x66, 0xe9])).rows).toEqual([['café']]);
  });

  it('a BYTES column is the message as it is', () => {
    const c = codec('raw', table({ b: T.bytes() }));
    expect(c.decode(new Uint8Array([0, 255, 7])).rows).toEqual([[new Uint8Array([0, 255, 7])]]);
    expect(c.encodeBytes([new Uint8Array([9])])).toEqual(new Uint8Array([9]));
  });

  it('NULL is a message without a value, both ways', () => {
    const c = codec('raw', table({ s: T.string() }));
    expect(c.encodeBytes([null])).toBeNull();
    expect(c.decode(null)).toEqual({ kinds: [RowKind.INSERT], rows: [[null]] });
    expect(thrown(() => codec('raw', table({ s: T.string(false) })).decode(null)).code).toBe('FORMAT_DECODE');
  });

  it('numbers in raw.endianness, and a message of the wrong size is an error', () => {
    const big = codec('raw', table({ n: T.int() }));
    expect([...(big.encodeBytes([258]) ?? [])]).toEqual([0, 0, 1, 2]);
    const little = codec('raw', table({ n: T.int() }), { 'raw.endianness': 'little-endian' });
    expect([...(little.encodeBytes([258]) ?? [])]).toEqual([2, 1, 0, 0]);
    expect(
      codec('raw', table({ n: T.bigint() })).decode(new Uint8Array([255, 255, 255, 255, 255, 255, 255, 254]))
        .rows,
    ).toEqual([[-2n]]);
    const error = thrown(() => big.decode(new Uint8Array([1, 2])));
    expect(error.code).toBe('FORMAT_DECODE');
    expect(error.message).toBe("Cannot decode a 'raw' message: a INT value takes 4 bytes, the message has 2");
  });

  it('needs exactly one column of a type it carries', () => {
    expect(thrown(() => codec('raw', table({ a: T.string(), b: T.string() }))).message).toMatch(
      /exactly one physical column/,
    );
    expect(thrown(() => codec('raw', table({ d: T.date() }))).code).toBe('FORMAT_UNSUPPORTED_TYPE');
    expect(thrown(() => codec('raw', table({ s: T.string() }), { 'raw.charset': 'EBCDIC' })).code).toBe(
      'FORMAT_OPTION',
    );
  });
});
