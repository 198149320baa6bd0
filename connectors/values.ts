/**
 * An in-memory bounded source of fixed rows: the plan of a `VALUES` query, and the rows of the
 * `values` connector. Rows are emitted in order, in batches, then the source ends.
 */

import type { Row, RowKind } from '../operators/api.ts';
import type { ChangelogMode, ScanSource, SourceBatch } from './api.ts';

export class StaticRowsSource implements ScanSource {
  readonly bounded = true;
  readonly changelogMode: ChangelogMode;
  private readonly rows: readonly Row[];
  private readonly kinds: readonly RowKind[] | null;
  private readonly split: string;
  private offset = 0;

  constructor(rows: readonly Row[], kinds: readonly RowKind[] | null = null, split = 'values') {
    this.rows = rows;
    this.kinds = kinds;
    this.split = split;
    this.changelogMode = kinds?.some((k) => k !== 0) ? 'retract' : 'insert-only';
  }

  async open(): Promise<void> {}

  async next(maxRows: number): Promise<SourceBatch | null> {
    if (this.offset >= this.rows.length) return null;
    const end = Math.min(this.rows.length, this.offset + maxRows);
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
