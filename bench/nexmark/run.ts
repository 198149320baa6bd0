/**
 * The Nexmark suite runner (issue 11). Usage:
 *   node bench/nexmark/run.ts [--events N] [--queries q0,q5] [--tps EVENTS_PER_SECOND] [--seed S]
 *
 * Steps:
 *   1. The physical limit: in a child process, a plain JavaScript loop that generates the same N events
 *      with the generator and reads every field (no engine): the ceiling no engine on Node can pass.
 *      Then the same events scanned through the engine (`source`: SELECT of the four columns into a
 *      blackhole), the engine's own floor cost.
 *   2. Each query, in its own child process (so CPU time and peak RSS are the query's alone): the DDL
 *      of bench/nexmark/ddl.sql plus qN.sql, run over the same N events into a blackhole sink; the child
 *      reports wall time, CPU seconds (user + system) and peak RSS (getrusage maxrss).
 *   3. One line per query, greppable and stable:
 *        qN  rivulet=<events/s>  cpu=<s>  peakRSS=<MiB>  perCpuSec=<events per CPU second>  ofLimit=<x>
 *      rivulet= is events per wall-clock second. On a machine shared with other jobs the wall clock
 *      includes time spent waiting for a core, so perCpuSec (events / (user + system CPU seconds)) is
 *      the steadier figure, and ofLimit compares perCpuSec with the same figure of the JS loop.
 *      or, when the query cannot run, `qN  rivulet=unsupported  reason=<the planner's error>`.
 * Event time advances at --tps events per second (default 10,000,000, the Flink Nexmark default), so
 * N / tps seconds of event time are covered. The --vs-flink side-by-side is a separate piece of work.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NexmarkGenerator } from '../../connectors/nexmark.ts';
import type { Value } from '../../operators/api.ts';
import { Session } from '../../runtime/session.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ALL_QUERIES = Array.from({ length: 23 }, (_, i) => `q${i}`);

interface Options {
  events: number;
  queries: string[];
  tps: number;
  seed: number;
  timeoutS: number;
}

function parseArgs(argv: readonly string[]): Options & { child?: string } {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (flag: string, fallback: number): number => {
    const v = get(flag);
    if (v === undefined) return fallback;
    const n = Number(v.replaceAll('_', ''));
    if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number, found '${v}'`);
    return n;
  };
  const queries = (get('--queries') ?? ALL_QUERIES.join(','))
    .split(',')
    .map((q) => q.trim())
    .filter((q) => q !== '');
  for (const q of queries) {
    if (!ALL_QUERIES.includes(q)) throw new Error(`unknown query '${q}' (expected q0..q22)`);
  }
  return {
    events: num('--events', 10_000_000),
    queries,
    tps: num('--tps', 10_000_000),
    seed: num('--seed', 42),
    timeoutS: num('--timeout', 900),
    child: get('--child'),
  };
}

/** The text of a `${NAME}` placeholder in the SQL files. */
const ph = (name: string): string => ['$', '{', name, '}'].join('');

/** The DDL with its placeholders filled in. */
export function nexmarkDdl(events: number, tps: number, seed: number): string {
  return readFileSync(join(HERE, 'ddl.sql'), 'utf8')
    .replaceAll(ph('EVENTS_NUM'), String(events))
    .replaceAll(ph('TPS'), String(tps))
    .replaceAll(ph('SEED'), String(seed));
}

/** The generator through the engine: every event, all columns, into a blackhole (no view, no filter). */
const SOURCE_SQL = `CREATE TABLE all_sink (
  event_type INT,
  person ROW<id BIGINT, name STRING, emailAddress STRING, creditCard STRING, city STRING, state STRING, dateTime TIMESTAMP(3), extra STRING>,
  auction ROW<id BIGINT, itemName STRING, description STRING, initialBid BIGINT, reserve BIGINT, dateTime TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra STRING>,
  bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, dateTime TIMESTAMP(3), extra STRING>
) WITH ('connector' = 'blackhole');
INSERT INTO all_sink SELECT event_type, person, auction, bid FROM nexmark;`;

/** A query file with its placeholders filled in (q13's side input is written on demand). */
export function querySql(name: string): string {
  if (name === 'source') return SOURCE_SQL;
  let sql = readFileSync(join(HERE, `${name}.sql`), 'utf8');
  if (sql.includes(ph('SIDE_INPUT'))) sql = sql.replaceAll(ph('SIDE_INPUT'), sideInputFile());
  return sql;
}

