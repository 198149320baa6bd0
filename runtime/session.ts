/**
 * A session: a catalog, session options (`SET`), and the execution of statements. DDL changes the
 * catalog; a query becomes a job whose changes the caller consumes; INSERT INTO starts a job writing
 * to a connector sink. The CLI, the shell, the HTTP API and the embedding API all go through here.
 */

import { Catalog, type CatalogColumn, type TableDefinition } from '../catalog/catalog.ts';
import { registerAggregates } from '../catalog/functions/aggregates.ts';
import { registerOperators } from '../catalog/functions/operators.ts';
import { type FunctionContext, FunctionRegistry } from '../catalog/functions/registry.ts';
import { registerScalarBuiltins } from '../catalog/functions/scalar/index.ts';
import { type LogicalType, typeToString, withNullable, withTimeAttribute } from '../catalog/types.ts';
import { parseDurationMs } from '../common/duration.ts';
import { RivuletError } from '../common/errors.ts';
import type { SinkWriter, TableInfo } from '../connectors/api.ts';
import { defaultConnectors } from '../connectors/index.ts';
import type { ConnectorRegistry } from '../connectors/registry.ts';
import type { Row } from '../operators/api.ts';
import type { MiniBatchOptions } from '../operators/relational/group-aggregate.ts';
import type {
  CreateTableStatement,
  Identifier,
  InsertStatement,
  Query,
  Statement,
  TypeNode,
} from '../parser/ast.ts';
import { format, parse, parseExpression } from '../parser/index.ts';
import { QueryBinder } from '../planner/bind-query.ts';
import { explainPlan } from '../planner/explain.ts';
import type { RelNode } from '../planner/logical.ts';
import { type StreamProps, streamProps } from '../planner/physical.ts';
import { optimize } from '../planner/rules/driver.ts';
import { Scope } from '../planner/scope.ts';
import { versionedOf } from '../planner/temporal.ts';
import { typeFromNode } from '../planner/types.ts';
import { JobBuilder, tableInfo } from './build-job.ts';
import { CatalogStore } from './catalog-store.ts';
import { checkpointConfig, defaultCheckpointDir, jobDirectoryName } from './checkpoint/config.ts';
import { CollectSink } from './collect.ts';
import { Job, type JobGraph, SinkNode } from './job.ts';
import { checkLateDataTable, LATE_DATA_OPTION, LateDataRouter } from './late-data.ts';
import { formatDuration, renderJob } from './metrics/render.ts';
import { restartStrategy } from './restart.ts';
import { aggregateUdf, loadUdf, scalarUdf, tableUdf, type UdfDefinition } from './udf.ts';
import { parseUdfErrorPolicy, UDF_ERROR_POLICY_OPTION } from './udf-errors.ts';
import { HISTORY_RETENTION_OPTION, VersionStore } from './version-store.ts';

export interface Column {
  readonly name: string;
  readonly type: LogicalType;
}

/** What executing one statement gives. */
export type StatementResult =
  | { readonly kind: 'ok'; readonly message: string }
  | { readonly kind: 'table'; readonly columns: readonly Column[]; readonly rows: readonly Row[] }
  | {
      readonly kind: 'query';
      readonly columns: readonly Column[];
      readonly job: Job;
      readonly sink: CollectSink;
      readonly done: Promise<void>;
      readonly bounded: boolean;
    }
  | { readonly kind: 'jobs'; readonly jobs: readonly Job[]; readonly done: Promise<void> }
  /** Plain text to show as it is: EXPLAIN and SHOW CREATE. */
  | { readonly kind: 'explain'; readonly text: string };

const DEFAULT_OPTIONS: Record<string, string> = {
  'table.local-time-zone': 'UTC',
  'sql-client.execution.result-mode': 'table',
};

export interface SessionOptions {
  readonly connectors?: ConnectorRegistry;
  readonly options?: ReadonlyMap<string, string>;
  readonly now?: () => number;
}

/** Creates a function registry with every built-in function and operator. */
export function builtinRegistry(): FunctionRegistry {
  const registry = new FunctionRegistry();
  registerOperators(registry);
  registerScalarBuiltins(registry);
  registerAggregates(registry);
  return registry;
}

export class Session {
  readonly catalog: Catalog;
  readonly connectors: ConnectorRegistry;
  readonly options = new Map<string, string>(Object.entries(DEFAULT_OPTIONS));
  readonly jobs: Job[] = [];
  /** Retained history of versioned tables with 'versioned.history-retention' (version-store.ts). */
  private readonly versionStore = new VersionStore();
  private readonly now: () => number;
  /** The persistent catalog's directory (attachCatalog): checkpoints default to a folder inside it. */
  private catalogDir: string | null = null;

  constructor(opts: SessionOptions = {}) {
    this.catalog = new Catalog(builtinRegistry());
    this.connectors = opts.connectors ?? defaultConnectors();
    this.now = opts.now ?? Date.now;
    for (const [k, v] of opts.options ?? []) this.options.set(k, v);
  }

  get fnContext(): FunctionContext {
    const policy = this.options.get(UDF_ERROR_POLICY_OPTION);
    return {
      timeZone: this.options.get('table.local-time-zone') ?? 'UTC',
      now: this.now,
      ...(policy !== undefined
        ? { udfErrorPolicy: parseUdfErrorPolicy(policy, `'${UDF_ERROR_POLICY_OPTION}'`) }
        : {}),
    };
  }

