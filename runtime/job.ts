/**
 * A job: sources pulled in batches, pushed through the operator graph to the sinks. The driver:
 *   1. opens sinks, operators and sources;
 *   2. round-robin over live sources: pull one batch (at most `batchSize` rows), push each row through
 *      the graph synchronously, then advance the source's watermark (min over its splits, idle splits
 *      excluded), then wait for every sink to acknowledge what it was given (flush). With
 *      `execution.buffer-timeout` > 0 the flush waits until that much time passed since the last one,
 *      MAX_UNFLUSHED records were read since, a source had nothing to read, or a checkpoint is due: fewer,
 *      larger sink writes for more throughput, at up to that much added latency. The runtime then
 *      acknowledges the sources' positions itself after each flush (nothing is acknowledged before it
 *      was written);
 *   3. at that boundary the graph is quiescent: a due checkpoint (or a requested savepoint) is taken
 *      there (runtime/checkpoint); recovery restores state and seeks sources before step 1's opens;
 *   4. yields to the event loop after each batch, so many jobs share one process fairly;
 *   5. when a bounded source is exhausted it sends a final +Infinity watermark and ends its output;
 *      the job finishes when every source has ended (an unbounded job runs until cancelled);
 *   6. a failure ends the job, or restarts it from its last checkpoint (runtime/restart.ts).
 * Backpressure falls out of the pull model: a sink that is slow to flush delays the next pull.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import { RivuletError } from '../common/errors.ts';
import { jobLogger } from '../common/log.ts';
import type { ScanSource, SinkWriter, SourceBatch } from '../connectors/api.ts';
import { type Collector, isAccumulate, type Row, type RowKind } from '../operators/api.ts';
import type { CheckpointConfig } from './checkpoint/config.ts';
import { CheckpointCoordinator } from './checkpoint/coordinator.ts';
import { FanOut, JobFailure, type OperatorNode } from './graph.ts';
import { JobMetrics } from './metrics/job-metrics.ts';
import { type NodeProbe, SAMPLE_MASK, timing } from './metrics/probe.ts';
import type { RestartStrategy } from './restart.ts';
import { drainUdfErrors, type UdfErrorTally } from './udf-errors.ts';

export type JobStatus = 'CREATED' | 'RUNNING' | 'RESTARTING' | 'FINISHED' | 'CANCELED' | 'FAILED';

/** A source's watermark state as checkpoints keep it: the emitted watermark and each split's. */
export interface SourceWatermarkState {
  readonly watermark: number;
  readonly splits: readonly (readonly [string, number])[];
}

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
  /** A checkpointed position to seek to before the source opens (set by recovery). */
  pendingSeek: unknown;
  /** Times this node's work for busy-time metrics (runtime/metrics); null: not measured. */
  probe: NodeProbe | null = null;
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
    const probe = this.probe;
    for (let i = 0; i < rows.length; i++) {
      let row = rows[i] as Row;
      const kind = (kinds ? kinds[i] : 0) as RowKind;
      // One row in SAMPLE_EVERY is timed through the whole graph (runtime/metrics/probe.ts).
      const sampled = probe !== null && (i & SAMPLE_MASK) === 0;
      if (sampled) probe.beginRow();
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
      } finally {
        if (sampled) probe?.endRow();
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
    if (this.probe) this.probe.exactly(() => this.output.watermark(min));
    else this.output.watermark(min);
  }

  /** The watermark state for a checkpoint. */
  watermarkState(): SourceWatermarkState {
    return {
      watermark: this.watermark,
      splits: [...this.splitWatermarks].map(([k, v]) => [k, v.wm] as const),
    };
  }

  /** Restores checkpointed watermarks; every split counts as just seen (idleness restarts from now). */
  restoreWatermarkState(state: SourceWatermarkState, now: number): void {
    this.watermark = state.watermark;
    this.splitWatermarks.clear();
    for (const [split, wm] of state.splits) this.splitWatermarks.set(split, { wm, lastSeen: now });
  }

  finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.watermark = Infinity;
    const send = () => {
      this.output.watermark(Infinity);
      this.output.end();
    };
    if (this.probe) this.probe.exactly(send);
    else send();
  }
}

