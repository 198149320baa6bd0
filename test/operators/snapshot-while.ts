/**
 * Test support: takes an operator's snapshot and writes it out a few entries at a time while the live
 * operator goes on processing, the way a checkpoint does (runtime/checkpoint/coordinator.ts), so that
 * tests see whether copy-on-write state keeps the snapshot-time values.
 */
import type { Operator, Row, RowKind } from '../../operators/api.ts';
import { setAtPath, splitDeferred } from '../../operators/state.ts';
import type { OperatorHarness } from '../../operators/testing/harness.ts';

/**
 * Snapshots `op` now, then runs `steps` one by one, reading `chunk` entries of the snapshot before each;
 * returns the snapshot as restore() takes it.
 */
export function snapshotWhile(
  op: Pick<Operator, 'snapshot'>,
  steps: readonly (() => void)[],
  chunk: number,
): unknown {
  const { plain, deferred } = splitDeferred(op.snapshot());
  const parts = deferred.map(() => [] as unknown[]);
  let d = 0;
  const pull = (): void => {
    while (d < deferred.length) {
      const at = deferred[d] as (typeof deferred)[number];
      const c = at.entries.next(chunk);
      if (c === null) {
        at.entries.release();
        d++;
        continue;
      }
      // Copied at once: a checkpoint serializes a chunk before processing resumes.
      for (const e of structuredClone(c)) (parts[d] as unknown[]).push(e);
      return;
    }
  };
  for (const step of steps) {
    pull();
    step();
  }
  while (d < deferred.length) pull();
  // The plain part is copied last: a checkpoint may serialize it after processing went on (the
  // coordinator writes one operator at a time), so snapshot() must have copied what processing changes.
  let root = structuredClone(plain);
  deferred.forEach((x, i) => {
    root = setAtPath(root, x.path, parts[i]);
  });
  return root;
}

/**
 * Snapshots the operator `first` drives, and writes the snapshot out while `first` goes on with `rest`
 * (so `first` ends past the snapshot); returns a harness driving `fresh` restored from the snapshot,
 * whose recorded output is `first`'s output up to the snapshot.
 */
export function restoreWhileRunning(
  first: OperatorHarness,
  fresh: Operator,
  rest: readonly { kind: RowKind; row: Row; input?: number }[],
  chunk: number,
): OperatorHarness {
  const prefix = [...first.out.changes];
  const steps = rest.map((c) => () => {
    first.push(c.kind, c.row, c.input ?? 0);
  });
  const snap = snapshotWhile(first.operator, steps, chunk);
  const resumed = first.restoreInto(fresh, snap);
  resumed.out.changes.splice(0, resumed.out.changes.length, ...prefix);
  return resumed;
}
