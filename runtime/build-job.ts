/**
 * Lowers a logical plan to a job graph: one source node per scan or VALUES, one operator node per
 * relational operator (a filter and the projection above it share one Calc), and the given sinks.
 * Operators get compiled functions and column positions only.
 */

import { parseDurationMs } from '../common/duration.ts';
import { RivuletError } from '../common/errors.ts';
import type { ColumnInfo, ScanSource, TableInfo } from '../connectors/api.ts';
import type { ConnectorRegistry } from '../connectors/registry.ts';
import { StaticRowsSource } from '../connectors/values.ts';
import type { Collector, Operator, Row } from '../operators/api.ts';
import { MatchRecognize } from '../operators/match/operator.ts';
import type { MatchSpec } from '../operators/match/spec.ts';
import { Calc } from '../operators/relational/calc.ts';
import { buildComparator } from '../operators/relational/compare.ts';
import { GroupAggregate } from '../operators/relational/group-aggregate.ts';
import { Join, residualOverConcatenation } from '../operators/relational/join.ts';
import { Limit } from '../operators/relational/limit.ts';
import { SetOp, SetOpKind } from '../operators/relational/set-op.ts';
import { SortLimit } from '../operators/relational/sort-limit.ts';
import { TableFunctionCall } from '../operators/relational/table-function-call.ts';
import { Union } from '../operators/relational/union.ts';
import { UpdatingOverAggregate } from '../operators/relational/updating-over-aggregate.ts';
import { EventTimeTemporalJoin } from '../operators/temporal/event-time-temporal-join.ts';
import { ProcessingTimeTemporalJoin } from '../operators/temporal/processing-time-temporal-join.ts';
import { TimeTravelScan } from '../operators/temporal/time-travel-scan.ts';
import { BoundedOverAggregate, type OverCall } from '../operators/time/bounded-over-aggregate.ts';
import { Deduplicate } from '../operators/time/deduplicate.ts';
import { IntervalJoin } from '../operators/time/interval-join.ts';
import { OverAggregate } from '../operators/time/over-aggregate.ts';
import { TopN } from '../operators/time/top-n.ts';
import { WindowAggregate } from '../operators/time/window-aggregate.ts';
import { WindowTableFunction } from '../operators/time/window-table-function.ts';
import { type CompileOptions, compileExpr, compilePredicate, compileProjection } from '../planner/compile.ts';
import { unnestFunction } from '../planner/correlate.ts';
import { type BoundExpr, conjuncts, TRUE } from '../planner/expr.ts';
import type { IntervalBounds } from '../planner/interval-join.ts';
import type { AggCall, AggregateRel, OverRel, RelNode, ScanRel } from '../planner/logical.ts';
import { type RankFilter, rankFilter, streamingOver } from '../planner/over.ts';
import type { StreamProps } from '../planner/physical.ts';
import type { TemporalJoinInfo } from '../planner/temporal.ts';
import { type WindowAggregation, windowAggregation } from '../planner/window.ts';
import { OperatorNode } from './graph.ts';
import { SourceNode } from './job.ts';

export interface BuildOptions {
  readonly jobName: string;
  readonly connectors: ConnectorRegistry;
  readonly props: (node: RelNode) => StreamProps;
  readonly compile?: CompileOptions;
  /** `table.exec.state.ttl` in ms (0: forever). */
  readonly stateTtlMs?: number;
  /** `table.exec.source.idle-timeout` in ms (0: off). */
  readonly idleTimeoutMs?: number;
  /** `table.exec.emit.early-fire.delay` when early firing is enabled (ms; 0: off). */
  readonly earlyFireDelayMs?: number;
  /** `table.exec.emit.allow-lateness` (ms; 0: late rows are dropped and counted). */
  readonly allowedLatenessMs?: number;
}

/** Something downstream collectors can be attached to. */
interface Outlet {
  connect(target: Collector): void;
}

export class JobBuilder {
  readonly sources: SourceNode[] = [];
  readonly operators: OperatorNode[] = [];
  private readonly options: BuildOptions;
  /** Keep-last deduplications feeding a temporal join as version streams (see temporalJoin). */
  private readonly versionStreams = new Set<RelNode>();
  private readonly compileOptions: CompileOptions;

