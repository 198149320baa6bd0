/**
 * The session's retained history of versioned tables (`'versioned.history-retention'` table option).
 *
 * Without the option, time travel (`FOR SYSTEM_TIME AS OF <instant>`, `FROM .. TO ..`, `BETWEEN ..`)
 * re-reads the table's source and keeps only what the one query needs, and temporal joins keep only
 * the versions they can still need. With it, the session keeps one VersionHistory per such table:
 *
 * 1. The first job of the session that reads the table (an INSERT, a SELECT, a temporal join; not a
 *    time travel query, which reads the source for itself) records the table's changelog into it
 *    through a HistoryRecorder placed after the table's source. Only one job feeds a history: later
 *    jobs reading the same table read their own copy of the source but record nothing, so no change
 *    is recorded twice.
 * 2. The feeding job prunes it as its watermark advances: versions whose validity ended more than the
 *    retention behind the watermark are freed (the history is then complete from watermark -
 *    retention on, its horizon).
 * 3. Time travel over the table answers from the history at once while it is fed or once it is
 *    complete (the feeding job's input ended), without reading the source; an instant (or the start
 *    of a period) before the horizon is refused with TIME_TRAVEL_BEYOND_RETENTION. While the feeding
 *    job runs, an answer about a time after its watermark is the history received so far. With no
 *    history yet, time travel reads the source as it does for a table without the option.
 * 4. A feeding job that stops before its input ended (cancelled, failed) leaves a partial history,
 *    which is discarded: the next job reading the table feeds a new one.
 * A table is identified by its name and its DDL, so a table dropped and created differently starts
 * a new history.
 */
import type { TableDefinition } from '../catalog/catalog.ts';
import { parseDurationMs } from '../common/duration.ts';
import { RivuletError } from '../common/errors.ts';
import { VersionHistory } from '../operators/temporal/version-history.ts';

export const HISTORY_RETENTION_OPTION = 'versioned.history-retention';

/** A retained history and what is known about it. */
export interface RetainedHistory {
  readonly history: VersionHistory;
  /** The feeding job's input ended: nothing will be added. */
  complete: boolean;
  /** The feeding job's latest finite watermark (-Infinity before the first). */
  watermark: number;
}

/** The retention a table asks for, in ms; undefined when the option is absent (history not kept). */
export function historyRetentionMs(table: TableDefinition): number | undefined {
  const v = table.options.get(HISTORY_RETENTION_OPTION);
  if (v === undefined) return undefined;
  try {
    return parseDurationMs(v);
  } catch {
    throw new RivuletError(
      'plan',
      'OPTION_INVALID',
      `Table '${table.name}': '${HISTORY_RETENTION_OPTION}' = '${v}' is not a duration (examples: '30 min', '1 h', '7 d')`,
    );
  }
}

export class VersionStore {
  private readonly entries = new Map<string, RetainedHistory>();

  private static id(table: TableDefinition): string {
    return `${table.name}\u0000${table.ddl}`;
  }

  /** The table's retained history, if a job is feeding or has fed one (step 3). */
  get(table: TableDefinition): RetainedHistory | undefined {
    return this.entries.get(VersionStore.id(table));
  }

  /**
   * A new history for a job to feed (step 1), or undefined when the table already has one or does not
   * ask for history.
   */
  claim(
    table: TableDefinition,
    versioned: { readonly keys: readonly number[]; readonly time: number },
  ): RetainedHistory | undefined {
    const retentionMs = historyRetentionMs(table);
    if (retentionMs === undefined) return undefined;
    const id = VersionStore.id(table);
    if (this.entries.has(id)) return undefined;
    const entry: RetainedHistory = {
      history: new VersionHistory({ keyIndices: versioned.keys, timeIndex: versioned.time, retentionMs }),
      complete: false,
      watermark: Number.NEGATIVE_INFINITY,
    };
    this.entries.set(id, entry);
    return entry;
  }

  /** Forgets a partial history whose feeding job stopped early (step 4). */
  discard(table: TableDefinition, entry: RetainedHistory): void {
    const id = VersionStore.id(table);
    if (this.entries.get(id) === entry) this.entries.delete(id);
  }
}
