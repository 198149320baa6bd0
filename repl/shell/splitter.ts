/**
 * Cuts typed input into complete statements. The shell feeds it line by line; a statement is complete
 * at a `;` that is outside of string literals, quoted identifiers and comments.
 *
 * The scanner, in steps:
 *   1. walk the buffered text once, tracking one state: plain SQL, a '...' string (with '' escapes),
 *      a "..." or `...` identifier, a -- line comment, or a block comment;
 *   2. in plain SQL, a `;` ends a statement: the text up to it (with the `;`) is emitted, unless it
 *      holds only whitespace and comments;
 *   3. whatever follows the last `;` stays buffered and waits for more lines (the continuation prompt).
 */

type State = 'sql' | 'string' | 'dquote' | 'backtick' | 'line' | 'block';

/** A complete statement of a script and where it starts in the script. */
export interface ScriptStatement {
  readonly text: string;
  readonly offset: number;
}

export class StatementSplitter {
  private buffer = '';

  /** Adds one line of input; returns the statements it completes (each ending with its `;`). */
  push(line: string): string[] {
    this.buffer += this.buffer === '' ? line : `\n${line}`;
    const { statements, rest, open } = scan(this.buffer);
    // An open block comment is kept: its end is still to come.
    this.buffer = isBlank(rest) && !open ? '' : rest;
    return statements.map((s) => s.text.trim());
  }

  /** Whether a statement is partly typed (the shell then shows the continuation prompt). */
  get pending(): boolean {
    return this.buffer !== '';
  }

  /** The partly typed statement, if any. */
  get text(): string {
    return this.buffer;
  }

  clear(): void {
    this.buffer = '';
  }
}

/**
 * Splits a whole script: its statements with their offsets, the text after the last `;`, and whether
 * that text ends inside a string, quoted identifier or block comment.
 */
export function scan(text: string): { statements: ScriptStatement[]; rest: string; open: boolean } {
  const out: ScriptStatement[] = [];
  let state: State = 'sql';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1];
    switch (state) {
      case 'sql':
        if (c === "'") state = 'string';
        else if (c === '"') state = 'dquote';
        else if (c === '`') state = 'backtick';
        else if (c === '-' && next === '-') state = 'line';
        else if (c === '/' && next === '*') {
          state = 'block';
          i++;
        } else if (c === ';') {
          const stmt = text.slice(start, i + 1);
          if (!isBlank(stmt.slice(0, -1))) out.push({ text: stmt, offset: start });
          start = i + 1;
        }
        break;
      case 'string':
        if (c === "'") {
          if (next === "'") i++;
          else state = 'sql';
        }
        break;
      case 'dquote':
        if (c === '"') state = 'sql';
        break;
      case 'backtick':
        if (c === '`') {
          if (next === '`') i++;
          else state = 'sql';
        }
        break;
      case 'line':
        if (c === '\n') state = 'sql';
        break;
      case 'block':
        if (c === '*' && next === '/') {
          state = 'sql';
          i++;
        }
        break;
    }
  }
  // A line comment ends with the line; anything else still open waits for more text.
  return { statements: out, rest: text.slice(start), open: state !== 'sql' && state !== 'line' };
}

/** Whether SQL text holds nothing but whitespace and comments. */
export function isBlank(sql: string): boolean {
  return stripComments(sql).trim() === '';
}

/** SQL text without its comments (strings and quoted identifiers kept as they are). */
export function stripComments(sql: string): string {
  let out = '';
  let state: State = 'sql';
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (state === 'line') {
      if (c === '\n') {
        state = 'sql';
        out += c;
      }
      continue;
    }
    if (state === 'block') {
      if (c === '*' && next === '/') {
        state = 'sql';
        i++;
        out += ' ';
      }
      continue;
    }
    if (state === 'sql') {
      if (c === '-' && next === '-') {
        state = 'line';
        continue;
      }
      if (c === '/' && next === '*') {
        state = 'block';
        i++;
        continue;
      }
      if (c === "'") state = 'string';
      else if (c === '"') state = 'dquote';
      else if (c === '`') state = 'backtick';
    } else if (
      (state === 'string' && c === "'") ||
      (state === 'dquote' && c === '"') ||
      (state === 'backtick' && c === '`')
    ) {
      state = 'sql';
    }
    out += c;
  }
  return out;
}
