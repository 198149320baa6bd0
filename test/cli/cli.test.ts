import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../repl/config.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/rivulet.js', import.meta.url).pathname;

/** Runs the real `rivulet` binary in a child process on the same Node as the tests. */
async function rivulet(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('rivulet CLI entry', () => {
  it('runs on Node 24', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });

  it('prints the package version', async () => {
    const r = await rivulet('--version');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('prints help with the global options', async () => {
    const r = await rivulet('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: rivulet');
    expect(r.stdout).toContain('--format <format>');
    expect(r.stdout).toContain('--config <file>');
  });

  it('rejects an unknown output format with a non-zero status and a message on stderr', async () => {
    const r = await rivulet('--format', 'xml');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("argument 'xml' is invalid");
  });

  it('rejects an unknown option', async () => {
    const r = await rivulet('--no-such-option');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown option '--no-such-option'");
  });
});

describe('config files', () => {
  it('reads flat key: value lines, comments and quotes', () => {
    const m = parseConfig(
      '# a comment\ntable.local-time-zone: Europe/Berlin\nexecution.checkpointing.interval = \'10s\' # why\npipeline.name: "a # b"\n',
    );
    expect([...m]).toEqual([
      ['table.local-time-zone', 'Europe/Berlin'],
      ['execution.checkpointing.interval', '10s'],
      ['pipeline.name', 'a # b'],
    ]);
  });

  it('names the file and line of a malformed entry', () => {
    expect(() => parseConfig('a: 1\nthis is not a setting\n', 'conf.yaml')).toThrow(
      /conf\.yaml:2: expected 'key: value'/,
    );
  });

  it('a missing --config file is a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-cli-'));
    writeFileSync(join(dir, 'ok.yaml'), 'a: 1\n');
    // With no subcommand the CLI prints help; the config is only read by subcommands, so exercise the reader.
    const { readConfigFile } = await import('../../repl/config.ts');
    expect(readConfigFile(join(dir, 'ok.yaml')).get('a')).toBe('1');
    expect(() => readConfigFile(join(dir, 'missing.yaml'))).toThrow(/cannot read config file/);
  });
});
