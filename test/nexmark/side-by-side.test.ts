/**
 * The side-by-side benchmark's own logic, without Java: the report lines and their parsing, the
 * geometric mean, the parsing of the Flink runner's output, and the events file both engines read
 * (it must hold exactly the generator's events, or the comparison would not be over the same data).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunnerOutput } from '../../bench/flink/flink.ts';
import { chartSvg, markdownTable, readResults } from '../../bench/nexmark/chart.ts';
import { eventsFile, fileDdl, nexmarkDdl } from '../../bench/nexmark/run.ts';
import {
  formatDetail,
  formatGeomean,
  formatLine,
  geomean,
  parseLine,
  type SideBySide,
} from '../../bench/nexmark/side-by-side.ts';
import { Session } from '../../runtime/session.ts';
import { queryRows, sorted } from '../engine/helpers.ts';

const both = (name: string, rSecs: number, fSecs: number): SideBySide => ({
  name,
  events: 1_000_000,
  rivulet: { secs: rSecs, cpu: rSecs, rssMiB: 100 },
  flink: { secs: fSecs, cpu: 2 * fSecs, rssMiB: 500 },
});

describe('side-by-side report lines', () => {
  it('prints events/s of both engines and their ratio', () => {
    expect(formatLine(both('q0', 2, 4))).toBe('q0    rivulet=500000  flink=250000  ratio=2.000');
  });

  it('prints no ratio and the reason when Flink cannot run a query', () => {
    const line = formatLine({
      ...both('q6', 2, 4),
      flink: { error: "TableException: StreamPhysicalOverAggregate doesn't support\nupdates" },
    });
    expect(line).toBe(
      "q6    rivulet=500000  flink=unsupported  reason=flink: TableException: StreamPhysicalOverAggregate doesn't support updates",
    );
    expect(line).not.toContain('ratio=');
  });

  it('names the engine that refused when Rivulet cannot run a query', () => {
    const line = formatLine({ ...both('q13', 2, 4), rivulet: { error: 'X_CODE: no' } });
    expect(line).toBe('q13   rivulet=unsupported  flink=250000  reason=rivulet: X_CODE: no');
  });

  it('says failed, not unsupported, when a run timed out or crashed', () => {
    const line = formatLine({
      ...both('q5', 2, 4),
      flink: { error: 'flink runner failed: spawnSync java ETIMEDOUT' },
    });
    expect(line).toBe(
      'q5    rivulet=500000  flink=failed  reason=flink: flink runner failed: spawnSync java ETIMEDOUT',
    );
    expect(parseLine(line)).toEqual({ name: 'q5', rivulet: 500000, flink: null, ratio: null });
  });

  it('detail lines give CPU, events per CPU second and peak memory', () => {
    expect(formatDetail(both('q1', 2, 4))).toBe(
      '#     rivulet: cpu=2.00s perCpuSec=500000 peakRSS=100MiB  flink: cpu=8.00s perCpuSec=125000 peakRSS=500MiB',
    );
  });

  it('geomean is over the queries both engines ran', () => {
    expect(geomean([2, 8])).toBeCloseTo(4, 12);
    expect(geomean([])).toBeUndefined();
    const rows = [both('q0', 1, 2), both('q1', 4, 2), { ...both('q6', 1, 1), flink: { error: 'no' } }];
    expect(formatGeomean(rows)).toBe('geomean ratio=1.000  (over the 2 queries both engines ran)');
    expect(formatGeomean([rows[2] as SideBySide])).toMatch(/^geomean ratio=none/);
  });

  it('parses its own lines back', () => {
    expect(parseLine(formatLine(both('q5', 2, 4)))).toEqual({
      name: 'q5',
      rivulet: 500000,
      flink: 250000,
      ratio: 2,
    });
    expect(parseLine('q6    rivulet=12  flink=unsupported  reason=flink: x')).toEqual({
      name: 'q6',
      rivulet: 12,
      flink: null,
      ratio: null,
    });
    expect(parseLine('#     rivulet: cpu=1')).toBeUndefined();
  });
});

describe('the Flink runner output', () => {
  it('reads the measurement from the last line, after any log lines', () => {
    expect(parseRunnerOutput('log line\n{"secs":1.5,"netSecs":1.2,"cpu":3,"rssMiB":612.5}\n')).toEqual({
      secs: 1.5,
      netSecs: 1.2,
      cpu: 3,
      rssMiB: 612.5,
    });
  });
  it("reads Flink's refusal", () => {
    expect(parseRunnerOutput('{"error":"TableException: no"}')).toEqual({ error: 'TableException: no' });
  });
  it('rejects output that is not a measurement', () => {
    expect(parseRunnerOutput('Exception in thread main')).toBeUndefined();
    expect(parseRunnerOutput('{"secs":"fast"}')).toBeUndefined();
  });
});

describe('the events file both engines read', () => {
  const root = mkdtempSync(join(tmpdir(), 'rivulet-nexmark-file-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('holds exactly the generator events, nulls included, read back through ddl-file.sql', async () => {
    const dir = await eventsFile(3000, 1000, 5, root);
    const q = (ddl: string, sql: string) => {
      const s = new Session();
      return s.executeScript(ddl).then(() => queryRows(sql, s));
    };
    const views = [
      'SELECT id, name, emailAddress, creditCard, city, state, dateTime, extra FROM person',
      'SELECT id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra FROM auction',
      'SELECT auction, bidder, price, channel, url, dateTime, extra FROM bid',
    ];
    for (const sql of views) {
      const fromGenerator = sorted(await q(nexmarkDdl(3000, 1000, 5), sql));
      const fromFile = sorted(await q(fileDdl(dir), sql));
      expect(fromFile.length).toBeGreaterThan(0);
      expect(fromFile).toEqual(fromGenerator);
    }
    // A second call finds the cached directory rather than writing it again.
    expect(await eventsFile(3000, 1000, 5, root)).toBe(dir);
  }, 60_000);
});

describe('the chart and table of docs/benchmarks.md', () => {
  const results = [
    '# nexmark events=1000 tps=10 seed=1 node=v24 2026-11-25T18:00:00.000Z',
    'q0    rivulet=400  flink=200  ratio=2.000',
    '#     rivulet: cpu=2.50s perCpuSec=400 peakRSS=100MiB  flink: cpu=5.00s perCpuSec=200 peakRSS=600MiB  ofLimit=0.250',
    'q6    rivulet=100  flink=unsupported  reason=flink: TableException: no',
    '#     rivulet: cpu=10.00s perCpuSec=100 peakRSS=300MiB  flink: -  ofLimit=0.062',
    'geomean ratio=2.000  (over the 1 queries both engines ran)',
  ].join('\n');

  it('reads the lines, their details and the geomean', () => {
    const { lines, geomean } = readResults(results);
    expect(geomean).toBe(2);
    expect(lines.map((l) => [l.name, l.rivulet, l.flink, l.ratio])).toEqual([
      ['q0', 400, 200, 2],
      ['q6', 100, null, null],
    ]);
    expect(lines[1]?.reason).toBe('flink: TableException: no');
  });

  it('computes the geomean over the Nexmark lines when the results carry none', () => {
    const pieced = [
      'q0  rivulet=400  flink=100  ratio=4.000',
      'q1  rivulet=100  flink=100  ratio=1.000',
      'vshape  rivulet=9  flink=1  ratio=9.000',
    ];
    expect(readResults(pieced.join('\n')).geomean).toBeCloseTo(2, 12);
  });

  it('tabulates CPU, memory and the share of the limit, and says who cannot run a query', () => {
    const { lines } = readResults(results);
    expect(markdownTable(lines).split('\n').slice(2)).toEqual([
      '| q0 | 400 | 200 | 2.00 | 2.00 | 2.50 / 100 | 5.00 / 600 | 0.250 |',
      '| q6 | 100 | — | — (Flink cannot run it) | — | 10.00 / 300 | — | 0.062 |',
    ]);
  });

  it('draws one labelled row per line plus the geomean', () => {
    const { lines, geomean } = readResults(results);
    const svg = chartSvg(lines, geomean, 'title');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('>q0</text>');
    expect(svg).toContain('>2.00</text>');
    expect(svg).toContain('Flink cannot run it');
    expect(svg).toContain('>geomean</text>');
    expect(svg.match(/<rect /g)?.length).toBe(3); // the background, q0's bar and the geomean's bar
    expect(svg.match(/<circle /g)?.length).toBe(1); // q0's ratio per CPU second
  });
});
