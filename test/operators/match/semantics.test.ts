import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../../common/errors.ts';
import { RowKind } from '../../../operators/api.ts';
import { type MatchContext, Pattern as P } from '../../../operators/match/spec.ts';
import {
  ARRAY_AGG,
  aggCall,
  allRows,
  COUNT,
  letterRows,
  letterSpec,
  openOperator,
  runBounded,
  SUM,
  variableIndex,
} from './fixtures.ts';

const { v } = P;
const run = (spec: ReturnType<typeof letterSpec>, input: string) =>
  allRows(runBounded(spec, letterRows(input)));

describe('preference order (the first match in preferment order wins, not the longest)', () => {
  it('A | A B prefers the left alternative even though it is shorter', () => {
    expect(run(letterSpec(P.alt(v('A'), P.concat(v('A'), v('B'))), { A: 'a', B: 'b' }), 'ab')).toEqual([
      '0:A#1',
    ]);
    expect(run(letterSpec(P.alt(P.concat(v('A'), v('B')), v('A')), { A: 'a', B: 'b' }), 'ab')).toEqual([
      '0:A#1',
      '1:B#1',
    ]);
  });

  it('A*? B takes as few A as possible, A* B as many as possible', () => {
    const defs = { A: null, B: 'b' };
    expect(run(letterSpec(P.concat(P.star(v('A'), true), v('B')), defs), 'abab')).toEqual([
      '0:A#1',
      '1:B#1',
      '2:A#2',
      '3:B#2',
    ]);
    expect(run(letterSpec(P.concat(P.star(v('A')), v('B')), defs), 'abab')).toEqual([
      '0:A#1',
      '1:A#1',
      '2:A#1',
      '3:B#1',
    ]);
  });

  it('A?? B prefers skipping A, A? B prefers taking it', () => {
    const defs = { A: null, B: null };
    expect(run(letterSpec(P.concat(P.opt(v('A'), true), v('B')), defs), 'ab')).toEqual(['0:B#1', '1:B#2']);
    expect(run(letterSpec(P.concat(P.opt(v('A')), v('B')), defs), 'ab')).toEqual(['0:A#1', '1:B#1']);
  });

  it('PERMUTE(A, B, C) picks the lexicographically first permutation that matches', () => {
    const spec = letterSpec(P.permute(v('A'), v('B'), v('C')), { A: 'ax', B: 'bx', C: null });
    // BAC and BCA both match "bxa"; BAC comes first.
    expect(run(spec, 'bxa')).toEqual(['0:B#1', '1:A#1', '2:C#1']);
    // every permutation matches "xxx": ABC.
    expect(run(spec, 'xxx')).toEqual(['0:A#1', '1:B#1', '2:C#1']);
    // only CAB matches "cab".
    expect(run(spec, 'cab')).toEqual(['0:C#1', '1:A#1', '2:B#1']);
  });

  it('a greedy loop keeps the most preferred thread alive until it fails (A+ B? on "aab" -> AAB)', () => {
    expect(run(letterSpec(P.concat(P.plus(v('A')), P.opt(v('B'))), { A: 'a', B: 'b' }), 'aabaa')).toEqual([
      '0:A#1',
      '1:A#1',
      '2:B#1',
      '3:A#2',
      '4:A#2',
    ]);
  });

  it('nested loops over possibly empty bodies terminate and prefer consuming rows', () => {
    expect(run(letterSpec(P.star(P.opt(v('A'))), { A: 'a' }), 'aab')).toEqual(['0:A#1', '1:A#1', '2:-#2']);
    expect(run(letterSpec(P.star(P.star(v('A'))), { A: 'a' }), 'aa')).toEqual(['0:A#1', '1:A#1']);
    expect(
      run(letterSpec(P.concat(P.star(P.alt(P.empty(), v('A'))), v('B')), { A: 'a', B: 'b' }), 'aab'),
    ).toEqual(['0:A#1', '1:A#1', '2:B#1']);
  });
});

