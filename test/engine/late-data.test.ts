/**
 * Late rows to a side-output table (`SET 'table.exec.late-data.side-output' = '<table>'`, see
 * runtime/late-data.ts), end to end in SQL: the late rows land in a filesystem table that the test
 * reads back; without the option they are dropped and counted under `numLateRecordsDropped`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RivuletError } from '../../common/errors.ts';
import { Session } from '../../runtime/session.ts';
import { queryRows } from './helpers.ts';

const T0 = Date.UTC(2024, 0, 1);
const stamp = (s: number) => new Date(T0 + s * 1000).toISOString().replace('T', ' ').slice(0, 19);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** One row per batch (the watermark, `ts - 2 s`, advances between rows); ids are arrival positions. */
function table(name: string, times: readonly number[], keys?: readonly string[]): string {
  const data = JSON.stringify(times.map((t, i) => [i, keys?.[i] ?? 'a', stamp(t)]));
  return `CREATE TABLE ${name} (id INT, k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
    WITH ('connector' = 'values', 'data' = '${data}', 'rows-per-batch' = '1');`;
}

/** A filesystem table for late rows, and a reader of what was written to it. */
function lateTable(): {
  ddl: string;
  read: () => { job: string; op: string; reason: string; row: Record<string, unknown> }[];
} {
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-late-'));
  dirs.push(dir);
  return {
    ddl: `CREATE TABLE late_rows (job STRING, operator STRING, reason STRING, row_json STRING)
      WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json');
      SET 'table.exec.late-data.side-output' = 'late_rows';`,
    read: () =>
      readdirSync(dir)
        .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
        .filter((l) => l.trim() !== '')
        .map((l) => {
          const o = JSON.parse(l) as { job: string; operator: string; reason: string; row_json: string };
          return { job: o.job, op: o.operator, reason: o.reason, row: JSON.parse(o.row_json) };
        }),
  };
}

const TUMBLE_COUNT = `SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  GROUP BY window_start, window_end`;

describe('late data side output', () => {
  it('routes a row behind the watermark of a window aggregation to the late table, with a reason', async () => {
    const late = lateTable();
    const s = new Session();
    await s.executeScript(`${table('t', [1, 15, 3, 62])} ${late.ddl} SET 'pipeline.name' = 'counts';`);
    const rows = await queryRows(TUMBLE_COUNT, s);
    // The row at second 3 arrives after the watermark reached 13 s: window [0, 10) has fired.
    expect(rows).toEqual([
      [T0, 1n],
      [T0 + 10_000, 1n],
      [T0 + 60_000, 1n],
    ]);
    const got = late.read();
    expect(got).toHaveLength(1);
    expect(got[0]?.job).toBe('counts');
    expect(got[0]?.op).toMatch(/^\d+:WindowAggregate$/);
    expect(got[0]?.reason).toContain('already fired');
    expect(got[0]?.row).toMatchObject({ window_start: stamp(0), window_end: stamp(10) });
    const agg = s.jobs.at(-1)?.operatorNodes.find((n) => n.operator.name === 'WindowAggregate');
    expect(agg?.metrics.counters.get('numLateRecordsDropped')).toBeUndefined();
  });

  it('without the option, late rows are dropped and counted under numLateRecordsDropped', async () => {
    const s = new Session();
    await s.executeScript(table('t', [1, 15, 3, 4, 62]));
    const rows = await queryRows(TUMBLE_COUNT, s);
    expect(rows.map((r) => r[1])).toEqual([1n, 1n, 1n]);
    const agg = s.jobs.at(-1)?.operatorNodes.find((n) => n.operator.name === 'WindowAggregate');
    expect(agg?.metrics.counters.get('numLateRecordsDropped')).toBe(2);
  });

  it('property: every row is either counted in its window or written to the late table, exactly when its window had fired', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 20 }), async (times) => {
        const late = lateTable();
        const s = new Session();
        await s.executeScript(`${table('t', times)} ${late.ddl}`);
        const rows = await queryRows(TUMBLE_COUNT, s);
        // Brute force: before row i the watermark is max(ts_j) - 2 s over earlier rows; the row is
        // late when its window [start, start + 10 s) ends at or before watermark + 1 ms.
        const expectedLate: number[] = [];
        const counts = new Map<number, bigint>();
        let wm = Number.NEGATIVE_INFINITY;
        times.forEach((t, i) => {
          const start = T0 + Math.floor(t / 10) * 10_000;
          if (start + 10_000 - 1 <= wm) expectedLate.push(i);
          else counts.set(start, (counts.get(start) ?? 0n) + 1n);
          wm = Math.max(wm, T0 + (t - 2) * 1000);
        });
        expect(late.read().length).toBe(expectedLate.length);
        expect(new Map(rows.map((r) => [r[0] as number, r[1] as bigint]))).toEqual(counts);
      }),
      { numRuns: 40 },
    );
  });

  it('a window join routes late rows of either input, as its input columns', async () => {
    const late = lateTable();
    const s = new Session();
    await s.executeScript(`${table('l', [1, 25, 2])} ${table('r', [3, 24, 4])} ${late.ddl}`);
    const rows = await queryRows(
      `SELECT L.id, R.id FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(ts), INTERVAL '10' SECOND)) L
       JOIN TABLE(TUMBLE(TABLE r, DESCRIPTOR(ts), INTERVAL '10' SECOND)) R
       ON L.k = R.k AND L.window_start = R.window_start AND L.window_end = R.window_end`,
      s,
    );
    // Both second rows move the watermark (the minimum of both inputs) to 22 s: the third rows
    // (seconds 2 and 4, window [0, 10)) are late.
    expect(rows).toEqual([
      [0, 0],
      [1, 1],
    ]);
    const got = late.read();
    expect(got.map((g) => g.op.replace(/^\d+:/, ''))).toEqual(['WindowJoin', 'WindowJoin']);
    expect(got.map((g) => g.row.id).sort()).toEqual([2, 2]);
    expect(got.map((g) => g.row.ts).sort()).toEqual([stamp(2), stamp(4)]);
  });

  it('refuses a late table that is not four STRING columns', async () => {
    const s = new Session();
    await s.executeScript(`${table('t', [1])}
      CREATE TABLE bad (a STRING, b INT) WITH ('connector' = 'blackhole');
      SET 'table.exec.late-data.side-output' = 'bad';`);
    const err = await s.executeScript(TUMBLE_COUNT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RivuletError);
    expect((err as RivuletError).code).toBe('LATE_DATA_TABLE');
    await s.executeScript("SET 'table.exec.late-data.side-output' = 'missing'");
    const missing = (await s.executeScript(TUMBLE_COUNT).catch((e: unknown) => e)) as RivuletError;
    expect(missing.code).toBe('TABLE_NOT_FOUND');
  });
});
