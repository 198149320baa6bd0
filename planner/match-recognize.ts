/**
 * MATCH_RECOGNIZE in the planner: binds the clause against its input and builds the operator's
 * `MatchSpec` (operators/match/spec.ts).
 *
 * DEFINE conditions and MEASURES are ordinary SQL expressions except for their "navigation leaves":
 * column references qualified by a pattern variable (`A.price`), PREV/NEXT/FIRST/LAST, CLASSIFIER,
 * MATCH_NUMBER, MATCH_ROWTIME and aggregates over variables. Each expression is compiled in three
 * steps, so the whole scalar machinery (functions, casts, three-valued logic, UDFs) applies inside:
 * 1. every leaf is replaced by a placeholder column and remembered with a function reading its value
 *    from the match context (`ctx.get(ctx.nav(A, 'LAST', 0), price)` and so on);
 * 2. the rewritten expression is bound and compiled over a row of the leaf values;
 * 3. the result is `(ctx) => compiled(leaves.map((leaf) => leaf(ctx)))`.
 */

import type { ResolvedAggregate } from '../catalog/functions/registry.ts';
import { type LogicalType, T, withNullable, withTimeAttribute } from '../catalog/types.ts';
import { RivuletError, type Span } from '../common/errors.ts';
import type { Row, Value } from '../operators/api.ts';
import type {
  AggregateCall,
  MatchContext,
  MatchSpec,
  PatternNode,
  RowRef,
  Semantics,
  VarRef,
} from '../operators/match/spec.ts';
import type {
  ColumnRef,
  Expr,
  FunctionCall,
  Identifier,
  MatchRecognizeRef,
  RowPattern,
} from '../parser/ast.ts';
import { rewriteAst } from './ast-rewrite.ts';
import { type ExprBinder, functionName, isAggregateCall } from './bind-expr.ts';
import { compileExpr } from './compile.ts';
import type { Field, RelNode, SortKey } from './logical.ts';
import { Scope } from './scope.ts';

export interface MatchRel {
  readonly kind: 'match';
  readonly input: RelNode;
  /** Everything but the order, which depends on whether the input is bounded (see `orderFor`). */
  readonly spec: Omit<MatchSpec, 'order'>;
  readonly orderKeys: readonly SortKey[];
  /** The rowtime column the first ORDER BY key names, if it is an event-time attribute. */
  readonly rowtimeIndex: number | null;
  readonly fields: readonly Field[];
}

function err(code: string, message: string, span?: Span): RivuletError {
  return new RivuletError('plan', code, message, span);
}

const NAV = new Set(['PREV', 'NEXT', 'FIRST', 'LAST']);
const SPECIAL = new Set(['CLASSIFIER', 'MATCH_NUMBER', 'MATCH_ROWTIME', 'MATCH_PROCTIME']);

/** Converts the parsed row pattern to the operator's IR, collecting primary variables in order. */
function patternOf(p: RowPattern, vars: string[]): PatternNode {
  switch (p.kind) {
    case 'patternVariable':
      if (!vars.includes(p.name.text)) vars.push(p.name.text);
      return { kind: 'var', name: p.name.text };
    case 'patternConcat':
      return { kind: 'concat', items: p.items.map((i) => patternOf(i, vars)) };
    case 'patternAlternation':
      return { kind: 'alt', items: p.alternatives.map((i) => patternOf(i, vars)) };
    case 'patternEmpty':
      return { kind: 'empty' };
    case 'patternAnchor':
      return { kind: 'anchor', which: p.anchor === 'START' ? 'start' : 'end' };
    case 'patternExclusion':
      return { kind: 'exclude', item: patternOf(p.pattern, vars) };
    case 'patternPermute':
      return { kind: 'permute', items: p.items.map((i) => patternOf(i, vars)) };
    case 'patternQuantified':
      return {
        kind: 'quant',
        item: patternOf(p.pattern, vars),
        min: p.min,
        max: p.max ?? Infinity,
        reluctant: p.reluctant,
      };
  }
}

type Leaf = { readonly type: LogicalType; readonly get: (ctx: MatchContext) => Value };
type Locator = (ctx: MatchContext) => RowRef | null;

