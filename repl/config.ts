import { readFileSync } from 'node:fs';
import { RivuletError } from '../common/errors.ts';

/**
 * Reads a configuration file of flat `key: value` lines, the shape of Flink's `config.yaml` with flat
 * keys (`execution.checkpointing.interval: 10s`). `key = value` lines are accepted too; `#` starts a
 * comment; values may be quoted. Nested YAML is not accepted: a line without a separator is an error
 * naming the file and line, so a typo never silently drops a setting.
 */
export function readConfigFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RivuletError(
      'config',
      'CONFIG_UNREADABLE',
      `cannot read config file ${path}: ${(e as Error).message}`,
    );
  }
  return parseConfig(text, path);
}

export function parseConfig(text: string, origin = '<config>'): Map<string, string> {
  const options = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = stripComment(lines[i] ?? '').trim();
    if (line === '') continue;
    const m = /^([A-Za-z0-9_.-]+)\s*(?::|=)\s*(.*)$/.exec(line);
    if (!m) {
      throw new RivuletError(
        'config',
        'CONFIG_SYNTAX',
        `${origin}:${i + 1}: expected 'key: value' (flat keys such as 'table.local-time-zone: UTC'), found: ${line}`,
      );
    }
    options.set(m[1] as string, unquote((m[2] as string).trim()));
  }
  return options;
}

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#') {
      return line.slice(0, i);
    }
  }
  return line;
}

function unquote(v: string): string {
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) {
    return v.slice(1, -1);
  }
  return v;
}
