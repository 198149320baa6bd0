/**
 * Binds parsed expressions to typed, resolved expressions: names to input positions, functions and
 * operators to implementations chosen for the argument types, literals to runtime values, implicit
 * casts inserted where types are widened. Aggregate calls are handed to an `AggregateSink` (the query
 * binder's), which replaces them by references to the aggregation's output.
 */

import { canCastExplicitly, castFunction } from '../catalog/cast.ts';
import { commonTypeOrThrow } from '../catalog/coercion.ts';
import { parseDecimalText, rescale } from '../catalog/decimal.ts';
import type { FunctionContext, FunctionRegistry, ResolvedScalar } from '../catalog/functions/registry.ts';
import { resolveScalarCall } from '../catalog/functions/scalar/index.ts';
import {
  isNumeric,
  type LogicalType,
  T,
  typeEquals,
  typeToString,
  withNullable,
  withTimeAttribute,
} from '../catalog/types.ts';
import { RivuletError, type Span } from '../common/errors.ts';
import { didYouMean } from '../common/text.ts';
import type { Value } from '../operators/api.ts';
import type { Expr, FunctionCall } from '../parser/ast.ts';
import { type BoundExpr, exprToString, literal } from './expr.ts';
import type { Scope } from './scope.ts';
import { intervalValue, typedLiteralValue, typeFromNode } from './types.ts';

/** Receives aggregate calls found while binding select items, HAVING and ORDER BY of a grouped query. */
export interface AggregateSink {
  /** Returns the reference that stands for the aggregate's result. */
  aggregate(call: FunctionCall): BoundExpr;
  /** GROUPING(...) / GROUPING_ID(...) of the grouping sets. */
  grouping(call: FunctionCall): BoundExpr;
  /** If `e` (bound over the input) is a grouping expression, the reference to its grouped value. */
  groupKey(e: BoundExpr): BoundExpr | undefined;
  /** The input scope (before grouping) to bind grouping expressions and aggregate arguments in. */
  readonly inputScope: Scope;
}

export interface BindContext {
  readonly scope: Scope;
  readonly registry: FunctionRegistry;
  readonly fnContext: FunctionContext;
  readonly aggregates?: AggregateSink;
  /** Values of uncorrelated scalar subqueries joined into the input (see subquery.ts). */
  readonly scalarResults?: ReadonlyMap<Expr, BoundExpr>;
  /** Results of the select list's OVER calls (see over.ts), by call node. */
  readonly overResults?: ReadonlyMap<FunctionCall, BoundExpr>;
  /** The SQL clause being bound, for messages ("in WHERE"). */
  readonly clause?: string;
}