export class MatchBinder {
  private readonly ref: MatchRecognizeRef;
  private readonly input: { rel: RelNode; fields: readonly Field[] };
  private readonly binder: (scope: Scope, clause: string) => ExprBinder;
  private readonly registry: {
    lookupAggregate(
      name: string,
    ): { resolve(t: readonly LogicalType[], ctx: never): ResolvedAggregate } | undefined;
  };
  private readonly fnContext: unknown;
  private readonly scope: Scope;
  private vars: string[] = [];
  private subsets: { name: string; members: string[] }[] = [];
  maxLookback = 0;
  maxLookahead = 0;

  constructor(
    ref: MatchRecognizeRef,
    input: { rel: RelNode; fields: readonly Field[] },
    binder: (scope: Scope, clause: string) => ExprBinder,
    registry: MatchBinder['registry'],
    fnContext: unknown,
  ) {
    this.ref = ref;
    this.input = input;
    this.binder = binder;
    this.registry = registry;
    this.fnContext = fnContext;
    this.scope = new Scope(input.fields.map((f) => ({ name: f.name, type: f.type })));
  }

  private varIndex(name: string): number | undefined {
    const p = this.vars.indexOf(name);
    if (p >= 0) return p;
    const s = this.subsets.findIndex((x) => x.name === name);
    return s >= 0 ? this.vars.length + s : undefined;
  }

  private column(path: readonly Identifier[], span: Span): { index: number; type: LogicalType } {
    const r = this.scope.resolve(path, span);
    if (r.rest.length > 0)
      throw err('MATCH_NESTED_FIELD', 'nested fields are not supported inside MATCH_RECOGNIZE', span);
    return { index: r.index, type: withTimeAttribute(withNullable(r.field.type, true), undefined) };
  }

  /** The single pattern variable an expression's column references use (null: none, the universal one). */
  private variableOf(e: unknown, span: Span): VarRef {
    const found = new Set<number | null>();
    rewriteAst(e, (n) => {
      if (n.kind === 'columnRef') {
        const head = n.path[0] as Identifier;
        found.add(n.path.length >= 2 ? (this.varIndex(head.text) ?? null) : null);
      } else if (n.kind === 'star' && n.qualifier.length === 1) {
        const v = this.varIndex((n.qualifier[0] as Identifier).text);
        if (v === undefined)
          throw err(
            'MATCH_UNKNOWN_VARIABLE',
            `Unknown pattern variable '${(n.qualifier[0] as Identifier).text}'`,
            n.span,
          );
        found.add(v);
      }
      return undefined;
    });
    if (found.size > 1) {
      throw err(
        'MATCH_MIXED_VARIABLES',
        'All column references in one navigation or aggregate must use the same pattern variable',
        span,
      );
    }
    return found.size === 0 ? null : ([...found][0] as VarRef);
  }

  /** Compiles a DEFINE or MEASURES expression to a function of the match context (see the file comment). */
  compile(
    e: Expr,
    clause: string,
    defaultSem: Semantics,
  ): { fn: (ctx: MatchContext) => Value; type: LogicalType } {
    const leaves: Leaf[] = [];
    const leafRef = (leaf: Leaf, span: Span): Expr => {
      leaves.push(leaf);
      const id: Identifier = { kind: 'identifier', span, text: `$leaf${leaves.length - 1}`, quoted: true };
      return { kind: 'columnRef', span, path: [id] } satisfies ColumnRef;
    };
    const visit = (node: Expr, locator: Locator | null, sem: Semantics): Expr | undefined => {
      if (node.kind === 'columnRef') {
        const head = node.path[0] as Identifier;
        const v = node.path.length >= 2 ? this.varIndex(head.text) : undefined;
        const col = this.column(v === undefined ? node.path : node.path.slice(1), node.span);
        const varRef: VarRef = v ?? null;
        const loc: Locator = locator ?? ((ctx) => ctx.nav(varRef, 'LAST', 0, sem));
        return leafRef({ type: col.type, get: (ctx) => ctx.get(loc(ctx), col.index) }, node.span);
      }
      if (node.kind !== 'functionCall') return undefined;
      const name = functionName(node).toUpperCase();
      const s: Semantics = node.semantics ?? sem;
      if (NAV.has(name) && node.over === null)
        return this.navigation(
          node,
          name,
          locator,
          s,
          (inner, loc) => rewriteAst(inner, (n) => visit(n, loc, s)) as Expr,
        );
      if (SPECIAL.has(name)) return this.special(node, name, s, leafRef);
      if (isAggregateCall(node, this.registry as never)) return this.aggregate(node, name, s, leafRef);
      return undefined;
    };
    const rewritten = rewriteAst(e, (n) => visit(n, null, defaultSem)) as Expr;
    const leafScope = new Scope(leaves.map((l, i) => ({ name: `$leaf${i}`, type: l.type })));
    const bound = this.binder(leafScope, clause).bind(rewritten);
    const compiled = compileExpr(bound);
    const gets = leaves.map((l) => l.get);
    const n = gets.length;
    const fn = (ctx: MatchContext): Value => {
      const row: Row = new Array(n);
      for (let i = 0; i < n; i++) row[i] = (gets[i] as (c: MatchContext) => Value)(ctx);
      return compiled(row);
    };
    return { fn, type: bound.type };
  }

