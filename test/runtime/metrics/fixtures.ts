/**
 * A job wired by hand whose every piece of work advances a fake clock by a known cost, so the busy,
 * backpressured and idle time the metrics attribute can be checked exactly.
 */
import type { ScanSource, SinkWriter, SourceBatch } from '../../../connectors/api.ts';
import type { Collector, Operator, OperatorContext, Row, RowKind } from '../../../operators/api.ts';
import { OperatorNode } from '../../../runtime/graph.ts';
import { Job, SinkNode, SourceNode } from '../../../runtime/job.ts';

export class FakeClock {
  t = 0;
  readonly read = (): number => this.t;
}

/** A bounded source of `batches` (sizes), each pull costing `pullCost`; row values are 0, 1, 2, ... */
export class CostedSource implements ScanSource {
  readonly bounded = true;
  readonly changelogMode = 'insert-only' as const;
  private readonly clock: FakeClock;
  private readonly sizes: number[];
  private readonly pullCost: number;
  private next_ = 0;
  private readonly lagBySplit: Map<string, number> | null;

  constructor(clock: FakeClock, sizes: readonly number[], pullCost: number, lag?: Map<string, number>) {
    this.clock = clock;
    this.sizes = [...sizes];
    this.pullCost = pullCost;
    this.lagBySplit = lag ?? null;
  }
  async open(): Promise<void> {}
  async next(): Promise<SourceBatch | null> {
    const n = this.sizes.shift();
    if (n === undefined) return null;
    this.clock.t += this.pullCost;
    const rows: Row[] = [];
    for (let i = 0; i < n; i++) rows.push([this.next_++]);
    return { rows, kinds: null, split: 's' };
  }
  splits(): readonly string[] {
    return ['s'];
  }
  position(): unknown {
    return null;
  }
  async seek(): Promise<void> {}
  async close(): Promise<void> {}
  lag(): ReadonlyMap<string, number> {
    return this.lagBySplit ?? new Map();
  }
}

/** Passes rows on; each row costs `rowCost`, the final watermark `endCost`. Keeps `state` entries. */
export class CostedOperator implements Operator {
  readonly name: string;
  private out: Collector | null = null;
  private readonly clock: FakeClock;
  private readonly rowCost: number;
  private readonly endCost: number;
  private seen = 0;

  constructor(name: string, clock: FakeClock, rowCost: number, endCost = 0) {
    this.name = name;
    this.clock = clock;
    this.rowCost = rowCost;
    this.endCost = endCost;
  }
  open(_ctx: OperatorContext, out: Collector): void {
    this.out = out;
  }
  process(kind: RowKind, row: Row): void {
    this.clock.t += this.rowCost;
    this.seen++;
    this.out?.push(kind, row);
  }
  processWatermark(ts: number): void {
    if (ts === Infinity) this.clock.t += this.endCost;
    this.out?.watermark(ts);
  }
  endInput(): void {
    this.out?.end();
  }
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
  stateSize(): number {
    return this.seen;
  }
  close(): void {}
}

/** A sink whose flush costs `flushCost` when something was written since the last flush. */
export class CostedSink implements SinkWriter {
  readonly accepts = 'insert-only' as const;
  readonly rows: Row[] = [];
  private dirty = false;
  private readonly clock: FakeClock;
  private readonly flushCost: number;
  constructor(clock: FakeClock, flushCost: number) {
    this.clock = clock;
    this.flushCost = flushCost;
  }
  async open(): Promise<void> {}
  write(_kind: RowKind, row: Row): void {
    this.rows.push(row);
    this.dirty = true;
  }
  async flush(): Promise<void> {
    if (this.dirty) this.clock.t += this.flushCost;
    this.dirty = false;
  }
  async close(): Promise<void> {}
}

export interface Chain {
  readonly job: Job;
  readonly sink: CostedSink;
}

/** source -> op1 -> op2 -> ... -> sink, each operator with its per-row cost. */
export function costedChain(
  clock: FakeClock,
  source: ScanSource,
  ops: readonly { rowCost: number; endCost?: number }[],
  flushCost: number,
): Chain {
  const src = new SourceNode('j', { id: '1:Source(t)', source });
  const nodes = ops.map(
    (o, i) =>
      new OperatorNode(
        'j',
        `${i + 1}:Op${i + 1}`,
        new CostedOperator(`Op${i + 1}`, clock, o.rowCost, o.endCost),
        1,
      ),
  );
  const sink = new CostedSink(clock, flushCost);
  const sinkNode = new SinkNode('Sink(out)', sink);
  let prev: { output: { add(c: Collector): void } } = src;
  for (const n of nodes) {
    prev.output.add(n.input(0));
    prev = n;
  }
  prev.output.add(sinkNode);
  const job = new Job({ name: 'j', clock: clock.read, now: () => 1_000_000 }, [src], nodes, [sinkNode]);
  return { job, sink };
}
