/**
 * The `WITH` options of the `kafka` and `upsert-kafka` connectors, named as in Flink, and their reading
 * into a plain configuration: topics, client settings (the `properties.*` that kafkajs has an
 * equivalent for), formats for the key and the value, which physical columns travel in the key, the
 * startup and bounded modes of a source, and the partitioner and delivery guarantee of a sink.
 * Everything is checked when the table is planned, so a mistake never waits for the first message.
 */
import { randomUUID } from 'node:crypto';
import { type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';
import { T } from '../../catalog/types.ts';
import { parseDurationMs } from '../../common/duration.ts';
import { RivuletError } from '../../common/errors.ts';
import type { ColumnInfo, OptionSpec, TableInfo } from '../api.ts';
import { FORMATS, type Format, formatFor, formatOptionSpecs } from '../formats/index.ts';
import { numberOption } from '../registry.ts';

function formatSpecs(prefixes: readonly string[]): OptionSpec[] {
  const specs: OptionSpec[] = [];
  for (const format of FORMATS.values()) {
    for (const prefix of prefixes) specs.push(...formatOptionSpecs(format, prefix));
  }
  return specs;
}

const COMMON: OptionSpec[] = [
  { key: 'properties.bootstrap.servers', required: true, description: 'the brokers, host:port[,host:port]' },
  {
    key: 'properties.',
    prefix: true,
    description: 'Kafka client properties (group.id, client.id, security.*, sasl.*)',
  },
  { key: 'key.format', description: 'the format of the message key' },
  { key: 'value.format', description: 'the format of the message value' },
  { key: 'key.fields-prefix', description: 'a prefix of the key columns, stripped in the key format' },
  {
    key: 'value.fields-include',
    default: 'ALL',
    description: 'ALL | EXCEPT_KEY: the value carries the key columns or not',
  },
  { key: 'dead-letter.topic', description: 'Rivulet: send undecodable records, unchanged, to this topic' },
  { key: 'sink.parallelism', description: 'accepted for compatibility: Rivulet writes with one writer' },
  {
    key: 'scan.watermark.idle-timeout',
    description: 'a partition silent this long no longer holds the watermark',
  },
  { key: 'scan.watermark.emit.strategy', description: 'accepted for compatibility' },
];

export const KAFKA_OPTIONS: readonly OptionSpec[] = [
  ...COMMON,
  { key: 'topic', description: "the topic, or several separated by ';'" },
  { key: 'topic-pattern', description: 'a regular expression of the topics to read' },
  { key: 'format', description: 'the format of the message value' },
  { key: 'key.fields', description: "the physical columns of the key, separated by ';'" },
  {
    key: 'scan.startup.mode',
    default: 'group-offsets',
    description: 'earliest-offset | latest-offset | group-offsets | timestamp | specific-offsets',
  },
  { key: 'scan.startup.timestamp-millis', description: "the start for 'timestamp' mode" },
  { key: 'scan.startup.specific-offsets', description: "'partition:0,offset:42;partition:1,offset:300'" },
  {
    key: 'scan.bounded.mode',
    default: 'unbounded',
    description: 'unbounded | latest-offset | group-offsets | timestamp | specific-offsets',
  },
  { key: 'scan.bounded.timestamp-millis', description: "the end for 'timestamp' bounded mode" },
  {
    key: 'scan.bounded.specific-offsets',
    description: "the end offsets for 'specific-offsets' bounded mode",
  },
  { key: 'scan.topic-partition-discovery.interval', description: 'how often new partitions are looked for' },
  { key: 'sink.partitioner', default: 'default', description: 'default | fixed | round-robin' },
  {
    key: 'sink.delivery-guarantee',
    default: 'at-least-once',
    description: 'none | at-least-once | exactly-once',
  },
  { key: 'sink.transactional-id-prefix', description: 'the prefix of transactional ids (exactly-once)' },
  ...formatSpecs(['', 'key.', 'value.']),
];

export const UPSERT_KAFKA_OPTIONS: readonly OptionSpec[] = [
  ...COMMON,
  { key: 'topic', required: true, description: 'the topic' },
  {
    key: 'scan.bounded.mode',
    default: 'unbounded',
    description: 'unbounded | latest-offset | group-offsets | timestamp | specific-offsets',
  },
  { key: 'scan.bounded.timestamp-millis', description: "the end for 'timestamp' bounded mode" },
  {
    key: 'scan.bounded.specific-offsets',
    description: "the end offsets for 'specific-offsets' bounded mode",
  },
  {
    key: 'sink.buffer-flush.max-rows',
    default: '0',
    description: 'buffer this many rows, last per key, before writing',
  },
  { key: 'sink.buffer-flush.interval', default: '0', description: 'write the buffer at least this often' },
  ...formatSpecs(['key.', 'value.']),
];

function invalid(table: TableInfo, key: string, value: string, expected: string): RivuletError {
  return new RivuletError(
    'plan',
    'OPTION_INVALID',
    `Option '${key}' of table '${table.name}' must be ${expected}, found '${value}'`,
  );
}

function choice<C extends string>(table: TableInfo, key: string, choices: readonly C[], fallback: C): C {
  const v = table.options.get(key);
  if (v === undefined) return fallback;
  const found = choices.find((c) => c === v.trim().toLowerCase());
  if (found === undefined) throw invalid(table, key, v, `one of ${choices.join(', ')}`);
  return found;
}

function listOption(v: string | undefined): string[] {
  return (v ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

// ---------------------------------------------------------------------------------------------
// Client

const SASL_MECHANISMS = {
  PLAIN: 'plain',
  'SCRAM-SHA-256': 'scram-sha-256',
  'SCRAM-SHA-512': 'scram-sha-512',
} as const;

/** The kafkajs client configuration from `properties.*`. */
export function clientConfig(table: TableInfo, role: string): KafkaConfig {
  const p = (k: string) => table.options.get(`properties.${k}`);
  const brokers = (p('bootstrap.servers') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (brokers.length === 0)
    throw invalid(
      table,
      'properties.bootstrap.servers',
      p('bootstrap.servers') ?? '',
      'host:port[,host:port]',
    );
  const protocol = (p('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
    throw invalid(
      table,
      'properties.security.protocol',
      protocol,
      'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL',
    );
  }
  const config: KafkaConfig = {
    clientId: p('client.id') ?? `rivulet-${role}`,
    brokers,
    logLevel: logLevel.NOTHING,
    ...(protocol === 'SSL' || protocol === 'SASL_SSL' ? { ssl: true } : {}),
  };
  const timeout = p('request.timeout.ms');
  if (timeout !== undefined) config.requestTimeout = Number(timeout);
  if (protocol.startsWith('SASL')) config.sasl = saslOptions(table);
  return config;
}

/** `sasl.mechanism` and the username/password of `sasl.jaas.config` (`... username="u" password="p";`). */
function saslOptions(table: TableInfo): SASLOptions {
  const mechanism = (table.options.get('properties.sasl.mechanism') ?? 'PLAIN').toUpperCase();
  const kjs = SASL_MECHANISMS[mechanism as keyof typeof SASL_MECHANISMS];
  if (kjs === undefined)
    throw invalid(table, 'properties.sasl.mechanism', mechanism, 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512');
  const jaas = table.options.get('properties.sasl.jaas.config') ?? '';
  const field = (name: string): string => {
    const m = new RegExp(`${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(jaas);
    if (!m) throw invalid(table, 'properties.sasl.jaas.config', jaas, `a JAAS line with ${name}="..."`);
    return (m[1] as string).replace(/\\(.)/g, '$1');
  };
  return { mechanism: kjs, username: field('username'), password: field('password') };
}

export function groupId(table: TableInfo): string {
  return table.options.get('properties.group.id') ?? `rivulet-${randomUUID().slice(0, 12)}`;
}

// ---------------------------------------------------------------------------------------------
// Columns, key and value

export interface FormatUse {
  readonly format: Format;
  /** The option prefix of the format's own options: '' for `format`, `key.` / `value.`. */
  readonly prefix: string;
}

/** Where the physical columns come from: indexes into the physical columns, and the formats. */
export interface Layout {
  readonly physical: readonly ColumnInfo[];
  readonly metadata: readonly ColumnInfo[];
  readonly key: FormatUse | null;
  readonly value: FormatUse;
  /** Physical column indexes carried by the key, in key order. */
  readonly keyIndexes: readonly number[];
  /** Physical column indexes carried by the value, in value order. */
  readonly valueIndexes: readonly number[];
  /** The key's row type (prefix stripped) and the value's. */
  readonly keyType: ReturnType<typeof T.row>;
  readonly valueType: ReturnType<typeof T.row>;
}

const METADATA_KEYS = [
  'topic',
  'partition',
  'offset',
  'timestamp',
  'timestamp-type',
  'headers',
  'leader-epoch',
];
/** Flink writes `timestamp` and `headers`; Rivulet also writes `partition` (the record goes there). */
const WRITABLE_METADATA = ['timestamp', 'headers', 'partition'];

export function layout(table: TableInfo, upsert: boolean): Layout {
  const physical = table.columns.filter((c) => c.metadataKey === undefined);
  const metadata = table.columns.filter((c) => c.metadataKey !== undefined);
  for (const m of metadata) {
    if (!METADATA_KEYS.includes(m.metadataKey as string)) {
      throw new RivuletError(
        'plan',
        'METADATA_UNKNOWN',
        `Unknown metadata key '${m.metadataKey}' of column '${m.name}' in table '${table.name}'. Kafka offers: ${METADATA_KEYS.join(', ')}`,
      );
    }
  }
  const o = table.options;
  const valueId = o.get('value.format') ?? o.get('format');
  if (valueId === undefined) {
    throw new RivuletError(
      'plan',
      'OPTION_MISSING',
      `Table '${table.name}' needs the option 'format' or 'value.format'`,
    );
  }
  if (o.has('value.format') && o.has('format')) {
    throw new RivuletError(
      'plan',
      'OPTION_INVALID',
      `Table '${table.name}': give either 'format' or 'value.format', not both`,
    );
  }
  const value: FormatUse = {
    format: formatFor(valueId, o.has('value.format') ? 'value.format' : 'format'),
    prefix: o.has('value.format') ? 'value.' : '',
  };
  const keyId = o.get('key.format');
  const key: FormatUse | null =
    keyId === undefined ? null : { format: formatFor(keyId, 'key.format'), prefix: 'key.' };
  const names = physical.map((c) => c.name);
  let keyNames: string[];
  if (upsert) {
    if (!table.primaryKey || table.primaryKey.length === 0) {
      throw new RivuletError(
        'plan',
        'UPSERT_KAFKA_KEY',
        `The 'upsert-kafka' table '${table.name}' needs a PRIMARY KEY (... NOT ENFORCED): its columns are the Kafka message key`,
      );
    }
    if (key === null)
      throw new RivuletError(
        'plan',
        'OPTION_MISSING',
        `The 'upsert-kafka' table '${table.name}' needs 'key.format'`,
      );
    keyNames = [...table.primaryKey];
  } else {
    keyNames = listOption(o.get('key.fields'));
    if (keyNames.length > 0 && key === null) {
      throw new RivuletError(
        'plan',
        'OPTION_MISSING',
        `Table '${table.name}' has 'key.fields' but no 'key.format'`,
      );
    }
    if (key !== null && keyNames.length === 0) {
      throw new RivuletError(
        'plan',
        'OPTION_MISSING',
        `Table '${table.name}' has 'key.format' but no 'key.fields'`,
      );
    }
  }
  const keyIndexes = keyNames.map((n) => {
    const i = names.indexOf(n);
    if (i < 0) {
      throw new RivuletError(
        'plan',
        'OPTION_INVALID',
        `Key column '${n}' of table '${table.name}' is not a physical column (${names.join(', ')})`,
      );
    }
    return i;
  });
  const prefix = o.get('key.fields-prefix') ?? '';
  const include = choice(table, 'value.fields-include', ['all', 'except_key'] as const, 'all');
  if (prefix !== '') {
    if (include !== 'except_key') {
      throw new RivuletError(
        'plan',
        'OPTION_INVALID',
        `Table '${table.name}': 'key.fields-prefix' needs 'value.fields-include' = 'EXCEPT_KEY'`,
      );
    }
    for (const n of keyNames) {
      if (!n.startsWith(prefix)) {
        throw new RivuletError(
          'plan',
          'OPTION_INVALID',
          `Key column '${n}' of table '${table.name}' does not start with the key.fields-prefix '${prefix}'`,
        );
      }
    }
  }
  const valueIndexes = physical.map((_, i) => i).filter((i) => include === 'all' || !keyIndexes.includes(i));
  const keyType = T.row(
    keyIndexes.map((i) => ({
      name: (names[i] as string).slice(prefix.length),
      type: (physical[i] as ColumnInfo).type,
    })),
  );
  const valueType = T.row(
    valueIndexes.map((i) => ({ name: names[i] as string, type: (physical[i] as ColumnInfo).type })),
  );
  return { physical, metadata, key, value, keyIndexes, valueIndexes, keyType, valueType };
}

/** Metadata columns a sink writes (non-virtual), checked to be writable. */
export function writableMetadata(table: TableInfo, lay: Layout): ColumnInfo[] {
  const written = lay.metadata.filter((m) => !m.virtual);
  for (const m of written) {
    if (!WRITABLE_METADATA.includes(m.metadataKey as string)) {
      throw new RivuletError(
        'plan',
        'METADATA_READ_ONLY',
        `Metadata column '${m.name}' ('${m.metadataKey}') of table '${table.name}' can only be read: declare it VIRTUAL`,
      );
    }
  }
  return written;
}

// ---------------------------------------------------------------------------------------------
// Topics and offsets

export interface TopicSelection {
  readonly topics: readonly string[];
  readonly pattern: RegExp | null;
}

export function topicSelection(table: TableInfo): TopicSelection {
  const topics = listOption(table.options.get('topic'));
  const pattern = table.options.get('topic-pattern');
  if (topics.length > 0 && pattern !== undefined) {
    throw new RivuletError(
      'plan',
      'OPTION_INVALID',
      `Table '${table.name}': give either 'topic' or 'topic-pattern', not both`,
    );
  }
  if (topics.length === 0 && pattern === undefined) {
    throw new RivuletError(
      'plan',
      'OPTION_MISSING',
      `Table '${table.name}' needs the option 'topic' (or 'topic-pattern' to read)`,
    );
  }
  let re: RegExp | null = null;
  if (pattern !== undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch (e) {
      throw invalid(table, 'topic-pattern', pattern, `a regular expression (${(e as Error).message})`);
    }
  }
  return { topics, pattern: re };
}

export type StartupMode =
  | 'earliest-offset'
  | 'latest-offset'
  | 'group-offsets'
  | 'timestamp'
  | 'specific-offsets';
export type BoundedMode = 'unbounded' | 'latest-offset' | 'group-offsets' | 'timestamp' | 'specific-offsets';

/** Where reading starts or ends: a mode, with its timestamp or offsets per partition. */
export interface OffsetSpec<M> {
  readonly mode: M;
  readonly timestamp: number;
  /** partition -> offset, for specific-offsets (every topic read). */
  readonly offsets: ReadonlyMap<number, bigint>;
}

export function startupSpec(table: TableInfo): OffsetSpec<StartupMode> {
  const mode = choice(
    table,
    'scan.startup.mode',
    ['earliest-offset', 'latest-offset', 'group-offsets', 'timestamp', 'specific-offsets'] as const,
    'group-offsets',
  );
  return offsetSpec(table, mode, 'scan.startup');
}

export function boundedSpec(table: TableInfo): OffsetSpec<BoundedMode> {
  const mode = choice(
    table,
    'scan.bounded.mode',
    ['unbounded', 'latest-offset', 'group-offsets', 'timestamp', 'specific-offsets'] as const,
    'unbounded',
  );
  return offsetSpec(table, mode, 'scan.bounded');
}

function offsetSpec<M extends string>(table: TableInfo, mode: M, prefix: string): OffsetSpec<M> {
  const tsKey = `${prefix}.timestamp-millis`;
  const offKey = `${prefix}.specific-offsets`;
  if (mode === 'timestamp' && !table.options.has(tsKey)) {
    throw new RivuletError(
      'plan',
      'OPTION_MISSING',
      `Table '${table.name}': mode 'timestamp' needs '${tsKey}'`,
    );
  }
  if (mode === 'specific-offsets' && !table.options.has(offKey)) {
    throw new RivuletError(
      'plan',
      'OPTION_MISSING',
      `Table '${table.name}': mode 'specific-offsets' needs '${offKey}'`,
    );
  }
  const timestamp = numberOption(table, tsKey, 0);
  const offsets = new Map<number, bigint>();
  for (const entry of listOption(table.options.get(offKey))) {
    const m = /^partition\s*:\s*(\d+)\s*,\s*offset\s*:\s*(\d+)$/.exec(entry);
    if (!m) throw invalid(table, offKey, entry, "entries like 'partition:0,offset:42' separated by ';'");
    offsets.set(Number(m[1]), BigInt(m[2] as string));
  }
  return { mode, timestamp, offsets };
}

export function discoveryIntervalMs(table: TableInfo): number | null {
  const v = table.options.get('scan.topic-partition-discovery.interval');
  if (v === undefined) return null;
  return parseDurationMs(v);
}

export function durationOption(table: TableInfo, key: string): number {
  const v = table.options.get(key);
  if (v === undefined || v.trim() === '0') return 0;
  return parseDurationMs(v);
}

// ---------------------------------------------------------------------------------------------
// Sink

export type Partitioner = 'default' | 'fixed' | 'round-robin';
export type DeliveryGuarantee = 'none' | 'at-least-once' | 'exactly-once';

export function partitioner(table: TableInfo): Partitioner {
  return choice(table, 'sink.partitioner', ['default', 'fixed', 'round-robin'] as const, 'default');
}

export function deliveryGuarantee(table: TableInfo): {
  guarantee: DeliveryGuarantee;
  transactionalIdPrefix: string | null;
} {
  const guarantee = choice(
    table,
    'sink.delivery-guarantee',
    ['none', 'at-least-once', 'exactly-once'] as const,
    'at-least-once',
  );
  const prefix = table.options.get('sink.transactional-id-prefix') ?? null;
  if (guarantee === 'exactly-once' && (prefix === null || prefix.trim() === '')) {
    throw new RivuletError(
      'plan',
      'OPTION_MISSING',
      `Table '${table.name}': 'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix'`,
    );
  }
  return { guarantee, transactionalIdPrefix: prefix };
}

/** The sink's single topic (a sink cannot write to a pattern or several topics). */
export function sinkTopic(table: TableInfo): string {
  const sel = topicSelection(table);
  if (sel.pattern !== null || sel.topics.length !== 1) {
    throw new RivuletError(
      'plan',
      'OPTION_INVALID',
      `Table '${table.name}' is written to one 'topic', not a pattern or a list`,
    );
  }
  return sel.topics[0] as string;
}
