/**
 * Distinct (SELECT DISTINCT) over a changelog.
 *
 * Steps, per change:
 *   1. key the whole row (rows.ts `rowKey`) and look up how many live copies of it the input holds;
 *   2. +I/+U: count + 1, and emit +I when the count went 0 -> 1;
 *   3. -U/-D: count - 1, and emit -D when it went 1 -> 0 (the state entry is dropped then, so state
 *      holds exactly the distinct live rows). A retraction of a row with no live copy is ignored and
 *      counted (`numRetractionsOfUnknownRow`): a correct changelog never does that.
 * A DISTINCT that needs `table.exec.state.ttl` is planned as a GroupAggregate over every column with no
 * aggregate calls, which behaves identically and supports TTL.
 */
import {
  type Collector,
  isAccumulate,
  type Operator,
  type OperatorContext,
  type Row,
  RowKind,
} from '../api.ts';
import { type MapState, StateStore } from '../state.ts';
import { rowKey } from './rows.ts';

export class Distinct implements Operator {
  readonly name = 'Distinct';
  private readonly store = new StateStore();
  private readonly counts: MapState<number> = this.store.map<number>('counts');
  private ctx!: OperatorContext;
  private out!: Collector;

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    const key = rowKey(row);
    const c = this.counts.get(key) ?? 0;
    if (isAccumulate(kind)) {
      this.counts.set(key, c + 1);
      if (c === 0) this.out.push(RowKind.INSERT, row);
      return;
    }
    if (c === 0) {
      this.ctx.count('numRetractionsOfUnknownRow');
      return;
    }
    if (c === 1) {
      this.counts.delete(key);
      this.out.push(RowKind.DELETE, row);
    } else {
      this.counts.set(key, c - 1);
    }
  }

  processWatermark(ts: number, _input: number): void {
    this.out.watermark(ts);
  }

  endInput(_input: number): void {
    this.out.end();
  }

  snapshot(): unknown {
    return structuredClone(this.store.snapshot());
  }

  restore(state: unknown): void {
    this.store.restore(state as ReturnType<StateStore['snapshot']>);
  }

  stateSize(): number {
    return this.counts.size;
  }

  close(): void {}
}
