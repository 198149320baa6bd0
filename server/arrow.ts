/**
 * Results as Apache Arrow IPC (the streaming format), for analytics clients.
 *
 * Each SQL type maps to the Arrow type that holds its runtime value exactly (docs/architecture.md):
 * integers to IntN, BIGINT to Int64, DECIMAL(p, s) to Decimal128(p, s), DATE to Date32 (days),
 * TIME to Time32(ms), TIMESTAMP to Timestamp(ms) without a zone and TIMESTAMP_LTZ to Timestamp(ms,
 * 'UTC') (an instant). Types Arrow cannot hold this simply (intervals, ARRAY, MAP, MULTISET, ROW) are
 * sent as Utf8 JSON text, marked with the SQL type in the field metadata (`rivulet.sql_type`) so a
 * client can tell. A last column `$row_kind` (Int8: 0 +I, 1 -U, 2 +U, 3 -D, Flink's RowKind bytes)
 * carries the change kind, since a continuous query's page holds changes, not just rows.
 */

import {
  Binary,
  Bool,
  type Data,
  type DataType,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeMillisecond,
  TimestampMillisecond,
  Type,
  tableToIPC,
  Utf8,
} from 'apache-arrow';
import { type LogicalType, typeToString } from '../catalog/types.ts';
import type { Value } from '../operators/api.ts';
import { jsonValue } from '../repl/results.ts';
import type { Change } from '../runtime/collect.ts';
import type { Column } from '../runtime/session.ts';

export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';
export const ROW_KIND_COLUMN = '$row_kind';

interface Mapping {
  readonly type: DataType;
  /** Turns a non-null runtime value into what `columnData` stores for `type`. */
  readonly convert: (v: Value) => unknown;
  readonly asText: boolean;
}

function mapping(t: LogicalType, timeZone: string): Mapping {
  const same = (type: DataType): Mapping => ({ type, convert: (v) => v, asText: false });
  switch (t.kind) {
    case 'BOOLEAN':
      return same(new Bool());
    case 'TINYINT':
      return same(new Int8());
    case 'SMALLINT':
      return same(new Int16());
    case 'INT':
      return same(new Int32());
    case 'BIGINT':
      return same(new Int64());
    case 'FLOAT':
      return same(new Float32());
    case 'DOUBLE':
      return same(new Float64());
    case 'DECIMAL':
      return {
        type: new Decimal(t.scale ?? 0, t.precision ?? 10, 128),
        convert: (v) => decimalWords(v as bigint),
        asText: false,
      };
    case 'CHAR':
    case 'VARCHAR':
      return same(new Utf8());
    case 'BINARY':
    case 'VARBINARY':
      return same(new Binary());
    case 'DATE':
      return same(new DateDay());
    case 'TIME':
      return same(new TimeMillisecond());
    case 'TIMESTAMP':
      return same(new TimestampMillisecond());
    case 'TIMESTAMP_LTZ':
      return same(new TimestampMillisecond('UTC'));
    default:
      return {
        type: new Utf8(),
        convert: (v) => {
          const j = jsonValue(v, t, timeZone);
          return typeof j === 'string' ? j : JSON.stringify(j);
        },
        asText: true,
      };
  }
}

/** A DECIMAL's unscaled bigint as Arrow's 128-bit two's complement, four little-endian 32-bit words. */
function decimalWords(v: bigint): Uint32Array {
  const words = new Uint32Array(4);
  let x = BigInt.asUintN(128, v);
  for (let i = 0; i < 4; i++) {
    words[i] = Number(x & 0xffffffffn);
    x >>= 32n;
  }
  return words;
}

/** The Arrow schema of a result: its columns, then the change-kind column. */
export function arrowSchema(columns: readonly Column[], timeZone: string): Schema {
  const fields = columns.map((c) => {
    const m = mapping(c.type, timeZone);
    const meta = new Map([['rivulet.sql_type', typeToString(c.type)]]);
    return new Field(c.name, m.type, c.type.nullable || m.asText, meta);
  });
  fields.push(new Field(ROW_KIND_COLUMN, new Int8(), false));
  return new Schema(fields);
}

/** One page of changes as an Arrow IPC stream (schema plus one record batch; none when empty). */
export function changesToArrow(
  columns: readonly Column[],
  changes: readonly Change[],
  timeZone: string,
): Uint8Array {
  const schema = arrowSchema(columns, timeZone);
  if (changes.length === 0) return tableToIPC(new Table(schema), 'stream');
  const children = columns.map((c, i) => columnData(mapping(c.type, timeZone), changes, i));
  const kinds = new Int8Array(changes.length);
  changes.forEach((ch, i) => {
    kinds[i] = ch.kind;
  });
  children.push(makeData({ type: new Int8(), length: changes.length, data: kinds }));
  const data = makeData({ type: new Struct(schema.fields), length: changes.length, nullCount: 0, children });
  return tableToIPC(new Table([new RecordBatch(schema, data)]), 'stream');
}

