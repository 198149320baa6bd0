/**
 * JSON built-ins: JSON_VALUE, JSON_QUERY, JSON_EXISTS, IS_JSON, JSON_STRING, JSON_OBJECT, JSON_ARRAY,
 * JSON_QUOTE, JSON_UNQUOTE. Documents and paths are handled by jsonpath.ts (Flink's default path mode is
 * strict; `lax $.a` opts out).
 *
 * Numbers come out as Flink's Jackson-based functions print them: integers as written, other numbers as
 * Java prints a double (2.50 -> 2.5, 1e3 -> 1000.0), in JSON_VALUE text and JSON_QUERY output alike.
 *
 * Call shapes the planner uses for the clause forms (clause words are upper-case string arguments,
 * normally literals; a "type carrier" is a NULL literal CAST to the wanted type, read for its type only):
 * - `JSON_VALUE(j, p [RETURNING t] [b1 ON EMPTY] [b2 ON ERROR])` ->
 *   `JSON_VALUE(j, p)`, `JSON_VALUE(j, p, CAST(NULL AS t))`, or
 *   `JSON_VALUE(j, p, CAST(NULL AS t), onEmpty, emptyDefault, onError, errorDefault)` where onEmpty and
 *   onError are 'NULL' | 'ERROR' | 'DEFAULT' and the defaults are the DEFAULT expressions (NULL when
 *   unused). Without RETURNING the result is STRING. As in Flink (Calcite), a JSON null, or in lax mode an
 *   object/array, counts as empty; several items, a strict-mode path error, a non-scalar in strict mode,
 *   invalid JSON or a failed conversion count as errors.
 * - `JSON_QUERY(j, p [wrapper] [b1 ON EMPTY] [b2 ON ERROR])` -> `JSON_QUERY(j, p)` or
 *   `JSON_QUERY(j, p, wrapper)` or `JSON_QUERY(j, p, wrapper, onEmpty, onError)`, wrapper
 *   'WITHOUT' | 'CONDITIONAL' | 'UNCONDITIONAL' (the SQL words `WITHOUT ARRAY WRAPPER`,
 *   `WITH CONDITIONAL ARRAY WRAPPER`, `WITH [UNCONDITIONAL] ARRAY WRAPPER` are accepted too), behaviours
 *   'NULL' | 'EMPTY ARRAY' | 'EMPTY OBJECT' | 'ERROR'. The result is JSON text.
 * - `JSON_EXISTS(j, p [b ON ERROR])` -> `JSON_EXISTS(j, p[, b])`, b 'FALSE' | 'TRUE' | 'UNKNOWN' | 'ERROR'.
 * - `j IS [NOT] JSON [VALUE|SCALAR|ARRAY|OBJECT]` -> `IS_JSON(j[, kind])` (planner wraps NOT); FALSE for NULL.
 * - `JSON_OBJECT(KEY k1 VALUE v1, ... [NULL|ABSENT ON NULL])` -> `JSON_OBJECT(mode, k1, v1, ...)` and
 *   `JSON_ARRAY(v1, ... [NULL|ABSENT ON NULL])` -> `JSON_ARRAY(mode, v1, ...)`. mode is
 *   'NULL' | 'ABSENT' (optionally followed by ' ON NULL'), then optionally '; RAW i,j,...' naming the
 *   1-based value positions whose strings are JSON text from a nested JSON_OBJECT/JSON_ARRAY/JSON_QUERY
 *   call, inserted as JSON rather than as a string (Flink's rule for nested constructors). Defaults:
 *   JSON_OBJECT NULL ON NULL, JSON_ARRAY ABSENT ON NULL.
 */
import type { Value } from '../../../operators/api.ts';
import { castFunction, formatValue } from '../../cast.ts';
import { canCastExplicitly } from '../../coercion.ts';
import { type LogicalType, T, typeEquals, typeToString } from '../../types.ts';
import type { ScalarFunctionDef } from '../registry.ts';
import {
  compileJsonPath,
  evalJsonPath,
  isContainer,
  type Json,
  JsonNumber,
  type JsonPath,
  parseJson,
  parseJsonCached,
  quoteJson,
  stringifyJson,
} from './jsonpath.ts';
import { decimalToString } from './numeric.ts';
import { badCall, defineScalar, isStr, lastValueCache, matches, nullAware, runtimeError } from './util.ts';

