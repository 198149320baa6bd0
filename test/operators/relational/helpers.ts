/**
 * Test-only helpers: simple retractable aggregate functions (the built-ins live elsewhere) and a
 * generator of valid random changelogs with the live multiset they leave behind.
 */
import fc from 'fast-check';
import type { AggregateFunction, Row, Value } from '../../../operators/api.ts';
import { RowKind } from '../../../operators/api.ts';
import { encodeKey } from '../../../operators/state.ts';
import type { Change } from '../../../operators/testing/harness.ts';

/** COUNT(*) (no arguments) or COUNT(x) (NULLs not counted). */
export const countFn: AggregateFunction<{ n: number }, number> = {
  create: () => ({ n: 0 }),
  accumulate: (acc, ...args) => {
    if (args.length === 0 || args[0] !== null) acc.n++;
    return acc;
  },
  retract: (acc, ...args) => {
    if (args.length === 0 || args[0] !== null) acc.n--;
    return acc;
  },
  getValue: (acc) => acc.n,
};

/** SUM(x) over numbers: NULL when no non-NULL value is aggregated. */
export const sumFn: AggregateFunction<{ sum: number; n: number }, number | null> = {
  create: () => ({ sum: 0, n: 0 }),
  accumulate: (acc, x) => {
    if (x !== null) {
      acc.sum += x as number;
      acc.n++;
    }
    return acc;
  },
  retract: (acc, x) => {
    if (x !== null) {
      acc.sum -= x as number;
      acc.n--;
    }
    return acc;
  },
  getValue: (acc) => (acc.n === 0 ? null : acc.sum),
};

/** MIN(x) over numbers, retractable through a value -> count map. */
export const minFn: AggregateFunction<Map<number, number>, number | null> = {
  create: () => new Map(),
  accumulate: (acc, x) => {
    if (x !== null) acc.set(x as number, (acc.get(x as number) ?? 0) + 1);
    return acc;
  },
  retract: (acc, x) => {
    if (x === null) return acc;
    const c = acc.get(x as number) ?? 0;
    if (c <= 1) acc.delete(x as number);
    else acc.set(x as number, c - 1);
    return acc;
  },
  getValue: (acc) => (acc.size === 0 ? null : Math.min(...acc.keys())),
};

/** An aggregate without retract, to check the error on update streams. */
export const appendOnlyCountFn: AggregateFunction<{ n: number }, number> = {
  create: () => ({ n: 0 }),
  accumulate: (acc) => {
    acc.n++;
    return acc;
  },
  getValue: (acc) => acc.n,
};

/** A multiset of rows, keyed canonically. */
export class Multiset {
  private readonly m = new Map<string, { row: Row; n: number }>();
  add(row: Row): void {
    const k = encodeKey(row);
    const e = this.m.get(k);
    if (e) e.n++;
    else this.m.set(k, { row, n: 1 });
  }
  remove(row: Row): void {
    const k = encodeKey(row);
    const e = this.m.get(k);
    if (!e) throw new Error('test bug: removing an absent row');
    if (--e.n === 0) this.m.delete(k);
  }
  rows(): Row[] {
    const out: Row[] = [];
    for (const { row, n } of this.m.values()) for (let i = 0; i < n; i++) out.push(row);
    return out;
  }
  count(row: Row): number {
    return this.m.get(encodeKey(row))?.n ?? 0;
  }
  get size(): number {
    let n = 0;
    for (const e of this.m.values()) n += e.n;
    return n;
  }
}

/** One step of a random changelog: insert a row, delete a live row, or update a live row to a new one. */
export interface Step {
  readonly op: 'ins' | 'del' | 'upd';
  readonly row: Row;
  readonly pick: number;
  readonly input: number;
}

export function stepArb(rowArb: fc.Arbitrary<Row>, inputs = 1): fc.Arbitrary<Step> {
  return fc.record({
    op: fc.constantFrom<Step['op']>('ins', 'ins', 'del', 'upd'),
    row: rowArb,
    pick: fc.nat(),
    input: fc.integer({ min: 0, max: inputs - 1 }),
  });
}

/**
 * Turns steps into a valid changelog per input (a delete or update picks an existing live row), and
 * returns the changes tagged with their input plus the live multiset of each input at the end.
 */
export function toChangelog(
  steps: readonly Step[],
  inputs = 1,
): { changes: (Change & { input: number })[]; live: Multiset[] } {
  const live = Array.from({ length: inputs }, () => new Multiset());
  const liveLists: Row[][] = Array.from({ length: inputs }, () => []);
  const changes: (Change & { input: number })[] = [];
  for (const s of steps) {
    const list = liveLists[s.input] as Row[];
    const set = live[s.input] as Multiset;
    if (s.op === 'ins' || list.length === 0) {
      list.push(s.row);
      set.add(s.row);
      changes.push({ kind: RowKind.INSERT, row: s.row, input: s.input });
      continue;
    }
    const i = s.pick % list.length;
    const old = list[i] as Row;
    list.splice(i, 1);
    set.remove(old);
    if (s.op === 'del') {
      changes.push({ kind: RowKind.DELETE, row: old, input: s.input });
    } else {
      changes.push({ kind: RowKind.UPDATE_BEFORE, row: old, input: s.input });
      list.push(s.row);
      set.add(s.row);
      changes.push({ kind: RowKind.UPDATE_AFTER, row: s.row, input: s.input });
    }
  }
  return { changes, live };
}

/** Changes retracting every row of each live multiset. */
export function retractAll(live: readonly Multiset[]): (Change & { input: number })[] {
  const out: (Change & { input: number })[] = [];
  live.forEach((m, input) => {
    for (const row of m.rows()) out.push({ kind: RowKind.DELETE, row, input });
  });
  return out;
}

/** Small values with NULLs, so that keys collide and NULL handling is exercised. */
export const smallValue: fc.Arbitrary<Value> = fc.oneof(fc.constant(null), fc.integer({ min: -2, max: 3 }));
export const smallKey: fc.Arbitrary<Value> = fc.oneof(fc.constant(null), fc.constantFrom('a', 'b', 'c'));
