/**
 * `'connector' = 'kafka'` and `'connector' = 'upsert-kafka'`: see docs/kafka.md for every option.
 */
import type { ConnectorFactory } from '../api.ts';
import { KAFKA_OPTIONS, UPSERT_KAFKA_OPTIONS } from './options.ts';
import { KafkaSink } from './sink.ts';
import { KafkaSource } from './source.ts';

export const kafkaConnector: ConnectorFactory = {
  identifier: 'kafka',
  options: KAFKA_OPTIONS,
  createSource: (table) => new KafkaSource(table, false),
  createSink: (table) => new KafkaSink(table, false),
};

export const upsertKafkaConnector: ConnectorFactory = {
  identifier: 'upsert-kafka',
  options: UPSERT_KAFKA_OPTIONS,
  createSource: (table) => new KafkaSource(table, true),
  createSink: (table) => new KafkaSink(table, true),
};
