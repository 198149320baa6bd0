/**
 * Property test: the Pike-VM matcher against a brute-force reference that lives only here.
 *
 * The reference enumerates, for one start position, every way the pattern AST can match by
 * recursive backtracking in the standard's preference order (alternatives left to right, greedy
 * quantifiers try one more iteration first and reluctant ones stop first, PERMUTE in lexicographic
 * order of permutations) and takes the first complete one; AFTER MATCH SKIP then gives the next
 * start. The rule for loops over possibly empty bodies is the one the compiler documents: every
 * iteration of an unbounded quantifier beyond its minimum must consume a row. WITHIN cuts an
 * attempt off at the first row that is WITHIN or more after its start.
 *
 * Inputs: short random rows over the letters a, b, c; random patterns over A, B, C with every IR
 * construct; DEFINEs over the letter plus history (a cap on the variable's count so far, equality
 * with the last row of another variable), so assignments matter, not just the current row.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../../common/errors.ts';
import type { Row } from '../../../operators/api.ts';
import { permutations } from '../../../operators/match/compiler.ts';
import { compileMatch, Matcher, MatchRuntime, type MatchSink } from '../../../operators/match/matcher.ts';
import { RowStore } from '../../../operators/match/row-store.ts';
import {
  type AfterMatchSkip,
  formatPattern,
  type MatchContext,
  type MatchSpec,
  type PatternNode,
} from '../../../operators/match/spec.ts';

const VARS = ['A', 'B', 'C'];
const LETTERS = ['a', 'b', 'c'];

interface Cond {
  /** Letters the variable accepts (null: undefined variable, matches every row). */
  letters: string | null;
  /** The variable may map at most this many rows (RUNNING count incl. the current row). */
  maxCount: number | null;
  /** The current letter must equal the letter of the last row of this other variable, if any. */
  sameAsLastOf: number | null;
  /**
   * Union-variable navigation over U = (A, C): at most this many rows of U so far (incl. the current
   * row when it is an A or a C), and the row `uBackOffset` back among U's rows (LAST(U.letter, k)),
   * if there is one, has a different letter; also FIRST(v.letter, 1) (the variable's second row), if
   * any, differs from the row before the current one (PREV over a logical navigation).
   */
  uMax: number | null;
  uBackOffset: number | null;
  secondDiffersFromPrev: boolean;
}

interface Case {
  pattern: PatternNode;
  conds: Cond[];
  input: string;
  gaps: number[];
  skip: AfterMatchSkip;
  within: number | null;
  lookahead: number;
}

interface Found {
  start: number;
  labels: string;
}

// ---- reference -------------------------------------------------------------------------------

/**
 * Backtracking is exponential in nested loops: a rare random pattern (loops in loops over possibly
 * empty bodies) made the reference run for minutes on 8 rows. Past this many steps the case is
 * skipped (`fc.pre`), so the test's time stays bounded; the matcher itself is linear in rows.
 */
const REFERENCE_STEPS = 300_000;
class ReferenceTooSlow extends Error {}

type Asg = readonly { v: number; excl: boolean }[];
type K = (pos: number, asg: Asg) => Asg | null;

