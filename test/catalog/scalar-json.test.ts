import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FunctionRegistry } from '../../catalog/functions/registry.ts';
import { registerScalarBuiltins, resolveScalarCall } from '../../catalog/functions/scalar/index.ts';
import {
  evalJsonPath,
  parseJson,
  parseJsonPath,
  stringifyJson,
} from '../../catalog/functions/scalar/jsonpath.ts';
import { type LogicalType, T, typeToString } from '../../catalog/types.ts';
import type { Value } from '../../operators/api.ts';

const registry = new FunctionRegistry();
registerScalarBuiltins(registry);
const ctx = { timeZone: 'UTC', now: () => 0 };

function fn(name: string, types: LogicalType[]) {
  const def = registry.lookupScalar(name);
  if (!def) throw new Error(`no ${name}`);
  const r = resolveScalarCall(def, types, ctx);
  return {
    type: typeToString(r.resultType),
    call: (...args: Value[]): Value =>
      r.nullOnNullInput && args.some((a) => a === null) ? null : r.impl(...args),
  };
}
const S = T.string();
const sigError = expect.objectContaining({ code: 'FUNCTION_SIGNATURE', phase: 'plan' });
const doc = '{"a":{"b":[1,2.50,{"c":"x"}],"n":null,"t":true},"big":12345678901234567890,"k y":"v"}';

describe('JSON model and paths', () => {
  it('parses and prints keeping key order and number text', () => {
    expect(stringifyJson(parseJson(' {"b":1,"a":[1.50,-0,1e3],"1":"\\u00e9\\n"} '))).toBe(
      '{"b":1,"a":[1.50,-0,1e3],"1":"é\\n"}',
    );
    expect(() => parseJson('{"a":1,}')).toThrow();
    expect(() => parseJson('[1] x')).toThrow();
    expect(() => parseJson("{'a':1}")).toThrow();
    expect(() => parseJson('01')).toThrow();
  });
  it('evaluates lax and strict paths', () => {
    const d = parseJson(doc);
    const texts = (p: string) => evalJsonPath(parseJsonPath(p), d).map((x) => stringifyJson(x));
    expect(texts('$.a.b[1]')).toEqual(['2.50']);
    expect(texts('$.a.b[*]')).toEqual(['1', '2.50', '{"c":"x"}']);
    expect(texts('lax $.a.b[0, 2].c')).toEqual(['"x"']); // lax: the number 1 has no member c, skipped
    expect(() => texts('$.a.b[0, 2].c')).toThrow(/non-object/); // strict (the default): an error
    expect(texts('lax $.a.b.c')).toEqual(['"x"']); // lax unwraps arrays for member steps
    expect(texts('lax $.a.t[0]')).toEqual(['true']); // lax: a scalar is a one-element array
    expect(() => texts('$.a.b[7]')).toThrow(/out of bounds/);
    expect(texts('lax $.a.b[7]')).toEqual([]);
    expect(texts('$.a.b[last - 1]')).toEqual(['2.50']);
    expect(texts('$.a.*')).toEqual(['[1,2.50,{"c":"x"}]', 'null', 'true']);
    expect(() => parseJsonPath('a.b')).toThrow(/expected '\$'/);
  });
});

describe('path ranges, deep scan and filters', () => {
  const store =
    '{"store":{"book":[{"title":"A","price":8.95,"tags":["x"]},{"title":"B","price":12.99},{"title":"C","price":8.99,"isbn":"1"}],"bike":{"price":19.95}}}';
  const texts = (p: string) => evalJsonPath(parseJsonPath(p), parseJson(store)).map((x) => stringifyJson(x));
  it('ranges', () => {
    expect(texts('$.store.book[0 to 1].title')).toEqual(['"A"', '"B"']);
    expect(texts('$.store.book[1 to last].title')).toEqual(['"B"', '"C"']);
    expect(texts('$.store.book[0, 2 to 2].title')).toEqual(['"A"', '"C"']);
    expect(() => texts('$.store.book[1 to 5].title')).toThrow(/out of bounds/);
    expect(texts('lax $.store.book[1 to 5].title')).toEqual(['"B"', '"C"']);
    expect(texts('lax $.store.book[1 to 4000000000].title')).toEqual(['"B"', '"C"']); // no walk to 4e9
    expect(texts('$.store.book[2 to 1].title')).toEqual([]);
  });
  it('deep scan', () => {
    expect(texts('$..price')).toEqual(['8.95', '12.99', '8.99', '19.95']);
    expect(texts('$..title')).toEqual(['"A"', '"B"', '"C"']);
    expect(texts('$.store.bike..*')).toEqual(['19.95']);
    expect(texts('$..nothing')).toEqual([]);
  });
  it('filters', () => {
    expect(texts('$.store.book[?(@.price < 10)].title')).toEqual(['"A"', '"C"']);
    expect(texts('$.store.book[?(@.isbn)].title')).toEqual(['"C"']);
    expect(texts("$.store.book[?(@.title == 'B')].price")).toEqual(['12.99']);
    expect(texts("$.store.book[?(@.title != 'B')].title")).toEqual(['"A"', '"C"']);
    expect(texts('$.store.book[?(@.tags[0] == "x")].title')).toEqual(['"A"']);
    expect(texts('$.store.book[?(@.price >= 12.99)].title')).toEqual(['"B"']);
    expect(() => parseJsonPath('$.a[?(@.b ==)]')).toThrow(/expected a literal/);
    expect(() => parseJsonPath('$.a[?(x)]')).toThrow(/expected '@'/);
  });
  it('through JSON_VALUE and JSON_QUERY', () => {
    expect(fn('JSON_VALUE', [S, S]).call(store, "$.store.book[?(@.title == 'C')].isbn")).toBe('1');
    expect(fn('JSON_QUERY', [S, S, S]).call(store, '$..title', 'WITH ARRAY WRAPPER')).toBe('["A","B","C"]');
  });
});

