/**
 * A small test harness for incremental operators, in the manner of Flink's operator test harnesses:
 * push changes and watermarks into an operator (or a chain of them), collect what it emits, materialise
 * the emitted changelog into the final multiset of rows, snapshot and restore, and check that state is
 * empty once everything was retracted.
 *
 * @example
 * const h = new OperatorHarness(new Calc({ filter: (r) => (r[0] as number) > 1 }));
 * h.insert([2]);
 * h.endAll();
 * expect(h.formatted()).toEqual(['+I[2]']);
 */
import { InternalError } from '../../common/errors.ts';
import {
  type Collector,
  isAccumulate,
  type Operator,
  type OperatorContext,
  ROW_KIND_NAMES,
  type Row,
  RowKind,
  type Value,
} from '../api.ts';
import { compareValues } from '../relational/compare.ts';
import { encodeKey, materializeSnapshot } from '../state.ts';

/** One emitted change. */
export interface Change {
  readonly kind: RowKind;
  readonly row: Row;
}

/** A collector that records everything it is given. */
export class CollectingCollector implements Collector {
  readonly changes: Change[] = [];
  readonly watermarks: number[] = [];
  endCount = 0;

  push(kind: RowKind, row: Row): void {
    this.changes.push({ kind, row });
  }
  watermark(ts: number): void {
    this.watermarks.push(ts);
  }
  end(): void {
    this.endCount++;
  }
}

/** An operator context whose processing time the test sets, and which counts metrics in a Map. */
export class TestContext implements OperatorContext {
  readonly jobName: string;
  readonly operatorId: string;
  time: number;
  readonly metrics = new Map<string, number>();

  constructor(operatorId = 'test', time = 0, jobName = 'test-job') {
    this.operatorId = operatorId;
    this.time = time;
    this.jobName = jobName;
  }
  now(): number {
    return this.time;
  }
  count(metric: string, by = 1): void {
    this.metrics.set(metric, (this.metrics.get(metric) ?? 0) + by);
  }
}

/** Drives one operator (with any number of inputs) and records its output. */
export class OperatorHarness {
  readonly operator: Operator;
  readonly ctx: TestContext;
  readonly out = new CollectingCollector();
  readonly inputs: number;

  constructor(operator: Operator, options: { inputs?: number; time?: number; open?: boolean } = {}) {
    this.operator = operator;
    this.inputs = options.inputs ?? 1;
    this.ctx = new TestContext(operator.name, options.time ?? 0);
    if (options.open !== false) operator.open(this.ctx, this.out);
  }

  /** Every change emitted so far. */
  get output(): readonly Change[] {
    return this.out.changes;
  }
  get watermarks(): readonly number[] {
    return this.out.watermarks;
  }
  get ended(): boolean {
    return this.out.endCount > 0;
  }

  push(kind: RowKind, row: Row, input = 0): this {
    this.operator.process(kind, row, input);
    return this;
  }
  insert(row: Row, input = 0): this {
    return this.push(RowKind.INSERT, row, input);
  }
  delete(row: Row, input = 0): this {
    return this.push(RowKind.DELETE, row, input);
  }
  /** An update: -U of `before` then +U of `after`. */
  update(before: Row, after: Row, input = 0): this {
    this.push(RowKind.UPDATE_BEFORE, before, input);
    return this.push(RowKind.UPDATE_AFTER, after, input);
  }
  /** Changes written as `['+I', row]` pairs, or Change objects. */
  pushAll(changes: readonly (Change | readonly [string, Row])[], input = 0): this {
    for (const c of changes) {
      if ('kind' in c) this.push(c.kind, c.row, input);
      else this.push(parseKind(c[0]), c[1], input);
    }
    return this;
  }
  watermark(ts: number, input = 0): this {
    this.operator.processWatermark(ts, input);
    return this;
  }
  endInput(input = 0): this {
    this.operator.endInput(input);
    return this;
  }
  /** Ends every input the way a bounded source does: a +Infinity watermark, then end of input. */
  endAll(): this {
    for (let i = 0; i < this.inputs; i++) {
      this.operator.processWatermark(Infinity, i);
      this.operator.endInput(i);
    }
    return this;
  }
  /** Sets the processing time the operator sees through `ctx.now()`. */
  setTime(ms: number): this {
    this.ctx.time = ms;
    return this;
  }

