import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { caretSnippet, RivuletError } from '../common/errors.ts';
import { configureLogging, LOG_LEVELS } from '../common/log.ts';
import { commands } from './commands/index.ts';
import { openShell } from './commands/repl.ts';
import { executeSql } from './commands/run.ts';
import { readConfigFile } from './config.ts';

/** How the result of the last SELECT is printed (see docs: the CLI contract). */
export const OUTPUT_FORMATS = ['table', 'changelog', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** What every subcommand receives: the global options, resolved, and where to write. */
export interface CliContext {
  readonly format: OutputFormat;
  /** `--catalog-dir`: where persistent tables, views and functions are kept (none: in memory). */
  readonly catalogDir: string | undefined;
  /** Options from `--config FILE`, later overridden by per-command settings. */
  readonly config: ReadonlyMap<string, string>;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** A subcommand: registers itself on the program and resolves to an exit status. */
export interface CliCommand {
  register(program: Command, run: (action: (ctx: CliContext) => Promise<number>) => Promise<void>): void;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Formats any error for a terminal: the positioned message and, when the SQL is known, a caret snippet. */
export function describeError(err: unknown, source?: string, origin?: string): string {
  if (err instanceof RivuletError) {
    const where = err.span ? `${origin ?? '<sql>'}:${err.span.line}:${err.span.column}: ` : '';
    const snippet = err.span && source !== undefined ? `\n${caretSnippet(source, err.span)}` : '';
    return `${where}${err.message}${snippet}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs the CLI on `argv` (as in `process.argv`) and resolves to the exit status. Never calls
 * `process.exit` itself, so tests and embedders can drive it.
 */
export async function main(
  argv: readonly string[],
  stdout: NodeJS.WritableStream = process.stdout,
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  let status = 0;
  const program = new Command('rivulet')
    .description('Rivulet: streaming SQL over Kafka, files and generators, in the Flink SQL dialect.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .addOption(
      new Option('--format <format>', 'how the result of the last SELECT is printed')
        .choices(OUTPUT_FORMATS)
        .default('table'),
    )
    .option('--config <file>', "a file of 'key: value' options (Flink config.yaml style, flat keys)")
    .option('--catalog-dir <dir>', 'keep persistent tables, views and functions in this directory')
    .option('-e, --execute <sql>', 'run SQL given on the command line (same as `rivulet exec`)')
    .option('-i, --init <file>', 'run this SQL script in the shell before the first prompt')
    .option(
      '--log-level <level>',
      `structured log level: ${LOG_LEVELS.join(', ')} or off (default: $RIVULET_LOG_LEVEL, else warn; the shell: off)`,
    )
    .option('--log-file <file>', 'append logs to this file instead of stderr (default: $RIVULET_LOG_FILE)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => stdout.write(s),
      writeErr: (s) => stderr.write(s),
    })
    .showHelpAfterError('(run rivulet --help for usage)');

  const run = async (action: (ctx: CliContext) => Promise<number>): Promise<void> => {
    const opts = program.opts<{
      format: OutputFormat;
      config?: string;
      catalogDir?: string;
      logLevel?: string;
      logFile?: string;
    }>();
    try {
      configureLogging({ level: opts.logLevel, file: opts.logFile });
      const config = opts.config ? readConfigFile(opts.config) : new Map<string, string>();
      status = await action({ format: opts.format, config, catalogDir: opts.catalogDir, stdout, stderr });
    } catch (err) {
      stderr.write(`rivulet: ${describeError(err)}\n`);
      status = 1;
    }
  };
  for (const command of commands) command.register(program, run);
  program.action(async () => {
    const sql = program.opts<{ execute?: string }>().execute;
    if (sql !== undefined) {
      await run((ctx) => executeSql(sql, '<exec>', [], ctx));
      return;
    }
    const initFile = program.opts<{ init?: string }>().init;
    await run((ctx) => openShell(ctx, { initFile }));
  });

  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return err.exitCode;
    }
    stderr.write(`rivulet: ${describeError(err)}\n`);
    return 1;
  }
  return status;
}
