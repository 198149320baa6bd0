import { describe, expect, it } from 'vitest';
import { Exposition, escapeLabelValue, formatValue, metricName } from '../../server/prometheus.ts';
import { eventually, start } from './helpers.ts';

/** Parses the text format strictly enough to catch malformed output: families, types, samples. */
function parseExposition(text: string) {
  const types = new Map<string, string>();
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$/.exec(line);
    if (type) {
      expect(types.has(type[1] as string), `one TYPE line for ${type[1]}`).toBe(false);
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(m, `a sample line: ${line}`).not.toBeNull();
    const [, name, rawLabels, value] = m as RegExpExecArray;
    expect(types.has(name as string), `${name} declared before its samples`).toBe(true);
    const labels: Record<string, string> = {};
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
    let rest = rawLabels ?? '';
    for (let l = re.exec(rest); l !== null; l = re.exec(rest)) {
      labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_x, c: string) => (c === 'n' ? '\n' : c));
      if (re.lastIndex === rest.length) rest = '';
    }
    expect(rest === '' || re.lastIndex === (rawLabels ?? '').length, `labels of ${line}`).toBe(true);
    samples.push({ name: name as string, labels, value: value === '+Inf' ? Infinity : Number(value) });
  }
  return { types, samples };
}

describe('Prometheus text format writer', () => {
  it('writes families with HELP and TYPE, escaped labels and special numbers', () => {
    const e = new Exposition();
    e.add('a_total', 'counter', 'A count.\nTwo lines', { job: 'x"y\\z\nw' }, 3);
    e.add('b', 'gauge', 'B.', {}, Infinity);
    e.add('a_total', 'counter', 'ignored', { job: 'k' }, 4);
    e.family('empty', 'gauge', 'No samples.');
    expect(e.render()).toBe(
      [
        '# HELP a_total A count.\\nTwo lines',
        '# TYPE a_total counter',
        'a_total{job="x\\"y\\\\z\\nw"} 3',
        'a_total{job="k"} 4',
        '# HELP b B.',
        '# TYPE b gauge',
        'b +Inf',
        '# HELP empty No samples.',
        '# TYPE empty gauge',
        '',
      ].join('\n'),
    );
    const parsed = parseExposition(e.render());
    expect(parsed.samples[0]?.labels.job).toBe('x"y\\z\nw');
    expect([formatValue(Number.NaN), formatValue(-Infinity), formatValue(0.5)]).toEqual([
      'NaN',
      '-Inf',
      '0.5',
    ]);
    expect(escapeLabelValue('plain')).toBe('plain');
    expect(metricName('num-late.records')).toBe('num_late_records');
    expect(metricName('1x')).toBe('_1x');
  });
});

describe('GET /metrics with a running job', () => {
  it('exports every node of the job with Flink-named metrics and job/operator labels', async () => {
    const api = await start();
    const s = await api.session({ 'pipeline.name': 'sums' });
    await api.submit(
      s,
      `CREATE TABLE g (x INT, ts AS TIMESTAMPADD(SECOND, x, TIMESTAMP '2024-01-01 00:00:00'), WATERMARK FOR ts AS ts)
       WITH ('connector' = 'datagen', 'rows-per-second' = '5000', 'fields.x.kind' = 'sequence',
             'fields.x.start' = '1', 'fields.x.end' = '1000000000')`,
    );
    await api.submit(s, "CREATE TABLE sink (k INT, n BIGINT) WITH ('connector' = 'blackhole')");
    await api.submit(s, 'INSERT INTO sink SELECT x % 5, COUNT(*) FROM g GROUP BY x % 5');
    const scrape = async () => {
      const r = await api.call('GET', '/metrics');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return parseExposition(String(r.body));
    };
    const of = (p: ReturnType<typeof parseExposition>, name: string, operator: RegExp) =>
      p.samples.find((x) => x.name === name && operator.test(x.labels.operator ?? ''));
    await eventually(
      async () =>
        ((await scrape()).samples.find(
          (x) =>
            x.name === 'rivulet_job_operator_numRecordsOut' && /Source\(g\)/.test(x.labels.operator ?? ''),
        )?.value ?? 0) > 0,
      20_000,
    );
    const p = await scrape();
    for (const name of [
      'busyTimeMsPerSecond',
      'backPressuredTimeMsPerSecond',
      'idleTimeMsPerSecond',
      'numRecordsIn',
      'numRecordsOut',
      'numRecordsInPerSecond',
      'numRecordsOutPerSecond',
      'isBottleneck',
    ]) {
      for (const op of [/Source\(g\)/, /GroupAggregate/, /^Sink\(sink\)$/]) {
        const x = of(p, `rivulet_job_operator_${name}`, op);
        expect(x, `${name} of ${op}`).toBeDefined();
        expect(x?.labels.job_name).toBe('sums');
        expect(x?.labels.job_id).toMatch(/^job-\d+$/);
      }
    }
    expect(p.types.get('rivulet_job_operator_numRecordsIn')).toBe('counter');
    expect(p.types.get('rivulet_job_operator_busyTimeMsPerSecond')).toBe('gauge');
    // The three times of a node share each second.
    const src = /Source\(g\)/;
    const sum = ['busy', 'backPressured', 'idle']
      .map((k) => of(p, `rivulet_job_operator_${k}TimeMsPerSecond`, src)?.value ?? Number.NaN)
      .reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1000, 6);
    expect(of(p, 'rivulet_job_operator_stateEntries', /GroupAggregate/)?.value).toBeGreaterThan(0);
    expect(of(p, 'rivulet_job_operator_numLateRecordsDropped', /GroupAggregate/)?.value).toBe(0);
    // Event time is in 2024: the source's watermark lags processing time by more than a day.
    expect(of(p, 'rivulet_job_operator_watermarkLag', src)?.value).toBeGreaterThan(86_400_000);
    expect(of(p, 'rivulet_job_operator_currentWatermark', src)?.value).toBeGreaterThanOrEqual(
      Date.UTC(2024, 0, 1),
    );
    expect(
      p.samples
        .filter((x) => x.name === 'rivulet_job_operator_isBottleneck')
        .map((x) => x.value)
        .every((v) => v === 0 || v === 1),
    ).toBe(true);
  }, 60_000);
});
