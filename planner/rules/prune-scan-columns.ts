/**
 * Rule: a table scan reads only the columns the query uses (projection pruning into the source).
 *
 * 1. Match a projection over zero or more plain filters over a scan (the shape every SELECT ... FROM t
 *    [WHERE ...] takes once filters are pushed down).
 * 2. Collect the scan columns referenced by the projection's expressions, the filters' conditions and
 *    the scan's watermark (its rowtime column and the columns its expression reads).
 * 3. If that is fewer than the scan produces, the scan keeps only those (`ScanRel.projection`, table
 *    column indices in table order), and the filters and the projection are renumbered onto it.
 * The projection's output is unchanged, so nothing above it notices. The scan then skips computed
 * columns nobody reads and its rows are narrower from the source on (runtime/build-job.ts).
 */
import { type BoundExpr, inputRef, inputsOf, mapInputs } from '../expr.ts';
import type { FilterRel, RelNode, ScanRel } from '../logical.ts';
import { rankFilter } from '../over.ts';

export function pruneScanColumns(node: RelNode): { node: RelNode; changed: boolean } {
  const unchanged = { node, changed: false };
  if (node.kind !== 'project') return unchanged;
  const filters: FilterRel[] = [];
  let below = node.input;
  while (below.kind === 'filter' && !rankFilter(below)) {
    filters.push(below);
    below = below.input;
  }
  if (below.kind !== 'scan') return unchanged;
  const scan: ScanRel = below;
  const used = new Set<number>();
  for (const e of node.exprs) inputsOf(e, used);
  for (const f of filters) inputsOf(f.condition, used);
  if (scan.watermark) {
    used.add(scan.watermark.column);
    inputsOf(scan.watermark.expr, used);
  }
  if (used.size >= scan.fields.length) return unchanged;
  const kept = [...used].sort((a, b) => a - b);
  const newIndex = new Map(kept.map((old, i) => [old, i]));
  const remap = (e: BoundExpr) =>
    mapInputs(e, (r) => inputRef(newIndex.get(r.index) as number, r.type, r.name));
  const tableColumns = scan.projection ?? scan.fields.map((_, i) => i);
  const fields = kept.map((i) => scan.fields[i] as (typeof scan.fields)[number]);
  let rel: RelNode = {
    ...scan,
    projection: kept.map((i) => tableColumns[i] as number),
    fields,
    ...(scan.watermark
      ? {
          watermark: {
            column: newIndex.get(scan.watermark.column) as number,
            expr: remap(scan.watermark.expr),
          },
        }
      : {}),
  };
  for (let i = filters.length - 1; i >= 0; i--) {
    const f = filters[i] as FilterRel;
    rel = { ...f, input: rel, condition: remap(f.condition), fields };
  }
  return { node: { ...node, input: rel, exprs: node.exprs.map(remap) }, changed: true };
}
