/**
 * Calc: filter then project, row by row (Flink's Calc). Stateless, so it keeps the change kind: a
 * retraction of a row that passes the filter becomes a retraction of its projection, and one that
 * fails it was never emitted and is dropped like its insertion was (the predicate is deterministic).
 */
import type { Collector, Operator, OperatorContext, Row, RowKind } from '../api.ts';

export interface CalcOptions {
  /** The WHERE predicate, compiled; NULL (unknown) and false drop the row, as SQL says. */
  readonly filter?: (row: Row) => boolean | null;
  /** The SELECT list, compiled; returns a new row. Omitted: the row passes unchanged. */
  readonly project?: (row: Row) => Row;
}

/**
 * Project and filter.
 *
 * @example
 * new Calc({ filter: (r) => (r[1] as number) > 10, project: (r) => [r[0], (r[1] as number) * 2] });
 */
export class Calc implements Operator {
  readonly name = 'Calc';
  // The filter and the projection run before the single push: a failing function leaves no trace.
  readonly dropsFailedRecords = true;
  private readonly filter: ((row: Row) => boolean | null) | undefined;
  private readonly project: ((row: Row) => Row) | undefined;
  private out!: Collector;

  constructor(options: CalcOptions) {
    this.filter = options.filter;
    this.project = options.project;
  }

  open(_ctx: OperatorContext, out: Collector): void {
    this.out = out;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    if (this.filter !== undefined && this.filter(row) !== true) return;
    this.out.push(kind, this.project === undefined ? row : this.project(row));
  }

  processWatermark(ts: number, _input: number): void {
    this.out.watermark(ts);
  }

  endInput(_input: number): void {
    this.out.end();
  }

  snapshot(): unknown {
    return null;
  }

  restore(_state: unknown): void {}

  stateSize(): number {
    return 0;
  }

  close(): void {}
}
