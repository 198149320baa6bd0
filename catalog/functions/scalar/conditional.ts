/**
 * Conditional built-ins: COALESCE, NULLIF, IF, IFNULL, GREATEST, LEAST, IS_ALPHA, IS_DECIMAL, IS_DIGIT.
 * (CASE is compiled by the planner; IS [NOT] DISTINCT FROM is an operator.)
 *
 * Arguments of different types are widened to their common type (INT -> BIGINT -> DECIMAL -> DOUBLE,
 * CHAR -> VARCHAR, DATE -> TIMESTAMP) and the result has that type, as in Flink; each argument's values
 * are converted to it, so callers need not insert casts.
 */
import type { Value } from '../../../operators/api.ts';
import { castFunction } from '../../cast.ts';
import { leastRestrictive } from '../../coercion.ts';
import { type LogicalType, T, typeEquals, typeToString, withNullable } from '../../types.ts';
import { comparatorFor, equalityFor } from '../operators.ts';
import type { ScalarFunctionDef } from '../registry.ts';
import { badCall, defineScalar, isBool, isStr, matches, nullAware, pure } from './util.ts';

/** The common type of `types`, or a signature error naming them. */
function common(name: string, types: readonly LogicalType[], sig: readonly string[]): LogicalType {
  const t = leastRestrictive(types);
  if (t === null) {
    throw badCall(name, types, sig, `The types ${types.map(typeToString).join(', ')} have no common type`);
  }
  return t.kind === 'NULL' ? T.null() : t;
}

/** The implicit conversion of an argument's values to the common type (identity when equal). */
const lift = (to: LogicalType) => (from: LogicalType) => {
  if (from.kind === 'NULL' || typeEquals(from, to, true)) return (v: Value): Value => v;
  return castFunction(from, to);
};

const coalesce = defineScalar('COALESCE', 'The first argument that is not NULL.', (args) => {
  const sig = ['COALESCE(<ANY>, <ANY>...)'];
  if (args.length === 0) throw badCall('COALESCE', args, sig);
  const t = common('COALESCE', args, sig);
  const conv = args.map(lift(t));
  return nullAware(
    withNullable(
      t,
      args.every((a) => a.nullable),
    ),
    (...vs: Value[]) => {
      for (let i = 0; i < vs.length; i++) if (vs[i] !== null) return (conv[i] as (v: Value) => Value)(vs[i]);
      return null;
    },
  );
});

const ifnull = defineScalar('IFNULL', 'input if it is not NULL, else the replacement.', (args) => {
  const sig = ['IFNULL(<ANY> input, <ANY> replacement)'];
  if (args.length !== 2) throw badCall('IFNULL', args, sig);
  const t = common('IFNULL', args, sig);
  const [c0, c1] = args.map(lift(t)) as [(v: Value) => Value, (v: Value) => Value];
  return nullAware(
    withNullable(t, (args[0] as LogicalType).nullable && (args[1] as LogicalType).nullable),
    (a: Value, b: Value) => (a !== null ? c0(a) : c1(b)),
  );
});

const nullif = defineScalar('NULLIF', 'NULL if the two values are equal, else the first.', (args) => {
  const sig = ['NULLIF(<ANY> a, <ANY> b)'];
  if (args.length !== 2) throw badCall('NULLIF', args, sig);
  const t = common('NULLIF', args, sig);
  const [c0, c1] = args.map(lift(t)) as [(v: Value) => Value, (v: Value) => Value];
  const eq = t.kind === 'NULL' ? () => false : equalityFor(t);
  return nullAware(withNullable(t, true), (a: Value, b: Value) => {
    if (a === null) return null;
    const x = c0(a);
    return b !== null && eq(x, c1(b)) ? null : x;
  });
});

const iff = defineScalar(
  'IF',
  'IF(condition, a, b): a when the condition is TRUE, else b (also when it is NULL).',
  (args) => {
    const sig = ['IF(BOOLEAN, <ANY>, <ANY>)'];
    if (args.length !== 3 || !isBool(args[0] as LogicalType)) throw badCall('IF', args, sig);
    const branches = args.slice(1);
    const t = common('IF', branches, sig);
    const [c1, c2] = branches.map(lift(t)) as [(v: Value) => Value, (v: Value) => Value];
    return nullAware(
      withNullable(
        t,
        branches.some((b) => b.nullable),
      ),
      (c: Value, a: Value, b: Value) => (c === true ? c1(a) : c2(b)),
    );
  },
);

const COMPARABLE = new Set([
  'TINYINT',
  'SMALLINT',
  'INT',
  'BIGINT',
  'DECIMAL',
  'FLOAT',
  'DOUBLE',
  'CHAR',
  'VARCHAR',
  'BOOLEAN',
  'DATE',
  'TIME',
  'TIMESTAMP',
  'TIMESTAMP_LTZ',
  'BINARY',
  'VARBINARY',
  'NULL',
]);

const extreme = (name: 'GREATEST' | 'LEAST'): ScalarFunctionDef =>
  defineScalar(
    name,
    `The ${name === 'GREATEST' ? 'largest' : 'smallest'} argument; NULL if any argument is NULL.`,
    (args) => {
      const sig = [`${name}(<COMPARABLE>, <COMPARABLE>...)`];
      if (args.length === 0 || !args.every((a) => COMPARABLE.has(a.kind))) throw badCall(name, args, sig);
      const t = common(name, args, sig);
      const conv = args.map(lift(t));
      const sign = name === 'GREATEST' ? 1 : -1;
      const compare = t.kind === 'NULL' ? () => 0 : comparatorFor(t);
      return pure(
        withNullable(
          t,
          args.some((a) => a.nullable),
        ),
        (...vs: Value[]) => {
          let best = (conv[0] as (v: Value) => Value)(vs[0]);
          for (let i = 1; i < vs.length; i++) {
            const v = (conv[i] as (v: Value) => Value)(vs[i]);
            if (compare(v, best) * sign > 0) best = v;
          }
          return best;
        },
      );
    },
  );

const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const LETTERS = /^\p{L}+$/u;
const DIGITS = /^\p{Nd}+$/u;

const classify = (name: string, description: string, test: (s: string) => boolean): ScalarFunctionDef =>
  defineScalar(name, description, (args) => {
    if (!matches(args, [isStr])) throw badCall(name, args, [`${name}(STRING)`]);
    return nullAware(T.boolean(false), (s: string | null) => s !== null && test(s));
  });

/** Every conditional built-in of this module. */
export const conditionalFunctions: readonly ScalarFunctionDef[] = [
  coalesce,
  ifnull,
  nullif,
  iff,
  extreme('GREATEST'),
  extreme('LEAST'),
  classify(
    'IS_ALPHA',
    'TRUE when the string is non-empty and all letters; FALSE otherwise (also for NULL).',
    (s) => LETTERS.test(s),
  ),
  classify(
    'IS_DIGIT',
    'TRUE when the string is non-empty and all digits; FALSE otherwise (also for NULL).',
    (s) => DIGITS.test(s),
  ),
  classify('IS_DECIMAL', 'TRUE when the string is a decimal number; FALSE otherwise (also for NULL).', (s) =>
    DECIMAL_TEXT.test(s),
  ),
];
