/**
 * Tab completion for the shell: the word under the cursor is completed from SQL keywords, the names
 * of tables and views in the catalog, their column names, function names and the shell's own
 * commands. Keywords and functions are offered in the case the user started typing in.
 */
import { KEYWORD_WORDS } from '../../parser/lexer.ts';
import type { Session } from '../../runtime/session.ts';

export const SHELL_COMMANDS = ['HELP', 'QUIT', 'EXIT', 'CLEAR'] as const;

/** The names a word may complete to, from what the session knows now. */
export function candidates(session: Session): { words: string[]; names: string[] } {
  const names = new Set<string>();
  for (const name of session.catalog.list()) {
    names.add(name);
    for (const c of columnNames(session, name)) names.add(c);
  }
  const words = new Set<string>([...KEYWORD_WORDS, ...SHELL_COMMANDS]);
  for (const f of session.catalog.functions.names()) if (/^[A-Z_][A-Z0-9_]*$/.test(f)) words.add(f);
  return { words: [...words].sort(), names: [...names].sort() };
}

function columnNames(session: Session, name: string): string[] {
  const obj = session.catalog.get(name);
  if (!obj) return [];
  if (obj.kind === 'table') return obj.columns.map((c) => c.name);
  if (obj.columnNames.length > 0) return [...obj.columnNames];
  try {
    return session
      .binder()
      .bindQuery(obj.query)
      .fields.map((f) => f.name);
  } catch {
    // A view whose tables were dropped since still completes by its own name.
    return [];
  }
}

/**
 * The readline completer: `[matches, word]` for the word before the cursor. Catalog names keep
 * their case; keywords follow the case of what was typed (`sel` → `select`, `SEL` → `SELECT`).
 */
export function complete(session: Session, line: string): [string[], string] {
  const m = /[A-Za-z_][A-Za-z0-9_$]*$/.exec(line);
  const word = m ? m[0] : '';
  if (word === '') return [[], ''];
  const { words, names } = candidates(session);
  const lower = word === word.toLowerCase();
  const upper = word.toUpperCase();
  const matches = new Set<string>();
  for (const n of names) if (n.toUpperCase().startsWith(upper)) matches.add(n);
  for (const w of words) if (w.startsWith(upper)) matches.add(lower ? w.toLowerCase() : w);
  return [[...matches].sort(), word];
}
