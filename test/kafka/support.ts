/**
 * Helpers for tests that talk to the Kafka broker of the `kafka` vitest project: a quiet kafkajs
 * client, unique topic and group names, and reading a topic until a condition holds.
 */
import { randomUUID } from 'node:crypto';
import { type Consumer, type IHeaders, Kafka, type LogEntry, logLevel } from 'kafkajs';

const LOG_LEVELS: Readonly<Record<string, logLevel>> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/** How many of a client's most recent log lines are kept to explain a failed read. */
const KEPT_LOG_LINES = 40;

/** The recent log lines of each client made by kafkaClient, newest last. */
const recentLogs = new WeakMap<Kafka, string[]>();

/**
 * A kafkajs client that prints nothing: kafkajs logs at ERROR the retriable answers a fresh broker
 * gives (coordinator loading, concurrent transactions) that it then retries. RIVULET_KAFKA_LOG=error|
 * warn|info|debug prints its log when a test needs explaining. Its INFO-and-above lines are always
 * kept (the last few) so that readUntil can quote them when a read fails.
 */
export function kafkaClient(bootstrap: string, clientId = 'rivulet-test'): Kafka {
  const printed =
    LOG_LEVELS[(process.env['RIVULET_KAFKA_LOG'] ?? 'nothing').toLowerCase()] ?? logLevel.NOTHING;
  const kept: string[] = [];
  const kafka = new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: Math.max(printed, logLevel.INFO),
    logCreator: () => (entry: LogEntry) => {
      const { message, timestamp, ...extra } = entry.log;
      const line = `${timestamp} ${entry.label} [${entry.namespace}] ${message} ${JSON.stringify(extra)}`;
      kept.push(line);
      if (kept.length > KEPT_LOG_LINES) kept.shift();
      if (entry.level <= printed) console.error(line);
    },
  });
  recentLogs.set(kafka, kept);
  return kafka;
}

/** A topic or group name no other test (nor an earlier run against the same cluster) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface ReceivedMessage {
  readonly partition: number;
  readonly offset: string;
  /** The record's Kafka timestamp (milliseconds since the epoch, as kafkajs gives it: a string). */
  readonly timestamp: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ReadOptions {
  readonly groupId?: string;
  /** Read aborted and still-open transactional data too (default false: read_committed). */
  readonly readUncommitted?: boolean;
  /** Give up after this long, counted from the moment the consumer joined its group (default 30 s). */
  readonly timeoutMs?: number;
}

/** How long one attempt waits for its consumer to join the group and get partitions. */
const JOIN_TIMEOUT_MS = 30_000;
/** Attempts, each with a fresh consumer (and a fresh group unless the caller named one). */
const ATTEMPTS = 3;

/**
 * Reads `topic` from the beginning with a fresh consumer group until `done(messagesSoFar)` holds, then
 * disconnects and returns the messages in arrival order (per partition, that is offset order).
 *
 * A kafkajs group join on a busy 2-core machine occasionally stalls: the consumer never gets its
 * partitions and receives nothing. So each attempt first waits (JOIN_TIMEOUT_MS) for the GROUP_JOIN
 * event assigning it the topic's partitions; an attempt whose join stalls, or that joined but
 * received nothing at all, is retried with a fresh consumer, up to ATTEMPTS times. An attempt that
 * received some records but not enough is not retried: that is an answer, not a stall. The error
 * of the last attempt lists what arrived, the consumer's events and the client's last log lines.
 */
export async function readUntil(
  kafka: Kafka,
  topic: string,
  done: (received: readonly ReceivedMessage[]) => boolean,
  options: ReadOptions = {},
): Promise<ReceivedMessage[]> {
  const failures: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const outcome = await readOnce(kafka, topic, done, options);
    if (outcome.kind === 'done') return outcome.messages;
    failures.push(`attempt ${attempt}: ${outcome.reason}\n  consumer events: ${outcome.events.join('; ')}`);
    const retriable = outcome.kind === 'no-join' || outcome.received.length === 0;
    if (!retriable || attempt === ATTEMPTS) {
      const logs = (recentLogs.get(kafka) ?? []).join('\n    ');
      throw new Error(
        `reading ${topic}: condition not met; received ${JSON.stringify(outcome.received)}\n` +
          `${failures.join('\n')}\n  last client log lines:\n    ${logs}`,
      );
    }
  }
}

