/**
 * VersionList: the changes of one key of a versioned table, ordered by version time.
 *
 * Entry i is (times[i], rows[i]): rows[i] is the row that became valid at times[i], or null when a
 * deletion (-D) ended the version in force before it. The validity of entry i is
 * [times[i], times[i + 1]) (the last entry is open-ended).
 *
 * 1. `add` inserts after every entry with time <= t, so entries with equal times keep arrival order and
 *    the last one received is the one in force at that time (earlier ones get an empty validity).
 *    Changes mostly arrive in time order, so the insertion point is found by walking back from the end.
 * 2. `indexAt(t)` is the last entry with time <= t (binary search, with the common "newest entry"
 *    case checked first); the version in force at t is that entry's row (null: the key is deleted).
 * 3. `trimBefore(cutoff)` drops every entry whose validity ended at or before `cutoff`, i.e. all entries
 *    before the last one with time <= cutoff: nobody asking about a time >= cutoff can need them.
 *
 * Two parallel arrays rather than an object per entry: the times array stays a packed array of
 * doubles (8 bytes an entry), which keeps a retained version cheap.
 */
import type { Row } from '../api.ts';

export class VersionList {
  times: number[] = [];
  rows: (Row | null)[] = [];
  /**
   * The newest entry again, held in the object itself: most lookups ask about a time after it, and
   * answering from here saves two dependent memory loads (the arrays) per lookup on a large table.
   */
  private lastTime = Number.POSITIVE_INFINITY;
  private lastRow: Row | null = null;

  get length(): number {
    return this.times.length;
  }

  /** Adds a change at time `t` after every entry with time <= t; returns its index (step 1). */
  add(t: number, row: Row | null): number {
    const times = this.times;
    let i = times.length;
    if (i === 0 || (times[i - 1] as number) <= t) {
      times.push(t);
      this.rows.push(row);
      this.lastTime = t;
      this.lastRow = row;
      return i;
    }
    while (i > 0 && (times[i - 1] as number) > t) i--;
    times.splice(i, 0, t);
    this.rows.splice(i, 0, row);
    return i;
  }

  /** The index of the last entry with time <= t, or -1 when every entry is later (step 2). */
  indexAt(t: number): number {
    const times = this.times;
    const n = times.length;
    if (n === 0) return -1;
    if ((times[n - 1] as number) <= t) return n - 1;
    let lo = 0;
    let hi = n - 1; // times[hi] > t
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((times[mid] as number) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** The row in force at `t`: null when the key has no version then or was deleted. */
  at(t: number): Row | null {
    if (t >= this.lastTime) return this.lastRow;
    const i = this.indexAt(t);
    return i < 0 ? null : (this.rows[i] as Row | null);
  }

  /** Drops the entries whose validity ended at or before `cutoff` (step 3); returns how many. */
  trimBefore(cutoff: number): number {
    const i = this.indexAt(cutoff);
    if (i <= 0) return 0;
    if (i === 1) {
      // The common case (one newer version passed the watermark); shift() trims in place.
      this.times.shift();
      this.rows.shift();
    } else {
      this.times.splice(0, i);
      this.rows.splice(0, i);
    }
    return i;
  }

  /** True when nothing here can ever match again: at most one entry, a deletion at or before `t`. */
  isDeadAt(t: number): boolean {
    const n = this.times.length;
    return n === 0 || (n === 1 && this.rows[0] === null && (this.times[0] as number) <= t);
  }

  /** Plain data for snapshots. */
  toData(): [number[], (Row | null)[]] {
    return [this.times.slice(), this.rows.slice()];
  }

  /** A copy as the list is now (for copy-on-write snapshots: the rows themselves are never changed). */
  clone(): VersionList {
    return this.copyTo(new VersionList());
  }

  /** Copies this list's entries into `v` (an empty list, possibly of a subclass); returns it. */
  protected copyTo<L extends VersionList>(v: L): L {
    v.times = this.times.slice();
    v.rows = this.rows.slice();
    v.lastTime = this.lastTime;
    v.lastRow = this.lastRow;
    return v;
  }

  /**
   * A list from a snapshot: `toData()`'s pair, or a VersionList written out as it is (copy-on-write
   * snapshots hand out the lists themselves; serialized, they are plain objects with the same fields).
   */
  static fromSnapshot<L extends VersionList = VersionList>(value: unknown, into?: L): L {
    if (Array.isArray(value)) return VersionList.fromData(value as [number[], (Row | null)[]], into);
    const v = value as { times: number[]; rows: (Row | null)[] };
    return VersionList.fromData([v.times, v.rows], into);
  }

  /** A list from `toData()`'s pair, filled into `v` (an empty list, possibly of a subclass). */
  static fromData<L extends VersionList = VersionList>(
    data: readonly [number[], (Row | null)[]],
    v: L = new VersionList() as L,
  ): L {
    v.times = data[0].slice();
    v.rows = data[1].slice();
    const n = v.times.length;
    if (n > 0) {
      v.lastTime = v.times[n - 1] as number;
      v.lastRow = v.rows[n - 1] as Row | null;
    }
    return v;
  }
}
