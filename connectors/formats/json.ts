/**
 * The `json` format (Flink's): one JSON object per message, fields matched to columns by name; a
 * top-level JSON array is several rows. Insert-only. Types as described in json-values.ts.
 */
import type { LogicalType } from '../../catalog/types.ts';
import { RivuletError } from '../../common/errors.ts';
import { RowKind } from '../../operators/api.ts';
import type { OptionSpec } from '../api.ts';
import {
  type Decoder,
  decodeError,
  type Encoder,
  type Format,
  FormatOptions,
  noChanges,
  rowFields,
  skippedMessage,
  ValueError,
} from './api.ts';
import {
  decodeUtf8,
  isJsonObject,
  type JsonNode,
  type JsonReadOptions,
  type JsonWriteOptions,
  jsonRowReader,
  jsonRowWriter,
  MAP_NULL_KEY_MODES,
  parseJson,
} from './json-values.ts';
import { TIMESTAMP_STANDARDS } from './text-values.ts';

/** The option specs every JSON-based format declares, under its own identifier (`json.`, `debezium-json.`). */
export function jsonOptionSpecs(id: string): OptionSpec[] {
  return [
    {
      key: `${id}.fail-on-missing-field`,
      default: 'false',
      description: 'Fail when a field of the table is missing from the message (else it is NULL).',
    },
    {
      key: `${id}.ignore-parse-errors`,
      default: 'false',
      description: 'Skip (and count) messages that cannot be decoded instead of failing the job.',
    },
    {
      key: `${id}.timestamp-format.standard`,
      default: 'SQL',
      description: "TIMESTAMP text: 'SQL' (yyyy-MM-dd HH:mm:ss.fff) or 'ISO-8601' (yyyy-MM-ddTHH:mm:ss.fff).",
    },
    {
      key: `${id}.map-null-key.mode`,
      default: 'FAIL',
      description: "A NULL map key when writing: 'FAIL', 'DROP' the entry, or write it as 'LITERAL'.",
    },
    {
      key: `${id}.map-null-key.literal`,
      default: 'null',
      description: "The key written for a NULL map key when map-null-key.mode is 'LITERAL'.",
    },
    {
      key: `${id}.encode.decimal-as-plain-number`,
      default: 'false',
      description: 'Write DECIMAL as plain digits (0.00000012) rather than scientific (1.2E-7).',
    },
    {
      key: `${id}.encode.ignore-null-fields`,
      default: 'false',
      description: 'Leave NULL fields out of written objects.',
    },
  ];
}

export interface JsonSettings {
  readonly read: JsonReadOptions;
  readonly write: JsonWriteOptions;
  readonly ignoreParseErrors: boolean;
}

/** Reads the JSON options of format `id` (e.g. `json`) under the connector's prefix. */
export function jsonSettings(id: string, options: ReadonlyMap<string, string>, prefix: string): JsonSettings {
  const o = new FormatOptions(options, prefix, jsonOptionSpecs(id));
  const timestampStandard = o.choice(`${id}.timestamp-format.standard`, TIMESTAMP_STANDARDS, 'SQL');
  const decimalPlain = o.boolean(`${id}.encode.decimal-as-plain-number`);
  const failOnMissingField = o.boolean(`${id}.fail-on-missing-field`);
  const ignoreParseErrors = o.boolean(`${id}.ignore-parse-errors`);
  if (failOnMissingField && ignoreParseErrors) {
    throw new RivuletError(
      'plan',
      'FORMAT_OPTION',
      `Options '${prefix}${id}.fail-on-missing-field' and '${prefix}${id}.ignore-parse-errors' cannot both be true`,
    );
  }
  return {
    ignoreParseErrors,
    read: { timestampStandard, decimalPlain, failOnMissingField },
    write: {
      timestampStandard,
      decimalPlain,
      mapNullKeyMode: o.choice(`${id}.map-null-key.mode`, MAP_NULL_KEY_MODES, 'FAIL'),
      mapNullKeyLiteral: o.string(`${id}.map-null-key.literal`, 'null'),
      ignoreNullFields: o.boolean(`${id}.encode.ignore-null-fields`),
    },
  };
}

/**
 * Runs `decode` on a message's text; a malformed message becomes FORMAT_DECODE, returned as skipped
 * when `ignoreParseErrors`, thrown otherwise.
 */
export function guardedJsonDecoder(
  id: string,
  ignoreParseErrors: boolean,
  decode: (root: JsonNode) => ReturnType<Decoder>,
): Decoder {
  return (bytes) => {
    if (bytes === null) return noChanges();
    try {
      return decode(parseJson(decodeUtf8(bytes)));
    } catch (error) {
      if (!(error instanceof ValueError || error instanceof SyntaxError)) throw error;
      const message = (error as Error).message;
      const reason = error instanceof SyntaxError ? `malformed JSON (${message})` : message;
      const wrapped = decodeError(id, reason, error);
      if (ignoreParseErrors) return skippedMessage(wrapped);
      throw wrapped;
    }
  };
}

const encoder = new TextEncoder();

export const jsonFormat: Format = {
  identifier: 'json',
  options: jsonOptionSpecs('json'),
  changelogMode: 'insert-only',

  createDecoder(rowType: LogicalType, options, prefix): Decoder {
    const settings = jsonSettings('json', options, prefix);
    const read = jsonRowReader('json', rowFields('json', rowType), settings.read);
    return guardedJsonDecoder('json', settings.ignoreParseErrors, (root) => {
      if (Array.isArray(root)) {
        const rows = root.map((element, i) => read(element, `[${i}]`));
        return { kinds: rows.map(() => RowKind.INSERT), rows };
      }
      if (!isJsonObject(root)) throw new ValueError('expected a JSON object or an array of objects');
      return { kinds: [RowKind.INSERT], rows: [read(root)] };
    });
  },

  createEncoder(rowType: LogicalType, options, prefix): Encoder {
    const settings = jsonSettings('json', options, prefix);
    const write = jsonRowWriter('json', rowFields('json', rowType), settings.write);
    return (_kind, row) => encoder.encode(write(row));
  },
};
