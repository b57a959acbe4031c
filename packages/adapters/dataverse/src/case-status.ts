import type { CaseStatus } from '@lgx/core';

/**
 * Incident status reasons (MicrosoftDocs incident.md) and the canonical status each stands for:
 * Active (0): 1 In Progress, 2 On Hold, 3 Waiting for Details, 4 Researching; Resolved (1): 5 Problem
 * Solved, 1000 Information Provided; Canceled (2): 6 Canceled, 2000 Merged. A new case is 0/1.
 */
export const STATUS_BY_REASON: Readonly<Record<number, CaseStatus>> = {
  1: 'open',
  2: 'in_progress',
  3: 'in_progress',
  4: 'investigating',
  5: 'fixed',
  1000: 'closed',
  6: 'cancelled',
  2000: 'duplicate',
};

/** A status reason the table does not list (a council's own) falls back to its state. */
export const STATUS_BY_STATE: Readonly<Record<number, CaseStatus>> = { 0: 'in_progress', 1: 'closed', 2: 'cancelled' };

/**
 * The canonical status of a statecode/statuscode pair: the council's statusMap by status reason, then
 * by state (`state:1`), then the defaults above; a row with no state at all reads as open.
 */
export function canonicalStatus(statecode: unknown, statuscode: unknown, statusMap: Readonly<Record<string, CaseStatus>> = {}): CaseStatus {
  const reason = typeof statuscode === 'number' ? statuscode : undefined;
  const state = typeof statecode === 'number' ? statecode : undefined;
  const own = (key: string) => (Object.hasOwn(statusMap, key) ? statusMap[key] : undefined);
  return (
    (reason !== undefined ? own(String(reason)) : undefined) ??
    (state !== undefined ? own(`state:${state}`) : undefined) ??
    (reason !== undefined ? STATUS_BY_REASON[reason] : undefined) ??
    (state !== undefined ? STATUS_BY_STATE[state] : undefined) ??
    'open'
  );
}

/** The status as the vendor's own code: the status reason, e.g. "5" (statecode when there is none). */
export function vendorStatusCode(statecode: unknown, statuscode: unknown): string {
  return typeof statuscode === 'number' ? String(statuscode) : typeof statecode === 'number' ? `state:${statecode}` : 'unknown';
}
