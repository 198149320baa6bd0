/**
 * Equality and ordering of runtime values of one type (after widening to a common type), used by
 * NULLIF, GREATEST/LEAST and the collection functions. Arrays and rows compare element-wise, maps by
 * entries, BYTES byte-wise; strings compare by code point (the order of their UTF-8 bytes, as Flink's
 * binary strings do).
 */
import type { Value } from '../../../operators/api.ts';

/** SQL equality of two non-null values of the same type (deep for arrays, maps and BYTES). */
export function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    // NaN equals NaN in Flink's equality of doubles used for collections.
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      const y = b[i];
      if (x === null || y === null ? x !== y : !valueEquals(x, y)) return false;
    }
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) {
      let found = false;
      for (const [k2, v2] of b) {
        if (
          (k === null ? k2 === null : k2 !== null && valueEquals(k, k2)) &&
          (v === null ? v2 === null : v2 !== null && valueEquals(v, v2))
        ) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }
  return false;
}

/** Compares strings by code point (UTF-16 order differs only when surrogates meet U+E000..U+FFFF). */
function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1; // a surrogate starts a code point above U+FFFF
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Orders two non-null values of the same comparable type: negative, zero or positive. */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'string') return compareStrings(a, b as string);
  if (typeof a === 'number' || typeof a === 'bigint')
    return a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array) {
    const y = b as Uint8Array;
    const n = Math.min(a.length, y.length);
    for (let i = 0; i < n; i++) if (a[i] !== y[i]) return (a[i] as number) - (y[i] as number);
    return a.length - y.length;
  }
  return 0;
}
