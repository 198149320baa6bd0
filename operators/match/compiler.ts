/**
 * Compiles a row pattern (the IR of spec.ts) into a small instruction program run by the matcher
 * (matcher.ts) as a Pike VM, the way Trino's row pattern matcher does.
 *
 * Instructions:
 * - `label V`: consume the current row if it satisfies V's DEFINE (with V's rows so far + this row);
 * - `split a, b`: fork; the thread at `a` is preferred over the one at `b`;
 * - `jump t`; `exclude-start` / `exclude-end`: marks around `{- ... -}`;
 * - `iteration-start L`: an iteration of the loop at L begins (only in loops over nullable bodies);
 * - `anchor-start` (`^`): passes only before the first row of the partition;
 * - `anchor-end` (`$`): passes only after the last row of the partition;
 * - `done`: a match.
 *
 * Steps, by construction (so the matcher's loop has no special cases):
 * 1. A variable is one `label`. Concatenation is sequential code.
 * 2. Alternation `x1 | ... | xn` is a chain of `split`s whose first operand is the earlier item, so the
 *    left-most alternative is preferred (SQL:2016 preference order).
 * 3. A quantifier `x{n,m}` is `n` copies of `x`, then either a loop (m = infinity) or `m - n` nested
 *    optional copies (`split` past all remaining copies). Greedy and reluctant differ only in the
 *    order of each `split`'s operands: greedy prefers one more iteration, reluctant prefers to stop.
 * 4. `PERMUTE(x1, ..., xn)` is the alternation of every concatenation of the items, permutations in
 *    lexicographic order of the item positions (the standard's preference order for PERMUTE).
 * 5. `{- x -}` is `exclude-start, x, exclude-end`; the compiler also flags every `label` inside as
 *    excluded, so a thread's row assignment records exclusion without run-time bookkeeping.
 * 6. Empty-loop guard (the standard's rule, as the reference in the tests states it: every iteration
 *    of an unbounded quantifier beyond its minimum must consume at least one row). Only a loop whose
 *    body can match no rows needs it: its body starts with `iteration-start L` (L = the loop's split),
 *    which records that an iteration of L began at the current row; reaching the back-edge `jump L`
 *    before any row was consumed means the iteration was empty, and that thread dies (the loop can
 *    still be left through its exit branch, at its place in the preference order). Without the guard
 *    `(A?)*` would loop forever. Loops over bodies that always consume a row get no guard.
 */
import { RivuletError } from '../../common/errors.ts';
import type { PatternNode } from './spec.ts';

/** One instruction; see the file comment. */
export type Instruction =
  | { readonly op: 'label'; readonly variable: number; readonly excluded: boolean }
  | { readonly op: 'split'; readonly first: number; readonly second: number }
  | { readonly op: 'jump'; readonly to: number }
  | { readonly op: 'exclude-start' }
  | { readonly op: 'exclude-end' }
  | { readonly op: 'anchor-start' }
  | { readonly op: 'anchor-end' }
  | { readonly op: 'iteration-start'; readonly loop: number }
  | { readonly op: 'done' };

export type OpName = Instruction['op'];

/** Numeric op codes of the flat encoding the matcher runs (one small integer per instruction). */
export const Op = {
  LABEL: 0,
  SPLIT: 1,
  JUMP: 2,
  EXCLUDE_START: 3,
  EXCLUDE_END: 4,
  ANCHOR_START: 5,
  ANCHOR_END: 6,
  DONE: 7,
  ITERATION_START: 8,
} as const;

const OP_CODES: Record<OpName, number> = {
  label: Op.LABEL,
  split: Op.SPLIT,
  jump: Op.JUMP,
  'exclude-start': Op.EXCLUDE_START,
  'exclude-end': Op.EXCLUDE_END,
  'anchor-start': Op.ANCHOR_START,
  'anchor-end': Op.ANCHOR_END,
  done: Op.DONE,
  'iteration-start': Op.ITERATION_START,
};

