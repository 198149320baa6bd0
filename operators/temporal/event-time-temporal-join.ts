/**
 * EventTimeTemporalJoin: `FROM l [LEFT] JOIN r FOR SYSTEM_TIME AS OF l.rowtime ON l.k = r.pk [AND ...]`,
 * Flink's event-time temporal join. Input 0 is the probe (left) side, input 1 the versioned table's
 * changelog (right), keyed by its primary key, with a version-time column. Output `left ++ right`.
 *
 * 1. A right change at time t (the row's version time) is added to its key's VersionList: +I/+U start
 *    a version at t, -D ends the version in force (no match from t on). A -U is skipped: it is always
 *    followed by the +U that replaces the version, and it may carry the old row's time (a versioned
 *    view over deduplication retracts the previous row as it was), which must not end anything.
 *    Equal times: the change received last is the one in force. A cleanup timer is registered at t
 *    (even for the first change of a key: an older change may still arrive out of order and become
 *    obsolete at t).
 * 2. A left row at time t waits in a heap ordered by (t, arrival).
 * 3. On a watermark, the combined watermark wm (minimum of both inputs) is computed; every waiting left
 *    row with t <= wm is popped in (t, arrival) order and joined with the version in force at t, i.e.
 *    the last change with time <= t. All changes with time <= wm have arrived by then (watermark
 *    contract), so versions that arrived after the left row but within the watermark delay are used.
 *    INNER emits a match only; LEFT pads with NULLs when there is no version, it was deleted, or the
 *    residual is not true. The output change has the left row's kind, so left retractions (-U/-D)
 *    retract exactly what the row produced (same row, same version) and an append-only left side gives
 *    an append-only output. Then wm is forwarded.
 * 4. Cleanup: timers with time <= wm trim their key's list to the last change at or before wm (older
 *    versions are valid only before wm, where no future left row can be); a key whose only entry is a
 *    deletion is dropped. At wm = +Infinity nothing can be asked any more and all state is dropped.
 * 5. Late rows (time <= wm on arrival) break the watermark contract: joined output for earlier times
 *    was already emitted and versions before wm were freed. They are counted under
 *    `numLateRecordsDropped`, or sent to `lateOutputs[input]` when given. Rows with a NULL time are
 *    dropped and counted under `numNullRowtimeRecordsDropped`; a left row with a NULL key has no match;
 *    a right row with a NULL key column is dropped and counted under `numNullKeyVersionsDropped`.
 *
 * State: retained versions + waiting left rows + cleanup timers (`stateSize()`); it stays flat while
 * the watermark advances. Snapshots are copy-on-write for the versions (a MapState, written out while
 * processing goes on, operators/state.ts): a key's VersionList is `mutating` before it changes. The
 * waiting left rows and the timers (changes not yet behind the watermark) are copied at once.
 */
import type { Collector, Operator, OperatorContext, Row } from '../api.ts';
import { isAccumulate, RowKind } from '../api.ts';
import { keySelector, MapState, type StateKey } from '../state.ts';
import { hasNullKey } from '../time/join-types.ts';
import { handleLate, InputWatermarks, notOpened } from '../time/support.ts';
import { TimerHeap } from '../time/timer-heap.ts';
import { joinWithVersion, type TemporalJoinBaseOptions, validateTemporalJoin } from './join-options.ts';
import { PendingRows, type PendingRowsData } from './pending-rows.ts';
import { VersionList } from './version-list.ts';

/** Right rows with a NULL primary-key column are dropped and counted under this metric. */
export const NULL_KEY_METRIC = 'numNullKeyVersionsDropped';

export interface EventTimeTemporalJoinOptions extends TemporalJoinBaseOptions {
  /** The left row's event-time column (the `FOR SYSTEM_TIME AS OF` operand), epoch ms. */
  readonly leftTimeIndex: number;
  /** The versioned table's version-time column (its rowtime), epoch ms. */
  readonly rightTimeIndex: number;
  /** Where late rows of each input (0: left, 1: right) go instead of being dropped and counted. */
  readonly lateOutputs?: readonly (Collector | undefined)[];
}

interface Snapshot {
  wm: number[];
  /** Per key, a VersionList (or its `toData()` pair, in snapshots taken before copy-on-write). */
  versions: [StateKey, unknown][];
  pending: PendingRowsData;
  timers: [number, StateKey][];
  ended: boolean[];
}

export class EventTimeTemporalJoin implements Operator {
  readonly name = 'EventTimeTemporalJoin';
  private readonly opts: EventTimeTemporalJoinOptions;
  private readonly leftKey: (row: Row) => StateKey;
  private readonly rightKey: (row: Row) => StateKey;
  private versions = newVersions();
  private versionCount = 0;
  private readonly pending = new PendingRows();
  private readonly cleanup = new TimerHeap<StateKey>();
  private readonly watermarks = new InputWatermarks(2);
  private readonly ended = [false, false];
  private ctx: OperatorContext | null = null;
  private out: Collector | null = null;

  constructor(options: EventTimeTemporalJoinOptions) {
    validateTemporalJoin('an event-time temporal join', options);
    this.opts = options;
    // Composite keys encode alike on both sides, so equal key values meet under one state key.
    this.leftKey = keySelector(options.leftKeys);
    this.rightKey = keySelector(options.rightKeys);
  }

