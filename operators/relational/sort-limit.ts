/**
 * SortLimit: ORDER BY with optional LIMIT / OFFSET over a bounded input (also LIMIT alone, in arrival
 * order, when no comparator is given). Nothing can be emitted before the input is complete, so:
 *   1. changes are buffered: an accumulation appends the row; a retraction only counts the row as
 *      retracted (an input may be an update stream, e.g. an aggregate's result), which keeps each change O(1);
 *   2. at the end of input (the +Infinity watermark or endInput, whichever comes first) each counted
 *      retraction cancels one equal buffered row, the rest is sorted with the comparator (a stable sort,
 *      so equal keys keep arrival order), OFFSET rows are skipped, and up to LIMIT rows are emitted as +I;
 *   3. finite watermarks are held back (the buffered rows are not emitted yet); +Infinity is forwarded
 *      after the rows.
 * On an unbounded input ORDER BY a non-time column is refused by the planner, as in Flink; LIMIT alone
 * there is the Limit operator.
 */
import {
  type Collector,
  isAccumulate,
  type Operator,
  type OperatorContext,
  type Row,
  RowKind,
} from '../api.ts';
import { encodeKey } from '../state.ts';

export interface SortLimitOptions {
  /** Row order (see compare.ts `buildComparator`); omitted: arrival order. */
  readonly compare?: (a: Row, b: Row) => number;
  /** Maximum number of rows emitted; omitted: all. */
  readonly limit?: number;
  /** Rows skipped first; default 0. */
  readonly offset?: number;
}

interface SortLimitState {
  rows: Row[];
  retracted: [string, number][];
  finished: boolean;
}

export class SortLimit implements Operator {
  readonly name = 'SortLimit';
  private readonly compare: ((a: Row, b: Row) => number) | undefined;
  private readonly limit: number;
  private readonly offset: number;
  private rows: Row[] = [];
  /** Encoded row -> retractions not yet matched against `rows`. */
  private retracted = new Map<string, number>();
  private finished = false;
  private out!: Collector;

  constructor(options: SortLimitOptions = {}) {
    this.compare = options.compare;
    this.limit = options.limit ?? Infinity;
    this.offset = options.offset ?? 0;
  }

  open(_ctx: OperatorContext, out: Collector): void {
    this.out = out;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    if (isAccumulate(kind)) {
      this.rows.push(row);
    } else {
      const k = encodeKey(row);
      this.retracted.set(k, (this.retracted.get(k) ?? 0) + 1);
    }
  }

  processWatermark(ts: number, _input: number): void {
    if (ts !== Infinity) return;
    this.finish();
    this.out.watermark(ts);
  }

  endInput(_input: number): void {
    this.finish();
    this.out.end();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    let rows = this.rows;
    if (this.retracted.size > 0) rows = cancelRetracted(rows, this.retracted);
    if (this.compare !== undefined) rows.sort(this.compare);
    const end = Math.min(rows.length, this.offset + this.limit);
    for (let i = this.offset; i < end; i++) this.out.push(RowKind.INSERT, rows[i] as Row);
    this.rows = [];
    this.retracted.clear();
  }

  snapshot(): unknown {
    const s: SortLimitState = { rows: this.rows, retracted: [...this.retracted], finished: this.finished };
    return structuredClone(s);
  }

  restore(state: unknown): void {
    const s = state as SortLimitState;
    this.rows = s.rows;
    this.retracted = new Map(s.retracted);
    this.finished = s.finished;
  }

  stateSize(): number {
    return this.rows.length + this.retracted.size;
  }

  close(): void {}
}

/** Removes one buffered row per counted retraction (rows retracted but never buffered are ignored). */
function cancelRetracted(rows: Row[], retracted: Map<string, number>): Row[] {
  const kept: Row[] = [];
  for (const row of rows) {
    const k = encodeKey(row);
    const n = retracted.get(k);
    if (n === undefined) {
      kept.push(row);
    } else if (n === 1) {
      retracted.delete(k);
    } else {
      retracted.set(k, n - 1);
    }
  }
  return kept;
}
