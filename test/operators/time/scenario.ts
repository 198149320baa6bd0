/**
 * Drives an operator through an arrival sequence the way a source with bounded out-of-orderness
 * would: after each row, input `i`'s watermark becomes `max ts seen on i - delay - 1`. Optionally
 * snapshots mid-stream, restores into a fresh operator, and carries on, so tests can compare a
 * restored run with an uninterrupted one. The snapshot is written out a few entries at a time while
 * the snapshotted operator goes on to the end of the input (firing and dropping windows), as a
 * checkpoint writes copy-on-write state (operators/state.ts).
 */

import { isDeepStrictEqual } from 'node:util';
import type { Collector, Operator, OperatorContext, Row } from '../../../operators/api.ts';
import { RowKind } from '../../../operators/api.ts';
import { materializeSnapshot } from '../../../operators/state.ts';
import { snapshotWhile } from '../snapshot-while.ts';
import { RecordingCollector } from './harness.ts';

export interface Arrival {
  readonly input: number;
  readonly row: Row;
}

export interface ScenarioResult {
  out: RecordingCollector;
  metrics: Map<string, number>;
  /** stateSize() after the final +Infinity watermarks and end of input. */
  finalState: number;
  /** stateSize() after each arrival. */
  stateTrace: number[];
}

export interface ScenarioOptions {
  readonly inputs: number;
  readonly tsIndex: readonly number[];
  readonly delay: number;
  /** Snapshot after this many arrivals and continue in a fresh operator restored from it. */
  readonly restoreAt?: number;
  /** Entries of the snapshot written out per input step of the snapshotted operator (default 1). */
  readonly snapshotChunk?: number;
  /**
   * Also check that the snapshot written out while the operator went on equals one copied at once
   * (for operators whose snapshot lists state in an order that writing it out does not change; or a
   * function that puts both in one order first, e.g. sorts a map's entries by key).
   */
  readonly checkSnapshot?: boolean | ((snapshot: unknown) => unknown);
  /** Arrivals (by position) that are pushed without moving the watermark (late rows). */
  readonly noWatermark?: ReadonlySet<number>;
  /** Processing time per arrival (defaults to the arrival index). */
  readonly clock?: (i: number) => number;
}

export function runScenario(
  make: () => Operator,
  arrivals: readonly Arrival[],
  o: ScenarioOptions,
): ScenarioResult {
  const out = new RecordingCollector();
  const metrics = new Map<string, number>();
  // While a snapshot is written out, the snapshotted operator's output and metrics go elsewhere.
  let sink: Collector = out;
  let counts = metrics;
  const forward: Collector = {
    push: (kind, row) => sink.push(kind, row),
    watermark: (ts) => sink.watermark(ts),
    end: () => sink.end(),
  };
  let clock = 0;
  const ctx: OperatorContext = {
    jobName: 'test',
    operatorId: '0:test',
    now: () => clock,
    count: (m, by = 1) => counts.set(m, (counts.get(m) ?? 0) + by),
  };
  const arrive = (op: Operator, i: number, maxTs: number[]): void => {
    const a = arrivals[i] as Arrival;
    clock = o.clock ? o.clock(i) : i;
    op.process(RowKind.INSERT, a.row, a.input);
    const ts = a.row[o.tsIndex[a.input] as number] as number;
    if (!o.noWatermark?.has(i) && ts > (maxTs[a.input] as number)) {
      maxTs[a.input] = ts;
      op.processWatermark(ts - o.delay - 1, a.input);
    }
  };
  const finish = (op: Operator): void => {
    for (let i = 0; i < o.inputs; i++) op.processWatermark(Number.POSITIVE_INFINITY, i);
    for (let i = 0; i < o.inputs; i++) op.endInput(i);
  };
  let op = make();
  op.open(ctx, forward);
  const maxTs = new Array<number>(o.inputs).fill(Number.NEGATIVE_INFINITY);
  const stateTrace: number[] = [];
  arrivals.forEach((_, i) => {
    if (o.restoreAt === i) {
      const live = op;
      const liveMaxTs = [...maxTs];
      const steps = arrivals.slice(i).map((_a, j) => () => arrive(live, i + j, liveMaxTs));
      steps.push(() => finish(live));
      const clockAt = clock;
      sink = new RecordingCollector();
      counts = new Map();
      const atOnce = o.checkSnapshot ? structuredClone(materializeSnapshot(live.snapshot())) : undefined;
      // Round-trip through structured clone, as a checkpoint writer would.
      const snap = structuredClone(snapshotWhile(live, steps, o.snapshotChunk ?? 1));
      const normal = typeof o.checkSnapshot === 'function' ? o.checkSnapshot : (x: unknown) => x;
      if (atOnce !== undefined && !isDeepStrictEqual(normal(snap), normal(atOnce))) {
        throw new Error(
          `the snapshot written out differs from one taken at once:\n${JSON.stringify(snap)}\n${JSON.stringify(atOnce)}`,
        );
      }
      sink = out;
      counts = metrics;
      clock = clockAt;
      live.close();
      op = make();
      op.open(ctx, forward);
      op.restore(snap);
    }
    arrive(op, i, maxTs);
    stateTrace.push(op.stateSize());
  });
  finish(op);
  return { out, metrics, finalState: op.stateSize(), stateTrace };
}

