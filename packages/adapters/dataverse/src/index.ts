/**
 * @module @lgx/adapter-dataverse
 *
 * The LGX adapter for Microsoft Dataverse (Dynamics 365 Customer Service): canonical `crm.case`
 * transactions become incident rows (or rows of the council's own case table, by column mapping) and
 * `crm.contact` transactions contact rows, through the Web API with Entra ID client credentials.
 * Creates are create-only upserts on an alternate key holding the LGX transaction id; status comes
 * back by look-up and by change tracking (delta links), or by `modifiedon` where tracking is off.
 */
export { adapter, adapter as default } from './adapter';
export { configSchema, CASE_FIELDS, DEFAULT_AUTHORITY_HOST, type DataverseConfig, type CaseField, type CodeMap } from './config';
export { VERSION } from './version';
