/**
 * Ordering and equality of runtime values (see docs/architecture.md for the representation of each
 * SQL type), used by ORDER BY, by set operations and by the aggregate's "did the result change" test.
 *
 * The order, per representation:
 *   1. NULL sorts before every non-NULL value here; `buildComparator` moves NULLs per NULLS FIRST/LAST.
 *   2. numbers numerically, with NaN after every other number (as Java's Double.compare, which Flink
 *      uses) and -0 equal to 0 (SQL compares values, not bit patterns); bigint numerically; a number
 *      against a bigint compares their mathematical values (the planner normally casts both sides to one
 *      type first, this only keeps a mixed comparison correct).
 *   3. strings by Unicode code point (what Flink's UTF-8 byte order gives), not by UTF-16 code unit.
 *   4. booleans FALSE < TRUE; bytes as unsigned bytes, lexicographically, a prefix first.
 *   5. arrays/ROWs element by element, a prefix first; maps by size, then by their entries sorted by key.
 *   6. values of different kinds (only reachable through a planner bug) by a fixed kind rank, so the
 *      order stays total and a sort never throws mid-job.
 */
import type { Row, Value } from '../api.ts';

/** Compares two values of one SQL type: negative, zero or positive. NULL is smallest. */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'number' && tb === 'number') return compareNumbers(a as number, b as number);
  if (ta === 'string' && tb === 'string') return compareStrings(a as string, b as string);
  if (ta === 'bigint' && tb === 'bigint')
    return (a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0;
  if (ta === 'boolean' && tb === 'boolean') return a ? 1 : -1; // a !== b here
  if ((ta === 'number' && tb === 'bigint') || (ta === 'bigint' && tb === 'number')) return compareMixed(a, b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return compareArrays(a, b);
  if (a instanceof Map && b instanceof Map) return compareMaps(a, b);
  const ra = kindRank(a);
  const rb = kindRank(b);
  if (ra !== rb) return ra - rb;
  // Two values of an unknown object kind: order by their canonical JSON so the order is still total.
  return compareStrings(JSON.stringify(a) ?? '', JSON.stringify(b) ?? '');
}

/** SQL value equality (NULL equals NULL here: this is "not distinct from", used for change detection). */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'number' && tb === 'number') return Number.isNaN(a) && Number.isNaN(b); // NaN equals NaN
  if (ta === tb && (ta === 'string' || ta === 'boolean' || ta === 'bigint')) return false;
  return compareValues(a, b) === 0;
}

/** Two rows are equal when every column is (NULLs equal). */
export function rowsEqual(a: Row, b: Row): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i])) return false;
  return true;
}

/** One ORDER BY key: the column position, the direction and where NULLs go. */
export interface SortKey {
  readonly index: number;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/**
 * Builds a row comparator for ORDER BY. Flink's default is NULLS FIRST for ASC and NULLS LAST for
 * DESC; the planner decides and passes `nullsFirst` explicitly, this function only obeys it.
 *
 * @example
 * rows.sort(buildComparator([{ index: 1, descending: true, nullsFirst: false }]));
 */
export function buildComparator(keys: readonly SortKey[]): (a: Row, b: Row) => number {
  const n = keys.length;
  const idx = keys.map((k) => k.index);
  const sign = keys.map((k) => (k.descending ? -1 : 1));
  const nullSide = keys.map((k) => (k.nullsFirst ? -1 : 1));
  return (a, b) => {
    for (let i = 0; i < n; i++) {
      const c = idx[i] as number;
      const x = a[c];
      const y = b[c];
      if (x === null || x === undefined) {
        if (y === null || y === undefined) continue;
        return nullSide[i] as number;
      }
      if (y === null || y === undefined) return -(nullSide[i] as number);
      const r = compareValues(x, y);
      if (r !== 0) return r * (sign[i] as number);
    }
    return 0;
  };
}

function compareNumbers(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0; // also -0 vs 0
  // At least one NaN: NaN is the largest number, equal to itself.
  const na = Number.isNaN(a);
  const nb = Number.isNaN(b);
  return na === nb ? 0 : na ? 1 : -1;
}

function compareMixed(a: Value, b: Value): number {
  // One side is a bigint, the other a number. Compare exactly where the number is an integer.
  if (typeof a === 'number') return -compareMixed(b, a);
  const big = a as bigint;
  const num = b as number;
  if (Number.isNaN(num)) return -1; // NaN is the largest
  if (num === Infinity) return -1;
  if (num === -Infinity) return 1;
  const whole = Math.trunc(num);
  const wb = BigInt(whole);
  if (big < wb) return -1;
  if (big > wb) return 1;
  // Equal integer parts: the fraction of `num` decides.
  return num > whole ? -1 : num < whole ? 1 : 0;
}

/** Code-point order. UTF-16 unit order differs from it only for a surrogate vs a unit in E000-FFFF. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const sx = x >= 0xd800 && x <= 0xdfff;
      const sy = y >= 0xd800 && y <= 0xdfff;
      if (sx !== sy) return sx ? 1 : -1; // a surrogate encodes a code point above U+FFFF
      return x - y;
    }
  }
  return a.length - b.length;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function compareArrays(a: readonly Value[], b: readonly Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = compareValues(a[i], b[i]);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function compareMaps(a: Map<Value, Value>, b: Map<Value, Value>): number {
  if (a.size !== b.size) return a.size - b.size;
  const ea = sortedEntries(a);
  const eb = sortedEntries(b);
  for (let i = 0; i < ea.length; i++) {
    const x = ea[i] as [Value, Value];
    const y = eb[i] as [Value, Value];
    const d = compareValues(x[0], y[0]) || compareValues(x[1], y[1]);
    if (d !== 0) return d;
  }
  return 0;
}

function sortedEntries(m: Map<Value, Value>): [Value, Value][] {
  return [...m.entries()].sort((x, y) => compareValues(x[0], y[0]) || compareValues(x[1], y[1]));
}

function kindRank(v: Value): number {
  switch (typeof v) {
    case 'boolean':
      return 1;
    case 'number':
    case 'bigint':
      return 2;
    case 'string':
      return 3;
    default:
      if (v instanceof Uint8Array) return 4;
      if (Array.isArray(v)) return 5;
      if (v instanceof Map) return 6;
      return 7;
  }
}
