/**
 * The match context MEASURES run against: one final match (its rows' labels in order), with a current
 * row that the operator moves along the match for ALL ROWS PER MATCH (RUNNING semantics see the match
 * up to it) and puts on the last row for ONE ROW PER MATCH (RUNNING and FINAL then agree).
 *
 * Logical navigation uses per-variable sorted position lists built lazily once per match; RUNNING
 * aggregates are accumulated incrementally as the current row moves forward (one accumulator per
 * aggregate call site), FINAL ones computed once per match.
 */
import { InternalError } from '../../common/errors.ts';
import type { Row, Value } from '../api.ts';
import type { RowStore } from './row-store.ts';
import type { AggregateCall, MatchContext, RowRef, Semantics, VarRef } from './spec.ts';
import type { VariableSets } from './variables.ts';

interface AggState {
  serial: number;
  acc: unknown;
  /** Last position accumulated (RUNNING) */
  upTo: number;
  /** FINAL value, once computed for this match. */
  done: boolean;
  value: Value;
}

export class MeasureContext implements MatchContext {
  private readonly vars: VariableSets;
  private store!: RowStore;
  private start = 0;
  /** One past the last row of the match. */
  private end = 0;
  private labels: Int32Array = new Int32Array(0);
  private number = 0;
  /** The current row; -1 in an empty match. */
  private tip = -1;
  /** Bumped per match, so cached lists and accumulators of the previous match are ignored. */
  private serial = 0;
  private lists: (number[] | undefined)[] = [];
  private readonly aggs = new Map<AggregateCall, AggState>();

  constructor(vars: VariableSets) {
    this.vars = vars;
  }

  /** Aims the context at a match of rows [start, end) with the given labels. */
  reset(store: RowStore, start: number, end: number, labels: Int32Array, matchNumber: number): void {
    this.store = store;
    this.start = start;
    this.end = end;
    this.labels = labels;
    this.number = matchNumber;
    this.tip = end > start ? end - 1 : -1;
    this.serial++;
    this.lists = [];
  }

  /** Moves the current row (ALL ROWS PER MATCH); rows must be visited in order for running aggregates. */
  setCurrent(pos: number): void {
    if (pos < this.start || pos >= this.end) throw new InternalError(`row ${pos} is outside the match`);
    this.tip = pos;
  }

  private limit(semantics: Semantics | undefined): number {
    return semantics === 'FINAL' ? this.end - 1 : this.tip;
  }

  private positions(variable: number): number[] {
    let list = this.lists[variable];
    if (list === undefined) {
      list = [];
      const member = this.vars.members[variable]!;
      const labels = this.labels;
      for (let i = 0; i < labels.length; i++) if (member[labels[i]!] === 1) list.push(this.start + i);
      this.lists[variable] = list;
    }
    return list;
  }

  current(): RowRef | null {
    return this.tip < 0 ? null : this.tip;
  }

  nav(variable: VarRef, which: 'FIRST' | 'LAST', offset: number, semantics?: Semantics): RowRef | null {
    if (this.tip < 0 || offset < 0) return null;
    const limit = this.limit(semantics);
    if (variable === null) {
      const r = which === 'FIRST' ? this.start + offset : limit - offset;
      return r >= this.start && r <= limit ? r : null;
    }
    const list = this.positions(variable);
    if (which === 'FIRST') {
      const r = list[offset];
      return r !== undefined && r <= limit ? r : null;
    }
    const i = upperBound(list, limit) - 1 - offset;
    return i >= 0 ? list[i]! : null;
  }

  physical(ref: RowRef | null, offset: number): RowRef | null {
    if (ref === null) return null;
    const r = ref + offset;
    if (r < 0 || r >= this.store.count) return null;
    return r;
  }

  row(ref: RowRef | null): Row | null {
    return ref === null ? null : this.store.get(ref);
  }

  get(ref: RowRef | null, column: number): Value {
    return ref === null ? null : this.store.get(ref)[column];
  }

  rows(variable: VarRef, semantics?: Semantics): RowRef[] {
    if (this.tip < 0) return [];
    const limit = this.limit(semantics);
    if (variable === null) {
      const out: RowRef[] = [];
      for (let r = this.start; r <= limit; r++) out.push(r);
      return out;
    }
    const list = this.positions(variable);
    return list.slice(0, upperBound(list, limit));
  }

  count(variable: VarRef, semantics?: Semantics): number {
    if (this.tip < 0) return 0;
    const limit = this.limit(semantics);
    if (variable === null) return limit - this.start + 1;
    return upperBound(this.positions(variable), limit);
  }

  classifier(ref: RowRef | null = this.current()): string | null {
    if (ref === null || ref < this.start || ref > this.tip) return null;
    return this.vars.names[this.labels[ref - this.start]!]!;
  }

  matchNumber(): number {
    return this.number;
  }

  aggregate(call: AggregateCall): Value {
    let st = this.aggs.get(call);
    if (st === undefined) {
      st = { serial: -1, acc: null, upTo: 0, done: false, value: null };
      this.aggs.set(call, st);
    }
    const fn = call.fn;
    if (st.serial !== this.serial) {
      st.serial = this.serial;
      st.acc = fn.create();
      st.upTo = this.start - 1;
      st.done = false;
    }
    if (this.tip < 0) return fn.getValue(st.acc);
    if (call.semantics === 'FINAL') {
      if (!st.done) {
        // A FINAL aggregate sees the whole match: accumulate into a fresh accumulator once.
        let acc = fn.create();
        for (const r of this.rows(call.variable, 'FINAL')) acc = fn.accumulate(acc, ...call.args(this, r));
        st.value = fn.getValue(acc);
        st.done = true;
      }
      return st.value;
    }
    if (st.upTo > this.tip) {
      // The current row moved backwards (not done by the operator): start over.
      st.acc = fn.create();
      st.upTo = this.start - 1;
    }
    if (st.upTo < this.tip) {
      const member = call.variable === null ? null : this.vars.members[call.variable]!;
      let acc = st.acc;
      for (let r = st.upTo + 1; r <= this.tip; r++) {
        if (member === null || member[this.labels[r - this.start]!] === 1)
          acc = fn.accumulate(acc, ...call.args(this, r));
      }
      st.acc = acc;
      st.upTo = this.tip;
    }
    return fn.getValue(st.acc);
  }

  rowtime(ref: RowRef | null): number | null {
    return ref === null ? null : this.store.rowtime(ref);
  }
}

/** The number of elements of the sorted `list` that are <= x. */
function upperBound(list: readonly number[], x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
