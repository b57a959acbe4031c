import { schemaRegistry, validateData, validateQueryResult, type QueryType } from '@lgx/core';
import { readFixtures } from './helpers';

const registry = schemaRegistry();
const entries = registry.types().flatMap((type) => registry.versions(type).map((major) => registry.get(type, major)));

describe('canonical fixtures', () => {
  it('cover all 17 transaction and query types of the design', () => {
    expect(registry.types()).toEqual(
      expect.arrayContaining([
        'street.report',
        'waste.missedCollection',
        'waste.collectionSchedule',
        'waste.bulkyBooking',
        'waste.containerRequest',
        'waste.gardenSubscription',
        'councilTax.changeOfAddress',
        'councilTax.discount',
        'revenues.directDebitMandate',
        'revenues.accountEnquiry',
        'benefits.changeOfCircumstances',
        'parking.permitApplication',
        'crm.case',
        'crm.contact',
        'payment',
        'notification',
        'statusUpdate',
      ]),
    );
  });

  describe.each(entries.map((e) => [`${e.type} v${e.major}`, e] as const))('%s', (_label, entry) => {
    const valid = readFixtures(entry.type, entry.major, 'valid');
    const invalid = readFixtures(entry.type, entry.major, 'invalid');

    it('has at least 3 valid and 5 invalid fixtures, each described', () => {
      expect(valid.length).toBeGreaterThanOrEqual(3);
      expect(invalid.length).toBeGreaterThanOrEqual(5);
      for (const f of [...valid, ...invalid]) expect(f.description).toMatch(/\w{3,}/);
      for (const f of invalid) expect(f.expect).toEqual({ path: expect.any(String), rule: expect.any(String) });
    });

    it.each(valid.map((f) => [f.file, f] as const))('accepts valid/%s', (_file, fixture) => {
      const result = validateData(entry.type, fixture.data, { version: entry.major });
      expect(result.ok ? [] : result.issues).toEqual([]);
    });

    it.each(invalid.map((f) => [f.file, f] as const))('refuses invalid/%s for the labelled rule', (_file, fixture) => {
      const result = validateData(entry.type, fixture.data, { version: entry.major });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.issues).toContainEqual(expect.objectContaining({ path: fixture.expect!.path, rule: fixture.expect!.rule }));
    });

    if (entry.kind === 'query') {
      const results = readFixtures(entry.type, entry.major, 'result');
      it('has valid result fixtures that match the result schema', () => {
        expect(results.length).toBeGreaterThanOrEqual(3);
        for (const f of results) {
          const result = validateQueryResult(entry.type as QueryType, f.data, { version: entry.major });
          expect([f.file, result.ok ? [] : result.issues]).toEqual([f.file, []]);
        }
        for (const f of readFixtures(entry.type, entry.major, 'result-invalid')) {
          const result = validateQueryResult(entry.type as QueryType, f.data, { version: entry.major });
          expect([f.file, result.ok]).toEqual([f.file, false]);
          if (!result.ok) expect(result.issues).toContainEqual(expect.objectContaining({ path: f.expect!.path, rule: f.expect!.rule }));
        }
      });
    }
  });
});
