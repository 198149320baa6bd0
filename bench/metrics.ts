/**
 * Cost of the runtime metrics (runtime/metrics): the same queries run on this checkout and on a tree
 * without metrics given as an argument, alternating, and the median rows/s of each is printed.
 *   1. filter + projection (cheap operators: the per-batch bookkeeping and row sampling weigh most);
 *   2. filter + projection + GROUP BY over 10,000 keys;
 *   3. a tumbling-window aggregation with an event-time watermark (watermarks are timed exactly).
 * With --micro instead: the cheapest possible pipeline (prebuilt 1024-row batches through two trivial
 * Calcs into a no-op sink, no connector, no planner), where the per-row hooks weigh most.
 * Usage: npm run bench:metrics -- --base DIR [--rows N] [--runs N] [--micro]
 * (DIR: a checkout without metrics, e.g. `git archive <commit> | tar -x -C DIR` plus a node_modules link).
 */
import { resolve } from 'node:path';

const flag = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] as string) : fallback;
};
const ROWS = Number(flag('--rows', '2000000'));
const RUNS = Number(flag('--runs', '5'));
const base = flag('--base', '');
if (base === '') throw new Error('--base DIR is required (a checkout without runtime metrics)');

const DDL = `
CREATE TABLE events (id BIGINT, k INT, price DOUBLE, qty INT,
  ts AS TIMESTAMPADD(SECOND, CAST(id AS INT), TIMESTAMP '2024-01-01 00:00:00'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (
  'connector' = 'datagen', 'number-of-rows' = '${ROWS}', 'rows-per-second' = '1000000000', 'seed' = '1',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '${ROWS}',
  'fields.k.min' = '0', 'fields.k.max' = '9999', 'fields.price.min' = '0', 'fields.price.max' = '100',
  'fields.qty.min' = '1', 'fields.qty.max' = '10');
CREATE TABLE sink2 (a BIGINT, b DOUBLE) WITH ('connector' = 'blackhole');
CREATE TABLE sink4 (k INT, n BIGINT, s DOUBLE, m INT) WITH ('connector' = 'blackhole');
CREATE TABLE sinkW (w TIMESTAMP(3), k INT, n BIGINT) WITH ('connector' = 'blackhole');`;

const QUERIES: [string, string][] = [
  ['filter + projection', 'INSERT INTO sink2 SELECT id * 2, price * qty FROM events WHERE qty > 2'],
  [
    'filter + projection + GROUP BY 10k keys',
    'INSERT INTO sink4 SELECT k, COUNT(*), SUM(price * qty), MAX(qty) FROM events WHERE qty > 1 GROUP BY k',
  ],
  [
    'tumbling window (10 s) by k % 100',
    `INSERT INTO sinkW SELECT window_start, k % 100, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
     GROUP BY window_start, window_end, k % 100`,
  ],
];

interface SessionLike {
  executeScript(sql: string): Promise<{ kind: string; done?: Promise<void> }[]>;
}
type SessionCtor = new () => SessionLike;

async function rate(Session: SessionCtor, insert: string): Promise<number> {
  const s = new Session();
  await s.executeScript(DDL);
  // CPU time of the process rather than wall time: on a shared machine it varies less.
  const c0 = process.cpuUsage();
  const [r] = await s.executeScript(insert);
  await r?.done;
  const c = process.cpuUsage(c0);
  return ROWS / ((c.user + c.system) / 1e6);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface GraphModules {
  // biome-ignore lint/suspicious/noExplicitAny: two copies of the runtime, loaded by path
  [name: string]: any;
}

async function graphModules(root: string): Promise<GraphModules> {
  return {
    ...(await import(resolve(root, 'runtime/job.ts'))),
    ...(await import(resolve(root, 'runtime/graph.ts'))),
    ...(await import(resolve(root, 'operators/relational/calc.ts'))),
  };
}

/** Rows per CPU second through source -> Calc (filter) -> Calc (projection) -> no-op sink. */
function micro(m: GraphModules, batches: number): number {
  const rows = Array.from({ length: 1024 }, (_, i) => [i, i * 2.5, i % 10]);
  const batch = { rows, kinds: null, split: 's' };
  const source = { bounded: true, changelogMode: 'insert-only', splits: () => ['s'] };
  const src = new m.SourceNode('j', { id: '1:S', source });
  const c1 = new m.OperatorNode(
    'j',
    '1:Calc',
    new m.Calc({ filter: (r: number[]) => (r[2] as number) > 1 }),
    1,
  );
  const c2 = new m.OperatorNode(
    'j',
    '2:Calc',
    new m.Calc({ project: (r: number[]) => [(r[0] as number) * 2, (r[1] as number) + 1] }),
    1,
  );
  const writer = { accepts: 'insert-only', write() {}, async open() {}, async flush() {}, async close() {} };
  const sink = new m.SinkNode('Sink', writer);
  src.output.add(c1.input(0));
  c1.output.add(c2.input(0));
  c2.output.add(sink);
  const job = new m.Job({ name: 'j' }, [src], [c1, c2], [sink]);
  c1.open(() => 0);
  c2.open(() => 0);
  const c0 = process.cpuUsage();
  for (let b = 0; b < batches; b++) {
    // The driver's per-batch hooks, where the runtime has them.
    const t = job.metrics?.mark() ?? 0;
    src.process(batch, 0);
    job.metrics?.processed(src, t);
  }
  const c = process.cpuUsage(c0);
  return (batches * 1024) / ((c.user + c.system) / 1e6);
}

if (process.argv.includes('--micro')) {
  const a = await graphModules('.');
  const b = await graphModules(base);
  const batches = Math.max(1, Math.round(ROWS / 1024));
  micro(a, batches);
  micro(b, batches);
  const with_: number[] = [];
  const without_: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    without_.push(micro(b, batches));
    with_.push(micro(a, batches));
  }
  const ma = median(with_);
  const mb = median(without_);
  console.log(
    `micro pipeline (2 Calcs, no-op sink), ${(batches * 1024).toLocaleString('en-US')} rows, median of ${RUNS}: without ${(mb / 1e6).toFixed(2)} M rows/s   with ${(ma / 1e6).toFixed(2)} M rows/s   cost ${(((mb - ma) / mb) * 100).toFixed(1)}%`,
  );
  process.exit(0);
}

const withMetrics = (await import('../runtime/session.ts')).Session as unknown as SessionCtor;
const without = (await import(resolve(base, 'runtime/session.ts'))).Session as SessionCtor;
console.log(
  `${ROWS.toLocaleString('en-US')} rows, median of ${RUNS} runs each, alternating; rows per CPU second`,
);
for (const [label, sql] of QUERIES) {
  await rate(withMetrics, sql); // warm-up
  await rate(without, sql);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    b.push(await rate(without, sql));
    a.push(await rate(withMetrics, sql));
  }
  const ma = median(a);
  const mb = median(b);
  console.log(
    `${label.padEnd(42)} without ${(mb / 1e6).toFixed(3)} M rows/s   with ${(ma / 1e6).toFixed(3)} M rows/s   cost ${(((mb - ma) / mb) * 100).toFixed(1)}%`,
  );
}
