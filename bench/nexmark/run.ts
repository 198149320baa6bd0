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
 * N / tps seconds of event time are covered.
 *
 * With --vs-flink (side by side with Apache Flink, see bench/flink/flink.ts and docs/benchmarks.md):
 *   1. The generator's N events (and a smaller warm-up set, --warmup, default N / 5 but at least
 *      200,000) are written once through Rivulet's CSV encoder to a cached directory; both engines
 *      read those same bytes with the same DDL (ddl-file.sql), so both pay for CSV parsing and
 *      neither gets a cheaper source. Flink's own Nexmark generator is not on Maven Central.
 *   2. The physical limit is then a plain JavaScript loop that reads the same file and splits every
 *      record into its fields (no engine).
 *   3. Per query, Rivulet (a child process) and Flink (a JVM, FlinkSqlRunner.java, parallelism 1) each
 *      run the query over the warm-up set, then over the N events, measured: wall clock (Rivulet: from
 *      planning to end of job; Flink: the job's net runtime, without MiniCluster start and planning),
 *      CPU seconds and peak RSS. Lines as in side-by-side.ts, then the geometric mean.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NexmarkGenerator } from '../../connectors/nexmark.ts';
import type { Value } from '../../operators/api.ts';
import { Session } from '../../runtime/session.ts';
import { ensureFlink, FLINK_VERSION, javaVersion, runFlink } from '../flink/flink.ts';
import { SCENARIOS, type Scenario, scenarioData, scenarioSql } from './patterns.ts';
import {
  type EngineResult,
  formatDetail,
  formatGeomean,
  formatLine,
  type SideBySide,
} from './side-by-side.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ALL_QUERIES = Array.from({ length: 23 }, (_, i) => `q${i}`);

interface Options {
  events: number;
  queries: string[];
  tps: number;
  seed: number;
  timeoutS: number;
  vsFlink: boolean;
  warmup: number;
}

type ChildOptions = Options & {
  child?: string;
  data?: string;
  warmupData?: string;
  sql?: string;
  warmupSql?: string;
};

