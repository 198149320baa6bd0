/**
 * One operation: the result of one submitted statement, fetched by the client page by page with tokens
 * (Flink SQL Gateway's `result/{token}` protocol).
 *
 * How the paging works, in steps:
 *  1. A statement that yields a fixed result (DDL, SHOW, EXPLAIN, INSERT's job ids) becomes a single
 *     page, then the end of the stream (EOS).
 *  2. A query starts a pump that reads the job's `sink.changes()` and cuts them into pages of
 *     `pageSize` changes. Full pages wait in a queue of at most `maxPages`; when that queue is full the
 *     pump stops reading, the collect sink's own bounded queue fills, and the job pauses
 *     (backpressure). Memory per operation is bounded whatever the client does.
 *  3. `fetch(token)` serves tokens in order: the expected token takes the next queued page (or the
 *     partly filled one, so a slow continuous query still streams); the previous token returns the
 *     page it returned before (a retry after a lost response); anything else is an error.
 *  4. Without a full page the fetch waits a little (long poll) for one; then it serves the partly
 *     filled page, or when there is nothing answers NOT_READY with the same token to ask again. When the input ends and every page was served, it answers EOS.
 */

import type { LogicalType } from '../catalog/types.ts';
import { RivuletError } from '../common/errors.ts';
import type { Row, RowKind } from '../operators/api.ts';
import type { Change } from '../runtime/collect.ts';
import type { Job } from '../runtime/job.ts';
import type { Column, StatementResult } from '../runtime/session.ts';

export type OperationStatus = 'RUNNING' | 'FINISHED' | 'CANCELED' | 'ERROR';
export type ResultKind = 'SUCCESS' | 'SUCCESS_WITH_CONTENT';

/** What one fetch gives: a page of changes, or why there is none. */
export type Fetched =
  | { readonly type: 'PAYLOAD'; readonly token: number; readonly changes: readonly Change[] }
  | { readonly type: 'NOT_READY'; readonly token: number }
  | { readonly type: 'EOS'; readonly token: number };

export interface OperationLimits {
  /** Changes per page. */
  readonly pageSize: number;
  /** Full pages kept for a client that does not fetch; beyond that the job is paused. */
  readonly maxPages: number;
  /** How long a fetch waits for data before answering NOT_READY. */
  readonly pollMs: number;
}

export const DEFAULT_LIMITS: OperationLimits = { pageSize: 1000, maxPages: 8, pollMs: 200 };

const varchar: LogicalType = { kind: 'VARCHAR', nullable: true, precision: 2147483647 };

export class Operation {
  readonly handle: string;
  readonly columns: readonly Column[];
  readonly resultKind: ResultKind;
  readonly isQueryResult: boolean;
  readonly jobs: readonly Job[];
  /** The session time zone when the statement ran: used to render TIMESTAMP_LTZ values. */
  readonly timeZone: string;
  status: OperationStatus = 'RUNNING';
  error: Error | undefined;

  private readonly limits: OperationLimits;
  private readonly queue: Change[][] = [];
  private current: Change[] = [];
  private ended = false;
  private nextToken = 0;
  private last: Fetched | undefined;
  private wakeFetcher: (() => void) | undefined;
  private wakePump: (() => void) | undefined;
  private readonly stopQuery: (() => void) | undefined;

  constructor(handle: string, result: StatementResult, timeZone: string, limits: OperationLimits) {
    this.handle = handle;
    this.limits = limits;
    this.timeZone = timeZone;
    switch (result.kind) {
      case 'query': {
        this.columns = result.columns;
        this.resultKind = 'SUCCESS_WITH_CONTENT';
        this.isQueryResult = true;
        this.jobs = [result.job];
        this.stopQuery = () => {
          result.job.cancel();
          result.sink.cancel();
        };
        void this.pump(result.sink.changes());
        return;
      }
      case 'jobs':
        this.columns = [{ name: 'job id', type: varchar }];
        this.resultKind = 'SUCCESS_WITH_CONTENT';
        this.isQueryResult = false;
        this.jobs = result.jobs;
        this.stopQuery = () => {
          for (const j of result.jobs) j.cancel();
        };
        this.fixed(result.jobs.map((j) => [j.id]));
        // An INSERT operation runs as long as its job does (Flink reports it FINISHED once submitted;
        // tracking the job is more useful to a client that polls the status).
        result.done.then(
          () => this.finish(),
          (e: Error) => this.fail(e),
        );
        return;
      case 'table':
        this.columns = result.columns;
        this.resultKind = 'SUCCESS_WITH_CONTENT';
        this.fixed(result.rows);
        break;
      case 'explain':
        this.columns = [{ name: 'result', type: varchar }];
        this.resultKind = 'SUCCESS_WITH_CONTENT';
        this.fixed([[result.text]]);
        break;
      case 'ok':
        this.columns = [{ name: 'result', type: varchar }];
        this.resultKind = 'SUCCESS';
        this.fixed([['OK']]);
        break;
    }
    this.isQueryResult = false;
    this.jobs = [];
    this.stopQuery = undefined;
    this.status = 'FINISHED';
  }

