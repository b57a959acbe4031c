import { assertValid, LgxError, LgxValidationError, type Envelope } from '@lgx/core';
import type { AttemptRecord, Store, StoredDelivery } from '../store/store-types';

/** A council's dead-letter queue: every change is an audited action with its actor and reason. */
export interface DeadLetters {
  list(options?: { target?: string; limit?: number }): Promise<StoredDelivery[]>;
  /** A dead delivery with its attempts, or undefined (also for another council's). */
  show(deliveryId: string): Promise<(StoredDelivery & { attemptLog: AttemptRecord[] }) | undefined>;
  /**
   * Delivers it again. An edited envelope is validated again and must keep the transaction's type and
   * council; the transaction keeps its id and idempotency key. False when it is not this council's
   * dead letter; refused (LGX_ERR_SUBJECT_ERASED) when the transaction's subject was erased.
   */
  replay(deliveryId: string, options: { actor: string; reason: string; envelope?: unknown }): Promise<boolean>;
  /** Gives up on it; false when it is not this council's dead letter. */
  discard(deliveryId: string, options: { actor: string; reason: string }): Promise<boolean>;
}

export interface DeadLettersOptions {
  store: Store;
  /** The council whose dead letters these are; another council's deliveries are not found. */
  council: string;
  /** Called after a replay made a delivery pending again (a running worker can pick it up at once). */
  onReplay?: () => void;
}

/**
 * The dead-letter queue on a store alone. It needs no adapter: a replayed delivery is pending again,
 * and whichever worker runs on the store (`lgx serve`, say) delivers it.
 */
export function createDeadLetters(options: DeadLettersOptions): DeadLetters {
  const { store, council } = options;
  async function show(deliveryId: string): Promise<(StoredDelivery & { attemptLog: AttemptRecord[] }) | undefined> {
    const dead = await store.getDelivery(deliveryId);
    if (!dead || dead.state !== 'dead' || dead.council !== council) return undefined;
    return { ...dead, attemptLog: await store.listAttempts(deliveryId) };
  }
  return {
    list: (listOptions = {}) => store.listDeadLetters({ council, ...listOptions }),
    show,
    async replay(deliveryId, replayOptions) {
      // Another council's dead letter is not found here, as in show and list.
      const dead = await show(deliveryId);
      if (!dead) return false;
      // An erased subject's transaction holds the erased marker where their data was: never send it.
      const history = await store.listAudit(council, { transactionId: dead.transactionId });
      if (history.some((entry) => entry.action === 'subject.erased'))
        throw new LgxError(
          'LGX_ERR_SUBJECT_ERASED',
          `transaction ${dead.transactionId}: its subject was erased, so it cannot be replayed`,
          {
            details: { transactionId: dead.transactionId },
          },
        );
      let envelope: Envelope | undefined;
      if (replayOptions.envelope !== undefined) {
        envelope = assertValid(replayOptions.envelope);
        const original = await store.getTransaction(dead.transactionId);
        if (original && (envelope.type !== original.type || envelope.council !== original.council)) {
          throw new LgxValidationError(
            [
              {
                path: envelope.type !== original.type ? '/type' : '/council',
                rule: 'unchanged',
                message: 'an edited transaction keeps its type and council',
              },
            ],
            { subject: 'replayed transaction' },
          );
        }
      }
      const done = await store.replayDeadLetter(deliveryId, {
        actor: replayOptions.actor,
        reason: replayOptions.reason,
        now: new Date(),
        ...(envelope ? { envelope } : {}),
      });
      if (done) options.onReplay?.();
      return done;
    },
    async discard(deliveryId, discardOptions) {
      if (!(await show(deliveryId))) return false;
      return store.discardDeadLetter(deliveryId, { ...discardOptions, now: new Date() });
    },
  };
}
