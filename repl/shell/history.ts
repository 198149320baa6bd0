/**
 * The shell's history file: one entry a line, oldest first, at most `limit` entries. A statement
 * typed over several lines is kept as one entry (its lines joined by spaces) so that recalling it
 * brings back the whole statement. Write failures are reported once and otherwise ignored: a shell
 * must stay usable on a read-only home directory.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class HistoryFile {
  readonly file: string;
  private readonly limit: number;
  /** Newest first, as node:readline keeps its history. */
  readonly entries: string[];
  private failed = false;
  private readonly onError: (message: string) => void;

  constructor(file: string, onError: (message: string) => void, limit = 1000) {
    this.file = file;
    this.limit = limit;
    this.onError = onError;
    let lines: string[] = [];
    try {
      lines = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
    } catch {
      // No history yet.
    }
    this.entries = lines.slice(-limit).reverse();
  }

  /** Records one statement (or shell command), unless it repeats the previous entry. */
  add(statement: string): void {
    const entry = statement.replace(/\s*\n\s*/g, ' ').trim();
    if (entry === '' || this.entries[0] === entry) return;
    this.entries.unshift(entry);
    const overflow = this.entries.length > this.limit;
    if (overflow) this.entries.length = this.limit;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      if (overflow) writeFileSync(this.file, `${[...this.entries].reverse().join('\n')}\n`);
      else appendFileSync(this.file, `${entry}\n`);
    } catch (e) {
      if (!this.failed) this.onError(`cannot write the history file ${this.file}: ${(e as Error).message}`);
      this.failed = true;
    }
  }
}
