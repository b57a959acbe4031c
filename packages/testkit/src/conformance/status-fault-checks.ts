import { capabilitiesWith, expectClassified, fail } from './check-helpers';
import { stopsWhenAborted } from './fault-checks';
import { submitOne } from './state-checks';
import type { Capability } from '@lgx/core';
import type { ConformanceCheck } from './conformance-types';

/**
 * How getStatus and pollUpdates behave when things go wrong: both stop when their signal aborts (the
 * runtime aborts them at shutdown and at its deadline), and a record the vendor does not know is
 * reported as not found, never as a status the vendor did not give.
 */
export function statusFaultChecks(capabilities: readonly Capability[]): ConformanceCheck[] {
  const checks: ConformanceCheck[] = [];
  const statusCap = capabilitiesWith(capabilities, 'getStatus').find((c) => c.operations.includes('submit'));
  if (statusCap) {
    checks.push(
      {
        id: 'get-status-honours-abort',
        capability: statusCap.type,
        title: `getStatus ${statusCap.type}: a call in flight stops when its signal is aborted`,
        run: async (session) => {
          const { receipt } = await submitOne(session, statusCap, undefined, 'get-status-honours-abort');
          await stopsWhenAborted('get-status-honours-abort', session, `getStatus ${statusCap.type}`, (signal) =>
            session.instance.getStatus!(receipt.externalRef, { signal }),
          );
        },
      },
      {
        id: 'get-status-not-found',
        capability: statusCap.type,
        title: `getStatus ${statusCap.type}: a 404 from the vendor is a NotFoundError, not an invented status`,
        run: async (session) => {
          const { receipt } = await submitOne(session, statusCap, undefined, 'get-status-not-found');
          session.simulator.faults.failNext(20, { status: 404, body: { error: 'not found', message: 'No such record' } });
          let outcome: { update?: unknown; error?: unknown };
          try {
            outcome = await session.instance.getStatus!(receipt.externalRef, { signal: AbortSignal.timeout(10_000) }).then(
              (update) => ({ update }),
              (error: unknown) => ({ error }),
            );
          } finally {
            session.simulator.faults.clear();
          }
          const where = `getStatus ${statusCap.type} after a vendor 404`;
          if (outcome.error === undefined) {
            const status = (outcome.update as { status?: unknown } | undefined)?.status;
            fail(
              'get-status-not-found',
              where,
              `returned status ${JSON.stringify(status)} for a record the vendor does not have: throw NotFoundError (classification notFound)`,
            );
          }
          expectClassified('get-status-not-found', where, outcome.error, 'notFound');
        },
      },
    );
  }
  const pollCap = capabilitiesWith(capabilities, 'pollUpdates')[0];
  if (pollCap) {
    checks.push({
      id: 'poll-updates-honours-abort',
      capability: pollCap.type,
      title: `pollUpdates ${pollCap.type}: a poll in flight stops when its signal is aborted`,
      run: async (session) => {
        // A cursor from a first poll, so the poll under test asks the vendor whatever the adapter does first.
        const { cursor } = await session.instance.pollUpdates!(undefined, { signal: AbortSignal.timeout(10_000) });
        await stopsWhenAborted('poll-updates-honours-abort', session, `pollUpdates ${pollCap.type}`, (signal) =>
          session.instance.pollUpdates!(cursor, { signal }),
        );
      },
    });
  }
  return checks;
}
