import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RivuletError } from '../../common/errors.ts';
import { type CliCommand, type CliContext, describeError } from '../cli.ts';
import { parseSetOptions, runScript } from '../script.ts';

function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

const collect = (value: string, previous: string[]) => [...previous, value];

export async function executeSql(
  sql: string,
  origin: string,
  set: readonly string[],
  ctx: CliContext,
): Promise<number> {
  const options = new Map([...ctx.config, ...parseSetOptions(set)]);
  try {
    return await runScript(sql, origin, {
      format: ctx.format,
      options,
      catalogDir: ctx.catalogDir,
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      stopSignal: stopSignal(),
    });
  } catch (err) {
    ctx.stderr.write(`${describeError(err, sql, origin)}\n`);
    return 1;
  }
}

/** `rivulet run FILE.sql`: runs every statement of a script. */
export const runCommand: CliCommand = {
  register(program: Command, run) {
    program
      .command('run')
      .description(
        'run every statement of a SQL script (DDL, INSERT jobs, SELECTs); ends when bounded inputs end',
      )
      .argument('<file>', 'the .sql file')
      .option('--set <key=value>', 'set a session option (repeatable)', collect, [])
      .action(async (file: string, opts: { set: string[] }) => {
        await run(async (ctx) => {
          let sql: string;
          try {
            sql = readFileSync(file, 'utf8');
          } catch (e) {
            throw new RivuletError('cli', 'FILE_UNREADABLE', `cannot read ${file}: ${(e as Error).message}`);
          }
          return executeSql(sql, file, opts.set, ctx);
        });
      });
  },
};

/** `rivulet exec "SQL"` (also `rivulet -e "SQL"`): the same for inline text. */
export const execCommand: CliCommand = {
  register(program: Command, run) {
    program
      .command('exec')
      .description('run SQL given on the command line')
      .argument('<sql>', 'one or more statements separated by ;')
      .option('--set <key=value>', 'set a session option (repeatable)', collect, [])
      .action(async (sql: string, opts: { set: string[] }) => {
        await run((ctx) => executeSql(sql, '<exec>', opts.set, ctx));
      });
  },
};
