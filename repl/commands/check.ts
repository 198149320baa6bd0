/**
 * `rivulet explain FILE.sql` prints the plan of every query and INSERT of a script, and
 * `rivulet check FILE.sql` validates the whole script (parse, catalog, planning, connector options)
 * without running anything: for users' CI pipelines. DDL is applied to an in-memory catalog so later
 * statements see the tables; no job is started.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RivuletError } from '../../common/errors.ts';
import type { Statement } from '../../parser/ast.ts';
import { parse } from '../../parser/index.ts';
import { Session } from '../../runtime/session.ts';
import { type CliCommand, type CliContext, describeError } from '../cli.ts';

const RUNS_JOB = new Set(['select', 'values', 'setOperation', 'with', 'insert', 'statementSet', 'execute']);

async function plan(file: string, ctx: CliContext, print: boolean): Promise<number> {
  let sql: string;
  try {
    sql = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RivuletError('cli', 'FILE_UNREADABLE', `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    const session = new Session({ options: ctx.config });
    const statements = parse(sql);
    let planned = 0;
    for (const st of statements) {
      if (!RUNS_JOB.has(st.kind)) {
        await session.execute(st, sql);
        continue;
      }
      const explain = { kind: 'explain', span: st.span, details: [], statement: st } as unknown as Statement;
      const r = await session.execute(explain, sql);
      planned++;
      if (print && r.kind === 'explain')
        ctx.stdout.write(`-- ${sql.slice(st.span.offset, st.span.end).split('\n')[0]}\n${r.text}\n\n`);
    }
    if (!print) ctx.stdout.write(`${file}: OK (${statements.length} statements, ${planned} planned)\n`);
    return 0;
  } catch (err) {
    ctx.stderr.write(`${describeError(err, sql, file)}\n`);
    return 1;
  }
}

export const explainCommand: CliCommand = {
  register(program: Command, run) {
    program
      .command('explain')
      .description('print the plan of every query and INSERT of a SQL script, without running it')
      .argument('<file>', 'the .sql file')
      .action(async (file: string) => {
        await run((ctx) => plan(file, ctx, true));
      });
  },
};

export const checkCommand: CliCommand = {
  register(program: Command, run) {
    program
      .command('check')
      .description('validate a SQL script (syntax, names, types, connector options) without running it')
      .argument('<file>', 'the .sql file')
      .action(async (file: string) => {
        await run((ctx) => plan(file, ctx, false));
      });
  },
};
