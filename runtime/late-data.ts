/**
 * Late data to a side-output table: `SET 'table.exec.late-data.side-output' = 'late_rows'`.
 *
 * Flink SQL has no side outputs: late rows are dropped and counted (`numLateRecordsDropped`). With
 * this option set, every event-time operator of a job (window TVF, window aggregation, window Top-N,
 * deduplication and join, OVER aggregation, interval join, deduplication by event time) instead
 * writes each row it would drop for lateness to the named table, as one append-only row of four
 * character columns (names are free, positions matter):
 *
 *   1. the job name, 2. the operator id (e.g. `3:WindowAggregate`), 3. why the row is late,
 *   4. the late row as a JSON object (the operator's input columns by name, in the `json` format).
 *
 * Such rows are not counted under `numLateRecordsDropped` (they are not lost); the table's sink sees
 * them as they happen. Rows with a NULL rowtime are still only counted (`numNullRowtimeRecordsDropped`).
 */

import type { TableDefinition } from '../catalog/catalog.ts';
import { isCharacterString, T, typeToString } from '../catalog/types.ts';
import { RivuletError } from '../common/errors.ts';
import { jsonFormat } from '../connectors/formats/json.ts';
import { type Collector, type Row, RowKind } from '../operators/api.ts';
import type { Field } from '../planner/logical.ts';

export const LATE_DATA_OPTION = 'table.exec.late-data.side-output';

/** Checks that `table` can take late rows: four character columns, written by position. */
export function checkLateDataTable(table: TableDefinition): void {
  const physical = table.columns.filter((c) => c.kind === 'physical');
  const writableMetadata = table.columns.some((c) => c.kind === 'metadata' && !c.virtual);
  if (physical.length !== 4 || writableMetadata || !physical.every((c) => isCharacterString(c.type))) {
    throw new RivuletError(
      'plan',
      'LATE_DATA_TABLE',
      `The late-data table '${table.name}' (option '${LATE_DATA_OPTION}') must have exactly four STRING columns (job, operator, reason, row as JSON); it has (${physical.map((c) => `${c.name} ${typeToString(c.type)}`).join(', ')})`,
    );
  }
}

/** Builds, per operator, the collector its late rows go to; all feed one sink. */
export class LateDataRouter {
  private readonly jobName: string;
  private readonly sink: Collector;
  private readonly text = new TextDecoder();

  constructor(jobName: string, sink: Collector) {
    this.jobName = jobName;
    this.sink = sink;
  }

  /** The late output of operator `operatorId`, whose input has `fields`. */
  output(operatorId: string, reason: string, fields: readonly Field[]): Collector {
    const encode = jsonFormat.createEncoder(
      T.row(fields.map((f) => ({ name: f.name, type: f.type }))),
      new Map(),
      '',
    );
    const { sink, jobName, text } = this;
    return {
      push(kind, row: Row) {
        sink.push(RowKind.INSERT, [jobName, operatorId, reason, text.decode(encode(kind, row))]);
      },
      // The side output carries no time: watermarks and the end of input belong to the main output.
      watermark() {},
      end() {},
    };
  }
}