  private navigation(
    node: FunctionCall,
    name: string,
    outer: Locator | null,
    sem: Semantics,
    inner: (e: Expr, loc: Locator) => Expr,
  ): Expr {
    const [arg, offsetArg] = node.args;
    if (!arg || node.args.length > 2)
      throw err('MATCH_NAVIGATION', `${name} takes an expression and an optional offset`, node.span);
    let offset = 0;
    if (offsetArg) {
      if (offsetArg.kind !== 'numericLiteral' || !/^\d+$/.test(offsetArg.text)) {
        throw err(
          'MATCH_NAVIGATION',
          `The offset of ${name} must be a non-negative integer constant`,
          offsetArg.span,
        );
      }
      offset = Number(offsetArg.text);
    } else if (name === 'PREV' || name === 'NEXT') offset = 1;
    if (outer)
      throw err(
        'MATCH_NAVIGATION',
        `${name} cannot be nested inside another navigation except FIRST/LAST inside PREV/NEXT`,
        node.span,
      );
    if (name === 'FIRST' || name === 'LAST') {
      const v = this.variableOf(arg, node.span);
      const loc: Locator = (ctx) => ctx.nav(v, name, offset, sem);
      return inner(arg, loc);
    }
    // PREV/NEXT: physical offset from the current row, or from a row FIRST/LAST locates.
    const signed = name === 'PREV' ? -offset : offset;
    if (name === 'PREV') this.maxLookback = Math.max(this.maxLookback, offset);
    else this.maxLookahead = Math.max(this.maxLookahead, offset);
    let base: Locator;
    let valueExpr: Expr = arg;
    const innerName = arg.kind === 'functionCall' ? functionName(arg).toUpperCase() : '';
    if (arg.kind === 'functionCall' && (innerName === 'FIRST' || innerName === 'LAST')) {
      const [x, o] = arg.args;
      if (!x) throw err('MATCH_NAVIGATION', `${innerName} needs an argument`, arg.span);
      const n = o && o.kind === 'numericLiteral' ? Number(o.text) : 0;
      const v = this.variableOf(x, arg.span);
      const s = arg.semantics ?? sem;
      base = (ctx) => ctx.nav(v, innerName as 'FIRST' | 'LAST', n, s);
      valueExpr = x;
    } else {
      const v = this.variableOf(arg, node.span);
      base = v === null ? (ctx) => ctx.current() : (ctx) => ctx.nav(v, 'LAST', 0, sem);
    }
    const loc: Locator = (ctx) => ctx.physical(base(ctx), signed);
    return inner(valueExpr, loc);
  }

  private special(
    node: FunctionCall,
    name: string,
    sem: Semantics,
    leafRef: (l: Leaf, s: Span) => Expr,
  ): Expr {
    switch (name) {
      case 'CLASSIFIER': {
        const a = node.args[0];
        if (!a) return leafRef({ type: T.string(), get: (ctx) => ctx.classifier() }, node.span);
        if (a.kind !== 'columnRef' || a.path.length !== 1)
          throw err('MATCH_CLASSIFIER', 'CLASSIFIER takes a pattern variable', a.span);
        const v = this.varIndex((a.path[0] as Identifier).text);
        if (v === undefined)
          throw err(
            'MATCH_UNKNOWN_VARIABLE',
            `Unknown pattern variable '${(a.path[0] as Identifier).text}'`,
            a.span,
          );
        return leafRef(
          { type: T.string(), get: (ctx) => ctx.classifier(ctx.nav(v, 'LAST', 0, sem)) },
          node.span,
        );
      }
      case 'MATCH_NUMBER':
        return leafRef({ type: T.bigint(false), get: (ctx) => BigInt(ctx.matchNumber()) }, node.span);
      case 'MATCH_ROWTIME': {
        const t = this.ref.orderBy[0] ? this.rowtimeType() : T.timestamp(3);
        return leafRef({ type: t, get: (ctx) => ctx.rowtime(ctx.nav(null, 'LAST', 0, 'FINAL')) }, node.span);
      }
      default:
        return leafRef(
          { type: withTimeAttribute(T.timestampLtz(3, false), 'PROCTIME'), get: () => Date.now() },
          node.span,
        );
    }
  }

