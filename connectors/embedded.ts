/**
 * In-process sources and sinks for the embedding API: an `AsyncIterable` (or iterable) of rows as a
 * table, and a callback as a sink. Registered by name on the engine; a table refers to one with
 * `'connector' = 'embedded', 'name' = '...'`. Rows are arrays by column position, or objects by column
 * name; changes to a sink arrive as `(kind, row)` with kind `+I`, `-U`, `+U` or `-D`.
 */
import { RivuletError } from '../common/errors.ts';
import { ROW_KIND_NAMES, type Row, type RowKind, type RowKindName } from '../operators/api.ts';
import type { ConnectorFactory, ScanSource, SinkWriter, SourceBatch, TableInfo } from './api.ts';

export type EmbeddedRow = readonly unknown[] | Readonly<Record<string, unknown>>;
export type EmbeddedSink = (kind: RowKindName, row: unknown[]) => void | Promise<void>;

export interface EmbeddedSourceSpec {
  readonly rows: AsyncIterable<EmbeddedRow> | Iterable<EmbeddedRow>;
  /** An iterable that never ends makes an unbounded table (default: bounded when it ends). */
  readonly bounded?: boolean;
}

/** How long next() waits for a row before it returns an empty batch. */
const IDLE_WAIT_MS = 50;

/** The promise's value, or undefined if it is not settled within `ms`. */
async function firstOf<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((r) => {
    timer = setTimeout(() => r(undefined), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

class IterableSource implements ScanSource {
  readonly changelogMode = 'insert-only' as const;
  readonly bounded: boolean;
  private readonly table: TableInfo;
  private readonly iterator: AsyncIterator<EmbeddedRow> | Iterator<EmbeddedRow>;
  private offset = 0;
  private ended = false;
  private pending: Promise<IteratorResult<EmbeddedRow>> | undefined;

  constructor(table: TableInfo, spec: EmbeddedSourceSpec) {
    this.table = table;
    this.bounded = spec.bounded ?? true;
    const rows = spec.rows as AsyncIterable<EmbeddedRow> & Iterable<EmbeddedRow>;
    this.iterator =
      typeof rows[Symbol.asyncIterator] === 'function'
        ? rows[Symbol.asyncIterator]()
        : rows[Symbol.iterator]();
  }

  async open(): Promise<void> {}

  private toRow(r: EmbeddedRow): Row {
    if (Array.isArray(r)) return [...r];
    const o = r as Record<string, unknown>;
    return this.table.columns.map((c) => (o[c.name] === undefined ? null : o[c.name]));
  }

  async next(maxRows: number): Promise<SourceBatch | null> {
    if (this.ended) return null;
    const rows: Row[] = [];
    const positions: string[] = [];
    while (rows.length < maxRows) {
      // Wait for the first row; after that take only what is ready, so a slow producer
      // does not hold back rows already received.
      const step = this.pending ?? Promise.resolve(this.iterator.next());
      this.pending = undefined;
      let res: IteratorResult<EmbeddedRow>;
      if (rows.length === 0) {
        // Wait for the first row only briefly: an empty batch lets the runtime go on (other sources,
        // timers, checkpoints, flushing what waits in sinks) while the producer is quiet.
        const first = await firstOf(step, IDLE_WAIT_MS);
        if (first === undefined) {
          this.pending = step;
          break;
        }
        res = first;
      } else {
        const ready = await Promise.race([step, Promise.resolve(undefined)]);
        if (ready === undefined) {
          this.pending = step;
          break;
        }
        res = ready;
      }
      if (res.done) {
        this.ended = true;
        break;
      }
      rows.push(this.toRow(res.value));
      positions.push(`${this.table.name} row ${++this.offset}`);
    }
    if (rows.length === 0 && this.ended) return null;
    return { rows, kinds: null, split: this.table.name, positions };
  }
  splits(): readonly string[] {
    return [this.table.name];
  }
  position(): unknown {
    return this.offset;
  }
  async seek(): Promise<void> {
    throw new RivuletError(
      'connector',
      'SEEK_UNSUPPORTED',
      `embedded source '${this.table.name}' cannot be rewound`,
    );
  }
  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

class CallbackSink implements SinkWriter {
  readonly accepts = 'retract' as const;
  private readonly fn: EmbeddedSink;
  private pending: Promise<void>[] = [];
  constructor(fn: EmbeddedSink) {
    this.fn = fn;
  }
  async open(): Promise<void> {}
  write(kind: RowKind, row: Row): void {
    const r = this.fn(ROW_KIND_NAMES[kind], [...row]);
    if (r) this.pending.push(r);
  }
  async flush(): Promise<void> {
    const p = this.pending;
    this.pending = [];
    await Promise.all(p);
  }
  async close(): Promise<void> {
    await this.flush();
  }
}

/** The `embedded` connector over registries of named sources and sinks. */
export function embeddedConnector(
  sources: Map<string, EmbeddedSourceSpec>,
  sinks: Map<string, EmbeddedSink>,
): ConnectorFactory {
  const lookup = <T>(map: Map<string, T>, table: TableInfo, what: string): T => {
    const name = table.options.get('name') ?? table.name;
    const found = map.get(name);
    if (!found)
      throw new RivuletError(
        'plan',
        'EMBEDDED_NOT_FOUND',
        `No in-process ${what} named '${name}' is registered (table '${table.name}')`,
      );
    return found;
  };
  return {
    identifier: 'embedded',
    options: [
      {
        key: 'name',
        description: 'the name the source or sink was registered under (default: the table name)',
      },
    ],
    createSource: (table) => new IterableSource(table, lookup(sources, table, 'source')),
    createSink: (table) => new CallbackSink(lookup(sinks, table, 'sink')),
  };
}
