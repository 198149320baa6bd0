/**
 * The Kafka source (`kafka` and `upsert-kafka`), pulled in batches by the runtime.
 *
 * Steps:
 *  1. open: resolve the topics (a list, or a pattern over the cluster's topics) and their partitions;
 *     resolve per partition where reading starts (startup mode) and, for a bounded table, where it
 *     ends (exclusive end offset, resolved once at open so the table is a fixed range).
 *  2. kafkajs has no manual assignment, so the source fetches with a consumer group of its own (the
 *     user's `properties.group.id` plus a random suffix: one member, so it is assigned every partition,
 *     and two scans of one table in a job never split partitions between them). Once `run()` has joined
 *     the group, every partition is seeked to its start offset. Auto-commit is off.
 *  3. eachBatch appends the records to a per-partition buffer; a partition whose buffer holds
 *     `BUFFER_PER_PARTITION` records is paused (backpressure: the runtime not pulling stops the fetching)
 *     and resumed once `next()` drained it below half. A partition at its bounded end is paused for good.
 *  4. next(maxRows) takes records of one partition (round-robin over partitions: the batch's split is
 *     `topic-partition`, so the runtime keeps a watermark per partition), decodes them and returns rows
 *     with their positions `topic/partition@offset`. A record that cannot be decoded fails the job with
 *     its position, or is skipped and counted (`*.ignore-parse-errors`), or is sent unchanged to the
 *     dead-letter topic with an `x-rivulet-error` header.
 *  5. Offsets are committed only for acknowledged rows: the runtime pulls again only after every sink
 *     flushed the previous batch, so each `next()` acknowledges what the previous one returned;
 *     `acknowledge(position)` does the same for an explicit position. Acknowledged offsets are committed
 *     to the user's `properties.group.id` (if given) at most once a second, when a bounded source ends,
 *     and on close; `group-offsets` startup reads them back. When the job checkpoints, only positions
 *     of completed checkpoints are acknowledged (by the runtime), so the group never runs ahead of
 *     what a restore would replay.
 *  6. A bounded source ends when every partition reached its end offset and its buffer is empty.
 *  7. Discovery (`scan.topic-partition-discovery.interval`, unbounded reads only): every interval the
 *     topics are resolved again (the list, or the pattern over the cluster's topics) with their
 *     partitions. Partitions not known yet (a new topic matching the pattern, or partitions added to
 *     a read topic) are read from their earliest offset, as Flink does for partitions discovered after
 *     the start. kafkajs cannot change a running consumer's subscription, so the consumer is stopped,
 *     subscribed to the new topics too, run again, and once it has rejoined its group every partition
 *     is seeked back to the next offset not yet handed out (records fetched twice are dropped in
 *     onBatch) and the paused ones paused again. Buffered records are kept throughout.
 *  8. Checkpoints (upsert-kafka): besides the position (per partition the next offset to hand out),
 *     the last row per key is checkpointed, so that after a restore an update of a key read before
 *     the checkpoint is still -U/+U and a tombstone -D. The runtime takes position() and
 *     snapshotState() together at a batch boundary, never while next() runs, and the map changes only
 *     as next() hands records out (advancing the partition's next offset past each): records fetched
 *     but still buffered are not in it. So it holds exactly the records before the checkpointed
 *     offsets. Records skipped as undecodable advance the offset without changing the map, as they
 *     will again when replayed.
 */
import { randomUUID } from 'node:crypto';
import { type Admin, type Consumer, type EachBatchPayload, Kafka, type Producer } from 'kafkajs';
import { RivuletError } from '../../common/errors.ts';
import { type Row, RowKind } from '../../operators/api.ts';
import { MapState, type StateKey } from '../../operators/state.ts';
import type { ChangelogMode, ScanSource, SourceBatch, SourceContext, TableInfo } from '../api.ts';
import {
  type BoundedMode,
  boundedSpec,
  clientConfig,
  discoveryIntervalMs,
  groupId,
  layout,
  type OffsetSpec,
  type StartupMode,
  startupSpec,
  topicSelection,
} from './options.ts';
import { type FetchedRecord, RecordDecoder, recordDecodeError, recordPosition } from './records.ts';

