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

type Invoke = (type: string, data: unknown, version: number, signal: AbortSignal) => Promise<unknown>;

/**
 * The call the fault checks make: the first submit capability with its first valid fixture, or the
 * first query. Returns undefined when the adapter declares neither.
 */
export function representativeCall(
  session: ConformanceSession,
): { label: string; call: (signal: AbortSignal) => Promise<unknown> } | undefined {
  const { instance } = session;
  const submit: Invoke | undefined =
    instance.submit && ((type, data, version, signal) => instance.submit!(session.envelope(type, data, { version }), { signal }));
  const query = instance.query as ((type: string, params: unknown, options: { signal: AbortSignal }) => Promise<unknown>) | undefined;
  return (
    firstFixtureCall(session, 'submit', submit) ??
    firstFixtureCall(session, 'query', query && ((type, data, _version, signal) => query.call(instance, type, data, { signal })))
  );
}

/** `invoke` on the first capability of `operation`, at its latest version, with its first valid fixture. */
function firstFixtureCall(session: ConformanceSession, operation: 'submit' | 'query', invoke: Invoke | undefined) {
  const capability = capabilitiesWith(session.definition.capabilities, operation)[0];
  if (!capability || !invoke) return undefined;
  const version = Math.max(...capability.versions);
  const fixture = fixturesFor(session, capability.type, 'valid', version)[0];
  if (!fixture) return undefined;
  notePersonalData(session, capability.type, fixture.data);
  return {
    label: `${operation} ${capability.type} v${version} (${fixture.name})`,
    call: (signal: AbortSignal) => invoke(capability.type, structuredClone(fixture.data), version, signal),
  };
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
