/** The connectors every session knows. */
import { datagenConnector } from './datagen.ts';
import { filesystemConnector } from './filesystem.ts';
import { kafkaConnector, upsertKafkaConnector } from './kafka/index.ts';
import { nexmarkConnector } from './nexmark.ts';
import { blackholeConnector, printConnector } from './print.ts';
import { ConnectorRegistry } from './registry.ts';
import { valuesConnector } from './values.ts';

export function defaultConnectors(): ConnectorRegistry {
  const registry = new ConnectorRegistry();
  registry.register(datagenConnector);
  registry.register(printConnector());
  registry.register(blackholeConnector);
  registry.register(filesystemConnector);
  registry.register(valuesConnector);
  registry.register(kafkaConnector);
  registry.register(upsertKafkaConnector);
  registry.register(nexmarkConnector);
  return registry;
}
