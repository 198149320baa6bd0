import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DeferredEntries,
  materializeSnapshot,
  type StateKey,
  StateStore,
} from '../../operators/state.ts';

/** A value changed in place, as operators' accumulators are. */
interface Acc {
  n: number;
  seen: number[];
}

type Op =
  | { op: 'set'; map: number; key: number; n: number }
  | { op: 'delete'; map: number; key: number }
  | { op: 'mutate'; map: number; key: number; by: number }
  | { op: 'touch'; map: number; key: number } // delete + set of the same value (state TTL's move to the back)
  | { op: 'clear'; map: number }
  | { op: 'read'; map: number; count: number }; // the checkpoint writer takes `count` entries

const mapArb = fc.integer({ min: 0, max: 1 });
const keyArb = fc.integer({ min: 0, max: 7 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('set' as const), map: mapArb, key: keyArb, n: fc.integer() }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), map: mapArb, key: keyArb }) },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('mutate' as const), map: mapArb, key: keyArb, by: fc.integer() }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('touch' as const), map: mapArb, key: keyArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const), map: mapArb }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('read' as const),
      map: mapArb,
      count: fc.integer({ min: 1, max: 3 }),
    }),
  },
);

function apply(store: StateStore, o: Op): void {
  if (o.op === 'read') return;
  const m = store.map<Acc>(`m${o.map}`);
  switch (o.op) {
    case 'set':
      m.set(o.key, { n: o.n, seen: [o.n] });
      return;
    case 'delete':
      m.delete(o.key);
      return;
    case 'mutate': {
      // Values of either map are changed through map 0, as an operator tells any map of its store.
      const v = m.get(o.key);
      if (v === undefined) return;
      store.map<Acc>('m0').mutating(v);
      v.n += o.by;
      v.seen.push(o.by);
      return;
    }
    case 'touch': {
      const v = m.get(o.key);
      if (v === undefined) return;
      m.delete(o.key);
      m.set(o.key, v);
      return;
    }
    case 'clear':
      m.clear();
      return;
  }
}

const sorted = (entries: [StateKey, unknown][]) => [...entries].sort((a, b) => Number(a[0]) - Number(b[0]));

describe('copy-on-write snapshots of keyed state', () => {
  it('property: a snapshot written out while processing goes on equals a deep copy taken when it began', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 40 }),
        fc.array(opArb, { maxLength: 60 }),
        (before, during) => {
          const store = new StateStore();
          store.map<Acc>('m0');
          store.map<Acc>('m1');
          for (const o of before) apply(store, o);
          const expected = structuredClone(store.snapshot());
          const views = store.snapshotDeferred() as Record<string, DeferredEntries<Acc>>;
          const written: Record<string, [StateKey, Acc][]> = { m0: [], m1: [] };
          const done = new Set<string>();
          const read = (name: string, count: number) => {
            const c = (views[name] as DeferredEntries<Acc>).next(count);
            if (c === null) done.add(name);
            // Copied at once, as the checkpoint writer serializes a chunk before processing resumes.
            else (written[name] as [StateKey, Acc][]).push(...(structuredClone(c) as [StateKey, Acc][]));
          };
          for (const o of during) {
            if (o.op === 'read') read(`m${o.map}`, o.count);
            else apply(store, o);
          }
          for (const name of ['m0', 'm1']) while (!done.has(name)) read(name, 2);
          for (const name of ['m0', 'm1']) {
            (views[name] as DeferredEntries<Acc>).release();
            expect(sorted(written[name] as [StateKey, Acc][])).toEqual(
              sorted(expected[name] as [StateKey, Acc][]),
            );
          }
          // The live state went on as if no snapshot had been taken, and a new snapshot starts afresh.
          const reference = new StateStore();
          for (const o of [...before, ...during]) apply(reference, o);
          const again = materializeSnapshot(store.snapshotDeferred()) as Record<string, [StateKey, Acc][]>;
          for (const name of ['m0', 'm1'])
            expect(sorted(again[name] ?? [])).toEqual(sorted(reference.map<Acc>(name).snapshot()));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('after every view is released, changes in place make no copies', () => {
    const store = new StateStore();
    const m = store.map<Acc>('m', (v) => {
      clones++;
      return structuredClone(v);
    });
    let clones = 0;
    const v = { n: 1, seen: [] };
    m.set(1, v);
    const views = store.snapshotDeferred();
    m.mutating(v);
    m.mutating(v);
    expect(clones).toBe(1); // once per value and snapshot
    expect((views.m as DeferredEntries).next(10)).toEqual([[1, { n: 1, seen: [] }]]);
    (views.m as DeferredEntries).release();
    m.mutating(v);
    expect(clones).toBe(1);
  });

  it('a codec gives values their compact form in deferred snapshots, and restore takes both forms', () => {
    const codec = {
      encode: (v: Acc) => [v.n, v.seen],
      decode: (x: unknown) => (Array.isArray(x) ? { n: x[0] as number, seen: x[1] as number[] } : (x as Acc)),
    };
    const store = new StateStore();
    const m = store.map<Acc>('m', structuredClone, codec);
    m.set('a', { n: 1, seen: [1] });
    m.set('b', { n: 2, seen: [2] });
    const snap = materializeSnapshot(store.snapshotDeferred()) as Record<string, [StateKey, unknown][]>;
    expect(snap.m).toEqual([
      ['a', [1, [1]]],
      ['b', [2, [2]]],
    ]);
    const again = new StateStore();
    const r = again.map<Acc>('m', structuredClone, codec);
    again.restore(snap);
    expect(r.get('b')).toEqual({ n: 2, seen: [2] });
    again.restore({ m: [['c', { n: 3, seen: [] }]] }); // a plain snapshot(), values as they are
    expect(r.get('c')).toEqual({ n: 3, seen: [] });
  });

  it('a view is read at most once, and not after release', () => {
    const store = new StateStore();
    store.map<number>('m').set('a', 1);
    const view = store.snapshotDeferred().m as DeferredEntries;
    expect(view.next(5)).toEqual([['a', 1]]);
    expect(view.next(5)).toBeNull();
    view.release();
    expect(() => view.next(1)).toThrow(/released/);
    expect(() => store.snapshotDeferred()).not.toThrow();
  });
});
