import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CallbackRequest, CallbackResult, StatusUpdate } from '@lgx/core';
import type { PayPayment, PayRefund } from './govuk-pay-api';
import { hasControlCharacter, toRefund, toStatusUpdate } from './mapping';

/** Largest webhook body accepted (GOV.UK Pay messages are a few kilobytes). */
export const MAX_WEBHOOK_BYTES = 256 * 1024;

function header(headers: CallbackRequest['headers'], name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/**
 * True when `Pay-Signature` is the lower-case hex HMAC-SHA256 of the raw body keyed with the signing
 * secret (compared in constant time).
 */
export function verifyPaySignature(body: Uint8Array, signature: string | undefined, secret: string): boolean {
  if (typeof signature !== 'string') return false;
  const given = signature.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

interface WebhookMessage {
  id?: unknown;
  created_date?: unknown;
  resource_type?: unknown;
  event_type?: unknown;
  resource?: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What happened to a webhook, for the adapter to log (no payload, no personal data). */
export type WebhookOutcome = 'accepted' | 'ignored' | 'bad-signature' | 'no-secret' | 'too-large' | 'malformed';

/**
 * Turns a GOV.UK Pay webhook into canonical status updates. A missing or wrong signature (or no
 * configured secret) is refused with 401 and no updates; a signed but unreadable body with 400; an
 * event this adapter does not map is acknowledged (200) with no updates, so GOV.UK Pay stops resending.
 */
export function handlePayWebhook(
  request: CallbackRequest,
  secret: string | undefined,
  now: Date,
): CallbackResult & { outcome: WebhookOutcome; event?: string } {
  if (!secret) return { status: 401, updates: [], outcome: 'no-secret' };
  if (request.body.byteLength > MAX_WEBHOOK_BYTES) return { status: 413, updates: [], outcome: 'too-large' };
  if (!verifyPaySignature(request.body, header(request.headers, 'pay-signature'), secret))
    return { status: 401, updates: [], outcome: 'bad-signature' };
  let message: WebhookMessage;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(request.body).toString('utf8'));
    if (!isObject(parsed)) throw new TypeError('not an object');
    message = parsed;
  } catch {
    return { status: 400, updates: [], outcome: 'malformed' };
  }
  const event = typeof message.event_type === 'string' ? message.event_type.toLowerCase().slice(0, 60) : undefined;
  const type = typeof message.resource_type === 'string' ? message.resource_type.toLowerCase() : undefined;
  const createdAt =
    typeof message.created_date === 'string' && !Number.isNaN(Date.parse(message.created_date)) && message.created_date.length <= 40
      ? message.created_date
      : now.toISOString();
  const messageId = typeof message.id === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(message.id) ? message.id : undefined;
  const resource = message.resource;
  const updates: StatusUpdate[] = [];
  const base = { updatedAt: createdAt, ...(messageId ? { updateId: `webhook:${messageId}` } : {}) };
  if (
    type === 'payment' &&
    isObject(resource) &&
    typeof resource.payment_id === 'string' &&
    isObject(resource.state) &&
    typeof resource.state.status === 'string'
  ) {
    try {
      updates.push(toStatusUpdate(resource as unknown as PayPayment, base));
    } catch {
      return { status: 200, updates: [], outcome: 'ignored', ...(event ? { event } : {}) };
    }
  } else if (type === 'refund' && isObject(resource) && typeof resource.payment_id === 'string' && typeof resource.refund_id === 'string') {
    // A refund only exists on a payment that succeeded.
    const refund = toRefund(resource as unknown as PayRefund);
    if (refund) {
      updates.push({
        externalRef: resource.payment_id,
        status: 'closed',
        externalStatusCode: 'success',
        source: 'govuk-pay',
        ...base,
        payment: { state: 'success', finished: true, refunds: [refund] },
      });
    }
  }
  const valid = updates.filter((u) => u.externalRef.length >= 1 && u.externalRef.length <= 128 && !hasControlCharacter(u.externalRef));
  return { status: 200, updates: valid, outcome: valid.length ? 'accepted' : 'ignored', ...(event ? { event } : {}) };
}
