/**
 * Per-node metrics of one job in Flink's model: busy, backpressured and idle time per second, records
 * in/out (totals and per second), watermark and watermark lag, state entries, operator counters (late
 * records dropped, ...), and the sources' per-split lag (Kafka consumer lag).
 *
 * How the driver's time is attributed (docs/monitoring.md states the same for users). One job runs
 * on one thread and its loop repeats, per source: pull a batch, push it through the graph, flush the
 * sinks, yield to the event loop. The driver calls a hook after each phase with the clock reading:
 *   1. pull (`pulled`): the source's `next()`. With rows, the wall time is the source's busy time
 *      (reading, decoding). Without rows (nothing to read, or a throttled generator) it is idle time.
 *   2. push (`processed`): the batch's wall time is measured once. Watermarks and end of input are
 *      timed exactly per node (runtime/metrics/probe.ts); the rest (rows) is split among the nodes
 *      by their shares of self time over the batch's sampled rows. Each node's share is its busy time.
 *   3. flush (`flushed`, `flushedAll`): each sink's flush is that sink's busy time (it is writing).
 *      Meanwhile the source whose batch it was and every operator downstream of it cannot go on:
 *      that total flush time is their backpressured time.
 *   4. everything else (waiting for input, the event loop running other jobs or requests) is idle:
 *      idle = window - busy - backpressured.
 * Rates are taken over a sliding window: cumulative counters are sampled about once a second and a
 * rate is (now - oldest sample in the window) / elapsed time.
 */

import type { SourceBatch } from '../../connectors/api.ts';
import type { Collector } from '../../operators/api.ts';
import type { InputCollector, OperatorNode } from '../graph.ts';
import type { SinkNode, SourceNode } from '../job.ts';
import { NodeProbe, NodeStats, SelfTimer } from './probe.ts';

export type NodeKind = 'source' | 'operator' | 'sink';

/** The metrics of one node, as SHOW JOB and /metrics show them. */
export interface NodeMetricsSnapshot {
  /** Unique in the job, e.g. `1:Source(bids)`, `3:GroupAggregate`, `Sink(out)`. */
  readonly id: string;
  readonly kind: NodeKind;
  /** Ids of the nodes feeding this one, in input order. */
  readonly inputs: readonly string[];
  readonly busyTimeMsPerSecond: number;
  readonly backPressuredTimeMsPerSecond: number;
  readonly idleTimeMsPerSecond: number;
  readonly numRecordsIn: number;
  readonly numRecordsOut: number;
  readonly numRecordsInPerSecond: number;
  readonly numRecordsOutPerSecond: number;
  /** Event time (epoch ms) of the current watermark: a source's output, an operator's or sink's input (min over inputs). */
  readonly watermark: number | null;
  /** Processing time minus the watermark (ms); null without a finite watermark. */
  readonly watermarkLagMs: number | null;
  /** Entries held in state (operators). */
  readonly stateEntries: number | null;
  /** Bytes of the node's state in the last completed checkpoint; null before one or without state. */
  readonly stateBytes: number | null;
  /** Named counters of the operator, e.g. `numLateRecordsDropped`. */
  readonly counters: Readonly<Record<string, number>>;
  /** Sources: records not yet read per split (Kafka: high watermark minus position), where known. */
  readonly splitLag: Readonly<Record<string, number>> | null;
}

export interface JobMetricsSnapshot {
  /** The span the rates cover (ms): up to the sliding window, less right after the start. */
  readonly windowMs: number;
  readonly nodes: readonly NodeMetricsSnapshot[];
  /** The node marked as the bottleneck (see `bottleneckOf`), or null. */
  readonly bottleneck: string | null;
  /** Sum of the sources' split lags (records behind), or null when no source reports lag. */
  readonly lag: number | null;
}

export interface JobMetricsOptions {
  /** Monotonic clock in ms for time measurement (default `performance.now`). */
  readonly clock?: () => number;
  /** Wall clock in epoch ms for watermark lag (default `Date.now`). */
  readonly now?: () => number;
  /** Sliding window of the rates (ms, default 10 s). */
  readonly windowMs?: number;
  /** Bytes of a node's state (by id) in the last completed checkpoint, or null. */
  readonly stateBytes?: (id: string) => number | null;
}

/** Busy time below this (ms per second) is never marked as a bottleneck: the job keeps up. */
export const BOTTLENECK_MIN_BUSY = 100;

