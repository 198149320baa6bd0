/**
 * A "JDBC-like" client of Rivulet's HTTP API (`import { connect } from 'rivulet/client'`):
 *
 *     const conn = await connect('http://127.0.0.1:8083', { token });
 *     await conn.execute("CREATE TABLE t (x INT) WITH ('connector' = 'datagen')");
 *     const q = await conn.query('SELECT x FROM t');
 *     for await (const change of q) console.log(change.kind, change.fields);
 *     await conn.close();
 *
 * It follows the gateway's paged protocol (tokens, `nextResultUri`, NOT_READY polling) with the
 * global `fetch`, and turns error responses into `GatewayError`s carrying the stable code and, for SQL
 * errors, the position.
 */

export type ChangeKind = 'INSERT' | 'UPDATE_BEFORE' | 'UPDATE_AFTER' | 'DELETE';

export interface ColumnInfo {
  readonly name: string;
  readonly logicalType: { readonly type: string; readonly nullable: boolean };
}

/** One change of a result: its kind and its values (JSON: numbers, strings, booleans, null, objects). */
export interface Change {
  readonly kind: ChangeKind;
  readonly fields: readonly unknown[];
}

export interface ExecuteResult {
  readonly resultKind: 'SUCCESS' | 'SUCCESS_WITH_CONTENT';
  readonly columns: readonly ColumnInfo[];
  /** The rows of a fixed result (SHOW, DESCRIBE, EXPLAIN, an INSERT's job id, a bounded query's changes' final rows). */
  readonly rows: readonly (readonly unknown[])[];
  readonly jobId: string | undefined;
}

export interface QueryResult extends AsyncIterable<Change> {
  /** The server's handle of the operation (for `.../operations/{handle}/result/stream` and the like). */
  readonly operationHandle: string;
  readonly columns: readonly ColumnInfo[];
  readonly jobId: string | undefined;
  /** Reads every change to the end and applies them: the final rows (bounded queries only). */
  collect(): Promise<unknown[][]>;
  /** Stops the query's job on the server. */
  cancel(): Promise<void>;
  /** Releases the operation on the server (stops the job if still running). */
  close(): Promise<void>;
}

export interface ConnectOptions {
  readonly token?: string;
  readonly sessionName?: string;
  /** Session options, as with SET. */
  readonly properties?: Readonly<Record<string, string>>;
}

interface ErrorJson {
  readonly errors?: readonly string[];
  readonly code?: string;
  readonly position?: { readonly line: number; readonly column: number };
}

interface FetchResultJson {
  readonly resultType: 'NOT_READY' | 'PAYLOAD' | 'EOS';
  readonly isQueryResult: boolean;
  readonly jobID?: string;
  readonly resultKind: 'SUCCESS' | 'SUCCESS_WITH_CONTENT';
  readonly results: { readonly columns: readonly ColumnInfo[]; readonly data: readonly Change[] };
  readonly nextResultUri: string | null;
}

/** An error answered by the gateway (or a failure to reach it: code `CONNECTION_FAILED`). */
export class GatewayError extends Error {
  readonly status: number;
  readonly code: string;
  readonly position: { readonly line: number; readonly column: number } | undefined;

  constructor(message: string, status: number, code: string, position?: { line: number; column: number }) {
    super(message);
    this.name = 'GatewayError';
    this.status = status;
    this.code = code;
    this.position = position;
  }
}

class Http {
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(base: string, token: string | undefined) {
    this.base = base.replace(/\/+$/, '');
    this.headers = token ? { authorization: `Bearer ${token}` } : {};
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { ...this.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw new GatewayError(`cannot reach ${this.base}: ${(e as Error).message}`, 0, 'CONNECTION_FAILED');
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      json = { errors: [text], code: 'BAD_RESPONSE' };
    }
    if (!res.ok) {
      const e = json as ErrorJson;
      throw new GatewayError(
        e.errors?.join('; ') ?? `HTTP ${res.status}`,
        res.status,
        e.code ?? 'HTTP_ERROR',
        e.position,
      );
    }
    return json as T;
  }
}

/** A session on a Rivulet server. */
export class Connection {
  readonly sessionHandle: string;
  private readonly http: Http;
  private closed = false;

  constructor(http: Http, sessionHandle: string) {
    this.http = http;
    this.sessionHandle = sessionHandle;
  }

  private get base(): string {
    return `/v1/sessions/${this.sessionHandle}`;
  }

  private async submit(sql: string): Promise<string> {
    if (this.closed) throw new GatewayError('the connection is closed', 0, 'CONNECTION_CLOSED');
    const r = await this.http.call<{ operationHandle: string }>('POST', `${this.base}/statements`, {
      statement: sql,
    });
    return r.operationHandle;
  }

