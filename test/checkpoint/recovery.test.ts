/**
 * Restore equivalence: a job that checkpoints, crashes at an arbitrary record and is started again
 * from the same SQL commits exactly the output of an uninterrupted run. The sink is a transactional
 * in-memory "external system" (output of an epoch becomes visible at commit, lost on a crash), so
 * the test checks exactly-once through the same protocol the Kafka sink follows.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type External, materialize, runJob } from './support.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rivulet-recovery-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const SOURCES = {
  datagen: `CREATE TABLE src (k BIGINT, v BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '6000',
      'rows-per-second' = '100000000', 'fields.k.kind' = 'sequence', 'fields.k.start' = '1', 'fields.k.end' = '6000',
      'fields.v.min' = '1', 'fields.v.max' = '50', 'seed' = '42')`,
  values: (() => {
    const rows = Array.from({ length: 3000 }, (_, i) => [i + 1, (i * 7) % 13]);
    return `CREATE TABLE src (k BIGINT, v BIGINT) WITH ('connector' = 'values', 'data' = '${JSON.stringify(rows)}')`;
  })(),
};

function filesystemSource(): string {
  const dir = tempDir();
  for (let f = 0; f < 3; f++) {
    const lines = Array.from({ length: 1500 }, (_, i) =>
      JSON.stringify({ k: f * 1500 + i + 1, v: (i * 5) % 17 }),
    );
    writeFileSync(join(dir, `part-${f}.json`), `${lines.join('\n')}\n`);
  }
  return `CREATE TABLE src (k BIGINT, v BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json')`;
}

const QUERY = `CREATE TABLE out (g BIGINT, c BIGINT, s BIGINT) WITH ('connector' = 'txn-test');
  INSERT INTO out SELECT k % 7, COUNT(*), SUM(v) FROM src GROUP BY k % 7;`;

async function reference(ddl: string, query = QUERY): Promise<string[]> {
  const ext: External = { committed: [], committedCheckpoint: null, crashAfter: -1, written: 0 };
  const err = await runJob(ext, `${ddl}; ${query}`, {});
  expect(err).toBeUndefined();
  return materialize(ext.committed);
}

describe('recovery from checkpoints', () => {
  for (const [name, ddlOf] of [
    ['datagen', () => SOURCES.datagen],
    ['values', () => SOURCES.values],
    ['filesystem', filesystemSource],
  ] as const) {
    it(`a ${name} job crashed at any record and restarted commits what an uninterrupted run does`, async () => {
      const ddl = ddlOf();
      const expected = await reference(ddl);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 3 }),
          fc.constantFrom('2 ms', '5 ms', '20 ms'),
          async (crashes, interval) => {
            const dir = tempDir();
            const options = {
              'execution.checkpointing.interval': interval,
              'execution.checkpointing.dir': dir,
              'pipeline.name': 'recovery-test',
            };
            const ext: External = { committed: [], committedCheckpoint: null, crashAfter: -1, written: 0 };
            for (const at of crashes) {
              ext.crashAfter = at;
              const err = await runJob(ext, `${ddl}; ${QUERY}`, options);
              // A crash point past the end of the output lets the run finish: later runs start afresh.
              if (err) expect(err.message).toMatch(/simulated crash/);
              else ext.committed.length = 0;
            }
            ext.crashAfter = -1;
            const err = await runJob(ext, `${ddl}; ${QUERY}`, options);
            expect(err).toBeUndefined();
            expect(materialize(ext.committed)).toEqual(expected);
            // A finished job's checkpoints are deleted.
            expect(readdirSync(dir)).toEqual([]);
          },
        ),
        { numRuns: 15 },
      );
    }, 120_000);
  }
});

describe('recovery of operators whose checkpoints are copy-on-write', () => {
  // Checkpoints every few ms: the writer drains the operators' state while the job goes on.
  const untimedDdl = SOURCES.datagen.replace('v BIGINT)', 'v BIGINT, p AS PROCTIME())');
  // Event time for the append-only OVER aggregate: rows 10 ms apart (in order within each of the
  // source's splits), a 50 ms watermark delay.
  const timedDdl = SOURCES.datagen.replace(
    'v BIGINT)',
    "v BIGINT, p AS PROCTIME(), ts AS TO_TIMESTAMP_LTZ(k * 10, 3), WATERMARK FOR ts AS ts - INTERVAL '0.05' SECOND)",
  );
  const queries = {
    TopN: `SELECT g, k, v FROM (SELECT k % 7 AS g, k, v,
      ROW_NUMBER() OVER (PARTITION BY k % 7 ORDER BY v DESC, k) AS rn FROM src) WHERE rn <= 3`,
    Deduplicate: `SELECT g, k, v FROM (SELECT k % 500 AS g, k, v,
      ROW_NUMBER() OVER (PARTITION BY k % 500 ORDER BY p) AS rn FROM src) WHERE rn = 1`,
    SetOp: `SELECT k % 500, v, 0 FROM src WHERE k % 2 = 0 INTERSECT SELECT k % 500, v, 0 FROM src WHERE k % 3 = 0`,
    SortLimit: 'SELECT k, v, k + v FROM src ORDER BY v, k',
    UpdatingOverAggregate: `SELECT g, s, COUNT(*) OVER (PARTITION BY g % 3 ORDER BY s
      RANGE BETWEEN 10 PRECEDING AND CURRENT ROW) FROM (SELECT k % 50 AS g, SUM(v) AS s FROM src GROUP BY k % 50)`,
    // Append-only OVER over event time (a processing-time OVER depends on the order in which the
    // source's splits interleave, which differs from run to run).
    OverAggregateRowtime: `SELECT k % 7, v, SUM(v) OVER (PARTITION BY k % 7 ORDER BY ts
      RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW) FROM src`,
  };
  for (const [name, select] of Object.entries(queries)) {
    const ddl = name === 'OverAggregateRowtime' ? timedDdl : untimedDdl;
    it(`${name}: a job crashed at any record and restarted commits what an uninterrupted run does`, async () => {
      const query = `CREATE TABLE out (a BIGINT, b BIGINT, c BIGINT) WITH ('connector' = 'txn-test');
        INSERT INTO out ${select};`;
      const expected = await reference(ddl, query);
      expect(expected.length).toBeGreaterThan(0);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 1, max: expected.length }), { minLength: 1, maxLength: 2 }),
          fc.constantFrom('2 ms', '5 ms'),
          async (crashes, interval) => {
            const options = {
              'execution.checkpointing.interval': interval,
              'execution.checkpointing.dir': tempDir(),
              'pipeline.name': 'recovery-test',
            };
            const ext: External = { committed: [], committedCheckpoint: null, crashAfter: -1, written: 0 };
            for (const at of crashes) {
              ext.crashAfter = at;
              const err = await runJob(ext, `${ddl}; ${query}`, options);
              if (err) expect(err.message).toMatch(/simulated crash/);
              else ext.committed.length = 0;
            }
            ext.crashAfter = -1;
            expect(await runJob(ext, `${ddl}; ${query}`, options)).toBeUndefined();
            expect(materialize(ext.committed)).toEqual(expected);
          },
        ),
        { numRuns: 5 },
      );
    }, 120_000);
  }
});
