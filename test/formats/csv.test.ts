import { describe, expect, it } from 'vitest';
import { daysFromCivil, MS_PER_DAY } from '../../catalog/datetime.ts';
import { T } from '../../catalog/types.ts';
import { RowKind } from '../../operators/api.ts';
import { codec, table, thrown } from './helpers.ts';

describe('csv: decoding', () => {
  const type = table({ id: T.int(), name: T.string(), price: T.decimal(6, 2), day: T.date() });

  it('reads fields by position, with quoted fields holding delimiters, quotes and line breaks', () => {
    const c = codec('csv', type);
    expect(c.decode('1,plain,9.99,2024-01-31')).toEqual({
      kinds: [RowKind.INSERT],
      rows: [[1, 'plain', 999n, daysFromCivil(2024, 1, 31)]],
    });
    expect(c.decode('2,"a, ""quoted""\nline",-0.5,2024-02-29\r\n').rows).toEqual([
      [2, 'a, "quoted"\nline', -50n, daysFromCivil(2024, 2, 29)],
    ]);
  });

  it('an unquoted empty field is NULL; a quoted empty field is the empty string', () => {
    expect(codec('csv', type).decode(',"",,').rows).toEqual([[null, '', null, null]]);
    expect(codec('csv', type).decode(',,,').rows).toEqual([[null, null, null, null]]);
  });

  it('csv.null-literal: that unquoted text is NULL, the same text quoted is a string', () => {
    const c = codec('csv', type, { 'csv.null-literal': 'n/a' });
    expect(c.decode('n/a,n/a,n/a,n/a').rows).toEqual([[null, null, null, null]]);
    expect(c.decode('1,"n/a",1,2000-01-01').rows).toEqual([[1, 'n/a', 100n, daysFromCivil(2000, 1, 1)]]);
    expect(c.encode([null, 'n/a', null, null])).toBe('n/a,"n/a",n/a,n/a');
    expect(c.encode([null, '', null, null])).toBe('n/a,"",n/a,n/a');
  });

  it('csv.field-delimiter and csv.quote-character', () => {
    const c = codec('csv', type, { 'csv.field-delimiter': '|', 'csv.quote-character': "'" });
    expect(c.decode("3|'x|y'|1|2001-02-03").rows).toEqual([[3, 'x|y', 100n, daysFromCivil(2001, 2, 3)]]);
    expect(c.encode([3, "it's|", 100n, 0])).toBe("3|'it''s|'|1.00|1970-01-01");
  });

  it('csv.allow-comments skips # lines, and quotes a first field that starts with #', () => {
    const t = table({ s: T.string(), n: T.int() });
    const c = codec('csv', t, { 'csv.allow-comments': 'true' });
    expect(c.decode('# a comment')).toEqual({ kinds: [], rows: [] });
    expect(c.encode(['#tag', 1])).toBe('"#tag",1');
    expect(c.decode('"#tag",1').rows).toEqual([['#tag', 1]]);
    expect(codec('csv', t).decode('#tag,1').rows).toEqual([['#tag', 1]]);
  });

  it('a blank record is no row, except for a one-column table where it is NULL', () => {
    expect(codec('csv', type).decode('\n')).toEqual({ kinds: [], rows: [] });
    expect(codec('csv', table({ s: T.string() })).decode('')).toEqual({
      kinds: [RowKind.INSERT],
      rows: [[null]],
    });
  });

  it('csv.escape-character escapes the next character, also without quoting', () => {
    const c = codec('csv', table({ a: T.string(), b: T.string() }), {
      'csv.disable-quote-character': 'true',
      'csv.escape-character': '\\',
    });
    expect(c.decode('x\\,y,"z"').rows).toEqual([['x,y', '"z"']]);
    expect(c.encode(['x,y', 'back\\slash'])).toBe('x\\,y,back\\\\slash');
  });

  it('without quoting and without an escape character, a value holding the delimiter cannot be written', () => {
    const c = codec('csv', table({ a: T.string() }), { 'csv.disable-quote-character': 'true' });
    expect(c.encode(['plain'])).toBe('plain');
    const error = thrown(() => c.encode(['a,b']));
    expect(error.code).toBe('FORMAT_ENCODE');
    expect(error.message).toMatch(/column 'a' contains the field delimiter/);
  });

  it('ARRAY and ROW of scalars live in one field, split by csv.array-element-delimiter', () => {
    const t = table({
      tags: T.array(T.string()),
      nums: T.array(T.int()),
      point: T.row([
        { name: 'x', type: T.double() },
        { name: 'y', type: T.double() },
      ]),
    });
    const c = codec('csv', t);
    expect(c.decode('a;b\\;c;;\\N,1;2;;3,1.5;-2').rows).toEqual([
      [
        ['a', 'b;c', '', null],
        [1, 2, null, 3],
        [1.5, -2],
      ],
    ]);
    expect(c.encode([['a', 'b;c', '', null], [], [0.5, 1]])).toBe('a;b\\;c;\\e;\\N,"",0.5;1');
    expect(c.decode('a,"",0.5;1').rows).toEqual([[['a'], [], [0.5, 1]]]);
    expect(thrown(() => c.decode('a,1,1;2;3')).message).toMatch(
      /column 'point' has 3 ROW fields, expected 2/,
    );
  });

  it('DECIMAL is written as Java prints it unless csv.write-bigdecimal-in-scientific-notation is false', () => {
    const t = table({ d: T.decimal(10, 8) });
    expect(codec('csv', t).encode([12n])).toBe('1.2E-7');
    expect(codec('csv', t, { 'csv.write-bigdecimal-in-scientific-notation': 'false' }).encode([12n])).toBe(
      '0.00000012',
    );
    expect(codec('csv', t).decode('1.2E-7').rows).toEqual([[12n]]);
  });

  it('timestamps and bytes as text', () => {
    const t = table({ t: T.timestamp(3), l: T.timestampLtz(3), b: T.bytes() });
    const value = daysFromCivil(2021, 6, 1) * MS_PER_DAY + 1;
    const c = codec('csv', t);
    expect(c.encode([value, value, new Uint8Array([1, 2])])).toBe(
      '2021-06-01 00:00:00.001,2021-06-01 00:00:00.001Z,AQI=',
    );
    expect(c.decode('2021-06-01 00:00:00.001,2021-06-01 00:00:00.001Z,AQI=').rows).toEqual([
      [value, value, new Uint8Array([1, 2])],
    ]);
  });
});

