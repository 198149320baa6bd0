/**
 * One error base for every phase of a statement's life. Each error has a stable `code` that tools
 * (the HTTP API, the shell) can match on, the `phase` that raised it, and, where the fault has a place
 * in SQL text, a `span` with 1-based line and column.
 */

export type Phase = 'cli' | 'config' | 'parse' | 'plan' | 'catalog' | 'runtime' | 'connector' | 'internal';

/** A place in SQL text: 0-based offset, 1-based line and column. */
export interface Span {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  /** Offset one past the last character. */
  readonly end: number;
}

export class RivuletError extends Error {
  readonly code: string;
  readonly phase: Phase;
  readonly span: Span | undefined;

  constructor(phase: Phase, code: string, message: string, span?: Span, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RivuletError';
    this.phase = phase;
    this.code = code;
    this.span = span;
  }
}

/** An invariant that should hold did not: this is a bug in Rivulet, not in the user's input. */
export class InternalError extends RivuletError {
  constructor(message: string, options?: ErrorOptions) {
    super(
      'internal',
      'INTERNAL',
      `internal error (this is a bug in Rivulet): ${message}`,
      undefined,
      options,
    );
    this.name = 'InternalError';
  }
}

/**
 * The line of `source` containing `span`, with a caret under the offending text, e.g.
 *
 *     2 | SELEC a FROM t
 *       | ^^^^^
 */
export function caretSnippet(source: string, span: Span): string {
  const lines = source.split(/\r\n|\r|\n/);
  const text = lines[span.line - 1] ?? '';
  const gutter = String(span.line);
  const width = Math.max(1, Math.min(span.end - span.offset, text.length - (span.column - 1)));
  const pad = ' '.repeat(gutter.length);
  return `${gutter} | ${text}\n${pad} | ${' '.repeat(Math.max(0, span.column - 1))}${'^'.repeat(width)}`;
}
