/**
 * Hashing rows to 32-bit integers, and hash-chained row tables built on it, for operators that keep
 * whole rows in keyed state (Join's per-key row multisets, Distinct, SetOp).
 *
 * Why: keying state by a row's canonical string (`encodeKey`) costs a string build per change and a
 * string hash per lookup, which dominated the join's time. A numeric hash keeps Map keys small
 * integers, allocates nothing, and equal rows are told apart from colliding ones by `rowsEqual`.
 *
 * Steps of `hashRow`: hash each value (consistently with `valuesEqual`: -0 and 0 hash alike, every NaN
 * alike, a bigint like the number it equals), and mix the column hashes in order (a variant of
 * MurmurHash3's 32-bit mixing). A table maps hash -> first entry; entries with the same hash form a
 * singly linked list through `next` (plain data, so a snapshot can structured-clone it).
 */
import type { Row, Value } from '../api.ts';
import type { StateKey } from '../state.ts';
import { rowsEqual } from './compare.ts';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function hashNumber(v: number): number {
  if ((v | 0) === v) return v | 0; // small integers (and -0, which equals 0) hash to themselves
  if (Number.isNaN(v)) return 0x7ff80000;
  f64[0] = v;
  return mix(u32[0] as number, u32[1] as number);
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** A 32-bit hash of a value; values equal by `valuesEqual` hash equally. */
export function hashValue(v: Value): number {
  switch (typeof v) {
    case 'number':
      return hashNumber(v);
    case 'string':
      return hashString(v);
    case 'boolean':
      return v ? 1231 : 1237;
    case 'bigint':
      return hashNumber(Number(v));
    default: {
      if (v === null || v === undefined) return 0x2f5c1d3;
      if (v instanceof Uint8Array) {
        let h = 0x3ba7;
        for (let i = 0; i < v.length; i++) h = mix(h, v[i] as number);
        return h;
      }
      if (Array.isArray(v)) return hashRow(v);
      if (v instanceof Map) {
        let h = 0x4d3a; // order-independent: maps compare by content
        for (const [k, x] of v) h = (h + mix(hashValue(k), hashValue(x))) | 0;
        return h;
      }
      return hashString(JSON.stringify(v) ?? '');
    }
  }
}

/** A 32-bit hash of a row, position-sensitive. */
export function hashRow(row: Row): number {
  let h = row.length;
  for (let i = 0; i < row.length; i++) h = mix(h, hashValue(row[i]));
  return h;
}

/** A 32-bit hash of the values at `columns` of a row (e.g. a composite GROUP BY key). */
export function hashColumns(row: Row, columns: readonly number[]): number {
  let h = columns.length;
  for (let i = 0; i < columns.length; i++) h = mix(h, hashValue(row[columns[i] as number]));
  return h;
}

/** An entry of a hash-chained row table. */
export interface RowEntry {
  row: Row;
  next: this | null;
}

/** The Map-like part of a table that the helpers need (a Map, or a MapState). */
export interface HashTable<E> {
  get(key: StateKey): E | undefined;
  set(key: StateKey, value: E): void;
  delete(key: StateKey): boolean;
}

/** The entry holding a row equal to `row` among those hashed to `hash`, or undefined. */
export function findRow<E extends RowEntry>(table: HashTable<E>, hash: number, row: Row): E | undefined {
  return findInChain(table.get(hash), row);
}

/** The entry holding a row equal to `row` in the chain starting at `head`, or undefined. */
export function findInChain<E extends RowEntry>(head: E | undefined, row: Row): E | undefined {
  let e: E | null | undefined = head;
  while (e !== undefined && e !== null && !rowsEqual(e.row, row)) e = e.next as E | null;
  return e ?? undefined;
}

/** Adds an entry whose row is not yet in the table. */
export function insertRow<E extends RowEntry>(table: HashTable<E>, hash: number, entry: E): void {
  const head = table.get(hash);
  entry.next = head === undefined ? null : head;
  table.set(hash, entry);
}

/** Unlinks `entry` (which must be in the table under `hash`). */
export function removeRow<E extends RowEntry>(table: HashTable<E>, hash: number, entry: E): void {
  const head = table.get(hash) as E;
  if (head === entry) {
    if (entry.next === null) table.delete(hash);
    else table.set(hash, entry.next as E);
    return;
  }
  let prev = head;
  while (prev.next !== entry) prev = prev.next as E;
  prev.next = entry.next;
}

/** Every entry of the table (each chain walked). */
export function* chainEntries<E extends RowEntry>(heads: Iterable<E>): IterableIterator<E> {
  for (let e of heads) {
    for (;;) {
      yield e;
      if (e.next === null) break;
      e = e.next as E;
    }
  }
}

/**
 * Copy-on-write for a table kept in a MapState (operators/state.ts): must precede an in-place change of
 * `entry` (a field of it, or its `next`) in the chain starting at `head`. A snapshot holds the chain
 * heads of its instant, and a head reaches every entry after it, so each entry from the current head
 * down to `entry` is reported: whichever of them was the head then keeps its chain as it is now. (A head
 * of that instant no longer in the chain was reported before it was unlinked: it was changed first.)
 * Chains are almost always one entry long.
 */
export function mutatingChain<E extends RowEntry>(
  table: { mutating(value: E): void },
  head: E,
  entry: E,
): void {
  for (let e: E | null = head; e !== null; e = e.next as E | null) {
    table.mutating(e);
    if (e === entry) return;
  }
}

/** A copy of the chain from `head` on, each entry copied by `copy` (which need not copy `next`). */
export function cloneChain<E extends RowEntry>(head: E, copy: (e: E) => E): E {
  const first = copy(head);
  let prev = first;
  for (let e = head.next as E | null; e !== null; e = e.next as E | null) {
    const c = copy(e);
    prev.next = c;
    prev = c;
  }
  prev.next = null;
  return first;
}
