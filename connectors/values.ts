/**
 * An in-memory bounded source of fixed rows: the plan of a `VALUES` query, and the rows of the
 * `values` connector. Rows are emitted in order, in batches, then the source ends.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { T } from '../catalog/types.ts';
import { RivuletError } from '../common/errors.ts';
import { ROW_KIND_NAMES, type Row, type RowKind } from '../operators/api.ts';
import type { ChangelogMode, ConnectorFactory, ScanSource, SourceBatch } from './api.ts';
import { jsonFormat } from './formats/json.ts';

export class StaticRowsSource implements ScanSource {
  readonly bounded = true;
  readonly changelogMode: ChangelogMode;
  private readonly rows: readonly Row[];
  private readonly kinds: readonly RowKind[] | null;
  private readonly split: string;
  private readonly rowsPerBatch: number;
  private offset = 0;

  /** `rowsPerBatch` caps every batch (the source's watermark advances after each batch). */
  constructor(
    rows: readonly Row[],
    kinds: readonly RowKind[] | null = null,
    split = 'values',
    rowsPerBatch = Number.POSITIVE_INFINITY,
  ) {
    this.rows = rows;
    this.kinds = kinds;
    this.split = split;
    this.rowsPerBatch = rowsPerBatch;
    this.changelogMode = kinds?.some((k) => k !== 0) ? 'retract' : 'insert-only';
  }

  async open(): Promise<void> {}

  async next(maxRows: number): Promise<SourceBatch | null> {
    if (this.offset >= this.rows.length) return null;
    const end = Math.min(this.rows.length, this.offset + Math.min(maxRows, this.rowsPerBatch));
    const positions: string[] = [];
    for (let i = this.offset; i < end; i++) positions.push(`${this.split} row ${i + 1}`);
    const batch: SourceBatch = {
      rows: this.rows.slice(this.offset, end),
      kinds: this.kinds ? this.kinds.slice(this.offset, end) : null,
      split: this.split,
      positions,
    };
    this.offset = end;
    return batch;
  }

  splits(): readonly string[] {
    return this.offset < this.rows.length ? [this.split] : [];
  }
  position(): unknown {
    return this.offset;
  }
  async seek(position: unknown): Promise<void> {
    this.offset = Number(position);
  }
  async close(): Promise<void> {}
}

/**
 * `'connector' = 'values'`: a table whose rows are written in its options, for examples and tests.
 * `'data'` is a JSON array of rows, each an array (by column position) or an object (by column
 * name); values are read as the `json` format reads them (timestamps as `'2024-01-01 10:00:00'`,
 * decimals as numbers or strings). A changelog is written with a `"$op"` member on object rows:
 * `{"$op": "-U", "id": 1, ...}` (`+I` by default), which makes the table's changelog mode
 * `retract` — the way to declare a versioned table over inline data.
 */
export const valuesConnector: ConnectorFactory = {
  identifier: 'values',
  options: [
    {
      key: 'data',
      required: true,
      description:
        "a JSON array of rows: arrays by position or objects by column name, optional \"$op\": '+I'|'-U'|'+U'|'-D'",
    },
    {
      key: 'bounded',
      default: 'true',
      description: "'false' keeps the source open after the rows (an unbounded table)",
    },
    {
      key: 'rows-per-batch',
      description:
        'at most this many rows per batch; the watermark advances after each batch, so small batches let rows arrive behind it (late data in tests and examples)',
    },
  ],
  createSource(table) {
    const decode = jsonFormat.createDecoder(
      T.row(table.columns.map((c) => ({ name: c.name, type: c.type }))),
      new Map(),
      '',
    );
    let data: unknown;
    try {
      data = JSON.parse(table.options.get('data') ?? '[]');
    } catch (e) {
      throw new RivuletError(
        'plan',
        'OPTION_INVALID',
        `Option 'data' of table '${table.name}' is not valid JSON: ${(e as Error).message}`,
      );
    }
    if (!Array.isArray(data))
      throw new RivuletError(
        'plan',
        'OPTION_INVALID',
        `Option 'data' of table '${table.name}' must be a JSON array of rows`,
      );
    const rows: Row[] = [];
    const kinds: RowKind[] = [];
    data.forEach((r: unknown, i) => {
      let obj: Record<string, unknown>;
      let op = '+I';
      if (Array.isArray(r)) {
        if (r.length !== table.columns.length) {
          throw new RivuletError(
            'plan',
            'OPTION_INVALID',
            `Row ${i + 1} of table '${table.name}' has ${r.length} values for ${table.columns.length} columns`,
          );
        }
        obj = Object.fromEntries(table.columns.map((c, j) => [c.name, r[j]]));
      } else if (r && typeof r === 'object') {
        const { $op, ...rest } = r as Record<string, unknown>;
        obj = rest;
        if ($op !== undefined) op = String($op);
      } else
        throw new RivuletError(
          'plan',
          'OPTION_INVALID',
          `Row ${i + 1} of table '${table.name}' must be an array or an object`,
        );
      const kind = ROW_KIND_NAMES.indexOf(op as (typeof ROW_KIND_NAMES)[number]);
      if (kind < 0)
        throw new RivuletError(
          'plan',
          'OPTION_INVALID',
          `Row ${i + 1} of table '${table.name}': "$op" must be +I, -U, +U or -D, found '${op}'`,
        );
      let decoded: ReturnType<ReturnType<typeof jsonFormat.createDecoder>>;
      try {
        decoded = decode(Buffer.from(JSON.stringify(obj)));
      } catch (e) {
        throw new RivuletError(
          'plan',
          'OPTION_INVALID',
          `Row ${i + 1} of table '${table.name}': ${(e as Error).message}`,
        );
      }
      for (const row of decoded.rows) {
        rows.push(row);
        kinds.push(kind as RowKind);
      }
    });
    const bounded = (table.options.get('bounded') ?? 'true').toLowerCase() !== 'false';
    const perBatch = table.options.get('rows-per-batch');
    const rowsPerBatch = perBatch === undefined ? Number.POSITIVE_INFINITY : Number(perBatch);
    if (perBatch !== undefined && (!Number.isInteger(rowsPerBatch) || rowsPerBatch < 1)) {
      throw new RivuletError(
        'plan',
        'OPTION_INVALID',
        `Option 'rows-per-batch' of table '${table.name}' must be a positive integer, found '${perBatch}'`,
      );
    }
    const source = new StaticRowsSource(
      rows,
      kinds.some((k) => k !== 0) ? kinds : null,
      table.name,
      rowsPerBatch,
    );
    return bounded ? source : new OpenEndedSource(source);
  },
};

/** Emits the inner source's rows, then stays open (an unbounded table that never changes again). */
class OpenEndedSource implements ScanSource {
  readonly bounded = false;
  readonly changelogMode: ChangelogMode;
  private readonly inner: StaticRowsSource;
  constructor(inner: StaticRowsSource) {
    this.inner = inner;
    this.changelogMode = inner.changelogMode;
  }
  async open(): Promise<void> {}
  async next(maxRows: number): Promise<SourceBatch | null> {
    const b = await this.inner.next(maxRows);
    if (b) return b;
    await sleep(50);
    return { rows: [], kinds: null, split: 'values' };
  }
  splits(): readonly string[] {
    return ['values'];
  }
  position(): unknown {
    return this.inner.position();
  }
  seek(p: unknown): Promise<void> {
    return this.inner.seek(p);
  }
  async close(): Promise<void> {}
}
