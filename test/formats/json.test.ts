import { describe, expect, it } from 'vitest';
import { daysFromCivil, MS_PER_DAY } from '../../catalog/datetime.ts';
import { T } from '../../catalog/types.ts';
import { RowKind } from '../../operators/api.ts';
import { codec, table, thrown } from './helpers.ts';

const ts = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) =>
  daysFromCivil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi) * 60 + s) * 1000 + ms;

describe('json: decoding', () => {
  const type = table({
    id: T.bigint(),
    price: T.decimal(38, 10),
    name: T.string(),
    ok: T.boolean(),
    ratio: T.double(),
    small: T.smallint(),
    born: T.date(),
    at: T.time(3),
    seen: T.timestamp(3),
    instant: T.timestampLtz(3),
    blob: T.bytes(),
    tags: T.array(T.string()),
    attrs: T.map(T.string(), T.int()),
    counts: T.map(T.int(), T.bigint()),
    address: T.row([
      { name: 'city', type: T.string() },
      { name: 'zip', type: T.int() },
    ]),
  });

  it('reads every type, exactly: BIGINT beyond 2^53, 38-digit DECIMAL, timestamps, base64, nesting', () => {
    const message = `{
      "id": 9223372036854775807, "price": 1234567890123456789012345678.0123456789,
      "name": "Zoë", "ok": true, "ratio": 0.1, "small": -32768, "born": "1999-12-31",
      "at": "23:59:58.5", "seen": "2024-02-29 12:30:45.123", "instant": "2024-02-29 12:30:45.123Z",
      "blob": "AAEC/w==", "tags": ["a", null, "c"], "attrs": {"x": 1, "y": null},
      "counts": {"7": 70000000000000000}, "address": {"city": "Oslo", "zip": 150}
    }`;
    expect(codec('json', type).decode(message)).toEqual({
      kinds: [RowKind.INSERT],
      rows: [
        [
          9223372036854775807n,
          12345678901234567890123456780123456789n,
          'Zoë',
          true,
          0.1,
          -32768,
          daysFromCivil(1999, 12, 31),
          ((23 * 60 + 59) * 60 + 58) * 1000 + 500,
          ts(2024, 2, 29, 12, 30, 45, 123),
          ts(2024, 2, 29, 12, 30, 45, 123),
          new Uint8Array([0, 1, 2, 255]),
          ['a', null, 'c'],
          new Map([
            ['x', 1],
            ['y', null],
          ]),
          new Map([[7, 70000000000000000n]]),
          ['Oslo', 150],
        ],
      ],
    });
  });

  it('takes numbers and booleans written as strings, and NaN/Infinity for doubles', () => {
    const t = table({ a: T.int(), b: T.bigint(), c: T.double(), d: T.boolean(), e: T.decimal(5, 2) });
    expect(
      codec('json', t).decode('{"a":" 42","b":"-9223372036854775808","c":"NaN","d":"TRUE","e":"1.005"}').rows,
    ).toEqual([[42, -9223372036854775808n, Number.NaN, true, 101n]]);
    expect(codec('json', t).decode('{"c":"-Infinity"}').rows).toEqual([[null, null, -Infinity, null, null]]);
  });

  it('reads integral numbers in any notation exactly into BIGINT', () => {
    const t = table({ a: T.bigint(), b: T.bigint(), c: T.bigint() });
    expect(
      codec('json', t).decode('{"a": 9007199254740993.0, "b": 1.5e3, "c": -9.223372036854775808E18}').rows,
    ).toEqual([[9007199254740993n, 1500n, -9223372036854775808n]]);
    expect(thrown(() => codec('json', t).decode('{"a": 9223372036854775808}')).message).toMatch(
      /out of range for BIGINT/,
    );
    expect(thrown(() => codec('json', t).decode('{"a": 12345678901234567.5}')).message).toMatch(
      /is not an integer/,
    );
  });

  it('gives a STRING column the JSON text of a non-string value', () => {
    const t = table({ s: T.string() });
    expect(codec('json', t).decode('{"s": {"k": [1, 2.50, 12345678901234567890]}}').rows).toEqual([
      ['{"k":[1,2.50,12345678901234567890]}'],
    ]);
    expect(codec('json', t).decode('{"s": 7}').rows).toEqual([['7']]);
  });

  it('reads a missing field as NULL, and an own property only (a column named constructor)', () => {
    const t = table({ a: T.int(), constructor: T.string(), toString: T.string() });
    expect(codec('json', t).decode('{"a":1}').rows).toEqual([[1, null, null]]);
  });

  it('reads a top-level array as several rows', () => {
    const t = table({ a: T.int() });
    expect(codec('json', t).decode('[{"a":1},{"a":2},{}]')).toEqual({
      kinds: [RowKind.INSERT, RowKind.INSERT, RowKind.INSERT],
      rows: [[1], [2], [null]],
    });
  });

  it('gives no change for a message without a value (tombstone)', () => {
    expect(codec('json', table({ a: T.int() })).decode(null)).toEqual({ kinds: [], rows: [] });
  });

  it('accepts epoch numbers for temporal columns (as Debezium sends them)', () => {
    const t = table({ d: T.date(), t: T.timestamp(3) });
    expect(codec('json', t).decode('{"d": 19000, "t": 1700000000123}').rows).toEqual([
      [19000, 1700000000123],
    ]);
    const time = table({ t: T.time(3) });
    expect(codec('json', time).decode('{"t": 3600000}').rows).toEqual([[3600000]]);
    expect(thrown(() => codec('json', time).decode('{"t": 86400000}')).message).toMatch(
      /is not a time of day/,
    );
  });
});