/**
 * Retries a request while the broker answers with a retriable error (the group coordinator is loading,
 * a freshly created topic's partition has no leader yet).
 */
async function retrying<R>(f: () => Promise<R>): Promise<R> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await f();
    } catch (e) {
      if (attempt >= 30 || (e as { retriable?: boolean }).retriable !== true) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Records buffered per partition before it is paused. */
export const BUFFER_PER_PARTITION = 4096;
const COMMIT_INTERVAL_MS = 1000;
const JOIN_TIMEOUT_MS = 60_000;
const WAIT_MS = 100;
/** How often the high watermarks are read with the admin client (paused partitions fetch nothing). */
const HIGH_WATERMARK_REFRESH_MS = 5000;

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly split: string;
  buffer: FetchedRecord[];
  /** Next offset to hand out (everything before was returned by next()). */
  next: bigint;
  /** Exclusive end of a bounded read; null when unbounded. */
  end: bigint | null;
  /** The consumer fetched up to here (covers control records and aborted data that yield no message). */
  fetched: bigint;
  paused: boolean;
  /** The partition's high watermark as last seen (fetch responses, periodic admin reads): for lag. */
  high: bigint;
}

type PositionData = Record<string, string>;

export class KafkaSource implements ScanSource {
  readonly bounded: boolean;
  readonly changelogMode: ChangelogMode;
  private readonly table: TableInfo;
  private readonly upsert: boolean;
  private readonly decoder: RecordDecoder;
  private readonly startup: OffsetSpec<StartupMode>;
  private readonly end: OffsetSpec<BoundedMode>;
  private readonly deadLetterTopic: string | null;
  private readonly skipErrors: boolean;
  /** The user's `properties.group.id`: read for group-offsets, and where acknowledged offsets go. */
  private readonly group: string | null;
  /** The group the consumer fetches with: private to this source instance, never committed to. */
  private readonly fetchGroup: string;
  private kafka: Kafka | null = null;
  private admin: Admin | null = null;
  private consumer: Consumer | null = null;
  private dlq: Producer | null = null;
  private ctx: SourceContext | null = null;
  private readonly parts = new Map<string, PartitionState>();
  private order: PartitionState[] = [];
  private cursor = 0;
  private wake: (() => void) | null = null;
  private crashed: Error | null = null;
  /** Offsets handed out by the last next(): acknowledged by the following one. */
  private handedOut: PositionData = {};
  private acknowledged: PositionData = {};
  private committed: PositionData = {};
  private lastCommit = 0;
  private restored: PositionData | null = null;
  /** Topics the consumer is subscribed to. */
  private subscribed = new Set<string>();
  private discoveryTimer: NodeJS.Timeout | null = null;
  /** The discovery in progress, awaited on close (step 7). */
  private discovering: Promise<void> | null = null;
  private closing = false;
  /**
   * upsert-kafka: the last row per key (raw key bytes), to emit -U/+U and -D. Checkpointed (step 8);
   * rows are replaced, never changed in place, so copy-on-write snapshots need no `mutating` calls.
   */
  private readonly lastByKey = new MapState<Row>('lastByKey');

  constructor(table: TableInfo, upsert: boolean) {
    this.table = table;
    this.upsert = upsert;
    const lay = layout(table, upsert);
    this.decoder = new RecordDecoder(table, lay);
    topicSelection(table);
    clientConfig(table, 'source');
    this.startup = upsert
      ? { mode: 'earliest-offset', timestamp: 0, offsets: new Map() }
      : startupSpec(table);
    this.end = boundedSpec(table);
    this.bounded = this.end.mode !== 'unbounded';
    this.changelogMode = upsert ? 'retract' : lay.value.format.changelogMode;
    this.deadLetterTopic = table.options.get('dead-letter.topic') ?? null;
    this.skipErrors = [...table.options.entries()].some(
      ([k, v]) => k.endsWith('ignore-parse-errors') && /^true$/i.test(v),
    );
    this.group = table.options.get('properties.group.id') ?? null;
    this.fetchGroup = `${groupId(table)}-rivulet-${randomUUID().slice(0, 8)}`;
  }