/** Reorders rows of one input with disorder bounded by `delay` (see boundedShuffle), as arrivals. */
export function shuffledArrivals(
  rows: readonly Row[],
  tsIndex: number,
  delay: number,
  jitter: readonly number[],
  input = 0,
): Arrival[] {
  const keyed = rows.map((row, i) => ({
    row,
    k: (row[tsIndex] as number) + ((jitter[i % jitter.length] ?? 0) % (delay + 1)),
  }));
  keyed.sort((a, b) => a.k - b.k);
  return keyed.map((x) => ({ input, row: x.row }));
}

/** Interleaves two arrival sequences by a choice list (true: take from `a`). */
export function interleave(
  a: readonly Arrival[],
  b: readonly Arrival[],
  choice: readonly boolean[],
): Arrival[] {
  const out: Arrival[] = [];
  let i = 0;
  let j = 0;
  let c = 0;
  while (i < a.length || j < b.length) {
    const takeA = j >= b.length || (i < a.length && (choice[c++ % Math.max(1, choice.length)] ?? true));
    out.push(takeA ? (a[i++] as Arrival) : (b[j++] as Arrival));
  }
  return out;
}

export interface WithLate {
  arrivals: Arrival[];
  /** Positions of the injected late rows (pass as `noWatermark`). */
  late: Set<number>;
  lateRows: Row[];
}

/**
 * Inserts late rows into an arrival sequence: at each chosen position, a row built by `makeLate` for
 * the combined watermark the operator has seen by then (`max ts - delay - 1` per input, minimum over
 * inputs). `makeLate` must return a row that is late for that watermark; positions where the
 * watermark is still -Infinity get no row (nothing can be late yet).
 */
export function injectLate(
  arrivals: readonly Arrival[],
  o: Pick<ScenarioOptions, 'inputs' | 'tsIndex' | 'delay'>,
  picks: readonly [number, number][],
  makeLate: (input: number, watermark: number, seed: number) => Row,
): WithLate {
  const at = new Map<number, number[]>();
  for (const [pos, seed] of picks) {
    const p = arrivals.length === 0 ? 0 : pos % (arrivals.length + 1);
    at.set(p, [...(at.get(p) ?? []), seed]);
  }
  const maxTs = new Array<number>(o.inputs).fill(Number.NEGATIVE_INFINITY);
  const out: Arrival[] = [];
  const late = new Set<number>();
  const lateRows: Row[] = [];
  for (let i = 0; i <= arrivals.length; i++) {
    const wm = Math.min(...maxTs) - o.delay - 1;
    for (const seed of at.get(i) ?? []) {
      if (!Number.isFinite(wm)) continue;
      const input = seed % o.inputs;
      const row = makeLate(input, wm, seed);
      late.add(out.length);
      lateRows.push(row);
      out.push({ input, row });
    }
    const a = arrivals[i];
    if (a === undefined) break;
    out.push(a);
    const ts = a.row[o.tsIndex[a.input] as number] as number;
    if (ts > (maxTs[a.input] as number)) maxTs[a.input] = ts;
  }
  return { arrivals: out, late, lateRows };
}

/**
 * The `delay` to give `runScenario` for arrivals from `shuffledArrivals(rows, ts, outOfOrder, ...)`:
 * one ms more for sessions. A row at exactly a session's end merges with it (touching sessions merge,
 * as in Flink), but a watermark of `max ts - outOfOrder - 1` may already have fired that session
 * when the row arrives, so the answer would depend on the arrival order of rows with equal times
 * (as Flink's does). The properties are about rows arriving within the watermark delay.
 */
export function watermarkDelay(spec: { readonly kind: string }, outOfOrder: number): number {
  return spec.kind === 'session' ? outOfOrder + 1 : outOfOrder;
}
