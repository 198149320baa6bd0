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
