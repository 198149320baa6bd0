/**
 * The shell on a real terminal: tmux runs the `rivulet` binary in a pseudo-terminal; the tests type
 * keys and read the screen. tmux is required (CI installs it); without it these tests are skipped
 * with the reason shown in the test name.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasTmux, TmuxShell, tempHome } from './harness.ts';

const tmux = hasTmux();
const suite = tmux ? describe : describe.skip;

const INIT = [
  "CREATE TABLE clickstream (user_name STRING, amount INT) WITH ('connector' = 'datagen', 'rows-per-second' = '40');",
  "CREATE TABLE events (k INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen', 'rows-per-second' = '20');",
  "CREATE TABLE orders (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '3');",
].join('\n');

let shell: TmuxShell | undefined;
afterEach(() => {
  shell?.close();
  shell = undefined;
});

function start(env: Readonly<Record<string, string>> = {}): TmuxShell {
  const home = tempHome();
  const init = join(home, 'init.sql');
  writeFileSync(init, INIT);
  shell = new TmuxShell(['-i', init], home, env);
  return shell;
}

const lastLine = (screen: string) =>
  screen
    .split('\n')
    .filter((l) => l.trim() !== '')
    .at(-1)
    ?.trim() ?? '';

suite(
  tmux ? 'rivulet shell in a terminal (tmux)' : 'rivulet shell in a terminal: SKIPPED, tmux is not installed',
  () => {
    it('shows the prompt, a continuation prompt for a multi-line statement, and the result', async () => {
      const t = start();
      await t.waitFor(
        (s) => s.includes("[INFO] Table 'orders' created.") && lastLine(s) === 'rivulet>',
        'the prompt',
      );
      expect(t.screen()).toContain('Rivulet SQL shell');
      t.type('SELECT id, id * 10 AS tens');
      t.press('Enter');
      await t.waitFor((s) => lastLine(s) === '->', 'the continuation prompt');
      t.type('FROM orders;');
      t.press('Enter');
      const s = await t.waitFor(
        (x) => x.includes('3 rows in set') && lastLine(x) === 'rivulet>',
        'the result',
      );
      expect(s).toMatch(/\| id \| tens \|/);
      expect(s).toMatch(/\| {2}3 \| {3}30 \|/);
    }, 60_000);

    it('completes a table name with Tab, and a keyword in the case it was typed', async () => {
      const t = start();
      await t.waitFor((s) => lastLine(s) === 'rivulet>', 'the prompt');
      t.type('sel');
      t.press('Tab');
      t.type(' user_n');
      t.press('Tab');
      t.type(' FROM click');
      t.press('Tab');
      await t.waitFor(
        (s) => lastLine(s) === 'rivulet> select user_name FROM clickstream',
        'the completed statement',
      );
    }, 60_000);

    it('shows a continuous query live in table mode, updating in place, and Ctrl-C returns to the prompt', async () => {
      const t = start();
      await t.waitFor((s) => lastLine(s) === 'rivulet>', 'the prompt');
      t.type('SELECT COUNT(*) AS clicks FROM clickstream;');
      t.press('Enter');
      const count = (s: string) =>
        Number(/^\s*(\d+)\s*$/m.exec(s.split('\n').slice(4).join('\n'))?.[1] ?? -1);
      const first = await t.waitFor(
        (s) => s.includes('Rivulet table view') && s.includes('RUNNING') && count(s) > 0,
        'the live table view with a count',
      );
      expect(first).toMatch(/clicks\s*\n\s*BIGINT NOT NULL/);
      expect(first).toMatch(/Rows: 1 .*Received: \d+ changes .*Rate: \d+\/s/);
      // The one row is updated in place: the count grows while the view still holds one row.
      const later = await t.waitFor((s) => count(s) > count(first) + 5, 'a larger count');
      expect(later).toMatch(/Rows: 1 /);
      t.press('C-c');
      const back = await t.waitFor((s) => lastLine(s) === 'rivulet>', 'the prompt after Ctrl-C');
      expect(back).toMatch(/Left the table view: 1 row, \d+ changes received\./);
      expect(back).not.toContain('Rivulet table view');
      // The shell is still usable.
      t.type('SELECT 40 + 2 AS answer;');
      t.press('Enter');
      await t.waitFor((s) => /\|\s+42 \|/.test(s), 'the next result');
    }, 60_000);

    it('pages through the live view and leaves it with q', async () => {
      const t = start();
      await t.waitFor((s) => lastLine(s) === 'rivulet>', 'the prompt');
      t.type('SELECT amount, COUNT(*) AS c FROM clickstream GROUP BY amount;');
      t.press('Enter');
      // 40 new groups a second: more than one page of 24 rows soon.
      await t.waitFor((s) => /Page: 1\/[2-9]/.test(s), 'a second page');
      t.press('NPage');
      await t.waitFor((s) => /Page: 2\//.test(s), 'page 2');
      t.press('q');
      await t.waitFor(
        (s) => s.includes('Left the table view') && lastLine(s) === 'rivulet>',
        'the prompt after q',
      );
    }, 60_000);

    it('Ctrl-C at the prompt clears the line and Ctrl-D leaves the shell', async () => {
      const t = start();
      await t.waitFor((s) => lastLine(s) === 'rivulet>', 'the prompt');
      t.type('SELECT this is never run');
      t.press('C-c');
      await t.waitFor((s) => s.includes('never run^C') && lastLine(s) === 'rivulet>', 'a fresh prompt');
      t.press('C-d');
      await t.waitFor((s) => s === '<the shell exited>', 'the shell to exit');
    }, 60_000);

    it('prints a continuous query row by row in tableau mode with a status line, until Ctrl-C', async () => {
      const t = start();
      await t.waitFor((s) => lastLine(s) === 'rivulet>', 'the prompt');
      t.type("SET 'sql-client.execution.result-mode' = 'tableau';");
      t.press('Enter');
      t.type('SELECT amount FROM clickstream;');
      t.press('Enter');
      const running = await t.waitFor(
        (s) =>
          /\| \+I \|\s+-?\d+ \|/.test(s) &&
          /Running\.\.\.\s+Received: [1-9]\d* changes\s+Rate: \d+\/s/.test(lastLine(s)),
        'rows and the status line below them',
      );
      expect(running).toMatch(/\| \+I \|/);
      expect(t.scrollback()).toMatch(/\| op \|\s+amount \|\n\|\s+\|\s+INT \|/);
      t.press('C-c');
      const done = await t.waitFor((s) => lastLine(s) === 'rivulet>', 'the prompt after Ctrl-C');
      expect(done).toMatch(/Received a total of \d+ rows\nQuery cancelled after \d+ changes\./);
      expect(done).not.toContain('Running...');
    }, 60_000);

    it('shows the current watermark of a windowed query in the status line', async () => {
      const t = start();
      await t.waitFor((s) => lastLine(s) === 'rivulet>', 'the prompt');
      t.type(
        "SELECT window_start, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end;",
      );
      t.press('Enter');
      const s = await t.waitFor(
        (x) => /Watermark: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}/.test(x),
        'a watermark in the status line',
      );
      expect(s).toMatch(/window_start\s+c\s*\n\s*TIMESTAMP\(3\) NOT NULL\s+BIGINT NOT NULL/);
      t.press('q');
      await t.waitFor((x) => lastLine(x) === 'rivulet>', 'the prompt after q');
    }, 60_000);

    it('uses colours on a terminal, and none when NO_COLOR is set', async () => {
      // An SGR escape sequence (ESC [ ... m), built from its character code to keep the regex readable.
      const ESC = String.fromCharCode(27);
      const sgr = new RegExp(`${ESC}\\[[0-9;]*m`);
      const coloured = start();
      await coloured.waitFor((s) => lastLine(s) === 'rivulet>', 'the prompt');
      expect(coloured.styledScreen()).toMatch(new RegExp(`${ESC}\\[[0-9;]*m\\[INFO\\]`));
      coloured.close();
      const plain = start({ NO_COLOR: '1' });
      await plain.waitFor((s) => lastLine(s) === 'rivulet>', 'the prompt');
      expect(plain.styledScreen()).toContain('[INFO]');
      expect(plain.styledScreen()).not.toMatch(sgr);
    }, 60_000);

    it('recalls a multi-line statement from an earlier session with the Up key', async () => {
      const home = tempHome();
      const first = new TmuxShell([], home);
      shell = first;
      await first.waitFor((s) => lastLine(s) === 'rivulet>', 'the prompt');
      first.type('SELECT 11');
      first.press('Enter');
      first.type('  AS eleven;');
      first.press('Enter');
      await first.waitFor((s) => s.includes('eleven') && lastLine(s) === 'rivulet>', 'the result');
      first.press('C-d');
      await first.waitFor((s) => s === '<the shell exited>', 'the first shell to exit');
      first.close();
      const second = new TmuxShell([], home);
      shell = second;
      await second.waitFor((s) => lastLine(s) === 'rivulet>', 'the prompt');
      second.press('Up');
      await second.waitFor((s) => lastLine(s) === 'rivulet> SELECT 11 AS eleven;', 'the recalled statement');
      second.press('Enter');
      await second.waitFor((s) => /\|\s+11 \|/.test(s), 'its result');
    }, 60_000);
  },
);
