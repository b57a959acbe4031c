import type { CaseStatus } from '../generated/types';
import { defsEnum } from './defs-enum';

/** The canonical case statuses (defs caseStatus: the mySociety extended Open311 vocabulary). */
export const CASE_STATUSES: readonly CaseStatus[] = defsEnum<CaseStatus>('caseStatus');