describe('json: decoding errors', () => {
  const type = table({ a: T.int(), b: T.row([{ name: 'c', type: T.date() }]) });

  function decodeError(message: string, options: Record<string, string> = {}) {
    return thrown(() => codec('json', type, options).decode(message));
  }

  it('malformed JSON is FORMAT_DECODE naming the format', () => {
    const error = decodeError('{"a": 1');
    expect(error.name).toBe('RivuletError');
    expect(error.code).toBe('FORMAT_DECODE');
    expect(error.phase).toBe('connector');
    expect(error.message).toMatch(/^Cannot decode a 'json' message: malformed JSON/);
  });

  it('a value of the wrong type names the field path and what was expected', () => {
    expect(decodeError('{"a": "x"}').message).toBe(
      "Cannot decode a 'json' message: field 'a': 'x' is not an INT",
    );
    expect(decodeError('{"b": {"c": "2024-13-01"}}').message).toBe(
      "Cannot decode a 'json' message: field 'b.c': '2024-13-01' is not a DATE (yyyy-MM-dd)",
    );
    expect(decodeError('{"b": [1]}').message).toBe(
      "Cannot decode a 'json' message: field 'b': expected a JSON object (ROW), got [1]",
    );
    expect(decodeError('{"a": 2147483648}').message).toMatch(/field 'a': 2147483648 is out of range for INT/);
    expect(decodeError('{"a": 1.5}').message).toMatch(/field 'a': 1.5 is not an integer/);
    expect(decodeError('"just a string"').message).toMatch(/expected a JSON object or an array of objects/);
  });

  it('a NULL for a NOT NULL column is an error', () => {
    const t = table({ a: T.int(false) });
    expect(thrown(() => codec('json', t).decode('{"a": null}')).message).toMatch(
      /field 'a' is null but its type is NOT NULL/,
    );
  });

  it('invalid UTF-8 is an error, not replacement characters', () => {
    const error = thrown(() => codec('json', type).decode(new Uint8Array([0x7b, 0xff, 0x7d])));
    expect(error.message).toMatch(/not valid UTF-8/);
  });

  it('json.fail-on-missing-field makes a missing field an error', () => {
    expect(codec('json', type).decode('{"a": 1}').rows).toEqual([[1, null]]);
    expect(decodeError('{"a": 1}', { 'json.fail-on-missing-field': 'true' }).message).toMatch(
      /field 'b' is missing/,
    );
  });

  it('json.ignore-parse-errors returns the error as a skipped message, and decoding goes on', () => {
    const c = codec('json', type, { 'json.ignore-parse-errors': 'true' });
    const skipped = c.decode('{"a": "x"}');
    expect(skipped.rows).toEqual([]);
    expect(skipped.skipped?.code).toBe('FORMAT_DECODE');
    expect(skipped.skipped?.message).toMatch(/field 'a'/);
    expect(c.decode('not json').skipped?.message).toMatch(/malformed JSON/);
    expect(c.decode('{"a": 3}')).toEqual({ kinds: [RowKind.INSERT], rows: [[3, null]] });
  });

  it('reads options under the connector prefix (value.json....)', () => {
    const c = codec(
      'json',
      type,
      { 'value.json.ignore-parse-errors': 'true', 'json.ignore-parse-errors': 'false' },
      'value.',
    );
    expect(c.decode('{').skipped).toBeDefined();
  });

  it('refuses bad option values and contradictory options when the table is planned', () => {
    const bad = thrown(() => codec('json', type, { 'value.json.ignore-parse-errors': 'yes' }, 'value.'));
    expect(bad.code).toBe('FORMAT_OPTION');
    expect(bad.message).toBe(
      "Invalid value 'yes' for option 'value.json.ignore-parse-errors': expected 'true' or 'false'",
    );
    const both = thrown(() =>
      codec('json', type, { 'json.ignore-parse-errors': 'true', 'json.fail-on-missing-field': 'true' }),
    );
    expect(both.code).toBe('FORMAT_OPTION');
    const standard = thrown(() => codec('json', type, { 'json.timestamp-format.standard': 'RFC' }));
    expect(standard.message).toMatch(/expected 'SQL', 'ISO-8601'/);
  });

  it('refuses column types JSON cannot carry', () => {
    const error = thrown(() => codec('json', table({ i: T.intervalDayTime() })));
    expect(error.code).toBe('FORMAT_UNSUPPORTED_TYPE');
    expect(error.message).toMatch(/'json' format does not support INTERVAL_DAY_TIME \(i\)/);
    expect(thrown(() => codec('json', table({ m: T.map(T.array(T.int()), T.int()) }))).code).toBe(
      'FORMAT_UNSUPPORTED_TYPE',
    );
  });
});

