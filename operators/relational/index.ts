/** The relational operators, for the planner's physical-plan lowering. */
export { Calc, type CalcOptions } from './calc.ts';
export {
  buildComparator,
  compareStrings,
  compareValues,
  rowsEqual,
  type SortKey,
  valuesEqual,
} from './compare.ts';
export { Distinct } from './distinct.ts';
export { type AggregateCall, GroupAggregate, type GroupAggregateOptions } from './group-aggregate.ts';
export { Join, type JoinOptions, JoinType, residualOverConcatenation } from './join.ts';
export { Limit, type LimitOptions } from './limit.ts';
export { SetOp, SetOpKind, type SetOpOptions } from './set-op.ts';
export { SortLimit, type SortLimitOptions } from './sort-limit.ts';
export { TableFunctionCall, type TableFunctionCallOptions, unnestColumn } from './table-function-call.ts';
export { Union } from './union.ts';
