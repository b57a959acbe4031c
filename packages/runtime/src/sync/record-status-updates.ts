import type { Logger, StatusUpdate } from '@lgx/core';
import type { StatusEvents } from './status-events';
import type { Store, StoredStatusUpdate } from '../store/store-types';

/**
 * Saves updates reported by one target and tells subscribers about the new ones. Shared by polling and
 * callbacks so both paths link, dedupe and notify identically. The store links each update to its
 * transaction through the delivery receipt's externalRef and drops repeats of (target, ref, updateId).
 */
export async function recordStatusUpdates(input: { store: Store; target: string; updates: readonly StatusUpdate[]; now: Date; events?: StatusEvents; logger?: Logger }): Promise<StoredStatusUpdate[]> {
  const saved: StoredStatusUpdate[] = [];
  for (const update of input.updates) {
    // The adapter names itself in `source` only if it chooses to; the stack's instance id is what
    // subscribers can act on, so fill it in when missing.
    const stored = await input.store.saveStatusUpdate({ target: input.target, update: { ...update, source: update.source ?? input.target }, now: input.now });
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
