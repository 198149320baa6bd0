import { describe, expect, it } from 'vitest';
import type { Job } from '../../../runtime/job.ts';
import { formatDuration } from '../../../runtime/metrics/render.ts';
import { Session, type StatementResult } from '../../../runtime/session.ts';

const SRC = (
  rows: number,
  extra = '',
) => `CREATE TABLE src (id INT, ts AS TIMESTAMPADD(SECOND, id, TIMESTAMP '2024-01-01 00:00:00'),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'datagen', 'number-of-rows' = '${rows}', 'fields.id.kind' = 'sequence',
        'fields.id.start' = '1', 'fields.id.end' = '${rows}'${extra});`;

async function text(s: Session, sql: string): Promise<string> {
  const [r] = await s.executeScript(sql);
  if (r?.kind !== 'explain') throw new Error(`expected text, got ${r?.kind}`);
  return r.text;
}

async function until(f: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(f()).toBe(true);
}

describe("SHOW JOB 'id'", () => {
  it('prints the operator tree from the sink down with counts, state, counters and the header', async () => {
    const s = new Session();
    const results = await s.executeScript(`${SRC(1000)}
      CREATE TABLE out (k INT, c BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT id % 10, COUNT(*) FROM src WHERE id > 100 GROUP BY id % 10;`);
    const r = results[results.length - 1] as Extract<StatementResult, { kind: 'jobs' }>;
    await r.done;
    const job = r.jobs[0] as Job;
    const out = await text(s, `SHOW JOB '${job.id}'`);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Job 'insert-into_out' \\(${job.id}\\): FINISHED, up `));
    const row = (name: RegExp) => {
      const line = lines.find((l) => name.test(l));
      expect(line, `a line for ${name}`).toBeDefined();
      return line as string;
    };
    // The tree: sink, then each input one level deeper.
    expect(row(/^Sink\(out\)/)).toBeDefined();
    expect(row(/^└─ \d+:GroupAggregate/)).toBeDefined();
    expect(row(/^ {3}└─ \d+:Calc/)).toBeDefined();
    expect(row(/^ {6}└─ \d+:Source\(src\)/)).toBeDefined();
    // records in / records out / state columns: the source read 1000, the filter kept 900, 10 groups
    // (and no checkpointed size: the job does not checkpoint).
    expect(row(/Source\(src\)/)).toMatch(/\s1,000\s+1,000\s/);
    expect(row(/Calc/)).toMatch(/\s1,000\s+900\s/);
    expect(row(/GroupAggregate/)).toMatch(/\s900\s+\S+\s+-\s+-\s+10\s+-$/);
    expect(out).toMatch(/^Bottleneck: /m);
  });

  it('shows a running job with its watermark and lag, and late records an operator dropped', async () => {
    const s = new Session();
    // Every 7th id goes back 100 s in event time: late for a tumbling window once the watermark passed.
    const results = await s.executeScript(`
      CREATE TABLE src (id INT,
        ts AS TIMESTAMPADD(SECOND, CASE WHEN MOD(id, 7) = 0 THEN id - 100 ELSE id END, TIMESTAMP '2024-01-01 00:00:00'),
        WATERMARK FOR ts AS ts)
      WITH ('connector' = 'datagen', 'rows-per-second' = '2000', 'fields.id.kind' = 'sequence',
            'fields.id.start' = '1', 'fields.id.end' = '100000000');
      CREATE TABLE out (w TIMESTAMP(3), c BIGINT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '10' SECOND))
        GROUP BY window_start, window_end;`);
    const r = results[results.length - 1] as Extract<StatementResult, { kind: 'jobs' }>;
    const job = r.jobs[0] as Job;
    try {
      await until(() =>
        job.operatorNodes.some((n) => (n.metrics.counters.get('numLateRecordsDropped') ?? 0) > 0),
      );
      const out = await text(s, `SHOW JOB '${job.id}'`);
      expect(out).toMatch(/: RUNNING, up /);
      // Event time starts in 2024: the watermark lags processing time by about the time since then.
      expect(out).toMatch(/Source\(src\).*2024-01-01 \d\d:\d\d:\d\d\.\d{3}\s+\d+d \d\dh/);
      expect(out).toMatch(/Counters:\n(.*\n)*\s+\d+:WindowAggregate: numLateRecordsDropped = [1-9]/);
      const jobs = (await s.executeScript('SHOW JOBS'))[0] as Extract<StatementResult, { kind: 'table' }>;
      const names = jobs.columns.map((c) => c.name);
      expect(names).toEqual([
        'job id',
        'job name',
        'status',
        'start time',
        'uptime',
        'records in',
        'records out',
        'records skipped',
        'lag',
        'udf null results',
        'error',
        'restarts',
      ]);
      expect(jobs.rows[0]?.[2]).toBe('RUNNING');
      // datagen knows no lag.
      expect(jobs.rows[0]?.[8]).toBeNull();
    } finally {
      job.cancel();
      await r.done.catch(() => {});
    }
  });

  it('names an unknown job', async () => {
    const s = new Session();
    await expect(s.executeScript("SHOW JOB 'job-999'")).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
  });

  it('formats durations', () => {
    expect(
      [850, 12_340, 245_000, 7_380_000, 2 * 86_400_000 + 3_600_000].map((ms) => formatDuration(ms)),
    ).toEqual(['850ms', '12.3s', '4m 05s', '2h 03m', '2d 01h']);
  });
});
