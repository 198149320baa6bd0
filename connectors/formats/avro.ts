/**
 * The `avro` format (Flink's plain Avro, no schema registry): each message is one record in Avro's
 * binary encoding, written with a schema derived from the table, as Flink's AvroSchemaConverter does:
 *
 *   BOOLEAN boolean | TINYINT, SMALLINT, INT int | BIGINT long | FLOAT float | DOUBLE double
 *   CHAR, VARCHAR string | BINARY, VARBINARY bytes | DECIMAL(p, s) bytes, logicalType decimal
 *   DATE int, date | TIME int, time-millis | TIMESTAMP, TIMESTAMP_LTZ long, timestamp-millis
 *   (timestamp-micros above precision 3) | ARRAY array | MAP<STRING, V> map | MULTISET<STRING> map of int
 *   ROW record (the top one named `record`, nested ones `<parent>_<field>`)
 *   a nullable type T: the union ["null", T] with default null
 *
 * Reader and writer use that same schema (no schema evolution: a producer with another schema must
 * use the same column types). Encoding and decoding go through avsc; longs are read as `bigint`
 * so BIGINT keeps all 64 bits. Insert-only. A message that does not fit the schema (truncated,
 * trailing bytes, a bad union branch) is a FORMAT_DECODE error.
 *
 * Two safeguards override avsc 5's internal `_read(tap)` (hence the pinned major): maps are read
 * without a prototype so that a key named `__proto__` survives, and arrays and maps stop reading at
 * the end of the message instead of trusting a damaged item count.
 */
import avro from 'avsc';
import type { LogicalType, RowField } from '../../catalog/types.ts';
import { type Row, RowKind, type Value } from '../../operators/api.ts';
import {
  type Decoder,
  decodeError,
  type Encoder,
  encodeError,
  type Format,
  rowFields,
  unsupportedType,
} from './api.ts';

const ID = 'avro';

type AvroSchema = string | { [key: string]: unknown } | AvroSchema[];

/** Avro's long as a JavaScript bigint (avsc hands us the 8 little-endian bytes of the value). */
const bigintLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(0),
  toBuffer: (value: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(value);
    return buf;
  },
  fromJSON: (json: unknown) => BigInt(json as string),
  toJSON: (value: bigint) => value.toString(),
  isValid: (value: unknown) => typeof value === 'bigint',
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The Avro schema of a column type (see the file comment). */
export function avroSchemaOf(type: LogicalType, recordName: string, where: string): AvroSchema {
  const schema = nonNullSchema(type, recordName, where);
  return type.nullable ? ['null', schema] : schema;
}

function nonNullSchema(type: LogicalType, recordName: string, where: string): AvroSchema {
  switch (type.kind) {
    case 'BOOLEAN':
      return 'boolean';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return 'int';
    case 'BIGINT':
      return 'long';
    case 'FLOAT':
      return 'float';
    case 'DOUBLE':
      return 'double';
    case 'CHAR':
    case 'VARCHAR':
      return 'string';
    case 'BINARY':
    case 'VARBINARY':
      return 'bytes';
    case 'DECIMAL':
      return {
        type: 'bytes',
        logicalType: 'decimal',
        precision: type.precision ?? 10,
        scale: type.scale ?? 0,
      };
    case 'DATE':
      return { type: 'int', logicalType: 'date' };
    case 'TIME':
      return { type: 'int', logicalType: 'time-millis' };
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return {
        type: 'long',
        logicalType: (type.precision ?? 6) <= 3 ? 'timestamp-millis' : 'timestamp-micros',
      };
    case 'ARRAY':
      return { type: 'array', items: avroSchemaOf(type.element as LogicalType, recordName, where) };
    case 'MAP':
    case 'MULTISET': {
      const key = type.kind === 'MAP' ? (type.key as LogicalType) : (type.element as LogicalType);
      if (key.kind !== 'VARCHAR' && key.kind !== 'CHAR') {
        throw unsupportedType(ID, where, `${type.kind} keys of type ${key.kind} (Avro map keys are strings)`);
      }
      const values =
        type.kind === 'MAP' ? avroSchemaOf(type.element as LogicalType, recordName, where) : 'int';
      return { type: 'map', values };
    }
    case 'ROW':
      return recordSchema(type.fields ?? [], recordName, where);
    default:
      throw unsupportedType(ID, where, type.kind);
  }
}

