/**
 * TYPEOF(x [, force]): the logical type of the argument as text, printed as Flink prints types
 * (`INT NOT NULL`, `DECIMAL(10, 2)`, `STRING`). The type is known when the call is resolved, so the
 * result is a constant per call site; `force` is accepted for Flink compatibility (it only matters to
 * Flink's constant folding of NULL literals).
 */
import type { LogicalType } from '../../types.ts';
import { T, typeToString } from '../../types.ts';
import type { ScalarFunctionDef } from '../registry.ts';
import { badCall, defineScalar, isBool, nullAware } from './util.ts';

const typeOf = defineScalar('TYPEOF', 'The type of the argument as text.', (args) => {
  if (args.length !== 1 && !(args.length === 2 && isBool(args[1] as LogicalType))) {
    throw badCall('TYPEOF', args, ['TYPEOF(<ANY>)', 'TYPEOF(<ANY>, BOOLEAN force)']);
  }
  const text = typeToString(args[0] as LogicalType);
  // Flink types the result as a (nullable) STRING although it is never NULL.
  return nullAware(T.string(true), () => text);
});

export const typeofFunctions: readonly ScalarFunctionDef[] = [typeOf];
