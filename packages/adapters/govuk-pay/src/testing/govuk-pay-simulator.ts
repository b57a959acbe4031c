/**
 * A simulator of the GOV.UK Pay public API (card payments), built from its published OpenAPI
 * (alphagov/pay-publicapi `openapi/publicapi_spec.json`, "GOV.UK Pay API" 1.0.3) and the GOV.UK Pay
 * technical documentation. It keeps payments, their event history and refunds in memory, checks the
 * Bearer API key, honours `Idempotency-Key`, applies the published request rules and the 15 POSTs a
 * second rate limit (answering 429 with error code P0900), and signs webhook messages the way GOV.UK
 * Pay does (`Pay-Signature`: lower-case hex HMAC-SHA256 of the body with the webhook signing secret).
 *
 * It never holds a card number, security code or expiry date: card details are typed into the
 * provider's hosted page, and the simulator only invents the brand and last four digits.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { reply, startRestSimulator, type RestRequest, type RestResponse, type RestSimulator } from '@lgx/testkit';

/** The API key the simulator accepts unless another is given. */
export const GOVUK_PAY_SIMULATOR_API_KEY = 'api_test_lgx-simulator-key-0000000000000000000000000';

/** GOV.UK Pay payment states (`state.status`). */
export type GovukPayPaymentStatus = 'created' | 'started' | 'submitted' | 'capturable' | 'success' | 'failed' | 'cancelled' | 'error';

/** The failure codes GOV.UK Pay puts in `state.code` when a payment does not succeed. */
export type GovukPayFailureCode = 'P0010' | 'P0020' | 'P0030' | 'P0040' | 'P0050';

/** What each failure code does to a payment, as the GOV.UK Pay documentation describes it. */
export const GOVUK_PAY_FAILURES: Readonly<Record<GovukPayFailureCode, { status: 'failed' | 'cancelled' | 'error'; message: string }>> = {
  P0010: { status: 'failed', message: 'Payment method rejected' },
  P0020: { status: 'failed', message: 'Payment expired' },
  P0030: { status: 'failed', message: 'Payment was cancelled by the user' },
  P0040: { status: 'cancelled', message: 'Payment was cancelled by the service' },
  P0050: { status: 'error', message: 'Payment provider returned an error' },
};

const FINISHED: ReadonlySet<GovukPayPaymentStatus> = new Set(['success', 'failed', 'cancelled', 'error']);

export interface GovukPayPaymentState {
  status: GovukPayPaymentStatus;
  finished: boolean;
  code?: string;
  message?: string;
}

export interface GovukPaySimulatedRefund {
  refund_id: string;
  payment_id: string;
  amount: number;
  status: 'submitted' | 'success' | 'error';
  created_date: string;
}

/** A payment as the simulator stores it (no card number, security code or expiry, ever). */
export interface GovukPaySimulatedPayment {
  payment_id: string;
  amount: number;
  description: string;
  reference: string;
  return_url: string;
  language: 'en' | 'cy';
  email?: string;
  delayed_capture: boolean;
  moto: boolean;
  metadata?: Record<string, string | number | boolean>;
  state: GovukPayPaymentState;
  created_date: string;
  provider_id?: string;
  card_brand?: string;
  last_digits_card_number?: string;
  /** Every state the payment has been in, oldest first. */
  events: Array<{ state: GovukPayPaymentState; updated: string }>;
  refunds: GovukPaySimulatedRefund[];
  /** The request body it was created from (for the Idempotency-Key comparison). */
  requestHash: string;
}

export interface GovukPaySimulatorState {
  payments: Map<string, GovukPaySimulatedPayment>;
  /** Idempotency-Key -> payment id. */
  idempotencyKeys: Map<string, string>;
  /** POSTs seen in the current one-second window, per rate-limit bucket. */
  windows: Map<string, { start: number; count: number }>;
}

