import type { RetentionJob, RunningStack } from '@lgx/runtime';
import type { Gateway } from '../create-gateway';

/** What a service runs, in the order it was started. */
export interface ServiceParts {
  gateway?: Gateway;
  stacks: readonly RunningStack[];
  retention: readonly RetentionJob[];
  /** Closes the key store the service opened itself (last: requests in flight may still look keys up). */
  closeKeys?: () => Promise<void>;
}

/** Runs every task, waits for all of them, and collects the failures instead of stopping at the first. */
async function settle(tasks: ReadonlyArray<Promise<unknown>>, failures: unknown[]): Promise<void> {
  for (const result of await Promise.allSettled(tasks)) if (result.status === 'rejected') failures.push(result.reason);
}

/**
 * Stops a service in the one order that loses nothing, within one deadline:
 * 1. the gateway stops accepting (new requests get 503 with Retry-After) and the requests in flight
 *    finish, so everything they acknowledge is committed;
 * 2. polling and retention stop, so nothing starts new calls to the back offices or writes of its own;
 * 3. each stack's deliveries in flight finish or give their leases back within what is left of the
 *    deadline, then its adapters close, then its store, once nothing can write to it.
 * A step that fails does not stop the later ones (a stuck gateway must not keep leases held or the
 * store open); the first failure is thrown once every step has run.
 */
export async function stopService(parts: ServiceParts, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  const failures: unknown[] = [];
  if (parts.gateway) await settle([parts.gateway.close({ deadlineMs })], failures);
  await settle([...parts.stacks.map((stack) => stack.polling.stop()), ...parts.retention.map((job) => job.stop())], failures);
  await settle(
    parts.stacks.map((stack) => stack.close({ deadlineMs: Math.max(0, until - Date.now()) })),
    failures,
  );
  if (parts.closeKeys) await settle([parts.closeKeys()], failures);
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1)
    throw new AggregateError(
      failures,
      `${failures.length} parts of the service failed to stop: ${failures.map((f) => (f as Error).message).join('; ')}`,
    );
}
