/**
 * The HTTP API: Flink SQL Gateway's REST v1 resources and JSON field names (sessions, statements,
 * operations, results paged with tokens), plus push streaming (NDJSON or server-sent events), Arrow
 * IPC results, `/v1/info`, `/healthz`, `/metrics` and `/openapi.json`. Built on fastify.
 *
 * Each gateway session owns one engine `Session` (catalog, options, jobs). Statements execute when
 * submitted, so a SQL error is the answer to the POST (400 with its position); the operation then
 * holds the result and serves it page by page (server/operation.ts). Closing a session, explicitly or
 * after it was idle for the session timeout, cancels every job it started.
 */

import { randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { typeToString } from '../catalog/types.ts';
import { RivuletError } from '../common/errors.ts';
import { parse } from '../parser/index.ts';
import { jsonValue } from '../repl/results.ts';
import type { Change } from '../runtime/collect.ts';
import { type Column, Session, type StatementResult } from '../runtime/session.ts';
import { ARROW_STREAM, changesToArrow, IPC_EOS, splitIpcStream } from './arrow.ts';
import { errorResponse, HttpError } from './errors.ts';
import { renderMetrics } from './metrics.ts';
import { openApiDocument } from './openapi.ts';
import { DEFAULT_LIMITS, type Fetched, Operation, type OperationLimits } from './operation.ts';

export interface GatewayOptions {
  /** A bearer token every request but `/healthz` must carry (`Authorization: Bearer <token>`). */
  readonly token?: string;
  /** Close a session after this long without a request (ms). Default 10 minutes; 0 disables. */
  readonly sessionTimeoutMs?: number;
  /** Largest request body accepted (bytes). Default 1 MiB. */
  readonly bodyLimit?: number;
  /** Paging limits of query results. */
  readonly limits?: Partial<OperationLimits>;
  /** Options every new session starts with (before the session's own `properties`). */
  readonly defaultOptions?: ReadonlyMap<string, string>;
  /** Creates the engine session behind a gateway session (tests inject connectors this way). */
  readonly newSession?: (options: ReadonlyMap<string, string>) => Session;
}

/** Flink's names for Rivulet's change kinds (RowKind 0..3). */
export const KIND_NAMES = ['INSERT', 'UPDATE_BEFORE', 'UPDATE_AFTER', 'DELETE'] as const;

interface GatewaySession {
  readonly handle: string;
  readonly name: string;
  readonly engine: Session;
  readonly operations: Map<string, Operation>;
  lastAccess: number;
  /** Push streams (result/stream) being served. */
  streams: number;
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The JSON of a result's columns, as Flink's `ColumnInfo`. */
export function columnInfos(columns: readonly Column[]) {
  return columns.map((c) => ({
    name: c.name,
    logicalType: { type: typeToString(c.type).replace(/ NOT NULL$/, ''), nullable: c.type.nullable },
  }));
}

/** One change as Flink's JSON row: `{kind, fields}`. */
export function jsonRow(change: Change, columns: readonly Column[], timeZone: string) {
  return {
    kind: KIND_NAMES[change.kind],
    fields: change.row.map((v, i) => jsonValue(v, (columns[i] as Column).type, timeZone)),
  };
}

function sameToken(given: string | undefined, expected: Buffer): boolean {
  if (given === undefined || !given.startsWith('Bearer ')) return false;
  const b = Buffer.from(given.slice('Bearer '.length));
  return b.length === expected.length && timingSafeEqual(b, expected);
}

type SessionParams = { s: string };
type OperationParams = { s: string; o: string };

/** Creates the gateway (not yet listening): call `.listen()` on it, or use `serve()`. */
export function createGateway(opts: GatewayOptions = {}): FastifyInstance {
  const limits: OperationLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const sessionTimeoutMs = opts.sessionTimeoutMs ?? 10 * 60_000;
  const newSession = opts.newSession ?? ((options) => new Session({ options }));
  const sessions = new Map<string, GatewaySession>();
  const version = packageVersion();
  // forceCloseConnections: on close, end push streams and keep-alive sockets instead of waiting on them.
  const app = Fastify({
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    logger: false,
    forceCloseConnections: true,
  });

  const expected = opts.token !== undefined && opts.token !== '' ? Buffer.from(opts.token) : undefined;
  app.addHook('onRequest', async (req) => {
    if (expected === undefined || req.url.split('?')[0] === '/healthz') return;
    if (!sameToken(req.headers.authorization, expected)) {
      throw new HttpError(
        401,
        'UNAUTHORIZED',
        'A valid bearer token is required (Authorization: Bearer <token>)',
      );
    }
  });
  app.setErrorHandler((err, _req, reply) => {
    const { status, body } = errorResponse(err);
    void reply.status(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply
      .status(404)
      .send({ errors: [`No such resource: ${req.method} ${req.url}`], code: 'NOT_FOUND' });
  });

  const getSession = (handle: string): GatewaySession => {
    const s = sessions.get(handle);
    if (!s)
      throw new HttpError(
        404,
        'SESSION_NOT_FOUND',
        `Session '${handle}' does not exist (closed or expired?)`,
      );
    s.lastAccess = Date.now();
    return s;
  };
  const getOperation = (p: OperationParams): Operation => {
    const op = getSession(p.s).operations.get(p.o);
    if (!op)
      throw new HttpError(
        404,
        'OPERATION_NOT_FOUND',
        `Operation '${p.o}' does not exist in session '${p.s}'`,
      );
    return op;
  };
  const closeSession = async (s: GatewaySession): Promise<void> => {
    sessions.delete(s.handle);
    for (const op of s.operations.values()) op.close();
    for (const job of s.engine.jobs) job.cancel();
  };
  /**
   * A session is busy, and never closed for idleness, while a push stream reads from it or an INSERT
   * job it started runs (its operation may have been closed: the job lives on, as in Flink).
   */
  const busy = (s: GatewaySession) => {
    if (s.streams > 0) return true;
    const queryJobs = new Set(
      [...s.operations.values()].filter((o) => o.isQueryResult).flatMap((o) => o.jobs),
    );
    return s.engine.jobs.some((j) => j.status === 'RUNNING' && !queryJobs.has(j));
  };

  let sweeper: NodeJS.Timeout | undefined;
  if (sessionTimeoutMs > 0) {
    sweeper = setInterval(
      () => {
        const now = Date.now();
        for (const s of sessions.values()) {
          if (now - s.lastAccess > sessionTimeoutMs && !busy(s)) void closeSession(s);
        }
      },
      Math.max(20, Math.min(sessionTimeoutMs / 4, 30_000)),
    );
    sweeper.unref();
  }
  app.addHook('onClose', async () => {
    if (sweeper) clearInterval(sweeper);
    for (const s of [...sessions.values()]) await closeSession(s);
  });

  app.get('/healthz', async () => ({ status: 'UP' }));
  app.get('/v1/info', async () => ({ productName: 'Rivulet', version }));
  app.get('/api_versions', async () => ({ versions: ['V1'] }));
  app.get('/v1/api_versions', async () => ({ versions: ['V1'] }));
  app.get('/openapi.json', async () => openApiDocument(version));
  app.get('/metrics', async (_req, reply) => {
    const all = [...sessions.values()];
    const ops = all.flatMap((s) => [...s.operations.values()]);
    void reply.type('text/plain; version=0.0.4; charset=utf-8');
    return renderMetrics({
      sessions: all.length,
      operations: ops.map((o) => o.status),
      jobs: all.flatMap((s) => s.engine.jobs),
      bufferedChanges: ops.reduce((n, o) => n + o.bufferedChanges, 0),
    });
  });

  app.post<{ Body: { sessionName?: string; properties?: Record<string, string> } | null }>(
    '/v1/sessions',
    {
      schema: {
        body: {
          type: ['object', 'null'],
          properties: {
            sessionName: { type: 'string' },
            properties: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
      },
    },
    async (req) => {
      const body = req.body ?? {};
      const options = new Map([...(opts.defaultOptions ?? []), ...Object.entries(body.properties ?? {})]);
      const engine = newSession(options);
      // Validate option values the way SET does, so a bad time zone fails here and not later.
      for (const [k, v] of Object.entries(body.properties ?? {})) {
        await engine.executeScript(`SET '${k.replace(/'/g, "''")}' = '${v.replace(/'/g, "''")}'`);
      }
      const handle = randomUUID();
      sessions.set(handle, {
        handle,
        name: body.sessionName ?? handle,
        engine,
        operations: new Map(),
        lastAccess: Date.now(),
        streams: 0,
      });
      return { sessionHandle: handle };
    },
  );

  app.get<{ Params: SessionParams }>('/v1/sessions/:s', async (req) => {
    const s = getSession(req.params.s);
    return { sessionName: s.name, properties: Object.fromEntries(s.engine.options) };
  });

  app.post<{ Params: SessionParams }>('/v1/sessions/:s/heartbeat', async (req) => {
    getSession(req.params.s);
    return {};
  });

  app.delete<{ Params: SessionParams }>('/v1/sessions/:s', async (req) => {
    await closeSession(getSession(req.params.s));
    return { status: 'CLOSED' };
  });

  app.post<{
    Params: SessionParams;
    Body: { statement: string; executionConfig?: Record<string, string>; executionTimeout?: number };
  }>(
    '/v1/sessions/:s/statements',
    {
      schema: {
        body: {
          type: 'object',
          required: ['statement'],
          properties: {
            statement: { type: 'string' },
            executionConfig: { type: 'object', additionalProperties: { type: 'string' } },
            executionTimeout: { type: 'integer' },
          },
        },
      },
    },
    async (req) => {
      const s = getSession(req.params.s);
      const { result, timeZone } = await executeStatement(
        s.engine,
        req.body.statement,
        req.body.executionConfig ?? {},
      );
      const handle = randomUUID();
      s.operations.set(handle, new Operation(handle, result, timeZone, limits));
      return { operationHandle: handle };
    },
  );

  app.get<{ Params: OperationParams }>('/v1/sessions/:s/operations/:o/status', async (req) => {
    return { status: getOperation(req.params).status };
  });

  app.post<{ Params: OperationParams }>('/v1/sessions/:s/operations/:o/cancel', async (req) => {
    const op = getOperation(req.params);
    op.cancel();
    return { status: op.status };
  });

  app.delete<{ Params: OperationParams }>('/v1/sessions/:s/operations/:o', async (req) => {
    const s = getSession(req.params.s);
    const op = getOperation(req.params);
    s.operations.delete(op.handle);
    op.close();
    return { status: 'CLOSED' };
  });

  const resultUri = (p: OperationParams, token: number) =>
    `/v1/sessions/${p.s}/operations/${p.o}/result/${token}?rowFormat=JSON`;

  app.get<{ Params: OperationParams & { token: number } }>(
    '/v1/sessions/:s/operations/:o/result/:token',
    { schema: { params: { type: 'object', properties: { token: { type: 'integer', minimum: 0 } } } } },
    async (req, reply) => {
      const op = getOperation(req.params);
      const fetched = await op.fetch(req.params.token);
      const next =
        fetched.type === 'EOS'
          ? null
          : resultUri(req.params, fetched.type === 'PAYLOAD' ? fetched.token + 1 : fetched.token);
      if (accepts(req, ARROW_STREAM)) {
        void reply
          .type(ARROW_STREAM)
          .header('x-rivulet-result-type', fetched.type)
          .header('x-rivulet-next-result-uri', next ?? '');
        if (op.jobId !== undefined) void reply.header('x-rivulet-job-id', op.jobId);
        return Buffer.from(changesToArrow(op.columns, pageOf(fetched), op.timeZone));
      }
      return {
        resultType: fetched.type,
        isQueryResult: op.isQueryResult,
        ...(op.jobId !== undefined ? { jobID: op.jobId } : {}),
        resultKind: op.resultKind,
        results: {
          columns: columnInfos(op.columns),
          rowFormat: 'JSON',
          data: pageOf(fetched).map((c) => jsonRow(c, op.columns, op.timeZone)),
        },
        nextResultUri: next,
      };
    },
  );

  app.get<{ Params: OperationParams }>('/v1/sessions/:s/operations/:o/result/stream', async (req, reply) => {
    const session = getSession(req.params.s);
    const op = getOperation(req.params);
    session.streams++;
    try {
      if (accepts(req, ARROW_STREAM)) await streamArrow(op, reply);
      else await streamJson(op, reply, accepts(req, 'text/event-stream'));
    } finally {
      session.streams--;
      session.lastAccess = Date.now();
    }
  });

  app.get<{ Params: SessionParams }>('/v1/sessions/:s/operations', async (req) => {
    const s = getSession(req.params.s);
    return {
      operations: [...s.operations.values()].map((o) => ({
        operationHandle: o.handle,
        status: o.status,
        ...(o.jobId ? { jobID: o.jobId } : {}),
      })),
    };
  });

  return app;
}

/**
 * The pages of an operation from where a paging client left off, until EOS or until the push client
 * goes away. Each page is fetched only after the previous one was written (backpressure).
 */
async function* pagesOf(
  op: Operation,
  res: ServerResponse,
): AsyncGenerator<readonly Change[], void, undefined> {
  let gone = false;
  res.once('close', () => {
    gone = true;
  });
  let token = op.expectedToken;
  while (!gone) {
    const fetched = await op.fetch(token);
    if (fetched.type === 'EOS') return;
    if (fetched.type === 'PAYLOAD') {
      yield fetched.changes;
      token = fetched.token + 1;
    }
  }
}

/** The whole result pushed as NDJSON (one JSON object a line) or as server-sent events. */
async function streamJson(op: Operation, reply: FastifyReply, sse: boolean): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': sse ? 'text/event-stream' : 'application/x-ndjson',
    'cache-control': 'no-cache',
  });
  const emit = (event: string, data: unknown) =>
    write(res, sse ? `event: ${event}\ndata: ${JSON.stringify(data)}\n\n` : `${JSON.stringify(data)}\n`);
  await emit('columns', { columns: columnInfos(op.columns), ...(op.jobId ? { jobID: op.jobId } : {}) });
  try {
    for await (const page of pagesOf(op, res)) {
      for (const c of page) await emit('change', jsonRow(c, op.columns, op.timeZone));
    }
    if (!res.destroyed) await emit('eos', { resultType: 'EOS' });
  } catch (e) {
    await emit('error', errorResponse(e).body);
  }
  res.end();
}

/**
 * The whole result as one Arrow IPC stream: the schema, a record batch per page, the end marker. A
 * failure after the headers were sent cannot change the HTTP status: the connection is closed
 * without the end marker, so readers see a truncated stream, and the operation's status reads ERROR.
 */
async function streamArrow(op: Operation, reply: FastifyReply): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': ARROW_STREAM, 'cache-control': 'no-cache' });
  await write(res, splitIpcStream(changesToArrow(op.columns, [], op.timeZone)).schema);
  try {
    for await (const page of pagesOf(op, res)) {
      await write(res, splitIpcStream(changesToArrow(op.columns, page, op.timeZone)).batches);
    }
    await write(res, IPC_EOS);
    res.end();
  } catch {
    res.destroy();
  }
}

function pageOf(f: Fetched): readonly Change[] {
  return f.type === 'PAYLOAD' ? f.changes : [];
}

function accepts(req: FastifyRequest, type: string): boolean {
  return (req.headers.accept ?? '').split(',').some((a) => a.trim().split(';')[0] === type);
}

/** Writes a chunk, waiting for the socket to drain when its buffer is full (a slow push client). */
function write(res: ServerResponse, chunk: string | Uint8Array): Promise<void> {
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/**
 * Executes a statement (or a script: its statements in order; the operation is the last one). An
 * `executionConfig` applies to this statement only. A SELECT that is not the last statement has no
 * reader, so its job is cancelled.
 */
async function executeStatement(
  engine: Session,
  sql: string,
  config: Record<string, string>,
): Promise<{ result: StatementResult; timeZone: string }> {
  const statements = parse(sql);
  if (statements.length === 0) {
    throw new HttpError(400, 'EMPTY_STATEMENT', 'The statement is empty');
  }
  const saved = new Map(engine.options);
  for (const [k, v] of Object.entries(config)) engine.options.set(k, v);
  try {
    let result: StatementResult | undefined;
    for (const st of statements) {
      if (result?.kind === 'query') {
        result.job.cancel();
        result.sink.cancel();
      }
      result = await engine.execute(st, sql);
    }
    // The zone the values are shown in is the one in force when the statement ran.
    return {
      result: result as StatementResult,
      timeZone: engine.options.get('table.local-time-zone') ?? 'UTC',
    };
  } finally {
    if (Object.keys(config).length > 0) {
      engine.options.clear();
      for (const [k, v] of saved) engine.options.set(k, v);
    }
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface ServeOptions extends GatewayOptions {
  readonly host?: string;
  /** 0 picks a free port. Default 8083 (Flink SQL Gateway's port). */
  readonly port?: number;
}

export interface RunningGateway {
  readonly app: FastifyInstance;
  /** The base URL, e.g. `http://127.0.0.1:8083`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts a gateway listening on `host:port` (127.0.0.1:8083 by default). Binding a non-loopback host
 * without a token is refused: the API runs arbitrary SQL, including functions loaded from files.
 */
export async function serve(opts: ServeOptions = {}): Promise<RunningGateway> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && (opts.token === undefined || opts.token === '')) {
    throw new RivuletError(
      'config',
      'TOKEN_REQUIRED',
      `Binding ${host} exposes the API beyond this machine: set a token (--token or RIVULET_TOKEN)`,
    );
  }
  const app = createGateway(opts);
  await app.listen({ host, port: opts.port ?? 8083 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : (opts.port ?? 8083);
  const shown = host.includes(':') ? `[${host}]` : host;
  return { app, url: `http://${shown}:${port}`, port, close: () => app.close() };
}
