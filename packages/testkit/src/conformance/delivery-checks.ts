import { LgxValidationError, validateAgainst, validateQueryResult, type Capability, type QueryType } from '@lgx/core';
import { capabilitiesWith, fail, notePersonalData } from './check-helpers';
import { fixturesFor, type Fixture } from './operation-under-test';
import type { ConformanceCheck, ConformanceOptions, ConformanceSession } from './conformance-types';

type QueryFn = (type: string, params: unknown, options: { signal: AbortSignal }) => Promise<unknown>;

/** Runs `call`, which must refuse its invalid input as a validation error before any request to the vendor. */
async function refusesBeforeSending(
  check: ConformanceCheck['id'],
  where: string,
  session: ConformanceSession,
  call: () => Promise<unknown>,
): Promise<void> {
  const before = session.simulator.requests.length;
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) fail(check, where, 'invalid input was accepted');
  if (!(error instanceof LgxValidationError) && (error as { code?: string })?.code !== 'LGX_ERR_VALIDATION_INVALID') {
    fail(
      check,
      where,
      `expected an LgxValidationError, got ${(error as Error)?.name ?? String(error)}: ${(error as Error)?.message ?? ''}`,
    );
  }
  const sent = session.simulator.requests.length - before;
  if (sent > 0) fail(check, where, `made ${sent} request(s) to the vendor before refusing invalid input: validate first`);
}

/** One check per valid, then per invalid fixture, of each version of each capability with `operation`. */
function perFixture(
  capabilities: readonly Capability[],
  options: ConformanceOptions,
  operation: 'submit' | 'query',
  make: (
    kind: 'valid' | 'invalid',
    fixture: Fixture,
    cap: Capability,
    version: number,
    capability: string,
  ) => Pick<ConformanceCheck, 'id' | 'title' | 'run'>,
): ConformanceCheck[] {
  const session: Pick<ConformanceSession, 'options'> = { options };
  return capabilitiesWith(capabilities, operation).flatMap((cap) =>
    cap.versions.flatMap((version) => {
      const capability = `${cap.type} v${version}`;
      return (['valid', 'invalid'] as const).flatMap((kind) =>
        fixturesFor(session, cap.type, kind, version).map((fixture) => ({
          capability,
          fixture: fixture.name,
          ...make(kind, fixture, cap, version, capability),
        })),
      );
    }),
  );
}

export function deliveryChecks(capabilities: readonly Capability[], options: ConformanceOptions): ConformanceCheck[] {
  const submits = perFixture(capabilities, options, 'submit', (kind, fixture, cap, version, capability) =>
    kind === 'valid'
      ? {
          id: 'submit',
          title: `submit ${capability}: delivers valid/${fixture.name} with a valid receipt`,
          run: async (s) => {
            notePersonalData(s, cap.type, fixture.data);
            const receipt = await s.instance.submit!(s.envelope(cap.type, structuredClone(fixture.data), { version }), {
              signal: AbortSignal.timeout(10_000),
            });
            const result = validateAgainst('https://schemas.lgx.dev/receipt/v1.json', receipt);
            if (!result.ok)
              fail(
                'submit',
                `${capability} valid/${fixture.name}`,
                `invalid receipt: ${result.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
              );
            s.receipts.set(cap.type, [...(s.receipts.get(cap.type) ?? []), receipt.externalRef]);
          },
        }
      : {
          id: 'rejects-invalid',
          title: `submit ${capability}: refuses invalid/${fixture.name} before any network call`,
          run: async (s) => {
            notePersonalData(s, cap.type, fixture.data);
            const tx = s.envelope(cap.type, structuredClone(fixture.data), { version, validate: false });
            await refusesBeforeSending('rejects-invalid', `${capability} invalid/${fixture.name}`, s, () =>
              s.instance.submit!(tx, { signal: AbortSignal.timeout(10_000) }),
            );
          },
        },
  );
  const queries = perFixture(capabilities, options, 'query', (kind, fixture, cap, version, capability) => {
    const ask = (s: ConformanceSession): Promise<unknown> =>
      (s.instance.query as QueryFn).call(s.instance, cap.type, structuredClone(fixture.data), { signal: AbortSignal.timeout(10_000) });
    return kind === 'valid'
      ? {
          id: 'query',
          title: `query ${capability}: answers valid/${fixture.name} with a valid result`,
          run: async (s) => {
            notePersonalData(s, cap.type, fixture.data);
            const checked = validateQueryResult(cap.type as QueryType, await ask(s), { version });
            if (!checked.ok)
              fail(
                'query',
                `${capability} valid/${fixture.name}`,
                `invalid result: ${checked.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
              );
          },
        }
      : {
          id: 'query-rejects-invalid',
          title: `query ${capability}: refuses invalid/${fixture.name} before any network call`,
          run: (s) => refusesBeforeSending('query-rejects-invalid', `${capability} invalid/${fixture.name}`, s, () => ask(s)),
        };
  });
  return [...submits, ...queries];
}
