/**
 * One Kafka transaction per checkpoint epoch, shared by every exactly-once Kafka sink of a job that
 * writes to the same cluster, so a checkpoint's output to all of them commits atomically (a crash
 * between two sinks' separate commits would otherwise leave one ahead of the other, and the replay
 * would duplicate that one's output).
 *
 * Steps:
 *  1. join(): the first exactly-once sink of a job (the job's SinkContext object identifies the job)
 *     on a cluster creates the producer, with the transactional id `<its sink.transactional-id-prefix>-0`
 *     (sinks open in plan order, so a restarted job uses the same id), and fences the previous run:
 *     kafkajs's InitProducerId makes the broker abort that run's open transaction. Later sinks attach.
 *  2. current(): the epoch's transaction, begun on first use.
 *  3. seal(id) at a checkpoint (each sink's prepareCommit, after its own flush): the open transaction
 *     becomes epoch `id`'s (begun if nothing was written: it still carries the checkpoint id); until it
 *     commits, sinks hold their sends behind `gate`.
 *  4. commit(id) once the checkpoint file is durable: the id is added to the transaction as the offset
 *     of partition 0 of each sink's topic in the group `<sink prefix>-rivulet-checkpoints`, then the
 *     transaction commits; output and id are committed atomically. committed() reads the id back.
 *  5. leave(): the last sink to close disconnects the producer.
 */
import type { Kafka, Producer, Transaction } from 'kafkajs';
import type { SinkContext } from '../api.ts';

/** Retries a request while the broker answers with a retriable error (e.g. not the coordinator yet). */
export async function retrying<R>(f: () => Promise<R>): Promise<R> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await f();
    } catch (e) {
      if (attempt >= 30 || (e as { retriable?: boolean }).retriable !== true) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** A member sink: where its checkpoint id is recorded. */
interface Member {
  readonly topic: string;
  readonly markerGroup: string;
}

export class EpochTransactions {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly members = new Set<Member>();
  private open: Promise<Transaction> | null = null;
  private sealed: { id: number; transaction: Transaction; release: () => void } | null = null;
  /** Resolves when the sealed epoch committed or aborted: sends of the next epoch wait for it. */
  gate: Promise<void> = Promise.resolve();
  private lastSealed = -1;
  private lastCommitted = -1;

  private constructor(kafka: Kafka, producer: Producer) {
    this.kafka = kafka;
    this.producer = producer;
  }

  private static readonly byJob = new WeakMap<SinkContext, Map<string, Promise<EpochTransactions>>>();

  /** The job's shared transactions on the cluster `clusterKey` (created, and fencing done, by the first sink). */
  static async join(
    ctx: SinkContext,
    clusterKey: string,
    create: () => { kafka: Kafka; producer: Producer },
    member: Member,
  ): Promise<EpochTransactions> {
    let perJob = EpochTransactions.byJob.get(ctx);
    if (!perJob) {
      perJob = new Map();
      EpochTransactions.byJob.set(ctx, perJob);
    }
    let shared = perJob.get(clusterKey);
    if (!shared) {
      shared = (async () => {
        const { kafka, producer } = create();
        await producer.connect();
        // Fence the previous run (InitProducerId aborts its open transaction); aborting this empty
        // transaction sends nothing.
        const t = await producer.transaction();
        await t.abort();
        return new EpochTransactions(kafka, producer);
      })();
      perJob.set(clusterKey, shared);
    }
    const txns = await shared;
    txns.members.add(member);
    return txns;
  }

  /** The open transaction of the current epoch. */
  current(): Promise<Transaction> {
    if (this.open === null) this.open = this.producer.transaction();
    return this.open;
  }

  /** Seals the open transaction as epoch `id` (once per id, whichever sink asks first). */
  async seal(id: number): Promise<void> {
    if (this.lastSealed >= id) return;
    this.lastSealed = id;
    const transaction = await this.current();
    this.open = null;
    let release: () => void = () => {};
    this.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.sealed = { id, transaction, release };
  }

  /** Commits epoch `id` with the id recorded for every member (once per id). */
  async commit(id: number): Promise<void> {
    const sealed = this.sealed;
    if (sealed === null || sealed.id !== id || this.lastCommitted >= id) return;
    this.sealed = null;
    try {
      for (const m of this.members) {
        await retrying(() =>
          sealed.transaction.sendOffsets({
            consumerGroupId: m.markerGroup,
            topics: [{ topic: m.topic, partitions: [{ partition: 0, offset: String(id) }] }],
          }),
        );
      }
      await sealed.transaction.commit();
      this.lastCommitted = id;
    } finally {
      sealed.release();
    }
  }

  /** Aborts the sealed and the open transaction (after a failure, or when the job is cancelled). */
  async abort(): Promise<void> {
    const sealed = this.sealed;
    this.sealed = null;
    sealed?.release();
    await sealed?.transaction.abort().catch(() => {});
    const open = this.open;
    this.open = null;
    if (open) await (await open).abort().catch(() => {});
  }

  /** The newest checkpoint id committed for `member` (null: none yet). */
  async committed(member: Member): Promise<number | null> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [topic] = await retrying(() =>
        admin.fetchOffsets({ groupId: member.markerGroup, topics: [member.topic] }),
      );
      const p0 = topic?.partitions.find((p) => p.partition === 0);
      const id = p0 ? Number(p0.offset) : -1;
      return id >= 0 ? id : null;
    } finally {
      await admin.disconnect();
    }
  }

  /** A sink closes; the last one disconnects the producer. */
  async leave(member: Member): Promise<void> {
    this.members.delete(member);
    if (this.members.size === 0) await this.producer.disconnect();
  }
}