  open(ctx: OperatorContext, out: Collector): void {
    this.ctx = ctx;
    this.out = out;
  }

  process(kind: RowKind, row: Row, input: number): void {
    const ctx = this.ctx;
    if (!ctx) throw notOpened(this.name);
    const o = this.opts;
    // Step 1: a right -U changes no version (the +U after it does); skipped before the lateness check,
    // since it may carry the old row's time, far behind the watermark.
    if (input === 1 && kind === RowKind.UPDATE_BEFORE) return;
    const ts = row[input === 0 ? o.leftTimeIndex : o.rightTimeIndex];
    if (ts === null || ts === undefined) {
      ctx.count('numNullRowtimeRecordsDropped');
      return;
    }
    const t = ts as number;
    if (t <= this.watermarks.current) {
      handleLate(ctx, o.lateOutputs?.[input], kind, row);
      return;
    }
    if (input === 0) {
      this.pending.push(t, kind, row);
      return;
    }
    if (hasNullKey(row, o.rightKeys)) {
      // A primary key is never NULL, and a NULL key could never be matched (NULL = NULL is not true).
      ctx.count(NULL_KEY_METRIC);
      return;
    }
    const key = this.rightKey(row);
    let list = this.versions.get(key);
    if (list === undefined) {
      // Even a deletion of an unknown key is kept: an earlier version may still arrive out of order.
      list = new VersionList();
      this.versions.set(key, list);
    } else {
      this.versions.mutating(list); // copy-on-write for a checkpoint in progress
    }
    list.add(t, isAccumulate(kind) ? row : null);
    this.versionCount++;
    // Every change gets a timer: once wm >= t, the changes before it are obsolete.
    this.cleanup.push(t, key);
  }

  processWatermark(ts: number, input: number): void {
    const wm = this.watermarks.advance(ts, input);
    if (wm === null) return;
    const out = this.out;
    if (!out) throw notOpened(this.name);
    this.emitUpTo(wm, out);
    this.cleanUpTo(wm);
    out.watermark(wm);
  }

  /** Step 3: joins and emits every waiting left row with time <= wm, in time order. */
  private emitUpTo(wm: number, out: Collector): void {
    const o = this.opts;
    const pending = this.pending;
    while (pending.size > 0 && pending.peekTime() <= wm) {
      const t = pending.peekTime();
      const kind = pending.peekKind();
      const left = pending.popRow();
      let version: Row | null = null;
      if (!hasNullKey(left, o.leftKeys)) {
        const list = this.versions.get(this.leftKey(left));
        if (list !== undefined) version = list.at(t);
      }
      const joined = joinWithVersion(o, left, version);
      if (joined !== null) out.push(kind, joined);
    }
  }

  /** Step 4: frees versions no future left row (time > wm) can need. */
  private cleanUpTo(wm: number): void {
    if (wm === Number.POSITIVE_INFINITY) {
      // A new map, not clear(): a snapshot being written out keeps the old one as it is.
      this.versions = newVersions();
      this.versionCount = 0;
      this.cleanup.clear();
      return;
    }
    const timers = this.cleanup;
    while (timers.size > 0 && timers.peekTime() <= wm) {
      const key = timers.pop();
      const list = this.versions.get(key);
      if (list === undefined) continue;
      this.versions.mutating(list);
      this.versionCount -= list.trimBefore(wm);
      if (list.isDeadAt(wm)) {
        this.versionCount -= list.length;
        this.versions.delete(key);
      }
    }
  }

  endInput(input: number): void {
    this.ended[input] = true;
    if (this.ended[0] && this.ended[1]) this.out?.end();
  }

  snapshot(): unknown {
    // The versions are written out copy-on-write; the rest (bounded by the watermark delay) is copied now.
    return {
      wm: this.watermarks.snapshot(),
      versions: this.versions.snapshotDeferred(),
      pending: structuredClone(this.pending.toData()),
      timers: structuredClone(this.cleanup.snapshot()),
      ended: [...this.ended],
    };
  }

  restore(state: unknown): void {
    const s = structuredClone(state) as Snapshot;
    this.watermarks.restore(s.wm);
    // Key order does not matter here: versions are only looked up by key.
    const entries: [StateKey, VersionList][] = s.versions.map(([k, v]) => [k, VersionList.fromSnapshot(v)]);
    this.versions = newVersions();
    this.versions.restore(entries);
    this.versionCount = 0;
    for (const [, list] of entries) this.versionCount += list.length;
    this.pending.restoreData(s.pending);
    this.cleanup.restore(s.timers);
    this.ended[0] = s.ended[0] === true;
    this.ended[1] = s.ended[1] === true;
  }

  /** Retained versions (including deletion markers) + waiting left rows + cleanup timers. */
  stateSize(): number {
    return this.versionCount + this.pending.size + this.cleanup.size;
  }

  /** Retained versions only (including deletion markers still in force). */
  retainedVersions(): number {
    return this.versionCount;
  }

  close(): void {
    this.versions = newVersions();
    this.cleanup.clear();
  }
}

/** The versioned table's changes per key (copy-on-write snapshots: a list is copied before it changes). */
function newVersions(): MapState<VersionList> {
  return new MapState<VersionList>('versions', (list) => list.clone());
}
