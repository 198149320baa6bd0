/**
 * The `debezium-json` format (Flink's): Debezium change events as JSON,
 * `{"before": {...}, "after": {...}, "op": "c|r|u|d", ...}`, optionally inside the Kafka Connect
 * envelope `{"schema": {...}, "payload": {...}}` (`debezium-json.schema-include`).
 *
 * Decoding, per event:
 *   op c (create) or r (snapshot read)  ->  +I after
 *   op u (update)                       ->  -U before, +U after
 *   op d (delete)                       ->  -D before
 * An empty or null message (Debezium's tombstone after a delete) gives no change. An update or delete
 * without `before` cannot be retracted: an error that names the likely cause (PostgreSQL tables need
 * REPLICA IDENTITY FULL).
 *
 * Encoding, as Flink writes it: +I and +U as `{"before":null,"after":row,"op":"c"}`, -U and -D as
 * `{"before":row,"after":null,"op":"d"}`.
 */
import type { LogicalType } from '../../catalog/types.ts';
import { RowKind } from '../../operators/api.ts';
import type { OptionSpec } from '../api.ts';
import {
  type Decoder,
  type Encoder,
  type Format,
  FormatOptions,
  noChanges,
  rowFields,
  ValueError,
} from './api.ts';
import { guardedJsonDecoder, jsonOptionSpecs, jsonSettings } from './json.ts';
import { isJsonObject, jsonRowReader, jsonRowWriter } from './json-values.ts';

const ID = 'debezium-json';

const OPTIONS: OptionSpec[] = [
  {
    key: `${ID}.schema-include`,
    default: 'false',
    description: 'Messages carry the Kafka Connect envelope {"schema": ..., "payload": ...}.',
  },
  ...jsonOptionSpecs(ID).filter((spec) => !spec.key.endsWith('.fail-on-missing-field')),
];

const encoder = new TextEncoder();

export const debeziumJsonFormat: Format = {
  identifier: ID,
  options: OPTIONS,
  changelogMode: 'retract',

  createDecoder(rowType: LogicalType, options, prefix): Decoder {
    const settings = jsonSettings(ID, options, prefix);
    const schemaInclude = new FormatOptions(options, prefix, OPTIONS).boolean(`${ID}.schema-include`);
    const read = jsonRowReader(ID, rowFields(ID, rowType), settings.read);
    const decode = guardedJsonDecoder(ID, settings.ignoreParseErrors, (root) => {
      if (!isJsonObject(root)) throw new ValueError('expected a JSON object (a Debezium change event)');
      let event = root;
      if (schemaInclude) {
        const payload = root['payload'];
        if (!isJsonObject(payload)) {
          throw new ValueError(`no "payload" object, but '${prefix}${ID}.schema-include' is true`);
        }
        event = payload;
      } else if (isJsonObject(root['payload']) && 'schema' in root && !('op' in root)) {
        throw new ValueError(
          `the event is inside a {"schema", "payload"} envelope: set '${prefix}${ID}.schema-include' = 'true'`,
        );
      }
      const op = event['op'];
      const before = event['before'];
      const after = event['after'];
      const needBefore = (what: string) => {
        if (!isJsonObject(before)) {
          throw new ValueError(
            `the ${what} event (op '${String(op)}') has no "before" row; for PostgreSQL, set REPLICA IDENTITY FULL on the table`,
          );
        }
        return read(before, 'before');
      };
      const needAfter = () => {
        if (!isJsonObject(after)) throw new ValueError(`the event (op '${String(op)}') has no "after" row`);
        return read(after, 'after');
      };
      switch (op) {
        case 'c':
        case 'r':
          return { kinds: [RowKind.INSERT], rows: [needAfter()] };
        case 'u':
          return {
            kinds: [RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER],
            rows: [needBefore('update'), needAfter()],
          };
        case 'd':
          return { kinds: [RowKind.DELETE], rows: [needBefore('delete')] };
        default:
          throw new ValueError(`unknown "op" ${JSON.stringify(op ?? null)} (expected c, r, u or d)`);
      }
    });
    return (bytes) => (bytes !== null && bytes.length === 0 ? noChanges() : decode(bytes));
  },

  createEncoder(rowType: LogicalType, options, prefix): Encoder {
    const settings = jsonSettings(ID, options, prefix);
    const write = jsonRowWriter(ID, rowFields(ID, rowType), settings.write);
    return (kind, row) => {
      const text =
        kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER
          ? `{"before":null,"after":${write(row)},"op":"c"}`
          : `{"before":${write(row)},"after":null,"op":"d"}`;
      return encoder.encode(text);
    };
  },
};
