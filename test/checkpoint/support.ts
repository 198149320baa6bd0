/**
 * A transactional in-memory "external system" for checkpoint tests: a sink's output of a checkpoint
 * epoch becomes visible at commit and is lost on a crash, and the id of the last committed checkpoint
 * is stored with it, as the exactly-once Kafka sink does.
 */
import { expect } from 'vitest';
import type { ConnectorFactory, SinkWriter } from '../../connectors/api.ts';
import { defaultConnectors } from '../../connectors/index.ts';
import { ROW_KIND_NAMES, type Row, type RowKind } from '../../operators/api.ts';
import { Session } from '../../runtime/session.ts';

/** What survives a crash: committed changes and the id of the last committed checkpoint. */
export interface External {
  committed: string[];
  committedCheckpoint: number | null;
  /** Throw (simulating a crash) once this many changes were written in the current run. */
  crashAfter: number;
  written: number;
}

export class TxnSink implements SinkWriter {
  readonly accepts = 'retract' as const;
  private readonly ext: External;
  private open_: string[] = [];
  private sealed: { id: number; rows: string[] } | null = null;
  private checkpointing = false;
  constructor(ext: External) {
    this.ext = ext;
  }
  async open(ctx: { checkpointing?: boolean }): Promise<void> {
    this.checkpointing = ctx.checkpointing === true;
  }
  write(kind: RowKind, row: Row): void {
    if (++this.ext.written === this.ext.crashAfter) throw new Error('simulated crash');
    this.open_.push(
      `${ROW_KIND_NAMES[kind]}${JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? `${v}` : v))}`,
    );
  }
  async flush(): Promise<void> {}
  async prepareCommit(id: number): Promise<void> {
    this.sealed = { id, rows: this.open_ };
    this.open_ = [];
  }
  async commit(id: number): Promise<void> {
    if (this.sealed?.id !== id) return;
    this.ext.committed.push(...this.sealed.rows);
    this.ext.committedCheckpoint = id;
    this.sealed = null;
  }
  async abort(): Promise<void> {
    this.sealed = null;
    this.open_ = [];
  }
  async committedCheckpoint(): Promise<number | null> {
    return this.ext.committedCheckpoint;
  }
  async close(): Promise<void> {
    // Without checkpoints the whole job is one epoch, committed at its end.
    if (!this.checkpointing && this.open_.length > 0) {
      this.ext.committed.push(...this.open_);
      this.open_ = [];
    }
  }
}

/** Applies a changelog (as strings) to a multiset of rows. */
export function materialize(changes: readonly string[]): string[] {
  const bag = new Map<string, number>();
  for (const c of changes) {
    const row = c.slice(2);
    const add = c.startsWith('+I') || c.startsWith('+U') ? 1 : -1;
    bag.set(row, (bag.get(row) ?? 0) + add);
  }
  const out: string[] = [];
  for (const [row, n] of bag) {
    expect(n, `row ${row} retracted more often than inserted`).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < n; i++) out.push(row);
  }
  return out.sort();
}

/** Runs the script's INSERT job in a fresh session (a fresh process, as far as state goes). */
export async function runJob(
  ext: External,
  script: string,
  options: Record<string, string>,
): Promise<Error | undefined> {
  const connectors = defaultConnectors();
  const factory: ConnectorFactory = {
    identifier: 'txn-test',
    options: [],
    createSink: () => new TxnSink(ext),
  };
  connectors.register(factory);
  // A clock that moves 1 ms per reading: checkpoints every few batches, deterministically.
  let t = 1_000_000;
  const session = new Session({ connectors, now: () => t++ });
  for (const [k, v] of Object.entries(options)) session.options.set(k, v);
  ext.written = 0;
  const results = await session.executeScript(script);
  const last = results[results.length - 1];
  if (last?.kind !== 'jobs') throw new Error('expected a job');
  try {
    await last.done;
    return undefined;
  } catch (e) {
    return e as Error;
  }
}
