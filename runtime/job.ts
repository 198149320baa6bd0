/**
 * A job: sources pulled in batches, pushed through the operator graph to the sinks. The driver:
 *   1. opens sinks, operators and sources;
 *   2. round-robin over live sources: pull one batch (at most `batchSize` rows), push each row through
 *      the graph synchronously, then advance the source's watermark (min over its splits, idle splits
 *      excluded), then wait for every sink to acknowledge what it was given (flush);
 *   3. yields to the event loop after each batch, so many jobs share one process fairly;
 *   4. when a bounded source is exhausted it sends a final +Infinity watermark and ends its output;
 *      the job finishes when every source has ended (an unbounded job runs until cancelled).
 * Backpressure falls out of the pull model: a sink that is slow to flush delays the next pull.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { ScanSource, SinkWriter, SourceBatch } from '../connectors/api.ts';
import { type Collector, isAccumulate, type Row, type RowKind } from '../operators/api.ts';
import { FanOut, JobFailure, type OperatorNode } from './graph.ts';
import { drainUdfErrors, type UdfErrorTally } from './udf-errors.ts';

export type JobStatus = 'CREATED' | 'RUNNING' | 'FINISHED' | 'CANCELED' | 'FAILED';

/** How a source's rows get their event time and the watermark. */
export interface WatermarkSpec {
  /** The watermark a row implies (`ts - delay`), or null when the rowtime is NULL. */
  readonly watermarkOf: (row: Row) => number | null;
  /** A split that sends nothing for this long is left out of the watermark (0: never). */
  readonly idleTimeoutMs: number;
}

export interface SourceNodeSpec {
  readonly id: string;
  readonly source: ScanSource;
  /** Computes the table's row from the connector's (computed columns, column order); null drops it. */
  readonly transform?: (row: Row) => Row | null;
  readonly watermark?: WatermarkSpec;
}

/** A source in the graph with its watermark generator. */
export class SourceNode {
  readonly jobName: string;
  readonly spec: SourceNodeSpec;
  readonly output = new FanOut();
  recordsOut = 0;
  watermark = -Infinity;
  ended = false;
  private readonly splitWatermarks = new Map<string, { wm: number; lastSeen: number }>();

  constructor(jobName: string, spec: SourceNodeSpec) {
    this.jobName = jobName;
    this.spec = spec;
  }

  /** Pushes one batch downstream; throws JobFailure naming the record on an operator failure. */
  process(batch: SourceBatch, now: number): void {
    const { transform, watermark } = this.spec;
    const out = this.output;
    const { rows, kinds } = batch;
    let splitWm = -Infinity;
    for (let i = 0; i < rows.length; i++) {
      let row = rows[i] as Row;
      const kind = (kinds ? kinds[i] : 0) as RowKind;
      try {
        if (transform) {
          const t = transform(row);
          if (t === null) continue;
          row = t;
        }
        if (watermark && isAccumulate(kind)) {
          const w = watermark.watermarkOf(row);
          if (w !== null && w > splitWm) splitWm = w;
        }
        this.recordsOut++;
        out.push(kind, row);
      } catch (e) {
        const position = batch.positions?.[i] ?? `${batch.split}#${i}`;
        if (e instanceof JobFailure) throw e.at(position);
        throw new JobFailure(this.jobName, this.spec.id, e, position);
      }
    }
    if (watermark) {
      const state = this.splitWatermarks.get(batch.split);
      if (rows.length > 0) {
        if (!state) this.splitWatermarks.set(batch.split, { wm: splitWm, lastSeen: now });
        else {
          if (splitWm > state.wm) state.wm = splitWm;
          state.lastSeen = now;
        }
      }
      this.advanceWatermark(now);
    }
  }

  /** Emits min over active splits' watermarks when it advances. */
  advanceWatermark(now: number): void {
    const wm = this.spec.watermark;
    if (!wm) return;
    const live = this.spec.source.splits();
    let min = Infinity;
    let active = 0;
    for (const split of live) {
      const s = this.splitWatermarks.get(split);
      if (!s) {
        // A split that has sent nothing yet holds the watermark back, unless the idle timeout says it is idle.
        if (wm.idleTimeoutMs > 0) continue;
        min = -Infinity;
        active++;
        continue;
      }
      if (wm.idleTimeoutMs > 0 && now - s.lastSeen > wm.idleTimeoutMs) continue;
      active++;
      if (s.wm < min) min = s.wm;
    }
    if (active === 0 || min === -Infinity || min <= this.watermark) return;
    this.watermark = min;
    this.output.watermark(min);
  }

  finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.watermark = Infinity;
    this.output.watermark(Infinity);
    this.output.end();
  }
}

/** A sink in the graph: writes changes, and resolves `done` when its input has ended. */
export class SinkNode implements Collector {
  readonly id: string;
  readonly writer: SinkWriter;
  recordsIn = 0;
  watermarkSeen = -Infinity;
  ended = false;

