/**
 * Self-time measurement for busy-time metrics in a push-based, single-threaded graph.
 *
 * Pushing one row into the graph runs every operator downstream synchronously and depth-first, so
 * the wall time of an operator's `process` call contains the time of everything it calls downstream.
 * A node's *self* time is that wall time minus the wall time of the calls nested in it:
 *   1. `enter()` saves the running "time spent in children" of the caller on a stack, resets it to 0
 *      and reads the clock;
 *   2. `exit(stats, t0)` reads the clock again: self = elapsed - children; the node's counter grows
 *      by self, and the caller's children time grows by elapsed (restored from the stack).
 * Reading a clock twice per node per row would cost more than many operators' own work, so rows are
 * sampled: the source turns the timer on for one row in `SAMPLE_EVERY` (`beginRow`/`endRow`) and the
 * sampled self times only give each node's *share* of a batch; the batch's wall time, measured once per
 * batch, is then split by these shares (runtime/metrics/job-metrics.ts). Watermarks and end-of-input
 * happen once per batch at most and often do the heaviest work (windows fire), so they are timed
 * always and exactly (`exact`).
 */

import type { SinkWriter } from '../../connectors/api.ts';
import type { Operator, Row, RowKind } from '../../operators/api.ts';

/** One row in this many is timed (a power of two: the check is a mask). */
export const SAMPLE_EVERY = 256;
export const SAMPLE_MASK = SAMPLE_EVERY - 1;

/**
 * Whether nodes time their calls right now. One flag for the process: a batch goes through its job's
 * graph synchronously, so no other job runs between turning it on and off; the hot path then reads
 * one property instead of following node -> probe -> timer.
 */
export const timing = { on: false };

/** Cumulative and per-batch time counters of one node (milliseconds). */
export class NodeStats {
  /** Busy time attributed so far (cumulative). */
  busyMs = 0;
  /** Time spent blocked because downstream was not ready (cumulative). */
  backPressuredMs = 0;
  /** Self time of sampled rows in the current batch (scratch, reset per batch). */
  sampledMs = 0;
  /** Exactly timed self time (watermarks, end of input) in the current batch (scratch). */
  exactMs = 0;
}

/** The per-job clock and nesting stack shared by all probes of a job. */
export class SelfTimer {
  /** True while the exactly-timed part (watermarks, end) runs. */
  exact = false;
  /** Sum of exact self times in the current batch (the exact part's wall time). */
  exactTotalMs = 0;
  readonly clock: () => number;
  private children = 0;
  private readonly saved: number[] = [];

  constructor(clock: () => number) {
    this.clock = clock;
  }

  enter(): number {
    this.saved.push(this.children);
    this.children = 0;
    return this.clock();
  }

  exit(stats: NodeStats, t0: number): void {
    const elapsed = this.clock() - t0;
    const self = elapsed - this.children;
    if (this.exact) {
      stats.exactMs += self;
      this.exactTotalMs += self;
    } else stats.sampledMs += self;
    this.children = (this.saved.pop() ?? 0) + elapsed;
  }
}

/** A node's handle on the job's timer. */
export class NodeProbe {
  readonly timer: SelfTimer;
  readonly stats: NodeStats;

  constructor(timer: SelfTimer, stats: NodeStats) {
    this.timer = timer;
    this.stats = stats;
  }

  /** Runs `f` as this node's work, timed (call only when `timing.on`). */
  run(f: () => void): void {
    const t = this.timer;
    const t0 = t.enter();
    try {
      f();
    } finally {
      t.exit(this.stats, t0);
    }
  }

  // The hot paths call these rather than `run` with a closure: a closure over the row in the
  // collector would make V8 allocate its context on every call, timed or not.

  /** `op.process(kind, row, input)`, timed. */
  process(op: Operator, kind: RowKind, row: Row, input: number): void {
    const t = this.timer;
    const t0 = t.enter();
    try {
      op.process(kind, row, input);
    } finally {
      t.exit(this.stats, t0);
    }
  }

  /** `writer.write(kind, row)`, timed. */
  write(writer: SinkWriter, kind: RowKind, row: Row): void {
    const t = this.timer;
    const t0 = t.enter();
    try {
      writer.write(kind, row);
    } finally {
      t.exit(this.stats, t0);
    }
  }

  /** At a source, before a sampled row (`(i & SAMPLE_MASK) === 0`): timing on. */
  beginRow(): void {
    timing.on = true;
    this.rowStart = this.timer.enter();
  }

  /** After a sampled row (also when it was dropped or threw). */
  endRow(): void {
    this.timer.exit(this.stats, this.rowStart);
    timing.on = false;
  }

  /** Runs `f` (a watermark or end of input sent from this source) timed exactly. */
  exactly(f: () => void): void {
    const t = this.timer;
    const wasOn = timing.on;
    timing.on = true;
    t.exact = true;
    try {
      this.run(f);
    } finally {
      t.exact = false;
      timing.on = wasOn;
    }
  }

  private rowStart = 0;
}
