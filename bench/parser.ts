/**
 * Parser benchmark (`node bench/parser.ts`), not a timed test:
 * 1. Builds a 5,000-statement script from the statements of the parser corpus
 *    (test/parser/fixtures/corpus), cycling through them.
 * 2. Warm throughput: parses the script a few times to warm up the JIT, then times several full parses
 *    and prints statements/s and MB/s of SQL (best and median run).
 * 3. Cold start: in fresh processes, times loading the parser module (which builds the one lexer and
 *    parser instance) and the first parse of a small query, as the REPL experiences them.
 */

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../parser/index.ts';

const STATEMENTS = 5_000;
const WARMUP_RUNS = 3;
const TIMED_RUNS = 5;
const COLD_RUNS = 5;

function corpusStatements(): string[] {
  const dir = join(import.meta.dirname, '..', 'test', 'parser', 'fixtures', 'corpus');
  const out: string[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const s of parse(text)) out.push(text.slice(s.span.offset, s.span.end));
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const pool = corpusStatements();
const script = Array.from({ length: STATEMENTS }, (_, i) => pool[i % pool.length]).join(';\n');
const megabytes = Buffer.byteLength(script, 'utf8') / 1e6;

for (let i = 0; i < WARMUP_RUNS; i++) parse(script);
const times: number[] = [];
for (let i = 0; i < TIMED_RUNS; i++) {
  const t0 = performance.now();
  const n = parse(script).length;
  times.push((performance.now() - t0) / 1000);
  if (n !== STATEMENTS) throw new Error(`parsed ${n} statements, expected ${STATEMENTS}`);
}
const best = Math.min(...times);
const med = median(times);
console.log(
  `warm: ${STATEMENTS} statements, ${megabytes.toFixed(2)} MB (${pool.length} distinct corpus statements, cycled)`,
);
console.log(
  `  best   ${(STATEMENTS / best).toFixed(0)} statements/s, ${(megabytes / best).toFixed(2)} MB/s (${(best * 1000).toFixed(0)} ms)`,
);
console.log(
  `  median ${(STATEMENTS / med).toFixed(0)} statements/s, ${(megabytes / med).toFixed(2)} MB/s (${(med * 1000).toFixed(0)} ms)`,
);

// Cold start: a fresh process loads the parser and parses one small query.
const parserUrl = new URL('../parser/index.ts', import.meta.url).href;
const child = `
const t0 = performance.now();
const { parse } = await import(${JSON.stringify(parserUrl)});
const t1 = performance.now();
parse("SELECT id, price * 2 AS p FROM orders WHERE price > 10");
const t2 = performance.now();
console.log(JSON.stringify({ load: t1 - t0, firstParse: t2 - t1 }));
`;
const loads: number[] = [];
const firsts: number[] = [];
for (let i = 0; i < COLD_RUNS; i++) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cold-start child failed: ${r.stderr}`);
  const { load, firstParse } = JSON.parse(r.stdout) as { load: number; firstParse: number };
  loads.push(load);
  firsts.push(firstParse);
}
console.log(`cold (median of ${COLD_RUNS} fresh processes):`);
console.log(`  first parse of a small query: ${median(firsts).toFixed(1)} ms`);
console.log(`  loading the parser module (lexer + grammar construction): ${median(loads).toFixed(1)} ms`);
console.log(`  total: ${median(loads.map((l, i) => l + firsts[i]!)).toFixed(1)} ms`);