function referenceMatches(c: Case): { matches: Found[]; error: string | null } {
  const n = c.input.length;
  const ts = times(c.gaps);
  const matches: Found[] = [];
  const holds = (v: number, pos: number, asg: Asg, start: number): boolean => {
    const cond = c.conds[v]!;
    const letter = c.input[pos]!;
    if (cond.letters !== null && !cond.letters.includes(letter)) return false;
    if (cond.maxCount !== null && asg.filter((a) => a.v === v).length + 1 > cond.maxCount) return false;
    if (cond.sameAsLastOf !== null && cond.sameAsLastOf !== v) {
      for (let i = asg.length - 1; i >= 0; i--)
        if (asg[i]!.v === cond.sameAsLastOf) {
          if (c.input[start + i] !== letter) return false;
          break;
        }
    }
    // Positions of U's rows and of v's rows, the current row included (RUNNING semantics).
    const all = [...asg.map((a, i) => ({ v: a.v, pos: start + i })), { v, pos }];
    const uRows = all.filter((a) => a.v === 0 || a.v === 2).map((a) => a.pos);
    if (cond.uMax !== null && uRows.length > cond.uMax) return false;
    if (cond.uBackOffset !== null) {
      const r = uRows[uRows.length - 1 - cond.uBackOffset];
      if (r !== undefined && r !== pos && c.input[r] === letter) return false;
    }
    if (cond.secondDiffersFromPrev) {
      const second = all.filter((a) => a.v === v).map((a) => a.pos)[1];
      if (second !== undefined && second - 1 >= 0 && c.input[second - 1] === c.input[pos - 1]) return false;
    }
    return true;
  };
  let steps = 0;
  const attempt = (start: number): Asg | null => {
    // Rows from `limit` on are out of the attempt's reach (WITHIN).
    let limit = n;
    if (c.within !== null) {
      limit = start;
      while (limit < n && ts[limit]! - ts[start]! < c.within) limit++;
    }
    const m = (p: PatternNode, pos: number, asg: Asg, excl: boolean, k: K): Asg | null => {
      if (++steps > REFERENCE_STEPS) throw new ReferenceTooSlow();
      switch (p.kind) {
        case 'var': {
          const v = VARS.indexOf(p.name);
          if (pos >= limit || !holds(v, pos, asg, start)) return null;
          return k(pos + 1, [...asg, { v, excl }]);
        }
        case 'empty':
          return k(pos, asg);
        case 'anchor':
          return (p.which === 'start' ? pos === 0 : pos === n) ? k(pos, asg) : null;
        case 'exclude':
          return m(p.item, pos, asg, true, k);
        case 'concat': {
          const seq = (i: number, q: number, a: Asg): Asg | null =>
            i === p.items.length ? k(q, a) : m(p.items[i]!, q, a, excl, (q2, a2) => seq(i + 1, q2, a2));
          return seq(0, pos, asg);
        }
        case 'alt':
          for (const item of p.items) {
            const r = m(item, pos, asg, excl, k);
            if (r) return r;
          }
          return null;
        case 'permute':
          for (const perm of permutations(p.items.length)) {
            const r = m({ kind: 'concat', items: perm.map((i) => p.items[i]!) }, pos, asg, excl, k);
            if (r) return r;
          }
          return null;
        case 'quant': {
          const iter = (i: number, q: number, a: Asg): Asg | null => {
            const more = (): Asg | null =>
              i < p.max
                ? m(p.item, q, a, excl, (q2, a2) =>
                    p.max === Infinity && i >= p.min && q2 === q ? null : iter(i + 1, q2, a2),
                  )
                : null;
            const stop = (): Asg | null => (i >= p.min ? k(q, a) : null);
            return p.reluctant ? (stop() ?? more()) : (more() ?? stop());
          };
          return iter(0, pos, asg);
        }
      }
    };
    return m(c.pattern, start, [], false, (_pos, asg) => asg);
  };
  let s = 0;
  while (s < n) {
    const asg = attempt(s);
    if (asg === null) {
      s++;
      continue;
    }
    matches.push({ start: s, labels: labelString(asg) });
    if (asg.length === 0) {
      s++;
      continue;
    }
    const skip = c.skip;
    if (skip.kind === 'PAST_LAST_ROW') s += asg.length;
    else if (skip.kind === 'TO_NEXT_ROW') s++;
    else {
      const inVar = (v: number) => (skip.variable === 3 ? v === 0 || v === 2 : v === skip.variable);
      const idxs = asg.map((a, i) => (inVar(a.v) ? i : -1)).filter((i) => i >= 0);
      if (idxs.length === 0) return { matches, error: 'MATCH_SKIP_TO_ABSENT_VARIABLE' };
      const idx = skip.kind === 'TO_FIRST' ? idxs[0]! : idxs[idxs.length - 1]!;
      if (idx === 0) return { matches, error: 'MATCH_SKIP_TO_FIRST_ROW' };
      s += idx;
    }
  }
  return { matches, error: null };
}

