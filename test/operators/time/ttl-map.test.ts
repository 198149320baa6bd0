import { describe, expect, it } from 'vitest';
import { materializeSnapshot } from '../../../operators/state.ts';
import { TtlMap, type TtlMapEntry } from '../../../operators/time/ttl-map.ts';

describe('TtlMap snapshots', () => {
  it('restores the [key, value, time] entries of snapshots written before copy-on-write', () => {
    const m = new TtlMap<string>(10);
    m.restore([
      ['a', 'x', 0],
      ['b', 'y', 5],
    ]);
    expect([...m.values()]).toEqual(['x', 'y']);
    const expired: string[] = [];
    m.expire(10, (v) => expired.push(v));
    expect(expired).toEqual(['x']);
    expect(m.get('b')).toBe('y');
  });

  it('a key written while a snapshot is written out still expires in write order after restore', () => {
    const m = new TtlMap<string>(10);
    m.set('a', 'old a', 0);
    m.set('b', 'b', 5);
    const snap = m.snapshotDeferred();
    m.set('a', 'new a', 7); // 'a' is displaced: the snapshot lists it after 'b'
    const entries = (materializeSnapshot({ snap }) as { snap: TtlMapEntry<string>[] }).snap;
    expect(entries.map((e) => e[0])).toEqual(['b', 'a']);
    const restored = new TtlMap<string>(10);
    restored.restore(entries);
    const expired: string[] = [];
    restored.expire(10, (v) => expired.push(v));
    expect(expired).toEqual(['old a']); // written at 0: expired, although listed after 'b'
    expect(restored.get('b')).toBe('b');
  });

  it('writing a value back during a snapshot keeps what the snapshot holds (value and write time)', () => {
    const m = new TtlMap<number[]>(10, (v) => v.slice());
    const v = [1];
    m.set('a', v, 0);
    m.set('b', [2], 1);
    const snap = m.snapshotDeferred();
    (m.getForUpdate('a') as number[]).push(2);
    m.set('a', v, 5); // changed in place, written back: its time to live restarts
    m.set('b', m.get('b') as number[], 6); // written back unchanged
    const entries = (materializeSnapshot({ snap }) as { snap: TtlMapEntry<number[]>[] }).snap;
    expect(new Map(entries as [string, unknown][])).toEqual(
      new Map([
        ['a', { v: [1], t: 0 }],
        ['b', { v: [2], t: 1 }],
      ]),
    );
    expect(m.get('a')).toEqual([1, 2]);
    const expired: number[][] = [];
    m.expire(12, (x) => expired.push(x));
    expect(expired).toEqual([]); // both were written again at 5 and 6
  });
});
