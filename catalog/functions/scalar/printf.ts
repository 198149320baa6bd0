/**
 * PRINTF(format, args...): java.util.Formatter-style formatting (Locale.US), as Flink's PRINTF.
 *
 * Algorithm:
 *  1. The format is split once (cached per call site) into literal text and specifiers
 *     `%[index$][flags][width][.precision]conversion`.
 *  2. Each specifier takes the next argument (or the one its `index$` names) and formats it by its
 *     conversion: `s S` text, `d` decimal integer, `x X o` hexadecimal/octal (two's complement of the
 *     argument's own width for negatives, as Java), `f e E` fixed and scientific with HALF_UP rounding on
 *     the exact decimal value, `c` character, `b B` boolean, `%` and `n`.
 *  3. Flags: `-` left-justify, `0` zero-pad, `+` and ` ` sign, `,` grouping, `(` negatives in parentheses.
 * A specifier that does not fit its argument's type is a runtime error (Java's IllegalFormatException).
 */
import type { Value } from '../../../operators/api.ts';
import { formatValue } from '../../cast.ts';
import { type LogicalType, T } from '../../types.ts';
import type { ScalarFunctionDef } from '../registry.ts';
import { exactDecimal, shiftRight } from './numeric.ts';
import { badCall, defineScalar, isStr, lastValueCache, nullAware, runtimeError } from './util.ts';

interface Spec {
  readonly index: number | undefined;
  readonly flags: string;
  readonly width: number | undefined;
  readonly precision: number | undefined;
  readonly conversion: string;
}
type Part = string | Spec;

