/**
 * Property: whatever bytes arrive, a decoder either returns changes or throws a RivuletError with code
 * FORMAT_DECODE (never a TypeError or a raw library error), and with the format's
 * ignore-parse-errors option it never throws at all: the bad message comes back as skipped. The bytes
 * are valid messages of random rows, then damaged (bytes flipped, cut, inserted), so they get past the
 * first check and into the converters.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../common/errors.ts';
import { formatFor } from '../../connectors/formats/index.ts';
import { RowKind } from '../../operators/api.ts';
import {
  AVRO_CAPABILITIES,
  type Capabilities,
  CSV_CAPABILITIES,
  JSON_CAPABILITIES,
  typedRows,
} from './arbitraries.ts';

type Edit = { at: number; op: 'flip' | 'cut' | 'insert'; byte: number };

const edits = fc.array(
  fc.record({
    at: fc.nat(),
    op: fc.constantFrom('flip', 'cut', 'insert'),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  { minLength: 1, maxLength: 4 },
) as fc.Arbitrary<Edit[]>;

function damage(bytes: Uint8Array, changes: readonly Edit[]): Uint8Array {
  const out = [...bytes];
  for (const { at, op, byte } of changes) {
    const i = out.length === 0 ? 0 : at % (out.length + (op === 'insert' ? 1 : 0));
    if (op === 'flip' && out.length > 0) out[i] = byte;
    else if (op === 'cut') out.length = Math.min(out.length, i);
    else if (op === 'insert') out.splice(i, 0, byte);
  }
  return new Uint8Array(out);
}

function neverThrowsAnythingElse(
  identifier: string,
  caps: Capabilities,
  ignoreOption: string | undefined,
): void {
  const format = formatFor(identifier);
  fc.assert(
    fc.property(typedRows(caps, 3), edits, ({ type, rows }, changes) => {
      const encode = format.createEncoder(type, new Map(), '');
      const strict = format.createDecoder(type, new Map(), '');
      const message = damage(encode(RowKind.INSERT, rows[0] as unknown[]) ?? new Uint8Array(), changes);
      try {
        const result = strict(message);
        expect(result.kinds.length).toBe(result.rows.length);
      } catch (error) {
        expect(error).toBeInstanceOf(RivuletError);
        expect((error as RivuletError).code).toBe('FORMAT_DECODE');
        expect((error as RivuletError).message).toContain(`'${identifier}'`);
      }
      if (ignoreOption !== undefined) {
        const lenient = format.createDecoder(type, new Map([[ignoreOption, 'true']]), '');
        const result = lenient(message);
        if (result.skipped !== undefined) expect(result.skipped.code).toBe('FORMAT_DECODE');
      }
    }),
    { numRuns: 300 },
  );
}

describe('decoders given damaged messages', () => {
  it('json', () => neverThrowsAnythingElse('json', JSON_CAPABILITIES, 'json.ignore-parse-errors'));
  it('csv', () => neverThrowsAnythingElse('csv', CSV_CAPABILITIES, 'csv.ignore-parse-errors'));
  it('debezium-json', () =>
    neverThrowsAnythingElse('debezium-json', JSON_CAPABILITIES, 'debezium-json.ignore-parse-errors'));
  it('canal-json', () =>
    neverThrowsAnythingElse('canal-json', JSON_CAPABILITIES, 'canal-json.ignore-parse-errors'));
  it('avro (no ignore option in Flink either)', () =>
    neverThrowsAnythingElse('avro', AVRO_CAPABILITIES, undefined));
});
