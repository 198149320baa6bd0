/**
 * The contract between the runtime and connectors. A connector is a factory, found by its
 * `'connector' = '...'` identifier, that validates a table's `WITH` options and creates sources and sinks.
 * Sources are pulled in batches (so a slow downstream simply stops pulling: backpressure without
 * unbounded buffers); sinks are written change by change and flushed per batch.
 */

import type { LogicalType } from '../catalog/types.ts';
import type { RivuletError } from '../common/errors.ts';
import type { Row, RowKind } from '../operators/api.ts';

/** A column of a table as connectors see it. */
export interface ColumnInfo {
  readonly name: string;
  readonly type: LogicalType;
  /** For `c TYPE METADATA [FROM 'key'] [VIRTUAL]` columns: the metadata key (the column name if no FROM). */
  readonly metadataKey?: string;
  /** Metadata columns marked VIRTUAL are read but never written. */
  readonly virtual?: boolean;
}

/** The resolved table a connector serves: its physical and metadata columns (computed columns excluded). */
export interface TableInfo {
  /** Fully qualified, for messages. */
  readonly name: string;
  /** Columns in the order the connector produces/consumes rows: physical first, then metadata. */
  readonly columns: readonly ColumnInfo[];
  readonly primaryKey?: readonly string[];
  /** The table's `WITH` options, keys as written (e.g. `scan.startup.mode`). */
  readonly options: ReadonlyMap<string, string>;
}

/** A declared option: unknown keys are a planning error that lists the valid ones. */
export interface OptionSpec {
  readonly key: string;
  readonly required?: boolean;
  readonly default?: string;
  readonly description: string;
  /** Keys accepted by prefix, e.g. `properties.` passes client properties through. */
  readonly prefix?: boolean;
}

/** How a source's changes look: only inserts, or a full changelog (upsert if keyed by the primary key). */
export type ChangelogMode = 'insert-only' | 'upsert' | 'retract';

/** One batch pulled from a source. `kinds` null means every row is an INSERT. */
export interface SourceBatch {
  readonly rows: Row[];
  readonly kinds: RowKind[] | null;
  /** The split (e.g. `topic-2`, a file) the rows came from: watermarks are tracked per split. */
  readonly split: string;
  /** Position of each row in its source, for runtime error messages (e.g. `topic/2@1234`, `file:17`). */
  readonly positions?: readonly string[];
}

export interface SourceContext {
  readonly jobName: string;
  now(): number;
  /** A record that could not be decoded and that the table's options say to skip: counted, never silent. */
  skipped(reason: RivuletError | Error, position: string): void;
  /**
   * The job checkpoints: the runtime calls acknowledge() with each completed checkpoint's position,
   * and the source must not treat rows as processed before that (e.g. commit Kafka offsets).
   */
  readonly checkpointing?: boolean;
  /**
   * The runtime calls acknowledge() itself once what was read is written (checkpoints, or
   * `execution.buffer-timeout`): the source must not acknowledge a batch when the next is pulled.
   */
  readonly acknowledgedByRuntime?: boolean;
}

export interface ScanSource {
  readonly bounded: boolean;
  readonly changelogMode: ChangelogMode;
  open(ctx: SourceContext): Promise<void>;
  /**
   * The next batch of at most `maxRows` rows; `null` once a bounded source is exhausted. An unbounded
   * source with nothing to read waits (briefly) and may return an empty batch so the runtime can
   * advance processing time and check idleness.
   */
  next(maxRows: number): Promise<SourceBatch | null>;
  /** Splits currently assigned (for per-split watermarks and idleness). */
  splits(): readonly string[];
  /** Source position for checkpoints (plain data), and restoring it: recovery calls seek() before open(). */
  position(): unknown;
  seek(position: unknown): Promise<void>;
  /**
   * State the source keeps besides its position, checkpointed with it (e.g. upsert-kafka's last row per
   * key, which turns a new value into -U/+U). Taken at the same instant as position(); may hold
   * copy-on-write views (operators/state.ts `DeferredEntries`) so the pause does not copy it. Restored
   * by restoreState() before open().
   */
  snapshotState?(): unknown;
  restoreState?(state: unknown): void;
  /**
   * Records not yet read, per split, where the source knows them (Kafka: the partition's high
   * watermark minus the next offset to read: the consumer lag). Shown by SHOW JOB(S) and /metrics.
   */
  lag?(): ReadonlyMap<string, number>;
  /** Rows up to the current position are durably processed (e.g. commit Kafka offsets). */
  acknowledge?(position: unknown): Promise<void>;
  close(): Promise<void>;
}

export interface SinkContext {
  readonly jobName: string;
  now(): number;
  /** The job checkpoints: output belongs to checkpoint epochs (prepareCommit/commit), not to the job's end. */
  readonly checkpointing?: boolean;
}

export interface SinkWriter {
  /** What the sink can take; the planner refuses a query whose changes it cannot. */
  readonly accepts: ChangelogMode;
  open(ctx: SinkContext): Promise<void>;
  write(kind: RowKind, row: Row): void;
  /** Everything written so far is acknowledged by the destination when this resolves. */
  flush(): Promise<void>;
  /** Exactly-once hooks, called by checkpoints: pre-commit the transaction of `checkpointId`... */
  prepareCommit?(checkpointId: number): Promise<void>;
  /** ...and commit it once the checkpoint is complete; abort on failure or restore. */
  commit?(checkpointId: number): Promise<void>;
  abort?(): Promise<void>;
  /**
   * Exactly-once sinks that record the checkpoint id in their transactions: the newest checkpoint
   * whose output is committed (null: none). Recovery restores no checkpoint newer than this.
   * Called after open().
   */
  committedCheckpoint?(): Promise<number | null>;
  close(): Promise<void>;
}

export interface ConnectorFactory {
  /** The value of `'connector' = '...'`. */
  readonly identifier: string;
  readonly options: readonly OptionSpec[];
  createSource?(table: TableInfo): ScanSource;
  createSink?(table: TableInfo): SinkWriter;
}