/** Raised inside the JSON functions for the ON EMPTY / ON ERROR clauses to handle. */
class Empty extends Error {}
class Failure extends Error {}

function evaluate(json: string, pathText: string, compile: (p: string) => JsonPath): Json[] {
  let doc: Json;
  let path: JsonPath;
  try {
    path = compile(pathText);
    doc = parseJsonCached(json);
    return evalJsonPath(path, doc);
  } catch (e) {
    throw new Failure((e as Error).message);
  }
}

const pathCache = () => lastValueCache(compileJsonPath);

/**
 * A JSON number as Flink's JSON functions (Jackson, then Java's toString) print it: integers keep their
 * digits, other numbers are read as a double and printed as Java does (2.50 -> 2.5, 1e3 -> 1000.0).
 */
export function javaJsonNumber(n: JsonNumber): string {
  if (/^-?\d+$/.test(n.text)) return n.text === '-0' ? '0' : n.text;
  return formatValue(n.value, T.double());
}

const jacksonText = (v: Json): string => stringifyJson(v, javaJsonNumber);

// ---- JSON_VALUE ----

/** Converts a JSON scalar to a value of the RETURNING type; throws Failure when it cannot. */
function scalarConverter(target: LogicalType): (v: Json) => Value {
  const fromText =
    target.kind === 'VARCHAR' || target.kind === 'CHAR' ? undefined : castFunction(T.string(), target);
  return (v) => {
    if (typeof v === 'boolean') {
      if (target.kind === 'BOOLEAN') return v;
      if (fromText === undefined) return v ? 'true' : 'false';
      throw new Failure(`cannot convert the JSON boolean ${v} to ${typeToString(target)}`);
    }
    if (fromText === undefined) return v instanceof JsonNumber ? javaJsonNumber(v) : (v as string);
    // Numeric targets read the number's exact text (no detour through a double).
    const text = v instanceof JsonNumber ? v.text : (v as string);
    if (v instanceof JsonNumber && target.kind === 'BOOLEAN') {
      throw new Failure(`cannot convert the JSON number ${text} to BOOLEAN`);
    }
    try {
      const out = fromText(text);
      if (out === null) throw new Failure(`cannot convert '${text}' to ${typeToString(target)}`);
      return out;
    } catch (e) {
      if (e instanceof Failure) throw e;
      throw new Failure((e as Error).message);
    }
  };
}

function behaviour(text: unknown, allowed: readonly string[], fn: string, clause: string): string {
  const b = String(text ?? allowed[0])
    .toUpperCase()
    .trim();
  if (!allowed.includes(b)) {
    throw runtimeError(
      'INVALID_ARGUMENT',
      `${fn}: ${clause} must be one of ${allowed.join(', ')}, got '${String(text)}'`,
    );
  }
  return b;
}

