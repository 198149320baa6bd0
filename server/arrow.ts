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
  makeBuilder,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeMillisecond,
  TimestampMillisecond,
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

const MS_PER_DAY = 86_400_000;

interface Mapping {
  readonly type: DataType;
  /** Turns a non-null runtime value into what Arrow's builder for `type` accepts. */
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
      // Arrow's builder takes a Date (or epoch milliseconds) and stores whole days.
      return { type: new DateDay(), convert: (v) => (v as number) * MS_PER_DAY, asText: false };
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
  const children = columns.map((c, i) => {
    const m = mapping(c.type, timeZone);
    const builder = makeBuilder({ type: m.type, nullValues: [null, undefined] });
    for (const ch of changes) {
      const v = ch.row[i] ?? null;
      builder.append(v === null ? null : m.convert(v));
    }
    return builder.finish().flush();
  });
  const kinds = new Int8Array(changes.length);
  changes.forEach((ch, i) => {
    kinds[i] = ch.kind;
  });
  children.push(makeData({ type: new Int8(), length: changes.length, data: kinds }));
  const data = makeData({ type: new Struct(schema.fields), length: changes.length, nullCount: 0, children });
  return tableToIPC(new Table([new RecordBatch(schema, data)]), 'stream');
}