type ReadOutcome =
  | { readonly kind: 'done'; readonly messages: ReceivedMessage[] }
  | {
      readonly kind: 'no-join' | 'timeout';
      readonly reason: string;
      readonly received: readonly ReceivedMessage[];
      readonly events: readonly string[];
    };

async function readOnce(
  kafka: Kafka,
  topic: string,
  done: (received: readonly ReceivedMessage[]) => boolean,
  options: ReadOptions,
): Promise<ReadOutcome> {
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId ?? uniqueName('rivulet-test-group'),
    readUncommitted: options.readUncommitted ?? false,
    maxWaitTimeInMs: 100,
  });
  const received: ReceivedMessage[] = [];
  const events: string[] = [];
  const started = Date.now();
  const note = (what: string) => {
    events.push(`+${Date.now() - started}ms ${what}`);
  };
  // What had arrived when the condition first held (more may arrive before the consumer stops).
  let result: ReceivedMessage[] = [];
  const timeoutMs = options.timeoutMs ?? 30_000;
  let finish: () => void = () => {};
  const finished = new Promise<'done'>((resolve) => {
    finish = () => resolve('done');
  });
  let joined: () => void = () => {};
  const joinedTopic = new Promise<'joined'>((resolve) => {
    joined = () => resolve('joined');
  });
  const { GROUP_JOIN, CRASH, REBALANCING, STOP, REQUEST_TIMEOUT, FETCH_START, CONNECT } = consumer.events;
  const unsubscribe = [
    consumer.on(GROUP_JOIN, (e) => {
      note(`group_join assignment=${JSON.stringify(e.payload.memberAssignment)}`);
      if ((e.payload.memberAssignment[topic] ?? []).length > 0) joined();
    }),
    consumer.on(CRASH, (e) => note(`crash ${String(e.payload.error)} restart=${e.payload.restart}`)),
    consumer.on(REBALANCING, () => note('rebalancing')),
    consumer.on(STOP, () => note('stop')),
    consumer.on(CONNECT, () => note('connect')),
    consumer.on(REQUEST_TIMEOUT, (e) => note(`request_timeout ${JSON.stringify(e.payload)}`)),
  ];
  let fetches = 0;
  unsubscribe.push(
    consumer.on(FETCH_START, () => {
      // Only the first few: a healthy consumer fetches every 100 ms.
      if (++fetches <= 3) note('fetch_start');
    }),
  );
  const wait = <T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    return Promise.race([promise, timedOut]).finally(() => clearTimeout(timer));
  };
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({
          partition,
          offset: message.offset,
          timestamp: message.timestamp,
          key: message.key === null ? null : message.key.toString('utf8'),
          value: message.value === null ? null : message.value.toString('utf8'),
          headers: headersAsStrings(message.headers),
        });
        if (result.length === 0 && done(received)) {
          result = received.slice();
          finish();
        }
      },
    });
    // A record can arrive in the same tick as the join event: either counts as joined.
    if ((await wait(Promise.race([joinedTopic, finished]), JOIN_TIMEOUT_MS)) === 'timeout') {
      return {
        kind: 'no-join',
        reason: `no group join assigning ${topic} within ${JOIN_TIMEOUT_MS} ms`,
        received: received.slice(),
        events,
      };
    }
    if ((await wait(finished, timeoutMs)) === 'timeout') {
      return {
        kind: 'timeout',
        reason: `condition not met within ${timeoutMs} ms of joining`,
        received: received.slice(),
        events,
      };
    }
    return { kind: 'done', messages: result };
  } finally {
    for (const off of unsubscribe) off();
    await consumer.disconnect();
  }
}

function headersAsStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
}