function labelString(asg: Asg): string {
  return asg.map((a) => (a.excl ? VARS[a.v]!.toLowerCase() : VARS[a.v]!)).join('');
}

function times(gaps: number[]): number[] {
  const out: number[] = [];
  let t = 0;
  for (const g of gaps) {
    t += g;
    out.push(t);
  }
  return out;
}

// ---- the matcher under test ------------------------------------------------------------------

function vmMatches(c: Case): { matches: Found[]; error: string | null } {
  const spec: MatchSpec = {
    pattern: c.pattern,
    variables: VARS.map((name, v) => {
      const cond = c.conds[v]!;
      const trivial =
        cond.letters === null &&
        cond.maxCount === null &&
        cond.sameAsLastOf === null &&
        cond.uMax === null &&
        cond.uBackOffset === null &&
        !cond.secondDiffersFromPrev;
      return {
        name,
        define: trivial
          ? null
          : (ctx: MatchContext) => {
              const letter = ctx.get(ctx.current(), 1) as string;
              if (cond.letters !== null && !cond.letters.includes(letter)) return false;
              if (cond.maxCount !== null && ctx.nav(v, 'FIRST', cond.maxCount) !== null) return false;
              if (cond.sameAsLastOf !== null) {
                const r = ctx.nav(cond.sameAsLastOf, 'LAST', 0);
                if (r !== null && ctx.get(r, 1) !== letter) return false;
              }
              const U = 3;
              if (cond.uMax !== null) {
                const n = ctx.count(U);
                if (n !== ctx.rows(U).length) throw new Error('count(U) and rows(U) disagree');
                if (n > cond.uMax) return false;
                // FIRST(U, k) and LAST(U, n-1-k) are the same row.
                if (n > 0 && ctx.nav(U, 'FIRST', 0) !== ctx.nav(U, 'LAST', n - 1))
                  throw new Error('FIRST/LAST(U) disagree');
              }
              if (cond.uBackOffset !== null) {
                const r = ctx.nav(U, 'LAST', cond.uBackOffset);
                if (r !== null && r !== ctx.current() && ctx.get(r, 1) === letter) return false;
              }
              if (cond.secondDiffersFromPrev) {
                const second = ctx.nav(v, 'FIRST', 1);
                const before = ctx.physical(second, -1);
                const prevOfCurrent = ctx.physical(ctx.current(), -1);
                if (before !== null && ctx.get(before, 1) === ctx.get(prevOfCurrent, 1)) return false;
              }
              return true;
            },
      };
    }),
    subsets: [{ name: 'U', members: ['A', 'C'] }],
    measures: [],
    partitionBy: [],
    order: { kind: 'rowtime', rowtime: (r) => r[2] as number },
    rowsPerMatch: 'ONE',
    afterMatchSkip: c.skip,
    withinMs: c.within,
    maxLookback: 1,
    maxLookahead: c.lookahead,
  };
  const matches: Found[] = [];
  const sink: MatchSink = {
    match: (start, end, labels, excluded) => {
      expect(end - start).toBe(labels.length);
      matches.push({
        start,
        labels: [...labels].map((v, i) => (excluded?.[i] ? VARS[v]!.toLowerCase() : VARS[v]!)).join(''),
      });
    },
    noMatch: () => {},
    timedOut: () => {},
  };
  const store = new RowStore();
  const matcher = new Matcher(new MatchRuntime(compileMatch(spec)), store, sink);
  const ts = times(c.gaps);
  try {
    // Rows arrive one at a time (as on a stream), then the partition ends.
    [...c.input].forEach((ch, i) => {
      const row: Row = [i, ch, ts[i]];
      store.push(row, ts[i]!);
      matcher.advance();
    });
    store.ended = true;
    matcher.advance();
  } catch (e) {
    if (e instanceof RivuletError) return { matches, error: e.code };
    throw e;
  }
  return { matches, error: null };
}