export interface GovukPaySimulatorOptions {
  /** The API key to accept (default GOVUK_PAY_SIMULATOR_API_KEY). */
  apiKey?: string;
  /** The webhook signing secret sendWebhook() signs with (default a fixed test secret). */
  webhookSigningSecret?: string;
  /** POSTs a second per bucket (create / capture / other) before 429 P0900; default 15, null for no limit. */
  postsPerSecond?: number | null;
  /** Retry-After seconds sent with a P0900 answer; GOV.UK Pay documents none, so none by default. */
  retryAfterSeconds?: number;
  /** Port on 127.0.0.1 (default: any free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Folder to keep payments and refunds in (`govuk-pay.json`), so a restart still knows them. Default: memory only. */
  stateDir?: string;
}

export interface GovukPayWebhookDelivery {
  /** The raw body, exactly as signed. */
  body: string;
  headers: Record<string, string>;
}

export interface GovukPaySimulator extends RestSimulator<GovukPaySimulatorState> {
  apiKey: string;
  webhookSigningSecret: string;
  /** Changes the POST rate limit (null: none) without restarting. */
  setPostsPerSecond(limit: number | null): void;
  /** The payment, or an error naming the id when there is none. */
  payment(paymentId: string): GovukPaySimulatedPayment;
  /** Moves a payment on (created -> started -> submitted -> capturable/success), as the paying user would. */
  advance(
    paymentId: string,
    to: 'started' | 'submitted' | 'capturable' | 'success',
    card?: { brand?: string; lastFour?: string },
  ): GovukPaySimulatedPayment;
  /** The user pays: straight to success (or capturable when the payment has delayed capture). */
  complete(paymentId: string, card?: { brand?: string; lastFour?: string }): GovukPaySimulatedPayment;
  /** The payment ends without success, with GOV.UK Pay's failure code (P0010 ... P0050). */
  fail(paymentId: string, code: GovukPayFailureCode): GovukPaySimulatedPayment;
  /** The provider settles (success) or rejects (error) a submitted refund. */
  settleRefund(paymentId: string, refundId: string, status: 'success' | 'error'): GovukPaySimulatedRefund;
  /** A webhook message for a payment (or its latest refund), signed with the signing secret. */
  webhook(paymentId: string, eventType: string, options?: { secret?: string; messageId?: string }): GovukPayWebhookDelivery;
  /** Builds a signed webhook message and POSTs it to `url`; resolves with the receiver's answer. */
  sendWebhook(
    url: string,
    paymentId: string,
    eventType: string,
    options?: { secret?: string; messageId?: string },
  ): Promise<{ status: number; body: string }>;
}

/** The webhook signing secret the simulator signs with unless another is given. */
export const GOVUK_PAY_SIMULATOR_SIGNING_SECRET = 'webhook_test_lgx-simulator-signing-secret';

