/**
 * The sink behind a SELECT: hands changes to a consumer through a bounded queue. When the consumer
 * falls behind, `flush()` waits until it catches up, which stops the job from pulling more input
 * (backpressure, not unbounded buffering).
 */
import type { ChangelogMode, SinkWriter } from '../connectors/api.ts';
import type { Row, RowKind } from '../operators/api.ts';

export interface Change {
  readonly kind: RowKind;
  readonly row: Row;
}

export class CollectSink implements SinkWriter {
  readonly accepts: ChangelogMode = 'retract';
  private readonly capacity: number;
  private queue: Change[] = [];
  private done = false;
  private failure: Error | undefined;
  private aborted = false;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;

  constructor(capacity = 10_000) {
    this.capacity = capacity;
  }

  async open(): Promise<void> {}

  write(kind: RowKind, row: Row): void {
    this.queue.push({ kind, row });
    this.wakeConsumer?.();
  }

  async flush(): Promise<void> {
    while (this.queue.length >= this.capacity && !this.done) {
      await new Promise<void>((resolve) => {
        this.wakeProducer = resolve;
      });
    }
  }

  /**
   * The job failed: the stream must end with its error (`fail`), never look complete, however the
   * job's close and the caller's failure handler interleave.
   */
  async abort(): Promise<void> {
    this.aborted = true;
  }

  async close(): Promise<void> {
    if (this.aborted) return;
    this.done = true;
    this.wakeConsumer?.();
  }

  /** Ends the stream of changes with an error (the job failed). */
  fail(error: Error): void {
    this.failure = error;
    this.done = true;
    this.wakeConsumer?.();
  }

  /** Stops consuming: a waiting producer is released and further changes are dropped. */
  cancel(): void {
    this.done = true;
    this.queue = [];
    this.wakeProducer?.();
  }

  async *changes(): AsyncGenerator<Change, void, undefined> {
    for (;;) {
      if (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        this.wakeProducer?.();
        yield* batch;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.done) return;
      await new Promise<void>((resolve) => {
        this.wakeConsumer = resolve;
      });
      this.wakeConsumer = undefined;
    }
  }
}