/** A sink in the graph: writes changes, and resolves `done` when its input has ended. */
export class SinkNode implements Collector {
  readonly id: string;
  readonly writer: SinkWriter;
  recordsIn = 0;
  watermarkSeen = -Infinity;
  ended = false;
  /** Times this node's work for busy-time metrics (runtime/metrics); null: not measured. */
  probe: NodeProbe | null = null;

  constructor(id: string, writer: SinkWriter) {
    this.id = id;
    this.writer = writer;
  }
  push(kind: RowKind, row: Row): void {
    this.recordsIn++;
    if (timing.on && this.probe !== null) this.probe.write(this.writer, kind, row);
    else this.writer.write(kind, row);
  }
  watermark(ts: number): void {
    if (ts > this.watermarkSeen) this.watermarkSeen = ts;
  }
  end(): void {
    this.ended = true;
  }
}

/** With a buffer timeout, sinks are flushed at the latest after this many records read (bounded buffers). */
export const MAX_UNFLUSHED = 16_384;

export interface JobOptions {
  readonly name: string;
  readonly batchSize?: number;
  /**
   * `execution.buffer-timeout` (ms): how long output may wait in sink buffers. 0 (default) flushes
   * after every source batch: lowest latency. See the file comment.
   */
  readonly bufferTimeoutMs?: number;
  readonly now?: () => number;
  /** Checkpointing and recovery (runtime/checkpoint); absent: no checkpoints, nothing restored. */
  readonly checkpoint?: CheckpointConfig;
  /** Restarts after a failure (runtime/restart.ts), each with a graph built anew by `rebuild`. */
  readonly restart?: { readonly strategy: RestartStrategy; readonly rebuild: () => JobGraph };
  /** Monotonic clock (ms) for busy/backpressure metrics; default `performance.now` (tests inject one). */
  readonly clock?: () => number;
}

/** The nodes of a job: built by the planner (runtime/build-job.ts), again for each restart. */
export interface JobGraph {
  readonly sources: SourceNode[];
  readonly operators: OperatorNode[];
  readonly sinks: SinkNode[];
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
  /** When the job finished, failed or was cancelled (epoch ms). */
  endedAt: number | undefined;
  /** Busy/backpressure/idle time, rates, watermarks and state per node (runtime/metrics); rebuilt on restart. */
  metrics: JobMetrics;
  /** Lines carry `job` and `jobId` (common/log.ts); operator lines add `operator`. */
  private readonly log: Logger;
  private readonly clock: (() => number) | undefined;
  private sources: SourceNode[];
  private operators: OperatorNode[];
  private sinks: SinkNode[];
  private readonly batchSize: number;
  private readonly bufferTimeoutMs: number;
  /** Records read since the sinks were last flushed, and when that was (buffer timeout). */
  private unflushed = 0;
  private lastFlush = 0;
  private readonly now: () => number;
  private cancelled = false;
  private coordinator: CheckpointCoordinator | null;
  private readonly checkpointConfig: CheckpointConfig | undefined;
  private readonly restart: JobOptions['restart'];
  /** Resolves the wait between a failure and the restart early (cancel()). */
  private wakeUp: (() => void) | null = null;
  /** A stop requested with a savepoint (dir) or a final checkpoint (dir undefined), taken at the next boundary. */
  private savepointRequest: {
    dir: string | undefined;
    resolve: (path: string) => void;
    reject: (e: Error) => void;
  } | null = null;

