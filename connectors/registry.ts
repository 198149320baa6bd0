/**
 * Connector factories by identifier, and the validation of a table's `WITH` options against the
 * options a connector (and its formats) declare: an unknown or misspelled key is a planning error that
 * lists the valid ones, with a did-you-mean.
 */
import { RivuletError } from '../common/errors.ts';
import { didYouMean } from '../common/text.ts';
import type { ConnectorFactory, OptionSpec, ScanSource, SinkWriter, TableInfo } from './api.ts';

export class ConnectorRegistry {
  private readonly factories = new Map<string, ConnectorFactory>();

  register(factory: ConnectorFactory): void {
    this.factories.set(factory.identifier, factory);
  }

  identifiers(): string[] {
    return [...this.factories.keys()].sort();
  }

  /** The factory for a table's `'connector'` option, after validating all its options. */
  factoryFor(table: TableInfo): ConnectorFactory {
    const id = table.options.get('connector');
    if (id === undefined) {
      throw new RivuletError(
        'plan',
        'CONNECTOR_MISSING',
        `Table '${table.name}' has no 'connector' option. Available connectors: ${this.identifiers().join(', ')}`,
      );
    }
    const factory = this.factories.get(id);
    if (!factory) {
      throw new RivuletError(
        'plan',
        'CONNECTOR_UNKNOWN',
        `Table '${table.name}': unknown connector '${id}'. Available connectors: ${this.identifiers().join(', ')}`,
      );
    }
    validateOptions(table, factory.options);
    return factory;
  }

  createSource(table: TableInfo): ScanSource {
    const factory = this.factoryFor(table);
    if (!factory.createSource) {
      throw new RivuletError(
        'plan',
        'CONNECTOR_NO_SOURCE',
        `Connector '${factory.identifier}' of table '${table.name}' cannot be read from (it is a sink only)`,
      );
    }
    return factory.createSource(table);
  }

  createSink(table: TableInfo): SinkWriter {
    const factory = this.factoryFor(table);
    if (!factory.createSink) {
      throw new RivuletError(
        'plan',
        'CONNECTOR_NO_SINK',
        `Connector '${factory.identifier}' of table '${table.name}' cannot be written to (it is a source only)`,
      );
    }
    return factory.createSink(table);
  }
}

/** Checks required options are present and every given key is declared (exactly or by prefix). */
export function validateOptions(table: TableInfo, specs: readonly OptionSpec[]): void {
  const all: OptionSpec[] = [
    { key: 'connector', description: 'the connector' },
    // Any connector's versioned table may keep its history for time travel (runtime/version-store.ts).
    { key: 'versioned.history-retention', description: 'how long a versioned table keeps its history' },
    ...specs,
  ];
  for (const key of table.options.keys()) {
    const known = all.some((s) => (s.prefix ? key.startsWith(s.key) : s.key === key));
    if (!known) {
      const names = all.map((s) => (s.prefix ? `${s.key}*` : s.key));
      const close = didYouMean(key, names, 2);
      throw new RivuletError(
        'plan',
        'OPTION_UNKNOWN',
        `Unsupported option '${key}' for connector '${table.options.get('connector')}' of table '${table.name}'${close ? `; did you mean '${close}'?` : ''}. Supported options: ${names.sort().join(', ')}`,
      );
    }
  }
  for (const s of all) {
    if (s.required && !s.prefix && !table.options.has(s.key)) {
      throw new RivuletError(
        'plan',
        'OPTION_MISSING',
        `Table '${table.name}' needs the option '${s.key}' (${s.description})`,
      );
    }
  }
}

/** Reads an option with a default, as a string. */
export function option(table: TableInfo, key: string, fallback: string): string {
  return table.options.get(key) ?? fallback;
}

/** Reads a numeric option, with a clear error for a non-number. */
export function numberOption(table: TableInfo, key: string, fallback: number): number {
  const v = table.options.get(key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) {
    throw new RivuletError(
      'plan',
      'OPTION_INVALID',
      `Option '${key}' of table '${table.name}' must be a number, found '${v}'`,
    );
  }
  return n;
}

export function booleanOption(table: TableInfo, key: string, fallback: boolean): boolean {
  const v = table.options.get(key);
  if (v === undefined) return fallback;
  if (/^true$/i.test(v)) return true;
  if (/^false$/i.test(v)) return false;
  throw new RivuletError(
    'plan',
    'OPTION_INVALID',
    `Option '${key}' of table '${table.name}' must be 'true' or 'false', found '${v}'`,
  );
}
