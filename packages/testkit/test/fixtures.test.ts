import { schemaRegistry, validateData, validateQueryResult } from '@lgx/core';
import { listFixtureTypes, loadFixtures } from '../src/fixtures';

describe('loadFixtures', () => {
  it('lists exactly the canonical transaction and query types', () => {
    expect(listFixtureTypes()).toEqual(schemaRegistry().types());
  });

  it('loads the latest version by default, and every valid fixture validates against it', () => {
    expect(schemaRegistry().get('payment').major).toBe(2);
    const latest = loadFixtures('payment', { kind: 'valid' });
    expect(latest).toEqual(loadFixtures('payment', { kind: 'valid', version: 2 }));
    expect(latest.length).toBeGreaterThanOrEqual(3);
    for (const f of latest) expect([f.name, validateData('payment', f.data).ok]).toEqual([f.name, true]);
    // v1 fixtures are v1 data: they validate against v1 and not all of them against v2.
    const v1 = loadFixtures('payment', { kind: 'valid', version: 1 });
    for (const f of v1) expect([f.name, validateData('payment', f.data, { version: 1 }).ok]).toEqual([f.name, true]);
    expect(v1.some((f) => !validateData('payment', f.data).ok)).toBe(true);
  });

  it('gives names, descriptions and sorted order', () => {
    const fixtures = loadFixtures('waste.missedCollection', { kind: 'valid' });
    expect(fixtures.map((f) => f.name)).toEqual([...fixtures.map((f) => f.name)].sort());
    for (const f of fixtures) {
      expect(f.name).toMatch(/^[a-z0-9-]+$/);
      expect(f.description.length).toBeGreaterThan(10);
      expect(f).not.toHaveProperty('expect');
    }
  });

  it('loads invalid fixtures with the pointer and rule validation reports for each', () => {
    for (const type of ['street.report', 'payment', 'revenues.accountEnquiry']) {
      const invalid = loadFixtures(type, { kind: 'invalid' });
      expect(invalid.length).toBeGreaterThanOrEqual(5);
      for (const f of invalid) {
        const result = validateData(type, f.data);
        expect([type, f.name, result.ok]).toEqual([type, f.name, false]);
        if (!result.ok) expect(result.issues).toContainEqual(expect.objectContaining({ path: f.expect!.path, rule: f.expect!.rule }));
      }
    }
  });

  it('loads a query type’s valid results, which validate against its result schema', () => {
    const query = schemaRegistry().types('query')[0]!;
    const results = loadFixtures(query, { kind: 'result' });
    expect(results.length).toBeGreaterThanOrEqual(1);
    for (const f of results) expect([f.name, validateQueryResult(query as never, f.data).ok]).toEqual([f.name, true]);
  });

  it('returns fresh copies, so a test that changes one cannot break the next', () => {
    const first = loadFixtures('payment', { kind: 'valid' })[0]!;
    (first.data as Record<string, unknown>).amountPence = -1;
    expect((loadFixtures('payment', { kind: 'valid' })[0]!.data as Record<string, unknown>).amountPence).not.toBe(-1);
  });

  it('throws rather than returning nothing for a wrong type, version or kind', () => {
    expect(() => loadFixtures('waste.unknown', { kind: 'valid' })).toThrow(
      expect.objectContaining({ code: 'LGX_ERR_SCHEMA_UNKNOWN_TYPE' }),
    );
    expect(() => loadFixtures('payment', { kind: 'valid', version: 9 })).toThrow(/no fixtures for payment v9; it has v1/);
    expect(() => loadFixtures('waste.missedCollection', { kind: 'result' })).toThrow(/no result fixtures .*only query types/);
    expect(() => loadFixtures('../../package', { kind: 'valid', version: 1 })).toThrow(/not a transaction or query type/);
  });
});
