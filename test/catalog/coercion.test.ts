import { describe, expect, it } from 'vitest';
import {
  areComparable,
  canCastImplicitly,
  commonTypeOrThrow,
  isOrderable,
  leastRestrictive,
} from '../../catalog/coercion.ts';
import { type LogicalType, T, typeToString } from '../../catalog/types.ts';

const show = (t: LogicalType | null) => (t ? typeToString(t) : null);

describe('implicit widening', () => {
  const order = [T.tinyint(), T.smallint(), T.int(), T.bigint(), T.decimal(10, 2), T.float(), T.double()];
  it('follows TINYINT < SMALLINT < INT < BIGINT < DECIMAL < FLOAT < DOUBLE and never narrows', () => {
    order.forEach((from, i) => {
      order.forEach((to, j) => {
        expect({ from: from.kind, to: to.kind, ok: canCastImplicitly(from, to) }).toEqual({
          from: from.kind,
          to: to.kind,
          ok: i <= j,
        });
      });
    });
  });
  it('widens strings, binaries and timestamps, but never changes family', () => {
    expect(canCastImplicitly(T.char(3), T.string())).toBe(true);
    expect(canCastImplicitly(T.string(), T.char(3))).toBe(false);
    expect(canCastImplicitly(T.binary(3), T.bytes())).toBe(true);
    expect(canCastImplicitly(T.timestamp(0), T.timestamp(3))).toBe(true);
    expect(canCastImplicitly(T.timestamp(3), T.timestampLtz(3))).toBe(true);
    expect(canCastImplicitly(T.int(), T.string())).toBe(false);
    expect(canCastImplicitly(T.string(), T.int())).toBe(false);
    expect(canCastImplicitly(T.date(), T.timestamp(3))).toBe(false);
    expect(canCastImplicitly(T.boolean(), T.int())).toBe(false);
    expect(canCastImplicitly(T.null(), T.array(T.int()))).toBe(true);
    expect(canCastImplicitly(T.array(T.int()), T.array(T.bigint()))).toBe(true);
    expect(canCastImplicitly(T.array(T.bigint()), T.array(T.int()))).toBe(false);
    expect(canCastImplicitly(T.map(T.string(), T.int()), T.map(T.string(), T.double()))).toBe(true);
  });
});

describe('least restrictive common type', () => {
  it('merges numbers as Flink does', () => {
    expect(show(leastRestrictive([T.int(), T.bigint()]))).toBe('BIGINT');
    expect(show(leastRestrictive([T.tinyint(), T.smallint()]))).toBe('SMALLINT');
    // Flink's own example: [INT, BIGINT, DECIMAL(2, 2)] -> DECIMAL(21, 2)
    expect(show(leastRestrictive([T.int(), T.bigint(), T.decimal(2, 2)]))).toBe('DECIMAL(21, 2)');
    expect(show(leastRestrictive([T.int(), T.decimal(5, 2)]))).toBe('DECIMAL(12, 2)');
    expect(show(leastRestrictive([T.decimal(38, 0), T.decimal(10, 5)]))).toBe('DECIMAL(38, 0)');
    expect(show(leastRestrictive([T.int(), T.float()]))).toBe('FLOAT');
    expect(show(leastRestrictive([T.decimal(5, 2), T.float()]))).toBe('DOUBLE');
    expect(show(leastRestrictive([T.float(), T.double()]))).toBe('DOUBLE');
  });
  it('merges strings: same CHAR length stays CHAR, otherwise VARCHAR of the longest', () => {
    expect(show(leastRestrictive([T.char(3), T.char(3)]))).toBe('CHAR(3)');
    expect(show(leastRestrictive([T.char(3), T.char(5)]))).toBe('VARCHAR(5)');
    expect(show(leastRestrictive([T.char(3), T.varchar(2)]))).toBe('VARCHAR(3)');
    expect(show(leastRestrictive([T.varchar(3), T.string()]))).toBe('STRING');
    expect(show(leastRestrictive([T.binary(2), T.bytes()]))).toBe('BYTES');
  });
  it('merges temporal types keeping the larger precision; TIMESTAMP with LTZ is LTZ', () => {
    expect(show(leastRestrictive([T.timestamp(0), T.timestamp(3)]))).toBe('TIMESTAMP(3)');
    expect(show(leastRestrictive([T.timestamp(3), T.timestampLtz(3)]))).toBe('TIMESTAMP_LTZ(3)');
    expect(show(leastRestrictive([T.time(0), T.time(3)]))).toBe('TIME(3)');
    expect(show(leastRestrictive([T.date(), T.date()]))).toBe('DATE');
  });
  it('ignores NULL-typed inputs but keeps their nullability', () => {
    expect(show(leastRestrictive([T.int(false), T.null()]))).toBe('INT');
    expect(show(leastRestrictive([T.int(false), T.bigint(false)]))).toBe('BIGINT NOT NULL');
    expect(show(leastRestrictive([T.int(false), T.bigint(true)]))).toBe('BIGINT');
    expect(show(leastRestrictive([T.null(), T.null()]))).toBe('NULL');
  });
  it('merges constructed types element-wise', () => {
    expect(show(leastRestrictive([T.array(T.int()), T.array(T.double())]))).toBe('ARRAY<DOUBLE>');
    expect(show(leastRestrictive([T.map(T.string(), T.int()), T.map(T.string(), T.bigint())]))).toBe(
      'MAP<STRING, BIGINT>',
    );
    const r1 = T.row([{ name: 'a', type: T.int() }]);
    const r2 = T.row([{ name: 'b', type: T.bigint() }]);
    expect(show(leastRestrictive([r1, r2]))).toBe('ROW<`a` BIGINT>');
    expect(leastRestrictive([T.array(T.int()), T.array(T.string())])).toBeNull();
  });
  it('has no common type across families', () => {
    expect(leastRestrictive([T.int(), T.string()])).toBeNull();
    expect(leastRestrictive([T.date(), T.timestamp(3)])).toBeNull();
    expect(leastRestrictive([T.boolean(), T.int()])).toBeNull();
    expect(leastRestrictive([T.intervalDayTime(), T.intervalYearMonth()])).toBeNull();
    expect(leastRestrictive([])).toBeNull();
    expect(areComparable(T.int(), T.double())).toBe(true);
    expect(areComparable(T.int(), T.string())).toBe(false);
  });
  it('commonTypeOrThrow names the types in a planning error', () => {
    expect(() => commonTypeOrThrow([T.int(), T.string()], 'CASE branches')).toThrow(
      expect.objectContaining({
        code: 'TYPE_MISMATCH',
        phase: 'plan',
        message: 'CASE branches have no common type: INT, STRING',
      }),
    );
  });
  it('orderable types', () => {
    expect(isOrderable(T.int())).toBe(true);
    expect(isOrderable(T.string())).toBe(true);
    expect(isOrderable(T.timestampLtz(3))).toBe(true);
    expect(isOrderable(T.map(T.int(), T.int()))).toBe(false);
    expect(isOrderable(T.array(T.int()))).toBe(false);
  });
});
