/**
 * `'connector' = 'print'`: writes every change to stdout (or stderr) as Flink does, `+I[1, abc]`,
 * prefixed by `print-identifier> ` when set. `'connector' = 'blackhole'` swallows everything (for
 * benchmarks). Both accept any changelog.
 */
import { formatValue } from '../catalog/cast.ts';
import { ROW_KIND_NAMES, type Row, type RowKind } from '../operators/api.ts';
import type { ConnectorFactory, SinkWriter, TableInfo } from './api.ts';
import { booleanOption } from './registry.ts';

class PrintSink implements SinkWriter {
  readonly accepts = 'retract' as const;
  private readonly table: TableInfo;
  private readonly prefix: string;
  private readonly out: NodeJS.WritableStream;
  private buffer: string[] = [];
  private readonly timeZone: string;

  constructor(table: TableInfo, out: NodeJS.WritableStream, timeZone = 'UTC') {
    this.table = table;
    const id = table.options.get('print-identifier');
    this.prefix = id ? `${id}> ` : '';
    this.out = out;
    this.timeZone = timeZone;
  }
  async open(): Promise<void> {}
  write(kind: RowKind, row: Row): void {
    const cols = this.table.columns;
    const fields = row.map((v, i) =>
      v === null
        ? 'null'
        : formatValue(v, (cols[i] as { type: Parameters<typeof formatValue>[1] }).type, this.timeZone),
    );
    this.buffer.push(`${this.prefix}${ROW_KIND_NAMES[kind]}[${fields.join(', ')}]\n`);
  }
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join('');
    this.buffer = [];
    if (!this.out.write(text)) await new Promise<void>((resolve) => this.out.once('drain', () => resolve()));
  }
  async close(): Promise<void> {
    await this.flush();
  }
}

class BlackholeSink implements SinkWriter {
  readonly accepts = 'retract' as const;
  count = 0;
  async open(): Promise<void> {}
  write(): void {
    this.count++;
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

export function printConnector(
  stdout: NodeJS.WritableStream = process.stdout,
  stderr: NodeJS.WritableStream = process.stderr,
): ConnectorFactory {
  return {
    identifier: 'print',
    options: [
      { key: 'print-identifier', description: 'a prefix for every printed line' },
      { key: 'standard-error', default: 'false', description: 'print to stderr instead of stdout' },
      {
        key: 'sink.parallelism',
        description: 'accepted for Flink compatibility; Rivulet writes a sink on one event loop',
      },
    ],
    createSink: (table) =>
      new PrintSink(table, booleanOption(table, 'standard-error', false) ? stderr : stdout),
  };
}

export const blackholeConnector: ConnectorFactory = {
  identifier: 'blackhole',
  options: [],
  createSink: () => new BlackholeSink(),
};
