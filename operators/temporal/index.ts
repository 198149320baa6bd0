/**
 * Temporal (versioned) tables: the event-time and processing-time temporal joins, the version history
 * behind time travel, and the time-travel scan. See README.md in this folder.
 */
export {
  EventTimeTemporalJoin,
  type EventTimeTemporalJoinOptions,
  NULL_KEY_METRIC,
} from './event-time-temporal-join.ts';
export { HistoryRecorder, type HistoryRecorderOptions, type HistoryTarget } from './history-recorder.ts';
export {
  joinWithVersion,
  type TemporalJoinBaseOptions,
  type TemporalJoinType,
} from './join-options.ts';
export {
  ProcessingTimeTemporalJoin,
  type ProcessingTimeTemporalJoinOptions,
} from './processing-time-temporal-join.ts';
export { TimeTravelScan, type TimeTravelScanOptions } from './time-travel-scan.ts';
export {
  type PeriodQuery,
  VersionHistory,
  type VersionHistoryData,
  type VersionHistoryOptions,
  type VersionRecord,
} from './version-history.ts';
export { VersionList } from './version-list.ts';
