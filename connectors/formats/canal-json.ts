/**
 * The `canal-json` format (Flink's): Alibaba Canal's binlog events as JSON,
 * `{"data": [{...}], "old": [{...}], "type": "INSERT|UPDATE|DELETE", "database": ..., "table": ...,
 * "isDdl": false, ...}`. One event may carry several rows.
 *
 * Decoding, per row i of `data`:
 *   INSERT  ->  +I data[i]
 *   UPDATE  ->  -U (data[i] with the fields present in old[i] put back), +U data[i]
 *   DELETE  ->  -D data[i]
 * DDL events (`isDdl` true, or type CREATE) give no change; other types are an error. With
 * `canal-json.database.include` / `canal-json.table.include` (regular expressions matched against the
 * whole name), events of other databases or tables give no change.
 *
 * Encoding, as Flink writes it: +I and +U as `{"data":[row],"type":"INSERT"}`, -U and -D as
 * `{"data":[row],"type":"DELETE"}`.
 */
import type { LogicalType } from '../../catalog/types.ts';
import type { Row } from '../../operators/api.ts';
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
import { isJsonObject, type JsonNode, jsonRowReader, jsonRowWriter } from './json-values.ts';

const ID = 'canal-json';

const OPTIONS: OptionSpec[] = [
  {
    key: `${ID}.database.include`,
    description: 'Only events of databases whose name matches this regular expression.',
  },
  {
    key: `${ID}.table.include`,
    description: 'Only events of tables whose name matches this regular expression.',
  },
  ...jsonOptionSpecs(ID).filter((spec) => !spec.key.endsWith('.fail-on-missing-field')),
];

const encoder = new TextEncoder();

function includeFilter(o: FormatOptions, key: string): RegExp | undefined {
  const pattern = o.get(key);
  if (pattern === undefined) return undefined;
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    throw o.invalid(key, pattern, 'a regular expression');
  }
}

export const canalJsonFormat: Format = {
  identifier: ID,
  options: OPTIONS,
  changelogMode: 'retract',

  createDecoder(rowType: LogicalType, options, prefix): Decoder {
    const settings = jsonSettings(ID, options, prefix);
    const o = new FormatOptions(options, prefix, OPTIONS);
    const databaseInclude = includeFilter(o, `${ID}.database.include`);
    const tableInclude = includeFilter(o, `${ID}.table.include`);
    const read = jsonRowReader(ID, rowFields(ID, rowType), settings.read);

    const rowsOf = (name: 'data' | 'old', node: JsonNode | undefined, type: string): JsonNode[] => {
      if (!Array.isArray(node)) throw new ValueError(`the ${type} event has no "${name}" array`);
      return node;
    };

    return guardedJsonDecoder(ID, settings.ignoreParseErrors, (root) => {
      if (!isJsonObject(root)) throw new ValueError('expected a JSON object (a Canal event)');
      const type = root['type'];
      if (databaseInclude !== undefined && !databaseInclude.test(String(root['database'] ?? '')))
        return noChanges();
      if (tableInclude !== undefined && !tableInclude.test(String(root['table'] ?? ''))) return noChanges();
      if (root['isDdl'] === true || type === 'CREATE') return noChanges();

      const kinds: RowKind[] = [];
      const rows: Row[] = [];
      switch (type) {
        case 'INSERT':
        case 'DELETE': {
          const kind = type === 'INSERT' ? RowKind.INSERT : RowKind.DELETE;
          rowsOf('data', root['data'], type).forEach((data, i) => {
            kinds.push(kind);
            rows.push(read(data, `data[${i}]`));
          });
          return { kinds, rows };
        }
        case 'UPDATE': {
          const data = rowsOf('data', root['data'], type);
          const old = rowsOf('old', root['old'], type);
          data.forEach((after, i) => {
            if (!isJsonObject(after)) throw new ValueError(`"data[${i}]" is not an object`);
            const changed = old[i];
            if (!isJsonObject(changed)) throw new ValueError(`the UPDATE event has no "old[${i}]" object`);
            kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
            rows.push(read({ ...after, ...changed }, `old[${i}]`), read(after, `data[${i}]`));
          });
          return { kinds, rows };
        }
        default:
          throw new ValueError(
            `unknown "type" ${JSON.stringify(type ?? null)} (expected INSERT, UPDATE or DELETE)`,
          );
      }
    });
  },

  createEncoder(rowType: LogicalType, options, prefix): Encoder {
    const settings = jsonSettings(ID, options, prefix);
    const write = jsonRowWriter(ID, rowFields(ID, rowType), settings.write);
    return (kind, row) => {
      const type = kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER ? 'INSERT' : 'DELETE';
      return encoder.encode(`{"data":[${write(row)}],"type":"${type}"}`);
    };
  },
};