  constructor(options: BuildOptions) {
    this.options = options;
    this.compileOptions = options.compile ?? {};
  }

  /** Lowers `rel` and connects its output to `sink`. */
  attach(rel: RelNode, sink: Collector): void {
    this.lower(rel).connect(sink);
  }

  private addOperator(operator: Operator, inputs: Outlet[]): Outlet {
    const node = new OperatorNode(
      this.options.jobName,
      `${this.operators.length + 1}:${operator.name}`,
      operator,
      inputs.length,
    );
    this.operators.push(node);
    for (const [i, input] of inputs.entries()) input.connect(node.input(i));
    return { connect: (t) => node.output.add(t) };
  }

  private addSource(
    id: string,
    source: ScanSource,
    spec: Partial<ConstructorParameters<typeof SourceNode>[1]> = {},
  ): Outlet {
    const node = new SourceNode(this.options.jobName, {
      id: `${this.sources.length + 1}:${id}`,
      source,
      ...spec,
    });
    this.sources.push(node);
    return { connect: (t) => node.output.add(t) };
  }

  private lower(node: RelNode): Outlet {
    switch (node.kind) {
      case 'scan':
        return this.scan(node);
      case 'values':
        return this.addSource('Values', new StaticRowsSource(node.rows.map((r) => [...r])));
      case 'filter': {
        const rank = rankFilter(node);
        if (rank) return this.rank(node, rank);
        return this.addOperator(new Calc({ filter: compilePredicate(node.condition, this.compileOptions) }), [
          this.lower(node.input),
        ]);
      }
      case 'project': {
        if (isIdentity(node.exprs, node.input.fields.length)) return this.lower(node.input);
        const project = compileProjection(node.exprs, this.compileOptions);
        if (node.input.kind === 'filter' && !rankFilter(node.input)) {
          const filter = compilePredicate(node.input.condition, this.compileOptions);
          return this.addOperator(new Calc({ filter, project }), [this.lower(node.input.input)]);
        }
        return this.addOperator(new Calc({ project }), [this.lower(node.input)]);
      }
      case 'over':
        return this.over(node);
      case 'timeTravel':
        return this.addOperator(
          new TimeTravelScan({ keyIndices: node.keys, timeIndex: node.time, query: node.query }),
          [this.lower(node.input)],
        );
      case 'match': {
        const props = this.options.props(node.input);
        const rest = node.orderKeys.slice(node.rowtimeIndex !== null ? 1 : 0);
        const rt = node.rowtimeIndex;
        const order: MatchSpec['order'] =
          rt !== null
            ? {
                kind: 'rowtime',
                rowtime: (row) => row[rt] as number,
                ...(rest.length > 0 ? { tieBreak: buildComparator(rest) } : {}),
              }
            : { kind: 'bounded', compare: buildComparator(node.orderKeys) };
        if (!props.bounded && rt === null)
          throw new RivuletError('internal', 'INTERNAL', 'streaming MATCH_RECOGNIZE without rowtime');
        return this.addOperator(new MatchRecognize({ ...node.spec, order }), [this.lower(node.input)]);
      }
      case 'correlate': {
        const args = compileProjection(node.args, this.compileOptions);
        const gen =
          node.fn.kind === 'unnest' ? unnestFunction(node.args.map((a) => a.type)) : node.fn.impl.eval;
        const name = node.fn.kind === 'unnest' ? 'UNNEST' : node.fn.impl.name;
        const op = new TableFunctionCall({
          fn: (row) => gen(args(row)),
          producedArity: node.fields.length - node.input.fields.length - (node.withOrdinality ? 1 : 0),
          outer: node.outer,
          withOrdinality: node.withOrdinality,
          functionName: name,
        });
        return this.addOperator(op, [this.lower(node.input)]);
      }
      case 'windowTvf': {
        const w = node.window;
        return this.addOperator(
          new WindowTableFunction({
            window: w,
            rowtimeIndex: node.timeIndex,
            partitionKeys: node.partitionKeys,
          }),
          [this.lower(node.input)],
        );
      }
      case 'aggregate': {
        const windowed = windowAggregation(node);
        if (windowed) return this.windowAggregate(node, windowed);
        const props = this.options.props(node.input);
        const op = new GroupAggregate({
          groupBy: node.groupKeys,
          aggregates: aggregateCalls(node.aggs, this.options.props(node.input).mode === 'insert-only'),
          emptyGlobalResultAtEnd: props.bounded && node.groupKeys.length === 0,
          stateTtlMs: this.options.stateTtlMs ?? 0,
        });
        return this.addOperator(op, [this.lower(node.input)]);
      }
      case 'join': {
        const leftArity = node.left.fields.length;
        if (node.interval) return this.intervalJoin(node, node.interval);
        if (node.temporal) return this.temporalJoin(node, node.temporal);
        const { leftKeys, rightKeys, residual } = splitJoinCondition(node.condition, leftArity);
        const op = new Join({
          type: node.joinType,
          leftKeys,
          rightKeys,
          leftArity,
          rightArity: node.right.fields.length,
          ...(residual
            ? { residual: residualOverConcatenation(compilePredicate(residual, this.compileOptions)) }
            : {}),
        });
        return this.addOperator(op, [this.lower(node.left), this.lower(node.right)]);
      }
      case 'union':
        return this.addOperator(
          new Union(node.inputs.length),
          node.inputs.map((i) => this.lower(i)),
        );
      case 'setOp': {
        const kind =
          node.op === 'UNION'
            ? SetOpKind.UNION
            : node.op === 'INTERSECT'
              ? node.all
                ? SetOpKind.INTERSECT_ALL
                : SetOpKind.INTERSECT
              : node.all
                ? SetOpKind.EXCEPT_ALL
                : SetOpKind.EXCEPT;
        return this.addOperator(new SetOp({ kind }), [this.lower(node.left), this.lower(node.right)]);
      }
      case 'sort': {
        const input = this.lower(node.input);
        const props = this.options.props(node.input);
        if (!props.bounded) {
          return this.addOperator(
            new Limit({
              limit: node.limit ?? Number.MAX_SAFE_INTEGER,
              offset: node.offset,
              insertOnlyInput: props.mode === 'insert-only',
            }),
            [input],
          );
        }
        return this.addOperator(
          new SortLimit({
            ...(node.keys.length > 0 ? { compare: buildComparator(node.keys) } : {}),
            ...(node.limit !== null ? { limit: node.limit } : {}),
            offset: node.offset,
            // An append-only input with a LIMIT keeps only OFFSET + LIMIT rows in a heap.
            insertOnlyInput: props.mode === 'insert-only',
          }),
          [input],
        );
      }
    }
  }

