/**
 * Printing results: a materialised view of a changelog (changes applied in arrival order), and the
 * CLI's output formats: `table` (boxed, like Flink's tableau mode), `changelog` (one line per change
 * with its kind), `csv`, and `json` (one document: columns and final rows, per docs/architecture.md).
 */
import { formatValue } from '../catalog/cast.ts';
import { formatDate, formatTimestamp, instantToLocal } from '../catalog/datetime.ts';
import { decimalToString } from '../catalog/decimal.ts';
import { type LogicalType, typeToString } from '../catalog/types.ts';
import { isAccumulate, ROW_KIND_NAMES, type Row, type RowKind, type Value } from '../operators/api.ts';
import { encodeKey } from '../operators/state.ts';
import type { Column } from '../runtime/session.ts';

/** The current rows of a changelog: +I/+U add a row, -U/-D remove one equal row. */
export class Materialized {
  private readonly rows = new Map<string, { row: Row; count: number }>();

  apply(kind: RowKind, row: Row): void {
    const key = encodeKey(row);
    const entry = this.rows.get(key);
    if (isAccumulate(kind)) {
      if (entry) entry.count++;
      else this.rows.set(key, { row, count: 1 });
    } else if (entry) {
      if (--entry.count === 0) this.rows.delete(key);
    }
  }

  toRows(): Row[] {
    const out: Row[] = [];
    for (const { row, count } of this.rows.values()) for (let i = 0; i < count; i++) out.push(row);
    return out;
  }

  get size(): number {
    return this.rows.size;
  }
}

export function displayValue(v: Value, type: LogicalType, timeZone: string): string {
  return v === null ? 'NULL' : formatValue(v, type, timeZone);
}

/** A boxed table as Flink's SQL client prints it in tableau mode. */
export function renderTable(
  columns: readonly Column[],
  rows: readonly Row[],
  timeZone: string,
  kinds?: readonly RowKind[],
): string {
  const header = [...(kinds ? ['op'] : []), ...columns.map((c) => c.name)];
  const body = rows.map((r, i) => [
    ...(kinds ? [ROW_KIND_NAMES[kinds[i] as RowKind]] : []),
    ...r.map((v, c) => displayValue(v, (columns[c] as Column).type, timeZone)),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => (r[c] as string).length)));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const numeric = [...(kinds ? [false] : []), ...columns.map((c) => isNumericType(c.type))];
  const fmt = (cells: readonly string[]) =>
    `|${cells.map((cell, c) => ` ${numeric[c] ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number)} `).join('|')}|`;
  const out = [line, fmt(header), line, ...body.map(fmt), line];
  out.push(rows.length === 1 ? '1 row in set' : `${rows.length} rows in set`);
  return `${out.join('\n')}\n`;
}

function isNumericType(t: LogicalType): boolean {
  return ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL'].includes(t.kind);
}

/** One changelog line: `+I[1, abc]`. */
export function renderChange(kind: RowKind, row: Row, columns: readonly Column[], timeZone: string): string {
  return `${ROW_KIND_NAMES[kind]}[${row.map((v, c) => displayValue(v, (columns[c] as Column).type, timeZone)).join(', ')}]\n`;
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with a header line; NULL is an empty field. */
export function renderCsv(columns: readonly Column[], rows: readonly Row[], timeZone: string): string {
  const lines = [columns.map((c) => csvCell(c.name)).join(',')];
  for (const r of rows) {
    lines.push(
      r
        .map((v, c) => (v === null ? '' : csvCell(formatValue(v, (columns[c] as Column).type, timeZone))))
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A value as JSON: numbers as numbers (BIGINT beyond 2^53 and DECIMAL as strings), temporal as text. */
export function jsonValue(v: Value, t: LogicalType, timeZone: string): unknown {
  if (v === null) return null;
  switch (t.kind) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return v;
    case 'FLOAT':
    case 'DOUBLE':
      return Number.isFinite(v as number) ? v : String(v);
    case 'BIGINT': {
      const b = v as bigint;
      return b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(b)
        : b.toString();
    }
    case 'DECIMAL':
      return decimalToString(v as bigint, t.scale ?? 0);
    case 'DATE':
      return formatDate(v as number);
    case 'TIMESTAMP':
      return formatTimestamp(v as number, 3);
    case 'TIMESTAMP_LTZ':
      return formatTimestamp(instantToLocal(timeZone, v as number), 3);
    case 'ARRAY':
      return (v as Value[]).map((e) => jsonValue(e, t.element as LogicalType, timeZone));
    case 'MAP':
    case 'MULTISET': {
      const o: Record<string, unknown> = {};
      for (const [k, x] of v as Map<Value, Value>) {
        const key =
          t.kind === 'MAP'
            ? displayValue(k, t.key as LogicalType, timeZone)
            : displayValue(k, t.element as LogicalType, timeZone);
        o[key] = t.kind === 'MAP' ? jsonValue(x, t.element as LogicalType, timeZone) : x;
      }
      return o;
    }
    case 'ROW': {
      const o: Record<string, unknown> = {};
      (t.fields ?? []).forEach((f, i) => {
        o[f.name] = jsonValue((v as Value[])[i] ?? null, f.type, timeZone);
      });
      return o;
    }
    default:
      return formatValue(v, t, timeZone);
  }
}

export function renderJson(columns: readonly Column[], rows: readonly Row[], timeZone: string): string {
  return `${JSON.stringify({
    columns: columns.map((c) => ({ name: c.name, type: typeToString(c.type) })),
    rows: rows.map((r) => r.map((v, c) => jsonValue(v, (columns[c] as Column).type, timeZone))),
  })}\n`;
}
