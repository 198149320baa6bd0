/**
 * Streaming properties of a logical plan: for every node, whether its input is bounded and which
 * changes it emits (insert-only, or updates with retractions). The sink check and the choice of
 * operators (e.g. ORDER BY only over bounded input) use them; EXPLAIN prints them.
 */
import { RivuletError } from '../common/errors.ts';
import type { ChangelogMode } from '../connectors/api.ts';
import type { RelNode } from './logical.ts';
import { rankFilter, streamingOver, updatingOver } from './over.ts';
import { windowAggregation } from './window.ts';
import { windowJoin, windowRank } from './windowed.ts';

export interface StreamProps {
  readonly bounded: boolean;
  readonly mode: ChangelogMode;
}

/** How the planner learns a scan's properties (the connector knows). */
export type ScanProps = (node: Extract<RelNode, { kind: 'scan' }>) => StreamProps;

/**
 * `updatingWindows`: early firing or allowed lateness is on, so window aggregations emit updates
 * (`table.exec.emit.*`).
 */
export function streamProps(
  node: RelNode,
  scan: ScanProps,
  memo = new Map<RelNode, StreamProps>(),
  updatingWindows = false,
): StreamProps {
  const cached = memo.get(node);
  if (cached) return cached;
  const p = compute(node, scan, memo, updatingWindows);
  memo.set(node, p);
  return p;
}

const worst = (a: ChangelogMode, b: ChangelogMode): ChangelogMode =>
  a === 'retract' || b === 'retract'
    ? 'retract'
    : a === 'upsert' || b === 'upsert'
      ? 'upsert'
      : 'insert-only';

function compute(
  node: RelNode,
  scan: ScanProps,
  memo: Map<RelNode, StreamProps>,
  updatingWindows: boolean,
): StreamProps {
  const of = (n: RelNode) => streamProps(n, scan, memo, updatingWindows);
  switch (node.kind) {
    case 'scan':
      return scan(node);
    case 'values':
      return { bounded: true, mode: 'insert-only' };
    case 'project':
    case 'correlate':
      return of(node.input);
    case 'filter': {
      const rank = rankFilter(node);
      if (rank) {
        const input = of(rank.over.input);
        // A window Top-N or deduplication emits each window's rows once, when the window closes.
        if (input.mode === 'insert-only' && windowRank(rank)) return input;
        // Keep-first deduplication on event time appends; Top-N and keep-last emit updates.
        const append = rank.dedup !== undefined && !rank.dedup.keepLast && input.mode === 'insert-only';
        return { bounded: input.bounded, mode: append ? 'insert-only' : 'retract' };
      }
      return of(node.input);
    }
    case 'timeTravel': {
      const input = of(node.input);
      return { bounded: input.bounded || node.query.kind === 'asOf', mode: 'insert-only' };
    }
    case 'match': {
      const input = of(node.input);
      if (input.mode !== 'insert-only') {
        throw new RivuletError(
          'plan',
          'MATCH_UPDATES',
          'MATCH_RECOGNIZE needs an append-only input; this input has updates or deletes',
        );
      }
      if (!input.bounded && node.rowtimeIndex === null) {
        throw new RivuletError(
          'plan',
          'MATCH_ORDER',
          'MATCH_RECOGNIZE over a stream must ORDER BY an event-time attribute first, ascending (a column with a WATERMARK); any ORDER BY is allowed over a bounded input',
        );
      }
      return { bounded: input.bounded, mode: 'insert-only' };
    }
    case 'over': {
      const input = of(node.input);
      // Over updates: an updating OVER aggregation, which emits updates itself.
      if (input.mode === 'retract' && updatingOver(node)) return { bounded: input.bounded, mode: 'retract' };
      if (!input.bounded && !streamingOver(node)) {
        throw new RivuletError(
          'plan',
          'OVER_UNBOUNDED',
          'This OVER window needs the whole input, so it only runs over bounded input. On a stream, OVER aggregates must be ORDER BY a time attribute (ascending) with a frame ending at CURRENT ROW, and ROW_NUMBER must be filtered (WHERE rn <= N: Top-N).',
        );
      }
      if (input.mode !== 'insert-only') {
        throw new RivuletError(
          'plan',
          'OVER_UPDATES',
          'This OVER window needs an append-only input, but its input has updates or deletes (for example from a GROUP BY); over updates, only aggregates with ORDER BY and a frame containing the current row run (RANGE with an offset: one numeric or time ORDER BY key); rank with a Top-N (ROW_NUMBER ... WHERE rn <= N) instead',
        );
      }
      return { bounded: input.bounded, mode: 'insert-only' };
    }
    case 'aggregate': {
      const input = of(node.input);
      // A window aggregation emits each window once, when the watermark passes its end.
      const windowed =
        windowAggregation(node) !== undefined && input.mode === 'insert-only' && !updatingWindows;
      return { bounded: input.bounded, mode: windowed ? 'insert-only' : 'retract' };
    }
    case 'windowTvf': {
      const input = of(node.input);
      if (input.mode !== 'insert-only') {
        throw new RivuletError(
          'plan',
          'WINDOW_UPDATES',
          'Window table functions need an append-only input; this input has updates or deletes',
        );
      }
      return input;
    }
    case 'join': {
      const l = of(node.left);
      const r = of(node.right);
      const outer = node.joinType !== 'INNER' && node.joinType !== 'SEMI';
      if (node.temporal) {
        if (l.mode !== 'insert-only' && node.temporal.kind === 'event') {
          // Left retractions flow through as retractions of what they produced.
          return { bounded: l.bounded, mode: 'retract' };
        }
        return { bounded: node.temporal.kind === 'event' ? l.bounded && r.bounded : l.bounded, mode: l.mode };
      }
      if (l.mode === 'insert-only' && r.mode === 'insert-only' && windowJoin(node)) {
        // A window join joins each window once, when it closes: append-only, even when outer.
        return { bounded: l.bounded && r.bounded, mode: 'insert-only' };
      }
      if (node.interval) {
        if (l.mode !== 'insert-only' || r.mode !== 'insert-only') {
          throw new RivuletError(
            'plan',
            'INTERVAL_JOIN_UPDATES',
            'An interval join needs append-only inputs',
          );
        }
        // Outer rows are padded once the watermark proves no match can come: still append-only.
        return { bounded: l.bounded && r.bounded, mode: 'insert-only' };
      }
      const mode = outer ? 'retract' : worst(l.mode, r.mode);
      return { bounded: l.bounded && r.bounded, mode: mode === 'upsert' ? 'retract' : mode };
    }
    case 'union': {
      const ps = node.inputs.map(of);
      return { bounded: ps.every((p) => p.bounded), mode: ps.map((p) => p.mode).reduce(worst) };
    }
    case 'setOp': {
      const l = of(node.left);
      const r = of(node.right);
      return { bounded: l.bounded && r.bounded, mode: 'retract' };
    }
    case 'sort': {
      const input = of(node.input);
      if (!input.bounded && node.keys.length > 0) {
        throw new RivuletError(
          'plan',
          'SORT_UNBOUNDED',
          'ORDER BY over an unbounded (streaming) input is not supported: the result could never be final. ' +
            'Sort a bounded input, or use a Top-N query (ROW_NUMBER() OVER (ORDER BY ...) <= n) or a window.',
        );
      }
      return { bounded: input.bounded, mode: input.bounded ? 'insert-only' : 'retract' };
    }
  }
}
