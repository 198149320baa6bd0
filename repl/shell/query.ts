/**
 * Shows a query's changes in the shell, in the chosen result mode, until the query ends or the user
 * cancels it.
 *
 * Steps:
 *   1. hand the shell an interrupt that cancels the job and its sink (Ctrl-C, SIGINT, `q`);
 *   2. consume the changes, keeping counts for the status line (changes, rate over the last
 *      seconds, the watermark of the operator nearest the sink);
 *   3. display by mode: `table` on a terminal for a continuous query is the live TableView; a bounded
 *      query (table, tableau) is printed once complete; `changelog` prints each change with its kind
 *      as it arrives; `tableau` for a continuous query prints boxed rows with an `op` column as they
 *      arrive; `table` without a terminal prints the current rows when the query stops;
 *   4. on a terminal a status line stays below the printed rows while the query runs; output is
 *      written in batches on a timer so a fast query does not flood the terminal one write per row;
 *   5. a failed job's error is thrown for the shell to print; a cancelled query just ends.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Row, RowKind } from '../../operators/api.ts';
import type { Job } from '../../runtime/job.ts';
import type { StatementResult } from '../../runtime/session.ts';
import { renderTable } from '../results.ts';
import { LiveRows } from './live-rows.ts';
import { cells, StreamingTableau, type Style } from './style.ts';
import { type Key, TableView } from './table-view.ts';

export type Interrupt = () => void;
type QueryResult = Extract<StatementResult, { kind: 'query' }>;

export interface QueryDisplay {
  readonly mode: 'table' | 'changelog' | 'tableau';
  readonly timeZone: string;
  readonly tty: boolean;
  readonly style: Style;
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream & { columns?: number; rows?: number };
  /** The query's text, for the live view's title. */
  readonly title: string;
  /** Receives the function that cancels the query while it runs. */
  readonly onInterruptible: (interrupt: Interrupt) => void;
}

const TICK_MS = 200;

/** Changes received, their recent rate, and the query's watermark. */
export class Progress {
  changes = 0;
  private samples: { at: number; changes: number }[] = [];
  private readonly job: Job;
  private readonly started = Date.now();

  constructor(job: Job) {
    this.job = job;
  }

  sample(now = Date.now()): void {
    this.samples.push({ at: now, changes: this.changes });
    while (this.samples.length > 2 && (this.samples[0] as { at: number }).at < now - 3000)
      this.samples.shift();
  }

  /** Changes per second over the last few seconds (since the start before the first samples). */
  rate(now = Date.now()): number {
    const first = this.samples[0] ?? { at: this.started, changes: 0 };
    const seconds = (now - first.at) / 1000;
    return seconds > 0 ? (this.changes - first.changes) / seconds : 0;
  }

  /** The watermark nearest the sink, when one is known. */
  watermark(): number | undefined {
    const nodes = this.job.operatorNodes;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const w = (nodes[i] as { metrics: { watermark: number } }).metrics.watermark;
      if (Number.isFinite(w)) return w;
    }
    return undefined;
  }

  statusText(state: string): string {
    const wm = this.watermark();
    const wmText = wm === undefined ? '-' : new Date(wm).toISOString().replace('T', ' ').replace('Z', '');
    return `${state}  Received: ${this.changes} changes  Rate: ${Math.round(this.rate())}/s  Watermark: ${wmText}  (Ctrl-C cancels)`;
  }
}

