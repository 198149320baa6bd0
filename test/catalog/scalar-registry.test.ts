import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FunctionRegistry } from '../../catalog/functions/registry.ts';
import {
  registerScalarBuiltins,
  resolveScalarCall,
  scalarBuiltins,
} from '../../catalog/functions/scalar/index.ts';
import { type LogicalType, T } from '../../catalog/types.ts';
import { RivuletError } from '../../common/errors.ts';
import type { Value } from '../../operators/api.ts';

const registry = new FunctionRegistry();
registerScalarBuiltins(registry);
const ctx = { timeZone: 'Europe/Berlin', now: () => 1_700_000_000_000 };

const EXPECTED =
  `ABS MOD ROUND TRUNCATE FLOOR CEIL CEILING POWER SQRT EXP LN LOG LOG10 LOG2 SIGN RAND RAND_INTEGER PI E
SIN COS TAN COT ASIN ACOS ATAN ATAN2 SINH COSH TANH DEGREES RADIANS BIN HEX
CHAR_LENGTH CHARACTER_LENGTH UPPER LOWER TRIM LTRIM RTRIM BTRIM LPAD RPAD SUBSTRING SUBSTR REPLACE OVERLAY POSITION
LOCATE INITCAP REVERSE REPEAT CONCAT CONCAT_WS SPLIT_INDEX REGEXP REGEXP_EXTRACT REGEXP_REPLACE LIKE SIMILAR_TO ASCII
CHR MD5 SHA1 SHA256 SHA2 TO_BASE64 FROM_BASE64 UUID STR_TO_MAP LEFT RIGHT INSTR
CURRENT_TIMESTAMP LOCALTIMESTAMP CURRENT_DATE CURRENT_TIME NOW PROCTIME EXTRACT YEAR QUARTER MONTH WEEK DAYOFYEAR
DAYOFMONTH DAYOFWEEK HOUR MINUTE SECOND DATE_FORMAT TO_DATE TO_TIMESTAMP TO_TIMESTAMP_LTZ UNIX_TIMESTAMP FROM_UNIXTIME
TIMESTAMPADD TIMESTAMPDIFF FLOOR_TIME CEIL_TIME CONVERT_TZ
COALESCE NULLIF IF IFNULL GREATEST LEAST IS_ALPHA IS_DECIMAL IS_DIGIT
JSON_VALUE JSON_QUERY JSON_EXISTS JSON_OBJECT JSON_ARRAY JSON_STRING IS_JSON
CARDINALITY ELEMENT ARRAY_CONTAINS ARRAY_DISTINCT ARRAY_POSITION ARRAY_REMOVE ARRAY_REVERSE ARRAY_CONCAT ARRAY_JOIN
MAP_KEYS MAP_VALUES MAP_ENTRIES MAP_FROM_ARRAYS ITEM TYPEOF`.split(/\s+/);

const scalarTypes: LogicalType[] = [
  T.null(),
  T.boolean(),
  T.tinyint(),
  T.int(false),
  T.bigint(),
  T.decimal(10, 2),
  T.double(false),
  T.float(),
  T.string(),
  T.char(3, false),
  T.bytes(),
  T.date(),
  T.time(0),
  T.timestamp(3),
  T.timestampLtz(3),
  T.intervalDayTime(),
  T.intervalYearMonth(),
];
const anyType: fc.Arbitrary<LogicalType> = fc.oneof(
  fc.constantFrom(...scalarTypes),
  fc.constantFrom(...scalarTypes).map((t) => T.array(t)),
  fc.constantFrom(...scalarTypes).map((t) => T.map(T.string(), t)),
  fc.constant(T.row([{ name: 'a', type: T.int() }])),
);

/** A plausible runtime value of a type (used to call resolved functions). */
function sample(t: LogicalType): Value {
  switch (t.kind) {
    case 'NULL':
      return null;
    case 'BOOLEAN':
      return true;
    case 'BIGINT':
    case 'DECIMAL':
      return 12n;
    case 'CHAR':
    case 'VARCHAR':
      return 'YEAR';
    case 'VARBINARY':
    case 'BINARY':
      return new Uint8Array([1, 2]);
    case 'ARRAY':
      return [sample(t.element as LogicalType)];
    case 'MAP':
      return new Map([['k', sample(t.element as LogicalType)]]);
    case 'ROW':
      return [1];
    default:
      return 3;
  }
}

