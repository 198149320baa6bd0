/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) by self time per function, for the profile section
 * of docs/benchmarks.md.
 *
 * Usage: node bench/nexmark/profile-summary.ts <file.cpuprofile> [top, default 20]
 *
 * Steps: add up each sample's time delta on the node it landed in; group nodes by function name and
 * source position; print the largest shares of the sampled time ((idle) and (program) included, so the
 * shares add up to the whole profile).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function selfTimes(p: Profile): { total: number; rows: [string, number][] } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const d = p.timeDeltas[i] ?? 0;
    total += d;
    const f = (byId.get(id) as ProfileNode).callFrame;
    const where = f.url.replace(
      /^.*?\/(?=(?:operators|runtime|connectors|planner|catalog|bench|common)\/)/,
      '',
    );
    const key = `${f.functionName || '(anonymous)'} ${where}${where ? `:${f.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + d);
  });
  return { total, rows: [...self].sort((a, b) => b[1] - a[1]) };
}

if (process.argv[1] === import.meta.filename) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node bench/nexmark/profile-summary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  const { total, rows } = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  console.log(`sampled ${(total / 1e6).toFixed(1)} s`);
  for (const [k, t] of rows.slice(0, Number(process.argv[3] ?? 20))) {
    console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
  }
}