/**
 * One column's Arrow data, written straight into typed arrays: Arrow's generic builders cost tens of
 * microseconds a value, which made Arrow pages slower to produce than JSON.
 */
function columnData(m: Mapping, changes: readonly Change[], index: number): Data {
  const n = changes.length;
  const validity = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  const values: unknown[] = new Array(n);
  for (let r = 0; r < n; r++) {
    const v = (changes[r] as Change).row[index] ?? null;
    if (v === null) {
      nullCount++;
      values[r] = null;
    } else {
      validity[r >> 3] = (validity[r >> 3] as number) | (1 << (r & 7));
      values[r] = m.convert(v);
    }
  }
  const base = { type: m.type, length: n, nullCount, nullBitmap: nullCount > 0 ? validity : null };
  const fill = <A extends { [i: number]: number | bigint }>(
    arr: A,
    zero: number | bigint,
    f = (x: unknown) => x,
  ): A => {
    for (let r = 0; r < n; r++) arr[r] = (values[r] === null ? zero : f(values[r])) as A[number];
    return arr;
  };
  switch (m.type.typeId) {
    case Type.Bool: {
      const bits = new Uint8Array((n + 7) >> 3);
      for (let r = 0; r < n; r++)
        if (values[r] === true) bits[r >> 3] = (bits[r >> 3] as number) | (1 << (r & 7));
      return makeData({ ...base, type: m.type as Bool, data: bits });
    }
    case Type.Int: {
      const t = m.type as Int8 | Int16 | Int32 | Int64;
      if (t.bitWidth === 64) return makeData({ ...base, type: t, data: fill(new BigInt64Array(n), 0n) });
      const arr =
        t.bitWidth === 8 ? new Int8Array(n) : t.bitWidth === 16 ? new Int16Array(n) : new Int32Array(n);
      return makeData({ ...base, type: t, data: fill(arr, 0) });
    }
    case Type.Float:
      return makeData({
        ...base,
        type: m.type as Float32 | Float64,
        data: fill(m.type instanceof Float32 ? new Float32Array(n) : new Float64Array(n), 0),
      });
    case Type.Date:
      return makeData({
        ...base,
        type: m.type as DateDay,
        data: fill(new Int32Array(n), 0),
      });
    case Type.Time:
      return makeData({ ...base, type: m.type as TimeMillisecond, data: fill(new Int32Array(n), 0) });
    case Type.Timestamp:
      return makeData({
        ...base,
        type: m.type as TimestampMillisecond,
        data: fill(new BigInt64Array(n), 0n, (x) => BigInt(x as number)),
      });
    case Type.Decimal: {
      const words = new Uint32Array(n * 4);
      for (let r = 0; r < n; r++) if (values[r] !== null) words.set(values[r] as Uint32Array, r * 4);
      return makeData({ ...base, type: m.type as Decimal, data: words });
    }
    case Type.Binary: {
      const offsets = new Int32Array(n + 1);
      let size = 0;
      for (let r = 0; r < n; r++) {
        size += values[r] === null ? 0 : (values[r] as Uint8Array).length;
        offsets[r + 1] = size;
      }
      const bytes = new Uint8Array(size);
      for (let r = 0; r < n; r++)
        if (values[r] !== null) bytes.set(values[r] as Uint8Array, offsets[r] as number);
      return makeData({ ...base, type: m.type as Binary, data: bytes, valueOffsets: offsets });
    }
    default: {
      // Utf8: measure every string, then encode them into one buffer.
      const offsets = new Int32Array(n + 1);
      let size = 0;
      for (let r = 0; r < n; r++) {
        size += values[r] === null ? 0 : Buffer.byteLength(values[r] as string, 'utf8');
        offsets[r + 1] = size;
      }
      const bytes = Buffer.allocUnsafe(size);
      for (let r = 0; r < n; r++)
        if (values[r] !== null) bytes.write(values[r] as string, offsets[r] as number, 'utf8');
      return makeData({
        ...base,
        type: m.type as Utf8,
        data: new Uint8Array(bytes.buffer, bytes.byteOffset, size),
        valueOffsets: offsets,
      });
    }
  }
}

/** The end-of-stream marker of the Arrow IPC streaming format: continuation, then length 0. */
export const IPC_EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/**
 * Splits a one-page IPC stream (as `changesToArrow` makes it) into its schema message and its
 * record-batch messages, without the end marker, so that many pages can be sent as one long stream:
 * the schema once, every page's batches, then `IPC_EOS`. Each message starts with the continuation
 * marker 0xFFFFFFFF and the little-endian length of its (8-byte padded) metadata; a schema message
 * has no body.
 */
export function splitIpcStream(bytes: Uint8Array): { schema: Uint8Array; batches: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const schemaEnd = 8 + view.getInt32(4, true);
  return {
    schema: bytes.subarray(0, schemaEnd),
    batches: bytes.subarray(schemaEnd, bytes.length - IPC_EOS.length),
  };
}
