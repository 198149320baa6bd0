/**
 * The classic examples: Flink's documentation (V-shape on the ACME ticker, the AFTER MATCH SKIP
 * table; data and documented results in /work/shared/examples/flink-docs-examples.md), a W-shape,
 * and "price dips for N consecutive days". Expected results are derived from the semantics.
 */
import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../../common/errors.ts';
import { type Row, RowKind } from '../../../operators/api.ts';
import {
  type AfterMatchSkip,
  type MatchContext,
  type MatchSpec,
  Pattern as P,
  type RowRef,
} from '../../../operators/match/spec.ts';
import { aggCall, openOperator, runBounded, SUM } from './fixtures.ts';

const { v } = P;
// Ticker(symbol, price, tax, rowtime)
const SYMBOL = 0;
const PRICE = 1;
const ROWTIME = 3;
const price = (c: MatchContext, r: RowRef | null) => c.get(r, PRICE) as number | null;
const time = (c: MatchContext, r: RowRef | null) => c.get(r, ROWTIME) as number | null;
const hms = (ts: unknown) => (ts === null ? null : new Date(ts as number).toISOString().slice(11, 19));

const T0 = Date.UTC(2011, 3, 1, 10, 0, 0);
const acme: Row[] = [
  [12, 1],
  [17, 2],
  [19, 1],
  [21, 3],
  [25, 2],
  [18, 1],
  [15, 1],
  [14, 2],
  [24, 2],
  [25, 2],
  [19, 1],
].map(([p, tax], n) => ['ACME', p, tax, T0 + n! * 1000]);

const streamOrder = { kind: 'rowtime', rowtime: (r: Row) => r[ROWTIME] as number } as const;

describe('Flink docs: V-shape on the ACME ticker', () => {
  // PATTERN (START_ROW PRICE_DOWN+ PRICE_UP) AFTER MATCH SKIP TO LAST PRICE_UP
  const spec: MatchSpec = {
    pattern: P.concat(v('START_ROW'), P.plus(v('PRICE_DOWN')), v('PRICE_UP')),
    variables: [
      { name: 'START_ROW', define: null },
      {
        name: 'PRICE_DOWN',
        // (LAST(PRICE_DOWN.price, 1) IS NULL AND PRICE_DOWN.price < START_ROW.price)
        //   OR PRICE_DOWN.price < LAST(PRICE_DOWN.price, 1)
        define: (c) => {
          const cur = price(c, c.current())!;
          const prevDown = price(c, c.nav(1, 'LAST', 1));
          const start = price(c, c.nav(0, 'LAST', 0))!;
          return (prevDown === null && cur < start) || (prevDown !== null && cur < prevDown);
        },
      },
      {
        name: 'PRICE_UP',
        // PRICE_UP.price > LAST(PRICE_DOWN.price, 1)
        define: (c) => {
          const d = price(c, c.nav(1, 'LAST', 1));
          return d !== null && price(c, c.current())! > d;
        },
      },
    ],
    subsets: [],
    measures: [
      { name: 'start_tstamp', fn: (c) => time(c, c.nav(0, 'LAST', 0)) },
      { name: 'bottom_tstamp', fn: (c) => time(c, c.nav(1, 'LAST', 0)) },
      { name: 'end_tstamp', fn: (c) => time(c, c.nav(2, 'LAST', 0)) },
    ],
    partitionBy: [SYMBOL],
    order: streamOrder,
    rowsPerMatch: 'ONE',
    afterMatchSkip: { kind: 'TO_LAST', variable: 2 },
    maxLookback: 0,
    maxLookahead: 0,
  };

  it('gives the documented row ACME, 10:00:04, 10:00:07, 10:00:08', () => {
    const out = runBounded(spec, acme);
    expect(out.map((r) => [r[0], hms(r[1]), hms(r[2]), hms(r[3])])).toEqual([
      ['ACME', '10:00:04', '10:00:07', '10:00:08'],
    ]);
  });

  it('gives the same row on a stream, as soon as the watermark passes 10:00:08', () => {
    const { op, out } = openOperator(spec);
    for (const r of acme) op.process(RowKind.INSERT, r, 0);
    op.processWatermark(T0 + 7000, 0);
    expect(out.rows).toEqual([]);
    op.processWatermark(T0 + 8000, 0);
    expect(out.rows.length).toBe(1);
    expect(hms(out.rows[0]![3])).toBe('10:00:08');
  });
});

