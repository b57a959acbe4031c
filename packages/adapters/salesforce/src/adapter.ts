import { createHash } from 'node:crypto';
import { NotFoundError, RetryableError, UnsupportedError, assertValidData, defineAdapter, maskPersonalData, type Receipt } from '@lgx/core';
import { caseBody } from './case-fields';
import { canonicalStatus } from './case-status';
import { configSchema, DEFAULT_API_VERSION, DEFAULT_EXTERNAL_ID_FIELD, type SalesforceConfig } from './config';
import { SalesforceApi, salesforceHttpOptions, type SfRecord } from './salesforce-api';
import { SalesforceSession } from './salesforce-auth';
import { CASE_FIELDS, caseUpdate, pollUpdated } from './updated-feed';

/** A Salesforce record id: 15 or 18 letters and digits. */
const RECORD_ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;
/** External id values that travel in a URL path as they are; any other is hashed (`lgxh-`). */
const SAFE_KEY = /^[A-Za-z0-9_-]{1,100}$/;
const HASHED = 'lgxh-';

/** The external id value for a transaction: its id as it is when URL-safe, else a hash. */
export function externalIdOf(transactionId: string): string {
  if (SAFE_KEY.test(transactionId) && !transactionId.startsWith(HASHED)) return transactionId;
  return `${HASHED}${createHash('sha256').update(transactionId, 'utf8').digest('hex').slice(0, 40)}`;
}

const transactionIdOf = (key: string) => (SAFE_KEY.test(key) && !key.startsWith(HASHED) && /^[A-Za-z0-9]/.test(key) ? key : undefined);

/**
 * The Salesforce adapter: canonical CRM cases become Cases through the REST API, upserted by an
 * external id field holding the LGX transaction id (so a repeat finds the Case it made), with the
 * OAuth 2.0 JWT bearer or client credentials flow and the `instance_url` the token answer names.
 * Status through CaseStatus (IsClosed) and a configurable map; polling through getUpdated windows.
 */
export const adapter = defineAdapter({
  manifest: {
    id: 'salesforce',
    vendor: 'Salesforce',
    product: 'Service Cloud (Salesforce Platform REST API)',
    version: '0.1.0',
    sdk: '^1.0.0',
    domains: ['crm'],
    description:
      'CRM cases to Salesforce Cases over the REST API: JWT bearer or client credentials, upsert by external id, status through CaseStatus, polling through getUpdated windows.',
    homepage: 'https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/',
    specification: {
      name: 'Salesforce REST API Developer Guide',
      version: 'v61.0 (Summer \u201924)',
      url: 'https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/',
    },
  },
  configSchema,
  capabilities: [{ type: 'crm.case', versions: [1], operations: ['submit', 'getStatus', 'pollUpdates'], idempotency: 'key' }],
  create(context, config: SalesforceConfig) {
    const now = () => context.clock.now();
    const session = new SalesforceSession(config, () => now().getTime());
    const externalIdField = config.externalIdField ?? DEFAULT_EXTERNAL_ID_FIELD;
    const api = new SalesforceApi(context.http(salesforceHttpOptions(config, session)), session, {
      version: config.apiVersion ?? DEFAULT_API_VERSION,
      externalIdField,
      backoffMs: (config.requestLimitBackoffMinutes ?? 60) * 60_000,
      logger: context.logger,
    });
    const statusMap = config.statusMap ?? {};
    const fields = CASE_FIELDS(externalIdField);
    const feed = { api, externalIdField, statusMap, transactionIdOf, logger: context.logger, now };

    const receiptOf = async (record: SfRecord, signal: AbortSignal): Promise<Receipt> => {
      const id = String(record.Id);
      const status = typeof record.Status === 'string' ? record.Status : undefined;
      const created =
        typeof record.CreatedDate === 'string' && !Number.isNaN(Date.parse(record.CreatedDate))
          ? new Date(Date.parse(record.CreatedDate)).toISOString()
          : now().toISOString();
      return {
        externalRef: id,
        status: canonicalStatus(status, typeof record.IsClosed === 'boolean' ? record.IsClosed : undefined, statusMap),
        ...(status ? { externalStatusCode: status.slice(0, 100) } : {}),
        acceptedAt: created,
        url: `${await session.instanceUrl(signal)}/lightning/r/Case/${id}/view`,
        ...(typeof record.CaseNumber === 'string' ? { attributes: { caseNumber: record.CaseNumber } } : {}),
      };
    };

    return {
      async check({ signal }) {
        const started = Date.now();
        try {
          const [limits, statuses] = await Promise.all([api.limits(signal), api.caseStatuses(signal)]);
          // Statuses the council has not mapped are read by IsClosed: worth knowing before go-live.
          const unmapped = statuses
            .filter((s) => !Object.hasOwn(statusMap, s.value) && !['new', 'working', 'escalated', 'closed'].includes(s.value.toLowerCase()))
            .map((s) => s.value);
          return {
            ok: true,
            latencyMs: Date.now() - started,
            details: {
              ...(limits ? { apiRequests: { max: limits.max, remaining: limits.remaining } } : {}),
              statuses: statuses.length,
              byIsClosed: unmapped,
            },
          };
        } catch (error) {
          return { ok: false, message: (error as Error).message };
        }
      },

      async submit(tx, { signal, attempt }) {
        const type: string = tx.type;
        if (type !== 'crm.case') throw new UnsupportedError(`the salesforce adapter does not submit ${type.slice(0, 100)}`);
        // Validate first: nothing invalid ever reaches Salesforce.
        const data = assertValidData('crm.case', tx.data);
        const key = externalIdOf(tx.id);
        try {
          const { body, unsent } = caseBody(data, config);
          if (unsent.attachments || unsent.attributes || unsent.unmapped.length)
            context.logger.info('case facts without a field were not sent', { transaction: tx.id, ...unsent });
          // A later attempt may follow a lost answer: look first, so a Case staff have started on is
          // returned as it is rather than written over.
          if ((attempt ?? 1) > 1) {
            const existing = await api.findByExternalId(key, fields, signal);
            if (existing) {
              context.logger.info('case already delivered: returning the Case that is there', {
                externalRef: existing.Id,
                transaction: tx.id,
              });
              return await receiptOf(existing, signal);
            }
          }
          const result = await api.upsertAndRead(key, body, fields, signal);
          const record = result.record ?? (result.id ? { Id: result.id } : undefined);
          if (!record)
            throw new RetryableError('Salesforce upserted the Case but did not say which: the next attempt looks it up', {
              code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
            });
          context.logger.info(result.created ? 'case created' : 'case already delivered: the upsert matched it', {
            externalRef: record.Id,
            transaction: tx.id,
          });
          return await receiptOf(record, signal);
        } catch (error) {
          throw maskPersonalData(error, 'crm.case', data);
        }
      },

      async getStatus(externalRef, { signal }) {
        if (!RECORD_ID.test(externalRef)) throw new NotFoundError('externalRef is not a Salesforce record id: no such Case');
        return caseUpdate(await api.getCase(externalRef, fields, signal), feed, now());
      },

      async pollUpdates(cursor, { signal }) {
        return pollUpdated(feed, cursor, signal);
      },
    };
  },
});

export default adapter;
