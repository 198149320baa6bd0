/**
 * Checkpoint files on the local filesystem: one file per checkpoint, written atomically, checksummed.
 *
 * File layout (`chk-<id>.rvck` for checkpoints, `savepoint-<job>-<id>-<time>.rvck` for savepoints):
 *   1. the magic line `RIVULET-CHECKPOINT 1\n`;
 *   2. a 4-byte big-endian length, then that many bytes of JSON: the manifest (job name, checkpoint id,
 *      kind, creation time, the payload's section lengths and total length, sha256 of the payload);
 *   3. the payload: sections one after the other (node:v8-serialized data: the job snapshot, then
 *      each operator's state), written with writev so a large state is never concatenated in memory.
 *
 * Writing: the bytes go to a temporary file in the same directory (`.chk-<id>.tmp-<pid>`), which is
 * fsynced, renamed over the final name (atomic on POSIX), and then the directory is fsynced so the
 * rename itself survives a crash. A reader therefore sees a complete file or none; a file damaged
 * later (truncated, bit flips) fails the length or checksum test and is skipped with a warning, and
 * the next older checkpoint is used.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { RivuletError } from '../../common/errors.ts';

const MAGIC = Buffer.from('RIVULET-CHECKPOINT 1\n', 'latin1');
const CHECKPOINT_FILE = /^chk-(\d+)\.rvck$/;

export type SnapshotKind = 'checkpoint' | 'savepoint';

/** What a checkpoint file says about itself, readable without decoding the payload. */
export interface Manifest {
  readonly format: 1;
  readonly jobName: string;
  readonly checkpointId: number;
  readonly kind: SnapshotKind;
  readonly createdAt: string;
  readonly payloadBytes: number;
  /** Lengths of the payload's sections, in order. */
  readonly sections: readonly number[];
  readonly sha256: string;
}

/** A checkpoint read back from disk: its payload sections (views into the file's bytes). */
export interface LoadedCheckpoint {
  readonly path: string;
  readonly manifest: Manifest;
  readonly sections: readonly Buffer[];
}

/** sha256 over the sections, yielding to the event loop every few MB so processing goes on. */
async function digest(sections: readonly Buffer[]): Promise<string> {
  const hash = createHash('sha256');
  const STEP = 4 << 20;
  for (const s of sections) {
    for (let i = 0; i < s.length; i += STEP) {
      hash.update(s.subarray(i, i + STEP));
      if (s.length > STEP) await new Promise<void>((r) => setImmediate(r));
    }
  }
  return hash.digest('hex');
}

/** The buffers of one checkpoint file (header, then the sections as they are). */
export async function encodeCheckpoint(
  meta: Omit<Manifest, 'format' | 'payloadBytes' | 'sections' | 'sha256'>,
  sections: readonly Buffer[],
): Promise<Buffer[]> {
  const manifest: Manifest = {
    format: 1,
    ...meta,
    payloadBytes: sections.reduce((n, s) => n + s.length, 0),
    sections: sections.map((s) => s.length),
    sha256: await digest(sections),
  };
  const header = Buffer.from(JSON.stringify(manifest), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(header.length);
  return [MAGIC, len, header, ...sections];
}

/** Decodes and verifies a checkpoint file's bytes; throws CHECKPOINT_CORRUPT naming what is wrong. */
export function decodeCheckpoint(bytes: Buffer, path: string): { manifest: Manifest; sections: Buffer[] } {
  const corrupt = (why: string) =>
    new RivuletError('runtime', 'CHECKPOINT_CORRUPT', `checkpoint file ${path} is damaged: ${why}`);
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC))
    throw corrupt('it is not a Rivulet checkpoint (bad magic)');
  const headerLen = bytes.readUInt32BE(MAGIC.length);
  const start = MAGIC.length + 4;
  if (bytes.length < start + headerLen) throw corrupt('truncated manifest');
  let manifest: Manifest;
  try {
    manifest = JSON.parse(bytes.subarray(start, start + headerLen).toString('utf8')) as Manifest;
  } catch {
    throw corrupt('unreadable manifest');
  }
  if (manifest.format !== 1) throw corrupt(`unknown format version ${String(manifest.format)}`);
  const payload = bytes.subarray(start + headerLen);
  if (payload.length !== manifest.payloadBytes)
    throw corrupt(`payload is ${payload.length} bytes, the manifest says ${manifest.payloadBytes}`);
  if (createHash('sha256').update(payload).digest('hex') !== manifest.sha256)
    throw corrupt('sha256 checksum mismatch');
  const sections: Buffer[] = [];
  let at = 0;
  for (const n of manifest.sections ?? []) {
    sections.push(payload.subarray(at, at + n));
    at += n;
  }
  if (at !== payload.length) throw corrupt('section lengths do not add up to the payload');
  return { manifest, sections };
}

