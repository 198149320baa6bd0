/**
 * Apache Flink for the side-by-side benchmarks: assembled from Maven Central, compiled and run here.
 *
 * Steps:
 *   1. `ensureFlink()`: when bench/flink/.cache/libs lacks Flink's table runtime jar, run
 *      `mvn dependency:copy-dependencies` on bench/flink/pom.xml (once; the directory is git-ignored).
 *      When the compiled runner is missing or older than FlinkSqlRunner.java, compile it with javac
 *      against those jars. Both steps are cached, so only the first `--vs-flink` run pays for them.
 *   2. `runFlink(warmup, measured)`: one JVM per query runs the warm-up script, then the measured one
 *      (FlinkSqlRunner.java), and returns its measurement, or the reason Flink refused the query.
 * Nothing here is imported by the test suite's engine code: no test needs Java, Maven or Flink.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const FLINK_VERSION = '1.20.3';
const CACHE = join(HERE, '.cache');
const LIBS = join(CACHE, 'libs');
const CLASSES = join(CACHE, 'classes');
const SOURCE = join(HERE, 'FlinkSqlRunner.java');
const LOG4J = join(CACHE, 'log4j.properties');

/** Java 17 module openings Flink needs (its own launch scripts pass the same). */
const JVM_OPENS = [
  'java.base/java.lang',
  'java.base/java.net',
  'java.base/java.io',
  'java.base/java.nio',
  'java.base/sun.nio.ch',
  'java.base/java.lang.reflect',
  'java.base/java.text',
  'java.base/java.time',
  'java.base/java.util',
  'java.base/java.util.concurrent',
  'java.base/java.util.concurrent.atomic',
  'java.base/java.util.concurrent.locks',
].flatMap((m) => ['--add-opens', `${m}=ALL-UNNAMED`]);
const JVM_EXPORTS = ['java.rmi/sun.rmi.registry', 'java.base/sun.net.util'].flatMap((m) => [
  '--add-exports',
  `${m}=ALL-UNNAMED`,
]);

/** The measurement FlinkSqlRunner prints for a measured script. */
export interface FlinkMeasure {
  secs: number;
  netSecs: number;
  cpu: number;
  rssMiB: number;
}

export type FlinkResult = FlinkMeasure | { error: string };

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error)
    throw new Error(`${cmd} could not start (${r.error.message}); --vs-flink needs Java 17 and Maven`);
  if (r.status !== 0) {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${tail}`);
  }
}

/** Downloads Flink's jars (once) and compiles the runner (when its source changed). */
export function ensureFlink(log: (msg: string) => void = () => {}): void {
  if (!existsSync(join(LIBS, `flink-table-runtime-${FLINK_VERSION}.jar`))) {
    log(`# assembling Flink ${FLINK_VERSION} from Maven Central into ${LIBS} (once)`);
    run(
      'mvn',
      ['-q', '-B', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${LIBS}`],
      HERE,
    );
  }
  const compiled = join(CLASSES, 'FlinkSqlRunner.class');
  if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(SOURCE).mtimeMs) {
    log('# compiling bench/flink/FlinkSqlRunner.java');
    mkdirSync(CLASSES, { recursive: true });
    run('javac', ['-nowarn', '-d', CLASSES, '-cp', `${LIBS}/*`, SOURCE], HERE);
  }
  // Flink logs at INFO by default; the benchmark wants its stdout clean and errors only.
  writeFileSync(
    LOG4J,
    [
      'log4j.rootLogger=ERROR, stderr',
      'log4j.appender.stderr=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stderr.Target=System.err',
      'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stderr.layout.ConversionPattern=%d %p %c - %m%n',
      '',
    ].join('\n'),
  );
}

/** The `java -version` line, for the report. */
export function javaVersion(): string {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return (r.stderr || r.stdout || '').split('\n')[0]?.trim() ?? 'unknown';
}

/** Parses the runner's last stdout line (exported for the unit test). */
export function parseRunnerOutput(stdout: string): FlinkResult | undefined {
  const line = stdout.trim().split('\n').pop()?.trim() ?? '';
  if (!line.startsWith('{')) return undefined;
  const v = JSON.parse(line) as Record<string, unknown>;
  if (typeof v.error === 'string') return { error: v.error };
  const nums = ['secs', 'netSecs', 'cpu', 'rssMiB'] as const;
  if (!nums.every((k) => typeof v[k] === 'number')) return undefined;
  return {
    secs: v.secs as number,
    netSecs: v.netSecs as number,
    cpu: v.cpu as number,
    rssMiB: v.rssMiB as number,
  };
}

/**
 * Runs `warmupSql` then `measuredSql` in one JVM with parallelism 1. `heap` is the JVM's -Xmx
 * (Flink's default task manager process is 1728m; 1g of heap is ample at parallelism 1).
 */
export function runFlink(warmupSql: string, measuredSql: string, timeoutS: number, heap = '1g'): FlinkResult {
  const dir = join(CACHE, 'scripts');
  mkdirSync(dir, { recursive: true });
  // Per process: two runs at once must not read each other's scripts.
  const warm = join(dir, `warmup-${process.pid}.sql`);
  const measured = join(dir, `measured-${process.pid}.sql`);
  writeFileSync(warm, warmupSql);
  writeFileSync(measured, measuredSql);
  const r = spawnSync(
    'java',
    [
      `-Xmx${heap}`,
      ...JVM_OPENS,
      ...JVM_EXPORTS,
      `-Dlog4j.configuration=file:${LOG4J}`,
      '-cp',
      `${CLASSES}:${LIBS}/*`,
      'FlinkSqlRunner',
      warm,
      measured,
    ],
    { encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 64 * 1024 * 1024 },
  );
  const parsed = parseRunnerOutput(r.stdout ?? '');
  if (parsed) return parsed;
  const why = r.error
    ? r.error.message
    : (r.stderr ?? '').trim().split('\n').slice(-3).join(' ') || `exit ${r.status}`;
  return { error: `flink runner failed: ${why}` };
}
