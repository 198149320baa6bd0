/**
 * Flink's legacy group-window syntax, for users migrating old queries:
 * `GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)` with `TUMBLE_START(ts, ...)`, `TUMBLE_END`, `TUMBLE_ROWTIME`
 * in the select list (and HOP / SESSION alike). It is rewritten to the window TVF form: the grouped
 * input becomes `TABLE(TUMBLE(...))` and the window functions become its window columns.
 */
import { RivuletError, type Span } from '../common/errors.ts';
import type {
  ColumnRef,
  Expr,
  FunctionCall,
  GroupingElement,
  Identifier,
  SelectQuery,
} from '../parser/ast.ts';
import { rewriteAst } from './ast-rewrite.ts';
import type { ExprBinder } from './bind-expr.ts';
import type { Field, RelNode } from './logical.ts';
import { Scope } from './scope.ts';
import { type WindowFunction, windowTvf } from './window.ts';

const GROUP_FNS = new Set(['TUMBLE', 'HOP', 'SESSION']);
const AUX = /^(TUMBLE|HOP|SESSION)_(START|END|ROWTIME|PROCTIME)$/;
export const WINDOW_COLUMNS = ['$window_start', '$window_end', '$window_time'] as const;

function name(e: FunctionCall): string {
  return e.name.parts
    .map((p) => p.text)
    .join('.')
    .toUpperCase();
}

function colRef(text: string, span: Span): ColumnRef {
  const id: Identifier = { kind: 'identifier', span, text, quoted: true };
  return { kind: 'columnRef', span, path: [id] };
}

/** The legacy window call among GROUP BY's elements, if any. */
function findWindow(q: SelectQuery): FunctionCall | undefined {
  const calls = (q.groupBy?.elements ?? []).filter(
    (e): e is FunctionCall => e.kind === 'functionCall' && GROUP_FNS.has(name(e)) && e.args.length >= 2,
  );
  if (calls.length > 1)
    throw new RivuletError(
      'plan',
      'LEGACY_WINDOW',
      'Only one group window is allowed in GROUP BY',
      calls[1]?.span,
    );
  return calls[0];
}

/**
 * Rewrites a query using a legacy group window: returns the new query and the input wrapped in the
 * window TVF, or undefined when the query has none.
 */
export function rewriteLegacyWindow(
  q: SelectQuery,
  input: { rel: RelNode; fields: readonly Field[] },
  binder: (scope: Scope, clause: string) => ExprBinder,
): { query: SelectQuery; input: { rel: RelNode; fields: readonly Field[] } } | undefined {
  const call = findWindow(q);
  if (!call) return undefined;
  const fn = name(call) as 'TUMBLE' | 'HOP' | 'SESSION';
  const [timeArg, ...rest] = call.args;
  if (timeArg?.kind !== 'columnRef')
    throw new RivuletError(
      'plan',
      'LEGACY_WINDOW',
      `${fn}(...) needs a time attribute column first`,
      call.span,
    );
  const scope = new Scope(input.fields);
  const timeIndex = scope.resolve(timeArg.path, timeArg.span).index;
  const eb = binder(new Scope([]), fn);
  const ms = rest.map((r) => {
    const b = eb.bind(r);
    if (
      b.kind !== 'literal' ||
      b.type.kind !== 'INTERVAL_DAY_TIME' ||
      typeof b.value !== 'number' ||
      b.value <= 0
    ) {
      throw new RivuletError(
        'plan',
        'LEGACY_WINDOW',
        `${fn}(...) takes positive constant day-time intervals`,
        r.span,
      );
    }
    return b.value;
  });
  const intervals = new Map<string, number>();
  const tvf: WindowFunction = fn;
  if (fn === 'TUMBLE') {
    intervals.set('SIZE', ms[0] as number);
    if (ms[1] !== undefined) intervals.set('OFFSET', ms[1]);
  } else if (fn === 'HOP') {
    if (ms.length < 2) throw new RivuletError('plan', 'LEGACY_WINDOW', 'HOP(time, slide, size)', call.span);
    intervals.set('SLIDE', ms[0] as number);
    intervals.set('SIZE', ms[1] as number);
  } else intervals.set('GAP', ms[0] as number);
  const rel = windowTvf(tvf, input, timeIndex, intervals, [], call.span);
  const fields = rel.fields.map((f, i) =>
    i >= input.fields.length ? { ...f, name: WINDOW_COLUMNS[i - input.fields.length] as string } : f,
  );
  const replaceAux = (e: Expr): Expr | undefined => {
    if (e.kind !== 'functionCall') return undefined;
    const m = AUX.exec(name(e));
    if (!m) return undefined;
    if (m[1] !== fn)
      throw new RivuletError(
        'plan',
        'LEGACY_WINDOW',
        `${name(e)} does not match the GROUP BY window ${fn}`,
        e.span,
      );
    if (m[2] === 'PROCTIME')
      throw new RivuletError(
        'plan',
        'LEGACY_WINDOW',
        `${name(e)} is not supported: windows here are on event time`,
        e.span,
      );
    return colRef(
      m[2] === 'START' ? '$window_start' : m[2] === 'END' ? '$window_end' : '$window_time',
      e.span,
    );
  };
  const elements: GroupingElement[] = (q.groupBy?.elements ?? []).flatMap((el) =>
    el === call ? [colRef('$window_start', call.span), colRef('$window_end', call.span)] : [el],
  );
  const query: SelectQuery = {
    ...q,
    items: rewriteAst(q.items, replaceAux) as SelectQuery['items'],
    having: rewriteAst(q.having, replaceAux) as SelectQuery['having'],
    orderBy: rewriteAst(q.orderBy, replaceAux) as SelectQuery['orderBy'],
    groupBy: { ...(q.groupBy as NonNullable<SelectQuery['groupBy']>), elements },
  };
  return { query, input: { rel: { ...rel, fields }, fields } };
}
