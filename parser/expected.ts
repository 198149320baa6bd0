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
  /** Hash-consed: equal continuations are one object, so the walk can skip states it has seen. */
  readonly id: number;
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

const sequenceIds = new WeakMap<readonly IProduction[], number>();
let nextSequenceId = 0;

function sequenceId(items: readonly IProduction[]): number {
  let id = sequenceIds.get(items);
  if (id === undefined) {
    id = nextSequenceId++;
    sequenceIds.set(items, id);
  }
  return id;
}

export function nextTokens(entry: Rule, prefix: readonly IToken[]): ExpectedResult {
  const seen = new Map<string, NextToken>();
  const conts = new Map<string, Cont>();
  const visited = new Set<string>();
  const cont = (
    items: readonly IProduction[],
    pos: number,
    rest: Cont | null,
    rules: RuleList | null,
  ): Cont => {
    const key = `${sequenceId(items)}:${pos}:${rest === null ? -1 : rest.id}`;
    let c = conts.get(key);
    if (c === undefined) {
      c = { id: conts.size, items, pos, rest, rules };
      conts.set(key, c);
    }
    return c;
  };
  let canEnd = false;
  const work: Array<[Cont | null, number]> = [
    [cont(entry.definition, 0, null, { name: entry.name, outer: null }), 0],
  ];
  const push = (c: Cont | null, idx: number) => {
    const key = c === null ? `end@${idx}` : `${c.id}@${idx}`;
    if (!visited.has(key)) {
      visited.add(key);
      work.push([c, idx]);
    }
  };
  let steps = 0;
  while (work.length > 0 && steps++ < MAX_STEPS) {
    const [c, idx] = work.pop()!;
    if (c === null) {
      if (idx === prefix.length) canEnd = true;
      continue;
    }
    if (c.pos >= c.items.length) {
      push(c.rest, idx);
      continue;
    }
    const prod = c.items[c.pos]!;
    const advance = cont(c.items, c.pos + 1, c.rest, c.rules);
    if (prod instanceof Terminal) {
      if (idx < prefix.length) {
        if (tokenMatcher(prefix[idx]!, prod.terminalType)) push(advance, idx + 1);
      } else {
        const key = `${prod.terminalType.name}|${c.rules?.name ?? ''}`;
        if (!seen.has(key)) seen.set(key, { tokenType: prod.terminalType, rules: ruleNames(c.rules) });
      }
    } else if (prod instanceof NonTerminal) {
      const rule = prod.referencedRule;
      push(cont(rule.definition, 0, advance, { name: rule.name, outer: c.rules }), idx);
    } else if (prod instanceof Option) {
      push(advance, idx);
      push(cont(prod.definition, 0, advance, c.rules), idx);
    } else if (prod instanceof Repetition) {
      push(advance, idx);
      // After an iteration, come back to this same repetition.
      push(cont(prod.definition, 0, c, c.rules), idx);
    } else if (prod instanceof RepetitionWithSeparator) {
      push(advance, idx);
      push(cont(oneOrMore(prod, prod.definition, prod.separator), 0, advance, c.rules), idx);
    } else if (prod instanceof RepetitionMandatory) {
      push(cont(oneOrMore(prod, prod.definition, null), 0, advance, c.rules), idx);
    } else if (prod instanceof RepetitionMandatoryWithSeparator) {
      push(cont(oneOrMore(prod, prod.definition, prod.separator), 0, advance, c.rules), idx);
    } else if (prod instanceof Alternation) {
      for (let i = prod.definition.length - 1; i >= 0; i--) {
        push(cont((prod.definition[i] as Alternative).definition, 0, advance, c.rules), idx);
      }
    } else {
      // Alternative / Rule as plain sequences.
      push(cont((prod as unknown as { definition: IProduction[] }).definition, 0, advance, c.rules), idx);
    }
  }
  return { next: [...seen.values()], canEnd };
}

function ruleNames(list: RuleList | null): string[] {
  const out: string[] = [];
  for (let r = list; r !== null; r = r.outer) out.push(r.name);
  return out;
}
