/**
 * Event-time operators: watermarks, window TVFs and what runs on them, OVER aggregation, interval
 * joins, Top-N and deduplication. See README.md in this folder for what each expects and emits.
 */
export { type AggregateCall, AggregateCalls } from './aggregate-calls.ts';
export {
  BoundedOverAggregate,
  type BoundedOverAggregateOptions,
  DEFAULT_FRAME,
  type FrameBound,
  type OverCall,
  type WindowFrame,
} from './bounded-over-aggregate.ts';
export { Deduplicate, type DeduplicateOptions } from './deduplicate.ts';
export { IntervalJoin, type IntervalJoinOptions, type IntervalJoinType } from './interval-join.ts';
export type { JoinType } from './join-types.ts';
export { OverAggregate, type OverAggregateOptions, type OverFrame } from './over-aggregate.ts';
export { type RankType, ranksOf } from './ranking.ts';
export { isProcessingTimeAware, LATE_RECORDS_METRIC, type ProcessingTimeAware } from './support.ts';
export { TopN, type TopNOptions } from './top-n.ts';
export { WatermarkAssigner, type WatermarkAssignerOptions } from './watermark-assigner.ts';
export { WatermarkCalc, WatermarkCell } from './watermark-calc.ts';
export { WindowAggregate, type WindowAggregateOptions } from './window-aggregate.ts';
export { WindowDeduplicate, type WindowDeduplicateOptions } from './window-deduplicate.ts';
export { WindowJoin, type WindowJoinOptions, type WindowJoinSide } from './window-join.ts';
export {
  type AlignedWindowSpec,
  assignWindows,
  isWindowFired,
  validateWindowSpec,
  type WindowSpec,
  windowTime,
} from './window-spec.ts';
export { WindowTableFunction, type WindowTableFunctionOptions } from './window-table-function.ts';
export { WindowTopN, type WindowTopNOptions } from './window-top-n.ts';
