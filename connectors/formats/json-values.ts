/**
 * Rivulet values <-> JSON, shared by the `json`, `debezium-json` and `canal-json` formats.
 *
 * Parsing keeps numbers exact: `JSON.parse` with a reviver that reads each number's source text
 * (Node 24's JSON.parse source-text access) and keeps a number as a `RawNumber` (its text) whenever
 * the double would not print back to the same text or is an integer beyond 2^53, so a BIGINT beyond 2^53 or a long DECIMAL loses
 * no digit.
 *
 * Converters are built once per type (a tree of closures following the ROW type), then applied to
 * every message. JSON to values, per type (as Flink's JSON format reads them):
 *   BOOLEAN      true/false, or the strings "true"/"false"
 *   integers     integral numbers in range, or such numbers as strings
 *   FLOAT/DOUBLE numbers, numeric strings, "NaN", "Infinity", "-Infinity"
 *   DECIMAL      numbers or numeric strings, exactly; more digits than the scale round HALF_UP
 *   STRING       strings; any other JSON value becomes its JSON text
 *   BYTES        base64 strings
 *   DATE/TIME/TIMESTAMP(_LTZ)  strings as in text-values.ts; numbers are taken as days (DATE),
 *                milliseconds of the day (TIME) or epoch milliseconds (timestamps), as Debezium sends
 *   ARRAY        arrays; MAP and MULTISET objects (keys as text of the key type); ROW objects by name
 * Writing is the inverse, with numbers printed exactly and NaN/infinities as strings (as Jackson does).
 */
import { MS_PER_DAY } from '../../catalog/datetime.ts';
import { parseDecimalText, pow10 } from '../../catalog/decimal.ts';
import type { LogicalType, RowField } from '../../catalog/types.ts';
import type { Row, Value } from '../../operators/api.ts';
import { encodeError, unsupportedType, ValueError } from './api.ts';
import {
  abbreviate,
  base64ToBytes,
  checkInt64,
  checkIntRange,
  formatFloat,
  hasTextForm,
  intRange,
  type TextOptions,
  textParser,
  textPrinter,
} from './text-values.ts';

/** A JSON number kept as its source text because a double would not represent it exactly. */
export class RawNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

export type JsonNode =
  | null
  | boolean
  | number
  | string
  | RawNumber
  | JsonNode[]
  | { [key: string]: JsonNode };

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

const keepExactNumbers: Reviver = (_key, value, context) => {
  // An integer beyond 2^53 may print as its own text and still not be that number (2^63-ish values
  // print rounded to the double's shortest text), so it always keeps its source.
  if (
    typeof value === 'number' &&
    context?.source !== undefined &&
    (String(value) !== context.source || (Number.isInteger(value) && !Number.isSafeInteger(value)))
  ) {
    return new RawNumber(context.source);
  }
  return value;
};

/** Parses JSON text, keeping numbers exact (see the file comment). Throws SyntaxError. */
export function parseJson(text: string): JsonNode {
  return JSON.parse(text, keepExactNumbers as (key: string, value: unknown) => unknown) as JsonNode;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes to text; malformed UTF-8 is an error, not replacement characters. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ValueError('the message is not valid UTF-8');
  }
}

