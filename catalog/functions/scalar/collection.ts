/**
 * Collection built-ins: CARDINALITY, ELEMENT, ITEM (element access `a[i]` / `m[k]`), ARRAY_CONTAINS,
 * ARRAY_DISTINCT, ARRAY_POSITION, ARRAY_REMOVE, ARRAY_REVERSE, ARRAY_CONCAT, ARRAY_JOIN, MAP_KEYS,
 * MAP_VALUES, MAP_ENTRIES, MAP_FROM_ARRAYS, and the value constructors ARRAY, MAP and ROW.
 *
 * Call shapes: `a[i]` and `m[k]` -> `ITEM(a, i)` / `ITEM(m, k)` (arrays are 1-based; an index out of
 * range gives NULL); `ARRAY[a, b]` -> `ARRAY(a, b)`; `MAP[k1, v1, k2, v2]` -> `MAP(k1, v1, k2, v2)`;
 * `ROW(a, b)` -> `ROW(a, b)` (fields named EXPR$0, EXPR$1, as Flink names them).
 * Elements are compared by SQL value (deep for nested arrays/maps/BYTES), NULL matching NULL where a
 * function looks for an element.
 */
import type { Value } from '../../../operators/api.ts';
import { castFunction } from '../../cast.ts';
import { leastRestrictive } from '../../coercion.ts';
import { type LogicalType, T, typeEquals, typeToString, withNullable } from '../../types.ts';
import { comparatorFor, equalityFor } from '../operators.ts';
import type { ScalarFunctionDef } from '../registry.ts';
import {
  anyNullable,
  badCall,
  defineScalar,
  isArr,
  isBool,
  isIntegralT,
  isMapT,
  isStr,
  matches,
  nullAware,
  nullableFrom,
  pure,
  runtimeError,
} from './util.ts';

const elementOf = (t: LogicalType): LogicalType =>
  t.kind === 'NULL' ? T.null() : (t.element as LogicalType);

type Eq = (a: Value, b: Value) => boolean;

/** SQL equality of values of `t` (as the `=` operator), with NULL matching NULL. */
function nullSafeEq(t: LogicalType): Eq {
  const eq: Eq = t.kind === 'NULL' ? (x, y) => x === y : equalityFor(t);
  return (a, b) => (a === null || b === null ? a === b : eq(a, b));
}

/** Index of the first element equal to `v`, or -1. */
function indexOfValue(arr: readonly Value[], v: Value, eq: Eq): number {
  for (let i = 0; i < arr.length; i++) if (eq(arr[i], v)) return i;
  return -1;
}

/** Kinds whose values are equal exactly when they are `===` (so a Set can deduplicate them). */
const IDENTITY_EQ = new Set([
  'BOOLEAN',
  'TINYINT',
  'SMALLINT',
  'INT',
  'BIGINT',
  'DECIMAL',
  'CHAR',
  'VARCHAR',
  'DATE',
  'TIME',
  'TIMESTAMP',
  'TIMESTAMP_LTZ',
  'INTERVAL_YEAR_MONTH',
  'INTERVAL_DAY_TIME',
  'NULL',
]);

/** The value stored under `key` (keys compared with `eq` when they are not primitives), or null. */
export function mapGet(m: Map<Value, Value>, key: Value, eq: Eq): Value {
  const direct = m.get(key);
  if (direct !== undefined) return direct;
  if (key !== null && typeof key === 'object') {
    for (const [k, v] of m) if (eq(k, key)) return v;
  }
  return null;
}

/** Converts a value to the common type of a collection (identity when the types agree). */
function toType(from: LogicalType, to: LogicalType): (v: Value) => Value {
  if (from.kind === 'NULL' || typeEquals(from, to, true)) return (v) => v;
  return castFunction(from, to);
}

function commonOrFail(
  name: string,
  types: readonly LogicalType[],
  all: readonly LogicalType[],
  sig: readonly string[],
): LogicalType {
  const t = leastRestrictive(types);
  if (t === null)
    throw badCall(
      name,
      all,
      sig,
      `The element types ${types.map(typeToString).join(', ')} have no common type`,
    );
  return t;
}

