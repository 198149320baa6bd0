/**
 * WindowTableFunction: `SELECT * FROM TABLE(TUMBLE | HOP | CUMULATE | SESSION (...))` used directly,
 * appending `window_start, window_end, window_time` to each input row.
 *
 * - TUMBLE, HOP, CUMULATE: stateless. Each row is emitted at once, once per window containing it
 *   (HOP and CUMULATE give several rows), with the input's change kind. The watermark is forwarded.
 *   Over a processing-time attribute the row's time is `ctx.now()` at arrival.
 * - SESSION (with partition keys): a row's session is not known until the watermark closes it, so
 *   rows are buffered per partition in merging sessions (see session-windows.ts). When the watermark
 *   passes `session end - 1` the session's rows are emitted in rowtime order (ties in arrival order)
 *   and freed. A row whose merged session is already closed is late: counted as
 *   `numLateRecordsDropped`, or sent to `lateOutput`. Only inserts are accepted.
 */
import { RivuletError } from '../../common/errors.ts';
import {
  type Collector,
  isAccumulate,
  type Operator,
  type OperatorContext,
  type Row,
  RowKind,
} from '../api.ts';
import { keySelector, type StateKey } from '../state.ts';
import { AggregateCalls } from './aggregate-calls.ts';
import { SessionWindows } from './session-windows.ts';
import { handleLate, notOpened } from './support.ts';
import type { WindowEntry } from './window-entry.ts';
import { type AlignedWindowSpec, assignWindows, validateWindowSpec } from './window-spec.ts';

export interface WindowTableFunctionOptions {
  readonly window: AlignedWindowSpec | { readonly kind: 'session'; readonly gap: number };
  readonly rowtimeIndex: number;
  /** SESSION ... PARTITION BY columns (ignored by the other windows). */
  readonly partitionKeys?: readonly number[];
  readonly lateOutput?: Collector;
  /** Assign by processing time (`ctx.now()` at arrival) instead of the rowtime column; aligned windows only. */
  readonly timeAttribute?: 'rowtime' | 'proctime';
}

export class WindowTableFunction implements Operator {
  readonly name = 'WindowTableFunction';
  private readonly opts: WindowTableFunctionOptions;
  private readonly sessions: SessionWindows | null;
  private readonly keyOf: (row: Row) => StateKey;
  private ctx: OperatorContext | null = null;
  private out: Collector | null = null;
  private wm = Number.NEGATIVE_INFINITY;
  private readonly scratch: number[] = [];

  constructor(options: WindowTableFunctionOptions) {
    validateWindowSpec(options.window);
    if (options.timeAttribute === 'proctime' && options.window.kind === 'session') {
      throw new RivuletError(
        'plan',
        'WINDOW_PROCTIME_SESSION_TVF',
        'the SESSION window function over processing time is not supported; aggregate it with a processing-time SESSION window instead',
      );
    }
    this.opts = options;
    const w = options.window;
    this.sessions = w.kind === 'session' ? new SessionWindows(w.gap, new AggregateCalls([]), true) : null;
    this.keyOf = keySelector(options.partitionKeys ?? []);
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, _input: number): void {
    const out = this.out;
    const ctx = this.ctx;
    if (!out || !ctx) throw notOpened(this.name);
    const ts = this.opts.timeAttribute === 'proctime' ? ctx.now() : row[this.opts.rowtimeIndex];
    if (ts === null) {
      ctx.count('numNullRowtimeRecordsDropped');
      return;
    }
    const w = this.opts.window;
    if (w.kind !== 'session') {
      const scratch = this.scratch;
      scratch.length = 0;
      const n = assignWindows(w, ts as number, scratch);
      for (let i = 0; i < n; i++) {
        const end = scratch[2 * i + 1] as number;
        out.push(kind, [...row, scratch[2 * i], end, end - 1]);
      }
      return;
    }
    if (!isAccumulate(kind)) {
      throw new RivuletError(
        'runtime',
        'WINDOW_SESSION_RETRACT',
        'the SESSION window function accepts only inserts: its input is an update stream',
      );
    }
    const sessions = this.sessions as SessionWindows;
    const key = this.keyOf(row);
    if (sessions.mergedEnd(key, ts as number) - 1 <= this.wm) {
      handleLate(ctx, this.opts.lateOutput, kind, row);
      return;
    }
    sessions.add(key, [], ts as number, row);
  }

  processWatermark(ts: number, _input: number): void {
    if (ts <= this.wm) return;
    this.wm = ts;
    const sessions = this.sessions;
    if (sessions) {
      const timers = sessions.timers;
      while (timers.size > 0 && timers.peekTime() <= ts) {
        const [key, end] = timers.pop();
        const e = sessions.find(key, end);
        if (e === undefined) continue;
        this.emitSession(e);
        sessions.remove(key, e);
      }
    }
    this.out?.watermark(ts);
  }

  private emitSession(e: WindowEntry): void {
    const out = this.out as Collector;
    const rows = (e.rows as Row[]).slice();
    const t = this.opts.rowtimeIndex;
    // Array.prototype.sort is stable: rows with equal rowtime keep their arrival order.
    rows.sort((a, b) => (a[t] as number) - (b[t] as number));
    for (const r of rows) out.push(RowKind.INSERT, [...r, e.start, e.end, e.end - 1]);
  }

  endInput(_input: number): void {
    this.out?.end();
  }

  snapshot(): unknown {
    // The sessions are written out copy-on-write (see SessionWindows.snapshot).
    return { wm: this.wm, sessions: this.sessions?.snapshot() ?? null };
  }

  restore(state: unknown): void {
    const s = structuredClone(state) as { wm: number; sessions: unknown };
    this.wm = s.wm;
    if (this.sessions && s.sessions) this.sessions.restore(s.sessions);
  }

  stateSize(): number {
    return this.sessions?.size() ?? 0;
  }

  close(): void {}
}
