import { maskTransactionView, type TransactionView } from '@lgx/runtime';
import type { SignedIn } from './console-guard';

/**
 * A transaction as the console shows it: with the `personal-data` scope (or `admin`) as stored;
 * without it, every field the canonical schemas mark as personal data (or secret) masked in the
 * envelope, status updates and receipts, the whole `data` masked when its schema is unknown, and the
 * transaction's personal values scrubbed from error and status texts.
 */
export function shownView(view: TransactionView, personalData: boolean): TransactionView {
  return personalData ? view : maskTransactionView(view);
}

/**
 * Records in the council's audit chain that the signed-in key is being shown these transactions'
 * personal data. Only a key with the scope is recorded (others see it masked); the page is not sent
 * when the entry cannot be written.
 */
export async function recordPersonalRead(user: SignedIn, transactionIds: readonly string[]): Promise<void> {
  if (!user.personalData) return;
  await user.stack.recordPersonalDataRead({ actor: `key:${user.key.id}`, via: 'console', transactionIds });
}
