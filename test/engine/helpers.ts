import type { Row } from '../../operators/api.ts';
import { Materialized } from '../../repl/results.ts';
import { Session, type StatementResult } from '../../runtime/session.ts';

/** Runs a script and returns the final rows of its last query (changes applied). */
export async function queryRows(sql: string, session = new Session()): Promise<Row[]> {
  const results = await session.executeScript(sql);
  const last = results[results.length - 1] as StatementResult;
  if (last.kind === 'table') return [...last.rows];
  if (last.kind !== 'query') throw new Error(`last statement is not a query: ${last.kind}`);
  const view = new Materialized();
  for await (const c of last.sink.changes()) view.apply(c.kind, c.row);
  await last.done;
  if (last.job.error) throw last.job.error;
  return view.toRows();
}

/** Runs a script and returns the changes of its last query, as `+I[..]` strings. */
export async function queryChanges(sql: string, session = new Session()): Promise<string[]> {
  const results = await session.executeScript(sql);
  const last = results[results.length - 1] as StatementResult;
  if (last.kind !== 'query') throw new Error(`last statement is not a query: ${last.kind}`);
  const out: string[] = [];
  for await (const c of last.sink.changes())
    out.push(
      `${['+I', '-U', '+U', '-D'][c.kind]}${JSON.stringify(c.row, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`,
    );
  await last.done;
  if (last.job.error) throw last.job.error;
  return out;
}

/** Sorts rows for order-insensitive comparison. */
export function sorted(rows: Row[]): Row[] {
  const key = (r: Row) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
