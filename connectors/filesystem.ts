/**
 * `'connector' = 'filesystem'`: reads and writes line-delimited files in any line-based format
 * (`json`, `csv`, `raw`, `debezium-json`, `canal-json`), with Flink's option names:
 * - `path`: a file, or a directory whose visible files (not starting with `.` or `_`) are read in name
 *   order; a sink writes new `part-*` files into the directory.
 * - `format` and the format's own options (`json.ignore-parse-errors`, `csv.field-delimiter`, ...).
 * - `source.monitor-interval`: keep watching the directory for new files (the source is then unbounded);
 *   without it the source is bounded and ends after the last file.
 * A record that cannot be decoded fails the job naming `file:line`, unless the format's
 * `ignore-parse-errors` option says to skip it: then it is counted as skipped, never dropped silently.
 * Files are read in chunks, so a large file is not held in memory whole. The position (for checkpoints)
 * is the set of files read completely plus the current file and its line count; restoring it skips
 * those files and re-reads the current file up to that line.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { T } from '../catalog/types.ts';
import { parseDurationMs } from '../common/duration.ts';
import { RivuletError } from '../common/errors.ts';
import type { Row, RowKind } from '../operators/api.ts';
import type {
  ChangelogMode,
  ConnectorFactory,
  OptionSpec,
  ScanSource,
  SinkWriter,
  SourceBatch,
  SourceContext,
  TableInfo,
} from './api.ts';
import {
  type DecodeResult,
  type Encoder,
  FORMATS,
  type Format,
  formatFor,
  formatOptionSpecs,
} from './formats/index.ts';

const LINE_FORMATS = ['json', 'csv', 'raw', 'debezium-json', 'canal-json'];

function tableFormat(table: TableInfo): Format {
  const id = table.options.get('format');
  if (id === undefined)
    throw new RivuletError(
      'plan',
      'OPTION_MISSING',
      `Table '${table.name}' needs the option 'format' (one of ${LINE_FORMATS.join(', ')})`,
    );
  const format = formatFor(id);
  if (!LINE_FORMATS.includes(id)) {
    throw new RivuletError(
      'plan',
      'FORMAT_UNSUPPORTED',
      `The filesystem connector reads and writes line-delimited formats (${LINE_FORMATS.join(', ')}), not '${id}'`,
    );
  }
  return format;
}

function physicalRowType(table: TableInfo) {
  const physical = table.columns.filter((c) => c.metadataKey === undefined);
  if (physical.length !== table.columns.length) {
    throw new RivuletError(
      'plan',
      'METADATA_UNSUPPORTED',
      `The filesystem connector has no metadata columns (table '${table.name}')`,
    );
  }
  return T.row(physical.map((c) => ({ name: c.name, type: c.type })));
}

const CHUNK = 1 << 20;

/** A file source's position: files read completely, and the lines read of the current one. */
interface FilePosition {
  readonly done: readonly string[];
  readonly current: { readonly file: string; readonly line: number } | null;
}

class FileSource implements ScanSource {
  readonly bounded: boolean;
  readonly changelogMode: ChangelogMode;
  private readonly table: TableInfo;
  private readonly decode: (line: string) => DecodeResult;
  private readonly path: string;
  private readonly monitorMs: number;
  private ctx!: SourceContext;
  private files: string[] = [];
  private readonly done = new Set<string>();
  private current:
    | { file: string; handle: Awaited<ReturnType<typeof open>>; carry: string; line: number; eof: boolean }
    | undefined;
  private readonly decoder = new TextDecoder();
  /** A checkpointed position to resume from (seek() is called before open()). */
  private resumeAt: FilePosition | null = null;

