/**
 * VersionHistory: every version of every key of a versioned table with its validity
 * [valid_from, valid_to), kept for a retention period of event time behind the watermark, for
 * point-in-time queries (`FOR SYSTEM_TIME AS OF ts`) and SQL:2011 period queries
 * (`FOR SYSTEM_TIME FROM t1 TO t2`, `FOR SYSTEM_TIME BETWEEN t1 AND t2`).
 *
 * 1. `apply(kind, row)` records a change at its version time t in the key's VersionList: +I/+U start a
 *    version, -D ends the one in force, -U is skipped (the +U that follows replaces the version; the -U
 *    may carry the old row's time); equal times: the change received last wins (the earlier ones
 *    get an empty validity and are never reported). Changes may arrive out of order.
 * 2. A version's validity is [its time, the time of the key's next change); the newest one is open
 *    (`validTo` = +Infinity) until another change of its key arrives.
 * 3. `advanceWatermark(wm)` frees, with cutoff c = wm - retentionMs, every version whose validity ended
 *    at or before c (retention 0 keeps exactly what a temporal join needs: the version in force at wm and
 *    later ones; +Infinity keeps everything). Freeing uses one timer per change, as the join does.
 *    The largest cutoff so far is the `horizon`: history is complete for every time >= horizon.
 * 4. Queries (SQL:2011 semantics): AS OF ts: valid_from <= ts < valid_to; FROM a TO b: valid_from < b
 *    and valid_to > a (the upper bound excluded); BETWEEN a AND b: valid_from <= b and valid_to > a
 *    (the upper bound included); a > b gives nothing (ASYMMETRIC). A query reaching before the horizon
 *    cannot be answered completely and throws TIME_TRAVEL_BEYOND_RETENTION. A change older than the
 *    horizon cannot be placed (what it would have followed is gone): `apply` refuses it (returns false).
 * Answers about times after the watermark are the history received so far (later changes may follow).
 * Queries list keys in the order they appeared (a key freed and seen again counts as new).
 *
 * Snapshots (`snapshot()`) are copy-on-write for the versions (a MapState, written out while
 * processing goes on, operators/state.ts): a key's list is `mutating` before it changes. Each key
 * carries a sequence number of its appearance, since a restored map comes back in another order.
 * The cleanup timers (one per change not yet freed) are copied at once.
 */
import { RivuletError } from '../../common/errors.ts';
import type { Row } from '../api.ts';
import { isAccumulate, RowKind } from '../api.ts';
import { keySelector, MapState, type StateKey } from '../state.ts';
import { requireNonNegative } from '../time/support.ts';
import { TimerHeap } from '../time/timer-heap.ts';
import { VersionList } from './version-list.ts';

export interface VersionHistoryOptions {
  /** The versioned table's primary-key columns. */
  readonly keyIndices: readonly number[];
  /** The version-time column (epoch ms). */
  readonly timeIndex: number;
  /**
   * How much event time behind the watermark stays queryable, in ms (`versioned.history-retention`).
   * 0 (the default): only what temporal joins need; `Infinity`: everything.
   */
  readonly retentionMs?: number;
}

/** One version and its validity; `validTo` is +Infinity while the version is in force. */
export interface VersionRecord {
  readonly row: Row;
  readonly validFrom: number;
  readonly validTo: number;
}

/** A period query of SQL:2011 (`asOf` is `FOR SYSTEM_TIME AS OF`). */
export type PeriodQuery =
  | { readonly kind: 'asOf'; readonly at: number }
  | { readonly kind: 'fromTo'; readonly from: number; readonly to: number }
  | { readonly kind: 'between'; readonly from: number; readonly to: number };

export interface VersionHistoryData {
  /**
   * Per key, its `toData()` pair (`toData()`; keys in order of appearance), or the key's list as it is,
   * with its `seq` (`snapshot()`, materialized: keys in any order).
   */
  keys: [StateKey, unknown][];
  timers: [number, StateKey][];
  horizon: number;
  changes: number;
  /** The next key's sequence number (absent from `toData()`). */
  nextSeq?: number;
}

