/**
 * PendingRows: left rows of the event-time temporal join waiting for the watermark, as a binary
 * min-heap ordered by (time, arrival sequence). Popping in that order emits rows in time order and,
 * for equal times, in the order they arrived, so the output is deterministic.
 */
import type { Row, RowKind } from '../api.ts';

export class PendingRows {
  private times: number[] = [];
  private seqs: number[] = [];
  private kinds: RowKind[] = [];
  private rows: Row[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.times.length;
  }

  /** The earliest pending time, or +Infinity when empty. */
  peekTime(): number {
    return this.times.length === 0 ? Number.POSITIVE_INFINITY : (this.times[0] as number);
  }

  push(time: number, kind: RowKind, row: Row): void {
    const seq = this.nextSeq++;
    const { times, seqs, kinds, rows } = this;
    let i = times.length;
    times.push(time);
    seqs.push(seq);
    kinds.push(kind);
    rows.push(row);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p] as number;
      if (pt < time || (pt === time && (seqs[p] as number) < seq)) break;
      this.move(p, i);
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    kinds[i] = kind;
    rows[i] = row;
  }

  /** The kind of the earliest row; call `popRow` next. */
  peekKind(): RowKind {
    return this.kinds[0] as RowKind;
  }

  /** Removes the earliest entry and returns its row (read `peekTime`/`peekKind` first). */
  popRow(): Row {
    const { times, seqs, kinds, rows } = this;
    const top = rows[0] as Row;
    const lt = times.pop() as number;
    const ls = seqs.pop() as number;
    const lk = kinds.pop() as RowKind;
    const lr = rows.pop() as Row;
    const n = times.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && this.less(r, l) ? r : l;
        const ct = times[c] as number;
        if (ct > lt || (ct === lt && (seqs[c] as number) > ls)) break;
        this.move(c, i);
        i = c;
      }
      times[i] = lt;
      seqs[i] = ls;
      kinds[i] = lk;
      rows[i] = lr;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const ta = this.times[a] as number;
    const tb = this.times[b] as number;
    return ta < tb || (ta === tb && (this.seqs[a] as number) < (this.seqs[b] as number));
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from] as number;
    this.seqs[to] = this.seqs[from] as number;
    this.kinds[to] = this.kinds[from] as RowKind;
    this.rows[to] = this.rows[from] as Row;
  }

  /** Plain data: entries in heap order plus the next sequence number. */
  toData(): { times: number[]; seqs: number[]; kinds: RowKind[]; rows: Row[]; nextSeq: number } {
    return {
      times: this.times.slice(),
      seqs: this.seqs.slice(),
      kinds: this.kinds.slice(),
      rows: this.rows.slice(),
      nextSeq: this.nextSeq,
    };
  }

  /** Restores `toData` output (already a valid heap, so it is taken as is). */
  restoreData(d: { times: number[]; seqs: number[]; kinds: RowKind[]; rows: Row[]; nextSeq: number }): void {
    this.times = d.times.slice();
    this.seqs = d.seqs.slice();
    this.kinds = d.kinds.slice();
    this.rows = d.rows.slice();
    this.nextSeq = d.nextSeq;
  }
}