const SPEC = /%(?:(\d+)\$)?([-#+ 0,(]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g;

function compileFormat(format: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  SPEC.lastIndex = 0;
  for (let m = SPEC.exec(format); m !== null; m = SPEC.exec(format)) {
    if (m.index > last) parts.push(format.slice(last, m.index));
    const conversion = m[5] as string;
    if (!'sSdxXofeEcbBn%'.includes(conversion)) {
      throw runtimeError('INVALID_FORMAT', `PRINTF: unknown conversion '%${conversion}' in '${format}'`);
    }
    if ((m[3] && Number(m[3]) > 1_000_000) || (m[4] && Number(m[4]) > 1_000_000)) {
      throw runtimeError('INVALID_FORMAT', `PRINTF: width or precision too large in '${format}'`);
    }
    parts.push({
      index: m[1] ? Number(m[1]) : undefined,
      flags: m[2] ?? '',
      width: m[3] ? Number(m[3]) : undefined,
      precision: m[4] ? Number(m[4]) : undefined,
      conversion,
    });
    last = m.index + m[0].length;
  }
  if (format.slice(last).includes('%'))
    throw runtimeError('INVALID_FORMAT', `PRINTF: malformed format '${format}'`);
  if (last < format.length) parts.push(format.slice(last));
  return parts;
}

const INT_BITS: Record<string, number> = { TINYINT: 8, SMALLINT: 16, INT: 32, BIGINT: 64 };

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Applies sign flags, grouping and zero padding to the magnitude text of a number. */
function signed(negative: boolean, magnitude: string, spec: Spec): string {
  const f = spec.flags;
  let body = magnitude;
  if (f.includes(',')) {
    const dot = body.indexOf('.');
    body = dot < 0 ? groupThousands(body) : groupThousands(body.slice(0, dot)) + body.slice(dot);
  }
  const prefix = negative
    ? f.includes('(')
      ? '('
      : '-'
    : f.includes('+')
      ? '+'
      : f.includes(' ')
        ? ' '
        : '';
  const suffix = negative && f.includes('(') ? ')' : '';
  if (f.includes('0') && spec.width !== undefined) {
    const room = spec.width - prefix.length - suffix.length;
    if (body.length < room) body = '0'.repeat(room - body.length) + body;
  }
  return prefix + body + suffix;
}

function justify(text: string, spec: Spec): string {
  if (spec.width === undefined || text.length >= spec.width) return text;
  const pad = ' '.repeat(spec.width - text.length);
  return spec.flags.includes('-') ? text + pad : pad + text;
}

/** The exact decimal value of a numeric argument as (unscaled, scale). */
function decimalOf(v: Value, t: LogicalType): { u: bigint; s: number } | undefined {
  if (typeof v === 'bigint') return { u: v, s: t.kind === 'DECIMAL' ? (t.scale ?? 0) : 0 };
  if (typeof v === 'number') return Number.isFinite(v) ? exactDecimal(v) : undefined;
  return undefined;
}

/** Fixed notation with `p` decimals, HALF_UP: magnitude text. */
function fixed(u: bigint, s: number, p: number): string {
  const r = shiftRight(u < 0n ? -u : u, s - p, 'HALF_UP');
  const digits = r.toString().padStart(p + 1, '0');
  return p === 0 ? digits : `${digits.slice(0, digits.length - p)}.${digits.slice(digits.length - p)}`;
}

/** Scientific notation with `p` decimals, HALF_UP, Java style (1.234560e+03): magnitude text. */
function scientific(u: bigint, s: number, p: number): string {
  const abs = u < 0n ? -u : u;
  if (abs === 0n) return `${fixed(0n, 0, p)}e+00`;
  let exp = abs.toString().length - 1 - s;
  let mant = shiftRight(abs, abs.toString().length - 1 - p, 'HALF_UP');
  if (mant.toString().length > p + 1) {
    mant /= 10n;
    exp += 1;
  }
  const digits = mant.toString();
  const m = p === 0 ? digits : `${digits[0]}.${digits.slice(1)}`;
  return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function formatOne(spec: Spec, v: Value, t: LogicalType, timeZone: string): string {
  const c = spec.conversion;
  const mismatch = (): never => {
    throw runtimeError('INVALID_FORMAT', `PRINTF: %${c} cannot format a value of type ${t.kind}`);
  };
  switch (c) {
    case 's':
    case 'S': {
      let text = v === null ? 'null' : typeof v === 'boolean' ? String(v) : formatValue(v, t, timeZone);
      if (spec.precision !== undefined) text = text.slice(0, spec.precision);
      return justify(c === 'S' ? text.toUpperCase() : text, spec);
    }
    case 'b':
    case 'B': {
      const text = String(v === null ? false : typeof v === 'boolean' ? v : true);
      return justify(c === 'B' ? text.toUpperCase() : text, spec);
    }
    case 'c': {
      if (v === null) return justify('null', spec);
      if (typeof v === 'string' && Array.from(v).length === 1) return justify(v, spec);
      if (typeof v === 'number' && Number.isInteger(v)) return justify(String.fromCodePoint(v), spec);
      return mismatch();
    }
  }
  if (v === null) return justify('null', spec);
  const bits = INT_BITS[t.kind];
  if (c === 'd') {
    if (bits === undefined) return mismatch();
    const n = BigInt(v as number | bigint);
    return justify(signed(n < 0n, (n < 0n ? -n : n).toString(), spec), spec);
  }
  if (c === 'x' || c === 'X' || c === 'o') {
    if (bits === undefined) return mismatch();
    const n = BigInt.asUintN(bits, BigInt(v as number | bigint));
    let text = n.toString(c === 'o' ? 8 : 16);
    if (spec.flags.includes('#')) text = (c === 'o' ? '0' : '0x') + text;
    if (spec.flags.includes('0') && spec.width !== undefined) text = text.padStart(spec.width, '0');
    return justify(c === 'X' ? text.toUpperCase() : text, spec);
  }
  // f, e, E
  if (bits === undefined && t.kind !== 'DECIMAL' && t.kind !== 'FLOAT' && t.kind !== 'DOUBLE')
    return mismatch();
  if (typeof v === 'number' && !Number.isFinite(v)) {
    return justify(
      Number.isNaN(v) ? 'NaN' : v > 0 ? (spec.flags.includes('+') ? '+Infinity' : 'Infinity') : '-Infinity',
      spec,
    );
  }
  if (bits !== undefined && (c === 'e' || c === 'E' || c === 'f')) {
    // Java refuses %f/%e for integers.
    return mismatch();
  }
  const d = decimalOf(v, t) as { u: bigint; s: number };
  const p = spec.precision ?? 6;
  const negative = d.u < 0n || (d.u === 0n && typeof v === 'number' && Object.is(v, -0));
  const text = c === 'f' ? fixed(d.u, d.s, p) : scientific(d.u, d.s, p);
  return justify(signed(negative, c === 'E' ? text.toUpperCase() : text, spec), spec);
}

const printf = defineScalar(
  'PRINTF',
  'A string formatted from a printf-style format (java.util.Formatter, Locale.US).',
  (args, ctx) => {
    if (args.length === 0 || !isStr(args[0] as LogicalType))
      throw badCall('PRINTF', args, ['PRINTF(STRING format, <ANY>...)']);
    const types = args.slice(1);
    const compile = lastValueCache(compileFormat);
    return nullAware(T.string(true), (format: string | null, ...vs: Value[]) => {
      if (format === null) return null;
      let out = '';
      let next = 0;
      for (const part of compile(format)) {
        if (typeof part === 'string') {
          out += part;
          continue;
        }
        if (part.conversion === '%') {
          out += justify('%', part);
          continue;
        }
        if (part.conversion === 'n') {
          out += '\n';
          continue;
        }
        const i = part.index !== undefined ? part.index - 1 : next++;
        if (i < 0 || i >= vs.length)
          throw runtimeError('INVALID_FORMAT', `PRINTF: format '${format}' needs more arguments`);
        out += formatOne(part, vs[i] as Value, types[i] ?? T.null(), ctx.timeZone);
      }
      return out;
    });
  },
);

// Exported for tests of the number formatting.
export { fixed as formatFixed, scientific as formatScientific };

export const printfFunctions: readonly ScalarFunctionDef[] = [printf];
