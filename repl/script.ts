/**
 * Runs a SQL script non-interactively (`rivulet run FILE`, `rivulet exec SQL`): every statement in
 * order; DDL is silent; `INSERT INTO` starts a job; SELECT and SHOW/DESCRIBE results are printed in the
 * chosen format. Bounded scripts end when their inputs end, and their output is written only once the
 * whole script succeeded (nothing half-written on failure). A script with an unbounded query streams
 * its changes (table/changelog formats) until SIGINT/SIGTERM, then prints the final result (json/csv).
 */
import { RivuletError } from '../common/errors.ts';
import type { Row, RowKind } from '../operators/api.ts';
import { parse } from '../parser/index.ts';
import { type Column, Session, type StatementResult } from '../runtime/session.ts';
import type { OutputFormat } from './cli.ts';
import { Materialized, renderChange, renderCsv, renderJson, renderTable } from './results.ts';

export interface ScriptOptions {
  readonly format: OutputFormat;
  readonly options: ReadonlyMap<string, string>;
  readonly catalogDir?: string | undefined;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM) an unbounded script. */
  readonly stopSignal?: Promise<void>;
}

interface Printed {
  /** Plain text printed as it is in the table and changelog formats (EXPLAIN). */
  readonly text?: string;
  readonly columns: readonly Column[];
  readonly rows: Row[];
  readonly kinds?: RowKind[];
}

export async function runScript(sql: string, _origin: string, opts: ScriptOptions): Promise<number> {
  const session = new Session({ options: opts.options });
  if (opts.catalogDir) await session.attachCatalog(opts.catalogDir);
  const timeZone = () => session.options.get('table.local-time-zone') ?? 'UTC';
  const statements = parse(sql);
  const printed: Printed[] = [];
  const running: Promise<void>[] = [];
  const streaming = opts.format === 'changelog' || opts.format === 'table';
  for (const st of statements) {
    const result: StatementResult = await session.execute(st, sql);
    switch (result.kind) {
      case 'ok':
        break;
      case 'explain':
        printed.push({
          text: result.text,
          columns: [{ name: 'plan', type: { kind: 'VARCHAR', nullable: false, precision: 2147483647 } }],
          rows: [[result.text]],
        });
        break;
      case 'table':
        printed.push({ columns: result.columns, rows: [...result.rows] });
        break;
      case 'jobs':
        for (const j of result.jobs) opts.stderr.write(`Job '${j.name}' (${j.id}) submitted.\n`);
        running.push(result.done);
        break;
      case 'query': {
        const view = new Materialized();
        const kinds: RowKind[] = [];
        const changes: Row[] = [];
        const consume = (async () => {
          for await (const c of result.sink.changes()) {
            if (!result.bounded && opts.format === 'changelog')
              opts.stdout.write(renderChange(c.kind, c.row, result.columns, timeZone()));
            else if (opts.format === 'changelog') {
              kinds.push(c.kind);
              changes.push(c.row);
            } else view.apply(c.kind, c.row);
          }
        })();
        if (result.bounded) {
          await consume;
          await result.done;
          if (result.job.error) throw result.job.error;
          printed.push(
            opts.format === 'changelog'
              ? { columns: result.columns, rows: changes, kinds }
              : { columns: result.columns, rows: view.toRows() },
          );
        } else {
          // An unbounded query runs until the user stops it; its final view is printed then.
          await Promise.race([consume, opts.stopSignal ?? new Promise<never>(() => {})]);
          result.job.cancel();
          result.sink.cancel();
          if (result.job.error) throw result.job.error;
          if (opts.format !== 'changelog') printed.push({ columns: result.columns, rows: view.toRows() });
        }
        break;
      }
    }
  }
  if (running.length > 0) {
    const all = Promise.all(running).then(() => undefined);
    await (opts.stopSignal ? Promise.race([all, opts.stopSignal]) : all);
    // Graceful stop: a job that checkpoints takes a final checkpoint first (resumed from when the
    // script runs again); the others are cancelled.
    await Promise.all(
      session.jobs.map(async (j) => {
        if (j.checkpoints?.enabled && j.status === 'RUNNING') {
          try {
            const path = await j.stopWithCheckpoint();
            opts.stderr.write(`Job '${j.name}' stopped with a final checkpoint: ${path}\n`);
          } catch {
            j.cancel(); // it ended or failed meanwhile: its own outcome is reported below
          }
        } else j.cancel();
      }),
    );
    await Promise.allSettled(running);
    const failed = session.jobs.find((j) => j.error);
    if (failed?.error) throw failed.error;
  }
  void streaming;
  const tz = timeZone();
  if (opts.format === 'json') {
    const lastResult = printed[printed.length - 1];
    if (lastResult) opts.stdout.write(renderJson(lastResult.columns, lastResult.rows, tz));
  } else {
    for (const p of printed) {
      if (opts.format === 'csv') opts.stdout.write(renderCsv(p.columns, p.rows, tz));
      else if (p.text !== undefined) opts.stdout.write(`${p.text}\n`);
      else if (opts.format === 'changelog' && p.kinds)
        for (let i = 0; i < p.rows.length; i++)
          opts.stdout.write(renderChange(p.kinds[i] as RowKind, p.rows[i] as Row, p.columns, tz));
      else opts.stdout.write(renderTable(p.columns, p.rows, tz));
    }
  }
  return 0;
}

/** Parses `--set key=value` pairs. */
export function parseSetOptions(pairs: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new RivuletError('cli', 'OPTION_SYNTAX', `--set expects key=value, found '${p}'`);
    out.set(p.slice(0, i).trim(), p.slice(i + 1).trim());
  }
  return out;
}
