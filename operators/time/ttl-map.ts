/**
 * Keyed state with processing-time TTL (`table.exec.state.ttl`): an entry not written for `ttlMs`
 * expires and is dropped silently, as Flink's state TTL does.
 *
 * A JavaScript Map iterates in insertion order, so re-inserting an entry on every write keeps the
 * map ordered by last write; expiry then only ever looks at the front of the map: O(1) amortised
 * per write, no timers. Without a TTL (0 or absent) entries never expire.
 */
import type { StateKey } from '../state.ts';

interface Slot<V> {
  v: V;
  t: number;
}

export class TtlMap<V> {
  private readonly ttlMs: number;
  private map = new Map<StateKey, Slot<V>>();

  constructor(ttlMs: number | undefined) {
    this.ttlMs = ttlMs ?? 0;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: StateKey): V | undefined {
    return this.map.get(key)?.v;
  }

  /** Writes the value and restarts its time to live. */
  set(key: StateKey, v: V, now: number): void {
    if (this.ttlMs > 0) this.map.delete(key);
    this.map.set(key, { v, t: now });
  }

  delete(key: StateKey): void {
    this.map.delete(key);
  }

  /** Drops entries last written at or before `now - ttlMs`, telling `onExpired` about each. */
  expire(now: number, onExpired?: (v: V) => void): void {
    if (this.ttlMs <= 0) return;
    for (const [k, slot] of this.map) {
      if (slot.t + this.ttlMs > now) break;
      this.map.delete(k);
      onExpired?.(slot.v);
    }
  }

  values(): IterableIterator<V> {
    const it = this.map.values();
    return (function* () {
      for (const s of it) yield s.v;
    })();
  }

  snapshot(): [StateKey, V, number][] {
    return [...this.map.entries()].map(([k, s]) => [k, s.v, s.t]);
  }

  restore(entries: readonly [StateKey, V, number][]): void {
    this.map = new Map(entries.map(([k, v, t]) => [k, { v, t }]));
  }
}