/** A key's versions, and when the key appeared: queries list keys in that order. */
class KeyVersions extends VersionList {
  seq = 0;

  override clone(): KeyVersions {
    const c = this.copyTo(new KeyVersions());
    c.seq = this.seq;
    return c;
  }
}

function newKeys(): MapState<KeyVersions> {
  return new MapState<KeyVersions>('keys', (list) => list.clone());
}

export class VersionHistory {
  readonly retentionMs: number;
  private readonly keyOf: (row: Row) => StateKey;
  private readonly timeIndex: number;
  private keys = newKeys();
  private nextSeq = 0;
  private readonly timers = new TimerHeap<StateKey>();
  private changes = 0;
  private horizonTs = Number.NEGATIVE_INFINITY;

  constructor(options: VersionHistoryOptions) {
    const r = options.retentionMs ?? 0;
    if (r !== Number.POSITIVE_INFINITY) requireNonNegative('versioned.history-retention', r);
    this.retentionMs = r;
    this.keyOf = keySelector(options.keyIndices);
    this.timeIndex = options.timeIndex;
  }

  /** History is complete for every time >= horizon (-Infinity until something was freed). */
  get horizon(): number {
    return this.horizonTs;
  }

  /** Changes held (versions and deletion markers). */
  get size(): number {
    return this.changes;
  }

  /** Pending cleanup timers (counted in operators' state size). */
  get timerCount(): number {
    return this.timers.size;
  }

  /**
   * Records a change (step 1). Returns false, recording nothing, when the row's time is NULL or older
   * than the horizon (history there is gone, so the change cannot be placed).
   */
  apply(kind: RowKind, row: Row): boolean {
    if (kind === RowKind.UPDATE_BEFORE) return true; // step 1: nothing to record
    const ts = row[this.timeIndex];
    if (ts === null || ts === undefined) return false;
    const t = ts as number;
    if (t < this.horizonTs) return false;
    const key = this.keyOf(row);
    let list = this.keys.get(key);
    if (list === undefined) {
      list = new KeyVersions();
      list.seq = this.nextSeq++;
      this.keys.set(key, list);
    } else {
      this.keys.mutating(list); // copy-on-write for a snapshot in progress
    }
    list.add(t, isAccumulate(kind) ? row : null);
    this.changes++;
    this.timers.push(t, key);
    return true;
  }

  /** Frees what the retention no longer covers at watermark `wm` (step 3). */
  advanceWatermark(wm: number): void {
    this.freeBefore(wm - this.retentionMs);
  }

  /** Frees every version whose validity ended at or before `cutoff`; the horizon becomes `cutoff`. */
  freeBefore(cutoff: number): void {
    if (!(cutoff > this.horizonTs)) return;
    this.horizonTs = cutoff;
    if (cutoff === Number.POSITIVE_INFINITY) {
      this.clear();
      return;
    }
    const timers = this.timers;
    while (timers.size > 0 && timers.peekTime() <= cutoff) {
      const key = timers.pop();
      const list = this.keys.get(key);
      if (list === undefined) continue;
      this.keys.mutating(list);
      this.changes -= list.trimBefore(cutoff);
      if (list.isDeadAt(cutoff)) {
        this.changes -= list.length;
        this.keys.delete(key);
      }
    }
  }

  /** The rows in force at `ts` (valid_from <= ts < valid_to), one per key. */
  asOf(ts: number): Row[] {
    this.checkReach(ts);
    const out: Row[] = [];
    for (const [, list] of this.keys.entries()) {
      const r = list.at(ts);
      if (r !== null) out.push(r);
    }
    return out;
  }

  /** `FOR SYSTEM_TIME FROM from TO to`: versions whose validity overlaps [from, to). */
  fromTo(from: number, to: number): VersionRecord[] {
    this.checkReach(from);
    return this.collect((vf, vt) => vf < to && vt > from);
  }

