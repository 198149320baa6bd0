/**
 * Benchmark: MATCH_RECOGNIZE on streams, driven directly through the MatchRecognize operator (no SQL,
 * no runtime), as issue 7 asks. Two scenarios, rows generated on the fly (generation included):
 *
 * 1. V-shape: PATTERN (STRT DOWN+ UP+) DEFINE DOWN AS price < PREV(price), UP AS price > PREV(price),
 *    ONE ROW PER MATCH with start/bottom/end times, over N ticks (default 10 million) in 1,000
 *    partitions (random-walk prices), increasing rowtime, a watermark every 1,000 ticks.
 * 2. A B* C WITHIN 1 minute with rare C (A 2%, C 0.05%, B otherwise), same partitions and rates:
 *    most attempts time out, so this measures WITHIN pruning and state staying flat.
 *
 * Run: npm exec -- node bench/match.ts [ticks] [scenario: v|abc|both]
 * Env knobs: PARTITIONS (default 1000), WATERMARK_EVERY (ticks between watermarks, default 1000 =
 * one row per partition per watermark, the cache-unfriendly extreme; Flink's 200 ms periodic
 * watermarks at 1M events/s would be 200,000).
 * Prints events/s (wall clock) and CPU seconds, matches/s, peak RSS, and state size / heap at each
 * quarter (flat = no growth). On a shared machine, events per CPU-second is the steadier figure.
 */
import type { Collector, OperatorContext, Row, RowKind } from '../operators/api.ts';
import { MatchRecognize } from '../operators/match/operator.ts';
import { type MatchContext, type MatchSpec, Pattern as P, type RowRef } from '../operators/match/spec.ts';

const TICKS = Number(process.argv[2] ?? 10_000_000);
const SCENARIO = process.argv[3] ?? 'both';
const PARTITIONS = Number(process.env.PARTITIONS ?? 1000);
const WATERMARK_EVERY = Number(process.env.WATERMARK_EVERY ?? 1000);
const MS_PER_TICK = 1; // 1,000 ticks per second overall: one tick per partition per second

// rows: [partition, price, rowtime, kind]
const price = (c: MatchContext, r: RowRef | null) => (r === null ? null : (c.get(r, 1) as number));
const kind = (c: MatchContext) => c.get(c.current(), 3) as number;

const vShape: MatchSpec = {
  pattern: P.concat(P.v('STRT'), P.plus(P.v('DOWN')), P.plus(P.v('UP'))),
  variables: [
    { name: 'STRT', define: null },
    {
      name: 'DOWN',
      define: (c) => {
        const cur = c.current();
        const prev = price(c, c.physical(cur, -1));
        return prev !== null && price(c, cur)! < prev;
      },
    },
    {
      name: 'UP',
      define: (c) => {
        const cur = c.current();
        const prev = price(c, c.physical(cur, -1));
        return prev !== null && price(c, cur)! > prev;
      },
    },
  ],
  subsets: [],
  measures: [
    { name: 'start_ts', fn: (c) => c.get(c.nav(0, 'FIRST', 0), 2) },
    { name: 'bottom_ts', fn: (c) => c.get(c.nav(1, 'LAST', 0), 2) },
    { name: 'end_ts', fn: (c) => c.get(c.nav(2, 'LAST', 0), 2) },
  ],
  partitionBy: [0],
  order: { kind: 'rowtime', rowtime: (r) => r[2] as number },
  rowsPerMatch: 'ONE',
  afterMatchSkip: { kind: 'PAST_LAST_ROW' },
  maxLookback: 1,
  maxLookahead: 0,
};

const abc: MatchSpec = {
  pattern: P.concat(P.v('A'), P.star(P.v('B')), P.v('C')),
  variables: [
    { name: 'A', define: (c) => kind(c) === 0 },
    { name: 'B', define: (c) => kind(c) === 1 },
    { name: 'C', define: (c) => kind(c) === 2 },
  ],
  subsets: [],
  measures: [
    { name: 'first_ts', fn: (c) => c.get(c.nav(null, 'FIRST', 0), 2) },
    { name: 'bs', fn: (c) => c.count(1) },
  ],
  partitionBy: [0],
  order: { kind: 'rowtime', rowtime: (r) => r[2] as number },
  rowsPerMatch: 'ONE',
  afterMatchSkip: { kind: 'PAST_LAST_ROW' },
  withinMs: 60_000,
  maxLookback: 0,
  maxLookahead: 0,
};

function run(name: string, spec: MatchSpec, ticks: number): void {
  let matches = 0;
  let checksum = 0;
  const sink: Collector = {
    push(_kind: RowKind, row: Row) {
      matches++;
      checksum += row[1] as number;
    },
    watermark() {},
    end() {},
  };
  const ctx: OperatorContext = { jobName: 'bench', operatorId: '0', now: () => 0, count: () => {} };
  const op = new MatchRecognize(spec);
  op.open(ctx, sink);

  // xorshift32: an LCG sampled with a stride (one partition in 1,000) is far from random.
  let seed = 12345;
  const rand = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed / 4294967296;
  };
  const prices = new Float64Array(PARTITIONS).fill(100);
  const quarters: string[] = [];
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < ticks; i++) {
    const p = i % PARTITIONS;
    const ts = i * MS_PER_TICK;
    const r = rand();
    let row: Row;
    if (spec === vShape) {
      const next = prices[p]! + (r < 0.5 ? -1 : 1) * Math.floor(1 + rand() * 10);
      prices[p] = next;
      row = [p, next, ts, 0];
    } else {
      row = [p, 0, ts, r < 0.02 ? 0 : r < 0.0205 ? 2 : 1];
    }
    op.process(0, row, 0);
    if (i % WATERMARK_EVERY === WATERMARK_EVERY - 1) op.processWatermark(ts, 0);
    if ((i + 1) % Math.floor(ticks / 4) === 0)
      quarters.push(
        `${Math.round(((i + 1) / ticks) * 100)}%: state ${op.stateSize()}, heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB`,
      );
  }
  op.processWatermark(Number.POSITIVE_INFINITY, 0);
  op.endInput(0);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  console.log(
    `${name}: ${ticks.toLocaleString()} events in ${secs.toFixed(2)} s (CPU ${cpuSecs.toFixed(2)} s)`,
  );
  console.log(
    `  ${Math.round(ticks / secs).toLocaleString()} events/s, ${Math.round(matches / secs).toLocaleString()} matches/s (${matches.toLocaleString()} matches, checksum ${checksum})`,
  );
  console.log(`  ${quarters.join('; ')}`);
  console.log(
    `  peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB; final state ${op.stateSize()}`,
  );
}

if (SCENARIO === 'v' || SCENARIO === 'both') run('V-shape START DOWN+ UP+', vShape, TICKS);
if (SCENARIO === 'abc' || SCENARIO === 'both') run('A B* C WITHIN 1 minute, rare C', abc, TICKS);
