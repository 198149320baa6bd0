/**
 * A real Apache Kafka broker for tests and demos, assembled from Maven Central and run as a single
 * KRaft node (broker and controller in one JVM) on 127.0.0.1.
 *
 * How `startBroker()` gets there:
 * 1. Jars: `mvn dependency:copy-dependencies` on ./pom.xml copies the broker's runtime classpath into
 *    .cache/libs, once; a marker file holding the pom's hash says the copy is complete and current.
 * 2. Ports: two free loopback ports (broker listener, controller listener), found by binding port 0.
 * 3. Storage: a temporary directory gets server.properties, log4j.properties and a data directory that
 *    `kafka.tools.StorageTool format` prepares.
 * 4. Start: run-broker.sh starts `kafka.Kafka` and watches this Node process: when it dies, even by
 *    SIGKILL, the script stops the JVM and deletes the temporary directory. Everything the JVM prints
 *    (log4j at WARN, plus the "Kafka Server started" line) goes to a log file under .cache/logs.
 * 5. Ready: kafkajs `admin.describeCluster()` is retried until it answers; if the JVM exits first
 *    because a port was taken meanwhile, start over with new ports (at most three times).
 * 6. Stop: SIGTERM to the wrapper (which forwards it to the JVM; Kafka's shutdown hook closes cleanly),
 *    wait, SIGKILL the whole process group as a last resort, remove the temporary directory.
 *
 * While a broker runs, handlers on this process's `exit`, SIGINT, SIGTERM and SIGHUP send the wrapper
 * SIGTERM, so an interrupted test run stops the broker at once rather than a second later.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

const HERE = dirname(fileURLToPath(import.meta.url));
const POM = join(HERE, 'pom.xml');
const WRAPPER = join(HERE, 'run-broker.sh');
export const CACHE_DIR = join(HERE, '.cache');
const LIBS_DIR = join(CACHE_DIR, 'libs');
const LIBS_MARKER = join(LIBS_DIR, '.complete');
const LOGS_DIR = join(CACHE_DIR, 'logs');
const LOGS_KEPT = 10;

export interface KafkaBroker {
  /** `127.0.0.1:PORT` of the PLAINTEXT broker listener (never the controller's). */
  readonly bootstrap: string;
  /** Stops the broker (SIGTERM, then SIGKILL after a grace period) and removes its data. Idempotent. */
  stop(): Promise<void>;
  /** The broker's own log (log4j output and anything the JVM printed); kept after `stop()`. */
  readonly logFile: string;
  /** Milliseconds from formatting storage to the first successful `describeCluster()`. */
  readonly startMs: number;
  /** The temporary directory with the broker's configuration and data; deleted when it stops. */
  readonly workDir: string;
}

export interface StartBrokerOptions {
  /** Maximum JVM heap in MiB (default 256). */
  readonly heapMb?: number;
  /** How long to wait for the broker to answer (default 120 s). */
  readonly readyTimeoutMs?: number;
  /** Progress messages (the one-off jar download); default: nothing. */
  readonly onProgress?: (message: string) => void;
}

/** The broker did not come up; `logFile` holds what it printed. */
export class BrokerStartError extends Error {
  readonly logFile: string | undefined;
  constructor(message: string, logFile: string | undefined, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BrokerStartError';
    this.logFile = logFile;
  }
}

/** The last `lines` lines of a file ('' if it does not exist). */
export function tailOfFile(path: string, lines = 60): string {
  if (!existsSync(path)) return '';
  const text = readFileSync(path, 'utf8');
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
}

/**
 * Makes sure .cache/libs holds the broker's classpath for the current pom.xml; downloads it if not.
 * Safe against a concurrent run: each download goes to its own directory, renamed into place whole.
 */
export async function ensureBrokerLibs(onProgress?: (message: string) => void): Promise<string> {
  const pomHash = createHash('sha256')
    .update(await readFile(POM))
    .digest('hex');
  if (existsSync(LIBS_MARKER) && readFileSync(LIBS_MARKER, 'utf8').trim() === pomHash) return LIBS_DIR;

  onProgress?.('Downloading the Kafka broker jars from Maven Central (first run only)...');
  await mkdir(CACHE_DIR, { recursive: true });
  const staging = join(CACHE_DIR, `libs.tmp-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  const { code, output } = await runCollecting('mvn', [
    '-q',
    '-B',
    '-f',
    POM,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${staging}`,
    '-DincludeScope=runtime',
  ]);
  if (code !== 0) {
    await rm(staging, { recursive: true, force: true });
    throw new BrokerStartError(
      `mvn dependency:copy-dependencies failed (exit ${code}) for ${POM}:\n${lastLines(output, 40)}`,
      undefined,
    );
  }
  await writeFile(join(staging, '.complete'), `${pomHash}\n`);
  // Another process may have finished first; an outdated copy is replaced.
  if (existsSync(LIBS_MARKER) && readFileSync(LIBS_MARKER, 'utf8').trim() === pomHash) {
    await rm(staging, { recursive: true, force: true });
  } else {
    await rm(LIBS_DIR, { recursive: true, force: true });
    await rename(staging, LIBS_DIR);
  }
  return LIBS_DIR;
}

