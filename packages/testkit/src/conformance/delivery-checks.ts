import { LgxValidationError, validateAgainst, validateQueryResult, type Capability, type QueryType } from '@lgx/core';
import { capabilitiesWith, fail, notePersonalData } from './check-helpers';
import { fixturesFor } from './operation-under-test';
import type { ConformanceCheck, ConformanceOptions, ConformanceSession } from './conformance-types';

type QueryFn = (type: string, params: unknown, options: { signal: AbortSignal }) => Promise<unknown>;

function refusedBeforeSending(check: ConformanceCheck['id'], where: string, session: ConformanceSession, before: number, error: unknown): void {
  if (error === undefined) fail(check, where, 'invalid input was accepted');
  if (!(error instanceof LgxValidationError) && (error as { code?: string })?.code !== 'LGX_ERR_VALIDATION_INVALID') {
    fail(check, where, `expected an LgxValidationError, got ${(error as Error)?.name ?? String(error)}: ${(error as Error)?.message ?? ''}`);
  }
  const sent = session.simulator.requests.length - before;
  if (sent > 0) fail(check, where, `made ${sent} request(s) to the vendor before refusing invalid input: validate first`);
}

export function deliveryChecks(capabilities: readonly Capability[], options: ConformanceOptions): ConformanceCheck[] {
  const checks: ConformanceCheck[] = [];
  const session: Pick<ConformanceSession, 'options'> = { options };
  for (const cap of capabilitiesWith(capabilities, 'submit')) {
    for (const version of cap.versions) {
      const capability = `${cap.type} v${version}`;
      for (const fixture of fixturesFor(session, cap.type, 'valid', version)) {
        checks.push({
          id: 'submit',
          capability,
          fixture: fixture.name,
          title: `submit ${capability}: delivers valid/${fixture.name} with a valid receipt`,
          run: async (s) => {
            notePersonalData(s, cap.type, fixture.data);
            const receipt = await s.instance.submit!(s.envelope(cap.type, structuredClone(fixture.data), { version }), { signal: AbortSignal.timeout(10_000) });
            const result = validateAgainst('https://schemas.lgx.dev/receipt/v1.json', receipt);
            if (!result.ok) fail('submit', `${capability} valid/${fixture.name}`, `invalid receipt: ${result.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
            s.receipts.set(cap.type, [...(s.receipts.get(cap.type) ?? []), receipt.externalRef]);
          },
        });
      }
      for (const fixture of fixturesFor(session, cap.type, 'invalid', version)) {
        checks.push({
          id: 'rejects-invalid',
          capability,
          fixture: fixture.name,
          title: `submit ${capability}: refuses invalid/${fixture.name} before any network call`,
          run: async (s) => {
            notePersonalData(s, cap.type, fixture.data);
            const before = s.simulator.requests.length;
            const tx = s.envelope(cap.type, structuredClone(fixture.data), { version, validate: false });
            const error = await s.instance.submit!(tx, { signal: AbortSignal.timeout(10_000) }).then(
              () => undefined,
              (e: unknown) => e,
            );
            refusedBeforeSending('rejects-invalid', `${capability} invalid/${fixture.name}`, s, before, error);
          },
        });
      }
    }
  }
  for (const cap of capabilitiesWith(capabilities, 'query')) {
    for (const version of cap.versions) {
      const capability = `${cap.type} v${version}`;
      for (const fixture of fixturesFor(session, cap.type, 'valid', version)) {
        checks.push({
          id: 'query',
          capability,
          fixture: fixture.name,
          title: `query ${capability}: answers valid/${fixture.name} with a valid result`,
          run: async (s) => {
            notePersonalData(s, cap.type, fixture.data);
            const result = await (s.instance.query as QueryFn).call(s.instance, cap.type, structuredClone(fixture.data), { signal: AbortSignal.timeout(10_000) });
            const checked = validateQueryResult(cap.type as QueryType, result, { version });
            if (!checked.ok) fail('query', `${capability} valid/${fixture.name}`, `invalid result: ${checked.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
          },
        });
      }
      for (const fixture of fixturesFor(session, cap.type, 'invalid', version)) {
        checks.push({
          id: 'query-rejects-invalid',
          capability,
          fixture: fixture.name,
          title: `query ${capability}: refuses invalid/${fixture.name} before any network call`,
          run: async (s) => {
            const before = s.simulator.requests.length;
            const error = await (s.instance.query as QueryFn).call(s.instance, cap.type, structuredClone(fixture.data), { signal: AbortSignal.timeout(10_000) }).then(
              () => undefined,
              (e: unknown) => e,
            );
            refusedBeforeSending('query-rejects-invalid', `${capability} invalid/${fixture.name}`, s, before, error);
          },
        });
      }
    }
  }
  return checks;
}
