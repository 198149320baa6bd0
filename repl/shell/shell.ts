/**
 * The interactive SQL shell (`rivulet`, `rivulet repl`), in the manner of Flink's SQL client.
 *
 * How it runs:
 *   1. node:readline reads lines (with editing, history and tab completion on a terminal); each line
 *      goes to a StatementSplitter, and every statement it completes is queued;
 *   2. statements run one at a time, in order: the shell's own commands (HELP, QUIT, EXIT, CLEAR)
 *      first, everything else through the Session; errors are printed with their caret snippet and
 *      the shell goes on;
 *   3. a query's changes are shown in the result mode of `sql-client.execution.result-mode`
 *      (see ResultPrinter); Ctrl-C (or SIGINT) cancels the running query and returns to the prompt,
 *      and at the prompt clears the line; Ctrl-D, QUIT; or EXIT; leaves;
 *   4. while a query runs on a terminal, readline's echo is muted so keys reach the result view.
 * On a terminal the shell prompts; when reading from a pipe it prints results only (like psql).
 */
import { readFileSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { RivuletError } from '../../common/errors.ts';
import type { Row } from '../../operators/api.ts';
import { parse } from '../../parser/index.ts';
import type { Column, Session, StatementResult } from '../../runtime/session.ts';
import { describeError } from '../cli.ts';
import { renderTable } from '../results.ts';
import { complete } from './completion.ts';
import { HistoryFile } from './history.ts';
import { type Interrupt, runQuery } from './query.ts';
import { isBlank, StatementSplitter, scan, stripComments } from './splitter.ts';
import { makeStyle, type Style, wantsColor } from './style.ts';

export const PROMPT = 'rivulet> ';
export const CONTINUATION_PROMPT = '     -> ';

export interface ShellInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?: (raw: boolean) => unknown;
}

export interface ShellOutput extends NodeJS.WritableStream {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface ShellOptions {
  readonly session: Session;
  readonly input: ShellInput;
  readonly output: ShellOutput;
  readonly errorOutput: NodeJS.WritableStream;
  readonly historyFile: string;
  /** A script run before the first prompt (`rivulet -i FILE`). */
  readonly initFile?: string | undefined;
  readonly version: string;
  readonly env?: NodeJS.ProcessEnv;
}

const HELP = `Statements end with ';' and may span lines. Supported statements:
  CREATE TABLE | VIEW | FUNCTION ...;  DROP ...;  ALTER TABLE ...;
  SELECT ...;  INSERT INTO ... SELECT ...;  EXECUTE STATEMENT SET BEGIN ... END;
  EXPLAIN ...;  DESCRIBE t;  SHOW TABLES | VIEWS | FUNCTIONS | JOBS;  SHOW CREATE TABLE t;
  SET;  SET 'key' = 'value';  RESET;  RESET 'key';
  SHOW JOB 'id';   a job's operators: busy/backpressured/idle time, rates, watermark, state, bottleneck
  STOP JOB 'id';

Shell commands:
  HELP;            this help
  CLEAR;           clear the terminal
  QUIT; or EXIT;   leave the shell (Ctrl-D too)

Result display: SET 'sql-client.execution.result-mode' = 'table' | 'changelog' | 'tableau';
  table      a live view of a continuous query's current rows, updated in place
             (keys: Up/Down, PgUp/PgDn, Home/End to page, Q to leave; bounded results are printed)
  changelog  each change with its kind (+I, -U, +U, -D) as it arrives
  tableau    rows printed as they arrive, with an 'op' column for continuous queries
Ctrl-C cancels a running query; at the prompt it clears the line. Tab completes keywords, table,
column and function names. History is kept across sessions.
`;

/** Readline's output, muted while a query's result view owns the terminal. */
class MutableOutput extends Writable {
  muted = false;
  readonly isTTY = true;
  private readonly target: ShellOutput;

  constructor(target: ShellOutput) {
    super();
    this.target = target;
  }
  get columns(): number {
    return this.target.columns ?? 80;
  }
  get rows(): number {
    return this.target.rows ?? 24;
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (error?: Error | null) => void): void {
    if (!this.muted) this.target.write(chunk);
    cb();
  }
}

export class Shell {
  private readonly session: Session;
  private readonly opts: ShellOptions;
  private readonly tty: boolean;
  private readonly style: Style;
  private readonly errStyle: Style;
  private readonly splitter = new StatementSplitter();
  private readonly history: HistoryFile;
  private rl: Interface | undefined;
  private echo: MutableOutput | undefined;
  private readonly queue: string[] = [];
  private busy = false;
  private closed = false;
  private quitting = false;
  /** Cancels the running query, when one runs. */
  private interrupt: Interrupt | undefined;
  private finish: (() => void) | undefined;
  /** The `done` of INSERT jobs started from the shell. */
  private readonly background: Promise<void>[] = [];

