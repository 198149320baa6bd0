/** Rebuilding parsed expressions with some nodes replaced (MATCH_RECOGNIZE leaves, legacy windows). */
import type { Expr } from '../parser/ast.ts';

/**
 * A copy of `node` in which `f` may replace any node (by returning a new one); nodes it leaves
 * (`undefined`) are rebuilt from their rewritten children. Subqueries are not entered.
 */
export function rewriteAst(node: unknown, f: (e: Expr) => Expr | undefined): unknown {
  if (!node || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((n) => rewriteAst(n, f));
  const o = node as { kind?: string };
  if (o.kind === 'select' || o.kind === 'setOperation' || o.kind === 'values' || o.kind === 'with')
    return node;
  if (o.kind !== undefined && o.kind !== 'identifier' && o.kind !== 'qualifiedName') {
    const replaced = f(node as Expr);
    if (replaced) return replaced;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'span' ? v : rewriteAst(v, f);
  return out;
}
