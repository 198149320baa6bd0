/**
 * A JSON document model, parser and serializer, and an SQL/JSON path subset, for the JSON built-ins.
 *
 * Model: objects are `Map`s (key order as written; a repeated key keeps its first place and its last
 * value), arrays are arrays, numbers keep their source text (`JsonNumber`) so that 12345678901234567890
 * or 1.50 come back exactly as written, strings/booleans/null are themselves.
 *
 * Path language (SQL:2016 SQL/JSON path, the part Flink's functions use):
 *   [lax|strict] $ step*        (Flink's default mode is strict)
 *   step := .name | ."quoted name" | .* | ['name'] | ["name"] | [*]
 *         | [sub, sub, ...]   with sub := n | last | last - n | sub to sub   (0-based, ranges inclusive)
 *         | ..name | ..*      (Jayway's deep scan: at any depth, never an error)
 *         | [?(@rel)] | [?(@rel <op> literal)]   (filter; rel := .name | ['name'] | [n] ...;
 *                              op := == != < <= > >=; literal := number | 'text' | true | false | null)
 * Evaluation keeps a sequence of items; each step maps every item to zero or more items:
 *  1. member steps on an object pick the member; on an array, lax mode applies them to each element;
 *     otherwise (missing member, non-object) strict mode raises a path error and lax mode yields nothing;
 *  2. element steps on an array pick elements; in lax mode a non-array is treated as a one-element
 *     array; an index out of range is an error in strict mode and nothing in lax mode;
 *  3. wildcards yield all members/elements (lax: a non-container yields itself for `[*]`);
 *  4. a filter keeps the array elements for which the relative path selects something (that compares
 *     true with the literal, numbers numerically, text exactly; values of other kinds only match `!=`).
 */
import { runtimeError } from './util.ts';

export class JsonNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  get value(): number {
    return Number(this.text);
  }
}

export type Json = null | boolean | string | JsonNumber | Json[] | Map<string, Json>;

export class JsonSyntaxError extends Error {}

let lastText: string | undefined;
let lastDoc: Json = null;

/**
 * `parseJson` remembering the last document: a row often feeds the same JSON text to several calls
 * (JSON_VALUE(j, '$.a'), JSON_VALUE(j, '$.b') ...). Documents are never modified, so sharing is safe.
 */
export function parseJsonCached(text: string): Json {
  if (text !== lastText) {
    lastDoc = parseJson(text);
    lastText = text;
  }
  return lastDoc;
}