// ---- generators ------------------------------------------------------------------------------

/** Random patterns; `loopy` weighs quantifiers (and empty bodies) up to stress nested loops. */
function patternArb(loopy: boolean): fc.Arbitrary<PatternNode> {
  return fc.letrec<{ node: PatternNode }>((tie) => ({
    node: fc.oneof(
      { depthSize: loopy ? 'medium' : 'small', withCrossShrink: true },
      { arbitrary: fc.constantFrom(...VARS).map((name): PatternNode => ({ kind: 'var', name })), weight: 6 },
      {
        arbitrary: fc
          .array(tie('node'), { minLength: 2, maxLength: 3 })
          .map((items): PatternNode => ({ kind: 'concat', items })),
        weight: 3,
      },
      {
        arbitrary: fc
          .array(tie('node'), { minLength: 2, maxLength: 3 })
          .map((items): PatternNode => ({ kind: 'alt', items })),
        weight: 2,
      },
      {
        arbitrary: fc
          .record({
            item: tie('node'),
            min: fc.integer({ min: 0, max: 2 }),
            extra: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constant(Infinity)),
            reluctant: fc.boolean(),
          })
          .map(
            ({ item, min, extra, reluctant }): PatternNode => ({
              kind: 'quant',
              item,
              min,
              max: min + extra,
              reluctant,
            }),
          ),
        weight: loopy ? 8 : 3,
      },
      {
        arbitrary: fc
          .array(tie('node'), { minLength: 2, maxLength: 3 })
          .map((items): PatternNode => ({ kind: 'permute', items })),
        weight: 1,
      },
      { arbitrary: tie('node').map((item): PatternNode => ({ kind: 'exclude', item })), weight: 1 },
      { arbitrary: fc.constant<PatternNode>({ kind: 'empty' }), weight: loopy ? 3 : 1 },
      {
        arbitrary: fc.constantFrom<PatternNode>(
          { kind: 'anchor', which: 'start' },
          { kind: 'anchor', which: 'end' },
        ),
        weight: 1,
      },
    ),
  })).node;
}

const condArb: fc.Arbitrary<Cond> = fc.record({
  letters: fc.oneof(
    fc.constant(null),
    fc.subarray(LETTERS, { minLength: 1 }).map((ls) => ls.join('')),
  ),
  maxCount: fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) },
  ),
  sameAsLastOf: fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 }) },
  ),
  uMax: fc.oneof(
    { weight: 4, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }) },
  ),
  uBackOffset: fc.oneof(
    { weight: 4, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 }) },
  ),
  secondDiffersFromPrev: fc.oneof(
    { weight: 4, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
});

const skipArb: fc.Arbitrary<AfterMatchSkip> = fc.oneof(
  fc.constant<AfterMatchSkip>({ kind: 'PAST_LAST_ROW' }),
  fc.constant<AfterMatchSkip>({ kind: 'TO_NEXT_ROW' }),
  fc.record({
    kind: fc.constantFrom('TO_FIRST' as const, 'TO_LAST' as const),
    variable: fc.integer({ min: 0, max: 3 }),
  }),
);

const caseArb = (loopy: boolean): fc.Arbitrary<Case> =>
  fc
    .record({
      pattern: patternArb(loopy),
      conds: fc.tuple(condArb, condArb, condArb),
      input: fc.string({ unit: fc.constantFrom(...LETTERS), minLength: 0, maxLength: 8 }),
      skip: skipArb,
      within: fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }).map((x) => x * 1000) },
      ),
      lookahead: fc.integer({ min: 0, max: 2 }),
      gapSeed: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 8, maxLength: 8 }),
    })
    .map(({ gapSeed, ...rest }) => ({
      ...rest,
      gaps: gapSeed.slice(0, rest.input.length).map((g) => g * 1000),
    }));

