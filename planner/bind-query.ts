/**
 * Binds a parsed query to a logical plan against the catalog: FROM (tables, views, CTEs, subqueries,
 * VALUES, joins), WHERE, GROUP BY with aggregates, HAVING, the select list, DISTINCT, set operations,
 * ORDER BY and LIMIT. Names resolve case-sensitively as in Flink; errors carry the position of the
 * offending text.
 */

import type { Catalog, TableDefinition, ViewDefinition } from '../catalog/catalog.ts';
import { commonTypeOrThrow } from '../catalog/coercion.ts';
import type { FunctionContext, ResolvedAggregate } from '../catalog/functions/registry.ts';
import { type LogicalType, T, withNullable, withTimeAttribute } from '../catalog/types.ts';
import { RivuletError, type Span } from '../common/errors.ts';
import type { Value } from '../operators/api.ts';
import type { PeriodQuery } from '../operators/temporal/version-history.ts';
import type {
  ComparisonOp,
  Expr,
  FunctionCall,
  GroupingElement,
  Identifier,
  OrderItem,
  Query,
  SelectQuery,
  TableFunctionArg,
  TableRef,
} from '../parser/ast.ts';
import { type AggregateSink, containsAggregate, ExprBinder, exprKey, functionName } from './bind-expr.ts';
import { compileExpr } from './compile.ts';
import { type CorrelateRel, ORDINALITY_FIELD, unnestFields } from './correlate.ts';
import { type BoundExpr, inputRef, literal, mapInputs, TRUE } from './expr.ts';
import { intervalBounds } from './interval-join.ts';
import { rewriteLegacyWindow } from './legacy-windows.ts';
import type { AggCall, Field, JoinType, RelNode, SortKey } from './logical.ts';
import { MatchBinder } from './match-recognize.ts';
import { bindOver, collectOverCalls } from './over.ts';
import { didYouMean, Scope } from './scope.ts';
import {
  collectScalarSubqueries,
  correlatedScalarJoin,
  negateProbe,
  type QuantifiedProbe,
  type SubqueryBinder,
  subqueryJoin,
} from './subquery.ts';
import { probeKeyColumns, temporalJoin, timeTravel } from './temporal.ts';
import { intervalMs, isWindowFunction, type WindowFunction, windowArguments, windowTvf } from './window.ts';

interface Bound {
  readonly rel: RelNode;
  readonly fields: readonly Field[];
}

export interface QueryBinderOptions {
  readonly catalog: Catalog;
  readonly fnContext: FunctionContext;
}

function planError(code: string, message: string, span: Span): RivuletError {
  return new RivuletError('plan', code, message, span);
}

/** Output fields of an operator that loses time attributes (joins, aggregations) keep plain types. */
function plain(f: Field): Field {
  return f.type.timeAttribute ? { ...f, type: withTimeAttribute(f.type, undefined) } : f;
}

export class QueryBinder {
  readonly catalog: Catalog;
  readonly fnContext: FunctionContext;
  /** Views being expanded, to report a cycle instead of overflowing the stack. */
  private readonly expanding: string[] = [];

  constructor(options: QueryBinderOptions) {
    this.catalog = options.catalog;
    this.fnContext = options.fnContext;
  }

  exprBinder(scope: Scope, clause?: string): ExprBinder {
    return new ExprBinder({
      scope,
      registry: this.catalog.functions,
      fnContext: this.fnContext,
      ...(clause ? { clause } : {}),
    });
  }

