/**
 * A small writer of the Prometheus text exposition format (version 0.0.4): metric families with
 * `# HELP` and `# TYPE` lines, then one sample per line, `name{label="value",...} number`.
 * Label values escape backslash, double quote and newline; HELP text escapes backslash and newline;
 * numbers print NaN, +Inf and -Inf as the format names them. Families keep the order they were first
 * declared in, and samples the order they were added.
 */

export type MetricType = 'counter' | 'gauge';

interface Family {
  readonly type: MetricType;
  readonly help: string;
  readonly samples: string[];
}

export type Labels = Readonly<Record<string, string>>;

/** A label value with `\`, `"` and newlines escaped. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A number as the format writes it. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** A valid metric name from any text: characters outside `[a-zA-Z0-9_:]` become `_`. */
export function metricName(raw: string): string {
  const s = raw.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

export class Exposition {
  private readonly families = new Map<string, Family>();

  /** Declares a family (shown with HELP and TYPE even without samples). */
  family(name: string, type: MetricType, help: string): void {
    if (!this.families.has(name)) this.families.set(name, { type, help, samples: [] });
  }

  /** Adds one sample, declaring the family on first use. */
  add(name: string, type: MetricType, help: string, labels: Labels, value: number): void {
    this.family(name, type, help);
    const entries = Object.entries(labels);
    const l =
      entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
    (this.families.get(name) as Family).samples.push(`${name}${l} ${formatValue(value)}`);
  }

  render(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) {
      out.push(
        `# HELP ${name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
        `# TYPE ${name} ${f.type}`,
      );
      out.push(...f.samples);
    }
    return `${out.join('\n')}\n`;
  }
}
