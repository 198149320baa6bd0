/**
 * Keyed state behind one interface, so checkpoints (runtime/) can snapshot any operator the same way.
 * State is kept in memory in Maps.
 *
 * Snapshots are copy-on-write, so a checkpoint does not stop the job for a copy of all its state:
 *   1. `StateStore.snapshotDeferred()` starts a snapshot of every map of the store in O(number of maps)
 *      and returns one `DeferredEntries` per map: a view of the map as it was at that instant;
 *   2. processing goes on. The first time after that instant a key is set or deleted, the map keeps the
 *      key's old value aside (`displaced`); the first time a value is changed in place, the operator
 *      has said so beforehand (`mutating(value)`) and the store keeps a copy of the old value
 *      (`copies`). Keys and values the writer has already passed are not kept again;
 *   3. the checkpoint writer drains each view in chunks (`next(n)`), serializing each chunk before it
 *      gives the event loop back, so a value it hands out is never changed before it is written. It
 *      walks the live map, skipping displaced keys and using the copy of a changed value, then the
 *      displaced keys' old values;
 *   4. `release()` ends the snapshot: writes stop keeping old values.
 * The cost moves from the pause to the writes that come first after a snapshot (one copy per value
 * changed, as in Flink's copy-on-write heap state). An operator that changes a value in place without
 * `mutating(value)` first would corrupt its snapshot; the copy-on-write tests in
 * test/operators/state.test.ts compare every snapshot with a deep copy taken at the same instant.
 * A restored snapshot is plain data: arrays of [key, value] pairs per map (`materializeSnapshot`).
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

/**
 * A compact form of a map's values in snapshots (e.g. an object as an array of its fields: v8's
 * serializer writes every property name of every object, so this halves a typical entry). `decode`
 * must also accept a value as it is (state written without the codec).
 */
export interface StateCodec<V> {
  encode(value: V): unknown;
  decode(encoded: unknown): V;
}

/** The old value of a key that was absent when the snapshot began. */
const ABSENT: unique symbol = Symbol('absent');

/**
 * What one store's snapshot in progress shares across its maps: copies of values changed in place.
 * It lasts until every map's view is released, since an operator tells any one of its maps of a change
 * to a value that may live in another.
 */
class StoreCow {
  /** This snapshot's number: a value stamped with it was written out or copied during it. */
  readonly epoch = nextEpoch++;
  /** The maps whose views are not yet released. */
  readonly open = new Set<object>();
  /**
   * Value (as it is live) -> its copy from before its first change since the snapshot began; an entry
   * is dropped once the writer took the copy.
   */
  readonly copies = new Map<object, unknown>();

  preserve<V>(value: V, clone: (v: V) => V): void {
    const o = value as Stamped;
    if (o[STAMP] === this.epoch) return; // written out already, or copied already
    stamp(o, this.epoch);
    this.copies.set(o, clone(value));
  }
  /** The value as it was when the snapshot began; from now on it counts as written out. */
  original<V>(value: V): V {
    if (typeof value !== 'object' || value === null) return value;
    const o = value as Stamped;
    if (o[STAMP] !== this.epoch) {
      stamp(o, this.epoch);
      return value;
    }
    const c = this.copies.get(o);
    if (c === undefined) return value;
    this.copies.delete(o);
    return c as V;
  }
  /** Whether the writer has taken this value (an object) already. */
  written(value: object): boolean {
    return (value as Stamped)[STAMP] === this.epoch && !this.copies.has(value);
  }
}

/**
 * Values (objects) carry the epoch of the last snapshot that wrote or copied them, in a symbol-keyed
 * property (never serialized): a Set of millions of written values would cost more than the writing.
 */
const STAMP: unique symbol = Symbol('rivulet.snapshot');
type Stamped = { [STAMP]?: number };
let nextEpoch = 1;

/** Not enumerable: spreads, deep equality and serializers do not see it. */
function stamp(o: Stamped, epoch: number): void {
  if (o[STAMP] === undefined) Object.defineProperty(o, STAMP, { value: epoch, writable: true });
  else o[STAMP] = epoch;
}

/**
 * A view of one map as it was when `snapshotDeferred()` began, read in chunks while processing goes
 * on (see the file comment). Serialize each chunk before yielding to the event loop.
 */
export class DeferredEntries<V = unknown> {
  private readonly map: MapState<V>;
  private readonly cow: StoreCow;
  private readonly encode: ((v: V) => unknown) | null;
  /**
   * Keys set or deleted since the snapshot began -> their value at the snapshot, or ABSENT when there
   * is nothing to write for them from here: the key was absent then, or the writer had passed it
   * already (the live iterator meets a deleted and re-inserted key again, and must skip it).
   */
  readonly displaced = new Map<StateKey, V | typeof ABSENT>();
  /** Keys with primitive values the writer passed (object values carry a stamp instead). */
  private readonly passedKeys = new Set<StateKey>();
  private live: Iterator<[StateKey, V]> | null;
  private old: Iterator<[StateKey, V | typeof ABSENT]> | null = null;
  private released = false;

