/**
 * The checkpoint coordinator of one job. The driver (runtime/job.ts) processes one source batch at a
 * time to the sinks and flushes them, so between batches the whole graph is quiescent: a consistent
 * snapshot is every operator's state + every source's position + the watermark state, taken there,
 * without barriers.
 *
 * A checkpoint, in steps:
 *   1. at a batch boundary when the interval has elapsed (and the previous checkpoint is complete),
 *      synchronously: each operator's snapshot() (a copy, or copy-on-write views of its keyed state
 *      that cost O(1) to take: operators/state.ts), each source's position() and watermarks;
 *   2. each sink's prepareCommit(id): what it was given is flushed into the epoch `id` (a Kafka
 *      transaction for exactly-once sinks);
 *   3. asynchronously, while processing goes on: the states are serialized with node:v8 one operator
 *      at a time, copy-on-write state in chunks of CHUNK_ENTRIES entries with the event loop given back
 *      every DRAIN_SLICE_MS, then hashed in chunks, and the file is written atomically (store.ts); once it is
 *      durable each sink's commit(id) runs, each source acknowledges the checkpointed position (Kafka
 *      commits offsets to its group), and checkpoints beyond `state.checkpoints.num-retained` are
 *      deleted. The next checkpoint starts only after this completes.
 * Recovery (restore(), before operators and sources open): the checkpoint is the savepoint given by
 * `execution.savepoint.path`, or the newest valid file in the job's directory whose id is not above
 * what every exactly-once sink reports as committed (a checkpoint whose transaction was not committed
 * before a crash is skipped: its output is gone, so its predecessor is replayed). State is matched to
 * operators by a key stable across compatible plan changes (see stateKeys).
 */
import { rm } from 'node:fs/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { RivuletError } from '../../common/errors.ts';
import { setAtPath, splitDeferred } from '../../operators/state.ts';
import type { OperatorNode } from '../graph.ts';
import type { SinkNode, SourceNode, SourceWatermarkState } from '../job.ts';
import type { CheckpointConfig } from './config.ts';
import {
  CheckpointStore,
  deserializePayload,
  encodeCheckpoint,
  type LoadedCheckpoint,
  loadCheckpointFile,
  serializePayload,
  writeFileAtomic,
} from './store.ts';

/** Entries of copy-on-write state per section (a chunk is serialized at once). */
const CHUNK_ENTRIES = 1024;
/**
 * Chunks are serialized for up to this long before the event loop is given back (to one batch of
 * processing): it bounds the latency a checkpoint adds to a batch, and lets the writer keep ahead of
 * processing, since every key processing changes before the writer reached it must be copied.
 */
const DRAIN_SLICE_MS = 10;
/**
 * When a batch of processing takes longer than the slice (a slow query), the writer's slice grows to
 * this share of the last batch's time, so a checkpoint still gets a third of the thread and ends in
 * bounded time: a checkpoint that lasts longer holds more copies of changed keys, and the next one
 * waits for it.
 */
const DRAIN_SHARE_OF_BATCH = 0.5;

/**
 * What one checkpoint file holds: this object serialized as the file's first section, without the
 * operators' states, which follow in the order of `operators`: per operator one section of its plain
 * state (copy-on-write maps replaced by null), then for each of its `deferred` maps `chunks` sections of
 * [key, value] entries, which restore puts back at `path`.
 */
export interface JobSnapshot {
  readonly version: 1;
  readonly jobName: string;
  readonly checkpointId: number;
  /**
   * Per stateful operator: its state key and its runtime id (for messages). A source's own state
   * (ScanSource.snapshotState) is listed here too, under the source's key + `.state`.
   */
  readonly operators: readonly {
    key: string;
    id: string;
    deferred?: readonly { path: readonly string[]; chunks: number }[];
  }[];
  readonly sources: readonly {
    key: string;
    id: string;
    position: unknown;
    watermark: SourceWatermarkState;
  }[];
}

/** Figures of the last completed checkpoint (for metrics and the benchmark). */
export interface CheckpointStats {
  readonly id: number;
  /** Time the job was stopped for the synchronous part (operators' snapshot copies + sink pre-commit). */
  readonly pauseMs: number;
  /** Time of the asynchronous part (v8 serialization, sha256, write + fsync + rename, sink commit, retention). */
  readonly asyncMs: number;
  readonly bytes: number;
  /** Serialized bytes of each operator's (and stateful source's) state, by runtime id. */
  readonly stateBytes: Readonly<Record<string, number>>;
  readonly path: string;
}

export interface CoordinatorGraph {
  readonly jobName: string;
  readonly sources: readonly SourceNode[];
  readonly operators: readonly OperatorNode[];
  readonly sinks: readonly SinkNode[];
}

