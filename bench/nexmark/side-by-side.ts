/**
 * The side-by-side report lines (`--vs-flink`): one greppable line per query, then the geometric mean.
 *
 *   qN  rivulet=<events/s>  flink=<events/s>  ratio=<rivulet/flink>
 *   qN  rivulet=<events/s>  flink=unsupported  reason=<why Flink refused it>
 *   qN  rivulet=unsupported  flink=<events/s>  reason=<why Rivulet refused it>
 *   qN  rivulet=<events/s>  flink=failed  reason=flink: flink runner failed: <timeout or crash>
 *   geomean ratio=<x>  (over the N queries both engines ran)
 *
 * events/s is wall clock (submit to end of job, after a warm-up run in the same process). A detail line
 * starting with `#` follows each query line with CPU seconds, events per CPU second and peak memory.
 * Pure functions, so the unit test can check them without Java.
 */

/** One engine's measurement of one query (or why it could not run it). */
export type EngineResult = { secs: number; cpu: number; rssMiB: number } | { error: string };

export interface SideBySide {
  readonly name: string;
  readonly events: number;
  readonly rivulet: EngineResult;
  readonly flink: EngineResult;
}

export const eventsPerSecond = (events: number, secs: number): number => Math.round(events / secs);

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

/**
 * Whether an error is a failed run (the process died or hit the --timeout) rather than the engine
 * refusing the query: the line then says `failed`, not `unsupported`.
 */
export const failedRun = (error: string): boolean => /^(child failed|flink runner failed):/.test(error);

/** The ratio rivulet/flink of a line, or undefined when either engine could not run the query. */
export function ratioOf(r: SideBySide): number | undefined {
  if ('error' in r.rivulet || 'error' in r.flink) return undefined;
  return eventsPerSecond(r.events, r.rivulet.secs) / eventsPerSecond(r.events, r.flink.secs);
}

/** The greppable line of one query. */
export function formatLine(r: SideBySide): string {
  const name = r.name.padEnd(4);
  const fig = (e: EngineResult): string =>
    'error' in e
      ? failedRun(e.error)
        ? 'failed'
        : 'unsupported'
      : String(eventsPerSecond(r.events, e.secs));
  const base = `${name}  rivulet=${fig(r.rivulet)}  flink=${fig(r.flink)}`;
  const ratio = ratioOf(r);
  if (ratio !== undefined) return `${base}  ratio=${ratio.toFixed(3)}`;
  const reasons: string[] = [];
  if ('error' in r.rivulet) reasons.push(`rivulet: ${oneLine(r.rivulet.error)}`);
  if ('error' in r.flink) reasons.push(`flink: ${oneLine(r.flink.error)}`);
  return `${base}  reason=${reasons.join('; ')}`;
}

/** The `#` detail line: CPU, events per CPU second and peak RSS of each engine. */
export function formatDetail(r: SideBySide): string {
  const part = (label: string, e: EngineResult): string =>
    'error' in e
      ? `${label}: -`
      : `${label}: cpu=${e.cpu.toFixed(2)}s perCpuSec=${eventsPerSecond(r.events, e.cpu)} peakRSS=${e.rssMiB.toFixed(0)}MiB`;
  return `#     ${part('rivulet', r.rivulet)}  ${part('flink', r.flink)}`;
}

/** The geometric mean of the ratios (undefined when there are none). */
export function geomean(ratios: readonly number[]): number | undefined {
  if (ratios.length === 0) return undefined;
  return Math.exp(ratios.reduce((s, x) => s + Math.log(x), 0) / ratios.length);
}

export function formatGeomean(rows: readonly SideBySide[]): string {
  const ratios = rows.map(ratioOf).filter((x): x is number => x !== undefined);
  const g = geomean(ratios);
  return g === undefined
    ? 'geomean ratio=none  (no query ran in both engines)'
    : `geomean ratio=${g.toFixed(3)}  (over the ${ratios.length} queries both engines ran)`;
}

/** Parses a greppable line back (the chart script reads the results this way). */
export function parseLine(
  line: string,
): { name: string; rivulet: number | null; flink: number | null; ratio: number | null } | undefined {
  const m =
    /^(\S+)\s+rivulet=(\d+|unsupported|failed)\s+flink=(\d+|unsupported|failed)(?:\s+ratio=([\d.]+))?/.exec(
      line,
    );
  if (!m) return undefined;
  const num = (s: string | undefined): number | null =>
    s === undefined || s === 'unsupported' || s === 'failed' ? null : Number(s);
  return { name: m[1] as string, rivulet: num(m[2]), flink: num(m[3]), ratio: num(m[4]) };
}
