/**
 * Benchmark of the event-time temporal join (not a test), driven directly through the operator:
 *   1. a synthetic stream in arrival order over T = N ms of event time: one order per ms (left rows
 *      [order_id, key, amount, order_time], key uniform over 10,000 keys) and 100 versions per key
 *      (right rows [key, rate, update_time]: version j of key k at j * T/100 + (k * 5) mod (T/100),
 *      i.e. one version every T/1,000,000 ms on average), both with event times up to 2 s behind their
 *      arrival (uniform random out-of-orderness); every 1,000 ms of arrival both watermarks move to
 *      (arrival - 2,000 - 1), so no row is late;
 *   2. the same generation loop without the operator, to show what generating the rows costs;
 *   3. bytes per retained version: a fresh operator is given all 1,000,000 versions with no watermark
 *      (so all are retained); heap used after minus before (global.gc() both times) divided by the
 *      retained versions. This counts everything a version costs: its row array and values, its slot
 *      in the key's version list, and its cleanup timer.
 * Prints joined rows/s (INNER join; output rows / wall time of the operator loop, and / CPU time of the
 * process during that loop, which is the meaningful figure on a shared machine), peak RSS and bytes
 * per retained version.
 *
 * Run: npm exec -- node --expose-gc --single-threaded-gc bench/temporal.ts [left rows, default 5000000]
 * (`--single-threaded-gc` keeps the garbage collector on the main thread, so the CPU-time figure is
 * the work of one core; without it, helper GC threads add their CPU time to the process's.)
 */
import type { Collector, OperatorContext, Row } from '../operators/api.ts';
import { RowKind } from '../operators/api.ts';
import { EventTimeTemporalJoin } from '../operators/temporal/event-time-temporal-join.ts';

const N = Number(process.argv[2] ?? 5_000_000);
const KEYS = 10_000;
const VERSIONS = 100;
const DELAY = 2_000;
const BASE = Date.UTC(2026, 0, 5);
const gc = (globalThis as { gc?: () => void }).gc;

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

function makeJoin(): EventTimeTemporalJoin {
  return new EventTimeTemporalJoin({
    joinType: 'INNER',
    leftKeys: [1],
    rightKeys: [0],
    leftTimeIndex: 3,
    rightTimeIndex: 2,
    leftArity: 4,
    rightArity: 3,
  });
}

/** A small deterministic PRNG (xorshift32), so every run sees the same stream. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/**
 * Versions sorted by their slot in the arrival order: version (k, j) is due at time
 * j * period + (k * 5) % period; it arrives at that time and carries a time up to DELAY earlier.
 */
function versionSchedule(span: number): { keys: Int32Array; js: Int32Array; due: Float64Array } {
  const period = Math.max(1, Math.floor(span / VERSIONS));
  const total = KEYS * VERSIONS;
  const keys = new Int32Array(total);
  const js = new Int32Array(total);
  const due = new Float64Array(total);
  const order = new Int32Array(total);
  for (let i = 0; i < total; i++) {
    const k = i % KEYS;
    const j = Math.floor(i / KEYS);
    keys[i] = k;
    js[i] = j;
    due[i] = j * period + ((k * 5) % period);
    order[i] = i;
  }
  order.sort((a, b) => (due[a] as number) - (due[b] as number));
  const k2 = new Int32Array(total);
  const j2 = new Int32Array(total);
  const d2 = new Float64Array(total);
  for (let i = 0; i < total; i++) {
    const o = order[i] as number;
    k2[i] = keys[o] as number;
    j2[i] = js[o] as number;
    d2[i] = due[o] as number;
  }
  return { keys: k2, js: j2, due: d2 };
}

/** Step 1 (or 2 with `op` null): drives the whole stream; returns the output count. */
function run(op: EventTimeTemporalJoin | null, sched: ReturnType<typeof versionSchedule>): number {
  const out = new CountingCollector();
  op?.open(ctx, out);
  const rand = rng(42);
  const total = sched.keys.length;
  let v = 0;
  let sink = 0;
  for (let a = 0; a < N; a++) {
    while (v < total && (sched.due[v] as number) <= a) {
      const k = sched.keys[v] as number;
      const t = BASE + Math.max(0, a - Math.floor(rand() * DELAY));
      const row: Row = [k, 1 + (sched.js[v] as number) / 100, t];
      if (op) op.process(RowKind.INSERT, row, 1);
      else sink += row.length;
      v++;
    }
    const t = BASE + Math.max(0, a - Math.floor(rand() * DELAY));
    const left: Row = [a, Math.floor(rand() * KEYS), 10 + (a % 90), t];
    if (op) op.process(RowKind.INSERT, left, 0);
    else sink += left.length;
    if (a % 1000 === 999 && op) {
      const wm = BASE + a - DELAY - 1;
      op.processWatermark(wm, 0);
      op.processWatermark(wm, 1);
    }
  }
  if (op) {
    for (const input of [0, 1]) {
      op.processWatermark(Number.POSITIVE_INFINITY, input);
      op.endInput(input);
    }
    return out.n;
  }
  return sink;
}

function retainedVersionBytes(): { bytes: number; versions: number } {
  const sched = versionSchedule(N);
  gc?.();
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const op = makeJoin();
  op.open(ctx, new CountingCollector());
  for (let i = 0; i < sched.keys.length; i++) {
    const row: Row = [
      sched.keys[i] as number,
      1 + (sched.js[i] as number) / 100,
      BASE + (sched.due[i] as number),
    ];
    op.process(RowKind.INSERT, row, 1);
  }
  gc?.();
  gc?.();
  const after = process.memoryUsage().heapUsed;
  const versions = op.retainedVersions();
  // Keep the operator alive until after the measurement.
  if (op.stateSize() < 0) console.log('unreachable');
  return { bytes: (after - before) / versions, versions };
}

if (!gc) console.log('note: run with --expose-gc for the bytes-per-version figure');
const sched = versionSchedule(N);

let t0 = performance.now();
run(null, sched);
const genMs = performance.now() - t0;

const op = makeJoin();
t0 = performance.now();
const cpu0 = process.cpuUsage();
const joined = run(op, sched);
const cpu = process.cpuUsage(cpu0);
const joinMs = performance.now() - t0;
const cpuMs = (cpu.user + cpu.system) / 1000;

console.log(
  `left rows: ${N.toLocaleString('en-US')}, versions: ${(KEYS * VERSIONS).toLocaleString('en-US')} (${KEYS} keys x ${VERSIONS}), out-of-orderness ${DELAY} ms`,
);
console.log(`joined rows: ${joined.toLocaleString('en-US')} in ${(joinMs / 1000).toFixed(2)} s`);
console.log(
  `  ${Math.round(joined / (joinMs / 1000)).toLocaleString('en-US')} joined rows/s (including row generation)`,
);
console.log(
  `  ${Math.round(joined / (cpuMs / 1000)).toLocaleString('en-US')} joined rows per CPU second (${(cpuMs / 1000).toFixed(2)} s of CPU time; the machine is shared, so wall time can be far longer)`,
);
console.log(
  `  generation alone: ${(genMs / 1000).toFixed(2)} s; operator only: ${Math.round(joined / ((joinMs - genMs) / 1000)).toLocaleString('en-US')} joined rows/s`,
);
console.log(`  state after the final watermark: ${op.stateSize()}`);
if (gc) {
  const { bytes, versions } = retainedVersionBytes();
  console.log(
    `bytes per retained version: ${bytes.toFixed(1)} (${versions.toLocaleString('en-US')} versions retained)`,
  );
}
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