/** A compiled pattern: the instructions, and the same program as flat typed arrays for the matcher. */
export interface Program {
  readonly instructions: readonly Instruction[];
  readonly variableNames: readonly string[];
  /** Op code per instruction (see `Op`). */
  readonly ops: Uint8Array;
  /** label: variable; split: first; jump: target; iteration-start: the loop's split. */
  readonly arg1: Int32Array;
  /** label: 1 when excluded; split: second. */
  readonly arg2: Int32Array;
}

/** Patterns that unroll beyond this many instructions are refused (e.g. `A{1,1000000}`). */
export const MAX_PROGRAM_SIZE = 200_000;
/** PERMUTE of more items than this is refused (n! alternatives). */
export const MAX_PERMUTE_ITEMS = 7;

type MutableInstruction =
  | { op: 'label'; variable: number; excluded: boolean }
  | { op: 'split'; first: number; second: number }
  | { op: 'jump'; to: number }
  | { op: 'iteration-start'; loop: number }
  | { op: 'exclude-start' | 'exclude-end' | 'anchor-start' | 'anchor-end' | 'done' };

/**
 * Compiles `pattern`; `variableNames` lists the primary variables (their positions are the numbers
 * in `label` instructions).
 *
 * @example
 * formatProgram(compilePattern(Pattern.concat(Pattern.v('A'), Pattern.star(Pattern.v('B'))), ['A', 'B']))
 * // 0: label A / 1: split 2, 4 / 2: label B / 3: jump 1 / 4: done
 */
export function compilePattern(pattern: PatternNode, variableNames: readonly string[]): Program {
  const code: MutableInstruction[] = [];
  const varIndex = new Map<string, number>();
  variableNames.forEach((n, i) => {
    if (varIndex.has(n))
      throw new RivuletError('plan', 'MATCH_DUPLICATE_VARIABLE', `pattern variable ${n} is defined twice`);
    varIndex.set(n, i);
  });
  let excludeDepth = 0;

  const emit = (ins: MutableInstruction): number => {
    if (code.length >= MAX_PROGRAM_SIZE)
      throw new RivuletError(
        'plan',
        'MATCH_PATTERN_TOO_LARGE',
        `the row pattern is too large once its quantifiers are unrolled (more than ${MAX_PROGRAM_SIZE} instructions): use smaller {n,m} bounds`,
      );
    code.push(ins);
    return code.length - 1;
  };

  const alternation = (items: readonly (() => void)[]): void => {
    const jumps: { op: 'jump'; to: number }[] = [];
    for (let i = 0; i < items.length - 1; i++) {
      const split = { op: 'split' as const, first: 0, second: 0 };
      emit(split);
      split.first = code.length;
      items[i]!();
      const j = { op: 'jump' as const, to: 0 };
      emit(j);
      jumps.push(j);
      split.second = code.length;
    }
    items[items.length - 1]!();
    for (const j of jumps) j.to = code.length;
  };

  const gen = (p: PatternNode): void => {
    switch (p.kind) {
      case 'var': {
        const v = varIndex.get(p.name);
        if (v === undefined)
          throw new RivuletError(
            'plan',
            'MATCH_UNKNOWN_VARIABLE',
            `pattern variable ${p.name} is not among the variables of the plan`,
          );
        emit({ op: 'label', variable: v, excluded: excludeDepth > 0 });
        return;
      }
      case 'empty':
        return;
      case 'anchor':
        emit({ op: p.which === 'start' ? 'anchor-start' : 'anchor-end' });
        return;
      case 'concat':
        for (const item of p.items) gen(item);
        return;
      case 'alt':
        if (p.items.length === 0) return;
        alternation(p.items.map((item) => () => gen(item)));
        return;
      case 'permute': {
        if (p.items.length > MAX_PERMUTE_ITEMS)
          throw new RivuletError(
            'plan',
            'MATCH_PERMUTE_TOO_LARGE',
            `PERMUTE of ${p.items.length} items has too many permutations (at most ${MAX_PERMUTE_ITEMS} items)`,
          );
        if (p.items.length === 0) return;
        const perms = permutations(p.items.length);
        alternation(
          perms.map((perm) => () => {
            for (const i of perm) gen(p.items[i]!);
          }),
        );
        return;
      }
      case 'exclude':
        emit({ op: 'exclude-start' });
        excludeDepth++;
        gen(p.item);
        excludeDepth--;
        emit({ op: 'exclude-end' });
        return;
      case 'quant':
        genQuantifier(p.item, p.min, p.max, p.reluctant);
        return;
    }
  };

  const genQuantifier = (item: PatternNode, min: number, max: number, reluctant: boolean): void => {
    if (!Number.isInteger(min) || min < 0 || !(max === Infinity || Number.isInteger(max)) || max < min)
      throw new RivuletError(
        'plan',
        'MATCH_BAD_QUANTIFIER',
        `invalid quantifier bounds {${min},${max === Infinity ? '' : max}}: need 0 <= min <= max`,
      );
    for (let i = 0; i < min; i++) gen(item);
    if (max === Infinity) {
      // L: split body, exit (greedy) | split exit, body (reluctant); body; jump L; exit:
      const loop = code.length;
      const split = { op: 'split' as const, first: 0, second: 0 };
      emit(split);
      const body = code.length;
      if (nullable(item)) emit({ op: 'iteration-start', loop });
      gen(item);
      emit({ op: 'jump', to: loop });
      const exit = code.length;
      split.first = reluctant ? exit : body;
      split.second = reluctant ? body : exit;
      return;
    }
    // Nested optional copies: each split either enters one more copy or leaves past all of them.
    const splits: { op: 'split'; first: number; second: number }[] = [];
    for (let i = min; i < max; i++) {
      const split = { op: 'split' as const, first: 0, second: 0 };
      emit(split);
      split.first = code.length; // body, patched below for reluctant
      splits.push(split);
      gen(item);
    }
    const end = code.length;
    for (const s of splits) {
      const body = s.first;
      s.first = reluctant ? end : body;
      s.second = reluctant ? body : end;
    }
  };

  gen(pattern);
  emit({ op: 'done' });

  const n = code.length;
  const ops = new Uint8Array(n);
  const arg1 = new Int32Array(n);
  const arg2 = new Int32Array(n);
  code.forEach((ins, pc) => {
    ops[pc] = OP_CODES[ins.op];
    if (ins.op === 'label') {
      arg1[pc] = ins.variable;
      arg2[pc] = ins.excluded ? 1 : 0;
    } else if (ins.op === 'split') {
      arg1[pc] = ins.first;
      arg2[pc] = ins.second;
    } else if (ins.op === 'jump') {
      arg1[pc] = ins.to;
    } else if (ins.op === 'iteration-start') {
      arg1[pc] = ins.loop;
    }
  });
  return { instructions: code as Instruction[], variableNames: [...variableNames], ops, arg1, arg2 };
}

