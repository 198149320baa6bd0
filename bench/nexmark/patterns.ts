/**
 * The pattern and temporal-join scenarios of the side-by-side run (`--vs-flink`), as SQL that both
 * Rivulet and Flink run unchanged over the same CSV files:
 *
 *   vshape    MATCH_RECOGNIZE V-shape over N ticks (1,000 symbols, a seeded random walk of prices,
 *             one tick per millisecond overall): PATTERN (STRT DOWN+ UP), a fall of one or more ticks
 *             then a rise, with DEFINE written as Flink's documentation writes it (LAST(DOWN.price, 1)
 *             for the previous tick: Flink 1.20 refuses PREV(DOWN.price) with "Flink does not support
 *             physical offsets within partition"). It ends at the first rise because Flink refuses a
 *             greedy quantifier as a pattern's last element (`UP+`), which bench/match.ts uses.
 *   temporal  the orders/rates event-time temporal join: N orders (one per millisecond, currency
 *             uniform over 1,000 keys) joined FOR SYSTEM_TIME AS OF order_time with a versioned rates
 *             table (100 versions per currency spread over the same span; PRIMARY KEY and watermark).
 *
 * Steps: `scenarioData` writes the files once per (N, seed) into the cache, in event-time order, with
 * a generator that depends only on the seed; `scenarioSql` gives the script over them; the events
 * counted for events/s are every input row (ticks; orders plus rate versions).
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SCENARIOS = ['vshape', 'temporal'] as const;
export type Scenario = (typeof SCENARIOS)[number];

const SYMBOLS = 1000;
const CURRENCIES = 1000;
const VERSIONS = 100;
const BASE = Date.UTC(2026, 0, 5);

/** mulberry32: a small seeded PRNG (the data depend only on the seed). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A TIMESTAMP(3) as CSV text: `yyyy-MM-dd HH:mm:ss.SSS` (what both engines' CSV readers take). */
export function csvTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** Writes lines to `file` in chunks (the files are large). */
function writeLines(file: string, n: number, line: (i: number) => string): void {
  const chunk: string[] = [];
  let first = true;
  for (let i = 0; i < n; i++) {
    chunk.push(line(i));
    if (chunk.length === 100_000 || i === n - 1) {
      writeFileSync(file, `${chunk.join('\n')}\n`, { flag: first ? 'w' : 'a' });
      first = false;
      chunk.length = 0;
    }
  }
  if (n === 0) writeFileSync(file, '');
}

/** The data of a scenario: directories by table name, and the number of input rows. */
export interface ScenarioData {
  readonly dirs: Record<string, string>;
  readonly events: number;
}

export function scenarioData(s: Scenario, n: number, seed: number, root: string): ScenarioData {
  const dir = join(root, `${s}-${n}-${seed}`);
  const tables = s === 'vshape' ? ['ticks'] : ['orders', 'rates'];
  const dirs = Object.fromEntries(tables.map((t) => [t, join(dir, t)]));
  const events = s === 'vshape' ? n : n + CURRENCIES * VERSIONS;
  if (existsSync(dir)) return { dirs, events };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const rnd = prng(seed);
  if (s === 'vshape') {
    mkdirSync(join(tmp, 'ticks'), { recursive: true });
    const price = new Float64Array(SYMBOLS).fill(1000);
    writeLines(join(tmp, 'ticks', 'part-0.csv'), n, (i) => {
      const sym = Math.floor(rnd() * SYMBOLS);
      const step = Math.floor(rnd() * 11) - 5;
      price[sym] = Math.max(1, (price[sym] as number) + step);
      return `${sym},${price[sym]},${csvTimestamp(BASE + i)}`;
    });
  } else {
    mkdirSync(join(tmp, 'orders'), { recursive: true });
    mkdirSync(join(tmp, 'rates'), { recursive: true });
    writeLines(join(tmp, 'orders', 'part-0.csv'), n, (i) => {
      const cur = Math.floor(rnd() * CURRENCIES);
      const amount = 1 + Math.floor(rnd() * 1000);
      return `${i},C${cur},${amount},${csvTimestamp(BASE + i)}`;
    });
    // Version j of every currency at j * span / VERSIONS (plus a per-currency offset), in time order;
    // version 0 precedes every order, so every order finds a rate.
    const span = Math.max(1, n);
    const step = span / VERSIONS;
    writeLines(join(tmp, 'rates', 'part-0.csv'), CURRENCIES * VERSIONS, (i) => {
      const j = Math.floor(i / CURRENCIES);
      const cur = i % CURRENCIES;
      const at = j === 0 ? BASE - 1000 : BASE + Math.floor(j * step + (cur * step) / CURRENCIES);
      return `C${cur},${90 + Math.floor(rnd() * 20)},${csvTimestamp(at)}`;
    });
  }
  renameSync(tmp, dir);
  return { dirs, events };
}

/** The script of a scenario over its files (the same text for both engines). */
export function scenarioSql(s: Scenario, d: ScenarioData): string {
  const file = (t: string) => `'connector' = 'filesystem', 'path' = '${d.dirs[t]}', 'format' = 'csv'`;
  if (s === 'vshape') {
    return `CREATE TABLE ticks (
  symbol INT, price BIGINT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (${file('ticks')});
CREATE TABLE discard_sink (symbol INT, start_ts TIMESTAMP(3), bottom_ts TIMESTAMP(3), end_ts TIMESTAMP(3))
WITH ('connector' = 'blackhole');
INSERT INTO discard_sink
SELECT symbol, start_ts, bottom_ts, end_ts
FROM ticks
MATCH_RECOGNIZE (
  PARTITION BY symbol
  ORDER BY ts
  MEASURES STRT.ts AS start_ts, LAST(DOWN.ts) AS bottom_ts, UP.ts AS end_ts
  ONE ROW PER MATCH
  AFTER MATCH SKIP PAST LAST ROW
  PATTERN (STRT DOWN+ UP)
  DEFINE
    DOWN AS (LAST(DOWN.price, 1) IS NULL AND DOWN.price < STRT.price) OR DOWN.price < LAST(DOWN.price, 1),
    UP AS UP.price > LAST(DOWN.price, 1)
) AS T;
`;
  }
  return `CREATE TABLE orders (
  order_id BIGINT, currency STRING, amount BIGINT, order_time TIMESTAMP(3),
  WATERMARK FOR order_time AS order_time - INTERVAL '1' SECOND
) WITH (${file('orders')});
CREATE TABLE rates (
  currency STRING, rate BIGINT, update_time TIMESTAMP(3),
  WATERMARK FOR update_time AS update_time - INTERVAL '1' SECOND,
  PRIMARY KEY (currency) NOT ENFORCED
) WITH (${file('rates')});
CREATE TABLE discard_sink (order_id BIGINT, currency STRING, amount BIGINT, converted BIGINT, order_time TIMESTAMP(3))
WITH ('connector' = 'blackhole');
INSERT INTO discard_sink
SELECT o.order_id, o.currency, o.amount, o.amount * r.rate, o.order_time
FROM orders AS o
JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r
ON o.currency = r.currency;
`;
}
