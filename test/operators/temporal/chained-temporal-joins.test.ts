import { describe, expect, it } from 'vitest';
import type { Collector } from '../../../operators/api.ts';
import { EventTimeTemporalJoin } from '../../../operators/temporal/event-time-temporal-join.ts';
import { CollectingCollector, formatChange, TestContext } from '../../../operators/testing/harness.ts';

describe('two event-time temporal joins in a row', () => {
  it('the first join forwards a watermark the second can rely on, and both honour late versions', () => {
    // orders [id, currency, country, t] -> rates [currency, rate, t] -> taxes [country, pct, t]
    const rates = new EventTimeTemporalJoin({
      joinType: 'INNER',
      leftKeys: [1],
      rightKeys: [0],
      leftTimeIndex: 3,
      rightTimeIndex: 2,
      leftArity: 4,
      rightArity: 3,
    });
    const taxes = new EventTimeTemporalJoin({
      joinType: 'LEFT',
      leftKeys: [2],
      rightKeys: [0],
      leftTimeIndex: 3, // the order time, carried through the first join
      rightTimeIndex: 2,
      leftArity: 7,
      rightArity: 3,
    });
    const ctx = new TestContext();
    const out = new CollectingCollector();
    taxes.open(ctx, out);
    const intoTaxes: Collector = {
      push: (kind, row) => taxes.process(kind, row, 0),
      watermark: (ts) => taxes.processWatermark(ts, 0),
      end: () => taxes.endInput(0),
    };
    rates.open(ctx, intoTaxes);

    rates.process(0, ['EUR', 1.1, 0], 1);
    taxes.process(0, ['DE', 19, 0], 1);
    rates.process(0, ['o1', 'EUR', 'DE', 100], 0);
    rates.process(0, ['o2', 'EUR', 'FR', 200], 0);
    rates.processWatermark(150, 0);
    rates.processWatermark(150, 1);
    taxes.processWatermark(90, 1);
    expect(out.changes).toEqual([]); // o1 passed the first join but waits for the taxes watermark
    taxes.process(0, ['DE', 7, 95], 1); // a late-arriving tax version, still ahead of the watermark
    taxes.process(0, ['FR', 20, 150], 1);
    rates.process(0, ['EUR', 1.2, 180], 1);
    taxes.processWatermark(300, 1);
    expect(out.changes.map(formatChange)).toEqual(['+I[o1, EUR, DE, 100, EUR, 1.1, 0, DE, 7, 95]']);
    expect(out.watermarks).toEqual([90, 150]);
    for (const input of [0, 1]) {
      rates.processWatermark(Number.POSITIVE_INFINITY, input);
      rates.endInput(input);
    }
    taxes.processWatermark(Number.POSITIVE_INFINITY, 1);
    taxes.endInput(1);
    expect(out.changes.map(formatChange)).toEqual([
      '+I[o1, EUR, DE, 100, EUR, 1.1, 0, DE, 7, 95]',
      '+I[o2, EUR, FR, 200, EUR, 1.2, 180, FR, 20, 150]',
    ]);
    expect(out.watermarks).toEqual([90, 150, 300, Number.POSITIVE_INFINITY]);
    expect(out.endCount).toBe(1);
    expect(rates.stateSize() + taxes.stateSize()).toBe(0);
  });
});