const cardinality = defineScalar(
  'CARDINALITY',
  'Number of elements of an array, or of entries of a map or multiset.',
  (args) => {
    const t = args[0];
    if (args.length !== 1 || !t || !(isArr(t) || isMapT(t) || t.kind === 'MULTISET')) {
      throw badCall('CARDINALITY', args, ['CARDINALITY(ARRAY)', 'CARDINALITY(MAP)', 'CARDINALITY(MULTISET)']);
    }
    const rt = nullableFrom(T.int(false), args);
    if (t.kind === 'MULTISET') {
      return pure(rt, (m: Map<Value, number>) => {
        let n = 0;
        for (const c of m.values()) n += c;
        return n;
      });
    }
    return pure(rt, (v: Value) => (Array.isArray(v) ? v.length : (v as Map<Value, Value>).size));
  },
);

const element = defineScalar(
  'ELEMENT',
  'The only element of an array; NULL if empty; an error if it has more than one.',
  (args) => {
    if (!matches(args, [isArr])) throw badCall('ELEMENT', args, ['ELEMENT(ARRAY)']);
    return pure(withNullable(elementOf(args[0] as LogicalType), true), (a: Value[]) => {
      if (a.length > 1)
        throw runtimeError(
          'INVALID_ARGUMENT',
          `ELEMENT: the array has ${a.length} elements, expected at most one`,
        );
      return a.length === 0 ? null : a[0];
    });
  },
);

const item = defineScalar(
  'ITEM',
  'Element access: ITEM(array, 1-based index) or ITEM(map, key); NULL when absent.',
  (args) => {
    const sigs = ['ITEM(ARRAY, INT index)', 'ITEM(MAP, <KEY TYPE> key)'];
    const [c, k] = args as [LogicalType | undefined, LogicalType | undefined];
    if (args.length !== 2 || !c || !k) throw badCall('ITEM', args, sigs);
    if (c.kind === 'ARRAY' && isIntegralT(k)) {
      return pure(withNullable(elementOf(c), true), (a: Value[], i: Value) => {
        const n = Number(i);
        return n >= 1 && n <= a.length ? a[n - 1] : null;
      });
    }
    if (c.kind === 'MAP') {
      const keyType = c.key as LogicalType;
      if (k.kind !== 'NULL' && leastRestrictive([keyType, k]) === null)
        throw badCall(
          'ITEM',
          args,
          sigs,
          `The key type ${typeToString(k)} does not match the map's ${typeToString(keyType)}`,
        );
      const conv = toType(k, keyType);
      const eq = nullSafeEq(keyType);
      return pure(withNullable(c.element as LogicalType, true), (m: Map<Value, Value>, key: Value) =>
        mapGet(m, conv(key), eq),
      );
    }
    throw badCall('ITEM', args, sigs);
  },
);

/** Checks `needle` against the array's element type and returns a converter for it. */
function needleConv(name: string, args: readonly LogicalType[], sig: readonly string[]): (v: Value) => Value {
  const e = elementOf(args[0] as LogicalType);
  const n = args[1] as LogicalType;
  if (e.kind === 'NULL' || n.kind === 'NULL') return (v) => v;
  const common = leastRestrictive([e, n]);
  if (common === null)
    throw badCall(
      name,
      args,
      sig,
      `The element type ${typeToString(e)} and ${typeToString(n)} are not comparable`,
    );
  return toType(n, e);
}

const arrayContains = defineScalar(
  'ARRAY_CONTAINS',
  'TRUE when the array contains the element (NULL finds a NULL element).',
  (args) => {
    const sig = ['ARRAY_CONTAINS(ARRAY<T>, T)'];
    if (args.length !== 2 || !isArr(args[0]!)) throw badCall('ARRAY_CONTAINS', args, sig);
    const conv = needleConv('ARRAY_CONTAINS', args, sig);
    const eq = nullSafeEq(elementOf(args[0] as LogicalType));
    return nullAware(T.boolean((args[0] as LogicalType).nullable), (a: Value[] | null, v: Value) =>
      a === null ? null : indexOfValue(a, v === null ? null : conv(v), eq) >= 0,
    );
  },
);

const arrayPosition = defineScalar(
  'ARRAY_POSITION',
  '1-based position of the first occurrence of the element, 0 if absent.',
  (args) => {
    const sig = ['ARRAY_POSITION(ARRAY<T>, T)'];
    if (args.length !== 2 || !isArr(args[0]!)) throw badCall('ARRAY_POSITION', args, sig);
    const conv = needleConv('ARRAY_POSITION', args, sig);
    const eq = nullSafeEq(elementOf(args[0] as LogicalType));
    return pure(nullableFrom(T.int(false), args), (a: Value[], v: Value) => indexOfValue(a, conv(v), eq) + 1);
  },
);

