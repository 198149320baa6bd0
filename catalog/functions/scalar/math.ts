/**
 * Arithmetic built-ins with Flink's names, argument and result types: ABS, MOD, ROUND, TRUNCATE, FLOOR,
 * CEIL/CEILING, POWER, SQRT, EXP, LN, LOG, LOG10, LOG2, SIGN, RAND, RAND_INTEGER, PI, E, the
 * trigonometric and hyperbolic functions, DEGREES, RADIANS, BIN, HEX.
 *
 * Exactness: DECIMAL values are unscaled bigints and are rounded with bigint arithmetic, never through
 * binary floating point. ROUND/TRUNCATE of a DOUBLE go through the double's shortest decimal text (as
 * Flink's `BigDecimal.valueOf`), so ROUND(2.675, 2) is 2.68. Integer results wrap as in Java.
 *
 * Call shapes the planner uses: ROUND(x), ROUND(x, d), TRUNCATE(x[, d]), FLOOR(x) and CEIL(x) on numbers
 * (FLOOR/CEIL of a time value is FLOOR_TIME/CEIL_TIME in temporal.ts), LOG(x) or LOG(base, x),
 * RAND(), RAND(seed), RAND_INTEGER(bound), RAND_INTEGER(seed, bound).
 * ROUND/TRUNCATE of a DECIMAL take Flink's result type when `d` is a planning-time literal (see
 * util.ts, literal-aware resolution): DECIMAL(p, s) for d >= s, DECIMAL(1 + p - s + d, d) for 0 <= d < s,
 * DECIMAL(1 + p - s, 0) for d < 0. When `d` varies per row the result keeps the scale s
 * (DECIMAL(min(38, p + 1), s)), still rounded at d digits.
 */
import type { Value } from '../../../operators/api.ts';
import { decimalShapeOf, moduloShape } from '../../decimal.ts';
import { type LogicalType, T, withNullable } from '../../types.ts';
import type { ScalarFunctionDef } from '../registry.ts';
import {
  decimalToNumber,
  exactDecimal,
  MAX_DECIMAL_PRECISION,
  pow10,
  type RoundingMode,
  shiftRight,
  toDoubleConverter,
  toUnscaledConverter,
} from './numeric.ts';
import {
  anyNullable,
  badCall,
  defineScalar,
  isBin,
  isIntegralT,
  isNum,
  isStr,
  nullAware,
  nullableFrom,
  pure,
  runtimeError,
  stringOf,
} from './util.ts';

const NUMERIC_SIG = (name: string): string => `${name}(<NUMERIC>)`;

/** Wraps an integer result to its type's range, as Java's narrowing does. */
function wrapInt(kind: string): (x: number) => number {
  switch (kind) {
    case 'TINYINT':
      return (x) => (x << 24) >> 24;
    case 'SMALLINT':
      return (x) => (x << 16) >> 16;
    default:
      return (x) => x | 0;
  }
}

/** The argument seen as a DOUBLE (the representation converter). */
const toDouble = toDoubleConverter;

const divisionByZero = () => runtimeError('DIVISION_BY_ZERO', 'Division by zero in MOD');

// ---- ABS, SIGN ----

const abs = defineScalar('ABS', 'Absolute value of a number; same type as the argument.', (args) => {
  const t = args[0];
  const isInterval = t !== undefined && (t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH');
  if (args.length !== 1 || !t || !(isNum(t) || isInterval)) {
    throw badCall('ABS', args, [NUMERIC_SIG('ABS'), 'ABS(<INTERVAL>)']);
  }
  switch (t.kind) {
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return pure(t, (v: number) => Math.abs(v));
    case 'BIGINT':
      return pure(t, (v: bigint) => BigInt.asIntN(64, v < 0n ? -v : v));
    case 'DECIMAL':
      return pure(t, (v: bigint) => (v < 0n ? -v : v));
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const wrap = wrapInt(t.kind);
      return pure(t, (v: number) => wrap(Math.abs(v)));
    }
    default:
      return pure(t.kind === 'NULL' ? T.int() : t, (v: number) => Math.abs(v));
  }
});