const AGGREGATE_ONLY = new Set(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX']);

export function isAggregateCall(e: Expr, registry: FunctionRegistry): boolean {
  if (e.kind !== 'functionCall' || e.over !== null) return false;
  const name = functionName(e);
  return (
    registry.lookupAggregate(name) !== undefined &&
    (registry.lookupScalar(name) === undefined || AGGREGATE_ONLY.has(name.toUpperCase()))
  );
}

export function functionName(call: FunctionCall): string {
  return call.name.parts.map((p) => p.text).join('.');
}

/** Whether the expression contains an aggregate call outside of subqueries. */
export function containsAggregate(e: Expr, registry: FunctionRegistry): boolean {
  if (isAggregateCall(e, registry)) return true;
  let found = false;
  forEachChild(e, (c) => {
    if (!found && containsAggregate(c, registry)) found = true;
  });
  return found;
}

/** Calls `f` on each direct sub-expression (not descending into subqueries). */
export function forEachChild(e: Expr, f: (child: Expr) => void): void {
  switch (e.kind) {
    case 'functionCall':
      e.args.forEach(f);
      if (e.filter) f(e.filter);
      break;
    case 'case':
      if (e.operand) f(e.operand);
      for (const w of e.whens) {
        f(w.condition);
        f(w.result);
      }
      if (e.else) f(e.else);
      break;
    case 'cast':
    case 'extract':
    case 'is':
    case 'ceilFloor':
      f(e.expr);
      break;
    case 'unary':
      f(e.operand);
      break;
    case 'binary':
    case 'isDistinctFrom':
      f(e.left);
      f(e.right);
      break;
    case 'between':
      f(e.expr);
      f(e.low);
      f(e.high);
      break;
    case 'like':
      f(e.expr);
      f(e.pattern);
      if (e.escape) f(e.escape);
      break;
    case 'inList':
      f(e.expr);
      e.list.forEach(f);
      break;
    case 'inSubquery':
      f(e.expr);
      break;
    case 'quantifiedComparison':
      f(e.left);
      break;
    case 'position':
      f(e.needle);
      f(e.haystack);
      if (e.from) f(e.from);
      break;
    case 'trim':
      if (e.chars) f(e.chars);
      f(e.expr);
      break;
    case 'substring':
      f(e.expr);
      f(e.start);
      if (e.length) f(e.length);
      break;
    case 'overlay':
      f(e.expr);
      f(e.placing);
      f(e.start);
      if (e.length) f(e.length);
      break;
    case 'timestampAdd':
      f(e.amount);
      f(e.timestamp);
      break;
    case 'timestampDiff':
      f(e.start);
      f(e.end);
      break;
    case 'arrayConstructor':
      e.elements.forEach(f);
      break;
    case 'mapConstructor':
      for (const m of e.entries) {
        f(m.key);
        f(m.value);
      }
      break;
    case 'row':
      e.fields.forEach(f);
      break;
    case 'elementAccess':
      f(e.expr);
      f(e.index);
      break;
    case 'fieldAccess':
      f(e.expr);
      break;
    default:
      break;
  }
}

function planError(code: string, message: string, span: Span): RivuletError {
  return new RivuletError('plan', code, message, span);
}

/** Parses a numeric literal's text exactly: INT, BIGINT, DECIMAL(p, s) or DOUBLE as Flink types them. */
export function numericLiteral(text: string, span: Span): { value: Value; type: LogicalType } {
  if (/[eE]/.test(text)) return { value: Number(text), type: T.double(false) };
  if (/^\d+$/.test(text)) {
    const n = BigInt(text);
    if (n <= 2147483647n) return { value: Number(n), type: T.int(false) };
    if (n <= 9223372036854775807n) return { value: n, type: T.bigint(false) };
  }
  const digits = text.replace('.', '').replace(/^0+(?=\d)/, '');
  const scale = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
  const precision = Math.max(digits.replace(/^0+/, '').length, scale, 1);
  if (precision > 38)
    throw planError('LITERAL_INVALID', `numeric literal '${text}' has more than 38 digits`, span);
  const parsed = parseDecimalText(text);
  if (!parsed) throw planError('LITERAL_INVALID', `invalid numeric literal '${text}'`, span);
  return { value: rescale(parsed.unscaled, parsed.scale, scale), type: T.decimal(precision, scale, false) };
}

export class ExprBinder {
  private readonly ctx: BindContext;

  constructor(ctx: BindContext) {
    this.ctx = ctx;
  }

  with(overrides: Partial<BindContext>): ExprBinder {
    return new ExprBinder({ ...this.ctx, ...overrides });
  }

  /** Binds `e` and checks it is BOOLEAN (for WHERE, HAVING, ON, FILTER). */
  bindPredicate(e: Expr, clause: string): BoundExpr {
    const b = this.with({ clause }).bind(e);
    if (b.type.kind !== 'BOOLEAN' && b.type.kind !== 'NULL') {
      throw planError(
        'TYPE_MISMATCH',
        `${clause} condition must be BOOLEAN, but the expression has type ${typeToString(b.type)}`,
        e.span,
      );
    }
    return b;
  }

  bind(e: Expr): BoundExpr {
    const agg = this.ctx.aggregates;
    if (agg) {
      if (e.kind === 'functionCall' && isAggregateCall(e, this.ctx.registry)) return agg.aggregate(e);
      if (e.kind === 'functionCall' && /^GROUPING(_ID)?$/i.test(functionName(e))) return agg.grouping(e);
      if (
        !containsAggregate(e, this.ctx.registry) &&
        e.kind !== 'numericLiteral' &&
        e.kind !== 'stringLiteral'
      ) {
        const inner = new ExprBinder({ ...this.ctx, scope: agg.inputScope, aggregates: undefined });
        const bound = inner.bind(e);
        const key = agg.groupKey(bound);
        if (key) return key;
        if (e.kind === 'columnRef') {
          throw planError(
            'NOT_GROUPED',
            `Expression '${e.path.map((p) => p.text).join('.')}' is not being grouped: add it to GROUP BY or use it inside an aggregate function`,
            e.span,
          );
        }
        if (bound.kind === 'literal') return bound;
      }
    }
    return this.bindNode(e);
  }

  private bindNode(e: Expr): BoundExpr {
    switch (e.kind) {
      case 'numericLiteral': {
        const { value, type } = numericLiteral(e.text, e.span);
        return literal(value, type);
      }
      case 'stringLiteral':
        return literal(e.value, T.char(Math.max(1, e.value.length), false));
      case 'binaryStringLiteral': {
        const bytes = Uint8Array.from(Buffer.from(e.hex, 'hex'));
        return literal(bytes, T.binary(Math.max(1, bytes.length), false));
      }
      case 'booleanLiteral':
        return literal(e.value, T.boolean(false));
      case 'nullLiteral':
        return literal(null, T.null());
      case 'unknownLiteral':
        return literal(null, T.boolean(true));
      case 'typedLiteral': {
        const { value, type } = typedLiteralValue(e);
        return literal(value, type);
      }
      case 'intervalLiteral': {
        const { value, type } = intervalValue(e);
        return literal(value, type);
      }
      case 'columnRef': {
        const r = this.ctx.scope.resolve(e.path, e.span);
        let out: BoundExpr = { kind: 'input', index: r.index, type: r.field.type, name: r.field.name };
        for (const part of r.rest) out = this.field(out, part.text, part.span);
        return out;
      }
      case 'fieldAccess':
        return this.field(this.bind(e.expr), e.field.text, e.field.span);
      case 'star':
        throw planError('STAR_MISPLACED', "'*' is only allowed in a select list or in COUNT(*)", e.span);
      case 'parameter':
        throw planError(
          'PARAMETER_UNBOUND',
          'positional parameters (?) need values bound by the client',
          e.span,
        );
      case 'unary': {
        const arg = this.bind(e.operand);
        if (e.op === 'NOT')
          return {
            kind: 'not',
            arg: this.requireBoolean(arg, e.span, 'NOT'),
            type: T.boolean(arg.type.nullable),
          };
        if (e.op === '+') {
          if (!isNumeric(arg.type) && arg.type.kind !== 'NULL' && !arg.type.kind.startsWith('INTERVAL')) {
            throw planError(
              'TYPE_MISMATCH',
              `unary + needs a numeric operand, found ${typeToString(arg.type)}`,
              e.span,
            );
          }
          return arg;
        }
        return this.call('-', [arg], e.span, 'NEGATE');
      }
      case 'binary': {
        if (e.op === 'AND' || e.op === 'OR') {
          const args = [this.bind(e.left), this.bind(e.right)].map((a) =>
            this.requireBoolean(a, e.span, e.op),
          );
          const kind = e.op === 'AND' ? 'and' : 'or';
          const flat = args.flatMap((a) => (a.kind === kind ? a.args : [a]));
          return {
            kind: e.op === 'AND' ? 'and' : 'or',
            args: flat,
            type: T.boolean(flat.some((a) => a.type.nullable)),
          };
        }
        return this.call(e.op, [this.bind(e.left), this.bind(e.right)], e.span);
      }
      case 'is': {
        const arg = this.bind(e.expr);
        if (e.test === 'NULL') return { kind: 'isNull', arg, negated: e.not, type: T.boolean(false) };
        const b = this.requireBoolean(arg, e.span, `IS ${e.test}`);
        if (e.test === 'UNKNOWN') return { kind: 'isNull', arg: b, negated: e.not, type: T.boolean(false) };
        return { kind: 'isBool', arg: b, value: e.test === 'TRUE', negated: e.not, type: T.boolean(false) };
      }
      case 'isDistinctFrom': {
        const c = this.call('IS DISTINCT FROM', [this.bind(e.left), this.bind(e.right)], e.span);
        return e.not ? { kind: 'not', arg: c, type: T.boolean(false) } : c;
      }
      case 'between': {
        const v = this.bind(e.expr);
        const lo = this.bind(e.low);
        const hi = this.bind(e.high);
        const within = (a: BoundExpr, b: BoundExpr): BoundExpr =>
          this.and([this.call('>=', [v, a], e.span), this.call('<=', [v, b], e.span)]);
        let r = within(lo, hi);
        if (e.symmetric) r = this.or([r, within(hi, lo)]);
        return e.not ? { kind: 'not', arg: r, type: r.type } : r;
      }
      case 'like': {
        const args = [this.bind(e.expr), this.bind(e.pattern)];
        if (e.escape) args.push(this.bind(e.escape));
        const r = this.call(e.op === 'LIKE' ? 'LIKE' : 'SIMILAR_TO', args, e.span);
        return e.not ? { kind: 'not', arg: r, type: r.type } : r;
      }
      case 'inList':
        return this.inList(e.expr, e.list, e.not, e.span);
      case 'case':
        return this.caseExpr(e);
      case 'cast': {
        const arg = this.bind(e.expr);
        const target = typeFromNode(e.type);
        return this.cast(arg, e.try ? withNullable(target, true) : target, e.try, e.span);
      }
      case 'functionCall':
        return this.functionCall(e);
      case 'extract':
        return this.call(
          'EXTRACT',
          [literal(e.unit, T.varchar(e.unit.length, false)), this.bind(e.expr)],
          e.span,
        );
      case 'position': {
        const args = [this.bind(e.needle), this.bind(e.haystack)];
        if (e.from) args.push(this.bind(e.from));
        return this.call('POSITION', args, e.span);
      }
      case 'trim': {
        const side = e.side ?? 'BOTH';
        const chars = e.chars ? this.bind(e.chars) : literal(' ', T.char(1, false));
        return this.call(
          'TRIM',
          [literal(side, T.varchar(side.length, false)), chars, this.bind(e.expr)],
          e.span,
        );
      }
      case 'substring': {
        const args = [this.bind(e.expr), this.bind(e.start)];
        if (e.length) args.push(this.bind(e.length));
        return this.call('SUBSTRING', args, e.span);
      }
      case 'overlay': {
        const args = [this.bind(e.expr), this.bind(e.placing), this.bind(e.start)];
        if (e.length) args.push(this.bind(e.length));
        return this.call('OVERLAY', args, e.span);
      }
      case 'ceilFloor':
        return this.call(
          `${e.fn}_TIME`,
          [literal(e.unit, T.varchar(e.unit.length, false)), this.bind(e.expr)],
          e.span,
          e.fn,
        );
      case 'timestampAdd':
        return this.call(
          'TIMESTAMPADD',
          [literal(e.unit, T.varchar(e.unit.length, false)), this.bind(e.amount), this.bind(e.timestamp)],
          e.span,
        );
      case 'timestampDiff':
        return this.call(
          'TIMESTAMPDIFF',
          [literal(e.unit, T.varchar(e.unit.length, false)), this.bind(e.start), this.bind(e.end)],
          e.span,
        );
      case 'arrayConstructor':
        return this.constructor_(
          'ARRAY',
          e.elements.map((x) => this.bind(x)),
          e.span,
        );
      case 'mapConstructor':
        return this.constructor_(
          'MAP',
          e.entries.flatMap((m) => [this.bind(m.key), this.bind(m.value)]),
          e.span,
        );
      case 'row':
        return this.constructor_(
          'ROW',
          e.fields.map((x) => this.bind(x)),
          e.span,
        );
      case 'elementAccess':
        return this.call('ITEM', [this.bind(e.expr), this.bind(e.index)], e.span);
      case 'descriptor':
        throw planError(
          'DESCRIPTOR_MISPLACED',
          'DESCRIPTOR(...) is only allowed as an argument of a window table function',
          e.span,
        );
      case 'scalarSubquery': {
        const r = this.ctx.scalarResults?.get(e);
        if (r) return r;
        throw planError(
          'SUBQUERY_MISPLACED',
          'Scalar subqueries are supported in the select list, WHERE and HAVING',
          e.span,
        );
      }
      case 'exists':
      case 'inSubquery':
      case 'quantifiedComparison':
        throw planError(
          'SUBQUERY_MISPLACED',
          'IN (subquery), EXISTS and quantified comparisons (op ANY|SOME|ALL (subquery)) are supported as conditions of WHERE, possibly under NOT and combined with AND; not elsewhere',
          e.span,
        );
    }
  }

  private field(base: BoundExpr, name: string, span: Span): BoundExpr {
    const t = base.type;
    if (t.kind !== 'ROW') {
      throw planError(
        'FIELD_NOT_FOUND',
        `cannot access field '${name}' of a value of type ${typeToString(t)}`,
        span,
      );
    }
    const fields = t.fields ?? [];
    const i = fields.findIndex((f) => f.name === name);
    if (i < 0) {
      throw planError('FIELD_NOT_FOUND', `ROW type ${typeToString(t)} has no field '${name}'`, span);
    }
    const ft = (fields[i] as { type: LogicalType }).type;
    return { kind: 'fieldGet', arg: base, field: i, name, type: t.nullable ? withNullable(ft, true) : ft };
  }

  private requireBoolean(e: BoundExpr, span: Span, what: string): BoundExpr {
    if (e.type.kind === 'BOOLEAN') return e;
    if (e.type.kind === 'NULL') return literal(null, T.boolean(true));
    throw planError('TYPE_MISMATCH', `${what} needs a BOOLEAN operand, found ${typeToString(e.type)}`, span);
  }

  private and(args: BoundExpr[]): BoundExpr {
    return { kind: 'and', args, type: T.boolean(args.some((a) => a.type.nullable)) };
  }

  private or(args: BoundExpr[]): BoundExpr {
    return { kind: 'or', args, type: T.boolean(args.some((a) => a.type.nullable)) };
  }

  /** Resolves a scalar function or operator by name for the bound arguments. */
  call(name: string, args: BoundExpr[], span: Span, displayName = name): BoundExpr {
    const def = this.ctx.registry.lookupScalar(name);
    if (!def) throw this.unknownFunction(name, span);
    let resolved: ResolvedScalar;
    try {
      // Constant arguments are passed along: some result types depend on them (ROUND(x, 2)).
      resolved = resolveScalarCall(
        def,
        args.map((a) => a.type),
        this.ctx.fnContext,
        args.map((a) => (a.kind === 'literal' ? a.value : undefined)),
      );
    } catch (err) {
      if (err instanceof RivuletError && !err.span)
        throw new RivuletError(err.phase, err.code, err.message, span);
      throw err;
    }
    const call: BoundExpr = {
      kind: 'call',
      name: displayName,
      fn: resolved,
      args,
      type: resolved.resultType,
    };
    return foldConstant(call);
  }

  cast(arg: BoundExpr, target: LogicalType, tryCast: boolean, span: Span): BoundExpr {
    if (
      typeEquals(arg.type, target, true) &&
      (arg.type.nullable === target.nullable || !target.nullable === false)
    ) {
      return arg.type.nullable === target.nullable ? arg : ({ ...arg, type: target } as BoundExpr);
    }
    if (arg.type.kind === 'NULL') return literal(null, withNullable(target, true));
    if (!canCastExplicitly(arg.type, target)) {
      throw planError(
        'CAST_INVALID',
        `Cannot cast ${typeToString(arg.type)} to ${typeToString(target)}`,
        span,
      );
    }
    const fn = castFunction(arg.type, target, { tryCast, timeZone: this.ctx.fnContext.timeZone });
    const type = withTimeAttribute(
      withNullable(target, tryCast || arg.type.nullable || target.nullable),
      undefined,
    );
    if (arg.kind === 'literal' && arg.value !== null && !tryCast) {
      try {
        return literal(fn(arg.value), type);
      } catch (err) {
        if (err instanceof RivuletError && !err.span)
          throw new RivuletError('plan', err.code, err.message, span);
        throw err;
      }
    }
    return { kind: 'cast', arg, fn, try: tryCast, type };
  }

  /** Casts `e` to `target` when its type differs (implicit widening). */
  coerce(e: BoundExpr, target: LogicalType, span: Span): BoundExpr {
    if (typeEquals(e.type, target, true)) return e;
    return this.cast(e, withNullable(target, e.type.nullable), false, span);
  }

  private commonType(types: readonly LogicalType[], span: Span, what: string): LogicalType {
    try {
      return commonTypeOrThrow(types, what);
    } catch (err) {
      if (err instanceof RivuletError) throw planError(err.code, err.message, span);
      throw err;
    }
  }

  private inList(exprAst: Expr, listAst: readonly Expr[], not: boolean, span: Span): BoundExpr {
    const arg = this.bind(exprAst);
    const list = listAst.map((x) => this.bind(x));
    const common = this.commonType(
      [arg.type, ...list.map((l) => l.type)],
      span,
      'The IN operand and list values',
    );
    const simple = [
      'BOOLEAN',
      'TINYINT',
      'SMALLINT',
      'INT',
      'BIGINT',
      'FLOAT',
      'DOUBLE',
      'VARCHAR',
      'CHAR',
      'DATE',
      'TIME',
      'TIMESTAMP',
      'TIMESTAMP_LTZ',
    ];
    if (list.every((l) => l.kind === 'literal') && simple.includes(common.kind)) {
      const coerced = list.map((l) => this.coerce(l, common, span) as { value: Value });
      const values = coerced.map((l) => l.value);
      const hasNull = values.includes(null);
      const keys = new Set(values.filter((v) => v !== null));
      return {
        kind: 'inList',
        arg: this.coerce(arg, common, span),
        keys,
        hasNull,
        negated: not,
        type: T.boolean(arg.type.nullable || hasNull),
      };
    }
    const eqs = list.map((l) => this.call('=', [arg, l], span));
    const any = eqs.length === 1 ? (eqs[0] as BoundExpr) : this.or(eqs);
    return not ? { kind: 'not', arg: any, type: any.type } : any;
  }

  private caseExpr(e: Extract<Expr, { kind: 'case' }>): BoundExpr {
    const operand = e.operand ? this.bind(e.operand) : null;
    const whens = e.whens.map((w) => ({
      when: operand
        ? this.call('=', [operand, this.bind(w.condition)], w.span)
        : this.requireBoolean(this.bind(w.condition), w.span, 'WHEN'),
      result: this.bind(w.result),
    }));
    const elseExpr = e.else ? this.bind(e.else) : literal(null, T.null());
    const resultType = this.commonType(
      [...whens.map((w) => w.result.type), elseExpr.type],
      e.span,
      'CASE branches',
    );
    const nullable =
      whens.some((w) => w.result.type.nullable) || elseExpr.type.nullable || elseExpr.type.kind === 'NULL';
    const type = withNullable(resultType, nullable);
    return {
      kind: 'case',
      whens: whens.map((w) => ({ when: w.when, result: this.coerce(w.result, type, e.span) })),
      else: this.coerce(elseExpr, type, e.span),
      type,
    };
  }

  private constructor_(what: 'ARRAY' | 'MAP' | 'ROW', args: BoundExpr[], span: Span): BoundExpr {
    let type: LogicalType;
    let impl: (...xs: Value[]) => Value;
    if (what === 'ROW') {
      type = T.row(
        args.map((a, i) => ({ name: `EXPR$${i}`, type: a.type })),
        false,
      );
      impl = (...xs) => xs;
    } else if (what === 'ARRAY') {
      if (args.length === 0) throw planError('TYPE_MISMATCH', 'ARRAY[] needs at least one element', span);
      const el = this.commonType(
        args.map((a) => a.type),
        span,
        'ARRAY elements',
      );
      args = args.map((a) => this.coerce(a, el, span));
      type = T.array(
        withNullable(
          el,
          args.some((a) => a.type.nullable),
        ),
        false,
      );
      impl = (...xs) => xs;
    } else {
      if (args.length === 0 || args.length % 2 !== 0)
        throw planError('TYPE_MISMATCH', 'MAP[...] needs key/value pairs', span);
      const keys = args.filter((_, i) => i % 2 === 0);
      const values = args.filter((_, i) => i % 2 === 1);
      const kt = this.commonType(
        keys.map((a) => a.type),
        span,
        'MAP keys',
      );
      const vt = this.commonType(
        values.map((a) => a.type),
        span,
        'MAP values',
      );
      args = args.map((a, i) => this.coerce(a, i % 2 === 0 ? kt : vt, span));
      type = T.map(
        kt,
        withNullable(
          vt,
          values.some((v) => v.type.nullable),
        ),
        false,
      );
      impl = (...xs) => {
        const m = new Map<Value, Value>();
        for (let i = 0; i < xs.length; i += 2) m.set(xs[i], xs[i + 1]);
        return m;
      };
    }
    return {
      kind: 'call',
      name: what,
      fn: { resultType: type, impl, nullOnNullInput: false, deterministic: true },
      args,
      type,
    };
  }

  private functionCall(e: FunctionCall): BoundExpr {
    const name = functionName(e);
    const upper = name.toUpperCase();
    if (e.over) {
      const r = this.ctx.overResults?.get(e);
      if (r) return r;
      throw planError(
        'OVER_MISPLACED',
        `window function ${name}(...) OVER (...) is only allowed in the select list of a query without GROUP BY`,
        e.span,
      );
    }
    if (isAggregateCall(e, this.ctx.registry)) {
      throw planError(
        'AGGREGATE_MISPLACED',
        `Aggregate function ${upper} is not allowed ${this.ctx.clause ? `in ${this.ctx.clause}` : 'here'}`,
        e.span,
      );
    }
    if (e.distinct || e.filter || e.withinGroup.length > 0) {
      throw planError(
        'FUNCTION_SYNTAX',
        `DISTINCT, FILTER and WITHIN GROUP apply only to aggregate functions, not to ${upper}`,
        e.span,
      );
    }
    if (upper === 'PROCTIME' && e.args.length === 0) {
      return { kind: 'proctime', type: withTimeAttribute(T.timestampLtz(3, false), 'PROCTIME') };
    }
    if (upper === 'CURRENT_WATERMARK') return this.currentWatermark(e);
    return this.call(
      upper,
      e.args.map((a) => this.bind(a)),
      e.span,
      upper,
    );
  }

  /** CURRENT_WATERMARK(rowtime): typed as the rowtime (precision 3), nullable, not a time attribute. */
  private currentWatermark(e: FunctionCall): BoundExpr {
    const arg = e.args.length === 1 ? this.bind(e.args[0] as Expr) : undefined;
    if (arg?.type.timeAttribute !== 'ROWTIME') {
      throw planError(
        'CURRENT_WATERMARK_ARGUMENT',
        'CURRENT_WATERMARK takes one argument, a rowtime attribute (a column with a WATERMARK, or window_time)',
        e.span,
      );
    }
    return {
      kind: 'currentWatermark',
      arg,
      type: withTimeAttribute({ ...arg.type, nullable: true, precision: 3 }, undefined),
    };
  }

  private unknownFunction(name: string, span: Span): RivuletError {
    const names = this.ctx.registry.names();
    const close = didYouMean(name, names, 2);
    return planError(
      'FUNCTION_NOT_FOUND',
      `No function named '${name}'${close ? `; did you mean '${close}'?` : ''} (SHOW FUNCTIONS lists them)`,
      span,
    );
  }
}

/**
 * Constant folding: a deterministic call whose arguments are all literals is evaluated once, at
 * planning time. A call that fails (say 1 / 0) is left to fail at run time, where the error names the
 * row, as Flink reports it.
 */
export function foldConstant(e: BoundExpr): BoundExpr {
  if (e.kind !== 'call' || !e.fn.deterministic || !e.args.every((a) => a.kind === 'literal')) return e;
  const args = e.args.map((a) => (a as { value: Value }).value);
  if (e.fn.nullOnNullInput && args.includes(null)) return literal(null, e.type);
  try {
    return literal(e.fn.impl(...args), e.type);
  } catch {
    return e;
  }
}

/** A stable key for comparing bound expressions structurally (GROUP BY matching). */
export function exprKey(e: BoundExpr): string {
  return `${exprToString(e)}:${typeToString(e.type)}`;
}
