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
import { GroupAggregate, type MiniBatchOptions } from '../operators/relational/group-aggregate.ts';
import { Join, residualOverConcatenation } from '../operators/relational/join.ts';
import { Limit } from '../operators/relational/limit.ts';
import { SetOp, SetOpKind } from '../operators/relational/set-op.ts';
import { SortLimit } from '../operators/relational/sort-limit.ts';
import { TableFunctionCall } from '../operators/relational/table-function-call.ts';
import { Union } from '../operators/relational/union.ts';
import { UpdatingOverAggregate } from '../operators/relational/updating-over-aggregate.ts';
import { EventTimeTemporalJoin } from '../operators/temporal/event-time-temporal-join.ts';
import { HistoryRecorder } from '../operators/temporal/history-recorder.ts';
import { ProcessingTimeTemporalJoin } from '../operators/temporal/processing-time-temporal-join.ts';
import { TimeTravelScan } from '../operators/temporal/time-travel-scan.ts';
import { BoundedOverAggregate, type OverCall } from '../operators/time/bounded-over-aggregate.ts';
import { Deduplicate } from '../operators/time/deduplicate.ts';
import { IntervalJoin } from '../operators/time/interval-join.ts';
import { OverAggregate } from '../operators/time/over-aggregate.ts';
import { TopN } from '../operators/time/top-n.ts';
import { WatermarkCalc, WatermarkCell } from '../operators/time/watermark-calc.ts';
import { WindowAggregate } from '../operators/time/window-aggregate.ts';
import { WindowDeduplicate } from '../operators/time/window-deduplicate.ts';
import { WindowJoin } from '../operators/time/window-join.ts';
import { WindowTableFunction } from '../operators/time/window-table-function.ts';
import { WindowTopN } from '../operators/time/window-top-n.ts';
import { type CompileOptions, compileExpr, compilePredicate, compileProjection } from '../planner/compile.ts';
import { unnestFunction } from '../planner/correlate.ts';
import {
  type BoundExpr,
  conjuncts,
  exprToString,
  inputRef,
  inputsOf,
  mapInputs,
  readsWatermark,
  TRUE,
} from '../planner/expr.ts';
import type { IntervalBounds } from '../planner/interval-join.ts';
import {
  type AggCall,
  type AggregateRel,
  childrenOf,
  type Field,
  type OverRel,
  type RelNode,
  type ScanRel,
} from '../planner/logical.ts';
import { type RankFilter, rankFilter, streamingOver } from '../planner/over.ts';
import type { StreamProps } from '../planner/physical.ts';
import { type TemporalJoinInfo, type TimeTravelRel, versionedOf } from '../planner/temporal.ts';
import {
  type WindowAggregation,
  type WindowGroupingSets,
  windowAggregation,
  windowGroupingSets,
} from '../planner/window.ts';
import { type WindowJoinInfo, type WindowRank, windowJoin, windowRank } from '../planner/windowed.ts';
import { OperatorNode } from './graph.ts';
import { SourceNode } from './job.ts';
import type { LateDataRouter } from './late-data.ts';
import {
  HISTORY_RETENTION_OPTION,
  historyRetentionMs,
  type RetainedHistory,
  type VersionStore,
} from './version-store.ts';

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
  /** `table.exec.emit.late-fire.delay` when late firing is enabled (ms; 0: every late row at once). */
  readonly lateFireDelayMs?: number;
  /** `table.exec.late-data.side-output`: where late rows go instead of being dropped. */
  readonly lateData?: LateDataRouter;
  /** `table.exec.mini-batch.*` when enabled: group aggregations emit once per group per batch. */
  readonly miniBatch?: MiniBatchOptions;
  /** The session's retained history of versioned tables (`versioned.history-retention`). */
  readonly versionStore?: VersionStore;
}

