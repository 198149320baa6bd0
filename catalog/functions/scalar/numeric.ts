/**
 * Numeric plumbing for the scalar built-ins: exact DECIMAL rounding on unscaled bigints, conversion
 * between the runtime representations (INT = number, BIGINT = bigint, DECIMAL = unscaled bigint with the
 * scale in the type, DOUBLE = number), and the common type of several arguments (Flink's widening:
 * TINYINT < SMALLINT < INT < BIGINT < DECIMAL < DOUBLE; strings widen to VARCHAR; DATE to TIMESTAMP).
 */
import type { Value } from '../../../operators/api.ts';
import { type LogicalType, MAX_LENGTH, T, typeEquals, withNullable } from '../../types.ts';

export const MAX_DECIMAL_PRECISION = 38;

const POW10: bigint[] = [];
/** 10^n as a bigint (cached). */
export function pow10(n: number): bigint {
  let v = POW10[n];
  if (v === undefined) {
    v = 10n ** BigInt(n);
    POW10[n] = v;
  }
  return v;
}

export type RoundingMode = 'HALF_UP' | 'DOWN' | 'FLOOR' | 'CEILING';

/** Divides `u` by 10^k (k >= 0) with the rounding mode, exactly. */
export function shiftRight(u: bigint, k: number, mode: RoundingMode): bigint {
  if (k <= 0) return u * pow10(-k);
  const d = pow10(k);
  const q = u / d; // truncates toward zero
  const r = u - q * d;
  if (r === 0n) return q;
  switch (mode) {
    case 'DOWN':
      return q;
    case 'FLOOR':
      return u < 0n ? q - 1n : q;
    case 'CEILING':
      return u > 0n ? q + 1n : q;
    case 'HALF_UP': {
      const twice = (r < 0n ? -r : r) * 2n;
      if (twice >= d) return u < 0n ? q - 1n : q + 1n;
      return q;
    }
  }
}

/** Rescales an unscaled value from scale `from` to scale `to` (rounding when it loses digits). */
export function rescale(u: bigint, from: number, to: number, mode: RoundingMode = 'HALF_UP'): bigint {
  if (to >= from) return u * pow10(to - from);
  return shiftRight(u, from - to, mode);
}

/** The DOUBLE nearest to unscaled `u` at scale `s` (through decimal text, so it is correctly rounded). */
export function decimalToNumber(u: bigint, s: number): number {
  return s === 0 ? Number(u) : Number(`${u}e-${s}`);
}