const sign = defineScalar('SIGN', 'Sign of a number (-1, 0 or 1) in the type of the argument.', (args) => {
  const t = args[0];
  if (args.length !== 1 || !t || !isNum(t)) throw badCall('SIGN', args, [NUMERIC_SIG('SIGN')]);
  switch (t.kind) {
    case 'BIGINT':
      return pure(t, (v: bigint) => (v > 0n ? 1n : v < 0n ? -1n : 0n));
    case 'DECIMAL': {
      const one = pow10(t.scale ?? 0);
      return pure(t, (v: bigint) => (v > 0n ? one : v < 0n ? -one : 0n));
    }
    default:
      return pure(t.kind === 'NULL' ? T.int() : t, (v: number) => (Number.isNaN(v) ? v : Math.sign(v) + 0));
  }
});

// ---- MOD ----

const mod = defineScalar(
  'MOD',
  'Remainder of a division of exact numbers; negative only when the dividend is.',
  (args) => {
    const sigs = ['MOD(<EXACT_NUMERIC>, <EXACT_NUMERIC>)'];
    const exact = (t: LogicalType) => isIntegralT(t) || t.kind === 'DECIMAL';
    if (args.length !== 2 || !exact(args[0]!) || !exact(args[1]!)) throw badCall('MOD', args, sigs);
    const [a, b] = args as [LogicalType, LogicalType];
    const nullable = anyNullable(args);
    if (a.kind === 'DECIMAL' || b.kind === 'DECIMAL') {
      // Flink's DECIMAL_MOD: integers count as DECIMAL(3|5|10|19, 0); scale = max, integer digits = min.
      const shape = (t: LogicalType) => decimalShapeOf(t.kind === 'NULL' ? T.int() : t);
      const r = moduloShape(shape(a), shape(b));
      const s = r.scale;
      const rt = T.decimal(r.precision, s, nullable);
      const ca = toUnscaledConverter(a, s);
      const cb = toUnscaledConverter(b, s);
      return pure(rt, (x: Value, y: Value) => {
        const d = cb(y);
        if (d === 0n) throw divisionByZero();
        return ca(x) % d;
      });
    }
    // Flink types MOD of integers as the divisor's type (the remainder is smaller than it).
    const rt = withNullable(b.kind === 'NULL' ? (a.kind === 'NULL' ? T.int() : a) : b, nullable);
    if (a.kind === 'BIGINT' || b.kind === 'BIGINT') {
      const ca = toUnscaledConverter(a, 0);
      const cb = toUnscaledConverter(b, 0);
      const out = rt.kind === 'BIGINT' ? (r: bigint) => r : (r: bigint) => Number(r);
      return pure(rt, (x: Value, y: Value) => {
        const d = cb(y);
        if (d === 0n) throw divisionByZero();
        return out(ca(x) % d);
      });
    }
    return pure(rt, (x: number, y: number) => {
      if (y === 0) throw divisionByZero();
      return (x % y) + 0;
    });
  },
);

// ---- ROUND, TRUNCATE, FLOOR, CEIL ----

/**
 * `u` divided by 10^k with rounding, then multiplied by 10^m; zero without building 10^m (a huge
 * negative d asks for 10^2147483648, but then the rounded quotient is 0 anyway).
 */
function roundToUnit(u: bigint, k: number, mode: RoundingMode, m: number): bigint {
  const q = shiftRight(u, k, mode);
  return q === 0n ? 0n : q * pow10(m);
}

/** Flink's result type of ROUND/TRUNCATE(DECIMAL(p, s), d). */
function roundDecimalType(p: number, s: number, d: number): { p: number; s: number } {
  if (d >= s) return { p, s };
  if (d < 0) return { p: Math.min(MAX_DECIMAL_PRECISION, 1 + p - s), s: 0 };
  return { p: Math.min(MAX_DECIMAL_PRECISION, 1 + p - s + d), s: d };
}