describe('the scalar built-in registry', () => {
  it('registers every function the dialect promises', () => {
    const missing = EXPECTED.filter((n) => registry.lookupScalar(n) === undefined);
    expect(missing).toEqual([]);
  });
  it('has unique names and a description for each', () => {
    const names = scalarBuiltins.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const d of scalarBuiltins) {
      expect(d.name).toBe(d.name.toUpperCase());
      expect(d.description.length).toBeGreaterThan(5);
    }
  });
  it('resolve either succeeds or raises a planning error, never crashes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...scalarBuiltins), fc.array(anyType, { maxLength: 4 }), (def, types) => {
        try {
          const r = resolveScalarCall(def, types, ctx);
          expect(typeof r.impl).toBe('function');
          expect(r.resultType.kind).toBeTypeOf('string');
        } catch (e) {
          if (!(e instanceof RivuletError) || e.phase !== 'plan') throw e;
          expect(e.code).toBe('FUNCTION_SIGNATURE');
          expect(e.message).toContain(`'${def.name}'`);
          expect(e.message).toContain('Supported signatures');
        }
      }),
      { numRuns: 3000 },
    );
  });
  it('resolved functions run on plausible values without crashing, and honour NULL handling', () => {
    fc.assert(
      fc.property(fc.constantFrom(...scalarBuiltins), fc.array(anyType, { maxLength: 3 }), (def, types) => {
        let r: ReturnType<typeof resolveScalarCall>;
        try {
          r = resolveScalarCall(def, types, ctx);
        } catch {
          return;
        }
        const args = types.map(sample);
        for (const call of [args, types.map(() => null)]) {
          if (r.nullOnNullInput && call.some((a) => a === null)) continue;
          try {
            const out = r.impl(...call);
            expect(out).not.toBeUndefined();
            if (out === null) continue;
          } catch (e) {
            // A bad value may be refused, but only with an error the user can act on.
            if (!(e instanceof RivuletError)) throw e;
            expect(['runtime', 'config']).toContain(e.phase);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
  it('resolved functions survive random values: results or RivuletErrors, never engine crashes', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom(
        'YEAR',
        'DAY',
        'HOUR',
        '$.a',
        'lax $[*]',
        '{"a":[1,2]}',
        '%',
        '(',
        '\\',
        'a,b',
        'BOTH',
        'NULL',
        'UTC',
        '%d %s',
      ),
    );
    const arbitraryOf = (t: LogicalType): fc.Arbitrary<Value> => {
      switch (t.kind) {
        case 'NULL':
          return fc.constant(null);
        case 'BOOLEAN':
          return fc.boolean();
        case 'TINYINT':
          return fc.integer({ min: -128, max: 127 });
        case 'INT':
        case 'DATE':
          return fc.oneof(
            fc.integer({ min: -40, max: 40 }),
            fc.integer({ min: -2147483648, max: 2147483647 }),
          );
        case 'BIGINT':
        case 'DECIMAL':
          return fc.oneof(
            fc.bigInt({ min: -50n, max: 50n }),
            fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
          );
        case 'DOUBLE':
        case 'FLOAT':
          return fc.double();
        case 'CHAR':
        case 'VARCHAR':
          return text;
        case 'VARBINARY':
          return fc.uint8Array({ maxLength: 6 });
        case 'TIME':
          return fc.integer({ min: 0, max: 86_399_999 });
        case 'TIMESTAMP':
        case 'TIMESTAMP_LTZ':
          return fc.integer({ min: -5e12, max: 5e12 });
        case 'INTERVAL_DAY_TIME':
        case 'INTERVAL_YEAR_MONTH':
          return fc.integer({ min: -1e9, max: 1e9 });
        case 'ARRAY':
          return fc.array(fc.option(arbitraryOf(t.element as LogicalType), { nil: null }), { maxLength: 4 });
        case 'MAP':
          return fc
            .array(fc.tuple(text, fc.option(arbitraryOf(t.element as LogicalType), { nil: null })), {
              maxLength: 3,
            })
            .map((es) => new Map(es));
        default:
          return fc.constant([1]);
      }
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...scalarBuiltins),
        fc
          .array(anyType, { maxLength: 3 })
          .chain((types) =>
            fc.tuple(
              fc.constant(types),
              fc.tuple(...types.map((t) => fc.option(arbitraryOf(t), { nil: null, freq: 6 }))),
            ),
          ),
        fc.boolean(),
        (def, [types, args], asLiterals) => {
          let r: ReturnType<typeof resolveScalarCall>;
          try {
            // Half the time the values are also planning-time literals (literal-aware resolution).
            r = resolveScalarCall(def, types, ctx, asLiterals ? args : undefined);
          } catch (e) {
            if (!(e instanceof RivuletError)) throw e;
            return;
          }
          if (r.nullOnNullInput && args.some((a) => a === null)) return;
          try {
            expect(r.impl(...args)).not.toBeUndefined();
          } catch (e) {
            if (!(e instanceof RivuletError)) {
              throw new Error(
                `${def.name}(${JSON.stringify(args, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}) crashed: ${e}`,
              );
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
  it('a NOT NULL result type is never NULL for non-NULL arguments', () => {
    for (const def of scalarBuiltins) {
      for (const types of [
        [],
        [T.int(false)],
        [T.string(false)],
        [T.string(false), T.string(false)],
        [T.double(false)],
      ]) {
        let r: ReturnType<typeof resolveScalarCall>;
        try {
          r = resolveScalarCall(def, types, ctx);
        } catch {
          continue;
        }
        if (r.resultType.nullable) continue;
        try {
          expect([def.name, r.impl(...types.map(sample))]).not.toEqual([def.name, null]);
        } catch (e) {
          if (!(e instanceof RivuletError)) throw e;
        }
      }
    }
  });
});
