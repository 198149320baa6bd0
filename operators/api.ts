/**
 * The contract between the runtime and every incremental operator. Operators see rows and changes,
 * never SQL or the AST (see docs/architecture.md for value representations).
 */

/** A SQL value at run time (see docs/architecture.md for the representation of each type). */
export type Value = unknown;
/** A row: values by column position. Immutable once emitted. */
export type Row = Value[];

/** The kind of a change, as in Flink's RowKind. Small integers so the hot path compares numbers. */
export const RowKind = {
  INSERT: 0,
  UPDATE_BEFORE: 1,
  UPDATE_AFTER: 2,
  DELETE: 3,
} as const;
export type RowKind = (typeof RowKind)[keyof typeof RowKind];

/** The short names Flink prints: `+I`, `-U`, `+U`, `-D`. */
export const ROW_KIND_NAMES = ['+I', '-U', '+U', '-D'] as const;
export type RowKindName = (typeof ROW_KIND_NAMES)[number];

/** True for +I and +U: the change adds a row. */
export function isAccumulate(kind: RowKind): boolean {
  return kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER;
}

/** Where an operator sends its output. */
export interface Collector {
  push(kind: RowKind, row: Row): void;
  /** All rows with event time <= `ts` have been emitted (for outputs with time semantics). */
  watermark(ts: number): void;
  /** No more input will ever come (bounded input ended, after a final +Infinity watermark). */
  end(): void;
}

/** What an operator is told when it starts. */
export interface OperatorContext {
  readonly jobName: string;
  /** Unique within the job, e.g. `3:GroupAggregate`; named in runtime errors and metrics. */
  readonly operatorId: string;
  /** Current processing time in epoch milliseconds (injectable for tests). */
  now(): number;
  /** Counts a named metric for this operator, e.g. `numLateRecordsDropped`. */
  count(metric: string, by?: number): void;
}

/**
 * An incremental operator: consumes changes (from one or more inputs, numbered from 0) and emits
 * changes to `out`. Stateful operators return their state from `snapshot()` as plain data
 * (structured-clone-able), a copy that later processing does not change (checkpoints serialize it
 * after processing resumed), and accept it again in `restore()`.
 */
export interface Operator {
  readonly name: string;
  /**
   * true when `process` evaluates everything for a record before emitting or changing state, so the
   * record can be dropped when a function fails under the UDF error policy `skip`
   * (runtime/udf-errors.ts).
   */
  readonly dropsFailedRecords?: boolean;
  open(ctx: OperatorContext, out: Collector): void;
  process(kind: RowKind, row: Row, input: number): void;
  processWatermark(ts: number, input: number): void;
  /** Input `input` has ended (after its +Infinity watermark). */
  endInput(input: number): void;
  /**
   * Called by the runtime after each source batch has been pushed through the graph (upstream
   * operators first): an operator that buffers output (mini-batch) may emit it now.
   */
  flush?(): void;
  snapshot(): unknown;
  restore(state: unknown): void;
  /** Approximate number of entries held in state (exposed as a metric; must stay flat on long streams). */
  stateSize(): number;
  close(): void;
}

/**
 * A aggregate function as built-ins and user-defined aggregates implement it. The accumulator may be
 * mutated in place; `accumulate`/`retract` return it (so immutable accumulators also work).
 * `retract` is required for use over update streams; `merge` for session windows and two-phase plans.
 */
export interface AggregateFunction<Acc = unknown, Result = unknown> {
  create(): Acc;
  accumulate(acc: Acc, ...args: Value[]): Acc;
  retract?(acc: Acc, ...args: Value[]): Acc;
  merge?(acc: Acc, other: Acc): Acc;
  getValue(acc: Acc): Result;
}