  private temporalJoin(node: Extract<RelNode, { kind: 'join' }>, t: TemporalJoinInfo): Outlet {
    const leftArity = node.left.fields.length;
    const base = {
      joinType: node.joinType as 'INNER' | 'LEFT',
      leftKeys: t.leftKeys,
      rightKeys: t.rightKeys,
      leftArity,
      rightArity: node.right.fields.length,
      ...(t.residual
        ? { residual: residualOverConcatenation(compilePredicate(t.residual, this.compileOptions)) }
        : {}),
    };
    // A versioned view deduplicating by key (keep the last row by event time) is fed to the join
    // undeduplicated: every row is a new version of its key, and the join keeps them by time. The
    // Deduplicate operator would collapse versions that arrive before the watermark passes them.
    let right = node.right;
    while (right.kind === 'project') right = right.input;
    if (right.kind === 'filter' && rankFilter(right)?.dedup?.keepLast) this.versionStreams.add(right);
    const op =
      t.kind === 'event'
        ? new EventTimeTemporalJoin({
            ...base,
            leftTimeIndex: t.leftTime,
            rightTimeIndex: t.rightTime as number,
          })
        : new ProcessingTimeTemporalJoin(base);
    return this.addOperator(op, [this.lower(node.left), this.lower(node.right)]);
  }

