/**
 * The shell's pieces on their own: statement splitting (against a reference that knows where each
 * generated statement ends), the live view's rows (against a multiset reference), completion, and
 * the history file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row, RowKind } from '../../operators/api.ts';
import { encodeKey } from '../../operators/state.ts';
import { complete } from '../../repl/shell/completion.ts';
import { HistoryFile } from '../../repl/shell/history.ts';
import { LiveRows } from '../../repl/shell/live-rows.ts';
import { isBlank, StatementSplitter, scan } from '../../repl/shell/splitter.ts';
import { Session } from '../../runtime/session.ts';

/** Pieces of SQL text: some hold `;` or line breaks that must not end a statement. */
const piece = fc.oneof(
  fc.constantFrom('SELECT', ' ', 'a', '1', ',', '\n', 'FROM t', '(', ')'),
  fc.constantFrom("';'", "'it''s; ok'", '"semi;colon"', '`back;tick`', '/* ; */', '-- ; note\n', "'a\nb;'"),
);
const statementBody = fc.array(piece, { minLength: 1, maxLength: 8 }).map((ps) => `x ${ps.join('')}`);

describe('StatementSplitter', () => {
  it('finds exactly the statements, however the text is cut into lines', () => {
    fc.assert(
      fc.property(fc.array(statementBody, { minLength: 1, maxLength: 5 }), (bodies) => {
        const script = bodies.map((b) => `${b};`).join(' ');
        const splitter = new StatementSplitter();
        const got: string[] = [];
        for (const line of script.split('\n')) got.push(...splitter.push(line));
        expect(got).toEqual(bodies.map((b) => `${b};`.trim()));
        expect(splitter.pending).toBe(false);
        expect(scan(script).statements.map((s) => s.text.trim())).toEqual(got);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps an unfinished statement pending and skips empty ones and comments', () => {
    const s = new StatementSplitter();
    expect(s.push('SELECT 1,')).toEqual([]);
    expect(s.pending).toBe(true);
    expect(s.push("  'a;b'")).toEqual([]);
    expect(s.push('; ;; -- done;')).toEqual(["SELECT 1,\n  'a;b'\n;"]);
    expect(s.pending).toBe(false);
    expect(s.push('/* open ; comment')).toEqual([]);
    expect(s.pending).toBe(true);
    s.clear();
    expect(s.pending).toBe(false);
    expect(isBlank('  -- x\n /* y */ ')).toBe(true);
    expect(isBlank("'--'")).toBe(false);
  });

  it('reports where each statement of a script starts', () => {
    const text = 'SELECT 1;\n\nSELECT 2; SELECT 3';
    const { statements, rest } = scan(text);
    expect(statements.map((s) => text.slice(s.offset, s.offset + s.text.length).trim())).toEqual([
      'SELECT 1;',
      'SELECT 2;',
    ]);
    expect(rest).toBe(' SELECT 3');
  });
});

describe('LiveRows', () => {
  /** A changelog that is always valid: retractions only of rows currently present. */
  const changelog = fc
    .array(
      fc.tuple(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 4 }),
      ),
      {
        maxLength: 120,
      },
    )
    .map((ops) => {
      const present: Row[] = [];
      const out: { kind: RowKind; row: Row }[] = [];
      for (const [op, k, v] of ops) {
        if (op <= 1 || present.length === 0) {
          const row: Row = [k, v];
          present.push(row);
          out.push({ kind: 0, row });
        } else {
          const i = (k + v) % present.length;
          const old = present[i] as Row;
          if (op === 2) {
            // An update: -U of the old row, then +U of a new one.
            const row: Row = [old[0] ?? null, v + 10];
            present[i] = row;
            out.push({ kind: 1, row: old }, { kind: 2, row });
          } else {
            present.splice(i, 1);
            out.push({ kind: 3, row: old });
          }
        }
      }
      return out;
    });

  it('holds the same rows as the changelog applied to a multiset', () => {
    fc.assert(
      fc.property(changelog, (changes) => {
        const live = new LiveRows();
        const reference = new Map<string, number>();
        for (const { kind, row } of changes) {
          live.apply(kind, row);
          const key = encodeKey(row);
          reference.set(key, (reference.get(key) ?? 0) + (kind === 0 || kind === 2 ? 1 : -1));
        }
        const got = new Map<string, number>();
        for (const r of live.toRows()) got.set(encodeKey(r), (got.get(encodeKey(r)) ?? 0) + 1);
        for (const [k, n] of reference) if (n === 0) reference.delete(k);
        expect(got).toEqual(reference);
        expect(live.size).toBe(live.toRows().length);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps an updated row in its place', () => {
    const live = new LiveRows();
    live.apply(0, ['a', 1n]);
    live.apply(0, ['b', 1n]);
    live.apply(0, ['c', 1n]);
    live.apply(1, ['a', 1n]);
    live.apply(2, ['a', 2n]);
    live.apply(3, ['b', 1n]);
    live.apply(0, ['d', 1n]);
    expect(live.toRows()).toEqual([
      ['a', 2n],
      ['c', 1n],
      ['d', 1n],
    ]);
  });
});

describe('completion', () => {
  it('offers tables, columns, functions and keywords', async () => {
    const session = new Session();
    await session.executeScript(
      "CREATE TABLE clickstream (user_name STRING, amount INT) WITH ('connector' = 'datagen'); CREATE VIEW click_view AS SELECT user_name AS who FROM clickstream;",
    );
    expect(complete(session, 'SELECT * FROM cli')).toEqual([['click_view', 'clickstream'], 'cli']);
    expect(complete(session, 'SELECT user_')).toEqual([['user_name'], 'user_']);
    expect(complete(session, 'SELECT w')[0]).toContain('who');
    expect(complete(session, 'sel')).toEqual([['select'], 'sel']);
    expect(complete(session, 'SELECT UPP')[0]).toContain('UPPER');
    expect(complete(session, 'SELECT 1 ')).toEqual([[], '']);
  });
});

describe('HistoryFile', () => {
  it('appends statements as single lines, skips repeats, and keeps at most the limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-history-'));
    const file = join(dir, 'sub', 'history');
    const h = new HistoryFile(file, () => {}, 3);
    h.add('SELECT 1,\n  2;');
    h.add('SELECT 1,\n  2;');
    h.add('SHOW TABLES;');
    expect(readFileSync(file, 'utf8')).toBe('SELECT 1, 2;\nSHOW TABLES;\n');
    h.add('a;');
    h.add('b;');
    expect(readFileSync(file, 'utf8')).toBe('SHOW TABLES;\na;\nb;\n');
    expect(new HistoryFile(file, () => {}, 3).entries).toEqual(['b;', 'a;', 'SHOW TABLES;']);
  });

  it('reports an unwritable history file once and goes on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-history-'));
    const blocker = join(dir, 'file');
    writeFileSync(blocker, '');
    const errors: string[] = [];
    const h = new HistoryFile(join(blocker, 'history'), (m) => errors.push(m));
    h.add('SELECT 1;');
    h.add('SELECT 2;');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('cannot write the history file');
    expect(h.entries).toEqual(['SELECT 2;', 'SELECT 1;']);
  });
});