  /**
   * Executes a statement and reads its whole result: for DDL, SET, SHOW, EXPLAIN, INSERT (the job id;
   * the job keeps running) and bounded queries (their final rows). Never use it for a continuous
   * query: it would wait for ever; use `query`.
   */
  async execute(sql: string): Promise<ExecuteResult> {
    const op = await this.submit(sql);
    const pages = new Pages(this.http, `${this.base}/operations/${op}`);
    try {
      const head = await pages.peek();
      const rows = new Materialized();
      for (let page = await pages.next(); page; page = await pages.next()) {
        for (const c of page.results.data) rows.apply(c);
      }
      return {
        resultKind: head.resultKind,
        columns: head.results.columns,
        rows: rows.rows(),
        jobId: head.jobID,
      };
    } finally {
      await this.http.call('DELETE', `${this.base}/operations/${op}`).catch(() => {});
    }
  }

  /** Submits a query and returns its columns and an async iterator of its changes. */
  async query(sql: string): Promise<QueryResult> {
    const op = await this.submit(sql);
    const opPath = `${this.base}/operations/${op}`;
    const pages = new Pages(this.http, opPath);
    const first = await pages.peek();
    const http = this.http;
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await http.call('DELETE', opPath).catch((e: GatewayError) => {
        if (e.code !== 'OPERATION_NOT_FOUND' && e.code !== 'SESSION_NOT_FOUND') throw e;
      });
    };
    async function* changes(): AsyncGenerator<Change, void, undefined> {
      for (let page = await pages.next(); page; page = await pages.next()) yield* page.results.data;
    }
    return {
      operationHandle: op,
      columns: first.results.columns,
      jobId: first.jobID,
      [Symbol.asyncIterator]: changes,
      async collect() {
        const m = new Materialized();
        for await (const c of changes()) m.apply(c);
        return m.rows();
      },
      async cancel() {
        await http.call('POST', `${opPath}/cancel`);
      },
      close: release,
    };
  }

  /** Keeps the session alive while the program is otherwise quiet (the server closes idle sessions). */
  async heartbeat(): Promise<void> {
    await this.http.call('POST', `${this.base}/heartbeat`);
  }

  /** The session's options. */
  async properties(): Promise<Record<string, string>> {
    const r = await this.http.call<{ properties: Record<string, string> }>('GET', this.base);
    return r.properties;
  }

  /** Closes the session; its jobs stop. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.http.call('DELETE', this.base);
  }
}

/** Walks the result pages of one operation, polling while the server answers NOT_READY. */
class Pages {
  private readonly http: Http;
  private uri: string | null;
  private peeked: FetchResultJson | undefined;

  constructor(http: Http, opPath: string) {
    this.http = http;
    this.uri = `${opPath}/result/0?rowFormat=JSON`;
  }

  /** The first response (it carries the columns even when NOT_READY), kept for the next `next()`. */
  async peek(): Promise<FetchResultJson> {
    this.peeked ??= await this.fetchOne();
    return this.peeked;
  }

  /** The next page with data, or undefined at the end. */
  async next(): Promise<FetchResultJson | undefined> {
    for (;;) {
      const r = this.peeked ?? (await this.fetchOne());
      this.peeked = undefined;
      if (r.resultType === 'EOS') return undefined;
      // The server long-polls before NOT_READY, so asking again at once does not spin.
      if (r.resultType === 'PAYLOAD' && r.results.data.length > 0) return r;
    }
  }

  private async fetchOne(): Promise<FetchResultJson> {
    if (this.uri === null) {
      return {
        resultType: 'EOS',
        isQueryResult: false,
        resultKind: 'SUCCESS',
        results: { columns: [], data: [] },
        nextResultUri: null,
      };
    }
    const r = await this.http.call<FetchResultJson>('GET', this.uri);
    this.uri = r.nextResultUri;
    return r;
  }
}

/** The rows a changelog leaves: INSERT/UPDATE_AFTER add a row, UPDATE_BEFORE/DELETE remove an equal one. */
class Materialized {
  private readonly byKey = new Map<string, { row: unknown[]; count: number }>();

  apply(c: Change): void {
    const key = JSON.stringify(c.fields);
    const e = this.byKey.get(key);
    if (c.kind === 'INSERT' || c.kind === 'UPDATE_AFTER') {
      if (e) e.count++;
      else this.byKey.set(key, { row: [...c.fields], count: 1 });
    } else if (e && --e.count === 0) {
      this.byKey.delete(key);
    }
  }

  rows(): unknown[][] {
    return [...this.byKey.values()].flatMap(({ row, count }) => Array.from({ length: count }, () => row));
  }
}

/** Opens a session on the Rivulet server at `url`. */
export async function connect(url: string, opts: ConnectOptions = {}): Promise<Connection> {
  const http = new Http(url, opts.token);
  const r = await http.call<{ sessionHandle: string }>('POST', '/v1/sessions', {
    ...(opts.sessionName !== undefined ? { sessionName: opts.sessionName } : {}),
    ...(opts.properties !== undefined ? { properties: opts.properties } : {}),
  });
  return new Connection(http, r.sessionHandle);
}
