import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectorFactory } from '../../connectors/api.ts';
import { defaultConnectors } from '../../connectors/index.ts';
import { restartStrategy } from '../../runtime/restart.ts';
import { Session } from '../../runtime/session.ts';
import { type External, materialize, TxnSink } from './support.ts';

const opts = (o: Record<string, string>) => new Map(Object.entries(o));

describe('restart strategies', () => {
  it('none by default; fixed-delay allows its number of attempts, each after the delay', () => {
    expect(restartStrategy(opts({}))).toBeNull();
    expect(restartStrategy(opts({ 'restart-strategy.type': 'none' }))).toBeNull();
    const s = restartStrategy(
      opts({
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.attempts': '2',
        'restart-strategy.fixed-delay.delay': '3 s',
      }),
    );
    expect([s?.nextDelay(0), s?.nextDelay(0), s?.nextDelay(0)]).toEqual([3000, 3000, null]);
    expect(s?.restarts).toBe(2);
  });

  it('exponential-delay grows by the multiplier up to the cap, and resets after a smooth run', () => {
    const s = restartStrategy(
      opts({
        'restart-strategy.type': 'exponential-delay',
        'restart-strategy.exponential-delay.initial-backoff': '100 ms',
        'restart-strategy.exponential-delay.max-backoff': '1 s',
        'restart-strategy.exponential-delay.backoff-multiplier': '2',
        'restart-strategy.exponential-delay.reset-backoff-threshold': '10 s',
        'restart-strategy.exponential-delay.jitter-factor': '0',
      }),
    );
    if (!s) throw new Error('expected a strategy');
    s.started(0);
    const delays = [1, 2, 3, 4, 5].map((t) => s.nextDelay(t));
    expect(delays).toEqual([100, 200, 400, 800, 1000]);
    s.started(100);
    expect(s.nextDelay(20_000)).toBe(100);
  });

  it('jitter stays within the factor; attempts-before-reset-backoff ends the restarts', () => {
    let r = 0;
    const randoms = [0, 1, 0.5];
    const s = restartStrategy(
      opts({
        'restart-strategy.type': 'exponential-delay',
        'restart-strategy.exponential-delay.attempts-before-reset-backoff': '3',
      }),
      () => randoms[r++] as number,
    );
    if (!s) throw new Error('expected a strategy');
    // Flink's defaults: 1 s initial, x1.5, jitter 0.1.
    expect([s.nextDelay(0), s.nextDelay(0), s.nextDelay(0), s.nextDelay(0)]).toEqual([900, 1650, 2250, null]);
  });

  it('rejects an unknown type', () => {
    expect(() => restartStrategy(opts({ 'restart-strategy.type': 'sometimes' }))).toThrow(/fixed-delay/);
  });
});

describe('a failing job restarts from its last checkpoint', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function run(
    strategy: Record<string, string>,
  ): Promise<{ ext: External; session: Session; error?: Error }> {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-restart-'));
    dirs.push(dir);
    const ext: External = { committed: [], committedCheckpoint: null, crashAfter: 2500, written: 0 };
    const connectors = defaultConnectors();
    const factory: ConnectorFactory = {
      identifier: 'txn-test',
      options: [],
      createSink: () => new TxnSink(ext),
    };
    connectors.register(factory);
    let t = 0;
    const session = new Session({ connectors, now: () => t++ });
    const options = {
      'execution.checkpointing.interval': '3 ms',
      'execution.checkpointing.dir': dir,
      ...strategy,
    };
    for (const [k, v] of Object.entries(options)) session.options.set(k, v);
    const [last] = (
      await session.executeScript(`
      CREATE TABLE src (k BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '20000', 'rows-per-second' = '100000000',
        'fields.k.kind' = 'sequence', 'fields.k.start' = '1', 'fields.k.end' = '20000');
      CREATE TABLE out (k BIGINT) WITH ('connector' = 'txn-test');
      INSERT INTO out SELECT k FROM src WHERE k % 4 = 0;`)
    ).slice(-1);
    if (last?.kind !== 'jobs') throw new Error('expected a job');
    // Only the first attempt crashes: the sink's counter is not reset by a restart.
    try {
      await last.done;
      return { ext, session };
    } catch (e) {
      return { ext, session, error: e as Error };
    }
  }

  it('with fixed-delay: the job finishes and the output is exactly what an uninterrupted run gives', async () => {
    const { ext, session, error } = await run({
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '1',
      'restart-strategy.fixed-delay.delay': '10 ms',
    });
    expect(error).toBeUndefined();
    const expected = Array.from({ length: 5000 }, (_, i) => `["${(i + 1) * 4}"]`).sort();
    expect(materialize(ext.committed)).toEqual(expected);
    const [jobs] = await session.executeScript('SHOW JOBS');
    if (jobs?.kind !== 'table') throw new Error('expected a table');
    const restarts = jobs.columns.findIndex((c) => c.name === 'restarts');
    expect(jobs.rows[0]?.[2]).toBe('FINISHED');
    expect(jobs.rows[0]?.[restarts]).toBe('1');
  });

  it('without a restart strategy the job fails', async () => {
    const { error, session } = await run({});
    expect(error?.message).toMatch(/simulated crash/);
    expect(session.jobs[0]?.status).toBe('FAILED');
  });
});
