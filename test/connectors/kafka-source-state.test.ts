/**
 * The Kafka source's own checkpointed state, without a broker: upsert-kafka snapshots its last row per
 * key (restored as it was taken), a plain kafka source has none and refuses state saved by an
 * upsert-kafka one. The broker tests (test/kafka/upsert-checkpoint.test.ts) cover what the state holds.
 */
import { describe, expect, it } from 'vitest';
import { T } from '../../catalog/types.ts';
import type { TableInfo } from '../../connectors/api.ts';
import { kafkaConnector, upsertKafkaConnector } from '../../connectors/kafka/index.ts';
import { materializeSnapshot } from '../../operators/state.ts';

const table: TableInfo = {
  name: 'accounts',
  columns: [
    { name: 'id', type: T.string(false) },
    { name: 'amount', type: T.bigint() },
  ],
  primaryKey: ['id'],
  options: new Map([
    ['properties.bootstrap.servers', '127.0.0.1:9'],
    ['topic', 'accounts'],
    ['key.format', 'json'],
    ['value.format', 'json'],
  ]),
};

const plainTable: TableInfo = {
  ...table,
  primaryKey: [],
  options: new Map([
    ['properties.bootstrap.servers', '127.0.0.1:9'],
    ['topic', 'accounts'],
    ['format', 'json'],
  ]),
};

const upsertSource = () => upsertKafkaConnector.createSource?.(table);
const plainSource = () => kafkaConnector.createSource?.(plainTable);

describe('Kafka source state', () => {
  it('upsert-kafka: the last rows per key round-trip through a checkpoint', () => {
    const entries = [
      ['{"id":"a"}', ['a', 10n]],
      ['{"id":"b"}', ['b', null]],
      ['', ['c', 7n]],
    ];
    const restored = upsertSource();
    restored?.restoreState?.({ lastByKey: structuredClone(entries) });
    expect(materializeSnapshot(restored?.snapshotState?.())).toEqual({ lastByKey: entries });
    // A snapshot ends when drained: the next one can start.
    expect(materializeSnapshot(restored?.snapshotState?.())).toEqual({ lastByKey: entries });
    // A fresh source has none.
    expect(materializeSnapshot(upsertSource()?.snapshotState?.())).toEqual({ lastByKey: [] });
  });

  it('a plain kafka source has no state, and refuses the state of an upsert-kafka source', () => {
    const source = plainSource();
    expect(source?.snapshotState?.()).toBeUndefined();
    expect(() => source?.restoreState?.({ lastByKey: [] })).toThrow(
      expect.objectContaining({ code: 'STATE_INCOMPATIBLE' }),
    );
    expect(() => upsertSource()?.restoreState?.({ something: 'else' })).toThrow(/upsert-kafka/);
  });
});