const arrayRemove = defineScalar(
  'ARRAY_REMOVE',
  'The array without any element equal to the given one (NULL removes NULLs).',
  (args) => {
    const sig = ['ARRAY_REMOVE(ARRAY<T>, T)'];
    if (args.length !== 2 || !isArr(args[0]!)) throw badCall('ARRAY_REMOVE', args, sig);
    const conv = needleConv('ARRAY_REMOVE', args, sig);
    const eq = nullSafeEq(elementOf(args[0] as LogicalType));
    return nullAware(args[0] as LogicalType, (a: Value[] | null, v: Value) => {
      if (a === null) return null;
      const needle = v === null ? null : conv(v);
      return a.filter((x) => !eq(x, needle));
    });
  },
);

const arrayDistinct = defineScalar(
  'ARRAY_DISTINCT',
  'The array without repeated elements, first occurrences in order.',
  (args) => {
    if (!matches(args, [isArr])) throw badCall('ARRAY_DISTINCT', args, ['ARRAY_DISTINCT(ARRAY)']);
    const e = elementOf(args[0] as LogicalType);
    if (IDENTITY_EQ.has(e.kind)) return pure(args[0] as LogicalType, (a: Value[]) => [...new Set(a)]);
    const eq = nullSafeEq(e);
    return pure(args[0] as LogicalType, (a: Value[]) => {
      const out: Value[] = [];
      for (const x of a) if (indexOfValue(out, x, eq) < 0) out.push(x);
      return out;
    });
  },
);

const arrayReverse = defineScalar('ARRAY_REVERSE', 'The array in reverse order.', (args) => {
  if (!matches(args, [isArr])) throw badCall('ARRAY_REVERSE', args, ['ARRAY_REVERSE(ARRAY)']);
  return pure(args[0] as LogicalType, (a: Value[]) => [...a].reverse());
});

const arrayConcat = defineScalar(
  'ARRAY_CONCAT',
  'The arrays one after another; NULL if any is NULL.',
  (args) => {
    const sig = ['ARRAY_CONCAT(ARRAY<T>, ARRAY<T>...)'];
    if (args.length === 0 || !args.every(isArr)) throw badCall('ARRAY_CONCAT', args, sig);
    const typed = args.filter((a) => a.kind === 'ARRAY');
    const e = typed.length === 0 ? T.null() : commonOrFail('ARRAY_CONCAT', typed.map(elementOf), args, sig);
    const convs = args.map((a) => {
      const c = toType(elementOf(a), e);
      return (arr: Value[]) => arr.map((x) => (x === null ? null : c(x)));
    });
    return pure(T.array(e, anyNullable(args)), (...arrays: Value[][]) =>
      arrays.flatMap((a, i) => (convs[i] as (x: Value[]) => Value[])(a)),
    );
  },
);

const arrayJoin = defineScalar(
  'ARRAY_JOIN',
  'The string elements joined with a delimiter; NULL elements are skipped, or replaced by the third argument.',
  (args) => {
    const sig = [
      'ARRAY_JOIN(ARRAY<STRING>, STRING delimiter)',
      'ARRAY_JOIN(ARRAY<STRING>, STRING delimiter, STRING nullReplacement)',
    ];
    const strArray = (t: LogicalType) =>
      t.kind === 'NULL' || (t.kind === 'ARRAY' && isStr(t.element as LogicalType));
    if (!matches(args, [strArray, isStr]) && !matches(args, [strArray, isStr, isStr]))
      throw badCall('ARRAY_JOIN', args, sig);
    return nullAware(
      T.string(anyNullable(args.slice(0, 2))),
      (a: Value[] | null, d: string | null, rep?: string | null) => {
        if (a === null || d === null) return null;
        const parts: string[] = [];
        for (const x of a) {
          if (x !== null) parts.push(x as string);
          else if (rep !== undefined && rep !== null) parts.push(rep);
        }
        return parts.join(d);
      },
    );
  },
);

