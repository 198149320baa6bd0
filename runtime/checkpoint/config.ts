/**
 * Checkpoint and savepoint options, with Flink's names, read from the session's options.
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseDurationMs } from '../../common/duration.ts';
import { RivuletError } from '../../common/errors.ts';

export interface CheckpointConfig {
  /** `execution.checkpointing.interval` in ms; 0 when checkpointing is off. */
  readonly intervalMs: number;
  /** The job's own checkpoint directory: `<execution.checkpointing.dir>/<job directory name>`. */
  readonly jobDir: string;
  /** `state.checkpoints.num-retained` (default 1). */
  readonly retained: number;
  /** Where `STOP JOB ... WITH SAVEPOINT` writes (`execution.checkpointing.savepoint-dir` / `state.savepoints.dir`). */
  readonly savepointDir: string;
  /** `execution.savepoint.path`: restore from this file instead of the job's latest checkpoint. */
  readonly savepointPath: string | null;
  /** `execution.savepoint.ignore-unclaimed-state`: state of operators missing from the new plan is dropped. */
  readonly ignoreUnclaimedState: boolean;
}

/** The default checkpoint directory when `execution.checkpointing.dir` is not set. */
export function defaultCheckpointDir(catalogDir: string | null): string {
  return catalogDir !== null ? join(catalogDir, 'checkpoints') : resolve('.rivulet', 'checkpoints');
}

/**
 * The directory name of a job's checkpoints: its `pipeline.name` when set, otherwise the default job
 * name plus a hash of the normalized statement text, so the same SQL finds its checkpoints again and
 * two different statements writing the same table do not share them.
 */
export function jobDirectoryName(
  pipelineName: string | undefined,
  defaultName: string,
  statement: string,
): string {
  const base =
    pipelineName ?? `${defaultName}-${createHash('sha256').update(statement).digest('hex').slice(0, 12)}`;
  return base.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Reads the checkpoint options; null when checkpointing is off and no savepoint is to be restored. */
export function checkpointConfig(
  options: ReadonlyMap<string, string>,
  jobDirName: string,
  catalogDir: string | null,
): CheckpointConfig | null {
  const interval = options.get('execution.checkpointing.interval');
  const intervalMs = interval === undefined ? 0 : parseDurationMs(interval);
  const savepointPath = options.get('execution.savepoint.path') ?? null;
  if (intervalMs <= 0 && savepointPath === null) return null;
  const dir = options.get('execution.checkpointing.dir') ?? defaultCheckpointDir(catalogDir);
  const retainedText = options.get('state.checkpoints.num-retained') ?? '1';
  const retained = Number(retainedText);
  if (!Number.isInteger(retained) || retained < 1) {
    throw new RivuletError(
      'plan',
      'OPTION_INVALID',
      `'state.checkpoints.num-retained' must be a whole number >= 1, not '${retainedText}'`,
    );
  }
  const ignore = options.get('execution.savepoint.ignore-unclaimed-state') ?? 'false';
  if (!/^(true|false)$/i.test(ignore)) {
    throw new RivuletError(
      'plan',
      'OPTION_INVALID',
      `'execution.savepoint.ignore-unclaimed-state' is 'true' or 'false', not '${ignore}'`,
    );
  }
  return {
    intervalMs: Math.max(0, intervalMs),
    jobDir: join(resolve(dir), jobDirName),
    retained,
    savepointDir: resolve(
      options.get('execution.checkpointing.savepoint-dir') ??
        options.get('state.savepoints.dir') ??
        join(dir, 'savepoints'),
    ),
    savepointPath,
    ignoreUnclaimedState: /^true$/i.test(ignore),
  };
}
