import type { CliCommand } from '../cli.ts';
import { checkCommand, explainCommand } from './check.ts';
import { formatCommand } from './format.ts';
import { replCommand } from './repl.ts';
import { execCommand, runCommand } from './run.ts';
import { serveCommand } from './serve.ts';

/**
 * Every subcommand of `rivulet`. A subcommand is listed here only once it works end to end.
 */
export const commands: readonly CliCommand[] = [
  runCommand,
  execCommand,
  formatCommand,
  serveCommand,
  replCommand,
  explainCommand,
  checkCommand,
];
