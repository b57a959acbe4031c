import { createHash } from 'node:crypto';
import { PermanentError, assertValidData, defineAdapter, type StatusUpdate } from '@lgx/core';
import { GovukPayClient, payHttpOptions } from './client';
import { DEFAULT_BASE_URL, configSchema, type GovukPayConfig } from './config';
import type { PayPayment } from './govuk-pay-api';
import { payIdempotencyKey, stateUpdateId, toCreateRequest, toReceipt, toStatusUpdate } from './mapping';
import { MAX_SEEN, decodeCursor, encodeCursor, toSecond, type PollCursor } from './poll-cursor';
import { handlePayWebhook } from './webhook';

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Search pages read per poll (500 payments each). */
const MAX_PAGES = 20;
const PAGE_SIZE = 500;

/**
 * The GOV.UK Pay adapter: takes canonical payments on GOV.UK Pay's hosted payment pages, reports
 * their state (by look-up, by polling the payment search, and from signed webhooks) and refunds them
 * through the exported `refundPayment` helper. Card details never pass through it.
 */
export const adapter = defineAdapter({
  manifest: {
    id: 'govuk-pay',
    vendor: 'Government Digital Service',
    product: 'GOV.UK Pay',
    version: '0.1.0',
    sdk: '^1.0.0',
    domains: ['payments'],
    description:
      'Card payments on GOV.UK Pay hosted pages: create with an idempotency key, status by look-up, polling and signed webhooks; refunds by helper.',
    homepage: 'https://docs.payments.service.gov.uk/',
    specification: {
      name: 'GOV.UK Pay API (OpenAPI, alphagov/pay-publicapi openapi/publicapi_spec.json)',
      version: '1.0.3 (commit 4d61e89, 2026-08-07)',
      url: 'https://github.com/alphagov/pay-publicapi/blob/main/openapi/publicapi_spec.json',
    },
  },
  configSchema,
  capabilities: [
    { type: 'payment', versions: [2], operations: ['submit', 'getStatus', 'pollUpdates', 'handleCallback'], idempotency: 'key' },
  ],
  create(context, config: GovukPayConfig) {
    const pay = new GovukPayClient(context.http(payHttpOptions(config, DEFAULT_BASE_URL)));
    const now = () => context.clock.now();

    async function withRefunds(payment: PayPayment, signal: AbortSignal): Promise<StatusUpdate> {
      const refunded = payment.refund_summary?.amount_submitted;
      const refunds = typeof refunded === 'number' && refunded > 0 ? await pay.getRefunds(payment.payment_id, signal) : [];
      try {
        return toStatusUpdate(payment, { updatedAt: now().toISOString(), updateId: stateUpdateId(payment), refunds });
      } catch (cause) {
        throw new PermanentError(`GOV.UK Pay reported payment ${payment.payment_id} in a state this adapter does not know`, {
          cause,
          code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
        });
      }
    }

    return {
      async check({ signal }) {
        const started = Date.now();
        try {
          // The smallest authenticated call: it proves the key as well as the network.
          await pay.searchPayments({ from_date: toSecond(now().getTime()), page: 1, display_size: 1 }, signal);
          return { ok: true, latencyMs: Date.now() - started };
        } catch (error) {
          return { ok: false, message: (error as Error).message };
        }
      },

      async submit(tx, { signal }) {
        // Validate first: nothing invalid ever reaches GOV.UK Pay.
        const data = assertValidData('payment', tx.data, { version: 2 });
        const body = toCreateRequest(data, tx.id, config.returnUrlOrigins);
        const payment = await pay.createPayment(body, payIdempotencyKey(tx.idempotencykey, sha256Hex), signal);
        context.logger.info('payment created', { externalRef: payment.payment_id, state: payment.state.status, transaction: tx.id });
        return toReceipt(payment, now());
      },

      async getStatus(externalRef, { signal }) {
        return withRefunds(await pay.getPayment(externalRef, signal), signal);
      },

      async pollUpdates(cursorText, { signal }) {
        const cursor = decodeCursor(cursorText, now());
        const found = new Map<string, PayPayment>();
        for (let page = 1; page <= MAX_PAGES; page++) {
          const results = await pay.searchPayments({ from_date: cursor.from, page, display_size: PAGE_SIZE }, signal);
          for (const p of results.results ?? [])
            if (typeof p?.payment_id === 'string' && typeof p.state?.status === 'string') found.set(p.payment_id, p);
          if ((results.results?.length ?? 0) < PAGE_SIZE || !results._links?.next_page) break;
          if (page === MAX_PAGES)
            context.logger.warn('poll stopped at the page limit; the rest comes on the next poll', { pages: MAX_PAGES });
        }
        const seenAt = now();
        const payments = [...found.values()].sort((a, b) => String(a.created_date).localeCompare(String(b.created_date)));
        const updates: StatusUpdate[] = [];
        const seen: PollCursor['seen'] = Object.create(null) as PollCursor['seen'];
        for (const p of payments) {
          const key = stateUpdateId(p);
          const created = typeof p.created_date === 'string' && !Number.isNaN(Date.parse(p.created_date)) ? p.created_date : cursor.from;
          seen[p.payment_id] = [key, created];
          if (cursor.seen[p.payment_id]?.[0] === key) continue;
          try {
            updates.push(toStatusUpdate(p, { updatedAt: seenAt.toISOString(), updateId: key }));
          } catch {
            context.logger.warn('payment in an unknown state skipped', { externalRef: p.payment_id });
          }
        }
        // Read again from the oldest unfinished payment (or the newest payment, when all have finished).
        const open = payments.filter(
          (p) => p.state.finished !== true && !['success', 'failed', 'cancelled', 'error'].includes(p.state.status),
        );
        const anchor = open[0] ?? payments.at(-1);
        const from = anchor ? toSecond(Date.parse(seen[anchor.payment_id]![1])) : cursor.from;
        const fromMs = Date.parse(from);
        const kept: PollCursor['seen'] = Object.create(null) as PollCursor['seen'];
        let count = 0;
        for (const [id, value] of Object.entries(seen)) {
          if (Date.parse(value[1]) >= fromMs && count++ < MAX_SEEN) kept[id] = value;
        }
        return { updates, cursor: encodeCursor({ v: 1, from, seen: kept }) };
      },

      async handleCallback(request) {
        const result = handlePayWebhook(request, config.webhookSigningSecret, now());
        const fields = { outcome: result.outcome, ...(result.event ? { event: result.event } : {}), updates: result.updates.length };
        if (result.status === 200) context.logger.info('webhook received', fields);
        else context.logger.warn('webhook refused', fields);
        return { status: result.status ?? 200, updates: result.updates };
      },
    };
  },
});

export default adapter;
