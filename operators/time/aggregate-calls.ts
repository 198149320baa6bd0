/**
 * Aggregate calls as the planner hands them to time operators, in the same shape as the relational
 * GroupAggregate's (`create`, `args` or `argsOf`, `filter`, `distinct`), so one planner structure
 * serves both. `AggregateCalls` compiles a list of them once per operator into per-call step
 * functions over an array of accumulators (one slot per call):
 *
 * 1. Arguments are read by fixed-arity closures (no argument arrays on the hot path for 0-2 columns).
 * 2. FILTER (WHERE ...) skips rows for which the filter is not true.
 * 3. The per-row loop over calls is generated once as straight-line JavaScript (as Flink generates
 *    code for its aggregations), so each `accumulate` call site sees one function and stays
 *    monomorphic; calls with FILTER, DISTINCT or `argsOf` go through their compiled step closure.
 * 4. DISTINCT wraps the accumulator with a map from argument tuple to (arguments, live count): a tuple
 *    is accumulated when first seen and retracted when its last row is retracted; merging two such
 *    accumulators accumulates the tuples only the other side has seen.
 */
import { RivuletError } from '../../common/errors.ts';
import type { AggregateFunction, Row, Value } from '../api.ts';
import { copyAccumulator, encodeKey, type StateKey } from '../state.ts';

export interface AggregateCall {
  /** Creates the function (called once per operator). */
  readonly create: () => AggregateFunction;
  /** Input column of each argument, in order (empty for COUNT(*)). Give `args` or `argsOf`. */
  readonly args?: readonly number[];
  /** Alternatively a compiled argument extractor. */
  readonly argsOf?: (row: Row) => Value[];
  /** FILTER (WHERE ...): only rows for which it is true are aggregated. */
  readonly filter?: (row: Row) => boolean | null;
  /** DISTINCT: each distinct argument tuple is aggregated once. */
  readonly distinct?: boolean;
  /** Shown in errors, e.g. `SUM`. */
  readonly name?: string;
}

/** The accumulator of a DISTINCT call. */
interface DistinctAcc {
  acc: unknown;
  seen: Map<StateKey, { args: Value[]; n: number }>;
}

type Step = (acc: unknown, row: Row) => unknown;
type ArgStep = (acc: unknown, args: Value[]) => unknown;

function argsReader(call: AggregateCall): (row: Row) => Value[] {
  if (call.argsOf) return call.argsOf;
  const cols = call.args ?? [];
  return (row) => cols.map((c) => row[c]);
}

function compileStep(
  call: AggregateCall,
  fn: AggregateFunction,
  f: ((acc: unknown, ...args: Value[]) => unknown) | undefined,
): Step | null {
  if (!f) return null;
  let step: Step;
  const a = call.args;
  if (call.argsOf || a === undefined || a.length > 2) {
    const read = argsReader(call);
    step = (acc, row) => f.call(fn, acc, ...read(row));
  } else if (a.length === 0) {
    step = (acc) => f.call(fn, acc);
  } else if (a.length === 1) {
    const c0 = a[0] as number;
    step = (acc, row) => f.call(fn, acc, row[c0]);
  } else {
    const c0 = a[0] as number;
    const c1 = a[1] as number;
    step = (acc, row) => f.call(fn, acc, row[c0], row[c1]);
  }
  const filter = call.filter;
  if (!filter) return step;
  return (acc, row) => (filter(row) === true ? step(acc, row) : acc);
}

/** DISTINCT accumulate / retract over a wrapped accumulator. */
function compileDistinct(
  call: AggregateCall,
  fn: AggregateFunction,
): { acc: Step; ret: Step | null; merge: (a: unknown, b: unknown) => unknown } {
  const read = argsReader(call);
  const filter = call.filter;
  const add: ArgStep = (acc, args) => fn.accumulate(acc, ...args);
  const acc: Step = (wrapped, row) => {
    if (filter && filter(row) !== true) return wrapped;
    const d = wrapped as DistinctAcc;
    const args = read(row);
    const k = encodeKey(args);
    const s = d.seen.get(k);
    if (s) s.n++;
    else {
      d.seen.set(k, { args, n: 1 });
      d.acc = add(d.acc, args);
    }
    return d;
  };
  const retract = fn.retract;
  const ret: Step | null = retract
    ? (wrapped, row) => {
        if (filter && filter(row) !== true) return wrapped;
        const d = wrapped as DistinctAcc;
        const args = read(row);
        const k = encodeKey(args);
        const s = d.seen.get(k);
        if (!s) return d;
        if (--s.n === 0) {
          d.seen.delete(k);
          d.acc = retract.call(fn, d.acc, ...args);
        }
        return d;
      }
    : null;
  const merge = (into: unknown, other: unknown) => {
    const a = into as DistinctAcc;
    for (const [k, s] of (other as DistinctAcc).seen) {
      const mine = a.seen.get(k);
      if (mine) mine.n += s.n;
      else {
        a.seen.set(k, { args: s.args, n: s.n });
        a.acc = add(a.acc, s.args);
      }
    }
    return a;
  };
  return { acc, ret, merge };
}

/** A compiled list of aggregate calls operating on `unknown[]` accumulator arrays. */
export class AggregateCalls {
  readonly calls: readonly AggregateCall[];
  readonly fns: readonly AggregateFunction[];
  readonly length: number;
  private readonly acc: Step[];
  private readonly ret: (Step | null)[];
  private readonly mergers: (((a: unknown, b: unknown) => unknown) | null)[];
  /** True when every call can retract (needed for update input and sliding frames). */
  readonly canRetract: boolean;
  /** True when every call can merge accumulators (session windows merge without re-reading rows). */
  readonly canMerge: boolean;
  /** The generated straight-line accumulate over all calls (see step 3 above). */
  private readonly accumulateAll: (accs: unknown[], row: Row) => void;

