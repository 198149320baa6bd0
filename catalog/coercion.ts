/**
 * Which types convert to which: implicit widening (applied silently by the planner), explicit casts
 * (CAST/TRY_CAST, validated at planning time), and the least restrictive common type of several
 * expressions (CASE branches, UNION inputs, IN lists, COALESCE arguments, comparison operands).
 *
 * Sources: Flink's documented cast matrix (docs/dev/table/types.md, "Casting") for explicit casts;
 * Flink's `LogicalTypeCasts` implicit rules (numeric widening TINYINT < SMALLINT < INT < BIGINT <
 * DECIMAL < FLOAT < DOUBLE, CHAR -> VARCHAR, BINARY -> VARBINARY, TIMESTAMP <-> TIMESTAMP_LTZ); and
 * Flink's `LogicalTypeMerging.findCommonType` for the common type:
 *   1. NULL-typed operands do not take part; the result is nullable if any input is.
 *   2. Character strings merge to CHAR(n) when all are CHAR of one length, otherwise VARCHAR(max).
 *   3. Exact numerics merge to the wider integer, or to a DECIMAL keeping the most integer digits
 *      d = max(p-s) and scale min(max(s), 38 - d); integers count as DECIMAL(3/5/10/19, 0).
 *   4. Any FLOAT/DOUBLE makes the result approximate: DOUBLE if a DOUBLE or a DECIMAL is involved,
 *      FLOAT otherwise.
 *   5. TIME and TIMESTAMP keep the larger precision; TIMESTAMP with TIMESTAMP_LTZ gives TIMESTAMP_LTZ.
 *   6. ARRAY, MULTISET, MAP and ROW merge element-wise (ROW keeps the first input's field names).
 *   7. Otherwise there is no common type unless each type implicitly casts to one of them.
 * Nullability is ignored by the cast checks: NOT NULL constraints are the planner's business.
 */
import { RivuletError } from '../common/errors.ts';
import { MAX_DECIMAL_PRECISION } from './decimal.ts';
import {
  isApproxNumeric,
  isBinaryString,
  isCharacterString,
  isNumeric,
  isTimestamp,
  type LogicalType,
  MAX_LENGTH,
  type RowField,
  T,
  type TypeKind,
  typeToString,
  withNullable,
} from './types.ts';

/** Position of each numeric kind in the implicit widening order. */
const NUMERIC_RANK: Partial<Record<TypeKind, number>> = {
  TINYINT: 0,
  SMALLINT: 1,
  INT: 2,
  BIGINT: 3,
  DECIMAL: 4,
  FLOAT: 5,
  DOUBLE: 6,
};

/** Decimal digits of the integer types (Flink treats them as DECIMAL(n, 0) when merging). */
const INTEGER_DIGITS: Partial<Record<TypeKind, number>> = { TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19 };

/**
 * True if a value of `from` may be used where `to` is expected without an explicit CAST.
 *
 * @example canCastImplicitly(T.int(), T.bigint()) // true
 */
export function canCastImplicitly(from: LogicalType, to: LogicalType): boolean {
  if (from.kind === 'NULL') return true;
  const rf = NUMERIC_RANK[from.kind];
  const rt = NUMERIC_RANK[to.kind];
  if (rf !== undefined && rt !== undefined) return rf <= rt;
  switch (to.kind) {
    case 'VARCHAR':
      return isCharacterString(from);
    case 'CHAR':
      return from.kind === 'CHAR';
    case 'VARBINARY':
      return isBinaryString(from);
    case 'BINARY':
      return from.kind === 'BINARY';
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return isTimestamp(from);
    case 'ARRAY':
    case 'MULTISET':
      return (
        from.kind === to.kind && canCastImplicitly(from.element as LogicalType, to.element as LogicalType)
      );
    case 'MAP':
      return (
        from.kind === 'MAP' &&
        canCastImplicitly(from.key as LogicalType, to.key as LogicalType) &&
        canCastImplicitly(from.element as LogicalType, to.element as LogicalType)
      );
    case 'ROW':
      return from.kind === 'ROW' && fieldsCast(from, to, canCastImplicitly);
    default:
      return from.kind === to.kind;
  }
}

function fieldsCast(
  from: LogicalType,
  to: LogicalType,
  check: (a: LogicalType, b: LogicalType) => boolean,
): boolean {
  const a = from.fields ?? [];
  const b = to.fields ?? [];
  return a.length === b.length && a.every((f, i) => check(f.type, (b[i] as RowField).type));
}

/**
 * True if `CAST(x AS to)` is valid for `x` of type `from` (it may still fail at run time for some
 * values, e.g. a STRING that is not a number). Follows Flink's cast matrix.
 */
