/**
 * The rows of a continuous query's result as the table view shows them: a changelog applied in
 * arrival order, where an update keeps its place on the screen.
 *
 * Steps:
 *   1. rows live in an array of slots; an index maps each row's encoded value to its slots;
 *   2. -U/-D empty one slot holding an equal row (a tombstone); a -U remembers that slot;
 *   3. the +U that follows a -U takes the remembered slot, so an updated count changes in place
 *      instead of jumping to the bottom; +I (or a +U without a -U before it) appends;
 *   4. when tombstones outnumber live rows the array is compacted, keeping the order.
 */
import { isAccumulate, type Row, RowKind } from '../../operators/api.ts';
import { encodeKey } from '../../operators/state.ts';

export class LiveRows {
  private slots: (Row | null)[] = [];
  private index = new Map<string, number[]>();
  private tombstones = 0;
  private freedByUpdate = -1;

  apply(kind: RowKind, row: Row): void {
    const key = encodeKey(row);
    if (isAccumulate(kind)) {
      let at: number;
      if (kind === RowKind.UPDATE_AFTER && this.freedByUpdate >= 0) {
        at = this.freedByUpdate;
        this.slots[at] = row;
        this.tombstones--;
      } else {
        at = this.slots.length;
        this.slots.push(row);
      }
      this.freedByUpdate = -1;
      const list = this.index.get(key);
      if (list) list.push(at);
      else this.index.set(key, [at]);
      return;
    }
    const list = this.index.get(key);
    const at = list?.pop();
    this.freedByUpdate = -1;
    if (at === undefined) return; // a retraction of a row never shown (e.g. before the view opened)
    if (list?.length === 0) this.index.delete(key);
    this.slots[at] = null;
    this.tombstones++;
    if (kind === RowKind.UPDATE_BEFORE) this.freedByUpdate = at;
    else if (this.tombstones > 64 && this.tombstones > this.slots.length / 2) this.compact();
  }

  /** How many rows the view holds. */
  get size(): number {
    return this.slots.length - this.tombstones;
  }

  /** The rows in display order. */
  toRows(): Row[] {
    return this.slots.filter((r): r is Row => r !== null);
  }

  private compact(): void {
    const rows = this.toRows();
    this.slots = rows;
    this.tombstones = 0;
    this.index = new Map();
    rows.forEach((r, i) => {
      const key = encodeKey(r);
      const list = this.index.get(key);
      if (list) list.push(i);
      else this.index.set(key, [i]);
    });
  }
}
