import {
  assertValidData,
  defineAdapter,
  maskPersonalData,
  parseSchemaId,
  PermanentError,
  UnsupportedError,
  type Receipt,
  type StatusUpdate,
} from '@lgx/core';
import { attributeValue, type AlloyItem } from './alloy-api';
import { attributeEquals } from './aqs';
import { attachFiles, inlineAttachments } from './attachments';
import { itemFor } from './attribute-values';
import { lastLogged, readChanges, versionOf } from './change-feed';
import { AlloyClient, alloyHttpOptions } from './client';
import { ALLOY_TYPES, configSchema, DEFAULT_BASE_URL, type AlloyConfig, type AlloyType } from './config';
import { checkDesigns } from './design-check';
import { StatusReader } from './item-status';
import { planTypes, type TypePlan } from './type-plan';

const capabilities = ALLOY_TYPES.map((type) => ({
  type,
  versions: [1] as const,
  operations: ['submit', 'getStatus', 'pollUpdates'] as const,
  idempotency: 'lookup' as const,
}));

/**
 * The Alloy adapter: street reports, missed bins and CRM cases become items of the council's Alloy
 * designs, filled attribute by attribute as its configuration says. Before creating an item it
 * searches (AQS) for one carrying the transaction's LGX id, so a repeated delivery never makes a
 * second; status comes from an option attribute through the council's mapping, by look-up and by
 * polling AQS on lastEditDate windows.
 */
export const adapter = defineAdapter({
  manifest: {
    id: 'alloy',
    vendor: 'Yotta',
    product: 'Alloy',
    version: '0.1.0',
    sdk: '^1.0.0',
    domains: ['highways', 'street', 'waste', 'crm'],
    description:
      "Street reports, missed bins and CRM cases as items of the council's Alloy designs: look-before-create on an LGX id attribute, status from option items, polling by AQS lastEditDate windows.",
    homepage: 'https://developer.alloyapp.io/',
    specification: {
      name: 'Alloy API v2, as used by public integrations (mysociety/open311-adapter perllib/Integrations/AlloyV2.pm and its fixtures); the developer site could not be read',
      version: 'v2 (open311-adapter as of 2026-06-25)',
      url: 'https://github.com/mysociety/open311-adapter/blob/master/perllib/Integrations/AlloyV2.pm',
    },
  },
  configSchema,
  capabilities,
  create(context, config: AlloyConfig) {
    const plans = planTypes(config, context.mappings);
    const alloy = new AlloyClient(context.http(alloyHttpOptions(config, DEFAULT_BASE_URL)));
    const reader = new StatusReader(context.logger);
    const now = () => context.clock.now();
    const feed = {
      overlapMs: (config.poll?.overlapSeconds ?? 120) * 1000,
      pageSize: config.poll?.pageSize ?? 100,
      maxItems: config.poll?.maxItems ?? 200,
      itemLog: config.poll?.itemLog ?? true,
    };

    /** The item an earlier attempt created for this transaction, found by its LGX id. */
    async function existing(plan: TypePlan, transactionId: string, signal: AbortSignal): Promise<AlloyItem | undefined> {
      const found = await alloy.query(
        attributeEquals(plan.designCode, plan.collectionCode, plan.transactionIdAttribute, transactionId),
        1,
        2,
        signal,
      );
      // The filter is Alloy's; the id is checked here too, as a search that matched loosely must not count.
      const mine = found.filter((item) => attributeValue(item, plan.transactionIdAttribute) === transactionId);
      if (mine.length > 1)
        context.logger.warn('more than one Alloy item carries this LGX id; the first is used', {
          transaction: transactionId,
          design: plan.designCode,
        });
      return mine[0];
    }

    function receiptFor(item: AlloyItem, plan: TypePlan): Receipt {
      const read = reader.read(item, plan.status);
      return {
        externalRef: item.itemId,
        status: read.status,
        ...(read.externalStatusCode !== undefined ? { externalStatusCode: read.externalStatusCode } : {}),
        acceptedAt: now().toISOString(),
      };
    }

    function planOfItem(item: AlloyItem): TypePlan {
      const plan = [...plans.values()].find((p) => p.designCode === item.designCode);
      if (!plan)
        throw new PermanentError(`Alloy item ${item.itemId} is of a design no configured type uses, so its status cannot be read`, {
          vendorCode: 'UnknownDesign',
        });
      return plan;
    }

    return {
      async check({ signal }) {
        const started = Date.now();
        try {
          const problems = await checkDesigns(alloy, [...plans.values()], signal);
          return problems.length
            ? { ok: false, message: problems.join('; ').slice(0, 1000), latencyMs: Date.now() - started }
            : { ok: true, latencyMs: Date.now() - started };
        } catch (error) {
          return { ok: false, message: (error as Error).message };
        }
      },

      async submit(tx, { signal }) {
        const plan = plans.get(tx.type as AlloyType);
        if (!plan)
          throw new UnsupportedError(`'${tx.type}' is not configured for this Alloy customer (add it under types in the adapter config)`);
        // Validate first, and build the item before any request: a mapping problem sends nothing.
        const version = parseSchemaId(tx.dataschema)?.major;
        assertValidData(tx.type, tx.data, version !== undefined ? { version } : {});
        const body = itemFor(plan, tx, context.mappings);
        const files = plan.attachmentsAttribute ? inlineAttachments(plan.type, tx.data) : [];
        try {
          let item = await existing(plan, tx.id, signal);
          if (item) context.logger.info('item already in Alloy for this transaction', { externalRef: item.itemId, transaction: tx.id });
          else {
            item = await alloy.createItem(body, signal);
            context.logger.info('item created', { externalRef: item.itemId, design: plan.designCode, transaction: tx.id });
          }
          if (plan.attachmentsAttribute) item = await attachFiles(alloy, item, plan.attachmentsAttribute, files, signal, context.logger);
          return receiptFor(item, plan);
        } catch (error) {
          // Alloy's explanations can quote what it was sent: none of the citizen's data goes on.
          throw maskPersonalData(error, tx.type, tx.data);
        }
      },

      async getStatus(externalRef, { signal }) {
        const item = await alloy.getItem(externalRef, signal);
        const plan = planOfItem(item);
        const read = reader.read(item, plan.status);
        const editedAt = (feed.itemLog ? await lastLogged(alloy, item.itemId, signal) : undefined) ?? now().toISOString();
        const update: StatusUpdate = {
          externalRef: item.itemId,
          updateId: `${item.itemId}:${versionOf(item)}`.slice(0, 128),
          status: read.status,
          updatedAt: editedAt,
          source: 'alloy',
        };
        if (read.externalStatusCode !== undefined) update.externalStatusCode = read.externalStatusCode;
        if (read.note !== undefined) update.description = read.note;
        return update;
      },

      async pollUpdates(cursor, { signal }) {
        return readChanges({
          alloy,
          plans: [...plans.values()],
          cursorText: cursor,
          now: now(),
          options: feed,
          reader,
          logger: context.logger,
          signal,
        });
      },
    };
  },
});

export default adapter;
