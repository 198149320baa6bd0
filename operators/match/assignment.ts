/**
 * Row assignments of partial matches, shared between threads: a persistent linked list whose nodes
 * are "row `pos` is mapped to variable `v`" and point to the assignment of the previous row of the
 * match (the idea of Flink CEP's shared buffer, after the SASE paper: many partial matches share one
 * history, nothing is copied when a thread forks).
 *
 * 1. Every attempt (match start) has a root node (`v = -1`, `pos = start - 1`) that maps no row.
 * 2. A thread that consumes row `pos` as `v` gets the child (parent, v, excluded); children are
 *    interned per step, so two threads that assigned the same rows to the same variables hold the
 *    *same* node. The matcher relies on this: two threads at the same instruction with the same node
 *    have identical futures (DEFINE sees only the assignment and the rows), so the less preferred
 *    one can be dropped, and a loop iteration that consumed nothing is recognised by its node.
 * 3. Each node can tell, per variable, the last node mapped to it (`lasts`), and per its own variable
 *    the previous such node, the first one and the count, so RUNNING FIRST/LAST navigation in DEFINE
 *    is O(1) for offset 0 and follows `prevSame` links otherwise. These are computed on first use
 *    and cached, so patterns whose DEFINEs never navigate logically allocate nothing for them.
 */

export class Assignment {
  /** The previous row of the match; null for a root. */
  readonly parent: Assignment | null;
  /** Primary variable index; -1 for a root. */
  readonly v: number;
  /** Absolute position of the row in the partition. */
  readonly pos: number;
  readonly excluded: boolean;
  /**
   * Per variable, the last node mapped to it (this node included); computed on first use (DEFINEs
   * that only look at the current row or use PREV/NEXT never pay for it), then cached.
   */
  private lastsCache: (Assignment | null)[] | null;
  /** First node and count of this node's variable up to here; cached on first use (-1: not yet). */
  private firstCache: Assignment | null = null;
  private countCache = -1;

  // Scratch state of the matcher's current step (see Matcher): interned children and visited pcs.
  kidsStamp = -1;
  /** The first child created in step `kidsStamp`; further ones in `kids` (rare: forks). */
  kid: Assignment | null = null;
  kids: Assignment[] | null = null;
  seenStamp = -1;
  seenPc = -1;
  seenMore: number[] | null = null;

  /** `noLasts` is the `lasts` of a root (one null per variable), given for roots only. */
  constructor(
    parent: Assignment | null,
    v: number,
    pos: number,
    excluded: boolean,
    noLasts: (Assignment | null)[] | null,
  ) {
    this.parent = parent;
    this.v = v;
    this.pos = pos;
    this.excluded = excluded;
    this.lastsCache = parent === null ? noLasts : null;
    if (parent === null) this.countCache = 0;
  }

  get lasts(): (Assignment | null)[] {
    if (this.lastsCache !== null) return this.lastsCache;
    // Fill the caches from the nearest ancestor that has one (iteratively: chains can be long).
    const chain: Assignment[] = [];
    let n: Assignment = this;
    while (n.lastsCache === null) {
      chain.push(n);
      n = n.parent!;
    }
    let l = n.lastsCache!;
    for (let i = chain.length - 1; i >= 0; i--) {
      const c = chain[i]!;
      const copy = l.slice();
      copy[c.v] = c;
      c.lastsCache = copy;
      l = copy;
    }
    return l;
  }

  /** The previous node mapped to the same variable. */
  get prevSame(): Assignment | null {
    return this.parent === null ? null : (this.parent.lasts[this.v] ?? null);
  }

  /** The first node mapped to the same variable (null for a root). */
  get firstSame(): Assignment | null {
    if (this.parent === null) return null;
    if (this.firstCache === null) this.fillSameCaches();
    return this.firstCache;
  }

  /** How many rows up to and including this one are mapped to this node's variable. */
  get countSame(): number {
    if (this.countCache < 0) this.fillSameCaches();
    return this.countCache;
  }

