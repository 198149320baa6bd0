/**
 * The `csv` format (Flink's options and defaults): one record per message, fields by position.
 * Insert-only.
 *
 * Reading one record:
 * 1. Drop one trailing line break. With `csv.allow-comments`, a record starting with `#` gives no row.
 *    An empty record is NULL for a one-column table and no row otherwise (a blank line).
 * 2. Split into fields at `csv.field-delimiter`. A field that starts with `csv.quote-character` is
 *    quoted: it ends at the next lone quote, a doubled quote inside stands for one; the delimiter and
 *    line breaks inside are data. `csv.escape-character`, if set, makes the next character literal.
 * 3. The number of fields must equal the number of columns.
 * 4. An unquoted empty field, or an unquoted `csv.null-literal`, is NULL; a quoted empty field `""` is
 *    the empty string (for STRING/BYTES), the empty array (ARRAY) or NULL (other types). This tells
 *    NULL from '' as Spark does; Flink reads both as ''.
 * 5. Scalars are parsed as text (text-values.ts; BYTES as base64). ARRAY and ROW of scalars are one
 *    field whose elements are separated by `csv.array-element-delimiter`; inside it `\` escapes the
 *    delimiter and itself, `\N` is a NULL element and `\e` an empty string; an empty element of a
 *    non-string type is NULL too.
 *
 * Writing is the inverse: fields are quoted only when they must be (delimiter, quote, line break,
 * leading `#` with allow-comments, surrounding spaces, the null literal, or empty). With quoting
 * disabled, such a value needs `csv.escape-character`, else it is an error rather than a broken record.
 */
import type { LogicalType } from '../../catalog/types.ts';
import { type Row, RowKind, type Value } from '../../operators/api.ts';
import type { OptionSpec } from '../api.ts';
import {
  type DecodeResult,
  type Decoder,
  decodeError,
  type Encoder,
  encodeError,
  type Format,
  FormatOptions,
  noChanges,
  rowFields,
  skippedMessage,
  unsupportedType,
  ValueError,
} from './api.ts';
import { decodeUtf8 } from './json-values.ts';
import { hasTextForm, type TextOptions, textParser, textPrinter } from './text-values.ts';

const ID = 'csv';

const OPTIONS: OptionSpec[] = [
  {
    key: 'csv.field-delimiter',
    default: ',',
    description: "The field delimiter, one character ('\\t' for tab).",
  },
  { key: 'csv.disable-quote-character', default: 'false', description: 'Never quote fields.' },
  { key: 'csv.quote-character', default: '"', description: 'The quote character.' },
  { key: 'csv.allow-comments', default: 'false', description: "Ignore records that start with '#'." },
  {
    key: 'csv.ignore-parse-errors',
    default: 'false',
    description: 'Skip (and count) records that cannot be decoded instead of failing the job.',
  },
  {
    key: 'csv.array-element-delimiter',
    default: ';',
    description: 'Separates the elements of an ARRAY (and the fields of a ROW) inside one field.',
  },
  { key: 'csv.escape-character', description: 'Escapes the next character (none by default).' },
  { key: 'csv.null-literal', description: 'A field with this text is NULL (written for NULL).' },
  {
    key: 'csv.write-bigdecimal-in-scientific-notation',
    default: 'true',
    description: 'Write DECIMAL as Java prints it (1.2E-7) rather than plain digits.',
  },
];

interface CsvSettings {
  readonly delimiter: string;
  readonly quote: string | undefined;
  readonly escape: string | undefined;
  readonly elementDelimiter: string;
  readonly nullLiteral: string | undefined;
  readonly allowComments: boolean;
  readonly ignoreParseErrors: boolean;
  readonly text: TextOptions;
}

