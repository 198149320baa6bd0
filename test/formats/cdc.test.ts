import { describe, expect, it } from 'vitest';
import { T } from '../../catalog/types.ts';
import { RowKind } from '../../operators/api.ts';
import { codec, table, thrown } from './helpers.ts';

const { INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE } = RowKind;
const products = table({ id: T.int(false), name: T.string(), weight: T.decimal(5, 2) });

describe('debezium-json', () => {
  const event = (op: string, before: string, after: string) =>
    `{"before":${before},"after":${after},"source":{"db":"inventory","table":"products"},"op":"${op}","ts_ms":1589362330904}`;
  const c = codec('debezium-json', products);

  it('op c and r are inserts, u is -U then +U, d is a delete', () => {
    expect(c.decode(event('c', 'null', '{"id":1,"name":"scooter","weight":3.14}'))).toEqual({
      kinds: [INSERT],
      rows: [[1, 'scooter', 314n]],
    });
    expect(c.decode(event('r', 'null', '{"id":2,"name":"car","weight":null}')).rows).toEqual([
      [2, 'car', null],
    ]);
    expect(
      c.decode(
        event('u', '{"id":1,"name":"scooter","weight":3.14}', '{"id":1,"name":"scooter","weight":5.1}'),
      ),
    ).toEqual({
      kinds: [UPDATE_BEFORE, UPDATE_AFTER],
      rows: [
        [1, 'scooter', 314n],
        [1, 'scooter', 510n],
      ],
    });
    expect(c.decode(event('d', '{"id":1,"name":"scooter","weight":5.1}', 'null'))).toEqual({
      kinds: [DELETE],
      rows: [[1, 'scooter', 510n]],
    });
  });

  it('the tombstone after a delete (no value, or empty) gives no change', () => {
    expect(c.decode(null)).toEqual({ kinds: [], rows: [] });
    expect(c.decode(new Uint8Array(0))).toEqual({ kinds: [], rows: [] });
  });

  it("debezium-json.schema-include reads the Kafka Connect envelope's payload", () => {
    const enveloped = `{"schema":{"type":"struct"},"payload":${event('c', 'null', '{"id":3,"name":"x","weight":1}')}}`;
    const withSchema = codec('debezium-json', products, { 'debezium-json.schema-include': 'true' });
    expect(withSchema.decode(enveloped).rows).toEqual([[3, 'x', 100n]]);
    expect(thrown(() => c.decode(enveloped)).message).toMatch(/set 'debezium-json.schema-include' = 'true'/);
    expect(thrown(() => withSchema.decode(event('c', 'null', '{"id":3}'))).message).toMatch(
      /no "payload" object/,
    );
  });

  it('an update or delete without "before" is an error that names REPLICA IDENTITY FULL', () => {
    const error = thrown(() => c.decode(event('u', 'null', '{"id":1}')));
    expect(error.code).toBe('FORMAT_DECODE');
    expect(error.message).toMatch(
      /^Cannot decode a 'debezium-json' message: the update event .*REPLICA IDENTITY FULL/,
    );
    expect(thrown(() => c.decode(event('d', 'null', 'null'))).message).toMatch(/the delete event/);
  });

  it('an unknown op is an error, or a skipped message with debezium-json.ignore-parse-errors', () => {
    expect(thrown(() => c.decode(event('x', 'null', 'null'))).message).toMatch(/unknown "op" "x"/);
    const lenient = codec('debezium-json', products, { 'debezium-json.ignore-parse-errors': 'true' });
    expect(lenient.decode(event('x', 'null', 'null')).skipped?.message).toMatch(/unknown "op"/);
    expect(lenient.decode('{not json').skipped?.code).toBe('FORMAT_DECODE');
    expect(lenient.decode(event('c', 'null', '{"id":9}')).rows).toEqual([[9, null, null]]);
  });

  it('writes +I/+U as create events and -U/-D as delete events', () => {
    const row = [1, 'a', 250n];
    expect(c.encode(row, INSERT)).toBe('{"before":null,"after":{"id":1,"name":"a","weight":2.50},"op":"c"}');
    expect(c.encode(row, UPDATE_AFTER)).toBe(
      '{"before":null,"after":{"id":1,"name":"a","weight":2.50},"op":"c"}',
    );
    expect(c.encode(row, UPDATE_BEFORE)).toBe(
      '{"before":{"id":1,"name":"a","weight":2.50},"after":null,"op":"d"}',
    );
    expect(c.encode(row, DELETE)).toBe('{"before":{"id":1,"name":"a","weight":2.50},"after":null,"op":"d"}');
  });

  it('declares its options under its own name', () => {
    expect(
      thrown(() => codec('debezium-json', products, { 'debezium-json.timestamp-format.standard': 'x' })).code,
    ).toBe('FORMAT_OPTION');
  });
});