/** Decimal text of unscaled `u` at scale `s`, e.g. (12345n, 2) -> "123.45". */
export function decimalToString(u: bigint, s: number): string {
  if (s <= 0) return (u * pow10(-s)).toString();
  const neg = u < 0n;
  const digits = (neg ? -u : u).toString().padStart(s + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, digits.length - s)}.${digits.slice(digits.length - s)}`;
}

/**
 * Parses decimal text (optional sign, digits, optional fraction, optional exponent) into an unscaled
 * value at scale `s`, rounding HALF_UP; undefined when the text is not a number.
 */
export function parseDecimal(text: string, s: number): bigint | undefined {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const frac = m[3] ?? '';
  const exp = m[4] ? Number.parseInt(m[4], 10) : 0;
  let u = BigInt(`${m[2] || '0'}${frac}`);
  if (m[1] === '-') u = -u;
  // value = u * 10^(exp - frac.length); want unscaled at scale s.
  return rescale(u, frac.length - exp, s);
}

/** The shortest decimal text of a finite double as an unscaled value and its scale (scale may be negative). */
export function exactDecimal(x: number): { u: bigint; s: number } {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x)) as RegExpExecArray;
  const frac = m[3] ?? '';
  const u = BigInt(`${m[1]}${m[2]}${frac}`);
  return { u, s: frac.length - (m[4] ? Number.parseInt(m[4], 10) : 0) };
}

/** The exact decimal value of a finite double at scale `s`, via its shortest decimal text (as Java's BigDecimal.valueOf). */
export function numberToDecimal(x: number, s: number): bigint {
  return parseDecimal(String(x), s) as bigint;
}

/** Precision of an integral kind when seen as a DECIMAL (Flink's rule). */
export function integralDecimalPrecision(kind: string): number {
  switch (kind) {
    case 'TINYINT':
      return 3;
    case 'SMALLINT':
      return 5;
    case 'INT':
      return 10;
    default:
      return 19;
  }
}

const INT_RANK: Record<string, number> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4 };

/** The DECIMAL view of an exact type: DECIMAL stays, integers become DECIMAL(n, 0). */
function asDecimal(t: LogicalType): { p: number; s: number } {
  if (t.kind === 'DECIMAL') return { p: t.precision ?? 10, s: t.scale ?? 0 };
  return { p: integralDecimalPrecision(t.kind), s: 0 };
}

/**
 * The type all of `types` widen to (ignoring nullability; the result is nullable iff every input is,
 * as COALESCE needs, callers adjust), or undefined when they have none.
 */
export function commonType(types: readonly LogicalType[]): LogicalType | undefined {
  const typed = types.filter((t) => t.kind !== 'NULL');
  if (typed.length === 0) return T.null();
  const first = typed[0] as LogicalType;
  const nullable = types.some((t) => t.nullable);
  if (typed.every((t) => typeEquals(t, first, true))) return withNullable(first, nullable);
  const kinds = new Set(typed.map((t) => t.kind));
  const all = (pred: (k: string) => boolean): boolean => [...kinds].every(pred);
  if (all((k) => k in INT_RANK || k === 'DECIMAL' || k === 'FLOAT' || k === 'DOUBLE')) {
    if (kinds.has('DOUBLE') || (kinds.has('FLOAT') && kinds.size > 1)) return T.double(nullable);
    if (kinds.has('FLOAT')) return T.float(nullable);
    if (kinds.has('DECIMAL')) {
      let s = 0;
      let intDigits = 0;
      for (const t of typed) {
        const d = asDecimal(t);
        s = Math.max(s, d.s);
        intDigits = Math.max(intDigits, d.p - d.s);
      }
      const p = Math.min(MAX_DECIMAL_PRECISION, intDigits + s);
      return T.decimal(p, Math.min(s, p), nullable);
    }
    let best = first;
    for (const t of typed) if ((INT_RANK[t.kind] ?? 0) > (INT_RANK[best.kind] ?? 0)) best = t;
    return withNullable(best, nullable);
  }
  if (all((k) => k === 'CHAR' || k === 'VARCHAR')) {
    const len = Math.max(...typed.map((t) => t.precision ?? MAX_LENGTH));
    return T.varchar(len, nullable);
  }
  if (all((k) => k === 'BINARY' || k === 'VARBINARY')) {
    const len = Math.max(...typed.map((t) => t.precision ?? MAX_LENGTH));
    return T.varbinary(len, nullable);
  }
  if (all((k) => k === 'DATE' || k === 'TIMESTAMP')) {
    const p = Math.max(...typed.map((t) => (t.kind === 'TIMESTAMP' ? (t.precision ?? 6) : 0)));
    return T.timestamp(p, nullable);
  }
  if (all((k) => k === 'TIMESTAMP' || k === 'TIMESTAMP_LTZ')) {
    const p = Math.max(...typed.map((t) => t.precision ?? 6));
    return T.timestampLtz(p, nullable);
  }
  if (all((k) => k === 'TIME')) return T.time(Math.max(...typed.map((t) => t.precision ?? 0)), nullable);
  if (all((k) => k === 'ARRAY')) {
    const e = commonType(typed.map((t) => t.element as LogicalType));
    return e ? T.array(e, nullable) : undefined;
  }
  if (all((k) => k === 'MAP')) {
    const k = commonType(typed.map((t) => t.key as LogicalType));
    const v = commonType(typed.map((t) => t.element as LogicalType));
    return k && v ? T.map(k, v, nullable) : undefined;
  }
  return undefined;
}

const identity = (v: Value): Value => v;

/**
 * A converter of runtime values from type `from` to the wider type `to` (as chosen by `commonType`).
 * Identity when the representations agree; never called with null.
 */
export function widen(from: LogicalType, to: LogicalType): (v: Value) => Value {
  if (from.kind === 'NULL' || typeEquals(from, to, true)) return identity;
  const fromInt = from.kind in INT_RANK;
  switch (to.kind) {
    case 'BIGINT':
      return fromInt && from.kind !== 'BIGINT' ? (v) => BigInt(v as number) : identity;
    case 'DECIMAL': {
      const s = to.scale ?? 0;
      if (fromInt) {
        const f = pow10(s);
        return from.kind === 'BIGINT' ? (v) => (v as bigint) * f : (v) => BigInt(v as number) * f;
      }
      if (from.kind === 'DECIMAL') {
        const fs = from.scale ?? 0;
        return fs === s ? identity : (v) => rescale(v as bigint, fs, s);
      }
      return identity;
    }
    case 'FLOAT':
    case 'DOUBLE':
      if (from.kind === 'BIGINT') return (v) => Number(v as bigint);
      if (from.kind === 'DECIMAL') {
        const fs = from.scale ?? 0;
        return (v) => decimalToNumber(v as bigint, fs);
      }
      return identity;
    case 'TIMESTAMP':
      return from.kind === 'DATE' ? (v) => (v as number) * 86_400_000 : identity;
    case 'ARRAY': {
      const e = widen(from.element as LogicalType, to.element as LogicalType);
      return e === identity ? identity : (v) => (v as Value[]).map((x) => (x === null ? null : e(x)));
    }
    case 'MAP': {
      const k = widen(from.key as LogicalType, to.key as LogicalType);
      const e = widen(from.element as LogicalType, to.element as LogicalType);
      if (k === identity && e === identity) return identity;
      return (v) => {
        const out = new Map<Value, Value>();
        for (const [a, b] of v as Map<Value, Value>)
          out.set(a === null ? null : k(a), b === null ? null : e(b));
        return out;
      };
    }
    default:
      return identity;
  }
}

/** true when `widen(from, to)` is the identity (lets callers skip a per-row call). */
export function isIdentityWiden(from: LogicalType, to: LogicalType): boolean {
  return widen(from, to) === identity;
}
