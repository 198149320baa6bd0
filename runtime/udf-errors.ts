/**
 * What happens when a user-defined function throws: the error policy, and the tally of errors the
 * policy absorbed.
 *
 * The policy comes from the function's definition (`onError: 'fail' | 'skip' | 'null'`) or else the
 * session option `table.exec.udf.error-policy` (default `fail`), read when a query is planned:
 * - `fail`: the job fails with an error naming the function, the operator and the source record.
 * - `null`: the call yields NULL (a table function: no rows), and the error is counted.
 * - `skip`: the record being processed is dropped by the operator evaluating the call, and counted.
 *   Only operators that evaluate everything for a record before emitting anything or touching state
 *   can drop it (projections and filters, `Operator.dropsFailedRecords`); elsewhere (a join
 *   condition, an aggregate argument) the job fails with an error that says to use `null` instead.
 *   A table function under `skip` produces no rows for the failing call.
 * Aggregate UDFs always fail the job: a half-updated accumulator cannot be taken back.
 *
 * Counting: rows are processed synchronously from a source batch to the sinks, so absorbed errors
 * go to one process-wide tally that the job drains after each batch (runtime/job.ts), adding them to
 * its counters and warning about the first few. Nothing is dropped or nulled silently.
 */
import { RivuletError } from '../common/errors.ts';

export type UdfErrorPolicy = 'fail' | 'skip' | 'null';

/** The session option naming the default policy. */
export const UDF_ERROR_POLICY_OPTION = 'table.exec.udf.error-policy';

const POLICIES: readonly UdfErrorPolicy[] = ['fail', 'skip', 'null'];

/** Validates a policy name (an option value or a definition's `onError`). */
export function parseUdfErrorPolicy(value: string, where: string): UdfErrorPolicy {
  const v = value.trim().toLowerCase();
  if ((POLICIES as readonly string[]).includes(v)) return v as UdfErrorPolicy;
  throw new RivuletError(
    'config',
    'OPTION_INVALID',
    `${where} must be one of 'fail', 'skip' or 'null', found '${value}'`,
  );
}

function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The error a throwing UDF fails the job with (policy `fail`). */
export function udfFailure(name: string, e: unknown): RivuletError {
  return new RivuletError('runtime', 'UDF_FAILED', `function '${name}' threw: ${reasonOf(e)}`, undefined, {
    cause: e,
  });
}

/**
 * Thrown by a UDF call under policy `skip`; the graph node of an operator that can drop the record
 * catches it and counts. Its message is the failure an operator that cannot drop records reports.
 */
export class UdfRecordSkipped extends RivuletError {
  readonly functionName: string;
  readonly reason: string;
  constructor(name: string, e: unknown) {
    super(
      'runtime',
      'UDF_FAILED',
      `function '${name}' threw: ${reasonOf(e)} (error policy 'skip' can drop a record only in a projection or filter; set '${UDF_ERROR_POLICY_OPTION}' = 'null' for calls elsewhere)`,
      undefined,
      { cause: e },
    );
    this.name = 'UdfRecordSkipped';
    this.functionName = name;
    this.reason = reasonOf(e);
  }
}

export interface UdfErrorTally {
  /** Records dropped under `skip`. */
  skipped: number;
  /** Calls that yielded NULL (or no rows) under `null`. */
  nulled: number;
  /** The first few, as `function 'f' threw: ... (record skipped in operator 3)`. */
  readonly notes: string[];
}

const MAX_NOTES = 10;
const tally: UdfErrorTally = { skipped: 0, nulled: 0, notes: [] };

function note(text: string): void {
  if (tally.notes.length < MAX_NOTES) tally.notes.push(text);
}

/** Counts a call that yielded NULL under policy `null`. */
export function noteUdfNull(name: string, e: unknown, outcome = 'the call yielded NULL'): void {
  tally.nulled++;
  note(`function '${name}' threw: ${reasonOf(e)} (${outcome})`);
}

/** Counts a record dropped under policy `skip` by operator `operatorId`. */
export function noteUdfSkip(skip: UdfRecordSkipped, operatorId: string): void {
  tally.skipped++;
  note(`function '${skip.functionName}' threw: ${skip.reason} (record dropped by operator ${operatorId})`);
}

/** Takes the errors absorbed since the last call, or null when there were none (the common case). */
export function drainUdfErrors(): UdfErrorTally | null {
  if (tally.skipped === 0 && tally.nulled === 0) return null;
  const out: UdfErrorTally = { skipped: tally.skipped, nulled: tally.nulled, notes: tally.notes.splice(0) };
  tally.skipped = 0;
  tally.nulled = 0;
  return out;
}

/** Wraps a UDF body with the policy: rethrow as a failure, drop the record, or yield `fallback`. */
export function applyUdfErrorPolicy<R>(policy: UdfErrorPolicy, name: string, e: unknown, fallback: R): R {
  if (policy === 'null') {
    noteUdfNull(name, e);
    return fallback;
  }
  if (policy === 'skip') throw new UdfRecordSkipped(name, e);
  throw udfFailure(name, e);
}