/**
 * State keys: an operator's name and its occurrence among operators of that name in build order
 * (`GroupAggregate#1`), a source's table and occurrence (`Source(orders)#1`). Adding or removing
 * stateless operators (filters, projections) does not move them; adding a second operator of a kind
 * before the first one does.
 */
export function stateKeys(ids: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return ids.map((id) => {
    const name = id.replace(/^\d+:/, '');
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return `${name}#${n}`;
  });
}

export class CheckpointCoordinator {
  readonly config: CheckpointConfig;
  readonly store: CheckpointStore;
  private readonly graph: CoordinatorGraph;
  private readonly now: () => number;
  private nextId = 1;
  private lastCompletedAt: number;
  private inFlight: Promise<void> | null = null;
  private failure: Error | null = null;
  /** The checkpoint restored from (kept on disk until a newer one is committed). */
  restoredFrom: LoadedCheckpoint | null = null;
  lastStats: CheckpointStats | null = null;
  /** The figures of the last (up to 100) completed checkpoints, oldest first. */
  readonly history: CheckpointStats[] = [];
  completed = 0;
  /** Test-only: delay between a checkpoint's durable file and its sinks' commit. */
  private readonly commitDelayMs = Number(process.env.RIVULET_TEST_CHECKPOINT_COMMIT_DELAY_MS ?? 0);

  constructor(config: CheckpointConfig, graph: CoordinatorGraph, now: () => number) {
    this.config = config;
    this.graph = graph;
    this.now = now;
    this.store = new CheckpointStore(config.jobDir);
    this.lastCompletedAt = now();
  }

  get enabled(): boolean {
    return this.config.intervalMs > 0;
  }

  /** A checkpoint is due: the interval elapsed since the last one completed, and none is in flight. */
  due(): boolean {
    if (this.failure) throw this.failure;
    return (
      this.enabled && this.inFlight === null && this.now() - this.lastCompletedAt >= this.config.intervalMs
    );
  }

  /**
   * Restores the job's state before its operators and sources open: from `execution.savepoint.path`,
   * else from the job's newest complete checkpoint. Returns the file restored from, or null.
   */
  async restore(): Promise<LoadedCheckpoint | null> {
    let loaded: LoadedCheckpoint | null;
    if (this.config.savepointPath !== null) {
      loaded = await loadCheckpointFile(this.config.savepointPath);
    } else {
      // A checkpoint whose exactly-once transaction was never committed lost its output: replay from before it.
      let maxId = Infinity;
      for (const sink of this.graph.sinks) {
        const committed = await sink.writer.committedCheckpoint?.();
        if (committed !== undefined) maxId = Math.min(maxId, committed ?? 0);
      }
      loaded = await this.store.latest(maxId);
    }
    // New checkpoint ids continue after every id on disk and the restored one, so ids stay monotonic
    // (exactly-once sinks record the committed id) and a file of an abandoned run is never reused.
    const onDisk = await this.store.ids();
    this.nextId = Math.max(onDisk[0] ?? 0, loaded?.manifest.checkpointId ?? 0) + 1;
    if (!loaded) return null;
    this.apply(loaded);
    this.restoredFrom = loaded;
    return loaded;
  }

  private apply(loaded: LoadedCheckpoint): void {
    const snap = deserializePayload<JobSnapshot>(loaded.sections[0]);
    const stateOf = new Map<string, () => unknown>();
    let at = 1;
    for (const o of snap.operators) {
      const first = at;
      const deferred = o.deferred ?? [];
      at += 1 + deferred.reduce((n, d) => n + d.chunks, 0);
      stateOf.set(o.key, () => {
        let state = deserializePayload(loaded.sections[first]);
        let i = first + 1;
        for (const d of deferred) {
          const entries: unknown[] = [];
          for (let c = 0; c < d.chunks; c++)
            for (const e of deserializePayload<unknown[]>(loaded.sections[i++])) entries.push(e);
          state = setAtPath(state, d.path, entries);
        }
        return state;
      });
    }
    const { operators, sources } = this.graph;
    const opKeys = stateKeys(operators.map((o) => o.id));
    const byKey = new Map(snap.operators.map((o) => [o.key, o]));
    const claimed = new Set<string>();
    operators.forEach((node, i) => {
      const key = opKeys[i] as string;
      const saved = byKey.get(key);
      if (!saved) return; // a new operator (or a stateless one) starts empty, as in Flink
      claimed.add(key);
      try {
        node.operator.restore((stateOf.get(key) as () => unknown)());
      } catch (e) {
        throw new RivuletError(
          'runtime',
          'STATE_INCOMPATIBLE',
          `the state saved for operator ${saved.id} in ${loaded.path} does not fit operator ${node.id} of the new plan (${(e as Error).message}); start without it (a new job name) or undo the change`,
          undefined,
          { cause: e },
        );
      }
    });
    const srcKeys = stateKeys(sources.map((s) => s.spec.id));
    const savedSources = new Map(snap.sources.map((s) => [s.key, s]));
    sources.forEach((node, i) => {
      const key = srcKeys[i] as string;
      const saved = savedSources.get(key);
      if (!saved) return;
      claimed.add(key);
      node.restoreWatermarkState(saved.watermark, this.now());
      node.pendingSeek = saved.position;
      const state = stateOf.get(`${key}.state`);
      if (state !== undefined && node.spec.source.restoreState !== undefined) {
        claimed.add(`${key}.state`);
        node.spec.source.restoreState(state());
      }
    });
    const unclaimed = [...snap.operators, ...snap.sources].filter((s) => !claimed.has(s.key));
    if (unclaimed.length > 0 && !this.config.ignoreUnclaimedState) {
      throw new RivuletError(
        'runtime',
        'STATE_UNCLAIMED',
        `${loaded.path} holds state for ${unclaimed.map((u) => `${u.id} (state key ${u.key})`).join(', ')}, which the new plan does not have; SET 'execution.savepoint.ignore-unclaimed-state' = 'true' to drop it`,
      );
    }
  }