const mapPart = (name: 'MAP_KEYS' | 'MAP_VALUES' | 'MAP_ENTRIES'): ScalarFunctionDef =>
  defineScalar(
    name,
    `The ${name === 'MAP_KEYS' ? 'keys' : name === 'MAP_VALUES' ? 'values' : 'entries (rows of key and value)'} of a map, as an array.`,
    (args) => {
      if (!matches(args, [isMapT])) throw badCall(name, args, [`${name}(MAP)`]);
      const m = args[0] as LogicalType;
      const k = m.kind === 'NULL' ? T.null() : (m.key as LogicalType);
      const v = m.kind === 'NULL' ? T.null() : (m.element as LogicalType);
      const nullable = m.nullable;
      if (name === 'MAP_KEYS') return pure(T.array(k, nullable), (x: Map<Value, Value>) => [...x.keys()]);
      if (name === 'MAP_VALUES') return pure(T.array(v, nullable), (x: Map<Value, Value>) => [...x.values()]);
      const row = T.row(
        [
          { name: 'key', type: k },
          { name: 'value', type: v },
        ],
        false,
      );
      return pure(T.array(row, nullable), (x: Map<Value, Value>) => [...x].map(([a, b]) => [a, b]));
    },
  );

const mapFromArrays = defineScalar(
  'MAP_FROM_ARRAYS',
  'A map from an array of keys and an array of values of the same length.',
  (args) => {
    if (!matches(args, [isArr, isArr]))
      throw badCall('MAP_FROM_ARRAYS', args, ['MAP_FROM_ARRAYS(ARRAY<K>, ARRAY<V>)']);
    const [ka, va] = args as [LogicalType, LogicalType];
    return pure(T.map(elementOf(ka), elementOf(va), anyNullable(args)), (keys: Value[], values: Value[]) => {
      if (keys.length !== values.length) {
        throw runtimeError(
          'INVALID_ARGUMENT',
          `MAP_FROM_ARRAYS: ${keys.length} keys but ${values.length} values`,
        );
      }
      const out = new Map<Value, Value>();
      keys.forEach((k, i) => {
        out.set(k, values[i]);
      });
      return out;
    });
  },
);

// ---- constructors ----

const arrayCtor = defineScalar(
  'ARRAY',
  'ARRAY[a, b, ...]: an array of the values (widened to their common type).',
  (args) => {
    const sig = ['ARRAY(<T>, <T>...)'];
    if (args.length === 0) throw badCall('ARRAY', args, sig);
    const e = commonOrFail('ARRAY', args, args, sig);
    const convs = args.map((a) => toType(a, e));
    return nullAware(T.array(e, false), (...vs: Value[]) =>
      vs.map((v, i) => (v === null ? null : (convs[i] as (x: Value) => Value)(v))),
    );
  },
);

const mapCtor = defineScalar(
  'MAP',
  'MAP[k1, v1, k2, v2, ...]: a map of the pairs (later keys win).',
  (args) => {
    const sig = ['MAP(<K>, <V>, <K>, <V>...)'];
    if (args.length === 0 || args.length % 2 !== 0) throw badCall('MAP', args, sig);
    const keys = args.filter((_, i) => i % 2 === 0);
    const values = args.filter((_, i) => i % 2 === 1);
    const k = commonOrFail('MAP', keys, args, sig);
    const v = commonOrFail('MAP', values, args, sig);
    const convs = args.map((a, i) => toType(a, i % 2 === 0 ? k : v));
    return nullAware(T.map(k, v, false), (...vs: Value[]) => {
      const out = new Map<Value, Value>();
      for (let i = 0; i < vs.length; i += 2) {
        const key = vs[i] === null ? null : (convs[i] as (x: Value) => Value)(vs[i]);
        const val = vs[i + 1] === null ? null : (convs[i + 1] as (x: Value) => Value)(vs[i + 1]);
        out.set(key, val);
      }
      return out;
    });
  },
);

const rowCtor = defineScalar(
  'ROW',
  'ROW(a, b, ...): a row of the values, fields named EXPR$0, EXPR$1, ...',
  (args) => {
    if (args.length === 0) throw badCall('ROW', args, ['ROW(<ANY>...)']);
    return nullAware(
      T.row(
        args.map((t, i) => ({ name: `EXPR$${i}`, type: t })),
        false,
      ),
      (...vs: Value[]) => vs,
    );
  },
);

// ---- slicing, sorting, set operations (Flink 1.19+) ----