  constructor(table: TableInfo) {
    this.table = table;
    const format = tableFormat(table);
    this.changelogMode = format.changelogMode;
    const decode = format.createDecoder(physicalRowType(table), table.options, '');
    // Lines are text already: a format that decodes text directly skips a UTF-8 round trip.
    this.decode =
      format.createTextDecoder?.(physicalRowType(table), table.options, '') ??
      ((line: string) => decode(Buffer.from(line, 'utf8')));
    this.path = table.options.get('path') as string;
    const monitor = table.options.get('source.monitor-interval');
    this.monitorMs = monitor === undefined ? 0 : parseDurationMs(monitor);
    this.bounded = this.monitorMs === 0;
  }

  async open(ctx: SourceContext): Promise<void> {
    this.ctx = ctx;
    const resume = this.resumeAt;
    this.resumeAt = null;
    if (resume) for (const f of resume.done) this.done.add(f);
    await this.listFiles();
    if (resume?.current) {
      // Reopen the file being read and skip the lines already processed.
      const { file, line } = resume.current;
      this.files = this.files.filter((f) => f !== file);
      const cur = { file, handle: await open(file, 'r'), carry: '', line: 0, eof: false };
      this.current = cur;
      while (cur.line < line) {
        const nl = cur.carry.indexOf('\n');
        if (nl >= 0) {
          cur.carry = cur.carry.slice(nl + 1);
          cur.line++;
          continue;
        }
        if (cur.eof) {
          if (cur.carry.length > 0) cur.line++;
          cur.carry = '';
          break;
        }
        await this.readChunk(cur);
      }
    }
  }

  private async readChunk(cur: { handle: Awaited<ReturnType<typeof open>>; carry: string; eof: boolean }) {
    const buf = Buffer.alloc(CHUNK);
    const { bytesRead } = await cur.handle.read(buf, 0, CHUNK, null);
    if (bytesRead === 0) {
      cur.eof = true;
      cur.carry += this.decoder.decode();
    } else cur.carry += this.decoder.decode(buf.subarray(0, bytesRead), { stream: true });
  }

  private async listFiles(): Promise<void> {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(this.path);
    } catch (e) {
      throw new RivuletError(
        'connector',
        'PATH_NOT_FOUND',
        `Table '${this.table.name}': cannot read path '${this.path}': ${(e as Error).message}`,
      );
    }
    if (!info.isDirectory()) {
      this.files = this.done.has(this.path) ? [] : [this.path];
      return;
    }
    const names = (await readdir(this.path)).filter((n) => !n.startsWith('.') && !n.startsWith('_')).sort();
    this.files = names
      .map((n) => join(this.path, n))
      .filter((f) => !this.done.has(f) && f !== this.current?.file);
  }

  async next(maxRows: number): Promise<SourceBatch | null> {
    for (;;) {
      if (!this.current) {
        const file = this.files.shift();
        if (file === undefined) {
          if (this.bounded) return null;
          await sleep(this.monitorMs);
          await this.listFiles();
          if (this.files.length === 0) return { rows: [], kinds: null, split: this.path };
          continue;
        }
        this.current = { file, handle: await open(file, 'r'), carry: '', line: 0, eof: false };
      }
      const cur = this.current;
      const rows: Row[] = [];
      const kinds: RowKind[] = [];
      const positions: string[] = [];
      while (rows.length < maxRows) {
        const nl = cur.carry.indexOf('\n');
        if (nl < 0) {
          if (cur.eof) {
            if (cur.carry.length > 0) this.decodeLine(cur.carry, cur, rows, kinds, positions);
            cur.carry = '';
            break;
          }
          await this.readChunk(cur);
          continue;
        }
        const line = cur.carry.slice(0, nl).replace(/\r$/, '');
        cur.carry = cur.carry.slice(nl + 1);
        this.decodeLine(line, cur, rows, kinds, positions);
      }
      if (cur.eof && cur.carry.length === 0) {
        await cur.handle.close();
        this.done.add(cur.file);
        this.current = undefined;
      }
      if (rows.length > 0 || !this.current) {
        return { rows, kinds: kinds.every((k) => k === 0) ? null : kinds, split: cur.file, positions };
      }
    }
  }

  private decodeLine(
    line: string,
    cur: { file: string; line: number },
    rows: Row[],
    kinds: RowKind[],
    positions: string[],
  ): void {
    cur.line++;
    if (line.trim() === '') return;
    const position = `${basename(cur.file)}:${cur.line}`;
    let result: DecodeResult;
    try {
      result = this.decode(line);
    } catch (e) {
      throw new RivuletError(
        'connector',
        (e as RivuletError).code ?? 'FORMAT_DECODE',
        `${(e as Error).message} (in ${cur.file}:${cur.line})`,
        undefined,
        { cause: e },
      );
    }
    if (result.skipped) {
      this.ctx.skipped(result.skipped, position);
      return;
    }
    for (let i = 0; i < result.rows.length; i++) {
      rows.push(result.rows[i] as Row);
      kinds.push(result.kinds[i] as RowKind);
      positions.push(position);
    }
  }

  splits(): readonly string[] {
    return this.current ? [this.current.file] : this.files.slice(0, 1);
  }
  position(): unknown {
    const p: FilePosition = {
      done: [...this.done],
      current: this.current ? { file: this.current.file, line: this.current.line } : null,
    };
    return p;
  }
  /** Resume after the files done and the lines read of the current file (applied by open()). */
  async seek(position: unknown): Promise<void> {
    this.resumeAt = position as FilePosition;
  }
  async close(): Promise<void> {
    await this.current?.handle.close();
    this.current = undefined;
  }
}

