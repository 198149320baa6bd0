import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PendingRows } from '../../../operators/temporal/pending-rows.ts';
import { VersionList } from '../../../operators/temporal/version-list.ts';

describe('VersionList', () => {
  it('answers "in force at t" like a scan of all changes, also after trimming', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ t: fc.integer({ min: 0, max: 30 }), del: fc.boolean() }), { maxLength: 30 }),
        fc.integer({ min: -1, max: 32 }),
        (changes, cutoff) => {
          const list = new VersionList();
          changes.forEach((c, i) => {
            list.add(c.t, c.del ? null : [i]);
          });
          const inForce = (t: number) => {
            let best = -1;
            changes.forEach((c, i) => {
              if (c.t <= t && (best < 0 || c.t >= (changes[best] as { t: number }).t)) best = i;
            });
            return best < 0 || (changes[best] as { del: boolean }).del ? null : [best];
          };
          for (let t = -1; t <= 32; t++) expect(list.at(t)).toEqual(inForce(t));
          const before = list.length;
          const removed = list.trimBefore(cutoff);
          expect(list.length).toBe(before - removed);
          for (let t = cutoff; t <= 32; t++) expect(list.at(t)).toEqual(inForce(t));
          const copy = VersionList.fromData(list.toData());
          for (let t = cutoff; t <= 32; t++) expect(copy.at(t)).toEqual(inForce(t));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('PendingRows', () => {
  it('pops in (time, arrival) order with pushes and pops interleaved, across a snapshot', () => {
    const op = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant('pop' as const));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.nat(80), (ops, cut) => {
        let p = new PendingRows();
        const ref: [number, number][] = [];
        ops.forEach((o, i) => {
          if (i === cut) {
            const d = structuredClone(p.toData());
            p = new PendingRows();
            p.restoreData(d);
          }
          if (o === 'pop') {
            if (ref.length === 0) {
              expect(p.size).toBe(0);
              return;
            }
            ref.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
            const want = ref.shift() as [number, number];
            expect(p.peekTime()).toBe(want[0]);
            expect(p.popRow()).toEqual(want);
          } else {
            p.push(o, 0, [o, i]);
            ref.push([o, i]);
          }
        });
        expect(p.size).toBe(ref.length);
      }),
      { numRuns: 300 },
    );
  });
});