/** JSON text of a parsed node (exact numbers kept), for STRING columns that receive non-strings. */
export function jsonText(node: JsonNode): string {
  if (node instanceof RawNumber) return node.text;
  if (Array.isArray(node)) return `[${node.map(jsonText).join(',')}]`;
  if (node !== null && typeof node === 'object') {
    return `{${Object.entries(node)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(node);
}

export function isJsonObject(node: JsonNode | undefined): node is { [key: string]: JsonNode } {
  return (
    node !== null &&
    node !== undefined &&
    typeof node === 'object' &&
    !Array.isArray(node) &&
    !(node instanceof RawNumber)
  );
}

// ---------------------------------------------------------------------------------------------
// JSON -> values

export interface JsonReadOptions extends TextOptions {
  /** A ROW field absent from its object is an error rather than NULL. */
  readonly failOnMissingField: boolean;
}

type FromJson = (node: JsonNode | undefined, path: string) => Value;

/** A converter from a JSON object to a row of `fields`. Throws ValueError naming the field path. */
export function jsonRowReader(
  format: string,
  fields: readonly RowField[],
  options: JsonReadOptions,
): (node: JsonNode, path?: string) => Row {
  const read = rowReader(format, fields, options, '');
  return (node, path = '') => read(node, path) as Row;
}

function fromJson(format: string, type: LogicalType, options: JsonReadOptions, where: string): FromJson {
  const convert = nonNullFromJson(format, type, options, where);
  const nullable = type.nullable;
  return (node, path) => {
    if (node === null || node === undefined) {
      if (!nullable) throw new ValueError(`${describe(path)} is null but its type is NOT NULL`);
      return null;
    }
    return convert(node, path);
  };
}

function nonNullFromJson(
  format: string,
  type: LogicalType,
  options: JsonReadOptions,
  where: string,
): (node: JsonNode, path: string) => Value {
  const kind = type.kind;
  switch (kind) {
    case 'BOOLEAN': {
      const parse = textParser(type, options);
      return (node, path) =>
        typeof node === 'boolean'
          ? node
          : typeof node === 'string'
            ? at(path, () => parse(node))
            : mismatch(node, 'BOOLEAN', path);
    }
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const [min, max] = intRange(kind) as readonly [number, number];
      const parse = textParser(type, options);
      return (node, path) => {
        if (typeof node === 'number') return at(path, () => checkIntRange(node, kind, min, max));
        if (node instanceof RawNumber)
          return at(path, () => checkIntRange(Number(node.text), kind, min, max));
        if (typeof node === 'string') return at(path, () => parse(node));
        return mismatch(node, kind, path);
      };
    }
    case 'BIGINT': {
      const parse = textParser(type, options);
      return (node, path) => {
        if (typeof node === 'number') {
          if (!Number.isInteger(node))
            throw new ValueError(`${describe(path)}: ${node} is not an integer (BIGINT)`);
          return at(path, () => checkInt64(BigInt(node)));
        }
        if (node instanceof RawNumber) return at(path, () => integralOf(node.text));
        if (typeof node === 'string') return at(path, () => parse(node));
        return mismatch(node, kind, path);
      };
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const parse = textParser(type, options);
      const narrow = kind === 'FLOAT' ? Math.fround : (x: number) => x;
      return (node, path) => {
        if (typeof node === 'number') return narrow(node);
        if (node instanceof RawNumber) return narrow(Number(node.text));
        if (typeof node === 'string') return at(path, () => parse(node));
        return mismatch(node, kind, path);
      };
    }
    case 'DECIMAL': {
      const parse = textParser(type, options);
      return (node, path) => {
        if (typeof node === 'number') return at(path, () => parse(String(node)));
        if (node instanceof RawNumber || typeof node === 'string') {
          return at(path, () => parse(typeof node === 'string' ? node : node.text));
        }
        return mismatch(node, 'DECIMAL', path);
      };
    }
    case 'CHAR':
    case 'VARCHAR':
      return (node) => (typeof node === 'string' ? node : jsonText(node));
    case 'BINARY':
    case 'VARBINARY':
      return (node, path) =>
        typeof node === 'string'
          ? at(path, () => base64ToBytes(node))
          : mismatch(node, 'BYTES (base64)', path);
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const parse = textParser(type, options);
      return (node, path) => {
        if (typeof node === 'string') return at(path, () => parse(node));
        if (typeof node === 'number' && Number.isSafeInteger(node)) {
          if (kind === 'TIME' && (node < 0 || node >= MS_PER_DAY)) {
            throw new ValueError(`${describe(path)}: ${node} ms is not a time of day`);
          }
          return node;
        }
        return mismatch(node, kind, path);
      };
    }
    case 'ARRAY': {
      const element = fromJson(format, type.element as LogicalType, options, where);
      return (node, path) => {
        if (!Array.isArray(node)) return mismatch(node, 'ARRAY', path);
        return node.map((item, i) => element(item, `${path}[${i}]`));
      };
    }
    case 'MAP':
    case 'MULTISET': {
      const keyType = kind === 'MAP' ? (type.key as LogicalType) : (type.element as LogicalType);
      if (!hasTextForm(keyType))
        throw unsupportedType(format, `${where} key`, `${keyType.kind} as a map key`);
      const key = textParser(keyType, options);
      const valueType: LogicalType =
        kind === 'MAP' ? (type.element as LogicalType) : { kind: 'INT', nullable: false };
      const value = fromJson(format, valueType, options, where);
      return (node, path) => {
        if (!isJsonObject(node)) return mismatch(node, kind, path);
        const out = new Map<Value, Value>();
        for (const [k, v] of Object.entries(node)) {
          out.set(
            at(`${path}.${k}`, () => key(k)),
            value(v, `${path}.${k}`),
          );
        }
        return out;
      };
    }
    case 'ROW':
      return rowReader(format, type.fields ?? [], options, where);
    default:
      throw unsupportedType(format, where, kind);
  }
}

function rowReader(
  format: string,
  fields: readonly RowField[],
  options: JsonReadOptions,
  where: string,
): (node: JsonNode, path: string) => Value {
  const names = fields.map((f) => f.name);
  const converters = fields.map((f) =>
    fromJson(format, f.type, options, where === '' ? f.name : `${where}.${f.name}`),
  );
  const failOnMissing = options.failOnMissingField;
  return (node, path) => {
    if (!isJsonObject(node)) return mismatch(node, 'a JSON object (ROW)', path);
    const row: Value[] = new Array(names.length);
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const fieldPath = path === '' ? name : `${path}.${name}`;
      // Own properties only: a column named `constructor` must not read Object.prototype's.
      const child = Object.hasOwn(node, name) ? node[name] : undefined;
      if (child === undefined && failOnMissing) throw new ValueError(`field '${fieldPath}' is missing`);
      row[i] = (converters[i] as FromJson)(child, fieldPath);
    }
    return row;
  };
}

/** The exact integer a JSON number's text stands for (`12`, `1.0e3`, `9007199254740993.0`). */
function integralOf(text: string): bigint {
  const parsed = parseDecimalText(text);
  if (parsed !== null) {
    if (parsed.scale <= 0) return checkInt64(parsed.unscaled * pow10(-parsed.scale));
    const unit = pow10(parsed.scale);
    if (parsed.unscaled % unit === 0n) return checkInt64(parsed.unscaled / unit);
  }
  throw new ValueError(`${text} is not an integer (BIGINT)`);
}

function at<V>(path: string, fn: () => V): V {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ValueError && path !== '')
      throw new ValueError(`${describe(path)}: ${error.message}`);
    throw error;
  }
}

function describe(path: string): string {
  return path === '' ? 'the value' : `field '${path}'`;
}

function mismatch(node: JsonNode, expected: string, path: string): never {
  throw new ValueError(`${describe(path)}: expected ${expected}, got ${abbreviate(jsonText(node))}`);
}

// ---------------------------------------------------------------------------------------------
// values -> JSON text

export type MapNullKeyMode = 'FAIL' | 'DROP' | 'LITERAL';
export const MAP_NULL_KEY_MODES: readonly MapNullKeyMode[] = ['FAIL', 'DROP', 'LITERAL'];

export interface JsonWriteOptions extends TextOptions {
  readonly mapNullKeyMode: MapNullKeyMode;
  readonly mapNullKeyLiteral: string;
  /** Leave out ROW fields whose value is NULL instead of writing `null`. */
  readonly ignoreNullFields: boolean;
}

type ToJson = (value: Value) => string;

/** A writer of rows of `fields` as JSON object text. */
export function jsonRowWriter(
  format: string,
  fields: readonly RowField[],
  options: JsonWriteOptions,
): (row: Row) => string {
  return rowWriter(format, fields, options, '') as (row: Row) => string;
}

function toJson(format: string, type: LogicalType, options: JsonWriteOptions, where: string): ToJson {
  const write = nonNullToJson(format, type, options, where);
  return (value) => (value === null || value === undefined ? 'null' : write(value));
}

function nonNullToJson(format: string, type: LogicalType, options: JsonWriteOptions, where: string): ToJson {
  const kind = type.kind;
  switch (kind) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return (value) => String(value);
    case 'FLOAT':
    case 'DOUBLE':
      return (value) => (Number.isFinite(value) ? formatFloat(value as number) : `"${String(value)}"`);
    case 'DECIMAL': {
      const print = textPrinter(type, options);
      return (value) => print(value);
    }
    case 'CHAR':
    case 'VARCHAR':
      return (value) => JSON.stringify(value);
    case 'BINARY':
    case 'VARBINARY':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const print = textPrinter(type, options);
      return (value) => JSON.stringify(print(value));
    }
    case 'ARRAY': {
      const element = toJson(format, type.element as LogicalType, options, where);
      return (value) => `[${(value as Value[]).map(element).join(',')}]`;
    }
    case 'MAP':
    case 'MULTISET': {
      const keyType = kind === 'MAP' ? (type.key as LogicalType) : (type.element as LogicalType);
      if (!hasTextForm(keyType))
        throw unsupportedType(format, `${where} key`, `${keyType.kind} as a map key`);
      const key = textPrinter(keyType, options);
      const value = kind === 'MAP' ? toJson(format, type.element as LogicalType, options, where) : String;
      return (map) => {
        const parts: string[] = [];
        for (const [k, v] of map as Map<Value, Value>) {
          let name: string;
          if (k === null || k === undefined) {
            if (options.mapNullKeyMode === 'DROP') continue;
            if (options.mapNullKeyMode === 'FAIL') {
              throw encodeError(
                format,
                `${where === '' ? 'a map' : `map '${where}'`} has a NULL key (set ${format}.map-null-key.mode to DROP or LITERAL to write it)`,
              );
            }
            name = options.mapNullKeyLiteral;
          } else {
            name = key(k);
          }
          parts.push(`${JSON.stringify(name)}:${value(v)}`);
        }
        return `{${parts.join(',')}}`;
      };
    }
    case 'ROW':
      return rowWriter(format, type.fields ?? [], options, where);
    default:
      throw unsupportedType(format, where, kind);
  }
}

function rowWriter(
  format: string,
  fields: readonly RowField[],
  options: JsonWriteOptions,
  where: string,
): ToJson {
  const names = fields.map((f) => `${JSON.stringify(f.name)}:`);
  const writers = fields.map((f) =>
    toJson(format, f.type, options, where === '' ? f.name : `${where}.${f.name}`),
  );
  const skipNulls = options.ignoreNullFields;
  return (value) => {
    const row = value as Row;
    const parts: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const v = row[i];
      if (skipNulls && (v === null || v === undefined)) continue;
      parts.push(names[i] + (writers[i] as ToJson)(v));
    }
    return `{${parts.join(',')}}`;
  };
}

/** Checks every column type can be read and written, so a bad table fails when planned. */
export function checkJsonTypes(format: string, fields: readonly RowField[]): void {
  const text: TextOptions = { timestampStandard: 'SQL', decimalPlain: false };
  jsonRowReader(format, fields, { ...text, failOnMissingField: false });
  jsonRowWriter(format, fields, {
    ...text,
    mapNullKeyMode: 'FAIL',
    mapNullKeyLiteral: 'null',
    ignoreNullFields: false,
  });
}
