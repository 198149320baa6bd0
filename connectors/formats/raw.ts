/**
 * The `raw` format (Flink's): the whole message is the single column's value. STRING in
 * `raw.charset`; BYTES as they are; BOOLEAN and fixed-size numbers in `raw.endianness` (1 byte for
 * BOOLEAN/TINYINT, 2 SMALLINT, 4 INT/FLOAT, 8 BIGINT/DOUBLE). A message without a value (a Kafka
 * tombstone) is NULL, and NULL is written as a message without a value. Insert-only.
 *
 * Text that is not valid in the charset decodes with replacement characters, as Java's `new String`
 * does in Flink; a number of the wrong size is a FORMAT_DECODE error.
 */
import type { LogicalType } from '../../catalog/types.ts';
import { RowKind, type Value } from '../../operators/api.ts';
import type { OptionSpec } from '../api.ts';
import {
  type Decoder,
  decodeError,
  type Encoder,
  type Format,
  FormatOptions,
  rowFields,
  unsupportedType,
} from './api.ts';

const ID = 'raw';

const OPTIONS: OptionSpec[] = [
  {
    key: 'raw.charset',
    default: 'UTF-8',
    description: 'Charset of STRING values: UTF-8, UTF-16LE, ISO-8859-1 or US-ASCII.',
  },
  {
    key: 'raw.endianness',
    default: 'big-endian',
    description: "Byte order of numbers: 'big-endian' or 'little-endian'.",
  },
];

const CHARSETS = ['UTF-8', 'UTF-16LE', 'ISO-8859-1', 'US-ASCII'] as const;
const BUFFER_ENCODING: Record<(typeof CHARSETS)[number], BufferEncoding> = {
  'UTF-8': 'utf8',
  'UTF-16LE': 'utf16le',
  'ISO-8859-1': 'latin1',
  'US-ASCII': 'ascii',
};
const ENDIANNESS = ['big-endian', 'little-endian'] as const;

interface Codec {
  decode(bytes: Buffer): Value;
  encode(value: Value): Uint8Array;
}

function codecFor(type: LogicalType, options: FormatOptions): Codec {
  const little = options.choice('raw.endianness', ENDIANNESS, 'big-endian') === 'little-endian';
  const fixed = (size: number, read: (b: Buffer) => Value, write: (b: Buffer, v: Value) => void): Codec => ({
    decode(bytes) {
      if (bytes.length !== size) {
        throw decodeError(
          ID,
          `a ${type.kind} value takes ${size} byte${size === 1 ? '' : 's'}, the message has ${bytes.length}`,
        );
      }
      return read(bytes);
    },
    encode(value) {
      const b = Buffer.alloc(size);
      write(b, value);
      return new Uint8Array(b.buffer, b.byteOffset, b.length);
    },
  });
  switch (type.kind) {
    case 'CHAR':
    case 'VARCHAR': {
      const charset = options.choice('raw.charset', CHARSETS, 'UTF-8');
      const encoding = BUFFER_ENCODING[charset];
      return {
        decode: (bytes) => bytes.toString(encoding),
        encode: (value) => new Uint8Array(Buffer.from(value as string, encoding)),
      };
    }
    case 'BINARY':
    case 'VARBINARY':
      return {
        decode: (bytes) => new Uint8Array(bytes),
        encode: (value) => value as Uint8Array,
      };
    case 'BOOLEAN':
      return fixed(
        1,
        (b) => b[0] !== 0,
        (b, v) => b.writeUInt8(v ? 1 : 0),
      );
    case 'TINYINT':
      return fixed(
        1,
        (b) => b.readInt8(0),
        (b, v) => b.writeInt8(v as number),
      );
    case 'SMALLINT':
      return fixed(
        2,
        (b) => (little ? b.readInt16LE(0) : b.readInt16BE(0)),
        (b, v) => (little ? b.writeInt16LE(v as number) : b.writeInt16BE(v as number)),
      );
    case 'INT':
      return fixed(
        4,
        (b) => (little ? b.readInt32LE(0) : b.readInt32BE(0)),
        (b, v) => (little ? b.writeInt32LE(v as number) : b.writeInt32BE(v as number)),
      );
    case 'BIGINT':
      return fixed(
        8,
        (b) => (little ? b.readBigInt64LE(0) : b.readBigInt64BE(0)),
        (b, v) => (little ? b.writeBigInt64LE(v as bigint) : b.writeBigInt64BE(v as bigint)),
      );
    case 'FLOAT':
      return fixed(
        4,
        (b) => (little ? b.readFloatLE(0) : b.readFloatBE(0)),
        (b, v) => (little ? b.writeFloatLE(v as number) : b.writeFloatBE(v as number)),
      );
    case 'DOUBLE':
      return fixed(
        8,
        (b) => (little ? b.readDoubleLE(0) : b.readDoubleBE(0)),
        (b, v) => (little ? b.writeDoubleLE(v as number) : b.writeDoubleBE(v as number)),
      );
    default:
      throw unsupportedType(
        ID,
        '',
        `${type.kind} (raw carries STRING, BYTES, BOOLEAN and fixed-size numbers)`,
      );
  }
}

function singleColumn(rowType: LogicalType): LogicalType {
  const fields = rowFields(ID, rowType);
  if (fields.length !== 1) {
    throw unsupportedType(ID, '', `a row of ${fields.length} columns: raw needs exactly one physical column`);
  }
  return (fields[0] as { type: LogicalType }).type;
}

export const rawFormat: Format = {
  identifier: ID,
  options: OPTIONS,
  changelogMode: 'insert-only',

  createDecoder(rowType, options, prefix): Decoder {
    const type = singleColumn(rowType);
    const codec = codecFor(type, new FormatOptions(options, prefix, OPTIONS));
    const nullable = type.nullable;
    return (bytes) => {
      if (bytes === null) {
        if (!nullable) throw decodeError(ID, 'a message without a value, but the column is NOT NULL');
        return { kinds: [RowKind.INSERT], rows: [[null]] };
      }
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
      return { kinds: [RowKind.INSERT], rows: [[codec.decode(buffer)]] };
    };
  },

  createEncoder(rowType, options, prefix): Encoder {
    const codec = codecFor(singleColumn(rowType), new FormatOptions(options, prefix, OPTIONS));
    return (_kind, row) => {
      const value = row[0];
      return value === null || value === undefined ? null : codec.encode(value);
    };
  },
};
