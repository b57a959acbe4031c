import type { CaseStatus } from '../generated/types';
import { defsEnum } from './defs-enum';

/** The canonical case statuses (defs caseStatus: the mySociety extended Open311 vocabulary). */
export const CASE_STATUSES: readonly CaseStatus[] = defsEnum<CaseStatus>('caseStatus');

/**
 * Canonical statuses after which the back office has nothing more to do for a case: the ones a plain
 * Open311 client sees as `closed`. The runtime stops asking a back office about a case at one of these
 * (a case the back office reopens is reported by its change feed or callbacks, not by asking again).
 */
export const FINAL_CASE_STATUSES: readonly CaseStatus[] = [
  'fixed',
  'closed',
  'duplicate',
  'not_councils_responsibility',
  'no_further_action',
  'internal_referral',
  'cancelled',
];
