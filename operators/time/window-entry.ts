/**
 * The per-(window, group) state of a window aggregate and how its results are emitted.
 *
 * Without early or late firing an entry is emitted once, as +I, when its window fires, and then
 * forgotten. With early firing (`earlyFireDelayMs`) or allowed lateness the output is an update
 * stream: the first emission is +I, a later one for the same window is -U (the previous result) and
 * +U (the new one); a window that vanishes (a session merged into a larger one, or every row of it
 * retracted) is withdrawn with -D.
 */
import { type Collector, type Row, RowKind, type Value } from '../api.ts';
import type { StateKey } from '../state.ts';
import type { AggregateCalls } from './aggregate-calls.ts';

export interface WindowEntry {
  /** The group key values, in group-key order (the start of each output row). */
  key: Row;
  start: number;
  end: number;
  accs: unknown[];
  /** Rows accumulated minus rows retracted: a window with none left emits nothing. */
  count: number;
  /** Rows of the window, kept only for sessions whose aggregates cannot merge. */
  rows: Row[] | null;
  /** The last result emitted (kept only when updates are possible). */
  emitted: Row | null;
  /** Changed since the last emission. */
  dirty: boolean;
  /** The watermark has passed the window's end: later rows are late updates. */
  fired: boolean;
}

/** Plain-data form of an entry for snapshots; the state key travels beside it. */
export type EntrySnapshot = [StateKey, WindowEntry];

export function newEntry(
  key: Row,
  start: number,
  end: number,
  accs: unknown[],
  keepRows: boolean,
): WindowEntry {
  return {
    key,
    start,
    end,
    accs,
    count: 0,
    rows: keepRows ? [] : null,
    emitted: null,
    dirty: false,
    fired: false,
  };
}

/**
 * An entry as it is now, for copy-on-write snapshots: what processing changes in place (the
 * accumulators, the buffered rows, the counters) is copied; `key` and `emitted` are replaced, never
 * changed, and are shared.
 */
export function cloneEntry(e: WindowEntry): WindowEntry {
  const accs = e.accs.map((a) => (typeof a === 'object' && a !== null ? structuredClone(a) : a));
  return { ...e, accs, rows: e.rows === null ? null : e.rows.slice() };
}

/** Emits entry results downstream, applying the append / update protocol described above. */
export class WindowEmitter {
  private readonly aggs: AggregateCalls;
  /** True when results may be updated after their first emission. */
  readonly updating: boolean;
  private out: Collector | null = null;

  constructor(aggs: AggregateCalls, updating: boolean) {
    this.aggs = aggs;
    this.updating = updating;
  }

  setOutput(out: Collector): void {
    this.out = out;
  }

  result(e: WindowEntry): Row {
    const row: Value[] = e.key.slice();
    this.aggs.values(e.accs, row);
    row.push(e.start, e.end, e.end - 1);
    return row;
  }

  /** Emits the entry's current result if it changed since the last emission. */
  emit(e: WindowEntry): void {
    const out = this.out as Collector;
    if (e.count <= 0) {
      this.withdraw(e);
      return;
    }
    if (e.emitted !== null && !e.dirty) return;
    const value = this.result(e);
    if (e.emitted === null) out.push(RowKind.INSERT, value);
    else {
      out.push(RowKind.UPDATE_BEFORE, e.emitted);
      out.push(RowKind.UPDATE_AFTER, value);
    }
    if (this.updating) e.emitted = value;
    e.dirty = false;
  }

  /** Withdraws a previously emitted result (the window no longer exists in this form). */
  withdraw(e: WindowEntry): void {
    if (e.emitted !== null) (this.out as Collector).push(RowKind.DELETE, e.emitted);
    e.emitted = null;
    e.dirty = false;
  }
}
