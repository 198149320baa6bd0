/**
 * Micro-benchmark of the relational operators' hot paths (not a test): pushes N synthetic rows
 * (default 10 million, `node bench/operators.ts 2000000` for fewer) through
 *   1. Calc: a filter (v % 10 != 0) and a 3-column projection;
 *   2. GroupAggregate: 10,000 integer keys, COUNT(*) and SUM(v), emitting -U/+U per row;
 *   3. GroupAggregate: 10,000 string keys, same aggregates; and 10,000 groups over two int columns;
 *   4. Calc -> GroupAggregate chained (filter + projection + aggregation); GroupAggregate with
 *      mini-batch (one update per key per 20,000 rows);
 *   5. Join (INNER, equi): 10,000 dimension rows on the left, then N/10 stream rows on the right, each
 *      matching one left row (a regular join keeps every row of both sides, so N/10 bounds memory).
 * Rows come from a pre-built pool of 1M rows so that generating input is not measured. The output goes
 * to a collector that only counts. Prints rows/s per case (by wall clock and by CPU time) and the
 * process's peak RSS.
 *
 * Run: npm exec -- node bench/operators.ts
 */
import type { AggregateFunction, Collector, Operator, OperatorContext, Row } from '../operators/api.ts';
import { RowKind } from '../operators/api.ts';
import { Calc } from '../operators/relational/calc.ts';
import { GroupAggregate } from '../operators/relational/group-aggregate.ts';
import { Join, JoinType } from '../operators/relational/join.ts';
import { Chain } from '../operators/testing/harness.ts';

const N = Number(process.argv[2] ?? 10_000_000);
const POOL = 1 << 20;
const KEYS = 10_000;

class CountingCollector implements Collector {
  n = 0;
  push(_kind: RowKind, _row: Row): void {
    this.n++;
  }
  watermark(_ts: number): void {}
  end(): void {}
}

const ctx: OperatorContext = {
  jobName: 'bench',
  operatorId: 'bench',
  now: () => Date.now(),
  count: () => {},
};

const count: AggregateFunction<{ n: number }, number> = {
  create: () => ({ n: 0 }),
  accumulate: (a) => {
    a.n++;
    return a;
  },
  retract: (a) => {
    a.n--;
    return a;
  },
  getValue: (a) => a.n,
};
const sum: AggregateFunction<{ s: number }, number> = {
  create: () => ({ s: 0 }),
  accumulate: (a, v) => {
    a.s += v as number;
    return a;
  },
  retract: (a, v) => {
    a.s -= v as number;
    return a;
  },
  getValue: (a) => a.s,
};

function pool(stringKeys: boolean): Row[] {
  const rows: Row[] = new Array(POOL);
  for (let i = 0; i < POOL; i++) {
    const k = (i * 7919) % KEYS;
    rows[i] = [stringKeys ? `key-${k}` : k, i % 1000, i * 0.5, 'payload', k % 100, Math.floor(k / 100)];
  }
  return rows;
}

/** Rows/s by wall clock and by CPU time (user + system of all threads, so GC helpers count too): on a
 * shared machine the CPU figure is the one that does not depend on other processes' load. */
function report(
  name: string,
  n: number,
  wallMs: number,
  cpuMicros: number,
  changes: number,
  state: number,
): void {
  const wall = (n / wallMs) * 1000;
  const cpu = (n / cpuMicros) * 1e6;
  console.log(
    `${name.padEnd(44)} ${(wall / 1e6).toFixed(2).padStart(6)} M rows/s wall, ${(cpu / 1e6).toFixed(2).padStart(6)} M rows/s CPU  (${n.toLocaleString('en')} rows in ${(wallMs / 1000).toFixed(2)} s, ${changes.toLocaleString('en')} changes out, state ${state})`,
  );
}

function cpuMicros(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return u.user + u.system;
}

function run(name: string, op: Operator, rows: Row[]): void {
  const out = new CountingCollector();
  op.open(ctx, out);
  const mask = POOL - 1;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) op.process(RowKind.INSERT, rows[i & mask] as Row, 0);
  const ms = performance.now() - t0;
  const cpu = cpuMicros(c0);
  op.endInput(0);
  report(name, N, ms, cpu, out.n, op.stateSize());
}

const filter = (r: Row) => (r[1] as number) % 10 !== 0;
const project = (r: Row): Row => [r[0], (r[1] as number) + 1, r[2]];
const aggregate = () =>
  new GroupAggregate({
    groupBy: [0],
    aggregates: [
      { create: () => count, args: [] },
      { create: () => sum, args: [1] },
    ],
  });

const intRows = pool(false);
const strRows = pool(true);
run('Calc (filter + projection)', new Calc({ filter, project }), intRows);
run('GroupAggregate 10k int keys COUNT, SUM', aggregate(), intRows);
run('GroupAggregate 10k string keys COUNT, SUM', aggregate(), strRows);
run(
  'GroupAggregate 10k groups of 2 int columns',
  new GroupAggregate({
    groupBy: [4, 5],
    aggregates: [
      { create: () => count, args: [] },
      { create: () => sum, args: [1] },
    ],
  }),
  intRows,
);
run('Calc -> GroupAggregate 10k int keys', new Chain([new Calc({ filter, project }), aggregate()]), intRows);
run(
  'GroupAggregate 10k int keys, mini-batch 20000',
  new GroupAggregate({
    groupBy: [0],
    aggregates: [
      { create: () => count, args: [] },
      { create: () => sum, args: [1] },
    ],
    miniBatch: { size: 20_000, latencyMs: 60_000 },
  }),
  intRows,
);
{
  const join = new Join({ type: JoinType.INNER, leftKeys: [0], rightKeys: [0], leftArity: 2, rightArity: 4 });
  const out = new CountingCollector();
  join.open(ctx, out);
  for (let k = 0; k < KEYS; k++) join.process(RowKind.INSERT, [k, `dim-${k}`], 0);
  const n = Math.floor(N / 10);
  const mask = POOL - 1;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) join.process(RowKind.INSERT, intRows[i & mask] as Row, 1);
  const ms = performance.now() - t0;
  report('Join INNER 10k-row dimension x stream', n, ms, cpuMicros(c0), out.n, join.stateSize());
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
