/**
 * Session window state: per partition key, the open sessions and the timers that fire them.
 *
 * 1. A row at `ts` opens the window `[ts, ts + gap)`.
 * 2. Every session of the same key whose bounds intersect it (inclusively, as Flink's
 *    `TimeWindow.intersects`) is merged with it: the union of bounds, accumulators merged with
 *    `AggregateFunction.merge` or, when some function cannot merge, rebuilt from the sessions' rows.
 * 3. If the merged window is already past the watermark (plus allowed lateness) the row is late.
 * 4. A timer at `end - 1` fires a session; timers of sessions that later grew are stale and are
 *    ignored when they pop (a session is identified by key and end, which no other session of the
 *    same key can share).
 * The sessions of a key are one value of a MapState (copy-on-write snapshots, operators/state.ts):
 * before a key's list or any entry in it changes in place, `mutating(key)` is called.
 */
import type { Row } from '../api.ts';
import { MapState, type StateKey } from '../state.ts';
import type { AggregateCalls } from './aggregate-calls.ts';
import { TimerHeap } from './timer-heap.ts';
import { cloneEntry, newEntry, type WindowEntry } from './window-entry.ts';

/** The outcome of adding a row: the entry it went to, and the entries it absorbed (now gone). */
export interface SessionAdd {
  entry: WindowEntry;
  absorbed: WindowEntry[];
  /** The entry is new or its bounds changed (its old identity, if emitted, must be withdrawn). */
  reshaped: boolean;
}

export class SessionWindows {
  private readonly gap: number;
  private readonly aggs: AggregateCalls;
  readonly sessions = new MapState<WindowEntry[]>('sessions', (list) => list.map(cloneEntry));
  readonly timers = new TimerHeap<[StateKey, number]>();
  private bufferedRows = 0;

  private readonly keepRows: boolean;

  /** `keepRows` forces buffering of rows (the SESSION TVF emits them); otherwise only non-mergeable aggregates need them. */
  constructor(gap: number, aggs: AggregateCalls, keepRows = false) {
    this.gap = gap;
    this.aggs = aggs;
    this.keepRows = keepRows || !aggs.canMerge;
  }

  /** The bounds the row's session would have after merging, without changing state. */
  mergedEnd(stateKey: StateKey, ts: number): number {
    let end = ts + this.gap;
    const list = this.sessions.get(stateKey);
    if (list) {
      for (const s of list) if (s.start <= ts + this.gap && s.end >= ts && s.end > end) end = s.end;
    }
    return end;
  }

  /** Adds an on-time row (the caller has checked lateness with `mergedEnd`). */
  add(stateKey: StateKey, key: Row, ts: number, row: Row): SessionAdd {
    const aggs = this.aggs;
    let list = this.sessions.get(stateKey);
    if (!list) {
      list = [];
      this.sessions.set(stateKey, list);
    }
    // Covers every change below and the caller's to the entries it gets back in this call: the
    // entries the list keeps are shared with the list replacing it.
    this.sessions.mutating(list);
    let start = ts;
    let end = ts + this.gap;
    const hits: WindowEntry[] = [];
    const rest: WindowEntry[] = [];
    for (const s of list) {
      if (s.start <= end && s.end >= start) hits.push(s);
      else rest.push(s);
    }
    // The common case: the row falls inside one existing session and changes no bounds.
    if (hits.length === 1) {
      const only = hits[0] as WindowEntry;
      if (only.start <= start && only.end >= end) {
        this.accumulate(only, row);
        return { entry: only, absorbed: [], reshaped: false };
      }
    }
    for (const s of hits) {
      if (s.start < start) start = s.start;
      if (s.end > end) end = s.end;
    }
    const keepRows = this.keepRows;
    let entry: WindowEntry;
    if (keepRows) {
      entry = newEntry(key, start, end, aggs.create(), true);
      for (const s of hits) {
        for (const r of s.rows as Row[]) this.accumulate(entry, r);
        this.bufferedRows -= (s.rows as Row[]).length;
      }
    } else {
      entry = newEntry(key, start, end, aggs.create(), false);
      for (const s of hits) {
        aggs.merge(entry.accs, s.accs);
        entry.count += s.count;
      }
    }
    this.accumulate(entry, row);
    rest.push(entry);
    this.sessions.set(stateKey, rest);
    this.timers.push(end - 1, [stateKey, end]);
    return { entry, absorbed: hits, reshaped: true };
  }

  private accumulate(e: WindowEntry, row: Row): void {
    this.aggs.accumulate(e.accs, row);
    e.count++;
    e.dirty = true;
    if (e.rows) {
      e.rows.push(row);
      this.bufferedRows++;
    }
  }

  /** The session of `stateKey` ending at `end`, if it still exists. */
  find(stateKey: StateKey, end: number): WindowEntry | undefined {
    const list = this.sessions.get(stateKey);
    if (!list) return undefined;
    for (const s of list) if (s.end === end) return s;
    return undefined;
  }

  /** Must be called before the sessions of `stateKey` (the list or its entries) change in place. */
  mutating(stateKey: StateKey): void {
    const list = this.sessions.get(stateKey);
    if (list !== undefined) this.sessions.mutating(list);
  }

  remove(stateKey: StateKey, entry: WindowEntry): void {
    const list = this.sessions.get(stateKey);
    if (!list) return;
    const i = list.indexOf(entry);
    if (i < 0) return;
    this.sessions.mutating(list);
    list.splice(i, 1);
    if (entry.rows) this.bufferedRows -= entry.rows.length;
    if (list.length === 0) this.sessions.delete(stateKey);
  }

  /** Entries + buffered rows + pending timers. */
  size(): number {
    let n = 0;
    for (const [, l] of this.sessions.entries()) n += l.length;
    return n + this.bufferedRows + this.timers.size;
  }

  /**
   * The sessions are written out copy-on-write while processing goes on; the timers (one per session
   * end, a pair of numbers each) are copied now.
   */
  snapshot(): unknown {
    return { sessions: this.sessions.snapshotDeferred(), timers: structuredClone(this.timers.snapshot()) };
  }

  restore(state: unknown): void {
    const s = state as { sessions: [StateKey, WindowEntry[]][]; timers: [number, [StateKey, number]][] };
    // The order of keys does not matter: timers fire sessions, and a key's list keeps its order.
    this.sessions.restore(s.sessions);
    this.bufferedRows = 0;
    for (const [, list] of s.sessions) for (const e of list) if (e.rows) this.bufferedRows += e.rows.length;
    this.timers.restore(s.timers);
  }
}
