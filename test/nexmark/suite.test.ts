/**
 * Every query file of bench/nexmark runs, as the benchmark runs it (DDL + qN.sql, INSERT into a
 * blackhole), over a small seeded stream, to completion.
 */
import { describe, expect, it } from 'vitest';
import { ALL_QUERIES, nexmarkDdl, querySql } from '../../bench/nexmark/run.ts';
import { Session } from '../../runtime/session.ts';

async function runQuery(name: string): Promise<void> {
  const session = new Session();
  await session.executeScript(nexmarkDdl(3000, 1000, 11));
  const results = await session.executeScript(querySql(name));
  const last = results[results.length - 1];
  if (last?.kind !== 'jobs') throw new Error(`${name}.sql does not end with an INSERT`);
  await last.done;
  for (const job of last.jobs) if (job.error) throw job.error;
}

describe('the Nexmark suite files', () => {
  it('has q0..q22', () => {
    expect(ALL_QUERIES).toEqual(Array.from({ length: 23 }, (_, i) => `q${i}`));
  });

  for (const q of ALL_QUERIES) {
    it(`${q} runs to completion into the blackhole`, async () => {
      await expect(runQuery(q)).resolves.toBeUndefined();
    }, 60_000);
  }
});