  /** The id of the job behind a query or INSERT, as Flink's `jobID`. */
  get jobId(): string | undefined {
    return this.jobs[0]?.id;
  }

  /** The token the next new page will be served under. */
  get expectedToken(): number {
    return this.nextToken;
  }

  /** Changes read from the job and not yet handed to the client: at most (maxPages + 1) * pageSize. */
  get bufferedChanges(): number {
    return this.queue.reduce((n, p) => n + p.length, 0) + this.current.length;
  }

  /** A result known in full: its rows cut into pages, then the end. */
  private fixed(rows: readonly Row[]): void {
    const changes: Change[] = rows.map((row) => ({ kind: 0 as RowKind, row }));
    for (let i = 0; i < changes.length; i += this.limits.pageSize) {
      this.queue.push(changes.slice(i, i + this.limits.pageSize));
    }
    if (changes.length === 0) this.queue.push([]);
    this.ended = true;
  }

  private async pump(changes: AsyncGenerator<Change, void, undefined>): Promise<void> {
    try {
      for await (const change of changes) {
        this.current.push(change);
        if (this.current.length >= this.limits.pageSize) {
          this.queue.push(this.current);
          this.current = [];
          this.wakeFetcher?.();
          // The queue is full: stop reading, so the job's sink fills and the job pauses.
          while (this.queue.length >= this.limits.maxPages && this.status === 'RUNNING') {
            await new Promise<void>((resolve) => {
              this.wakePump = resolve;
            });
            this.wakePump = undefined;
          }
          if (this.status !== 'RUNNING') break;
        }
      }
      if (this.current.length > 0 && this.status === 'RUNNING') {
        this.queue.push(this.current);
        this.current = [];
      }
      this.ended = true;
      this.finish();
    } catch (e) {
      this.ended = true;
      this.fail(e as Error);
    }
    this.wakeFetcher?.();
  }

  private finish(): void {
    if (this.status === 'RUNNING') this.status = 'FINISHED';
  }

  private fail(e: Error): void {
    if (this.status === 'RUNNING') {
      this.status = 'ERROR';
      this.error = e;
    }
  }

  /** The next page for `token` (see the steps at the top of this file). */
  async fetch(token: number): Promise<Fetched> {
    if (this.last && token === this.last.token && this.last.type === 'PAYLOAD') return this.last;
    if (token !== this.nextToken) {
      throw new RivuletError(
        'runtime',
        'RESULT_TOKEN_INVALID',
        `Result token ${token} is not available; the next token of operation ${this.handle} is ${this.nextToken}`,
      );
    }
    if (this.status === 'CANCELED') {
      throw new RivuletError('runtime', 'OPERATION_CANCELED', `Operation ${this.handle} was canceled`);
    }
    // Wait for a full page (or the end) for up to pollMs, then serve whatever there is: a fast
    // consumer then gets full pages instead of one change at a time, a slow query still streams.
    if (this.queue.length === 0 && !this.ended) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.limits.pollMs);
        this.wakeFetcher = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeFetcher = undefined;
    }
    // Changes read before a failure are still served; the error comes after them.
    let page = this.queue.shift();
    if (page === undefined && this.current.length > 0) {
      page = this.current;
      this.current = [];
    }
    if (page !== undefined) {
      this.wakePump?.();
      this.last = { type: 'PAYLOAD', token, changes: page };
      this.nextToken = token + 1;
      return this.last;
    }
    if (this.status === 'ERROR') throw this.error ?? new Error('the operation failed');
    return this.ended ? { type: 'EOS', token } : { type: 'NOT_READY', token };
  }

  /** Stops the job behind the operation (if any). The operation reads as CANCELED. */
  cancel(): void {
    if (this.status === 'RUNNING') this.status = 'CANCELED';
    this.stopQuery?.();
    this.queue.length = 0;
    this.current = [];
    this.wakePump?.();
    this.wakeFetcher?.();
  }

  /**
   * Releases the operation. A query's job stops with it (nobody can read its results any more); an
   * INSERT's job keeps running, as in Flink, until cancelled or its session is closed.
   */
  close(): void {
    if (this.isQueryResult) this.cancel();
  }
}
