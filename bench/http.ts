/**
 * HTTP API benchmark (issue 10): a bounded query of N rows (datagen, default 1,000,000) fetched through
 * the gateway on 127.0.0.1, following `nextResultUri` page by page:
 *   1. in-process baseline: the same query read straight from the job's sink (no HTTP);
 *   2. JSON pages (`rowFormat=JSON`), parsed by the client;
 *   3. Arrow IPC pages (`Accept: application/vnd.apache.arrow.stream`), decoded with tableFromIPC;
 *   4. the whole result as one Arrow IPC stream (`.../result/stream`), decoded batch by batch.
 * Prints rows/s for each. Usage: node bench/http.ts [--rows N] [--page-size N]
 */
import { tableFromIPC } from 'apache-arrow';
import { Session } from '../runtime/session.ts';
import { serve } from '../server/gateway.ts';

const flag = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROWS = flag('--rows', 1_000_000);
const PAGE = flag('--page-size', 10_000);

const DDL = `CREATE TABLE events (id BIGINT, k INT, price DOUBLE, name VARCHAR(12)) WITH (
  'connector' = 'datagen', 'number-of-rows' = '${ROWS}', 'rows-per-second' = '1000000000', 'seed' = '1',
  'fields.k.min' = '0', 'fields.k.max' = '9999', 'fields.name.length' = '12')`;
const QUERY = 'SELECT id, k, price, name FROM events';

function report(label: string, rows: number, ms: number): void {
  if (rows !== ROWS) throw new Error(`${label}: expected ${ROWS} rows, got ${rows}`);
  const rate = Math.round(rows / (ms / 1000)).toLocaleString('en-US');
  console.log(
    `${label.padEnd(34)} ${rows.toLocaleString('en-US')} rows in ${(ms / 1000).toFixed(2)} s: ${rate} rows/s`,
  );
}

async function baseline(): Promise<void> {
  const session = new Session();
  await session.executeScript(DDL);
  const t0 = performance.now();
  const [r] = await session.executeScript(QUERY);
  if (r?.kind !== 'query') throw new Error('not a query');
  let n = 0;
  for await (const _ of r.sink.changes()) n++;
  report('in-process (no HTTP)', n, performance.now() - t0);
}

async function viaHttp(url: string, mode: 'json' | 'arrow' | 'arrow-stream'): Promise<void> {
  const arrow = mode !== 'json';
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(await res.text());
    return (await res.json()) as Record<string, string>;
  };
  const s = (await post('/v1/sessions', {})).sessionHandle as string;
  await post(`/v1/sessions/${s}/statements`, { statement: DDL });
  const t0 = performance.now();
  const o = (await post(`/v1/sessions/${s}/statements`, { statement: QUERY })).operationHandle as string;
  let uri: string | null = `/v1/sessions/${s}/operations/${o}/result/0`;
  let n = 0;
  if (mode === 'arrow-stream') {
    const res = await fetch(`${url}/v1/sessions/${s}/operations/${o}/result/stream`, {
      headers: { accept: 'application/vnd.apache.arrow.stream' },
    });
    n = tableFromIPC(new Uint8Array(await res.arrayBuffer())).numRows;
    uri = null;
  }
  while (uri !== null) {
    const res: Response = await fetch(`${url}${uri}`, {
      headers: arrow ? { accept: 'application/vnd.apache.arrow.stream' } : {},
    });
    if (!res.ok) throw new Error(await res.text());
    if (arrow) {
      const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
      n += table.numRows;
      const next = res.headers.get('x-rivulet-next-result-uri');
      uri = res.headers.get('x-rivulet-result-type') === 'EOS' || !next ? null : next;
    } else {
      const page = (await res.json()) as { results: { data: unknown[] }; nextResultUri: string | null };
      n += page.results.data.length;
      uri = page.nextResultUri;
    }
  }
  const label = {
    json: 'HTTP, JSON pages',
    arrow: 'HTTP, Arrow IPC pages',
    'arrow-stream': 'HTTP, one Arrow IPC stream',
  }[mode];
  report(label, n, performance.now() - t0);
  await fetch(`${url}/v1/sessions/${s}`, { method: 'DELETE' });
}

console.log(
  `${ROWS.toLocaleString('en-US')} rows (BIGINT, INT, DOUBLE, VARCHAR(12)); ${PAGE.toLocaleString('en-US')} rows per page`,
);
await baseline();
const gw = await serve({ port: 0, limits: { pageSize: PAGE, maxPages: 4 } });
try {
  await viaHttp(gw.url, 'json');
  await viaHttp(gw.url, 'arrow');
  await viaHttp(gw.url, 'arrow-stream');
} finally {
  await gw.close();
}
