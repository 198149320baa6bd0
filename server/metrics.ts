/**
 * `/metrics` in the Prometheus text exposition format (version 0.0.4), written directly: a handful of
 * gauges and counters does not justify a metrics library.
 */

import type { Job } from '../runtime/job.ts';
import type { OperationStatus } from './operation.ts';

export interface MetricsSnapshot {
  readonly sessions: number;
  readonly operations: readonly OperationStatus[];
  readonly jobs: readonly Job[];
  readonly bufferedChanges: number;
}

const OPERATION_STATUSES: readonly OperationStatus[] = ['RUNNING', 'FINISHED', 'CANCELED', 'ERROR'];
const JOB_STATUSES = ['CREATED', 'RUNNING', 'FINISHED', 'CANCELED', 'FAILED'] as const;

function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function renderMetrics(m: MetricsSnapshot): string {
  const out: string[] = [];
  const metric = (name: string, type: string, help: string, samples: readonly string[]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
  };
  metric('rivulet_sessions', 'gauge', 'Open gateway sessions.', [`rivulet_sessions ${m.sessions}`]);
  metric(
    'rivulet_operations',
    'gauge',
    'Operations of open sessions, by status.',
    OPERATION_STATUSES.map(
      (s) => `rivulet_operations{status="${s}"} ${m.operations.filter((o) => o === s).length}`,
    ),
  );
  metric(
    'rivulet_jobs',
    'gauge',
    'Jobs of open sessions, by status.',
    JOB_STATUSES.map((s) => `rivulet_jobs{status="${s}"} ${m.jobs.filter((j) => j.status === s).length}`),
  );
  metric(
    'rivulet_result_buffered_changes',
    'gauge',
    'Changes read from query jobs and waiting for clients to fetch them.',
    [`rivulet_result_buffered_changes ${m.bufferedChanges}`],
  );
  const jobLabels = (j: Job) => `job_id="${label(j.id)}",job_name="${label(j.name)}"`;
  metric(
    'rivulet_job_records_in_total',
    'counter',
    'Records read by the sources of a job.',
    m.jobs.map((j) => `rivulet_job_records_in_total{${jobLabels(j)}} ${j.recordsIn}`),
  );
  metric(
    'rivulet_job_records_out_total',
    'counter',
    'Records written to the sinks of a job.',
    m.jobs.map((j) => `rivulet_job_records_out_total{${jobLabels(j)}} ${j.recordsOut}`),
  );
  return `${out.join('\n')}\n`;
}