  async open(ctx: SourceContext): Promise<void> {
    this.ctx = ctx;
    const config = clientConfig(this.table, 'source');
    const interval = discoveryIntervalMs(this.table);
    this.kafka = new Kafka(config);
    this.admin = this.kafka.admin();
    await this.admin.connect();
    const topics = await this.resolveTopics(this.admin);
    const admin = this.admin;
    const meta = await retrying(() => admin.fetchTopicMetadata({ topics }));
    for (const t of meta.topics) {
      for (const p of t.partitions) {
        const split = `${t.name}-${p.partitionId}`;
        this.parts.set(split, {
          topic: t.name,
          partition: p.partitionId,
          split,
          buffer: [],
          next: 0n,
          end: null,
          fetched: -1n,
          paused: false,
          high: 0n,
        });
      }
    }
    this.order = [...this.parts.values()].sort((a, b) => a.split.localeCompare(b.split));
    await this.resolveOffsets(this.admin, topics);
    if (this.deadLetterTopic !== null) {
      this.dlq = this.kafka.producer({ idempotent: false, allowAutoTopicCreation: true });
      await this.dlq.connect();
    }
    const isolation = (
      this.table.options.get('properties.isolation.level') ?? 'read_uncommitted'
    ).toLowerCase();
    this.consumer = this.kafka.consumer({
      groupId: this.fetchGroup,
      readUncommitted: isolation !== 'read_committed',
      maxWaitTimeInMs: WAIT_MS,
      ...(interval !== null ? { metadataMaxAge: interval } : {}),
    });
    const consumer = this.consumer;
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      const st = this.parts.get(`${e.payload.topic}-${e.payload.partition}`);
      const last = BigInt(e.payload.lastOffset) + 1n;
      if (st && last > st.fetched) st.fetched = last;
      this.signal();
    });
    consumer.on(consumer.events.CRASH, (e) => {
      // kafkajs restarts the consumer after a retriable error (it rejoins and the filters in onBatch
      // drop what was already read); only a crash it gives up on fails the job.
      if (e.payload.restart) return;
      this.crashed = e.payload.error;
      this.signal();
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    this.subscribed = new Set(topics);
    // Partitions already complete are never fetched.
    for (const st of this.order) if (this.atEnd(st)) st.paused = true;
    await this.runAndPosition(consumer);
    if (!this.bounded && interval !== null && interval > 0) {
      this.discoveryTimer = setInterval(() => {
        if (this.discovering !== null || this.closing) return;
        this.discovering = this.discover()
          .catch((e: unknown) => {
            this.crashed = e instanceof Error ? e : new Error(String(e));
            this.signal();
          })
          .finally(() => {
            this.discovering = null;
          });
      }, interval);
      // The job's own work keeps the process alive, not the discovery timer.
      this.discoveryTimer.unref();
    }
  }

  /**
   * Runs the consumer, waits until it joined its group (one member: every partition is assigned),
   * then positions every partition at the next offset to hand out and pauses the paused ones. A fetch
   * already in flight from an earlier position gives records that onBatch drops.
   */
  private async runAndPosition(consumer: Consumer): Promise<void> {
    let joined: () => void = () => {};
    const join = new Promise<void>((resolve) => {
      joined = resolve;
    });
    const off = consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.run({ autoCommit: false, eachBatch: (b) => this.onBatch(b) });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), JOIN_TIMEOUT_MS);
    });
    const outcome = await Promise.race([join, timedOut]);
    clearTimeout(timer);
    off();
    if (outcome === 'timeout') {
      throw new RivuletError(
        'connector',
        'KAFKA_JOIN_TIMEOUT',
        `The Kafka source of table '${this.table.name}' could not join its consumer group within ${JOIN_TIMEOUT_MS} ms${this.crashed ? `: ${this.crashed.message}` : ''}`,
      );
    }
    for (const st of this.order)
      consumer.seek({ topic: st.topic, partition: st.partition, offset: String(st.next) });
    const paused = this.order.filter((s) => s.paused);
    for (const st of paused) consumer.pause([{ topic: st.topic, partitions: [st.partition] }]);
  }

  /** Looks for topics and partitions created since the source opened, and reads them (step 7). */
  private async discover(): Promise<void> {
    const admin = this.admin;
    const consumer = this.consumer;
    if (admin === null || consumer === null) return;
    let topics: string[];
    try {
      topics = await this.resolveTopics(admin);
    } catch (e) {
      // No topic matches the pattern any more (deleted): nothing new to read.
      if (e instanceof RivuletError && e.code === 'KAFKA_NO_TOPIC') return;
      throw e;
    }
    const meta = await retrying(() => admin.fetchTopicMetadata({ topics }));
    const fresh: PartitionState[] = [];
    for (const t of meta.topics) {
      const offsets = await retrying(() => admin.fetchTopicOffsets(t.name));
      const marks = new Map(offsets.map((m) => [m.partition, BigInt(m.low)]));
      const highs = new Map(offsets.map((m) => [m.partition, BigInt(m.high)]));
      for (const p of t.partitions) {
        const split = `${t.name}-${p.partitionId}`;
        if (this.parts.has(split)) continue;
        const low = marks.get(p.partitionId) ?? 0n;
        fresh.push({
          topic: t.name,
          partition: p.partitionId,
          split,
          buffer: [],
          next: low,
          high: highs.get(p.partitionId) ?? low,
          end: null,
          fetched: low,
          paused: false,
        });
      }
    }
    if (fresh.length === 0 || this.closing) return;
    await consumer.stop();
    for (const st of fresh) this.parts.set(st.split, st);
    this.order = [...this.parts.values()].sort((a, b) => a.split.localeCompare(b.split));
    const newTopics = [...new Set(fresh.map((st) => st.topic))].filter((t) => !this.subscribed.has(t));
    if (newTopics.length > 0) {
      await consumer.subscribe({ topics: newTopics, fromBeginning: true });
      for (const t of newTopics) this.subscribed.add(t);
    }
    await this.runAndPosition(consumer);
    this.signal();
  }

  private async resolveTopics(admin: Admin): Promise<string[]> {
    const sel = topicSelection(this.table);
    if (sel.pattern === null) return [...sel.topics];
    const pattern = sel.pattern;
    const all = await admin.listTopics();
    const topics = all.filter((t) => pattern.test(t)).sort();
    if (topics.length === 0) {
      throw new RivuletError(
        'connector',
        'KAFKA_NO_TOPIC',
        `No topic matches the topic-pattern '${this.table.options.get('topic-pattern')}' of table '${this.table.name}'`,
      );
    }
    return topics;
  }

  /** Start and end offsets per partition; the start is committed to the group before it is joined. */
  private async resolveOffsets(admin: Admin, topics: string[]): Promise<void> {
    for (const topic of topics) {
      const marks = await retrying(() => admin.fetchTopicOffsets(topic));
      const low = new Map(marks.map((m) => [m.partition, BigInt(m.low)]));
      const high = new Map(marks.map((m) => [m.partition, BigInt(m.high)]));
      const groupOffsets = new Map<number, bigint>();
      if (this.group !== null) {
        const group = this.group;
        const [committed] = await retrying(() => admin.fetchOffsets({ groupId: group, topics: [topic] }));
        for (const p of committed?.partitions ?? []) groupOffsets.set(p.partition, BigInt(p.offset));
      }
      const byTime = async (ts: number) =>
        new Map(
          (await retrying(() => admin.fetchTopicOffsetsByTimestamp(topic, ts))).map((m) => [
            m.partition,
            BigInt(m.offset),
          ]),
        );
      const startTimes = this.startup.mode === 'timestamp' ? await byTime(this.startup.timestamp) : null;
      const endTimes = this.end.mode === 'timestamp' ? await byTime(this.end.timestamp) : null;
      const reset =
        (this.table.options.get('properties.auto.offset.reset') ?? 'earliest') === 'latest' ? high : low;
      for (const st of this.order.filter((s) => s.topic === topic)) {
        const p = st.partition;
        const lo = low.get(p) ?? 0n;
        const hi = high.get(p) ?? 0n;
        const group = groupOffsets.get(p) ?? -1n;
        let start: bigint;
        const restored = this.restored?.[st.split];
        if (restored !== undefined) start = BigInt(restored);
        else {
          switch (this.startup.mode) {
            case 'earliest-offset':
              start = lo;
              break;
            case 'latest-offset':
              start = hi;
              break;
            case 'group-offsets':
              start = group >= 0n ? group : (reset.get(p) ?? lo);
              break;
            case 'timestamp': {
              const t = startTimes?.get(p) ?? -1n;
              start = t >= 0n ? t : hi;
              break;
            }
            case 'specific-offsets':
              start = this.startup.offsets.get(p) ?? (group >= 0n ? group : lo);
              break;
          }
        }
        if (start < lo) start = lo;
        if (start > hi) start = hi;
        st.next = start;
        st.fetched = start;
        st.high = hi;
        switch (this.end.mode) {
          case 'unbounded':
            st.end = null;
            break;
          case 'latest-offset':
            st.end = hi;
            break;
          case 'group-offsets':
            st.end = group >= 0n ? group : hi;
            break;
          case 'timestamp': {
            const t = endTimes?.get(p) ?? -1n;
            st.end = t >= 0n ? t : hi;
            break;
          }
          case 'specific-offsets':
            st.end = this.end.offsets.get(p) ?? hi;
            break;
        }
      }
    }
  }

  private atEnd(st: PartitionState): boolean {
    return st.end !== null && st.next >= st.end && st.buffer.length === 0;
  }

  private signal(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async onBatch({ batch, resolveOffset }: EachBatchPayload): Promise<void> {
    const st = this.parts.get(`${batch.topic}-${batch.partition}`);
    if (!st) return;
    for (const message of batch.messages) {
      const off = BigInt(message.offset);
      // Records before the start (a fetch already in flight) or past a bounded end are not ours.
      if (off < st.next || (st.end !== null && off >= st.end)) continue;
      if (
        st.buffer.length > 0 &&
        off <= BigInt((st.buffer[st.buffer.length - 1] as FetchedRecord).message.offset)
      )
        continue;
      st.buffer.push({ topic: batch.topic, partition: batch.partition, message });
      resolveOffset(message.offset);
    }
    const last = BigInt(batch.lastOffset()) + 1n;
    if (last > st.fetched) st.fetched = last;
    const high = BigInt(batch.highWatermark);
    if (high > st.high) st.high = high;
    const full = st.buffer.length >= BUFFER_PER_PARTITION;
    const done = st.end !== null && st.fetched >= st.end;
    if ((full || done) && !st.paused) {
      st.paused = true;
      this.consumer?.pause([{ topic: st.topic, partitions: [st.partition] }]);
    }
    this.signal();
  }

  /** Records fetched and not yet returned by next() (bounded by the per-partition pause). */
  buffered(): number {
    let n = 0;
    for (const st of this.order) n += st.buffer.length;
    return n;
  }

  splits(): readonly string[] {
    // A finished partition of a bounded read no longer holds the watermark back.
    return this.order.filter((s) => !this.atEnd(s)).map((s) => s.split);
  }

  async next(maxRows: number): Promise<SourceBatch | null> {
    // The runtime pulls again only once the previous batch's outputs were flushed: acknowledge it
    // (with checkpoints, the runtime acknowledges each completed checkpoint's position instead).
    if (this.ctx?.checkpointing !== true && this.ctx?.acknowledgedByRuntime !== true)
      await this.acknowledge(this.handedOut);
    this.handedOut = {};
    if (this.crashed) throw this.crashed;
    this.refreshHighWatermarks();
    let st = this.pick();
    if (st === null) {
      if (this.order.every((s) => this.atEnd(s))) {
        if (this.bounded) {
          await this.commit(true);
          return null;
        }
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, WAIT_MS);
      });
      if (this.crashed) throw this.crashed;
      st = this.pick();
      if (st === null) {
        if (this.bounded && this.order.every((s) => this.atEnd(s))) {
          await this.commit(true);
          return null;
        }
        return { rows: [], kinds: null, split: this.order[0]?.split ?? '', positions: [] };
      }
    }
    return this.take(st, maxRows);
  }

  /** The next partition with buffered records, round-robin. */
  private pick(): PartitionState | null {
    for (let i = 0; i < this.order.length; i++) {
      const st = this.order[(this.cursor + i) % this.order.length] as PartitionState;
      if (st.buffer.length > 0) {
        this.cursor = (this.cursor + i + 1) % this.order.length;
        return st;
      }
    }
    return null;
  }

  private async take(st: PartitionState, maxRows: number): Promise<SourceBatch> {
    const rows: Row[] = [];
    const kinds: RowKind[] = [];
    const positions: string[] = [];
    let taken = 0;
    while (taken < st.buffer.length && rows.length < maxRows) {
      const r = st.buffer[taken] as FetchedRecord;
      taken++;
      await this.decodeInto(r, rows, kinds, positions);
      st.next = BigInt(r.message.offset) + 1n;
    }
    st.buffer = st.buffer.slice(taken);
    if (st.end !== null && st.fetched >= st.end && st.buffer.length === 0) {
      if (st.end > st.next) st.next = st.end;
    }
    this.handedOut[st.split] = String(st.next);
    if (
      st.paused &&
      !(st.end !== null && st.fetched >= st.end) &&
      st.buffer.length < BUFFER_PER_PARTITION / 2
    ) {
      st.paused = false;
      this.consumer?.resume([{ topic: st.topic, partitions: [st.partition] }]);
    }
    const allInsert = kinds.every((k) => k === RowKind.INSERT);
    return { rows, kinds: allInsert ? null : kinds, split: st.split, positions };
  }

  private async decodeInto(
    r: FetchedRecord,
    rows: Row[],
    kinds: RowKind[],
    positions: string[],
  ): Promise<void> {
    const pos = recordPosition(r);
    const changes = this.upsert ? this.upsertChanges(r) : this.decoder.decode(r);
    if (changes.error !== undefined) {
      const error = recordDecodeError(this.table, r, changes.error);
      if (this.dlq !== null && this.deadLetterTopic !== null) {
        await this.deadLetter(r, error);
        this.ctx?.skipped(error, pos);
        return;
      }
      if (changes.skip || this.skipErrors) {
        this.ctx?.skipped(error, pos);
        return;
      }
      throw error;
    }
    for (let i = 0; i < changes.rows.length; i++) {
      rows.push(changes.rows[i] as Row);
      kinds.push(changes.kinds[i] as RowKind);
      positions.push(pos);
    }
  }

  /**
   * upsert-kafka: the first value of a key is +I, a later one -U (the previous row) and +U, a record
   * without a value -D of the previous row (nothing if the key was never seen).
   */
  private upsertChanges(
    r: FetchedRecord,
  ): { kinds: RowKind[]; rows: Row[]; error?: undefined } | { error: Error; skip: boolean } {
    const key = this.decoder.keyValues(r);
    if ('error' in key) return key;
    const id = r.message.key === null ? '' : r.message.key.toString('latin1');
    const old = this.lastByKey.get(id);
    if (r.message.value === null) {
      if (old === undefined) return { kinds: [], rows: [] };
      this.lastByKey.delete(id);
      return { kinds: [RowKind.DELETE], rows: [old] };
    }
    const value = this.decoder.valueChanges(r);
    if (value.error !== undefined) return value;
    const last = value.rows[value.rows.length - 1];
    if (last === undefined) return { kinds: [], rows: [] };
    const row = this.decoder.assemble(r, key.values, last);
    this.lastByKey.set(id, row);
    if (old === undefined) return { kinds: [RowKind.INSERT], rows: [row] };
    return { kinds: [RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER], rows: [old, row] };
  }

  /** Sends the record unchanged (key, value, headers, timestamp, partition) with the error as a header. */
  private async deadLetter(r: FetchedRecord, error: RivuletError): Promise<void> {
    const m = r.message;
    await (this.dlq as Producer).send({
      topic: this.deadLetterTopic as string,
      acks: -1,
      messages: [
        {
          key: m.key,
          value: m.value,
          timestamp: m.timestamp,
          headers: {
            ...(m.headers ?? {}),
            'x-rivulet-error': error.message,
            'x-rivulet-source': recordPosition(r),
          },
        },
      ],
    });
  }

  /**
   * Consumer lag per partition: records between the next offset to hand out and the high watermark
   * (for a bounded read, its end offset). Records fetched but not yet pulled count as lag.
   */
  lag(): ReadonlyMap<string, number> {
    const out = new Map<string, number>();
    for (const st of this.order) {
      const target = st.end ?? st.high;
      out.set(st.split, target > st.next ? Number(target - st.next) : 0);
    }
    return out;
  }

  private highRefreshAt = 0;
  private highRefreshing = false;

  /** Reads the high watermarks in the background at most every few seconds (they only feed lag). */
  private refreshHighWatermarks(): void {
    const admin = this.admin;
    const now = Date.now();
    if (admin === null || this.highRefreshing || now - this.highRefreshAt < HIGH_WATERMARK_REFRESH_MS) return;
    this.highRefreshing = true;
    this.highRefreshAt = now;
    const topics = [...new Set(this.order.map((s) => s.topic))];
    void Promise.all(
      topics.map(async (topic) => {
        for (const m of await admin.fetchTopicOffsets(topic)) {
          const st = this.parts.get(`${topic}-${m.partition}`);
          const high = BigInt(m.high);
          if (st && high > st.high) st.high = high;
        }
      }),
    )
      .catch(() => {
        // Lag is a metric: a failed read leaves the last known values, and the next pull tries again.
      })
      .finally(() => {
        this.highRefreshing = false;
      });
  }

  position(): unknown {
    const out: PositionData = {};
    for (const st of this.order) out[st.split] = String(st.next);
    return out;
  }

  /**
   * upsert-kafka: the last row per key, as a copy-on-write view (the checkpoint writer drains it while
   * processing goes on). A plain kafka source keeps no state.
   */
  snapshotState(): unknown {
    if (!this.upsert) return undefined;
    return { lastByKey: this.lastByKey.snapshotDeferred() };
  }

  /** Called before open(), with what snapshotState() gave as plain data (`[key, row]` pairs). */
  restoreState(state: unknown): void {
    const entries = (state as { lastByKey?: unknown } | null)?.lastByKey;
    if (!this.upsert || !Array.isArray(entries)) {
      throw new RivuletError(
        'runtime',
        'STATE_INCOMPATIBLE',
        `the checkpointed state of the source of table '${this.table.name}' is not the last rows per key of an upsert-kafka source; start without it (a new job name) or undo the change`,
      );
    }
    this.lastByKey.restore(entries as [StateKey, Row][]);
  }

  async seek(position: unknown): Promise<void> {
    const data = position as PositionData;
    if (this.consumer === null) {
      this.restored = { ...data };
      return;
    }
    for (const st of this.order) {
      const off = data[st.split];
      if (off === undefined) continue;
      st.buffer = [];
      st.next = BigInt(off);
      st.fetched = st.next;
      this.consumer.seek({ topic: st.topic, partition: st.partition, offset: off });
    }
  }

  /** Rows before `position` (split -> next offset) are durably processed: their offsets may be committed. */
  async acknowledge(position: unknown): Promise<void> {
    Object.assign(this.acknowledged, position as PositionData);
    await this.commit(false);
  }

  private async commit(force: boolean): Promise<void> {
    if (this.admin === null || this.group === null) return;
    const group = this.group;
    const admin = this.admin;
    const now = Date.now();
    if (!force && now - this.lastCommit < COMMIT_INTERVAL_MS) return;
    const offsets = Object.entries(this.acknowledged)
      .filter(([split, off]) => this.committed[split] !== off)
      .map(([split, offset]) => {
        const st = this.parts.get(split) as PartitionState;
        return { topic: st.topic, partition: st.partition, offset };
      });
    this.lastCommit = now;
    if (offsets.length === 0) return;
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const o of offsets)
      byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
    for (const [topic, partitions] of byTopic) {
      try {
        await retrying(() => admin.setOffsets({ groupId: group, topic, partitions }));
      } catch (e) {
        throw new RivuletError(
          'connector',
          'KAFKA_COMMIT',
          `Cannot commit offsets of table '${this.table.name}' to the consumer group '${group}' (is another application consuming with this group?): ${(e as Error).message}`,
          undefined,
          { cause: e },
        );
      }
    }
    for (const o of offsets) this.committed[`${o.topic}-${o.partition}`] = o.offset;
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.discoveryTimer !== null) clearInterval(this.discoveryTimer);
    this.discoveryTimer = null;
    await this.discovering;
    this.signal();
    try {
      await this.consumer?.disconnect();
      await this.commit(true).catch(() => {});
    } finally {
      await this.dlq?.disconnect().catch(() => {});
      await this.admin?.disconnect().catch(() => {});
      this.consumer = null;
    }
  }
}
