/** Starts real gateways on 127.0.0.1 with a free port and talks to them over HTTP. */
import { afterEach } from 'vitest';
import { type RunningGateway, type ServeOptions, serve } from '../../server/gateway.ts';

const running: RunningGateway[] = [];

afterEach(async () => {
  for (const g of running.splice(0)) await g.close();
});

export async function start(opts: ServeOptions = {}): Promise<Api> {
  const gw = await serve({ port: 0, ...opts });
  running.push(gw);
  return new Api(gw.url, opts.token);
}

export interface Reply<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export class Api {
  readonly url: string;
  private readonly token: string | undefined;

  constructor(url: string, token: string | undefined) {
    this.url = url;
    this.token = token;
  }

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      body: (type.includes('json') && text !== '' ? JSON.parse(text) : text) as T,
      headers: res.headers,
    };
  }

  async session(properties?: Record<string, string>): Promise<string> {
    const r = await this.call<{ sessionHandle: string }>(
      'POST',
      '/v1/sessions',
      properties ? { properties } : {},
    );
    if (r.status !== 200) throw new Error(`session: ${JSON.stringify(r.body)}`);
    return r.body.sessionHandle;
  }

  /** Submits a statement; returns the operation handle (throws on an error reply). */
  async submit(s: string, statement: string): Promise<string> {
    const r = await this.call<{ operationHandle: string }>('POST', `/v1/sessions/${s}/statements`, {
      statement,
    });
    if (r.status !== 200) throw new Error(`submit: ${JSON.stringify(r.body)}`);
    return r.body.operationHandle;
  }

  /** Follows nextResultUri from token 0 to EOS; returns every page with data. */
  async pages(s: string, o: string): Promise<Page[]> {
    const out: Page[] = [];
    let uri: string | null = `/v1/sessions/${s}/operations/${o}/result/0`;
    while (uri !== null) {
      const r: Reply<Page> = await this.call<Page>('GET', uri);
      if (r.status !== 200) throw new Error(`fetch: ${JSON.stringify(r.body)}`);
      if (r.body.resultType === 'PAYLOAD') out.push(r.body);
      uri = r.body.nextResultUri;
    }
    return out;
  }

  async metric(name: string): Promise<number> {
    const r = await this.call('GET', '/metrics');
    const line = String(r.body)
      .split('\n')
      .find((l) => l.startsWith(`${name} `));
    if (line === undefined) throw new Error(`no metric ${name}`);
    return Number(line.slice(name.length + 1));
  }
}

export interface Page {
  resultType: 'NOT_READY' | 'PAYLOAD' | 'EOS';
  isQueryResult: boolean;
  jobID?: string;
  resultKind: string;
  results: {
    columns: { name: string; logicalType: { type: string; nullable: boolean } }[];
    rowFormat: string;
    data: { kind: string; fields: unknown[] }[];
  };
  nextResultUri: string | null;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `f` until it returns true (or fails after `ms`). */
export async function eventually(f: () => Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await sleep(20);
  }
}
