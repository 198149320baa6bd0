/**
 * upsert-kafka keeps the last row per key to turn a new value into -U/+U and a tombstone into -D; that
 * map is checkpointed with the source's offsets. Against the real broker:
 *   - the source alone: a snapshot taken between pulls holds exactly the last rows of the records
 *     before the checkpointed offsets (not those fetched and still buffered), stays as it was while
 *     the source goes on, and a source restored from it continues the changelog of the records after
 *     those offsets as the uninterrupted source would;
 *   - a job: a GROUP BY over an upsert-kafka table stopped with a savepoint, then with a checkpoint
 *     (cancelled), while updates and tombstones of the same keys arrive, ends with the aggregate of the
 *     latest value per key, as if it had never stopped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, afterEach, beforeAll, expect, inject, it } from 'vitest';
import { T } from '../../catalog/types.ts';
import type { ConnectorFactory } from '../../connectors/api.ts';
import { defaultConnectors } from '../../connectors/index.ts';
import { upsertKafkaConnector } from '../../connectors/kafka/index.ts';
import type { KafkaSource } from '../../connectors/kafka/source.ts';
import { ROW_KIND_NAMES, type Row } from '../../operators/api.ts';
import { splitDeferred } from '../../operators/state.ts';
import { Session, type StatementResult } from '../../runtime/session.ts';
import { type External, materialize, TxnSink } from '../checkpoint/support.ts';
import { kafkaClient, uniqueName } from './support.ts';

const bootstrap = inject('kafkaBootstrap');
const kafka: Kafka = kafkaClient(bootstrap, 'rivulet-upsert-checkpoint-test');
const admin = kafka.admin();
const producer = kafka.producer();

beforeAll(async () => {
  await admin.connect();
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
  await admin.disconnect();
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const PARTITIONS = 2;
const REGIONS = ['north', 'south', 'east', 'west'];

/** One upsert record: a value for key `id`, or a tombstone (value null). */
interface UpsertRecord {
  readonly id: string;
  readonly value: { region: string; amount: number } | null;
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` records over keys k0..k{keys-1}: mostly values, some tombstones (also of keys never seen). */
function records(rand: () => number, n: number, keys: number): UpsertRecord[] {
  return Array.from({ length: n }, () => {
    const id = `k${Math.floor(rand() * keys)}`;
    if (rand() < 0.2) return { id, value: null };
    const region = REGIONS[Math.floor(rand() * REGIONS.length)] as string;
    return { id, value: { region, amount: 1 + Math.floor(rand() * 100) } };
  });
}

/** Key k<i> always goes to partition i mod PARTITIONS (upsert-kafka needs a key's records in order). */
const partitionOf = (id: string) => Number(id.slice(1)) % PARTITIONS;

/** Produces the records; returns each one's partition and offset. */
async function produce(topic: string, recs: readonly UpsertRecord[]): Promise<{ p: number; off: number }[]> {
  const before = await admin.fetchTopicOffsets(topic);
  const next = new Map(before.map((m) => [m.partition, Number(m.high)]));
  await producer.send({
    topic,
    acks: -1,
    messages: recs.map((r) => ({
      partition: partitionOf(r.id),
      key: JSON.stringify({ id: r.id }),
      value: r.value === null ? null : JSON.stringify({ id: r.id, ...r.value }),
    })),
  });
  // One send per partition appends its messages in order, after what was there.
  return recs.map((r) => {
    const p = partitionOf(r.id);
    const off = next.get(p) ?? 0;
    next.set(p, off + 1);
    return { p, off };
  });
}

async function newTopic(prefix: string): Promise<string> {
  const topic = uniqueName(prefix);
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  return topic;
}

const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}` : x));

/**
 * The upsert-kafka changelog, by brute force: a key's first value is +I, a later one -U (the previous
 * row) and +U, a tombstone -D of the previous row or nothing. Rows as [id, region, amount].
 */
function upsertChangelog(recs: readonly UpsertRecord[]): string[][] {
  const last = new Map<string, string>();
  return recs.map((r) => {
    const old = last.get(r.id);
    if (r.value === null) {
      last.delete(r.id);
      return old === undefined ? [] : [`-D${old}`];
    }
    const row = show([r.id, r.value.region, BigInt(r.value.amount)]);
    last.set(r.id, row);
    return old === undefined ? [`+I${row}`] : [`-U${old}`, `+U${row}`];
  });
}

/** The last row per key after `recs`, by brute force: key bytes (as the source names them) -> row. */
function lastRows(recs: readonly UpsertRecord[]): Map<string, string> {
  const last = new Map<string, string>();
  for (const r of recs) {
    const key = JSON.stringify({ id: r.id });
    if (r.value === null) last.delete(key);
    else last.set(key, show([r.id, r.value.region, BigInt(r.value.amount)]));
  }
  return last;
}

