import { describe, expect, it } from 'vitest';
import { RivuletError } from '../../common/errors.ts';
import { Session } from '../../runtime/session.ts';
import { queryChanges, queryRows, sorted } from './helpers.ts';

/** `n` events, one per second of event time from 2024-01-01 00:00:00, with a 2-second watermark delay. */
const ticks = (n: number, extra = '') => `
CREATE TABLE ticks (
  id INT, sym STRING, price INT,
  ts AS TIMESTAMPADD(SECOND, id, TIMESTAMP '2024-01-01 00:00:00'),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH ('connector' = 'datagen', 'seed' = '11', 'rows-per-second' = '1000000',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '${n - 1}',
  'fields.sym.length' = '1', 'fields.price.min' = '1', 'fields.price.max' = '100' ${extra});`;

/** The generated rows themselves, to compute expected results independently of the engine's operators. */
async function tickRows(n: number): Promise<{ id: number; sym: string; price: number }[]> {
  const rows = await queryRows(`${ticks(n)} SELECT id, sym, price FROM ticks`);
  return rows.map(([id, sym, price]) => ({ id: id as number, sym: sym as string, price: price as number }));
}

const T0 = Date.UTC(2024, 0, 1);

describe('window TVFs', () => {
  it('TUMBLE aggregation equals a grouping of the rows by minute', async () => {
    const rows = await tickRows(250);
    const got = await queryRows(`${ticks(250)}
      SELECT window_start, window_end, COUNT(*) AS n, SUM(price) AS s, MAX(price) AS m
      FROM TABLE(TUMBLE(TABLE ticks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
      GROUP BY window_start, window_end`);
    const expected = new Map<number, { n: number; s: number; m: number }>();
    for (const r of rows) {
      const start = T0 + Math.floor(r.id / 60) * 60_000;
      const e = expected.get(start) ?? { n: 0, s: 0, m: -Infinity };
      e.n++;
      e.s += r.price;
      e.m = Math.max(e.m, r.price);
      expected.set(start, e);
    }
    expect(sorted(got)).toEqual(
      sorted([...expected].map(([start, e]) => [start, start + 60_000, BigInt(e.n), e.s, e.m])),
    );
  });

  it('HOP windows overlap: each row counts in size/slide windows', async () => {
    const got = await queryRows(`${ticks(120)}
      SELECT window_start, COUNT(*) AS n
      FROM TABLE(HOP(TABLE ticks, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '1' MINUTE))
      GROUP BY window_start, window_end`);
    const counts = new Map(got.map(([s, n]) => [s as number, Number(n)]));
    // Windows start every 30 s from -30 s; each full window holds 60 rows.
    expect(counts.get(T0 - 30_000)).toBe(30);
    expect(counts.get(T0)).toBe(60);
    expect(counts.get(T0 + 30_000)).toBe(60);
    expect(counts.get(T0 + 90_000)).toBe(30);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(240);
  });

  it('a window aggregation is append-only: each window is emitted once', async () => {
    const changes = await queryChanges(`${ticks(180)}
      SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE ticks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
      GROUP BY window_start, window_end`);
    expect(changes).toHaveLength(3);
    expect(changes.every((c) => c.startsWith('+I'))).toBe(true);
  });

  it('windows need a time attribute', async () => {
    const session = new Session();
    await session.executeScript(
      "CREATE TABLE plain (ts TIMESTAMP(3)) WITH ('connector' = 'datagen', 'number-of-rows' = '1')",
    );
    await expect(
      session.executeScript("SELECT * FROM TABLE(TUMBLE(TABLE plain, DESCRIPTOR(ts), INTERVAL '1' MINUTE))"),
    ).rejects.toThrow(/time attribute/);
  });
});