  constructor(map: MapState<V>, data: Map<StateKey, V>, cow: StoreCow, encode: ((v: V) => unknown) | null) {
    this.map = map;
    this.cow = cow;
    this.encode = encode;
    this.live = data.entries();
  }

  /** Called by the map before key `key` is set or deleted. */
  displace(key: StateKey, data: Map<StateKey, V>): void {
    if (this.displaced.has(key)) return;
    const v = data.get(key);
    if (v === undefined && !data.has(key)) {
      this.displaced.set(key, ABSENT);
      return;
    }
    const passed = typeof v === 'object' && v !== null ? this.cow.written(v) : this.passedKeys.has(key);
    // A passed key is marked too (nothing to write for it): its value may be replaced by one that
    // carries no stamp, and a later change must not take that for the snapshot's value.
    this.displaced.set(key, passed ? ABSENT : (v as V));
  }

  /**
   * The next at most `max` entries of the snapshot (values in the map's codec form, if it has one), or
   * null when all were given.
   */
  next(max: number): [StateKey, unknown][] | null {
    if (this.released) throw new Error('this state snapshot was released');
    const out: [StateKey, unknown][] = [];
    const cow = this.cow;
    const encode = this.encode;
    while (out.length < max && this.live !== null) {
      const r = this.live.next();
      if (r.done === true) {
        this.live = null;
        this.old = this.displaced.entries();
        break;
      }
      const [k, v] = r.value;
      // Displaced: its snapshot value is kept aside. Passed: deleted and set again after it was given
      // (the iterator meets a re-inserted key a second time).
      if (this.displaced.has(k)) continue;
      if (typeof v !== 'object' || v === null) this.passedKeys.add(k);
      const o = cow.original(v);
      out.push([k, encode === null ? o : encode(o)]);
    }
    while (out.length < max && this.old !== null) {
      const r = this.old.next();
      if (r.done === true) {
        this.old = null;
        break;
      }
      const [k, v] = r.value;
      if (v === ABSENT) continue;
      const o = cow.original(v);
      out.push([k, encode === null ? o : encode(o)]);
    }
    return out.length === 0 && this.live === null && this.old === null ? null : out;
  }

  /** Ends the snapshot of this map; the last one released of a store ends the copies. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.map.endSnapshot(this);
    this.cow.open.delete(this.map);
  }
}

/** One named map of keyed state inside a store. */
export class MapState<V> {
  readonly name: string;
  private data = new Map<StateKey, V>();
  private readonly clone: (v: V) => V;
  private readonly codec: StateCodec<V> | null;
  /** The snapshot of this map in progress, if any (copy-on-write). */
  private cow: DeferredEntries<V> | null = null;
  /** The snapshot of the store in progress, if any: until all its maps are written out. */
  private shared: StoreCow | null = null;

  /**
   * @param clone copies a value before its first in-place change during a snapshot (deep by default)
   * @param codec the values' compact form in deferred snapshots (none by default)
   */
  constructor(name: string, clone: (v: V) => V = structuredClone, codec?: StateCodec<V>) {
    this.name = name;
    this.clone = clone;
    this.codec = codec ?? null;
  }
  get(key: StateKey): V | undefined {
    return this.data.get(key);
  }
  has(key: StateKey): boolean {
    return this.data.has(key);
  }
  set(key: StateKey, value: V): void {
    if (this.cow !== null) this.cow.displace(key, this.data);
    this.data.set(key, value);
  }
  delete(key: StateKey): boolean {
    if (this.cow !== null) this.cow.displace(key, this.data);
    return this.data.delete(key);
  }
  /**
   * Must be called before a value held by this map (or another map of its store) is changed in
   * place, so a snapshot in progress keeps its old content. Cheap when no snapshot is in progress.
   */
  mutating(value: V): void {
    const shared = this.shared;
    if (shared === null) return;
    if (shared.open.size > 0) shared.preserve(value, this.clone);
    else this.shared = null; // every map of the store is written out
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
    if (this.cow !== null) for (const k of this.data.keys()) this.cow.displace(k, this.data);
    this.data.clear();
  }
  /** Plain data now (a shallow copy: the values must themselves be structured-clone-able). */
  snapshot(): [StateKey, V][] {
    return [...this.data.entries()];
  }
  /** Starts a copy-on-write snapshot of this map (see the file comment). */
  snapshotDeferred(cow: StoreCow = new StoreCow()): DeferredEntries<V> {
    if (this.cow !== null) throw new Error(`map ${this.name}: a snapshot is already in progress`);
    this.cow = new DeferredEntries(this, this.data, cow, this.codec === null ? null : this.codec.encode);
    this.shared = cow;
    cow.open.add(this);
    return this.cow;
  }
  /** @internal called by DeferredEntries.release */
  endSnapshot(view: DeferredEntries<V>): void {
    if (this.cow === view) this.cow = null;
  }
  /** Entries as snapshot() or a deferred snapshot gives them (values in codec form or as they are). */
  restore(entries: readonly [StateKey, unknown][]): void {
    this.cow = null;
    this.shared = null;
    const codec = this.codec;
    if (codec === null) {
      this.data = new Map(entries as readonly [StateKey, V][]);
      return;
    }
    const data = new Map<StateKey, V>();
    for (const [k, x] of entries) data.set(k, codec.decode(x));
    this.data = data;
  }
}

/**
 * An aggregate accumulator as it is now, for the copy a copy-on-write map keeps before an in-place
 * change. Primitives are values; flat objects (`{ sum, n }`, the usual shape) are copied by a spread;
 * anything else (a user's aggregate) deeply.
 */
export function copyAccumulator(a: unknown): unknown {
  if (typeof a !== 'object' || a === null) return a;
  if (Object.getPrototypeOf(a) === Object.prototype) {
    const o = a as Record<string, unknown>;
    let flat = true;
    for (const k in o) {
      const v = o[k];
      if (typeof v === 'object' && v !== null) {
        flat = false;
        break;
      }
    }
    if (flat) return { ...o };
  }
  return structuredClone(a);
}

/** The keyed state of one operator: a set of named maps, snapshotted together. */
export class StateStore {
  private readonly maps = new Map<string, MapState<unknown>>();

