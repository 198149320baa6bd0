/**
 * The ordered rows of one partition as the matcher sees them: rows are appended in their final order
 * (once the watermark has made it final) and addressed by absolute position (0 = the partition's first
 * row ever). Rows no partial match or navigation can reach any more are freed from the front; the
 * array is compacted only when the freed prefix is large, so trimming is amortised O(1) per row.
 */
import { InternalError } from '../../common/errors.ts';
import type { Row } from '../api.ts';

export class RowStore {
  /** rows[i] is the row at absolute position `offset + i`. */
  private rows: Row[] = [];
  private times: number[] = [];
  private offset = 0;
  /** Positions below this are freed (possibly still physically present until compaction). */
  private freed = 0;
  /** True once the partition has no more rows (end of bounded input). */
  ended = false;

  /** Number of rows ever appended (the position the next row gets). */
  get count(): number {
    return this.offset + this.rows.length;
  }

  /** The first position still held. */
  get first(): number {
    return this.freed;
  }

  /** Rows held (for state size). */
  get size(): number {
    return this.count - this.freed;
  }

  push(row: Row, time: number): void {
    this.rows.push(row);
    this.times.push(time);
  }

  get(pos: number): Row {
    if (pos < this.freed || pos >= this.count)
      throw new InternalError(
        `row ${pos} of a partition is not held (held: ${this.freed}..${this.count - 1}); the plan's maxLookback/maxLookahead is too small`,
      );
    return this.rows[pos - this.offset]!;
  }

  rowtime(pos: number): number {
    if (pos < this.freed || pos >= this.count)
      throw new InternalError(
        `row ${pos} of a partition is not held (held: ${this.freed}..${this.count - 1})`,
      );
    return this.times[pos - this.offset]!;
  }

  /** Frees every row before `pos`. */
  trim(pos: number): void {
    if (pos > this.count) pos = this.count;
    if (pos <= this.freed) return;
    this.freed = pos;
    const drop = pos - this.offset;
    if (drop >= 4096 || (drop > 32 && drop * 2 >= this.rows.length)) {
      this.rows.splice(0, drop);
      this.times.splice(0, drop);
      this.offset = pos;
    }
  }

  /** Plain data: held rows from `first`. */
  snapshot(): { first: number; rows: Row[]; times: number[]; ended: boolean } {
    const from = this.freed - this.offset;
    return {
      first: this.freed,
      rows: this.rows.slice(from),
      times: this.times.slice(from),
      ended: this.ended,
    };
  }

  static restore(s: { first: number; rows: Row[]; times: number[]; ended: boolean }): RowStore {
    const store = new RowStore();
    store.rows = [...s.rows];
    store.times = [...s.times];
    store.offset = s.first;
    store.freed = s.first;
    store.ended = s.ended;
    return store;
  }
}
