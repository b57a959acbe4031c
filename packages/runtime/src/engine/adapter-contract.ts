import { PermanentError, validateAgainst, validateData, type Receipt, type StatusUpdate, type ValidationIssue } from '@lgx/core';

const RECEIPT_SCHEMA = 'https://schemas.lgx.dev/receipt/v1.json';
/** How many broken rules a contract error lists; the rest are counted. */
const LISTED = 3;

/** "/externalRef must be string; /status must be one of ..." : fields and rules, never the values. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  const listed = issues.slice(0, LISTED).map((i) => `${i.path || '/'} ${i.message} (${i.rule})`);
  return issues.length > LISTED ? `${listed.join('; ')}; and ${issues.length - LISTED} more` : listed.join('; ');
}

/**
 * The receipt an adapter's submit() returned, checked against the receipt schema before anything is
 * stored. A receipt that breaks it is a permanent contract error naming each field and rule: sending
 * again would bring the same receipt, and storing it would hand a broken one to every reader.
 */
export function checkReceipt(receipt: unknown, target: string): PermanentError | undefined {
  const result = validateAgainst<Receipt>(RECEIPT_SCHEMA, receipt);
  if (result.ok) return undefined;
  return new PermanentError(
    `adapter '${target}' returned a receipt that does not match the receipt schema: ${describeIssues(result.issues)}`,
    {
      code: 'LGX_ERR_ADAPTER_CONTRACT',
      details: { target, issues: result.issues.map((i) => ({ path: i.path, rule: i.rule })) },
    },
  );
}

/** The updates that match the statusUpdate schema, and the issues of those that do not (by position). */
export function partitionStatusUpdates(updates: readonly StatusUpdate[]): {
  valid: StatusUpdate[];
  invalid: Array<{ index: number; issues: readonly ValidationIssue[] }>;
} {
  const valid: StatusUpdate[] = [];
  const invalid: Array<{ index: number; issues: readonly ValidationIssue[] }> = [];
  updates.forEach((update, index) => {
    const result = validateData('statusUpdate', update);
    if (result.ok) valid.push(update);
    else invalid.push({ index, issues: result.issues });
  });
  return { valid, invalid };
}
