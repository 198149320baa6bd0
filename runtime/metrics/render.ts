/**
 * `SHOW JOB 'id'` as text: a header, then the job's operator tree (sinks at the top, each node's inputs
 * indented below it, as EXPLAIN prints plans) in a table of metrics, the bottleneck marked, then the
 * operators' counters and the sources' per-split lag.
 */
import type { JobMetricsSnapshot, NodeMetricsSnapshot } from './job-metrics.ts';

export interface JobHeader {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly uptimeMs: number;
  readonly error: string | undefined;
  /** The job's checkpoints (runtime/checkpoint), when it checkpoints. */
  readonly checkpoints?: {
    readonly completed: number;
    readonly last: {
      readonly id: number;
      readonly pauseMs: number;
      readonly asyncMs: number;
      readonly bytes: number;
    } | null;
  };
}

/** A duration for people: `850ms`, `12.3s`, `4m 05s`, `2h 03m`, `3d 04h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const neg = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < 1000) return `${neg}${Math.round(a)}ms`;
  if (a < 60_000) return `${neg}${(a / 1000).toFixed(1)}s`;
  const s = Math.floor(a / 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${neg}${Math.floor(s / 60)}m ${two(s % 60)}s`;
  if (s < 86400) return `${neg}${Math.floor(s / 3600)}h ${two(Math.floor(s / 60) % 60)}m`;
  return `${neg}${Math.floor(s / 86400)}d ${two(Math.floor(s / 3600) % 24)}h`;
}

/** A count or rate with thousands separators; rates keep one decimal below 100. */
function num(x: number): string {
  const r = x < 100 && !Number.isInteger(x) ? Math.round(x * 10) / 10 : Math.round(x);
  return r.toLocaleString('en-US');
}

/** A size for people: `512 B`, `3.4 KB`, `160.0 MB`, `1.02 GB` (powers of 1024). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

const HEADERS = [
  'operator',
  'busy',
  'backpressured',
  'idle',
  'records in/s',
  'records out/s',
  'records in',
  'records out',
  'watermark',
  'watermark lag',
  'state',
  'checkpointed',
] as const;

/** The text of SHOW JOB. */
export function renderJob(header: JobHeader, snap: JobMetricsSnapshot): string {
  const lines: string[] = [];
  lines.push(`Job '${header.name}' (${header.id}): ${header.status}, up ${formatDuration(header.uptimeMs)}`);
  if (header.error) lines.push(`Error: ${header.error}`);
  lines.push(
    `Rates over the last ${formatDuration(snap.windowMs)}; busy, backpressured and idle in ms per second.`,
  );
  const byId = new Map(snap.nodes.map((n) => [n.id, n]));
  const consumers = new Set(snap.nodes.flatMap((n) => n.inputs));
  const roots = snap.nodes.filter((n) => !consumers.has(n.id));
  const rows: string[][] = [];
  const shown = new Set<string>();
  const walk = (n: NodeMetricsSnapshot, prefix: string, childPrefix: string) => {
    const mark = n.id === snap.bottleneck ? ' <- bottleneck' : '';
    if (shown.has(n.id)) {
      rows.push([`${prefix}${n.id} (shown above)`]);
      return;
    }
    shown.add(n.id);
    rows.push([
      `${prefix}${n.id}${mark}`,
      num(n.busyTimeMsPerSecond),
      num(n.backPressuredTimeMsPerSecond),
      num(n.idleTimeMsPerSecond),
      num(n.numRecordsInPerSecond),
      num(n.numRecordsOutPerSecond),
      num(n.numRecordsIn),
      num(n.numRecordsOut),
      n.watermark === null ? '-' : timestamp(n.watermark),
      n.watermarkLagMs === null ? '-' : formatDuration(n.watermarkLagMs),
      n.stateEntries === null ? '-' : num(n.stateEntries),
      n.stateBytes === null ? '-' : formatBytes(n.stateBytes),
    ]);
    n.inputs.forEach((id, i) => {
      const child = byId.get(id);
      if (!child) return;
      const last = i === n.inputs.length - 1;
      walk(child, `${childPrefix}${last ? '└─ ' : '├─ '}`, `${childPrefix}${last ? '   ' : '│  '}`);
    });
  };
  for (const r of roots) walk(r, '', '');
  const widths = HEADERS.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number)))
      .join('  ')
      .trimEnd();
  lines.push('', line(HEADERS), ...rows.map(line));
  lines.push(
    '',
    snap.bottleneck === null
      ? 'Bottleneck: none (no node is busy 100 ms per second or more: the job keeps up).'
      : `Bottleneck: ${snap.bottleneck} (the busiest node, ${num(byId.get(snap.bottleneck)?.busyTimeMsPerSecond ?? 0)} ms busy per second).`,
  );
  const counters = snap.nodes.flatMap((n) =>
    Object.entries(n.counters)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `  ${n.id}: ${k} = ${num(v)}`),
  );
  if (counters.length > 0) lines.push('Counters:', ...counters);
  const lags = snap.nodes.flatMap((n) =>
    Object.entries(n.splitLag ?? {})
      .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
      .map(([split, v]) => `  ${n.id} ${split}: ${num(v)} records behind`),
  );
  if (lags.length > 0) lines.push('Source lag:', ...lags);
  const ck = header.checkpoints;
  if (ck) {
    const last = ck.last;
    lines.push(
      last === null
        ? `Checkpoints: ${num(ck.completed)} completed.`
        : `Checkpoints: ${num(ck.completed)} completed; the last (#${last.id}) paused the job ${formatDuration(last.pauseMs)}, wrote ${num(last.bytes)} bytes in ${formatDuration(last.asyncMs)} in the background.`,
    );
  }
  return lines.join('\n');
}