function parseArgs(argv: readonly string[]): ChildOptions {
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
  const queries = (get('--queries') ?? [...ALL_QUERIES, ...SCENARIOS].join(','))
    .split(',')
    .map((q) => q.trim())
    .filter((q) => q !== '');
  for (const q of queries) {
    if (!ALL_QUERIES.includes(q) && !(SCENARIOS as readonly string[]).includes(q))
      throw new Error(`unknown query '${q}' (expected q0..q22, ${SCENARIOS.join(', ')})`);
  }
  const events = num('--events', 10_000_000);
  return {
    events,
    vsFlink: argv.includes('--vs-flink'),
    warmup: num('--warmup', Math.min(events, Math.max(200_000, Math.round(events / 5)))),
    data: get('--data'),
    warmupData: get('--warmup-data'),
    sql: get('--sql'),
    warmupSql: get('--warmup-sql'),
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

/** The file DDL (ddl-file.sql) over the events written to `dir`. */
export function fileDdl(dir: string): string {
  return readFileSync(join(HERE, 'ddl-file.sql'), 'utf8').replaceAll(ph('DATA_PATH'), dir);
}

/** The flat columns of ddl-file.sql, in order, as read from the generator's nested rows. */
const FLAT_COLUMNS = [
  'event_type',
  ...['id', 'name', 'emailAddress', 'creditCard', 'city', 'state', 'dateTime', 'extra'].map(
    (c) => `person.${c}`,
  ),
  ...[
    'id',
    'itemName',
    'description',
    'initialBid',
    'reserve',
    'dateTime',
    'expires',
    'seller',
    'category',
    'extra',
  ].map((c) => `auction.${c}`),
  ...['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra'].map((c) => `bid.${c}`),
];

/**
 * Writes the generator's events once to a cached directory (through Rivulet's CSV encoder, as the
 * physical columns of ddl-file.sql) and returns it. A finished directory is renamed into place, so a
 * run cut short never leaves a partial file that a later run would take for complete.
 */
export async function eventsFile(
  events: number,
  tps: number,
  seed: number,
  root = join(HERE, '..', 'flink', '.cache', 'data'),
): Promise<string> {
  const dir = join(root, `nexmark-${events}-${tps}-${seed}`);
  if (existsSync(dir)) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const physical = readFileSync(join(HERE, 'ddl-file.sql'), 'utf8');
  const columns = /CREATE TABLE nexmark \(([\s\S]*?)dateTime AS/.exec(physical)?.[1];
  if (!columns) throw new Error('ddl-file.sql: cannot find the physical columns of nexmark');
  const session = new Session();
  await session.executeScript(nexmarkDdl(events, tps, seed));
  const results = await session.executeScript(`CREATE TABLE nexmark_file (${columns.trim().replace(/,$/, '')})
WITH ('connector' = 'filesystem', 'path' = '${tmp}', 'format' = 'csv', 'csv.null-literal' = '\\N');
INSERT INTO nexmark_file SELECT ${FLAT_COLUMNS.join(', ')} FROM nexmark;`);
  const last = results[results.length - 1];
  if (last?.kind !== 'jobs') throw new Error('writing the events file: no job');
  await last.done;
  for (const job of last.jobs) if (job.error) throw job.error;
  renameSync(tmp, dir);
  return dir;
}

/** Child: read every record of the events file and split it into fields, with no engine. */
function fileLimitLoop(dir: string): Measure {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let fields = 0;
  let records = 0;
  const buf = Buffer.allocUnsafe(1 << 20);
  for (const name of readdirSync(dir).filter((n) => !n.startsWith('.') && !n.startsWith('_'))) {
    const fd = openSync(join(dir, name), 'r');
    let rest = '';
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const text = rest + buf.toString('utf8', 0, n);
      let start = 0;
      for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
        const line = text.slice(start, nl);
        // Split at commas outside double quotes, as a CSV reader must.
        let quoted = false;
        let from = 0;
        for (let k = 0; k < line.length; k++) {
          const c = line.charCodeAt(k);
          if (c === 34) quoted = !quoted;
          else if (c === 44 && !quoted) {
            if (line.slice(from, k) !== '\\N') fields++;
            from = k + 1;
          }
        }
        if (line.slice(from) !== '\\N') fields++;
        records++;
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    closeSync(fd);
  }
  if (records === 0 || fields === 0) throw new Error(`no records read from ${dir}`);
  return measured(t0, cpu0);
}

/** Runs one query script to its end; returns the error text when the engine refuses or fails it. */
async function runScript(ddl: string, sql: string): Promise<string | undefined> {
  const session = new Session();
  try {
    await session.executeScript(ddl);
    const results = await session.executeScript(sql);
    const last = results[results.length - 1];
    if (last?.kind !== 'jobs') throw new Error('the query file must end with an INSERT');
    await last.done;
    for (const job of last.jobs) if (job.error) throw job.error;
  } catch (e) {
    const code = (e as { code?: string }).code;
    const msg = (e as Error).message.replace(/\s+/g, ' ');
    return code ? `${code}: ${msg}` : msg;
  }
  return undefined;
}

/**
 * Child: one query over N events into the blackhole (from the generator, or from the events file
 * after a warm-up run over the warm-up file). Planning is inside the measured span.
 */
async function runQuery(name: string, o: Options & { data?: string; warmupData?: string }): Promise<Measure> {
  const sql = querySql(name);
  if (o.warmupData !== undefined) {
    const error = await runScript(fileDdl(o.warmupData), sql);
    if (error) return { secs: 0, cpu: 0, rssMiB: 0, error };
  }
  const ddl = o.data !== undefined ? fileDdl(o.data) : nexmarkDdl(o.events, o.tps, o.seed);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const error = await runScript(ddl, sql);
  return error ? { ...measured(t0, cpu0), error } : measured(t0, cpu0);
}

/** Child: a whole script (a scenario of patterns.ts), after its warm-up script if given. */
async function runScriptFile(sqlFile: string, warmupFile: string | undefined): Promise<Measure> {
  if (warmupFile !== undefined) {
    const error = await runScript('', readFileSync(warmupFile, 'utf8'));
    if (error) return { secs: 0, cpu: 0, rssMiB: 0, error };
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const error = await runScript('', readFileSync(sqlFile, 'utf8'));
  return error ? { ...measured(t0, cpu0), error } : measured(t0, cpu0);
}

const CACHE = join(HERE, '..', 'flink', '.cache');

/** A scenario's script over N events, written to the cache for the child (and for Flink). */
function scenarioScript(
  s: Scenario,
  events: number,
  seed: number,
): { file: string; sql: string; events: number } {
  const data = scenarioData(s, events, seed, join(CACHE, 'data'));
  const sql = scenarioSql(s, data);
  mkdirSync(join(CACHE, 'scripts'), { recursive: true });
  const file = join(CACHE, 'scripts', `${s}-${events}-${seed}.sql`);
  writeFileSync(file, sql);
  return { file, sql, events: data.events };
}

const isScenario = (q: string): q is Scenario => (SCENARIOS as readonly string[]).includes(q);

function child(what: string, o: Options, extra: string[] = []): Measure {
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
    ...extra,
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

/** The Flink script of a query: the same DDL and query file, over `dataDir`. */
function flinkScript(name: string, dataDir: string): string {
  return `${fileDdl(dataDir)}\n${querySql(name)}`;
}

/** --vs-flink: both engines over the same events file (see the file comment). */
async function vsFlink(o: Options): Promise<void> {
  ensureFlink((m) => console.log(m));
  const data = await eventsFile(o.events, o.tps, o.seed);
  const warm = await eventsFile(o.warmup, o.tps, o.seed);
  console.log(`# flink=${FLINK_VERSION} java="${javaVersion()}" data=${data} warmup=${o.warmup}`);
  const limit = child('file-limit', o, ['--data', data]);
  if (limit.error) throw new Error(`physical-limit loop failed: ${limit.error}`);
  const limitPerCpu = rate(o.events, limit.cpu);
  console.log(
    `limit  js-loop=${rate(o.events, limit.secs)}  cpu=${limit.cpu.toFixed(2)}  perCpuSec=${limitPerCpu}  (read the same CSV file and split every record into fields, no engine)`,
  );
  const rows: SideBySide[] = [];
  for (const q of o.queries.filter((x) => !isScenario(x))) {
    const m = child(q, o, ['--data', data, '--warmup-data', warm]);
    const rivulet: EngineResult = m.error ? { error: m.error } : m;
    const f = runFlink(flinkScript(q, warm), flinkScript(q, data), o.timeoutS);
    // Flink's figure is the job's net runtime: without starting the MiniCluster and planning, which
    // on a loaded 2-core machine took seconds per job and are no part of processing events.
    const flink: EngineResult = 'error' in f ? f : { secs: f.netSecs, cpu: f.cpu, rssMiB: f.rssMiB };
    const row: SideBySide = { name: q, events: o.events, rivulet, flink };
    rows.push(row);
    console.log(formatLine(row));
    const ofLimit = m.error ? '' : `  ofLimit=${(rate(o.events, m.cpu) / limitPerCpu).toFixed(3)}`;
    const net = 'error' in f ? '' : `  flinkSubmitToEndSecs=${f.secs.toFixed(2)}`;
    console.log(`${formatDetail(row)}${ofLimit}${net}`);
  }
  console.log(formatGeomean(rows));
  const scenarios = o.queries.filter(isScenario);
  if (scenarios.length > 0)
    console.log('# pattern and temporal join, same files for both engines (bench/nexmark/patterns.ts)');
  for (const s of scenarios) {
    const main = scenarioScript(s, o.events, o.seed);
    const warmup = scenarioScript(s, o.warmup, o.seed);
    const m = child('script', o, ['--sql', main.file, '--warmup-sql', warmup.file]);
    const f = runFlink(warmup.sql, main.sql, o.timeoutS);
    const row: SideBySide = {
      name: s,
      events: main.events,
      rivulet: m.error ? { error: m.error } : m,
      flink: 'error' in f ? f : { secs: f.netSecs, cpu: f.cpu, rssMiB: f.rssMiB },
    };
    console.log(formatLine(row));
    console.log(formatDetail(row));
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv);
  if (o.child !== undefined) {
    const m =
      o.child === 'limit'
        ? limitLoop(o)
        : o.child === 'file-limit'
          ? fileLimitLoop(o.data as string)
          : o.child === 'script'
            ? await runScriptFile(o.sql as string, o.warmupSql)
            : await runQuery(o.child, o);
    console.log(JSON.stringify(m));
    return;
  }
  console.log(
    `# nexmark events=${o.events} tps=${o.tps} seed=${o.seed} node=${process.version} ${new Date().toISOString()}`,
  );
  if (o.vsFlink) {
    await vsFlink(o);
    return;
  }
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
    if (isScenario(q)) {
      const script = scenarioScript(q, o.events, o.seed);
      const m = child('script', o, ['--sql', script.file]);
      const perCpu = rate(script.events, m.cpu);
      console.log(
        m.error
          ? `${q}  rivulet=unsupported  reason=${m.error}`
          : `${q}  rivulet=${rate(script.events, m.secs)}  cpu=${m.cpu.toFixed(2)}  peakRSS=${m.rssMiB.toFixed(0)}  perCpuSec=${perCpu}  (${script.events} input rows from CSV files, bench/nexmark/patterns.ts)`,
      );
      continue;
    }
    const m = child(q, o);
    console.log(m.error ? `${q.padEnd(4)}  rivulet=unsupported  reason=${m.error}` : line(q, m));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