describe('Flink docs: AFTER MATCH SKIP strategies (A+ C, DEFINE A AS SUM(A.price) < 30)', () => {
  const S0 = Date.UTC(2018, 8, 17, 10, 0, 0);
  const xyz: Row[] = [7, 9, 10, 5, 10, 7, 14].map((p, i) => ['XYZ', p, 0, S0 + (i + 1) * 1000]);
  const sumA = aggCall(SUM, 0, PRICE, 'RUNNING');
  const sumAFinal = aggCall(SUM, 0, PRICE, 'FINAL');
  const specFor = (skip: AfterMatchSkip): MatchSpec => ({
    pattern: P.concat(P.plus(v('A')), v('C')),
    variables: [
      { name: 'A', define: (c) => (c.aggregate(sumA) as number) < 30 },
      { name: 'C', define: null },
    ],
    subsets: [],
    measures: [
      { name: 'sumPrice', fn: (c) => c.aggregate(sumAFinal) },
      { name: 'firstTs', fn: (c) => time(c, c.nav(null, 'FIRST', 0)) },
      { name: 'lastTs', fn: (c) => time(c, c.nav(null, 'LAST', 0)) },
    ],
    partitionBy: [SYMBOL],
    order: streamOrder,
    rowsPerMatch: 'ONE',
    afterMatchSkip: skip,
    maxLookback: 0,
    maxLookahead: 0,
  });
  const fmt = (rows: Row[]) => rows.map((r) => `${r[1]}: ${hms(r[2])?.slice(6)}->${hms(r[3])?.slice(6)}`);

  /** Feeds the rows, advances the watermark to the last row (not the end): the documented view. */
  const onStream = (skip: AfterMatchSkip) => {
    const h = openOperator(specFor(skip));
    for (const r of xyz) h.op.process(RowKind.INSERT, r, 0);
    h.op.processWatermark(S0 + 7000, 0);
    return h;
  };

  it('SKIP PAST LAST ROW', () => {
    const { op, out } = onStream({ kind: 'PAST_LAST_ROW' });
    expect(fmt(out.rows)).toEqual(['26: 01->04', '17: 05->07']);
    op.processWatermark(Infinity, 0);
    expect(fmt(out.rows)).toEqual(['26: 01->04', '17: 05->07']);
  });

  it('SKIP TO NEXT ROW: the documented five rows while the stream runs; the end completes A C from 10:00:06', () => {
    const { op, out } = onStream({ kind: 'TO_NEXT_ROW' });
    expect(fmt(out.rows)).toEqual(['26: 01->04', '24: 02->05', '25: 03->06', '22: 04->07', '17: 05->07']);
    // At 10:00:06 the greedy A+ could still continue with a later row: the match is not final until
    // the input ends, when A=:06, C=:07 is the best the attempt can do.
    op.processWatermark(Infinity, 0);
    expect(fmt(out.rows).slice(5)).toEqual(['7: 06->07']);
  });

  it('SKIP TO LAST A', () => {
    const { out } = onStream({ kind: 'TO_LAST', variable: 0 });
    expect(fmt(out.rows)).toEqual(['26: 01->04', '25: 03->06', '17: 05->07']);
  });

  it('SKIP TO LAST A fails at the end, when the last A of a match is its first row', () => {
    const { op } = onStream({ kind: 'TO_LAST', variable: 0 });
    expect(() => op.processWatermark(Infinity, 0)).toThrow(/first row of the match/);
  });

  it('SKIP TO FIRST A is a runtime error (it would loop on the same row)', () => {
    try {
      runBounded(specFor({ kind: 'TO_FIRST', variable: 0 }), xyz);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RivuletError);
      expect((e as RivuletError).code).toBe('MATCH_SKIP_TO_FIRST_ROW');
      expect((e as RivuletError).message).toMatch(/AFTER MATCH SKIP TO FIRST A/);
    }
  });
});

/** Prices -> ticker rows, one per day. */
const daily = (prices: number[], symbol = 'ACME'): Row[] =>
  prices.map((p, i) => [symbol, p, 0, i * 86_400_000]);
const down = (c: MatchContext) => {
  const p = price(c, c.physical(c.current(), -1));
  return p !== null && price(c, c.current())! < p;
};
const up = (c: MatchContext) => {
  const p = price(c, c.physical(c.current(), -1));
  return p !== null && price(c, c.current())! > p;
};
const day = (c: MatchContext, r: RowRef | null) =>
  r === null ? null : (c.get(r, ROWTIME) as number) / 86_400_000;

