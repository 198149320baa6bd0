/**
 * `rivulet repl` (and `rivulet` with no arguments): the interactive SQL shell. The shell keeps its
 * persistent catalog and history in the Rivulet home directory: `$RIVULET_HOME`, else ~/.rivulet
 * (`--catalog-dir` chooses another catalog directory; `$RIVULET_HISTORY` another history file).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { quietUnlessConfigured } from '../../common/log.ts';
import { Session } from '../../runtime/session.ts';
import type { CliCommand, CliContext } from '../cli.ts';
import { Shell, type ShellInput, type ShellOutput } from '../shell/shell.ts';

export interface ReplOptions {
  readonly initFile?: string | undefined;
  readonly input?: ShellInput;
  readonly env?: NodeJS.ProcessEnv;
}

/** The Rivulet home directory: `$RIVULET_HOME`, else `~/.rivulet`. */
export function rivuletHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.RIVULET_HOME && env.RIVULET_HOME !== '' ? env.RIVULET_HOME : join(homedir(), '.rivulet');
}

/** Opens the shell on the process's terminal (or pipes) and resolves to its exit status. */
export async function openShell(ctx: CliContext, opts: ReplOptions = {}): Promise<number> {
  const env = opts.env ?? process.env;
  // Log lines would garble the screen: none unless --log-level or RIVULET_LOG_LEVEL asks for them.
  quietUnlessConfigured();
  const home = rivuletHome(env);
  const session = new Session({ options: ctx.config });
  await session.attachCatalog(ctx.catalogDir ?? home);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  const shell = new Shell({
    session,
    input: opts.input ?? process.stdin,
    output: ctx.stdout as ShellOutput,
    errorOutput: ctx.stderr,
    historyFile:
      env.RIVULET_HISTORY && env.RIVULET_HISTORY !== '' ? env.RIVULET_HISTORY : join(home, 'history'),
    initFile: opts.initFile,
    version: pkg.version,
    env,
  });
  return shell.run();
}

/** `rivulet repl`: the interactive SQL shell. */
export const replCommand: CliCommand = {
  register(program: Command, run) {
    program
      .command('repl')
      .description('open the interactive SQL shell (the default when no command is given)')
      .option('-i, --init <file>', 'run this SQL script before the first prompt')
      .action(async (opts: { init?: string }) => {
        const initFile = opts.init ?? program.opts<{ init?: string }>().init;
        await run((ctx) => openShell(ctx, { initFile }));
      });
  },
};
