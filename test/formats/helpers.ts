/** Small helpers for the format tests: build a decoder/encoder from text options and strings. */
import type { LogicalType, RowField } from '../../catalog/types.ts';
import { T } from '../../catalog/types.ts';
import type { DecodeResult } from '../../connectors/formats/index.ts';
import { formatFor } from '../../connectors/formats/index.ts';
import { type Row, RowKind } from '../../operators/api.ts';

export function table(fields: Record<string, LogicalType>): LogicalType {
  const list: RowField[] = Object.entries(fields).map(([name, type]) => ({ name, type }));
  return T.row(list, false);
}

export interface Codec {
  decode(message: string | Uint8Array | null): DecodeResult;
  encode(row: Row, kind?: RowKind): string | null;
  encodeBytes(row: Row, kind?: RowKind): Uint8Array | null;
}

export function codec(
  format: string,
  rowType: LogicalType,
  options: Record<string, string> = {},
  prefix = '',
): Codec {
  const f = formatFor(format);
  const opts = new Map(Object.entries(options));
  const decoder = f.createDecoder(rowType, opts, prefix);
  const encoder = f.createEncoder(rowType, opts, prefix);
  return {
    decode: (message) => decoder(typeof message === 'string' ? new TextEncoder().encode(message) : message),
    encode: (row, kind = RowKind.INSERT) => {
      const bytes = encoder(kind, row);
      return bytes === null ? null : new TextDecoder().decode(bytes);
    },
    encodeBytes: (row, kind = RowKind.INSERT) => encoder(kind, row),
  };
}

/** Runs `fn` and returns what it threw (failing the test if it did not throw). */
export function thrown(fn: () => unknown): Error & { code?: string; phase?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string; phase?: string };
  }
  throw new Error('expected an error, none was thrown');
}
