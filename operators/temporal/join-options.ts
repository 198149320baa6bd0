/** Options and checks shared by the temporal joins, and the joined-row builders. */
import { RivuletError } from '../../common/errors.ts';
import type { Row } from '../api.ts';
import { concatRows, padRight } from '../relational/rows.ts';

export type TemporalJoinType = 'INNER' | 'LEFT';

/** What both temporal joins are given. Output rows are `left ++ right` (`leftArity + rightArity` columns). */
export interface TemporalJoinBaseOptions {
  readonly joinType: TemporalJoinType;
  /** Columns of the left (probe) row equated with `rightKeys`, pairwise. */
  readonly leftKeys: readonly number[];
  /** The versioned table's primary-key columns, in the same order as `leftKeys`. */
  readonly rightKeys: readonly number[];
  /** The rest of the ON condition, seeing the left row and the version; only `true` is a match. */
  readonly residual?: (left: Row, right: Row) => boolean | null;
  readonly leftArity: number;
  readonly rightArity: number;
}

export function validateTemporalJoin(name: string, o: TemporalJoinBaseOptions): void {
  if (o.joinType !== 'INNER' && o.joinType !== 'LEFT') {
    throw new RivuletError(
      'plan',
      'TEMPORAL_JOIN_TYPE',
      `a temporal join is INNER or LEFT, got ${String(o.joinType)} (${name})`,
    );
  }
  if (o.rightKeys.length === 0 || o.leftKeys.length !== o.rightKeys.length) {
    throw new RivuletError(
      'plan',
      'JOIN_KEY_MISMATCH',
      `${name} needs the versioned table's primary key equated with as many left columns (got ${o.leftKeys.length} left and ${o.rightKeys.length} right key columns)`,
    );
  }
}

/**
 * The joined row for `left` and the version in force (`null`: none): `left ++ right` when it exists
 * and the residual holds, `left ++ NULLs` for a LEFT join otherwise, and null when nothing is emitted.
 */
export function joinWithVersion(o: TemporalJoinBaseOptions, left: Row, right: Row | null): Row | null {
  if (right !== null && (o.residual === undefined || o.residual(left, right) === true)) {
    return concatRows(left, right);
  }
  return o.joinType === 'LEFT' ? padRight(left, o.rightArity) : null;
}
