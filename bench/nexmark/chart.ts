/**
 * Turns the output of `npm run bench:nexmark -- --vs-flink` into the chart and table of
 * docs/benchmarks.md. No dependency: the SVG is written as text.
 *
 * Usage: node bench/nexmark/chart.ts <results.txt> <chart.svg>
 *
 * Steps:
 *   1. Read the greppable lines (side-by-side.ts `parseLine`) and the `#` detail line after each, and
 *      the `limit` line.
 *   2. Draw one horizontal bar per line: the ratio Rivulet/Flink on a log2 axis centred on 1 (right of
 *      the centre line, Rivulet is faster), labelled with the ratio, and a dot at the ratio of events
 *      per CPU second (steadier on a shared machine); a line that one engine could not
 *      run gets a label saying which, and no bar. The geometric mean is the last bar.
 *   3. Print a Markdown table of the same lines (events/s, ratio, CPU seconds, peak RSS, share of the
 *      physical limit) on stdout, to paste into the document.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { geomean as geomeanOf, parseLine } from './side-by-side.ts';

interface Line {
  name: string;
  rivulet: number | null;
  flink: number | null;
  ratio: number | null;
  reason: string;
  detail: string;
}

export function readResults(text: string): { lines: Line[]; geomean: number | null } {
  const lines: Line[] = [];
  let geomean: number | null = null;
  for (const raw of text.split('\n')) {
    if (raw.startsWith('#') && lines.length > 0) {
      const last = lines[lines.length - 1] as Line;
      if (last.detail === '') last.detail = raw;
      continue;
    }
    const g = /^geomean ratio=([\d.]+)/.exec(raw);
    if (g) geomean = Number(g[1]);
    const p = parseLine(raw);
    if (p) lines.push({ ...p, reason: /reason=(.*)$/.exec(raw)?.[1] ?? '', detail: '' });
  }
  // Results pieced together from several invocations carry no single geomean line: compute it over the
  // Nexmark queries, as the runner does.
  if (geomean === null) {
    const ratios = lines
      .filter((l) => /^q\d+$/.test(l.name) && l.ratio !== null)
      .map((l) => l.ratio as number);
    geomean = geomeanOf(ratios) ?? null;
  }
  return { lines, geomean };
}

/** Rivulet's events per CPU second over Flink's, from a line's `#` detail (null when either is absent). */
export function cpuRatio(l: Line): number | null {
  const r = /rivulet: cpu=[\d.]+s perCpuSec=(\d+)/.exec(l.detail);
  const f = /flink: cpu=[\d.]+s perCpuSec=(\d+)/.exec(l.detail);
  return r && f ? Number(r[1]) / Number(f[1]) : null;
}

/** Why a line has no ratio: which engine, and whether it refused the query or its run failed. */
function missing(l: Line): string {
  const who = l.rivulet === null ? 'Rivulet' : 'Flink';
  return /runner failed|child failed/.test(l.reason)
    ? `${who}'s run failed: ${/ETIMEDOUT/.test(l.reason) ? 'timed out' : 'crashed'}`
    : `${who} cannot run it`;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function chartSvg(lines: readonly Line[], geomean: number | null, title: string): string {
  const rows = [
    ...lines.map((l) => ({ ...l })),
    ...(geomean === null
      ? []
      : [{ name: 'geomean', ratio: geomean, rivulet: null, flink: null, reason: '', detail: '' }]),
  ];
  const rowH = 22;
  const left = 90;
  const width = 760;
  const plotW = 520;
  const top = 48;
  const height = top + rows.length * rowH + 40;
  const perCpu = rows.map((r) => cpuRatio(r));
  const logs = [...rows.map((r) => r.ratio), ...perCpu].map((v) =>
    v ? Math.ceil(Math.abs(Math.log2(v))) : 0,
  );
  const maxLog = Math.max(3, ...logs);
  const x = (ratio: number): number => left + plotW / 2 + (Math.log2(ratio) / maxLog) * (plotW / 2);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<text x="${left}" y="36" fill="#555">bar: Rivulet/Flink events per wall second; dot: per CPU second. Log scale; right of 1 = Rivulet faster</text>`,
  );
  for (let k = -maxLog; k <= maxLog; k++) {
    const xx = x(2 ** k);
    const label = k >= 0 ? `${2 ** k}` : `1/${2 ** -k}`;
    out.push(
      `<line x1="${xx}" y1="${top - 4}" x2="${xx}" y2="${top + rows.length * rowH}" stroke="${k === 0 ? '#000' : '#ddd'}"/>`,
      `<text x="${xx}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#555">${label}</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    out.push(`<text x="${left - 8}" y="${y + 15}" text-anchor="end">${esc(r.name)}</text>`);
    if (r.ratio === null) {
      const who = missing(r);
      out.push(`<text x="${x(1) + 6}" y="${y + 15}" fill="#a00">${who}</text>`);
      return;
    }
    const x0 = x(1);
    const x1 = x(r.ratio);
    const color = r.name === 'geomean' ? '#335' : r.ratio >= 1 ? '#2a7' : '#d73';
    const c = perCpu[i];
    if (c) out.push(`<circle cx="${x(c)}" cy="${y + rowH / 2}" r="4" fill="#000"/>`);
    out.push(
      `<rect x="${Math.min(x0, x1)}" y="${y + 4}" width="${Math.max(1, Math.abs(x1 - x0))}" height="${rowH - 8}" fill="${color}"/>`,
      `<text x="${x1 + (r.ratio >= 1 ? 4 : -4)}" y="${y + 15}" text-anchor="${r.ratio >= 1 ? 'start' : 'end'}">${r.ratio.toFixed(2)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

const num = (n: number | null): string => (n === null ? '—' : n.toLocaleString('en-US'));

export function markdownTable(lines: readonly Line[]): string {
  const head = [
    '| query | Rivulet events/s | Flink events/s | ratio (wall) | ratio per CPU-s | Rivulet CPU s / peak RSS MiB | Flink CPU s / peak RSS MiB | Rivulet of limit |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const body = lines.map((l) => {
    const d = l.detail;
    const part = (who: string): string => {
      const m = new RegExp(`${who}: cpu=([\\d.]+)s perCpuSec=\\d+ peakRSS=(\\d+)MiB`).exec(d);
      return m ? `${m[1]} / ${m[2]}` : '—';
    };
    const limit = /ofLimit=([\d.]+)/.exec(d)?.[1] ?? '—';
    const ratio = l.ratio === null ? `— (${missing(l)})` : l.ratio.toFixed(2);
    const c = cpuRatio(l);
    return `| ${l.name} | ${num(l.rivulet)} | ${num(l.flink)} | ${ratio} | ${c === null ? '—' : c.toFixed(2)} | ${part('rivulet')} | ${part('flink')} | ${limit} |`;
  });
  return [...head, ...body].join('\n');
}

if (process.argv[1] === import.meta.filename) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: node bench/nexmark/chart.ts <results.txt> <chart.svg>');
    process.exit(2);
  }
  const text = readFileSync(input, 'utf8');
  const { lines, geomean } = readResults(text);
  const header = /^# nexmark events=(\d+).*?(\d{4}-\d\d-\d\d)T/m.exec(text);
  const title = `Nexmark and patterns, Rivulet vs Flink 1.20.3, ${header ? `${Number(header[1]).toLocaleString('en-US')} events, ${header[2]}` : ''}`;
  writeFileSync(output, chartSvg(lines, geomean, title));
  console.log(markdownTable(lines));
}
