import { describe, expect, it } from 'vitest';
import { type Row, RowKind } from '../../../operators/api.ts';
import {
  EventTimeTemporalJoin,
  type EventTimeTemporalJoinOptions,
} from '../../../operators/temporal/event-time-temporal-join.ts';
import { CollectingCollector, OperatorHarness } from '../../../operators/testing/harness.ts';

const LEFT = 0;
const RIGHT = 1;
const at = (h: number, m: number, s = 0) => Date.UTC(2026, 0, 5, h, m, s);

// Simple layout used by most tests: left [key, ts, v], right [key, ts, v].
function simple(over: Partial<EventTimeTemporalJoinOptions> = {}): EventTimeTemporalJoin {
  return new EventTimeTemporalJoin({
    joinType: 'INNER',
    leftKeys: [0],
    rightKeys: [0],
    leftTimeIndex: 1,
    rightTimeIndex: 1,
    leftArity: 3,
    rightArity: 3,
    ...over,
  });
}

function harness(op: EventTimeTemporalJoin): OperatorHarness {
  return new OperatorHarness(op, { inputs: 2 });
}

describe('EventTimeTemporalJoin: examples from Flink documentation', () => {
  it('converts orders with the rate valid at each order time (Orders / RatesHistory)', () => {
    // Orders(rowtime, amount, currency); RatesHistory(rowtime, currency, rate), keyed by currency.
    const op = new EventTimeTemporalJoin({
      joinType: 'INNER',
      leftKeys: [2],
      rightKeys: [1],
      leftTimeIndex: 0,
      rightTimeIndex: 0,
      leftArity: 3,
      rightArity: 3,
    });
    const h = harness(op);
    const rates: Row[] = [
      [at(9, 0), 'US Dollar', 102],
      [at(9, 0), 'Euro', 114],
      [at(9, 0), 'Yen', 1],
      [at(10, 45), 'Euro', 116],
      [at(11, 15), 'Euro', 119],
      [at(11, 49), 'Pounds', 108],
    ];
    const orders: Row[] = [
      [at(10, 15), 2, 'Euro'],
      [at(10, 30), 1, 'US Dollar'],
      [at(10, 32), 50, 'Yen'],
      [at(10, 52), 3, 'Euro'],
      [at(11, 4), 5, 'US Dollar'],
    ];
    // Orders arrive first; the rates table catches up; then both watermarks end the input.
    for (const o of orders) h.insert(o, LEFT);
    h.watermark(at(11, 4), LEFT);
    expect(h.output).toEqual([]); // the right side's watermark has not moved: orders wait
    for (const r of rates)
      h.push(r[1] === 'Euro' && r[0] !== at(9, 0) ? RowKind.UPDATE_AFTER : RowKind.INSERT, r, RIGHT);
    h.endAll();
    const converted = h.output.map((c) => [c.row[2], (c.row[1] as number) * (c.row[5] as number)]);
    expect(converted).toEqual([
      ['Euro', 228],
      ['US Dollar', 102],
      ['Yen', 50],
      ['Euro', 348],
      ['US Dollar', 510],
    ]);
    expect(converted.reduce((s, [, v]) => s + (v as number), 0)).toBe(1238);
    expect(h.output.every((c) => c.kind === RowKind.INSERT)).toBe(true);
    expect(h.stateSize()).toBe(0);
    expect(h.ended).toBe(true);
  });

  it('LEFT JOIN against the product changelog gives the documented rows (deleted product: NULLs)', () => {
    // orders(order_id, order_time, product_id); product_changelog(product_id, name, price, update_time)
    const op = new EventTimeTemporalJoin({
      joinType: 'LEFT',
      leftKeys: [2],
      rightKeys: [0],
      leftTimeIndex: 1,
      rightTimeIndex: 3,
      leftArity: 3,
      rightArity: 4,
    });
    const h = harness(op);
    h.pushAll(
      [
        ['+I', ['p_001', 'scooter', 11.11, at(0, 1)]],
        ['+I', ['p_002', 'basketball', 23.11, at(0, 2)]],
        ['-U', ['p_001', 'scooter', 11.11, at(12, 0)]],
        ['+U', ['p_001', 'scooter', 12.99, at(12, 0)]],
        ['-U', ['p_002', 'basketball', 23.11, at(12, 0)]],
        ['+U', ['p_002', 'basketball', 19.99, at(12, 0)]],
        ['-D', ['p_001', 'scooter', 12.99, at(18, 0)]],
      ],
      RIGHT,
    );
    h.insert(['o_001', at(0, 1), 'p_001'], LEFT)
      .insert(['o_002', at(0, 3), 'p_002'], LEFT)
      .insert(['o_003', at(12, 0), 'p_001'], LEFT)
      .insert(['o_004', at(12, 0), 'p_002'], LEFT)
      .insert(['o_005', at(18, 0), 'p_001'], LEFT);
    h.endAll();
    // SELECT order_id, order_time, name, update_time, price
    const shown = h.output.map((c) => [c.row[0], c.row[1], c.row[4], c.row[6], c.row[5]]);
    expect(shown).toEqual([
      ['o_001', at(0, 1), 'scooter', at(0, 1), 11.11],
      ['o_002', at(0, 3), 'basketball', at(0, 2), 23.11],
      ['o_003', at(12, 0), 'scooter', at(12, 0), 12.99],
      ['o_004', at(12, 0), 'basketball', at(12, 0), 19.99],
      ['o_005', at(18, 0), null, null, null],
    ]);
    expect(h.output.every((c) => c.kind === RowKind.INSERT)).toBe(true);
  });
});

