/**
 * Turning Kafka records into table rows and rows into records, for the `kafka` and `upsert-kafka`
 * connectors: the key format gives the key columns, the value format the value columns (both placed
 * back at their physical positions), and metadata columns come from the record itself.
 */
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { RivuletError } from '../../common/errors.ts';
import type { Row, RowKind } from '../../operators/api.ts';
import type { ColumnInfo, TableInfo } from '../api.ts';
import type { Decoder, Encoder } from '../formats/index.ts';
import type { Layout } from './options.ts';

/** One record as fetched, with where it came from. */
export interface FetchedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** `topic/partition@offset`: how a record is named in errors and in the runtime's messages. */
export function recordPosition(r: FetchedRecord): string {
  return `${r.topic}/${r.partition}@${r.message.offset}`;
}

/** kafkajs keeps the record batch's fields (timestamp type, leader epoch) in an untyped `batchContext`. */
interface BatchContext {
  readonly timestampType?: number;
  readonly partitionLeaderEpoch?: number;
}

function batchContext(m: KafkaMessage): BatchContext {
  return ((m as unknown as { batchContext?: BatchContext }).batchContext ?? {}) as BatchContext;
}

function headersMap(headers: IHeaders | undefined): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    // A repeated header keeps its last value: a MAP has one value per key.
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last === undefined) continue;
    out.set(name, typeof last === 'string' ? new TextEncoder().encode(last) : new Uint8Array(last));
  }
  return out;
}

function metadataValue(key: string, r: FetchedRecord): unknown {
  const m = r.message;
  switch (key) {
    case 'topic':
      return r.topic;
    case 'partition':
      return r.partition;
    case 'offset':
      return BigInt(m.offset);
    case 'timestamp':
      return Number(m.timestamp);
    case 'timestamp-type': {
      const t = batchContext(m).timestampType;
      return t === 1 ? 'LogAppendTime' : t === 0 ? 'CreateTime' : 'NoTimestampType';
    }
    case 'headers':
      return headersMap(m.headers);
    case 'leader-epoch': {
      const e = batchContext(m).partitionLeaderEpoch;
      return e === undefined || e < 0 ? null : e;
    }
    default:
      return null;
  }
}

/** A decode failure of one record: names the table, the record's position and the format's reason. */
export function recordDecodeError(table: TableInfo, r: FetchedRecord, cause: unknown): RivuletError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new RivuletError(
    'connector',
    'KAFKA_DECODE',
    `Cannot decode the Kafka record at ${recordPosition(r)} (topic '${r.topic}', partition ${r.partition}, offset ${r.message.offset}) of table '${table.name}': ${reason}`,
    undefined,
    { cause },
  );
}

/** The result of decoding one record: changes, or a reason it could not be decoded. */
export type RecordChanges =
  | { kinds: RowKind[]; rows: Row[]; error?: undefined }
  | { error: Error; skip: boolean };

/** Decodes records into full rows (physical columns, then metadata columns). */
export class RecordDecoder {
  private readonly lay: Layout;
  private readonly keyDecoder: Decoder | null;
  private readonly valueDecoder: Decoder;

  constructor(table: TableInfo, lay: Layout) {
    this.lay = lay;
    this.keyDecoder =
      lay.key === null ? null : lay.key.format.createDecoder(lay.keyType, table.options, lay.key.prefix);
    this.valueDecoder = lay.value.format.createDecoder(lay.valueType, table.options, lay.value.prefix);
  }

  /** The key columns of a record (nulls for a record without a key). */
  keyValues(r: FetchedRecord): { values: unknown[] } | { error: Error; skip: boolean } {
    const n = this.lay.keyIndexes.length;
    if (this.keyDecoder === null || r.message.key === null) return { values: new Array(n).fill(null) };
    try {
      const res = this.keyDecoder(new Uint8Array(r.message.key));
      if (res.skipped) return { error: res.skipped, skip: true };
      const row = res.rows[0];
      return { values: row === undefined ? new Array(n).fill(null) : [...row] };
    } catch (e) {
      return { error: e as Error, skip: false };
    }
  }

