/**
 * Window Top-N, window deduplication and window joins planned from SQL (planner/windowed.ts), checked
 * against brute-force references computed here from the generated rows. Rows arrive out of order,
 * by at most the watermark delay, in small source batches (the watermark advances after each batch),
 * so the property is: out-of-order input gives the answer of the sorted input, nothing is late.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../common/errors.ts';
import type { Row } from '../../operators/api.ts';
import { Session } from '../../runtime/session.ts';
import { queryChanges, queryRows, sorted } from './helpers.ts';

const T0 = Date.UTC(2024, 0, 1);
const DELAY_S = 3;
const KEYS = ['a', 'b', 'c'];

interface Ev {
  id: number;
  k: string;
  v: number;
  /** Seconds after T0. */
  t: number;
}

const stamp = (s: number) => new Date(T0 + s * 1000).toISOString().replace('T', ' ').slice(0, 19);

/** A table over `rows` in the given arrival order, `perBatch` rows per source batch. */
function table(name: string, rows: readonly Ev[], perBatch: number): string {
  const data = JSON.stringify(rows.map((r) => [r.id, r.k, r.v, stamp(r.t)]));
  return `CREATE TABLE ${name} (id INT, k STRING, v INT, ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '${DELAY_S}' SECOND)
    WITH ('connector' = 'values', 'data' = '${data}', 'rows-per-batch' = '${perBatch}');`;
}

/**
 * Events with distinct times (seconds 0..89) and an arrival order in which no row comes more than
 * DELAY_S seconds of event time behind one already seen: sorted by time plus a jitter in [0, DELAY_S].
 */
const eventsArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 89 }), { minLength: 0, maxLength: 25 })
  .chain((times) =>
    fc.tuple(
      fc.constant(times),
      fc.array(fc.constantFrom(...KEYS), { minLength: times.length, maxLength: times.length }),
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: times.length, maxLength: times.length }),
      fc.array(fc.integer({ min: 0, max: DELAY_S }), { minLength: times.length, maxLength: times.length }),
    ),
  )
  .map(([times, ks, vs, jitter]) => {
    const evs: Ev[] = times.map((t, i) => ({ id: i, k: ks[i] as string, v: vs[i] as number, t }));
    const arrival = evs
      .map((e, i) => ({ e, at: e.t + (jitter[i] as number), i }))
      .sort((x, y) => x.at - y.at || x.i - y.i)
      .map((x) => x.e);
    return arrival;
  });

type WindowKind = 'tumble' | 'hop';
const TVF: Record<WindowKind, string> = {
  tumble: "TUMBLE(TABLE %s, DESCRIPTOR(ts), INTERVAL '10' SECOND)",
  hop: "HOP(TABLE %s, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)",
};
/** Window starts (seconds) containing second `t`. */
function windowsOf(kind: WindowKind, t: number): number[] {
  if (kind === 'tumble') return [Math.floor(t / 10) * 10];
  const s = Math.floor(t / 5) * 5;
  return [s - 5, s];
}
const ms = (s: number) => T0 + s * 1000;

