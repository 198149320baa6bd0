/**
 * Savepoints: STOP JOB ... WITH SAVEPOINT writes one and returns its path; a job started with
 * 'execution.savepoint.path' resumes from it, also after a compatible change of the query; state the
 * new plan cannot claim is refused with a clear error unless 'execution.savepoint.ignore-unclaimed-state'.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectorFactory, SinkWriter } from '../../connectors/api.ts';
import { defaultConnectors } from '../../connectors/index.ts';
import { ROW_KIND_NAMES, type Row, type RowKind } from '../../operators/api.ts';
import { Session, type StatementResult } from '../../runtime/session.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rivulet-savepoint-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A sink that keeps every change it is given (committed or not: these jobs do not crash). */
function sessionWithSink(out: string[]): Session {
  const connectors = defaultConnectors();
  const sink = (): SinkWriter => ({
    accepts: 'retract',
    async open() {},
    write(kind: RowKind, row: Row) {
      out.push(
        `${ROW_KIND_NAMES[kind]}${JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))}`,
      );
    },
    async flush() {},
    async close() {},
  });
  const factory: ConnectorFactory = { identifier: 'list', options: [], createSink: sink };
  connectors.register(factory);
  return new Session({ connectors });
}

const rows = (n: number, from = 1) =>
  JSON.stringify(Array.from({ length: n }, (_, i) => [from + i, (from + i) % 3]));

function ddl(data: string): string {
  return `CREATE TABLE src (k BIGINT, g BIGINT) WITH ('connector' = 'values', 'bounded' = 'false', 'data' = '${data}');
    CREATE TABLE out (g BIGINT, c BIGINT) WITH ('connector' = 'list');`;
}

async function waitFor(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function startJob(session: Session, sql: string): Promise<StatementResult & { kind: 'jobs' }> {
  const results = await session.executeScript(sql);
  const last = results[results.length - 1];
  if (last?.kind !== 'jobs') throw new Error('not a job');
  last.done.catch(() => {});
  return last;
}

describe('savepoints', () => {
  it('STOP JOB WITH SAVEPOINT returns the path; a job restored from it continues the counts', async () => {
    const dir = tempDir();
    const out1: string[] = [];
    const s1 = sessionWithSink(out1);
    await s1.executeScript(
      `SET 'execution.checkpointing.interval' = '1 h'; SET 'execution.checkpointing.dir' = '${dir}';`,
    );
    const job = await startJob(
      s1,
      `${ddl(rows(30))} INSERT INTO out SELECT g, COUNT(*) FROM src GROUP BY g;`,
    );
    await waitFor(() => out1.some((c) => c.includes('[0,10]')) && out1.some((c) => c.includes('[1,10]')));
    const [stop] = await s1.executeScript(`STOP JOB '${job.jobs[0]?.id}' WITH SAVEPOINT`);
    if (stop?.kind !== 'table') throw new Error('expected the savepoint path');
    const path = stop.rows[0]?.[0] as string;
    expect(path).toMatch(/savepoints\/savepoint-.*\.rvck$/);
    expect(existsSync(path)).toBe(true);
    await job.done;
    expect(job.jobs[0]?.status).toBe('CANCELED');

    // A compatible change: a filter added before the aggregation, another projection after it.
    const out2: string[] = [];
    const s2 = sessionWithSink(out2);
    await s2.executeScript(`SET 'execution.savepoint.path' = '${path}';`);
    const job2 = await startJob(
      s2,
      `${ddl(rows(60))} INSERT INTO out SELECT g, COUNT(*) + 0 FROM (SELECT * FROM src WHERE k > 0) GROUP BY g;`,
    );
    // The source resumes after row 30 and the counts continue from 10: rows 31..60 bring each to 20.
    await waitFor(() => ['+U[0,20]', '+U[1,20]', '+U[2,20]'].every((c) => out2.includes(c)));
    expect(out2[0]).toMatch(/^-U\[\d,10\]$/);
    expect(out2.filter((c) => c.startsWith('+I'))).toEqual([]);
    job2.jobs[0]?.cancel();
    await job2.done;
  });

  it('refuses state the new plan has no operator for, naming it, unless told to ignore it', async () => {
    const dir = tempDir();
    const out1: string[] = [];
    const s1 = sessionWithSink(out1);
    await s1.executeScript(
      `SET 'execution.checkpointing.interval' = '1 h'; SET 'execution.checkpointing.dir' = '${dir}';`,
    );
    const job = await startJob(s1, `${ddl(rows(9))} INSERT INTO out SELECT g, COUNT(*) FROM src GROUP BY g;`);
    await waitFor(() => out1.length >= 3);
    const [stop] = await s1.executeScript(`STOP JOB '${job.jobs[0]?.id}' WITH SAVEPOINT`);
    if (stop?.kind !== 'table') throw new Error('expected the savepoint path');
    const path = stop.rows[0]?.[0] as string;
    await job.done;

    const s2 = sessionWithSink([]);
    await s2.executeScript(`SET 'execution.savepoint.path' = '${path}';`);
    const stateless = `${ddl(rows(9))} INSERT INTO out SELECT g, k FROM src;`;
    const refused = await startJob(s2, stateless);
    await expect(refused.done).rejects.toThrow(/GroupAggregate#1.*ignore-unclaimed-state/);
    expect((refused.jobs[0]?.error?.cause as { code?: string } | undefined)?.code).toBe('STATE_UNCLAIMED');

    const out3: string[] = [];
    const s3 = sessionWithSink(out3);
    await s3.executeScript(
      `SET 'execution.savepoint.path' = '${path}'; SET 'execution.savepoint.ignore-unclaimed-state' = 'true';`,
    );
    const allowed = await startJob(s3, stateless);
    // The source position is restored: every row was read before the savepoint, so nothing more comes.
    await new Promise((r) => setTimeout(r, 200));
    allowed.jobs[0]?.cancel();
    await allowed.done;
    expect(out3).toEqual([]);
  });

  it('a job without checkpointing cannot stop with a savepoint', async () => {
    const s = sessionWithSink([]);
    const job = await startJob(s, `${ddl(rows(3))} INSERT INTO out SELECT g, COUNT(*) FROM src GROUP BY g;`);
    await expect(s.executeScript(`STOP JOB '${job.jobs[0]?.id}' WITH SAVEPOINT`)).rejects.toThrow(
      /execution.checkpointing.interval/,
    );
    job.jobs[0]?.cancel();
    await job.done;
  });
});