const jsonValue = defineScalar(
  'JSON_VALUE',
  'Extracts a scalar from JSON text at an SQL/JSON path, as STRING or the RETURNING type.',
  (args) => {
    const sigs = [
      'JSON_VALUE(STRING json, STRING path)',
      'JSON_VALUE(STRING json, STRING path, <RETURNING type carrier>)',
      'JSON_VALUE(STRING json, STRING path, <RETURNING type carrier>, STRING onEmpty, <default>, STRING onError, <default>)',
    ];
    if (args.length !== 2 && args.length !== 3 && args.length !== 7) throw badCall('JSON_VALUE', args, sigs);
    if (!isStr(args[0]!) || !isStr(args[1]!)) throw badCall('JSON_VALUE', args, sigs);
    if (args.length === 7 && (!isStr(args[3]!) || !isStr(args[5]!))) throw badCall('JSON_VALUE', args, sigs);
    const carrier = args[2];
    const target: LogicalType =
      carrier && carrier.kind !== 'NULL' ? { ...carrier, nullable: true } : T.string();
    if (!canCastExplicitly(T.string(), target) || ['ARRAY', 'MAP', 'ROW', 'MULTISET'].includes(target.kind)) {
      throw badCall(
        'JSON_VALUE',
        args,
        sigs,
        `RETURNING ${typeToString(target)} is not a scalar type JSON_VALUE can return`,
      );
    }
    const defaultConv = (i: number): ((v: Value) => Value) => {
      const t = args[i];
      if (!t || t.kind === 'NULL' || typeEquals(t, target, true)) return (v) => v;
      if (!canCastExplicitly(t, target)) {
        throw badCall(
          'JSON_VALUE',
          args,
          sigs,
          `The DEFAULT of type ${typeToString(t)} does not convert to ${typeToString(target)}`,
        );
      }
      return castFunction(t, target);
    };
    const emptyDefault = defaultConv(4);
    const errorDefault = defaultConv(6);
    const convert = scalarConverter(target);
    const compile = pathCache();
    const MODES = ['NULL', 'ERROR', 'DEFAULT'];
    return nullAware(
      target,
      (
        json: string | null,
        path: string | null,
        _c?: Value,
        onEmpty?: Value,
        ed?: Value,
        onError?: Value,
        xd?: Value,
      ) => {
        if (json === null || path === null) return null;
        try {
          try {
            const items = evaluate(json, path, compile);
            if (items.length === 0) throw new Empty();
            if (items.length > 1) throw new Failure('the path selects more than one item');
            const item = items[0] as Json;
            if (item === null) throw new Empty();
            if (isContainer(item)) {
              if (compile(path).strict)
                throw new Failure('the path selects an object or array, not a scalar');
              throw new Empty();
            }
            return convert(item);
          } catch (e) {
            if (!(e instanceof Empty)) throw e;
            const b = behaviour(onEmpty, MODES, 'JSON_VALUE', 'ON EMPTY');
            if (b === 'NULL') return null;
            if (b === 'DEFAULT') return ed === null || ed === undefined ? null : emptyDefault(ed);
            throw runtimeError(
              'JSON_EMPTY',
              `JSON_VALUE: the path '${path}' selects nothing (ERROR ON EMPTY)`,
            );
          }
        } catch (e) {
          if (!(e instanceof Failure)) throw e;
          const b = behaviour(onError, MODES, 'JSON_VALUE', 'ON ERROR');
          if (b === 'NULL') return null;
          if (b === 'DEFAULT') return xd === null || xd === undefined ? null : errorDefault(xd);
          throw runtimeError('JSON_ERROR', `JSON_VALUE: ${e.message} (ERROR ON ERROR)`);
        }
      },
    );
  },
);

// ---- JSON_QUERY ----

function wrapperOf(text: unknown): 'WITHOUT' | 'CONDITIONAL' | 'UNCONDITIONAL' {
  const w = String(text ?? 'WITHOUT').toUpperCase();
  if (w.includes('WITHOUT')) return 'WITHOUT';
  if (w.includes('UNCONDITIONAL')) return 'UNCONDITIONAL';
  if (w.includes('CONDITIONAL')) return 'CONDITIONAL';
  if (w.includes('WITH')) return 'UNCONDITIONAL';
  throw runtimeError('INVALID_ARGUMENT', `JSON_QUERY: unknown wrapper '${String(text)}'`);
}