export function canCastExplicitly(from: LogicalType, to: LogicalType): boolean {
  if (canCastImplicitly(from, to)) return true;
  const f = from.kind;
  // Everything has a text form.
  if (isCharacterString(to)) return f !== 'DESCRIPTOR';
  if (isCharacterString(from)) {
    // STRING parses into any primitive type, but not into intervals or constructed types.
    return (
      isNumeric(to) ||
      isBinaryString(to) ||
      to.kind === 'BOOLEAN' ||
      to.kind === 'DATE' ||
      to.kind === 'TIME' ||
      isTimestamp(to)
    );
  }
  switch (to.kind) {
    case 'BINARY':
    case 'VARBINARY':
      return isBinaryString(from);
    case 'BOOLEAN':
      return f === 'BOOLEAN' || f === 'TINYINT' || f === 'SMALLINT' || f === 'INT' || f === 'BIGINT';
    case 'TINYINT':
    case 'SMALLINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DECIMAL':
      return isNumeric(from) || f === 'BOOLEAN';
    case 'INT':
      return isNumeric(from) || f === 'BOOLEAN' || f === 'INTERVAL_YEAR_MONTH';
    case 'BIGINT':
      return isNumeric(from) || f === 'BOOLEAN' || f === 'INTERVAL_DAY_TIME';
    case 'DATE':
      return f === 'DATE' || isTimestamp(from);
    case 'TIME':
      return f === 'TIME' || isTimestamp(from);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return f === 'DATE' || f === 'TIME' || isTimestamp(from);
    case 'INTERVAL_YEAR_MONTH':
      return f === 'INTERVAL_YEAR_MONTH' || f === 'INT';
    case 'INTERVAL_DAY_TIME':
      return f === 'INTERVAL_DAY_TIME' || f === 'BIGINT';
    case 'ARRAY':
    case 'MULTISET':
      return f === to.kind && canCastExplicitly(from.element as LogicalType, to.element as LogicalType);
    case 'MAP':
      return (
        f === 'MAP' &&
        canCastExplicitly(from.key as LogicalType, to.key as LogicalType) &&
        canCastExplicitly(from.element as LogicalType, to.element as LogicalType)
      );
    case 'ROW':
      return f === 'ROW' && fieldsCast(from, to, canCastExplicitly);
    default:
      return false;
  }
}

/**
 * The least restrictive type all `types` convert to implicitly (Flink's findCommonType), or null if
 * there is none. Nullable if any input is nullable. An all-NULL list gives the NULL type.
 *
 * @example leastRestrictive([T.int(), T.decimal(5, 2)]) // DECIMAL(12, 2)
 */
export function leastRestrictive(types: readonly LogicalType[]): LogicalType | null {
  if (types.length === 0) return null;
  const nullable = types.some((t) => t.nullable);
  const typed = types.filter((t) => t.kind !== 'NULL').map((t) => withNullable(stripAttr(t), true));
  if (typed.length === 0) return T.null();
  const found = mergeSimilar(typed) ?? mergeCastable(typed);
  return found ? withNullable(found, nullable) : null;
}

/**
 * As `leastRestrictive`, but a missing common type is a planning error naming the types and what they
 * are, e.g. `CASE branches have no common type: INT, STRING`.
 */
export function commonTypeOrThrow(types: readonly LogicalType[], what: string): LogicalType {
  const t = leastRestrictive(types);
  if (!t) {
    throw new RivuletError(
      'plan',
      'TYPE_MISMATCH',
      `${what} have no common type: ${types.map(typeToString).join(', ')}`,
    );
  }
  return t;
}

function stripAttr(t: LogicalType): LogicalType {
  if (!t.timeAttribute) return t;
  const { timeAttribute: _drop, ...rest } = t;
  return rest;
}

function similar(a: LogicalType, b: LogicalType): boolean {
  return (
    (isCharacterString(a) && isCharacterString(b)) ||
    (isBinaryString(a) && isBinaryString(b)) ||
    (isNumeric(a) && isNumeric(b)) ||
    (isTimestamp(a) && isTimestamp(b)) ||
    a.kind === b.kind
  );
}

