import type { CaseStatus } from '@lgx/core';

/**
 * The Case statuses most orgs start with (New, Working, Escalated, Closed) and the canonical status
 * each stands for. Status is an org's own picklist, so these are only defaults: a council's statusMap
 * comes first, and any other value is read through CaseStatus.IsClosed.
 */
export const DEFAULT_STATUS_MAP: Readonly<Record<string, CaseStatus>> = {
  new: 'open',
  working: 'in_progress',
  escalated: 'in_progress',
  closed: 'closed',
};

/**
 * The canonical status of a Case: the council's statusMap, then the defaults above (by value, case
 * ignored), then IsClosed (closed, else in progress); a Case with neither reads as open.
 */
export function canonicalStatus(
  status: unknown,
  isClosed: boolean | undefined,
  statusMap: Readonly<Record<string, CaseStatus>> = {},
): CaseStatus {
  const value = typeof status === 'string' ? status : undefined;
  if (value !== undefined && Object.hasOwn(statusMap, value)) return statusMap[value]!;
  const known = value !== undefined ? DEFAULT_STATUS_MAP[value.toLowerCase()] : undefined;
  if (known !== undefined) return known;
  if (isClosed !== undefined) return isClosed ? 'closed' : 'in_progress';
  return 'open';
}
