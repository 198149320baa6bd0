/**
 * Per-window state for operators that run after a window TVF (window Top-N, deduplication, join):
 * their input rows already carry `window_start` and `window_end`.
 *
 * 1. State is grouped by window end (one timer per end) and, inside, by `window_start ++ key`
 *    (windows of different starts can share an end, e.g. sessions or cumulating windows).
 * 2. A window is complete when the watermark reaches `window_end - 1`; `fire` hands each complete
 *    window's groups to the caller in window-end order and frees them.
 * 3. A row for a window already complete is late (`isLate`).
 */
import type { StateKey } from '../state.ts';
import { TimerHeap } from './timer-heap.ts';

export class WindowBuckets<S> {
  private readonly buckets = new Map<number, Map<StateKey, S>>();
  private readonly timers = new TimerHeap<number>();
  private last: Map<StateKey, S> | null = null;
  private lastEnd = Number.NaN;

  isLate(end: number, wm: number): boolean {
    return end - 1 <= wm;
  }

  /** The group state of (end, key), created with `init` when absent. */
  group(end: number, key: StateKey, init: () => S): S {
    let b = this.last;
    if (b === null || this.lastEnd !== end) {
      b = this.buckets.get(end) ?? null;
      if (b === null) {
        b = new Map();
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
      for (const s of b.values()) each(s, end);
    }
  }

  /** Sum of `weigh` over all groups, plus pending timers. */
  size(weigh: (s: S) => number): number {
    let n = this.timers.size;
    for (const b of this.buckets.values()) for (const s of b.values()) n += weigh(s);
    return n;
  }

  snapshot(): unknown {
    return { buckets: [...this.buckets.entries()].map(([end, b]) => [end, [...b.entries()]]) };
  }

  restore(state: unknown): void {
    const s = state as { buckets: [number, [StateKey, S][]][] };
    this.buckets.clear();
    this.timers.clear();
    this.last = null;
    for (const [end, entries] of s.buckets) {
      this.buckets.set(end, new Map(entries));
      this.timers.push(end - 1, end);
    }
  }
}
