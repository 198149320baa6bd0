/**
 * `execution.buffer-timeout`: sinks are flushed less often (fewer, larger writes), yet every record
 * arrives, the buffers stay bounded (MAX_UNFLUSHED records), and output never waits while the source
 * has nothing to read.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectorFactory, SinkWriter } from '../../connectors/api.ts';
import { type EmbeddedSourceSpec, embeddedConnector } from '../../connectors/embedded.ts';
import { defaultConnectors } from '../../connectors/index.ts';
import { MAX_UNFLUSHED } from '../../runtime/job.ts';
import { Session } from '../../runtime/session.ts';

/** A sink that counts what it is given and how often it is flushed; `written` counts flushed rows. */
function countingSink() {
  const seen = { rows: 0, flushes: 0, written: 0, maxBuffered: 0 };
  let buffered = 0;
  const factory: ConnectorFactory = {
    identifier: 'counting',
    options: [],
    createSink: (): SinkWriter => ({
      accepts: 'retract',
      async open() {},
      write() {
        seen.rows++;
        buffered++;
        seen.maxBuffered = Math.max(seen.maxBuffered, buffered);
      },
      async flush() {
        seen.flushes++;
        seen.written += buffered;
        buffered = 0;
      },
      async close() {},
    }),
  };
  return { seen, factory };
}

async function run(bufferTimeout: string | null, rows: number) {
  const { seen, factory } = countingSink();
  const connectors = defaultConnectors();
  connectors.register(factory);
  const s = new Session({ connectors });
  if (bufferTimeout !== null) s.options.set('execution.buffer-timeout', bufferTimeout);
  const results = await s.executeScript(`
    CREATE TABLE g (k BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '${rows}',
      'rows-per-second' = '1000000000', 'fields.k.kind' = 'sequence', 'fields.k.start' = '1', 'fields.k.end' = '${rows}');
    CREATE TABLE out (k BIGINT) WITH ('connector' = 'counting');
    INSERT INTO out SELECT k FROM g WHERE k % 2 = 0;`);
  const last = results[results.length - 1];
  if (last?.kind !== 'jobs') throw new Error('expected a job');
  await last.done;
  return seen;
}

describe('execution.buffer-timeout', () => {
  it('without it, sinks are flushed after every source batch', async () => {
    const seen = await run(null, 100_000);
    expect(seen.rows).toBe(50_000);
    expect(seen.written).toBe(50_000);
    expect(seen.flushes).toBeGreaterThanOrEqual(100_000 / 1024);
  });

  it('with it, sinks are flushed far less often, every record still arrives, buffers stay bounded', async () => {
    const seen = await run('1 h', 100_000);
    expect(seen.rows).toBe(50_000);
    expect(seen.written).toBe(50_000);
    // One flush per MAX_UNFLUSHED records read (100,000 / 16,384), plus the end of input.
    expect(seen.flushes).toBeLessThanOrEqual(Math.ceil(100_000 / MAX_UNFLUSHED) + 2);
    expect(seen.maxBuffered).toBeLessThanOrEqual(MAX_UNFLUSHED);
  });

  it('output does not wait for the timeout while the source has nothing to read', async () => {
    const { seen, factory } = countingSink();
    const connectors = defaultConnectors();
    connectors.register(factory);
    const sources = new Map<string, EmbeddedSourceSpec>();
    connectors.register(embeddedConnector(sources, new Map()));
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    async function* rows() {
      for (let i = 0; i < 10; i++) yield [i];
      await gate; // then nothing for as long as the test runs
    }
    const s = new Session({ connectors });
    sources.set('numbers', { rows: rows(), bounded: false });
    s.options.set('execution.buffer-timeout', '1 h');
    const results = await s.executeScript(`
      CREATE TABLE n (k INT) WITH ('connector' = 'embedded', 'name' = 'numbers');
      CREATE TABLE out (k INT) WITH ('connector' = 'counting');
      INSERT INTO out SELECT k FROM n;`);
    const last = results[results.length - 1];
    if (last?.kind !== 'jobs') throw new Error('expected a job');
    const job = last.jobs[0];
    try {
      const deadline = Date.now() + 10_000;
      while (seen.written < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(seen.written).toBe(10);
    } finally {
      job?.cancel();
      release();
      await last.done.catch(() => {});
    }
  });

  it('rejects a value that is not a duration', async () => {
    const s = new Session();
    s.options.set('execution.buffer-timeout', 'soon');
    await expect(
      s.executeScript(`
        CREATE TABLE g (k INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
        CREATE TABLE out (k INT) WITH ('connector' = 'blackhole');
        INSERT INTO out SELECT k FROM g;`),
    ).rejects.toThrow(/invalid duration 'soon'/);
  });
});
