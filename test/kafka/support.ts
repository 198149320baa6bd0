/**
 * Helpers for tests that talk to the Kafka broker of the `kafka` vitest project: a quiet kafkajs
 * client, unique topic and group names, and reading a topic until a condition holds.
 */
import { randomUUID } from 'node:crypto';
import { type Consumer, type IHeaders, Kafka, logLevel } from 'kafkajs';

const LOG_LEVELS: Readonly<Record<string, logLevel>> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/**
 * A kafkajs client that logs nothing: kafkajs logs at ERROR the retriable answers a fresh broker gives
 * (coordinator loading, concurrent transactions) that it then retries. RIVULET_KAFKA_LOG=error|warn|
 * info|debug turns its log on when a test needs explaining.
 */
export function kafkaClient(bootstrap: string, clientId = 'rivulet-test'): Kafka {
  const level = LOG_LEVELS[(process.env['RIVULET_KAFKA_LOG'] ?? 'nothing').toLowerCase()] ?? logLevel.NOTHING;
  return new Kafka({ clientId, brokers: [bootstrap], logLevel: level });
}

/** A topic or group name no other test (nor an earlier run against the same cluster) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface ReceivedMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ReadOptions {
  readonly groupId?: string;
  /** Read aborted and still-open transactional data too (default false: read_committed). */
  readonly readUncommitted?: boolean;
  /** Give up after this long (default 30 s). */
  readonly timeoutMs?: number;
}

/**
 * Reads `topic` from the beginning with a fresh consumer group until `done(messagesSoFar)` holds, then
 * disconnects and returns the messages in arrival order (per partition, that is offset order).
 * Rejects if the condition does not hold within the timeout, listing what did arrive.
 */
export async function readUntil(
  kafka: Kafka,
  topic: string,
  done: (received: readonly ReceivedMessage[]) => boolean,
  options: ReadOptions = {},
): Promise<ReceivedMessage[]> {
  try {
    return await readOnce(kafka, topic, done, options);
  } catch (e) {
    // A kafkajs consumer-group join on a busy 2-core machine occasionally stalls and receives
    // nothing at all; one retry with a fresh group (never with the caller's own group id) tells a
    // slow join from a missing record.
    if (options.groupId !== undefined || !String((e as Error).message).endsWith('received []')) throw e;
    return readOnce(kafka, topic, done, options);
  }
}

async function readOnce(
  kafka: Kafka,
  topic: string,
  done: (received: readonly ReceivedMessage[]) => boolean,
  options: ReadOptions,
): Promise<ReceivedMessage[]> {
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId ?? uniqueName('rivulet-test-group'),
    readUncommitted: options.readUncommitted ?? false,
    maxWaitTimeInMs: 100,
  });
  const received: ReceivedMessage[] = [];
  // What had arrived when the condition first held (more may arrive before the consumer stops).
  let result: ReceivedMessage[] = [];
  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({
          partition,
          offset: message.offset,
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
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      throw new Error(
        `reading ${topic}: condition not met within ${timeoutMs} ms; received ${JSON.stringify(received)}`,
      );
    }
    return result;
  } finally {
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
