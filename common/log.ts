/**
 * Structured logs (pino: one JSON object a line). One root logger for the process; jobs log through
 * `jobLogger(job)`, whose lines all carry `job` (the name) and `jobId`, and operators through its
 * `.child({ operator })`, so every line about a job names it and, where there is one, its operator.
 *
 * Level: `RIVULET_LOG_LEVEL` (or `configureLogging`, which the CLI's `--log-level` calls), default
 * `warn`. Destination: standard error, or the file in `RIVULET_LOG_FILE` / `--log-file`. The
 * interactive shell calls `quietUnlessConfigured()`: logs would garble the screen, so it logs nothing
 * unless a level was asked for explicitly.
 *
 * @example
 * const log = jobLogger({ id: 'job-3', name: 'orders' });
 * log.child({ operator: '1:Source(orders)' }).warn({ position: 'orders/0@17' }, 'skipped a record');
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { RivuletError } from './errors.ts';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogOptions {
  /** Default: `RIVULET_LOG_LEVEL`, else `warn`. */
  readonly level?: string | undefined;
  /** Append logs to this file instead of standard error. Default: `RIVULET_LOG_FILE`. */
  readonly file?: string | undefined;
  /** Write to this stream (tests). */
  readonly destination?: DestinationStream;
}

/** Checks a level name, as the user typed it. */
export function parseLogLevel(value: string): LogLevel {
  const v = value.trim().toLowerCase();
  if (v === 'off' || v === 'none') return 'silent';
  if ((LOG_LEVELS as readonly string[]).includes(v)) return v as LogLevel;
  throw new RivuletError(
    'config',
    'LOG_LEVEL_INVALID',
    `Unknown log level '${value}' (use one of ${LOG_LEVELS.join(', ')}, or off)`,
  );
}

let root: Logger | undefined;
let explicitLevel = false;

function build(opts: LogOptions): Logger {
  const env = process.env;
  const levelText = opts.level ?? (env.RIVULET_LOG_LEVEL || undefined);
  explicitLevel = levelText !== undefined;
  const level = levelText === undefined ? 'warn' : parseLogLevel(levelText);
  const file = opts.file ?? (env.RIVULET_LOG_FILE || undefined);
  const dest =
    opts.destination ??
    (file !== undefined
      ? pino.destination({ dest: file, sync: true, mkdir: true })
      : pino.destination({ fd: 2, sync: true }));
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, dest);
}

/** (Re)configures the process's logger; loggers taken before keep the old one. */
export function configureLogging(opts: LogOptions = {}): Logger {
  root = build(opts);
  return root;
}

/** The process's logger. */
export function logger(): Logger {
  root ??= build({});
  return root;
}

/** For the interactive shell: no logs unless a level was set explicitly (flag or environment). */
export function quietUnlessConfigured(): void {
  const log = logger();
  if (!explicitLevel) log.level = 'silent';
}

/** A job's logger: every line carries the job's name and id. */
export function jobLogger(job: { readonly id: string; readonly name: string }): Logger {
  return logger().child({ job: job.name, jobId: job.id });
}
