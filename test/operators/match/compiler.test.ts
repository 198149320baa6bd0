import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../../common/errors.ts';
import { compilePattern, formatProgram, nullable, permutations } from '../../../operators/match/compiler.ts';
import { formatPattern, Pattern as P, type PatternNode } from '../../../operators/match/spec.ts';

const V = ['A', 'B', 'C'];
const listing = (p: PatternNode, vars = V) => formatProgram(compilePattern(p, vars));
const { v } = P;

describe('compilePattern', () => {
  it('compiles a greedy star as a loop whose split prefers the body', () => {
    expect(listing(P.concat(v('A'), P.star(v('B')), v('C')))).toEqual([
      '0: label A',
      '1: split 2, 4',
      '2: label B',
      '3: jump 1',
      '4: label C',
      '5: done',
    ]);
  });

  it('compiles a reluctant star with the split operands swapped', () => {
    expect(listing(P.concat(v('A'), P.star(v('B'), true), v('C')))).toEqual([
      '0: label A',
      '1: split 4, 2',
      '2: label B',
      '3: jump 1',
      '4: label C',
      '5: done',
    ]);
  });

  it('compiles + as one mandatory copy followed by a star', () => {
    expect(listing(P.plus(v('A')))).toEqual([
      '0: label A',
      '1: split 2, 4',
      '2: label A',
      '3: jump 1',
      '4: done',
    ]);
  });

  it('unrolls {n,m} into n copies and m-n nested optional copies, greedy and reluctant', () => {
    expect(listing(P.quant(v('A'), 2, 4))).toEqual([
      '0: label A',
      '1: label A',
      '2: split 3, 6',
      '3: label A',
      '4: split 5, 6',
      '5: label A',
      '6: done',
    ]);
    expect(listing(P.quant(v('A'), 2, 4, true))).toEqual([
      '0: label A',
      '1: label A',
      '2: split 6, 3',
      '3: label A',
      '4: split 6, 5',
      '5: label A',
      '6: done',
    ]);
    expect(listing(P.quant(v('A'), 3, 3))).toEqual(['0: label A', '1: label A', '2: label A', '3: done']);
    expect(listing(P.quant(v('A'), 0, 0))).toEqual(['0: done']);
  });

  it('compiles a reluctant ? so that skipping is preferred', () => {
    expect(listing(P.concat(P.opt(v('A'), true), v('B')))).toEqual([
      '0: split 2, 1',
      '1: label A',
      '2: label B',
      '3: done',
    ]);
  });

  it('compiles alternation with the left operand preferred', () => {
    expect(listing(P.alt(v('A'), P.concat(v('A'), v('B'))))).toEqual([
      '0: split 1, 3',
      '1: label A',
      '2: jump 5',
      '3: label A',
      '4: label B',
      '5: done',
    ]);
    expect(listing(P.alt(v('A'), v('B'), v('C')))).toEqual([
      '0: split 1, 3',
      '1: label A',
      '2: jump 7',
      '3: split 4, 6',
      '4: label B',
      '5: jump 7',
      '6: label C',
      '7: done',
    ]);
  });

  it('compiles PERMUTE as the alternation of all permutations in lexicographic order', () => {
    expect(listing(P.permute(v('A'), v('B'), v('C')))).toEqual([
      '0: split 1, 5',
      '1: label A',
      '2: label B',
      '3: label C',
      '4: jump 28',
      '5: split 6, 10',
      '6: label A',
      '7: label C',
      '8: label B',
      '9: jump 28',
      '10: split 11, 15',
      '11: label B',
      '12: label A',
      '13: label C',
      '14: jump 28',
      '15: split 16, 20',
      '16: label B',
      '17: label C',
      '18: label A',
      '19: jump 28',
      '20: split 21, 25',
      '21: label C',
      '22: label A',
      '23: label B',
      '24: jump 28',
      '25: label C',
      '26: label B',
      '27: label A',
      '28: done',
    ]);
    expect(permutations(3)).toEqual([
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ]);
  });

  it('marks exclusions and flags the labels inside them', () => {
    expect(listing(P.concat(v('A'), P.exclude(P.plus(v('B'))), v('C')))).toEqual([
      '0: label A',
      '1: exclude-start',
      '2: label B (excluded)',
      '3: split 4, 6',
      '4: label B (excluded)',
      '5: jump 3',
      '6: exclude-end',
      '7: label C',
      '8: done',
    ]);
  });

  it('compiles anchors and the empty pattern', () => {
    expect(listing(P.concat(P.start(), P.star(v('A')), P.end()))).toEqual([
      '0: anchor-start',
      '1: split 2, 4',
      '2: label A',
      '3: jump 1',
      '4: anchor-end',
      '5: done',
    ]);
    expect(listing(P.empty())).toEqual(['0: done']);
  });

  it('guards a loop over a possibly empty body with iteration-start, and only such loops', () => {
    expect(listing(P.star(P.opt(v('A'))))).toEqual([
      '0: split 1, 5',
      '1: iteration-start 0',
      '2: split 3, 4',
      '3: label A',
      '4: jump 0',
      '5: done',
    ]);
    expect(listing(P.plus(P.star(v('A'), true)))).toEqual([
      '0: split 3, 1',
      '1: label A',
      '2: jump 0',
      '3: split 4, 9',
      '4: iteration-start 3',
      '5: split 8, 6',
      '6: label A',
      '7: jump 5',
      '8: jump 3',
      '9: done',
    ]);
  });

  it('knows which patterns can match no rows', () => {
    expect(nullable(v('A'))).toBe(false);
    expect(nullable(P.concat(P.start(), P.opt(v('A')), P.empty()))).toBe(true);
    expect(nullable(P.concat(P.opt(v('A')), v('B')))).toBe(false);
    expect(nullable(P.alt(v('A'), P.star(v('B'))))).toBe(true);
    expect(nullable(P.quant(P.opt(v('A')), 2, 3))).toBe(true);
    expect(nullable(P.quant(v('A'), 1, 3))).toBe(false);
    expect(nullable(P.permute(P.opt(v('A')), P.exclude(P.star(v('B')))))).toBe(true);
    expect(nullable(P.permute(P.opt(v('A')), v('B')))).toBe(false);
  });

  it('refuses unknown variables, bad bounds, huge PERMUTE and huge unrolling with plan errors', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(RivuletError);
        return (e as RivuletError).code;
      }
      return 'no error';
    };
    expect(code(() => compilePattern(v('X'), V))).toBe('MATCH_UNKNOWN_VARIABLE');
    expect(code(() => compilePattern(P.quant(v('A'), 3, 2), V))).toBe('MATCH_BAD_QUANTIFIER');
    expect(code(() => compilePattern(P.quant(v('A'), -1, 2), V))).toBe('MATCH_BAD_QUANTIFIER');
    const eight = 'ABCDEFGH'.split('');
    expect(code(() => compilePattern(P.permute(...eight.map(v)), eight))).toBe('MATCH_PERMUTE_TOO_LARGE');
    expect(code(() => compilePattern(P.quant(v('A'), 1, 1_000_000), V))).toBe('MATCH_PATTERN_TOO_LARGE');
    expect(code(() => compilePattern(v('A'), ['A', 'A']))).toBe('MATCH_DUPLICATE_VARIABLE');
  });
});

describe('formatPattern', () => {
  it('prints patterns in SQL syntax', () => {
    expect(
      formatPattern(
        P.concat(
          P.start(),
          v('A'),
          P.star(v('B'), true),
          P.quant(P.alt(v('C'), v('D')), 2, 3),
          P.exclude(v('E')),
          P.permute(v('F'), v('G')),
          P.quant(v('H'), 2, Infinity),
          P.end(),
        ),
      ),
    ).toBe('^ A B*? (C | D){2,3} {- E -} PERMUTE(F, G) H{2,} $');
  });
});