describe('csv: errors', () => {
  const type = table({ id: T.int(), name: T.string() });

  it('names the format and the reason', () => {
    const c = codec('csv', type);
    const count = thrown(() => c.decode('1,a,extra'));
    expect(count.code).toBe('FORMAT_DECODE');
    expect(count.phase).toBe('connector');
    expect(count.message).toBe("Cannot decode a 'csv' message: expected 2 fields, found 3");
    expect(thrown(() => c.decode('x,a')).message).toBe(
      "Cannot decode a 'csv' message: column 'id': 'x' is not an INT",
    );
    expect(thrown(() => c.decode('1,"open')).message).toMatch(/a quoted field is not closed/);
    expect(thrown(() => c.decode('1,"a"b')).message).toMatch(
      /unexpected 'b' after the closing quote of field 2/,
    );
    expect(thrown(() => codec('csv', table({ n: T.int(false) })).decode('')).message).toMatch(
      /column 'n' is NULL but its type is NOT NULL/,
    );
  });

  it('csv.ignore-parse-errors returns a skipped marker and goes on', () => {
    const c = codec('csv', type, { 'csv.ignore-parse-errors': 'true' });
    const skipped = c.decode('x,a');
    expect(skipped.rows).toEqual([]);
    expect(skipped.skipped?.code).toBe('FORMAT_DECODE');
    expect(c.decode('7,b').rows).toEqual([[7, 'b']]);
  });

  it('refuses MAP columns, nested composites and bad options when planned', () => {
    expect(thrown(() => codec('csv', table({ m: T.map(T.string(), T.int()) }))).code).toBe(
      'FORMAT_UNSUPPORTED_TYPE',
    );
    expect(thrown(() => codec('csv', table({ a: T.array(T.array(T.int())) }))).code).toBe(
      'FORMAT_UNSUPPORTED_TYPE',
    );
    const delimiter = thrown(() => codec('csv', type, { 'csv.field-delimiter': ';;' }));
    expect(delimiter.code).toBe('FORMAT_OPTION');
    expect(delimiter.message).toBe(
      "Invalid value ';;' for option 'csv.field-delimiter': expected a single character",
    );
  });
});