describe('stock shapes', () => {
  it('V-shape START DOWN+ UP+ (PREV navigation), one row per match', () => {
    const spec: MatchSpec = {
      pattern: P.concat(v('STRT'), P.plus(v('DOWN')), P.plus(v('UP'))),
      variables: [
        { name: 'STRT', define: null },
        { name: 'DOWN', define: down },
        { name: 'UP', define: up },
      ],
      subsets: [],
      measures: [
        { name: 'start', fn: (c) => day(c, c.nav(0, 'FIRST', 0)) },
        { name: 'bottom', fn: (c) => day(c, c.nav(1, 'LAST', 0)) },
        { name: 'end', fn: (c) => day(c, c.nav(2, 'LAST', 0)) },
      ],
      partitionBy: [SYMBOL],
      order: streamOrder,
      rowsPerMatch: 'ONE',
      afterMatchSkip: { kind: 'PAST_LAST_ROW' },
      maxLookback: 1,
      maxLookahead: 0,
    };
    //            0   1   2   3   4   5   6   7   8   9  10
    const prices = [10, 8, 7, 9, 12, 12, 11, 10, 13, 9, 8];
    expect(runBounded(spec, [...daily(prices), ...daily([5, 4, 6], 'XYZ')])).toEqual([
      ['ACME', 0, 2, 4],
      ['ACME', 5, 7, 8],
      ['XYZ', 0, 1, 2],
    ]);
  });

  it('W-shape START DOWN+ UP+ DOWN+ UP+', () => {
    const spec: MatchSpec = {
      pattern: P.concat(v('STRT'), P.plus(v('DOWN')), P.plus(v('UP')), P.plus(v('DOWN')), P.plus(v('UP'))),
      variables: [
        { name: 'STRT', define: null },
        { name: 'DOWN', define: down },
        { name: 'UP', define: up },
      ],
      subsets: [],
      measures: [
        { name: 'start', fn: (c) => day(c, c.nav(null, 'FIRST', 0)) },
        { name: 'first_bottom', fn: (c) => day(c, c.nav(1, 'FIRST', 0)) },
        { name: 'end', fn: (c) => day(c, c.nav(null, 'LAST', 0)) },
        { name: 'downs', fn: (c) => c.count(1) },
      ],
      partitionBy: [SYMBOL],
      order: streamOrder,
      rowsPerMatch: 'ONE',
      afterMatchSkip: { kind: 'PAST_LAST_ROW' },
      maxLookback: 1,
      maxLookahead: 0,
    };
    //               0   1  2  3  4  5  6   7   8  9
    const prices = [10, 8, 6, 9, 7, 5, 11, 12, 11, 13];
    // W from day 0: down 1-2, up 3, down 4-5, up 6-7; then day 8 fails UP and ends the match.
    // The next attempt starts at day 8 (11 -> 13): no W.
    expect(runBounded(spec, daily(prices))).toEqual([['ACME', 0, 1, 7, 4]]);
  });

  it('price dips for N consecutive days: A B{3,} with B.price < PREV(B.price)', () => {
    const spec: MatchSpec = {
      pattern: P.concat(v('A'), P.quant(v('B'), 3, Infinity)),
      variables: [
        { name: 'A', define: null },
        { name: 'B', define: down },
      ],
      subsets: [],
      measures: [
        { name: 'from', fn: (c) => day(c, c.nav(0, 'FIRST', 0)) },
        { name: 'days', fn: (c) => c.count(1) },
        { name: 'drop', fn: (c) => price(c, c.nav(0, 'FIRST', 0))! - price(c, c.nav(1, 'LAST', 0))! },
      ],
      partitionBy: [SYMBOL],
      order: streamOrder,
      rowsPerMatch: 'ONE',
      afterMatchSkip: { kind: 'PAST_LAST_ROW' },
      maxLookback: 1,
      maxLookahead: 0,
    };
    //               0   1   2   3   4   5   6   7   8   9  10  11
    const prices = [20, 19, 18, 19, 18, 17, 16, 15, 16, 15, 14, 13];
    expect(runBounded(spec, daily(prices))).toEqual([
      ['ACME', 3, 4, 4],
      ['ACME', 8, 3, 3],
    ]);
  });
});
