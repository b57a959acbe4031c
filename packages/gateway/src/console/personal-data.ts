import type { SignedIn } from './console-guard';

/**
 * Records in the council's audit chain that the signed-in key is being shown these transactions'
 * personal data. Only a key with the scope is recorded (others see it masked); the page is not sent
 * when the entry cannot be written.
 */
export async function recordPersonalRead(user: SignedIn, transactionIds: readonly string[]): Promise<void> {
  if (!user.personalData) return;
  await user.stack.recordPersonalDataRead({ actor: `key:${user.key.id}`, via: 'console', transactionIds });
}
