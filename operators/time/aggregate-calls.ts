/**
 * Aggregate calls as the planner hands them to time operators: an AggregateFunction and the input
 * columns of its arguments. `AggregateCalls` compiles a list of them into a fixed-arity accumulate
 * path (no argument arrays on the hot path) over an array of accumulators, one per call.
 */
import { RivuletError } from '../../common/errors.ts';
import type { AggregateFunction, Row, Value } from '../api.ts';

export interface AggregateCall {
  readonly fn: AggregateFunction;
  /** Input column of each argument, in order (empty for COUNT(*)). */
  readonly args: readonly number[];
}

type Step = (acc: unknown, row: Row) => unknown;

function compileStep(
  call: AggregateCall,
  f: ((acc: unknown, ...args: Value[]) => unknown) | undefined,
): Step | null {
  if (!f) return null;
  const fn = call.fn;
  const a = call.args;
  switch (a.length) {
    case 0:
      return (acc) => f.call(fn, acc);
    case 1: {
      const c0 = a[0] as number;
      return (acc, row) => f.call(fn, acc, row[c0]);
    }
    case 2: {
      const c0 = a[0] as number;
      const c1 = a[1] as number;
      return (acc, row) => f.call(fn, acc, row[c0], row[c1]);
    }
    default:
      return (acc, row) => f.call(fn, acc, ...a.map((c) => row[c]));
  }
}

/** A compiled list of aggregate calls operating on `unknown[]` accumulator arrays. */
export class AggregateCalls {
  readonly calls: readonly AggregateCall[];
  readonly length: number;
  private readonly acc: Step[];
  private readonly ret: (Step | null)[];
  /** True when every call can retract (needed for update input and sliding frames). */
  readonly canRetract: boolean;
  /** True when every call can merge accumulators (session windows merge without re-reading rows). */
  readonly canMerge: boolean;

  constructor(calls: readonly AggregateCall[]) {
    this.calls = calls;
    this.length = calls.length;
    this.acc = calls.map((c) => compileStep(c, c.fn.accumulate) as Step);
    this.ret = calls.map((c) => compileStep(c, c.fn.retract));
    this.canRetract = this.ret.every((r) => r !== null);
    this.canMerge = calls.every((c) => typeof c.fn.merge === 'function');
  }

  create(): unknown[] {
    const accs = new Array<unknown>(this.length);
    for (let i = 0; i < this.length; i++) accs[i] = (this.calls[i] as AggregateCall).fn.create();
    return accs;
  }

  accumulate(accs: unknown[], row: Row): void {
    const steps = this.acc;
    for (let i = 0; i < steps.length; i++) accs[i] = (steps[i] as Step)(accs[i], row);
  }

  /** Retracts `row`; throws when a call has no `retract` (the planner should not have chosen this plan). */
  retract(accs: unknown[], row: Row): void {
    if (!this.canRetract) throw retractUnsupported();
    const steps = this.ret as Step[];
    for (let i = 0; i < steps.length; i++) accs[i] = (steps[i] as Step)(accs[i], row);
  }

  /** Merges `other` into `into` (both from `create`). Requires `canMerge`. */
  merge(into: unknown[], other: unknown[]): void {
    for (let i = 0; i < this.length; i++) {
      const fn = (this.calls[i] as AggregateCall).fn;
      into[i] = (fn.merge as (a: unknown, b: unknown) => unknown).call(fn, into[i], other[i]);
    }
  }

  /** Appends the current result of each call to `out`. */
  values(accs: unknown[], out: Value[]): void {
    for (let i = 0; i < this.length; i++) out.push((this.calls[i] as AggregateCall).fn.getValue(accs[i]));
  }
}

export function retractUnsupported(): RivuletError {
  return new RivuletError(
    'runtime',
    'AGGREGATE_RETRACT_UNSUPPORTED',
    'an aggregate function in this query cannot retract, so it cannot consume an update stream here',
  );
}