/** Parses JSON text (RFC 8259; one value, surrounding whitespace allowed). */
export function parseJson(text: string): Json {
  let i = 0;
  const n = text.length;
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at position ${i}`);
  };
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const str = (): string => {
    i++; // opening quote
    let out = '';
    let start = i;
    for (;;) {
      if (i >= n) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c === 92) {
        out += text.slice(start, i);
        const e = text[i + 1];
        i += 2;
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
            out += String.fromCharCode(Number.parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            fail('bad escape');
        }
        start = i;
        continue;
      }
      i++;
    }
  };
  const value = (depth: number): Json => {
    if (depth > 1000) fail('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = new Map<string, Json>();
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a member name');
        const key = str();
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        obj.set(key, value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const arr: Json[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) {
      i += m[0].length;
      return new JsonNumber(m[0]);
    }
    return fail('unexpected character');
  };
  const v = value(0);
  ws();
  if (i !== n) fail('trailing characters');
  return v;
}

/** JSON text of a string (quotes and escapes). */
export const quoteJson = (s: string): string => JSON.stringify(s);

/**
 * Compact JSON text of a document (no spaces). Numbers print as written, or, with `numberText`, as
 * that function prints them (JSON_QUERY prints them as Flink's Jackson does).
 */
export function stringifyJson(v: Json, numberText: (n: JsonNumber) => string = (n) => n.text): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return quoteJson(v);
  if (v instanceof JsonNumber) return numberText(v);
  if (Array.isArray(v)) return `[${v.map((x) => stringifyJson(x, numberText)).join(',')}]`;
  let out = '{';
  let first = true;
  for (const [k, x] of v) {
    out += `${first ? '' : ','}${quoteJson(k)}:${stringifyJson(x, numberText)}`;
    first = false;
  }
  return `${out}}`;
}

export const isContainer = (v: Json): v is Json[] | Map<string, Json> => Array.isArray(v) || v instanceof Map;

// ---- paths ----

type Index = { last: false; n: number } | { last: true; minus: number };
/** One subscript: an index, or a range `from to to` (both inclusive). */
type Subscript = { from: Index; to?: Index };
type Comparison = '==' | '!=' | '<' | '<=' | '>' | '>=';

type Step =
  | { kind: 'member'; name: string }
  | { kind: 'memberWildcard' }
  | { kind: 'elements'; subscripts: readonly Subscript[] }
  | { kind: 'elementWildcard' }
  /** `..name` / `..*`: the member (or every value) at any depth, in document order; never an error. */
  | { kind: 'descendants'; name: string | undefined }
  /** `[?(@.a.b)]` or `[?(@.a.b <op> literal)]`: the array elements for which the condition holds. */
  | { kind: 'filter'; path: readonly Step[]; op: Comparison | undefined; value: Json };

export interface JsonPath {
  readonly strict: boolean;
  readonly steps: readonly Step[];
}

/** A path the user wrote that cannot be parsed: a planning or runtime error for the caller. */
export class JsonPathSyntaxError extends Error {}

/** Parses an SQL/JSON path expression. */
export function parseJsonPath(text: string): JsonPath {
  let i = 0;
  const fail = (what: string): never => {
    throw new JsonPathSyntaxError(`Invalid JSON path '${text}': ${what} at position ${i}`);
  };
  const ws = () => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  ws();
  let strict = true;
  const mode = /^(lax|strict)\s+/i.exec(text.slice(i));
  if (mode) {
    strict = (mode[1] as string).toLowerCase() === 'strict';
    i += mode[0].length;
  }
  ws();
  if (text[i] !== '$') fail("expected '$'");
  i++;
  const steps: Step[] = [];
  const quoted = (q: string): string => {
    i++;
    let out = '';
    while (i < text.length && text[i] !== q) {
      if (text[i] === '\\' && i + 1 < text.length) i++;
      out += text[i];
      i++;
    }
    if (text[i] !== q) fail('unterminated name');
    i++;
    return out;
  };
  /** `?(@<relative path> [<op> <literal>])]`, positioned at the '?'. */
  const filter = (): Step => {
    i++;
    ws();
    if (text[i] !== '(') fail("expected '(' after '?'");
    i++;
    ws();
    if (text[i] !== '@') fail("expected '@'");
    i++;
    const path: Step[] = [];
    for (;;) {
      if (text[i] === '.') {
        i++;
        const q = text[i];
        if (q === '"' || q === "'") path.push({ kind: 'member', name: quoted(q) });
        else {
          const m = /^[A-Za-z_$][\w$]*/.exec(text.slice(i));
          if (!m) fail('expected a member name');
          path.push({ kind: 'member', name: (m as RegExpExecArray)[0] });
          i += (m as RegExpExecArray)[0].length;
        }
      } else if (text[i] === '[' && (text[i + 1] === "'" || text[i + 1] === '"')) {
        i++;
        path.push({ kind: 'member', name: quoted(text[i] as string) });
        if (text[i] !== ']') fail("expected ']'");
        i++;
      } else if (text[i] === '[' && /^\[\d+\]/.test(text.slice(i))) {
        const m = /^\[(\d+)\]/.exec(text.slice(i)) as RegExpExecArray;
        path.push({ kind: 'elements', subscripts: [{ from: { last: false, n: Number(m[1]) } }] });
        i += m[0].length;
      } else break;
    }
    ws();
    let op: Comparison | undefined;
    let value: Json = null;
    const opMatch = /^(==|!=|<=|>=|<|>)/.exec(text.slice(i));
    if (opMatch) {
      op = opMatch[1] as Comparison;
      i += op.length;
      ws();
      const rest = text.slice(i);
      const num = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(rest);
      const word = /^(true|false|null)\b/.exec(rest);
      if (text[i] === "'" || text[i] === '"') value = quoted(text[i] as string);
      else if (num) {
        value = new JsonNumber(num[0]);
        i += num[0].length;
      } else if (word) {
        value = word[1] === 'null' ? null : word[1] === 'true';
        i += (word[1] as string).length;
      } else fail('expected a literal after the comparison');
    }
    ws();
    if (text[i] !== ')') fail("expected ')'");
    i++;
    ws();
    if (text[i] !== ']') fail("expected ']'");
    i++;
    return { kind: 'filter', path, op, value };
  };
  for (;;) {
    ws();
    if (i >= text.length) break;
    const c = text[i];
    if (c === '.' && text[i + 1] === '.') {
      i += 2;
      if (text[i] === '*') {
        i++;
        steps.push({ kind: 'descendants', name: undefined });
      } else if (text[i] === '"' || text[i] === "'") {
        steps.push({ kind: 'descendants', name: quoted(text[i] as string) });
      } else {
        const m = /^[A-Za-z_$][\w$]*/.exec(text.slice(i));
        if (!m) fail('expected a member name after ..');
        steps.push({ kind: 'descendants', name: (m as RegExpExecArray)[0] });
        i += (m as RegExpExecArray)[0].length;
      }
    } else if (c === '.') {
      i++;
      if (text[i] === '*') {
        i++;
        steps.push({ kind: 'memberWildcard' });
      } else if (text[i] === '"' || text[i] === "'") {
        steps.push({ kind: 'member', name: quoted(text[i] as string) });
      } else {
        const m = /^[A-Za-z_$][\w$]*/.exec(text.slice(i));
        if (!m) fail('expected a member name');
        const name = (m as RegExpExecArray)[0];
        steps.push({ kind: 'member', name });
        i += name.length;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === '*') {
        i++;
        ws();
        if (text[i] !== ']') fail("expected ']'");
        i++;
        steps.push({ kind: 'elementWildcard' });
        continue;
      }
      if (text[i] === '"' || text[i] === "'") {
        const name = quoted(text[i] as string);
        ws();
        if (text[i] !== ']') fail("expected ']'");
        i++;
        steps.push({ kind: 'member', name });
        continue;
      }
      if (text[i] === '?') {
        steps.push(filter());
        continue;
      }
      const subscripts: Subscript[] = [];
      const index = (): Index => {
        ws();
        const rest = text.slice(i);
        const last = /^last(?:\s*-\s*(\d+))?/.exec(rest);
        const num = /^\d+/.exec(rest);
        if (last) {
          i += last[0].length;
          return { last: true, minus: last[1] ? Number(last[1]) : 0 };
        }
        if (num) {
          i += num[0].length;
          return { last: false, n: Number(num[0]) };
        }
        return fail('expected an array index');
      };
      for (;;) {
        const from = index();
        ws();
        if (/^to\b/.test(text.slice(i))) {
          i += 2;
          subscripts.push({ from, to: index() });
        } else {
          subscripts.push({ from });
        }
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          break;
        }
        fail("expected ',' or ']'");
      }
      steps.push({ kind: 'elements', subscripts });
    } else {
      fail(`unexpected '${c}'`);
    }
  }
  return { strict, steps };
}

/** A structural error while evaluating a strict path (the ON ERROR clause applies). */
export class JsonPathError extends Error {}

/** Evaluates a path over a document: the sequence of items it selects. */
export function evalJsonPath(path: JsonPath, doc: Json): Json[] {
  let items: Json[] = [doc];
  const err = (what: string): never => {
    throw new JsonPathError(what);
  };
  for (const step of path.steps) {
    const next: Json[] = [];
    const member = (item: Json, name: string) => {
      if (item instanceof Map) {
        if (item.has(name)) next.push(item.get(name) as Json);
        else if (path.strict) err(`No member '${name}'`);
      } else if (Array.isArray(item) && !path.strict) {
        for (const e of item) member(e, name);
      } else if (path.strict) {
        err(`Member '${name}' of a non-object`);
      }
    };
    for (const item of items) {
      switch (step.kind) {
        case 'member':
          member(item, step.name);
          break;
        case 'memberWildcard':
          if (item instanceof Map) next.push(...item.values());
          else if (Array.isArray(item) && !path.strict) {
            for (const e of item) if (e instanceof Map) next.push(...e.values());
          } else if (path.strict) err('Wildcard member of a non-object');
          break;
        case 'elementWildcard':
          if (Array.isArray(item)) next.push(...item);
          else if (path.strict) err('Wildcard element of a non-array');
          else next.push(item);
          break;
        case 'elements': {
          const arr = Array.isArray(item) ? item : path.strict ? err('Element of a non-array') : [item];
          const at = (ix: Index) => (ix.last ? arr.length - 1 - ix.minus : ix.n);
          for (const sub of step.subscripts) {
            const from = at(sub.from);
            const to = sub.to === undefined ? from : at(sub.to);
            if (path.strict && from <= to && (from < 0 || to >= arr.length)) {
              err(`Array index ${from < 0 ? from : to} out of bounds`);
            }
            // Only indexes inside the array are visited, however wide the range is.
            for (let k = Math.max(from, 0); k <= Math.min(to, arr.length - 1); k++) next.push(arr[k] as Json);
          }
          break;
        }
        case 'descendants':
          collectDescendants(item, step.name, next);
          break;
        case 'filter': {
          const arr = Array.isArray(item) ? item : path.strict ? err('Filter on a non-array') : [item];
          for (const e of arr) if (filterHolds(step, e)) next.push(e);
          break;
        }
      }
    }
    items = next;
  }
  return items;
}

/** Path text -> compiled path, cached per call site. Throws a runtime INVALID_JSON_PATH error. */
export function compileJsonPath(text: string): JsonPath {
  try {
    return parseJsonPath(text);
  } catch (e) {
    throw runtimeError('INVALID_JSON_PATH', (e as Error).message);
  }
}

/** Values of member `name` (or all values) at any depth below `v`, in document order. */
function collectDescendants(v: Json, name: string | undefined, out: Json[]): void {
  if (v instanceof Map) {
    for (const [k, x] of v) {
      if (name === undefined || k === name) out.push(x);
      collectDescendants(x, name, out);
    }
  } else if (Array.isArray(v)) {
    for (const x of v) {
      if (name === undefined) out.push(x);
      collectDescendants(x, name, out);
    }
  }
}

/** Whether a filter holds for one element: the relative path exists (and some value compares true). */
function filterHolds(f: Extract<Step, { kind: 'filter' }>, element: Json): boolean {
  let values: Json[];
  try {
    values = evalJsonPath({ strict: false, steps: f.path }, element);
  } catch {
    return false;
  }
  if (f.op === undefined) return values.length > 0;
  return values.some((v) => compareJson(v, f.op as Comparison, f.value));
}

function compareJson(a: Json, op: Comparison, b: Json): boolean {
  let c: number;
  if (a instanceof JsonNumber && b instanceof JsonNumber) c = a.value - b.value;
  else if (typeof a === 'string' && typeof b === 'string') c = a < b ? -1 : a > b ? 1 : 0;
  else if ((a === null || typeof a === 'boolean') && a === b) c = 0;
  else return op === '!=';
  switch (op) {
    case '==':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}
