import { LgxError, silentLogger, type AdapterInstance, type CallbackRequest, type Logger } from '@lgx/core';
import { recordStatusUpdates } from './record-status-updates';
import type { StatusEvents } from './status-events';
import type { Store, StoredStatusUpdate } from '../store/store-types';

export interface CallbackHandlerOptions {
  store: Store;
  /** The stack's running adapter instances by id (RunningStack.adapters). */
  adapters: ReadonlyMap<string, AdapterInstance>;
  events?: StatusEvents;
  logger?: Logger;
  now?: () => Date;
  /** Deadline for the adapter to check and parse one push (default 10 s). */
  timeoutMs?: number;
}

export interface CallbackOutcome {
  /** The HTTP status to answer the vendor with (the adapter's, else 200). */
  status: number;
  /** The updates stored for the first time (repeats of earlier pushes are left out). */
  stored: StoredStatusUpdate[];
}

export type CallbackHandler = (targetId: string, request: CallbackRequest) => Promise<CallbackOutcome>;

/**
 * Returns `handleCallback(targetId, request)` for the gateway's callback endpoints: the target's
 * adapter checks the push (signatures are its business) and turns it into canonical updates, which
 * are stored, linked and sent to subscribers exactly as polled ones are.
 */
export function createCallbackHandler(options: CallbackHandlerOptions): CallbackHandler {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  return async (targetId, request) => {
    const instance = options.adapters.get(targetId);
    if (!instance?.handleCallback) {
      throw new LgxError(
        'LGX_ERR_ADAPTER_OPERATION_UNSUPPORTED',
        instance ? `adapter '${targetId}' does not accept callbacks` : `this stack has no adapter '${targetId}'`,
        {
          details: { target: targetId },
        },
      );
    }
    // Adapter errors propagate: they are classified (auth for a bad signature, permanent for a bad
    // body), and the gateway turns the class into the answer so the vendor retries only what is worth it.
    const result = await instance.handleCallback(request, { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    const stored = await recordStatusUpdates({
      store: options.store,
      target: targetId,
      updates: result.updates,
      now: now(),
      ...(options.events ? { events: options.events } : {}),
      logger,
    });
    logger.info('callback accepted', { target: targetId, updates: result.updates.length, stored: stored.length });
    return { status: result.status ?? 200, stored };
  };
}