  /** Returns the changes emitted since the last call (or since the start) and forgets them. */
  take(): Change[] {
    return this.out.changes.splice(0, this.out.changes.length);
  }
  /** `+I[a, 1]` strings of the changes emitted since the last `take`, consuming them. */
  takeFormatted(): string[] {
    return this.take().map(formatChange);
  }
  /** `+I[a, 1]` strings of every change emitted so far. */
  formatted(): string[] {
    return this.out.changes.map(formatChange);
  }
  /** The final multiset of rows the emitted changelog describes, in canonical (sorted) order. */
  materialized(): Row[] {
    return materialize(this.out.changes);
  }
  stateSize(): number {
    return this.operator.stateSize();
  }
  /** A snapshot, deep-copied the way a checkpoint writer would, so the live operator cannot alter it. */
  snapshot(): unknown {
    return materializeSnapshot(this.operator.snapshot());
  }
  /**
   * Restores a snapshot into a fresh operator and returns a harness driving it; the output recorded so
   * far is carried over so that `materialized()` keeps describing the whole run.
   */
  restoreInto(fresh: Operator, snapshot: unknown): OperatorHarness {
    const h = new OperatorHarness(fresh, { inputs: this.inputs, time: this.ctx.time, open: false });
    fresh.restore(structuredClone(snapshot));
    fresh.open(h.ctx, h.out);
    h.out.changes.push(...this.out.changes);
    return h;
  }
}

/**
 * Several single-input operators connected in a line, as one operator: the output of each feeds
 * input 0 of the next. Used to test a plan fragment such as Calc -> GroupAggregate.
 */
export class Chain implements Operator {
  readonly name: string;
  private readonly ops: readonly Operator[];

  constructor(ops: readonly Operator[]) {
    if (ops.length === 0) throw new InternalError('Chain needs at least one operator');
    this.ops = ops;
    this.name = ops.map((o) => o.name).join(' -> ');
  }
  open(ctx: OperatorContext, out: Collector): void {
    for (let i = this.ops.length - 1; i >= 0; i--) {
      const next = this.ops[i + 1];
      const downstream: Collector = next
        ? {
            push: (kind, row) => next.process(kind, row, 0),
            watermark: (ts) => next.processWatermark(ts, 0),
            end: () => next.endInput(0),
          }
        : out;
      (this.ops[i] as Operator).open(ctx, downstream);
    }
  }
  process(kind: RowKind, row: Row, input: number): void {
    (this.ops[0] as Operator).process(kind, row, input);
  }
  processWatermark(ts: number, input: number): void {
    (this.ops[0] as Operator).processWatermark(ts, input);
  }
  endInput(input: number): void {
    (this.ops[0] as Operator).endInput(input);
  }
  snapshot(): unknown {
    // An object, not an array: checkpoints find copy-on-write state only in plain objects (state.ts).
    return Object.fromEntries(this.ops.map((o, i) => [String(i), o.snapshot()]));
  }
  restore(state: unknown): void {
    const states = state as Record<string, unknown>;
    this.ops.forEach((o, i) => {
      o.restore(states[String(i)]);
    });
  }
  stateSize(): number {
    let n = 0;
    for (const o of this.ops) n += o.stateSize();
    return n;
  }
  close(): void {
    for (const o of this.ops) o.close();
  }
}

/** `+I[a, 1, NULL]`: the way Flink prints a change. */
export function formatChange(change: Change): string {
  return `${ROW_KIND_NAMES[change.kind]}${formatRow(change.row)}`;
}

export function formatRow(row: Row): string {
  return `[${row.map(formatValue).join(', ')}]`;
}

function formatValue(v: Value): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'bigint') return `${v}`;
  if (Array.isArray(v)) return formatRow(v);
  if (v instanceof Uint8Array) return `x'${Buffer.from(v).toString('hex')}'`;
  if (v instanceof Map)
    return `{${[...v.entries()].map(([k, x]) => `${formatValue(k)}=${formatValue(x)}`).join(', ')}}`;
  return String(v);
}

function parseKind(name: string): RowKind {
  const i = (ROW_KIND_NAMES as readonly string[]).indexOf(name);
  if (i < 0) throw new InternalError(`unknown row kind ${name}`);
  return i as RowKind;
}

/**
 * Applies a changelog to an empty multiset and returns the rows left, sorted canonically. A retraction
 * (-U/-D) of a row that is not present means the changelog is wrong, and throws.
 */
export function materialize(changes: Iterable<Change>): Row[] {
  const counts = new Map<string, { row: Row; n: number }>();
  for (const { kind, row } of changes) {
    const k = encodeKey(row);
    const e = counts.get(k);
    if (isAccumulate(kind)) {
      if (e) e.n++;
      else counts.set(k, { row, n: 1 });
    } else {
      if (!e)
        throw new InternalError(
          `changelog retracts a row that is not present: ${formatChange({ kind, row })}`,
        );
      if (--e.n === 0) counts.delete(k);
    }
  }
  const rows: Row[] = [];
  for (const { row, n } of counts.values()) for (let i = 0; i < n; i++) rows.push(row);
  return sortRows(rows);
}

/** Sorts rows canonically (every column ascending, NULL first) so multisets compare with toEqual. */
export function sortRows(rows: Row[]): Row[] {
  return rows.sort((a, b) => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const d = compareValues(a[i], b[i]);
      if (d !== 0) return d;
    }
    return a.length - b.length;
  });
}
