/**
 * Window table-valued function specifications (TUMBLE, HOP, CUMULATE, SESSION) and the assignment of
 * a rowtime to its windows, following Flink's window TVF semantics:
 *
 * - TUMBLE(size, offset): one window `[start, start + size)` with `start = ts - ((ts - offset) mod size)`.
 * - HOP(slide, size): every window `[s, s + size)` with `s ≡ offset (mod slide)` and `s <= ts < s + size`.
 * - CUMULATE(step, size): the windows `[start, start + k * step)` (k = 1 .. size/step) of the
 *   tumbling window of `size` containing ts, that end after ts.
 * - SESSION(gap): `[ts, ts + gap)` merged with every session of the same partition it touches
 *   (Flink merges windows whose bounds intersect inclusively, so rows exactly `gap` apart share a
 *   session); the session ends `gap` after its last row.
 *
 * Every window has `window_time = window_end - 1` (a rowtime) and is complete once the watermark
 * reaches `window_end - 1`, the largest timestamp it can hold.
 */
import { RivuletError } from '../../common/errors.ts';

export type WindowSpec =
  | { readonly kind: 'tumble'; readonly size: number; readonly offset?: number }
  | { readonly kind: 'hop'; readonly slide: number; readonly size: number; readonly offset?: number }
  | { readonly kind: 'cumulate'; readonly step: number; readonly size: number; readonly offset?: number }
  | { readonly kind: 'session'; readonly gap: number }
  /** The windows were assigned upstream (a window TVF): read them from these input columns. */
  | { readonly kind: 'columns'; readonly startIndex: number; readonly endIndex: number };

/** The spec kinds whose windows are fixed by the timestamp alone (no merging). */
export type AlignedWindowSpec = Exclude<WindowSpec, { kind: 'session' } | { kind: 'columns' }>;

/** True when a window ending at `end` can receive no more on-time rows under watermark `wm`. */
export function isWindowFired(end: number, wm: number): boolean {
  return end - 1 <= wm;
}

/** `window_time` of a window: its last millisecond, itself a rowtime. */
export function windowTime(end: number): number {
  return end - 1;
}

function positiveInterval(name: string, v: number): void {
  if (!Number.isFinite(v) || v <= 0 || !Number.isInteger(v)) {
    throw new RivuletError(
      'plan',
      'WINDOW_INVALID_INTERVAL',
      `window ${name} must be a positive whole number of milliseconds, got ${v}`,
    );
  }
}

/** Checks a spec's intervals; throws a RivuletError naming the faulty argument. */
export function validateWindowSpec(spec: WindowSpec): void {
  switch (spec.kind) {
    case 'tumble':
      positiveInterval('size', spec.size);
      break;
    case 'hop':
      positiveInterval('slide', spec.slide);
      positiveInterval('size', spec.size);
      break;
    case 'cumulate':
      positiveInterval('step', spec.step);
      positiveInterval('size', spec.size);
      if (spec.size % spec.step !== 0) {
        throw new RivuletError(
          'plan',
          'WINDOW_CUMULATE_STEP',
          `CUMULATE window size (${spec.size} ms) must be a whole multiple of its step (${spec.step} ms)`,
        );
      }
      break;
    case 'session':
      positiveInterval('gap', spec.gap);
      break;
    case 'columns':
      break;
  }
  if ('offset' in spec && spec.offset !== undefined && !Number.isInteger(spec.offset)) {
    throw new RivuletError('plan', 'WINDOW_INVALID_INTERVAL', `window offset must be whole milliseconds`);
  }
}

/** `ts mod size` in [0, size), also for timestamps before 1970. */
function floorMod(a: number, size: number): number {
  const m = a % size;
  return m < 0 ? m + size : m;
}

/** Start of the tumbling window of `size` (shifted by `offset`) containing `ts`. */
export function tumbleStart(ts: number, size: number, offset: number): number {
  return ts - floorMod(ts - offset, size);
}

/**
 * Appends the windows containing `ts` to `out` as flat pairs `start, end` (ascending by start, then
 * end) and returns how many windows were added. `out` is reused by callers to avoid allocation.
 */
export function assignWindows(spec: AlignedWindowSpec, ts: number, out: number[]): number {
  const offset = spec.offset ?? 0;
  switch (spec.kind) {
    case 'tumble': {
      const start = tumbleStart(ts, spec.size, offset);
      out.push(start, start + spec.size);
      return 1;
    }
    case 'hop': {
      const last = tumbleStart(ts, spec.slide, offset);
      let first = last;
      while (first - spec.slide > ts - spec.size) first -= spec.slide;
      let n = 0;
      for (let s = first; s <= last; s += spec.slide) {
        out.push(s, s + spec.size);
        n++;
      }
      return n;
    }
    case 'cumulate': {
      const start = tumbleStart(ts, spec.size, offset);
      const limit = start + spec.size;
      let n = 0;
      for (let end = start + spec.step; end <= limit; end += spec.step) {
        if (end > ts) {
          out.push(start, end);
          n++;
        }
      }
      return n;
    }
  }
}
