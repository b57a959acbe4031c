import { assertValidData, defineAdapter, validateQuery, LgxValidationError, type Receipt } from '@lgx/core';
import { configSchema, type ExampleWasteConfig } from './config';
import { toContainerRequestBody, toMissedCollectionBody, toSchedule, toStatusUpdate, type VendorCase } from './mapping';

/**
 * The Example Waste adapter. Example Waste is fictional: this package is the template every new
 * adapter starts from (`lgx new adapter <name>` copies it), so it shows each part of the contract once.
 */
export const adapter = defineAdapter({
  manifest: {
    id: 'template',
    vendor: 'Example Waste Ltd (fictional)',
    product: 'Example Waste',
    version: '0.1.0',
    sdk: '^1.0.0',
    domains: ['waste'],
    description: 'Missed collections, container requests, bin-day look-ups and status for the fictional Example Waste API.',
    specification: { name: 'Example Waste API', version: '1.0' },
  },
  configSchema,
  capabilities: [
    { type: 'waste.missedCollection', versions: [1], operations: ['submit', 'getStatus', 'pollUpdates'], idempotency: 'key' },
    { type: 'waste.containerRequest', versions: [1], operations: ['submit', 'getStatus', 'pollUpdates'], idempotency: 'key' },
    { type: 'waste.collectionSchedule', versions: [1], operations: ['query'] },
  ],
  create(context, config: ExampleWasteConfig) {
    // Retries, backoff and Retry-After are the host's business: the client is created through the
    // context, and every operation passes its signal on so timeouts and shutdown stop it.
    const http = context.http({ baseUrl: config.baseUrl, headers: { 'x-api-key': config.apiKey }, timeoutMs: config.timeoutMs ?? 15_000 });
    const services = context.mappings.service;

    return {
      async check({ signal }) {
        const started = Date.now();
        try {
          await http.get('/v1/health', { signal });
          return { ok: true, latencyMs: Date.now() - started };
        } catch (error) {
          return { ok: false, message: (error as Error).message };
        }
      },

      async submit(tx, { signal }) {
        // Validate first: nothing invalid ever reaches the vendor.
        let path: string;
        let body: unknown;
        if (tx.type === 'waste.missedCollection') {
          path = '/v1/missed-collections';
          body = toMissedCollectionBody(assertValidData('waste.missedCollection', tx.data), services);
        } else {
          path = '/v1/container-requests';
          body = toContainerRequestBody(assertValidData('waste.containerRequest', tx.data), services);
        }
        const response = await http.post<VendorCase>(path, { json: body, idempotencyKey: tx.idempotencykey, signal });
        context.logger.info('case created', { type: tx.type, externalRef: response.data.id, transaction: tx.id });
        const receipt: Receipt = {
          externalRef: response.data.id,
          status: 'open',
          externalStatusCode: response.data.status,
          acceptedAt: response.data.updated_at,
        };
        return receipt;
      },

      async getStatus(externalRef, { signal }) {
        const response = await http.get<VendorCase>(`/v1/cases/${encodeURIComponent(externalRef)}`, { signal });
        return toStatusUpdate(response.data);
      },

      async pollUpdates(cursor, { signal }) {
        const response = await http.get<{
          changes: Array<{ change_id: number; case_id: string; status: VendorCase['status']; updated_at: string; note?: string }>;
          next: string;
        }>('/v1/changes', {
          query: { since: cursor ?? '0' },
          signal,
        });
        return {
          updates: response.data.changes.map((c) =>
            toStatusUpdate({ id: c.case_id, status: c.status, updated_at: c.updated_at, note: c.note }, String(c.change_id)),
          ),
          cursor: response.data.next,
        };
      },

      async query(type, params, { signal }) {
        const checked = validateQuery(type, params);
        if (!checked.ok) throw new LgxValidationError(checked.issues, { subject: `${type} query`, issueCount: checked.issueCount });
        const response = await http.get<{ uprn: string; rounds: Parameters<typeof toSchedule>[1] }>(
          `/v1/properties/${encodeURIComponent(checked.value.uprn)}/collections`,
          { signal },
        );
        return toSchedule(checked.value.uprn, response.data.rounds, services);
      },
    };
  },
});

export default adapter;
