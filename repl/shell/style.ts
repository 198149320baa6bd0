/**
 * Terminal styling and cell layout shared by the shell's result modes. Colours are used only when
 * writing to a terminal and NO_COLOR is not set (https://no-color.org).
 */
import { type LogicalType, typeToString } from '../../catalog/types.ts';
import { ROW_KIND_NAMES, type Row, type RowKind } from '../../operators/api.ts';
import type { Column } from '../../runtime/session.ts';
import { displayValue } from '../results.ts';

export interface Style {
  readonly color: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  inverse(s: string): string;
  kind(kind: RowKind): string;
}

export function makeStyle(color: boolean): Style {
  const wrap = (open: string, close: string) => (s: string) =>
    color ? `\x1b[${open}m${s}\x1b[${close}m` : s;
  const style: Style = {
    color,
    bold: wrap('1', '22'),
    dim: wrap('2', '22'),
    red: wrap('31', '39'),
    green: wrap('32', '39'),
    yellow: wrap('33', '39'),
    inverse: wrap('7', '27'),
    kind(kind) {
      const name = ROW_KIND_NAMES[kind];
      return kind === 0 ? style.green(name) : kind === 3 ? style.red(name) : style.yellow(name);
    },
  };
  return style;
}

/** Whether colours are wanted on a stream: a terminal, and NO_COLOR unset or empty. */
export function wantsColor(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean((stream as { isTTY?: boolean }).isTTY) && !env.NO_COLOR;
}

const NUMERIC = new Set(['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL']);

export function isNumeric(t: LogicalType): boolean {
  return NUMERIC.has(t.kind);
}

/** The width a column of this type needs for typical values, used before any row is seen. */
export function typicalWidth(t: LogicalType): number {
  switch (t.kind) {
    case 'BOOLEAN':
      return 5;
    case 'TINYINT':
      return 4;
    case 'SMALLINT':
      return 6;
    case 'INT':
      return 11;
    case 'BIGINT':
      return 20;
    case 'FLOAT':
    case 'DOUBLE':
      return 14;
    case 'DECIMAL':
      return Math.min(40, (t.precision ?? 10) + 2);
    case 'DATE':
      return 10;
    case 'TIME':
      return 12;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return 23;
    case 'CHAR':
    case 'VARCHAR':
      return Math.max(4, Math.min(t.precision ?? 30, 30));
    default:
      return 30;
  }
}

/** A cell cut to `width` characters, marking the cut with `...`. */
export function fitCell(s: string, width: number): string {
  const flat = s.replace(/[\n\r\t]/g, ' ');
  if (flat.length <= width) return flat;
  return width <= 3 ? flat.slice(0, width) : `${flat.slice(0, width - 3)}...`;
}

/** The cells of a row as text, NULL kept apart so it can be dimmed. */
export function cells(row: Row, columns: readonly Column[], timeZone: string): string[] {
  return row.map((v, c) => displayValue(v, (columns[c] as Column).type, timeZone));
}

/** A cell padded to its width: numbers to the right, everything else to the left; NULL dimmed. */
export function pad(text: string, width: number, numeric: boolean, style: Style): string {
  const cut = fitCell(text, width);
  const padded = numeric ? cut.padStart(width) : cut.padEnd(width);
  return text === 'NULL' ? style.dim(padded) : padded;
}

export function typeLabel(t: LogicalType): string {
  return typeToString(t);
}

/**
 * Rows printed as they arrive (tableau mode for a continuous query): a boxed header with the column
 * types, then one line per change with its kind in the `op` column. Widths come from the types,
 * since later rows are not known yet; longer values are cut.
 */
export class StreamingTableau {
  private readonly widths: number[];
  private readonly numeric: boolean[];
  private readonly columns: readonly Column[];
  private readonly style: Style;
  private readonly timeZone: string;
  count = 0;

  constructor(columns: readonly Column[], timeZone: string, style: Style) {
    this.columns = columns;
    this.style = style;
    this.timeZone = timeZone;
    this.widths = [2, ...columns.map((c) => Math.max(c.name.length, typicalWidth(c.type)))];
    this.numeric = [false, ...columns.map((c) => isNumeric(c.type))];
  }

  private border(): string {
    return `+${this.widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  }

  private line(texts: readonly string[], styled: readonly string[]): string {
    return `|${texts.map((_, c) => ` ${styled[c]} `).join('|')}|`;
  }

  header(): string {
    const names = ['op', ...this.columns.map((c) => c.name)];
    const types = ['', ...this.columns.map((c) => typeLabel(c.type))];
    const fmt = (texts: string[], f: (s: string) => string) =>
      this.line(
        texts,
        texts.map((t, c) => f(pad(t, this.widths[c] as number, this.numeric[c] as boolean, this.style))),
      );
    return [
      this.border(),
      fmt(names, (s) => this.style.bold(s)),
      fmt(types, (s) => this.style.dim(s)),
      this.border(),
    ].join('\n');
  }

  row(kind: RowKind, row: Row): string {
    this.count++;
    const texts = [ROW_KIND_NAMES[kind], ...cells(row, this.columns, this.timeZone)];
    const styled = texts.map((t, c) =>
      c === 0
        ? this.style.kind(kind)
        : pad(t, this.widths[c] as number, this.numeric[c] as boolean, this.style),
    );
    return this.line(texts, styled);
  }

  footer(): string {
    return `${this.border()}\nReceived a total of ${this.count} ${this.count === 1 ? 'row' : 'rows'}`;
  }
}