  bindQuery(q: Query, ctes: ReadonlyMap<string, Bound> = new Map()): Bound {
    switch (q.kind) {
      case 'with': {
        const scope = new Map(ctes);
        for (const cte of q.ctes) {
          const b = this.bindQuery(cte.query, scope);
          scope.set(cte.name.text, this.rename(b, cte.columns, cte.name.text, cte.span));
        }
        return this.bindQuery(q.body, scope);
      }
      case 'select':
        return this.withTail(q, this.bindSelect(q, ctes), ctes);
      case 'values':
        return this.withTail(
          q,
          this.bindValues(
            q.rows.map((r) => r.fields),
            q.span,
          ),
          ctes,
        );
      case 'setOperation':
        return this.withTail(q, this.bindSetOp(q, ctes), ctes);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // FROM

  private bindFrom(ref: TableRef, ctes: ReadonlyMap<string, Bound>): Bound {
    switch (ref.kind) {
      case 'tableName': {
        if (ref.systemTime) return this.bindTimeTravel(ref, ctes);
        const parts = ref.name.parts;
        const name = (parts[parts.length - 1] as Identifier).text;
        const alias = ref.alias?.name.text ?? name;
        let bound: Bound;
        const cte = parts.length === 1 ? ctes.get(name) : undefined;
        if (cte) bound = cte;
        else {
          const obj = this.catalog.get(name);
          if (!obj) {
            const suggestion = didYouMean(name, [...ctes.keys(), ...this.catalog.list()]);
            throw planError(
              'TABLE_NOT_FOUND',
              `Object '${name}' not found${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
              ref.name.span,
            );
          }
          bound = obj.kind === 'table' ? this.scan(obj) : this.expandView(obj, ref.span);
        }
        return this.rename(bound, ref.alias?.columns ?? [], alias, ref.span);
      }
      case 'subquery': {
        if (ref.lateral)
          throw planError(
            'LATERAL_UNSUPPORTED',
            'LATERAL subqueries are not supported by Rivulet yet',
            ref.span,
          );
        const b = this.bindQuery(ref.query, ctes);
        return this.rename(b, ref.alias?.columns ?? [], ref.alias?.name.text, ref.span);
      }
      case 'join':
        return this.bindJoin(ref, ctes);
      case 'tableFunction': {
        const fname = ref.name.parts
          .map((p) => p.text)
          .join('.')
          .toUpperCase();
        if (isWindowFunction(fname)) {
          const b = this.bindWindowTvf(ref, fname, ctes);
          return this.rename(b, ref.alias?.columns ?? [], ref.alias?.name.text, ref.span);
        }
        throw planError(
          'TABLE_FUNCTION_UNSUPPORTED',
          `table function ${ref.name.parts.map((p) => p.text).join('.')}(...) is not supported by Rivulet yet`,
          ref.span,
        );
      }
      case 'unnest': {
        const b = this.bindCorrelate(this.bindValues([[]], ref.span), ref, false);
        return this.rename(b, [], undefined, ref.span);
      }
      case 'matchRecognize': {
        const input = this.bindFrom(ref.input, ctes);
        const rel = new MatchBinder(
          ref,
          input,
          (scope, clause) => this.exprBinder(scope, clause),
          this.catalog.functions,
          this.fnContext,
        ).bind();
        return this.rename(
          { rel, fields: rel.fields },
          ref.alias?.columns ?? [],
          ref.alias?.name.text,
          ref.span,
        );
      }
    }
  }

  /** `left [LEFT] JOIN v FOR SYSTEM_TIME AS OF left.time ON ...` (see temporal.ts). */
  private bindTemporalJoin(
    ref: Extract<TableRef, { kind: 'join' }>,
    left: Bound,
    ctes: ReadonlyMap<string, Bound>,
  ): Bound {
    const r = ref.right as Extract<TableRef, { kind: 'tableName' }>;
    const st = r.systemTime as NonNullable<typeof r.systemTime>;
    if (st.kind !== 'systemTimeAsOf') {
      throw planError(
        'TEMPORAL_JOIN_PERIOD',
        'A temporal join takes FOR SYSTEM_TIME AS OF <time attribute>; FROM/BETWEEN are for time travel queries',
        st.span,
      );
    }
    if (ref.joinType !== 'INNER' && ref.joinType !== 'LEFT') {
      throw planError(
        'TEMPORAL_JOIN_TYPE',
        `A temporal join is INNER or LEFT, not ${ref.joinType}`,
        ref.span,
      );
    }
    if (ref.condition?.kind !== 'joinOn')
      throw planError(
        'TEMPORAL_JOIN_KEY',
        'A temporal join needs an ON condition on the primary key',
        ref.span,
      );
    const right = this.bindFrom({ ...r, systemTime: null }, ctes);
    const asOf = this.exprBinder(new Scope(left.fields), 'FOR SYSTEM_TIME AS OF').bind(st.at);
    const scope = new Scope([...left.fields, ...right.fields]);
    const condition = this.exprBinder(scope, 'a join condition').bindPredicate(ref.condition.expr, 'JOIN ON');
    const name = (r.name.parts[r.name.parts.length - 1] as Identifier).text;
    const rf = right.fields.map((f) => ({
      ...plain(f),
      ...(ref.joinType === 'LEFT' ? { type: withNullable(plain(f).type, true) } : {}),
    }));
    const fields = [...left.fields, ...rf];
    // Key expressions of the left row (`ON MOD(b.auction, 10000) = s.key`) are computed by a
    // projection below the join, appended to the left row, and projected away above it.
    const probe = probeKeyColumns(condition, left.fields.length);
    if (!probe) {
      const temporal = temporalJoin(asOf, condition, left.fields, right, name, ref.span);
      const rel: RelNode = {
        kind: 'join',
        joinType: ref.joinType,
        left: left.rel,
        right: right.rel,
        condition,
        fields,
        temporal,
      };
      return { rel, fields };
    }
    const n = left.fields.length;
    const keyFields = probe.exprs.map((e, k) => ({ name: `$key${k}`, type: e.type, hidden: true }));
    const probeFields = [...left.fields, ...keyFields];
    const probeRel: RelNode = {
      kind: 'project',
      input: left.rel,
      exprs: [...left.fields.map((f, i) => inputRef(i, f.type, f.name)), ...probe.exprs],
      fields: probeFields,
    };
    const temporal = temporalJoin(asOf, probe.condition, probeFields, right, name, ref.span);
    const joinFields = [...probeFields, ...rf];
    const join: RelNode = {
      kind: 'join',
      joinType: ref.joinType,
      left: probeRel,
      right: right.rel,
      condition: probe.condition,
      fields: joinFields,
      temporal,
    };
    const m = keyFields.length;
    const exprs = fields.map((f, i) => inputRef(i < n ? i : i + m, f.type, f.name));
    return { rel: { kind: 'project', input: join, exprs, fields }, fields };
  }

  /** `t FOR SYSTEM_TIME AS OF <constant>` / `FROM a TO b` / `BETWEEN a AND b`: time travel. */
  private bindTimeTravel(
    ref: Extract<TableRef, { kind: 'tableName' }>,
    ctes: ReadonlyMap<string, Bound>,
  ): Bound {
    const st = ref.systemTime as NonNullable<typeof ref.systemTime>;
    const input = this.bindFrom({ ...ref, systemTime: null, alias: null }, ctes);
    const binder = this.exprBinder(new Scope([]), 'FOR SYSTEM_TIME');
    const instant = (e: Expr): number => {
      const b = binder.bind(e);
      if (
        b.kind !== 'literal' ||
        typeof b.value !== 'number' ||
        (b.type.kind !== 'TIMESTAMP' && b.type.kind !== 'TIMESTAMP_LTZ')
      ) {
        throw planError(
          'TIME_TRAVEL_INSTANT',
          "Outside a join, FOR SYSTEM_TIME takes constant timestamps, e.g. AS OF TIMESTAMP '2026-01-05 10:00:00'; in a join, AS OF names the left side's time attribute",
          e.span,
        );
      }
      return b.value;
    };
    const query: PeriodQuery =
      st.kind === 'systemTimeAsOf'
        ? { kind: 'asOf', at: instant(st.at) }
        : { kind: st.mode === 'FROM_TO' ? 'fromTo' : 'between', from: instant(st.from), to: instant(st.to) };
    const name = (ref.name.parts[ref.name.parts.length - 1] as Identifier).text;
    const rel = timeTravel(input, query, name, ref.span);
    return this.rename(
      { rel, fields: rel.fields },
      ref.alias?.columns ?? [],
      ref.alias?.name.text ?? name,
      ref.span,
    );
  }

  /** UNNEST or a table function applied to each row of `left` (see correlate.ts). */
  private bindCorrelate(
    left: Bound,
    ref: Extract<TableRef, { kind: 'unnest' | 'tableFunction' }>,
    outer: boolean,
  ): Bound {
    const binder = this.exprBinder(
      new Scope(left.fields),
      ref.kind === 'unnest' ? 'UNNEST' : 'a table function',
    );
    let args: BoundExpr[];
    let fn: CorrelateRel['fn'];
    let produced: { name: string; type: LogicalType }[];
    let withOrdinality = false;
    if (ref.kind === 'unnest') {
      args = ref.args.map((a) => binder.bind(a));
      produced = args.flatMap((a) => unnestFields(a.type, ref.span));
      fn = { kind: 'unnest' };
      withOrdinality = ref.withOrdinality;
      if (withOrdinality) produced.push(ORDINALITY_FIELD);
    } else {
      const name = ref.name.parts.map((p) => p.text).join('.');
      const impl = this.catalog.tableFunctions.get(name.toUpperCase());
      if (!impl) throw planError('FUNCTION_NOT_FOUND', `No table function named '${name}'`, ref.name.span);
      args = ref.args.map((a) => {
        if (a.value.kind === 'tableArgument')
          throw planError('TABLE_FUNCTION_ARGUMENT', `${name} takes values, not TABLE arguments`, a.span);
        return binder.bind(a.value as Expr);
      });
      produced = (impl.resultType.fields ?? []).map((f) => ({ name: f.name, type: f.type }));
      const policy = this.fnContext.udfErrorPolicy;
      fn = { kind: 'udtf', impl: policy && impl.withErrorPolicy ? impl.withErrorPolicy(policy) : impl };
    }
    const alias = ref.alias;
    if (alias && alias.columns.length > 0 && alias.columns.length !== produced.length) {
      throw planError(
        'ALIAS_COLUMNS',
        `The alias lists ${alias.columns.length} column names but the function produces ${produced.length} columns`,
        alias.span,
      );
    }
    const qualifier = alias?.name.text;
    const right: Field[] = produced.map((p, i) => ({
      name: alias?.columns[i]?.text ?? p.name,
      type: outer ? withNullable(p.type, true) : p.type,
      ...(qualifier ? { qualifier } : {}),
    }));
    const fields = [...left.fields, ...right];
    const rel: CorrelateRel = { kind: 'correlate', input: left.rel, args, fn, withOrdinality, outer, fields };
    return { rel, fields };
  }

  private bindWindowTvf(
    ref: Extract<TableRef, { kind: 'tableFunction' }>,
    fn: WindowFunction,
    ctes: ReadonlyMap<string, Bound>,
  ): Bound {
    const args = windowArguments(ref, fn);
    const data = (args.get('DATA') as { value: unknown; span: Span }).value;
    if (!data || (data as { kind: string }).kind !== 'tableArgument') {
      throw planError(
        'WINDOW_ARGUMENT',
        `${fn}'s first argument must be TABLE <name>`,
        (args.get('DATA') as { span: Span }).span,
      );
    }
    const table = data as Extract<TableFunctionArg['value'], { kind: 'tableArgument' }>;
    const input = this.bindFrom(
      { kind: 'tableName', span: table.span, name: table.table, systemTime: null, alias: null },
      ctes,
    );
    const timeArg = args.get('TIMECOL') as TableFunctionArg;
    const desc = timeArg.value;
    if (desc.kind !== 'descriptor' || desc.columns.length !== 1) {
      throw planError('WINDOW_ARGUMENT', `${fn}'s TIMECOL must be DESCRIPTOR(<time column>)`, timeArg.span);
    }
    const scope = new Scope(input.fields);
    const timeCol = desc.columns[0] as Identifier;
    const timeIndex = scope.resolve([timeCol], timeCol.span).index;
    const binder = this.exprBinder(new Scope([]), `${fn}`);
    const intervals = new Map<string, number>();
    for (const [name, arg] of args) {
      if (name === 'DATA' || name === 'TIMECOL') continue;
      intervals.set(name, intervalMs(binder, arg, `${fn} ${name}`));
    }
    const keyBinder = this.exprBinder(scope, 'PARTITION BY');
    const partitionKeys = table.partitionBy.map((p) => {
      const e = keyBinder.bind(p);
      if (e.kind !== 'input')
        throw planError(
          'WINDOW_ARGUMENT',
          'PARTITION BY of a window table function takes column names',
          p.span,
        );
      return e.index;
    });
    if (partitionKeys.length > 0 && fn !== 'SESSION') {
      throw planError('WINDOW_ARGUMENT', `only SESSION windows take PARTITION BY`, table.span);
    }
    const rel = windowTvf(fn, input, timeIndex, intervals, partitionKeys, ref.span);
    return {
      rel,
      fields: rel.fields.map((f, i) =>
        i < input.fields.length
          ? { ...f, ...(input.fields[i]?.qualifier ? { qualifier: input.fields[i]?.qualifier } : {}) }
          : f,
      ),
    };
  }

  /** A catalog table: its columns in declaration order, computed columns and watermark bound. */
  scan(table: TableDefinition): Bound {
    const rowtime = table.watermark?.column;
    const fields: Field[] = table.columns.map((c) => ({
      name: c.name,
      type: c.name === rowtime ? withTimeAttribute(c.type, 'ROWTIME') : c.type,
      qualifier: table.name,
    }));
    const scope = new Scope(fields.map((f) => ({ ...f, type: withTimeAttribute(f.type, undefined) })));
    const binder = this.exprBinder(scope, 'a computed column');
    const computed = new Map<number, BoundExpr>();
    table.columns.forEach((c, i) => {
      if (c.kind !== 'computed' || !c.expr) return;
      const e = binder.bind(c.expr);
      computed.set(i, e);
      if (e.kind === 'proctime') fields[i] = { ...(fields[i] as Field), type: e.type };
    });
    let watermark: { column: number; expr: BoundExpr } | undefined;
    if (table.watermark) {
      const column = fields.findIndex((f) => f.name === table.watermark?.column);
      const expr = this.exprBinder(scope, 'WATERMARK').bind(table.watermark.expr);
      watermark = { column, expr };
    }
    return {
      rel: { kind: 'scan', table, computed, ...(watermark ? { watermark } : {}), fields },
      fields,
    };
  }

  private expandView(view: ViewDefinition, span: Span): Bound {
    if (this.expanding.includes(view.name)) {
      throw planError(
        'VIEW_CYCLE',
        `View '${view.name}' refers to itself: ${[...this.expanding, view.name].join(' -> ')}`,
        span,
      );
    }
    this.expanding.push(view.name);
    try {
      const b = this.bindQuery(view.query);
      if (view.columnNames.length === 0) return b;
      const fields = b.fields.map((f, i) => ({ ...f, name: view.columnNames[i] ?? f.name }));
      return { rel: { ...b.rel, fields } as RelNode, fields };
    } finally {
      this.expanding.pop();
    }
  }

  /** Applies `AS alias (c1, c2, ...)`: requalifies fields and optionally renames them. */
  private rename(b: Bound, columns: readonly Identifier[], qualifier: string | undefined, span: Span): Bound {
    if (columns.length > 0 && columns.length !== b.fields.length) {
      throw planError(
        'ALIAS_COLUMNS',
        `The alias lists ${columns.length} column names but the relation has ${b.fields.length} columns`,
        span,
      );
    }
    const fields = b.fields.map((f, i) => {
      const name = columns[i]?.text ?? f.name;
      return qualifier === undefined ? { name, type: f.type } : { name, type: f.type, qualifier };
    });
    return { rel: b.rel, fields };
  }

  private bindJoin(ref: Extract<TableRef, { kind: 'join' }>, ctes: ReadonlyMap<string, Bound>): Bound {
    const r = ref.right;
    const lateralFn =
      r.kind === 'unnest' ||
      (r.kind === 'tableFunction' &&
        !isWindowFunction(
          r.name.parts
            .map((p) => p.text)
            .join('.')
            .toUpperCase(),
        ));
    if (lateralFn) {
      const outer = ref.joinType === 'LEFT';
      if (!outer && ref.joinType !== 'INNER' && ref.joinType !== 'CROSS' && ref.joinType !== 'COMMA') {
        throw planError(
          'LATERAL_JOIN',
          `${ref.joinType} JOIN with a table function is not supported; use CROSS JOIN, a comma, or LEFT JOIN ... ON TRUE`,
          ref.span,
        );
      }
      const cond = ref.condition;
      const onTrue =
        cond === null || (cond.kind === 'joinOn' && cond.expr.kind === 'booleanLiteral' && cond.expr.value);
      if (!onTrue)
        throw planError(
          'LATERAL_JOIN',
          'A join with a table function takes ON TRUE (filter in WHERE instead)',
          ref.span,
        );
      return this.bindCorrelate(this.bindFrom(ref.left, ctes), r, outer);
    }
    const left = this.bindFrom(ref.left, ctes);
    if (ref.right.kind === 'tableName' && ref.right.systemTime) return this.bindTemporalJoin(ref, left, ctes);
    const right = this.bindFrom(ref.right, ctes);
    const joinType: JoinType = ref.joinType === 'CROSS' || ref.joinType === 'COMMA' ? 'INNER' : ref.joinType;
    // Outer joins make the other side's columns nullable; every regular join loses time attributes.
    let lf = left.fields.map((f) => (joinType === 'RIGHT' || joinType === 'FULL' ? nullableField(f) : f));
    let rf = right.fields.map((f) => (joinType === 'LEFT' || joinType === 'FULL' ? nullableField(f) : f));
    const scope = new Scope([...left.fields, ...right.fields]);
    let condition: BoundExpr = TRUE;
    const cond = ref.condition;
    if (cond?.kind === 'joinOn') {
      condition = this.exprBinder(scope, 'a join condition').bindPredicate(cond.expr, 'JOIN ON');
    } else if (cond?.kind === 'joinUsing' || ref.natural) {
      const names =
        cond?.kind === 'joinUsing'
          ? cond.columns.map((c) => c.text)
          : left.fields.map((f) => f.name).filter((n) => right.fields.some((g) => g.name === n));
      const eqs = names.map((n) => {
        const li = left.fields.findIndex((f) => f.name === n);
        const ri = right.fields.findIndex((f) => f.name === n);
        if (li < 0 || ri < 0)
          throw planError(
            'COLUMN_NOT_FOUND',
            `USING column '${n}' is not in both sides of the join`,
            ref.span,
          );
        const binder = this.exprBinder(scope);
        const l = inputRef(li, (left.fields[li] as Field).type, n);
        const r = inputRef(left.fields.length + ri, (right.fields[ri] as Field).type, n);
        return binder.call('=', [l, r], ref.span);
      });
      if (eqs.length > 0)
        condition = eqs.length === 1 ? (eqs[0] as BoundExpr) : { kind: 'and', args: eqs, type: T.boolean() };
    } else if (ref.joinType !== 'CROSS' && ref.joinType !== 'COMMA') {
      throw planError('JOIN_CONDITION', `${ref.joinType} JOIN needs an ON or USING condition`, ref.span);
    }
    // An interval join keeps the rowtime attributes (its output is ordered by the watermark); any
    // other join loses them.
    const interval = intervalBounds(condition, left.fields, right.fields);
    if (!interval) {
      lf = lf.map(plain);
      rf = rf.map(plain);
    }
    const fields = [...lf, ...rf];
    return {
      rel: {
        kind: 'join',
        joinType,
        left: left.rel,
        right: right.rel,
        condition,
        fields,
        ...(interval ? { interval } : {}),
      },
      fields: [
        ...left.fields.map((f, i) => ({ ...f, type: (lf[i] as Field).type })),
        ...right.fields.map((f, i) => ({ ...f, type: (rf[i] as Field).type })),
      ],
    };
  }

  // ---------------------------------------------------------------------------------------------
  // SELECT

  private bindSelect(q: SelectQuery, ctes: ReadonlyMap<string, Bound>): Bound & { preSort?: PreSort } {
    let input: Bound = q.from ? this.bindFrom(q.from, ctes) : this.bindValues([[]], q.span);
    const sub: SubqueryBinder = {
      bindQuery: (sq) => this.bindQuery(sq, ctes),
      bindFromOf: (sq) => this.bindFrom(sq.from as TableRef, ctes),
      exprBinder: (scope, clause) => this.exprBinder(scope, clause),
      containsAggregate: (e) => containsAggregate(e, this.catalog.functions),
    };
    // Uncorrelated scalar subqueries: joined in as one more column each.
    const scalarResults = new Map<Expr, BoundExpr>();
    const scalars = [q.where, q.having, ...q.items.map((i) => i.expr)].flatMap((e) =>
      collectScalarSubqueries(e),
    );
    for (const s of scalars) {
      let b: Bound;
      try {
        b = this.bindQuery(s.query, ctes);
      } catch (err) {
        // A column of the outer row: a correlated subquery, decorrelated into a grouped LEFT join.
        if (!(err instanceof RivuletError) || err.code !== 'COLUMN_NOT_FOUND') throw err;
        const decorrelated = correlatedScalarJoin(sub, input, s.query, s.span);
        if (!decorrelated) throw err;
        input = decorrelated.bound;
        scalarResults.set(s, decorrelated.value);
        continue;
      }
      const single =
        s.query.kind === 'select' &&
        s.query.groupBy === null &&
        s.query.items.every((i) => containsAggregate(i.expr, this.catalog.functions));
      if (b.fields.length !== 1 || !single) {
        throw planError(
          'SCALAR_SUBQUERY',
          'A scalar subquery must select exactly one aggregate without GROUP BY (so it has exactly one row); use a JOIN otherwise',
          s.span,
        );
      }
      const f = b.fields[0] as Field;
      const type = withNullable(f.type, true);
      const fields = [...input.fields, { name: f.name, type }];
      scalarResults.set(s, inputRef(input.fields.length, type, f.name));
      input = {
        rel: { kind: 'join', joinType: 'LEFT', left: input.rel, right: b.rel, condition: TRUE, fields },
        fields,
      };
    }
    // [NOT] IN / [NOT] EXISTS conjuncts of WHERE: semi and anti joins.
    const rest: Expr[] = [];
    for (const c of q.where ? andConjuncts(q.where) : []) {
      const notExists =
        c.kind === 'unary' && c.op === 'NOT' && c.operand.kind === 'exists' ? c.operand : null;
      if (c.kind === 'exists' || notExists) {
        const e = (notExists ?? c) as Extract<Expr, { kind: 'exists' }>;
        input = subqueryJoin(sub, input, e.query, null, notExists !== null, c.span);
      } else if (quantified(c)) {
        const { left, query, op, quantifier, not } = quantified(c) as QuantifiedConjunct;
        const expr = this.exprBinder(new Scope(input.fields), quantifier).bind(left);
        const probe: QuantifiedProbe = { expr, op, quantifier };
        input = subqueryJoin(sub, input, query, not ? negateProbe(probe) : probe, false, c.span);
      } else rest.push(c);
    }
    const inScope = new Scope(input.fields);
    if (rest.length > 0) {
      for (const c of rest) {
        if (containsAggregate(c, this.catalog.functions)) {
          throw planError(
            'AGGREGATE_MISPLACED',
            'Aggregate functions are not allowed in WHERE; use HAVING',
            c.span,
          );
        }
      }
      const binder = new ExprBinder({
        scope: inScope,
        registry: this.catalog.functions,
        fnContext: this.fnContext,
        clause: 'WHERE',
        scalarResults,
      });
      const bound = rest.map((c) => binder.bindPredicate(c, 'WHERE'));
      const condition: BoundExpr =
        bound.length === 1 ? (bound[0] as BoundExpr) : { kind: 'and', args: bound, type: T.boolean() };
      input = {
        rel: { kind: 'filter', input: input.rel, condition, fields: input.fields },
        fields: input.fields,
      };
    }
    const registry = this.catalog.functions;
    const legacy = rewriteLegacyWindow(q, input, (scope, clause) => this.exprBinder(scope, clause));
    if (legacy) {
      q = legacy.query;
      input = legacy.input;
    }
    const grouped =
      q.groupBy !== null || q.having !== null || q.items.some((i) => containsAggregate(i.expr, registry));
    let scope = new Scope(input.fields);
    let rel = input.rel;
    let agg: AggregateBuilder | undefined;
    const overCalls = q.items.flatMap((i) => collectOverCalls(i.expr));
    let overResults: Map<FunctionCall, BoundExpr> | undefined;
    if (overCalls.length > 0) {
      if (grouped) {
        throw planError(
          'OVER_GROUPED',
          'OVER windows in a query with GROUP BY are not supported by Rivulet yet; group in a subquery first',
          (overCalls[0] as FunctionCall).span,
        );
      }
      const bound = bindOver(
        overCalls,
        q.windows,
        input,
        this.exprBinder(inScope, 'OVER'),
        registry,
        this.fnContext,
      );
      rel = bound.rel;
      overResults = bound.results;
      scope = new Scope(
        bound.rel.fields.map((f, i) => ({
          ...f,
          ...(input.fields[i]?.qualifier ? { qualifier: input.fields[i]?.qualifier } : {}),
          ...(i >= input.fields.length ? { hidden: true } : {}),
        })),
      );
    }
    if (grouped) {
      agg = new AggregateBuilder(this, input, q);
      const b = agg.build();
      rel = b.rel;
      scope = new Scope(b.fields);
    }
    const binder = new ExprBinder({
      scope,
      registry,
      fnContext: this.fnContext,
      clause: 'the select list',
      scalarResults,
      ...(agg ? { aggregates: agg.sink } : {}),
      ...(overResults ? { overResults } : {}),
    });
    // Select list.
    const exprs: BoundExpr[] = [];
    const fields: Field[] = [];
    q.items.forEach((item, n) => {
      if (item.expr.kind === 'star') {
        if (agg)
          throw planError(
            'STAR_GROUPED',
            "'*' cannot be used in a grouped query; list the columns",
            item.span,
          );
        const qualifier = item.expr.qualifier.map((p) => p.text).join('.') || null;
        for (const i of scope.star(qualifier, item.span)) {
          const f = scope.fields[i] as Field;
          exprs.push(inputRef(i, f.type, f.name));
          fields.push({ name: f.name, type: f.type });
        }
        return;
      }
      const e = binder.bind(item.expr);
      exprs.push(e);
      fields.push({ name: item.alias?.text ?? deriveName(item.expr, n), type: e.type });
    });
    let having: BoundExpr | undefined;
    if (q.having) {
      having = binder.with({ clause: 'HAVING' }).bindPredicate(q.having, 'HAVING');
    }
    if (q.qualify)
      throw planError('QUALIFY_UNSUPPORTED', 'QUALIFY is not supported by Rivulet yet', q.qualify.span);
    // ORDER BY may use input expressions not in the select list: project them as hidden columns.
    const hidden: BoundExpr[] = [];
    const sortKeys: SortKey[] = [];
    if (q.orderBy.length > 0 && !q.distinct) {
      for (const item of q.orderBy) {
        const index = this.orderIndex(item, fields, exprs, () => {
          const e = binder.with({ clause: 'ORDER BY' }).bind(item.expr);
          const existing = [...exprs, ...hidden].findIndex((x) => exprKey(x) === exprKey(e));
          if (existing >= 0) return existing;
          hidden.push(e);
          return exprs.length + hidden.length - 1;
        });
        sortKeys.push(sortKey(index, item));
      }
    }
    if (agg) {
      rel = agg.finish(rel);
      const a = agg;
      for (let i = 0; i < exprs.length; i++) exprs[i] = a.remap(exprs[i] as BoundExpr);
      for (let i = 0; i < hidden.length; i++) hidden[i] = a.remap(hidden[i] as BoundExpr);
      if (having) having = a.remap(having);
    }
    if (having) rel = { kind: 'filter', input: rel, condition: having, fields: rel.fields };
    const allExprs = [...exprs, ...hidden];
    const projFields = [...fields, ...hidden.map((h, i) => ({ name: `$order${i}`, type: h.type }))];
    rel = { kind: 'project', input: rel, exprs: allExprs, fields: projFields };
    if (q.distinct) {
      rel = {
        kind: 'aggregate',
        input: rel,
        groupKeys: fields.map((_, i) => i),
        aggs: [],
        fields: fields.map(plain),
      };
      if (q.orderBy.length > 0) {
        for (const item of q.orderBy) {
          const index = this.orderIndex(item, fields, exprs, () => {
            throw planError(
              'ORDER_BY_DISTINCT',
              'with SELECT DISTINCT, ORDER BY expressions must appear in the select list',
              item.span,
            );
          });
          sortKeys.push(sortKey(index, item));
        }
      }
    }
    const outFields = q.distinct ? fields.map(plain) : fields;
    return {
      rel,
      fields: projFields.length === fields.length ? outFields : projFields,
      preSort: { keys: sortKeys, visible: fields.length },
    };
  }

  /** ORDER BY item as an output position: an ordinal, an output alias, or (via `bindHidden`) any expression. */
  private orderIndex(
    item: OrderItem,
    fields: readonly Field[],
    exprs: readonly BoundExpr[],
    bindHidden: () => number,
  ): number {
    const e = item.expr;
    if (e.kind === 'numericLiteral' && /^\d+$/.test(e.text)) {
      const n = Number(e.text);
      if (n < 1 || n > fields.length) {
        throw planError(
          'ORDER_BY_ORDINAL',
          `ORDER BY position ${n} is not in the select list (1..${fields.length})`,
          e.span,
        );
      }
      return n - 1;
    }
    if (e.kind === 'columnRef' && e.path.length === 1) {
      const name = (e.path[0] as Identifier).text;
      const matches = fields.map((f, i) => (f.name === name ? i : -1)).filter((i) => i >= 0);
      if (matches.length === 1) return matches[0] as number;
    }
    void exprs;
    return bindHidden();
  }

  private withTail(
    q: Query & { orderBy: readonly OrderItem[]; limit: Expr | null; offset: Expr | null },
    b: Bound & { preSort?: PreSort },
    _ctes: ReadonlyMap<string, Bound>,
  ): Bound {
    const limit = q.limit ? this.constantInt(q.limit, 'LIMIT') : null;
    const offset = q.offset ? this.constantInt(q.offset, 'OFFSET') : 0;
    let keys = b.preSort?.keys ?? [];
    if (!b.preSort && q.orderBy.length > 0) {
      keys = q.orderBy.map((item) =>
        sortKey(
          this.orderIndex(item, b.fields, [], () => {
            throw planError(
              'ORDER_BY_SET',
              'ORDER BY of a set operation or VALUES must name an output column or position',
              item.span,
            );
          }),
          item,
        ),
      );
    }
    let rel = b.rel;
    let fields = b.fields;
    if (keys.length > 0 || limit !== null || offset > 0) {
      rel = { kind: 'sort', input: rel, keys, limit, offset, fields };
    }
    const visible = b.preSort?.visible ?? fields.length;
    if (visible < fields.length) {
      fields = fields.slice(0, visible);
      rel = {
        kind: 'project',
        input: rel,
        exprs: fields.map((f, i) => inputRef(i, f.type, f.name)),
        fields,
      };
    }
    return { rel, fields };
  }

  private constantInt(e: Expr, what: string): number {
    const b = this.exprBinder(new Scope([]), what).bind(e);
    if (
      b.kind !== 'literal' ||
      (typeof b.value !== 'number' && typeof b.value !== 'bigint') ||
      Number(b.value) < 0
    ) {
      throw planError('LIMIT_INVALID', `${what} needs a non-negative integer constant`, e.span);
    }
    return Number(b.value);
  }

  // ---------------------------------------------------------------------------------------------
  // VALUES and set operations

  /** Constant rows; each column gets the common type of its values. */
  bindValues(rows: readonly (readonly Expr[])[], span: Span): Bound {
    const binder = this.exprBinder(new Scope([]), 'VALUES');
    const bound = rows.map((r) => r.map((e) => binder.bind(e)));
    const width = bound[0]?.length ?? 0;
    if (bound.some((r) => r.length !== width)) {
      throw planError('VALUES_ARITY', 'every row of VALUES must have the same number of columns', span);
    }
    const types: LogicalType[] = [];
    for (let c = 0; c < width; c++) {
      types.push(
        commonTypeOrThrowAt(
          bound.map((r) => (r[c] as BoundExpr).type),
          `VALUES column ${c + 1}`,
          span,
        ),
      );
    }
    const values: Value[][] = bound.map((r) =>
      r.map((e, c) => compileExpr(binder.coerce(e, types[c] as LogicalType, span))([])),
    );
    const fields = types.map((type, c) => ({ name: `EXPR$${c}`, type }));
    return { rel: { kind: 'values', rows: values, fields }, fields };
  }

  private bindSetOp(q: Extract<Query, { kind: 'setOperation' }>, ctes: ReadonlyMap<string, Bound>): Bound {
    const left = this.bindQuery(q.left, ctes);
    const right = this.bindQuery(q.right, ctes);
    if (left.fields.length !== right.fields.length) {
      throw planError(
        'SET_OP_ARITY',
        `${q.op} needs inputs with the same number of columns: left has ${left.fields.length}, right has ${right.fields.length}`,
        q.span,
      );
    }
    const types = left.fields.map((f, i) =>
      commonTypeOrThrowAt(
        [f.type, (right.fields[i] as Field).type].map((t) => withTimeAttribute(t, undefined)),
        `${q.op} column ${i + 1} ('${f.name}')`,
        q.span,
      ),
    );
    const fields = left.fields.map((f, i) => ({ name: f.name, type: types[i] as LogicalType }));
    const conform = (b: Bound): RelNode => {
      const binder = this.exprBinder(new Scope(b.fields));
      const exprs = b.fields.map((f, i) =>
        binder.coerce(inputRef(i, f.type, f.name), types[i] as LogicalType, q.span),
      );
      return { kind: 'project', input: b.rel, exprs, fields };
    };
    const l = conform(left);
    const r = conform(right);
    if (q.op === 'UNION' && q.all) return { rel: { kind: 'union', inputs: [l, r], fields }, fields };
    return { rel: { kind: 'setOp', op: q.op, all: q.all, left: l, right: r, fields }, fields };
  }
}

interface PreSort {
  readonly keys: readonly SortKey[];
  readonly visible: number;
}

interface QuantifiedConjunct {
  readonly left: Expr;
  readonly query: Query;
  readonly op: ComparisonOp;
  readonly quantifier: 'ANY' | 'ALL';
  /** Under a NOT. */
  readonly not: boolean;
}

/**
 * The quantified comparison a WHERE conjunct is, directly or under NOTs; `x IN (q)` is `x = ANY (q)`
 * and `x NOT IN (q)` is `NOT (x = ANY (q))`.
 */
function quantified(c: Expr): QuantifiedConjunct | null {
  if (c.kind === 'unary' && c.op === 'NOT') {
    const inner = quantified(c.operand);
    return inner && { ...inner, not: !inner.not };
  }
  if (c.kind === 'quantifiedComparison')
    return { left: c.left, query: c.query, op: c.op, quantifier: c.quantifier, not: false };
  if (c.kind === 'inSubquery')
    return { left: c.expr, query: c.query, op: '=', quantifier: 'ANY', not: c.not };
  return null;
}

/** The AND-ed conjuncts of a condition, as written. */
function andConjuncts(e: Expr): Expr[] {
  return e.kind === 'binary' && e.op === 'AND' ? [...andConjuncts(e.left), ...andConjuncts(e.right)] : [e];
}

function sortKey(index: number, item: OrderItem): SortKey {
  const descending = item.direction === 'DESC';
  // Flink (like most engines) puts NULLs first in ascending order, last in descending order.
  const nullsFirst = item.nulls ? item.nulls === 'FIRST' : !descending;
  return { index, descending, nullsFirst };
}

function nullableField(f: Field): Field {
  return { ...f, type: withNullable(f.type, true) };
}

function commonTypeOrThrowAt(types: readonly LogicalType[], what: string, span: Span): LogicalType {
  try {
    return commonTypeOrThrow(types, what);
  } catch (err) {
    if (err instanceof RivuletError) throw planError(err.code, err.message, span);
    throw err;
  }
}

/** The name Flink gives an unaliased select item: the column name, or EXPR$n. */
function deriveName(e: Expr, n: number): string {
  if (e.kind === 'columnRef') return (e.path[e.path.length - 1] as Identifier).text;
  if (e.kind === 'fieldAccess') return e.field.text;
  return `EXPR$${n}`;
}

/** Placeholder positions of GROUPING(...) results until the number of aggregates is known. */
const GROUPING_BASE = 1 << 30;

/**
 * Collects the grouping expressions and aggregate calls of a grouped SELECT. The aggregation reads a
 * pre-projection of its input (group expressions, then aggregate arguments and filters), so the
 * aggregate operator itself works on plain column positions.
 */
class AggregateBuilder {
  private readonly binder: QueryBinder;
  private readonly input: Bound;
  private readonly q: SelectQuery;
  private readonly inputScope: Scope;
  /** Pre-projection expressions: group keys first. */
  private readonly pre: BoundExpr[] = [];
  private groupCount = 0;
  private readonly groupIndex = new Map<string, number>();
  private readonly aggs: AggCall[] = [];
  private readonly aggIndex = new Map<string, number>();
  private fields: Field[] = [];
  /** Grouping sets as positions of group keys (one set: plain GROUP BY). */
  private sets: number[][] = [[]];
  /** GROUPING(...) calls: the group keys each one tests. */
  private readonly groupings: number[][] = [];
  readonly sink: AggregateSink;

  constructor(binder: QueryBinder, input: Bound, q: SelectQuery) {
    this.binder = binder;
    this.input = input;
    this.q = q;
    this.inputScope = new Scope(input.fields);
    this.sink = {
      inputScope: this.inputScope,
      aggregate: (call) => this.addAggregate(call),
      grouping: (call) => this.addGrouping(call),
      groupKey: (e) => {
        const i = this.groupIndex.get(exprKey(e));
        return i === undefined
          ? undefined
          : inputRef(i, (this.fields[i] as Field).type, (this.fields[i] as Field).name);
      },
    };
  }

  build(): { rel: RelNode; fields: readonly Field[] } {
    const gb = this.q.groupBy;
    const binder = this.binder.exprBinder(this.inputScope, 'GROUP BY');
    const key = (el: Expr): number => {
      if (containsAggregate(el, this.binder.catalog.functions)) {
        throw planError('AGGREGATE_MISPLACED', 'Aggregate functions are not allowed in GROUP BY', el.span);
      }
      const e = binder.bind(el);
      const k = exprKey(e);
      const existing = this.groupIndex.get(k);
      if (existing !== undefined) return existing;
      this.groupIndex.set(k, this.pre.length);
      this.pre.push(e);
      const name = e.kind === 'input' ? e.name : `EXPR$${this.pre.length - 1}`;
      this.fields.push({ name, type: withTimeAttribute(e.type, undefined) });
      return this.pre.length - 1;
    };
    // Each element gives a list of grouping sets; the elements combine by cross product.
    const setsOf = (el: GroupingElement): number[][] => {
      switch (el.kind) {
        case 'emptyGroupingSet':
          return [[]];
        case 'groupingSets':
          return el.sets.flatMap(setsOf);
        case 'rollup': {
          const ks = el.items.map(key);
          return ks.map((_, i) => ks.slice(0, ks.length - i)).concat([[]]);
        }
        case 'cube': {
          const ks = el.items.map(key);
          if (ks.length > 12) throw planError('CUBE_TOO_LARGE', 'CUBE of more than 12 expressions', el.span);
          const out: number[][] = [];
          for (let mask = (1 << ks.length) - 1; mask >= 0; mask--)
            out.push(ks.filter((_, i) => (mask >> (ks.length - 1 - i)) & 1));
          return out;
        }
        case 'row':
          if (!el.explicit) return [el.fields.map(key)];
          return [[key(el)]];
        default:
          return [[key(el as Expr)]];
      }
    };
    let sets: number[][] = [[]];
    for (const el of gb?.elements ?? []) {
      const elSets = setsOf(el);
      sets = sets.flatMap((s) => elSets.map((e) => [...new Set([...s, ...e])]));
    }
    this.sets = sets;
    this.groupCount = this.pre.length;
    // A key that some grouping set leaves out is NULL in that set's rows.
    if (sets.length > 1) {
      this.fields = this.fields.map((f, i) =>
        sets.every((st) => st.includes(i)) ? f : { ...f, type: withNullable(f.type, true) },
      );
    }
    // Aggregates are added lazily while the select list binds; the rel is assembled by `finish`.
    return { rel: this.input.rel, fields: this.fields };
  }

  /** `GROUPING(a, b)`: a bit per argument, 1 where the set left that key out (Flink's GROUPING / GROUPING_ID). */
  private addGrouping(call: FunctionCall): BoundExpr {
    const binder = this.binder.exprBinder(this.inputScope, 'GROUPING');
    const keys = call.args.map((a) => {
      const i = this.groupIndex.get(exprKey(binder.bind(a)));
      if (i === undefined)
        throw planError(
          'GROUPING_ARGUMENT',
          'The arguments of GROUPING must be GROUP BY expressions',
          a.span,
        );
      return i;
    });
    this.groupings.push(keys);
    return inputRef(GROUPING_BASE + this.groupings.length - 1, T.bigint(false), 'GROUPING');
  }

  /** Points GROUPING(...) references at their final columns, after the last aggregate. */
  remap(e: BoundExpr): BoundExpr {
    if (this.groupings.length === 0) return e;
    const base = this.groupCount + this.aggs.length;
    return mapInputs(e, (r) =>
      r.index >= GROUPING_BASE ? inputRef(base + r.index - GROUPING_BASE, r.type, r.name) : r,
    );
  }

  private addAggregate(call: FunctionCall): BoundExpr {
    const name = functionName(call).toUpperCase();
    const binder = this.binder.exprBinder(this.inputScope, `the arguments of ${name}`);
    const isCountStar = call.args.length === 1 && (call.args[0] as Expr).kind === 'star';
    const argExprs = isCountStar
      ? []
      : call.args.map((a) => {
          if (containsAggregate(a, this.binder.catalog.functions)) {
            throw planError(
              'AGGREGATE_NESTED',
              `Aggregate function calls cannot be nested (in ${name})`,
              a.span,
            );
          }
          return binder.bind(a);
        });
    const filter = call.filter ? binder.bindPredicate(call.filter, 'FILTER') : null;
    const def = this.binder.catalog.functions.lookupAggregate(name);
    if (!def) throw planError('FUNCTION_NOT_FOUND', `No aggregate function named '${name}'`, call.span);
    let fn: ResolvedAggregate;
    try {
      fn = def.resolve(
        argExprs.map((a) => a.type),
        this.binder.fnContext,
      );
    } catch (err) {
      if (err instanceof RivuletError && !err.span) throw planError(err.code, err.message, call.span);
      throw err;
    }
    const key = `${name}|${call.distinct}|${argExprs.map(exprKey).join(',')}|${filter ? exprKey(filter) : ''}`;
    let index = this.aggIndex.get(key);
    if (index === undefined) {
      const pos = (e: BoundExpr): number => {
        const k = exprKey(e);
        const existing = this.pre.findIndex((p) => exprKey(p) === k);
        if (existing >= 0) return existing;
        this.pre.push(e);
        return this.pre.length - 1;
      };
      const args = argExprs.map(pos);
      const filterPos = filter ? pos(filter) : null;
      index = this.aggs.length;
      this.aggs.push({ name, fn, args, distinct: call.distinct, filter: filterPos, type: fn.resultType });
      this.aggIndex.set(key, index);
    }
    const type = fn.resultType;
    return inputRef(
      this.groupCount + index,
      type,
      `${name}(${call.args.length === 0 || isCountStar ? '*' : '...'})`,
    );
  }

  /** Builds pre-projection + aggregate over the input; output = group keys then aggregates. */
  finish(_rel: RelNode): RelNode {
    const preFields = this.pre.map((e, i) => ({
      name: i < this.groupCount ? (this.fields[i] as Field).name : `$a${i}`,
      type: e.type,
    }));
    const project: RelNode = { kind: 'project', input: this.input.rel, exprs: this.pre, fields: preFields };
    const aggFields = this.aggs.map((a, i) => ({ name: `EXPR$${this.groupCount + i}`, type: a.type }));
    const groupingFields = this.groupings.map((_, i) => ({ name: `GROUPING$${i}`, type: T.bigint(false) }));
    const fields = [...this.fields, ...aggFields, ...groupingFields];
    const branch = (set: readonly number[]): RelNode => {
      const keys = [...set].sort((a, b) => a - b);
      const agg: RelNode = {
        kind: 'aggregate',
        input: project,
        groupKeys: keys,
        aggs: this.aggs,
        fields: [...keys.map((k) => this.fields[k] as Field), ...aggFields],
      };
      if (
        this.sets.length === 1 &&
        this.groupings.length === 0 &&
        keys.length === this.groupCount &&
        keys.every((k, i) => k === i)
      )
        return agg;
      // Lay the branch out as all keys (NULL where left out), the aggregates, then the GROUPING values.
      const exprs: BoundExpr[] = [
        ...this.fields.map((f, i) => {
          const at = keys.indexOf(i);
          return at < 0 ? literal(null, withNullable(f.type, true)) : inputRef(at, f.type, f.name);
        }),
        ...this.aggs.map((a, i) => inputRef(keys.length + i, a.type, `EXPR$${i}`)),
        ...this.groupings.map((args) => {
          let bits = 0n;
          for (const k of args) bits = (bits << 1n) | (set.includes(k) ? 0n : 1n);
          return literal(bits, T.bigint(false));
        }),
      ];
      return { kind: 'project', input: agg, exprs, fields };
    };
    if (this.sets.length === 1) return branch(this.sets[0] as number[]);
    return { kind: 'union', inputs: this.sets.map(branch), fields };
  }
}
