/**
 * Idle-state expiry for `table.exec.state.ttl`: a keyed entry that has not been written for `ttlMs` of
 * processing time is dropped, as Flink's state TTL does (so a key seen again after that starts afresh).
 *
 * Steps:
 *   1. every entry records the processing time it was last written (`touched`);
 *   2. writing an entry re-inserts it at the end of its Map, so a Map's iteration order is the order of
 *      last writes and the least recently written entries sit at its front;
 *   3. reading an entry checks its age first (lazy expiry), so an expired entry is never used;
 *   4. `sweep` drops expired entries from the front of the Map and stops at the first live one, so the
 *      state of keys never seen again is reclaimed too, in amortised O(1) per entry.
 */
import type { MapState, StateKey } from '../state.ts';

/** An entry that remembers when it was last written. */
export interface Touched {
  touched: number;
}

export class IdleStateExpiry<V extends Touched> {
  private readonly map: MapState<V>;
  readonly ttlMs: number;
  private nextSweep = -Infinity;
  private readonly onExpire: (entry: V) => void;

  /** @param onExpire told of each entry dropped because it expired (for metrics and counters) */
  constructor(map: MapState<V>, ttlMs: number, onExpire: (entry: V) => void = () => {}) {
    this.map = map;
    this.ttlMs = ttlMs;
    this.onExpire = onExpire;
  }

  /** The live entry for `key`, or undefined (an expired entry is deleted on the way). */
  get(key: StateKey, now: number): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (now - e.touched >= this.ttlMs) {
      this.map.delete(key);
      this.onExpire(e);
      return undefined;
    }
    return e;
  }

  /** Records a write of `entry` (already or newly in the map) at time `now`. */
  touch(key: StateKey, entry: V, now: number): void {
    entry.touched = now;
    this.map.delete(key);
    this.map.set(key, entry);
  }

  /** Drops expired entries from the front; cheap to call often (it runs at most every ttl/4 ms). */
  sweep(now: number): number {
    if (now < this.nextSweep) return 0;
    this.nextSweep = now + Math.max(1, Math.floor(this.ttlMs / 4));
    let n = 0;
    for (const [k, e] of this.map.entries()) {
      if (now - e.touched < this.ttlMs) break;
      this.map.delete(k);
      this.onExpire(e);
      n++;
    }
    return n;
  }
}