function upsertSource(topic: string): KafkaSource {
  return upsertKafkaConnector.createSource?.({
    name: 'accounts',
    columns: [
      { name: 'id', type: T.string(false) },
      { name: 'region', type: T.string() },
      { name: 'amount', type: T.bigint() },
    ],
    primaryKey: ['id'],
    options: new Map([
      ['connector', 'upsert-kafka'],
      ['properties.bootstrap.servers', bootstrap],
      ['topic', topic],
      ['key.format', 'json'],
      ['value.format', 'json'],
    ]),
  }) as KafkaSource;
}

/** Changes a source gave, keyed by the record (`topic/partition@offset`) each came from. */
type ChangesByRecord = Map<string, string[]>;

/** Pulls `maxRows` at a time until the source's position reaches `end` (split -> next offset). */
async function pullUntil(
  source: KafkaSource,
  end: Readonly<Record<string, string>>,
  out: ChangesByRecord,
  maxRows: number,
  between: () => void = () => {},
): Promise<void> {
  const deadline = Date.now() + 30_000;
  const reached = () => {
    const pos = source.position() as Record<string, string>;
    return Object.entries(end).every(([split, off]) => BigInt(pos[split] ?? '0') >= BigInt(off));
  };
  while (!reached()) {
    if (Date.now() > deadline)
      throw new Error(`source stuck at ${show(source.position())}, not at ${show(end)}`);
    between();
    const batch = await source.next(maxRows);
    batch?.rows.forEach((row, i) => {
      const at = batch.positions?.[i] as string;
      const kind = batch.kinds?.[i] ?? 0;
      out.set(at, [...(out.get(at) ?? []), `${ROW_KIND_NAMES[kind]}${show(row)}`]);
    });
  }
}

it('a source snapshot holds the last row per key of exactly the records before its offsets; a source restored from it continues the changelog', async () => {
  const topic = await newTopic('upsert-src-state');
  const rand = random(20240611);
  const recs = records(rand, 400, 40);
  const placed = await produce(topic, recs);
  const end: Record<string, string> = {};
  for (let p = 0; p < PARTITIONS; p++) end[`${topic}-${p}`] = String(placed.filter((x) => x.p === p).length);
  const at = (i: number) => `${topic}/${placed[i]?.p}@${placed[i]?.off}`;
  const expected = upsertChangelog(recs);

  // Pull part of it, a few rows at a time, so records are fetched and buffered but not handed out.
  const first = upsertSource(topic);
  const seen1: ChangesByRecord = new Map();
  await first.open({ jobName: 'upsert-state', now: Date.now, skipped: () => {} });
  let position: Record<string, string>;
  let plain: unknown;
  const restored: [string, Row][] = [];
  try {
    const half: Record<string, string> = {};
    for (const [split, off] of Object.entries(end)) half[split] = String(Math.floor(Number(off) / 2));
    await pullUntil(first, half, seen1, 3);
    expect(first.buffered()).toBeGreaterThan(0);

    // The checkpoint: position and state at the same instant, between pulls.
    position = first.position() as Record<string, string>;
    const split = splitDeferred(first.snapshotState());
    plain = split.plain;
    expect(split.deferred.map((d) => d.path)).toEqual([['lastByKey']]);
    const view = (split.deferred[0] as (typeof split.deferred)[number]).entries;
    // The writer drains the view a few entries at a time while the source goes on to the end.
    let drained = false;
    const drain = () => {
      if (drained) return;
      const chunk = view.next(2);
      if (chunk === null) {
        view.release();
        drained = true;
      } else restored.push(...(structuredClone(chunk) as [string, Row][]));
    };
    await pullUntil(first, end, seen1, 3, drain);
    while (!drained) drain();
  } finally {
    await first.close();
  }

  // The uninterrupted source gave the brute-force changelog.
  expect(recs.map((_, i) => seen1.get(at(i)) ?? [])).toEqual(expected);

  // The snapshot: the last row per key of the records before the checkpointed offsets, no more.
  const checkpointed = (i: number) => {
    const { p, off } = placed[i] as { p: number; off: number };
    return off < Number(position[`${topic}-${p}`]);
  };
  const indexes = recs.map((_, i) => i);
  const before = indexes.filter(checkpointed);
  const after = indexes.filter((i) => !checkpointed(i));
  expect(after.length).toBeGreaterThan(0);
  expect(new Map(restored.map(([k, row]) => [k, show(row)]))).toEqual(
    lastRows(before.map((i) => recs[i] as UpsertRecord)),
  );

  // A source restored from it (state, then position, before open) continues where the first one was.
  const second = upsertSource(topic);
  second.restoreState({ ...(plain as object), lastByKey: restored });
  await second.seek(position);
  const seen2: ChangesByRecord = new Map();
  await second.open({ jobName: 'upsert-state', now: Date.now, skipped: () => {} });
  try {
    await pullUntil(second, end, seen2, 7);
  } finally {
    await second.close();
  }
  expect(after.map((i) => seen2.get(at(i)) ?? [])).toEqual(after.map((i) => expected[i]));
  expect(seen2.size).toBe(after.filter((i) => (expected[i] ?? []).length > 0).length);
});

