/**
 * Keyed state with processing-time TTL (`table.exec.state.ttl`): an entry not written for `ttlMs`
 * expires and is dropped silently, as Flink's state TTL does.
 *
 * A JavaScript Map iterates in insertion order, so re-inserting an entry on every write keeps the
 * map ordered by last write; expiry then only ever looks at the front of the map: O(1) amortised
 * per write, no timers. Without a TTL (0 or absent) entries never expire.
 *
 * The entries live in a MapState, so snapshots are copy-on-write (operators/state.ts): an operator that
 * changes a value in place gets it with `getForUpdate`, which keeps a copy of the value for a snapshot
 * in progress.
 */
import { type DeferredEntries, MapState, type StateKey } from '../state.ts';

/** A value and the processing time it was last written. */
export interface TtlSlot<V> {
  v: V;
  t: number;
}

/**
 * An entry of a restored snapshot: `[key, slot]` as `snapshotDeferred()` materializes, or
 * `[key, value, time]` as snapshots were written before it.
 */
export type TtlMapEntry<V> = readonly [StateKey, TtlSlot<V>] | readonly [StateKey, V, number];

export class TtlMap<V> {
  private readonly ttlMs: number;
  private readonly map: MapState<TtlSlot<V>>;

  /** @param clone copies a value before its first in-place change during a snapshot (deep by default) */
  constructor(ttlMs: number | undefined, clone: (v: V) => V = structuredClone) {
    this.ttlMs = ttlMs ?? 0;
    this.map = new MapState<TtlSlot<V>>('ttl', (s) => ({ v: clone(s.v), t: s.t }));
  }

  get size(): number {
    return this.map.size;
  }

  get(key: StateKey): V | undefined {
    return this.map.get(key)?.v;
  }

  /**
   * The value of `key`, which the caller is about to change in place (without this, a snapshot in
   * progress would see the change).
   */
  getForUpdate(key: StateKey): V | undefined {
    const s = this.map.get(key);
    if (s === undefined) return undefined;
    this.map.mutating(s);
    return s.v;
  }

  /** Writes the value and restarts its time to live. */
  set(key: StateKey, v: V, now: number): void {
    const s = this.map.get(key);
    if (s !== undefined && s.v === v) {
      // The value changed in place (after getForUpdate) is written back: its slot is kept, so that a
      // snapshot in progress copies it once, not again after every change.
      this.map.mutating(s);
      s.t = now;
      if (this.ttlMs > 0) {
        this.map.delete(key);
        this.map.set(key, s);
      }
      return;
    }
    if (this.ttlMs > 0) this.map.delete(key);
    this.map.set(key, { v, t: now });
  }

  delete(key: StateKey): void {
    this.map.delete(key);
  }

  /** Drops entries last written at or before `now - ttlMs`, telling `onExpired` about each. */
  expire(now: number, onExpired?: (v: V) => void): void {
    if (this.ttlMs <= 0) return;
    for (const [k, slot] of this.map.entries()) {
      if (slot.t + this.ttlMs > now) break;
      this.map.delete(k);
      onExpired?.(slot.v);
    }
  }

  values(): IterableIterator<V> {
    const it = this.map.entries();
    return (function* () {
      for (const [, s] of it) yield s.v;
    })();
  }

  /** A copy-on-write snapshot (O(1) to take); restore() takes it materialized. */
  snapshotDeferred(): DeferredEntries<TtlSlot<V>> {
    return this.map.snapshotDeferred();
  }

  restore(entries: readonly TtlMapEntry<V>[]): void {
    const slots = entries.map((e): [StateKey, TtlSlot<V>] =>
      e.length === 3 ? [e[0], { v: e[1], t: e[2] }] : [e[0], e[1]],
    );
    // A copy-on-write snapshot lists the keys written during it last (state.ts), out of write order;
    // expiry needs the map in write order again.
    if (this.ttlMs > 0) slots.sort((a, b) => a[1].t - b[1].t);
    this.map.restore(slots);
  }
}