  constructor(options: JobOptions, sources: SourceNode[], operators: OperatorNode[], sinks: SinkNode[]) {
    this.id = `job-${nextJobNumber++}`;
    this.name = options.name;
    this.batchSize = options.batchSize ?? 1024;
    this.bufferTimeoutMs = options.bufferTimeoutMs ?? 0;
    this.now = options.now ?? Date.now;
    this.sources = sources;
    this.operators = operators;
    this.sinks = sinks;
    this.startedAt = this.now();
    this.checkpointConfig = options.checkpoint;
    this.restart = options.restart;
    this.coordinator = this.newCoordinator();
    this.log = jobLogger(this);
    this.clock = options.clock;
    this.metrics = this.newMetrics();
  }

  private newMetrics(): JobMetrics {
    return new JobMetrics(this.sources, this.operators, this.sinks, {
      now: this.now,
      stateBytes: (id) => this.coordinator?.lastStats?.stateBytes[id] ?? null,
      ...(this.clock ? { clock: this.clock } : {}),
    });
  }

  private newCoordinator(): CheckpointCoordinator | null {
    const { sources, operators, sinks } = this;
    return this.checkpointConfig
      ? new CheckpointCoordinator(
          this.checkpointConfig,
          { jobName: this.name, sources, operators, sinks },
          this.now,
        )
      : null;
  }

  /** The checkpoint coordinator when the job checkpoints or restores (see runtime/checkpoint). */
  get checkpoints(): CheckpointCoordinator | null {
    return this.coordinator;
  }