  constructor(id: string, writer: SinkWriter) {
    this.id = id;
    this.writer = writer;
  }
  push(kind: RowKind, row: Row): void {
    this.recordsIn++;
    this.writer.write(kind, row);
  }
  watermark(ts: number): void {
    if (ts > this.watermarkSeen) this.watermarkSeen = ts;
  }
  end(): void {
    this.ended = true;
  }
}

export interface JobOptions {
  readonly name: string;
  readonly batchSize?: number;
  readonly now?: () => number;
}

let nextJobNumber = 1;

export class Job {
  readonly id: string;
  readonly name: string;
  status: JobStatus = 'CREATED';
  /**
   * Records skipped by the sources as their options allow (bad records with ignore-parse-errors),
   * and records dropped because a user-defined function threw under the error policy `skip`.
   */
  skipped = 0;
  /** Calls of user-defined functions that threw and yielded NULL (policy `null`). */
  udfNullResults = 0;
  private udfWarnings = 0;
  error: Error | undefined;
  readonly startedAt: number;
  private readonly sources: SourceNode[];
  private readonly operators: OperatorNode[];
  private readonly sinks: SinkNode[];
  private readonly buffering: OperatorNode[];
  private readonly batchSize: number;
  private readonly now: () => number;
  private cancelled = false;

  constructor(options: JobOptions, sources: SourceNode[], operators: OperatorNode[], sinks: SinkNode[]) {
    this.id = `job-${nextJobNumber++}`;
    this.name = options.name;
    this.batchSize = options.batchSize ?? 1024;
    this.now = options.now ?? Date.now;
    this.sources = sources;
    this.operators = operators;
    this.sinks = sinks;
    this.buffering = operators.filter((o) => o.operator.flush !== undefined);
    this.startedAt = this.now();
  }

  get recordsIn(): number {
    return this.sources.reduce((n, s) => n + s.recordsOut, 0);
  }
  get recordsOut(): number {
    return this.sinks.reduce((n, s) => n + s.recordsIn, 0);
  }
  get operatorNodes(): readonly OperatorNode[] {
    return this.operators;
  }

  /** Runs to completion (bounded) or until `cancel()`; rejects with a JobFailure on failure. */
  async run(): Promise<void> {
    this.status = 'RUNNING';
    const ctx = { jobName: this.name, now: this.now };
    const opened: { close(): Promise<void> }[] = [];
    try {
      for (const sink of this.sinks) {
        await sink.writer.open(ctx);
        opened.push(sink.writer);
      }
      for (const op of this.operators) op.open(this.now);
      for (const s of this.sources) {
        await s.spec.source.open({
          jobName: this.name,
          now: this.now,
          // A record the table's options say to skip (e.g. `json.ignore-parse-errors`): counted,
          // and the first few reported, never dropped silently.
          skipped: (reason, position) => {
            this.skipped++;
            if (this.skipped <= 10) {
              process.emitWarning(
                `job '${this.name}': skipped the record at ${position}: ${reason.message}`,
                'RivuletSkippedRecord',
              );
            }
          },
        });
        opened.push(s.spec.source);
      }
      await this.loop();
      for (const sink of this.sinks) await sink.writer.flush();
      this.status = this.cancelled ? 'CANCELED' : 'FINISHED';
    } catch (e) {
      this.status = 'FAILED';
      const udfErrors = drainUdfErrors();
      if (udfErrors) this.noteUdfErrors(udfErrors);
      this.error = e instanceof JobFailure ? e : new JobFailure(this.name, 'job', e);
      for (const sink of this.sinks) await sink.writer.abort?.().catch(() => {});
      throw this.error;
    } finally {
      for (const o of opened.reverse()) await o.close().catch(() => {});
      for (const op of this.operators) op.operator.close();
    }
  }

  cancel(): void {
    this.cancelled = true;
  }

  /** UDF errors absorbed by the error policy (runtime/udf-errors.ts): counted and warned about. */
  private noteUdfErrors(t: UdfErrorTally): void {
    this.skipped += t.skipped;
    this.udfNullResults += t.nulled;
    for (const n of t.notes) {
      if (++this.udfWarnings > 10) break;
      process.emitWarning(`job '${this.name}': ${n}`, 'RivuletUdfError');
    }
  }

  private async loop(): Promise<void> {
    const live = [...this.sources];
    while (live.length > 0 && !this.cancelled) {
      for (let i = 0; i < live.length && !this.cancelled; i++) {
        const node = live[i] as SourceNode;
        const batch = await node.spec.source.next(this.batchSize);
        if (batch === null) {
          node.finish();
          live.splice(i--, 1);
        } else {
          node.process(batch, this.now());
          if (batch.rows.length === 0) node.advanceWatermark(this.now());
        }
        // Operators that buffer (mini-batch) may emit now; upstream first, as the list is ordered.
        for (const op of this.buffering) op.flush();
        const udfErrors = drainUdfErrors();
        if (udfErrors) this.noteUdfErrors(udfErrors);
        for (const sink of this.sinks) await sink.writer.flush();
        await yieldToEventLoop();
      }
    }
  }
}