  constructor(opts: ShellOptions) {
    this.opts = opts;
    this.session = opts.session;
    this.tty = Boolean(opts.input.isTTY && opts.output.isTTY);
    this.style = makeStyle(wantsColor(opts.output, opts.env));
    this.errStyle = makeStyle(wantsColor(opts.errorOutput, opts.env));
    this.history = new HistoryFile(opts.historyFile, (m) => this.warn(m));
  }

  /** Runs the shell until QUIT, EXIT, Ctrl-D or the end of input; resolves to the exit status. */
  async run(): Promise<number> {
    const { input, output } = this.opts;
    // A closed pipe (`rivulet | head`) ends the shell quietly, as it does for other tools.
    const onOutputError = (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      this.quitting = true;
      this.interrupt?.();
      this.rl?.close();
    };
    output.on('error', onOutputError);
    // SIGINT (and Ctrl-C, which readline reports the same way) cancels a query, even in the init script.
    const onSignal = () => this.onInterrupt();
    process.on('SIGINT', onSignal);
    if (this.tty) {
      output.write(
        `${this.style.bold(`Rivulet SQL shell ${this.opts.version}`)}\nType HELP; for help, QUIT; to leave. Statements end with ';'.\n\n`,
      );
    }
    if (this.opts.initFile !== undefined) await this.runInitFile(this.opts.initFile);
    if (this.quitting) {
      process.off('SIGINT', onSignal);
      return 0;
    }

    const echo = this.tty ? new MutableOutput(output) : undefined;
    this.echo = echo;
    const rl = createInterface({
      input,
      ...(echo ? { output: echo } : {}),
      terminal: this.tty,
      prompt: PROMPT,
      history: this.history.entries,
      // The shell adds whole statements to the history itself (see HistoryFile).
      historySize: 0,
      tabSize: 4,
      ...(this.tty ? { completer: (line: string) => complete(this.session, line) } : {}),
    });
    this.rl = rl;
    const onResize = () => echo?.emit('resize');
    if (this.tty) output.on('resize', onResize);
    rl.on('SIGINT', onSignal);
    rl.on('line', (line) => {
      // Keys typed into a result view are not statements.
      if (this.interrupt && this.tty) return;
      this.queue.push(line);
      void this.pump();
    });
    const done = new Promise<void>((resolve) => {
      this.finish = resolve;
    });
    rl.on('close', () => {
      // At the end of piped input a running query goes on until it ends or is interrupted.
      this.closed = true;
      void this.pump();
    });
    if (this.tty) rl.prompt();
    await done;
    process.off('SIGINT', onSignal);
    output.off('resize', onResize);
    // The error listener stays: a write still in flight may report its EPIPE after this.
    for (const job of this.session.jobs) job.cancel();
    // Let cancelled jobs close their connectors (and report a failure that came first).
    await Promise.race([Promise.allSettled(this.background), sleep(2000, undefined, { ref: false })]);
    if (this.tty) output.write('Goodbye!\n');
    return 0;
  }

  private warn(message: string): void {
    this.opts.errorOutput.write(`${this.errStyle.yellow('[WARNING]')} ${message}\n`);
  }

  private error(message: string): void {
    this.opts.errorOutput.write(`${this.errStyle.red('[ERROR]')} ${message}\n`);
  }

  private info(message: string): void {
    this.opts.output.write(`${this.style.green('[INFO]')} ${message}\n`);
  }

  /** Ctrl-C or SIGINT: cancel the running query; at the prompt, drop what was typed. */
  private onInterrupt(): void {
    if (this.interrupt) {
      this.interrupt();
      return;
    }
    this.splitter.clear();
    const rl = this.rl;
    if (rl && this.tty) {
      this.opts.output.write('^C\n');
      this.clearLine();
      rl.setPrompt(PROMPT);
      rl.prompt();
    }
  }

  /** Empties readline's line buffer without echoing. */
  private clearLine(): void {
    const rl = this.rl;
    const echo = this.echo;
    if (!rl || !echo) return;
    const muted = echo.muted;
    echo.muted = true;
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
    echo.muted = muted;
  }