/** Assembles (once), starts and waits for a broker. See the file comment for the steps. */
export async function startBroker(options: StartBrokerOptions = {}): Promise<KafkaBroker> {
  const libs = await ensureBrokerLibs(options.onProgress);
  const attempts = 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(libs, options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === attempts) throw error;
    }
  }
}

class PortTakenError extends BrokerStartError {}

async function startOnce(libs: string, options: StartBrokerOptions): Promise<KafkaBroker> {
  const heapMb = options.heapMb ?? 256;
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const [port, controllerPort] = await freePorts(2);
  const bootstrap = `127.0.0.1:${port}`;

  await mkdir(LOGS_DIR, { recursive: true });
  pruneLogs();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const logFile = join(LOGS_DIR, `broker-${stamp}-${port}.log`);
  const workDir = await mkdtemp(join(tmpdir(), 'rivulet-kafka-'));
  const started = performance.now();
  let child: ChildProcess | undefined;
  try {
    await writeFile(join(workDir, 'server.properties'), serverProperties(port, controllerPort, workDir));
    await writeFile(join(workDir, 'log4j.properties'), LOG4J_PROPERTIES);
    const jvm = jvmArgs(libs, workDir, heapMb);
    const format = await runCollecting(javaBinary(), [
      ...jvm,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId(),
      '-c',
      join(workDir, 'server.properties'),
      '--ignore-formatted',
    ]);
    await writeFile(logFile, format.output);
    if (format.code !== 0) {
      throw new BrokerStartError(
        `formatting Kafka storage failed (exit ${format.code}):\n${lastLines(format.output, 40)}`,
        logFile,
      );
    }

    const logFd = openSync(logFile, 'a');
    try {
      child = spawn(
        'sh',
        [
          WRAPPER,
          String(process.pid),
          workDir,
          javaBinary(),
          ...jvm,
          'kafka.Kafka',
          join(workDir, 'server.properties'),
        ],
        { stdio: ['ignore', logFd, logFd], detached: true },
      );
    } finally {
      closeSync(logFd);
    }
    const running = trackProcess(child);
    await waitUntilReady(bootstrap, running, readyTimeoutMs, logFile);
    const startMs = Math.round(performance.now() - started);
    const stop = memoize(async () => {
      await stopProcess(running);
      await rm(workDir, { recursive: true, force: true });
    });
    return { bootstrap, logFile, startMs, stop, workDir };
  } catch (error) {
    if (child !== undefined) await stopProcess(trackProcess(child));
    await rm(workDir, { recursive: true, force: true });
    if (error instanceof BrokerStartError && /Address already in use/.test(tailOfFile(logFile, 200))) {
      throw new PortTakenError(error.message, logFile, { cause: error });
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Configuration

function serverProperties(port: number, controllerPort: number, workDir: string): string {
  return `${[
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(workDir, 'data')}`,
    // One replica and one partition for the internal topics: the only node can host them, and the
    // first group join and first transaction do not wait for 50 partitions to load.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'group.initial.rebalance.delay.ms=0',
    // Tests create their topics explicitly; a typo should fail, not create a topic.
    'auto.create.topics.enable=false',
    // Small machine: fewer threads, and a log-cleaner buffer (128 MiB of heap by default) that fits a
    // small heap; index files preallocated at 1 MiB instead of 10 MiB per partition.
    'num.network.threads=2',
    'num.io.threads=2',
    'background.threads=2',
    'log.cleaner.dedupe.buffer.size=8388608',
    'log.index.size.max.bytes=1048576',
  ].join('\n')}\n`;
}

// Quiet: warnings and errors only, plus the one line that says the server is up.
const LOG4J_PROPERTIES = `log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
`;

function jvmArgs(libs: string, workDir: string, heapMb: number): string[] {
  return [
    `-Xmx${heapMb}m`,
    // Serial GC: a small heap on a 2-core machine gains nothing from G1's concurrent threads.
    '-XX:+UseSerialGC',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${join(workDir, 'log4j.properties')}`,
    '-cp',
    `${libs}/*`,
  ];
}

function javaBinary(): string {
  const home = process.env['JAVA_HOME'];
  return home !== undefined && home !== '' ? join(home, 'bin', 'java') : 'java';
}