/** Why each event-time operator finds a row late (the `reason` column of the late-data table). */
const LATE_REASONS = {
  WindowTableFunction: 'the session window of the row had already closed (window_end - 1 <= watermark)',
  WindowAggregate: 'every window containing the row had already fired (window_end - 1 <= watermark)',
  WindowTopN: 'the window of the row had already fired (window_end - 1 <= watermark)',
  WindowDeduplicate: 'the window of the row had already fired (window_end - 1 <= watermark)',
  WindowJoin: 'the window of the row had already been joined (window_end - 1 <= watermark)',
  OverAggregate: 'the rowtime of the row was at or behind the watermark',
  IntervalJoin: 'the rowtime of the row was at or behind the watermark',
  Deduplicate: 'the rowtime of the row was at or behind the watermark, and no row of its key had been kept',
} as const;

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
  /** One source per table read in this job (see sharedScan). */
  private readonly sharedScans = new Map<string, Outlet>();
  /** Per table (scanKey), the union of the columns its scans read (null: all), and their fields. */
  private readonly scanColumns = new Map<string, { columns: number[] | null; fields: Map<number, Field> }>();
  private readonly compileOptions: CompileOptions;

  constructor(options: BuildOptions) {
    this.options = options;
    this.compileOptions = options.compile ?? {};
  }

  /**
   * Announces every plan of the job before any is attached, so that scans of one table reading
   * different columns (projection pruning) still share one source reading the union of them.
   */
  prepare(rels: readonly RelNode[]): void {
    const visit = (n: RelNode): void => {
      if (n.kind === 'scan') {
        const key = scanKey(n);
        const entry = this.scanColumns.get(key) ?? { columns: [], fields: new Map<number, Field>() };
        const own = scanColumnsOf(n);
        own.forEach((c, i) => {
          entry.fields.set(c, n.fields[i] as Field);
        });
        if (n.projection === undefined) entry.columns = null;
        else if (entry.columns !== null) {
          entry.columns = [...new Set([...entry.columns, ...n.projection])].sort((a, b) => a - b);
        }
        this.scanColumns.set(key, entry);
      }
      for (const c of childrenOf(n)) visit(c);
    };
    for (const r of rels) visit(r);
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
        return this.sharedScan(node);
      case 'values':
        return this.addSource('Values', new StaticRowsSource(node.rows.map((r) => [...r])));
      case 'filter': {
        const rank = rankFilter(node);
        if (rank) return this.rank(node, rank);
        return this.calc(node.condition, null, node.input);
      }
      case 'project': {
        if (isIdentity(node.exprs, node.input.fields.length)) return this.lower(node.input);
        if (node.input.kind === 'filter' && !rankFilter(node.input))
          return this.calc(node.input.condition, node.exprs, node.input.input);
        return this.calc(null, node.exprs, node.input);
      }
      case 'over':
        return this.over(node);
      case 'timeTravel':
        return this.timeTravel(node);
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
        const input = this.lower(node.input);
        const late = this.lateOutput('WindowTableFunction', node.input.fields);
        return this.addOperator(
          new WindowTableFunction({
            window: node.window,
            rowtimeIndex: node.timeIndex,
            partitionKeys: node.partitionKeys,
            ...(late ? { lateOutput: late } : {}),
          }),
          [input],
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
          ...(this.options.miniBatch ? { miniBatch: this.options.miniBatch } : {}),
        });
        return this.addOperator(op, [this.lower(node.input)]);
      }
      case 'join': {
        const leftArity = node.left.fields.length;
        if (node.interval) return this.intervalJoin(node, node.interval);
        if (node.temporal) return this.temporalJoin(node, node.temporal);
        const wj = this.insertOnly(node.left) && this.insertOnly(node.right) ? windowJoin(node) : undefined;
        if (wj) return this.windowJoin(node, wj);
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
      case 'union': {
        const gs = windowGroupingSets(node);
        if (gs && this.insertOnly(gs.input)) return this.windowGroupingSetsAggregate(gs);
        return this.addOperator(
          new Union(node.inputs.length),
          node.inputs.map((i) => this.lower(i)),
        );
      }
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
        : new ProcessingTimeTemporalJoin({ ...base, loadRightFirst: this.options.props(node.right).bounded });
    return this.addOperator(op, [this.lower(node.left), this.lower(node.right)]);
  }

  /**
   * Time travel: from the session's retained history when the table keeps one and a job feeds or
   * has fed it (see version-store.ts), else by reading the table's changelog through a TimeTravelScan.
   */
  private timeTravel(node: TimeTravelRel): Outlet {
    const store = this.options.versionStore;
    const table = node.input.kind === 'scan' ? node.input.table : undefined;
    const retained = table && store?.get(table);
    if (retained) {
      const q = node.query;
      const rows = retained.history
        .query(q)
        .map((v) =>
          q.kind === 'asOf'
            ? [...v.row]
            : [...v.row, v.validFrom, v.validTo === Number.POSITIVE_INFINITY ? null : v.validTo],
        );
      return this.addSource(`History(${(table as ScanRel['table']).name})`, new StaticRowsSource(rows));
    }
    // Reading the source for one query does not start a retained history: the query sees the whole
    // source, and the retention is about what jobs keep for later queries.
    const input = node.input.kind === 'scan' ? this.scan(node.input, false) : this.lower(node.input);
    return this.addOperator(
      new TimeTravelScan({ keyIndices: node.keys, timeIndex: node.time, query: node.query }),
      [input],
    );
  }

  /** Records a versioned table's changelog into the session's retained history (version-store.ts). */
  private recordHistory(node: ScanRel, source: Outlet): Outlet {
    const store = this.options.versionStore;
    const table = node.table;
    if (!store || !table.options.has(HISTORY_RETENTION_OPTION)) return source;
    const versioned = versionedOf(node, node.fields);
    if (!versioned) {
      throw new RivuletError(
        'plan',
        'HISTORY_RETENTION_NOT_VERSIONED',
        `Table '${table.name}' sets '${HISTORY_RETENTION_OPTION}' but is not versioned: it needs a PRIMARY KEY and a WATERMARK`,
      );
    }
    historyRetentionMs(table); // a malformed duration is a planning error, before the job starts
    // The history is claimed when the job opens (see HistoryRecorder), not here: a job that fails
    // to build or never starts must not leave an empty history behind.
    return this.addOperator(
      new HistoryRecorder({
        timeIndex: versioned.time,
        attach: () => {
          const entry: RetainedHistory | undefined = store.claim(table, versioned);
          if (!entry) return undefined;
          return {
            history: entry.history,
            finished: () => {
              entry.complete = true;
            },
            abandoned: () => store.discard(table, entry),
            watermarked: (wm: number) => {
              entry.watermark = wm;
            },
          };
        },
      }),
      [source],
    );
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
    const inputs = [this.lower(node.left), this.lower(node.right)];
    const late = this.lateOutputs('IntervalJoin', node);
    const op = new IntervalJoin({
      ...(late ? { lateOutputs: late } : {}),
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
    return this.addOperator(op, inputs);
  }

  /** Top-N or deduplication for `WHERE rn <= N` over ROW_NUMBER (see planner/over.ts). */
  private rank(filter: Extract<RelNode, { kind: 'filter' }>, r: RankFilter): Outlet {
    const { over } = r;
    const input = this.lower(over.input);
    let out: Outlet;
    const windowed = this.insertOnly(over.input) ? windowRank(r) : undefined;
    if (windowed) {
      out = this.windowRank(r, windowed, input);
    } else if (this.versionStreams.has(filter)) {
      out = this.addOperator(new Calc({ project: (row) => [...row, 1n] }), [input]);
    } else if (r.dedup) {
      const late = r.dedup.time === 'rowtime' ? this.lateOutput('Deduplicate', over.input.fields) : undefined;
      const dedup = new Deduplicate({
        ...(late ? { lateOutput: late } : {}),
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

  /**
   * A Calc (filter and/or projection) over `input`. Expressions reading CURRENT_WATERMARK get a
   * WatermarkCalc, which tracks its input's watermark for them.
   */
  private calc(filter: BoundExpr | null, project: readonly BoundExpr[] | null, input: RelNode): Outlet {
    const exprs = [...(filter ? [filter] : []), ...(project ?? [])];
    const cell = exprs.some(readsWatermark) ? new WatermarkCell() : null;
    const options = cell ? { ...this.compileOptions, watermark: cell.read } : this.compileOptions;
    const calcOptions = {
      ...(filter ? { filter: compilePredicate(filter, options) } : {}),
      ...(project ? { project: compileProjection(project, options) } : {}),
    };
    const op = cell ? new WatermarkCalc(calcOptions, cell) : new Calc(calcOptions);
    return this.addOperator(op, [this.lower(input)]);
  }

  private insertOnly(node: RelNode): boolean {
    return this.options.props(node).mode === 'insert-only';
  }

  /** Window Top-N or window deduplication (planner/windowed.ts); output: the row and its BIGINT rank. */
  private windowRank(r: RankFilter, w: WindowRank, input: Outlet): Outlet {
    const { start, end } = w.columns;
    const fields = r.over.input.fields;
    if (w.dedup) {
      const late = this.lateOutput('WindowDeduplicate', fields);
      const op = new WindowDeduplicate({
        ...(late ? { lateOutput: late } : {}),
        windowStartIndex: start,
        windowEndIndex: end,
        keys: w.keys,
        rowtimeIndex: w.dedup.timeIndex,
        keepLast: w.dedup.keepLast,
      });
      return this.addOperator(new Calc({ project: (row) => [...row, 1n] }), [this.addOperator(op, [input])]);
    }
    const late = this.lateOutput('WindowTopN', fields);
    const op = new WindowTopN({
      ...(late ? { lateOutput: late } : {}),
      windowStartIndex: start,
      windowEndIndex: end,
      partitionKeys: w.keys,
      compare: buildComparator(r.over.orderKeys),
      rankStart: r.rankStart,
      rankEnd: r.rankEnd,
      outputRank: true,
    });
    return this.addOperator(new Calc({ project: rankAsBigint }), [this.addOperator(op, [input])]);
  }

  /** `table.exec.emit.*`: early firing, allowed lateness and late firing of window aggregates. */
  private windowEmitOptions(): {
    earlyFireDelayMs?: number;
    allowedLatenessMs?: number;
    lateFireDelayMs?: number;
  } {
    const o = this.options;
    return {
      ...(o.earlyFireDelayMs ? { earlyFireDelayMs: o.earlyFireDelayMs } : {}),
      ...(o.allowedLatenessMs ? { allowedLatenessMs: o.allowedLatenessMs } : {}),
      ...(o.lateFireDelayMs ? { lateFireDelayMs: o.lateFireDelayMs } : {}),
    };
  }

  /** A join of two windowed inputs on their window bounds (planner/windowed.ts). */
  private windowJoin(node: Extract<RelNode, { kind: 'join' }>, w: WindowJoinInfo): Outlet {
    const leftArity = node.left.fields.length;
    const rightArity = node.right.fields.length;
    const { leftKeys, rightKeys, residual } = splitJoinCondition(w.rest ?? TRUE, leftArity);
    const inputs = [this.lower(node.left), this.lower(node.right)];
    const late = this.lateOutputs('WindowJoin', node);
    const op = new WindowJoin({
      ...(late ? { lateOutputs: late } : {}),
      joinType: node.joinType,
      left: { windowStartIndex: w.left.start, windowEndIndex: w.left.end, keys: leftKeys, arity: leftArity },
      right: {
        windowStartIndex: w.right.start,
        windowEndIndex: w.right.end,
        keys: rightKeys,
        arity: rightArity,
      },
      ...(residual
        ? { residual: residualOverConcatenation(compilePredicate(residual, this.compileOptions)) }
        : {}),
    });
    return this.addOperator(op, inputs);
  }

  /**
   * The late-data side output of the operator about to be added (its id is the next one), or
   * undefined when late rows are dropped and counted.
   */
  private lateOutput(name: keyof typeof LATE_REASONS, fields: readonly Field[]): Collector | undefined {
    const router = this.options.lateData;
    return router?.output(`${this.operators.length + 1}:${name}`, LATE_REASONS[name], fields);
  }

  /** One late output per input of a two-input operator. */
  private lateOutputs(
    name: keyof typeof LATE_REASONS,
    join: Extract<RelNode, { kind: 'join' }>,
  ): Collector[] | undefined {
    const l = this.lateOutput(name, join.left.fields);
    const r = this.lateOutput(name, join.right.fields);
    return l && r ? [l, r] : undefined;
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
      const late = s.time === 'rowtime' ? this.lateOutput('OverAggregate', node.input.fields) : undefined;
      const op = new OverAggregate({
        ...(late ? { lateOutput: late } : {}),
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
    const input = this.lower(node.input);
    // The aggregate reads a pre-projection (keys, then arguments named `$a<n>`): name the late
    // row's columns after the expressions they hold, so the late-data table shows `v`, not `$a2`.
    const pre = node.input;
    const lateFields =
      pre.kind === 'project'
        ? pre.fields.map((f, i) =>
            f.name.startsWith('$') ? { ...f, name: exprToString(pre.exprs[i] as BoundExpr) } : f,
          )
        : pre.fields;
    const late = this.lateOutput('WindowAggregate', lateFields);
    const op = new WindowAggregate({
      ...(late ? { lateOutput: late } : {}),
      window: { kind: 'columns', startIndex: w.startKey, endIndex: w.endKey },
      rowtimeIndex: w.startKey,
      groupKeys: otherKeys,
      aggregates,
      ...this.windowEmitOptions(),
    });
    const out = this.addOperator(op, [input]);
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

  /**
   * GROUPING SETS over windows (planner/window.ts): one WindowAggregate computes every set; its rows
   * (all keys, NULL where rolled up, then the grouping id, the aggregates and the window columns)
   * are laid out as the set's branch aggregate would have produced them and given that branch's
   * projection.
   */
  private windowGroupingSetsAggregate(gs: WindowGroupingSets): Outlet {
    const first = gs.branches[0]?.agg as AggregateRel;
    const { startKey, endKey, keys } = gs;
    const input = this.lower(gs.input);
    const late = this.lateOutput('WindowAggregate', gs.input.fields);
    const sets = gs.branches.map((b) => b.agg.groupKeys.filter((k) => k !== startKey && k !== endKey));
    const op = new WindowAggregate({
      ...(late ? { lateOutput: late } : {}),
      window: { kind: 'columns', startIndex: startKey, endIndex: endKey },
      rowtimeIndex: startKey,
      groupKeys: keys,
      groupingSets: sets,
      aggregates: aggregateCalls(first.aggs, this.insertOnly(gs.input)),
      ...this.windowEmitOptions(),
    });
    const out = this.addOperator(op, [input]);
    const n = keys.length;
    const m = first.aggs.length;
    // Per grouping id (bit i from the right set when the i-th key from the right is rolled up), the
    // positions in the operator's row of the branch aggregate's columns, and the branch projection.
    const byId = new Map<number, { layout: number[]; project: (row: Row) => Row }>();
    gs.branches.forEach((b, i) => {
      const set = sets[i] as number[];
      let id = 0;
      keys.forEach((k, j) => {
        if (!set.includes(k)) id |= 1 << (n - 1 - j);
      });
      const layout = [
        ...b.agg.groupKeys.map((k) =>
          k === startKey ? n + 1 + m : k === endKey ? n + 2 + m : keys.indexOf(k),
        ),
        ...first.aggs.map((_, a) => n + 1 + a),
      ];
      byId.set(id, { layout, project: compileProjection(b.project.exprs, this.compileOptions) });
    });
    const project = (row: Row): Row => {
      const branch = byId.get(row[n] as number);
      if (!branch) throw new RivuletError('internal', 'INTERNAL', `unknown grouping id ${String(row[n])}`);
      return branch.project(branch.layout.map((i) => row[i]));
    };
    return this.addOperator(new Calc({ project }), [out]);
  }

  /**
   * Every scan of one table in a job (the INSERTs of a statement set, a self-join) shares one source:
   * the table is read once (one consumer group for Kafka) and fanned out. The source reads the union
   * of the columns the job's scans read (see prepare); a scan reading fewer narrows it with a Calc.
   * Unprepared (a single plan), scans share only when they read the same columns.
   */
  private sharedScan(node: ScanRel): Outlet {
    const key = scanKey(node);
    const union = this.scanColumns.get(key);
    const own = scanColumnsOf(node);
    const wide = union === undefined ? node : widenScan(node, union.columns, union.fields);
    const shareKey = union === undefined ? `${key}\u0000${JSON.stringify(node.projection ?? null)}` : key;
    let shared = this.sharedScans.get(shareKey);
    if (shared === undefined) {
      shared = this.scan(wide);
      this.sharedScans.set(shareKey, shared);
    }
    const wideColumns = scanColumnsOf(wide);
    if (wideColumns.length === own.length) return shared;
    const from = own.map((c) => wideColumns.indexOf(c));
    return this.addOperator(new Calc({ project: (row) => from.map((i) => row[i]) }), [shared]);
  }

  private scan(node: ScanRel, record = true): Outlet {
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
    let transform: ((row: Row) => Row) | undefined;
    const projection = node.projection;
    if (projection) {
      // A pruned scan (rules/prune-scan-columns.ts): only the computed columns it keeps, and those
      // they read, are evaluated; the row leaves the source with the kept columns only.
      const needed = computedNeeded(node.computed, projection);
      const computed = [...node.computed]
        .filter(([i]) => needed.has(i))
        .map(([i, e]) => [i, compileExpr(e, this.compileOptions)] as const);
      const width = table.columns.length;
      const from = projection.map((c) => position[c] as number);
      if (computed.length === 0) {
        transform = (row) => {
          const out = new Array(from.length);
          for (let j = 0; j < from.length; j++) out[j] = row[from[j] as number];
          return out;
        };
      } else {
        transform = (row) => {
          const full = new Array(width).fill(null);
          for (let i = 0; i < width; i++) {
            const p = position[i] as number;
            if (p >= 0) full[i] = row[p];
          }
          for (const [i, f] of computed) full[i] = f(full);
          const out = new Array(projection.length);
          for (let j = 0; j < projection.length; j++) out[j] = full[projection[j] as number];
          return out;
        };
      }
    } else if (!position.every((p, i) => p === i) || node.computed.size > 0) {
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
    const out = this.addSource(`Source(${table.name})`, source, {
      ...(transform ? { transform } : {}),
      ...(watermark ? { watermark } : {}),
    });
    return record ? this.recordHistory(node, out) : out;
  }
}

/** Scans of one table with the same definition and options may share a source. */
function scanKey(node: ScanRel): string {
  return `${node.table.name}\u0000${node.table.ddl}\u0000${JSON.stringify([...node.table.options].sort())}`;
}

/** The table columns a scan produces, in its row's order. */
function scanColumnsOf(node: ScanRel): number[] {
  return node.projection ? [...node.projection] : node.table.columns.map((_, i) => i);
}

/** `node` reading `columns` (null: all) instead, its watermark renumbered onto the wider row. */
function widenScan(node: ScanRel, columns: number[] | null, fields: ReadonlyMap<number, Field>): ScanRel {
  const own = scanColumnsOf(node);
  const wideColumns = columns ?? node.table.columns.map((_, i) => i);
  if (wideColumns.length === own.length) return node;
  const at = (c: number) => wideColumns.indexOf(own[c] as number);
  const { projection: _, watermark, ...rest } = node;
  return {
    ...rest,
    ...(columns ? { projection: columns } : {}),
    fields: wideColumns.map((c) => fields.get(c) as Field),
    ...(watermark
      ? {
          watermark: {
            column: at(watermark.column),
            expr: mapInputs(watermark.expr, (r) => inputRef(at(r.index), r.type, r.name)),
          },
        }
      : {}),
  };
}

/** Top-N operators append the rank as a number; ROW_NUMBER is a BIGINT. */
function rankAsBigint(row: Row): Row {
  const r = [...row];
  r[r.length - 1] = BigInt(r[r.length - 1] as number);
  return r;
}

/** The computed columns among `columns`, with the computed columns they read, transitively. */
function computedNeeded(computed: ReadonlyMap<number, BoundExpr>, columns: readonly number[]): Set<number> {
  const needed = new Set<number>();
  const queue = columns.filter((c) => computed.has(c));
  while (queue.length > 0) {
    const c = queue.pop() as number;
    if (needed.has(c)) continue;
    needed.add(c);
    for (const i of inputsOf(computed.get(c) as BoundExpr)) if (computed.has(i)) queue.push(i);
  }
  return needed;
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