interface Tracked {
  readonly id: string;
  readonly kind: NodeKind;
  readonly stats: NodeStats;
  inputs: string[];
  /** Operators downstream of a source (for backpressure); empty for others. */
  downstream: Tracked[];
  recordsIn(): number;
  recordsOut(): number;
  watermark(): number;
  stateEntries(): number | null;
  counters(): Readonly<Record<string, number>>;
  splitLag(): Readonly<Record<string, number>> | null;
}

interface Sample {
  readonly t: number;
  /** Per node: busy, backpressured, records in, records out. */
  readonly values: Float64Array;
}

const FIELDS = 4;

export class JobMetrics {
  readonly timer: SelfTimer;
  private readonly clock: () => number;
  private readonly now: () => number;
  private readonly windowMs: number;
  private readonly stateBytes: (id: string) => number | null;
  private readonly nodes: Tracked[] = [];
  private readonly bySource = new Map<SourceNode, Tracked>();
  private readonly bySink = new Map<SinkNode, Tracked>();
  private readonly samples: Sample[] = [];
  private readonly sourceRecordsIn = new Map<SourceNode, number>();
  /** The flush in progress, for reads while the driver awaits it. */
  private flushing: { source: Tracked; since: number; sinkSince: number; sink: number } | null = null;
  private readonly sinkList: SinkNode[];

  constructor(
    sources: readonly SourceNode[],
    operators: readonly OperatorNode[],
    sinks: readonly SinkNode[],
    options: JobMetricsOptions = {},
  ) {
    this.clock = options.clock ?? (() => performance.now());
    this.now = options.now ?? Date.now;
    this.windowMs = options.windowMs ?? 10_000;
    this.stateBytes = options.stateBytes ?? (() => null);
    this.timer = new SelfTimer(this.clock);
    this.sinkList = [...sinks];
    const byOperator = new Map<OperatorNode, Tracked>();
    for (const s of sources) {
      const stats = new NodeStats();
      s.probe = new NodeProbe(this.timer, stats);
      this.sourceRecordsIn.set(s, 0);
      const t: Tracked = {
        id: s.spec.id,
        kind: 'source',
        stats,
        inputs: [],
        downstream: [],
        recordsIn: () => this.sourceRecordsIn.get(s) ?? 0,
        recordsOut: () => s.recordsOut,
        watermark: () => s.watermark,
        stateEntries: () => null,
        counters: () => ({}),
        splitLag: () => {
          const lag = s.spec.source.lag?.();
          return lag ? Object.fromEntries(lag) : null;
        },
      };
      this.bySource.set(s, t);
      this.nodes.push(t);
    }
    for (const op of operators) {
      const stats = new NodeStats();
      op.probe = new NodeProbe(this.timer, stats);
      const t: Tracked = {
        id: op.id,
        kind: 'operator',
        stats,
        inputs: [],
        downstream: [],
        recordsIn: () => op.metrics.recordsIn,
        recordsOut: () => op.metrics.recordsOut,
        watermark: () => op.metrics.watermark,
        stateEntries: () => op.operator.stateSize(),
        counters: () => Object.fromEntries(op.metrics.counters),
        splitLag: () => null,
      };
      byOperator.set(op, t);
      this.nodes.push(t);
    }
    const sinkIds = new Map<string, number>();
    for (const s of sinks) {
      const stats = new NodeStats();
      s.probe = new NodeProbe(this.timer, stats);
      // Two INSERTs of a statement set may write the same table: number the repeats.
      const n = (sinkIds.get(s.id) ?? 0) + 1;
      sinkIds.set(s.id, n);
      const t: Tracked = {
        id: n === 1 ? s.id : `${s.id}#${n}`,
        kind: 'sink',
        stats,
        inputs: [],
        downstream: [],
        recordsIn: () => s.recordsIn,
        recordsOut: () => s.recordsIn,
        watermark: () => s.watermarkSeen,
        stateEntries: () => null,
        counters: () => ({}),
        splitLag: () => null,
      };
      this.bySink.set(s, t);
      this.nodes.push(t);
    }
    this.wire(sources, operators, byOperator);
    this.samples.push({ t: this.clock(), values: new Float64Array(this.nodes.length * FIELDS) });
  }