const arraySlice = defineScalar(
  'ARRAY_SLICE',
  'ARRAY_SLICE(a, start[, end]): elements start..end inclusive (1-based; 0 is the start; negative counts from the end).',
  (args) => {
    const sigs = ['ARRAY_SLICE(ARRAY, INT start)', 'ARRAY_SLICE(ARRAY, INT start, INT end)'];
    if (!matches(args, [isArr, isIntegralT]) && !matches(args, [isArr, isIntegralT, isIntegralT])) {
      throw badCall('ARRAY_SLICE', args, sigs);
    }
    return pure(
      nullableFrom(withNullable(args[0] as LogicalType, false), args),
      (a: Value[], s: Value, e?: Value) => {
        const n = a.length;
        // 1-based offsets; 0 means the first element; negative offsets count from the end.
        const index = (x: number) => (x > 0 ? x - 1 : x === 0 ? 0 : n + x);
        const from = Math.max(index(Number(s)), 0);
        const to = Math.min(e === undefined ? n - 1 : index(Number(e)), n - 1);
        return from > to ? [] : a.slice(from, to + 1);
      },
    );
  },
);

const ORDERABLE = new Set([
  'BOOLEAN',
  'TINYINT',
  'SMALLINT',
  'INT',
  'BIGINT',
  'DECIMAL',
  'FLOAT',
  'DOUBLE',
  'CHAR',
  'VARCHAR',
  'BINARY',
  'VARBINARY',
  'DATE',
  'TIME',
  'TIMESTAMP',
  'TIMESTAMP_LTZ',
  'INTERVAL_YEAR_MONTH',
  'INTERVAL_DAY_TIME',
  'ARRAY',
  'ROW',
  'NULL',
]);

const arrayOfOrderable = (t: LogicalType) =>
  t.kind === 'NULL' || (t.kind === 'ARRAY' && ORDERABLE.has(elementOf(t).kind));

const orderOf = (e: LogicalType): ((a: Value, b: Value) => number) =>
  e.kind === 'NULL' ? () => 0 : comparatorFor(e);

const arraySort = defineScalar(
  'ARRAY_SORT',
  'ARRAY_SORT(a[, ascending[, nullsFirst]]): the array sorted (default ascending; NULLs first when ascending, last when descending).',
  (args) => {
    const sigs = [
      'ARRAY_SORT(ARRAY)',
      'ARRAY_SORT(ARRAY, BOOLEAN ascending)',
      'ARRAY_SORT(ARRAY, BOOLEAN ascending, BOOLEAN nullsFirst)',
    ];
    const ok = [[arrayOfOrderable], [arrayOfOrderable, isBool], [arrayOfOrderable, isBool, isBool]].some(
      (sig) => matches(args, sig),
    );
    if (!ok) throw badCall('ARRAY_SORT', args, sigs);
    const cmp = orderOf(elementOf(args[0] as LogicalType));
    return pure(
      nullableFrom(withNullable(args[0] as LogicalType, false), args),
      (a: Value[], asc?: Value, nf?: Value) => {
        const ascending = asc === undefined ? true : asc === true;
        const nullsFirst = nf === undefined ? ascending : nf === true;
        const values = a.filter((x) => x !== null).sort(cmp);
        if (!ascending) values.reverse();
        const nulls = a.filter((x) => x === null);
        return nullsFirst ? [...nulls, ...values] : [...values, ...nulls];
      },
    );
  },
);

const arrayExtreme = (name: 'ARRAY_MAX' | 'ARRAY_MIN') =>
  defineScalar(
    name,
    `The ${name === 'ARRAY_MAX' ? 'largest' : 'smallest'} non-NULL element; NULL for an empty array.`,
    (args) => {
      if (!matches(args, [arrayOfOrderable])) throw badCall(name, args, [`${name}(ARRAY)`]);
      const e = elementOf(args[0] as LogicalType);
      const cmp = orderOf(e);
      const sign = name === 'ARRAY_MAX' ? 1 : -1;
      return pure(withNullable(e.kind === 'NULL' ? T.null() : e, true), (a: Value[]) => {
        let best: Value = null;
        for (const x of a) if (x !== null && (best === null || cmp(x, best) * sign > 0)) best = x;
        return best;
      });
    },
  );

