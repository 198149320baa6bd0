/**
 * The syntax-error suite: every case block of test/parser/fixtures/errors/*.sql must make `parse` throw a
 * SqlSyntaxError at exactly the stated line and column, naming the offending token, with a short message
 * that says what was expected, and a caret snippet pointing at the column.
 *
 * Case block format (the SQL runs until the next `-- case:` line; trailing blank lines are dropped):
 *
 *     -- case: what is wrong
 *     -- at: LINE:COLUMN        (1-based, of the offending token)
 *     -- token: TEXT            (the offending text; `<end of input>`; `\n` stands for a line break)
 *     -- expect: SUBSTRING      (one or more: text the message must contain)
 *     SQL ...
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../common/errors.ts';
import { parse, SqlSyntaxError } from '../../parser/index.ts';

const ERRORS_DIR = join(import.meta.dirname, 'fixtures', 'errors');
const END = '<end of input>';
const MAX_MESSAGE = 300;

interface ErrorCase {
  readonly file: string;
  readonly name: string;
  readonly line: number;
  readonly column: number;
  readonly token: string;
  readonly expect: readonly string[];
  readonly sql: string;
}

function loadCases(): ErrorCase[] {
  const cases: ErrorCase[] = [];
  const files = readdirSync(ERRORS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  for (const file of files) {
    const blocks = readFileSync(join(ERRORS_DIR, file), 'utf8')
      .split(/^(?=-- case:)/m)
      .slice(1);
    for (const block of blocks) {
      const lines = block.split('\n');
      const name = lines[0]!.slice('-- case:'.length).trim();
      const header = new Map<string, string>();
      const expectations: string[] = [];
      let i = 1;
      for (; i < lines.length; i++) {
        const m = /^-- (at|token|expect): ?(.*)$/.exec(lines[i]!);
        if (m === null) break;
        if (m[1] === 'expect') expectations.push(m[2]!);
        else header.set(m[1]!, m[2]!);
      }
      const at = /^(\d+):(\d+)$/.exec(header.get('at') ?? '');
      const token = header.get('token');
      if (at === null || token === undefined || expectations.length === 0) {
        throw new Error(`${file}: case "${name}" needs -- at: L:C, -- token: and at least one -- expect:`);
      }
      cases.push({
        file,
        name,
        line: Number(at[1]),
        column: Number(at[2]),
        token: token.replaceAll('\\n', '\n'),
        expect: expectations,
        sql: lines.slice(i).join('\n').trimEnd(),
      });
    }
  }
  return cases;
}

const CASES = loadCases();

/** 0-based offset of a 1-based line and column in `text` (line breaks: `\n`). */
function offsetOf(text: string, line: number, column: number): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let l = 0; l < line - 1; l++) offset += lines[l]!.length + 1;
  return offset + column - 1;
}

function parseError(sql: string): SqlSyntaxError {
  try {
    const statements = parse(sql);
    throw new Error(`expected a syntax error, but it parsed into ${statements.length} statement(s)`);
  } catch (e) {
    if (e instanceof SqlSyntaxError) return e;
    throw e;
  }
}

/**
 * Checks that `snippet` shows source line `lineText` and, below it, a caret line whose first `^` sits under
 * `column` (1-based) of that line. The gutter format is free; the source line must appear verbatim.
 */
function expectCaretUnder(snippet: string, lineText: string, column: number): void {
  const rows = snippet.split('\n');
  const srcRow = rows.findIndex((r) => r.endsWith(lineText));
  expect(srcRow, `snippet shows the line:\n${snippet}`).toBeGreaterThanOrEqual(0);
  const textStart = rows[srcRow]!.length - lineText.length;
  const caretRow = rows.slice(srcRow + 1).find((r) => r.includes('^'));
  expect(caretRow, `snippet has a caret line:\n${snippet}`).toBeDefined();
  expect(caretRow!.indexOf('^') - textStart, `caret column in:\n${snippet}`).toBe(column - 1);
}

