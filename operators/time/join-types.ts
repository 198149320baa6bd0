/** Join types of the time-bounded joins, and the null padding of outer joins. */
import type { Row } from '../api.ts';

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'SEMI' | 'ANTI';

export function padsLeft(t: JoinType): boolean {
  return t === 'LEFT' || t === 'FULL';
}

export function padsRight(t: JoinType): boolean {
  return t === 'RIGHT' || t === 'FULL';
}

/** `left ++ nulls` for an unmatched left row. */
export function padLeftRow(left: Row, rightArity: number): Row {
  const r = left.slice();
  for (let i = 0; i < rightArity; i++) r.push(null);
  return r;
}

/** `nulls ++ right` for an unmatched right row. */
export function padRightRow(right: Row, leftArity: number): Row {
  const r: Row = new Array(leftArity).fill(null);
  for (const v of right) r.push(v);
  return r;
}

/** True when any equi-key value is NULL: SQL equality never matches it. */
export function hasNullKey(row: Row, keys: readonly number[]): boolean {
  for (const c of keys) if (row[c] === null) return true;
  return false;
}
