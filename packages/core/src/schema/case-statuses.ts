import { bundledSchemas } from '../generated/schema-bundle';
import type { CaseStatus } from '../generated/types';

/**
 * The canonical case statuses (defs caseStatus: the mySociety extended Open311 vocabulary), read from
 * the schema itself so adapters that list or check them never keep a copy that could drift.
 */
export const CASE_STATUSES: readonly CaseStatus[] = (() => {
  const defs = bundledSchemas.find((schema) => schema.$id === 'https://schemas.lgx.dev/defs/v1.json') as { $defs: { caseStatus: { enum: CaseStatus[] } } };
  return Object.freeze([...defs.$defs.caseStatus.enum]);
})();
