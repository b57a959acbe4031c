import { assertValidData, defineAdapter } from '@lgx/core';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature';

export interface WebhookTargetConfig {
  /** The subscriber's endpoint (https in production). */
  url: string;
  /** Shared secret for the LGX-Signature HMAC. */
  secret: string;
  timeoutMs?: number;
}

/** The JSON body a durable webhook POSTs. Receivers dedupe on `id` (delivery is at-least-once). */
export interface DurableWebhookBody {
  type: 'lgx.statusUpdate';
  /** Stable id of this notification (the same on every retry). */
  id: string;
  council: string;
  sentFor: string;
  update: unknown;
}

/**
 * Outbound webhooks as an adapter: each status update to publish is a `statusUpdate` transaction,
 * delivered to this target by the same durable engine as everything else (leases, retries by class,
 * dead letters, audit), so a restart loses no notification.
 */
export const webhookAdapter = defineAdapter({
  manifest: {
    id: 'lgx-webhook',
    vendor: 'LGX',
    product: 'Signed status webhooks',
    version: '0.1.0',
    sdk: '^1.0.0',
    domains: ['other'],
    description: 'POSTs canonical status updates to a subscriber, signed with HMAC-SHA256 (LGX-Signature).',
  },
  configSchema: {
    type: 'object',
    required: ['url', 'secret'],
    additionalProperties: false,
    properties: {
      url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
      secret: { type: 'string', minLength: 16, maxLength: 512, 'x-lgx-secret': true },
      timeoutMs: { type: 'integer', minimum: 100, maximum: 120000 },
    },
  },
  capabilities: [{ type: 'statusUpdate', versions: [1], operations: ['submit'], idempotency: 'key' }],
  create(context, config: WebhookTargetConfig) {
    const http = context.http({ baseUrl: config.url, timeoutMs: config.timeoutMs ?? 10_000 });
    return {
      async submit(tx, { signal }) {
        const update = assertValidData('statusUpdate', tx.data);
        const payload: DurableWebhookBody = {
          type: 'lgx.statusUpdate',
          id: tx.idempotencykey,
          council: tx.council,
          sentFor: tx.subject ?? '',
          update,
        };
        const body = JSON.stringify(payload);
        await http.post(config.url, {
          body,
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADER.toLowerCase()]: signWebhook(body, config.secret, context.clock.now()),
          },
          idempotencyKey: tx.idempotencykey,
          responseType: 'text',
          signal,
        });
        return { externalRef: tx.id };
      },
    };
  },
});