  private rowtimeType(): LogicalType {
    const first = this.ref.orderBy[0];
    if (first?.expr.kind === 'columnRef') {
      const r = this.scope.resolve(first.expr.path, first.span);
      return withTimeAttribute(r.field.type, 'ROWTIME');
    }
    return withTimeAttribute(T.timestamp(3), 'ROWTIME');
  }

  private aggregate(
    node: FunctionCall,
    name: string,
    sem: Semantics,
    leafRef: (l: Leaf, s: Span) => Expr,
  ): Expr {
    const variable = this.variableOf(node.args, node.span);
    const isStar = node.args.length === 1 && (node.args[0] as Expr).kind === 'star';
    const argExprs = isStar
      ? []
      : node.args.map(
          (a) =>
            rewriteAst(a, (n) => {
              // Inside an aggregate, `A.price` is the price of each row of A: drop the qualifier.
              if (
                n.kind === 'columnRef' &&
                n.path.length >= 2 &&
                this.varIndex((n.path[0] as Identifier).text) !== undefined
              ) {
                return { ...n, path: n.path.slice(1) };
              }
              if (
                n.kind === 'functionCall' &&
                (NAV.has(functionName(n).toUpperCase()) || SPECIAL.has(functionName(n).toUpperCase()))
              ) {
                throw err(
                  'MATCH_AGGREGATE_NAVIGATION',
                  'Navigation functions inside an aggregate are not supported',
                  n.span,
                );
              }
              return undefined;
            }) as Expr,
        );
    const eb = this.binder(this.scope, `the arguments of ${name}`);
    const bound = argExprs.map((a) => eb.bind(a));
    const def = this.registry.lookupAggregate(name);
    if (!def) throw err('FUNCTION_NOT_FOUND', `No aggregate function named '${name}'`, node.span);
    let resolved: ResolvedAggregate;
    try {
      resolved = def.resolve(
        bound.map((b) => b.type),
        this.fnContext as never,
      );
    } catch (e) {
      if (e instanceof RivuletError && !e.span) throw err(e.code, e.message, node.span);
      throw e;
    }
    const argFns = bound.map((b) => compileExpr(b));
    const call: AggregateCall = {
      fn: resolved.create(),
      variable,
      semantics: sem,
      args: (ctx, ref) => {
        const row = ctx.row(ref) as Row;
        return argFns.map((f) => f(row));
      },
    };
    return leafRef({ type: resolved.resultType, get: (ctx) => ctx.aggregate(call) }, node.span);
  }