  constructor(calls: readonly AggregateCall[]) {
    this.calls = calls;
    this.length = calls.length;
    this.fns = calls.map((c) => c.create());
    this.acc = [];
    this.ret = [];
    this.mergers = [];
    calls.forEach((c, i) => {
      const fn = this.fns[i] as AggregateFunction;
      if (c.distinct) {
        const d = compileDistinct(c, fn);
        this.acc.push(d.acc);
        this.ret.push(d.ret);
        this.mergers.push(d.merge);
      } else {
        this.acc.push(compileStep(c, fn, fn.accumulate) as Step);
        this.ret.push(compileStep(c, fn, fn.retract));
        const m = fn.merge;
        this.mergers.push(m ? (a, b) => m.call(fn, a, b) : null);
      }
    });
    this.canRetract = this.ret.every((r) => r !== null);
    this.canMerge = this.mergers.every((m) => m !== null);
    this.accumulateAll = generateAccumulate(calls, this.fns, this.acc);
  }

  create(): unknown[] {
    // Built by push (a packed array, cheaper to read on the hot path than a holey `new Array(n)`).
    const accs: unknown[] = [];
    for (let i = 0; i < this.length; i++) {
      const a = (this.fns[i] as AggregateFunction).create();
      accs.push(
        (this.calls[i] as AggregateCall).distinct ? ({ acc: a, seen: new Map() } satisfies DistinctAcc) : a,
      );
    }
    return accs;
  }

  accumulate(accs: unknown[], row: Row): void {
    this.accumulateAll(accs, row);
  }

  /** Retracts `row`; throws when a call has no `retract` (the planner should not have chosen this plan). */
  retract(accs: unknown[], row: Row): void {
    if (!this.canRetract) throw retractUnsupported(this.calls.filter((_, i) => this.ret[i] === null));
    const steps = this.ret as Step[];
    for (let i = 0; i < steps.length; i++) accs[i] = (steps[i] as Step)(accs[i], row);
  }

  /** Merges `other` into `into` (both from `create`). Requires `canMerge`. */
  merge(into: unknown[], other: unknown[]): void {
    for (let i = 0; i < this.length; i++) {
      into[i] = (this.mergers[i] as (a: unknown, b: unknown) => unknown)(into[i], other[i]);
    }
  }

  /**
   * A copy of accumulators (from `create`) as they are now, for copy-on-write snapshots: a later
   * accumulate / retract on `accs` does not change the copy. A DISTINCT call's tuple counts are copied
   * (their counts change in place), its argument tuples shared (never changed).
   */
  copy(accs: readonly unknown[]): unknown[] {
    const out: unknown[] = [];
    for (let i = 0; i < this.length; i++) {
      const a = accs[i];
      if ((this.calls[i] as AggregateCall).distinct) {
        const d = a as DistinctAcc;
        const seen = new Map<StateKey, { args: Value[]; n: number }>();
        for (const [k, s] of d.seen) seen.set(k, { args: s.args, n: s.n });
        out.push({ acc: copyAccumulator(d.acc), seen } satisfies DistinctAcc);
      } else out.push(copyAccumulator(a));
    }
    return out;
  }

  /** Appends the current result of each call to `out`. */
  values(accs: unknown[], out: Value[]): void {
    for (let i = 0; i < this.length; i++) {
      const fn = this.fns[i] as AggregateFunction;
      const a = accs[i];
      out.push(fn.getValue((this.calls[i] as AggregateCall).distinct ? (a as DistinctAcc).acc : a));
    }
  }
}

/**
 * Builds `(accs, row) => { accs[0] = f0.accumulate(accs[0], row[2]); ... }` for plain calls with at
 * most a few column arguments; other calls delegate to their step closure. Only column indices (checked
 * to be integers) are spliced into the source: no user text reaches the generated code.
 */
function generateAccumulate(
  calls: readonly AggregateCall[],
  fns: readonly AggregateFunction[],
  steps: readonly Step[],
): (accs: unknown[], row: Row) => void {
  const lines: string[] = [];
  calls.forEach((c, i) => {
    const cols = c.args;
    if (cols && !c.distinct && !c.filter && !c.argsOf && cols.every((x) => Number.isInteger(x) && x >= 0)) {
      const args = cols.map((x) => `, row[${x}]`).join('');
      lines.push(`accs[${i}] = f${i}.accumulate(accs[${i}]${args});`);
    } else lines.push(`accs[${i}] = s${i}(accs[${i}], row);`);
  });
  const params = calls.flatMap((_, i) => [`f${i}`, `s${i}`]);
  const values = calls.flatMap((_, i) => [fns[i], steps[i]]);
  const factory = new Function(
    ...params,
    `return function accumulateAll(accs, row) {\n${lines.join('\n')}\n};`,
  );
  return factory(...values) as (accs: unknown[], row: Row) => void;
}

export function retractUnsupported(calls: readonly AggregateCall[] = []): RivuletError {
  const names = calls.map((c) => c.name ?? 'an aggregate function').join(', ');
  return new RivuletError(
    'runtime',
    'AGGREGATE_RETRACT_UNSUPPORTED',
    `${names || 'an aggregate function'} cannot retract, so it cannot consume an update stream here`,
  );
}
