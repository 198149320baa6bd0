/**
 * The row pattern matcher of one partition: a Pike VM over the compiled program (compiler.ts), fed
 * rows in their final order, one at a time, so it works the same on a stream (rows arrive as the
 * watermark makes their order final) and on a bounded input (all rows, then the end).
 *
 * Semantics (SQL:2016 part 5, as Trino implements them): an attempt starts at each row that AFTER
 * MATCH SKIP lets the search resume at; the match of an attempt is the first complete match in the
 * pattern's preference order (not the longest); the next attempt starts where AFTER MATCH SKIP says.
 *
 * Algorithm:
 * 1. Attempts run side by side: when row p is stepped, a new attempt starting at p is opened (its
 *    threads are the epsilon closure of instruction 0), then every live attempt consumes row p. An
 *    attempt's result never depends on other attempts, so running them together only saves rescans;
 *    results are *used* strictly in start order (step 4).
 * 2. An attempt keeps its threads (pc, assignment) in preference order. Consuming row p: each thread
 *    at `label V` whose DEFINE holds (RUNNING semantics, against the thread's own assignment plus
 *    this row) moves on with a child assignment (assignment.ts: shared prefixes, interned); then its
 *    epsilon closure is followed depth-first, first `split` operand first, which keeps the new
 *    thread list in preference order.
 * 3. A thread reaching `done` becomes the attempt's best match and every less preferred thread of the
 *    attempt dies (a less preferred thread can never win). More preferred threads live on and
 *    replace it if they complete. The attempt is final when no thread is left: for a greedy pattern,
 *    that is when a row fails the loop, when WITHIN expires, or at the end of the partition.
 *    A thread at a `label` with the same assignment as an earlier (more preferred) thread of the same
 *    step is dropped: its future is the same. Loop iterations that consume nothing are cut by the
 *    compiler's `iteration-start` guard (compiler.ts, step 6).
 * 4. Resolution, in start order: starts with no attempt left are "no match"; the first attempt that
 *    is final reports its match (or none); AFTER MATCH SKIP gives the next start and attempts that
 *    start before it are dropped. Skipping to the first row of the match is an error (it would loop).
 * 5. `$` threads wait for the next row (which kills them) or the end of the partition (which lets
 *    them through); `^` passes only at position 0. A row is stepped only once `maxLookahead` later
 *    rows are known (or the partition ended), so NEXT never reads a row that is not there yet.
 * 6. WITHIN: before row p is stepped, attempts whose first row is WITHIN or more older than p are
 *    ended (their partial matches discarded, reported as timed out if they had no match); the
 *    operator also expires attempts on the watermark so idle partitions release memory.
 */
import { RivuletError } from '../../common/errors.ts';
import { type Assignment, AssignmentFactory, materialize } from './assignment.ts';
import { compilePattern, Op, type Program } from './compiler.ts';
import { DefineContext } from './define-context.ts';
import type { RowStore } from './row-store.ts';
import type { AfterMatchSkip, DefineFn, MatchSpec } from './spec.ts';
import { resolveVariables, type VariableSets } from './variables.ts';

/** Receives the results of a partition's attempts, in start order. */
export interface MatchSink {
  /** The match of the attempt at `start` covers rows [start, end); `end === start` for an empty match. */
  match(start: number, end: number, labels: Int32Array, excluded: Uint8Array | null): void;
  /** The attempt at `start` found no match. */
  noMatch(start: number): void;
  /** WITHIN ended the attempt at `start` before it found a match; `labels` is its most preferred partial match. */
  timedOut(start: number, labels: Int32Array, excluded: Uint8Array | null): void;
}

/** Everything about a MATCH_RECOGNIZE that is the same for every partition. */
export interface CompiledMatch {
  readonly program: Program;
  readonly vars: VariableSets;
  readonly defines: readonly (DefineFn | null)[];
  readonly skip: AfterMatchSkip;
  readonly withinMs: number | null;
  readonly maxLookback: number;
  readonly maxLookahead: number;
}

