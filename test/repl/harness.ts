/** Drives the real `rivulet` binary for the shell tests: over pipes, or in a tmux pseudo-terminal. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const bin = new URL('../../bin/rivulet.js', import.meta.url).pathname;
export const repoRoot = new URL('../..', import.meta.url).pathname;

/** A fresh Rivulet home (catalog and history) so tests never touch the user's ~/.rivulet. */
export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'rivulet-shell-'));
}

export interface Piped {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves once stdout holds `text` (rejects after `ms`). */
  waitFor(text: string | RegExp, ms?: number): Promise<void>;
  /** Resolves to the exit code; the child is killed if it has not exited after `ms`. */
  exit(ms?: number): Promise<number | null>;
}

/** Starts `rivulet ARGS` with its stdin, stdout and stderr as pipes. */
export function spawnPiped(args: readonly string[], home: string, env: NodeJS.ProcessEnv = {}): Piped {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env: { ...process.env, RIVULET_HOME: home, RIVULET_HISTORY: '', NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const p: Piped = {
    child,
    stdout: '',
    stderr: '',
    waitFor(text, ms = 30_000) {
      return new Promise((resolve, reject) => {
        const has = () => (typeof text === 'string' ? p.stdout.includes(text) : text.test(p.stdout));
        if (has()) return resolve();
        const timer = setTimeout(() => {
          child.stdout?.off('data', check);
          reject(new Error(`timed out waiting for ${text}; stdout:\n${p.stdout}\nstderr:\n${p.stderr}`));
        }, ms);
        const check = () => {
          if (!has()) return;
          clearTimeout(timer);
          child.stdout?.off('data', check);
          resolve();
        };
        child.stdout?.on('data', check);
      });
    },
    exit(ms = 45_000) {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        const timer = setTimeout(() => child.kill('SIGKILL'), ms);
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
    },
  };
  child.stdout?.on('data', (d: Buffer) => {
    p.stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    p.stderr += d.toString();
  });
  return p;
}

/** Feeds `input` to a fresh shell over pipes and waits for it to end. */
export async function runShell(
  input: string,
  opts: { home?: string; args?: readonly string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = spawnPiped(opts.args ?? [], opts.home ?? tempHome(), opts.env);
  p.child.stdin?.end(input);
  const code = await p.exit();
  return { code, stdout: p.stdout, stderr: p.stderr };
}

/** Whether tmux can be used for the terminal tests. */
export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let tmuxSessions = 0;

/**
 * A `rivulet` shell in a tmux pseudo-terminal, on a tmux server of its own (its own socket), so a
 * test never touches the user's tmux sessions. `close()` kills the server.
 */
export class TmuxShell {
  private readonly socket: string;
  private readonly name: string;

  constructor(
    args: readonly string[],
    home: string,
    env: Readonly<Record<string, string>> = {},
    size = { columns: 100, rows: 30 },
  ) {
    tmuxSessions++;
    this.socket = `rivulet-test-${process.pid}-${tmuxSessions}`;
    this.name = 'shell';
    this.tmux(
      'new-session',
      '-d',
      '-s',
      this.name,
      '-x',
      String(size.columns),
      '-y',
      String(size.rows),
      '-c',
      repoRoot,
      'env',
      `RIVULET_HOME=${home}`,
      'RIVULET_HISTORY=',
      'NO_COLOR=',
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      process.execPath,
      bin,
      ...args,
    );
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Types text literally (tmux would read a trailing `;` as its own command separator). */
  type(text: string): void {
    this.tmux('send-keys', '-t', this.name, '-l', text.replace(/;$/, '\\;'));
  }

  /** Presses keys by tmux name: Enter, Tab, C-c, C-d, NPage, ... */
  press(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }

  /** The visible screen as text. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.name);
  }

  /** The screen with its colours and other attributes as escape sequences. */
  styledScreen(): string {
    return this.tmux('capture-pane', '-p', '-e', '-t', this.name);
  }

  /** The screen with the lines scrolled off above it. */
  scrollback(): string {
    return this.tmux('capture-pane', '-p', '-S', '-2000', '-t', this.name);
  }

  /** Whether the shell's pane still exists (it goes away when the shell exits). */
  alive(): boolean {
    try {
      this.tmux('has-session', '-t', this.name);
      return true;
    } catch {
      return false;
    }
  }

  /** The screen, or `<the shell exited>` once the shell (and so its pane) is gone. */
  private currentScreen(): string {
    try {
      return this.screen();
    } catch (e) {
      // The shell may exit between two looks: only a missing session means it did.
      if (!this.alive()) return '<the shell exited>';
      throw e;
    }
  }

  /** Polls the screen until `test` accepts it; fails with the last screen after `ms`. */
  async waitFor(test: (screen: string) => boolean, what: string, ms = 20_000): Promise<string> {
    const until = Date.now() + ms;
    let last = '';
    while (Date.now() < until) {
      last = this.currentScreen();
      if (test(last)) return last;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`timed out waiting for ${what}; the screen was:\n${last}`);
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
  }
}
