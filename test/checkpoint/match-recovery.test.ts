/**
 * Recovery of a MATCH_RECOGNIZE job from its copy-on-write checkpoints: a job that checkpoints every few
 * ms, crashes at any record and is started again from the same SQL commits exactly what an uninterrupted
 * run does. Its partitions go through the real checkpoint writer (drained from the deferred view,
 * serialized with node:v8) and the real restore. This state is one chunk, so processing overlaps its
 * write-out little: a missing `mutating` call is caught by the operator-level properties in
 * test/operators/match/stream.test.ts, not reliably here. (The protocol of recovery.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type External, materialize, runJob } from './support.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// 3,000 rows over 20 partitions, out of order by up to 1 s (the watermark allows 2 s: none is late).
const rows = Array.from({ length: 3000 }, (_, i) => {
  const k = i + 1;
  const ts = Date.UTC(2026, 0, 1) + k * 200 + ((k * 7919) % 1000);
  return [k, k % 20, (k * 37) % 11, new Date(ts).toISOString().replace('T', ' ').slice(0, 23)];
});
const SCRIPT = `
  CREATE TABLE src (k BIGINT, g BIGINT, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
    WITH ('connector' = 'values', 'data' = '${JSON.stringify(rows)}');
  CREATE TABLE out (g BIGINT, fk BIGINT, n BIGINT) WITH ('connector' = 'txn-test');
  INSERT INTO out SELECT g, fk, n FROM src MATCH_RECOGNIZE (
    PARTITION BY g ORDER BY ts
    MEASURES FIRST(A.k) AS fk, COUNT(B.k) AS n
    ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B+ C) WITHIN INTERVAL '30' SECOND
    DEFINE A AS A.v < 4, B AS B.v >= A.v, C AS C.v < A.v) MR;`;

describe('recovery of MATCH_RECOGNIZE from copy-on-write checkpoints', () => {
  it('a job crashed at any record and restarted commits what an uninterrupted run does', async () => {
    const ref: External = { committed: [], committedCheckpoint: null, crashAfter: -1, written: 0 };
    expect(await runJob(ref, SCRIPT, {})).toBeUndefined();
    const expected = materialize(ref.committed);
    expect(expected.length).toBeGreaterThan(50);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: expected.length }), { minLength: 1, maxLength: 2 }),
        fc.constantFrom('2 ms', '5 ms'),
        async (crashes, interval) => {
          const dir = mkdtempSync(join(tmpdir(), 'rivulet-match-recovery-'));
          dirs.push(dir);
          const options = {
            'execution.checkpointing.interval': interval,
            'execution.checkpointing.dir': dir,
            'pipeline.name': 'match-recovery-test',
          };
          const ext: External = { committed: [], committedCheckpoint: null, crashAfter: -1, written: 0 };
          for (const at of crashes) {
            ext.crashAfter = at;
            const err = await runJob(ext, SCRIPT, options);
            if (err) expect(err.message).toMatch(/simulated crash/);
            else ext.committed.length = 0;
          }
          ext.crashAfter = -1;
          expect(await runJob(ext, SCRIPT, options)).toBeUndefined();
          expect(materialize(ext.committed)).toEqual(expected);
        },
      ),
      { numRuns: 8 },
    );
  }, 120_000);
});