  /** Records the edges (inputs of every node) and which operators sit downstream of each source. */
  private wire(
    sources: readonly SourceNode[],
    operators: readonly OperatorNode[],
    byOperator: Map<OperatorNode, Tracked>,
  ): void {
    const targetsOf = (c: Collector): Tracked | undefined => {
      const sink = this.bySink.get(c as SinkNode);
      if (sink) return sink;
      const input = c as Partial<InputCollector>;
      return input.node ? byOperator.get(input.node) : undefined;
    };
    const connect = (from: Tracked, collectors: readonly Collector[]) => {
      for (const c of collectors) {
        const to = targetsOf(c);
        if (!to) continue;
        const index = (c as Partial<InputCollector>).index ?? to.inputs.length;
        to.inputs[index] = from.id;
      }
    };
    for (const s of sources) connect(this.bySource.get(s) as Tracked, s.output.collectors);
    for (const op of operators) connect(byOperator.get(op) as Tracked, op.output.collectors);
    for (const t of this.nodes) t.inputs = t.inputs.filter((x) => x !== undefined);
    // Downstream operators of each source, by a walk over the edges.
    const consumers = new Map<string, Tracked[]>();
    for (const t of this.nodes) for (const i of t.inputs) consumers.set(i, [...(consumers.get(i) ?? []), t]);
    for (const s of this.bySource.values()) {
      const seen = new Set<Tracked>();
      const stack = [...(consumers.get(s.id) ?? [])];
      while (stack.length > 0) {
        const t = stack.pop() as Tracked;
        if (seen.has(t)) continue;
        seen.add(t);
        stack.push(...(consumers.get(t.id) ?? []));
      }
      s.downstream = [...seen].filter((t) => t.kind === 'operator');
    }
  }

  /** Reads the monotonic clock (the driver passes readings back to the hooks). */
  mark(): number {
    return this.clock();
  }

  /** After `source.next()` resolved: busy if it gave rows, idle otherwise. Returns the clock. */
  pulled(source: SourceNode, t0: number, batch: SourceBatch | null): number {
    const t = this.clock();
    const node = this.bySource.get(source);
    if (node && batch !== null && batch.rows.length > 0) {
      node.stats.busyMs += t - t0;
      this.sourceRecordsIn.set(source, (this.sourceRecordsIn.get(source) ?? 0) + batch.rows.length);
    }
    return t;
  }

  /**
   * After the batch (and any watermark or end of input it caused) went through the graph: splits its
   * wall time among the nodes. Returns the clock.
   */
  processed(source: SourceNode, t0: number): number {
    const t = this.clock();
    const timer = this.timer;
    const rowsMs = Math.max(0, t - t0 - timer.exactTotalMs);
    let sampled = 0;
    for (const n of this.nodes) sampled += n.stats.sampledMs;
    for (const n of this.nodes) {
      const s = n.stats;
      s.busyMs += s.exactMs + (sampled > 0 ? (rowsMs * s.sampledMs) / sampled : 0);
      s.sampledMs = 0;
      s.exactMs = 0;
    }
    const node = this.bySource.get(source);
    // No sampled row (an empty batch): the bookkeeping is the source's own.
    if (sampled === 0 && node) node.stats.busyMs += rowsMs;
    timer.exactTotalMs = 0;
    if (node) this.flushing = { source: node, since: t, sinkSince: t, sink: 0 };
    return t;
  }

  /** After one sink's flush: its busy time. Returns the clock. */
  flushed(sink: SinkNode, t0: number): number {
    const t = this.clock();
    const node = this.bySink.get(sink);
    if (node) node.stats.busyMs += t - t0;
    if (this.flushing) {
      this.flushing.sinkSince = t;
      this.flushing.sink++;
    }
    return t;
  }

  /** After every sink flushed the batch of `source` (since `t0`): backpressure upstream. */
  flushedAll(source: SourceNode, t0: number): void {
    const t = this.clock();
    this.flushing = null;
    const node = this.bySource.get(source);
    if (!node) return;
    const blocked = t - t0;
    node.stats.backPressuredMs += blocked;
    for (const d of node.downstream) d.stats.backPressuredMs += blocked;
    this.sample(t);
  }

  /** Keeps a sample of the cumulative counters about once a second, for the sliding window. */
  private sample(t: number): void {
    const last = this.samples[this.samples.length - 1] as Sample;
    if (t - last.t < 1000) return;
    this.samples.push({ t, values: this.values(t) });
    // Keep one sample at or before the window's start, so rates always span the whole window.
    while (this.samples.length > 2 && (this.samples[1] as Sample).t <= t - this.windowMs)
      this.samples.shift();
  }