function settingsOf(options: ReadonlyMap<string, string>, prefix: string): CsvSettings {
  const o = new FormatOptions(options, prefix, OPTIONS);
  const delimiter = o.char('csv.field-delimiter', ',');
  const quote = o.boolean('csv.disable-quote-character') ? undefined : o.char('csv.quote-character', '"');
  const escapeText = o.get('csv.escape-character');
  const escapeChar = escapeText === undefined ? undefined : o.char('csv.escape-character', '\\');
  const elementDelimiter = o.char('csv.array-element-delimiter', ';');
  if (elementDelimiter === '\\')
    throw o.invalid('csv.array-element-delimiter', '\\', 'a character other than \\');
  if (quote === delimiter || escapeChar === delimiter) {
    throw o.invalid(
      'csv.field-delimiter',
      delimiter,
      'a character other than the quote and escape characters',
    );
  }
  return {
    delimiter,
    quote,
    escape: escapeChar,
    elementDelimiter,
    nullLiteral: o.get('csv.null-literal'),
    allowComments: o.boolean('csv.allow-comments'),
    ignoreParseErrors: o.boolean('csv.ignore-parse-errors'),
    text: {
      timestampStandard: 'SQL',
      decimalPlain: !o.boolean('csv.write-bigdecimal-in-scientific-notation', true),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Field splitting

interface RawField {
  /** The field's value: unquoted and unescaped. */
  readonly text: string;
  readonly quoted: boolean;
  /** The field as written (compared with the null literal, which may contain the escape character). */
  readonly source: string;
}

function splitRecord(line: string, s: CsvSettings): RawField[] {
  const fields: RawField[] = [];
  let i = 0;
  for (;;) {
    let text = '';
    let quoted = false;
    const start = i;
    if (s.quote !== undefined && line[i] === s.quote) {
      quoted = true;
      i++;
      for (;;) {
        if (i >= line.length) throw new ValueError('a quoted field is not closed');
        const c = line[i] as string;
        if (c === s.escape && i + 1 < line.length) {
          text += line[i + 1];
          i += 2;
        } else if (c === s.quote) {
          if (line[i + 1] === s.quote) {
            text += c;
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          text += c;
          i++;
        }
      }
      if (i < line.length && line[i] !== s.delimiter) {
        throw new ValueError(`unexpected '${line[i]}' after the closing quote of field ${fields.length + 1}`);
      }
    } else {
      // Most fields hold no escape character: one slice up to the delimiter, not a copy per character.
      let end = line.indexOf(s.delimiter, i);
      if (end < 0) end = line.length;
      const plain = s.escape === undefined || line.lastIndexOf(s.escape, end - 1) < i;
      if (plain) {
        text = line.slice(i, end);
        i = end;
      }
      while (!plain && i < line.length && line[i] !== s.delimiter) {
        const c = line[i] as string;
        if (c === s.escape && i + 1 < line.length) {
          text += line[i + 1];
          i += 2;
        } else {
          text += c;
          i++;
        }
      }
    }
    fields.push({ text, quoted, source: line.slice(start, i) });
    if (i >= line.length) return fields;
    i++; // the delimiter
  }
}

/** Splits a composite field at the element delimiter; returns each element unescaped, or null for `\N`. */
function splitElements(text: string, delimiter: string): (string | null)[] {
  const out: (string | null)[] = [];
  let current = '';
  let nullMark = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      const next = text[++i] as string;
      if (next === 'N') nullMark = true;
      else if (next !== 'e') current += next; // `\e` marks an empty string: it adds nothing
    } else if (c === delimiter) {
      out.push(nullMark ? null : current);
      current = '';
      nullMark = false;
    } else {
      current += c;
    }
  }
  out.push(nullMark ? null : current);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Per-column converters

type ReadField = (field: RawField, column: string) => Value;
type WriteField = (value: Value) => { text: string; forceQuote: boolean; isNull?: boolean };

function isTextual(type: LogicalType): boolean {
  return (
    type.kind === 'CHAR' || type.kind === 'VARCHAR' || type.kind === 'BINARY' || type.kind === 'VARBINARY'
  );
}

function scalarTypeCheck(type: LogicalType, where: string): void {
  if (!hasTextForm(type)) throw unsupportedType(ID, where, `${type.kind} inside an ARRAY or ROW field`);
}

function fieldReader(type: LogicalType, s: CsvSettings, where: string): ReadField {
  if (type.kind === 'ARRAY' || type.kind === 'ROW') {
    const elementTypes = type.kind === 'ARRAY' ? undefined : (type.fields ?? []).map((f) => f.type);
    const elementType = type.kind === 'ARRAY' ? (type.element as LogicalType) : undefined;
    for (const t of elementTypes ?? [elementType as LogicalType]) scalarTypeCheck(t, where);
    const parsers = (elementTypes ?? [elementType as LogicalType]).map((t) => ({
      parse: textParser(t, s.text),
      textual: isTextual(t),
      nullable: t.nullable,
    }));
    const readElement = (raw: string | null, i: number, column: string): Value => {
      const p = (type.kind === 'ARRAY' ? parsers[0] : parsers[i]) as (typeof parsers)[number];
      if (raw === null || (raw === '' && !p.textual)) {
        if (!p.nullable)
          throw new ValueError(`column '${column}' element ${i + 1} is NULL but its type is NOT NULL`);
        return null;
      }
      try {
        return p.parse(raw);
      } catch (error) {
        if (error instanceof ValueError)
          throw new ValueError(`column '${column}' element ${i + 1}: ${error.message}`);
        throw error;
      }
    };
    return (field, column) => {
      if (isNullField(field, s)) return nullOrFail(type, column);
      if (field.text === '' && type.kind === 'ARRAY') return [];
      const parts = splitElements(field.text, s.elementDelimiter);
      if (type.kind === 'ROW' && parts.length !== parsers.length) {
        throw new ValueError(`column '${column}' has ${parts.length} ROW fields, expected ${parsers.length}`);
      }
      return parts.map((raw, i) => readElement(raw, i, column));
    };
  }
  if (!hasTextForm(type)) throw unsupportedType(ID, where, type.kind);
  const parse = textParser(type, s.text);
  const textual = isTextual(type);
  return (field, column) => {
    if (isNullField(field, s) || (field.text === '' && !textual)) return nullOrFail(type, column);
    try {
      return parse(field.text);
    } catch (error) {
      if (error instanceof ValueError) throw new ValueError(`column '${column}': ${error.message}`);
      throw error;
    }
  };
}

/** Unquoted empty text, or the null literal unquoted: a quoted "NULL" is the string NULL. */
function isNullField(field: RawField, s: CsvSettings): boolean {
  return !field.quoted && (field.text === '' || field.source === s.nullLiteral);
}

function nullOrFail(type: LogicalType, column: string): null {
  if (!type.nullable) throw new ValueError(`column '${column}' is NULL but its type is NOT NULL`);
  return null;
}

function fieldWriter(type: LogicalType, s: CsvSettings, where: string): WriteField {
  const nullText = s.nullLiteral ?? '';
  if (type.kind === 'ARRAY' || type.kind === 'ROW') {
    const types =
      type.kind === 'ARRAY' ? [type.element as LogicalType] : (type.fields ?? []).map((f) => f.type);
    for (const t of types) scalarTypeCheck(t, where);
    const printers = types.map((t) => textPrinter(t, s.text));
    const escapeElement = (text: string) =>
      text === ''
        ? '\\e'
        : text.replace(/\\/g, '\\\\').split(s.elementDelimiter).join(`\\${s.elementDelimiter}`);
    return (value) => {
      if (value === null || value === undefined) return { text: nullText, forceQuote: false, isNull: true };
      const elements = value as Value[];
      const text = elements
        .map((element, i) => {
          if (element === null || element === undefined) return '\\N';
          const printed = (type.kind === 'ARRAY' ? printers[0] : printers[i]) as (v: Value) => string;
          return escapeElement(printed(element));
        })
        .join(s.elementDelimiter);
      // An empty array is the only composite with empty text: quote it so it does not read as NULL.
      return { text, forceQuote: text === '' };
    };
  }
  if (!hasTextForm(type)) throw unsupportedType(ID, where, type.kind);
  const print = textPrinter(type, s.text);
  return (value) => {
    if (value === null || value === undefined) return { text: nullText, forceQuote: false, isNull: true };
    const text = print(value);
    return { text, forceQuote: text === '' };
  };
}

// ---------------------------------------------------------------------------------------------

/** Decodes one CSV record, as UTF-8 bytes or as text (a trailing line break is ignored). */
function textDecoder(
  rowType: LogicalType,
  options: ReadonlyMap<string, string>,
  prefix: string,
): (record: string | Uint8Array) => DecodeResult {
  const s = settingsOf(options, prefix);
  const fields = rowFields(ID, rowType);
  const names = fields.map((f) => f.name);
  const readers = fields.map((f) => fieldReader(f.type, s, f.name));
  return (record) => {
    try {
      let line = typeof record === 'string' ? record : decodeUtf8(record);
      if (line.endsWith('\n')) line = line.slice(0, line.endsWith('\r\n') ? -2 : -1);
      if (s.allowComments && line.startsWith('#')) return noChanges();
      if (line === '' && fields.length !== 1) return noChanges();
      const raw = splitRecord(line, s);
      if (raw.length !== fields.length) {
        throw new ValueError(`expected ${fields.length} fields, found ${raw.length}`);
      }
      const row: Row = new Array(raw.length);
      for (let i = 0; i < raw.length; i++)
        row[i] = (readers[i] as ReadField)(raw[i] as RawField, names[i] as string);
      return { kinds: [RowKind.INSERT], rows: [row] };
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      const wrapped = decodeError(ID, error.message, error);
      if (s.ignoreParseErrors) return skippedMessage(wrapped);
      throw wrapped;
    }
  };
}

const encoder = new TextEncoder();

export const csvFormat: Format = {
  identifier: ID,
  options: OPTIONS,
  changelogMode: 'insert-only',

  createDecoder(rowType: LogicalType, options, prefix): Decoder {
    const decode = textDecoder(rowType, options, prefix);
    return (bytes) => (bytes === null ? noChanges() : decode(bytes));
  },

  createTextDecoder(rowType: LogicalType, options, prefix) {
    return textDecoder(rowType, options, prefix);
  },

  createEncoder(rowType: LogicalType, options, prefix): Encoder {
    const s = settingsOf(options, prefix);
    const fields = rowFields(ID, rowType);
    const writers = fields.map((f) => fieldWriter(f.type, s, f.name));
    const specials = [
      s.delimiter,
      '\n',
      '\r',
      ...(s.quote === undefined ? [] : [s.quote]),
      ...(s.escape === undefined ? [] : [s.escape]),
    ];
    const quote = s.quote;
    const render = (text: string, forceQuote: boolean, first: boolean, column: string): string => {
      const needsQuote =
        forceQuote ||
        specials.some((c) => text.includes(c)) ||
        (first && s.allowComments && text.startsWith('#')) ||
        (text !== text.trim() && text.length > 0);
      if (!needsQuote) return text;
      if (quote !== undefined) {
        let body = text.split(quote).join(quote + quote);
        if (s.escape !== undefined) body = body.split(s.escape).join(s.escape + s.escape);
        return `${quote}${body}${quote}`;
      }
      if (s.escape !== undefined) {
        let out = '';
        for (const c of text)
          out += c === s.delimiter || c === s.escape || c === '\n' || c === '\r' ? s.escape + c : c;
        return out;
      }
      if (text === '' || !specials.some((c) => text.includes(c))) return text;
      throw encodeError(
        ID,
        `column '${column}' contains the field delimiter or a line break, and quoting is disabled without an escape character`,
      );
    };
    return (_kind, row) => {
      const parts: string[] = [];
      for (let i = 0; i < writers.length; i++) {
        const { text, forceQuote, isNull } = (writers[i] as WriteField)(row[i]);
        // A value whose text is the null literal is quoted so that it does not read back as NULL.
        const quoteLiteral = !isNull && s.nullLiteral !== undefined && text === s.nullLiteral;
        parts.push(isNull ? text : render(text, forceQuote || quoteLiteral, i === 0, fields[i]?.name ?? ''));
      }
      return encoder.encode(parts.join(s.delimiter));
    };
  },
};