/** ARRAY_UNION / ARRAY_INTERSECT / ARRAY_EXCEPT: results keep first occurrences, without duplicates. */
function arraySetOp(
  name: 'ARRAY_UNION' | 'ARRAY_INTERSECT' | 'ARRAY_EXCEPT',
  description: string,
): ScalarFunctionDef {
  return defineScalar(name, description, (args) => {
    const sig = [`${name}(ARRAY<T>, ARRAY<T>)`];
    if (!matches(args, [isArr, isArr])) throw badCall(name, args, sig);
    const typed = args.filter((a) => a.kind === 'ARRAY');
    const e = typed.length === 0 ? T.null() : commonOrFail(name, typed.map(elementOf), args, sig);
    const [c0, c1] = args.map((a) => {
      const c = toType(elementOf(a), e);
      return (arr: Value[]) => arr.map((x) => (x === null ? null : c(x)));
    }) as [(x: Value[]) => Value[], (x: Value[]) => Value[]];
    const eq = nullSafeEq(e);
    const has = (arr: readonly Value[], x: Value) => indexOfValue(arr, x, eq) >= 0;
    return pure(
      T.array(
        e,
        args.some((a) => a.nullable),
      ),
      (x: Value[], y: Value[]) => {
        const a = c0(x);
        const b = c1(y);
        const out: Value[] = [];
        const candidates = name === 'ARRAY_UNION' ? [...a, ...b] : a;
        for (const v of candidates) {
          if (has(out, v)) continue;
          if (name === 'ARRAY_INTERSECT' && !has(b, v)) continue;
          if (name === 'ARRAY_EXCEPT' && has(b, v)) continue;
          out.push(v);
        }
        return out;
      },
    );
  });
}

const mapUnion = defineScalar(
  'MAP_UNION',
  'The entries of all maps; a key in a later map overrides an earlier one; NULL if any map is NULL.',
  (args) => {
    const sig = ['MAP_UNION(MAP<K, V>, MAP<K, V>...)'];
    if (args.length === 0 || !args.every(isMapT)) throw badCall('MAP_UNION', args, sig);
    const typed = args.filter((a) => a.kind === 'MAP');
    const k =
      typed.length === 0
        ? T.null()
        : commonOrFail(
            'MAP_UNION',
            typed.map((m) => m.key as LogicalType),
            args,
            sig,
          );
    const v =
      typed.length === 0
        ? T.null()
        : commonOrFail(
            'MAP_UNION',
            typed.map((m) => m.element as LogicalType),
            args,
            sig,
          );
    const convs = args.map((a) => {
      if (a.kind !== 'MAP') return (m: Map<Value, Value>) => m;
      const ck = toType(a.key as LogicalType, k);
      const cv = toType(a.element as LogicalType, v);
      return (m: Map<Value, Value>) =>
        [...m].map(([x, y]) => [x === null ? null : ck(x), y === null ? null : cv(y)] as const);
    });
    const eq = nullSafeEq(k);
    return pure(
      T.map(
        k,
        v,
        args.some((a) => a.nullable),
      ),
      (...maps: Map<Value, Value>[]) => {
        const out = new Map<Value, Value>();
        maps.forEach((m, i) => {
          for (const [x, y] of (convs[i] as (m: Map<Value, Value>) => Iterable<readonly [Value, Value]>)(m)) {
            let key = x;
            if (x !== null && typeof x === 'object') for (const old of out.keys()) if (eq(old, x)) key = old;
            out.set(key, y);
          }
        });
        return out;
      },
    );
  },
);

/** Every collection built-in of this module. */
export const collectionFunctions: readonly ScalarFunctionDef[] = [
  cardinality,
  element,
  item,
  arrayContains,
  arrayPosition,
  arrayRemove,
  arrayDistinct,
  arrayReverse,
  arraySlice,
  arraySort,
  arrayExtreme('ARRAY_MAX'),
  arrayExtreme('ARRAY_MIN'),
  arraySetOp('ARRAY_UNION', 'Elements of either array, without duplicates; NULL if either is NULL.'),
  arraySetOp(
    'ARRAY_INTERSECT',
    'Elements of the first array also in the second, without duplicates; NULL if either is NULL.',
  ),
  arraySetOp(
    'ARRAY_EXCEPT',
    'Elements of the first array not in the second, without duplicates; NULL if either is NULL.',
  ),
  mapUnion,
  arrayConcat,
  arrayJoin,
  mapPart('MAP_KEYS'),
  mapPart('MAP_VALUES'),
  mapPart('MAP_ENTRIES'),
  mapFromArrays,
  arrayCtor,
  mapCtor,
  rowCtor,
];
