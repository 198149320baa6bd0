import { describe, expect, it } from 'vitest';
import { serve } from '../../server/gateway.ts';
import { eventually, type Page, sleep, start } from './helpers.ts';

const SEQ = (n: number) =>
  `CREATE TABLE seq (x INT) WITH ('connector'='datagen','rows-per-second'='1000000','fields.x.kind'='sequence','fields.x.start'='1','fields.x.end'='${n}')`;

describe('gateway: service endpoints', () => {
  it('serves /v1/info, /healthz and an OpenAPI document naming every route', async () => {
    const api = await start();
    const info = await api.call('GET', '/v1/info');
    expect(info.status).toBe(200);
    expect(info.body.productName).toBe('Rivulet');
    expect(info.body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect((await api.call('GET', '/healthz')).status).toBe(200);
    expect((await api.call('GET', '/api_versions')).body).toEqual({ versions: ['V1'] });
    const doc = await api.call<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/openapi.json',
    );
    expect(doc.body.openapi).toMatch(/^3\./);
    const paths = doc.body.paths;
    expect(Object.keys(paths['/v1/sessions'] ?? {})).toContain('post');
    expect(Object.keys(paths['/v1/sessions/{sessionHandle}'] ?? {})).toEqual(
      expect.arrayContaining(['get', 'delete']),
    );
    for (const p of [
      '/v1/sessions/{sessionHandle}/heartbeat',
      '/v1/sessions/{sessionHandle}/statements',
      '/v1/sessions/{sessionHandle}/operations/{operationHandle}/status',
      '/v1/sessions/{sessionHandle}/operations/{operationHandle}/cancel',
      '/v1/sessions/{sessionHandle}/operations/{operationHandle}',
      '/v1/sessions/{sessionHandle}/operations/{operationHandle}/result/{token}',
      '/v1/sessions/{sessionHandle}/operations/{operationHandle}/result/stream',
      '/v1/info',
      '/api_versions',
      '/healthz',
      '/metrics',
    ]) {
      expect(paths[p], p).toBeDefined();
    }
  });

  it('answers unknown resources with a JSON 404', async () => {
    const api = await start();
    const r = await api.call('GET', '/v2/nothing');
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('NOT_FOUND');
  });
});

