/**
 * The logical plan: relational operators over typed fields, built by the binder (bind-query.ts) and
 * rewritten by rules (rules/). Streaming properties (changelog mode, time attributes) are derived
 * from it in physical.ts. Every node lists its output fields.
 */

import type { TableDefinition } from '../catalog/catalog.ts';
import type { ResolvedAggregate } from '../catalog/functions/registry.ts';
import type { LogicalType } from '../catalog/types.ts';
import type { Value } from '../operators/api.ts';
import type { WindowSpec } from '../operators/time/window-spec.ts';
import type { CorrelateRel } from './correlate.ts';
import type { MatchRel } from './match-recognize.ts';
import type { TemporalJoinInfo, TimeTravelRel } from './temporal.ts';

export type { MatchRel, TimeTravelRel };

import type { BoundExpr } from './expr.ts';
import type { IntervalBounds } from './interval-join.ts';
import type { OverRel } from './over.ts';

export type { CorrelateRel, OverRel };

export interface Field {
  readonly name: string;
  readonly type: LogicalType;
  /** The table alias the field can be qualified with (`o.amount`), if any. */
  readonly qualifier?: string;
  /** Not part of `*` (OVER results and pre-projected keys, which the select list reads by reference). */
  readonly hidden?: boolean;
}

export type RelNode =
  | ScanRel
  | ValuesRel
  | ProjectRel
  | FilterRel
  | AggregateRel
  | JoinRel
  | UnionRel
  | SetOpRel
  | SortRel
  | WindowTvfRel
  | OverRel
  | CorrelateRel
  | MatchRel
  | TimeTravelRel;

export interface ScanRel {
  readonly kind: 'scan';
  readonly table: TableDefinition;
  /**
   * Computed columns' expressions, keyed by table column index, over the table's full row (all
   * columns in declaration order, computed ones evaluated in that order).
   */
  readonly computed: ReadonlyMap<number, BoundExpr>;
  /** The watermark: its rowtime column and expression, over the scan's row (`fields`). */
  readonly watermark?: { readonly column: number; readonly expr: BoundExpr };
  /**
   * The table columns the scan produces, by index in table order (rules/prune-scan-columns.ts);
   * absent: all of them. `fields` are these columns.
   */
  readonly projection?: readonly number[];
  readonly fields: readonly Field[];
}

export interface ValuesRel {
  readonly kind: 'values';
  readonly rows: readonly (readonly Value[])[];
  readonly fields: readonly Field[];
}

export interface ProjectRel {
  readonly kind: 'project';
  readonly input: RelNode;
  readonly exprs: readonly BoundExpr[];
  readonly fields: readonly Field[];
}

export interface FilterRel {
  readonly kind: 'filter';
  readonly input: RelNode;
  readonly condition: BoundExpr;
  readonly fields: readonly Field[];
}

export interface AggCall {
  readonly name: string;
  readonly fn: ResolvedAggregate;
  /** Input positions of the arguments. */
  readonly args: readonly number[];
  readonly distinct: boolean;
  /** Input position of a BOOLEAN column: only rows where it is TRUE are aggregated (FILTER (WHERE)). */
  readonly filter: number | null;
  readonly type: LogicalType;
}

export interface AggregateRel {
  readonly kind: 'aggregate';
  readonly input: RelNode;
  /** Input positions grouped by; output fields are these first, then the aggregates. */
  readonly groupKeys: readonly number[];
  readonly aggs: readonly AggCall[];
  readonly fields: readonly Field[];
}

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'SEMI' | 'ANTI';

export interface JoinRel {
  readonly kind: 'join';
  readonly joinType: JoinType;
  readonly left: RelNode;
  readonly right: RelNode;
  /** Over the concatenation of left and right fields. */
  readonly condition: BoundExpr;
  /** Set when the condition bounds the rowtimes of both sides (an interval join). */
  readonly interval?: IntervalBounds;
  /** Set for `JOIN v FOR SYSTEM_TIME AS OF ...` (a temporal join). */
  readonly temporal?: TemporalJoinInfo;
  readonly fields: readonly Field[];
}

export interface UnionRel {
  readonly kind: 'union';
  readonly inputs: readonly RelNode[];
  readonly fields: readonly Field[];
}

export interface SetOpRel {
  readonly kind: 'setOp';
  readonly op: 'UNION' | 'INTERSECT' | 'EXCEPT';
  readonly all: boolean;
  readonly left: RelNode;
  readonly right: RelNode;
  readonly fields: readonly Field[];
}

export interface SortKey {
  readonly index: number;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export interface SortRel {
  readonly kind: 'sort';
  readonly input: RelNode;
  readonly keys: readonly SortKey[];
  readonly limit: number | null;
  readonly offset: number;
  readonly fields: readonly Field[];
}

/**
 * A window table-valued function (TUMBLE, HOP, CUMULATE, SESSION): the input's columns plus
 * `window_start`, `window_end` and `window_time` (a rowtime attribute).
 */
export interface WindowTvfRel {
  readonly kind: 'windowTvf';
  readonly input: RelNode;
  readonly window: Exclude<WindowSpec, { kind: 'columns' }>;
  /** The time attribute the windows are assigned by. */
  readonly timeIndex: number;
  /** SESSION ... PARTITION BY columns. */
  readonly partitionKeys: readonly number[];
  readonly fields: readonly Field[];
}

export function childrenOf(node: RelNode): RelNode[] {
  switch (node.kind) {
    case 'scan':
    case 'values':
      return [];
    case 'join':
    case 'setOp':
      return [node.left, node.right];
    case 'union':
      return [...node.inputs];
    default:
      return [node.input];
  }
}
