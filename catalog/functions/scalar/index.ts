/**
 * Rivulet's built-in scalar functions, by family. `registerScalarBuiltins(registry)` registers them all;
 * `resolveScalarCall` resolves a call handing planning-time constant arguments to the definitions that
 * use them (see util.ts). Call shapes for SQL keyword forms (TRIM, EXTRACT, FLOOR(x TO unit), LIKE,
 * SIMILAR TO, IS JSON, JSON_VALUE ... RETURNING, JSON_OBJECT ...) are documented at the top of each module.
 */
import type { FunctionRegistry, ScalarFunctionDef } from '../registry.ts';
import { collectionFunctions } from './collection.ts';
import { conditionalFunctions } from './conditional.ts';
import { hashFunctions } from './hash.ts';
import { jsonFunctions } from './json.ts';
import { mathFunctions } from './math.ts';
import { printfFunctions } from './printf.ts';
import { regexFunctions } from './regex.ts';
import { stringFunctions } from './string.ts';
import { temporalFunctions } from './temporal.ts';
import { typeofFunctions } from './typeof.ts';
import { urlFunctions } from './url.ts';

export { type LiteralAwareScalarDef, type Literals, resolveScalarCall } from './util.ts';

/** Every built-in scalar function definition. */
export const scalarBuiltins: readonly ScalarFunctionDef[] = [
  ...mathFunctions,
  ...stringFunctions,
  ...printfFunctions,
  ...regexFunctions,
  ...hashFunctions,
  ...temporalFunctions,
  ...conditionalFunctions,
  ...jsonFunctions,
  ...collectionFunctions,
  ...typeofFunctions,
  ...urlFunctions,
];

/** Registers every built-in scalar function in `registry`. */
export function registerScalarBuiltins(registry: FunctionRegistry): void {
  for (const def of scalarBuiltins) registry.registerScalar(def);
}
