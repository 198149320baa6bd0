/**
 * The persistent catalog: the DDL of every persistent (non-TEMPORARY) table, view and function, kept
 * as a SQL script in `<dir>/catalog.sql` and replayed when a session opens the directory. Writes go to
 * a temporary file renamed over the old one, so a crash never leaves a half-written catalog.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RivuletError } from '../common/errors.ts';

export class CatalogStore {
  readonly file: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'catalog.sql');
  }

  /** The saved script, or '' when there is none yet. */
  load(): string {
    try {
      return readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw new RivuletError(
        'catalog',
        'CATALOG_UNREADABLE',
        `cannot read the catalog ${this.file}: ${(e as Error).message}`,
      );
    }
  }

  save(ddl: readonly string[]): void {
    const text = ddl.map((d) => `${d.trim().replace(/;+\s*$/, '')};\n`).join('\n');
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, `-- Rivulet persistent catalog: written by Rivulet, replayed at start.\n${text}`);
    renameSync(tmp, this.file);
  }
}