/** True when `p` can match without consuming a row. */
export function nullable(p: PatternNode): boolean {
  switch (p.kind) {
    case 'var':
      return false;
    case 'empty':
    case 'anchor':
      return true;
    case 'concat':
    case 'permute':
      return p.items.every(nullable);
    case 'alt':
      return p.items.length === 0 || p.items.some(nullable);
    case 'exclude':
      return nullable(p.item);
    case 'quant':
      return p.min === 0 || nullable(p.item);
  }
}

/** All permutations of 0..n-1 in lexicographic order. */
export function permutations(n: number): number[][] {
  const out: number[][] = [];
  const used = new Array<boolean>(n).fill(false);
  const cur: number[] = [];
  const rec = (): void => {
    if (cur.length === n) {
      out.push([...cur]);
      return;
    }
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      used[i] = true;
      cur.push(i);
      rec();
      cur.pop();
      used[i] = false;
    }
  };
  rec();
  return out;
}

/** One instruction per line, `pc: op operands`, e.g. `3: split 4, 6` or `5: label B (excluded)`. */
export function formatProgram(program: Program): string[] {
  return program.instructions.map((ins, pc) => {
    switch (ins.op) {
      case 'label':
        return `${pc}: label ${program.variableNames[ins.variable]}${ins.excluded ? ' (excluded)' : ''}`;
      case 'split':
        return `${pc}: split ${ins.first}, ${ins.second}`;
      case 'jump':
        return `${pc}: jump ${ins.to}`;
      case 'iteration-start':
        return `${pc}: iteration-start ${ins.loop}`;
      default:
        return `${pc}: ${ins.op}`;
    }
  });
}