/** A session whose `txn` sink keeps only what checkpoints committed, in `ext` (survives the job). */
function sessionWith(ext: External): Session {
  const connectors = defaultConnectors();
  const factory: ConnectorFactory = { identifier: 'txn', options: [], createSink: () => new TxnSink(ext) };
  connectors.register(factory);
  return new Session({ connectors });
}

async function startJob(session: Session, sql: string): Promise<StatementResult & { kind: 'jobs' }> {
  const results = await session.executeScript(sql);
  const last = results[results.length - 1];
  if (last?.kind !== 'jobs') throw new Error('not a job');
  last.done.catch(() => {});
  return last;
}

/** SUM(amount), COUNT(*) per region over the latest value per key, as the sink prints the rows. */
function aggregateOfLatest(recs: readonly UpsertRecord[]): string[] {
  const latest = new Map<string, { region: string; amount: number }>();
  for (const r of recs) {
    if (r.value === null) latest.delete(r.id);
    else latest.set(r.id, r.value);
  }
  const groups = new Map<string, { sum: number; count: number }>();
  for (const v of latest.values()) {
    const g = groups.get(v.region) ?? { sum: 0, count: 0 };
    g.sum += v.amount;
    g.count++;
    groups.set(v.region, g);
  }
  return [...groups].map(([region, g]) => show([region, BigInt(g.sum), BigInt(g.count)])).sort();
}

/** Waits until the committed output, applied as a changelog, is the expected aggregate. */
async function converges(ext: External, expected: readonly string[], what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const got = materialize(ext.committed);
    if (show(got) === show(expected)) return;
    if (Date.now() > deadline) expect(got, `the committed aggregate ${what}`).toEqual(expected);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('a GROUP BY over upsert-kafka restored from a savepoint and from a checkpoint counts each key once', async () => {
  const topic = await newTopic('upsert-agg');
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-upsert-ckpt-'));
  dirs.push(dir);
  const ext: External = { committed: [], committedCheckpoint: null, crashAfter: -1, written: 0 };
  const settings = `SET 'execution.checkpointing.interval' = '100 ms';
    SET 'execution.checkpointing.dir' = '${dir}'; SET 'pipeline.name' = 'upsert-agg';`;
  const job = `CREATE TABLE accounts (id STRING, region STRING, amount BIGINT, PRIMARY KEY (id) NOT ENFORCED)
      WITH ('connector' = 'upsert-kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${bootstrap}',
        'key.format' = 'json', 'value.format' = 'json');
    CREATE TABLE totals (region STRING, total BIGINT, n BIGINT) WITH ('connector' = 'txn');
    INSERT INTO totals SELECT region, SUM(amount), COUNT(*) FROM accounts GROUP BY region;`;
  const rand = random(7);
  const all: UpsertRecord[] = [];

  // 1. Values for the keys, then STOP JOB ... WITH SAVEPOINT.
  const phase1 = records(rand, 120, 30);
  await produce(topic, phase1);
  all.push(...phase1);
  const s1 = sessionWith(ext);
  await s1.executeScript(settings);
  const job1 = await startJob(s1, job);
  await converges(ext, aggregateOfLatest(all), 'before the savepoint');
  const [stop] = await s1.executeScript(`STOP JOB '${job1.jobs[0]?.id}' WITH SAVEPOINT`);
  if (stop?.kind !== 'table') throw new Error('expected the savepoint path');
  await job1.done;

  // 2. Updates (some moving a key to another region) and tombstones of the same keys while it is
  // stopped; the job resumes from the savepoint.
  const phase2 = records(rand, 120, 30);
  await produce(topic, phase2);
  all.push(...phase2);
  const s2 = sessionWith(ext);
  await s2.executeScript(`${settings} SET 'execution.savepoint.path' = '${stop.rows[0]?.[0]}';`);
  const job2 = await startJob(s2, job);
  await converges(ext, aggregateOfLatest(all), 'after restoring the savepoint');

  // 3. More while it runs, then it is cancelled: what followed its last checkpoint is aborted, and
  // the next run restores that checkpoint (restored state checkpointed again) and replays the rest.
  for (let i = 0; i < 4; i++) {
    const more = records(rand, 30, 30);
    await produce(topic, more);
    all.push(...more);
    await new Promise((r) => setTimeout(r, 60));
  }
  job2.jobs[0]?.cancel();
  await job2.done;
  const s3 = sessionWith(ext);
  await s3.executeScript(settings);
  const job3 = await startJob(s3, job);
  await converges(ext, aggregateOfLatest(all), 'after restoring the checkpoint');
  job3.jobs[0]?.cancel();
  await job3.done;
});