describe('EventTimeTemporalJoin: semantics', () => {
  it('uses versions that arrive after the left row but within the watermark delay', () => {
    const h = harness(simple());
    h.insert(['a', 100, 'order'], LEFT);
    h.insert(['a', 50, 'v50'], RIGHT);
    h.watermark(100, LEFT).watermark(80, RIGHT);
    expect(h.output).toEqual([]); // combined watermark 80 < 100
    h.insert(['a', 95, 'v95'], RIGHT); // arrives late in wall-clock terms, but before the watermark
    h.insert(['a', 101, 'v101'], RIGHT); // after the order: not its version
    h.watermark(100, RIGHT);
    expect(h.takeFormatted()).toEqual(['+I[a, 100, order, a, 95, v95]']);
    expect(h.watermarks).toEqual([80, 100]);
  });

  it('emits left rows in time order once the combined watermark passes them', () => {
    const h = harness(simple({ joinType: 'LEFT' }));
    h.insert(['a', 30, 'x'], LEFT).insert(['a', 10, 'y'], LEFT).insert(['a', 20, 'z'], LEFT);
    h.insert(['a', 15, 'v'], RIGHT);
    h.watermark(20, LEFT).watermark(25, RIGHT);
    expect(h.takeFormatted()).toEqual(['+I[a, 10, y, NULL, NULL, NULL]', '+I[a, 20, z, a, 15, v]']);
    h.watermark(40, LEFT).watermark(40, RIGHT);
    expect(h.takeFormatted()).toEqual(['+I[a, 30, x, a, 15, v]']);
  });

  it('a deleted key matches nothing until it is inserted again', () => {
    const inner = harness(simple());
    const left = harness(simple({ joinType: 'LEFT' }));
    for (const h of [inner, left]) {
      h.insert(['k', 10, 'v1'], RIGHT);
      h.delete(['k', 20, 'v1'], RIGHT);
      h.insert(['k', 30, 'v2'], RIGHT);
      for (const t of [9, 10, 19, 20, 29, 30, 99]) h.insert(['k', t, `o${t}`], LEFT);
      h.endAll();
    }
    expect(inner.formatted()).toEqual([
      '+I[k, 10, o10, k, 10, v1]',
      '+I[k, 19, o19, k, 10, v1]',
      '+I[k, 30, o30, k, 30, v2]',
      '+I[k, 99, o99, k, 30, v2]',
    ]);
    expect(left.formatted()).toEqual([
      '+I[k, 9, o9, NULL, NULL, NULL]',
      '+I[k, 10, o10, k, 10, v1]',
      '+I[k, 19, o19, k, 10, v1]',
      '+I[k, 20, o20, NULL, NULL, NULL]',
      '+I[k, 29, o29, NULL, NULL, NULL]',
      '+I[k, 30, o30, k, 30, v2]',
      '+I[k, 99, o99, k, 30, v2]',
    ]);
  });

  it("a -U carrying the old row's time (versioned view over deduplication) does not hide the key", () => {
    const h = harness(simple({ joinType: 'LEFT' }));
    h.insert(['k', 10, 'a'], RIGHT);
    h.push(RowKind.UPDATE_BEFORE, ['k', 10, 'a'], RIGHT);
    h.push(RowKind.UPDATE_AFTER, ['k', 30, 'b'], RIGHT);
    h.insert(['k', 20, 'o20'], LEFT).insert(['k', 30, 'o30'], LEFT);
    h.watermark(25, LEFT).watermark(25, RIGHT);
    // A -U carrying an old time far behind the watermark is not late: a -U changes no version.
    h.push(RowKind.UPDATE_BEFORE, ['k', 10, 'a'], RIGHT);
    h.push(RowKind.UPDATE_AFTER, ['k', 40, 'c'], RIGHT);
    h.insert(['k', 45, 'o45'], LEFT);
    h.endAll();
    expect(h.ctx.metrics.get('numLateRecordsDropped')).toBeUndefined();
    expect(h.formatted()).toEqual([
      '+I[k, 20, o20, k, 10, a]',
      '+I[k, 30, o30, k, 30, b]',
      '+I[k, 45, o45, k, 40, c]',
    ]);
  });

  it('a deletion that arrives before the version it ends still ends it', () => {
    const h = harness(simple({ joinType: 'LEFT' }));
    h.delete(['k', 20, 'v1'], RIGHT);
    h.insert(['k', 10, 'v1'], RIGHT);
    h.insert(['k', 15, 'o15'], LEFT).insert(['k', 25, 'o25'], LEFT);
    h.endAll();
    expect(h.formatted()).toEqual(['+I[k, 15, o15, k, 10, v1]', '+I[k, 25, o25, NULL, NULL, NULL]']);
  });

  it('of many versions at one timestamp, the one received last wins, whatever arrives in between', () => {
    const h = harness(simple());
    h.insert(['k', 50, 'first'], RIGHT);
    h.insert(['k', 60, 'later'], RIGHT);
    h.insert(['k', 50, 'second'], RIGHT);
    h.push(RowKind.UPDATE_BEFORE, ['k', 50, 'second'], RIGHT);
    h.push(RowKind.UPDATE_AFTER, ['k', 50, 'third'], RIGHT);
    h.insert(['k', 50, 'o50'], LEFT).insert(['k', 59, 'o59'], LEFT).insert(['k', 60, 'o60'], LEFT);
    h.endAll();
    expect(h.formatted()).toEqual([
      '+I[k, 50, o50, k, 50, third]',
      '+I[k, 59, o59, k, 50, third]',
      '+I[k, 60, o60, k, 60, later]',
    ]);
  });

  it('LEFT pads missing keys, NULL keys and versions the residual rejects; INNER drops them', () => {
    const residual = (l: Row, r: Row) =>
      l[2] === null || r[2] === null ? null : (l[2] as number) <= (r[2] as number);
    const inner = harness(simple({ residual }));
    const left = harness(simple({ joinType: 'LEFT', residual }));
    for (const h of [inner, left]) {
      h.insert(['a', 1, 10], RIGHT).insert([null, 1, 10], RIGHT);
      expect(h.ctx.metrics.get('numNullKeyVersionsDropped')).toBe(1);
      expect(h.stateSize()).toBe(2); // a's version and its cleanup timer
      h.insert(['a', 5, 5], LEFT); // 5 <= 10: match
      h.insert(['a', 6, 50], LEFT); // residual false
      h.insert(['a', 7, null], LEFT); // residual NULL: not a match
      h.insert(['b', 8, 1], LEFT); // no such key
      h.insert([null, 9, 1], LEFT); // NULL never equals NULL
      h.endAll();
    }
    expect(inner.formatted()).toEqual(['+I[a, 5, 5, a, 1, 10]']);
    expect(left.formatted()).toEqual([
      '+I[a, 5, 5, a, 1, 10]',
      '+I[a, 6, 50, NULL, NULL, NULL]',
      '+I[a, 7, NULL, NULL, NULL, NULL]',
      '+I[b, 8, 1, NULL, NULL, NULL]',
      '+I[NULL, 9, 1, NULL, NULL, NULL]',
    ]);
  });

  it('left retractions flow through as retractions of what the row produced', () => {
    const h = harness(simple({ joinType: 'LEFT' }));
    h.insert(['a', 10, 'v10'], RIGHT);
    h.insert(['a', 20, 'o1'], LEFT).insert(['zz', 20, 'o2'], LEFT);
    h.watermark(25, LEFT).watermark(25, RIGHT);
    expect(h.takeFormatted()).toEqual(['+I[a, 20, o1, a, 10, v10]', '+I[zz, 20, o2, NULL, NULL, NULL]']);
    // The left side updates o1 (old and new row both at time 30) and deletes the unmatched row.
    h.insert(['a', 30, 'v30'], RIGHT);
    h.push(RowKind.UPDATE_BEFORE, ['a', 30, 'o1'], LEFT);
    h.push(RowKind.UPDATE_AFTER, ['a', 30, 'o1b'], LEFT);
    h.delete(['zz', 30, 'o2'], LEFT);
    h.endAll();
    expect(h.takeFormatted()).toEqual([
      '-U[a, 30, o1, a, 30, v30]',
      '+U[a, 30, o1b, a, 30, v30]',
      '-D[zz, 30, o2, NULL, NULL, NULL]',
    ]);
  });

  it('counts late rows of either side, or sends them to the side outputs', () => {
    const h = harness(simple());
    h.watermark(100, LEFT).watermark(100, RIGHT);
    h.insert(['a', 100, 'late-left'], LEFT).insert(['a', 50, 'late-right'], RIGHT);
    h.insert(['a', null, 'no time'], LEFT);
    expect(h.ctx.metrics.get('numLateRecordsDropped')).toBe(2);
    expect(h.ctx.metrics.get('numNullRowtimeRecordsDropped')).toBe(1);
    expect(h.stateSize()).toBe(0);

    const lateLeft = new CollectingCollector();
    const lateRight = new CollectingCollector();
    const h2 = harness(simple({ lateOutputs: [lateLeft, lateRight] }));
    h2.watermark(100, LEFT).watermark(100, RIGHT);
    h2.insert(['a', 99, 'l'], LEFT).insert(['a', 100, 'r'], RIGHT);
    expect(lateLeft.changes.map((c) => c.row)).toEqual([['a', 99, 'l']]);
    expect(lateRight.changes.map((c) => c.row)).toEqual([['a', 100, 'r']]);
    expect(h2.ctx.metrics.get('numLateRecordsDropped')).toBeUndefined();
  });

  it('joins on composite keys', () => {
    const op = new EventTimeTemporalJoin({
      joinType: 'INNER',
      leftKeys: [0, 1],
      rightKeys: [1, 0],
      leftTimeIndex: 2,
      rightTimeIndex: 2,
      leftArity: 3,
      rightArity: 4,
    });
    const h = harness(op);
    h.insert([2, 'x', 1, 'r'], RIGHT).insert(['x', 2, 1, 's'], RIGHT);
    h.insert(['x', 2, 5], LEFT).insert([2, 'x', 5], LEFT);
    h.endAll();
    // (x, 2) on the left pairs with right[1] = x, right[0] = 2, and the other way round.
    expect(h.formatted()).toEqual(['+I[x, 2, 5, 2, x, 1, r]', '+I[2, x, 5, x, 2, 1, s]']);
  });

  it('rejects key lists that do not pair up and join types it cannot run', () => {
    expect(() => simple({ leftKeys: [0, 1] })).toThrow(
      expect.objectContaining({ code: 'JOIN_KEY_MISMATCH' }),
    );
    expect(() => simple({ leftKeys: [], rightKeys: [] })).toThrow(
      expect.objectContaining({ code: 'JOIN_KEY_MISMATCH', phase: 'plan' }),
    );
    expect(() => simple({ joinType: 'RIGHT' as 'LEFT' })).toThrow(
      expect.objectContaining({ code: 'TEMPORAL_JOIN_TYPE' }),
    );
  });
});

