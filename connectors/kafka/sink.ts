/**
 * The Kafka sinks. `kafka` writes every change as a record (its value format decides which changes it
 * can carry); `upsert-kafka` writes +I/+U as the key's new value and -D as a tombstone (a record with
 * the key and no value), ignoring -U (the +U that follows replaces the value).
 *
 * Steps:
 *  1. write() encodes the change into a record and buffers it (upsert-kafka with `sink.buffer-flush.*`
 *     keeps only the last change per key in the buffer, so repeated updates of a key are written once).
 *  2. flush() sends the buffer with acks=all and resolves only once the broker acknowledged it; a send
 *     that still fails after the client's retries rejects, which fails the job.
 *  3. exactly-once: records are sent inside a kafkajs transaction (transactional id
 *     `<sink.transactional-id-prefix>-0`: one writer); prepareCommit flushes into it, commit commits it,
 *     abort aborts it. Without checkpointing, one transaction spans the job: closing the sink of a job
 *     that ended without failing commits it (the end of a bounded input is its last checkpoint); a
 *     failed job aborts.
 *  4. exactly-once with checkpointing (runtime/checkpoint): one transaction per checkpoint epoch,
 *     shared by the job's exactly-once Kafka sinks on the cluster (transactions.ts). prepareCommit(id)
 *     flushes into the epoch's transaction and seals it; writes that follow wait (a gate in the send
 *     chain) until commit(id), which records the checkpoint id in the transaction and commits. The id
 *     is committed atomically with the output: committedCheckpoint() reads it back so recovery never
 *     restores a checkpoint whose output was lost (a crash between the checkpoint file and the commit).
 */
import { type Admin, Kafka, type Message, Partitioners, type Producer, type Transaction } from 'kafkajs';
import { RivuletError } from '../../common/errors.ts';
import { type Row, RowKind } from '../../operators/api.ts';
import type { ChangelogMode, SinkContext, SinkWriter, TableInfo } from '../api.ts';
import { numberOption } from '../registry.ts';
import {
  clientConfig,
  type DeliveryGuarantee,
  deliveryGuarantee,
  durationOption,
  layout,
  type Partitioner,
  partitioner,
  sinkTopic,
  writableMetadata,
} from './options.ts';
import { RecordEncoder } from './records.ts';
import { EpochTransactions } from './transactions.ts';

export class KafkaSink implements SinkWriter {
  readonly accepts: ChangelogMode;
  private readonly table: TableInfo;
  private readonly upsert: boolean;
  private readonly topic: string;
  private readonly encoder: RecordEncoder;
  private readonly partitioner: Partitioner;
  private readonly guarantee: DeliveryGuarantee;
  private readonly transactionalId: string | null;
  /** Column index of a written `partition` metadata column (Rivulet: the record goes there). */
  private readonly partitionColumn: number;
  private readonly maxRows: number;
  private readonly reduce: boolean;
  private kafka: Kafka | null = null;
  private producer: Producer | null = null;
  private transaction: Transaction | null = null;
  private partitions = 1;
  private roundRobin = 0;
  private buffer: Message[] = [];
  /** upsert-kafka with buffering: the last record per key, in first-write order. */
  private readonly byKey = new Map<string, Message>();
  private sending: Promise<void> = Promise.resolve();
  /** Exactly-once with checkpointing: the job's per-epoch transactions, and where this sink's id goes. */
  private checkpointing = false;
  private epochs: EpochTransactions | null = null;
  private readonly member: { topic: string; markerGroup: string } | null;

  constructor(table: TableInfo, upsert: boolean) {
    this.table = table;
    this.upsert = upsert;
    const lay = layout(table, upsert);
    const written = writableMetadata(table, lay);
    this.encoder = new RecordEncoder(
      table,
      lay,
      written.filter((m) => m.metadataKey !== 'partition'),
    );
    const pIndex = written.findIndex((m) => m.metadataKey === 'partition');
    // The encoder reads metadata by position among the columns it knows: keep `partition` last.
    if (pIndex >= 0 && pIndex !== written.length - 1) {
      throw new RivuletError(
        'plan',
        'METADATA_ORDER',
        `Table '${table.name}': declare the written 'partition' metadata column after the other metadata columns`,
      );
    }
    this.partitionColumn = pIndex < 0 ? -1 : lay.physical.length + pIndex;
    this.topic = sinkTopic(table);
    this.partitioner = partitioner(table);
    const dg = deliveryGuarantee(table);
    this.guarantee = dg.guarantee;
    this.transactionalId = dg.guarantee === 'exactly-once' ? `${dg.transactionalIdPrefix}-0` : null;
    this.member =
      dg.guarantee === 'exactly-once'
        ? { topic: this.topic, markerGroup: `${dg.transactionalIdPrefix}-rivulet-checkpoints` }
        : null;
    this.accepts = upsert ? 'upsert' : lay.value.format.changelogMode;
    clientConfig(table, 'sink');
    const maxRows = numberOption(table, 'sink.buffer-flush.max-rows', 0);
    const interval = durationOption(table, 'sink.buffer-flush.interval');
    if (maxRows > 0 !== interval > 0) {
      throw new RivuletError(
        'plan',
        'OPTION_INVALID',
        `Table '${table.name}': 'sink.buffer-flush.max-rows' and 'sink.buffer-flush.interval' are set together (both > 0) or not at all`,
      );
    }
    this.maxRows = maxRows;
    this.reduce = upsert && maxRows > 0;
  }