function mergeSimilar(types: readonly LogicalType[]): LogicalType | null {
  let result = types[0] as LogicalType;
  for (const t of types) {
    if (t.kind === 'ARRAY' || t.kind === 'MULTISET' || t.kind === 'MAP' || t.kind === 'ROW') {
      return mergeConstructed(types);
    }
    if (!similar(result, t)) return null;
    if (isCharacterString(t) || isBinaryString(t)) {
      result = mergeStrings(result, t);
    } else if (isNumeric(t)) {
      result = mergeNumeric(result, t);
    } else if (t.kind === 'TIME') {
      result = T.time(Math.max(result.precision ?? 0, t.precision ?? 0));
    } else if (isTimestamp(t)) {
      const p = Math.max(result.precision ?? 6, t.precision ?? 6);
      result =
        result.kind === 'TIMESTAMP_LTZ' || t.kind === 'TIMESTAMP_LTZ' ? T.timestampLtz(p) : T.timestamp(p);
    } else if (t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH') {
      if (result.resolution !== t.resolution) {
        result = t.kind === 'INTERVAL_DAY_TIME' ? T.intervalDayTime() : T.intervalYearMonth();
      }
    } else if (t.kind === 'DATE' || t.kind === 'BOOLEAN') {
      result = t;
    } else {
      return null;
    }
  }
  return result;
}

function mergeStrings(a: LogicalType, b: LogicalType): LogicalType {
  const length = Math.max(a.precision ?? 1, b.precision ?? 1);
  const character = isCharacterString(a);
  const fixed = character ? 'CHAR' : 'BINARY';
  if (a.kind === fixed && b.kind === fixed && a.precision === b.precision) return a;
  if (character) return length === MAX_LENGTH ? T.string() : T.varchar(length);
  return length === MAX_LENGTH ? T.bytes() : T.varbinary(length);
}

function mergeNumeric(a: LogicalType, b: LogicalType): LogicalType {
  if (isApproxNumeric(a) || isApproxNumeric(b)) {
    if (a.kind === 'DOUBLE' || b.kind === 'DOUBLE' || a.kind === 'DECIMAL' || b.kind === 'DECIMAL') {
      return T.double();
    }
    return T.float();
  }
  if (a.kind !== 'DECIMAL' && b.kind !== 'DECIMAL') {
    return (NUMERIC_RANK[a.kind] as number) >= (NUMERIC_RANK[b.kind] as number) ? a : b;
  }
  const [p1, s1] = exactShape(a);
  const [p2, s2] = exactShape(b);
  const d = Math.min(Math.max(p1 - s1, p2 - s2), MAX_DECIMAL_PRECISION);
  const s = Math.min(Math.max(s1, s2), MAX_DECIMAL_PRECISION - d);
  return T.decimal(d + s, s);
}

function exactShape(t: LogicalType): [number, number] {
  if (t.kind === 'DECIMAL') return [t.precision ?? 10, t.scale ?? 0];
  return [INTEGER_DIGITS[t.kind] as number, 0];
}

function mergeConstructed(types: readonly LogicalType[]): LogicalType | null {
  const first = types[0] as LogicalType;
  if (!types.every((t) => t.kind === first.kind)) return null;
  switch (first.kind) {
    case 'ARRAY':
    case 'MULTISET': {
      const e = leastRestrictive(types.map((t) => t.element as LogicalType));
      if (!e) return null;
      return first.kind === 'ARRAY' ? T.array(e) : T.multiset(e);
    }
    case 'MAP': {
      const k = leastRestrictive(types.map((t) => t.key as LogicalType));
      const v = leastRestrictive(types.map((t) => t.element as LogicalType));
      return k && v ? T.map(k, v) : null;
    }
    default: {
      const n = (first.fields ?? []).length;
      if (!types.every((t) => (t.fields ?? []).length === n)) return null;
      const fields: RowField[] = [];
      for (let i = 0; i < n; i++) {
        const f = leastRestrictive(types.map((t) => ((t.fields ?? [])[i] as RowField).type));
        if (!f) return null;
        const original = (first.fields ?? [])[i] as RowField;
        fields.push({ ...original, type: f });
      }
      return T.row(fields);
    }
  }
}

function mergeCastable(types: readonly LogicalType[]): LogicalType | null {
  let result = types[0] as LogicalType;
  for (const t of types) {
    if (canCastImplicitly(result, t)) result = t;
    else if (!canCastImplicitly(t, result)) return null;
  }
  return result;
}

/** True when values of the two types can be compared with `=` (they have a common type). */
export function areComparable(a: LogicalType, b: LogicalType): boolean {
  return leastRestrictive([a, b]) !== null;
}

/** True for kinds whose values have an order (`<`, MIN/MAX, ORDER BY). */
export function isOrderable(t: LogicalType): boolean {
  return (
    isNumeric(t) ||
    isCharacterString(t) ||
    isBinaryString(t) ||
    t.kind === 'BOOLEAN' ||
    t.kind === 'DATE' ||
    t.kind === 'TIME' ||
    isTimestamp(t) ||
    t.kind === 'INTERVAL_DAY_TIME' ||
    t.kind === 'INTERVAL_YEAR_MONTH' ||
    t.kind === 'NULL'
  );
}
