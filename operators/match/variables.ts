/**
 * Pattern variables resolved once per plan: primary variables, then union variables (SUBSET), each as
 * a membership mask over the primary variables, so "is this row's label part of U" is one array read.
 */
import { RivuletError } from '../../common/errors.ts';
import type { MatchSpec } from './spec.ts';

export interface VariableSets {
  /** Names by VarRef: primary variables then union variables. */
  readonly names: readonly string[];
  readonly primaryCount: number;
  /** members[varRef][primary] === 1 when `primary` belongs to `varRef` (a primary belongs to itself). */
  readonly members: readonly Uint8Array[];
}

export function resolveVariables(spec: Pick<MatchSpec, 'variables' | 'subsets'>): VariableSets {
  const primaryCount = spec.variables.length;
  const names: string[] = [];
  const index = new Map<string, number>();
  const add = (name: string): void => {
    if (index.has(name))
      throw new RivuletError('plan', 'MATCH_DUPLICATE_VARIABLE', `pattern variable ${name} is defined twice`);
    index.set(name, names.length);
    names.push(name);
  };
  for (const v of spec.variables) add(v.name);
  for (const s of spec.subsets) add(s.name);
  const members: Uint8Array[] = [];
  for (let i = 0; i < primaryCount; i++) {
    const m = new Uint8Array(primaryCount);
    m[i] = 1;
    members.push(m);
  }
  for (const s of spec.subsets) {
    const m = new Uint8Array(primaryCount);
    for (const name of s.members) {
      const i = index.get(name);
      if (i === undefined || i >= primaryCount)
        throw new RivuletError(
          'plan',
          'MATCH_BAD_SUBSET',
          `SUBSET ${s.name} names ${name}, which is not a primary pattern variable`,
        );
      m[i] = 1;
    }
    members.push(m);
  }
  return { names, primaryCount, members };
}