  /** The map `name`, created on first use (`clone`, `codec`: see MapState). */
  map<V>(name: string, clone?: (v: V) => V, codec?: StateCodec<V>): MapState<V> {
    let m = this.maps.get(name);
    if (!m) {
      m = new MapState<unknown>(
        name,
        clone as ((v: unknown) => unknown) | undefined,
        codec as StateCodec<unknown> | undefined,
      );
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
  /** Plain data now: a shallow copy of every map. */
  snapshot(): Record<string, [StateKey, unknown][]> {
    const out: Record<string, [StateKey, unknown][]> = {};
    for (const [name, m] of this.maps) out[name] = m.snapshot();
    return out;
  }
  /**
   * A copy-on-write snapshot of every map, taken in O(number of maps); the maps share the copies of
   * values changed in place (an operator may tell any of its maps). Restores as `snapshot()`'s form.
   */
  snapshotDeferred(): Record<string, DeferredEntries> {
    const cow = new StoreCow();
    const out: Record<string, DeferredEntries> = {};
    for (const [name, m] of this.maps) out[name] = m.snapshotDeferred(cow);
    return out;
  }
  restore(snapshot: Record<string, [StateKey, unknown][]>): void {
    for (const [name, entries] of Object.entries(snapshot)) this.map(name).restore(entries);
  }
}

/** Where a snapshot holds a DeferredEntries: the property names leading to it from the top. */
export interface DeferredAt {
  readonly path: readonly string[];
  readonly entries: DeferredEntries;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Splits an operator's snapshot into its plain part, where each DeferredEntries is replaced by null,
 * and the DeferredEntries with their paths. DeferredEntries are found as property values of plain
 * objects (nested at any depth); arrays and Maps are not searched, so an operator must not put one
 * there.
 */
export function splitDeferred(state: unknown): { plain: unknown; deferred: DeferredAt[] } {
  const deferred: DeferredAt[] = [];
  const walk = (v: unknown, path: string[]): unknown => {
    if (v instanceof DeferredEntries) {
      deferred.push({ path, entries: v });
      return null;
    }
    if (!isPlainObject(v)) return v;
    let copy: Record<string, unknown> | null = null;
    for (const [k, x] of Object.entries(v)) {
      const y = walk(x, [...path, k]);
      if (y !== x) {
        copy ??= { ...v };
        copy[k] = y;
      }
    }
    return copy ?? v;
  };
  return { plain: walk(state, []), deferred };
}

/** Puts `value` at `path` inside the plain objects of `root` (the inverse of splitDeferred). */
export function setAtPath(root: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  let o = root as Record<string, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[path[path.length - 1] as string] = value;
  return root;
}

/**
 * The snapshot as plain data, now: every DeferredEntries drained and released. For tests and callers
 * that hold a snapshot in memory; the checkpoint writer drains them in chunks instead.
 */
export function materializeSnapshot(state: unknown): unknown {
  const { plain, deferred } = splitDeferred(state);
  let root = plain;
  for (const { path, entries } of deferred) {
    const all: [StateKey, unknown][] = [];
    for (let c = entries.next(65536); c !== null; c = entries.next(65536)) for (const e of c) all.push(e);
    entries.release();
    root = setAtPath(root, path, all);
  }
  // The entries hold live values: copy them before processing can change them.
  return deferred.length === 0 ? root : structuredClone(root);
}
