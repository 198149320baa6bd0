/** Name resolution: which input field a (possibly qualified) column name refers to. */
import { RivuletError, type Span } from '../common/errors.ts';
import { didYouMean } from '../common/text.ts';
import type { Identifier } from '../parser/ast.ts';
import type { Field } from './logical.ts';

export interface Resolved {
  readonly index: number;
  readonly field: Field;
  /** Path parts left over after the column: nested ROW field names. */
  readonly rest: readonly Identifier[];
}

/** The fields visible to an expression, with the positions they have in the input row. */
export class Scope {
  readonly fields: readonly Field[];
  /** An enclosing query's scope (for correlated references); not used for lookup unless asked. */
  readonly outer: Scope | undefined;

  constructor(fields: readonly Field[], outer?: Scope) {
    this.fields = fields;
    this.outer = outer;
  }

  /**
   * Resolves `col`, `t.col`, `col.nested`, `t.col.nested`. Flink matches names case-sensitively; a
   * near miss (by case or a small typo) is suggested in the error.
   */
  resolve(path: readonly Identifier[], span: Span): Resolved {
    const [first, second] = path;
    if (!first) throw new RivuletError('plan', 'COLUMN_NOT_FOUND', 'empty column reference', span);
    // Qualified: t.col[.nested...]
    if (second) {
      const qualified = this.matches((f) => f.qualifier === first.text && f.name === second.text);
      if (qualified.length > 1) throw this.ambiguous(`${first.text}.${second.text}`, span);
      if (qualified.length === 1) {
        const [index, field] = qualified[0] as [number, Field];
        return { index, field, rest: path.slice(2) };
      }
    }
    const plain = this.matches((f) => f.name === first.text);
    if (plain.length > 1) throw this.ambiguous(first.text, span);
    if (plain.length === 1) {
      const [index, field] = plain[0] as [number, Field];
      return { index, field, rest: path.slice(1) };
    }
    throw this.notFound(path, span);
  }

  /** Positions of all fields, or of those of one table alias (for `*` and `t.*`). */
  star(qualifier: string | null, span: Span): number[] {
    const out: number[] = [];
    this.fields.forEach((f, i) => {
      if (!f.hidden && (qualifier === null || f.qualifier === qualifier)) out.push(i);
    });
    if (qualifier !== null && out.length === 0) {
      const known = [...new Set(this.fields.map((f) => f.qualifier).filter((q) => q !== undefined))];
      throw new RivuletError(
        'plan',
        'TABLE_NOT_FOUND',
        `Unknown table alias '${qualifier}' in '${qualifier}.*'${known.length ? `; tables in scope: ${known.join(', ')}` : ''}`,
        span,
      );
    }
    return out;
  }

  private matches(pred: (f: Field) => boolean): [number, Field][] {
    const out: [number, Field][] = [];
    this.fields.forEach((f, i) => {
      if (pred(f)) out.push([i, f]);
    });
    return out;
  }

  private ambiguous(name: string, span: Span): RivuletError {
    const tables = this.fields.filter((f) => f.name === name.split('.').pop()).map((f) => f.qualifier ?? '?');
    return new RivuletError(
      'plan',
      'COLUMN_AMBIGUOUS',
      `Column '${name}' is ambiguous: it exists in ${[...new Set(tables)].join(' and ')}; qualify it with the table name`,
      span,
    );
  }

  private notFound(path: readonly Identifier[], span: Span): RivuletError {
    const name = path.map((p) => p.text).join('.');
    const target = (path.length > 1 ? path[1] : path[0]) as Identifier;
    const candidates = this.fields.map((f) => f.name);
    const suggestion = didYouMean(target.text, candidates);
    const available = [...new Set(candidates)].slice(0, 12).join(', ');
    return new RivuletError(
      'plan',
      'COLUMN_NOT_FOUND',
      `Column '${name}' not found${suggestion ? `; did you mean '${suggestion}'?` : '.'}${available ? ` Available columns: ${available}` : ''}`,
      span,
    );
  }
}

export { didYouMean };
