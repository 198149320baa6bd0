/**
 * The formats connectors can use, by the identifier a table names in `'format'`, `'key.format'` or
 * `'value.format'`.
 */
import { RivuletError } from '../../common/errors.ts';
import type { Format } from './api.ts';
import { avroFormat } from './avro.ts';
import { canalJsonFormat } from './canal-json.ts';
import { csvFormat } from './csv.ts';
import { debeziumJsonFormat } from './debezium-json.ts';
import { jsonFormat } from './json.ts';
import { rawFormat } from './raw.ts';

export type { DecodedChanges, DecodeResult, Decoder, Encoder, Format, SkippedMessage } from './api.ts';
export { formatOptionSpecs } from './api.ts';

export const FORMATS: ReadonlyMap<string, Format> = new Map(
  [jsonFormat, csvFormat, rawFormat, avroFormat, debeziumJsonFormat, canalJsonFormat].map((f) => [
    f.identifier,
    f,
  ]),
);

/** The format named `identifier`; FORMAT_UNKNOWN (listing the known ones) otherwise. */
export function formatFor(identifier: string, option = 'format'): Format {
  const format = FORMATS.get(identifier);
  if (format === undefined) {
    throw new RivuletError(
      'plan',
      'FORMAT_UNKNOWN',
      `Unknown format '${identifier}' in option '${option}'. Available formats: ${[...FORMATS.keys()].sort().join(', ')}`,
    );
  }
  return format;
}
