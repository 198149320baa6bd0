/**
 * End-to-end engine benchmark (issue 4): SQL through the planner, compiled expressions and operators,
 * from the datagen connector into a blackhole sink, on one event loop.
 *   1. the generator alone (SELECT * into blackhole): the ceiling the other lines are measured against;
 *   2. filter + projection;
 *   3. filter + projection + GROUP BY over 10,000 keys, without and with mini-batch
 *      (`table.exec.mini-batch.*`: one update per key per 20,000 rows instead of one per row).
 * Also: compiled expressions vs a straightforward tree-walking interpreter on the same projection and
 * filter. Prints rows/s and peak RSS per line. Usage: npm run bench -- [--rows N]
 */
import { T } from '../catalog/types.ts';
import type { Row, Value } from '../operators/api.ts';
import { compilePredicate, compileProjection } from '../planner/compile.ts';
import type { BoundExpr } from '../planner/expr.ts';
import { Session } from '../runtime/session.ts';

const arg = process.argv.indexOf('--rows');
const ROWS = arg >= 0 ? Number(process.argv[arg + 1]) : 10_000_000;

const DDL = `
CREATE TABLE events (id BIGINT, k INT, price DOUBLE, qty INT) WITH (
  'connector' = 'datagen', 'number-of-rows' = '${ROWS}', 'rows-per-second' = '1000000000', 'seed' = '1',
  'fields.k.min' = '0', 'fields.k.max' = '9999', 'fields.price.min' = '0', 'fields.price.max' = '100',
  'fields.qty.min' = '1', 'fields.qty.max' = '10');
CREATE TABLE sink2 (a BIGINT, b DOUBLE) WITH ('connector' = 'blackhole');
CREATE TABLE sink4 (k INT, n BIGINT, s DOUBLE, m INT) WITH ('connector' = 'blackhole');
CREATE TABLE sinkAll (id BIGINT, k INT, price DOUBLE, qty INT) WITH ('connector' = 'blackhole');`;

async function run(label: string, insert: string): Promise<void> {
  const session = new Session();
  await session.executeScript(DDL);
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const t0 = performance.now();
  const results = await session.executeScript(insert);
  const r = results[results.length - 1];
  if (r?.kind !== 'jobs') throw new Error('expected a job');
  await r.done;
  const secs = (performance.now() - t0) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(
    `${label.padEnd(44)} ${(ROWS / secs / 1e6).toFixed(2)} M rows/s  (${secs.toFixed(2)} s, peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB)`,
  );
}

/** The baseline the compiler is compared with: evaluate the bound tree per row. */
function interpret(e: BoundExpr, row: Row): Value {
  switch (e.kind) {
    case 'input':
      return row[e.index];
    case 'literal':
      return e.value;
    case 'call': {
      const args = e.args.map((a) => interpret(a, row));
      if (e.fn.nullOnNullInput && args.includes(null)) return null;
      return e.fn.impl(...args);
    }
    case 'and': {
      let out: Value = true;
      for (const a of e.args) {
        const v = interpret(a, row);
        if (v === false) return false;
        if (v === null) out = null;
      }
      return out;
    }
    default:
      throw new Error(`interpreter: ${e.kind} not needed here`);
  }
}

async function compiledVsInterpreted(): Promise<void> {
  const session = new Session();
  await session.executeScript(
    "CREATE TABLE t (id BIGINT, k INT, price DOUBLE, qty INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1')",
  );
  const { rel } = session
    .binder()
    .bindQuery(
      (await import('../parser/index.ts')).parse(
        'SELECT id, price * qty AS total, k + 1 AS k1 FROM t WHERE price > 50 AND qty < 8',
      )[0] as never,
    );
  if (rel.kind !== 'project' || rel.input.kind !== 'filter') throw new Error('unexpected plan');
  const exprs = rel.exprs;
  const cond = rel.input.condition;
  const rows: Row[] = [];
  for (let i = 0; i < 1_000_000; i++) rows.push([BigInt(i), i % 10000, (i * 7919) % 100, 1 + (i % 10)]);
  const project = compileProjection(exprs);
  const filter = compilePredicate(cond);
  const time = (f: () => number): number => {
    f();
    const t0 = performance.now();
    let n = 0;
    for (let rep = 0; rep < 5; rep++) n += f();
    return (5 * rows.length) / ((performance.now() - t0) / 1000) + n * 0;
  };
  const compiled = time(() => {
    let n = 0;
    for (const r of rows) if (filter(r)) n += project(r).length;
    return n;
  });
  const interpreted = time(() => {
    let n = 0;
    for (const r of rows) if (interpret(cond, r) === true) n += exprs.map((e) => interpret(e, r)).length;
    return n;
  });
  console.log(
    `${'expressions: compiled'.padEnd(44)} ${(compiled / 1e6).toFixed(2)} M rows/s\n${'expressions: interpreted'.padEnd(44)} ${(interpreted / 1e6).toFixed(2)} M rows/s  ratio compiled/interpreted = ${(compiled / interpreted).toFixed(1)}x`,
  );
  void T;
}

console.log(
  `Rivulet engine benchmark: ${ROWS.toLocaleString('en')} datagen rows, Node ${process.version}, one event loop`,
);
await run('generator only (SELECT * -> blackhole)', 'INSERT INTO sinkAll SELECT * FROM events');
await run('filter + projection', 'INSERT INTO sink2 SELECT id, price * qty FROM events WHERE price > 50');
await run(
  'filter + projection + GROUP BY 10,000 keys',
  'INSERT INTO sink4 SELECT k, COUNT(*), SUM(price * qty), MAX(qty) FROM events WHERE price > 10 GROUP BY k',
);
await run(
  'same GROUP BY with mini-batch (size 20000)',
  `SET 'table.exec.mini-batch.enabled' = 'true'; SET 'table.exec.mini-batch.allow-latency' = '1 s';
   SET 'table.exec.mini-batch.size' = '20000';
   INSERT INTO sink4 SELECT k, COUNT(*), SUM(price * qty), MAX(qty) FROM events WHERE price > 10 GROUP BY k`,
);
await compiledVsInterpreted();
