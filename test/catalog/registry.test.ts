import { describe, expect, it } from 'vitest';
import { AGGREGATES } from '../../catalog/functions/aggregates.ts';
import { operator } from '../../catalog/functions/operators.ts';
import { FunctionRegistry, signatureError } from '../../catalog/functions/registry.ts';
import { T } from '../../catalog/types.ts';

describe('FunctionRegistry', () => {
  it('looks up scalars and aggregates case-insensitively in separate name spaces', () => {
    const r = new FunctionRegistry();
    const plus = operator('+');
    const max = AGGREGATES.find((a) => a.name === 'MAX');
    if (!max) throw new Error('MAX missing');
    r.registerScalar(plus);
    r.registerAggregate(max);
    expect(r.lookupScalar('+')).toBe(plus);
    expect(r.lookupAggregate('max')).toBe(max);
    expect(r.lookupScalar('MAX')).toBeUndefined();
    expect(r.lookupAggregate('+')).toBeUndefined();
    expect(r.names()).toEqual(['+', 'MAX']);
  });
  it('replaces a definition registered under the same name and unregisters both kinds', () => {
    const r = new FunctionRegistry();
    const a = { ...operator('-'), name: 'f' };
    const b = { ...operator('*'), name: 'F' };
    r.registerScalar(a);
    r.registerScalar(b);
    expect(r.lookupScalar('f')).toBe(b);
    expect(r.unregister('F')).toBe(true);
    expect(r.lookupScalar('f')).toBeUndefined();
    expect(r.unregister('f')).toBe(false);
  });
});

describe('signatureError', () => {
  it('names the function, the given types and the accepted signatures', () => {
    const e = signatureError(
      'UPPER',
      [T.int(false), T.decimal(5, 2)],
      ['UPPER(STRING)'],
      'Expected a string',
    );
    expect(e.code).toBe('FUNCTION_SIGNATURE');
    expect(e.phase).toBe('plan');
    expect(e.message).toBe(
      "Cannot apply 'UPPER' to arguments of type (INT NOT NULL, DECIMAL(5, 2)). Expected a string. Supported signatures: UPPER(STRING)",
    );
  });
});
