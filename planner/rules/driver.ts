/**
 * Runs rewrite rules over a logical plan, bottom-up, to a fixed point. Each rule is named so it can be
 * disabled (`table.optimizer.disabled-rules`, comma-separated) and is checked after it runs: a rule
 * must keep the node's output fields (names and types), or the plan is refused as a bug in the rule.
 */

import { typeEquals } from '../../catalog/types.ts';
import { InternalError } from '../../common/errors.ts';
import type { RelNode } from '../logical.ts';
import { pruneScanColumns } from './prune-scan-columns.ts';
import { pushDownFilter } from './push-down-filter.ts';

export interface Rule {
  readonly name: string;
  apply(node: RelNode): { node: RelNode; changed: boolean };
}

export const RULES: readonly Rule[] = [
  { name: 'push-down-filter', apply: pushDownFilter },
  { name: 'prune-scan-columns', apply: pruneScanColumns },
];

function withChildren(node: RelNode, f: (n: RelNode) => RelNode): RelNode {
  switch (node.kind) {
    case 'scan':
    case 'values':
      return node;
    case 'join':
    case 'setOp': {
      const left = f(node.left);
      const right = f(node.right);
      return left === node.left && right === node.right ? node : { ...node, left, right };
    }
    case 'union': {
      const inputs = node.inputs.map(f);
      return inputs.every((x, i) => x === node.inputs[i]) ? node : { ...node, inputs };
    }
    default: {
      const input = f(node.input);
      return input === node.input ? node : ({ ...node, input } as RelNode);
    }
  }
}

function sameFields(a: RelNode, b: RelNode): boolean {
  return (
    a.fields.length === b.fields.length &&
    a.fields.every((f, i) => typeEquals(f.type, (b.fields[i] as typeof f).type, true))
  );
}

export function optimize(root: RelNode, disabled: ReadonlySet<string> = new Set()): RelNode {
  const rules = RULES.filter((r) => !disabled.has(r.name));
  const visit = (node: RelNode): RelNode => {
    let current = withChildren(node, visit);
    for (let round = 0; round < 100; round++) {
      let changed = false;
      for (const rule of rules) {
        const r = rule.apply(current);
        if (!r.changed) continue;
        if (!sameFields(current, r.node))
          throw new InternalError(`rule ${rule.name} changed the output of ${current.kind}`);
        current = withChildren(r.node, visit);
        changed = true;
      }
      if (!changed) break;
    }
    return current;
  };
  return visit(root);
}
