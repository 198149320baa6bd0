/**
 * PendingRows: left rows of the event-time temporal join waiting for the watermark, as a binary
 * min-heap ordered by (time, arrival sequence). Popping in that order emits rows in time order and,
 * for equal times, in the order they arrived, so the output is deterministic.
 *
 * The rows themselves sit still in slot arrays; the heap moves only numbers (time, sequence, slot).
 * Moving row references through the heap instead would store a young object into an old array at
 * every level of every sift, and those generational write barriers cost more than the heap itself.
 */
import type { Row, RowKind } from '../api.ts';

export interface PendingRowsData {
  times: number[];
  seqs: number[];
  kinds: RowKind[];
  rows: Row[];
  nextSeq: number;
}

export class PendingRows {
  // The heap, by position: time, arrival sequence and the slot holding the row.
  private times: number[] = [];
  private seqs: number[] = [];
  private slots: number[] = [];
  // Slots: row and kind; freed slots are reused.
  private slotRows: (Row | null)[] = [];
  private slotKinds: RowKind[] = [];
  private free: number[] = [];
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
    let slot: number;
    if (this.free.length > 0) {
      slot = this.free.pop() as number;
      this.slotRows[slot] = row;
      this.slotKinds[slot] = kind;
    } else {
      slot = this.slotRows.length;
      this.slotRows.push(row);
      this.slotKinds.push(kind);
    }
    const { times, seqs, slots } = this;
    let i = times.length;
    times.push(time);
    seqs.push(seq);
    slots.push(slot);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p] as number;
      if (pt < time || (pt === time && (seqs[p] as number) < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[p] as number;
      slots[i] = slots[p] as number;
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
  }

  /** The kind of the earliest row; call `popRow` next. */
  peekKind(): RowKind {
    return this.slotKinds[this.slots[0] as number] as RowKind;
  }

  /** Removes the earliest entry and returns its row (read `peekTime`/`peekKind` first). */
  popRow(): Row {
    const { times, seqs, slots } = this;
    const topSlot = slots[0] as number;
    const top = this.slotRows[topSlot] as Row;
    this.slotRows[topSlot] = null;
    this.free.push(topSlot);
    const lt = times.pop() as number;
    const ls = seqs.pop() as number;
    const lslot = slots.pop() as number;
    const n = times.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        let ct = times[l] as number;
        if (r < n) {
          const rt = times[r] as number;
          if (rt < ct || (rt === ct && (seqs[r] as number) < (seqs[l] as number))) {
            c = r;
            ct = rt;
          }
        }
        if (ct > lt || (ct === lt && (seqs[c] as number) > ls)) break;
        times[i] = ct;
        seqs[i] = seqs[c] as number;
        slots[i] = slots[c] as number;
        i = c;
      }
      times[i] = lt;
      seqs[i] = ls;
      slots[i] = lslot;
    }
    if (n === 0) {
      // Nothing waits: drop the slot arrays so a burst does not pin memory.
      this.slotRows = [];
      this.slotKinds = [];
      this.free = [];
    }
    return top;
  }

  /** Plain data: entries in heap order plus the next sequence number. */
  toData(): PendingRowsData {
    return {
      times: this.times.slice(),
      seqs: this.seqs.slice(),
      kinds: this.slots.map((s) => this.slotKinds[s] as RowKind),
      rows: this.slots.map((s) => this.slotRows[s] as Row),
      nextSeq: this.nextSeq,
    };
  }

  /** Restores `toData` output (already a valid heap, so it is taken as is). */
  restoreData(d: PendingRowsData): void {
    this.times = d.times.slice();
    this.seqs = d.seqs.slice();
    this.slots = d.times.map((_, i) => i);
    this.slotRows = d.rows.slice();
    this.slotKinds = d.kinds.slice();
    this.free = [];
    this.nextSeq = d.nextSeq;
  }
}