const jsonQuery = defineScalar(
  'JSON_QUERY',
  'Extracts an object or array from JSON text at an SQL/JSON path, as JSON text.',
  (args) => {
    const sigs = [
      'JSON_QUERY(STRING json, STRING path)',
      'JSON_QUERY(STRING json, STRING path, STRING wrapper)',
      'JSON_QUERY(STRING json, STRING path, STRING wrapper, STRING onEmpty, STRING onError)',
    ];
    if (![2, 3, 5].includes(args.length) || !args.every(isStr)) throw badCall('JSON_QUERY', args, sigs);
    const compile = pathCache();
    const BEHAVIOURS = ['NULL', 'EMPTY ARRAY', 'EMPTY OBJECT', 'ERROR'];
    const apply = (b: string, what: string, path: string): string | null => {
      if (b === 'NULL') return null;
      if (b === 'EMPTY ARRAY') return '[]';
      if (b === 'EMPTY OBJECT') return '{}';
      throw runtimeError(
        what === 'ON EMPTY' ? 'JSON_EMPTY' : 'JSON_ERROR',
        `JSON_QUERY: ${what === 'ON EMPTY' ? `the path '${path}' selects nothing` : what} (ERROR ${what === 'ON EMPTY' ? 'ON EMPTY' : 'ON ERROR'})`,
      );
    };
    return nullAware(
      T.string(true),
      (json: string | null, path: string | null, wrapper?: Value, onEmpty?: Value, onError?: Value) => {
        if (json === null || path === null) return null;
        const w = wrapperOf(wrapper);
        try {
          const items = evaluate(json, path, compile);
          if (items.length === 0)
            return apply(behaviour(onEmpty, BEHAVIOURS, 'JSON_QUERY', 'ON EMPTY'), 'ON EMPTY', path);
          if (w === 'UNCONDITIONAL') return jacksonText(items);
          if (w === 'CONDITIONAL')
            return items.length === 1 && isContainer(items[0] as Json)
              ? jacksonText(items[0] as Json)
              : jacksonText(items);
          if (items.length > 1) throw new Failure('the path selects more than one item; use a wrapper');
          const item = items[0] as Json;
          if (!isContainer(item)) {
            if (compile(path).strict) throw new Failure('the path selects a scalar, not an object or array');
            return apply(behaviour(onEmpty, BEHAVIOURS, 'JSON_QUERY', 'ON EMPTY'), 'ON EMPTY', path);
          }
          return jacksonText(item);
        } catch (e) {
          if (!(e instanceof Failure)) throw e;
          return apply(behaviour(onError, BEHAVIOURS, 'JSON_QUERY', 'ON ERROR'), e.message, path);
        }
      },
    );
  },
);

// ---- JSON_EXISTS, IS_JSON ----

const jsonExists = defineScalar(
  'JSON_EXISTS',
  'TRUE when the SQL/JSON path selects something in the JSON text.',
  (args) => {
    const sigs = [
      'JSON_EXISTS(STRING json, STRING path)',
      'JSON_EXISTS(STRING json, STRING path, STRING onError)',
    ];
    if (!matches(args, [isStr, isStr]) && !matches(args, [isStr, isStr, isStr]))
      throw badCall('JSON_EXISTS', args, sigs);
    const compile = pathCache();
    return nullAware(T.boolean(true), (json: string | null, path: string | null, onError?: Value) => {
      if (json === null || path === null) return null;
      try {
        return evaluate(json, path, compile).length > 0;
      } catch (e) {
        if (!(e instanceof Failure)) throw e;
        const b = behaviour(onError, ['FALSE', 'TRUE', 'UNKNOWN', 'ERROR'], 'JSON_EXISTS', 'ON ERROR');
        if (b === 'ERROR') throw runtimeError('JSON_ERROR', `JSON_EXISTS: ${e.message} (ERROR ON ERROR)`);
        return b === 'TRUE' ? true : b === 'FALSE' ? false : null;
      }
    });
  },
);

const isJson = defineScalar(
  'IS_JSON',
  'IS_JSON(s[, VALUE|SCALAR|ARRAY|OBJECT]): s is valid JSON of that kind (FALSE for NULL).',
  (args) => {
    if (!matches(args, [isStr]) && !matches(args, [isStr, isStr])) {
      throw badCall('IS_JSON', args, [
        'IS_JSON(STRING)',
        "IS_JSON(STRING, 'VALUE'|'SCALAR'|'ARRAY'|'OBJECT')",
      ]);
    }
    let lastText: string | null = null;
    let lastDoc: Json | undefined;
    let lastOk = false;
    return nullAware(T.boolean(false), (s: string | null, kind?: Value) => {
      if (s === null) return false;
      const k = behaviour(kind, ['VALUE', 'SCALAR', 'ARRAY', 'OBJECT'], 'IS JSON', 'the kind');
      if (s !== lastText) {
        lastText = s;
        try {
          lastDoc = parseJson(s);
          lastOk = true;
        } catch {
          lastOk = false;
        }
      }
      if (!lastOk) return false;
      const doc = lastDoc as Json;
      if (k === 'VALUE') return true;
      if (k === 'ARRAY') return Array.isArray(doc);
      if (k === 'OBJECT') return doc instanceof Map;
      return !isContainer(doc);
    });
  },
);

