/**
 * EXPLAIN: the plan as an indented tree, one operator per line with its arguments and, on every
 * edge, the changes it carries (`changelogMode=[I]` for insert-only, `[I,UB,UA,D]` with retractions)
 * as Flink's `EXPLAIN CHANGELOG_MODE` prints them.
 */
import { typeToString } from '../catalog/types.ts';
import { formatPattern } from '../operators/match/spec.ts';
import { exprToString } from './expr.ts';
import { childrenOf, type RelNode } from './logical.ts';
import { rankFilter } from './over.ts';
import type { StreamProps } from './physical.ts';
import { windowAggregation, windowGroupingSets } from './window.ts';
import { describeWindow, windowJoin, windowRank } from './windowed.ts';

const MODES: Record<StreamProps['mode'], string> = {
  'insert-only': 'I',
  retract: 'I,UB,UA,D',
  upsert: 'I,UA,D',
};

function describe(node: RelNode, props: (node: RelNode) => StreamProps): string {
  const names = node.fields.map((f) => f.name);
  const appends = (n: RelNode) => props(n).mode === 'insert-only';
  switch (node.kind) {
    case 'scan':
      return `TableSourceScan(table=[${node.table.name}${node.projection ? `, project=[${names.join(', ')}]` : ''}], fields=[${names.join(', ')}]${node.watermark ? `, watermark=[${exprToString(node.watermark.expr)}]` : ''})`;
    case 'values':
      return `Values(rows=${node.rows.length}, fields=[${names.join(', ')}])`;
    case 'project':
      return `Calc(select=[${node.exprs.map((e, i) => `${exprToString(e)} AS ${names[i]}`).join(', ')}])`;
    case 'filter': {
      const rank = rankFilter(node);
      const w = rank && appends(rank.over.input) ? windowRank(rank) : undefined;
      if (rank && w) {
        const inFields = rank.over.input.fields;
        const keys = w.keys.map((k) => inFields[k]?.name).join(', ');
        const win = `window=[${describeWindow(w.columns.window)}]`;
        if (w.dedup)
          return `WindowDeduplicate(${win}, keep=[${w.dedup.keepLast ? 'LastRow' : 'FirstRow'}], partitionBy=[${keys}], order=[${inFields[w.dedup.timeIndex]?.name}])`;
        const order = rank.over.orderKeys
          .map((k) => `${inFields[k.index]?.name} ${k.descending ? 'DESC' : 'ASC'}`)
          .join(', ');
        return `WindowRank(${win}, rankRange=[rankStart=${rank.rankStart}, rankEnd=${rank.rankEnd}], partitionBy=[${keys}], orderBy=[${order}])`;
      }
      if (rank?.dedup)
        return `Deduplicate(keep=[${rank.dedup.keepLast ? 'LastRow' : 'FirstRow'}], order=[${rank.dedup.time}])`;
      if (rank) return `Rank(rankRange=[rankStart=${rank.rankStart}, rankEnd=${rank.rankEnd}])`;
      return `Calc(where=[${exprToString(node.condition)}])`;
    }
    case 'aggregate':
      return `${windowAggregation(node) ? 'WindowAggregate' : 'GroupAggregate'}(groupBy=[${node.groupKeys.map((k) => node.input.fields[k]?.name).join(', ')}], select=[${node.aggs
        .map(
          (a) =>
            `${a.name}(${a.distinct ? 'DISTINCT ' : ''}${a.args.map((i) => node.input.fields[i]?.name).join(', ')})`,
        )
        .join(', ')}])`;
    case 'join':
      if (node.temporal) {
        const t = node.temporal;
        return `TemporalJoin(kind=[${t.kind === 'event' ? 'event-time' : 'processing-time'}], joinType=[${node.joinType}], key=[${t.rightKeys.map((k) => node.right.fields[k]?.name).join(', ')}], leftTime=[${node.left.fields[t.leftTime]?.name}]${t.rightTime !== null ? `, versionTime=[${node.right.fields[t.rightTime]?.name}]` : ''}, stateRetention=[${t.kind === 'event' ? 'versions older than the newest one at the watermark are freed' : 'the latest row of each key'}])`;
      }
      if (appends(node.left) && appends(node.right)) {
        const wj = windowJoin(node);
        if (wj)
          return `WindowJoin(joinType=[${node.joinType}], window=[${describeWindow(wj.left.window)}], where=[${exprToString(node.condition)}])`;
      }
      if (node.interval) {
        return `IntervalJoin(joinType=[${node.joinType}], leftTime=[${node.left.fields[node.interval.leftTime]?.name}], rightTime=[${node.right.fields[node.interval.rightTime]?.name}], lower=${node.interval.lower} ms, upper=${node.interval.upper} ms)`;
      }
      return `Join(joinType=[${node.joinType}], where=[${exprToString(node.condition)}])`;
    case 'union': {
      const gs = windowGroupingSets(node);
      if (gs && appends(gs.input)) {
        const f = gs.input.fields;
        const first = gs.branches[0]?.agg;
        const sets = gs.branches
          .map(
            (b) =>
              `(${b.agg.groupKeys
                .filter((k) => k !== gs.startKey && k !== gs.endKey)
                .map((k) => f[k]?.name)
                .join(', ')})`,
          )
          .join(', ');
        return `WindowAggregate(groupBy=[${f[gs.startKey]?.name}, ${f[gs.endKey]?.name}], groupingSets=[${sets}], select=[${(first?.aggs ?? []).map((a) => `${a.name}(${a.distinct ? 'DISTINCT ' : ''}${a.args.map((i) => f[i]?.name).join(', ')})`).join(', ')}])`;
      }
      return `Union(all=[true], inputs=${node.inputs.length})`;
    }
    case 'setOp':
      return `${node.op[0]}${node.op.slice(1).toLowerCase()}(all=[${node.all}])`;
    case 'timeTravel':
      return `TimeTravelScan(query=[${node.query.kind === 'asOf' ? `AS OF ${node.query.at}` : `${node.query.kind} ${node.query.from}..${node.query.to}`}], key=[${node.keys.map((k) => node.input.fields[k]?.name).join(', ')}])`;
    case 'match':
      return `MatchRecognize(partitionBy=[${node.spec.partitionBy.map((k) => node.input.fields[k]?.name).join(', ')}], orderBy=[${node.orderKeys
        .map((k) => `${node.input.fields[k.index]?.name} ${k.descending ? 'DESC' : 'ASC'}`)
        .join(
          ', ',
        )}], pattern=[${formatPattern(node.spec.pattern)}], rowsPerMatch=[${node.spec.rowsPerMatch}]${node.spec.withinMs ? `, within=${node.spec.withinMs} ms` : ''})`;
    case 'correlate':
      return `Correlate(${node.fn.kind === 'unnest' ? 'UNNEST' : node.fn.impl.name}(${node.args.map(exprToString).join(', ')})${node.outer ? ', LEFT' : ''})`;
    case 'over':
      return `OverAggregate(partitionBy=[${node.partitionKeys.map((k) => node.input.fields[k]?.name).join(', ')}], orderBy=[${node.orderKeys
        .map((k) => `${node.input.fields[k.index]?.name} ${k.descending ? 'DESC' : 'ASC'}`)
        .join(
          ', ',
        )}], select=[${node.calls.map((c) => (c.kind === 'AGGREGATE' ? c.name : c.kind)).join(', ')}])`;
    case 'windowTvf':
      return `WindowTableFunction(window=[${describeWindow(node.window)}], timeCol=[${node.input.fields[node.timeIndex]?.name}])`;
    case 'sort':
      return `SortLimit(orderBy=[${node.keys.map((k) => `${names[k.index]} ${k.descending ? 'DESC' : 'ASC'}`).join(', ')}]${node.limit !== null ? `, limit=${node.limit}` : ''}${node.offset ? `, offset=${node.offset}` : ''})`;
  }
}

export function explainPlan(root: RelNode, props: (node: RelNode) => StreamProps): string {
  const lines: string[] = ['== Plan (with changelog mode of each edge) =='];
  const walk = (node: RelNode, depth: number): void => {
    const p = props(node);
    lines.push(
      `${'   '.repeat(depth)}${depth > 0 ? '+- ' : ''}${describe(node, props)}, changelogMode=[${MODES[p.mode]}]${p.bounded ? '' : ', unbounded'}`,
    );
    // Top-N and deduplication replace their OVER node: show what they read.
    const rank = node.kind === 'filter' ? rankFilter(node) : undefined;
    // Grouping sets over windows are one window aggregate over the branches' shared input.
    const sets = node.kind === 'union' ? windowGroupingSets(node) : undefined;
    const children = rank
      ? [rank.over.input]
      : sets && props(sets.input).mode === 'insert-only'
        ? [sets.input]
        : childrenOf(node);
    for (const c of children) walk(c, depth + 1);
  };
  walk(root, 0);
  lines.push('', '== Output schema ==', ...root.fields.map((f) => `${f.name}: ${typeToString(f.type)}`));
  return lines.join('\n');
}
