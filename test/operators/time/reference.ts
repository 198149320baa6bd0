/** Brute-force references shared by the property tests: defined from the SQL semantics, on sorted input. */
import type { Row } from '../../../operators/api.ts';
import type { WindowSpec } from '../../../operators/time/window-spec.ts';

/** The aligned windows of a timestamp, enumerated from their definitions: [start, end] pairs. */
export function refWindows(spec: WindowSpec, ts: number): [number, number][] {
  const out: [number, number][] = [];
  switch (spec.kind) {
    case 'tumble': {
      const off = spec.offset ?? 0;
      const start = Math.floor((ts - off) / spec.size) * spec.size + off;
      out.push([start, start + spec.size]);
      break;
    }
    case 'hop': {
      const off = spec.offset ?? 0;
      for (let k = Math.floor((ts - spec.size - off) / spec.slide); k * spec.slide + off <= ts; k++) {
        const s = k * spec.slide + off;
        if (s <= ts && ts < s + spec.size) out.push([s, s + spec.size]);
      }
      break;
    }
    case 'cumulate': {
      const off = spec.offset ?? 0;
      const start = Math.floor((ts - off) / spec.size) * spec.size + off;
      for (let e = start + spec.step; e <= start + spec.size; e += spec.step)
        if (ts < e) out.push([start, e]);
      break;
    }
    default:
      throw new Error('not an aligned window');
  }
  return out;
}

/** Session windows per key: rows sorted by ts, a new session when a row is more than `gap` after the previous one. */
export function refSessions(
  rows: readonly Row[],
  keyIndex: number,
  tsIndex: number,
  gap: number,
): { start: number; end: number; rows: Row[] }[] {
  const byKey = new Map<unknown, Row[]>();
  for (const r of rows) byKey.set(r[keyIndex], [...(byKey.get(r[keyIndex]) ?? []), r]);
  const out: { start: number; end: number; rows: Row[] }[] = [];
  for (const rs of byKey.values()) {
    const sorted = [...rs].sort((a, b) => (a[tsIndex] as number) - (b[tsIndex] as number));
    let cur: Row[] = [];
    const flush = () => {
      if (cur.length === 0) return;
      out.push({
        start: cur[0]?.[tsIndex] as number,
        end: (cur[cur.length - 1]?.[tsIndex] as number) + gap,
        rows: cur,
      });
      cur = [];
    };
    for (const r of sorted) {
      const last = cur[cur.length - 1];
      if (last !== undefined && (r[tsIndex] as number) > (last[tsIndex] as number) + gap) flush();
      cur.push(r);
    }
    flush();
  }
  return out;
}

/** Groups rows by a string key, keeping first-seen order. */
export function groupBy<T>(items: readonly T[], keyOf: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const k = keyOf(t);
    const g = m.get(k);
    if (g) g.push(t);
    else m.set(k, [t]);
  }
  return m;
}