/** Checks a spec and compiles its pattern. */
export function compileMatch(spec: MatchSpec): CompiledMatch {
  const vars = resolveVariables(spec);
  const program = compilePattern(
    spec.pattern,
    spec.variables.map((v) => v.name),
  );
  const skip = spec.afterMatchSkip;
  if (
    (skip.kind === 'TO_FIRST' || skip.kind === 'TO_LAST') &&
    !(Number.isInteger(skip.variable) && skip.variable >= 0 && skip.variable < vars.names.length)
  )
    throw new RivuletError(
      'plan',
      'MATCH_UNKNOWN_VARIABLE',
      `AFTER MATCH SKIP names an unknown pattern variable`,
    );
  const lb = spec.maxLookback;
  const la = spec.maxLookahead;
  if (!(lb >= 0) || !(Number.isInteger(la) && la >= 0))
    throw new RivuletError(
      'plan',
      'MATCH_BAD_SPEC',
      'maxLookback must be >= 0 and maxLookahead a non-negative integer',
    );
  const within = spec.withinMs ?? null;
  if (within !== null && !(within > 0))
    throw new RivuletError(
      'plan',
      'MATCH_BAD_WITHIN',
      `WITHIN must be a positive interval, got ${within} ms`,
    );
  return {
    program,
    vars,
    defines: spec.variables.map((v) => v.define),
    skip,
    withinMs: within,
    maxLookback: lb,
    maxLookahead: la,
  };
}

/** Scratch state of one step; see `Matcher`. */
class Workspace {
  scratchPcs: number[] = [];
  scratchNodes: Assignment[] = [];
  /** See `Matcher.follow`. */
  loopStack: number[] = [];
  /** States (pc and open iterations) the current closure visited with an iteration open. */
  openVisited = new Set<string>();
  /** Parked-thread loop sets of the thread list being built (see `Attempt.parked`). */
  parkedOut: Map<number, number[]> | null = null;
  probeParked: Map<number, number[]> | null = null;
  /** The empty assignment every attempt starts from (shared: a root is never compared by position). */
  readonly root: Assignment;
  /** The attempt being opened at the current row (reused while attempts die at their first row). */
  probe = new Attempt();

  constructor(factory: AssignmentFactory) {
    this.root = factory.root(0);
  }

  /** After each top-level `follow`: the next closure starts from another assignment. */
  endClosure(): void {
    this.loopStack.length = 0;
    if (this.openVisited.size > 0) this.openVisited.clear();
  }
}

/** Per operator: what partitions' matchers share (one partition is stepped at a time). */
export class MatchRuntime {
  readonly compiled: CompiledMatch;
  readonly factory: AssignmentFactory;
  readonly ctx: DefineContext;
  readonly work: Workspace;
  /** Step counter: tags per-step scratch state in assignments. */
  stamp = 0;
  /** Cached threads of a new attempt (see `Matcher.initialThreads`). */
  initialAtStart: { pcs: number[]; empty: boolean } | null = null;
  initialLater: { pcs: number[]; empty: boolean } | null = null;

  constructor(compiled: CompiledMatch) {
    this.compiled = compiled;
    this.factory = new AssignmentFactory(compiled.vars.primaryCount);
    this.ctx = new DefineContext(compiled.vars, compiled.maxLookahead);
    this.work = new Workspace(this.factory);
  }
}

/** One attempt: a match search starting at row `start`. */
class Attempt {
  start = 0;
  startTs = 0;
  /** Live threads in preference order: instruction and assignment. */
  pcs: number[] = [];
  nodes: Assignment[] = [];
  /** The most preferred complete match so far (the matcher's root for an empty match). */
  best: Assignment | null = null;
  /** Set when WITHIN ended the attempt without a match: its most preferred partial match. */
  timedOut: Assignment | null = null;
  /** For threads parked at `$` inside loop iterations begun without a row: thread index -> open loops. */
  parked: Map<number, number[]> | null = null;

  reset(start: number, startTs: number): void {
    this.start = start;
    this.startTs = startTs;
    this.best = null;
    this.timedOut = null;
    this.parked = null;
  }
}

/** Plain-data form of a matcher's state (see `Matcher.snapshot`). */
export interface MatcherSnapshot {
  nextPos: number;
  nextStart: number;
  finished: boolean;
  /** [parentId (-1 for a root), variable, position, excluded 0/1]; parents come before children. */
  nodes: [number, number, number, number][];
  attempts: {
    start: number;
    startTs: number;
    threads: [number, number][];
    parked: [number, number[]][];
    best: number;
    timedOut: number;
  }[];
}

export class Matcher {
  private readonly rt: MatchRuntime;
  private readonly store: RowStore;
  private readonly sink: MatchSink;
  /** Attempts that are live or hold a result not yet reported, in start order. */
  private attempts: Attempt[] = [];
  /** The next row to step. */
  private nextPos = 0;
  /** The first start not yet resolved (rows before it are reported). */
  private nextStart = 0;
  private finished = false;
  /** Per-step scratch space, shared by the operator's partitions (one partition steps at a time). */
  private readonly w: Workspace;

