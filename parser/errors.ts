import { caretSnippet, RivuletError, type Span } from '../common/errors.ts';

/** What a syntax error reports beyond its message. */
export interface SyntaxErrorDetails {
  /** The offending text as written, or `'<end of input>'`. */
  readonly token: string;
  /** What would have been accepted there, grouped: keywords, `'('`, `an expression`, `an identifier`... */
  readonly expected: readonly string[];
  /** A keyword the offending word is a near miss of (`FORM` -> `FROM`). */
  readonly suggestion?: string;
  /** Replaces the generated "unexpected ...; expected ..." text (lexical errors, literal errors). */
  readonly detail?: string;
  /** A sentence appended to the message, e.g. how to use a reserved word as a name. */
  readonly hint?: string;
}

/** How many expected alternatives the message lists before eliding the rest. */
const MAX_LISTED = 12;

/**
 * A syntax error in SQL text (phase `parse`, code `SQL_SYNTAX`), with 1-based `line` and `column`, the
 * offending `token`, the grouped `expected` alternatives and a caret `snippet` of the line. The message
 * reads `Syntax error at line 2, column 8: unexpected 'FORM'; expected FROM, WHERE, ... (did you mean FROM?)`.
 */
export class SqlSyntaxError extends RivuletError {
  readonly line: number;
  readonly column: number;
  readonly token: string;
  readonly expected: readonly string[];
  readonly suggestion: string | undefined;
  readonly snippet: string;

  constructor(source: string, span: Span, details: SyntaxErrorDetails) {
    super('parse', 'SQL_SYNTAX', syntaxMessage(span, details), span);
    this.name = 'SqlSyntaxError';
    this.line = span.line;
    this.column = span.column;
    this.token = details.token;
    this.expected = details.expected;
    this.suggestion = details.suggestion;
    this.snippet = caretSnippet(source, span);
  }
}

function syntaxMessage(span: Span, d: SyntaxErrorDetails): string {
  const where = `Syntax error at line ${span.line}, column ${span.column}: `;
  if (d.detail !== undefined) return where + d.detail;
  const shown = d.token === '<end of input>' ? 'unexpected end of input' : `unexpected ${quote(d.token)}`;
  let text = where + shown;
  if (d.expected.length > 0) {
    const listed = d.expected.slice(0, MAX_LISTED).join(', ');
    text += `; expected ${d.expected.length > MAX_LISTED ? `${listed}, ...` : listed}`;
  }
  if (d.suggestion !== undefined) text += ` (did you mean ${d.suggestion}?)`;
  if (d.hint !== undefined) text += `. ${d.hint}`;
  return text;
}

function quote(token: string): string {
  const short = token.length > 40 ? `${token.slice(0, 37)}...` : token;
  return `'${short.replace(/\n/g, '\\n')}'`;
}
