import type { Logger, StatusUpdate } from '@lgx/core';
import { describeIssues, partitionStatusUpdates } from '../engine/adapter-contract';
import type { StatusEvents } from './status-events';
import type { Store, StoredStatusUpdate } from '../store/store-types';

/**
 * Saves updates reported by one target and tells subscribers about the new ones. Shared by polling and
 * callbacks so both paths link, dedupe and notify identically. The store links each update to its
 * transaction through the delivery receipt's externalRef and drops repeats of (target, ref, updateId).
 */
export async function recordStatusUpdates(input: {
  store: Store;
  target: string;
  updates: readonly StatusUpdate[];
  now: Date;
  events?: StatusEvents;
  logger?: Logger;
}): Promise<StoredStatusUpdate[]> {
  const saved: StoredStatusUpdate[] = [];
  // The adapter names itself in `source` only if it chooses to; the stack's instance id is what
  // subscribers can act on, so fill it in when missing.
  const named = input.updates.map((update) => ({ ...update, source: update.source ?? input.target }));
  // An update that breaks its schema is not stored (subscribers and readers rely on the shape); the
  // rest are, so one broken update cannot hold back a target's whole feed.
  const { valid, invalid } = partitionStatusUpdates(named);
  for (const { index, issues } of invalid) {
    input.logger?.error('a status update from the adapter does not match the statusUpdate schema and was not stored', {
      code: 'LGX_ERR_ADAPTER_CONTRACT',
      target: input.target,
      index,
      issues: describeIssues(issues),
    });
  }
  for (const update of valid) {
    const stored = await input.store.saveStatusUpdate({ target: input.target, update, now: input.now });
    if (stored) saved.push(stored);
  }
  // Emit only after all are saved, and contain listener failures: a throwing subscriber must not stop
  // the rest being stored or the poll cursor advancing (stored updates are never emitted again).
  for (const stored of saved) {
    try {
      input.events?.emit('statusUpdate', stored);
    } catch (error) {
      input.logger?.error('a status update subscriber failed', { target: input.target, statusUpdateId: stored.id, error });
    }
  }
  return saved;
}