  constructor(rt: MatchRuntime, store: RowStore, sink: MatchSink) {
    this.rt = rt;
    this.store = store;
    this.sink = sink;
    this.w = rt.work;
  }

  /** Steps every row that can be stepped; at the end of the partition, finishes every attempt. */
  advance(): void {
    const store = this.store;
    const la = this.rt.compiled.maxLookahead;
    while (this.nextPos < store.count && (store.ended || this.nextPos + la < store.count)) {
      const p = this.nextPos++;
      this.step(p);
    }
    if (store.ended && !this.finished && this.nextPos === store.count) {
      this.finished = true;
      this.finish();
    }
  }

  /**
   * WITHIN on time alone: ends attempts that no future row could extend, given that every row not
   * yet stepped has event time >= `minFutureTs`.
   */
  expire(minFutureTs: number): void {
    const within = this.rt.compiled.withinMs;
    if (within === null || this.finished) return;
    let limit = minFutureTs;
    if (this.nextPos < this.store.count) limit = Math.min(limit, this.store.rowtime(this.nextPos));
    if (this.expireAttempts(limit)) this.resolve();
  }

  /**
   * The event time at which WITHIN can first end an attempt still in progress: the earliest such
   * attempt's start + WITHIN (attempts are in start order, and start times grow with positions);
   * +Infinity without WITHIN or without such an attempt.
   */
  expiryTime(): number {
    const within = this.rt.compiled.withinMs;
    if (within === null || this.finished) return Infinity;
    for (const a of this.attempts) if (a.pcs.length > 0) return a.startTs + within;
    return Infinity;
  }

  /** The first row anything may still need (older rows can be freed). */
  lowWater(): number {
    return this.nextStart - this.rt.compiled.maxLookback;
  }

  /** The first row whose result is not reported yet (its event time bounds future output). */
  get firstUnreported(): number {
    return this.nextStart;
  }

  /** True while some attempt is live or waiting to be reported. */
  get busy(): boolean {
    return this.attempts.length > 0;
  }

  /** Attempts plus live threads (for the state-size metric). */
  get size(): number {
    let n = this.attempts.length;
    for (const a of this.attempts) n += a.pcs.length;
    return n;
  }

  private step(p: number): void {
    const rt = this.rt;
    const { ops, arg1, arg2 } = rt.compiled.program;
    const defines = rt.compiled.defines;
    const store = this.store;
    const factory = rt.factory;
    const ctx = rt.ctx;
    const stamp = ++rt.stamp;
    const within = rt.compiled.withinMs;
    const ts = within !== null ? store.rowtime(p) : 0;
    if (within !== null && this.attempts.length > 0) this.expireAttempts(ts);

    // The attempt starting at p: its threads before row p are the same for every p > 0 (see
    // `initialThreads`); it is stepped on row p in a reusable probe, and kept only if it survives.
    const probe = this.w.probe;
    probe.reset(p, ts);
    const init = this.initialThreads(p === 0, stamp);
    if (init.empty) probe.best = this.w.root;
    const root = this.w.root;
    for (let i = 0; i < init.pcs.length; i++) {
      const pc = init.pcs[i]!;
      const v = arg1[pc]!;
      const def = defines[v];
      if (def !== null && def!(ctx.aim(store, root, v, p, p)) !== true) continue;
      const child = factory.child(root, v, arg2[pc] === 1, p, stamp);
      const done = this.follow(probe, pc + 1, child, p + 1, stamp, probe.pcs, probe.nodes);
      this.w.endClosure();
      if (done) break;
    }

    const attempts = this.attempts;
    let keep = 0;
    for (let ai = 0; ai < attempts.length; ai++) {
      const a = attempts[ai]!;
      const n = a.pcs.length;
      if (n > 0) {
        const oldPcs = a.pcs;
        const oldNodes = a.nodes;
        const newPcs = this.w.scratchPcs;
        const newNodes = this.w.scratchNodes;
        this.w.parkedOut = null;
        for (let i = 0; i < n; i++) {
          const pc = oldPcs[i]!;
          if (ops[pc] !== Op.LABEL) continue; // a parked `$` thread: row p exists, so it fails
          const v = arg1[pc]!;
          const node = oldNodes[i]!;
          const def = defines[v];
          if (def !== null && def!(ctx.aim(store, node, v, p, a.start)) !== true) continue;
          const child = factory.child(node, v, arg2[pc] === 1, p, stamp);
          const done = this.follow(a, pc + 1, child, p + 1, stamp, newPcs, newNodes);
          this.w.endClosure();
          if (done) break;
        }
        oldPcs.length = 0;
        oldNodes.length = 0;
        a.pcs = newPcs;
        a.nodes = newNodes;
        a.parked = this.w.parkedOut;
        this.w.scratchPcs = oldPcs;
        this.w.scratchNodes = oldNodes;
      }
      // Attempts that ended without a match need no record: a start without one resolves to no match.
      if (a.pcs.length > 0 || a.best !== null || a.timedOut !== null) attempts[keep++] = a;
    }
    attempts.length = keep;
    if (probe.pcs.length > 0 || probe.best !== null) {
      probe.parked = this.w.probeParked;
      attempts.push(probe);
      this.w.probe = new Attempt();
    } else {
      probe.pcs.length = 0;
      probe.nodes.length = 0;
    }
    this.w.probeParked = null;
    factory.endStep();
    this.resolve();
  }

