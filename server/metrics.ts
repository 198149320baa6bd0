/**
 * `/metrics` in the Prometheus text exposition format (server/prometheus.ts writes it): gateway
 * gauges (sessions, operations, buffered results), job counts by status and records per job, and per
 * node of every job the metrics of runtime/metrics (docs/monitoring.md lists them). Names follow
 * Flink's metric names under a `rivulet_job_operator_` scope, e.g.
 * `rivulet_job_operator_busyTimeMsPerSecond{job_id="job-3",job_name="...",operator="2:GroupAggregate",operator_kind="operator"}`.
 */

import type { Job } from '../runtime/job.ts';
import type { NodeMetricsSnapshot } from '../runtime/metrics/job-metrics.ts';
import type { OperationStatus } from './operation.ts';
import { Exposition, type Labels, metricName } from './prometheus.ts';

export interface MetricsSnapshot {
  readonly sessions: number;
  readonly operations: readonly OperationStatus[];
  readonly jobs: readonly Job[];
  readonly bufferedChanges: number;
}

const OPERATION_STATUSES: readonly OperationStatus[] = ['RUNNING', 'FINISHED', 'CANCELED', 'ERROR'];
const JOB_STATUSES = ['CREATED', 'RUNNING', 'RESTARTING', 'FINISHED', 'CANCELED', 'FAILED'] as const;

/** The per-node gauges and counters, by Flink's names. */
const NODE_METRICS: readonly {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  readonly value: (n: NodeMetricsSnapshot) => number | null;
}[] = [
  {
    name: 'busyTimeMsPerSecond',
    type: 'gauge',
    help: 'Milliseconds per second the node spent working (sliding window).',
    value: (n) => n.busyTimeMsPerSecond,
  },
  {
    name: 'backPressuredTimeMsPerSecond',
    type: 'gauge',
    help: 'Milliseconds per second the node waited for downstream sinks to flush (sliding window).',
    value: (n) => n.backPressuredTimeMsPerSecond,
  },
  {
    name: 'idleTimeMsPerSecond',
    type: 'gauge',
    help: 'Milliseconds per second the node was neither busy nor backpressured (sliding window).',
    value: (n) => n.idleTimeMsPerSecond,
  },
  {
    name: 'numRecordsIn',
    type: 'counter',
    help: 'Records the node received (a source: read from its connector).',
    value: (n) => n.numRecordsIn,
  },
  {
    name: 'numRecordsOut',
    type: 'counter',
    help: 'Records the node emitted (a sink: written).',
    value: (n) => n.numRecordsOut,
  },
  {
    name: 'numRecordsInPerSecond',
    type: 'gauge',
    help: 'Records received per second (sliding window).',
    value: (n) => n.numRecordsInPerSecond,
  },
  {
    name: 'numRecordsOutPerSecond',
    type: 'gauge',
    help: 'Records emitted per second (sliding window).',
    value: (n) => n.numRecordsOutPerSecond,
  },
  {
    name: 'currentWatermark',
    type: 'gauge',
    help: 'Current watermark, epoch milliseconds (a source: emitted; others: the minimum over inputs).',
    value: (n) => n.watermark,
  },
  {
    name: 'watermarkLag',
    type: 'gauge',
    help: 'Processing time minus the current watermark, milliseconds.',
    value: (n) => n.watermarkLagMs,
  },
  {
    name: 'stateEntries',
    type: 'gauge',
    help: 'Entries the operator holds in state.',
    value: (n) => n.stateEntries,
  },
  {
    name: 'stateBytes',
    type: 'gauge',
    help: "Bytes of the operator's state in the job's last completed checkpoint.",
    value: (n) => n.stateBytes,
  },
];

export function renderMetrics(m: MetricsSnapshot): string {
  const e = new Exposition();
  e.add('rivulet_sessions', 'gauge', 'Open gateway sessions.', {}, m.sessions);
  for (const s of OPERATION_STATUSES)
    e.add(
      'rivulet_operations',
      'gauge',
      'Operations of open sessions, by status.',
      { status: s },
      m.operations.filter((o) => o === s).length,
    );
  for (const s of JOB_STATUSES)
    e.add(
      'rivulet_jobs',
      'gauge',
      'Jobs of open sessions, by status.',
      { status: s },
      m.jobs.filter((j) => j.status === s).length,
    );
  e.add(
    'rivulet_result_buffered_changes',
    'gauge',
    'Changes read from query jobs and waiting for clients to fetch them.',
    {},
    m.bufferedChanges,
  );
  const jobLabels = (j: Job): Labels => ({ job_id: j.id, job_name: j.name });
  for (const j of m.jobs)
    e.add(
      'rivulet_job_records_in_total',
      'counter',
      'Records read by the sources of a job.',
      jobLabels(j),
      j.recordsIn,
    );
  for (const j of m.jobs)
    e.add(
      'rivulet_job_records_out_total',
      'counter',
      'Records written to the sinks of a job.',
      jobLabels(j),
      j.recordsOut,
    );
  for (const j of m.jobs) {
    const ck = j.checkpoints;
    if (!ck?.enabled) continue;
    e.add(
      'rivulet_job_numberOfCompletedCheckpoints',
      'counter',
      'Checkpoints of a job completed (durable and committed).',
      jobLabels(j),
      ck.completed,
    );
    const last = ck.lastStats;
    if (last === null) continue;
    e.add(
      'rivulet_job_lastCheckpointDuration',
      'gauge',
      'Duration of the last completed checkpoint in ms (pause plus background write and commit).',
      jobLabels(j),
      last.pauseMs + last.asyncMs,
    );
    e.add(
      'rivulet_job_lastCheckpointPauseMs',
      'gauge',
      'Time the last completed checkpoint stopped the job (operator snapshot copies, sink pre-commit), in ms.',
      jobLabels(j),
      last.pauseMs,
    );
    e.add(
      'rivulet_job_lastCheckpointSize',
      'gauge',
      'Size in bytes of the last completed checkpoint file.',
      jobLabels(j),
      last.bytes,
    );
  }
  for (const j of m.jobs) {
    const snap = j.metrics.snapshot();
    if (snap.lag !== null)
      e.add(
        'rivulet_job_pendingRecords',
        'gauge',
        'Records the sources of a job have not read yet (Kafka: consumer lag summed over partitions).',
        jobLabels(j),
        snap.lag,
      );
    for (const n of snap.nodes) {
      const labels: Labels = { ...jobLabels(j), operator: n.id, operator_kind: n.kind };
      for (const d of NODE_METRICS) {
        const v = d.value(n);
        if (v !== null) e.add(`rivulet_job_operator_${d.name}`, d.type, d.help, labels, v);
      }
      if (n.kind === 'operator') {
        const counters = { numLateRecordsDropped: 0, ...n.counters };
        for (const [name, v] of Object.entries(counters))
          e.add(
            `rivulet_job_operator_${metricName(name)}`,
            'counter',
            `Operator counter ${name} (e.g. late records a window dropped).`,
            labels,
            v,
          );
      }
      e.add(
        'rivulet_job_operator_isBottleneck',
        'gauge',
        'Whether the node is marked as the bottleneck of its job (the busiest node, see docs/monitoring.md).',
        labels,
        snap.bottleneck === n.id ? 1 : 0,
      );
      for (const [split, lag] of Object.entries(n.splitLag ?? {}))
        e.add(
          'rivulet_job_source_pendingRecords',
          'gauge',
          'Records not yet read per source split (Kafka: partition high watermark minus position).',
          { ...labels, split },
          lag,
        );
    }
  }
  return e.render();
}
