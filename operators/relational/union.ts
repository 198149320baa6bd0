/**
 * Union (UNION ALL of N inputs): every change of every input passes through unchanged. The output
 * watermark is the minimum of the inputs' watermarks (a row of the slowest input may still be on its
 * way), and the output ends when every input has ended.
 */
import { InternalError } from '../../common/errors.ts';
import type { Collector, Operator, OperatorContext, Row, RowKind } from '../api.ts';
import { InputTracker } from './inputs.ts';

export class Union implements Operator {
  readonly name = 'Union';
  private readonly inputs: InputTracker;
  private out!: Collector;

  /** @param inputs the number of inputs, numbered 0..inputs-1 */
  constructor(inputs: number) {
    if (!Number.isInteger(inputs) || inputs < 1)
      throw new InternalError(`Union needs at least one input, got ${inputs}`);
    this.inputs = new InputTracker(inputs);
  }

  open(_ctx: OperatorContext, out: Collector): void {
    this.out = out;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    this.out.push(kind, row);
  }

  processWatermark(ts: number, input: number): void {
    const wm = this.inputs.watermark(ts, input);
    if (wm !== null) this.out.watermark(wm);
  }

  endInput(input: number): void {
    const all = this.inputs.end(input);
    const wm = this.inputs.advance();
    if (wm !== null) this.out.watermark(wm);
    if (all) this.out.end();
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