describe('OVER, Top-N and deduplication', () => {
  it('a ROWS frame over event time sums the last three rows', async () => {
    const rows = await tickRows(30);
    const got = await queryRows(`${ticks(30)}
      SELECT id, SUM(price) OVER (ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM ticks`);
    const expected = rows.map((r, i) => [
      r.id,
      rows.slice(Math.max(0, i - 2), i + 1).reduce((a, x) => a + x.price, 0),
    ]);
    expect(sorted(got)).toEqual(sorted(expected));
  });

  it('Top-N per partition over a stream', async () => {
    const rows = await tickRows(60);
    const got = await queryRows(`${ticks(60)}
      SELECT sym, price, rn FROM (
        SELECT sym, price, ROW_NUMBER() OVER (PARTITION BY MOD(id, 3) ORDER BY price DESC) AS rn, MOD(id, 3) AS part FROM ticks
      ) WHERE rn <= 2`);
    const byPart = new Map<number, number[]>();
    for (const r of rows) byPart.set(r.id % 3, [...(byPart.get(r.id % 3) ?? []), r.price]);
    const expectedPrices = [...byPart.values()]
      .flatMap((ps) => ps.sort((a, b) => b - a).slice(0, 2))
      .sort((a, b) => a - b);
    expect(got.map((r) => r[1] as number).sort((a, b) => a - b)).toEqual(expectedPrices);
    expect(got.map((r) => r[2]).sort()).toEqual([1n, 1n, 1n, 2n, 2n, 2n]);
  });

  it('keep-last deduplication by event time keeps the latest row per key', async () => {
    const rows = await tickRows(40);
    const got = await queryRows(`${ticks(40)}
      SELECT k, id FROM (SELECT MOD(id, 4) AS k, id, ROW_NUMBER() OVER (PARTITION BY MOD(id, 4) ORDER BY ts DESC) AS rn FROM ticks) WHERE rn = 1`);
    const last = new Map<number, number>();
    for (const r of rows) last.set(r.id % 4, r.id);
    expect(sorted(got)).toEqual(sorted([...last].map(([k, id]) => [k, id])));
  });

  it('ranking and offset functions over a bounded input with any ORDER BY', async () => {
    const got = await queryRows(`
      SELECT k, v, RANK() OVER (PARTITION BY k ORDER BY v) AS r, DENSE_RANK() OVER (PARTITION BY k ORDER BY v) AS d,
             LEAD(v) OVER (PARTITION BY k ORDER BY v) AS nxt
      FROM (VALUES ('a', 1), ('a', 2), ('a', 2), ('a', 5), ('b', 9)) AS t(k, v)`);
    expect(got).toEqual([
      ['a', 1, 1n, 1n, 2],
      ['a', 2, 2n, 2n, 2],
      ['a', 2, 2n, 2n, 5],
      ['a', 5, 4n, 3n, null],
      ['b', 9, 1n, 1n, null],
    ]);
  });

  it('an unfiltered ROW_NUMBER over a stream is refused with an explanation', async () => {
    const s2 = new Session();
    await s2.executeScript(`CREATE TABLE u (id INT, ts AS PROCTIME()) WITH ('connector' = 'datagen')`);
    const err = await s2
      .executeScript('SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM u')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RivuletError);
    expect((err as RivuletError).code).toBe('OVER_UNBOUNDED');
  });
});

describe('interval joins', () => {
  it('joins rows whose times are within the bounds, pads unmatched left rows, and keeps rowtimes', async () => {
    const ddl = `
      CREATE TABLE a (id INT, ts AS TIMESTAMPADD(SECOND, id * 10, TIMESTAMP '2024-01-01 00:00:00'), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
      WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '20');
      CREATE TABLE b (id INT, k INT, ts AS TIMESTAMPADD(SECOND, id * 7, TIMESTAMP '2024-01-01 00:00:00'), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
      WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '30');`;
    const got = await queryRows(`${ddl}
      SELECT a.id, b.id FROM a LEFT JOIN b ON MOD(a.id, 3) = MOD(b.id, 3) AND b.ts BETWEEN a.ts - INTERVAL '5' SECOND AND a.ts + INTERVAL '5' SECOND`);
    const expected: [number, number | null][] = [];
    for (let x = 1; x <= 20; x++) {
      const matches = [];
      for (let y = 1; y <= 30; y++) if (x % 3 === y % 3 && Math.abs(y * 7 - x * 10) <= 5) matches.push(y);
      if (matches.length === 0) expected.push([x, null]);
      for (const y of matches) expected.push([x, y]);
    }
    expect(sorted(got)).toEqual(sorted(expected));
    const session = new Session();
    await session.executeScript(ddl);
    const plan = await session.executeScript(
      "EXPLAIN SELECT a.ts FROM a JOIN b ON a.id = b.id AND a.ts BETWEEN b.ts AND b.ts + INTERVAL '1' MINUTE",
    );
    const text = plan[0]?.kind === 'explain' ? plan[0].text : '';
    expect(text).toContain('IntervalJoin(joinType=[INNER]');
    expect(text).toContain('lower=0 ms, upper=60000 ms');
    expect(text).toContain('*ROWTIME*');
  });
});

