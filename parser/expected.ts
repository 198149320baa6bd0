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
  return walk(entry.definition, entry.name, prefix);
}

interface FirstSet {
  readonly types: ReadonlySet<TokenType>;
  readonly nullable: boolean;
}

const firstCache = new WeakMap<readonly IProduction[], FirstSet>();

/** The token types a sequence can start with, and whether it can match nothing. */
function firstOf(items: readonly IProduction[]): FirstSet {
  let f = firstCache.get(items);
  if (f === undefined) {
    const r = walk(items, '', []);
    f = { types: new Set(r.next.map((n) => n.tokenType)), nullable: r.canEnd };
    firstCache.set(items, f);
  }
  return f;
}

/**
 * Whether the parser would commit to `items` on seeing `tok`: the sequence starts with exactly that
 * keyword or punctuation (a generic identifier match does not count, since the grammar tries
 * keyword-specific alternatives first and gates the rest).
 */
function commits(items: readonly IProduction[], tok: IToken): boolean {
  const f = firstOf(items);
  return !f.nullable && f.types.has(tok.tokenType);
}

const singletons = new WeakMap<IProduction, readonly IProduction[]>();

/** Whether one of the items from `pos` on (up to the first that cannot be empty) starts with `tok`. */
function laterCommits(items: readonly IProduction[], pos: number, tok: IToken): boolean {
  for (let i = pos; i < items.length; i++) {
    const item = items[i]!;
    let seq = singletons.get(item);
    if (seq === undefined) {
      seq = [item];
      singletons.set(item, seq);
    }
    const f = firstOf(seq);
    if (f.types.has(tok.tokenType)) return true;
    if (!f.nullable) return false;
  }
  return false;
}

function walk(definition: readonly IProduction[], name: string, prefix: readonly IToken[]): ExpectedResult {
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
  const work: Array<[Cont | null, number]> = [[cont(definition, 0, null, { name, outer: null }), 0]];
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
    const next = idx < prefix.length ? prefix[idx] : undefined;
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
      // Like the parser, an option that the next token enters is entered (not skipped); and an option
      // that would only take it as a name is skipped when a later clause starts with that keyword.
      if (next === undefined || !commits(prod.definition, next)) push(advance, idx);
      if (next === undefined || commits(prod.definition, next) || !laterCommits(c.items, c.pos + 1, next)) {
        push(cont(prod.definition, 0, advance, c.rules), idx);
      }
    } else if (prod instanceof Repetition) {
      if (next === undefined || !commits(prod.definition, next)) push(advance, idx);
      // After an iteration, come back to this same repetition.
      push(cont(prod.definition, 0, c, c.rules), idx);
    } else if (prod instanceof RepetitionWithSeparator) {
      if (next === undefined || !commits(prod.definition, next)) push(advance, idx);
      push(cont(oneOrMore(prod, prod.definition, prod.separator), 0, advance, c.rules), idx);
    } else if (prod instanceof RepetitionMandatory) {
      push(cont(oneOrMore(prod, prod.definition, null), 0, advance, c.rules), idx);
    } else if (prod instanceof RepetitionMandatoryWithSeparator) {
      push(cont(oneOrMore(prod, prod.definition, prod.separator), 0, advance, c.rules), idx);
    } else if (prod instanceof Alternation) {
      const alts = prod.definition.map((a) => (a as Alternative).definition);
      // Alternatives that start with exactly the next keyword win over generic ones (the grammar lists
      // them first), as in the parser.
      const committed = next === undefined ? [] : alts.filter((a) => commits(a, next));
      const chosen = committed.length > 0 ? committed : alts;
      for (let i = chosen.length - 1; i >= 0; i--) push(cont(chosen[i]!, 0, advance, c.rules), idx);
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
