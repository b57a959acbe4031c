import type { LeasedDelivery, Store } from '../store/store-types';
import type { CouncilKeyring } from './council-keyring';

/**
 * A store that seals personal data on its way in and opens it only for the delivery worker: a new
 * transaction's envelope, an edited envelope replayed from the dead-letter queue and a status
 * update's text are sealed before any SQL runs; leased deliveries come back opened (the back office
 * gets the real values); every other read returns what is stored, sealed. The council's keyring is
 * checked for a newer data key (a rotation) before each write.
 */
export function sealingStore(inner: Store, keyring: CouncilKeyring): Store {
  const openLeased = (leased: readonly LeasedDelivery[]): Promise<LeasedDelivery[]> =>
    Promise.all(leased.map(async (d) => ({ ...d, envelope: await keyring.openEnvelope(d.envelope, d.transactionId) })));
  const overrides: Partial<Store> = {
    async insertTransaction(input) {
      await keyring.fresh();
      const { envelope, sealing } = keyring.sealEnvelope(input.envelope);
      const result = await inner.insertTransaction({ ...input, envelope, sealing });
      // Handed-off deliveries carry the envelope as given: it is the one the worker delivers.
      if (!result.leased) return result;
      return { ...result, leased: result.leased.map((d) => ({ ...d, envelope: input.envelope })) };
    },
    async leaseDeliveries(options) {
      return openLeased(await inner.leaseDeliveries(options));
    },
    async replayDeadLetter(deliveryId, options) {
      if (!options.envelope) return inner.replayDeadLetter(deliveryId, options);
      const delivery = await inner.getDelivery(deliveryId);
      if (!delivery) return false;
      await keyring.fresh();
      const sealed = keyring.sealEnvelope(options.envelope, delivery.transactionId);
      return inner.replayDeadLetter(deliveryId, { ...options, envelope: sealed.envelope, sealing: sealed.sealing });
    },
    async saveStatusUpdate(input) {
      await keyring.fresh();
      const { update, keyId } = keyring.sealStatusUpdate(input.target, input.update);
      const stored = await inner.saveStatusUpdate({ ...input, update, keyId });
      // The caller (pollers, callbacks, webhooks) goes on with the update it was given.
      return stored && { ...stored, update: input.update };
    },
  };
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (typeof property === 'string' && Object.hasOwn(overrides, property)) return overrides[property as keyof Store];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
