/**
 * ProcessingTimeTemporalJoin (the lookup join): `FROM l [LEFT] JOIN r FOR SYSTEM_TIME AS OF l.proctime
 * ON l.k = r.pk [AND ...]` where r is materialised in process from its changelog. Input 0 is the probe
 * (left) side, input 1 the table's changelog keyed by its primary key. Output `left ++ right`.
 *
 * 1. A right change updates the materialised table at once: +I/+U put the row under its key, -D
 *    removes the key; -U is skipped (the +U that always follows it replaces the row, and a left row
 *    between the two must still see the key).
 * 2. A left row is joined, on arrival, with the row its key holds at that moment (processing time):
 *    INNER emits a match only; LEFT pads with NULLs when the key is absent or the residual is not true.
 *    The output change has the left row's kind. A left retraction is joined with the current row too,
 *    so if the table changed in between it retracts a row that was never emitted: as in Flink, a
 *    processing-time join over an updating left side is not deterministic.
 * 3. Watermarks of the left input are forwarded (the output keeps the left row's time attributes);
 *    the right input's are ignored. The output ends when the left input ends.
 * 4. With `loadRightFirst` (the planner sets it when the table is bounded: a file, a values table),
 *    left rows and watermarks wait in arrival order until the right input has ended, then are joined
 *    against the complete table: every lookup sees the whole table, as a Flink lookup into a
 *    filesystem table does (it loads the file on the first lookup), whatever order the two inputs
 *    happen to be read in.
 *
 * Flink's lookup cache (`lookup.cache` PARTIAL with max-rows / expire-after-write / expire-after-access)
 * exists to avoid round trips to an external system, at the price of stale answers. Here the table is
 * already an in-process Map updated by its changelog, so a cache would only add staleness and is not
 * offered; likewise there is no async mode (a lookup is a Map access, never I/O). The state is the
 * materialised table: one row per live key (`stateSize()`).
 */
import type { Collector, Operator, OperatorContext, Row } from '../api.ts';
import { isAccumulate, RowKind } from '../api.ts';
import { keySelector, MapState, type StateKey } from '../state.ts';
import { hasNullKey } from '../time/join-types.ts';
import { notOpened } from '../time/support.ts';
import { joinWithVersion, type TemporalJoinBaseOptions, validateTemporalJoin } from './join-options.ts';

export interface ProcessingTimeTemporalJoinOptions extends TemporalJoinBaseOptions {
  /** Hold left rows until the right (bounded) input has ended (step 4). */
  readonly loadRightFirst?: boolean;
}

/** A left change or watermark waiting for the table to be loaded (step 4). */
type Waiting = { readonly kind: RowKind; readonly row: Row } | { readonly watermark: number };

export class ProcessingTimeTemporalJoin implements Operator {
  readonly name = 'ProcessingTimeTemporalJoin';
  private readonly opts: ProcessingTimeTemporalJoinOptions;
  private readonly leftKey: (row: Row) => StateKey;
  private readonly rightKey: (row: Row) => StateKey;
  /** The latest row per key of the right side. Rows are replaced, never changed in place. */
  private readonly table = new MapState<Row>('table');
  private leftWatermark = Number.NEGATIVE_INFINITY;
  private leftEnded = false;
  private rightEnded = false;
  private waiting: Waiting[] = [];
  private out: Collector | null = null;

  constructor(options: ProcessingTimeTemporalJoinOptions) {
    validateTemporalJoin('a processing-time temporal join', options);
    this.opts = options;
    this.leftKey = keySelector(options.leftKeys);
    this.rightKey = keySelector(options.rightKeys);
  }

  open(_ctx: OperatorContext, out: Collector): void {
    this.out = out;
  }

  process(kind: RowKind, row: Row, input: number): void {
    const out = this.out;
    if (!out) throw notOpened(this.name);
    if (input === 1) {
      if (isAccumulate(kind)) this.table.set(this.rightKey(row), row);
      else if (kind === RowKind.DELETE) this.table.delete(this.rightKey(row));
      return;
    }
    if (this.opts.loadRightFirst && !this.rightEnded) {
      this.waiting.push({ kind, row });
      return;
    }
    this.probe(kind, row, out);
  }

  private probe(kind: RowKind, row: Row, out: Collector): void {
    const o = this.opts;
    const version = hasNullKey(row, o.leftKeys) ? null : (this.table.get(this.leftKey(row)) ?? null);
    const joined = joinWithVersion(o, row, version);
    if (joined !== null) out.push(kind, joined);
  }

  processWatermark(ts: number, input: number): void {
    if (input !== 0 || !(ts > this.leftWatermark)) return;
    if (this.opts.loadRightFirst && !this.rightEnded) {
      this.waiting.push({ watermark: ts });
      return;
    }
    this.leftWatermark = ts;
    this.out?.watermark(ts);
  }

  endInput(input: number): void {
    const out = this.out;
    if (!out) throw notOpened(this.name);
    if (input === 1) {
      if (this.rightEnded) return;
      this.rightEnded = true;
      const waiting = this.waiting;
      this.waiting = [];
      for (const w of waiting) {
        if ('watermark' in w) this.processWatermark(w.watermark, 0);
        else this.probe(w.kind, w.row, out);
      }
      if (this.leftEnded) out.end();
      return;
    }
    if (this.leftEnded) return;
    this.leftEnded = true;
    if (!this.opts.loadRightFirst || this.rightEnded) out.end();
  }

  /** The current materialised table, one row per live key (for introspection and tests). */
  currentRows(): Row[] {
    return [...this.table.entries()].map(([, row]) => row);
  }

  snapshot(): unknown {
    // The table copy-on-write (operators/state.ts); rows waiting for it are copied.
    return {
      table: this.table.snapshotDeferred(),
      wm: this.leftWatermark,
      ended: this.leftEnded,
      rightEnded: this.rightEnded,
      waiting: structuredClone(this.waiting),
    };
  }

  restore(state: unknown): void {
    const s = structuredClone(state) as {
      table: [StateKey, Row][];
      wm: number;
      ended: boolean;
      rightEnded?: boolean;
      waiting?: Waiting[];
    };
    this.table.restore(s.table);
    this.leftWatermark = s.wm;
    this.leftEnded = s.ended;
    this.rightEnded = s.rightEnded ?? false;
    this.waiting = s.waiting ?? [];
  }

  stateSize(): number {
    return this.table.size + this.waiting.length;
  }

  close(): void {
    this.table.clear();
    this.waiting = [];
  }
}