describe('canal-json', () => {
  const c = codec('canal-json', products);
  const event = (type: string, data: string, old = 'null', extra = '') =>
    `{"data":${data},"database":"inventory","table":"products","es":1589373560000,"id":9,"isDdl":false,` +
    `"mysqlType":{"id":"int"},"old":${old},"pkNames":["id"],"sql":"","ts":1589373560798,"type":"${type}"${extra}}`;

  it('INSERT and DELETE give one change per row of "data"; values may be strings', () => {
    expect(
      c.decode(
        event(
          'INSERT',
          '[{"id":"101","name":"scooter","weight":"3.14"},{"id":"102","name":null,"weight":"8.1"}]',
        ),
      ),
    ).toEqual({
      kinds: [INSERT, INSERT],
      rows: [
        [101, 'scooter', 314n],
        [102, null, 810n],
      ],
    });
    expect(c.decode(event('DELETE', '[{"id":"101","name":"scooter","weight":"3.14"}]'))).toEqual({
      kinds: [DELETE],
      rows: [[101, 'scooter', 314n]],
    });
  });

  it('UPDATE gives -U (data with the "old" fields put back) then +U, per row', () => {
    const message = event(
      'UPDATE',
      '[{"id":"101","name":"scooter","weight":"5.18"},{"id":"102","name":"car","weight":"1"}]',
      '[{"weight":"3.14"},{"name":"van"}]',
    );
    expect(c.decode(message)).toEqual({
      kinds: [UPDATE_BEFORE, UPDATE_AFTER, UPDATE_BEFORE, UPDATE_AFTER],
      rows: [
        [101, 'scooter', 314n],
        [101, 'scooter', 518n],
        [102, 'van', 100n],
        [102, 'car', 100n],
      ],
    });
    expect(thrown(() => c.decode(event('UPDATE', '[{"id":"1"}]'))).message).toMatch(/has no "old" array/);
  });

  it('DDL events give no change; an unknown type is an error', () => {
    expect(c.decode(event('CREATE', 'null'))).toEqual({ kinds: [], rows: [] });
    expect(c.decode(event('ALTER', 'null').replace('"isDdl":false', '"isDdl":true'))).toEqual({
      kinds: [],
      rows: [],
    });
    const error = thrown(() => c.decode(event('TRUNCATE', 'null')));
    expect(error.code).toBe('FORMAT_DECODE');
    expect(error.message).toMatch(/^Cannot decode a 'canal-json' message: unknown "type" "TRUNCATE"/);
    expect(thrown(() => c.decode(event('INSERT', 'null'))).message).toMatch(
      /the INSERT event has no "data" array/,
    );
  });

  it('canal-json.database.include and canal-json.table.include keep only matching events', () => {
    const only = codec('canal-json', products, {
      'canal-json.database.include': 'inv.*',
      'canal-json.table.include': 'products|orders',
    });
    const insert = event('INSERT', '[{"id":"1"}]');
    expect(only.decode(insert).rows).toEqual([[1, null, null]]);
    expect(only.decode(insert.replace('"table":"products"', '"table":"products_old"'))).toEqual({
      kinds: [],
      rows: [],
    });
    expect(only.decode(insert.replace('"database":"inventory"', '"database":"shop"'))).toEqual({
      kinds: [],
      rows: [],
    });
    expect(thrown(() => codec('canal-json', products, { 'canal-json.table.include': '(' })).code).toBe(
      'FORMAT_OPTION',
    );
  });

  it('writes +I/+U as INSERT and -U/-D as DELETE', () => {
    expect(c.encode([1, 'a', null], INSERT)).toBe(
      '{"data":[{"id":1,"name":"a","weight":null}],"type":"INSERT"}',
    );
    expect(c.encode([1, 'a', null], UPDATE_BEFORE)).toBe(
      '{"data":[{"id":1,"name":"a","weight":null}],"type":"DELETE"}',
    );
  });

  it('canal-json.ignore-parse-errors skips a bad event', () => {
    const lenient = codec('canal-json', products, { 'canal-json.ignore-parse-errors': 'true' });
    expect(lenient.decode(event('INSERT', '[{"id":"one"}]')).skipped?.message).toBe(
      "Cannot decode a 'canal-json' message: field 'data[0].id': 'one' is not an INT",
    );
  });
});