describe('legacy group windows', () => {
  it('GROUP BY TUMBLE(...) with TUMBLE_START/END equals the window TVF form', async () => {
    const legacy = await queryRows(`${ticks(200)}
      SELECT TUMBLE_START(ts, INTERVAL '1' MINUTE) AS ws, TUMBLE_END(ts, INTERVAL '1' MINUTE) AS we, COUNT(*) AS n, SUM(price) AS s
      FROM ticks GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)`);
    const tvf = await queryRows(`${ticks(200)}
      SELECT window_start, window_end, COUNT(*), SUM(price) FROM TABLE(TUMBLE(TABLE ticks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
      GROUP BY window_start, window_end`);
    expect(sorted(legacy)).toEqual(sorted(tvf));
    expect(legacy).toHaveLength(4);
  });

  it('HOP and SESSION group windows', async () => {
    const hop = await queryRows(`${ticks(120)}
      SELECT HOP_START(ts, INTERVAL '30' SECOND, INTERVAL '1' MINUTE), COUNT(*) FROM ticks GROUP BY HOP(ts, INTERVAL '30' SECOND, INTERVAL '1' MINUTE)`);
    expect(hop.reduce((a, r) => a + Number(r[1]), 0)).toBe(240);
    const session = await queryRows(`${ticks(50)}
      SELECT SESSION_START(ts, INTERVAL '10' SECOND), COUNT(*) FROM ticks GROUP BY SESSION(ts, INTERVAL '10' SECOND)`);
    expect(session).toEqual([[T0, 50n]]);
  });
});

describe('window emit options', () => {
  it('allowed lateness makes a window aggregation an update stream; without it the output appends', async () => {
    const q = `SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE ticks, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end`;
    const s = new Session();
    await s.executeScript(`${ticks(120)} SET 'table.exec.emit.allow-lateness' = '1 min';`);
    const [plan] = await s.executeScript(`EXPLAIN ${q}`);
    expect(plan?.kind === 'explain' && plan.text).toContain('changelogMode=[I,UB,UA,D]');
    const rows = await queryRows(q, s);
    expect(rows.map((r) => r[1])).toEqual([60n, 60n]);
  });
});

describe('late firing', () => {
  const late = `CREATE TABLE lt (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
    WITH ('connector' = 'values', 'rows-per-batch' = '1', 'data' = '[[0, "2024-01-01 00:00:01"], [1, "2024-01-01 00:00:15"], [2, "2024-01-01 00:00:03"]]');`;
  const q = `SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE lt, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end`;

  it('late rows within the allowed lateness update their fired window, at once or by the late-fire delay', async () => {
    // Row 2 (second 3) arrives after the watermark reached 13 s: window [0, 10) has fired.
    const dropped = await queryRows(`${late} ${q}`);
    expect(dropped.map((r) => r[1])).toEqual([1n, 1n]);
    for (const fire of [
      "SET 'table.exec.emit.late-fire.delay' = '0 s';",
      "SET 'table.exec.emit.late-fire.delay' = '1 h';",
    ]) {
      const changes = await queryChanges(`${late}
        SET 'table.exec.emit.allow-lateness' = '10 s';
        SET 'table.exec.emit.late-fire.enabled' = 'true'; ${fire} ${q}`);
      expect(changes).toContain(`-U[${T0},"1n"]`);
      expect(changes).toContain(`+U[${T0},"2n"]`);
    }
  });

  it('late firing needs an allowed lateness', async () => {
    const s = new Session();
    await s.executeScript(`${late} SET 'table.exec.emit.late-fire.enabled' = 'true';`);
    const err = (await s.executeScript(q).catch((e: unknown) => e)) as RivuletError;
    expect(err.code).toBe('EMIT_LATE_FIRE_LATENESS');
  });
});