  private intervalJoin(node: Extract<RelNode, { kind: 'join' }>, iv: IntervalBounds): Outlet {
    const leftArity = node.left.fields.length;
    const rest: BoundExpr =
      iv.rest.length === 0
        ? TRUE
        : iv.rest.length === 1
          ? (iv.rest[0] as BoundExpr)
          : { kind: 'and', args: [...iv.rest], type: TRUE.type };
    const { leftKeys, rightKeys, residual } = splitJoinCondition(rest, leftArity);
    if (node.joinType === 'SEMI' || node.joinType === 'ANTI')
      throw new RivuletError('internal', 'INTERNAL', 'interval semi/anti join');
    const op = new IntervalJoin({
      joinType: node.joinType,
      leftKeys,
      rightKeys,
      leftTimeIndex: iv.leftTime,
      rightTimeIndex: iv.rightTime,
      lowerBound: iv.lower,
      upperBound: iv.upper,
      leftArity,
      rightArity: node.right.fields.length,
      ...(residual
        ? {
            residual: (
              (p) => (l: Row, r: Row) =>
                p([...l, ...r])
            )(compilePredicate(residual, this.compileOptions)),
          }
        : {}),
    });
    return this.addOperator(op, [this.lower(node.left), this.lower(node.right)]);
  }

  /** Top-N or deduplication for `WHERE rn <= N` over ROW_NUMBER (see planner/over.ts). */
  private rank(filter: Extract<RelNode, { kind: 'filter' }>, r: RankFilter): Outlet {
    const { over } = r;
    const input = this.lower(over.input);
    let out: Outlet;
    if (this.versionStreams.has(filter)) {
      out = this.addOperator(new Calc({ project: (row) => [...row, 1n] }), [input]);
    } else if (r.dedup) {
      const dedup = new Deduplicate({
        keys: over.partitionKeys,
        keepLast: r.dedup.keepLast,
        orderBy: r.dedup.time,
        ...(r.dedup.time === 'rowtime' ? { rowtimeIndex: r.dedup.timeIndex } : {}),
        stateTtlMs: this.options.stateTtlMs ?? 0,
      });
      // The row number of a kept row is 1.
      out = this.addOperator(new Calc({ project: (row) => [...row, 1n] }), [
        this.addOperator(dedup, [input]),
      ]);
    } else {
      const props = this.options.props(over.input);
      const topN = new TopN({
        partitionKeys: over.partitionKeys,
        compare: buildComparator(over.orderKeys),
        rankStart: r.rankStart,
        rankEnd: r.rankEnd,
        outputRank: true,
        acceptsRetractions: props.mode !== 'insert-only',
        stateTtlMs: this.options.stateTtlMs ?? 0,
      });
      // TopN appends the rank as a number; ROW_NUMBER is a BIGINT.
      out = this.addOperator(
        new Calc({
          project: (row) => {
            const r2 = [...row];
            r2[r2.length - 1] = BigInt(r2[r2.length - 1] as number);
            return r2;
          },
        }),
        [this.addOperator(topN, [input])],
      );
    }
    if (!r.project) return out;
    void filter;
    return this.addOperator(new Calc({ project: compileProjection(r.project.exprs, this.compileOptions) }), [
      out,
    ]);
  }