  /** Restarts after failures so far (restart-strategy). */
  get restarts(): number {
    return this.restart?.strategy.restarts ?? 0;
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

  /**
   * Runs to completion (bounded) or until `cancel()`; rejects with a JobFailure on failure, after the
   * restart strategy (if any) gave up: each restart waits its delay (status RESTARTING), builds the
   * graph anew and restores it from the latest checkpoint.
   */
  async run(): Promise<void> {
    for (;;) {
      this.restart?.strategy.started(this.now());
      try {
        await this.attempt();
        return;
      } catch (e) {
        const delay = this.cancelled ? null : (this.restart?.strategy.nextDelay(this.now()) ?? null);
        if (delay === null || !this.restart) throw e;
        this.status = 'RESTARTING';
        this.log.warn(
          { delayMs: delay, restarts: this.restarts, err: e },
          `job failed and restarts in ${delay} ms (restart ${this.restarts}): ${(e as Error).message}`,
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = null;
        if (this.cancelled) {
          this.status = 'CANCELED';
          return;
        }
        const graph = this.restart.rebuild();
        this.sources = graph.sources;
        this.operators = graph.operators;
        this.sinks = graph.sinks;
        this.coordinator = this.newCoordinator();
        this.metrics = this.newMetrics();
        this.error = undefined;
      }
    }
  }

  private async attempt(): Promise<void> {
    this.status = 'RUNNING';
    const checkpoints = this.checkpoints;
    this.log.info(
      { sources: this.sources.map((s) => s.spec.id), operators: this.operators.map((o) => o.id) },
      'job started',
    );
    const ctx = { jobName: this.name, now: this.now, checkpointing: checkpoints?.enabled ?? false };
    this.lastFlush = this.now();
    this.unflushed = 0;
    const opened: { close(): Promise<void> }[] = [];
    try {
      for (const sink of this.sinks) {
        await sink.writer.open(ctx);
        opened.push(sink.writer);
      }
      // Recovery: operator state and watermarks restored, sources seeked, before anything opens.
      if (checkpoints) await checkpoints.restore();
      for (const op of this.operators) op.open(this.now);
      for (const s of this.sources) {
        if (s.pendingSeek !== undefined) await s.spec.source.seek(s.pendingSeek);
        const sourceLog = this.log.child({ operator: s.spec.id });
        await s.spec.source.open({
          checkpointing: checkpoints?.enabled ?? false,
          acknowledgedByRuntime: (checkpoints?.enabled ?? false) || this.bufferTimeoutMs > 0,
          jobName: this.name,
          now: this.now,
          // A record the table's options say to skip (e.g. `json.ignore-parse-errors`): counted,
          // and the first few reported, never dropped silently.
          skipped: (reason, position) => {
            this.skipped++;
            if (this.skipped <= 10) {
              sourceLog.warn(
                { position, reason: reason.message, skipped: this.skipped },
                `skipped the record at ${position}: ${reason.message}${this.skipped === 10 ? ' (further skipped records are only counted: SHOW JOBS)' : ''}`,
              );
            }
          },
        });
        opened.push(s.spec.source);
      }
      await this.loop();
      for (const sink of this.sinks) await sink.writer.flush();
      if (checkpoints) {
        // Finished: the last epoch is committed; cancelled: what followed the last checkpoint is
        // aborted (replayed from it when the job starts again).
        if (this.cancelled) {
          await checkpoints.drain();
          for (const sink of this.sinks) await sink.writer.abort?.();
        } else await checkpoints.finish();
      }
      this.status = this.cancelled ? 'CANCELED' : 'FINISHED';
      this.log.info(
        { status: this.status, recordsIn: this.recordsIn, recordsOut: this.recordsOut },
        this.cancelled ? 'job cancelled' : 'job finished',
      );
      this.savepointRequest?.reject(
        new RivuletError(
          'runtime',
          'JOB_NOT_RUNNING',
          `job '${this.id}' ended before its savepoint was taken`,
        ),
      );
    } catch (e) {
      this.status = 'FAILED';
      this.savepointRequest?.reject(e as Error);
      // A checkpoint in flight completes (it is consistent) before the sinks abort what followed it.
      await this.checkpoints?.drain().catch(() => {});
      const udfErrors = drainUdfErrors();
      if (udfErrors) this.noteUdfErrors(udfErrors);
      this.error = e instanceof JobFailure ? e : new JobFailure(this.name, 'job', e);
      const f = this.error as JobFailure;
      this.log.error(
        { operator: f.operatorId, ...(f.position ? { position: f.position } : {}), err: f.cause ?? f },
        f.message,
      );
      for (const sink of this.sinks) await sink.writer.abort?.().catch(() => {});
      throw this.error;
    } finally {
      for (const o of opened.reverse()) await o.close().catch(() => {});
      for (const op of this.operators) op.operator.close();
      this.endedAt = this.now();
    }
  }

  cancel(): void {
    this.cancelled = true;
    this.wakeUp?.();
  }

  /**
   * `STOP JOB ... WITH SAVEPOINT`: at the next batch boundary a savepoint is written to `dir`, its
   * sinks commit, and the job stops. Resolves with the savepoint's path.
   */
  stopWithSavepoint(dir: string): Promise<string> {
    return this.stopAfterSnapshot(dir);
  }

  /**
   * Graceful stop (`rivulet run` on SIGTERM/SIGINT): a final checkpoint into the job's checkpoint
   * directory, its sinks commit, then the job stops; started again, it resumes from there.
   */
  stopWithCheckpoint(): Promise<string> {
    return this.stopAfterSnapshot(undefined);
  }

  private stopAfterSnapshot(dir: string | undefined): Promise<string> {
    if (!this.checkpoints?.enabled) {
      return Promise.reject(
        new RivuletError(
          'runtime',
          'SAVEPOINT_UNSUPPORTED',
          `job '${this.name}' does not checkpoint: SET 'execution.checkpointing.interval' before starting it to stop it with a savepoint`,
        ),
      );
    }
    if (this.status !== 'RUNNING' && this.status !== 'CREATED') {
      return Promise.reject(
        new RivuletError('runtime', 'JOB_NOT_RUNNING', `job '${this.id}' is ${this.status}, not running`),
      );
    }
    return new Promise((resolve, reject) => {
      this.savepointRequest = { dir, resolve, reject };
    });
  }

  /** At a batch boundary: a requested savepoint (then stop), or a due checkpoint. */
  private async checkpointAtBoundary(allSourcesLive: boolean): Promise<void> {
    const checkpoints = this.checkpoints;
    if (!checkpoints) return;
    const request = this.savepointRequest;
    if (request && !allSourcesLive) {
      this.savepointRequest = null;
      request.reject(
        new RivuletError(
          'runtime',
          'SAVEPOINT_UNAVAILABLE',
          `job '${this.name}': a bounded source already ended, so no consistent savepoint can be taken; STOP JOB without WITH SAVEPOINT stops it`,
        ),
      );
      return;
    }
    if (!allSourcesLive) return;
    if (request) {
      this.savepointRequest = null;
      const { done } = await checkpoints.trigger(request.dir);
      try {
        request.resolve(await done);
      } catch (e) {
        request.reject(e as Error);
        throw e;
      }
      this.cancelled = true;
      return;
    }
    if (checkpoints.due()) await checkpoints.trigger();
  }

  /** UDF errors absorbed by the error policy (runtime/udf-errors.ts): counted and warned about. */
  private noteUdfErrors(t: UdfErrorTally): void {
    this.skipped += t.skipped;
    this.udfNullResults += t.nulled;
    for (const n of t.notes) {
      if (++this.udfWarnings > 10) break;
      this.log.warn({ udfErrors: this.udfWarnings }, n);
    }
  }

  /** After a batch that read `read` records: flush the sinks now? (always without a buffer timeout) */
  private flushDue(read: number, now: number): boolean {
    if (this.bufferTimeoutMs <= 0) return true;
    this.unflushed += read;
    return (
      read === 0 || // nothing more to read right now: do not let output wait for more
      this.unflushed >= MAX_UNFLUSHED ||
      now - this.lastFlush >= this.bufferTimeoutMs ||
      this.cancelled ||
      this.savepointRequest !== null ||
      (this.checkpoints?.due() ?? false)
    );
  }

  /**
   * With a buffer timeout and no checkpoints, the sources do not acknowledge a batch when the next is
   * pulled (it may not be flushed yet): everything read so far is flushed now, so acknowledge it.
   */
  private afterFlush(live: readonly SourceNode[], now: number): void {
    if (this.bufferTimeoutMs <= 0) return;
    this.unflushed = 0;
    this.lastFlush = now;
    if (this.checkpoints?.enabled) return; // completed checkpoints acknowledge instead
    for (const s of live) {
      const { source } = s.spec;
      source.acknowledge?.(source.position()).catch((e: Error) => {
        this.log.warn({ operator: s.spec.id, err: e }, `could not acknowledge what was read: ${e.message}`);
      });
    }
  }

  private async loop(): Promise<void> {
    const live = [...this.sources];
    while (live.length > 0 && !this.cancelled) {
      for (let i = 0; i < live.length && !this.cancelled; i++) {
        const node = live[i] as SourceNode;
        // Metrics hooks: each phase's clock reading goes to runtime/metrics/job-metrics.ts.
        const m = this.metrics;
        let t = m.mark();
        const batch = await node.spec.source.next(this.batchSize);
        t = m.pulled(node, t, batch);
        if (batch === null) {
          node.finish();
          live.splice(i--, 1);
        } else {
          node.process(batch, this.now());
          if (batch.rows.length === 0) node.advanceWatermark(this.now());
        }
        // Operators that buffer (mini-batch) may emit now; upstream first, as the list is ordered.
        for (const op of this.operators) if (op.operator.flush !== undefined) op.flush();
        const udfErrors = drainUdfErrors();
        if (udfErrors) this.noteUdfErrors(udfErrors);
        // Processing-time timers (early/late firing) fire between batches.
        const now = this.now();
        for (const op of this.operators) op.tick(now);
        const flushStart = m.processed(node, t);
        const read = batch === null ? 0 : batch.rows.length;
        if (this.flushDue(read, now)) {
          t = flushStart;
          for (const sink of this.sinks) {
            await sink.writer.flush();
            t = m.flushed(sink, t);
          }
          m.flushedAll(node, flushStart);
          this.afterFlush(live, now);
          // Checkpoints only while every source is live: after an end of input was sent downstream a
          // restore would send it again.
          await this.checkpointAtBoundary(live.length === this.sources.length);
        }
        await yieldToEventLoop();
      }
    }
  }
}