describe('JSON_VALUE', () => {
  const jv = fn('JSON_VALUE', [S, S]);
  it('returns scalars as STRING by default', () => {
    expect(jv.type).toBe('STRING');
    expect(jv.call(doc, '$.a.b[0]')).toBe('1');
    // Numbers print as Flink's Jackson/Java do: integers as written, others as Java doubles.
    expect(jv.call(doc, '$.a.b[1]')).toBe('2.5');
    expect(jv.call('{"x":1e3}', '$.x')).toBe('1000.0');
    expect(jv.call('{"x":1.5e20}', '$.x')).toBe('1.5E20');
    expect(jv.call(doc, '$.a.b[2].c')).toBe('x');
    expect(jv.call(doc, '$.a.t')).toBe('true');
    expect(jv.call(doc, '$."k y"')).toBe('v');
    expect(jv.call(doc, "$['k y']")).toBe('v');
    expect(jv.call(doc, '$.big')).toBe('12345678901234567890');
    expect(jv.call(doc, '$.a.b[last]')).toBeNull(); // an object: not a scalar
    expect(jv.call(doc, 'lax $.a.b[last].c')).toBe('x');
  });
  it('NULL, empty and error cases default to NULL', () => {
    expect(jv.call(null, '$.a')).toBeNull();
    expect(jv.call(doc, '$.missing')).toBeNull();
    expect(jv.call(doc, 'lax $.missing')).toBeNull();
    expect(jv.call(doc, '$.a.n')).toBeNull();
    expect(jv.call(doc, '$.a')).toBeNull();
    expect(jv.call('{not json', '$.a')).toBeNull();
    expect(jv.call(doc, 'nonsense')).toBeNull();
  });
  it('RETURNING a type through a typed NULL carrier', () => {
    const asInt = fn('JSON_VALUE', [S, S, T.int()]);
    expect(asInt.type).toBe('INT');
    expect(asInt.call(doc, '$.a.b[0]', null)).toBe(1);
    expect(asInt.call('{"x":"42"}', '$.x', null)).toBe(42);
    expect(asInt.call('{"x":"forty"}', '$.x', null)).toBeNull();
    const asBig = fn('JSON_VALUE', [S, S, T.bigint()]);
    expect(asBig.call('{"x":9007199254740993}', '$.x', null)).toBe(9007199254740993n);
    expect(fn('JSON_VALUE', [S, S, T.decimal(10, 2)]).call(doc, '$.a.b[1]', null)).toBe(250n);
    // exact: the number's text, not a double
    expect(
      fn('JSON_VALUE', [S, S, T.decimal(38, 3)]).call('{"x":12345678901234567890.125}', '$.x', null),
    ).toBe(12345678901234567890125n);
    expect(fn('JSON_VALUE', [S, S, T.double()]).call(doc, '$.a.b[1]', null)).toBe(2.5);
    expect(fn('JSON_VALUE', [S, S, T.boolean()]).call(doc, '$.a.t', null)).toBe(true);
    expect(fn('JSON_VALUE', [S, S, T.boolean()]).call(doc, '$.a.b[0]', null)).toBeNull();
    expect(() => fn('JSON_VALUE', [S, S, T.array(T.int())])).toThrow(sigError);
  });
  it('ON EMPTY / ON ERROR behaviours', () => {
    const f = fn('JSON_VALUE', [S, S, T.int(), S, T.int(), S, T.int()]);
    // strict mode (the default): a missing member is an error, not an empty result
    expect(f.call(doc, '$.missing', null, 'DEFAULT', -1, 'NULL', null)).toBeNull();
    expect(f.call(doc, 'lax $.missing', null, 'DEFAULT', -1, 'DEFAULT', -2)).toBe(-1);
    expect(f.call(doc, '$.a.b[2].c', null, 'NULL', null, 'DEFAULT', -2)).toBe(-2); // 'x' is no INT
    expect(f.call('[', '$', null, 'NULL', null, 'DEFAULT', -2)).toBe(-2);
    expect(() => f.call(doc, 'lax $.missing', null, 'ERROR', null, 'NULL', null)).toThrow(
      expect.objectContaining({ code: 'JSON_EMPTY' }),
    );
    expect(() => f.call(doc, '$.missing', null, 'NULL', null, 'ERROR', null)).toThrow(
      expect.objectContaining({ code: 'JSON_ERROR' }),
    );
    expect(() => f.call(doc, '$.a.b[0]', null, 'MAYBE', null, 'NULL', null)).not.toThrow();
    expect(() => f.call(doc, '$.missing', null, 'NULL', null, 'MAYBE', null)).toThrow(
      /ON ERROR must be one of/,
    );
    const strDefault = fn('JSON_VALUE', [S, S, T.int(), S, S, S, S]);
    expect(strDefault.call(doc, '$.missing', null, 'NULL', null, 'DEFAULT', '7')).toBe(7);
    expect(() => fn('JSON_VALUE', [S, S, T.int(), S, T.date(), S, T.int()])).toThrow(sigError);
  });
  it('wrong argument types', () => {
    expect(() => fn('JSON_VALUE', [T.int(), S])).toThrow(sigError);
    expect(() => fn('JSON_VALUE', [S])).toThrow(sigError);
  });
});