let fileCounter = 0;

class FileSink implements SinkWriter {
  readonly accepts: ChangelogMode;
  private readonly table: TableInfo;
  private readonly encode: Encoder;
  private readonly dir: string;
  private out: WriteStream | undefined;
  private buffer: string[] = [];

  constructor(table: TableInfo) {
    this.table = table;
    const format = tableFormat(table);
    this.accepts = format.changelogMode === 'insert-only' ? 'insert-only' : 'retract';
    this.encode = format.createEncoder(physicalRowType(table), table.options, '');
    this.dir = table.options.get('path') as string;
  }
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const name = `part-${process.pid}-${Date.now()}-${fileCounter++}`;
    this.out = createWriteStream(join(this.dir, name), { flags: 'wx' });
    await new Promise<void>((resolve, reject) => {
      (this.out as WriteStream).once('open', () => resolve()).once('error', reject);
    });
  }
  write(kind: RowKind, row: Row): void {
    const bytes = this.encode(kind, row);
    if (bytes !== null) this.buffer.push(`${Buffer.from(bytes).toString('utf8')}\n`);
  }
  async flush(): Promise<void> {
    if (this.buffer.length === 0 || !this.out) return;
    const text = this.buffer.join('');
    this.buffer = [];
    const out = this.out;
    await new Promise<void>((resolve, reject) => out.write(text, (e) => (e ? reject(e) : resolve())));
  }
  async close(): Promise<void> {
    await this.flush();
    const out = this.out;
    if (out) await new Promise<void>((resolve) => out.end(() => resolve()));
    this.out = undefined;
    void this.table;
  }
}

/** Every line format's options, as the filesystem connector accepts them (validated by the format). */
function options(): OptionSpec[] {
  const formatOptions = [...FORMATS.values()]
    .filter((f) => LINE_FORMATS.includes(f.identifier))
    .flatMap((f) => formatOptionSpecs(f, ''));
  return [
    { key: 'path', required: true, description: 'a file or a directory' },
    { key: 'format', required: true, description: `the line format: ${LINE_FORMATS.join(', ')}` },
    {
      key: 'source.monitor-interval',
      description: 'watch the directory for new files at this interval (unbounded source)',
    },
    {
      key: 'sink.parallelism',
      description: 'accepted for Flink compatibility; Rivulet writes a sink on one event loop',
    },
    ...formatOptions,
  ];
}

export const filesystemConnector: ConnectorFactory = {
  identifier: 'filesystem',
  options: options(),
  createSource: (table) => new FileSource(table),
  createSink: (table) => new FileSink(table),
};
