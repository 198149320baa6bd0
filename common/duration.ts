import { RivuletError } from './errors.ts';

/** Flink duration syntax: `10 s`, `500ms`, `1min`, `2 h`, `1 d`; a plain number is milliseconds. */
export function parseDurationMs(text: string): number {
  const m =
    /^\s*(\d+(?:\.\d+)?)\s*(ms|milli|millis|milliseconds?|s|sec|secs|seconds?|min|mins|minutes?|m|h|hours?|d|days?)?\s*$/i.exec(
      text,
    );
  if (!m)
    throw new RivuletError(
      'plan',
      'OPTION_INVALID',
      `invalid duration '${text}' (examples: '500 ms', '10 s', '1 min')`,
    );
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const factor =
    unit.startsWith('ms') || unit.startsWith('milli')
      ? 1
      : unit.startsWith('s')
        ? 1000
        : unit === 'm' || unit.startsWith('min')
          ? 60_000
          : unit.startsWith('h')
            ? 3_600_000
            : 86_400_000;
  return Math.round(n * factor);
}