describe('JSON_QUERY', () => {
  it('returns objects and arrays as JSON text', () => {
    const q = fn('JSON_QUERY', [S, S]);
    expect(q.call(doc, '$.a.b')).toBe('[1,2.5,{"c":"x"}]');
    expect(q.call(doc, '$.a.b[2]')).toBe('{"c":"x"}');
    expect(q.call(doc, '$')).toBe(doc.replace('2.50', '2.5'));
    expect(q.call(doc, '$.a.t')).toBeNull(); // strict: a scalar is an error -> NULL ON ERROR
    expect(q.call(doc, 'lax $.a.t')).toBeNull(); // lax: empty -> NULL ON EMPTY
    expect(q.call(null, '$')).toBeNull();
  });
  it('wrappers', () => {
    const q = fn('JSON_QUERY', [S, S, S]);
    expect(q.call(doc, '$.a.b[*]', 'UNCONDITIONAL')).toBe('[1,2.5,{"c":"x"}]');
    expect(q.call(doc, '$.a.b[0]', 'WITH ARRAY WRAPPER')).toBe('[1]');
    expect(q.call(doc, '$.a.b', 'WITH CONDITIONAL ARRAY WRAPPER')).toBe('[1,2.5,{"c":"x"}]');
    expect(q.call(doc, '$.a.t', 'CONDITIONAL')).toBe('[true]');
    expect(q.call(doc, '$.a.b[*]', 'WITHOUT ARRAY WRAPPER')).toBeNull();
  });
  it('ON EMPTY / ON ERROR', () => {
    const q = fn('JSON_QUERY', [S, S, S, S, S]);
    expect(q.call(doc, 'lax $.zzz', 'WITHOUT', 'EMPTY ARRAY', 'NULL')).toBe('[]');
    expect(q.call(doc, 'lax $.zzz', 'WITHOUT', 'EMPTY OBJECT', 'NULL')).toBe('{}');
    expect(q.call(doc, '$.zzz', 'WITHOUT', 'NULL', 'EMPTY OBJECT')).toBe('{}');
    expect(() => q.call(doc, '$.zzz', 'WITHOUT', 'NULL', 'ERROR')).toThrow(
      expect.objectContaining({ code: 'JSON_ERROR' }),
    );
    expect(() => q.call(doc, 'lax $.zzz', 'WITHOUT', 'ERROR', 'NULL')).toThrow(
      expect.objectContaining({ code: 'JSON_EMPTY' }),
    );
    expect(() => fn('JSON_QUERY', [S, S, T.int()])).toThrow(sigError);
  });
});