  /**
   * Steps 1 and 2 (synchronous snapshot, sink pre-commit), then starts step 3 in the background.
   * `savepointDir` writes a savepoint file there instead of a checkpoint; the returned `done` resolves
   * with the file's path once it is durable and committed.
   */
  async trigger(savepointDir?: string): Promise<{ done: Promise<string> }> {
    if (this.failure) throw this.failure;
    if (this.inFlight) await this.inFlight;
    const started = performance.now();
    const id = this.nextId++;
    const { jobName, operators, sources, sinks } = this.graph;
    const opKeys = stateKeys(operators.map((o) => o.id));
    // The operators' contract (operators/api.ts): snapshot() hands out a copy that later processing
    // does not change, so serializing it can wait until processing has resumed.
    const states: { key: string; id: string; state: unknown }[] = [];
    try {
      operators.forEach((node, i) => {
        const state = node.operator.snapshot();
        if (state !== undefined && state !== null)
          states.push({ key: opKeys[i] as string, id: node.id, state });
      });
    } catch (e) {
      releaseAll(states);
      throw e;
    }
    const srcKeys = stateKeys(sources.map((s) => s.spec.id));
    try {
      sources.forEach((s, i) => {
        const state = s.spec.source.snapshotState?.();
        if (state !== undefined && state !== null)
          states.push({ key: `${srcKeys[i] as string}.state`, id: s.spec.id, state });
      });
    } catch (e) {
      releaseAll(states);
      throw e;
    }
    const snapshot: JobSnapshot = {
      version: 1,
      jobName,
      checkpointId: id,
      operators: states.map(({ key, id: opId }) => ({ key, id: opId })),
      sources: sources.map((s, i) => ({
        key: srcKeys[i] as string,
        id: s.spec.id,
        position: s.spec.source.position(),
        watermark: s.watermarkState(),
      })),
    };
    try {
      for (const sink of sinks) await sink.writer.prepareCommit?.(id);
    } catch (e) {
      releaseAll(states);
      throw e;
    }
    const pauseMs = performance.now() - started;
    const done = this.complete(id, snapshot, states, pauseMs, savepointDir);
    done.catch(() => {}); // a failure is kept in `failure` and fails the job at the next boundary
    const tracked = done.then(
      () => {},
      (e: Error) => {
        this.failure = e;
      },
    );
    this.inFlight = tracked;
    void tracked.finally(() => {
      if (this.inFlight === tracked) this.inFlight = null;
    });
    return { done };
  }

