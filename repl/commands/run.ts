import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RivuletError } from '../../common/errors.ts';
import { type CliCommand, type CliContext, describeError } from '../cli.ts';
import { parseSetOptions, runScript } from '../script.ts';
import { submitDetached } from './detach.ts';

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
      .option('--detach', 'submit the jobs to a running server (--server) and exit, printing their ids')
      .option('--server <url>', 'the Rivulet server to submit to, e.g. http://127.0.0.1:8083 (with --detach)')
      .option('--token <token>', "the server's bearer token (default: $RIVULET_TOKEN)")
      .action(
        async (file: string, opts: { set: string[]; detach?: boolean; server?: string; token?: string }) => {
          await run(async (ctx) => {
            if (opts.detach && opts.server === undefined)
              throw new RivuletError(
                'cli',
                'OPTION_MISSING',
                '--detach needs --server URL (a running `rivulet serve`)',
              );
            if (!opts.detach && (opts.server !== undefined || opts.token !== undefined))
              throw new RivuletError(
                'cli',
                'OPTION_INVALID',
                '--server and --token are for --detach: `rivulet run --detach FILE --server URL`',
              );
            let sql: string;
            try {
              sql = readFileSync(file, 'utf8');
            } catch (e) {
              throw new RivuletError(
                'cli',
                'FILE_UNREADABLE',
                `cannot read ${file}: ${(e as Error).message}`,
              );
            }
            if (opts.detach) {
              const token = opts.token ?? process.env.RIVULET_TOKEN;
              return submitDetached(
                sql,
                file,
                {
                  server: opts.server as string,
                  token,
                  options: new Map([...ctx.config, ...parseSetOptions(opts.set)]),
                },
                ctx,
              );
            }
            return executeSql(sql, file, opts.set, ctx);
          });
        },
      );
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
