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
        expect(c.sql.slice(offsetOf(c.sql, c.line, c.column))).toMatch(
          new RegExp(`^${c.token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
        );
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
