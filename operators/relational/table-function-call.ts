/**
 * TableFunctionCall: a correlated LATERAL table function or UNNEST (`FROM t, LATERAL TABLE(f(t.x))`,
 * `CROSS JOIN UNNEST(t.arr)`, `LEFT JOIN LATERAL TABLE(...) ON TRUE`).
 *
 * Per input change: call the function on the input row; for each produced row emit `input ++ produced`
 * (++ its 1-based ordinal WITH ORDINALITY) with the input's change kind; rows failing the optional ON
 * condition are skipped. The LEFT variant emits `input ++ NULLs` when nothing was emitted for the row.
 * Keeping the kind is correct because the function is deterministic: a retraction produces exactly the
 * rows its insertion did. The operator is stateless.
 */
import { RivuletError } from '../../common/errors.ts';
import type { Collector, Operator, OperatorContext, Row, RowKind, Value } from '../api.ts';
import { describeRow } from './rows.ts';

export interface TableFunctionCallOptions {
  /** The function applied to each input row (e.g. UNNEST of a column, or a UDTF call compiled by the planner). */
  readonly fn: (row: Row) => Iterable<Row>;
  /** Number of columns each produced row has (for NULL padding). */
  readonly producedArity: number;
  /** LEFT JOIN LATERAL: emit the input row padded with NULLs when the function produces no row. */
  readonly outer?: boolean;
  /** WITH ORDINALITY: append the 1-based position of the produced row as one more column. */
  readonly withOrdinality?: boolean;
  /** An ON condition over the output row (input ++ produced [++ ordinal]); only true keeps it. */
  readonly condition?: (row: Row) => boolean | null;
  /** The function's name, for error messages. */
  readonly functionName?: string;
}

export class TableFunctionCall implements Operator {
  readonly name = 'TableFunctionCall';
  private readonly fn: (row: Row) => Iterable<Row>;
  private readonly producedArity: number;
  private readonly outer: boolean;
  private readonly ordinality: boolean;
  private readonly condition: ((row: Row) => boolean | null) | undefined;
  private readonly functionName: string;
  private ctx!: OperatorContext;
  private out!: Collector;

  constructor(options: TableFunctionCallOptions) {
    this.fn = options.fn;
    this.producedArity = options.producedArity;
    this.outer = options.outer ?? false;
    this.ordinality = options.withOrdinality ?? false;
    this.condition = options.condition;
    this.functionName = options.functionName ?? 'table function';
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    let produced: Iterable<Row>;
    try {
      produced = this.fn(row);
    } catch (e) {
      throw this.failure(e, row);
    }
    const n = row.length;
    const width = this.producedArity + (this.ordinality ? 1 : 0);
    let emitted = 0;
    let ordinal = 0;
    try {
      for (const p of produced) {
        ordinal++;
        const joined = new Array<Value>(n + width);
        for (let i = 0; i < n; i++) joined[i] = row[i];
        for (let i = 0; i < this.producedArity; i++) joined[n + i] = p[i] ?? null;
        if (this.ordinality) joined[n + this.producedArity] = ordinal;
        if (this.condition !== undefined && this.condition(joined) !== true) continue;
        this.out.push(kind, joined);
        emitted++;
      }
    } catch (e) {
      throw this.failure(e, row);
    }
    if (emitted === 0 && this.outer) {
      const padded = new Array<Value>(n + width);
      for (let i = 0; i < n; i++) padded[i] = row[i];
      for (let i = 0; i < width; i++) padded[n + i] = null;
      this.out.push(kind, padded);
    }
  }

  private failure(e: unknown, row: Row): Error {
    if (e instanceof RivuletError) return e;
    const msg = e instanceof Error ? e.message : String(e);
    return new RivuletError(
      'runtime',
      'TABLE_FUNCTION_FAILED',
      `${this.functionName} failed in operator ${this.ctx.operatorId} on row ${describeRow(row)}: ${msg}`,
      undefined,
      { cause: e },
    );
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

/**
 * The function for `UNNEST(col)`: an ARRAY yields one row per element, a MAP one (key, value) row per
 * entry, a MULTISET (a Map of value -> count) one row per copy when `multiset` is set; NULL yields nothing.
 * With `rowElements` (an ARRAY of ROWs), each element's fields become the produced columns, as Flink does
 * (a NULL element then yields a row of NULLs).
 */
export function unnestColumn(
  column: number,
  options: { map?: boolean; multiset?: boolean; rowElements?: boolean } = {},
): (row: Row) => Iterable<Row> {
  if (options.multiset) {
    return function* (row) {
      const v = row[column];
      if (!(v instanceof Map)) return;
      for (const [x, count] of v) for (let i = 0; i < (count as number); i++) yield [x];
    };
  }
  if (options.map) {
    return function* (row) {
      const v = row[column];
      if (!(v instanceof Map)) return;
      for (const [k, x] of v) yield [k, x];
    };
  }
  return function* (row) {
    const v = row[column];
    if (!Array.isArray(v)) return;
    if (options.rowElements) {
      for (const x of v) yield Array.isArray(x) ? x : [];
    } else {
      for (const x of v) yield [x];
    }
  };
}