describe('rows per match', () => {
  const aStar = () => letterSpec(P.star(v('A')), { A: 'a' }, { rowsPerMatch: 'ALL_SHOW_EMPTY' });

  it('SHOW EMPTY MATCHES outputs a row for an empty match, with null classifier', () => {
    expect(run(aStar(), 'bab')).toEqual(['0:-#1', '1:A#2', '2:-#3']);
  });

  it('OMIT EMPTY MATCHES drops them (match numbers still count them)', () => {
    expect(run(letterSpec(P.star(v('A')), { A: 'a' }, { rowsPerMatch: 'ALL_OMIT_EMPTY' }), 'bab')).toEqual([
      '1:A#2',
    ]);
  });

  it('WITH UNMATCHED ROWS outputs rows of no match with null measures', () => {
    expect(
      run(letterSpec(P.plus(v('A')), { A: 'a' }, { rowsPerMatch: 'ALL_WITH_UNMATCHED' }), 'baab'),
    ).toEqual(['0:-#-', '1:A#1', '2:A#1', '3:-#-']);
    // With SKIP TO NEXT ROW a row inside an earlier match is not "unmatched" even if its own attempt fails.
    const spec = letterSpec(
      P.concat(v('A'), v('B')),
      { A: 'a', B: 'b' },
      { rowsPerMatch: 'ALL_WITH_UNMATCHED', skip: () => ({ kind: 'TO_NEXT_ROW' }) },
    );
    expect(run(spec, 'abc')).toEqual(['0:A#1', '1:B#1', '2:-#-']);
  });

  it('ONE ROW PER MATCH gives partition columns + measures, one row also for an empty match', () => {
    const spec = letterSpec(
      P.star(v('A')),
      { A: 'a' },
      {
        rowsPerMatch: 'ONE',
        measures: () => [
          { name: 'mn', fn: (c) => c.matchNumber() },
          { name: 'n', fn: (c) => c.count(null) },
          { name: 'last_id', fn: (c) => c.get(c.nav(null, 'LAST', 0), 0) },
        ],
      },
    );
    expect(runBounded({ ...spec, partitionBy: [] }, letterRows('baab'))).toEqual([
      [1, 0, null],
      [2, 2, 2],
      [3, 0, null],
    ]);
    const byLetter = runBounded({ ...spec, partitionBy: [1] }, letterRows('baab'));
    expect(byLetter).toEqual([
      ['b', 1, 0, null],
      ['b', 2, 0, null],
      ['a', 1, 2, 2],
    ]);
  });

  it('exclusions are matched (and counted by measures) but not output in ALL ROWS PER MATCH', () => {
    const spec = letterSpec(
      P.concat(v('A'), P.exclude(P.plus(v('B'))), v('C')),
      { A: 'a', B: 'b', C: 'c' },
      {
        measures: () => [
          { name: 'cls', fn: (c) => c.classifier() },
          { name: 'mn', fn: (c) => c.matchNumber() },
          { name: 'n', fn: (c) => c.count(null) },
          { name: 'nb', fn: (c) => c.count(1, 'FINAL') },
        ],
      },
    );
    expect(runBounded(spec, letterRows('abbcx'))).toEqual([
      [0, 'a', 0, 'A', 1, 1, 2],
      [3, 'c', 3000, 'C', 1, 4, 2],
    ]);
    const one = runBounded({ ...spec, rowsPerMatch: 'ONE' }, letterRows('abbcx'));
    expect(one).toEqual([['C', 1, 4, 2]]);
  });
});