  async open(ctx?: SinkContext): Promise<void> {
    this.checkpointing = ctx?.checkpointing === true;
    this.kafka = new Kafka(clientConfig(this.table, 'sink'));
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [this.topic] });
      this.partitions = Math.max(1, meta.topics[0]?.partitions.length ?? 1);
    } finally {
      await admin.disconnect();
    }
    const member = this.member;
    if (this.checkpointing && member !== null) {
      // Exactly-once with checkpoints: the job's shared per-epoch transactions (transactions.ts).
      const kafka = this.kafka;
      const transactionalId = this.transactionalId as string;
      const clusterKey = JSON.stringify(clientConfig(this.table, 'sink').brokers);
      this.epochs = await EpochTransactions.join(
        ctx as SinkContext,
        clusterKey,
        () => ({ kafka, producer: this.newProducer(kafka, transactionalId) }),
        member,
      );
      return;
    }
    this.producer = this.newProducer(this.kafka, this.transactionalId);
    await this.producer.connect();
  }

  private newProducer(kafka: Kafka, transactionalId: string | null): Producer {
    return kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      // Idempotent: a send the client retries (e.g. after a timeout) is not written twice.
      ...(this.guarantee !== 'none' ? { idempotent: true, maxInFlightRequests: 1 } : {}),
      ...(transactionalId !== null ? { transactionalId } : {}),
    });
  }

  async committedCheckpoint(): Promise<number | null> {
    if (this.epochs === null || this.member === null) return null;
    return this.epochs.committed(this.member);
  }

  write(kind: RowKind, row: Row): void {
    if (this.upsert && kind === RowKind.UPDATE_BEFORE) return;
    const tombstone = this.upsert && kind === RowKind.DELETE;
    const rec = this.encoder.encode(kind, row, tombstone);
    const message: Message = { key: rec.key, value: rec.value };
    if (rec.headers) message.headers = rec.headers;
    if (rec.timestamp !== undefined) message.timestamp = rec.timestamp;
    const partition = this.partitionOf(row);
    if (partition !== null) message.partition = partition;
    if (this.reduce) {
      const id = rec.key === null ? '' : rec.key.toString('latin1');
      this.byKey.delete(id);
      this.byKey.set(id, message);
      if (this.byKey.size >= this.maxRows) this.startSend();
    } else this.buffer.push(message);
  }

  private partitionOf(row: Row): number | null {
    if (this.partitionColumn >= 0) {
      const p = row[this.partitionColumn];
      if (p !== null && p !== undefined) return Number(p);
    }
    switch (this.partitioner) {
      case 'fixed':
        // Flink's fixed partitioner: writer i writes partition i % partitions; Rivulet has one writer.
        return 0;
      case 'round-robin':
        return this.roundRobin++ % this.partitions;
      default:
        return null;
    }
  }

  /** Starts sending the buffer; sends are chained so records keep their order. */
  private startSend(): void {
    const messages = this.reduce ? [...this.byKey.values()] : this.buffer;
    this.byKey.clear();
    this.buffer = [];
    if (messages.length === 0) return;
    this.sending = this.sending.then(() => this.send(messages));
  }

  private async send(messages: Message[]): Promise<void> {
    if (this.epochs !== null) {
      const t = await this.epochs.current();
      await t.send({ topic: this.topic, messages, acks: -1 });
      return;
    }
    const producer = this.producer as Producer;
    if (this.transactionalId !== null) {
      if (this.transaction === null) this.transaction = await producer.transaction();
      await this.transaction.send({ topic: this.topic, messages, acks: -1 });
      return;
    }
    await producer.send({ topic: this.topic, messages, acks: this.guarantee === 'none' ? 1 : -1 });
  }

  async flush(): Promise<void> {
    this.startSend();
    const sending = this.sending;
    // A failed send fails this flush (and the job), and is not retried by later flushes.
    this.sending = sending.catch(() => {});
    await sending;
  }

  async prepareCommit(checkpointId: number): Promise<void> {
    await this.flush();
    const epochs = this.epochs;
    if (epochs === null) return;
    await epochs.seal(checkpointId);
    // Sends of the next epoch wait until this one committed (one transaction at a time per producer).
    const gate = epochs.gate;
    this.sending = this.sending.then(() => gate);
  }

  async commit(checkpointId: number): Promise<void> {
    if (this.epochs !== null) {
      await this.epochs.commit(checkpointId);
      return;
    }
    await this.flush();
    const t = this.transaction;
    this.transaction = null;
    await t?.commit();
  }

  async abort(): Promise<void> {
    this.buffer = [];
    this.byKey.clear();
    if (this.epochs !== null) {
      await this.epochs.abort();
      await this.sending.catch(() => {});
      return;
    }
    await this.sending.catch(() => {});
    const t = this.transaction;
    this.transaction = null;
    await t?.abort();
  }

  async close(): Promise<void> {
    try {
      // With checkpoints, output after the last checkpoint is not committed: it is replayed on restore.
      if (this.epochs !== null && this.member !== null) {
        await this.abort();
        await this.epochs.leave(this.member);
        this.epochs = null;
      } else if (this.transaction !== null) await this.commit(0);
    } finally {
      await this.producer?.disconnect();
      this.producer = null;
    }
  }
}
