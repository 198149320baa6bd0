/**
 * Limit: LIMIT n [OFFSET m] without ORDER BY on an unbounded input: the output holds the rows at
 * positions [m, m + n) of the input's live rows in arrival order (any n rows satisfy SQL; arrival order
 * is what Flink gives).
 *
 * For an insert-only input (the planner knows) only a counter is kept: the (m+1)-th to (m+n)-th rows are
 * emitted and the rest dropped, so state stays O(1).
 *
 * For a changelog input every live row is kept in arrival order. An accumulation appends the row and
 * emits it if its position falls in the window. A retraction removes the LAST live copy of the row (if a
 * copy lies beyond the window, removing it changes nothing), then repairs the window:
 *   - removed inside the window: -D the row; the row that slid into the window's last slot, if any, +I;
 *   - removed before the window: the row that slid out of the window's first slot -D, and the row that
 *     slid into its last slot +I;
 *   - removed after the window: nothing.
 * The live list is an array, so a retraction costs O(live rows); this operator is for small results.
 */
import { InternalError } from '../../common/errors.ts';
import {
  type Collector,
  isAccumulate,
  type Operator,
  type OperatorContext,
  type Row,
  RowKind,
} from '../api.ts';
import { rowsEqual } from './compare.ts';

export interface LimitOptions {
  readonly limit: number;
  readonly offset?: number;
  /** The input is append-only (+I only): keep a counter instead of the rows. */
  readonly insertOnlyInput?: boolean;
}

interface LimitState {
  seen: number;
  live: Row[];
}

export class Limit implements Operator {
  readonly name = 'Limit';
  private readonly limit: number;
  private readonly offset: number;
  private readonly insertOnly: boolean;
  /** Insert-only mode: rows seen so far. */
  private seen = 0;
  /** Changelog mode: live rows in arrival order. */
  private live: Row[] = [];
  private ctx!: OperatorContext;
  private out!: Collector;

  constructor(options: LimitOptions) {
    this.limit = options.limit;
    this.offset = options.offset ?? 0;
    this.insertOnly = options.insertOnlyInput ?? false;
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    if (this.insertOnly) {
      if (kind !== RowKind.INSERT) {
        throw new InternalError(
          `Limit was planned for an insert-only input but received ${kind === RowKind.DELETE ? '-D' : 'an update'}`,
        );
      }
      const pos = this.seen;
      if (pos < this.offset + this.limit) {
        this.seen++;
        if (pos >= this.offset) this.out.push(RowKind.INSERT, row);
      }
      return;
    }
    const live = this.live;
    const end = this.offset + this.limit;
    if (isAccumulate(kind)) {
      live.push(row);
      const pos = live.length - 1;
      if (pos >= this.offset && pos < end) this.out.push(RowKind.INSERT, row);
      return;
    }
    let j = live.length - 1;
    while (j >= 0 && !rowsEqual(live[j] as Row, row)) j--;
    if (j < 0) {
      this.ctx.count('numRetractionsOfUnknownRow');
      return;
    }
    const removed = live[j] as Row;
    live.splice(j, 1);
    if (j >= end) return;
    if (j >= this.offset) {
      this.out.push(RowKind.DELETE, removed);
    } else if (live.length >= this.offset && this.limit > 0) {
      this.out.push(RowKind.DELETE, live[this.offset - 1] as Row); // slid out of the first slot
    }
    if (live.length >= end && this.limit > 0) this.out.push(RowKind.INSERT, live[end - 1] as Row);
  }

  processWatermark(ts: number, _input: number): void {
    this.out.watermark(ts);
  }

  endInput(_input: number): void {
    this.out.end();
  }

  snapshot(): unknown {
    const s: LimitState = { seen: this.seen, live: this.live };
    return structuredClone(s);
  }

  restore(state: unknown): void {
    const s = state as LimitState;
    this.seen = s.seen;
    this.live = s.live;
  }

  stateSize(): number {
    return this.insertOnly ? 1 : this.live.length;
  }

  close(): void {}
}
