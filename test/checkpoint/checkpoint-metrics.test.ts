/**
 * A checkpointing job reports its checkpoints: SHOW JOB ends with how many completed and what the last
 * one cost, and /metrics's text carries Flink's checkpoint metric names for it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../runtime/job.ts';
import { Session } from '../../runtime/session.ts';
import { renderMetrics } from '../../server/metrics.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function waitFor(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('checkpoint metrics', () => {
  it('SHOW JOB and /metrics report completed checkpoints and the last one’s pause, duration and size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-ckmetrics-'));
    dirs.push(dir);
    const s = new Session();
    const results = await s.executeScript(`
      SET 'execution.checkpointing.interval' = '20ms';
      SET 'execution.checkpointing.dir' = '${dir}';
      SET 'pipeline.name' = 'ck-metrics';
      CREATE TABLE g (k INT) WITH ('connector' = 'datagen', 'rows-per-second' = '2000', 'fields.k.min' = '1', 'fields.k.max' = '50');
      CREATE TABLE out (k INT, n BIGINT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT k, COUNT(*) FROM g GROUP BY k;`);
    const last = results[results.length - 1];
    if (last?.kind !== 'jobs') throw new Error('expected a job');
    const job = last.jobs[0] as Job;
    try {
      await waitFor(() => (job.checkpoints?.completed ?? 0) >= 2);
      const shown = (await s.executeScript(`SHOW JOB '${job.id}'`))[0];
      if (shown?.kind !== 'explain') throw new Error('expected text');
      const stats = job.checkpoints?.lastStats;
      expect(stats?.bytes).toBeGreaterThan(0);
      expect(shown.text).toMatch(
        /Checkpoints: \d+ completed; the last \(#\d+\) paused the job \S+, wrote [\d,]+ bytes in \S+ in the background\./,
      );
      const text = renderMetrics({ operations: [], jobs: [job], bufferedChanges: 0, sessions: 0 });
      const value = (name: string) =>
        Number(new RegExp(`^${name}\\{[^}]*job_name="ck-metrics"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1]);
      expect(value('rivulet_job_numberOfCompletedCheckpoints')).toBeGreaterThanOrEqual(2);
      expect(value('rivulet_job_lastCheckpointSize')).toBeGreaterThan(0);
      expect(value('rivulet_job_lastCheckpointDuration')).toBeGreaterThanOrEqual(
        value('rivulet_job_lastCheckpointPauseMs'),
      );
      // Per operator: the bytes of its state in the last checkpoint, in SHOW JOB and /metrics.
      const agg = job.metrics.snapshot().nodes.find((n) => n.id.endsWith('GroupAggregate'));
      expect(agg?.stateBytes).toBeGreaterThan(0);
      expect(agg?.stateBytes).toBe(stats?.stateBytes[agg?.id as string]);
      expect(shown.text).toMatch(/checkpointed/);
      expect(shown.text).toMatch(/GroupAggregate.* \d+(\.\d)? (B|KB)\b/);
      const opBytes = new RegExp(
        `^rivulet_job_operator_stateBytes\\{[^}]*operator="${agg?.id}"[^}]*\\} (\\S+)$`,
        'm',
      ).exec(text)?.[1];
      expect(Number(opBytes)).toBeGreaterThan(0);
    } finally {
      job.cancel();
      await last.done.catch(() => {});
    }
  });
});