describe('JSON_EXISTS and IS_JSON', () => {
  it('JSON_EXISTS', () => {
    const e = fn('JSON_EXISTS', [S, S]);
    expect(e.call(doc, '$.a.b')).toBe(true);
    expect(e.call(doc, 'lax $.nope')).toBe(false);
    expect(e.call(doc, '$.nope')).toBe(false); // strict error -> FALSE ON ERROR
    expect(e.call('{', '$')).toBe(false);
    expect(e.call(null, '$')).toBeNull();
    const e3 = fn('JSON_EXISTS', [S, S, S]);
    expect(e3.call(doc, '$.nope', 'TRUE')).toBe(true);
    expect(e3.call(doc, '$.nope', 'UNKNOWN')).toBeNull();
    expect(() => e3.call(doc, '$.nope', 'ERROR')).toThrow(expect.objectContaining({ code: 'JSON_ERROR' }));
  });
  it('IS_JSON kinds; FALSE for NULL', () => {
    const j = fn('IS_JSON', [S]);
    expect(j.type).toBe('BOOLEAN NOT NULL');
    expect(j.call('1')).toBe(true);
    expect(j.call('{')).toBe(false);
    expect(j.call(null)).toBe(false);
    const k = fn('IS_JSON', [S, S]);
    expect(k.call('[1]', 'ARRAY')).toBe(true);
    expect(k.call('[1]', 'OBJECT')).toBe(false);
    expect(k.call('{}', 'OBJECT')).toBe(true);
    expect(k.call('"x"', 'SCALAR')).toBe(true);
    expect(k.call('{}', 'SCALAR')).toBe(false);
    expect(k.call('{}', 'VALUE')).toBe(true);
    expect(() => fn('IS_JSON', [T.int()])).toThrow(sigError);
  });
});

describe('JSON constructors and JSON_STRING', () => {
  it('JSON_OBJECT with NULL and ABSENT ON NULL, nested raw values', () => {
    const o = fn('JSON_OBJECT', [S, S, T.int(), S, S, S, T.decimal(5, 2)]);
    expect(o.type).toBe('STRING NOT NULL');
    expect(o.call('NULL ON NULL', 'a', 1, 'b', null, 'c', 1234n)).toBe('{"a":1,"b":null,"c":12.34}');
    expect(o.call('ABSENT ON NULL', 'a', 1, 'b', null, 'c', 1234n)).toBe('{"a":1,"c":12.34}');
    expect(() => o.call('NULL', null, 1, 'b', null, 'c', null)).toThrow(
      expect.objectContaining({ code: 'JSON_NULL_KEY' }),
    );
    const nested = fn('JSON_OBJECT', [S, S, S, S, S]);
    expect(nested.call('NULL; RAW 1', 'inner', '{"x":1}', 'plain', '{"x":1}')).toBe(
      '{"inner":{"x":1},"plain":"{\\"x\\":1}"}',
    );
    expect(fn('JSON_OBJECT', [S]).call('NULL')).toBe('{}');
    expect(() => fn('JSON_OBJECT', [S, T.int(), T.int()])).toThrow(sigError);
  });
  it('JSON_ARRAY defaults to ABSENT ON NULL', () => {
    const a = fn('JSON_ARRAY', [S, T.int(), S, T.boolean(), T.array(T.int())]);
    expect(a.call('ABSENT', 1, null, true, [1, null])).toBe('[1,true,[1,null]]');
    expect(a.call('NULL ON NULL', 1, null, true, [1])).toBe('[1,null,true,[1]]');
    expect(a.call(null, 1, 'x', false, [])).toBe('[1,"x",false,[]]');
  });
  it('JSON_STRING of SQL values', () => {
    expect(fn('JSON_STRING', [T.int()]).call(1)).toBe('1');
    expect(fn('JSON_STRING', [S]).call('a"b')).toBe('"a\\"b"');
    expect(fn('JSON_STRING', [T.double()]).call(1)).toBe('1.0');
    expect(fn('JSON_STRING', [T.bigint()]).call(12345678901234567890n)).toBe('12345678901234567890');
    expect(fn('JSON_STRING', [T.boolean()]).call(false)).toBe('false');
    expect(fn('JSON_STRING', [T.map(S, T.int())]).call(new Map([['k', 1]]))).toBe('{"k":1}');
    expect(fn('JSON_STRING', [T.row([{ name: 'f', type: T.date() }])]).call([0])).toBe('{"f":"1970-01-01"}');
    expect(fn('JSON_STRING', [T.int()]).call(null)).toBeNull();
  });
  it('JSON_QUOTE / JSON_UNQUOTE', () => {
    expect(fn('JSON_QUOTE', [S]).call('a"\n')).toBe('"a\\"\\n"');
    expect(fn('JSON_UNQUOTE', [S]).call('"a\\"\\n"')).toBe('a"\n');
    expect(fn('JSON_UNQUOTE', [S]).call('[1]')).toBe('[1]');
  });
  it('JSON_STRING output always parses back to the same structure', () => {
    const w = fn('JSON_STRING', [T.array(T.map(S, T.double()))]);
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }))),
        (arr) => {
          const value = arr.map((o) => new Map(Object.entries(o)));
          const text = w.call(value) as string;
          const back = JSON.parse(text) as Record<string, number>[];
          expect(back.map((o) => new Map(Object.entries(o)))).toEqual(value);
        },
      ),
      { numRuns: 100 },
    );
  });
});