function recordSchema(fields: readonly RowField[], name: string, where: string): AvroSchema {
  return {
    type: 'record',
    name,
    fields: fields.map((f) => {
      const path = where === '' ? f.name : `${where}.${f.name}`;
      if (!AVRO_NAME.test(f.name) || f.name === '__proto__') {
        throw unsupportedType(ID, path, `the field name '${f.name}' (Avro names are letters, digits and _)`);
      }
      const schema = avroSchemaOf(f.type, `${name}_${f.name}`, path);
      return f.type.nullable ? { name: f.name, type: schema, default: null } : { name: f.name, type: schema };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Rivulet values <-> the JavaScript values avsc reads and writes

type Convert = (value: Value) => unknown;

function toAvro(type: LogicalType, where: string): Convert {
  const convert = nonNullToAvro(type, where);
  return (value) => (value === null || value === undefined ? null : convert(value));
}

function nonNullToAvro(type: LogicalType, where: string): Convert {
  switch (type.kind) {
    case 'BINARY':
    case 'VARBINARY':
      return (value) => {
        const bytes = value as Uint8Array;
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
      };
    case 'DECIMAL':
      return (value) => bigintToTwosComplement(value as bigint);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return (type.precision ?? 6) <= 3
        ? (value) => BigInt(value as number)
        : (value) => BigInt(value as number) * 1000n;
    case 'ARRAY': {
      const element = toAvro(type.element as LogicalType, where);
      return (value) => (value as Value[]).map(element);
    }
    case 'MAP':
    case 'MULTISET': {
      const element = type.kind === 'MAP' ? toAvro(type.element as LogicalType, where) : (v: Value) => v;
      return (value) => {
        // No prototype: a key named __proto__ is an entry like any other.
        const out: Record<string, unknown> = Object.create(null);
        for (const [k, v] of value as Map<Value, Value>) {
          if (k === null || k === undefined)
            throw encodeError(ID, `map '${where}' has a NULL key (Avro map keys are strings)`);
          out[k as string] = element(v);
        }
        return out;
      };
    }
    case 'ROW': {
      const fields = type.fields ?? [];
      const converters = fields.map((f) => toAvro(f.type, where === '' ? f.name : `${where}.${f.name}`));
      return (value) => {
        const row = value as Row;
        const out: Record<string, unknown> = {};
        fields.forEach((f, i) => {
          out[f.name] = (converters[i] as Convert)(row[i]);
        });
        return out;
      };
    }
    default:
      return (value) => value;
  }
}

function fromAvro(type: LogicalType): Convert {
  const convert = nonNullFromAvro(type);
  return (value) => (value === null || value === undefined ? null : convert(value));
}

function nonNullFromAvro(type: LogicalType): Convert {
  switch (type.kind) {
    case 'BINARY':
    case 'VARBINARY':
      return (value) => new Uint8Array(value as Buffer);
    case 'DECIMAL':
      return (value) => twosComplementToBigint(value as Buffer);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return (type.precision ?? 6) <= 3
        ? (value) => Number(value as bigint)
        : (value) => Number(floorDivBig(value as bigint, 1000n));
    case 'ARRAY': {
      const element = fromAvro(type.element as LogicalType);
      return (value) => (value as unknown[]).map(element);
    }
    case 'MAP':
    case 'MULTISET': {
      const element = type.kind === 'MAP' ? fromAvro(type.element as LogicalType) : (v: unknown) => v;
      return (value) =>
        new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, element(v)]));
    }
    case 'ROW': {
      const fields = type.fields ?? [];
      const converters = fields.map((f) => fromAvro(f.type));
      return (value) => {
        const record = value as Record<string, unknown>;
        return fields.map((f, i) => (converters[i] as Convert)(record[f.name]));
      };
    }
    default:
      return (value) => value;
  }
}

/** The shortest big-endian two's-complement bytes of `n` (Avro's decimal encoding, Java's BigInteger.toByteArray). */
export function bigintToTwosComplement(n: bigint): Buffer {
  let hex = (n < 0n ? -n : n).toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (n >= 0n) {
    if (bytes.length === 0 || ((bytes[0] as number) & 0x80) !== 0)
      bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return bytes;
  }
  // Negative: 2^(8k) - |n| with k the smallest byte count whose sign bit comes out set.
  let size = bytes.length;
  for (;;) {
    const value = (1n << BigInt(8 * size)) + n;
    let h = value.toString(16).padStart(2 * size, '0');
    if (h.length > 2 * size) h = h.slice(-2 * size);
    const out = Buffer.from(h, 'hex');
    if (((out[0] as number) & 0x80) !== 0) return out;
    size++;
  }
}

export function twosComplementToBigint(bytes: Buffer): bigint {
  if (bytes.length === 0) return 0n;
  const unsigned = BigInt(`0x${bytes.toString('hex')}`);
  return ((bytes[0] as number) & 0x80) !== 0 ? unsigned - (1n << BigInt(8 * bytes.length)) : unsigned;
}

function isObject(node: unknown): node is Record<string, unknown> {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

function floorDivBig(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

// ---------------------------------------------------------------------------------------------

function avroTypeOf(rowType: LogicalType): { type: avro.Type; row: LogicalType } {
  const fields = rowFields(ID, rowType);
  const row: LogicalType = { kind: 'ROW', nullable: false, fields };
  const schema = recordSchema(fields, 'record', '');
  // Every long, also those under a logical type (timestamps), is read and written as a bigint; maps
  // and arrays are read with the safeguards below.
  const typeHook = (node: unknown, opts: unknown) => {
    if (node === 'long' || (isObject(node) && node['type'] === 'long')) return bigintLong;
    if (isObject(node) && node['type'] === 'map') return new PrototypeFreeMapType(node, opts);
    if (isObject(node) && node['type'] === 'array') return new BoundedArrayType(node, opts);
    return undefined;
  };
  const type = avro.Type.forSchema(schema as avro.Schema, { typeHook: typeHook as never });
  return { type, row };
}

/** The part of avsc's internal reading state ("tap") that reading maps and arrays needs. */
interface Tap {
  readLong(): number;
  skipLong(): void;
  readString(): string;
  /** False once reading has gone past the end of the message. */
  isValid(): boolean;
}

interface Readable {
  _read(tap: Tap): unknown;
}

const MapTypeBase = avro.types.MapType as unknown as new (schema: unknown, opts: unknown) => avro.Type;
const ArrayTypeBase = avro.types.ArrayType as unknown as new (schema: unknown, opts: unknown) => avro.Type;

/**
 * Reads the blocks of an Avro array or map: a count, then that many items (a negative count is
 * followed by the block's size in bytes), until a count of 0. avsc trusts the count: a damaged
 * message announcing 2^50 items keeps it busy for minutes. Here reading stops as soon as it has gone
 * past the end of the message, which then fails as truncated.
 */
function readBlocks(tap: Tap, readItem: () => void): void {
  for (;;) {
    let n = tap.readLong();
    if (n === 0 || !tap.isValid()) return;
    if (n < 0) {
      n = -n;
      tap.skipLong();
    }
    for (; n > 0; n--) {
      if (!tap.isValid()) return;
      readItem();
    }
  }
}

/** Arrays read with `readBlocks`. */
class BoundedArrayType extends ArrayTypeBase {
  _read(tap: Tap): unknown[] {
    const items = (this as unknown as { itemsType: Readable }).itemsType;
    const out: unknown[] = [];
    readBlocks(tap, () => out.push(items._read(tap)));
    return out;
  }
}

/**
 * avsc reads an Avro map into a plain object (`{}`), where a key named `__proto__` sets the prototype
 * instead of adding an entry: the entry would vanish. This map type reads into an object without a
 * prototype instead, with `readBlocks`.
 */
class PrototypeFreeMapType extends MapTypeBase {
  _read(tap: Tap): Record<string, unknown> {
    const values = (this as unknown as { valuesType: Readable }).valuesType;
    const out: Record<string, unknown> = Object.create(null);
    readBlocks(tap, () => {
      const key = tap.readString();
      out[key] = values._read(tap);
    });
    return out;
  }
}

export const avroFormat: Format = {
  identifier: ID,
  options: [],
  changelogMode: 'insert-only',

  createDecoder(rowType): Decoder {
    const { type, row } = avroTypeOf(rowType);
    const convert = fromAvro(row);
    return (bytes) => {
      if (bytes === null) return { kinds: [], rows: [] };
      let record: unknown;
      try {
        record = type.fromBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
      } catch (error) {
        throw decodeError(
          ID,
          `the message does not match the table's Avro schema (${(error as Error).message})`,
          error,
        );
      }
      return { kinds: [RowKind.INSERT], rows: [convert(record) as Row] };
    };
  },

  createEncoder(rowType): Encoder {
    const { type, row } = avroTypeOf(rowType);
    const convert = toAvro(row, '');
    return (_kind, values) => {
      const record = convert(values);
      let buffer: Buffer;
      try {
        buffer = type.toBuffer(record);
      } catch (error) {
        throw encodeError(ID, `a value does not fit the table's Avro schema (${(error as Error).message})`);
      }
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
    };
  },
};