export async function runQuery(result: QueryResult, d: QueryDisplay): Promise<void> {
  let cancelled = false;
  let wake: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const cancel = () => {
    if (cancelled) return;
    cancelled = true;
    result.job.cancel();
    result.sink.cancel();
    wake();
  };
  d.onInterruptible(cancel);
  const progress = new Progress(result.job);

  /** Consumes every change; resolves when the query ends or is cancelled. */
  const consume = async (onChange: (kind: RowKind, row: Row) => void): Promise<void> => {
    const loop = (async () => {
      for await (const c of result.sink.changes()) {
        if (cancelled) return;
        progress.changes++;
        onChange(c.kind, c.row);
      }
    })();
    // After a cancel the loop may still wait for the job to close its sink: do not wait for that.
    loop.catch(() => {});
    await Promise.race([loop, stopped]);
    if (!cancelled) {
      await loop.catch(() => {});
      await result.done;
    } else {
      await Promise.race([result.done, sleep(2000, undefined, { ref: false })]);
    }
    if (result.job.error && !cancelled) throw result.job.error;
  };

  if (d.mode === 'table' && d.tty && !result.bounded)
    return liveTable(result, d, progress, consume, stopped, cancel, () => cancelled);

  const out = d.output;
  let pending: string[] = [];
  let status = '';
  const showStatus = d.tty;
  const flush = () => {
    if (showStatus) {
      progress.sample();
      const next = d.style.dim(fitWidth(progress.statusText('Running...'), (out.columns ?? 80) - 1));
      out.write(`\r\x1b[K${pending.join('')}${next}`);
      status = next;
    } else if (pending.length > 0) {
      out.write(pending.join(''));
    }
    pending = [];
  };
  const clearStatus = () => {
    if (showStatus && status !== '') out.write('\r\x1b[K');
    status = '';
  };
  const timer = setInterval(flush, TICK_MS);
  try {
    if (d.mode === 'changelog') {
      await consume((kind, row) => {
        pending.push(`${d.style.kind(kind)}[${cells(row, result.columns, d.timeZone).join(', ')}]\n`);
      });
      clearInterval(timer);
      flush();
      clearStatus();
    } else if (result.bounded) {
      // Updates keep their row's place, as in the live view.
      const view = new LiveRows();
      const kinds: RowKind[] = [];
      const rows: Row[] = [];
      await consume((kind, row) => {
        if (d.mode === 'table') view.apply(kind, row);
        else {
          kinds.push(kind);
          rows.push(row);
        }
      });
      clearInterval(timer);
      clearStatus();
      if (!cancelled) {
        if (d.mode === 'table') out.write(renderTable(result.columns, view.toRows(), d.timeZone));
        else if (kinds.every((k) => k === 0)) out.write(renderTable(result.columns, rows, d.timeZone));
        else out.write(renderTable(result.columns, rows, d.timeZone, kinds));
      }
    } else if (d.mode === 'tableau') {
      const tableau = new StreamingTableau(result.columns, d.timeZone, d.style);
      pending.push(`${tableau.header()}\n`);
      await consume((kind, row) => {
        pending.push(`${tableau.row(kind, row)}\n`);
      });
      clearInterval(timer);
      flush();
      clearStatus();
      out.write(`${tableau.footer()}\n`);
    } else {
      // `table` without a terminal: the current rows when the query stops.
      const view = new LiveRows();
      await consume((kind, row) => view.apply(kind, row));
      clearInterval(timer);
      clearStatus();
      out.write(renderTable(result.columns, view.toRows(), d.timeZone));
    }
  } finally {
    clearInterval(timer);
    clearStatus();
  }
  if (cancelled)
    out.write(`${d.style.dim(`Query cancelled after ${plural(progress.changes, 'change')}.`)}\n`);
}

async function liveTable(
  result: QueryResult,
  d: QueryDisplay,
  progress: Progress,
  consume: (onChange: (kind: RowKind, row: Row) => void) => Promise<void>,
  stopped: Promise<void>,
  cancel: Interrupt,
  isCancelled: () => boolean,
): Promise<void> {
  const out = d.output;
  const view = new TableView(
    d.title,
    result.columns,
    d.timeZone,
    {
      write: (s) => out.write(s),
      size: () => ({ columns: out.columns ?? 80, rows: out.rows ?? 24 }),
    },
    d.style,
  );
  let state = 'RUNNING';
  const redraw = () => {
    progress.sample();
    view.render({
      changes: progress.changes,
      rate: progress.rate(),
      watermark: progress.watermark(),
      state,
    });
  };
  const onKey = (str: string | undefined, key: Key | undefined) => {
    const action = view.key(str, key);
    if (action === 'quit') cancel();
    else if (action === 'redraw') redraw();
  };
  view.open();
  d.input.on('keypress', onKey);
  out.on('resize', redraw);
  const timer = setInterval(redraw, TICK_MS);
  redraw();
  let failure: unknown;
  try {
    await consume((kind, row) => view.rows.apply(kind, row));
    if (!isCancelled()) {
      // The inputs ended: the final rows stay on screen until the user leaves the view.
      state = 'FINISHED (Q to leave)';
      redraw();
      await stopped;
    }
  } catch (err) {
    failure = err;
  } finally {
    clearInterval(timer);
    d.input.off('keypress', onKey);
    out.off('resize', redraw);
    view.close();
  }
  if (failure !== undefined) throw failure;
  out.write(
    `${d.style.dim(`Left the table view: ${plural(view.rows.size, 'row')}, ${plural(progress.changes, 'change')} received.`)}\n`,
  );
}

function fitWidth(s: string, width: number): string {
  return s.length > width ? s.slice(0, Math.max(0, width)) : s;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
