/**
 * Rule: push filter conjuncts down toward the sources, so joins get their equi keys and less input.
 *
 * 1. A filter over an INNER join (including `FROM a, b WHERE ...`): conjuncts over the left input
 *    alone filter the left input, over the right alone the right input, and the rest join the ON
 *    condition (where an equality becomes a hash key instead of a cross product).
 * 2. A filter over a filter merges into one.
 * 3. A filter over a projection of plain columns moves below it (its references are remapped).
 * Only deterministic conjuncts move. The rule returns `{ node, changed }`; the driver applies it
 * bottom-up to a fixed point.
 */
import { T } from '../../catalog/types.ts';
import { type BoundExpr, conjuncts, inputRef, inputsOf, isDeterministic, mapInputs } from '../expr.ts';
import type { RelNode } from '../logical.ts';
import { rankFilter } from '../over.ts';

function and(args: BoundExpr[]): BoundExpr {
  return args.length === 1 ? (args[0] as BoundExpr) : { kind: 'and', args, type: T.boolean() };
}

function filterOver(input: RelNode, parts: BoundExpr[]): RelNode {
  return parts.length === 0 ? input : { kind: 'filter', input, condition: and(parts), fields: input.fields };
}

export function pushDownFilter(node: RelNode): { node: RelNode; changed: boolean } {
  if (node.kind !== 'filter' || rankFilter(node)) return { node, changed: false };
  const input = node.input;
  const parts = conjuncts(node.condition);
  if (input.kind === 'filter' && !rankFilter(input)) {
    return { node: { ...input, condition: and([...conjuncts(input.condition), ...parts]) }, changed: true };
  }
  if (input.kind === 'join' && input.joinType === 'INNER' && !input.interval && !input.temporal) {
    const n = input.left.fields.length;
    const left: BoundExpr[] = [];
    const right: BoundExpr[] = [];
    const both: BoundExpr[] = [];
    const stay: BoundExpr[] = [];
    for (const c of parts) {
      if (!isDeterministic(c)) {
        stay.push(c);
        continue;
      }
      const refs = [...inputsOf(c)];
      if (refs.length > 0 && refs.every((i) => i < n)) left.push(c);
      else if (refs.length > 0 && refs.every((i) => i >= n))
        right.push(mapInputs(c, (r) => inputRef(r.index - n, r.type, r.name)));
      else both.push(c);
    }
    if (left.length + right.length + both.length === 0) return { node, changed: false };
    const existing = conjuncts(input.condition).filter((c) => !(c.kind === 'literal' && c.value === true));
    const join: RelNode = {
      ...input,
      left: filterOver(input.left, left),
      right: filterOver(input.right, right),
      condition: existing.length + both.length === 0 ? input.condition : and([...existing, ...both]),
    };
    return { node: filterOver(join, stay), changed: true };
  }
  if (input.kind === 'project' && parts.every(isDeterministic)) {
    const exprs = input.exprs;
    const movable = parts.filter((c) => [...inputsOf(c)].every((i) => exprs[i]?.kind === 'input'));
    if (movable.length === 0) return { node, changed: false };
    const rest = parts.filter((c) => !movable.includes(c));
    const remapped = movable.map((c) => mapInputs(c, (r) => exprs[r.index] as BoundExpr));
    const project: RelNode = { ...input, input: filterOver(input.input, remapped) };
    return { node: filterOver(project, rest), changed: true };
  }
  return { node, changed: false };
}
