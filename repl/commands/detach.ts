/**
 * `rivulet run --detach FILE --server URL`: submits a script's statements to a running `rivulet
 * serve` through the client library and prints the ids of the jobs it started, one a line on stdout,
 * then exits; the jobs run on in the server.
 *
 * Steps:
 *  1. parse the file here, so a syntax error shows its caret before anything is sent, and refuse
 *     queries (a detached SELECT would have nobody to read its rows);
 *  2. open a session (the `--set` and `--config` options are its properties) and execute the
 *     statements one by one, in order, so DDL and SET apply to the INSERTs after them;
 *  3. a SQL error from the server names its position in the statement: shown at its place in the file
 *     with a caret; the jobs already started are listed on stderr and the command fails;
 *  4. the session is left open: closing it would stop its jobs (the server keeps a session alive while
 *     its INSERT jobs run, see server/gateway.ts).
 */
import { caretSnippet, RivuletError, type Span } from '../../common/errors.ts';
import type { Statement } from '../../parser/ast.ts';
import { parse } from '../../parser/index.ts';
import { connect, GatewayError } from '../../server/client.ts';
import { type CliContext, describeError } from '../cli.ts';

export interface DetachOptions {
  readonly server: string;
  readonly token?: string | undefined;
  /** Session options (`--config`, then `--set`). */
  readonly options: ReadonlyMap<string, string>;
}

const QUERY_KINDS: ReadonlySet<Statement['kind']> = new Set(['select', 'values', 'setOperation', 'with']);

function isQuery(st: Statement): boolean {
  return QUERY_KINDS.has(st.kind) || (st.kind === 'execute' && st.statement.kind !== 'insert');
}

/** The file position of a position reported inside one statement's text. */
function inFile(sql: string, st: Statement, pos: { line: number; column: number }): Span {
  const line = st.span.line + pos.line - 1;
  const column = pos.line === 1 ? st.span.column + pos.column - 1 : pos.column;
  const lines = sql.split(/\r\n|\r|\n/);
  let offset = 0;
  for (let i = 0; i < line - 1; i++) offset += (lines[i] ?? '').length + 1;
  offset += column - 1;
  // The server reports where the fault starts; underline the word there.
  const word = /^[\w$]+|^./.exec(sql.slice(offset))?.[0] ?? ' ';
  return { line, column, offset, end: offset + word.length };
}

/** Submits `sql` (read from `origin`) to the server; resolves to the exit status. */
export async function submitDetached(
  sql: string,
  origin: string,
  opts: DetachOptions,
  ctx: CliContext,
): Promise<number> {
  let statements: Statement[];
  try {
    statements = parse(sql);
    const query = statements.find(isQuery);
    if (query) {
      throw new RivuletError(
        'cli',
        'DETACHED_QUERY',
        'rivulet run --detach submits jobs and exits, so a query has nobody to read its rows: write its result to a table with INSERT INTO, or run the script without --detach',
        query.span,
      );
    }
  } catch (e) {
    ctx.stderr.write(`${describeError(e, sql, origin)}\n`);
    return 1;
  }
  if (statements.length === 0) {
    ctx.stderr.write(`${origin}: no statements to submit\n`);
    return 1;
  }
  const submitted: string[] = [];
  let current: Statement | undefined;
  try {
    const conn = await connect(opts.server, {
      ...(opts.token ? { token: opts.token } : {}),
      properties: Object.fromEntries(opts.options),
    });
    for (const st of statements) {
      current = st;
      const r = await conn.execute(sql.slice(st.span.offset, st.span.end));
      if (r.jobId !== undefined) {
        submitted.push(r.jobId);
        ctx.stdout.write(`${r.jobId}\n`);
      }
    }
    ctx.stderr.write(
      `Submitted ${submitted.length} job${submitted.length === 1 ? '' : 's'} to ${opts.server} (session ${conn.sessionHandle}).\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof GatewayError) {
      const where =
        e.position && current
          ? (() => {
              const span = inFile(sql, current, e.position);
              return {
                prefix: `${origin}:${span.line}:${span.column}: `,
                snippet: `\n${caretSnippet(sql, span)}`,
              };
            })()
          : { prefix: '', snippet: '' };
      const reason =
        e.code === 'CONNECTION_FAILED'
          ? `${e.message} (is \`rivulet serve\` running there?)`
          : e.code === 'UNAUTHORIZED'
            ? `${e.message} (pass --token or set RIVULET_TOKEN)`
            : e.message;
      ctx.stderr.write(`${where.prefix}${reason}${where.snippet}\n`);
    } else ctx.stderr.write(`${describeError(e, sql, origin)}\n`);
    if (submitted.length > 0)
      ctx.stderr.write(`Jobs submitted before the failure keep running: ${submitted.join(', ')}\n`);
    return 1;
  }
}
