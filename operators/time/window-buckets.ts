/**
 * Per-window state for operators that run after a window TVF (window Top-N, deduplication, join):
 * their input rows already carry `window_start` and `window_end`.
 *
 * 1. State is grouped by window end (one timer per end) and, inside, by `window_start ++ key`
 *    (windows of different starts can share an end, e.g. sessions or cumulating windows).
 * 2. A window is complete when the watermark reaches `window_end - 1`; `fire` hands each complete
 *    window's groups to the caller in window-end order and frees them.
 * 3. A row for a window already complete is late (`isLate`).
 * Snapshots are copy-on-write (operators/state.ts): each window's groups are a MapState, written out
 * while processing goes on. `group()` hands out a group to be changed, so it tells the map first;
 * callers change a group only right after `group()` (`fire` hands groups out read-only).
 */
import { MapState, type StateKey } from '../state.ts';
import { TimerHeap } from './timer-heap.ts';

export class WindowBuckets<S> {
  private readonly buckets = new Map<number, MapState<S>>();
  private readonly timers = new TimerHeap<number>();
  private last: MapState<S> | null = null;
  private lastEnd = Number.NaN;
  private readonly clone: (s: S) => S;

  /** @param clone copies a group as it is, before its first change while a snapshot is written out */
  constructor(clone: (s: S) => S) {
    this.clone = clone;
  }

  isLate(end: number, wm: number): boolean {
    return end - 1 <= wm;
  }

  /** The group state of (end, key), created with `init` when absent. */
  group(end: number, key: StateKey, init: () => S): S {
    let b = this.last;
    if (b === null || this.lastEnd !== end) {
      b = this.buckets.get(end) ?? null;
      if (b === null) {
        b = new MapState<S>('groups', this.clone);
        this.buckets.set(end, b);
        this.timers.push(end - 1, end);
      }
      this.last = b;
      this.lastEnd = end;
    }
    let s = b.get(key);
    if (s === undefined) {
      s = init();
      b.set(key, s);
    } else {
      b.mutating(s); // the caller changes it: copy-on-write for a snapshot in progress
    }
    return s;
  }

  /** Calls `each` for every group of every window complete under `wm`, then frees them. */
  fire(wm: number, each: (state: S, end: number) => void): void {
    const timers = this.timers;
    while (timers.size > 0 && timers.peekTime() <= wm) {
      const end = timers.pop();
      const b = this.buckets.get(end);
      if (b === undefined) continue;
      this.buckets.delete(end);
      if (this.last === b) this.last = null;
      // The window's map is dropped, not cleared: a snapshot being written out keeps reading it.
      for (const [, s] of b.entries()) each(s, end);
    }
  }

  /** Sum of `weigh` over all groups, plus pending timers. */
  size(weigh: (s: S) => number): number {
    let n = this.timers.size;
    for (const b of this.buckets.values()) for (const [, s] of b.entries()) n += weigh(s);
    return n;
  }

  /**
   * Copy-on-write: each window's groups are written out while processing goes on. Windows go in a
   * plain object keyed by position (DeferredEntries only as property values of plain objects).
   * A window only gains groups, so its groups come back in the order they came (the order `fire`
   * hands them out).
   */
  snapshot(): unknown {
    const buckets: Record<number, unknown> = {};
    let i = 0;
    for (const [end, b] of this.buckets) buckets[i++] = { end, groups: b.snapshotDeferred() };
    return { buckets };
  }

  /** Restores `snapshot()` once materialized (or the `[end, groups]` pairs of older snapshots). */
  restore(state: unknown): void {
    const s = state as {
      buckets: Record<number, { end: number; groups: [StateKey, S][] }> | [number, [StateKey, S][]][];
    };
    this.buckets.clear();
    this.timers.clear();
    this.last = null;
    const windows = Array.isArray(s.buckets)
      ? s.buckets.map(([end, groups]) => ({ end, groups }))
      : Object.values(s.buckets);
    for (const { end, groups } of windows) {
      const b = new MapState<S>('groups', this.clone);
      b.restore(groups);
      this.buckets.set(end, b);
      this.timers.push(end - 1, end);
    }
  }
}
