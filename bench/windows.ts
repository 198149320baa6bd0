/**
 * Benchmark: a 1-minute tumbling window count/sum/max per key over generated events, driven directly
 * through WatermarkAssigner -> WindowAggregate (no SQL, no runtime), as issue 5 asks:
 * 10 million events, 100,000 keys, 2 seconds of out-of-orderness, watermark = max ts - 2 s.
 *
 * Run: npm exec -- node bench/windows.ts [events] [keys] [tumble|tvf]
 * (`tvf`: through WindowTableFunction -> WindowAggregate over window columns, as SQL plans it)
 * Prints events/s over the whole run (row generation included), events per CPU-second, and peak RSS.
 */
import type { AggregateFunction, Collector, OperatorContext, Row, RowKind } from '../operators/api.ts';
import { WatermarkAssigner } from '../operators/time/watermark-assigner.ts';
import { WindowAggregate } from '../operators/time/window-aggregate.ts';
import { WindowTableFunction } from '../operators/time/window-table-function.ts';

const EVENTS = Number(process.argv[2] ?? 10_000_000);
const KEYS = Number(process.argv[3] ?? 100_000);
const OUT_OF_ORDER_MS = 2000;
const EVENTS_PER_MS = 16; // ~1M events per minute: each window sees every key ~10 times

// Aggregates written the way built-ins are: immutable number accumulators, no allocation per row.
const count: AggregateFunction<number, number> = {
  create: () => 0,
  accumulate: (a) => a + 1,
  getValue: (a) => a,
};
const sum: AggregateFunction<number, number> = {
  create: () => 0,
  accumulate: (a, v) => a + (v as number),
  getValue: (a) => a,
};
const max: AggregateFunction<number, number> = {
  create: () => Number.NEGATIVE_INFINITY,
  accumulate: (a, v) => Math.max(v as number, a),
  getValue: (a) => a,
};

let windowsOut = 0;
let checksum = 0;
const sink: Collector = {
  push(_kind: RowKind, row: Row) {
    windowsOut++;
    checksum += row[1] as number;
  },
  watermark() {},
  end() {},
};
const ctx: OperatorContext = { jobName: 'bench', operatorId: '0', now: () => 0, count: () => {} };

// Mode `tvf` runs the operators the SQL planner uses for a window TVF aggregation: a
// WindowTableFunction appending window columns, then a WindowAggregate reading them.
const TVF = process.argv[4] === 'tvf';
const aggregates = [
  { create: () => count, args: [] },
  { create: () => sum, args: [2] },
  { create: () => max, args: [2] },
];
const agg = new WindowAggregate(
  TVF
    ? { window: { kind: 'columns', startIndex: 3, endIndex: 4 }, rowtimeIndex: 5, groupKeys: [0], aggregates }
    : { window: { kind: 'tumble', size: 60_000 }, rowtimeIndex: 1, groupKeys: [0], aggregates },
);
agg.open(ctx, sink);
const tvf = new WindowTableFunction({ window: { kind: 'tumble', size: 60_000 }, rowtimeIndex: 1 });
tvf.open(ctx, {
  push: (kind, row) => agg.process(kind, row, 0),
  watermark: (ts) => agg.processWatermark(ts, 0),
  end: () => agg.endInput(0),
});
const head = TVF ? tvf : agg;
const assigner = new WatermarkAssigner({
  rowtimeIndex: 1,
  watermarkOf: (r) => (r[1] as number) - OUT_OF_ORDER_MS - 1,
});
assigner.open(ctx, {
  push: (kind, row) => head.process(kind, row, 0),
  watermark: (ts) => head.processWatermark(ts, 0),
  end: () => head.endInput(0),
});

// A cheap deterministic PRNG (xorshift32) so generation does not dominate the measurement.
let seed = 0x9e3779b9;
function rand(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}

const t0 = 1_700_000_000_000;
let peakState = 0;
let peakHeap = 0;
const started = performance.now();
const cpuStarted = process.cpuUsage();
for (let i = 0; i < EVENTS; i++) {
  const ts = t0 + Math.floor(i / EVENTS_PER_MS) - (rand() % OUT_OF_ORDER_MS);
  assigner.process(0, [rand() % KEYS, ts, rand() % 1000], 0);
  if ((i & 0xfffff) === 0) {
    peakState = Math.max(peakState, agg.stateSize());
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
}
assigner.processWatermark(Number.POSITIVE_INFINITY, 0);
assigner.endInput(0);
const seconds = (performance.now() - started) / 1000;
// The machine is shared: CPU time of this process (all threads, GC included) is the steadier figure.
const cpu = process.cpuUsage(cpuStarted);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;

const rssMb = process.resourceUsage().maxRSS / 1024;
console.log(
  JSON.stringify(
    {
      events: EVENTS,
      keys: KEYS,
      mode: TVF ? 'tvf' : 'tumble',
      seconds: Number(seconds.toFixed(2)),
      eventsPerSecond: Math.round(EVENTS / seconds),
      cpuSeconds: Number(cpuSeconds.toFixed(2)),
      eventsPerCpuSecond: Math.round(EVENTS / cpuSeconds),
      windowResults: windowsOut,
      peakStateEntries: peakState,
      peakRssMb: Math.round(rssMb),
      // Sampled every 2^20 events; RSS is much higher because V8 grows the heap under this allocation rate.
      peakHeapUsedMb: Math.round(peakHeap / 1048576),
      checksumCount: checksum,
      stateAfterEnd: agg.stateSize(),
    },
    null,
    2,
  ),
);
