import { tableFromIPC } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogicalType } from '../../catalog/types.ts';
import type { Row, RowKind, Value } from '../../operators/api.ts';
import type { Change } from '../../runtime/collect.ts';
import type { Column } from '../../runtime/session.ts';
import { changesToArrow, ROW_KIND_COLUMN } from '../../server/arrow.ts';

const t = (kind: LogicalType['kind'], extra: Partial<LogicalType> = {}): LogicalType =>
  ({ kind, nullable: true, ...extra }) as LogicalType;

/** Each column: its SQL type, a generator of runtime values, and what Arrow should give back. */
const COLUMNS: { name: string; type: LogicalType; gen: fc.Arbitrary<Value>; back: (v: Value) => unknown }[] =
  [
    { name: 'b', type: t('BOOLEAN'), gen: fc.boolean(), back: (v) => v },
    { name: 'ti', type: t('TINYINT'), gen: fc.integer({ min: -128, max: 127 }), back: (v) => v },
    { name: 'si', type: t('SMALLINT'), gen: fc.integer({ min: -32768, max: 32767 }), back: (v) => v },
    { name: 'i', type: t('INT'), gen: fc.integer(), back: (v) => v },
    {
      name: 'bi',
      type: t('BIGINT'),
      gen: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      back: (v) => v,
    },
    { name: 'd', type: t('DOUBLE'), gen: fc.double({ noNaN: true }), back: (v) => v },
    {
      name: 's',
      type: t('VARCHAR', { precision: 100 }),
      gen: fc.string({ unit: 'binary', maxLength: 20 }),
      back: (v) => v,
    },
    {
      name: 'dt',
      type: t('DATE'),
      gen: fc.integer({ min: -100_000, max: 100_000 }),
      back: (v) => (v as number) * 86_400_000,
    },
    {
      name: 'tm',
      type: t('TIME', { precision: 3 }),
      gen: fc.integer({ min: 0, max: 86_399_999 }),
      back: (v) => v,
    },
    {
      name: 'ts',
      type: t('TIMESTAMP_LTZ', { precision: 3 }),
      gen: fc.integer({ min: -1e12, max: 1e13 }),
      back: (v) => v,
    },
    {
      name: 'bin',
      type: t('VARBINARY', { precision: 100 }),
      gen: fc.uint8Array({ maxLength: 10 }),
      back: (v) => [...(v as Uint8Array)],
    },
  ];

describe('server/arrow: changes as Arrow IPC', () => {
  it('round-trips every supported column type, with nulls and change kinds', () => {
    const row = fc.tuple(...COLUMNS.map((c) => fc.option(c.gen, { nil: null, freq: 4 })));
    const change = fc.record({ kind: fc.integer({ min: 0, max: 3 }), row });
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 40 }), (raw) => {
        const changes: Change[] = raw.map((c) => ({ kind: c.kind as RowKind, row: c.row as Row }));
        const columns: Column[] = COLUMNS.map((c) => ({ name: c.name, type: c.type }));
        const table = tableFromIPC(changesToArrow(columns, changes, 'UTC'));
        expect(table.numRows).toBe(changes.length);
        COLUMNS.forEach((c, ci) => {
          const vec = table.getChild(c.name);
          changes.forEach((ch, r) => {
            const v = ch.row[ci] ?? null;
            const got = vec?.get(r);
            const norm = got instanceof Uint8Array ? [...got] : got;
            expect(norm, `${c.name}[${r}]`).toEqual(v === null ? null : c.back(v));
          });
        });
        expect(Array.from(table.getChild(ROW_KIND_COLUMN)?.toArray() as Int8Array)).toEqual(
          changes.map((c) => c.kind),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('sends an empty page as a schema without rows', () => {
    const table = tableFromIPC(changesToArrow([{ name: 'x', type: t('INT') }], [], 'UTC'));
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['x', 'Int32'],
      [ROW_KIND_COLUMN, 'Int8'],
    ]);
  });
});