describe('json: timestamps', () => {
  const type = table({ t: T.timestamp(3), l: T.timestampLtz(3) });
  const value = ts(2020, 12, 30, 12, 13, 14, 120);

  it("SQL (default): 'yyyy-MM-dd HH:mm:ss.fff', and Z for TIMESTAMP_LTZ", () => {
    const c = codec('json', type);
    expect(c.encode([value, value])).toBe('{"t":"2020-12-30 12:13:14.12","l":"2020-12-30 12:13:14.12Z"}');
    expect(c.decode('{"t":"2020-12-30 12:13:14.12","l":"2020-12-30 12:13:14.120Z"}').rows).toEqual([
      [value, value],
    ]);
    expect(thrown(() => c.decode('{"t":"2020-12-30T12:13:14"}')).message).toMatch(
      /not a TIMESTAMP in the SQL format/,
    );
    expect(thrown(() => c.decode('{"l":"2020-12-30 12:13:14"}')).message).toMatch(/not a TIMESTAMP_LTZ/);
  });

  it("ISO-8601: 'yyyy-MM-ddTHH:mm:ss.fff'", () => {
    const c = codec('json', type, { 'json.timestamp-format.standard': 'ISO-8601' });
    expect(c.encode([ts(2020, 1, 2, 3, 4, 5), null])).toBe('{"t":"2020-01-02T03:04:05","l":null}');
    expect(c.decode('{"t":"2020-12-30T12:13:14.12"}').rows).toEqual([[value, null]]);
    expect(thrown(() => c.decode('{"t":"2020-12-30 12:13:14"}')).message).toMatch(/ISO-8601 format/);
  });
});

describe('json: encoding', () => {
  it('writes exact numbers, base64 bytes, NaN as a string, and nested values', () => {
    const type = table({
      big: T.bigint(),
      dec: T.decimal(10, 8),
      f: T.float(),
      d: T.double(),
      nan: T.double(),
      neg0: T.double(),
      b: T.bytes(),
      day: T.date(),
      arr: T.array(T.row([{ name: 'x', type: T.int() }])),
      m: T.map(T.bigint(), T.string()),
    });
    const row = [
      -9223372036854775808n,
      12n,
      Math.fround(0.1),
      1e21,
      Number.NaN,
      -0,
      new Uint8Array([255, 0]),
      0,
      [[1], null],
      new Map([[5n, 'five']]),
    ];
    expect(codec('json', type).encode(row)).toBe(
      '{"big":-9223372036854775808,"dec":1.2E-7,"f":0.10000000149011612,"d":1e+21,"nan":"NaN","neg0":-0.0,' +
        '"b":"/wA=","day":"1970-01-01","arr":[{"x":1},null],"m":{"5":"five"}}',
    );
    expect(codec('json', type, { 'json.encode.decimal-as-plain-number': 'true' }).encode(row)).toContain(
      '"dec":0.00000012,',
    );
  });

  it('json.encode.ignore-null-fields leaves NULL fields out', () => {
    const type = table({ a: T.int(), b: T.string(), c: T.row([{ name: 'd', type: T.int() }]) });
    expect(codec('json', type).encode([1, null, [null]])).toBe('{"a":1,"b":null,"c":{"d":null}}');
    expect(codec('json', type, { 'json.encode.ignore-null-fields': 'true' }).encode([1, null, [null]])).toBe(
      '{"a":1,"c":{}}',
    );
  });

  it('json.map-null-key.mode: FAIL (default), DROP, LITERAL', () => {
    const type = table({ m: T.map(T.string(), T.int()) });
    const row = [
      new Map<string | null, number>([
        ['k', 1],
        [null, 2],
      ]),
    ];
    const error = thrown(() => codec('json', type).encode(row));
    expect(error.code).toBe('FORMAT_ENCODE');
    expect(error.message).toMatch(/map 'm' has a NULL key.*json\.map-null-key\.mode/);
    expect(codec('json', type, { 'json.map-null-key.mode': 'DROP' }).encode(row)).toBe('{"m":{"k":1}}');
    expect(
      codec('json', type, { 'json.map-null-key.mode': 'literal', 'json.map-null-key.literal': 'N/A' }).encode(
        row,
      ),
    ).toBe('{"m":{"k":1,"N/A":2}}');
  });
});