describe('EventTimeTemporalJoin: state', () => {
  it('keeps exactly the version in force at the watermark and later ones', () => {
    const op = simple();
    const h = harness(op);
    for (const t of [10, 20, 30, 40]) h.insert(['a', t, `v${t}`], RIGHT);
    h.insert(['b', 10, 'b10'], RIGHT).delete(['b', 15, 'b10'], RIGHT);
    expect(op.retainedVersions()).toBe(6);
    h.watermark(25, LEFT).watermark(25, RIGHT);
    // a: v20 (in force at 25), v30, v40; b: deleted at 15, nothing left to match.
    expect(op.retainedVersions()).toBe(3);
    h.insert(['a', 26, 'o'], LEFT).insert(['b', 26, 'o'], LEFT);
    h.watermark(35, LEFT).watermark(35, RIGHT);
    expect(h.takeFormatted()).toEqual(['+I[a, 26, o, a, 20, v20]']);
    expect(op.retainedVersions()).toBe(2);
    h.endAll();
    expect(h.stateSize()).toBe(0);
  });

  it('still answers a left row just after the watermark with the version in force then', () => {
    const op = simple();
    const h = harness(op);
    h.insert(['a', 10, 'v10'], RIGHT).insert(['a', 12, 'v12'], RIGHT);
    h.watermark(10, LEFT).watermark(10, RIGHT);
    expect(op.retainedVersions()).toBe(2); // v10 is still in force at 11
    h.insert(['a', 11, 'o11'], LEFT).insert(['a', 12, 'o12'], LEFT);
    h.watermark(12, LEFT).watermark(12, RIGHT);
    expect(h.takeFormatted()).toEqual(['+I[a, 11, o11, a, 10, v10]', '+I[a, 12, o12, a, 12, v12]']);
    expect(op.retainedVersions()).toBe(1);
  });

  it('state stays flat over a long stream while the watermark advances', () => {
    const h = harness(simple({ joinType: 'LEFT' }));
    const sizes: number[] = [];
    let emitted = 0;
    for (let step = 0; step < 2000; step++) {
      const t = step * 10;
      for (let k = 0; k < 20; k++) {
        if (step % 5 === k % 5) h.insert([`k${k}`, t + 3, step], RIGHT);
        if (step % 97 === k) h.delete([`k${k}`, t + 4, step], RIGHT);
        h.insert([`k${k}`, t + (k % 7), step], LEFT);
      }
      h.watermark(t - 20, LEFT).watermark(t - 15, RIGHT);
      emitted += h.take().length;
      if (step >= 100) sizes.push(h.stateSize());
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(Math.min(...sizes) + 40);
    expect(Math.max(...sizes)).toBeLessThan(200);
    h.endAll();
    emitted += h.take().length;
    expect(emitted).toBe(2000 * 20);
    expect(h.stateSize()).toBe(0);
  });

  it('snapshot and restore mid-stream give the same output as an uninterrupted run', () => {
    const script = (h: OperatorHarness, from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const t = i * 7;
        h.insert([`k${i % 4}`, t + (i % 5), i], RIGHT);
        if (i % 11 === 0) h.delete([`k${(i + 1) % 4}`, t + 2, i], RIGHT);
        h.insert([`k${(i * 3) % 5}`, t + ((i * 13) % 17), i], LEFT);
        if (i % 3 === 0) h.watermark(t - 10, LEFT);
        if (i % 4 === 0) h.watermark(t - 12, RIGHT);
      }
    };
    const whole = harness(simple({ joinType: 'LEFT' }));
    script(whole, 0, 300);
    whole.endAll();

    const first = harness(simple({ joinType: 'LEFT' }));
    script(first, 0, 137);
    const snap = first.snapshot();
    const upToSnapshot = first.formatted();
    expect(first.stateSize()).toBeGreaterThan(0);
    script(first, 137, 150); // work after the snapshot is lost with the failed instance

    const fresh = simple({ joinType: 'LEFT' });
    const restored = new OperatorHarness(fresh, { inputs: 2, open: false });
    fresh.restore(snap);
    fresh.open(restored.ctx, restored.out);
    script(restored, 137, 300);
    restored.endAll();
    expect([...upToSnapshot, ...restored.formatted()]).toEqual(whole.formatted());
  });
});