  /** Runs queued lines one after the other. */
  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0 && !this.quitting) {
        const line = this.queue.shift() as string;
        for (const statement of this.splitter.push(line)) {
          this.history.add(statement);
          await this.runStatement(statement);
          if (this.quitting) break;
        }
      }
      if (this.closed && !this.quitting && this.splitter.pending) {
        // Input ended in the middle of a statement without its ';': run it as it is.
        const rest = this.splitter.text;
        this.splitter.clear();
        this.history.add(rest);
        await this.runStatement(rest);
      }
    } finally {
      this.busy = false;
    }
    if (this.quitting || this.closed) {
      if (!this.closed) this.rl?.close();
      this.finish?.();
      return;
    }
    if (this.tty && this.rl) {
      this.rl.setPrompt(this.splitter.pending ? CONTINUATION_PROMPT : PROMPT);
      this.rl.prompt();
    }
  }

  /** The shell's own command a statement is, if it is one. */
  private shellCommand(statement: string): string | undefined {
    const word = stripComments(statement).trim().replace(/;$/, '').trim().toUpperCase();
    return ['HELP', 'QUIT', 'EXIT', 'CLEAR'].includes(word) ? word : undefined;
  }

  /** Runs one statement as typed; returns false when it failed. */
  async runStatement(statement: string, source = statement, origin = '<shell>'): Promise<boolean> {
    switch (this.shellCommand(statement)) {
      case 'HELP':
        this.opts.output.write(HELP);
        return true;
      case 'QUIT':
      case 'EXIT':
        this.quitting = true;
        return true;
      case 'CLEAR':
        if (this.tty) this.opts.output.write('\x1b[H\x1b[2J');
        return true;
    }
    try {
      for (const st of parse(source)) await this.show(await this.session.execute(st, source), statement);
      return true;
    } catch (err) {
      this.error(describeError(err, source, origin));
      return false;
    }
  }

  private async show(result: StatementResult, statement: string): Promise<void> {
    const out = this.opts.output;
    const timeZone = this.session.options.get('table.local-time-zone') ?? 'UTC';
    switch (result.kind) {
      case 'ok':
        this.info(result.message);
        return;
      case 'table':
        // SHOW and DESCRIBE type their columns VARCHAR but may hold other values (DESCRIBE's
        // `null` column is a BOOLEAN): show those as text.
        out.write(renderTable(result.columns, result.rows.map(asVarcharRow(result.columns)), timeZone));
        return;
      case 'explain':
        out.write(`${result.text}\n`);
        return;
      case 'jobs':
        for (const job of result.jobs) {
          this.info(
            `Job '${job.name}' (${job.id}) submitted; it runs in the background (SHOW JOBS; lists it).`,
          );
        }
        this.background.push(result.done);
        result.done.catch((err: unknown) => {
          this.error(`a job failed: ${describeError(err)}`);
          if (this.tty && !this.interrupt) this.rl?.prompt(true);
        });
        return;
      case 'query': {
        const mode = (this.session.options.get('sql-client.execution.result-mode') ?? 'table').toLowerCase();
        if (mode !== 'table' && mode !== 'changelog' && mode !== 'tableau') {
          result.job.cancel();
          result.sink.cancel();
          throw new RivuletError(
            'cli',
            'RESULT_MODE',
            `Unknown result mode '${mode}' for 'sql-client.execution.result-mode': use 'table', 'changelog' or 'tableau'`,
          );
        }
        await this.withMutedEcho(() =>
          runQuery(result, {
            mode,
            timeZone,
            tty: this.tty,
            style: this.style,
            input: this.opts.input,
            output: out,
            title: stripComments(statement).replace(/\s+/g, ' ').trim(),
            onInterruptible: (interrupt) => {
              this.interrupt = interrupt;
            },
          }),
        );
        return;
      }
    }
  }

  /** While a query runs on a terminal, readline's echo is muted and its line is dropped after. */
  private async withMutedEcho(f: () => Promise<void>): Promise<void> {
    const echo = this.echo;
    if (echo) echo.muted = true;
    try {
      await f();
    } finally {
      this.interrupt = undefined;
      if (echo) {
        this.clearLine();
        echo.muted = false;
      }
    }
  }

  /** `-i FILE`: runs a script before the prompt; stops at its first error, the shell still opens. */
  private async runInitFile(file: string): Promise<void> {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      this.error(`cannot read the init script ${file}: ${(e as Error).message}`);
      return;
    }
    const { statements, rest } = scan(text);
    const all = isBlank(rest)
      ? statements
      : [...statements, { text: rest, offset: text.length - rest.length }];
    for (const st of all) {
      // Blank out the text around the statement so error positions are those of the file.
      const source = blankOutside(text, st.offset, st.offset + st.text.length);
      const ok = await this.runStatement(st.text, source, file);
      if (!ok) {
        this.warn(`the init script ${file} stopped at the error above`);
        return;
      }
      if (this.quitting) return;
    }
  }
}

/** `text` with everything outside [from, to) replaced by spaces, line breaks kept. */
function blankOutside(text: string, from: number, to: number): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  return blank(text.slice(0, from)) + text.slice(from, to) + blank(text.slice(to));
}

/** Makes values of VARCHAR-typed result columns text, so they render whatever they hold. */
function asVarcharRow(columns: readonly Column[]): (row: Row) => Row {
  return (row) =>
    row.map((v, i) =>
      v === null || typeof v === 'string' || columns[i]?.type.kind !== 'VARCHAR' ? v : String(v),
    );
}