/**
 * A random KRaft cluster id: 16 bytes as URL-safe base64 without padding (22 characters). One that
 * starts with '-' would be read as an option by StorageTool's argument parser, so draw again.
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

// ---------------------------------------------------------------------------------------------
// Processes

interface Tracked {
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal name) when the process has exited. */
  readonly exited: Promise<number | string>;
  exitedAlready: boolean;
}

const tracked = new WeakMap<ChildProcess, Tracked>();

function trackProcess(child: ChildProcess): Tracked {
  const known = tracked.get(child);
  if (known !== undefined) return known;
  const entry: Tracked = {
    child,
    exitedAlready: false,
    exited: new Promise((resolve) => {
      child.once('error', () => {
        forget(entry);
        resolve('spawn-error');
      });
      child.once('exit', (code, signal) => {
        forget(entry);
        resolve(code ?? signal ?? 'unknown');
      });
    }),
  };
  tracked.set(child, entry);
  live.add(entry);
  installExitHandlers();
  return entry;
}

/**
 * Stops the wrapper and its JVM. The wrapper leads its own process group (it was spawned detached),
 * so `-pid` reaches both. Normally the wrapper forwards SIGTERM, waits for the JVM and exits, leaving
 * the group empty. If the wrapper died some other way (an untrapped signal, SIGKILL), the JVM may
 * still be in the group: it gets SIGTERM too, and whatever is left after the grace period, SIGKILL.
 */
async function stopProcess(entry: Tracked, graceMs = 30_000): Promise<void> {
  const group = entry.child.pid;
  const deadline = performance.now() + graceMs;
  if (!entry.exitedAlready) {
    sendSignal(entry, 'SIGTERM');
    const timer = setTimeout(() => killGroup(group, 'SIGKILL'), graceMs);
    await entry.exited;
    clearTimeout(timer);
  }
  if (!groupAlive(group)) return;
  killGroup(group, 'SIGTERM');
  while (groupAlive(group) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  killGroup(group, 'SIGKILL');
}

function killGroup(group: number | undefined, name: NodeJS.Signals): void {
  if (group === undefined) return;
  try {
    process.kill(-group, name);
  } catch {
    // the group is empty
  }
}

function groupAlive(group: number | undefined): boolean {
  if (group === undefined) return false;
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

function sendSignal(entry: Tracked, name: NodeJS.Signals): void {
  try {
    entry.child.kill(name);
  } catch {
    // already gone
  }
}

// Brokers of this process that are still running; the handlers below stop them if the process ends.
const live = new Set<Tracked>();
let handlersInstalled = false;
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function stopAllNow(): void {
  for (const entry of live) sendSignal(entry, 'SIGTERM');
}

function forget(entry: Tracked): void {
  entry.exitedAlready = true;
  live.delete(entry);
  if (live.size === 0) uninstallExitHandlers();
}

function onSignal(name: NodeJS.Signals): void {
  stopAllNow();
  uninstallExitHandlers();
  // Adding a listener removed Node's default action (exit); restore it unless someone else (vitest,
  // start.ts) handles the signal and decides when to exit.
  if (process.listenerCount(name) === 0) process.kill(process.pid, name);
}

function uninstallExitHandlers(): void {
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.removeListener('exit', stopAllNow);
  handlersInstalled = false;
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', stopAllNow);
  for (const s of SIGNALS) process.once(s, onSignal);
}

async function waitUntilReady(
  bootstrap: string,
  running: Tracked,
  timeoutMs: number,
  logFile: string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const kafka = new Kafka({
    clientId: 'rivulet-broker-probe',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  });
  let lastError: unknown;
  while (performance.now() < deadline) {
    if (running.exitedAlready) {
      throw new BrokerStartError(
        `the Kafka broker exited (${await running.exited}) before it was ready; see ${logFile}`,
        logFile,
      );
    }
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0 && cluster.controller !== null) return;
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new BrokerStartError(
    `the Kafka broker at ${bootstrap} did not answer within ${timeoutMs} ms; see ${logFile}`,
    logFile,
    { cause: lastError },
  );
}

function runCollecting(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error) =>
      resolve({ code: 127, output: `could not run ${command}: ${error.message}` }),
    );
    child.once('close', (code) =>
      resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString('utf8') }),
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Distinct free TCP ports on 127.0.0.1, all held open until every one is chosen. */
async function freePorts(count: number): Promise<number[]> {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((server) => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

function pruneLogs(): void {
  const logs = readdirSync(LOGS_DIR)
    .filter((name) => name.startsWith('broker-') && name.endsWith('.log'))
    .map((name) => ({ path: join(LOGS_DIR, name), mtime: statSync(join(LOGS_DIR, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of logs.slice(LOGS_KEPT - 1)) rmSync(old.path, { force: true });
}

function lastLines(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs `fn` once; later calls get the same promise. */
function memoize(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => {
    result ??= fn();
    return result;
  };
}
