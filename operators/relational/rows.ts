/** Small row helpers shared by the relational operators. */
import type { Row, Value } from '../api.ts';

/** `left ++ right` as a new row. */
export function concatRows(left: Row, right: Row): Row {
  const n = left.length;
  const out = new Array<Value>(n + right.length);
  for (let i = 0; i < n; i++) out[i] = left[i];
  for (let i = 0; i < right.length; i++) out[n + i] = right[i];
  return out;
}

/** `left ++ NULL x width`. */
export function padRight(left: Row, width: number): Row {
  const n = left.length;
  const out = new Array<Value>(n + width);
  for (let i = 0; i < n; i++) out[i] = left[i];
  for (let i = 0; i < width; i++) out[n + i] = null;
  return out;
}

/** `NULL x width ++ right`. */
export function padLeft(width: number, right: Row): Row {
  const out = new Array<Value>(width + right.length);
  for (let i = 0; i < width; i++) out[i] = null;
  for (let i = 0; i < right.length; i++) out[width + i] = right[i];
  return out;
}

/** A short, human-readable rendering of a row for error messages (cut at `max` characters). */
export function describeRow(row: Row, max = 200): string {
  let s = '[';
  for (let i = 0; i < row.length && s.length < max; i++) {
    if (i > 0) s += ', ';
    s += describeValue(row[i]);
  }
  s += ']';
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

function describeValue(v: Value): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}`;
  if (Array.isArray(v)) return describeRow(v, 60);
  if (v instanceof Uint8Array)
    return `x'${Buffer.from(v.subarray(0, 16)).toString('hex')}${v.length > 16 ? '...' : ''}'`;
  if (v instanceof Map) return `MAP(${v.size})`;
  return String(v);
}