describe('matcher vs brute-force reference', () => {
  const runs = Number(process.env.MATCH_PROPERTY_RUNS ?? 300);
  const agree = (c: Case) => {
    let expected: ReturnType<typeof referenceMatches>;
    try {
      expected = referenceMatches(c);
    } catch (e) {
      fc.pre(!(e instanceof ReferenceTooSlow));
      throw e;
    }
    expect(vmMatches(c), `pattern ${formatPattern(c.pattern)} on "${c.input}"`).toEqual(expected);
  };

  it('finds the same matches, classifiers, exclusions and skip errors', () => {
    fc.assert(fc.property(caseArb(false), agree), { numRuns: runs });
  });

  it('agrees on patterns with nested loops over possibly empty bodies', () => {
    fc.assert(fc.property(caseArb(true), agree), { numRuns: runs });
  });

  it('agrees on hand-picked tricky patterns', () => {
    const tricky: PatternNode[] = [
      {
        kind: 'quant',
        item: { kind: 'quant', item: { kind: 'var', name: 'A' }, min: 0, max: 1, reluctant: false },
        min: 0,
        max: Infinity,
        reluctant: false,
      },
      {
        kind: 'quant',
        item: { kind: 'quant', item: { kind: 'var', name: 'A' }, min: 0, max: Infinity, reluctant: true },
        min: 1,
        max: Infinity,
        reluctant: false,
      },
      {
        kind: 'concat',
        items: [
          {
            kind: 'quant',
            item: { kind: 'alt', items: [{ kind: 'empty' }, { kind: 'var', name: 'A' }] },
            min: 2,
            max: Infinity,
            reluctant: false,
          },
          { kind: 'var', name: 'B' },
        ],
      },
      {
        kind: 'permute',
        items: [
          { kind: 'quant', item: { kind: 'var', name: 'A' }, min: 0, max: Infinity, reluctant: false },
          { kind: 'exclude', item: { kind: 'var', name: 'B' } },
          { kind: 'quant', item: { kind: 'var', name: 'C' }, min: 0, max: 1, reluctant: true },
        ],
      },
    ];
    const open: Cond = {
      letters: null,
      maxCount: null,
      sameAsLastOf: null,
      uMax: null,
      uBackOffset: null,
      secondDiffersFromPrev: false,
    };
    // ((((C{0}?){1,3}){2,4}){2,4}?){2,}: bounded copies of an empty body nested inside a guarded
    // loop reach each instruction along exponentially many paths (a 34 s run before the matcher
    // deduplicated states with loop iterations open; found by the nested-loops property).
    // It matches exactly what the empty pattern matches (every iteration is empty); the reference
    // backtracks through those paths too, so it is compared with the reference of `()`.
    const nestedEmpty: PatternNode = [
      [0, 0, true],
      [1, 3, false],
      [2, 4, false],
      [2, 4, true],
      [2, Infinity, false],
    ].reduce<PatternNode>(
      (item, [min, max, reluctant]) => ({
        kind: 'quant',
        item,
        min: min as number,
        max: max as number,
        reluctant: reluctant as boolean,
      }),
      { kind: 'var', name: 'C' },
    );
    for (const pattern of [...tricky, nestedEmpty])
      for (const input of ['', 'a', 'ab', 'aab', 'abcabc', 'bbaacc', 'cccc'])
        for (const skip of [{ kind: 'PAST_LAST_ROW' }, { kind: 'TO_NEXT_ROW' }] as AfterMatchSkip[]) {
          const c: Case = {
            pattern,
            conds: [
              { ...open, letters: 'a' },
              { ...open, letters: 'b' },
              { ...open, letters: 'c' },
            ],
            input,
            gaps: [...input].map(() => 1000),
            skip,
            within: null,
            lookahead: 0,
          };
          const same = pattern === nestedEmpty ? { ...c, pattern: { kind: 'empty' } as PatternNode } : c;
          expect(vmMatches(c), `${formatPattern(pattern)} on "${input}"`).toEqual(referenceMatches(same));
        }
  });
});
