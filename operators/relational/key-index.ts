/**
 * KeyIndex: keyed state for operators keyed by one or more columns (GroupAggregate's groups, Join's
 * per-key buckets), without building a string per row for composite keys.
 *
 * Steps:
 *   1. the caller computes a probe once per change: with at most one key column the key value itself
 *      (`keySelector`, a primitive used as the Map key as it is), with several a 32-bit hash of the key
 *      columns (row-hash.ts `hashColumns`);
 *   2. `find` looks the probe up in the primary map. With several key columns an entry remembers its
 *      key values (`key`), and a hit only counts when they equal the row's key columns;
 *   3. a different key in the probe's slot is a hash collision: such keys live in an `overflow` map keyed
 *      by the canonical string of the key (`encodeKey`), which is also consulted on a miss while it is
 *      non-empty (a key stays in overflow after the primary slot's occupant is gone). Collisions are rare,
 *      so the string is almost never built;
 *   4. `find` leaves the location (map and key) of the entry, or of where a new entry belongs, for `set`,
 *      `delete` and `touch`;
 *   5. with state TTL each map has its own idle-state expiry (state-ttl.ts).
 * Key columns on two sides (a join) hash alike when their values are equal, so a probe built from one
 * side's columns finds the other side's entries.
 */
import { InternalError } from '../../common/errors.ts';
import type { Row } from '../api.ts';
import {
  encodeKey,
  keySelector,
  type MapState,
  type StateCodec,
  type StateKey,
  type StateStore,
} from '../state.ts';
import { valuesEqual } from './compare.ts';
import { hashColumns } from './row-hash.ts';
import { IdleStateExpiry, type Touched } from './state-ttl.ts';

/** An entry of a KeyIndex. */
export interface Keyed extends Touched {
  /** With several key columns: the key values, in key order; otherwise null. */
  key: Row | null;
}

export type KeyHash = (row: Row, columns: readonly number[]) => number;

export class KeyIndex<V extends Keyed> {
  readonly primary: MapState<V>;
  readonly overflow: MapState<V>;
  /** More than one key column: entries are keyed by hash and carry their key values. */
  readonly hashed: boolean;
  private readonly width: number;
  private readonly hash: KeyHash;
  private readonly primaryExpiry: IdleStateExpiry<V> | null;
  private readonly overflowExpiry: IdleStateExpiry<V> | null;
  /** Set by `find`: the map and key of the entry found, or of where a new one belongs. */
  private at: MapState<V>;
  private atKey: StateKey = null;

  /**
   * @param store where the two maps live (named `${name}` and `${name}.overflow`)
   * @param width the number of key columns
   */
  constructor(
    store: StateStore,
    name: string,
    width: number,
    options: {
      ttlMs?: number;
      onExpire?: (entry: V) => void;
      hash?: KeyHash;
      clone?: (entry: V) => V;
      codec?: StateCodec<V>;
    } = {},
  ) {
    this.primary = store.map<V>(name, options.clone, options.codec);
    this.overflow = store.map<V>(`${name}.overflow`, options.clone, options.codec);
    this.width = width;
    this.hashed = width > 1;
    this.hash = options.hash ?? hashColumns;
    const ttl = options.ttlMs ?? 0;
    this.primaryExpiry = ttl > 0 ? new IdleStateExpiry(this.primary, ttl, options.onExpire) : null;
    this.overflowExpiry = ttl > 0 ? new IdleStateExpiry(this.overflow, ttl, options.onExpire) : null;
    this.at = this.primary;
  }

  /** The probe function for key columns `columns` of a row (step 1). */
  prober(columns: readonly number[]): (row: Row) => StateKey {
    if (columns.length !== this.width)
      throw new InternalError(`expected ${this.width} key columns, got ${columns.length}`);
    if (!this.hashed) return keySelector(columns);
    const hash = this.hash;
    return (row) => hash(row, columns);
  }

  /** The entry for the key at `columns` of `row` (whose probe is `probe`), or undefined (steps 2-4). */
  find(probe: StateKey, row: Row, columns: readonly number[], now: number): V | undefined {
    this.at = this.primary;
    this.atKey = probe;
    const e = this.primaryExpiry === null ? this.primary.get(probe) : this.primaryExpiry.get(probe, now);
    if (!this.hashed) return e;
    if (e !== undefined && sameKey(e.key as Row, row, columns)) return e;
    if (e === undefined && this.overflow.size === 0) return undefined;
    const k = encodeKey(columns.map((c) => row[c]));
    const o = this.overflowExpiry === null ? this.overflow.get(k) : this.overflowExpiry.get(k, now);
    if (o !== undefined || e !== undefined) {
      this.at = this.overflow;
      this.atKey = k;
    }
    return o;
  }

  /** The key values a new entry for `row` must carry (null with one key column). */
  keyOf(row: Row, columns: readonly number[]): Row | null {
    return this.hashed ? columns.map((c) => row[c]) : null;
  }

  /** Stores a new entry at the location the last `find` left. */
  set(entry: V): void {
    this.at.set(this.atKey, entry);
  }

  /** Deletes the entry at the location the last `find` left. */
  delete(): void {
    this.at.delete(this.atKey);
  }

  /**
   * Must precede any in-place change of an entry (found by `find`, or held since), so that a
   * checkpoint in progress keeps the entry as it was (copy-on-write, operators/state.ts).
   */
  mutating(entry: V): void {
    this.primary.mutating(entry);
  }

  /** Records a write of the entry found by the last `find` (for TTL). */
  touch(entry: V, now: number): void {
    const expiry = this.at === this.primary ? this.primaryExpiry : this.overflowExpiry;
    if (expiry !== null) expiry.touch(this.atKey, entry, now);
  }

  /** Drops expired entries (cheap to call per change; see state-ttl.ts). */
  sweep(now: number): void {
    if (this.primaryExpiry !== null) this.primaryExpiry.sweep(now);
    if (this.overflowExpiry !== null && this.overflow.size > 0) this.overflowExpiry.sweep(now);
  }

  get size(): number {
    return this.primary.size + this.overflow.size;
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.primary.entries()) yield v;
    for (const [, v] of this.overflow.entries()) yield v;
  }
}

function sameKey(key: Row, row: Row, columns: readonly number[]): boolean {
  for (let j = 0; j < columns.length; j++) if (!valuesEqual(key[j], row[columns[j] as number])) return false;
  return true;
}