/** Writes `bytes` to `path` atomically and durably: temp file, fsync, rename, fsync of the directory. */
export async function writeFileAtomic(
  dir: string,
  name: string,
  buffers: readonly Buffer[],
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const final = join(dir, name);
  const tmp = join(dir, `.${name}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`);
  const fh = await open(tmp, 'w');
  try {
    // writev writes at most IOV_MAX buffers per call and may write part of them: loop until done.
    let rest = buffers.filter((b) => b.length > 0);
    while (rest.length > 0) {
      const batch = rest.slice(0, 512);
      let { bytesWritten } = await fh.writev(batch);
      const next: Buffer[] = [];
      for (const b of batch) {
        if (bytesWritten >= b.length) bytesWritten -= b.length;
        else {
          next.push(b.subarray(bytesWritten));
          bytesWritten = 0;
        }
      }
      rest = [...next, ...rest.slice(batch.length)];
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, final);
  syncDirectory(dir);
  return final;
}

function syncDirectory(dir: string): void {
  // Directories can be fsynced on Linux and macOS; elsewhere (Windows) opening one fails: skip.
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    closeSync(fd);
  }
}

/** The checkpoint directory of one job: `chk-<id>.rvck` files, newest kept, older ones deleted. */
export class CheckpointStore {
  readonly dir: string;
  private readonly warn: (message: string) => void;

  constructor(dir: string, warn: (message: string) => void = defaultWarn) {
    this.dir = dir;
    this.warn = warn;
  }

  /** Checkpoint ids present in the directory, newest first (not verified). */
  async ids(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const ids: number[] = [];
    for (const n of names) {
      const m = CHECKPOINT_FILE.exec(n);
      if (m) ids.push(Number(m[1]));
    }
    return ids.sort((a, b) => b - a);
  }

  fileOf(id: number): string {
    return join(this.dir, `chk-${id}.rvck`);
  }

  /** Writes checkpoint `id` atomically; returns its path. */
  async write(jobName: string, id: number, sections: readonly Buffer[]): Promise<string> {
    const buffers = await encodeCheckpoint(
      { jobName, checkpointId: id, kind: 'checkpoint', createdAt: new Date().toISOString() },
      sections,
    );
    return writeFileAtomic(this.dir, `chk-${id}.rvck`, buffers);
  }

  /**
   * The newest checkpoint that verifies, among those with id <= `maxId` (when given); damaged files
   * are skipped with a warning. Null when there is none.
   */
  async latest(maxId = Infinity): Promise<LoadedCheckpoint | null> {
    for (const id of await this.ids()) {
      if (id > maxId) continue;
      const path = this.fileOf(id);
      try {
        return await loadCheckpointFile(path);
      } catch (e) {
        this.warn(`${(e as Error).message}; falling back to an older checkpoint`);
      }
    }
    return null;
  }

  /** Deletes checkpoints beyond the newest `retained` ones, never `keep` (the one a restore may need). */
  async prune(retained: number, keep: ReadonlySet<number> = new Set()): Promise<void> {
    const ids = await this.ids();
    for (const id of ids.slice(Math.max(1, retained))) {
      if (keep.has(id)) continue;
      await rm(this.fileOf(id), { force: true });
    }
  }
}

/** Reads and verifies one checkpoint or savepoint file. */
export async function loadCheckpointFile(path: string): Promise<LoadedCheckpoint> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new RivuletError(
      'runtime',
      'CHECKPOINT_NOT_FOUND',
      `cannot read checkpoint file ${path}: ${(e as Error).message}`,
    );
  }
  const { manifest, sections } = decodeCheckpoint(bytes, path);
  return { path, manifest, sections };
}

/** Serializes a section (v8's structured-clone format: Maps, Sets, bigints, Dates, typed arrays). */
export function serializePayload(value: unknown): Buffer {
  return serialize(value);
}

/** Reads a section back. */
export function deserializePayload<T>(section: Buffer | undefined): T {
  return deserialize(section ?? Buffer.alloc(0)) as T;
}

function defaultWarn(message: string): void {
  process.emitWarning(message, 'RivuletCheckpoint');
}