// ---- serialization of SQL values ----

/** JSON text of a non-null SQL value of type `t` (nested NULLs become null). */
export function jsonWriter(t: LogicalType, timeZone = 'UTC'): (v: Value) => string {
  switch (t.kind) {
    case 'BOOLEAN':
      return (v) => (v ? 'true' : 'false');
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return (v) => String(v);
    case 'DECIMAL': {
      const s = t.scale ?? 0;
      return (v) => decimalToString(v as bigint, s);
    }
    case 'FLOAT':
    case 'DOUBLE':
      return (v) => (Number.isFinite(v as number) ? formatValue(v, t) : quoteJson(formatValue(v, t)));
    case 'CHAR':
    case 'VARCHAR':
      return (v) => quoteJson(v as string);
    case 'BINARY':
    case 'VARBINARY':
      return (v) => quoteJson(Buffer.from(v as Uint8Array).toString('base64'));
    case 'ARRAY': {
      const e = jsonWriter(t.element as LogicalType, timeZone);
      return (v) => `[${(v as Value[]).map((x) => (x === null ? 'null' : e(x))).join(',')}]`;
    }
    case 'MAP':
    case 'MULTISET': {
      const keyType = t.kind === 'MAP' ? (t.key as LogicalType) : (t.element as LogicalType);
      const valueWriter =
        t.kind === 'MAP' ? jsonWriter(t.element as LogicalType, timeZone) : (v: Value) => String(v);
      return (v) => {
        const parts: string[] = [];
        for (const [k, x] of v as Map<Value, Value>) {
          const key = typeof k === 'string' ? k : formatValue(k, keyType, timeZone);
          parts.push(`${quoteJson(key)}:${x === null ? 'null' : valueWriter(x)}`);
        }
        return `{${parts.join(',')}}`;
      };
    }
    case 'ROW': {
      const fields = (t.fields ?? []).map((f) => ({ name: f.name, write: jsonWriter(f.type, timeZone) }));
      return (v) =>
        `{${fields.map((f, i) => `${quoteJson(f.name)}:${(v as Value[])[i] === null ? 'null' : f.write((v as Value[])[i])}`).join(',')}}`;
    }
    case 'NULL':
      return () => 'null';
    default:
      return (v) => quoteJson(formatValue(v, t, timeZone));
  }
}

const jsonString = defineScalar(
  'JSON_STRING',
  'The value serialized as JSON text; NULL for NULL.',
  (args, ctx) => {
    if (args.length !== 1) throw badCall('JSON_STRING', args, ['JSON_STRING(<ANY>)']);
    const write = jsonWriter(args[0] as LogicalType, ctx.timeZone);
    return {
      resultType: T.string((args[0] as LogicalType).nullable),
      impl: (v: Value) => write(v),
      nullOnNullInput: true,
      deterministic: true,
    };
  },
);

interface ConstructorMode {
  readonly absent: boolean;
  readonly raw: ReadonlySet<number>;
}

const MODE_RE = /^\s*(NULL|ABSENT)(?:\s+ON\s+NULL)?\s*(?:;\s*RAW\s+([\d\s,]*))?\s*$/i;

function parseMode(fn: string, text: unknown, absentDefault: boolean): ConstructorMode {
  if (text === null || text === undefined) return { absent: absentDefault, raw: new Set() };
  const m = MODE_RE.exec(String(text));
  if (!m)
    throw runtimeError(
      'INVALID_ARGUMENT',
      `${fn}: mode must be 'NULL' or 'ABSENT' [ON NULL][; RAW i,j], got '${String(text)}'`,
    );
  const raw = new Set(
    (m[2] ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '')
      .map(Number),
  );
  return { absent: (m[1] as string).toUpperCase() === 'ABSENT', raw };
}

