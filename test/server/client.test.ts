import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type Change, connect, GatewayError } from '../../server/client.ts';
import { eventually, start } from './helpers.ts';

describe('client: connect / execute / query', () => {
  it('executes DDL, SHOW and a bounded query, and reads its final rows', async () => {
    const api = await start({ limits: { pageSize: 7 } });
    const conn = await connect(api.url);
    const created = await conn.execute(
      "CREATE TABLE seq (x INT) WITH ('connector'='datagen','fields.x.kind'='sequence','fields.x.start'='1','fields.x.end'='40')",
    );
    expect(created.resultKind).toBe('SUCCESS');
    expect((await conn.execute('SHOW TABLES')).rows).toEqual([['seq']]);
    const agg = await conn.execute('SELECT x % 2 AS odd, SUM(x) AS s FROM seq GROUP BY x % 2');
    expect(agg.columns.map((c) => c.name)).toEqual(['odd', 's']);
    expect([...agg.rows].sort()).toEqual([
      [0, 420],
      [1, 400],
    ]);
    const q = await conn.query('SELECT x FROM seq WHERE x > 30');
    expect(q.columns).toEqual([{ name: 'x', logicalType: { type: 'INT', nullable: true } }]);
    expect(q.jobId).toMatch(/^job-/);
    const seen: Change[] = [];
    for await (const c of q) seen.push(c);
    expect(seen.map((c) => c.fields[0]).sort((a, b) => (a as number) - (b as number))).toEqual([
      31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    ]);
    await q.close();
    await conn.close();
  });

  it('applies connection properties and keeps sessions apart', async () => {
    const api = await start();
    const a = await connect(api.url, { properties: { 'table.local-time-zone': 'Asia/Kolkata' } });
    const b = await connect(api.url);
    expect((await a.properties())['table.local-time-zone']).toBe('Asia/Kolkata');
    const rows = async (c: typeof a) => (await c.execute('SELECT TO_TIMESTAMP_LTZ(0, 3)')).rows;
    expect(await rows(a)).toEqual([['1970-01-01 05:30:00.000']]);
    expect(await rows(b)).toEqual([['1970-01-01 00:00:00.000']]);
    await a.execute("CREATE TABLE only_a (x INT) WITH ('connector'='datagen')");
    expect((await b.execute('SHOW TABLES')).rows).toEqual([]);
    await a.heartbeat();
    await a.close();
    await b.close();
  });

  it('throws GatewayError with the code and the SQL position', async () => {
    const api = await start();
    const conn = await connect(api.url);
    const err = await conn.execute('SELECT 1,\n  FROM').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ status: 400, code: 'SQL_SYNTAX', position: { line: 2, column: 3 } });
    await conn.close();
    const closed = await conn.execute('SHOW TABLES').catch((e: unknown) => e);
    expect(closed).toMatchObject({ code: 'CONNECTION_CLOSED' });
    const down = await connect('http://127.0.0.1:9').catch((e: unknown) => e);
    expect(down).toMatchObject({ code: 'CONNECTION_FAILED' });
  });

  it('sends the token, and fails with UNAUTHORIZED without it', async () => {
    const api = await start({ token: 'tok' });
    await expect(connect(api.url)).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    const conn = await connect(api.url, { token: 'tok' });
    expect((await conn.execute('SHOW TABLES')).rows).toEqual([]);
    await conn.close();
  });

  it('streams changes of a continuous query and cancels it', async () => {
    const api = await start();
    const conn = await connect(api.url);
    await conn.execute("CREATE TABLE g (x INT) WITH ('connector'='datagen','rows-per-second'='100')");
    const q = await conn.query('SELECT x FROM g');
    let n = 0;
    for await (const c of q) {
      expect(c.kind).toBe('INSERT');
      expect(typeof c.fields[0]).toBe('number');
      if (++n === 20) break;
    }
    await q.cancel();
    await eventually(async () => (await api.metric('rivulet_jobs{status="CANCELED"}')) === 1);
    expect(await api.metric('rivulet_jobs{status="RUNNING"}')).toBe(0);
    // A canceled query's iterator ends with the server's error.
    const after = await (async () => {
      for await (const _ of q) return 'more';
      return 'ended';
    })().catch((e: GatewayError) => e.code);
    expect(after).toBe('OPERATION_CANCELED');
    await q.close();
    await conn.close();
  });
});

describe('rivulet serve', () => {
  it('starts as a child process, answers a query over HTTP, and stops cleanly on SIGTERM', async () => {
    const bin = new URL('../../bin/rivulet.js', import.meta.url).pathname;
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--token', 't0k'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1] as string);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    expect(out).toContain('bearer token required');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/v1/info`)).status).toBe(401);
    const conn = await connect(url, { token: 't0k' });
    expect((await conn.execute('SELECT 1 + 1 AS two')).rows).toEqual([[2]]);
    // A push client is still attached to a continuous query when the server is stopped.
    await conn.execute("CREATE TABLE g (x INT) WITH ('connector'='datagen','rows-per-second'='100')");
    const q = await conn.query('SELECT x FROM g');
    const stream = await fetch(
      `${url}/v1/sessions/${conn.sessionHandle}/operations/${q.operationHandle}/result/stream`,
      {
        headers: { authorization: 'Bearer t0k' },
      },
    );
    expect(stream.status).toBe(200);
    expect(q.columns.map((c) => c.name)).toEqual(['x']);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).toContain('SIGTERM: shutting down');
  }, 30_000);
});