  bind(): MatchRel {
    const ref = this.ref;
    const pattern = patternOf(ref.pattern, this.vars);
    const seenSubsets = new Set<string>();
    for (const s of ref.subsets) {
      if (this.vars.includes(s.name.text) || seenSubsets.has(s.name.text)) {
        throw err(
          'MATCH_DUPLICATE_VARIABLE',
          `SUBSET name '${s.name.text}' is already a pattern variable`,
          s.name.span,
        );
      }
      for (const m of s.variables) {
        if (!this.vars.includes(m.text))
          throw err(
            'MATCH_UNKNOWN_VARIABLE',
            `SUBSET ${s.name.text} names '${m.text}', which is not in the PATTERN`,
            m.span,
          );
      }
      seenSubsets.add(s.name.text);
      this.subsets.push({ name: s.name.text, members: s.variables.map((v) => v.text) });
    }
    const defines = new Map<string, (ctx: MatchContext) => unknown>();
    for (const d of ref.definitions) {
      const name = d.variable.text;
      if (!this.vars.includes(name)) {
        throw err(
          'MATCH_UNKNOWN_VARIABLE',
          `DEFINE ${name}: '${name}' is not a variable of the PATTERN (${this.vars.join(', ')})`,
          d.variable.span,
        );
      }
      if (defines.has(name))
        throw err('MATCH_DUPLICATE_VARIABLE', `Variable '${name}' is defined twice`, d.variable.span);
      const c = this.compile(d.condition, `DEFINE ${name}`, 'RUNNING');
      if (c.type.kind !== 'BOOLEAN' && c.type.kind !== 'NULL') {
        throw err('TYPE_MISMATCH', `DEFINE ${name} must be a BOOLEAN condition`, d.condition.span);
      }
      defines.set(name, c.fn);
    }
    const measures = ref.measures.map((m) => {
      const c = this.compile(m.expr, 'MEASURES', 'RUNNING');
      return { name: m.name.text, fn: c.fn, type: c.type };
    });
    const eb = this.binder(this.scope, 'PARTITION BY');
    const partitionBy = ref.partitionBy.map((p) => {
      const b = eb.bind(p);
      if (b.kind !== 'input')
        throw err('MATCH_PARTITION', 'PARTITION BY of MATCH_RECOGNIZE takes column names', p.span);
      return b.index;
    });
    const orderKeys: SortKey[] = ref.orderBy.map((o) => {
      const b = eb.bind(o.expr);
      if (b.kind !== 'input')
        throw err('MATCH_ORDER', 'ORDER BY of MATCH_RECOGNIZE takes column names', o.span);
      const descending = o.direction === 'DESC';
      return { index: b.index, descending, nullsFirst: o.nulls ? o.nulls === 'FIRST' : !descending };
    });
    const first = orderKeys[0];
    const rowtimeIndex =
      first && !first.descending && this.input.fields[first.index]?.type.timeAttribute === 'ROWTIME'
        ? first.index
        : null;
    const rowsPerMatch =
      ref.rowsPerMatch === null || ref.rowsPerMatch === 'ONE_ROW_PER_MATCH'
        ? 'ONE'
        : ref.rowsPerMatch === 'ALL_ROWS_PER_MATCH_OMIT_EMPTY'
          ? 'ALL_OMIT_EMPTY'
          : ref.rowsPerMatch === 'ALL_ROWS_PER_MATCH_WITH_UNMATCHED'
            ? 'ALL_WITH_UNMATCHED'
            : 'ALL_SHOW_EMPTY';
    const skip = ref.afterMatchSkip;
    const skipVar = (id: Identifier | null): number => {
      const v = id ? this.varIndex(id.text) : undefined;
      if (v === undefined)
        throw err(
          'MATCH_UNKNOWN_VARIABLE',
          `AFTER MATCH SKIP names an unknown variable '${id?.text}'`,
          skip?.span,
        );
      return v;
    };
    const afterMatchSkip: MatchSpec['afterMatchSkip'] =
      !skip || skip.to === 'PAST_LAST_ROW'
        ? { kind: 'PAST_LAST_ROW' }
        : skip.to === 'NEXT_ROW'
          ? { kind: 'TO_NEXT_ROW' }
          : skip.to === 'FIRST'
            ? { kind: 'TO_FIRST', variable: skipVar(skip.variable) }
            : { kind: 'TO_LAST', variable: skipVar(skip.variable) };
    let withinMs: number | null = null;
    if (ref.within) {
      const w = this.binder(new Scope([]), 'WITHIN').bind(ref.within);
      if (w.kind !== 'literal' || w.type.kind !== 'INTERVAL_DAY_TIME' || typeof w.value !== 'number') {
        throw err(
          'MATCH_WITHIN',
          "WITHIN takes a constant interval such as INTERVAL '1' MINUTE",
          ref.within.span,
        );
      }
      withinMs = w.value;
    }
    const spec: Omit<MatchSpec, 'order'> = {
      pattern,
      variables: this.vars.map((name) => ({ name, define: defines.get(name) ?? null })),
      subsets: this.subsets,
      measures: measures.map((m) => ({ name: m.name, fn: m.fn })),
      partitionBy,
      rowsPerMatch,
      afterMatchSkip,
      withinMs,
      maxLookback: this.maxLookback,
      maxLookahead: this.maxLookahead,
    };
    const measureFields: Field[] = measures.map((m) => ({ name: m.name, type: m.type }));
    const base =
      rowsPerMatch === 'ONE'
        ? partitionBy.map((i) => {
            const f = this.input.fields[i] as Field;
            return { name: f.name, type: withTimeAttribute(f.type, undefined) };
          })
        : this.input.fields.map((f) => ({ name: f.name, type: withTimeAttribute(f.type, undefined) }));
    return {
      kind: 'match',
      input: this.input.rel,
      spec,
      orderKeys,
      rowtimeIndex,
      fields: [...base, ...measureFields],
    };
  }
}
