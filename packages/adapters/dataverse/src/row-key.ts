import { createHash } from 'node:crypto';

/**
 * Alternate key values cannot hold `/ < > * % & : \ ? +` (Dataverse cannot address a row by such a
 * value in a URL), and LGX transaction ids may hold `:`. An id made only of safe characters is kept
 * as it is, so staff can search the CRM for it; any other is replaced by a hash with a prefix no
 * transaction id is given by LGX.
 */
const SAFE = /^[A-Za-z0-9._-]{1,100}$/;
const HASHED = 'lgxh-';

export function rowKey(transactionId: string): string {
  if (SAFE.test(transactionId) && !transactionId.startsWith(HASHED)) return transactionId;
  return `${HASHED}${createHash('sha256').update(transactionId, 'utf8').digest('hex').slice(0, 40)}`;
}

/** The transaction id a key value holds, when it holds one as it is (not a hash). */
export function transactionIdOf(key: unknown): string | undefined {
  return typeof key === 'string' && SAFE.test(key) && !key.startsWith(HASHED) && /^[A-Za-z0-9]/.test(key) ? key : undefined;
}

/** An OData key segment: `incidents(lgx_transactionid='LGX-1')`. */
export function keySegment(entitySet: string, column: string, value: string): string {
  return `${entitySet}(${column}='${value.replace(/'/g, "''")}')`;
}