  /**
   * The threads of a new attempt before its first row: the epsilon closure of instruction 0 from the
   * empty assignment. It depends only on whether the attempt starts at the partition's first row
   * (`^`), since the first row always exists (`$` fails), so it is computed once for each case.
   */
  private initialThreads(atStart: boolean, stamp: number): { pcs: number[]; empty: boolean } {
    const cached = atStart ? this.rt.initialAtStart : this.rt.initialLater;
    if (cached !== null) return cached;
    const probe = new Attempt();
    this.follow(probe, 0, this.w.root, atStart ? 0 : 1, stamp, probe.pcs, probe.nodes);
    this.w.endClosure();
    const result = { pcs: probe.pcs, empty: probe.best !== null };
    if (atStart) this.rt.initialAtStart = result;
    else this.rt.initialLater = result;
    return result;
  }

  /**
   * Follows the epsilon closure of (pc, node) at position q, appending threads that wait for a row
   * (or for the end) to outPcs/outNodes. Returns true when a `done` was reached: the caller stops,
   * since everything after it in preference order is dominated.
   *
   * `loopStack` holds the guarded loops whose current iteration began in this closure (no row
   * consumed since): their back-edge kills the thread (compiler.ts, step 6); callers empty it after
   * each top-level call. Dedup: a thread at a `label` depends only on (pc, assignment), so a later
   * visit of the same pair is dropped; at other instructions the pair identifies the state only
   * while no iteration is open. With iterations open the state is (pc, assignment, open iterations),
   * and the assignment is the same throughout one closure (no row is consumed in it), so a later visit
   * of the same pc with the same open iterations is dropped too (`openVisited`, cleared per closure).
   * Without that, nested bounded quantifiers over a body that can match nothing (`((A{0}?){1,3}){2,4}`
   * inside a loop) reach each pc along exponentially many paths.
   */
  private follow(
    a: Attempt,
    pc: number,
    node: Assignment,
    q: number,
    stamp: number,
    outPcs: number[],
    outNodes: Assignment[],
  ): boolean {
    const { ops, arg1, arg2 } = this.rt.compiled.program;
    const stack = this.w.loopStack;
    for (;;) {
      const op = ops[pc];
      if (op === Op.LABEL) {
        if (node.visit(pc, stamp)) {
          outPcs.push(pc);
          outNodes.push(node);
        }
        return false;
      }
      if (stack.length === 0) {
        if (!node.visit(pc, stamp)) return false;
      } else {
        const key = `${pc}:${stack.join(',')}`;
        const seen = this.w.openVisited;
        if (seen.has(key)) return false;
        seen.add(key);
      }
      switch (op) {
        case Op.SPLIT: {
          const base = stack.length;
          const done = this.follow(a, arg1[pc]!, node, q, stamp, outPcs, outNodes);
          stack.length = base;
          if (done) return true;
          pc = arg2[pc]!;
          break;
        }
        case Op.JUMP: {
          const to = arg1[pc]!;
          if (to < pc && stack.length > 0 && stack.includes(to)) return false; // an empty iteration
          pc = to;
          break;
        }
        case Op.ITERATION_START:
          stack.push(arg1[pc]!);
          pc++;
          break;
        case Op.EXCLUDE_START:
        case Op.EXCLUDE_END:
          pc++;
          break;
        case Op.ANCHOR_START:
          if (q !== 0) return false;
          pc++;
          break;
        case Op.ANCHOR_END:
          if (q < this.store.count) return false;
          if (this.store.ended) {
            pc++;
            break;
          }
          // Park until the next row (which kills it) or the end (which lets it through).
          if (stack.length > 0) {
            let parked: Map<number, number[]>;
            if (a === this.w.probe) {
              this.w.probeParked ??= new Map();
              parked = this.w.probeParked;
            } else {
              this.w.parkedOut ??= new Map();
              parked = this.w.parkedOut;
            }
            parked.set(outPcs.length, stack.slice());
          }
          outPcs.push(pc);
          outNodes.push(node);
          return false;
        default: // Op.DONE
          a.best = node;
          return true;
      }
    }
  }

