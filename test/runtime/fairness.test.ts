/**
 * Many jobs on one event loop: a busy unbounded job does not starve another (the driver processes
 * bounded batches and yields between them), and a failing job leaves the others running. Checked by
 * counting interleaved batches, never by timing.
 */
import { describe, expect, it } from 'vitest';
import type { ScanSource, SourceBatch } from '../../connectors/api.ts';
import type { Collector, Operator, OperatorContext, Row, RowKind } from '../../operators/api.ts';
import { OperatorNode } from '../../runtime/graph.ts';
import { Job, SinkNode, SourceNode } from '../../runtime/job.ts';
import { Session, type StatementResult } from '../../runtime/session.ts';

/** Appends its name to `log` at every pull; always has a full batch ready (never waits). */
class LoggingSource implements ScanSource {
  readonly bounded: boolean;
  readonly changelogMode = 'insert-only' as const;
  private readonly name: string;
  private readonly log: string[];
  private left: number;
  constructor(name: string, log: string[], batches = Infinity) {
    this.name = name;
    this.log = log;
    this.left = batches;
    this.bounded = Number.isFinite(batches);
  }
  async open(): Promise<void> {}
  async next(maxRows: number): Promise<SourceBatch | null> {
    if (this.left-- <= 0) return null;
    this.log.push(this.name);
    return { rows: Array.from({ length: maxRows }, (_, i) => [i]), kinds: null, split: this.name };
  }
  splits(): readonly string[] {
    return [this.name];
  }
  position(): unknown {
    return null;
  }
  async seek(): Promise<void> {}
  async close(): Promise<void> {}
}

/** CPU work per row, so the busy job really is busy. */
class Spin implements Operator {
  readonly name = 'Spin';
  private out: Collector | null = null;
  open(_ctx: OperatorContext, out: Collector): void {
    this.out = out;
  }
  process(kind: RowKind, row: Row): void {
    let x = row[0] as number;
    for (let i = 0; i < 200; i++) x = (x * 31 + i) % 1_000_003;
    this.out?.push(kind, [x]);
  }
  processWatermark(ts: number): void {
    this.out?.watermark(ts);
  }
  endInput(): void {
    this.out?.end();
  }
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
  stateSize(): number {
    return 0;
  }
  close(): void {}
}

const nullSink = () =>
  new SinkNode('Sink(null)', {
    accepts: 'insert-only',
    async open() {},
    write() {},
    async flush() {},
    async close() {},
  });

function job(name: string, source: ScanSource): Job {
  const src = new SourceNode(name, { id: `1:Source(${name})`, source });
  const op = new OperatorNode(name, '1:Spin', new Spin(), 1);
  const sink = nullSink();
  src.output.add(op.input(0));
  op.output.add(sink);
  return new Job({ name, batchSize: 256 }, [src], [op], [sink]);
}

describe('fairness between jobs of one process', () => {
  it('a busy unbounded job and another job take turns batch by batch', async () => {
    const log: string[] = [];
    const busy = job('busy', new LoggingSource('A', log));
    const other = job('other', new LoggingSource('B', log, 30));
    const busyDone = busy.run();
    await Promise.resolve();
    await other.run();
    const endOfOther = log.lastIndexOf('B');
    const window = log.slice(log.indexOf('B'), endOfOther + 1);
    // While the other job ran, the busy one kept going too...
    expect(window.filter((x) => x === 'A').length).toBeGreaterThanOrEqual(29);
    // ...and never took more than two batches in a row (each job yields after every batch).
    const longestRun = Math.max(
      ...window
        .join('')
        .split('B')
        .map((r) => r.length),
    );
    expect(longestRun).toBeLessThanOrEqual(2);
    expect(other.status).toBe('FINISHED');
    expect(busy.status).toBe('RUNNING');
    busy.cancel();
    await busyDone;
    expect(busy.status).toBe('CANCELED');
  });

  it('a failed job shows its error in SHOW JOBS while the other jobs keep running', async () => {
    const s = new Session();
    const results = await s.executeScript(`
      CREATE TABLE g (x INT) WITH ('connector' = 'datagen', 'rows-per-second' = '1000000000',
        'fields.x.kind' = 'sequence', 'fields.x.start' = '1', 'fields.x.end' = '2000000000');
      CREATE TABLE out1 (x INT) WITH ('connector' = 'blackhole');
      CREATE TABLE out2 (x INT) WITH ('connector' = 'blackhole');
      INSERT INTO out1 SELECT x FROM g;
      INSERT INTO out2 SELECT 10 / (x - 5000) FROM g;`);
    const [ok, bad] = results
      .slice(-2)
      .map((r) => (r as Extract<StatementResult, { kind: 'jobs' }>).jobs[0] as Job);
    const badDone = (results[results.length - 1] as Extract<StatementResult, { kind: 'jobs' }>).done;
    try {
      await expect(badDone).rejects.toThrow(/failed in operator .*Calc/);
      const before = ok?.recordsOut ?? 0;
      while ((ok?.recordsOut ?? 0) <= before) await new Promise((r) => setTimeout(r, 5));
      const shown = (await s.executeScript('SHOW JOBS'))[0] as Extract<StatementResult, { kind: 'table' }>;
      const byId = new Map(shown.rows.map((r) => [r[0], r]));
      const error = shown.columns.findIndex((c) => c.name === 'error');
      expect(byId.get(ok?.id)?.[2]).toBe('RUNNING');
      expect(byId.get(ok?.id)?.[error]).toBeNull();
      expect(byId.get(bad?.id)?.[2]).toBe('FAILED');
      expect(String(byId.get(bad?.id)?.[error])).toMatch(
        /job 'insert-into_out2' failed in operator \d+:Calc .*: .*zero/i,
      );
    } finally {
      ok?.cancel();
    }
  });
});