describe('measures', () => {
  const priced = (prices: number[]) => prices.map((p, i) => [i, p, i * 1000]);

  it('running and final navigation and aggregates in ALL ROWS PER MATCH', () => {
    const base = letterSpec(P.concat(v('S'), P.plus(v('A'))), { S: null, A: null });
    const price = (c: MatchContext, r: number | null) => c.get(r, 1) as number | null;
    const sumRunning = aggCall(SUM, 1, 1, 'RUNNING');
    const sumFinal = aggCall(SUM, 1, 1, 'FINAL');
    const trail = aggCall(ARRAY_AGG, null, 1, 'RUNNING');
    const spec = {
      ...base,
      variables: [
        { name: 'S', define: null },
        {
          name: 'A',
          define: (c: MatchContext) => {
            const cur = price(c, c.current());
            const prev = price(c, c.physical(c.current(), -1));
            return cur !== null && prev !== null && cur > prev;
          },
        },
      ],
      measures: [
        { name: 'cls', fn: (c) => c.classifier() },
        { name: 'run_sum', fn: (c) => c.aggregate(sumRunning) },
        { name: 'final_sum', fn: (c) => c.aggregate(sumFinal) },
        { name: 'run_last', fn: (c) => price(c, c.nav(null, 'LAST', 0)) },
        { name: 'final_last', fn: (c) => price(c, c.nav(null, 'LAST', 0, 'FINAL')) },
        { name: 'first_a', fn: (c) => price(c, c.nav(1, 'FIRST', 0)) },
        { name: 'a_count', fn: (c) => c.count(1) },
        { name: 'trail', fn: (c) => c.aggregate(trail) },
      ],
      maxLookback: 1,
    } satisfies typeof base;
    const out = runBounded(spec, priced([5, 6, 7, 3, 4]));
    expect(out.map((r) => r.slice(3))).toEqual([
      ['S', null, 13, 5, 7, null, 0, [5]],
      ['A', 6, 13, 6, 7, 6, 1, [5, 6]],
      ['A', 13, 13, 7, 7, 6, 2, [5, 6, 7]],
      ['S', null, 4, 3, 4, null, 0, [3]],
      ['A', 4, 4, 4, 4, 4, 1, [3, 4]],
    ]);
  });

  it('SUBSET union variables in navigation, CLASSIFIER(U) and counts', () => {
    const spec = letterSpec(
      P.concat(v('A'), P.plus(v('B')), v('C')),
      { A: 'a', B: 'b', C: 'c' },
      {
        subsets: [{ name: 'U', members: ['A', 'C'] }],
        measures: (s) => {
          const U = variableIndex(s, 'U');
          return [
            { name: 'cls', fn: (c) => c.classifier() },
            { name: 'clsU', fn: (c) => c.classifier(c.nav(U, 'LAST', 0)) },
            { name: 'nU', fn: (c) => c.count(U) },
            { name: 'firstU', fn: (c) => c.get(c.nav(U, 'FIRST', 0), 0) },
            { name: 'lastU_final', fn: (c) => c.get(c.nav(U, 'LAST', 0, 'FINAL'), 0) },
          ];
        },
      },
    );
    expect(runBounded(spec, letterRows('abbc')).map((r) => r.slice(3))).toEqual([
      ['A', 'A', 1, 0, 3],
      ['B', 'A', 1, 0, 3],
      ['B', 'A', 1, 0, 3],
      ['C', 'C', 2, 0, 3],
    ]);
  });

  it('PREV over a logical navigation: PREV(LAST(A.price, 1), 2), reaching before the match', () => {
    const spec = {
      ...letterSpec(P.plus(v('A')), { A: 'a' }, { rowsPerMatch: 'ONE' }),
      measures: [
        { name: 'm', fn: (c) => c.get(c.physical(c.nav(0, 'LAST', 1), -2), 0) },
        { name: 'before', fn: (c) => c.get(c.physical(c.nav(0, 'FIRST', 0), -1), 0) },
        { name: 'after', fn: (c) => c.get(c.physical(c.nav(0, 'LAST', 0), 1), 0) },
      ],
      maxLookback: 2,
      maxLookahead: 1,
    } satisfies ReturnType<typeof letterSpec>;
    // match rows 2..4: LAST(A, 1) = 3, PREV(.., 2) = 1; the row before the match is 1; after it, 5.
    expect(runBounded(spec, letterRows('bbaaab'))).toEqual([[1, 1, 5]]);
  });

  it('DEFINE can use aggregates and functions of earlier rows (fraud-style)', () => {
    // A small payment, then payments each more than twice the running average of the previous ones.
    const avgCall = aggCall(SUM, null, 1, 'RUNNING');
    const countCall = aggCall(COUNT, null, null, 'RUNNING');
    const spec = {
      ...letterSpec(
        P.concat(v('S'), P.quant(v('B'), 2, Infinity)),
        { S: null, B: null },
        { rowsPerMatch: 'ONE' },
      ),
      variables: [
        {
          name: 'S',
          define: (c: MatchContext) => (c.get(c.current(), 1) as number) < 10,
        },
        {
          name: 'B',
          define: (c: MatchContext) => {
            const cur = c.get(c.current(), 1) as number;
            const sumIncl = c.aggregate(avgCall) as number;
            const n = c.aggregate(countCall) as number;
            return cur > (2 * (sumIncl - cur)) / (n - 1);
          },
        },
      ],
      measures: [
        { name: 'first', fn: (c) => c.get(c.nav(null, 'FIRST', 0), 0) },
        { name: 'last', fn: (c) => c.get(c.nav(null, 'LAST', 0), 0) },
      ],
    } satisfies ReturnType<typeof letterSpec>;
    const rows = [5, 11, 40, 150, 3, 50, 4, 9, 30].map((p, i) => [i, p, i]);
    // 5 -> 11 (> 2*5) -> 40 (> 2*8) -> 150 (> 2*18.7) -> 3 fails: match 0..3; 3 -> 50 -> 4 fails (B{2,}
    // needs two); 4 -> 9 (> 8) -> 30 (> 2*6.5): match 6..8.
    expect(runBounded(spec, rows)).toEqual([
      [0, 3],
      [6, 8],
    ]);
  });
});