  /** End of the partition: `$` threads pass, every other thread fails; then everything resolves. */
  private finish(): void {
    const rt = this.rt;
    const ops = rt.compiled.program.ops;
    const stamp = ++rt.stamp;
    const q = this.store.count;
    for (const a of this.attempts) {
      const n = a.pcs.length;
      if (n === 0) continue;
      const outPcs: number[] = [];
      const outNodes: Assignment[] = [];
      for (let i = 0; i < n; i++) {
        const pc = a.pcs[i]!;
        if (ops[pc] !== Op.ANCHOR_END) continue;
        // Resume with the loop iterations that were open when the thread parked.
        const open = a.parked?.get(i);
        if (open !== undefined) this.w.loopStack.push(...open);
        const done = this.follow(a, pc + 1, a.nodes[i]!, q, stamp, outPcs, outNodes);
        this.w.endClosure();
        if (done) break;
      }
      a.pcs = [];
      a.nodes = [];
      a.parked = null;
    }
    rt.factory.endStep();
    this.resolve();
  }

  /** Ends attempts whose first row is WITHIN or more before `ts`. True when one was ended. */
  private expireAttempts(ts: number): boolean {
    const within = this.rt.compiled.withinMs!;
    let ended = false;
    // Start times grow with start positions, so expired attempts form a prefix.
    for (const a of this.attempts) {
      if (ts - a.startTs < within) break;
      if (a.pcs.length > 0) {
        if (a.best === null) a.timedOut = a.nodes[0]!;
        a.pcs = [];
        a.nodes = [];
        a.parked = null;
        ended = true;
      }
    }
    if (ended)
      this.attempts = this.attempts.filter((a) => a.pcs.length > 0 || a.best !== null || a.timedOut !== null);
    return ended;
  }

  /** Reports results in start order as far as they are final (step 4 of the algorithm). */
  private resolve(): void {
    const attempts = this.attempts;
    let head = 0;
    for (;;) {
      const h = head < attempts.length ? attempts[head]! : null;
      const limit = h === null ? this.nextPos : h.start;
      while (this.nextStart < limit) this.sink.noMatch(this.nextStart++);
      if (h === null || h.pcs.length > 0) break;
      head++;
      if (h.start < this.nextStart) continue; // skipped over by an earlier match
      if (h.best !== null) {
        const { labels, excluded } = materialize(h.best);
        const end = h.start + labels.length;
        this.sink.match(h.start, end, labels, excluded);
        this.nextStart = this.skipTarget(h.start, labels);
        while (head < attempts.length && attempts[head]!.start < this.nextStart) head++;
      } else {
        if (h.timedOut !== null) {
          const t = materialize(h.timedOut);
          this.sink.timedOut(h.start, t.labels, t.excluded);
        }
        this.sink.noMatch(h.start);
        this.nextStart = h.start + 1;
      }
    }
    if (head > 0) attempts.splice(0, head);
    this.pruneUnderHead();
  }

  /**
   * With SKIP PAST LAST ROW, once the head attempt (the next to be reported) has a match ending at e,
   * attempts starting before e are dead weight: a match that replaces it comes from a more preferred
   * thread completing later, so it ends at e or after, and the next start is past it. Dropping them
   * early keeps the number of live attempts near one per partition on patterns like V-shapes.
   */
  private pruneUnderHead(): void {
    const attempts = this.attempts;
    if (attempts.length < 2 || this.rt.compiled.skip.kind !== 'PAST_LAST_ROW') return;
    const head = attempts[0]!;
    const best = head.best;
    if (best === null) return;
    const end = best.parent === null ? head.start : best.pos + 1;
    let k = 1;
    while (k < attempts.length && attempts[k]!.start < end) k++;
    if (k > 1) attempts.splice(1, k - 1);
  }