const jsonObject = defineScalar(
  'JSON_OBJECT',
  'A JSON object text from key/value pairs: JSON_OBJECT(mode, k1, v1, ...).',
  (args, ctx) => {
    const sig = ['JSON_OBJECT(STRING mode, STRING key, <ANY> value, ...)'];
    if (args.length < 1 || args.length % 2 === 0 || !isStr(args[0]!)) throw badCall('JSON_OBJECT', args, sig);
    for (let i = 1; i < args.length; i += 2) {
      if (!isStr(args[i]!)) throw badCall('JSON_OBJECT', args, sig, `Key ${(i + 1) / 2} must be a string`);
    }
    const writers = args.map((t) => jsonWriter(t, ctx.timeZone));
    const mode = lastValueCache((m: Value) => parseMode('JSON_OBJECT', m, false));
    return nullAware(T.string(false), (m: Value, ...kv: Value[]) => {
      const md = mode(m);
      const parts: string[] = [];
      for (let i = 0; i < kv.length; i += 2) {
        const k = kv[i];
        const v = kv[i + 1];
        if (k === null) throw runtimeError('JSON_NULL_KEY', 'JSON_OBJECT: a key is NULL');
        if (v === null && md.absent) continue;
        const pos = i / 2 + 1;
        const text =
          v === null ? 'null' : md.raw.has(pos) ? (v as string) : (writers[i + 2] as (x: Value) => string)(v);
        parts.push(`${quoteJson(k as string)}:${text}`);
      }
      return `{${parts.join(',')}}`;
    });
  },
);

const jsonArray = defineScalar(
  'JSON_ARRAY',
  'A JSON array text from values: JSON_ARRAY(mode, v1, ...).',
  (args, ctx) => {
    if (args.length < 1 || !isStr(args[0]!))
      throw badCall('JSON_ARRAY', args, ['JSON_ARRAY(STRING mode, <ANY>...)']);
    const writers = args.map((t) => jsonWriter(t, ctx.timeZone));
    const mode = lastValueCache((m: Value) => parseMode('JSON_ARRAY', m, true));
    return nullAware(T.string(false), (m: Value, ...vs: Value[]) => {
      const md = mode(m);
      const parts: string[] = [];
      vs.forEach((v, i) => {
        if (v === null) {
          if (!md.absent) parts.push('null');
        } else {
          parts.push(md.raw.has(i + 1) ? (v as string) : (writers[i + 1] as (x: Value) => string)(v));
        }
      });
      return `[${parts.join(',')}]`;
    });
  },
);

const jsonQuote = defineScalar(
  'JSON_QUOTE',
  'The string as a JSON string literal (quoted and escaped).',
  (args) => {
    if (!matches(args, [isStr])) throw badCall('JSON_QUOTE', args, ['JSON_QUOTE(STRING)']);
    return {
      resultType: T.string((args[0] as LogicalType).nullable),
      impl: (s: Value) => quoteJson(s as string),
      nullOnNullInput: true,
      deterministic: true,
    };
  },
);

const jsonUnquote = defineScalar(
  'JSON_UNQUOTE',
  'The string value of a JSON string literal; other text unchanged.',
  (args) => {
    if (!matches(args, [isStr])) throw badCall('JSON_UNQUOTE', args, ['JSON_UNQUOTE(STRING)']);
    return {
      resultType: T.string((args[0] as LogicalType).nullable),
      impl: (s: Value) => {
        const text = s as string;
        if (!/^\s*"/.test(text)) return text;
        try {
          const v = parseJson(text);
          return typeof v === 'string' ? v : text;
        } catch {
          return text;
        }
      },
      nullOnNullInput: true,
      deterministic: true,
    };
  },
);

/** Every JSON built-in of this module. */
export const jsonFunctions: readonly ScalarFunctionDef[] = [
  jsonValue,
  jsonQuery,
  jsonExists,
  isJson,
  jsonString,
  jsonObject,
  jsonArray,
  jsonQuote,
  jsonUnquote,
];
