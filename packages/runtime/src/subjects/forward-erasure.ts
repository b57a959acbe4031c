import { isLgxError, type AdapterInstance, type Capability, type EraseOutcome } from '@lgx/core';
import type { ErasedTransaction } from '../store/store-erasure';
import type { Store } from '../store/store-types';

/** A stack's back offices, as erasure passes a subject's erasure on to them. */
export type BackOffices = ReadonlyMap<string, { instance: AdapterInstance; capabilities: readonly Capability[] }>;

/** What became of one delivered record's erasure at its back office. */
export interface ForwardedErasure {
  transactionId: string;
  target: string;
  /**
   * The back office's answer; `unsupported`: its adapter does not declare 'erase' for the type (the
   * council erases the record there itself); `failed`: the call failed (`code` says how, never a value).
   */
  status: EraseOutcome['status'] | 'unsupported' | 'failed';
  reference?: string;
  code?: string;
}

/** How long a back office has to answer one erasure request. */
const ERASE_TIMEOUT_MS = 30_000;

function declaresErase(capabilities: readonly Capability[], type: string): boolean {
  return capabilities.some((c) => c.type === type && c.operations.includes('erase'));
}

/**
 * Asks each back office that received one of the erased transactions, and whose adapter declares
 * 'erase' for its type, to erase its record, one record at a time; every outcome (a failure too) is
 * recorded in the audit chain as 'subject.erase.forwarded' by `actor`, with references and codes only.
 * A failure is reported, never thrown: the local erasure stands.
 */
export async function forwardErasure(
  store: Pick<Store, 'appendAudit'>,
  backOffices: BackOffices,
  erased: readonly ErasedTransaction[],
  actor: string,
): Promise<ForwardedErasure[]> {
  const out: ForwardedErasure[] = [];
  for (const transaction of erased) {
    for (const delivered of transaction.delivered) {
      const office = backOffices.get(delivered.target);
      const base = { transactionId: transaction.transactionId, target: delivered.target };
      let result: ForwardedErasure;
      if (!office?.instance.erase || !declaresErase(office.capabilities, transaction.type) || delivered.externalRef === undefined)
        result = { ...base, status: 'unsupported' };
      else {
        try {
          const outcome = await office.instance.erase(
            { type: transaction.type, externalRef: delivered.externalRef, transactionId: transaction.transactionId },
            { signal: AbortSignal.timeout(ERASE_TIMEOUT_MS) },
          );
          result = { ...base, status: outcome.status, ...(outcome.reference !== undefined ? { reference: outcome.reference } : {}) };
        } catch (error) {
          result = { ...base, status: 'failed', code: isLgxError(error) ? error.code : 'ERROR' };
        }
      }
      out.push(result);
      await store.appendAudit(
        {
          council: transaction.council,
          actor,
          action: 'subject.erase.forwarded',
          transactionId: transaction.transactionId,
          deliveryId: delivered.deliveryId,
          details: {
            target: result.target,
            status: result.status,
            ...(result.reference ? { reference: result.reference } : {}),
            ...(result.code ? { code: result.code } : {}),
          },
        },
        new Date(),
      );
    }
  }
  return out;
}