  /**
   * Keeps persistent objects in `dir` (see catalog-store.ts): replays what is there, then saves after
   * every change. Call once, before executing statements.
   */
  async attachCatalog(dir: string): Promise<void> {
    this.catalogDir = dir;
    const store = new CatalogStore(dir);
    const script = store.load();
    if (script.trim() !== '') {
      try {
        await this.executeScript(script);
      } catch (e) {
        throw new RivuletError(
          'catalog',
          'CATALOG_REPLAY_FAILED',
          `the persistent catalog ${store.file} could not be restored: ${(e as Error).message}`,
          undefined,
          { cause: e },
        );
      }
    }
    this.catalog.onChange = () => store.save(this.catalog.persistentDdl());
  }

  /** Parses and executes a script; returns one result per statement, in order. */
  async executeScript(sql: string): Promise<StatementResult[]> {
    const out: StatementResult[] = [];
    for (const st of parse(sql)) out.push(await this.execute(st, sql));
    return out;
  }

  async execute(st: Statement, source: string): Promise<StatementResult> {
    const text = source.slice(st.span.offset, st.span.end);
    switch (st.kind) {
      case 'select':
      case 'values':
      case 'setOperation':
      case 'with':
        return this.runQuery(st);
      case 'insert':
        return this.runInserts([st], text);
      case 'statementSet':
        return this.runInserts(st.inserts, text);
      case 'execute':
        return st.statement.kind === 'insert'
          ? this.runInserts([st.statement], text)
          : this.runQuery(st.statement);
      case 'createTable':
        if (st.asQuery) return this.createTableAs(st);
        if (st.like) return this.createTable(this.mergeLike(st), text);
        return this.createTable(st, text);
      case 'alterTableSet':
      case 'alterTableRename':
        return this.alterTable(st);
      case 'createView': {
        const name = last(st.name.parts.map((p) => p.text));
        // Bind now so a broken view is rejected at CREATE time, as in Flink.
        const bound = this.binder().bindQuery(st.query);
        if (st.columns.length > 0 && st.columns.length !== bound.fields.length) {
          throw new RivuletError(
            'plan',
            'ALIAS_COLUMNS',
            `View '${name}' lists ${st.columns.length} column names but its query has ${bound.fields.length} columns`,
            st.span,
          );
        }
        const created = this.catalog.add(
          {
            kind: 'view',
            name,
            columnNames: st.columns.map((c) => c.text),
            query: st.query,
            ...(st.comment !== null ? { comment: st.comment } : {}),
            temporary: st.temporary,
            ddl: text,
          },
          st.ifNotExists,
        );
        return {
          kind: 'ok',
          message: created ? `View '${name}' created.` : `View '${name}' already exists.`,
        };
      }
      case 'createFunction': {
        const name = last(st.name.parts.map((p) => p.text));
        if (st.language !== null && st.language !== 'JAVASCRIPT' && st.language !== 'TYPESCRIPT') {
          throw new RivuletError(
            'plan',
            'UDF_LANGUAGE',
            `Rivulet runs functions written in JavaScript or TypeScript, not ${st.language}`,
            st.span,
          );
        }
        if (this.catalog.getFunction(name)) {
          if (st.ifNotExists) return { kind: 'ok', message: `Function '${name}' already exists.` };
          throw new RivuletError(
            'catalog',
            'OBJECT_EXISTS',
            `Function '${name}' already exists`,
            st.name.span,
          );
        }
        const def = await loadUdf(name, st.specifier);
        this.registerFunction(name, def);
        this.catalog.addFunction({ name, specifier: st.specifier, temporary: st.temporary, ddl: text });
        return { kind: 'ok', message: `Function '${name}' created.` };
      }
      case 'drop': {
        const name = last(st.name.parts.map((p) => p.text));
        if (st.objectType === 'FUNCTION') {
          const dropped = this.catalog.dropFunction(name, st.ifExists);
          return {
            kind: 'ok',
            message: dropped ? `Function '${name}' dropped.` : `Function '${name}' does not exist.`,
          };
        }
        const kind = st.objectType === 'TABLE' ? 'table' : 'view';
        const dropped = this.catalog.drop(kind, name, st.ifExists);
        return {
          kind: 'ok',
          message: dropped
            ? `${st.objectType === 'TABLE' ? 'Table' : 'View'} '${name}' dropped.`
            : `'${name}' does not exist.`,
        };
      }
      case 'set':
        if (st.key === null) {
          return {
            kind: 'table',
            columns: [col('key'), col('value')],
            rows: [...this.options].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v]),
          };
        }
        this.setOption(st.key, st.value ?? '');
        return { kind: 'ok', message: `Option '${st.key}' set to '${st.value}'.` };
      case 'reset':
        if (st.key === null) {
          this.options.clear();
          for (const [k, v] of Object.entries(DEFAULT_OPTIONS)) this.options.set(k, v);
          return { kind: 'ok', message: 'All options reset.' };
        }
        if (DEFAULT_OPTIONS[st.key] !== undefined)
          this.options.set(st.key, DEFAULT_OPTIONS[st.key] as string);
        else this.options.delete(st.key);
        return { kind: 'ok', message: `Option '${st.key}' reset.` };
      case 'show':
        return this.show(st.what);
      case 'describe':
        return this.describe(last(st.name.parts.map((p) => p.text)));
      case 'showCreate': {
        const name = last(st.name.parts.map((p) => p.text));
        const obj = this.catalog.get(name);
        if (!obj || (obj.kind === 'table') !== (st.objectType === 'TABLE')) {
          throw new RivuletError(
            'catalog',
            'OBJECT_NOT_FOUND',
            `${st.objectType === 'TABLE' ? 'Table' : 'View'} '${name}' does not exist`,
            st.name.span,
          );
        }
        return { kind: 'explain', text: obj.ddl.trim().replace(/;?$/, ';') };
      }
      case 'showJob': {
        const job = this.jobs.find((j) => j.id === st.jobId);
        if (!job)
          throw new RivuletError(
            'runtime',
            'JOB_NOT_FOUND',
            `No job with id '${st.jobId}' (SHOW JOBS lists them)`,
            st.span,
          );
        return {
          kind: 'explain',
          text: renderJob(
            {
              id: job.id,
              name: job.name,
              status: job.status,
              uptimeMs: (job.endedAt ?? this.now()) - job.startedAt,
              error: job.error?.message,
              ...(job.checkpoints?.enabled
                ? { checkpoints: { completed: job.checkpoints.completed, last: job.checkpoints.lastStats } }
                : {}),
            },
            job.metrics.snapshot(),
          ),
        };
      }
      case 'stopJob': {
        const job = this.jobs.find((j) => j.id === st.jobId);
        if (!job)
          throw new RivuletError(
            'runtime',
            'JOB_NOT_FOUND',
            `No job with id '${st.jobId}' (SHOW JOBS lists them)`,
            st.span,
          );
        if (st.withSavepoint) {
          const dir =
            job.checkpoints?.config.savepointDir ??
            this.options.get('execution.checkpointing.savepoint-dir') ??
            this.options.get('state.savepoints.dir') ??
            defaultCheckpointDir(this.catalogDir);
          const path = await job.stopWithSavepoint(dir);
          return {
            kind: 'table',
            columns: [col('savepoint path')],
            rows: [[path]],
          };
        }
        job.cancel();
        return { kind: 'ok', message: `Job '${st.jobId}' stopped.` };
      }
      case 'explain': {
        const inner = st.statement;
        const query =
          inner.kind === 'insert'
            ? inner.query
            : inner.kind === 'execute'
              ? inner.statement.kind === 'insert'
                ? inner.statement.query
                : inner.statement
              : inner.kind === 'statementSet'
                ? null
                : inner;
        if (!query) {
          const texts = (inner as unknown as { inserts: InsertStatement[] }).inserts.map((i) =>
            this.explainQuery(i.query),
          );
          return { kind: 'explain', text: texts.join('\n') };
        }
        return { kind: 'explain', text: this.explainQuery(query) };
      }
      default:
        throw new RivuletError(
          'plan',
          'STATEMENT_UNSUPPORTED',
          `${st.kind} statements are not supported by Rivulet yet`,
          st.span,
        );
    }
  }

  /** Registers a scalar or aggregate function defined in JavaScript (see runtime/udf.ts). */
  registerFunction(name: string, def: UdfDefinition): void {
    if (def.kind === 'aggregate')
      this.catalog.functions.registerAggregate(aggregateUdf(name, def, parseTypeText));
    else if (def.kind === 'table')
      this.catalog.tableFunctions.set(name.toUpperCase(), tableUdf(name, def, parseTypeText));
    else {
      if (typeof def.eval !== 'function') {
        throw new RivuletError(
          'catalog',
          'UDF_INVALID',
          `Function '${name}' needs an eval function (or kind: 'aggregate' with create/accumulate/getValue)`,
        );
      }
      this.catalog.functions.registerScalar(scalarUdf(name, def, parseTypeText));
    }
  }

  private setOption(key: string, value: string): void {
    if (key === 'table.local-time-zone') {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: value });
      } catch {
        throw new RivuletError(
          'plan',
          'OPTION_INVALID',
          `Unknown time zone '${value}' for 'table.local-time-zone' (use an IANA name such as 'Europe/Berlin' or 'UTC')`,
        );
      }
    }
    if (key === UDF_ERROR_POLICY_OPTION) parseUdfErrorPolicy(value, `'${key}'`);
    this.options.set(key, value);
  }

  /** The rewrite rules (planner/rules), minus those named in `table.optimizer.disabled-rules`. */
  private optimize(rel: RelNode): RelNode {
    const disabled = (this.options.get('table.optimizer.disabled-rules') ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    return optimize(rel, new Set(disabled));
  }

  binder(): QueryBinder {
    return new QueryBinder({ catalog: this.catalog, fnContext: this.fnContext });
  }

  /**
   * Flink's window emit options: early firing before the window end, allowed lateness, and late
   * firing (how late updates are emitted: at once, or every `late-fire.delay`). Late firing needs an
   * allowed lateness, as in Flink.
   */
  private emitOptions(): { earlyFireDelayMs?: number; allowedLatenessMs?: number; lateFireDelayMs?: number } {
    const early = this.options.get('table.exec.emit.early-fire.enabled') === 'true';
    const delay = this.options.get('table.exec.emit.early-fire.delay');
    const lateness = this.options.get('table.exec.emit.allow-lateness');
    const lateFire = this.options.get('table.exec.emit.late-fire.enabled') === 'true';
    const lateDelay = this.options.get('table.exec.emit.late-fire.delay');
    const allowedLatenessMs = lateness === undefined ? 0 : parseDurationMs(lateness);
    if (lateFire && allowedLatenessMs <= 0) {
      throw new RivuletError(
        'plan',
        'EMIT_LATE_FIRE_LATENESS',
        "'table.exec.emit.late-fire.enabled' needs 'table.exec.emit.allow-lateness' to be positive: it says how long fired windows wait for late rows",
      );
    }
    return {
      ...(early ? { earlyFireDelayMs: delay === undefined ? 1000 : parseDurationMs(delay) } : {}),
      ...(lateness !== undefined ? { allowedLatenessMs } : {}),
      ...(lateFire && lateDelay !== undefined ? { lateFireDelayMs: parseDurationMs(lateDelay) } : {}),
    };
  }

  private props(): (node: RelNode) => StreamProps {
    const memo = new Map<RelNode, StreamProps>();
    const scan = (node: Extract<RelNode, { kind: 'scan' }>): StreamProps => {
      const source = this.connectors.createSource(tableInfo(node.table));
      return {
        bounded: source.bounded,
        mode: source.changelogMode === 'insert-only' ? 'insert-only' : 'retract',
      };
    };
    const emit = this.emitOptions();
    const updatingWindows = emit.earlyFireDelayMs !== undefined || (emit.allowedLatenessMs ?? 0) > 0;
    return (node) => streamProps(node, scan, memo, updatingWindows);
  }

  private explainQuery(q: Query): string {
    const rel = this.optimize(this.binder().bindQuery(q).rel);
    return explainPlan(rel, this.props());
  }

  /** `execution.buffer-timeout` (runtime/job.ts): 0 unless set. */
  private bufferTimeoutMs(): number {
    const v = this.options.get('execution.buffer-timeout');
    return v === undefined ? 0 : parseDurationMs(v);
  }

  private stateTtlMs(): number {
    const v = this.options.get('table.exec.state.ttl');
    return v === undefined ? 0 : parseDurationMs(v);
  }

  /** The late-data side output of a new job (`table.exec.late-data.side-output`), if configured. */
  private lateDataSink(jobName: string): { router: LateDataRouter; node: SinkNode } | undefined {
    const name = this.options.get(LATE_DATA_OPTION);
    if (!name) return undefined;
    const table = this.catalog.get(name);
    if (table?.kind !== 'table') {
      throw new RivuletError(
        'plan',
        'TABLE_NOT_FOUND',
        `The late-data table '${name}' named by option '${LATE_DATA_OPTION}' is not a table`,
      );
    }
    checkLateDataTable(table);
    const node = new SinkNode(`LateData(${name})`, this.connectors.createSink(tableInfo(table)));
    return { router: new LateDataRouter(jobName, node), node };
  }

  private newJobBuilder(
    name: string,
    props: (node: RelNode) => StreamProps,
    lateData?: LateDataRouter,
  ): JobBuilder {
    const idle = this.options.get('table.exec.source.idle-timeout');
    return new JobBuilder({
      ...(lateData ? { lateData } : {}),
      jobName: name,
      connectors: this.connectors,
      props,
      compile: { now: this.now },
      stateTtlMs: this.stateTtlMs(),
      idleTimeoutMs: idle === undefined ? 0 : parseDurationMs(idle),
      versionStore: this.versionStore,
      ...this.emitOptions(),
      ...this.miniBatchOptions(),
    });
  }

  /**
   * Flink's `table.exec.mini-batch.enabled` / `.allow-latency` / `.size`: group aggregations buffer
   * changes and emit one update per group per batch (operators/relational/group-aggregate.ts). As in
   * Flink, enabling it needs a positive latency and size.
   */
  private miniBatchOptions(): { miniBatch?: MiniBatchOptions } {
    const enabled = this.options.get('table.exec.mini-batch.enabled');
    if (enabled === undefined || enabled.trim().toLowerCase() === 'false') return {};
    if (enabled.trim().toLowerCase() !== 'true') {
      throw new RivuletError(
        'config',
        'OPTION_INVALID',
        `'table.exec.mini-batch.enabled' must be 'true' or 'false', found '${enabled}'`,
      );
    }
    const latency = this.options.get('table.exec.mini-batch.allow-latency');
    const latencyMs = latency === undefined ? 0 : parseDurationMs(latency);
    const sizeText = this.options.get('table.exec.mini-batch.size');
    const size = sizeText === undefined ? Number.NaN : Number(sizeText);
    if (!(latencyMs > 0) || !Number.isInteger(size) || size <= 0) {
      throw new RivuletError(
        'config',
        'OPTION_INVALID',
        `'table.exec.mini-batch.enabled' = 'true' needs a positive 'table.exec.mini-batch.allow-latency' (e.g. '2 s', found ${latency === undefined ? 'none' : `'${latency}'`}) and a positive integer 'table.exec.mini-batch.size' (e.g. '5000', found ${sizeText === undefined ? 'none' : `'${sizeText}'`})`,
      );
    }
    return { miniBatch: { size, latencyMs } };
  }

  private runQuery(q: Query): StatementResult {
    const bound = this.binder().bindQuery(q);
    const fields = bound.fields;
    const rel = this.optimize(bound.rel);
    const props = this.props();
    const p = props(rel);
    const name = this.options.get('pipeline.name') ?? 'collect';
    const late = this.lateDataSink(name);
    const builder = this.newJobBuilder(name, props, late?.router);
    const sink = new CollectSink();
    const sinkNode = new SinkNode('collect', sink);
    builder.prepare([rel]);
    builder.attach(rel, sinkNode);
    const sinks = late ? [sinkNode, late.node] : [sinkNode];
    const job = new Job(
      { name, now: this.now, bufferTimeoutMs: this.bufferTimeoutMs() },
      builder.sources,
      builder.operators,
      sinks,
    );
    this.jobs.push(job);
    const done = job.run().catch((err: Error) => {
      sink.fail(err);
    });
    return {
      kind: 'query',
      columns: fields.map((f) => ({ name: f.name, type: f.type })),
      job,
      sink,
      done,
      bounded: p.bounded,
    };
  }

  private runInserts(inserts: readonly InsertStatement[], text: string): StatementResult {
    const props = this.props();
    const defaultName = `insert-into_${inserts.map((i) => last(i.target.parts.map((p) => p.text))).join('_')}`;
    const pipelineName = this.options.get('pipeline.name');
    const name = pipelineName ?? defaultName;
    // Checkpoints live under the job's name, or the default name plus a hash of the statement's
    // normalized text (whitespace runs collapsed) when 'pipeline.name' is not set.
    const checkpoint = checkpointConfig(
      this.options,
      jobDirectoryName(pipelineName, defaultName, text.replace(/\s+/g, ' ').trim()),
      this.catalogDir,
    );
    // Planned once; built again (new operators, sources and sink writers) for each restart.
    const planned = inserts.map((ins) => ({ ...this.planInsert(ins, props), ins }));
    let first = true;
    const build = (): JobGraph => {
      const late = this.lateDataSink(name);
      const builder = this.newJobBuilder(name, props, late?.router);
      builder.prepare(planned.map((p) => p.rel));
      const sinks: SinkNode[] = late ? [late.node] : [];
      for (const p of planned) {
        const writer = first ? p.sink : this.connectors.createSink(p.table);
        const node = new SinkNode(`Sink(${last(p.ins.target.parts.map((x) => x.text))})`, writer);
        builder.attach(p.rel, node);
        sinks.push(node);
      }
      first = false;
      return { sources: builder.sources, operators: builder.operators, sinks };
    };
    const graph = build();
    const strategy = restartStrategy(this.options);
    const job = new Job(
      {
        name,
        now: this.now,
        bufferTimeoutMs: this.bufferTimeoutMs(),
        ...(checkpoint ? { checkpoint } : {}),
        ...(strategy ? { restart: { strategy, rebuild: build } } : {}),
      },
      graph.sources,
      graph.operators,
      graph.sinks,
    );
    this.jobs.push(job);
    const done = job.run();
    done.catch(() => {});
    return { kind: 'jobs', jobs: [job], done };
  }

  /** Binds an INSERT: the query's columns must match the target's (by position or the listed columns). */
  private planInsert(
    ins: InsertStatement,
    props: (node: RelNode) => StreamProps,
  ): { rel: RelNode; sink: SinkWriter; table: TableInfo } {
    const name = last(ins.target.parts.map((p) => p.text));
    const target = this.catalog.get(name);
    if (target?.kind !== 'table') {
      throw new RivuletError(
        'plan',
        'TABLE_NOT_FOUND',
        target ? `Cannot INSERT INTO view '${name}'` : `Table '${name}' not found`,
        ins.target.span,
      );
    }
    // The order sinks receive rows in (see tableInfo): physical columns, then writable metadata columns.
    const writable = [
      ...target.columns.filter((c) => c.kind === 'physical'),
      ...target.columns.filter((c) => c.kind === 'metadata' && !c.virtual),
    ];
    const binder = this.binder();
    const bound = binder.bindQuery(ins.query);
    const q = { rel: this.optimize(bound.rel), fields: bound.fields };
    const targetCols =
      ins.columns.length > 0
        ? ins.columns.map((c) => {
            const found = writable.find((w) => w.name === c.text);
            if (!found)
              throw new RivuletError(
                'plan',
                'COLUMN_NOT_FOUND',
                `Column '${c.text}' is not a writable column of table '${name}'`,
                c.span,
              );
            return found;
          })
        : writable;
    if (q.fields.length !== targetCols.length) {
      throw new RivuletError(
        'plan',
        'INSERT_ARITY',
        `INSERT INTO '${name}': the query has ${q.fields.length} columns but the sink expects ${targetCols.length} (${targetCols.map((c) => `${c.name} ${typeToString(c.type)}`).join(', ')})`,
        ins.query.span,
      );
    }
    const eb = binder.exprBinder(new Scope(q.fields));
    const exprs = writable.map((w) => {
      const i = targetCols.indexOf(w);
      if (i < 0) return { kind: 'literal' as const, value: null, type: withNullable(w.type, true) };
      const f = q.fields[i] as { name: string; type: LogicalType };
      const ref = { kind: 'input' as const, index: i, type: f.type, name: f.name };
      if (!canAssign(f.type, w.type)) {
        throw new RivuletError(
          'plan',
          'TYPE_MISMATCH',
          `INSERT INTO '${name}': column '${w.name}' has type ${typeToString(w.type)} but the query gives ${typeToString(f.type)}`,
          ins.query.span,
        );
      }
      return eb.coerce(ref, w.type, ins.query.span);
    });
    const rel: RelNode = {
      kind: 'project',
      input: q.rel,
      exprs,
      fields: writable.map((w) => ({ name: w.name, type: w.type })),
    };
    const info = tableInfo(target);
    const sink = this.connectors.createSink(info);
    const mode = props(q.rel).mode;
    if (mode !== 'insert-only' && sink.accepts === 'insert-only') {
      throw new RivuletError(
        'plan',
        'SINK_CHANGELOG',
        `Table sink '${name}' (connector '${target.options.get('connector')}') doesn't support consuming update and delete changes, which the query produces (for example by a GROUP BY or an outer join). Use an upsert sink with a PRIMARY KEY, or a query that only appends.`,
        ins.span,
      );
    }
    return { rel, sink, table: info };
  }

  private createTable(st: CreateTableStatement, ddl: string): StatementResult {
    const name = last(st.name.parts.map((p) => p.text));

    const pk =
      st.primaryKey ??
      st.columns.map((c) => (c.kind === 'physicalColumn' ? c.primaryKey : null)).find((p) => p) ??
      null;
    if (pk?.enforced) {
      throw new RivuletError(
        'plan',
        'PRIMARY_KEY_ENFORCED',
        "Flink and Rivulet do not enforce primary keys: write 'PRIMARY KEY (...) NOT ENFORCED'",
        pk.span,
      );
    }
    const pkCols = pk ? pk.columns.map((c) => c.text) : [];
    const seen = new Set<string>();
    const columns: CatalogColumn[] = st.columns.map((c) => {
      if (seen.has(c.name.text))
        throw new RivuletError(
          'plan',
          'COLUMN_DUPLICATE',
          `Column '${c.name.text}' is defined twice`,
          c.name.span,
        );
      seen.add(c.name.text);
      const comment = c.comment !== null ? { comment: c.comment } : {};
      switch (c.kind) {
        case 'physicalColumn': {
          const type = typeFromNode(c.type);
          return {
            name: c.name.text,
            type: pkCols.includes(c.name.text) ? withNullable(type, false) : type,
            kind: 'physical',
            ...comment,
          };
        }
        case 'metadataColumn':
          return {
            name: c.name.text,
            type: typeFromNode(c.type),
            kind: 'metadata',
            ...(c.metadataKey !== null ? { metadataKey: c.metadataKey } : {}),
            virtual: c.virtual,
            ...comment,
          };
        case 'computedColumn':
          // The type is known once the expression is bound against the other columns (below).
          return {
            name: c.name.text,
            type: withNullable(typeFromNodeless(), true),
            kind: 'computed',
            expr: c.expr,
            ...comment,
          };
      }
      throw new RivuletError('internal', 'INTERNAL', 'unknown column kind');
    });
    for (const k of pkCols) {
      if (!columns.some((c) => c.name === k)) {
        throw new RivuletError(
          'plan',
          'COLUMN_NOT_FOUND',
          `Primary key column '${k}' is not a column of table '${name}'`,
          pk?.span,
        );
      }
    }
    if (st.watermarks.length > 1) {
      throw new RivuletError(
        'plan',
        'WATERMARK_MULTIPLE',
        'A table can declare only one WATERMARK',
        (st.watermarks[1] as { span: typeof st.span }).span,
      );
    }
    const wm = st.watermarks[0];
    const options = new Map(st.options.map((p) => [p.key, p.value]));
    let def: TableDefinition = {
      kind: 'table',
      name,
      columns,
      ...(wm ? { watermark: { column: wm.column.map((c) => c.text).join('.'), expr: wm.expr } } : {}),
      ...(pkCols.length > 0 ? { primaryKey: pkCols } : {}),
      options,
      ...(st.comment !== null ? { comment: st.comment } : {}),
      partitionedBy: st.partitionedBy.map((p) => p.text),
      temporary: st.temporary,
      ddl,
      statement: st,
    };
    // Bind computed columns to learn their types, and check the watermark.
    const binder = this.binder();
    const scanned = binder.scan(def);
    const computedTypes = new Map<number, LogicalType>();
    if (scanned.rel.kind === 'scan') for (const [i, e] of scanned.rel.computed) computedTypes.set(i, e.type);
    def = {
      ...def,
      columns: columns.map((c, i) =>
        computedTypes.has(i) ? { ...c, type: computedTypes.get(i) as LogicalType } : c,
      ),
    };
    if (wm) {
      const column = def.columns.find((c) => c.name === def.watermark?.column);
      if (!column)
        throw new RivuletError(
          'plan',
          'COLUMN_NOT_FOUND',
          `WATERMARK FOR '${def.watermark?.column}': no such column in table '${name}'`,
          wm.span,
        );
      if (column.type.kind !== 'TIMESTAMP' && column.type.kind !== 'TIMESTAMP_LTZ') {
        throw new RivuletError(
          'plan',
          'WATERMARK_TYPE',
          `The rowtime column '${column.name}' must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), found ${typeToString(column.type)}`,
          wm.span,
        );
      }
      const s2 = binder.scan(def);
      const w = s2.rel.kind === 'scan' ? s2.rel.watermark : undefined;
      if (w && w.expr.type.kind !== 'TIMESTAMP' && w.expr.type.kind !== 'TIMESTAMP_LTZ') {
        throw new RivuletError(
          'plan',
          'WATERMARK_TYPE',
          `The WATERMARK expression must return a timestamp, found ${typeToString(w.expr.type)}`,
          wm.expr.span,
        );
      }
    }
    // Validate the connector and its options now rather than when the table is first used.
    this.connectors.factoryFor(tableInfo(def));
    const created = this.catalog.add(def, st.ifNotExists);
    return { kind: 'ok', message: created ? `Table '${name}' created.` : `Table '${name}' already exists.` };
  }

  /**
   * `CREATE TABLE t LIKE src [(options)]`: the source's definition merged with the new one, as Flink
   * does by default: columns, watermark, primary key and options are INCLUDED unless EXCLUDING says
   * otherwise; new options OVERWRITE the source's.
   */
  private mergeLike(st: CreateTableStatement): CreateTableStatement {
    const like = st.like as NonNullable<CreateTableStatement['like']>;
    const srcName = last(like.source.parts.map((p) => p.text));
    const src = this.catalog.get(srcName);
    if (src?.kind !== 'table' || !src.statement) {
      throw new RivuletError(
        'plan',
        'TABLE_NOT_FOUND',
        `LIKE: table '${srcName}' not found`,
        like.source.span,
      );
    }
    const mode = (feature: string): string => {
      const specific = like.options.find((o) => o.feature === feature);
      const all = like.options.find((o) => o.feature === 'ALL');
      return specific?.mode ?? all?.mode ?? (feature === 'OPTIONS' ? 'OVERWRITING' : 'INCLUDING');
    };
    const base = src.statement;
    const keepColumn = (c: CreateTableStatement['columns'][number]) =>
      c.kind === 'physicalColumn' ||
      (c.kind === 'computedColumn' && mode('GENERATED') !== 'EXCLUDING') ||
      (c.kind === 'metadataColumn' && mode('METADATA') !== 'EXCLUDING');
    const newNames = new Set(st.columns.map((c) => c.name.text));
    const columns = [
      ...base.columns.filter((c) => keepColumn(c) && !newNames.has(c.name.text)),
      ...st.columns,
    ];
    const options = new Map(mode('OPTIONS') === 'EXCLUDING' ? [] : base.options.map((o) => [o.key, o]));
    for (const o of st.options) options.set(o.key, o);
    return {
      ...st,
      like: null,
      columns,
      watermarks:
        st.watermarks.length > 0 || mode('WATERMARKS') === 'EXCLUDING' ? st.watermarks : base.watermarks,
      primaryKey: st.primaryKey ?? (mode('CONSTRAINTS') === 'EXCLUDING' ? null : base.primaryKey),
      options: [...options.values()],
    };
  }

  /** `CREATE TABLE t WITH (...) AS query`: the table takes the query's columns, then the query fills it. */
  private async createTableAs(st: CreateTableStatement): Promise<StatementResult> {
    const query = st.asQuery as Query;
    const bound = this.binder().bindQuery(query);
    const sp = st.span;
    const id = (text: string): Identifier => ({ kind: 'identifier', span: sp, text, quoted: true });
    const columns: CreateTableStatement['columns'] = bound.fields.map((f) => ({
      kind: 'physicalColumn',
      span: sp,
      name: id(f.name),
      type: parseTypeNode(typeToString(withTimeAttribute(f.type, undefined))),
      primaryKey: null,
      comment: null,
    }));
    const table: CreateTableStatement = { ...st, asQuery: null, columns };
    this.createTable(table, format(table));
    return this.runInserts(
      [{ kind: 'insert', span: sp, overwrite: false, target: st.name, partition: [], columns: [], query }],
      format(st),
    );
  }

  /** `ALTER TABLE t SET ('k' = 'v')` and `ALTER TABLE t RENAME TO u`, re-validated as a new definition. */
  private alterTable(
    st: Extract<Statement, { kind: 'alterTableSet' | 'alterTableRename' }>,
  ): StatementResult {
    const name = last(st.name.parts.map((p) => p.text));
    const old = this.catalog.get(name);
    if (old?.kind !== 'table' || !old.statement) {
      if (st.ifExists) return { kind: 'ok', message: `Table '${name}' does not exist.` };
      throw new RivuletError('catalog', 'OBJECT_NOT_FOUND', `Table '${name}' does not exist`, st.name.span);
    }
    let next: CreateTableStatement;
    if (st.kind === 'alterTableSet') {
      const options = new Map(old.statement.options.map((o) => [o.key, o]));
      for (const o of st.options) options.set(o.key, o);
      next = { ...old.statement, options: [...options.values()] };
    } else {
      const newName = last(st.newName.parts.map((p) => p.text));
      if (this.catalog.get(newName))
        throw new RivuletError('catalog', 'OBJECT_EXISTS', `'${newName}' already exists`, st.newName.span);
      next = { ...old.statement, name: st.newName };
    }
    this.catalog.drop('table', name);
    try {
      this.createTable({ ...next, ifNotExists: false }, format(next));
    } catch (e) {
      this.catalog.add(old);
      throw e;
    }
    return {
      kind: 'ok',
      message: st.kind === 'alterTableSet' ? `Table '${name}' altered.` : `Table '${name}' renamed.`,
    };
  }

  private show(what: string): StatementResult {
    switch (what) {
      case 'TABLES':
        return { kind: 'table', columns: [col('table name')], rows: this.catalog.list().map((n) => [n]) };
      case 'VIEWS':
        return {
          kind: 'table',
          columns: [col('view name')],
          rows: this.catalog.list('view').map((n) => [n]),
        };
      case 'FUNCTIONS':
        return {
          kind: 'table',
          columns: [col('function name')],
          rows: this.catalog.functions
            .names()
            .filter((n) => /^[A-Z_][A-Z0-9_]*$/.test(n))
            .map((n) => [n]),
        };
      case 'JOBS':
        return {
          kind: 'table',
          columns: [
            col('job id'),
            col('job name'),
            col('status'),
            col('start time'),
            col('uptime'),
            col('records in'),
            col('records out'),
            col('records skipped'),
            // Records the sources have not read yet (Kafka consumer lag), where they know it.
            col('lag'),
            col('udf null results'),
            col('error'),
            col('restarts'),
          ],
          rows: this.jobs.map((j) => {
            const lag = j.metrics.snapshot().lag;
            return [
              j.id,
              j.name,
              j.status,
              new Date(j.startedAt).toISOString(),
              formatDuration((j.endedAt ?? this.now()) - j.startedAt),
              String(j.recordsIn),
              String(j.recordsOut),
              String(j.skipped),
              lag === null ? null : String(lag),
              String(j.udfNullResults),
              j.error ? j.error.message : null,
              String(j.restarts),
            ];
          }),
        };
      case 'CATALOGS':
        return { kind: 'table', columns: [col('catalog name')], rows: [['default_catalog']] };
      case 'DATABASES':
        return { kind: 'table', columns: [col('database name')], rows: [['default_database']] };
      default:
        return { kind: 'table', columns: [col('module name')], rows: [['core']] };
    }
  }

  private describe(name: string): StatementResult {
    const obj = this.catalog.get(name);
    if (!obj) throw new RivuletError('catalog', 'OBJECT_NOT_FOUND', `Table or view '${name}' does not exist`);
    const columns = [
      col('name'),
      col('type'),
      { name: 'null', type: { kind: 'BOOLEAN' as const, nullable: false } },
      col('key'),
      col('extras'),
      col('watermark'),
    ];
    if (obj.kind === 'view') {
      const b = this.binder().bindQuery(obj.query);
      const v = versionedOf(b.rel, b.fields);
      return {
        kind: 'table',
        columns,
        rows: b.fields.map((f, i) => [
          obj.columnNames[i] ?? f.name,
          typeToString(withNullable(f.type, true)),
          f.type.nullable,
          v?.keys.includes(i) ? `PRI(${v.keys.map((k) => b.fields[k]?.name).join(', ')}) (inferred)` : null,
          v?.time === i ? 'version time (versioned view)' : null,
          null,
        ]),
      };
    }
    const scanned = this.binder().scan(obj);
    return {
      kind: 'table',
      columns,
      rows: obj.columns.map((c, i) => {
        const f = scanned.fields[i] as { type: LogicalType };
        const extras =
          c.kind === 'computed'
            ? 'AS <expression>'
            : c.kind === 'metadata'
              ? `METADATA${c.metadataKey ? ` FROM '${c.metadataKey}'` : ''}${c.virtual ? ' VIRTUAL' : ''}`
              : null;
        const wm = obj.watermark?.column === c.name ? 'declared' : null;
        const retained = obj.options.get(HISTORY_RETENTION_OPTION);
        const versionTime =
          wm && obj.primaryKey
            ? `version time (versioned table${retained !== undefined ? `; history retained ${retained}` : ''})`
            : null;
        return [
          c.name,
          typeToString(withNullable(f.type, true)),
          f.type.nullable,
          obj.primaryKey?.includes(c.name) ? `PRI(${obj.primaryKey.join(', ')})` : null,
          [extras, versionTime].filter((x) => x !== null).join('; ') || null,
          wm,
        ];
      }),
    };
  }
}