  /** Current cumulative values, including a flush still in progress. */
  private values(t: number): Float64Array {
    const v = new Float64Array(this.nodes.length * FIELDS);
    const extraBp = new Map<Tracked, number>();
    let flushingSink: Tracked | undefined;
    let extraBusy = 0;
    const f = this.flushing;
    if (f) {
      const blocked = t - f.since;
      extraBp.set(f.source, blocked);
      for (const d of f.source.downstream) extraBp.set(d, blocked);
      const sink = this.sinkList[f.sink];
      flushingSink = sink ? this.bySink.get(sink) : undefined;
      extraBusy = t - f.sinkSince;
    }
    this.nodes.forEach((n, i) => {
      v[i * FIELDS] = n.stats.busyMs + (n === flushingSink ? extraBusy : 0);
      v[i * FIELDS + 1] = n.stats.backPressuredMs + (extraBp.get(n) ?? 0);
      v[i * FIELDS + 2] = n.recordsIn();
      v[i * FIELDS + 3] = n.recordsOut();
    });
    return v;
  }

  /** The metrics now, rates over the sliding window. */
  snapshot(): JobMetricsSnapshot {
    const t = this.clock();
    const wall = this.now();
    const cur = this.values(t);
    const base =
      this.samples.find((s) => s.t >= t - this.windowMs) ?? (this.samples[this.samples.length - 1] as Sample);
    const older = this.samples.filter((s) => s.t < base.t);
    // Prefer the newest sample at or before the window's start: the rates then span the full window.
    const from = older.length > 0 ? (older[older.length - 1] as Sample) : base;
    const span = Math.max(t - from.t, 1e-6);
    const perSecond = (i: number, field: number) =>
      ((cur[i * FIELDS + field] as number) - (from.values[i * FIELDS + field] as number)) * (1000 / span);
    let lag: number | null = null;
    const nodes = this.nodes.map((n, i): NodeMetricsSnapshot => {
      const busy = clampMs(perSecond(i, 0));
      const bp = clampMs(Math.min(perSecond(i, 1), 1000 - busy));
      const wm = n.watermark();
      const splitLag = n.splitLag();
      if (splitLag) lag = (lag ?? 0) + Object.values(splitLag).reduce((a, b) => a + b, 0);
      return {
        id: n.id,
        kind: n.kind,
        inputs: n.inputs,
        busyTimeMsPerSecond: busy,
        backPressuredTimeMsPerSecond: bp,
        idleTimeMsPerSecond: clampMs(1000 - busy - bp),
        numRecordsIn: cur[i * FIELDS + 2] as number,
        numRecordsOut: cur[i * FIELDS + 3] as number,
        numRecordsInPerSecond: Math.max(0, perSecond(i, 2)),
        numRecordsOutPerSecond: Math.max(0, perSecond(i, 3)),
        watermark: Number.isFinite(wm) ? wm : null,
        watermarkLagMs: Number.isFinite(wm) ? wall - wm : null,
        stateEntries: n.stateEntries(),
        stateBytes: this.stateBytes(n.id),
        counters: n.counters(),
        splitLag,
      };
    });
    return { windowMs: span, nodes, bottleneck: bottleneckOf(nodes), lag };
  }
}

function clampMs(x: number): number {
  return Math.min(1000, Math.max(0, x));
}

/**
 * The bottleneck: the node with the highest busy time per second, if that is at least
 * `BOTTLENECK_MIN_BUSY`; ties go to the most upstream node (the order of `nodes`: sources, operators
 * from the sources down, sinks). All nodes of a process share one thread, so the busiest node is the
 * one whose cost limits throughput most; time spent waiting for a slow sink is backpressure, never
 * busy time, so the nodes a slow sink holds back are not marked, the sink is.
 */
export function bottleneckOf(nodes: readonly NodeMetricsSnapshot[]): string | null {
  let best: NodeMetricsSnapshot | null = null;
  for (const n of nodes) if (best === null || n.busyTimeMsPerSecond > best.busyTimeMsPerSecond) best = n;
  return best !== null && best.busyTimeMsPerSecond >= BOTTLENECK_MIN_BUSY ? best.id : null;
}
