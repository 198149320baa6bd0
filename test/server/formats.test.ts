import { type Decimal, Type, tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { sleep, start } from './helpers.ts';

const SEQ = (n: number) =>
  `CREATE TABLE seq (x INT) WITH ('connector'='datagen','rows-per-second'='1000000','fields.x.kind'='sequence','fields.x.start'='1','fields.x.end'='${n}')`;

describe('gateway: push streaming', () => {
  it('streams a bounded query as NDJSON: columns, one change a line, then EOS', async () => {
    const api = await start({ limits: { pageSize: 50 } });
    const s = await api.session();
    await api.submit(s, SEQ(250));
    const o = await api.submit(s, 'SELECT x FROM seq');
    const res = await fetch(`${api.url}/v1/sessions/${s}/operations/${o}/result/stream`);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]?.columns).toEqual([{ name: 'x', logicalType: { type: 'INT', nullable: true } }]);
    expect(lines.at(-1)).toEqual({ resultType: 'EOS' });
    const changes = lines.slice(1, -1) as { kind: string; fields: number[] }[];
    expect(changes).toHaveLength(250);
    expect(changes.every((c) => c.kind === 'INSERT')).toBe(true);
    expect(changes.map((c) => c.fields[0]).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: 250 }, (_, i) => i + 1),
    );
  });

  it('streams server-sent events to a push client, which can stop reading a continuous query', async () => {
    const api = await start();
    const s = await api.session();
    await api.submit(s, "CREATE TABLE g (x INT) WITH ('connector'='datagen','rows-per-second'='100')");
    const o = await api.submit(s, 'SELECT x FROM g');
    const ac = new AbortController();
    const res = await fetch(`${api.url}/v1/sessions/${s}/operations/${o}/result/stream`, {
      headers: { accept: 'text/event-stream' },
      signal: ac.signal,
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while ((text.match(/event: change/g) ?? []).length < 5) {
      const { value } = await reader.read();
      text += decoder.decode(value);
    }
    ac.abort();
    expect(text.startsWith('event: columns\ndata: {"columns":[{"name":"x"')).toBe(true);
    const first = /event: change\ndata: (.*)\n\n/.exec(text);
    expect(JSON.parse(first?.[1] ?? '')).toMatchObject({ kind: 'INSERT' });
    expect((await api.call('GET', `/v1/sessions/${s}/operations/${o}/status`)).body.status).toBe('RUNNING');
    await api.call('POST', `/v1/sessions/${s}/operations/${o}/cancel`, {});
  });

  it('pauses the job behind a push client that stops reading (socket backpressure)', async () => {
    const api = await start({ limits: { pageSize: 1000, maxPages: 2 } });
    const s = await api.session();
    await api.submit(s, "CREATE TABLE fast (x INT) WITH ('connector'='datagen','rows-per-second'='1000000')");
    const o = await api.submit(s, 'SELECT x FROM fast');
    const ac = new AbortController();
    const res = await fetch(`${api.url}/v1/sessions/${s}/operations/${o}/result/stream`, {
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    // The client reads nothing. The job must stop growing: two samples a while apart agree.
    const ids = await api.call<{ operations: { jobID?: string }[] }>('GET', `/v1/sessions/${s}/operations`);
    const metric = `rivulet_job_records_in_total{job_id="${ids.body.operations.find((op) => op.jobID)?.jobID}",job_name="collect"}`;
    let before = -1;
    let now = await api.metric(metric);
    for (let i = 0; i < 40 && now !== before; i++) {
      await sleep(400);
      before = now;
      now = await api.metric(metric);
    }
    expect(now).toBe(before);
    // What is held: socket buffers, the gateway's pages and the sink's queue, not the job's output.
    expect(now).toBeLessThan(3_000_000);
    ac.abort();
    await api.call('POST', `/v1/sessions/${s}/operations/${o}/cancel`, {});
  }, 30_000);

  it('reports a job failure in the stream as an error event', async () => {
    const api = await start();
    const s = await api.session();
    await api.submit(s, SEQ(5));
    const o = await api.submit(s, 'SELECT 10 / (x - 3) AS y FROM seq');
    const res = await fetch(`${api.url}/v1/sessions/${s}/operations/${o}/result/stream`);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // Integer division by zero fails the job (as in Flink) at x = 3: two rows, then the error.
    expect(lines.slice(1, -1)).toEqual([
      { kind: 'INSERT', fields: [-5] },
      { kind: 'INSERT', fields: [-10] },
    ]);
    expect(lines.at(-1)?.code).toBe('JOB_FAILED');
    expect(String((lines.at(-1)?.errors as string[] | undefined)?.[0])).toMatch(/Division by zero/);
    expect((await api.call('GET', `/v1/sessions/${s}/operations/${o}/status`)).body.status).toBe('ERROR');
    const page = await api.call('GET', `/v1/sessions/${s}/operations/${o}/result/1`);
    expect(page.status).toBe(500);
    expect(page.body.code).toBe('JOB_FAILED');
  });
});

describe('gateway: Arrow IPC results', () => {
  it('maps SQL types to Arrow types and decodes with tableFromIPC', async () => {
    const api = await start();
    const s = await api.session();
    const o = await api.submit(
      s,
      `SELECT * FROM (VALUES
        (1, CAST(10000000000 AS BIGINT), 'a', CAST(12.34 AS DECIMAL(10, 2)), 1.5, TRUE, DATE '2024-02-29', TIMESTAMP '2024-02-29 12:34:56.789', ARRAY[1, 2]),
        (2, CAST(-5 AS BIGINT), 'bé', CAST(-0.05 AS DECIMAL(10, 2)), -2.25, FALSE, DATE '1969-12-31', TIMESTAMP '1970-01-01 00:00:00.000', ARRAY[3])
      ) AS t(i, b, v, d, f, z, dt, ts, arr)`,
    );
    const res = await fetch(`${api.url}/v1/sessions/${s}/operations/${o}/result/0`, {
      headers: { accept: 'application/vnd.apache.arrow.stream' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    expect(res.headers.get('x-rivulet-result-type')).toBe('PAYLOAD');
    expect(res.headers.get('x-rivulet-next-result-uri')).toBe(
      `/v1/sessions/${s}/operations/${o}/result/1?rowFormat=JSON`,
    );
    const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
    expect(table.numRows).toBe(2);
    const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toMatchObject({
      i: 'Int32',
      b: 'Int64',
      v: 'Utf8',
      f: 'Decimal[3e+2]',
      z: 'Bool',
      dt: 'Date32<DAY>',
      ts: 'Timestamp<MILLISECOND>',
      arr: 'Utf8',
      $row_kind: 'Int8',
    });
    const d = table.schema.fields.find((f) => f.name === 'd')?.type as Decimal;
    expect([d.typeId, d.precision, d.scale, d.bitWidth]).toEqual([Type.Decimal, 10, 2, 128]);
    const col = (n: string) => table.getChild(n)?.toArray() as ArrayLike<unknown>;
    expect(Array.from(col('i'))).toEqual([1, 2]);
    expect([...(col('b') as BigInt64Array)]).toEqual([10000000000n, -5n]);
    expect(table.getChild('v')?.toJSON()).toEqual(['a', 'bé']);
    expect(table.getChild('z')?.toJSON()).toEqual([true, false]);
    expect(table.getChild('dt')?.get(0)).toBe(Date.UTC(2024, 1, 29));
    expect(table.getChild('dt')?.get(1)).toBe(Date.UTC(1969, 11, 31));
    expect(table.getChild('ts')?.get(0)).toBe(Date.UTC(2024, 1, 29, 12, 34, 56, 789));
    expect(table.getChild('arr')?.toJSON()).toEqual(['[1,2]', '[3]']);
    // DECIMAL(10, 2): the unscaled 128-bit two's-complement value.
    const words = (i: number) =>
      table.getChild('d')?.data[0]?.values.subarray(i * 4, i * 4 + 4) as Uint32Array;
    const unscaled = (w: Uint32Array) =>
      BigInt.asIntN(
        128,
        [...w].reduceRight((acc, x) => (acc << 32n) | BigInt(x), 0n),
      );
    expect(unscaled(words(0))).toBe(1234n);
    expect(unscaled(words(1))).toBe(-5n);
    expect(Array.from(col('$row_kind'))).toEqual([0, 0]);
    const eos = await fetch(`${api.url}/v1/sessions/${s}/operations/${o}/result/1`, {
      headers: { accept: 'application/vnd.apache.arrow.stream' },
    });
    expect(eos.headers.get('x-rivulet-result-type')).toBe('EOS');
    const empty = tableFromIPC(new Uint8Array(await eos.arrayBuffer()));
    expect(empty.numRows).toBe(0);
    expect(empty.schema.fields.map((f) => f.name)).toEqual([
      'i',
      'b',
      'v',
      'd',
      'f',
      'z',
      'dt',
      'ts',
      'arr',
      '$row_kind',
    ]);
  });

  it('streams a whole result as one Arrow IPC stream, a record batch per page', async () => {
    const api = await start({ limits: { pageSize: 1000 } });
    const s = await api.session();
    await api.submit(s, SEQ(2500));
    const o = await api.submit(s, 'SELECT x, CAST(x AS STRING) AS t FROM seq');
    const res = await fetch(`${api.url}/v1/sessions/${s}/operations/${o}/result/stream`, {
      headers: { accept: 'application/vnd.apache.arrow.stream' },
    });
    expect(res.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
    expect(table.numRows).toBe(2500);
    expect(table.batches.length).toBeGreaterThanOrEqual(3);
    const xs = Array.from(table.getChild('x')?.toArray() as Int32Array).sort((a, b) => a - b);
    expect(xs).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    const bad = table.toArray().filter((r) => String(r.x) !== r.t);
    expect(bad.slice(0, 3).map((r) => [r.x, r.t])).toEqual([]);
  });

  it('carries change kinds of an updating query in $row_kind', async () => {
    const api = await start();
    const s = await api.session();
    await api.submit(s, SEQ(4));
    const o = await api.submit(s, 'SELECT COUNT(*) AS c FROM seq');
    const kinds: number[] = [];
    const counts: bigint[] = [];
    for (let t = 0; ; ) {
      const res = await fetch(`${api.url}/v1/sessions/${s}/operations/${o}/result/${t}`, {
        headers: { accept: 'application/vnd.apache.arrow.stream' },
      });
      const type = res.headers.get('x-rivulet-result-type');
      const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
      if (type === 'EOS') break;
      if (type === 'PAYLOAD') {
        t++;
        kinds.push(...((table.getChild('$row_kind')?.toArray() as Int8Array | undefined) ?? []));
        counts.push(...((table.getChild('c')?.toArray() as BigInt64Array | undefined) ?? []));
      }
    }
    // The last change is an insert or update-after of the final count.
    expect(counts.at(-1)).toBe(4n);
    expect([0, 2]).toContain(kinds.at(-1));
    expect(kinds.every((k) => k >= 0 && k <= 3)).toBe(true);
  });
});
