/**
 * Restart strategies, with Flink's option names. A failed job whose strategy allows another attempt
 * waits the strategy's delay (status RESTARTING) and runs again from its latest checkpoint.
 *
 * - `restart-strategy.type` = `none` (also `off`, `disable`; the default), `fixed-delay`
 *   (`fixeddelay`) or `exponential-delay` (`exponentialdelay`).
 * - fixed-delay: `restart-strategy.fixed-delay.attempts` (default 1) restarts in all, each after
 *   `restart-strategy.fixed-delay.delay` (default 1 s).
 * - exponential-delay: the n-th delay in a row is `initial-backoff * backoff-multiplier^(n-1)`, capped
 *   at `max-backoff`, then spread by +-`jitter-factor`; a job that ran `reset-backoff-threshold`
 *   without failing starts again from `initial-backoff` and from zero attempts; after
 *   `attempts-before-reset-backoff` restarts in a row it fails for good. Defaults as in Flink: 1 s,
 *   1 min, 1.5, 1 h, 0.1, unlimited.
 */
import { parseDurationMs } from '../common/duration.ts';
import { RivuletError } from '../common/errors.ts';

export interface RestartStrategy {
  /** The delay before the next attempt after a failure at `now`, or null when the job fails for good. */
  nextDelay(now: number): number | null;
  /** The job (re)started running at `now`. */
  started(now: number): void;
  /** Restarts so far. */
  readonly restarts: number;
}

const PREFIX = 'restart-strategy';

function number(options: ReadonlyMap<string, string>, key: string, fallback: number, min: number): number {
  const text = options.get(key);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min)
    throw new RivuletError('plan', 'OPTION_INVALID', `'${key}' must be a number >= ${min}, not '${text}'`);
  return n;
}

function duration(options: ReadonlyMap<string, string>, key: string, fallbackMs: number): number {
  const text = options.get(key);
  return text === undefined ? fallbackMs : parseDurationMs(text);
}

/** The strategy the options describe; null for `none`. */
export function restartStrategy(
  options: ReadonlyMap<string, string>,
  random: () => number = Math.random,
): RestartStrategy | null {
  const type = (options.get(`${PREFIX}.type`) ?? 'none').toLowerCase();
  switch (type) {
    case 'none':
    case 'off':
    case 'disable':
      return null;
    case 'fixed-delay':
    case 'fixeddelay': {
      const attempts = number(options, `${PREFIX}.fixed-delay.attempts`, 1, 0);
      const delay = duration(options, `${PREFIX}.fixed-delay.delay`, 1000);
      let restarts = 0;
      return {
        get restarts() {
          return restarts;
        },
        nextDelay() {
          if (restarts >= attempts) return null;
          restarts++;
          return delay;
        },
        started() {},
      };
    }
    case 'exponential-delay':
    case 'exponentialdelay': {
      const p = `${PREFIX}.exponential-delay`;
      const initial = duration(options, `${p}.initial-backoff`, 1000);
      const max = duration(options, `${p}.max-backoff`, 60_000);
      const multiplier = number(options, `${p}.backoff-multiplier`, 1.5, 1);
      const resetAfter = duration(options, `${p}.reset-backoff-threshold`, 3_600_000);
      const jitter = number(options, `${p}.jitter-factor`, 0.1, 0);
      const maxAttempts = number(options, `${p}.attempts-before-reset-backoff`, Infinity, 0);
      let restarts = 0;
      let inARow = 0;
      let runningSince = 0;
      return {
        get restarts() {
          return restarts;
        },
        nextDelay(now) {
          if (now - runningSince >= resetAfter) inARow = 0;
          if (inARow >= maxAttempts) return null;
          const base = Math.min(max, initial * multiplier ** inARow);
          inARow++;
          restarts++;
          const spread = base * jitter * (2 * random() - 1);
          return Math.max(0, Math.round(base + spread));
        },
        started(now) {
          runningSince = now;
        },
      };
    }
    default:
      throw new RivuletError(
        'plan',
        'OPTION_INVALID',
        `'${PREFIX}.type' is 'none', 'fixed-delay' or 'exponential-delay', not '${type}'`,
      );
  }
}