/** Lower-case hex HMAC-SHA256 of the body with the secret: the value of GOV.UK Pay's `Pay-Signature`. */
export function signGovukPayWebhook(body: string | Uint8Array, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

const CREATE_FIELDS: ReadonlySet<string> = new Set([
  'amount',
  'reference',
  'description',
  'return_url',
  'language',
  'email',
  'delayed_capture',
  'moto',
  'metadata',
  'prefilled_cardholder_details',
  'authorisation_mode',
  'agreement_id',
  'set_up_agreement',
  'agreement_payment_type',
]);

function requestError(status: number, code: string, description: string, field?: string, header?: string): RestResponse {
  return reply(status, { code, description, ...(field ? { field } : {}), ...(header ? { header } : {}) });
}

function newId(): string {
  // GOV.UK Pay ids are 26 lower-case letters and digits.
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(26), (b) => alphabet[b % alphabet.length]).join('');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateCreate(body: Record<string, unknown>): RestResponse | undefined {
  for (const key of Object.keys(body)) if (!CREATE_FIELDS.has(key)) return requestError(400, 'P0104', `Unexpected attribute: ${key}`, key);
  for (const field of ['amount', 'description', 'reference', 'return_url']) {
    if (body[field] === undefined || body[field] === null)
      return requestError(400, 'P0101', `Missing mandatory attribute: ${field}`, field);
  }
  const invalid = (field: string, why: string) => requestError(422, 'P0102', `Invalid attribute value: ${field}. ${why}`, field);
  const { amount, reference, description, return_url: returnUrl, language, email, delayed_capture: delayed, moto, metadata } = body;
  if (typeof amount !== 'number' || !Number.isInteger(amount)) return invalid('amount', 'Must be a whole number of pence');
  if (amount < 1) return invalid('amount', 'Must be greater than or equal to 1');
  if (amount > 10_000_000) return invalid('amount', 'Must be less than or equal to 10000000');
  if (typeof reference !== 'string' || reference.length > 255) return invalid('reference', 'Must be a string of at most 255 characters');
  if (typeof description !== 'string' || description.length > 255)
    return invalid('description', 'Must be a string of at most 255 characters');
  if (typeof returnUrl !== 'string' || returnUrl.length > 2000) return invalid('return_url', 'Must be a string of at most 2000 characters');
  let parsed: URL;
  try {
    parsed = new URL(returnUrl);
  } catch {
    return invalid('return_url', 'Must be a valid URL format');
  }
  if (parsed.protocol !== 'https:')
    return requestError(422, 'P0920', 'Invalid attribute value: return_url. Must be a valid URL format using https', 'return_url');
  if (language !== undefined && language !== 'en' && language !== 'cy') return invalid('language', 'Must be "en" or "cy"');
  if (email !== undefined && (typeof email !== 'string' || email.length > 254))
    return invalid('email', 'Must be a string of at most 254 characters');
  if (delayed !== undefined && typeof delayed !== 'boolean') return invalid('delayed_capture', 'Must be true or false');
  if (moto !== undefined && typeof moto !== 'boolean') return invalid('moto', 'Must be true or false');
  if (moto === true) return requestError(422, 'P0196', 'MOTO payments are not enabled for this account.');
  if (body.authorisation_mode !== undefined && body.authorisation_mode !== 'web')
    return requestError(422, 'P0195', 'Only authorisation_mode web is enabled for this simulated account');
  if (body.agreement_id !== undefined || body.set_up_agreement !== undefined || body.agreement_payment_type !== undefined) {
    return requestError(422, 'P0942', 'Recurring card payments are currently disabled for this service.');
  }
  if (metadata !== undefined) {
    if (!isPlainObject(metadata)) return invalid('metadata', 'Must be an object of keys and values');
    const entries = Object.entries(metadata);
    if (entries.length > 10) return invalid('metadata', 'Cannot have more than 10 key-value pairs');
    for (const [key, value] of entries) {
      if (key.length < 1 || key.length > 30) return invalid('metadata', 'Keys must be between 1 and 30 characters long');
      const ok =
        typeof value === 'boolean' ||
        (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && value.length <= 100);
      if (!ok) return invalid('metadata', 'Values must be of type String, Boolean or Number, and strings at most 100 characters');
    }
  }
  return undefined;
}

function bodyHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

function link(href: string, method = 'GET') {
  return { href, method };
}

/** The payment as GET /v1/payments/{id} answers (only card brand and last four digits of the card). */
export function paymentResource(p: GovukPaySimulatedPayment, baseUrl: string): Record<string, unknown> {
  const self = `${baseUrl}/v1/payments/${p.payment_id}`;
  const refunded = p.refunds.filter((r) => r.status !== 'error').reduce((sum, r) => sum + r.amount, 0);
  const refundStatus =
    p.state.status !== 'success' ? (p.state.finished ? 'unavailable' : 'pending') : refunded >= p.amount ? 'full' : 'available';
  const links: Record<string, unknown> = {
    self: link(self),
    events: link(`${self}/events`),
    refunds: link(`${self}/refunds`),
  };
  if (p.state.status === 'created') {
    links.next_url = link(`${baseUrl}/secure/${p.payment_id}`);
    links.next_url_post = {
      type: 'application/x-www-form-urlencoded',
      params: { chargeTokenId: p.payment_id },
      href: `${baseUrl}/secure`,
      method: 'POST',
    };
  }
  if (!p.state.finished) links.cancel = link(`${self}/cancel`, 'POST');
  if (p.state.status === 'capturable') links.capture = link(`${self}/capture`, 'POST');
  return {
    amount: p.amount,
    description: p.description,
    reference: p.reference,
    language: p.language,
    ...(p.email !== undefined ? { email: p.email } : {}),
    ...(p.metadata !== undefined ? { metadata: p.metadata } : {}),
    state: { ...p.state },
    payment_id: p.payment_id,
    payment_provider: 'sandbox',
    created_date: p.created_date,
    refund_summary: {
      status: refundStatus,
      amount_available: p.state.status === 'success' ? p.amount - refunded : 0,
      amount_submitted: refunded,
    },
    settlement_summary: {},
    ...(p.card_brand !== undefined
      ? { card_details: { card_brand: p.card_brand, last_digits_card_number: p.last_digits_card_number, card_type: 'debit' } }
      : {}),
    delayed_capture: p.delayed_capture,
    moto: p.moto,
    ...(p.provider_id !== undefined ? { provider_id: p.provider_id } : {}),
    return_url: p.return_url,
    authorisation_mode: 'web',
    _links: links,
  };
}

function refundResource(r: GovukPaySimulatedRefund, baseUrl: string): Record<string, unknown> {
  return {
    refund_id: r.refund_id,
    payment_id: r.payment_id,
    amount: r.amount,
    status: r.status,
    created_date: r.created_date,
    _links: {
      self: link(`${baseUrl}/v1/payments/${r.payment_id}/refunds/${r.refund_id}`),
      payment: link(`${baseUrl}/v1/payments/${r.payment_id}`),
    },
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Starts the GOV.UK Pay simulator on 127.0.0.1. */
export async function startGovukPaySimulator(options: GovukPaySimulatorOptions = {}): Promise<GovukPaySimulator> {
  const apiKey = options.apiKey ?? GOVUK_PAY_SIMULATOR_API_KEY;
  const webhookSigningSecret = options.webhookSigningSecret ?? GOVUK_PAY_SIMULATOR_SIGNING_SECRET;
  let postsPerSecond: number | null = options.postsPerSecond === undefined ? 15 : options.postsPerSecond;
  let baseUrl = '';

  const now = () => new Date().toISOString();
  const setState = (p: GovukPaySimulatedPayment, state: GovukPayPaymentState) => {
    p.state = state;
    p.events.push({ state: { ...state }, updated: now() });
  };
  // Helpers change payments outside a request; requests save their own changes.
  const changed = <T>(value: T): T => {
    void sim.saveState();
    return value;
  };

  /** GOV.UK Pay limits create, capture and other POSTs to 15 a second each. */
  const limited = (state: GovukPaySimulatorState, bucket: string): RestResponse | undefined => {
    if (postsPerSecond === null) return undefined;
    const at = Date.now();
    const window = state.windows.get(bucket);
    if (!window || at - window.start >= 1000) {
      state.windows.set(bucket, { start: at, count: 1 });
      return undefined;
    }
    window.count++;
    if (window.count <= postsPerSecond) return undefined;
    return reply(
      429,
      { code: 'P0900', description: 'Too many requests' },
      options.retryAfterSeconds !== undefined ? { 'retry-after': String(options.retryAfterSeconds) } : undefined,
    );
  };

  const find = (state: GovukPaySimulatorState, req: RestRequest, notFoundCode: string): GovukPaySimulatedPayment | RestResponse => {
    const p = state.payments.get(req.params.paymentId ?? '');
    return p ?? requestError(404, notFoundCode, 'Not found');
  };

  const sim = await startRestSimulator<GovukPaySimulatorState>({
    name: 'govuk-pay',
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    state: () => ({ payments: new Map(), idempotencyKeys: new Map(), windows: new Map() }),
    auth: (req) => {
      const header = single(req.headers.authorization);
      // GOV.UK Pay answers a missing or unknown key with 401 and no error body.
      return header === `Bearer ${apiKey}` ? true : { status: 401 };
    },
    routes: [
      {
        method: 'POST',
        path: '/v1/payments',
        handler: (req, { state }) => {
          const slow = limited(state, 'create');
          if (slow) return slow;
          const key = single(req.headers['idempotency-key']);
          if (key !== undefined && key !== '' && (key.length > 255 || !/^[a-zA-Z0-9-]+$/.test(key))) {
            return requestError(
              422,
              'P0102',
              'Header [Idempotency-Key] can only contain alphanumeric characters and hyphens, and have a size between 1 and 255',
              undefined,
              'Idempotency-Key',
            );
          }
          if (!isPlainObject(req.json)) return requestError(400, 'P0197', 'Unable to parse JSON');
          const body = req.json;
          const invalid = validateCreate(body);
          if (invalid) return invalid;
          const hash = bodyHash(body);
          if (key) {
            const existing = state.payments.get(state.idempotencyKeys.get(key) ?? '');
            if (existing) {
              if (existing.requestHash !== hash)
                return requestError(
                  409,
                  'P0191',
                  'The `Idempotency-Key` you sent in the request header has already been used to create a payment.',
                );
              return reply(200, paymentResource(existing, baseUrl));
            }
          }
          const created = now();
          const payment: GovukPaySimulatedPayment = {
            payment_id: newId(),
            amount: body.amount as number,
            description: body.description as string,
            reference: body.reference as string,
            return_url: body.return_url as string,
            language: (body.language as 'en' | 'cy' | undefined) ?? 'en',
            ...(typeof body.email === 'string' ? { email: body.email } : {}),
            delayed_capture: body.delayed_capture === true,
            moto: false,
            ...(isPlainObject(body.metadata) ? { metadata: { ...(body.metadata as Record<string, string | number | boolean>) } } : {}),
            state: { status: 'created', finished: false },
            created_date: created,
            events: [{ state: { status: 'created', finished: false }, updated: created }],
            refunds: [],
            requestHash: hash,
          };
          state.payments.set(payment.payment_id, payment);
          if (key) state.idempotencyKeys.set(key, payment.payment_id);
          return reply(201, paymentResource(payment, baseUrl), { location: `${baseUrl}/v1/payments/${payment.payment_id}` });
        },
      },
      {
        method: 'GET',
        path: '/v1/payments',
        handler: (req, { state }) => {
          const fromDate = single(req.query.from_date);
          const toDate = single(req.query.to_date);
          const reference = single(req.query.reference);
          const status = single(req.query.state);
          const pageText = single(req.query.page) ?? '1';
          const sizeText = single(req.query.display_size) ?? '500';
          const bad: string[] = [];
          const from = fromDate === undefined ? undefined : Date.parse(fromDate);
          const to = toDate === undefined ? undefined : Date.parse(toDate);
          if (from !== undefined && Number.isNaN(from)) bad.push('from_date');
          if (to !== undefined && Number.isNaN(to)) bad.push('to_date');
          if (!/^[1-9][0-9]{0,6}$/.test(pageText)) bad.push('page');
          if (!/^[1-9][0-9]{0,2}$/.test(sizeText) || Number(sizeText) > 500) bad.push('display_size');
          if (status !== undefined && !['created', 'started', 'submitted', 'success', 'failed', 'cancelled', 'error'].includes(status))
            bad.push('state');
          if (bad.length)
            return requestError(
              422,
              'P0401',
              `Invalid parameters: ${bad.join(', ')}. See Public API documentation for the correct data formats`,
            );
          const page = Number(pageText);
          const size = Number(sizeText);
          const matching = [...state.payments.values()]
            .filter(
              (p) => (from === undefined || Date.parse(p.created_date) >= from) && (to === undefined || Date.parse(p.created_date) < to),
            )
            .filter((p) => (reference === undefined || p.reference === reference) && (status === undefined || p.state.status === status))
            .sort((a, b) => b.created_date.localeCompare(a.created_date));
          const lastPage = Math.max(1, Math.ceil(matching.length / size));
          if (page > lastPage && matching.length > 0) return requestError(404, 'P0402', 'Page not found');
          const results = matching.slice((page - 1) * size, page * size).map((p) => paymentResource(p, baseUrl));
          const pageLink = (n: number) => {
            const url = new URL(`${baseUrl}/v1/payments`);
            for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string' && k !== 'page') url.searchParams.set(k, v);
            url.searchParams.set('page', String(n));
            return link(url.href);
          };
          return reply(200, {
            total: matching.length,
            count: results.length,
            page,
            results,
            _links: {
              self: pageLink(page),
              first_page: pageLink(1),
              last_page: pageLink(lastPage),
              ...(page > 1 ? { prev_page: pageLink(page - 1) } : {}),
              ...(page < lastPage ? { next_page: pageLink(page + 1) } : {}),
            },
          });
        },
      },
      {
        method: 'GET',
        path: '/v1/payments/:paymentId',
        handler: (req, { state }) => {
          const p = find(state, req, 'P0200');
          return 'payment_id' in p ? reply(200, paymentResource(p, baseUrl)) : p;
        },
      },
      {
        method: 'GET',
        path: '/v1/payments/:paymentId/events',
        handler: (req, { state }) => {
          const p = find(state, req, 'P0300');
          if (!('payment_id' in p)) return p;
          const self = `${baseUrl}/v1/payments/${p.payment_id}`;
          return reply(200, {
            payment_id: p.payment_id,
            events: p.events.map((e) => ({
              payment_id: p.payment_id,
              state: e.state,
              updated: e.updated,
              _links: { payment_url: link(self) },
            })),
            _links: { self: link(`${self}/events`) },
          });
        },
      },
      {
        method: 'POST',
        path: '/v1/payments/:paymentId/cancel',
        handler: (req, { state }) => {
          const slow = limited(state, 'other');
          if (slow) return slow;
          const p = find(state, req, 'P0500');
          if (!('payment_id' in p)) return p;
          if (p.state.finished) return requestError(400, 'P0501', 'Cancellation of payment failed');
          setState(p, { status: 'cancelled', finished: true, code: 'P0040', message: GOVUK_PAY_FAILURES.P0040.message });
          return { status: 204 };
        },
      },
      {
        method: 'POST',
        path: '/v1/payments/:paymentId/capture',
        handler: (req, { state }) => {
          const slow = limited(state, 'capture');
          if (slow) return slow;
          const p = find(state, req, 'P1000');
          if (!('payment_id' in p)) return p;
          if (p.state.status !== 'capturable') return requestError(409, 'P1003', 'Payment cannot be captured');
          setState(p, { status: 'success', finished: true });
          return { status: 204 };
        },
      },
      {
        method: 'POST',
        path: '/v1/payments/:paymentId/refunds',
        handler: (req, { state }) => {
          const slow = limited(state, 'other');
          if (slow) return slow;
          const p = find(state, req, 'P0600');
          if (!('payment_id' in p)) return p;
          if (!isPlainObject(req.json)) return requestError(400, 'P0697', 'Unable to parse JSON');
          const { amount, refund_amount_available: available } = req.json;
          if (amount === undefined || amount === null) return requestError(400, 'P0601', 'Missing mandatory attribute: amount', 'amount');
          if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1 || amount > 10_000_000) {
            return requestError(
              422,
              'P0602',
              'Invalid attribute value: amount. Must be a whole number of pence from 1 to 10000000',
              'amount',
            );
          }
          if (available !== undefined && (typeof available !== 'number' || !Number.isInteger(available))) {
            return requestError(
              422,
              'P0602',
              'Invalid attribute value: refund_amount_available. Must be a whole number of pence',
              'refund_amount_available',
            );
          }
          const resource = paymentResource(p, baseUrl) as { refund_summary: { status: string; amount_available: number } };
          if (resource.refund_summary.status !== 'available')
            return requestError(
              400,
              'P0603',
              `The payment is not available for refund. Payment refund status: ${resource.refund_summary.status}`,
            );
          if (available !== undefined && available !== resource.refund_summary.amount_available)
            return requestError(412, 'P0604', 'Refund amount available mismatch.');
          if (amount > resource.refund_summary.amount_available)
            return requestError(
              400,
              'P0603',
              'The payment is not available for refund. Payment refund status: amount exceeds what is available',
            );
          const refund: GovukPaySimulatedRefund = {
            refund_id: newId(),
            payment_id: p.payment_id,
            amount,
            status: 'submitted',
            created_date: now(),
          };
          p.refunds.push(refund);
          return reply(202, refundResource(refund, baseUrl));
        },
      },
      {
        method: 'GET',
        path: '/v1/payments/:paymentId/refunds',
        handler: (req, { state }) => {
          const p = find(state, req, 'P0800');
          if (!('payment_id' in p)) return p;
          return reply(200, {
            payment_id: p.payment_id,
            _links: {
              self: link(`${baseUrl}/v1/payments/${p.payment_id}/refunds`),
              payment: link(`${baseUrl}/v1/payments/${p.payment_id}`),
            },
            _embedded: { refunds: p.refunds.map((r) => refundResource(r, baseUrl)) },
          });
        },
      },
      {
        method: 'GET',
        path: '/v1/payments/:paymentId/refunds/:refundId',
        handler: (req, { state }) => {
          const p = find(state, req, 'P0700');
          if (!('payment_id' in p)) return p;
          const r = p.refunds.find((x) => x.refund_id === req.params.refundId);
          return r ? reply(200, refundResource(r, baseUrl)) : requestError(404, 'P0700', 'Not found');
        },
      },
    ],
  });
  baseUrl = sim.url;

  const payment = (paymentId: string): GovukPaySimulatedPayment => {
    const p = sim.state.payments.get(paymentId);
    if (!p) throw new Error(`govuk-pay simulator: no payment ${paymentId}`);
    return p;
  };
  const ORDER: GovukPayPaymentStatus[] = ['created', 'started', 'submitted', 'capturable', 'success'];
  const advance: GovukPaySimulator['advance'] = (paymentId, to, card = {}) => {
    const p = payment(paymentId);
    if (p.state.finished) throw new Error(`govuk-pay simulator: payment ${paymentId} is already ${p.state.status}`);
    const target = ORDER.indexOf(to);
    for (let i = ORDER.indexOf(p.state.status) + 1; i <= target; i++) {
      const next = ORDER[i]!;
      // Only payments with delayed capture wait in capturable.
      if (next === 'capturable' && !p.delayed_capture && to !== 'capturable') continue;
      if (next === 'submitted') {
        p.card_brand = card.brand ?? 'Visa';
        p.last_digits_card_number = card.lastFour ?? '4242';
        p.provider_id = `sim-${newId().slice(0, 12)}`;
      }
      setState(p, { status: next, finished: FINISHED.has(next) });
    }
    return changed(p);
  };

  const webhook: GovukPaySimulator['webhook'] = (paymentId, eventType, opts = {}) => {
    const p = payment(paymentId);
    const refund = /refund/i.test(eventType) ? p.refunds.at(-1) : undefined;
    const message = {
      id: opts.messageId ?? newId(),
      api_version: 1,
      created_date: now(),
      resource_id: refund ? refund.refund_id : p.payment_id,
      resource_type: refund ? 'refund' : 'payment',
      event_type: eventType,
      resource: refund ? refundResource(refund, baseUrl) : paymentResource(p, baseUrl),
    };
    const body = JSON.stringify(message);
    return {
      body,
      headers: { 'content-type': 'application/json', 'pay-signature': signGovukPayWebhook(body, opts.secret ?? webhookSigningSecret) },
    };
  };

  return Object.assign(sim, {
    apiKey,
    webhookSigningSecret,
    setPostsPerSecond: (limit: number | null) => void (postsPerSecond = limit),
    payment,
    advance,
    complete: (paymentId: string, card?: { brand?: string; lastFour?: string }) =>
      advance(paymentId, payment(paymentId).delayed_capture ? 'capturable' : 'success', card),
    fail: (paymentId: string, code: GovukPayFailureCode) => {
      const p = payment(paymentId);
      if (p.state.finished) throw new Error(`govuk-pay simulator: payment ${paymentId} is already ${p.state.status}`);
      const failure = GOVUK_PAY_FAILURES[code];
      setState(p, { status: failure.status, finished: true, code, message: failure.message });
      return changed(p);
    },
    settleRefund: (paymentId: string, refundId: string, status: 'success' | 'error') => {
      const r = payment(paymentId).refunds.find((x) => x.refund_id === refundId);
      if (!r) throw new Error(`govuk-pay simulator: no refund ${refundId} on payment ${paymentId}`);
      r.status = status;
      return changed(r);
    },
    webhook,
    sendWebhook: async (url: string, paymentId: string, eventType: string, opts: { secret?: string; messageId?: string } = {}) => {
      const delivery = webhook(paymentId, eventType, opts);
      const res = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body, signal: AbortSignal.timeout(15_000) });
      return { status: res.status, body: await res.text() };
    },
  });
}