describe('anchors', () => {
  it('^ matches only at the start of the partition, $ only at its end', () => {
    expect(run(letterSpec(P.concat(P.start(), v('A')), { A: 'a' }), 'aaa')).toEqual(['0:A#1']);
    expect(run(letterSpec(P.concat(v('A'), P.end()), { A: 'a' }), 'aaa')).toEqual(['2:A#1']);
    expect(run(letterSpec(P.concat(P.plus(v('A')), P.end()), { A: 'a' }), 'aaba')).toEqual(['3:A#1']);
  });

  it('on a stream, $ waits for the end of the input', () => {
    const spec = letterSpec(P.concat(v('A'), P.end()), { A: 'a' });
    const { op, out } = openOperator({ ...spec, order: { kind: 'rowtime', rowtime: (r) => r[2] as number } });
    for (const r of letterRows('aa')) op.process(RowKind.INSERT, r, 0);
    op.processWatermark(5000, 0);
    expect(out.rows).toEqual([]);
    op.processWatermark(Infinity, 0);
    expect(allRows(out.rows)).toEqual(['1:A#1']);
  });
});

describe('AFTER MATCH SKIP errors', () => {
  it('skipping to a variable absent from the match is a runtime error', () => {
    const spec = letterSpec(
      P.concat(v('A'), P.opt(v('B'))),
      { A: 'a', B: 'b' },
      { skip: () => ({ kind: 'TO_LAST', variable: 1 }) },
    );
    expect(() => run(spec, 'ac')).toThrow(RivuletError);
    try {
      run(spec, 'ac');
    } catch (e) {
      expect((e as RivuletError).code).toBe('MATCH_SKIP_TO_ABSENT_VARIABLE');
      expect((e as RivuletError).phase).toBe('runtime');
    }
  });
});

describe('plan and runtime errors', () => {
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(RivuletError);
      return (e as RivuletError).code;
    }
    return 'no error';
  };

  it('MATCH_NUMBER() in DEFINE is refused at run time with a clear code', () => {
    const spec = letterSpec(v('A'), { A: 'a' });
    const bad = { ...spec, variables: [{ name: 'A', define: (c: MatchContext) => c.matchNumber() > 0 }] };
    expect(code(() => runBounded(bad, letterRows('a')))).toBe('MATCH_NUMBER_IN_DEFINE');
  });

  it('refuses specs the planner should never build', () => {
    const spec = letterSpec(v('A'), { A: 'a' });
    expect(
      code(() => openOperator({ ...spec, order: { kind: 'bounded', compare: () => 0 }, withinMs: 1000 })),
    ).toBe('MATCH_WITHIN_NEEDS_ROWTIME');
    expect(code(() => openOperator({ ...spec, withinMs: 0 }))).toBe('MATCH_BAD_WITHIN');
    expect(code(() => openOperator({ ...spec, subsets: [{ name: 'U', members: ['X'] }] }))).toBe(
      'MATCH_BAD_SUBSET',
    );
    expect(code(() => openOperator({ ...spec, subsets: [{ name: 'A', members: ['A'] }] }))).toBe(
      'MATCH_DUPLICATE_VARIABLE',
    );
    expect(code(() => openOperator({ ...spec, afterMatchSkip: { kind: 'TO_LAST', variable: 5 } }))).toBe(
      'MATCH_UNKNOWN_VARIABLE',
    );
    expect(code(() => openOperator({ ...spec, maxLookahead: -1 }))).toBe('MATCH_BAD_SPEC');
    expect(code(() => variableIndex(spec, 'Z'))).toBe('MATCH_UNKNOWN_VARIABLE');
  });
});

describe('input contract', () => {
  it('refuses updates and deletes, drops and counts late rows', () => {
    const spec = letterSpec(v('A'), { A: 'a' });
    const { op, out, ctx } = openOperator({
      ...spec,
      order: { kind: 'rowtime', rowtime: (r) => r[2] as number },
    });
    expect(() => op.process(RowKind.DELETE, [0, 'a', 0], 0)).toThrow(/append-only/);
    op.process(RowKind.INSERT, [0, 'a', 1000], 0);
    op.processWatermark(1000, 0);
    op.process(RowKind.INSERT, [1, 'a', 500], 0);
    op.process(RowKind.INSERT, [2, 'a', 1000], 0);
    op.processWatermark(Infinity, 0);
    op.endInput(0);
    expect(allRows(out.rows)).toEqual(['0:A#1']);
    expect(ctx.metrics.get('numLateRecordsDropped')).toBe(2);
    expect(out.ended).toBe(1);
    expect(out.watermarks.at(-1)).toBe(Infinity);
  });
});
