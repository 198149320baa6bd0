/**
 * Keyed state behind one interface, so checkpoints (runtime/) can snapshot any operator the same way.
 * State is kept in memory in Maps; a snapshot is plain data (arrays of [key, value] pairs) that
 * structured clone and the checkpoint writer can serialise.
 */
import type { Row, Value } from './api.ts';

/**
 * A key of keyed state. Single-column keys of primitive type are used as they are; composite keys and
 * keys of other types are encoded to one string by `encodeKey` so that Map lookups compare by value.
 */
export type StateKey = string | number | boolean | bigint | null;

/** Builds a function that extracts the state key of a row from the given column positions. */
export function keySelector(columns: readonly number[]): (row: Row) => StateKey {
  if (columns.length === 0) return () => null;
  if (columns.length === 1) {
    const c = columns[0] as number;
    return (row) => {
      const v = row[c];
      return isPrimitiveKey(v) ? v : encodeKey([v]);
    };
  }
  return (row) => encodeKey(columns.map((c) => row[c]));
}

function isPrimitiveKey(v: Value): v is StateKey {
  const t = typeof v;
  return v === null || t === 'string' || t === 'number' || t === 'bigint' || t === 'boolean';
}

/** A canonical string for a list of values: equal values give equal strings, distinct ones differ. */
export function encodeKey(values: readonly Value[]): string {
  let s = '';
  for (const v of values) s += `${encodeValue(v)}\u0001`;
  return s;
}

function encodeValue(v: Value): string {
  if (v === null || v === undefined) return 'N';
  switch (typeof v) {
    case 'string':
      return `s${v}`;
    case 'number':
      return Object.is(v, -0) ? 'n0' : `n${v}`;
    case 'bigint':
      return `b${v}`;
    case 'boolean':
      return v ? 'T' : 'F';
    default:
      if (v instanceof Uint8Array) return `x${Buffer.from(v).toString('hex')}`;
      if (Array.isArray(v)) return `[${encodeKey(v)}]`;
      if (v instanceof Map) {
        const parts = [...v.entries()].map(([k, x]) => `${encodeValue(k)}=${encodeValue(x)}`).sort();
        return `{${parts.join(',')}}`;
      }
      return `o${JSON.stringify(v)}`;
  }
}

/** One named map of keyed state inside a store. */
export class MapState<V> {
  readonly name: string;
  private data = new Map<StateKey, V>();

  constructor(name: string) {
    this.name = name;
  }
  get(key: StateKey): V | undefined {
    return this.data.get(key);
  }
  has(key: StateKey): boolean {
    return this.data.has(key);
  }
  set(key: StateKey, value: V): void {
    this.data.set(key, value);
  }
  delete(key: StateKey): boolean {
    return this.data.delete(key);
  }
  get size(): number {
    return this.data.size;
  }
  keys(): IterableIterator<StateKey> {
    return this.data.keys();
  }
  entries(): IterableIterator<[StateKey, V]> {
    return this.data.entries();
  }
  clear(): void {
    this.data.clear();
  }
  /** Plain data: the values must themselves be structured-clone-able. */
  snapshot(): [StateKey, V][] {
    return [...this.data.entries()];
  }
  restore(entries: readonly [StateKey, V][]): void {
    this.data = new Map(entries);
  }
}

/** The keyed state of one operator: a set of named maps, snapshotted together. */
export class StateStore {
  private readonly maps = new Map<string, MapState<unknown>>();

  map<V>(name: string): MapState<V> {
    let m = this.maps.get(name);
    if (!m) {
      m = new MapState<unknown>(name);
      this.maps.set(name, m);
    }
    return m as MapState<V>;
  }
  /** Total number of entries across all maps. */
  size(): number {
    let n = 0;
    for (const m of this.maps.values()) n += m.size;
    return n;
  }
  snapshot(): Record<string, [StateKey, unknown][]> {
    const out: Record<string, [StateKey, unknown][]> = {};
    for (const [name, m] of this.maps) out[name] = m.snapshot();
    return out;
  }
  restore(snapshot: Record<string, [StateKey, unknown][]>): void {
    for (const [name, entries] of Object.entries(snapshot)) this.map(name).restore(entries);
  }
}