  private fillSameCaches(): void {
    const chain: Assignment[] = [];
    let n: Assignment | null = this;
    while (n !== null && n.countCache < 0) {
      chain.push(n);
      n = n.prevSame;
    }
    let first = n === null ? null : n.firstCache;
    let count = n === null ? 0 : n.countCache;
    for (let i = chain.length - 1; i >= 0; i--) {
      const c = chain[i]!;
      first ??= c;
      count++;
      c.firstCache = first;
      c.countCache = count;
    }
  }

  /** A root: the empty assignment of an attempt starting at `start`. */
  static root(start: number, noLasts: (Assignment | null)[]): Assignment {
    return new Assignment(null, -1, start - 1, false, noLasts);
  }

  /** True when this is a root (maps no row). */
  get isRoot(): boolean {
    return this.parent === null;
  }

  /**
   * Marks (this, pc) visited in step `stamp`; false when it already was (the caller drops the thread).
   */
  visit(pc: number, stamp: number): boolean {
    if (this.seenStamp !== stamp) {
      this.seenStamp = stamp;
      this.seenPc = pc;
      if (this.seenMore !== null) this.seenMore.length = 0;
      return true;
    }
    if (this.seenPc === pc) return false;
    const more = this.seenMore;
    if (more === null) {
      this.seenMore = [pc];
      return true;
    }
    if (more.includes(pc)) return false;
    more.push(pc);
    return true;
  }
}

/**
 * Creates nodes and interns children within one step. `endStep()` forgets the step's children so
 * dead branches are not kept alive by their parents.
 */
export class AssignmentFactory {
  /** The `lasts` of every root: one null per variable. */
  readonly noLasts: (Assignment | null)[];
  private readonly touched: Assignment[] = [];

  constructor(variableCount: number) {
    this.noLasts = new Array<Assignment | null>(variableCount).fill(null);
  }

  root(start: number): Assignment {
    return Assignment.root(start, this.noLasts);
  }

  /** The node for "row `pos` mapped to `v`" after `parent`, shared with any thread that made the same choice. */
  child(parent: Assignment, v: number, excluded: boolean, pos: number, stamp: number): Assignment {
    if (parent.kidsStamp !== stamp) {
      parent.kidsStamp = stamp;
      const node = new Assignment(parent, v, pos, excluded, null);
      parent.kid = node;
      this.touched.push(parent);
      return node;
    }
    const first = parent.kid!;
    if (first.v === v && first.excluded === excluded) return first;
    let kids = parent.kids;
    if (kids === null) {
      kids = [];
      parent.kids = kids;
    } else {
      for (let i = 0; i < kids.length; i++) {
        const k = kids[i]!;
        if (k.v === v && k.excluded === excluded) return k;
      }
    }
    const node = new Assignment(parent, v, pos, excluded, null);
    kids.push(node);
    return node;
  }

  /** Rebuilds a node from a snapshot (parent first). */
  restore(parent: Assignment | null, v: number, pos: number, excluded: boolean): Assignment {
    if (parent === null) return Assignment.root(pos + 1, this.noLasts);
    return new Assignment(parent, v, pos, excluded, null);
  }

  endStep(): void {
    const t = this.touched;
    for (let i = 0; i < t.length; i++) {
      const p = t[i]!;
      p.kid = null;
      p.kids = null;
    }
    t.length = 0;
  }
}

/** The labels (variable per row) and exclusion flags of the match ending at `tip`, in row order. */
export function materialize(tip: Assignment): { labels: Int32Array; excluded: Uint8Array | null } {
  let n = 0;
  for (let a: Assignment | null = tip; a !== null && a.parent !== null; a = a.parent) n++;
  const labels = new Int32Array(n);
  let excluded: Uint8Array | null = null;
  let i = n - 1;
  for (let a: Assignment | null = tip; a !== null && a.parent !== null; a = a.parent) {
    labels[i] = a.v;
    if (a.excluded) {
      excluded ??= new Uint8Array(n);
      excluded[i] = 1;
    }
    i--;
  }
  return { labels, excluded };
}