/** A SQL type written as text (`'DECIMAL(10, 2)'`), parsed with the SQL parser. */
export function parseTypeText(text: string): LogicalType {
  return typeFromNode(parseTypeNode(text));
}

function parseTypeNode(text: string): TypeNode {
  const e = parseExpression(`CAST(NULL AS ${text})`);
  if (e.kind !== 'cast') throw new RivuletError('plan', 'TYPE_INVALID', `'${text}' is not a SQL type`);
  return e.type;
}

function typeFromNodeless(): LogicalType {
  return { kind: 'NULL', nullable: true };
}

function col(name: string): Column {
  return { name, type: { kind: 'VARCHAR', nullable: true, precision: 2147483647 } };
}

function last<T>(xs: readonly T[]): T {
  return xs[xs.length - 1] as T;
}

/** Whether a query column of type `from` may be written to a sink column of type `to` (implicit cast). */
function canAssign(from: LogicalType, to: LogicalType): boolean {
  if (from.kind === 'NULL') return true;
  return (
    from.kind === to.kind ||
    isNumericKind(from.kind) === isNumericKind(to.kind) ||
    isStringKind(from.kind) === isStringKind(to.kind)
  );
}
const isNumericKind = (k: string) =>
  ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'DECIMAL', 'FLOAT', 'DOUBLE'].includes(k);
const isStringKind = (k: string) => k === 'CHAR' || k === 'VARCHAR';
