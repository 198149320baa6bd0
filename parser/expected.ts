/**
 * What could come next: the token types the grammar accepts after a prefix of tokens, for syntax
 * error messages ("expected FROM, WHERE, ...").
 *
 * Chevrotain's own error for a failed decision only knows that decision's alternatives, not the optional
 * clauses skipped on the way there. So on an error (never on the fast path) we walk the recorded grammar
 * (Chevrotain's public GAST) over the prefix of the failing statement:
 * 1. A work list holds grammar positions as continuations (remaining items of a sequence + the
 *    continuation to resume when it is done) paired with how many prefix tokens they have matched.
 * 2. A terminal either matches the next prefix token (advance) or, at the end of the prefix, is recorded
 *    as a possible next token; options, repetitions and alternations fork the position.
 * 3. A continuation that finishes the entry rule exactly at the end of the prefix means the statement
 *    could end there.
 * Gates are ignored (they only narrow), so the answer may include a little more than the parser takes.
 */

import {
  Alternation,
  type Alternative,
  type IProduction,
  type IToken,
  NonTerminal,
  Option,
  Repetition,
  RepetitionMandatory,
  RepetitionMandatoryWithSeparator,
  RepetitionWithSeparator,
  type Rule,
  Terminal,
  type TokenType,
  tokenMatcher,
} from 'chevrotain';

interface Cont {
  readonly items: readonly IProduction[];
  readonly pos: number;
  readonly rest: Cont | null;
  /** Names of the rules entered, innermost first. */
  readonly rules: RuleList | null;
}

interface RuleList {
  readonly name: string;
  readonly outer: RuleList | null;
}

export interface NextToken {
  readonly tokenType: TokenType;
  /** The rules the token would be consumed in, innermost first. */
  readonly rules: readonly string[];
}

export interface ExpectedResult {
  readonly next: readonly NextToken[];
  /** Whether the entry rule can end right after the prefix. */
  readonly canEnd: boolean;
}

/** Bounds the walk on pathological inputs; the error message then lists fewer alternatives. */
const MAX_STEPS = 400_000;

const repeatCache = new WeakMap<IProduction, readonly IProduction[]>();

/** `def` followed by a `Repetition` of `def` (or of `sep def`): one or more iterations. */
function oneOrMore(prod: IProduction, def: IProduction[], sep: TokenType | null): readonly IProduction[] {
  let items = repeatCache.get(prod);
  if (items === undefined) {
    const again = sep === null ? def : [new Terminal({ terminalType: sep }), ...def];
    items = [...def, new Repetition({ definition: again })];
    repeatCache.set(prod, items);
  }
  return items;
}

export function nextTokens(entry: Rule, prefix: readonly IToken[]): ExpectedResult {
  const seen = new Map<string, NextToken>();
  let canEnd = false;
  const work: Array<[Cont | null, number]> = [
    [{ items: entry.definition, pos: 0, rest: null, rules: { name: entry.name, outer: null } }, 0],
  ];
  let steps = 0;
  while (work.length > 0 && steps++ < MAX_STEPS) {
    const [cont, idx] = work.pop()!;
    if (cont === null) {
      if (idx === prefix.length) canEnd = true;
      continue;
    }
    if (cont.pos >= cont.items.length) {
      work.push([cont.rest, idx]);
      continue;
    }
    const prod = cont.items[cont.pos]!;
    const advance: Cont = { items: cont.items, pos: cont.pos + 1, rest: cont.rest, rules: cont.rules };
    if (prod instanceof Terminal) {
      if (idx < prefix.length) {
        if (tokenMatcher(prefix[idx]!, prod.terminalType)) work.push([advance, idx + 1]);
      } else {
        const key = `${prod.terminalType.name}|${cont.rules?.name ?? ''}`;
        if (!seen.has(key)) seen.set(key, { tokenType: prod.terminalType, rules: ruleNames(cont.rules) });
      }
    } else if (prod instanceof NonTerminal) {
      const rule = prod.referencedRule;
      work.push([
        { items: rule.definition, pos: 0, rest: advance, rules: { name: rule.name, outer: cont.rules } },
        idx,
      ]);
    } else if (prod instanceof Option) {
      work.push([advance, idx]);
      work.push([{ items: prod.definition, pos: 0, rest: advance, rules: cont.rules }, idx]);
    } else if (prod instanceof Repetition) {
      work.push([advance, idx]);
      // After an iteration, come back to this same repetition (every loop body consumes a token).
      work.push([{ items: prod.definition, pos: 0, rest: cont, rules: cont.rules }, idx]);
    } else if (prod instanceof RepetitionWithSeparator) {
      work.push([advance, idx]);
      work.push([
        { items: oneOrMore(prod, prod.definition, prod.separator), pos: 0, rest: advance, rules: cont.rules },
        idx,
      ]);
    } else if (prod instanceof RepetitionMandatory) {
      work.push([
        { items: oneOrMore(prod, prod.definition, null), pos: 0, rest: advance, rules: cont.rules },
        idx,
      ]);
    } else if (prod instanceof RepetitionMandatoryWithSeparator) {
      work.push([
        { items: oneOrMore(prod, prod.definition, prod.separator), pos: 0, rest: advance, rules: cont.rules },
        idx,
      ]);
    } else if (prod instanceof Alternation) {
      for (let i = prod.definition.length - 1; i >= 0; i--) {
        work.push([
          { items: (prod.definition[i] as Alternative).definition, pos: 0, rest: advance, rules: cont.rules },
          idx,
        ]);
      }
    } else {
      // Alternative / Rule as plain sequences.
      const seq = (prod as unknown as { definition: IProduction[] }).definition;
      work.push([{ items: seq, pos: 0, rest: advance, rules: cont.rules }, idx]);
    }
  }
  return { next: [...seen.values()], canEnd };
}

function ruleNames(list: RuleList | null): string[] {
  const out: string[] = [];
  for (let r = list; r !== null; r = r.outer) out.push(r.name);
  return out;
}
