/**
 * The match context DEFINE conditions run against: one thread's row assignment (a shared
 * `Assignment` list) plus the row being classified, tentatively mapped to the variable being defined.
 * Semantics are always RUNNING (the standard allows nothing else in DEFINE). One instance per
 * operator is re-aimed before each evaluation, so classifying a row allocates nothing.
 */
import { InternalError, RivuletError } from '../../common/errors.ts';
import type { Row, Value } from '../api.ts';
import type { Assignment } from './assignment.ts';
import type { RowStore } from './row-store.ts';
import {
  type AggregateCall,
  aggregateRows,
  type MatchContext,
  type RowRef,
  type Semantics,
  type VarRef,
} from './spec.ts';
import type { VariableSets } from './variables.ts';

export class DefineContext implements MatchContext {
  private readonly vars: VariableSets;
  store!: RowStore;
  /** The assignment before the current row. */
  node!: Assignment;
  /** The variable being tried for the current row. */
  v = 0;
  /** The row being classified. */
  pos = 0;
  /** The first row of the attempt. */
  start = 0;
  /** Rows from this position on exist only after the partition ended (maxLookahead). */
  private lookahead: number;

  constructor(vars: VariableSets, lookahead: number) {
    this.vars = vars;
    this.lookahead = lookahead;
  }

  aim(store: RowStore, node: Assignment, v: number, pos: number, start: number): this {
    this.store = store;
    this.node = node;
    this.v = v;
    this.pos = pos;
    this.start = start;
    return this;
  }

  current(): RowRef | null {
    return this.pos;
  }

  nav(variable: VarRef, which: 'FIRST' | 'LAST', offset: number, _semantics?: Semantics): RowRef | null {
    if (offset < 0) return null;
    if (variable === null) {
      const r = which === 'FIRST' ? this.start + offset : this.pos - offset;
      return r >= this.start && r <= this.pos ? r : null;
    }
    if (variable < this.vars.primaryCount) {
      const before = this.node.lasts[variable] ?? null;
      const tentative = variable === this.v;
      if (which === 'LAST') {
        let k = offset;
        if (tentative) {
          if (k === 0) return this.pos;
          k--;
        }
        let n = before;
        while (n !== null && k > 0) {
          n = n.prevSame;
          k--;
        }
        return n === null ? null : n.pos;
      }
      const countBefore = before === null ? 0 : before.countSame;
      if (offset >= countBefore + (tentative ? 1 : 0)) return null;
      if (offset === countBefore) return this.pos;
      if (offset === 0) return before!.firstSame!.pos;
      let n = before!;
      for (let steps = countBefore - 1 - offset; steps > 0; steps--) n = n.prevSame!;
      return n.pos;
    }
    const list = this.rows(variable);
    const i = which === 'FIRST' ? offset : list.length - 1 - offset;
    return i >= 0 && i < list.length ? list[i]! : null;
  }

  physical(ref: RowRef | null, offset: number): RowRef | null {
    if (ref === null) return null;
    const r = ref + offset;
    if (r < 0) return null;
    const store = this.store;
    if (r >= store.count) {
      if (store.ended) return null;
      throw new InternalError(
        `NEXT reached row ${r} before it was known (maxLookahead ${this.lookahead} is too small for the plan)`,
      );
    }
    return r;
  }

  row(ref: RowRef | null): Row | null {
    return ref === null ? null : this.store.get(ref);
  }

  get(ref: RowRef | null, column: number): Value {
    return ref === null ? null : this.store.get(ref)[column];
  }

  rows(variable: VarRef, _semantics?: Semantics): RowRef[] {
    const out: RowRef[] = [];
    if (variable === null) {
      for (let r = this.start; r <= this.pos; r++) out.push(r);
      return out;
    }
    const member = this.vars.members[variable]!;
    if (member[this.v] === 1) out.push(this.pos);
    if (variable < this.vars.primaryCount) {
      for (let n = this.node.lasts[variable] ?? null; n !== null; n = n.prevSame) out.push(n.pos);
    } else {
      for (let n: Assignment | null = this.node; n !== null && n.parent !== null; n = n.parent)
        if (member[n.v] === 1) out.push(n.pos);
    }
    return out.reverse();
  }

  count(variable: VarRef, _semantics?: Semantics): number {
    if (variable === null) return this.pos - this.start + 1;
    const member = this.vars.members[variable]!;
    let c = member[this.v] === 1 ? 1 : 0;
    const lasts = this.node.lasts;
    for (let v = 0; v < this.vars.primaryCount; v++) {
      if (member[v] === 1) {
        const n = lasts[v];
        if (n) c += n.countSame;
      }
    }
    return c;
  }

  classifier(ref: RowRef | null = this.pos): string | null {
    if (ref === null || ref < this.start || ref > this.pos) return null;
    if (ref === this.pos) return this.vars.names[this.v]!;
    let n: Assignment = this.node;
    while (n.pos > ref) n = n.parent!;
    return this.vars.names[n.v]!;
  }

  matchNumber(): number {
    throw new RivuletError(
      'runtime',
      'MATCH_NUMBER_IN_DEFINE',
      'MATCH_NUMBER() cannot be used in DEFINE: a row is classified before the match it belongs to is numbered',
    );
  }

  aggregate(call: AggregateCall): Value {
    return aggregateRows(this, call);
  }

  rowtime(ref: RowRef | null): number | null {
    return ref === null ? null : this.store.rowtime(ref);
  }
}
