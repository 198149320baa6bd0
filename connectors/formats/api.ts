/**
 * The contract between connectors (Kafka, upsert-Kafka, filesystem) and the formats that turn a
 * message's bytes into changelog rows and back. A format is found by the value of `'format'`
 * (or `'key.format'` / `'value.format'`); its options are read under that prefix, named as in Flink:
 * `'format' = 'json'` reads `json.ignore-parse-errors`, `'value.format' = 'json'` reads
 * `value.json.ignore-parse-errors`.
 *
 * Decoding never loses a record silently: a record that cannot be decoded either throws a
 * `RivuletError` (phase 'connector', code FORMAT_DECODE) or, when the table's
 * `<format>.ignore-parse-errors` option says so, comes back as `{ skipped: error }` so the connector
 * can count it (`SourceContext.skipped`) and move on.
 */
import type { LogicalType } from '../../catalog/types.ts';
import { RivuletError } from '../../common/errors.ts';
import type { Row, RowKind } from '../../operators/api.ts';
import type { ChangelogMode, OptionSpec } from '../api.ts';

/** The changes one message decodes to: zero or more (a changelog update gives -U and +U). */
export interface DecodedChanges {
  readonly kinds: RowKind[];
  readonly rows: Row[];
  readonly skipped?: undefined;
}

/** A message the format could not decode and, as configured, skips: the connector counts it. */
export interface SkippedMessage {
  readonly kinds: readonly [];
  readonly rows: readonly [];
  readonly skipped: RivuletError;
}

export type DecodeResult = DecodedChanges | SkippedMessage;

/**
 * Decodes one message. `null` is a message without a value (a Kafka tombstone): formats that give it
 * no meaning return no changes.
 */
export type Decoder = (bytes: Uint8Array | null) => DecodeResult;

/**
 * Encodes one change. `null` means "a message without a value" (raw of a NULL value: a tombstone).
 * Changelog formats (debezium-json, canal-json) encode the kind into the message; the others encode the
 * row alone, and the planner only sends them the kinds their `changelogMode` allows.
 */
export type Encoder = (kind: RowKind, row: Row) => Uint8Array | null;

export interface Format {
  /** The value of `'format'`, e.g. `json`. */
  readonly identifier: string;
  /** Options without the prefix, e.g. `json.ignore-parse-errors` (see `formatOptionSpecs`). */
  readonly options: readonly OptionSpec[];
  /** What decoding produces: `insert-only`, or every kind (`retract`) for CDC formats. */
  readonly changelogMode: ChangelogMode;
  /**
   * A decoder for rows of `rowType` (a ROW type: the table's physical columns, or the key's). Throws
   * FORMAT_UNSUPPORTED_TYPE for a column type the format cannot carry and FORMAT_OPTION for a bad
   * option value, so mistakes surface when the table is planned, not at the first message.
   */
  createDecoder(rowType: LogicalType, options: ReadonlyMap<string, string>, prefix: string): Decoder;
  /**
   * Optional: the same decoder for a record a line-oriented source (files) already holds as text, so
   * the line is not encoded to UTF-8 only to be decoded again. Same results and errors as
   * `createDecoder`'s.
   */
  createTextDecoder?(
    rowType: LogicalType,
    options: ReadonlyMap<string, string>,
    prefix: string,
  ): (text: string) => DecodeResult;
  createEncoder(rowType: LogicalType, options: ReadonlyMap<string, string>, prefix: string): Encoder;
}

/** The format's options as a connector declares them under `prefix` (e.g. `value.`). */
export function formatOptionSpecs(format: Format, prefix: string): OptionSpec[] {
  return format.options.map((spec) => ({ ...spec, key: `${prefix}${spec.key}` }));
}

// ---------------------------------------------------------------------------------------------
// Errors

/** A message that cannot be decoded: names the format and the reason. */
export function decodeError(format: string, reason: string, cause?: unknown): RivuletError {
  return new RivuletError(
    'connector',
    'FORMAT_DECODE',
    `Cannot decode a '${format}' message: ${reason}`,
    undefined,
    cause === undefined ? undefined : { cause },
  );
}

/** A row that cannot be encoded (e.g. a NULL map key with `map-null-key.mode` FAIL). */
export function encodeError(format: string, reason: string): RivuletError {
  return new RivuletError('connector', 'FORMAT_ENCODE', `Cannot encode a row as '${format}': ${reason}`);
}

export function unsupportedType(format: string, where: string, type: string): RivuletError {
  return new RivuletError(
    'plan',
    'FORMAT_UNSUPPORTED_TYPE',
    `The '${format}' format does not support ${type}${where === '' ? '' : ` (${where})`}`,
  );
}

/** Thrown inside converters; the format wraps it into FORMAT_DECODE with the message's context. */
export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

// ---------------------------------------------------------------------------------------------
// Results

/** No changes at all (a comment line, a tombstone, a DDL event). */
export function noChanges(): DecodedChanges {
  return { kinds: [], rows: [] };
}

export function skippedMessage(error: RivuletError): SkippedMessage {
  return { kinds: [], rows: [], skipped: error };
}

// ---------------------------------------------------------------------------------------------
// Option reading

/** Reads a format's options under the connector's prefix and checks their values. */
export class FormatOptions {
  private readonly options: ReadonlyMap<string, string>;
  private readonly prefix: string;
  private readonly specs: readonly OptionSpec[];

  constructor(options: ReadonlyMap<string, string>, prefix: string, specs: readonly OptionSpec[]) {
    this.options = options;
    this.prefix = prefix;
    this.specs = specs;
  }

  /** The option's value, else its declared default, else `undefined`. */
  get(key: string): string | undefined {
    const value = this.options.get(`${this.prefix}${key}`);
    if (value !== undefined) return value;
    return this.specs.find((spec) => spec.key === key)?.default;
  }

  string(key: string, fallback: string): string {
    return this.get(key) ?? fallback;
  }

  boolean(key: string, fallback = false): boolean {
    const value = this.get(key);
    if (value === undefined) return fallback;
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw this.invalid(key, value, "'true' or 'false'");
  }

  /** One of `choices`, compared case-insensitively; returned as written in `choices`. */
  choice<C extends string>(key: string, choices: readonly C[], fallback: C): C {
    const value = this.get(key);
    if (value === undefined) return fallback;
    const found = choices.find((c) => c.toLowerCase() === value.trim().toLowerCase());
    if (found === undefined) throw this.invalid(key, value, choices.map((c) => `'${c}'`).join(', '));
    return found;
  }

  /** A single character; `\t` is accepted for a tab, as Flink does. */
  char(key: string, fallback: string): string {
    const value = this.get(key);
    if (value === undefined) return fallback;
    const unescaped = value === '\\t' ? '\t' : value;
    if ([...unescaped].length !== 1) throw this.invalid(key, value, 'a single character');
    return unescaped;
  }

  invalid(key: string, value: string, expected: string): RivuletError {
    return new RivuletError(
      'plan',
      'FORMAT_OPTION',
      `Invalid value '${value}' for option '${this.prefix}${key}': expected ${expected}`,
    );
  }
}

/** The fields of a ROW type, or FORMAT_UNSUPPORTED_TYPE if it is not one. */
export function rowFields(format: string, rowType: LogicalType): NonNullable<LogicalType['fields']> {
  if (rowType.kind !== 'ROW' || rowType.fields === undefined) {
    throw unsupportedType(format, 'a format encodes rows', rowType.kind);
  }
  return rowType.fields;
}
