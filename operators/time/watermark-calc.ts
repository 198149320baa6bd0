/**
 * WatermarkCalc: a Calc whose expressions may read CURRENT_WATERMARK(...). It records the input's
 * watermark as it passes, before forwarding it, so a row is evaluated against the watermark that
 * preceded it (Flink's semantics: NULL until the first watermark). Rows and watermarks arrive on one
 * input in order, so no state is needed beyond the last watermark; it is not checkpointed (after a
 * restore, as in Flink, the watermark is unknown until the sources emit one again).
 */

import type { Collector, Operator, OperatorContext, Row, RowKind } from '../api.ts';
import { Calc, type CalcOptions } from '../relational/calc.ts';

/** The last watermark an operator saw, as CURRENT_WATERMARK reads it. */
export class WatermarkCell {
  private value = Number.NEGATIVE_INFINITY;

  advance(ts: number): void {
    if (ts > this.value) this.value = ts;
  }

  /** The watermark as a timestamp, or null before the first (and after the final +Infinity one). */
  readonly read = (): number | null => (Number.isFinite(this.value) ? this.value : null);
}

export class WatermarkCalc implements Operator {
  readonly name = 'WatermarkCalc';
  private readonly calc: Calc;
  private readonly cell: WatermarkCell;

  /** `options` are compiled with `watermark: cell.read`. */
  constructor(options: CalcOptions, cell: WatermarkCell) {
    this.calc = new Calc(options);
    this.cell = cell;
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.calc.open(ctx, out);
  }

  process(kind: RowKind, row: Row, input: number): void {
    this.calc.process(kind, row, input);
  }

  processWatermark(ts: number, input: number): void {
    this.cell.advance(ts);
    this.calc.processWatermark(ts, input);
  }

  endInput(input: number): void {
    this.calc.endInput(input);
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