  /** OVER aggregation: streaming by a time attribute, or over the whole bounded input. */
  private over(node: OverRel): Outlet {
    const input = this.lower(node.input);
    const s = streamingOver(node);
    const props = this.options.props(node.input);
    if (props.mode === 'retract') {
      // The planner admitted it (planner/physical.ts): aggregates over a frame containing the current row.
      const aggregates = node.calls.map((c) => {
        if (c.kind !== 'AGGREGATE')
          throw new RivuletError('internal', 'INTERNAL', 'updating OVER with a non-aggregate call');
        return { create: c.fn.create, args: c.args, name: c.name };
      });
      const op = new UpdatingOverAggregate({
        partitionKeys: node.partitionKeys,
        orderKeys: node.orderKeys,
        frame: node.frame,
        aggregates,
      });
      return this.addOperator(op, [input]);
    }
    if (s && !props.bounded) {
      const op = new OverAggregate({
        partitionKeys: node.partitionKeys,
        orderBy: s.time,
        ...(s.time === 'rowtime' ? { rowtimeIndex: s.timeIndex } : {}),
        frame: { mode: s.mode, preceding: s.preceding },
        aggregates: node.calls.map((c) => {
          if (c.kind !== 'AGGREGATE')
            throw new RivuletError('internal', 'INTERNAL', 'streaming OVER with a non-aggregate call');
          return { create: c.fn.create, args: c.args, name: c.name };
        }),
      });
      return this.addOperator(op, [input]);
    }
    const first = node.orderKeys[0];
    const single = node.orderKeys.length === 1 && first !== undefined;
    const calls: OverCall[] = node.calls.map((c) => {
      switch (c.kind) {
        case 'AGGREGATE':
          return {
            kind: 'AGGREGATE',
            call: { create: c.fn.create, args: c.args, name: c.name },
            ...(node.frame ? { frame: node.frame } : {}),
          };
        case 'LAG':
        case 'LEAD':
          return { kind: c.kind, arg: c.arg, offset: c.offset, default: c.default };
        case 'FIRST_VALUE':
        case 'LAST_VALUE':
          return { kind: c.kind, arg: c.arg, ...(node.frame ? { frame: node.frame } : {}) };
        case 'NTILE':
          return { kind: 'NTILE', buckets: c.buckets ?? 1 };
        default:
          return { kind: c.kind };
      }
    });
    const op = new BoundedOverAggregate({
      partitionKeys: node.partitionKeys,
      ...(node.orderKeys.length > 0 ? { compare: buildComparator(node.orderKeys) } : {}),
      ...(single
        ? {
            orderKey: (row: Row) => {
              const v = row[first.index];
              return v === null ? null : Number(v);
            },
            descending: first.descending,
          }
        : {}),
      calls,
    });
    // Ranking results are BIGINT (bigint values); the operator gives numbers.
    const width = node.input.fields.length;
    const bigintCols = node.calls
      .map((c, i) =>
        c.type.kind === 'BIGINT' &&
        c.kind !== 'AGGREGATE' &&
        c.kind !== 'LAG' &&
        c.kind !== 'LEAD' &&
        c.kind !== 'FIRST_VALUE' &&
        c.kind !== 'LAST_VALUE'
          ? width + i
          : -1,
      )
      .filter((i) => i >= 0);
    const out = this.addOperator(op, [input]);
    if (bigintCols.length === 0) return out;
    return this.addOperator(
      new Calc({
        project: (row) => {
          const r2 = [...row];
          for (const i of bigintCols) if (r2[i] !== null) r2[i] = BigInt(r2[i] as number);
          return r2;
        },
      }),
      [out],
    );
  }

  /**
   * GROUP BY window_start, window_end, ... over a window TVF: the TVF assigns windows, a
   * WindowAggregate reads them from its columns and fires each window once, then a projection puts
   * the columns back in the logical order (group keys, then aggregates).
   */
  private windowAggregate(node: AggregateRel, w: WindowAggregation): Outlet {
    const otherKeys = node.groupKeys.filter((k) => k !== w.startKey && k !== w.endKey);
    const aggregates = aggregateCalls(node.aggs, this.options.props(node.input).mode === 'insert-only');
    const op = new WindowAggregate({
      window: { kind: 'columns', startIndex: w.startKey, endIndex: w.endKey },
      rowtimeIndex: w.startKey,
      groupKeys: otherKeys,
      aggregates,
      ...(this.options.earlyFireDelayMs ? { earlyFireDelayMs: this.options.earlyFireDelayMs } : {}),
      ...(this.options.allowedLatenessMs ? { allowedLatenessMs: this.options.allowedLatenessMs } : {}),
    });
    const out = this.addOperator(op, [this.lower(node.input)]);
    const n = otherKeys.length;
    const m = node.aggs.length;
    const order = [
      ...node.groupKeys.map((k) =>
        k === w.startKey ? n + m : k === w.endKey ? n + m + 1 : otherKeys.indexOf(k),
      ),
      ...node.aggs.map((_, i) => n + i),
    ];
    return this.addOperator(new Calc({ project: (row) => order.map((i) => row[i]) }), [out]);
  }