describe('syntax error suite: fixtures', () => {
  it('holds at least 150 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(150);
  });

  it('has unique case names per file', () => {
    const keys = CASES.map((c) => `${c.file}: ${c.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  // The fixture itself must be consistent: the stated token is at the stated place (or, for an error at
  // the end of the input, the place is one past the last character).
  for (const c of CASES) {
    it(`${c.file}: ${c.name}: token and position agree with the SQL`, () => {
      const lines = c.sql.split('\n');
      if (c.token === END) {
        expect([c.line, c.column]).toEqual([lines.length, lines[lines.length - 1]!.length + 1]);
      } else {
        const rest = c.sql.slice(offsetOf(c.sql, c.line, c.column));
        expect(rest.startsWith(c.token), `found ${JSON.stringify(rest.slice(0, 20))}`).toBe(true);
      }
    });
  }
});

describe('syntax error suite: parser', () => {
  for (const c of CASES) {
    it(`${c.file}: ${c.name}`, () => {
      const err = parseError(c.sql);
      expect(err).toBeInstanceOf(RivuletError);
      expect([err.phase, err.code]).toEqual(['parse', 'SQL_SYNTAX']);
      expect({ line: err.line, column: err.column, token: err.token }).toEqual({
        line: c.line,
        column: c.column,
        token: c.token,
      });
      for (const e of c.expect) expect(err.message).toContain(e);
      // "unexpected 'X'; expected ..., X" contradicts itself.
      expect(err.expected).not.toContain(`'${c.token}'`);
      expect(err.expected).not.toContain(c.token.toUpperCase());
      expect(err.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
      expect(err.message).toContain(`line ${c.line}, column ${c.column}`);
      expectCaretUnder(err.snippet, c.sql.split('\n')[c.line - 1]!, c.column);
    });
  }
});

describe('syntax error positions in other line-ending styles', () => {
  it('counts CRLF as one line break', () => {
    const err = parseError('SELECT a,\r\n       b\r\nFROM t WHERE\r\nGROUP BY a');
    expect([err.line, err.column, err.token]).toEqual([4, 1, 'GROUP']);
    expect(err.message).toContain('an expression');
    expectCaretUnder(err.snippet, 'GROUP BY a', 1);
  });

  it('counts a lone CR as a line break', () => {
    const err = parseError('SELECT a\rFROM t\rWHERE a ==\r1');
    expect([err.line, err.column, err.token]).toEqual([3, 10, '=']);
  });

  it('reports the end of a CRLF script on its last line', () => {
    const err = parseError('SELECT 1;\r\nSELECT a FROM');
    expect([err.line, err.column, err.token]).toEqual([2, 14, END]);
  });
});

describe('syntax errors: what the error object offers besides the message', () => {
  it('lists the expected alternatives as a short, grouped array', () => {
    const err = parseError('SELECT a FROM t WHERE');
    expect(err.expected).toContain('an expression');
    expect(err.expected.length).toBeLessThanOrEqual(12);
  });

  it('carries a span whose line and column match the error', () => {
    const err = parseError('SELECT *\nFROM t\nWHERE a IN (1, 2');
    expect(err.span).toBeDefined();
    expect([err.span!.line, err.span!.column]).toEqual([err.line, err.column]);
  });

  it('reports the first error of a script whose later statements are broken too', () => {
    const err = parseError('SELECT 1;\nSELECT * FORM t;\nSELCT 2');
    expect([err.line, err.column]).toEqual([2, 10]);
  });

  it('keeps the message short even for a very long offending token', () => {
    const long = `SELECT 'x' '${'y'.repeat(500)}`;
    const err = parseError(long);
    expect(err.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
  });
});

// ---------------------------------------------------------------------------------------------------
// Robustness: broken variants of the valid corpus must fail with a well-formed SqlSyntaxError (never
// another exception, never a position outside the text), because the shell shows these errors for
// every half-typed statement.

const CORPUS_DIR = join(import.meta.dirname, 'fixtures', 'corpus');

/** The text of every statement of the corpus, cut out by the statements' spans. */
function corpusStatements(): string[] {
  const out: string[] = [];
  for (const file of readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    const text = readFileSync(join(CORPUS_DIR, file), 'utf8');
    let statements: ReturnType<typeof parse>;
    try {
      statements = parse(text);
    } catch {
      continue; // corpus.test.ts reports files that do not parse
    }
    for (const s of statements) out.push(text.slice(s.span.offset, s.span.end));
  }
  return out;
}

const STATEMENTS = corpusStatements();

/** Parses `sql`; if it fails, the failure must be a SqlSyntaxError placed inside `sql`. */
function expectParsesOrFailsWell(sql: string): void {
  let err: unknown;
  try {
    parse(sql);
    return;
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SqlSyntaxError);
  const e = err as SqlSyntaxError;
  const lines = sql.split(/\r\n|\r|\n/);
  expect(e.line).toBeGreaterThanOrEqual(1);
  expect(e.line).toBeLessThanOrEqual(lines.length);
  expect(e.column).toBeGreaterThanOrEqual(1);
  expect(e.column).toBeLessThanOrEqual(lines[e.line - 1]!.length + 1);
  expect(e.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
  expect(e.message).toContain(`line ${e.line}, column ${e.column}`);
  if (e.token !== END) {
    const at = offsetOf(sql.replace(/\r\n?/g, '\n'), e.line, e.column);
    expect(sql.replace(/\r\n?/g, '\n').slice(at).startsWith(e.token.slice(0, 1))).toBe(true);
  }
  if (lines[e.line - 1]!.trim().length > 0) expectCaretUnder(e.snippet, lines[e.line - 1]!, e.column);
}

/** Offsets in `s` where a word starts or ends (so cuts and edits fall on token-ish boundaries). */
function boundaries(s: string): number[] {
  const out: number[] = [];
  for (let i = 1; i < s.length; i++) if (/\s/.test(s[i]!) !== /\s/.test(s[i - 1]!)) out.push(i);
  return out;
}

describe('syntax errors: robustness on broken variants of the corpus', () => {
  it('has corpus statements to work on', () => {
    expect(STATEMENTS.length).toBeGreaterThan(200);
  });

  it('every prefix of a corpus statement parses or fails with a positioned SqlSyntaxError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: STATEMENTS.length - 1 }), fc.nat(), (si, cut) => {
        const s = STATEMENTS[si]!;
        const b = boundaries(s);
        if (b.length === 0) return;
        expectParsesOrFailsWell(s.slice(0, b[cut % b.length]));
      }),
      { numRuns: 150 },
    );
  });

  it('deleting one word of a corpus statement parses or fails with a positioned SqlSyntaxError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: STATEMENTS.length - 1 }), fc.nat(), (si, pick) => {
        const s = STATEMENTS[si]!;
        const words = [...s.matchAll(/\S+/g)];
        const w = words[pick % words.length]!;
        expectParsesOrFailsWell(s.slice(0, w.index) + s.slice(w.index + w[0].length));
      }),
      { numRuns: 150 },
    );
  });

  it('inserting a stray token into a corpus statement parses or fails with a positioned SqlSyntaxError', () => {
    const junk = ['(', ')', ',', ';', 'SELECT', 'FROM', '*', "'", '"', '`', '/*', '#', 'AS', '.', '[', 'END'];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: STATEMENTS.length - 1 }),
        fc.nat(),
        fc.constantFrom(...junk),
        (si, pos, tok) => {
          const s = STATEMENTS[si]!;
          const b = [0, ...boundaries(s), s.length];
          const at = b[pos % b.length]!;
          expectParsesOrFailsWell(`${s.slice(0, at)} ${tok} ${s.slice(at)}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reports an error in a statement after valid ones at its absolute line', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: STATEMENTS.length - 1 }),
        fc.integer({ min: 0, max: 5 }),
        (si, blank) => {
          const s = STATEMENTS[si]!;
          const prefix = `${s};${'\n'.repeat(blank + 1)}`;
          const sql = `${prefix}SELECT * FORM t`;
          const err = parseError(sql);
          expect(err.line, `${sql}\n${err.message}`).toBe(prefix.split('\n').length);
          expect([err.column, err.token]).toEqual([10, 'FORM']);
        },
      ),
      { numRuns: 60 },
    );
  });
});