  /** `FOR SYSTEM_TIME BETWEEN from AND to`: versions whose validity overlaps [from, to]. */
  between(from: number, to: number): VersionRecord[] {
    this.checkReach(from);
    if (from > to) return [];
    return this.collect((vf, vt) => vf <= to && vt > from);
  }

  /** Runs a period query: AS OF gives validity too, so every query returns VersionRecords. */
  query(q: PeriodQuery): VersionRecord[] {
    switch (q.kind) {
      case 'asOf':
        this.checkReach(q.at);
        return this.collect((vf, vt) => vf <= q.at && vt > q.at);
      case 'fromTo':
        return this.fromTo(q.from, q.to);
      case 'between':
        return this.between(q.from, q.to);
    }
  }

  /** Every retained version with its validity (versions with an empty validity are left out). */
  versions(): VersionRecord[] {
    return this.collect(() => true);
  }

  private collect(keep: (validFrom: number, validTo: number) => boolean): VersionRecord[] {
    const out: VersionRecord[] = [];
    for (const [, list] of this.keys.entries()) {
      const { times, rows } = list;
      for (let i = 0; i < times.length; i++) {
        const row = rows[i];
        if (row === null || row === undefined) continue;
        const validFrom = times[i] as number;
        const validTo = i + 1 < times.length ? (times[i + 1] as number) : Number.POSITIVE_INFINITY;
        if (validFrom < validTo && keep(validFrom, validTo)) out.push({ row, validFrom, validTo });
      }
    }
    return out;
  }

  private checkReach(ts: number): void {
    if (ts < this.horizonTs) throw beyondRetention(this.horizonTs, this.retentionMs, ts);
  }

  /** Plain data now (a copy of everything). */
  toData(): VersionHistoryData {
    const keys: VersionHistoryData['keys'] = [];
    for (const [k, list] of this.keys.entries()) keys.push([k, list.toData()]);
    return { keys, timers: this.timers.snapshot(), horizon: this.horizonTs, changes: this.changes };
  }

  /**
   * A copy-on-write snapshot: the versions are written out while processing goes on (its `keys` is a
   * DeferredEntries); the timers are copied now. Restores with `restoreData` once materialized.
   */
  snapshot(): unknown {
    return {
      keys: this.keys.snapshotDeferred(),
      timers: structuredClone(this.timers.snapshot()),
      horizon: this.horizonTs,
      changes: this.changes,
      nextSeq: this.nextSeq,
    };
  }

  restoreData(d: VersionHistoryData): void {
    const entries = d.keys.map(([k, data], i): [StateKey, KeyVersions] => {
      const list = VersionList.fromSnapshot(data, new KeyVersions());
      // toData() lists keys in order of appearance; snapshot()'s lists carry their sequence number.
      const seq = (data as { seq?: number }).seq;
      list.seq = typeof seq === 'number' ? seq : i;
      return [k, list];
    });
    entries.sort((a, b) => a[1].seq - b[1].seq);
    this.keys = newKeys();
    this.keys.restore(entries);
    this.nextSeq = d.nextSeq ?? entries.length;
    this.timers.restore(d.timers);
    this.horizonTs = d.horizon;
    this.changes = d.changes;
  }

  clear(): void {
    // A new map, not clear(): a snapshot being written out keeps the old one as it is.
    this.keys = newKeys();
    this.timers.clear();
    this.changes = 0;
  }
}

/** The error for a query reaching before the retained history (`horizon`). */
function beyondRetention(horizon: number, retentionMs: number, asked: number): RivuletError {
  return new RivuletError(
    'runtime',
    'TIME_TRAVEL_BEYOND_RETENTION',
    `the history of this versioned table is only kept from ${formatTs(horizon)} on (versioned.history-retention = ${retentionMs} ms behind the watermark); cannot query ${formatTs(asked)}: raise 'versioned.history-retention' or query a later time`,
  );
}

function formatTs(ts: number): string {
  if (!Number.isFinite(ts)) return String(ts);
  return new Date(ts).toISOString().replace('T', ' ').replace('Z', '');
}