  /**
   * Serializes the sections, one operator at a time and copy-on-write state a chunk at a time, with
   * the event loop free in between. Releases every copy-on-write view, also on failure.
   */
  private async serialize(
    snapshot: JobSnapshot,
    states: readonly { id: string; state: unknown }[],
  ): Promise<{ sections: Buffer[]; stateBytes: Record<string, number> }> {
    try {
      const sections: Buffer[] = [];
      const operators: JobSnapshot['operators'][number][] = [];
      const stateBytes: Record<string, number> = {};
      for (const [i, { id, state }] of states.entries()) {
        await yieldToEventLoop();
        const from = sections.length;
        const { plain, deferred } = splitDeferred(state);
        sections.push(serializeState(snapshot.jobName, id, plain));
        const chunks: { path: readonly string[]; chunks: number }[] = [];
        for (const d of deferred) {
          let n = 0;
          let slice = performance.now();
          let sliceMs = DRAIN_SLICE_MS;
          for (let c = d.entries.next(CHUNK_ENTRIES); c !== null; c = d.entries.next(CHUNK_ENTRIES)) {
            // Serialized before yielding: the chunk holds live values that processing may change next.
            sections.push(serializeState(snapshot.jobName, id, c));
            n++;
            const now = performance.now();
            if (now - slice >= sliceMs) {
              await yieldToEventLoop();
              slice = performance.now();
              sliceMs = Math.max(DRAIN_SLICE_MS, (slice - now) * DRAIN_SHARE_OF_BATCH);
            }
          }
          d.entries.release();
          chunks.push({ path: d.path, chunks: n });
        }
        const op = snapshot.operators[i] as JobSnapshot['operators'][number];
        operators.push(chunks.length === 0 ? op : { ...op, deferred: chunks });
        stateBytes[id] = (stateBytes[id] ?? 0) + sections.slice(from).reduce((n, b) => n + b.length, 0);
      }
      return { sections: [serializePayload({ ...snapshot, operators }), ...sections], stateBytes };
    } finally {
      releaseAll(states);
    }
  }

  private async complete(
    id: number,
    snapshot: JobSnapshot,
    states: readonly { id: string; state: unknown }[],
    pauseMs: number,
    savepointDir: string | undefined,
  ): Promise<string> {
    const started = performance.now();
    const { sections, stateBytes } = await this.serialize(snapshot, states);
    let path: string;
    if (savepointDir !== undefined) {
      const name = `savepoint-${snapshot.jobName.replace(/[^A-Za-z0-9._-]/g, '_')}-${id}-${Date.now()}.rvck`;
      const buffers = await encodeCheckpoint(
        {
          jobName: snapshot.jobName,
          checkpointId: id,
          kind: 'savepoint',
          createdAt: new Date().toISOString(),
        },
        sections,
      );
      path = await writeFileAtomic(savepointDir, name, buffers);
    } else {
      path = await this.store.write(snapshot.jobName, id, sections);
    }
    if (this.commitDelayMs > 0) await new Promise((r) => setTimeout(r, this.commitDelayMs));
    for (const sink of this.graph.sinks) await sink.writer.commit?.(id);
    this.graph.sources.forEach((s, i) => {
      const saved = snapshot.sources[i];
      // Acknowledging (e.g. committing offsets to a Kafka group) is informational once positions are
      // checkpointed: the checkpoint is what a restore reads, so a failure here is a warning.
      if (saved)
        void s.spec.source.acknowledge?.(saved.position).catch((e: Error) => {
          process.emitWarning(
            `job '${this.graph.jobName}': source ${s.spec.id} could not acknowledge checkpoint ${id}: ${e.message}`,
            'RivuletCheckpoint',
          );
        });
    });
    // The file restored from stays until a newer checkpoint is committed; then retention applies.
    if (savepointDir === undefined) await this.store.prune(this.config.retained);
    this.completed++;
    this.lastCompletedAt = this.now();
    const bytes = sections.reduce((n, b) => n + b.length, 0);
    this.lastStats = { id, pauseMs, asyncMs: performance.now() - started, bytes, stateBytes, path };
    this.history.push(this.lastStats);
    if (this.history.length > 100) this.history.shift();
    return path;
  }

  /** Waits for the checkpoint in flight, if any (rethrows its failure). */
  async drain(): Promise<void> {
    if (this.inFlight) await this.inFlight;
    if (this.failure) throw this.failure;
  }

  /**
   * The job's input ended and everything was processed: sinks commit their last epoch and the job's
   * checkpoints are deleted (a finished job starts afresh when run again, as Flink discards the
   * checkpoints of a finished job).
   */
  async finish(): Promise<void> {
    await this.drain();
    const id = this.nextId++;
    for (const sink of this.graph.sinks) await sink.writer.prepareCommit?.(id);
    for (const sink of this.graph.sinks) await sink.writer.commit?.(id);
    if (this.enabled) await rm(this.config.jobDir, { recursive: true, force: true });
  }
}

function serializeState(jobName: string, id: string, state: unknown): Buffer {
  try {
    return serializePayload(state);
  } catch (e) {
    throw new RivuletError(
      'runtime',
      'STATE_NOT_SERIALIZABLE',
      `job '${jobName}': the state of operator ${id} cannot be checkpointed: ${(e as Error).message}`,
      undefined,
      { cause: e },
    );
  }
}

/** Ends the copy-on-write snapshots of `states` (those already drained are released already). */
function releaseAll(states: readonly { state: unknown }[]): void {
  for (const { state } of states) for (const d of splitDeferred(state).deferred) d.entries.release();
}
