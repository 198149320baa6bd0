/**
 * Ranking over rows kept sorted by a comparator, shared by the Top-N operators: stable insertion
 * position, ROW_NUMBER / RANK / DENSE_RANK of a sorted list, and rank-range validation.
 */
import { RivuletError } from '../../common/errors.ts';
import type { Row } from '../api.ts';

export type RankType = 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK';

/** Position after the last element that compares <= `row` (stable insertion point). */
export function upperBound(rows: readonly Row[], row: Row, compare: (a: Row, b: Row) => number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(rows[mid] as Row, row) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Ranks of a sorted list under the rank type (1-based, parallel to `rows`). */
export function ranksOf(rows: readonly Row[], type: RankType, compare: (a: Row, b: Row) => number): number[] {
  const ranks: number[] = [];
  let dense = 0;
  for (let i = 0; i < rows.length; i++) {
    const tied = i > 0 && compare(rows[i - 1] as Row, rows[i] as Row) === 0;
    if (!tied) dense++;
    if (type === 'ROW_NUMBER') ranks.push(i + 1);
    else if (type === 'DENSE_RANK') ranks.push(dense);
    else ranks.push(tied ? (ranks[i - 1] as number) : i + 1);
  }
  return ranks;
}

export function validateRankRange(rankStart: number, rankEnd: number): void {
  if (!Number.isInteger(rankStart) || !Number.isInteger(rankEnd) || rankStart < 1 || rankEnd < rankStart) {
    throw new RivuletError(
      'plan',
      'TOPN_INVALID_RANK_RANGE',
      `a Top-N rank range must satisfy 1 <= start <= end, got [${rankStart}, ${rankEnd}]`,
    );
  }
}