/** q13's bounded side input: keys 0..9999 with a value derived from the key. */
export function sideInputFile(): string {
  const path = join(tmpdir(), 'rivulet-nexmark-side-input.csv');
  const lines: string[] = [];
  for (let k = 0; k < 10_000; k++) lines.push(`${k},side-${k * 7}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

interface Measure {
  secs: number;
  cpu: number;
  rssMiB: number;
  error?: string;
}

function measured(t0: number, cpu0: NodeJS.CpuUsage): Measure {
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { secs, cpu: (cpu.user + cpu.system) / 1e6, rssMiB: process.resourceUsage().maxRSS / 1024 };
}

/** Child: generate and read every field of N events with no engine. */
function limitLoop(o: Options): Measure {
  const gen = new NexmarkGenerator({ eventsNum: o.events, firstEventRate: o.tps, seed: o.seed });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let checksum = 0;
  for (let n = 0; n < o.events; n++) {
    const row = gen.row(n);
    const nested = row[(row[0] as number) + 1] as Value[];
    for (const v of nested) if (v !== null) checksum++;
  }
  if (checksum === 0 && o.events > 0) throw new Error('no fields read');
  return measured(t0, cpu0);
}

/** Child: one query over N events into the blackhole. */
async function runQuery(name: string, o: Options): Promise<Measure> {
  const session = new Session();
  await session.executeScript(nexmarkDdl(o.events, o.tps, o.seed));
  const sql = querySql(name);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  try {
    const results = await session.executeScript(sql);
    const last = results[results.length - 1];
    if (last?.kind !== 'jobs') throw new Error(`${name}.sql must end with an INSERT`);
    await last.done;
    for (const job of last.jobs) if (job.error) throw job.error;
  } catch (e) {
    const code = (e as { code?: string }).code;
    const msg = (e as Error).message.replace(/\s+/g, ' ');
    return { ...measured(t0, cpu0), error: code ? `${code}: ${msg}` : msg };
  }
  return measured(t0, cpu0);
}

function child(what: string, o: Options): Measure {
  const args = [
    fileURLToPath(import.meta.url),
    '--child',
    what,
    '--events',
    String(o.events),
    '--tps',
    String(o.tps),
    '--seed',
    String(o.seed),
  ];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: o.timeoutS * 1000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    const why = r.error
      ? r.error.message
      : r.stderr.trim().split('\n').slice(-3).join(' ') || `exit ${r.status}`;
    return { secs: 0, cpu: 0, rssMiB: 0, error: `child failed: ${why}` };
  }
  return JSON.parse(line) as Measure;
}

const rate = (events: number, secs: number): number => Math.round(events / secs);

async function main(): Promise<void> {
  const o = parseArgs(process.argv);
  if (o.child !== undefined) {
    const m = o.child === 'limit' ? limitLoop(o) : await runQuery(o.child, o);
    console.log(JSON.stringify(m));
    return;
  }
  console.log(
    `# nexmark events=${o.events} tps=${o.tps} seed=${o.seed} node=${process.version} ${new Date().toISOString()}`,
  );
  const limit = child('limit', o);
  if (limit.error) throw new Error(`physical-limit loop failed: ${limit.error}`);
  const limitPerCpu = rate(o.events, limit.cpu);
  console.log(
    `limit  js-loop=${rate(o.events, limit.secs)}  cpu=${limit.cpu.toFixed(2)}  peakRSS=${limit.rssMiB.toFixed(0)}  perCpuSec=${limitPerCpu}  (generator alone: generate + read every field, no engine)`,
  );
  const line = (name: string, m: Measure, note = ''): string => {
    const perCpu = rate(o.events, m.cpu);
    return `${name.padEnd(4)}  rivulet=${rate(o.events, m.secs)}  cpu=${m.cpu.toFixed(2)}  peakRSS=${m.rssMiB.toFixed(0)}  perCpuSec=${perCpu}  ofLimit=${(perCpu / limitPerCpu).toFixed(3)}${note}`;
  };
  const source = child('source', o);
  if (source.error) throw new Error(`source scan failed: ${source.error}`);
  console.log(line('source', source, '  (the nexmark table scanned into a blackhole)'));
  for (const q of o.queries) {
    const m = child(q, o);
    console.log(m.error ? `${q.padEnd(4)}  rivulet=unsupported  reason=${m.error}` : line(q, m));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