  private skipTarget(start: number, labels: Int32Array): number {
    if (labels.length === 0) return start + 1; // after an empty match, resume at the next row
    const skip = this.rt.compiled.skip;
    switch (skip.kind) {
      case 'PAST_LAST_ROW':
        return start + labels.length;
      case 'TO_NEXT_ROW':
        return start + 1;
      default: {
        const vars = this.rt.compiled.vars;
        const member = vars.members[skip.variable]!;
        let idx = -1;
        if (skip.kind === 'TO_FIRST') {
          for (let i = 0; i < labels.length; i++)
            if (member[labels[i]!] === 1) {
              idx = i;
              break;
            }
        } else {
          for (let i = labels.length - 1; i >= 0; i--)
            if (member[labels[i]!] === 1) {
              idx = i;
              break;
            }
        }
        const clause = `AFTER MATCH SKIP TO ${skip.kind === 'TO_FIRST' ? 'FIRST' : 'LAST'} ${vars.names[skip.variable]}`;
        if (idx < 0)
          throw new RivuletError(
            'runtime',
            'MATCH_SKIP_TO_ABSENT_VARIABLE',
            `${clause} failed: the match at row ${start} of its partition maps no row to ${vars.names[skip.variable]}`,
          );
        if (idx === 0)
          throw new RivuletError(
            'runtime',
            'MATCH_SKIP_TO_FIRST_ROW',
            `${clause} would resume matching at the first row of the match just found (row ${start} of its partition), which would find the same match forever; skip to a later variable, or use SKIP PAST LAST ROW or SKIP TO NEXT ROW`,
          );
        return start + idx;
      }
    }
  }

  /** Plain data: attempts with their threads, and the assignment nodes they reach (shared once). */
  snapshot(): MatcherSnapshot {
    const ids = new Map<Assignment, number>();
    const nodes: [number, number, number, number][] = [];
    const idOf = (n: Assignment): number => {
      const known = ids.get(n);
      if (known !== undefined) return known;
      const chain: Assignment[] = [];
      let cur: Assignment | null = n;
      while (cur !== null && !ids.has(cur)) {
        chain.push(cur);
        cur = cur.parent;
      }
      for (let i = chain.length - 1; i >= 0; i--) {
        const c = chain[i]!;
        const parentId = c.parent === null ? -1 : ids.get(c.parent)!;
        ids.set(c, nodes.length);
        nodes.push([parentId, c.v, c.pos, c.excluded ? 1 : 0]);
      }
      return ids.get(n)!;
    };
    const attempts = this.attempts.map((a) => ({
      start: a.start,
      startTs: a.startTs,
      threads: a.pcs.map((pc, i): [number, number] => [pc, idOf(a.nodes[i]!)]),
      parked:
        a.parked === null ? [] : [...a.parked.entries()].map(([i, l]): [number, number[]] => [i, [...l]]),
      best: a.best === null ? -1 : idOf(a.best),
      timedOut: a.timedOut === null ? -1 : idOf(a.timedOut),
    }));
    return { nextPos: this.nextPos, nextStart: this.nextStart, finished: this.finished, nodes, attempts };
  }

  static restore(rt: MatchRuntime, store: RowStore, sink: MatchSink, s: MatcherSnapshot): Matcher {
    const m = new Matcher(rt, store, sink);
    m.nextPos = s.nextPos;
    m.nextStart = s.nextStart;
    m.finished = s.finished;
    const nodes: Assignment[] = [];
    for (const [parentId, v, pos, excl] of s.nodes)
      nodes.push(parentId < 0 ? m.w.root : rt.factory.restore(nodes[parentId]!, v, pos, excl === 1));
    m.attempts = s.attempts.map((x) => {
      const a = new Attempt();
      a.reset(x.start, x.startTs);
      for (const [pc, id] of x.threads) {
        a.pcs.push(pc);
        a.nodes.push(nodes[id]!);
      }
      a.parked = x.parked.length === 0 ? null : new Map(x.parked.map(([i, l]) => [i, [...l]]));
      a.best = x.best < 0 ? null : nodes[x.best]!;
      a.timedOut = x.timedOut < 0 ? null : nodes[x.timedOut]!;
      return a;
    });
    return m;
  }
}
