import {
  NotFoundError,
  PermanentError,
  UnsupportedError,
  assertValidData,
  classifyError,
  defineAdapter,
  maskPersonalData,
  type CrmCase,
  type Receipt,
} from '@lgx/core';
import { caseRow } from './case-row';
import { canonicalStatus, vendorStatusCode } from './case-status';
import { pollFeed, rowUpdate } from './change-feed';
import { caseTableOf, configSchema, type DataverseConfig } from './config';
import { contactRow, personColumns } from './contact-row';
import { DataverseApi, dataverseHttpOptions, type DataverseRow } from './dataverse-api';
import { keySegment, rowKey } from './row-key';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The Dataverse adapter: canonical CRM cases become rows of the incident table (or the council's own
 * case table) and contacts rows of the contact table, through the Web API with Entra ID client
 * credentials. Every create is a create-only upsert on an alternate key holding the LGX transaction
 * id, so a repeat finds the row it made. Status comes back by look-up and by change tracking.
 */
export const adapter = defineAdapter({
  manifest: {
    id: 'dataverse',
    vendor: 'Microsoft',
    product: 'Dynamics 365 Customer Service (Dataverse)',
    version: '0.1.0',
    sdk: '^1.0.0',
    domains: ['crm'],
    description:
      'CRM cases to Dataverse incidents and contacts to contacts over the Web API: Entra ID client credentials, create-only upserts on an alternate key, status by look-up and change tracking.',
    homepage: 'https://learn.microsoft.com/power-apps/developer/data-platform/webapi/overview',
    specification: {
      name: 'Microsoft Dataverse Web API (OData v4)',
      version: 'v9.2',
      url: 'https://learn.microsoft.com/power-apps/developer/data-platform/webapi/overview',
    },
  },
  configSchema,
  capabilities: [
    { type: 'crm.case', versions: [1], operations: ['submit', 'getStatus', 'pollUpdates'], idempotency: 'key' },
    { type: 'crm.contact', versions: [1], operations: ['submit', 'erase'], idempotency: 'key' },
  ],
  create(context, config: DataverseConfig) {
    const api = new DataverseApi(context.http(dataverseHttpOptions(config)));
    const table = caseTableOf(config);
    const keyColumn = config.keyColumn ?? 'lgx_transactionid';
    const statusMap = config.statusMap ?? {};
    const origin = new URL(config.url).origin;
    const apiRoot = `${origin}/api/data/v${config.apiVersion ?? '9.2'}/`;
    const caseSelect = [table.primaryKey, 'ticketnumber', 'statecode', 'statuscode', 'createdon', 'modifiedon', keyColumn];
    const now = () => context.clock.now();

    const receiptOf = (row: DataverseRow | undefined, id: string): Receipt => {
      const caseNumber = typeof row?.ticketnumber === 'string' ? row.ticketnumber.slice(0, 1000) : undefined;
      const created =
        typeof row?.createdon === 'string' && !Number.isNaN(Date.parse(row.createdon))
          ? new Date(Date.parse(row.createdon)).toISOString()
          : now().toISOString();
      return {
        externalRef: id,
        status: canonicalStatus(row?.statecode ?? 0, row?.statuscode ?? 1, statusMap),
        externalStatusCode: vendorStatusCode(row?.statecode ?? 0, row?.statuscode ?? 1),
        acceptedAt: created,
        url: `${origin}/main.aspx?pagetype=entityrecord&etn=${encodeURIComponent(table.logicalName)}&id=${id}`,
        ...(caseNumber ? { attributes: { caseNumber } } : {}),
      };
    };

    /**
     * Creates the row under the transaction's key unless it is already there (a repeat after a lost
     * answer): then the row that is there is read and returned, unchanged.
     */
    const createOnce = async (
      entitySet: string,
      primaryKey: string,
      key: string,
      body: Record<string, unknown>,
      select: string[],
      signal: AbortSignal,
    ) => {
      const path = keySegment(entitySet, keyColumn, key);
      const result = await api.createOnly(path, body, select, signal);
      if (!result.exists) {
        const id = (typeof result.row?.[primaryKey] === 'string' ? (result.row[primaryKey] as string) : result.id)!;
        return { id, row: result.row, repeat: false };
      }
      const row = await api.getRow(path, select, signal);
      if (typeof row[primaryKey] !== 'string')
        throw new PermanentError(`Dataverse answered a ${entitySet} row without its ${primaryKey}`, {
          code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
        });
      return { id: row[primaryKey] as string, row, repeat: true };
    };

    /** The customer a case is filed under: the contact it names, a contact made for the person, or the anonymous customer. */
    const customerFor = async (data: CrmCase, key: string, signal: AbortSignal) => {
      const ref = data.contact?.contactRef;
      if (ref !== undefined) {
        if (!GUID.test(ref))
          throw new PermanentError('crm.case /contact/contactRef is not a Dataverse contact id (a GUID); nothing was sent', {
            details: { field: '/contact/contactRef', rule: 'format' },
          });
        return { entitySet: 'contacts', id: ref.toLowerCase(), contact: true };
      }
      if (data.contact?.person) {
        const made = await createOnce('contacts', 'contactid', key, personColumns(data.contact.person, config), ['contactid'], signal);
        return { entitySet: 'contacts', id: made.id, contact: true };
      }
      if (!config.anonymousCustomer) {
        throw new PermanentError(
          'crm.case has no contact, and Dataverse files every case under a customer: set anonymousCustomer in the adapter config',
          { details: { field: '/contact', rule: 'anonymousCustomer' } },
        );
      }
      return { ...config.anonymousCustomer, contact: config.anonymousCustomer.entitySet === 'contacts' };
    };

    /** Errors for a write: a missing table or key is the council's configuration, not a missing record. */
    const forWrite = (error: unknown, type: string, data: unknown): unknown => {
      const scrubbed = maskPersonalData(error, type, data);
      if (classifyError(scrubbed) !== 'notFound') return scrubbed;
      return new PermanentError(
        `${(scrubbed as Error).message} (check the adapter's caseTable, keyColumn and the row the case refers to)`,
        {
          code: 'LGX_ERR_ADAPTER_PERMANENT',
          ...((scrubbed as { vendorCode?: string }).vendorCode ? { vendorCode: (scrubbed as { vendorCode: string }).vendorCode } : {}),
          status: 404,
        },
      );
    };

    return {
      async check({ signal }) {
        const started = Date.now();
        try {
          await api.whoAmI(signal);
          return { ok: true, latencyMs: Date.now() - started };
        } catch (error) {
          return { ok: false, message: (error as Error).message };
        }
      },

      /**
       * A contact LGX created or updated is deleted (Web API DELETE contacts(<id>)), with the person's
       * columns on it; cases filed under it are the council's to review in Dataverse.
       */
      async erase({ type, externalRef }, { signal }) {
        if (type !== 'crm.contact' || !GUID.test(externalRef))
          throw new PermanentError(`the dataverse adapter erases crm.contact rows by their id only; nothing was sent`, {
            details: { field: 'externalRef', rule: 'format' },
          });
        const deleted = await api.deleteRow(`contacts(${externalRef.toLowerCase()})`, signal);
        context.logger.info(deleted ? 'contact deleted (subject erasure)' : 'contact to erase was not there', { externalRef });
        return { status: deleted ? 'erased' : 'not_found' };
      },

      async submit(tx, { signal }) {
        const type: string = tx.type;
        const key = rowKey(tx.id);
        if (type === 'crm.case') {
          // Validate first: nothing invalid ever reaches Dataverse.
          const data = assertValidData('crm.case', tx.data);
          try {
            const customer = await customerFor(data, key, signal);
            const { body, unsent } = caseRow(data, config, table, customer);
            if (unsent.attachments || unsent.attributes || unsent.uncoded.length)
              context.logger.info('case facts without a column were not sent', { transaction: tx.id, ...unsent });
            const made = await createOnce(table.entitySet, table.primaryKey, key, body, caseSelect, signal);
            context.logger.info(made.repeat ? 'case already delivered: returning the row that is there' : 'case created', {
              externalRef: made.id,
              transaction: tx.id,
            });
            return receiptOf(made.row, made.id);
          } catch (error) {
            throw forWrite(error, 'crm.case', data);
          }
        }
        if (type === 'crm.contact') {
          const data = assertValidData('crm.contact', tx.data);
          const { body, unsent } = contactRow(data, config);
          if (unsent) context.logger.info('contact facts without a column were not sent', { transaction: tx.id, count: unsent });
          try {
            if (data.contactRef !== undefined) {
              if (!GUID.test(data.contactRef))
                throw new PermanentError('crm.contact /contactRef is not a Dataverse contact id (a GUID); nothing was sent', {
                  details: { field: '/contactRef', rule: 'format' },
                });
              await api.updateOnly(`contacts(${data.contactRef.toLowerCase()})`, body, signal);
              context.logger.info('contact updated', { externalRef: data.contactRef, transaction: tx.id });
              return { externalRef: data.contactRef.toLowerCase(), acceptedAt: now().toISOString() };
            }
            const made = await createOnce('contacts', 'contactid', key, body, ['contactid', 'createdon'], signal);
            context.logger.info(made.repeat ? 'contact already delivered' : 'contact created', {
              externalRef: made.id,
              transaction: tx.id,
            });
            return {
              externalRef: made.id,
              acceptedAt:
                typeof made.row?.createdon === 'string' ? new Date(Date.parse(made.row.createdon)).toISOString() : now().toISOString(),
            };
          } catch (error) {
            throw forWrite(error, 'crm.contact', data);
          }
        }
        throw new UnsupportedError(`the dataverse adapter does not submit ${type.slice(0, 100)}`);
      },

      async getStatus(externalRef, { signal }) {
        if (!GUID.test(externalRef)) throw new NotFoundError('externalRef is not a Dataverse row id (a GUID): no such case');
        const row = await api.getRow(`${table.entitySet}(${externalRef.toLowerCase()})`, caseSelect, signal);
        return rowUpdate(
          { ...row, [table.primaryKey]: externalRef.toLowerCase() },
          { primaryKey: table.primaryKey, keyColumn, statusMap },
          now(),
        );
      },

      async pollUpdates(cursor, { signal }) {
        return pollFeed(
          {
            api,
            entitySet: table.entitySet,
            primaryKey: table.primaryKey,
            keyColumn,
            statusMap,
            apiRoot,
            pageSize: config.maxPageSize ?? 500,
            changeTracking: config.changeTracking ?? true,
            logger: context.logger,
            now,
          },
          cursor,
          signal,
        );
      },
    };
  },
});

export default adapter;
