/** The connectors every session knows. */
import { datagenConnector } from './datagen.ts';
import { blackholeConnector, printConnector } from './print.ts';
import { ConnectorRegistry } from './registry.ts';

export function defaultConnectors(): ConnectorRegistry {
  const registry = new ConnectorRegistry();
  registry.register(datagenConnector);
  registry.register(printConnector());
  registry.register(blackholeConnector);
  return registry;
}
