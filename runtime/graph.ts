/**
 * The job graph: operator nodes wired by collectors. Pushing a change into a node runs the operator
 * synchronously and, through its output collector, every operator downstream: one source batch is
 * processed depth-first to the sinks before the driver pulls the next (see runtime/job.ts).
 */
import { RivuletError } from '../common/errors.ts';
import type { Collector, Operator, OperatorContext, Row, RowKind } from '../operators/api.ts';
import { isProcessingTimeAware } from '../operators/time/support.ts';
import { type NodeProbe, timing } from './metrics/probe.ts';
import { noteUdfSkip, UdfRecordSkipped } from './udf-errors.ts';

/** A runtime failure inside an operator: names the job, the operator and the record being processed. */
export class JobFailure extends RivuletError {
  readonly jobName: string;
  readonly operatorId: string;
  readonly position: string | undefined;
  constructor(jobName: string, operatorId: string, cause: unknown, position?: string) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const at = position ? ` while processing the record at ${position}` : '';
    super(
      'runtime',
      'JOB_FAILED',
      `job '${jobName}' failed in operator ${operatorId}${at}: ${reason}`,
      undefined,
      {
        cause,
      },
    );
    this.name = 'JobFailure';
    this.jobName = jobName;
    this.operatorId = operatorId;
    this.position = position;
  }

  /** The same failure, now knowing which source record was being processed. */
  at(position: string): JobFailure {
    return this.position ? this : new JobFailure(this.jobName, this.operatorId, this.cause, position);
  }
}

/** Fans one output out to several downstream inputs. */
export class FanOut implements Collector {
  private readonly targets: Collector[] = [];
  add(target: Collector): void {
    this.targets.push(target);
  }
  /** The downstream inputs (the job's topology, for metrics and SHOW JOB). */
  get collectors(): readonly Collector[] {
    return this.targets;
  }
  push(kind: RowKind, row: Row): void {
    const t = this.targets;
    if (t.length === 1) {
      (t[0] as Collector).push(kind, row);
      return;
    }
    for (let i = 0; i < t.length; i++) (t[i] as Collector).push(kind, row);
  }
  watermark(ts: number): void {
    for (const t of this.targets) t.watermark(ts);
  }
  end(): void {
    for (const t of this.targets) t.end();
  }
}

/** Metrics a node keeps (more arrive with the runtime issue). */
export interface NodeMetrics {
  recordsIn: number;
  recordsOut: number;
  watermark: number;
  counters: Map<string, number>;
}

/** The collector feeding one input of an operator node (it knows its node: the job's topology). */
export interface InputCollector extends Collector {
  readonly node: OperatorNode;
  readonly index: number;
}

/** An operator in the graph, with one output fan-out and a fixed number of inputs. */
export class OperatorNode {
  readonly id: string;
  readonly operator: Operator;
  readonly output = new FanOut();
  readonly metrics: NodeMetrics = { recordsIn: 0, recordsOut: 0, watermark: -Infinity, counters: new Map() };
  /** Times this node's work for busy-time metrics (runtime/metrics); null: not measured. */
  probe: NodeProbe | null = null;
  private readonly inputCount: number;
  private readonly inputWatermarks: number[];
  private ended = 0;
  private outputEnded = false;
  private readonly jobName: string;

  constructor(jobName: string, id: string, operator: Operator, inputCount: number) {
    this.jobName = jobName;
    this.id = id;
    this.operator = operator;
    this.inputCount = inputCount;
    this.inputWatermarks = new Array<number>(inputCount).fill(-Infinity);
  }

  open(now: () => number): void {
    const counters = this.metrics.counters;
    const ctx: OperatorContext = {
      jobName: this.jobName,
      operatorId: this.id,
      now,
      count: (metric, by = 1) => counters.set(metric, (counters.get(metric) ?? 0) + by),
    };
    const metrics = this.metrics;
    const out = this.output;
    const self = this;
    this.operator.open(ctx, {
      push(kind, row) {
        metrics.recordsOut++;
        out.push(kind, row);
      },
      watermark(ts) {
        out.watermark(ts);
      },
      end() {
        self.endOutput();
      },
    });
  }

  private endOutput(): void {
    if (this.outputEnded) return;
    this.outputEnded = true;
    this.output.end();
  }

  /** The collector feeding input `index` of this node. */
  input(index: number): InputCollector {
    const node = this;
    const op = this.operator;
    const metrics = this.metrics;
    const watermarks = this.inputWatermarks;
    let inputEnded = false;
    return {
      node,
      index,
      push(kind, row) {
        metrics.recordsIn++;
        try {
          // The probe is on only for sampled rows and for watermarks (see runtime/metrics/probe.ts).
          if (timing.on && node.probe !== null) node.probe.process(op, kind, row, index);
          else op.process(kind, row, index);
        } catch (e) {
          if (e instanceof UdfRecordSkipped && op.dropsFailedRecords === true) {
            noteUdfSkip(e, node.id);
            return;
          }
          throw node.wrap(e);
        }
      },
      watermark(ts) {
        try {
          if (timing.on) node.probe?.run(() => op.processWatermark(ts, index));
          else op.processWatermark(ts, index);
        } catch (e) {
          throw node.wrap(e);
        }
        // The node's watermark is the minimum over its inputs, as in Flink's currentInputWatermark.
        if (ts > (watermarks[index] ?? -Infinity)) {
          watermarks[index] = ts;
          metrics.watermark = Math.min(...watermarks);
        }
      },
      end() {
        if (inputEnded) return;
        inputEnded = true;
        try {
          if (timing.on) node.probe?.run(() => op.endInput(index));
          else op.endInput(index);
        } catch (e) {
          throw node.wrap(e);
        }
        if (++node.ended === node.inputCount) node.endOutput();
      },
    };
  }

  /**
   * Gives a processing-time-aware operator the clock (early and late firing, processing-time
   * windows, state TTL), so what is due happens even while no input arrives.
   */
  tick(now: number): void {
    const op = this.operator;
    if (!isProcessingTimeAware(op)) return;
    try {
      op.onProcessingTime(now);
    } catch (e) {
      throw this.wrap(e);
    }
  }

  /** End of a source batch (see `Operator.flush`). */
  flush(): void {
    try {
      this.operator.flush?.();
    } catch (e) {
      throw this.wrap(e);
    }
  }

  private wrap(e: unknown): unknown {
    return e instanceof JobFailure ? e : new JobFailure(this.jobName, this.id, e);
  }
}
