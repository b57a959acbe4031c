import { loadFixtures } from '../fixtures';
import { capabilitiesWith, notePersonalData, personalValues } from './check-helpers';
import type { ConformanceSession } from './conformance-types';

export interface Fixture {
  name: string;
  data: unknown;
}

/** Valid or invalid fixtures for a type: the options' overrides, else those shipped with @lgx/core. */
export function fixturesFor(
  session: Pick<ConformanceSession, 'options'>,
  type: string,
  kind: 'valid' | 'invalid',
  version?: number,
): Fixture[] {
  const override = session.options.fixtures?.[type]?.[kind];
  if (override) return override;
  return loadFixtures(type, { kind, ...(version !== undefined ? { version } : {}) }).map((f) => ({ name: f.name, data: f.data }));
}

/**
 * The call the fault checks make: the first submit capability with its first valid fixture, or the
 * first query. Returns undefined when the adapter declares neither.
 */
export function representativeCall(
  session: ConformanceSession,
): { label: string; call: (signal: AbortSignal) => Promise<unknown> } | undefined {
  const caps = session.definition.capabilities;
  const submit = capabilitiesWith(caps, 'submit')[0];
  if (submit && session.instance.submit) {
    const version = Math.max(...submit.versions);
    const fixture = fixturesFor(session, submit.type, 'valid', version)[0];
    if (fixture) {
      notePersonalData(session, submit.type, fixture.data);
      return {
        label: `submit ${submit.type} v${version} (${fixture.name})`,
        call: (signal) => session.instance.submit!(session.envelope(submit.type, structuredClone(fixture.data), { version }), { signal }),
      };
    }
  }
  const query = capabilitiesWith(caps, 'query')[0];
  const instanceQuery = session.instance.query as
    ((type: string, params: unknown, options: { signal: AbortSignal }) => Promise<unknown>) | undefined;
  if (query && instanceQuery) {
    const version = Math.max(...query.versions);
    const fixture = fixturesFor(session, query.type, 'valid', version)[0];
    if (fixture) {
      notePersonalData(session, query.type, fixture.data);
      return {
        label: `query ${query.type} v${version} (${fixture.name})`,
        call: (signal) => instanceQuery.call(session.instance, query.type, structuredClone(fixture.data), { signal }),
      };
    }
  }
  return undefined;
}

/** The valid fixture of `type` with the most personal data (the first one when none has any). */
export function richestFixture(session: Pick<ConformanceSession, 'options'>, type: string, version: number): Fixture | undefined {
  let best: Fixture | undefined;
  let most = -1;
  for (const fixture of fixturesFor(session, type, 'valid', version)) {
    const count = personalValues(type, fixture.data).length;
    if (count > most) [best, most] = [fixture, count];
  }
  return best;
}
