/**
 * The `table` result mode on a terminal: a full-screen, live view of a continuous query's current
 * rows, redrawn in place as changes arrive (as in Flink's SQL client).
 *
 * Steps:
 *   1. switch to the terminal's alternate screen and hide the cursor;
 *   2. apply every change to LiveRows (updates keep their place) and mark the view dirty;
 *   3. a timer redraws at most every `refreshMs`: title, column names, types, one page of rows, a
 *      status line (rows, changes received, rate, watermark, job state) and the keys;
 *   4. keys scroll (arrows, j/k, PgUp/PgDn, space, Home/End, g/G); `q` or Ctrl-C leaves the view,
 *      which cancels the query; the normal screen comes back as it was.
 */
import { formatTimestamp } from '../../catalog/datetime.ts';
import type { Row } from '../../operators/api.ts';
import type { Column } from '../../runtime/session.ts';
import { LiveRows } from './live-rows.ts';
import { cells, isNumeric, pad, type Style, typeLabel, typicalWidth } from './style.ts';

export interface Key {
  readonly name?: string | undefined;
  readonly ctrl?: boolean | undefined;
  readonly sequence?: string | undefined;
}

export interface ViewScreen {
  readonly write: (s: string) => void;
  readonly size: () => { columns: number; rows: number };
}

/** What the status line reports about the running query. */
export interface QueryStats {
  readonly changes: number;
  readonly rate: number;
  readonly watermark: number | undefined;
  readonly state: string;
}

export class TableView {
  readonly rows = new LiveRows();
  private top = 0;
  private readonly columns: readonly Column[];
  private readonly title: string;
  private readonly screen: ViewScreen;
  private readonly style: Style;
  private readonly timeZone: string;

  constructor(title: string, columns: readonly Column[], timeZone: string, screen: ViewScreen, style: Style) {
    this.title = title;
    this.columns = columns;
    this.timeZone = timeZone;
    this.screen = screen;
    this.style = style;
  }

  open(): void {
    this.screen.write('\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J');
  }

  close(): void {
    this.screen.write('\x1b[?25h\x1b[?1049l');
  }

  /** Rows of the screen left for result rows. */
  private pageSize(): number {
    return Math.max(1, this.screen.size().rows - 6);
  }

  /** Handles a key; returns 'quit' when the user leaves the view. */
  key(str: string | undefined, key: Key | undefined): 'quit' | 'redraw' | 'ignored' {
    const name = key?.name ?? str;
    if ((key?.ctrl && name === 'c') || name === 'q' || str === 'Q') return 'quit';
    const page = this.pageSize();
    const last = Math.max(0, this.rows.size - page);
    const before = this.top;
    switch (name) {
      case 'down':
      case 'j':
        this.top = Math.min(last, this.top + 1);
        break;
      case 'up':
      case 'k':
        this.top = Math.max(0, this.top - 1);
        break;
      case 'pagedown':
      case 'space':
      case 'n':
        this.top = Math.min(last, this.top + page);
        break;
      case 'pageup':
      case 'b':
      case 'p':
        this.top = Math.max(0, this.top - page);
        break;
      case 'home':
      case 'g':
        this.top = 0;
        break;
      case 'end':
        this.top = last;
        break;
      default:
        if (str === 'G') this.top = last;
        else return 'ignored';
    }
    return this.top === before ? 'ignored' : 'redraw';
  }

  render(stats: QueryStats): void {
    const { columns: width, rows: height } = this.screen.size();
    const page = this.pageSize();
    const all = this.rows.toRows();
    this.top = Math.min(this.top, Math.max(0, all.length - page));
    const visible = all.slice(this.top, this.top + page);
    const texts = visible.map((r: Row) => cells(r, this.columns, this.timeZone));
    const widths = this.columns.map((c, i) =>
      Math.min(
        40,
        Math.max(
          c.name.length,
          typeLabel(c.type).length,
          Math.min(typicalWidth(c.type), 12),
          ...texts.map((t) => (t[i] as string).length),
        ),
      ),
    );
    const numeric = this.columns.map((c) => isNumeric(c.type));
    const line = (parts: string[]) => parts.join('  ');
    const out: string[] = [];
    out.push(this.style.inverse(cut(` Rivulet table view: ${this.title}`, width).padEnd(width)));
    out.push(
      cut(line(this.columns.map((c, i) => pad(c.name, widths[i] as number, false, this.style))), width, true),
    );
    out.push(
      this.style.dim(
        cut(
          line(this.columns.map((c, i) => pad(typeLabel(c.type), widths[i] as number, false, this.style))),
          width,
        ),
      ),
    );
    out.push(cut(line(widths.map((w) => '-'.repeat(w))), width));
    for (const t of texts) {
      out.push(
        cut(
          line(t.map((s, i) => pad(s, widths[i] as number, numeric[i] as boolean, this.style))),
          width,
          true,
        ),
      );
    }
    while (out.length < height - 2) out.push('');
    const pages = Math.max(1, Math.ceil(all.length / page));
    const pageNo = Math.min(pages, Math.floor(this.top / page) + 1);
    const wm = stats.watermark === undefined ? '-' : formatTimestamp(stats.watermark, 3);
    const status = ` Rows: ${all.length}  Page: ${pageNo}/${pages}  Received: ${stats.changes} changes  Rate: ${Math.round(stats.rate)}/s  Watermark: ${wm}  ${stats.state}`;
    out.push(this.style.inverse(cut(status, width).padEnd(width)));
    out.push(cut(' Q Quit   Up/Down Scroll   PgUp/PgDn Page   Home/End First/Last', width));
    this.screen.write(`\x1b[H${out.map((l) => `${l}\x1b[K`).join('\r\n')}\x1b[J`);
  }
}

/**
 * Cuts a line to the screen width. Lines holding colour escapes are cut on visible characters only
 * when `styled` is set (escapes do not take room on the screen).
 */
function cut(s: string, width: number, styled = false): string {
  if (!styled) return s.length > width ? s.slice(0, width) : s;
  let visible = 0;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\x1b') {
      const end = s.indexOf('m', i);
      out += s.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= width) continue;
    out += s[i];
    visible++;
  }
  return out;
}