describe('window Top-N (SQL)', () => {
  it('property: the top 2 rows per window and key, by v DESC then id, equal a brute-force ranking', async () => {
    await fc.assert(
      fc.asyncProperty(
        eventsArb,
        fc.constantFrom<WindowKind>('tumble', 'hop'),
        fc.integer({ min: 1, max: 3 }),
        async (evs, kind, perBatch) => {
          const got = await queryRows(`${table('t', evs, perBatch)}
            SELECT window_start, k, id, rn FROM (
              SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY v DESC, id) AS rn
              FROM TABLE(${TVF[kind].replace('%s', 't')})
            ) WHERE rn <= 2`);
          const groups = new Map<string, { start: number; k: string; evs: Ev[] }>();
          for (const e of evs)
            for (const start of windowsOf(kind, e.t)) {
              const key = `${start}|${e.k}`;
              const g = groups.get(key) ?? { start, k: e.k, evs: [] };
              g.evs.push(e);
              groups.set(key, g);
            }
          const expected: Row[] = [];
          for (const g of groups.values()) {
            const ranked = [...g.evs].sort((a, b) => b.v - a.v || a.id - b.id).slice(0, 2);
            ranked.forEach((e, i) => {
              expected.push([ms(g.start), g.k, e.id, BigInt(i + 1)]);
            });
          }
          expect(sorted(got)).toEqual(sorted(expected));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('property: Top-N over a window aggregation over a view of the TVF (top key by SUM per window)', async () => {
    await fc.assert(
      fc.asyncProperty(eventsArb, fc.integer({ min: 1, max: 3 }), async (evs, perBatch) => {
        const s = new Session();
        await s.executeScript(`${table('t', evs, perBatch)}
          CREATE VIEW w AS SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND)) WHERE v >= 0;`);
        const q = `SELECT window_start, k, total FROM (
            SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY total DESC, k) AS rn
            FROM (SELECT window_start, window_end, k, SUM(v) AS total FROM w GROUP BY window_start, window_end, k)
          ) WHERE rn <= 1`;
        const [plan] = await s.executeScript(`EXPLAIN ${q}`);
        expect(plan?.kind === 'explain' && plan.text).not.toContain('I,UB,UA,D');
        const got = await queryRows(q, s);
        const sums = new Map<number, Map<string, number>>();
        for (const e of evs) {
          const start = Math.floor(e.t / 10) * 10;
          const m = sums.get(start) ?? new Map<string, number>();
          m.set(e.k, (m.get(e.k) ?? 0) + e.v);
          sums.set(start, m);
        }
        const expected = [...sums].map(([start, m]) => {
          const [k, total] = [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0] as [
            string,
            number,
          ];
          return [ms(start), k, total];
        });
        expect(sorted(got)).toEqual(sorted(expected));
      }),
      { numRuns: 40 },
    );
  });

  it('is append-only and EXPLAIN names it WindowRank', async () => {
    const evs: Ev[] = [
      { id: 0, k: 'a', v: 1, t: 1 },
      { id: 1, k: 'a', v: 3, t: 2 },
      { id: 2, k: 'b', v: 2, t: 12 },
    ];
    const q = `SELECT window_start, id FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY v DESC) AS rn
        FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND))) WHERE rn = 1`;
    const s = new Session();
    await s.executeScript(table('t', evs, 1));
    const [plan] = await s.executeScript(`EXPLAIN ${q}`);
    const text = plan?.kind === 'explain' ? plan.text : '';
    expect(text).toContain(
      'WindowRank(window=[TUMBLE(size=10000 ms)], rankRange=[rankStart=1, rankEnd=1], partitionBy=[], orderBy=[v DESC])',
    );
    expect(text).not.toContain('I,UB,UA,D');
    expect(await queryChanges(q, s)).toEqual([`+I[${ms(0)},1]`, `+I[${ms(10)},2]`]);
  });

  it('a Top-N not partitioned by the window bounds stays a regular (updating) Top-N', async () => {
    const s = new Session();
    await s.executeScript(table('t', [{ id: 0, k: 'a', v: 1, t: 1 }], 1));
    const [plan] = await s.executeScript(`EXPLAIN SELECT * FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn
        FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND))) WHERE rn <= 3`);
    const text = plan?.kind === 'explain' ? plan.text : '';
    expect(text).toContain('Rank(rankRange=[rankStart=1, rankEnd=3])');
    expect(text).not.toContain('WindowRank');
  });
});

describe('window deduplication (SQL)', () => {
  it('property: keeps the first (ASC) or last (DESC) row by event time per window and key', async () => {
    await fc.assert(
      fc.asyncProperty(
        eventsArb,
        fc.constantFrom<WindowKind>('tumble', 'hop'),
        fc.boolean(),
        fc.integer({ min: 1, max: 3 }),
        async (evs, kind, last, perBatch) => {
          const q = `${table('t', evs, perBatch)}
            SELECT window_start, k, id FROM (
              SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY ts ${last ? 'DESC' : 'ASC'}) AS rn
              FROM TABLE(${TVF[kind].replace('%s', 't')})
            ) WHERE rn = 1`;
          const got = await queryChanges(q);
          expect(got.every((c) => c.startsWith('+I'))).toBe(true);
          const rows = await queryRows(q);
          const kept = new Map<string, { start: number; k: string; e: Ev }>();
          for (const e of evs)
            for (const start of windowsOf(kind, e.t)) {
              const key = `${start}|${e.k}`;
              const cur = kept.get(key);
              if (!cur || (last ? e.t > cur.e.t : e.t < cur.e.t)) kept.set(key, { start, k: e.k, e });
            }
          const expected = [...kept.values()].map((x) => [ms(x.start), x.k, x.e.id]);
          expect(sorted(rows)).toEqual(sorted(expected));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('EXPLAIN names it WindowDeduplicate', async () => {
    const s = new Session();
    await s.executeScript(table('t', [], 1));
    const [plan] = await s.executeScript(`EXPLAIN SELECT id FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY ts DESC) AS rn
        FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND))) WHERE rn <= 1`);
    expect(plan?.kind === 'explain' && plan.text).toContain(
      'WindowDeduplicate(window=[TUMBLE(size=10000 ms)], keep=[LastRow], partitionBy=[k], order=[ts]), changelogMode=[I]',
    );
  });
});

const JOINS = ['INNER', 'LEFT', 'RIGHT', 'FULL', 'SEMI', 'ANTI'] as const;
type JoinKind = (typeof JOINS)[number];

function joinQuery(kind: JoinKind, tvf: string): string {
  const l = `(SELECT * FROM TABLE(${tvf.replace('%s', 'l')}))`;
  const r = `(SELECT * FROM TABLE(${tvf.replace('%s', 'r')}))`;
  if (kind === 'SEMI')
    return `SELECT L.window_start, L.id, CAST(NULL AS INT) FROM ${l} L WHERE L.k IN (SELECT R.k FROM ${r} R WHERE L.window_start = R.window_start AND L.window_end = R.window_end)`;
  if (kind === 'ANTI')
    return `SELECT L.window_start, L.id, CAST(NULL AS INT) FROM ${l} L WHERE NOT EXISTS (SELECT * FROM ${r} R WHERE L.k = R.k AND L.window_start = R.window_start AND L.window_end = R.window_end)`;
  const join = kind === 'INNER' ? 'JOIN' : `${kind} JOIN`;
  return `SELECT COALESCE(L.window_start, R.window_start), L.id, R.id FROM ${l} L ${join} ${r} R
    ON L.k = R.k AND L.window_start = R.window_start AND L.window_end = R.window_end`;
}

/** The brute-force window join: per window, every pair with equal keys; outer sides padded. */
function joinReference(kind: JoinKind, wk: WindowKind, left: Ev[], right: Ev[]): Row[] {
  const inWindow = (evs: Ev[]) => evs.flatMap((e) => windowsOf(wk, e.t).map((start) => ({ start, e })));
  const ls = inWindow(left);
  const rs = inWindow(right);
  const matches = (a: { start: number; e: Ev }, b: { start: number; e: Ev }) =>
    a.start === b.start && a.e.k === b.e.k;
  const out: Row[] = [];
  for (const a of ls) {
    const ms2 = rs.filter((b) => matches(a, b));
    if (kind === 'SEMI') {
      if (ms2.length > 0) out.push([ms(a.start), a.e.id, null]);
    } else if (kind === 'ANTI') {
      if (ms2.length === 0) out.push([ms(a.start), a.e.id, null]);
    } else {
      for (const b of ms2) out.push([ms(a.start), a.e.id, b.e.id]);
      if (ms2.length === 0 && (kind === 'LEFT' || kind === 'FULL')) out.push([ms(a.start), a.e.id, null]);
    }
  }
  if (kind === 'RIGHT' || kind === 'FULL')
    for (const b of rs) if (!ls.some((a) => matches(a, b))) out.push([ms(b.start), null, b.e.id]);
  return out;
}

describe('window joins (SQL)', () => {
  it('property: every join type equals the brute-force join of each window, on out-of-order input', async () => {
    await fc.assert(
      fc.asyncProperty(
        eventsArb,
        eventsArb,
        fc.constantFrom(...JOINS),
        fc.constantFrom<WindowKind>('tumble', 'hop'),
        fc.integer({ min: 1, max: 3 }),
        async (left, right, kind, wk, perBatch) => {
          const r = right.map((e) => ({ ...e, id: e.id + 100 }));
          const q = `${table('l', left, perBatch)} ${table('r', r, perBatch)} ${joinQuery(kind, TVF[wk])}`;
          const changes = await queryChanges(q);
          expect(changes.every((c) => c.startsWith('+I'))).toBe(true);
          const got = await queryRows(q);
          expect(sorted(got)).toEqual(sorted(joinReference(kind, wk, left, r)));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('EXPLAIN names the window join; windows must match and must not be sessions', async () => {
    const s = new Session();
    await s.executeScript(`${table('l', [], 1)} ${table('r', [], 1)}`);
    const [plan] = await s.executeScript(`EXPLAIN ${joinQuery('LEFT', TVF.tumble)}`);
    expect(plan?.kind === 'explain' && plan.text).toContain(
      'WindowJoin(joinType=[LEFT], window=[TUMBLE(size=10000 ms)]',
    );
    const mismatch = await s
      .executeScript(
        `SELECT * FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(ts), INTERVAL '10' SECOND)) L
         JOIN TABLE(TUMBLE(TABLE r, DESCRIPTOR(ts), INTERVAL '20' SECOND)) R
         ON L.window_start = R.window_start AND L.window_end = R.window_end`,
      )
      .catch((e: unknown) => e);
    expect(mismatch).toBeInstanceOf(RivuletError);
    expect((mismatch as RivuletError).code).toBe('WINDOW_JOIN_MISMATCH');
    const session = await s
      .executeScript(
        `SELECT * FROM TABLE(SESSION(TABLE l, DESCRIPTOR(ts), INTERVAL '10' SECOND)) L
         JOIN TABLE(SESSION(TABLE r, DESCRIPTOR(ts), INTERVAL '10' SECOND)) R
         ON L.window_start = R.window_start AND L.window_end = R.window_end`,
      )
      .catch((e: unknown) => e);
    expect((session as RivuletError).code).toBe('WINDOW_JOIN_SESSION');
  });

  it('a window join over window aggregations joins each window result once', async () => {
    const l: Ev[] = [
      { id: 0, k: 'a', v: 1, t: 1 },
      { id: 1, k: 'a', v: 2, t: 3 },
      { id: 2, k: 'b', v: 5, t: 12 },
    ];
    const r: Ev[] = [
      { id: 10, k: 'a', v: 7, t: 4 },
      { id: 11, k: 'b', v: 9, t: 15 },
    ];
    const changes = await queryChanges(`${table('l', l, 1)} ${table('r', r, 1)}
      SELECT A.window_start, A.k, A.s, B.s FROM
        (SELECT window_start, window_end, k, SUM(v) AS s FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, k) A
      JOIN
        (SELECT window_start, window_end, k, SUM(v) AS s FROM TABLE(TUMBLE(TABLE r, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, k) B
      ON A.k = B.k AND A.window_start = B.window_start AND A.window_end = B.window_end`);
    expect(changes).toEqual([`+I[${ms(0)},"a",3,7]`, `+I[${ms(10)},"b",5,9]`]);
  });
});