  private scan(node: ScanRel): Outlet {
    const { table } = node;
    const source = this.options.connectors.createSource(tableInfo(table));
    // The connector produces physical then metadata columns; the table's row is in declaration order
    // with computed columns evaluated over it.
    const physical = table.columns.filter((c) => c.kind === 'physical');
    const metadata = table.columns.filter((c) => c.kind === 'metadata');
    const position = table.columns.map((c) =>
      c.kind === 'physical'
        ? physical.indexOf(c)
        : c.kind === 'metadata'
          ? physical.length + metadata.indexOf(c)
          : -1,
    );
    const identity = position.every((p, i) => p === i);
    let transform: ((row: Row) => Row) | undefined;
    if (!identity || node.computed.size > 0) {
      const computed = [...node.computed].map(([i, e]) => [i, compileExpr(e, this.compileOptions)] as const);
      const width = table.columns.length;
      transform = (row) => {
        const out = new Array(width);
        for (let i = 0; i < width; i++) {
          const p = position[i] as number;
          out[i] = p >= 0 ? row[p] : null;
        }
        for (const [i, f] of computed) out[i] = f(out);
        return out;
      };
    }
    let watermark: { watermarkOf: (row: Row) => number | null; idleTimeoutMs: number } | undefined;
    if (node.watermark) {
      const wm = compileExpr(node.watermark.expr, this.compileOptions);
      watermark = {
        watermarkOf: (row: Row) => wm(row) as number | null,
        idleTimeoutMs: idleTimeout(table.options, this.options.idleTimeoutMs ?? 0),
      };
    }
    return this.addSource(`Source(${table.name})`, source, {
      ...(transform ? { transform } : {}),
      ...(watermark ? { watermark } : {}),
    });
  }
}

/** The operators' form of aggregate calls: FILTER reads its boolean column; DISTINCT is kept per group. */
function aggregateCalls(aggs: readonly AggCall[], appendOnlyInput: boolean) {
  return aggs.map((a) => {
    const f = a.filter;
    return {
      // Over an input that never retracts, MIN/MAX/FIRST/LAST need only one value, not a multiset.
      create: (appendOnlyInput ? a.fn.createAppendOnly : undefined) ?? a.fn.create,
      args: a.args,
      distinct: a.distinct,
      name: a.name,
      ...(f !== null ? { filter: (row: Row) => row[f] === true } : {}),
    };
  });
}

function idleTimeout(options: ReadonlyMap<string, string>, fallback: number): number {
  const v = options.get('scan.watermark.idle-timeout');
  return v === undefined ? fallback : parseDurationMs(v);
}

export function tableInfo(table: ScanRel['table']): TableInfo {
  const columns: ColumnInfo[] = [
    ...table.columns.filter((c) => c.kind === 'physical').map((c) => ({ name: c.name, type: c.type })),
    ...table.columns
      .filter((c) => c.kind === 'metadata')
      .map((c) => ({
        name: c.name,
        type: c.type,
        metadataKey: c.metadataKey ?? c.name,
        virtual: c.virtual ?? false,
      })),
  ];
  return {
    name: table.name,
    columns,
    ...(table.primaryKey ? { primaryKey: table.primaryKey } : {}),
    options: table.options,
  };
}

function isIdentity(exprs: readonly BoundExpr[], inputWidth: number): boolean {
  return exprs.length === inputWidth && exprs.every((e, i) => e.kind === 'input' && e.index === i);
}

/**
 * Splits a join condition into equality keys (left column = right column, same type) and the rest.
 * Keys must compare by value in a Map, so both sides must have the same runtime representation.
 */
export function splitJoinCondition(
  condition: BoundExpr,
  leftArity: number,
): { leftKeys: number[]; rightKeys: number[]; residual: BoundExpr | null } {
  const leftKeys: number[] = [];
  const rightKeys: number[] = [];
  const rest: BoundExpr[] = [];
  for (const c of conjuncts(condition)) {
    if (c.kind === 'literal' && c.value === true) continue;
    if (c.kind === 'call' && c.name === '=' && c.args.length === 2) {
      const [a, b] = c.args as [BoundExpr, BoundExpr];
      if (
        a.kind === 'input' &&
        b.kind === 'input' &&
        a.type.kind === b.type.kind &&
        a.type.scale === b.type.scale
      ) {
        if (a.index < leftArity && b.index >= leftArity) {
          leftKeys.push(a.index);
          rightKeys.push(b.index - leftArity);
          continue;
        }
        if (b.index < leftArity && a.index >= leftArity) {
          leftKeys.push(b.index);
          rightKeys.push(a.index - leftArity);
          continue;
        }
      }
    }
    rest.push(c);
  }
  const residual =
    rest.length === 0
      ? null
      : rest.length === 1
        ? (rest[0] as BoundExpr)
        : { kind: 'and' as const, args: rest, type: (rest[0] as BoundExpr).type };
  return { leftKeys, rightKeys, residual };
}