  /** The value's changes, each as value columns only. */
  valueChanges(r: FetchedRecord): RecordChanges {
    try {
      const res = this.valueDecoder(r.message.value === null ? null : new Uint8Array(r.message.value));
      if (res.skipped) return { error: res.skipped, skip: true };
      return { kinds: [...res.kinds], rows: [...res.rows] };
    } catch (e) {
      return { error: e as Error, skip: false };
    }
  }

  /** A full row from key values and value values, with the record's metadata. */
  assemble(r: FetchedRecord, keyValues: readonly unknown[], valueValues: readonly unknown[] | null): Row {
    const lay = this.lay;
    const row: Row = new Array(lay.physical.length + lay.metadata.length).fill(null);
    if (valueValues !== null) {
      for (let i = 0; i < lay.valueIndexes.length; i++)
        row[lay.valueIndexes[i] as number] = valueValues[i] ?? null;
    }
    for (let i = 0; i < lay.keyIndexes.length; i++) row[lay.keyIndexes[i] as number] = keyValues[i] ?? null;
    for (let i = 0; i < lay.metadata.length; i++) {
      row[lay.physical.length + i] = metadataValue((lay.metadata[i] as ColumnInfo).metadataKey as string, r);
    }
    return row;
  }

  /** All changes of a `kafka` (not upsert) record. */
  decode(r: FetchedRecord): RecordChanges {
    const key = this.keyValues(r);
    if ('error' in key) return key;
    const value = this.valueChanges(r);
    if (value.error !== undefined) return value;
    return { kinds: value.kinds, rows: value.rows.map((v) => this.assemble(r, key.values, v)) };
  }
}

/** A record to send: key and value bytes, headers, timestamp. */
export interface OutgoingRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  timestamp?: string;
}

/** Encodes rows (the sink's written columns: physical, then non-virtual metadata) into records. */
export class RecordEncoder {
  private readonly lay: Layout;
  private readonly keyEncoder: Encoder | null;
  private readonly valueEncoder: Encoder;
  private readonly metaKeys: readonly string[];

  constructor(table: TableInfo, lay: Layout, writtenMetadata: readonly { metadataKey?: string }[]) {
    this.lay = lay;
    this.keyEncoder =
      lay.key === null ? null : lay.key.format.createEncoder(lay.keyType, table.options, lay.key.prefix);
    this.valueEncoder = lay.value.format.createEncoder(lay.valueType, table.options, lay.value.prefix);
    this.metaKeys = writtenMetadata.map((m) => m.metadataKey as string);
  }

  keyBytes(kind: RowKind, row: Row): Buffer | null {
    if (this.keyEncoder === null) return null;
    const bytes = this.keyEncoder(
      kind,
      this.lay.keyIndexes.map((i) => row[i]),
    );
    return bytes === null ? null : Buffer.from(bytes);
  }

  /** The record of one change; `tombstone` writes no value (upsert deletes). */
  encode(kind: RowKind, row: Row, tombstone = false): OutgoingRecord {
    const value = tombstone
      ? null
      : this.valueEncoder(
          kind,
          this.lay.valueIndexes.map((i) => row[i]),
        );
    const out: OutgoingRecord = {
      key: this.keyBytes(kind, row),
      value: value === null ? null : Buffer.from(value),
    };
    const base = this.lay.physical.length;
    this.metaKeys.forEach((key, i) => {
      const v = row[base + i];
      if (v === null || v === undefined) return;
      if (key === 'timestamp') out.timestamp = String(Math.trunc(v as number));
      if (key === 'headers') {
        const headers: IHeaders = {};
        for (const [k, b] of v as Map<string, Uint8Array>) if (b !== null) headers[k] = Buffer.from(b);
        out.headers = headers;
      }
    });
    return out;
  }
}
