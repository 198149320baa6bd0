/**
 * A time-driven test harness for one operator (in the style of Flink's operator test harnesses):
 * push rows and watermarks, advance a fake processing-time clock, read back output, metrics and
 * state size. Also the in-test aggregate functions and a changelog materialiser.
 */
import {
  type AggregateFunction,
  type Collector,
  type Operator,
  type OperatorContext,
  ROW_KIND_NAMES,
  type Row,
  RowKind,
} from '../../../operators/api.ts';

export interface Change {
  kind: RowKind;
  row: Row;
}

export class RecordingCollector implements Collector {
  readonly changes: Change[] = [];
  readonly watermarks: number[] = [];
  /** For each change, the last watermark emitted before it (-Infinity if none). */
  readonly watermarkBefore: number[] = [];
  ended = false;
  push(kind: RowKind, row: Row): void {
    this.changes.push({ kind, row });
    this.watermarkBefore.push(
      this.watermarks.length === 0 ? Number.NEGATIVE_INFINITY : (this.watermarks.at(-1) as number),
    );
  }
  watermark(ts: number): void {
    this.watermarks.push(ts);
  }
  end(): void {
    this.ended = true;
  }
  rows(): Row[] {
    return this.changes.map((c) => c.row);
  }
  /** Changes as `+I[a, b]` strings, readable in assertion diffs. */
  printed(): string[] {
    return this.changes.map((c) => `${ROW_KIND_NAMES[c.kind]}${JSON.stringify(c.row)}`);
  }
}

export class Harness<O extends Operator = Operator> {
  readonly op: O;
  readonly out = new RecordingCollector();
  readonly metrics = new Map<string, number>();
  clock = 0;

  constructor(op: O) {
    this.op = op;
    const ctx: OperatorContext = {
      jobName: 'test',
      operatorId: `0:${op.name}`,
      now: () => this.clock,
      count: (metric, by = 1) => this.metrics.set(metric, (this.metrics.get(metric) ?? 0) + by),
    };
    op.open(ctx, this.out);
  }
  insert(row: Row, input = 0): this {
    this.op.process(RowKind.INSERT, row, input);
    return this;
  }
  push(kind: RowKind, row: Row, input = 0): this {
    this.op.process(kind, row, input);
    return this;
  }
  watermark(ts: number, input = 0): this {
    this.op.processWatermark(ts, input);
    return this;
  }
  /** Final watermark and end of every input. */
  finish(inputs = 1): this {
    for (let i = 0; i < inputs; i++) this.op.processWatermark(Number.POSITIVE_INFINITY, i);
    for (let i = 0; i < inputs; i++) this.op.endInput(i);
    return this;
  }
  metric(name: string): number {
    return this.metrics.get(name) ?? 0;
  }
}

/** Applies a changelog to a multiset of rows (as JSON strings) and returns the sorted result. */
export function materialize(changes: readonly Change[]): string[] {
  const bag = new Map<string, number>();
  for (const c of changes) {
    const k = JSON.stringify(c.row);
    const d = c.kind === RowKind.INSERT || c.kind === RowKind.UPDATE_AFTER ? 1 : -1;
    const n = (bag.get(k) ?? 0) + d;
    if (n < 0) throw new Error(`retraction of a row not in the result: ${k}`);
    if (n === 0) bag.delete(k);
    else bag.set(k, n);
  }
  const out: string[] = [];
  for (const [k, n] of bag) for (let i = 0; i < n; i++) out.push(k);
  return out.sort();
}

export function sortedJson(rows: readonly Row[]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}

/** COUNT(*) (no arguments) or COUNT(x) (one argument, NULLs skipped); immutable number accumulator. */
export const count: AggregateFunction<number, number> = {
  create: () => 0,
  accumulate: (acc, ...args) => (args.length === 0 || args[0] !== null ? acc + 1 : acc),
  retract: (acc, ...args) => (args.length === 0 || args[0] !== null ? acc - 1 : acc),
  merge: (a, b) => a + b,
  getValue: (acc) => acc,
};

/** SUM over numbers, NULL when no non-null input; tracks the count so it can retract to empty. */
export const sum: AggregateFunction<{ s: number; n: number }, number | null> = {
  create: () => ({ s: 0, n: 0 }),
  accumulate: (acc, v) => {
    if (v !== null) {
      acc.s += v as number;
      acc.n++;
    }
    return acc;
  },
  retract: (acc, v) => {
    if (v !== null) {
      acc.s -= v as number;
      acc.n--;
    }
    return acc;
  },
  merge: (a, b) => ({ s: a.s + b.s, n: a.n + b.n }),
  getValue: (acc) => (acc.n === 0 ? null : acc.s),
};

/** MAX without retract or merge: exercises the paths that must re-read rows. */
export const maxNoMerge: AggregateFunction<number | null, number | null> = {
  create: () => null,
  accumulate: (acc, v) => (v === null ? acc : acc === null || (v as number) > acc ? (v as number) : acc),
  getValue: (acc) => acc,
};

/** MAX with merge but no retract. */
export const max: AggregateFunction<number | null, number | null> = {
  ...maxNoMerge,
  merge: (a, b) => (a === null ? b : b === null ? a : Math.max(a, b)),
};
