import { validateData } from '@lgx/core';
import { capabilitiesWith, fail } from './check-helpers';
import { fixturesFor } from './operation-under-test';
import type { Capability } from '@lgx/core';
import type { CheckId, ConformanceCheck, ConformanceOptions, ConformanceSession } from './conformance-types';

/** Submits the first valid fixture of `cap` (at its newest version): a record at the vendor to work on. */
export async function submitOne(session: ConformanceSession, cap: Capability, idempotencyKey?: string, check: CheckId = 'get-status') {
  const version = Math.max(...cap.versions);
  const fixture = fixturesFor(session, cap.type, 'valid', version)[0];
  if (!fixture) fail(check, cap.type, 'no valid fixture to submit');
  const tx = session.envelope(cap.type, structuredClone(fixture.data), { version, ...(idempotencyKey ? { idempotencyKey } : {}) });
  return { tx, receipt: await session.instance.submit!(tx, { signal: AbortSignal.timeout(10_000) }) };
}

function validUpdate(check: 'get-status' | 'poll-updates', where: string, update: unknown): void {
  const result = validateData('statusUpdate', update);
  if (!result.ok) fail(check, where, `not a valid statusUpdate: ${result.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
}

export function stateChecks(capabilities: readonly Capability[], options: ConformanceOptions): ConformanceCheck[] {
  const checks: ConformanceCheck[] = [];
  const submit = capabilitiesWith(capabilities, 'submit');
  const keyed = submit.find((c) => c.idempotency === 'key' || c.idempotency === 'lookup');
  if (keyed) {
    checks.push({
      id: 'idempotency',
      capability: keyed.type,
      title: `submit ${keyed.type}: the same transaction twice leaves one record at the vendor`,
      ...(options.countRecords ? {} : { skip: 'no countRecords option given' }),
      run: async (session) => {
        const count = session.options.countRecords!;
        const before = await count(session.simulator);
        const version = Math.max(...keyed.versions);
        const fixture = fixturesFor(session, keyed.type, 'valid', version)[0]!;
        const tx = session.envelope(keyed.type, structuredClone(fixture.data), { version, idempotencyKey: `idem-${Date.now()}` });
        const first = await session.instance.submit!(tx, { signal: AbortSignal.timeout(10_000) });
        const second = await session.instance.submit!(structuredClone(tx), { signal: AbortSignal.timeout(10_000), attempt: 2 });
        const created = (await count(session.simulator)) - before;
        if (created !== 1) fail('idempotency', keyed.type, `two submits of one transaction created ${created} records at the vendor`);
        if (first.externalRef !== second.externalRef)
          fail('idempotency', keyed.type, `the repeat returned another reference (${second.externalRef} vs ${first.externalRef})`);
      },
    });
  }
  const statusCap = capabilitiesWith(capabilities, 'getStatus').find((c) => c.operations.includes('submit'));
  if (statusCap) {
    checks.push({
      id: 'get-status',
      capability: statusCap.type,
      title: `getStatus ${statusCap.type}: a submitted record's status is a valid statusUpdate`,
      run: async (session) => {
        const { receipt } = await submitOne(session, statusCap);
        const update = await session.instance.getStatus!(receipt.externalRef, { signal: AbortSignal.timeout(10_000) });
        validUpdate('get-status', statusCap.type, update);
        if (update.externalRef !== receipt.externalRef)
          fail('get-status', statusCap.type, `externalRef ${update.externalRef} does not match the receipt's ${receipt.externalRef}`);
      },
    });
  }
  const pollCap = capabilitiesWith(capabilities, 'pollUpdates').find((c) => c.operations.includes('submit'));
  if (pollCap) {
    checks.push({
      id: 'poll-updates',
      capability: pollCap.type,
      title: `pollUpdates ${pollCap.type}: a vendor-side change comes back once as a valid statusUpdate`,
      ...(options.changeStatus ? {} : { skip: 'no changeStatus option given' }),
      run: async (session) => {
        const first = await session.instance.pollUpdates!(undefined, { signal: AbortSignal.timeout(10_000) });
        for (const u of first.updates) validUpdate('poll-updates', 'initial poll', u);
        const { receipt } = await submitOne(session, pollCap);
        await session.options.changeStatus!(session.simulator, receipt.externalRef);
        const next = await session.instance.pollUpdates!(first.cursor, { signal: AbortSignal.timeout(10_000) });
        for (const u of next.updates) validUpdate('poll-updates', 'poll after a change', u);
        if (!next.updates.some((u) => u.externalRef === receipt.externalRef))
          fail('poll-updates', pollCap.type, `the change to ${receipt.externalRef} did not come back from pollUpdates`);
        const again = await session.instance.pollUpdates!(next.cursor, { signal: AbortSignal.timeout(10_000) });
        const seen = new Set(next.updates.map((u) => `${u.externalRef}/${u.updateId ?? u.updatedAt}`));
        const repeated = again.updates.filter((u) => seen.has(`${u.externalRef}/${u.updateId ?? u.updatedAt}`));
        if (repeated.length) fail('poll-updates', pollCap.type, `polling with the returned cursor repeated ${repeated.length} update(s)`);
      },
    });
  }
  return checks;
}