/**
 * Rounds a double to `d` decimal places through its decimal text (as Flink's BigDecimal.valueOf).
 * Plain texts (no exponent) with d >= 0 are rounded on the digit string itself: keep d fraction digits,
 * and for HALF_UP add one unit when the next digit is 5 or more (the text is the exact decimal value,
 * so this is exact); other cases go through bigint arithmetic.
 */
function roundDouble(x: number, d: number, mode: RoundingMode): number {
  if (!Number.isFinite(x)) return x;
  const text = String(x);
  if (d >= 0 && !text.includes('e')) {
    const negative = text.startsWith('-');
    const body = negative ? text.slice(1) : text;
    const dot = body.indexOf('.');
    if (dot < 0 || body.length - dot - 1 <= d) return x + 0;
    const kept = body.slice(0, dot) + body.slice(dot + 1, dot + 1 + d);
    const up = mode === 'HALF_UP' && body.charCodeAt(dot + 1 + d) >= 53; // the next digit is '5'..'9'
    const digits = up ? incrementDigits(kept) : kept;
    const cut = digits.length - d;
    const r = Number(d === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`);
    return (negative ? -r : r) + 0;
  }
  const { u, s } = exactDecimal(x);
  if (d >= s) return x + 0;
  const r = shiftRight(u, s - d, mode);
  if (r === 0n) return 0;
  return (d >= 0 ? decimalToNumber(r, d) : Number(r * pow10(-d))) + 0;
}

/** Adds one to a string of decimal digits ('199' -> '200', '99' -> '100'). */
function incrementDigits(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === '9') i--;
  if (i < 0) return `1${'0'.repeat(digits.length)}`;
  return (
    digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + '0'.repeat(digits.length - 1 - i)
  );
}

function roundLike(name: 'ROUND' | 'TRUNCATE', mode: RoundingMode): ScalarFunctionDef {
  const sigs = [`${name}(<NUMERIC>)`, `${name}(<NUMERIC>, <INTEGER>)`];
  return defineScalar(
    name,
    name === 'ROUND'
      ? 'Rounds to d decimal places (default 0), half away from zero.'
      : 'Truncates toward zero to d decimal places (default 0).',
    (args, _ctx, literals) => {
      const t = args[0];
      if (!t || args.length > 2 || !isNum(t) || (args.length === 2 && !isIntegralT(args[1]!))) {
        throw badCall(name, args, sigs);
      }
      const nullable = anyNullable(args);
      const literalD = args.length === 1 ? 0 : literals[1];
      const constD =
        typeof literalD === 'number' ? literalD : typeof literalD === 'bigint' ? Number(literalD) : undefined;
      const dOf = (v: Value[]): number => (v.length > 1 ? Number(v[1]) : 0);
      switch (t.kind) {
        case 'DECIMAL': {
          const p = t.precision ?? 10;
          const s = t.scale ?? 0;
          if (constD !== undefined) {
            const rt = roundDecimalType(p, s, constD);
            return pure(T.decimal(rt.p, rt.s, nullable), (v: bigint) =>
              constD >= s
                ? v
                : constD >= 0
                  ? shiftRight(v, s - constD, mode)
                  : roundToUnit(v, s - constD, mode, -constD),
            );
          }
          return pure(T.decimal(Math.min(MAX_DECIMAL_PRECISION, p + 1), s, nullable), (...v: Value[]) => {
            const d = dOf(v);
            const u = v[0] as bigint;
            if (d >= s) return u;
            return roundToUnit(u, s - d, mode, s - d);
          });
        }
        case 'BIGINT':
          return pure(withNullable(t, nullable), (...v: Value[]) => {
            const d = dOf(v);
            if (d >= 0) return v[0];
            return BigInt.asIntN(64, roundToUnit(v[0] as bigint, -d, mode, -d));
          });
        case 'TINYINT':
        case 'SMALLINT':
        case 'INT': {
          const wrap = wrapInt(t.kind);
          return pure(withNullable(t, nullable), (...v: Value[]) => {
            const d = dOf(v);
            if (d >= 0) return v[0];
            return wrap(Number(BigInt.asIntN(64, roundToUnit(BigInt(v[0] as number), -d, mode, -d))));
          });
        }
        default: {
          const rt = t.kind === 'FLOAT' ? T.float(nullable) : T.double(nullable);
          return pure(rt, (...v: Value[]) => roundDouble(v[0] as number, dOf(v), mode));
        }
      }
    },
  );
}

function floorCeil(name: 'FLOOR' | 'CEIL' | 'CEILING'): ScalarFunctionDef {
  const isFloor = name === 'FLOOR';
  const mode: RoundingMode = isFloor ? 'FLOOR' : 'CEILING';
  return defineScalar(
    name,
    isFloor ? 'Largest integer value not greater than x.' : 'Smallest integer value not less than x.',
    (args) => {
      const t = args[0];
      if (args.length !== 1 || !t || !isNum(t)) {
        throw badCall(name, args, [`${name}(<NUMERIC>)`], 'For time values use FLOOR_TIME/CEIL_TIME');
      }
      if (t.kind === 'DECIMAL') {
        const s = t.scale ?? 0;
        return pure(T.decimal(t.precision ?? 10, 0, t.nullable), (v: bigint) => shiftRight(v, s, mode));
      }
      if (t.kind === 'FLOAT' || t.kind === 'DOUBLE') {
        const f = isFloor ? Math.floor : Math.ceil;
        return pure(t, (v: number) => f(v) + 0);
      }
      return pure(t.kind === 'NULL' ? T.int() : t, (v: Value) => v);
    },
  );
}

// ---- DOUBLE functions ----

function doubleFn(
  name: string,
  description: string,
  arity: number,
  f: (...x: number[]) => number,
  sig?: string,
): ScalarFunctionDef {
  const signature = sig ?? `${name}(${Array(arity).fill('<NUMERIC>').join(', ')})`;
  return defineScalar(name, description, (args) => {
    if (args.length !== arity || !args.every(isNum)) throw badCall(name, args, [signature]);
    const conv = args.map(toDouble);
    const rt = nullableFrom(T.double(false), args);
    if (arity === 1) {
      const c = conv[0] as (v: Value) => number;
      return pure(rt, (v: Value) => f(c(v)));
    }
    const [c0, c1] = conv as [(v: Value) => number, (v: Value) => number];
    return pure(rt, (a: Value, b: Value) => f(c0(a), c1(b)));
  });
}

/** Flink's LOG refuses arguments outside its domain (LN does not: it answers NaN or -Infinity). */
function logDomainError(what: string): Error {
  return runtimeError('INVALID_ARGUMENT', what);
}

const log = defineScalar(
  'LOG',
  'Natural logarithm LOG(x), or logarithm to a base LOG(base, x); x must be > 0 and base > 1.',
  (args) => {
    if ((args.length !== 1 && args.length !== 2) || !args.every(isNum)) {
      throw badCall('LOG', args, ['LOG(<NUMERIC>)', 'LOG(<NUMERIC> base, <NUMERIC> x)']);
    }
    const conv = args.map(toDouble);
    const rt = nullableFrom(T.double(false), args);
    if (args.length === 1) {
      const c = conv[0] as (v: Value) => number;
      return pure(rt, (v: Value) => {
        const x = c(v);
        if (!(x > 0)) throw logDomainError(`x of 'log(x)' must be > 0, but x = ${x}`);
        return Math.log(x);
      });
    }
    const [cb, cx] = conv as [(v: Value) => number, (v: Value) => number];
    return pure(rt, (bv: Value, xv: Value) => {
      const b = cb(bv);
      const x = cx(xv);
      if (!(x > 0)) throw logDomainError(`x of 'log(base, x)' must be > 0, but x = ${x}`);
      if (!(b > 1)) throw logDomainError(`base of 'log(base, x)' must be > 1, but base = ${b}`);
      return Math.log(x) / Math.log(b);
    });
  },
);

// ---- RAND ----

const MASK48 = (1n << 48n) - 1n;
const MULT = 0x5deece66dn;

/**
 * java.util.Random's 48-bit linear congruential generator, so that RAND(seed) yields the same sequence
 * as Flink (which uses java.util.Random) for the same seed.
 */
export class JavaRandom {
  private seed: bigint;
  constructor(seed: bigint | number) {
    this.seed = (BigInt.asIntN(64, BigInt(seed)) ^ MULT) & MASK48;
  }
  next(bits: number): number {
    this.seed = (this.seed * MULT + 0xbn) & MASK48;
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)));
  }
  nextDouble(): number {
    return (this.next(26) * 2 ** 27 + this.next(27)) * 2 ** -53;
  }
  nextInt(bound: number): number {
    let r = this.next(31);
    const m = bound - 1;
    if ((bound & m) === 0) return Number((BigInt(bound) * BigInt(r)) >> 31n);
    // Rejection sampling exactly as Java: retry while u - u % bound + m overflows an int.
    let u = r;
    for (;;) {
      r = u % bound;
      if (((u - r + m) | 0) >= 0) return r;
      u = this.next(31);
    }
  }
}

/** One generator per call site; re-seeded when the seed argument changes. */
function seededGenerator(): (seed: Value) => JavaRandom {
  let rng: JavaRandom | undefined;
  let last: Value;
  return (seed) => {
    if (rng === undefined || seed !== last) {
      rng = new JavaRandom(seed as number | bigint);
      last = seed;
    }
    return rng;
  };
}

const rand = defineScalar(
  'RAND',
  'Pseudorandom DOUBLE in [0, 1); RAND(seed) gives the same sequence for the same seed.',
  (args) => {
    if (args.length === 0) return nullAware(T.double(false), () => Math.random(), false);
    if (args.length !== 1 || !isIntegralT(args[0]!))
      throw badCall('RAND', args, ['RAND()', 'RAND(<INTEGER>)']);
    const gen = seededGenerator();
    return {
      resultType: nullableFrom(T.double(false), args),
      impl: (seed: Value) => gen(seed).nextDouble(),
      nullOnNullInput: true,
      deterministic: false,
    };
  },
);

const randInteger = defineScalar(
  'RAND_INTEGER',
  'Pseudorandom INT in [0, bound); RAND_INTEGER(seed, bound) is seeded.',
  (args) => {
    const sigs = ['RAND_INTEGER(<INTEGER> bound)', 'RAND_INTEGER(<INTEGER> seed, <INTEGER> bound)'];
    if ((args.length !== 1 && args.length !== 2) || !args.every(isIntegralT))
      throw badCall('RAND_INTEGER', args, sigs);
    const checkBound = (b: Value): number => {
      const n = Number(b);
      if (n <= 0) throw runtimeError('INVALID_ARGUMENT', `RAND_INTEGER bound must be positive, got ${n}`);
      return n;
    };
    const rt = nullableFrom(T.int(false), args);
    if (args.length === 1) {
      return {
        resultType: rt,
        impl: (b: Value) => Math.floor(Math.random() * checkBound(b)),
        nullOnNullInput: true,
        deterministic: false,
      };
    }
    const gen = seededGenerator();
    return {
      resultType: rt,
      impl: (seed: Value, b: Value) => gen(seed).nextInt(checkBound(b)),
      nullOnNullInput: true,
      deterministic: false,
    };
  },
);

const constant = (name: string, description: string, value: number): ScalarFunctionDef =>
  defineScalar(name, description, (args) => {
    if (args.length !== 0) throw badCall(name, args, [`${name}()`]);
    return pure(T.double(false), () => value);
  });

// ---- BIN, HEX ----

const bin = defineScalar('BIN', 'Binary text of an integer (two’s complement for negatives).', (args) => {
  if (args.length !== 1 || !isIntegralT(args[0]!)) throw badCall('BIN', args, ['BIN(<INTEGER>)']);
  return pure(stringOf(args), (v: Value) => BigInt.asUintN(64, BigInt(v as number | bigint)).toString(2));
});

const hex = defineScalar(
  'HEX',
  'Upper-case hexadecimal text of an integer, or of the UTF-8 bytes of a string.',
  (args) => {
    const t = args[0];
    if (args.length !== 1 || !t || !(isIntegralT(t) || isStr(t) || isBin(t))) {
      throw badCall('HEX', args, ['HEX(<INTEGER>)', 'HEX(STRING)', 'HEX(BYTES)']);
    }
    const rt = stringOf(args);
    if (isIntegralT(t) && t.kind !== 'NULL') {
      return pure(rt, (v: Value) =>
        BigInt.asUintN(64, BigInt(v as number | bigint))
          .toString(16)
          .toUpperCase(),
      );
    }
    const enc = new TextEncoder();
    return pure(rt, (v: Value) =>
      Buffer.from(typeof v === 'string' ? enc.encode(v) : (v as Uint8Array))
        .toString('hex')
        .toUpperCase(),
    );
  },
);

/** Every arithmetic built-in of this module. */
export const mathFunctions: readonly ScalarFunctionDef[] = [
  abs,
  sign,
  mod,
  roundLike('ROUND', 'HALF_UP'),
  roundLike('TRUNCATE', 'DOWN'),
  floorCeil('FLOOR'),
  floorCeil('CEIL'),
  floorCeil('CEILING'),
  doubleFn('POWER', 'x raised to the power y, as DOUBLE.', 2, Math.pow, 'POWER(<NUMERIC> x, <NUMERIC> y)'),
  doubleFn('SQRT', 'Square root, as DOUBLE.', 1, Math.sqrt),
  doubleFn('EXP', 'e raised to x, as DOUBLE.', 1, Math.exp),
  doubleFn('LN', 'Natural logarithm, as DOUBLE.', 1, Math.log),
  doubleFn('LOG10', 'Base-10 logarithm, as DOUBLE.', 1, Math.log10),
  doubleFn('LOG2', 'Base-2 logarithm, as DOUBLE.', 1, Math.log2),
  log,
  doubleFn('SIN', 'Sine (radians).', 1, Math.sin),
  doubleFn('COS', 'Cosine (radians).', 1, Math.cos),
  doubleFn('TAN', 'Tangent (radians).', 1, Math.tan),
  doubleFn('COT', 'Cotangent (radians).', 1, (x) => 1 / Math.tan(x)),
  doubleFn('ASIN', 'Arc sine, in radians.', 1, Math.asin),
  doubleFn('ACOS', 'Arc cosine, in radians.', 1, Math.acos),
  doubleFn('ATAN', 'Arc tangent, in radians.', 1, Math.atan),
  doubleFn(
    'ATAN2',
    'Arc tangent of y/x using the signs of both, in radians.',
    2,
    Math.atan2,
    'ATAN2(<NUMERIC> y, <NUMERIC> x)',
  ),
  doubleFn('SINH', 'Hyperbolic sine.', 1, Math.sinh),
  doubleFn('COSH', 'Hyperbolic cosine.', 1, Math.cosh),
  doubleFn('TANH', 'Hyperbolic tangent.', 1, Math.tanh),
  doubleFn('DEGREES', 'Radians to degrees.', 1, (x) => (x * 180) / Math.PI),
  doubleFn('RADIANS', 'Degrees to radians.', 1, (x) => (x * Math.PI) / 180),
  rand,
  randInteger,
  constant('PI', 'The constant pi.', Math.PI),
  constant('E', 'The constant e.', Math.E),
  bin,
  hex,
];
