/**
 * Rivulet's embedding API: continuous SQL inside a Node service, no server needed.
 *
 * @example
 * import { Rivulet } from 'rivulet';
 * const engine = new Rivulet();
 * engine.registerSource('clicks', { rows: clickStream(), bounded: false }, 'user_id STRING, url STRING');
 * const q = await engine.query('SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id');
 * for await (const change of q) console.log(change.kind, change.row); // '+I' ['u1', 1n], '-U' ..., '+U' ...
 */
import { RivuletError } from './common/errors.ts';
import { type EmbeddedSink, type EmbeddedSourceSpec, embeddedConnector } from './connectors/embedded.ts';
import { ROW_KIND_NAMES, type Row, type RowKindName } from './operators/api.ts';
import type { Job } from './runtime/job.ts';
import { type Column, Session, type StatementResult } from './runtime/session.ts';
import type { UdfDefinition } from './runtime/udf.ts';

export { RivuletError } from './common/errors.ts';
export type { Column, StatementResult } from './runtime/session.ts';
export type { AggregateUdf, ScalarUdf, UdfDefinition } from './runtime/udf.ts';

export interface RivuletOptions {
  /** Session options, as with `SET 'key' = 'value'` (e.g. `table.local-time-zone`). */
  readonly options?: Readonly<Record<string, string>>;
}

export interface Change {
  readonly kind: RowKindName;
  readonly row: Row;
}

/** A running query: its columns, and its changes as an async iterable. */
export interface QueryHandle extends AsyncIterable<Change> {
  readonly columns: readonly Column[];
  readonly jobId: string;
  /** Stops the query; the iteration ends. */
  cancel(): void;
}

export class Rivulet {
  private readonly session: Session;
  private readonly sources = new Map<string, EmbeddedSourceSpec>();
  private readonly sinks = new Map<string, EmbeddedSink>();

  constructor(options: RivuletOptions = {}) {
    this.session = new Session({ options: new Map(Object.entries(options.options ?? {})) });
    this.session.connectors.register(embeddedConnector(this.sources, this.sinks));
  }

  /** Executes a script; DDL takes effect, INSERTs start jobs, and each statement's result is returned. */
  async execute(sql: string): Promise<StatementResult[]> {
    return this.session.executeScript(sql);
  }

  /** Runs one query and streams its changes. */
  async query(sql: string): Promise<QueryHandle> {
    const results = await this.session.executeScript(sql);
    const r = results[results.length - 1];
    if (results.length !== 1 || r?.kind !== 'query') {
      throw new RivuletError(
        'plan',
        'NOT_A_QUERY',
        'query() takes exactly one SELECT statement; use execute() for other statements',
      );
    }
    return {
      columns: r.columns,
      jobId: r.job.id,
      cancel: () => {
        r.job.cancel();
        r.sink.cancel();
      },
      async *[Symbol.asyncIterator]() {
        for await (const c of r.sink.changes()) yield { kind: ROW_KIND_NAMES[c.kind], row: c.row };
        await r.done;
        if (r.job.error) throw r.job.error;
      },
    };
  }

  /**
   * Makes an in-process iterable available as table `name`, with its columns given as SQL
   * (`'id INT, name STRING'`; a `WATERMARK FOR ...` clause may follow the columns).
   */
  async registerSource(name: string, spec: EmbeddedSourceSpec, columns: string): Promise<void> {
    this.sources.set(name, spec);
    await this.session.executeScript(
      `CREATE TEMPORARY TABLE \`${name.replace(/`/g, '``')}\` (${columns}) WITH ('connector' = 'embedded', 'name' = '${name.replace(/'/g, "''")}')`,
    );
  }

  /** Makes a callback available as sink table `name` (for `INSERT INTO name ...`). */
  async registerSink(name: string, sink: EmbeddedSink, columns: string): Promise<void> {
    this.sinks.set(name, sink);
    await this.session.executeScript(
      `CREATE TEMPORARY TABLE \`${name.replace(/`/g, '``')}\` (${columns}) WITH ('connector' = 'embedded', 'name' = '${name.replace(/'/g, "''")}')`,
    );
  }

  /** Registers a JavaScript function for use in SQL (see runtime/udf.ts for the definition shape). */
  registerFunction(name: string, def: UdfDefinition): void {
    this.session.registerFunction(name, def);
  }

  get jobs(): readonly Job[] {
    return this.session.jobs;
  }

  stopJob(id: string): void {
    const job = this.session.jobs.find((j) => j.id === id);
    if (!job) throw new RivuletError('runtime', 'JOB_NOT_FOUND', `No job with id '${id}'`);
    job.cancel();
  }

  /** Stops every job. */
  async close(): Promise<void> {
    for (const j of this.session.jobs) j.cancel();
  }
}