describe('gateway: sessions', () => {
  it('opens a session with properties, reports them, keeps it alive, closes it', async () => {
    const api = await start();
    const created = await api.call('POST', '/v1/sessions', {
      sessionName: 'mine',
      properties: { 'table.local-time-zone': 'Europe/Berlin', 'pipeline.name': 'p1' },
    });
    expect(created.status).toBe(200);
    const s = created.body.sessionHandle as string;
    const got = await api.call<{ sessionName: string; properties: Record<string, string> }>(
      'GET',
      `/v1/sessions/${s}`,
    );
    expect(got.body.sessionName).toBe('mine');
    expect(got.body.properties['table.local-time-zone']).toBe('Europe/Berlin');
    expect(got.body.properties['pipeline.name']).toBe('p1');
    expect((await api.call('POST', `/v1/sessions/${s}/heartbeat`)).status).toBe(200);
    expect((await api.call('DELETE', `/v1/sessions/${s}`)).body).toEqual({ status: 'CLOSED' });
    const gone = await api.call('GET', `/v1/sessions/${s}`);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('SESSION_NOT_FOUND');
  });

  it('rejects an invalid option value when the session is opened', async () => {
    const api = await start();
    const r = await api.call('POST', '/v1/sessions', {
      properties: { 'table.local-time-zone': 'Mars/Olympus' },
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('OPTION_INVALID');
  });

  it('gives 404 for every endpoint of an unknown session or operation', async () => {
    const api = await start();
    const s = await api.session();
    for (const [m, p] of [
      ['GET', '/v1/sessions/nope'],
      ['POST', '/v1/sessions/nope/heartbeat'],
      ['DELETE', '/v1/sessions/nope'],
      ['GET', '/v1/sessions/nope/operations/x/status'],
    ] as const) {
      const r = m === 'POST' ? await api.call(m, p, {}) : await api.call(m, p);
      expect(r.status, `${m} ${p}`).toBe(404);
      expect(r.body.code).toBe('SESSION_NOT_FOUND');
    }
    const st = await api.call('POST', '/v1/sessions/nope/statements', { statement: 'SHOW TABLES' });
    expect(st.status).toBe(404);
    for (const [m, p] of [
      ['GET', `/v1/sessions/${s}/operations/x/status`],
      ['POST', `/v1/sessions/${s}/operations/x/cancel`],
      ['DELETE', `/v1/sessions/${s}/operations/x`],
      ['GET', `/v1/sessions/${s}/operations/x/result/0`],
      ['GET', `/v1/sessions/${s}/operations/x/result/stream`],
    ] as const) {
      const r = m === 'POST' ? await api.call(m, p, {}) : await api.call(m, p);
      expect(r.status, `${m} ${p}`).toBe(404);
      expect(r.body.code).toBe('OPERATION_NOT_FOUND');
    }
  });

  it('closes a session left idle past the session timeout; heartbeats keep it open', async () => {
    const api = await start({ sessionTimeoutMs: 150 });
    const idle = await api.session();
    const kept = await api.session();
    for (let i = 0; i < 8; i++) {
      await sleep(50);
      await api.call('POST', `/v1/sessions/${kept}/heartbeat`, {});
    }
    expect((await api.call('GET', `/v1/sessions/${idle}`)).status).toBe(404);
    expect((await api.call('GET', `/v1/sessions/${kept}`)).status).toBe(200);
  });

  it('keeps idle sessions that feed a push stream or run an INSERT job', async () => {
    const api = await start({ sessionTimeoutMs: 150 });
    const idle = await api.session();
    const streaming = await api.session();
    const inserting = await api.session();
    const gen = "CREATE TABLE g (x INT) WITH ('connector'='datagen','rows-per-second'='100')";
    await api.submit(streaming, gen);
    const q = await api.submit(streaming, 'SELECT x FROM g');
    const ac = new AbortController();
    const res = await fetch(`${api.url}/v1/sessions/${streaming}/operations/${q}/result/stream`, {
      signal: ac.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await api.submit(inserting, gen);
    await api.submit(inserting, "CREATE TABLE sink (x INT) WITH ('connector'='blackhole')");
    const ins = await api.submit(inserting, 'INSERT INTO sink SELECT x FROM g');
    // Closing the INSERT's operation does not stop its job, as in Flink.
    await api.call('DELETE', `/v1/sessions/${inserting}/operations/${ins}`);
    const deadline = Date.now() + 600;
    while (Date.now() < deadline) await reader.read();
    expect((await api.call('GET', `/v1/sessions/${idle}`)).status).toBe(404);
    expect((await api.call('GET', `/v1/sessions/${streaming}`)).status).toBe(200);
    expect((await api.call('GET', `/v1/sessions/${inserting}`)).status).toBe(200);
    expect(await api.metric('rivulet_jobs{status="RUNNING"}')).toBe(2);
    ac.abort();
  });

  it('runs two sessions side by side with their own options', async () => {
    const api = await start();
    const utc = await api.session();
    const tokyo = await api.session({ 'table.local-time-zone': 'Asia/Tokyo' });
    const ny = await api.session();
    await api.submit(ny, "SET 'table.local-time-zone' = 'America/New_York'");
    const at = async (s: string) => {
      const o = await api.submit(s, 'SELECT TO_TIMESTAMP_LTZ(0, 3) AS t');
      const pages = await api.pages(s, o);
      return pages.flatMap((p) => p.results.data.map((d) => d.fields[0]));
    };
    const [a, b, c] = await Promise.all([at(utc), at(tokyo), at(ny)]);
    expect(a).toEqual(['1970-01-01 00:00:00.000']);
    expect(b).toEqual(['1970-01-01 09:00:00.000']);
    expect(c).toEqual(['1969-12-31 19:00:00.000']);
    const props = await api.call<{ properties: Record<string, string> }>('GET', `/v1/sessions/${utc}`);
    expect(props.body.properties['table.local-time-zone']).toBe('UTC');
  });
});

describe('gateway: statements and errors', () => {
  it('executes DDL: one OK page, then EOS', async () => {
    const api = await start();
    const s = await api.session();
    const o = await api.submit(s, "CREATE TABLE t (x INT) WITH ('connector'='datagen')");
    expect((await api.call('GET', `/v1/sessions/${s}/operations/${o}/status`)).body).toEqual({
      status: 'FINISHED',
    });
    const first = await api.call<Page>('GET', `/v1/sessions/${s}/operations/${o}/result/0`);
    expect(first.body).toEqual({
      resultType: 'PAYLOAD',
      isQueryResult: false,
      resultKind: 'SUCCESS',
      results: {
        columns: [{ name: 'result', logicalType: { type: 'STRING', nullable: true } }],
        rowFormat: 'JSON',
        data: [{ kind: 'INSERT', fields: ['OK'] }],
      },
      nextResultUri: `/v1/sessions/${s}/operations/${o}/result/1?rowFormat=JSON`,
    });
    const eos = await api.call<Page>('GET', `/v1/sessions/${s}/operations/${o}/result/1`);
    expect(eos.body.resultType).toBe('EOS');
    expect(eos.body.nextResultUri).toBeNull();
    const show = await api.submit(s, 'SHOW TABLES');
    const pages = await api.pages(s, show);
    expect(pages[0]?.resultKind).toBe('SUCCESS_WITH_CONTENT');
    expect(pages.flatMap((p) => p.results.data.map((d) => d.fields))).toEqual([['t']]);
  });

  it('pages a long fixed result (SHOW FUNCTIONS) like a query result', async () => {
    const api = await start({ limits: { pageSize: 5 } });
    const s = await api.session();
    const pages = await api.pages(s, await api.submit(s, 'SHOW FUNCTIONS'));
    expect(pages.length).toBeGreaterThan(2);
    for (const p of pages) expect(p.results.data.length).toBeLessThanOrEqual(5);
    const names = pages.flatMap((p) => p.results.data.map((d) => d.fields[0]));
    expect(names).toContain('UPPER');
    expect(new Set(names).size).toBe(names.length);
  });

  it('answers a syntax error with 400, a stable code and the line and column', async () => {
    const api = await start();
    const s = await api.session();
    const r = await api.call('POST', `/v1/sessions/${s}/statements`, { statement: 'SELECT 1\nFROM WHERE x' });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('SQL_SYNTAX');
    expect(r.body.position).toEqual({ line: 2, column: 6 });
    expect((r.body.errors as string[])[0]).toMatch(/WHERE/);
  });

  it('answers a planning error (unknown table) with 400 and its position', async () => {
    const api = await start();
    const s = await api.session();
    const r = await api.call('POST', `/v1/sessions/${s}/statements`, {
      statement: 'SELECT a\n  FROM missing',
    });
    expect(r.status).toBe(400);
    expect(typeof r.body.code).toBe('string');
    expect(r.body.position).toEqual({ line: 2, column: 8 });
  });

  it('rejects a body without a statement, and an empty statement', async () => {
    const api = await start();
    const s = await api.session();
    const r = await api.call('POST', `/v1/sessions/${s}/statements`, { sql: 'SHOW TABLES' });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('BAD_REQUEST');
    const e = await api.call('POST', `/v1/sessions/${s}/statements`, { statement: '  ' });
    expect(e.status).toBe(400);
  });

  it('refuses a request body over the limit with 413', async () => {
    const api = await start({ bodyLimit: 2048 });
    const s = await api.session();
    const r = await api.call('POST', `/v1/sessions/${s}/statements`, {
      statement: `SELECT '${'x'.repeat(4000)}'`,
    });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('REQUEST_TOO_LARGE');
  });

  it('applies executionConfig to one statement only', async () => {
    const api = await start();
    const s = await api.session();
    const r = await api.call<{ operationHandle: string }>('POST', `/v1/sessions/${s}/statements`, {
      statement: 'SELECT TO_TIMESTAMP_LTZ(0, 3)',
      executionConfig: { 'table.local-time-zone': 'Asia/Tokyo' },
    });
    const pages = await api.pages(s, r.body.operationHandle);
    expect(pages[0]?.results.data[0]?.fields).toEqual(['1970-01-01 09:00:00.000']);
    const props = await api.call<{ properties: Record<string, string> }>('GET', `/v1/sessions/${s}`);
    expect(props.body.properties['table.local-time-zone']).toBe('UTC');
  });

  it('runs a script: statements in order, the operation is the last one', async () => {
    const api = await start();
    const s = await api.session();
    const o = await api.submit(
      s,
      `${SEQ(3)};\nSET 'table.local-time-zone' = 'Asia/Tokyo';\nSELECT x, TO_TIMESTAMP_LTZ(0, 3) FROM seq;`,
    );
    const rows = (await api.pages(s, o)).flatMap((p) => p.results.data.map((d) => d.fields));
    expect(rows.sort()).toEqual([
      [1, '1970-01-01 09:00:00.000'],
      [2, '1970-01-01 09:00:00.000'],
      [3, '1970-01-01 09:00:00.000'],
    ]);
    // A SELECT that is not the last statement has no reader: its job is cancelled, not left running.
    await api.submit(s, "CREATE TABLE g (x INT) WITH ('connector'='datagen','rows-per-second'='100')");
    const tables = await api.pages(s, await api.submit(s, 'SELECT x FROM g; SHOW TABLES'));
    expect(tables.flatMap((p) => p.results.data.map((d) => d.fields[0])).sort()).toEqual(['g', 'seq']);
    await eventually(async () => {
      const jobs = await api.pages(s, await api.submit(s, 'SHOW JOBS'));
      const rows = jobs.flatMap((p) => p.results.data.map((d) => d.fields));
      return rows.some((r) => r[2] === 'CANCELED') && !rows.some((r) => r[2] === 'RUNNING');
    });
  });

  it('reports an INSERT job id and its status', async () => {
    const api = await start();
    const s = await api.session();
    await api.submit(s, SEQ(100));
    await api.submit(s, "CREATE TABLE out (x INT) WITH ('connector'='blackhole')").catch(async () => {
      await api.submit(s, "CREATE TABLE out (x INT) WITH ('connector'='print')");
    });
    const o = await api.submit(s, 'INSERT INTO out SELECT x FROM seq');
    const first = await api.call<Page>('GET', `/v1/sessions/${s}/operations/${o}/result/0`);
    expect(first.body.isQueryResult).toBe(false);
    expect(first.body.jobID).toMatch(/^job-/);
    expect(first.body.results.data[0]?.fields).toEqual([first.body.jobID]);
    await eventually(
      async () =>
        (await api.call('GET', `/v1/sessions/${s}/operations/${o}/status`)).body.status === 'FINISHED',
    );
  });
});

describe('gateway: paged results', () => {
  it('pages a bounded query to EOS with every row once, in pages of the configured size', async () => {
    const api = await start({ limits: { pageSize: 100 } });
    const s = await api.session();
    await api.submit(s, SEQ(1050));
    const o = await api.submit(s, 'SELECT x, x * 2 AS y FROM seq');
    const pages = await api.pages(s, o);
    expect(pages[0]?.isQueryResult).toBe(true);
    expect(pages[0]?.jobID).toMatch(/^job-/);
    expect(pages[0]?.results.columns).toEqual([
      { name: 'x', logicalType: { type: 'INT', nullable: true } },
      { name: 'y', logicalType: { type: 'INT', nullable: true } },
    ]);
    for (const p of pages) expect(p.results.data.length).toBeLessThanOrEqual(100);
    const rows = pages.flatMap((p) => p.results.data);
    expect(rows.every((r) => r.kind === 'INSERT')).toBe(true);
    expect(rows.map((r) => r.fields[0]).sort((a, b) => (a as number) - (b as number))).toEqual(
      Array.from({ length: 1050 }, (_, i) => i + 1),
    );
    expect(rows.every((r) => r.fields[1] === (r.fields[0] as number) * 2)).toBe(true);
    expect((await api.call('GET', `/v1/sessions/${s}/operations/${o}/status`)).body.status).toBe('FINISHED');
  });

  it('returns the same page again for the last token (a retry), and refuses tokens out of order', async () => {
    const api = await start({ limits: { pageSize: 10 } });
    const s = await api.session();
    await api.submit(s, SEQ(35));
    const o = await api.submit(s, 'SELECT x FROM seq');
    const base = `/v1/sessions/${s}/operations/${o}/result`;
    let first = await api.call<Page>('GET', `${base}/0`);
    while (first.body.resultType === 'NOT_READY') first = await api.call<Page>('GET', `${base}/0`);
    const again = await api.call<Page>('GET', `${base}/0`);
    expect(again.body).toEqual(first.body);
    const skip = await api.call('GET', `${base}/5`);
    expect(skip.status).toBe(400);
    expect(skip.body.code).toBe('RESULT_TOKEN_INVALID');
    const bad = await api.call('GET', `${base}/minus`);
    expect(bad.status).toBe(400);
  });

  it('shows updates of a bounded aggregate with their change kinds', async () => {
    const api = await start();
    const s = await api.session();
    await api.submit(s, SEQ(9));
    const o = await api.submit(s, 'SELECT x % 3 AS k, COUNT(*) AS c FROM seq GROUP BY x % 3');
    const changes = (await api.pages(s, o)).flatMap((p) => p.results.data);
    const kinds = new Set(changes.map((c) => c.kind));
    expect(kinds.has('INSERT')).toBe(true);
    // Apply the changelog: the final rows are three groups of three.
    const live = new Map<string, unknown[]>();
    for (const c of changes) {
      const key = JSON.stringify(c.fields);
      if (c.kind === 'INSERT' || c.kind === 'UPDATE_AFTER') live.set(key, c.fields);
      else live.delete(key);
    }
    expect([...live.values()].sort()).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
  });

  it('cancels a running continuous query: the status turns CANCELED and its job stops', async () => {
    const api = await start();
    const s = await api.session();
    await api.submit(s, "CREATE TABLE g (x INT) WITH ('connector'='datagen','rows-per-second'='100')");
    const o = await api.submit(s, 'SELECT x FROM g');
    const base = `/v1/sessions/${s}/operations/${o}`;
    let got: Page | undefined;
    while (got?.resultType !== 'PAYLOAD') got = (await api.call<Page>('GET', `${base}/result/0`)).body;
    expect((await api.call('GET', `${base}/status`)).body.status).toBe('RUNNING');
    expect(await api.metric('rivulet_jobs{status="RUNNING"}')).toBe(1);
    const c = await api.call('POST', `${base}/cancel`, {});
    expect(c.body).toEqual({ status: 'CANCELED' });
    expect((await api.call('GET', `${base}/status`)).body.status).toBe('CANCELED');
    await eventually(async () => (await api.metric('rivulet_jobs{status="CANCELED"}')) === 1);
    const after = await api.call('GET', `${base}/result/1`);
    expect(after.status).toBe(409);
    expect(after.body.code).toBe('OPERATION_CANCELED');
    expect((await api.call('DELETE', base)).body).toEqual({ status: 'CLOSED' });
    expect((await api.call('GET', `${base}/status`)).status).toBe(404);
  });

  it('closing a session cancels its running query', async () => {
    const api = await start();
    const s = await api.session();
    await api.submit(s, "CREATE TABLE g (x INT) WITH ('connector'='datagen','rows-per-second'='100')");
    await api.submit(s, 'SELECT x FROM g');
    expect(await api.metric('rivulet_sessions')).toBe(1);
    await api.call('DELETE', `/v1/sessions/${s}`);
    expect(await api.metric('rivulet_sessions')).toBe(0);
    expect(await api.metric('rivulet_jobs{status="RUNNING"}')).toBe(0);
  });

  it('buffers a bounded number of pages for a slow client, pausing the job, and resumes when it reads', async () => {
    const api = await start({ limits: { pageSize: 100, maxPages: 2 } });
    const s = await api.session();
    await api.submit(s, "CREATE TABLE fast (x INT) WITH ('connector'='datagen','rows-per-second'='1000000')");
    const o = await api.submit(s, 'SELECT x FROM fast');
    const job = `rivulet_job_records_in_total{job_id="${(await api.call<Page>('GET', `/v1/sessions/${s}/operations/${o}/result/0`)).body.jobID}",job_name="collect"}`;
    // Token 0 was fetched above; the client now stops reading.
    await sleep(500);
    const a = await api.metric(job);
    await sleep(500);
    const b = await api.metric(job);
    expect(b).toBe(a);
    // Bounded: the gateway's pages plus the collect sink's own bounded queue, far below the 1M/s rate.
    expect(b).toBeLessThan(100_000);
    // At most maxPages full pages plus the one being filled.
    expect(await api.metric('rivulet_result_buffered_changes')).toBeLessThanOrEqual(300);
    for (let t = 1; t <= 300; t++) {
      const r = await api.call<Page>('GET', `/v1/sessions/${s}/operations/${o}/result/${t}`);
      expect(r.status).toBe(200);
    }
    await eventually(async () => (await api.metric(job)) > b);
  });
});

describe('gateway: authentication', () => {
  it('requires the bearer token everywhere but /healthz', async () => {
    const api = await start({ token: 's3cret' });
    const url = api.url;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    for (const p of ['/v1/info', '/metrics', '/openapi.json']) {
      const r = await fetch(`${url}${p}`);
      expect(r.status, p).toBe(401);
      expect(((await r.json()) as { code: string }).code).toBe('UNAUTHORIZED');
    }
    const post = await fetch(`${url}/v1/sessions`, { method: 'POST' });
    expect(post.status).toBe(401);
    const wrong = await fetch(`${url}/v1/info`, { headers: { authorization: 'Bearer s3cre' } });
    expect(wrong.status).toBe(401);
    expect((await api.call('GET', '/v1/info')).status).toBe(200);
    expect(await api.session()).toMatch(/[0-9a-f-]{36}/);
  });

  it('refuses to bind a non-loopback address without a token', async () => {
    await expect(serve({ host: '0.0.0.0', port: 0 })).rejects.toMatchObject({ code: 'TOKEN_REQUIRED' });
  });
});
