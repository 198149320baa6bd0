import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RivuletError } from '../../common/errors.ts';
import { format, parse, SqlSyntaxError } from '../../parser/index.ts';
import { type CliCommand, describeError } from '../cli.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `rivulet format [FILE | -]`: prints the canonical form of every statement (each ending with `;`,
 * separated by a blank line). Formatting the output again changes nothing. On a syntax error, prints
 * `FILE:LINE:COLUMN: message` and a caret snippet to stderr and exits with status 1.
 */
export const formatCommand: CliCommand = {
  register(program: Command, run) {
    program
      .command('format')
      .description('print the canonical form of every statement of a SQL file (or of standard input)')
      .argument('[file]', "the .sql file; '-' or nothing reads standard input")
      .action(async (file: string | undefined) => {
        await run(async (ctx) => {
          const fromStdin = file === undefined || file === '-';
          const origin = fromStdin ? '<stdin>' : file;
          let sql: string;
          try {
            sql = fromStdin ? await readStdin() : readFileSync(file, 'utf8');
          } catch (e) {
            throw new RivuletError(
              'cli',
              'FILE_UNREADABLE',
              `cannot read ${origin}: ${(e as Error).message}`,
            );
          }
          try {
            ctx.stdout.write(format(parse(sql)));
            return 0;
          } catch (err) {
            if (!(err instanceof SqlSyntaxError)) throw err;
            ctx.stderr.write(`${describeError(err, sql, origin)}\n`);
            return 1;
          }
        });
      });
  },
};
