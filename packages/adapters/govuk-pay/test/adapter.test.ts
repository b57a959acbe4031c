import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTransaction, type CallbackResult, type Payment } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { createMemoryLogger, loadFixtures } from '@lgx/testkit';
import { signGovukPayWebhook, startGovukPaySimulator, type GovukPaySimulator } from '../src/testing';
import adapter, { configSchema, refundPayment } from '../src';

let sim: GovukPaySimulator;
beforeAll(async () => {
  sim = await startGovukPaySimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const signal = () => AbortSignal.timeout(5000);
const COUNCIL = 'E07000223';

function fixture(name: string): Payment {
  return structuredClone(loadFixtures('payment', { kind: 'valid', version: 2 }).find((f) => f.name === name)!.data) as Payment;
}

const minimal = (): Payment => ({
  amountPence: 1250,
  description: 'Garden waste bin sticker',
  reference: 'GW-1001',
  returnUrl: 'https://www.example.gov.uk/garden-waste/paid',
});

async function instance(extra: Record<string, unknown> = {}) {
  const memory = createMemoryLogger('debug');
  const { instance: a } = await instantiateAdapter(
    adapter,
    { baseUrl: sim.url, apiKey: sim.apiKey, webhookSigningSecret: sim.webhookSigningSecret, ...extra },
    { retry: false, logger: memory.logger, rawLogger: true },
  );
  return { a, logs: memory.entries };
}

function tx(data: unknown, idempotencyKey = `key-${Math.random().toString(36).slice(2)}`) {
  return createTransaction('payment', data as Payment, { council: COUNCIL, idempotencyKey, version: 2 });
}

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Record<string, unknown>,
  );
}

describe('submit', () => {
  it('creates the payment with the GOV.UK Pay body, the Bearer key and the idempotency key, and returns the payment page', async () => {
    const { a } = await instance();
    const t = tx(fixture('parking-permit-with-line-items'), 'permit-form-42');
    const receipt = await a.submit!(t, { signal: signal() });
    const sent = sim.requests.find((r) => r.method === 'POST' && r.path === '/v1/payments')!;
    expect(sent.headers.authorization).toBe(`Bearer ${sim.apiKey}`);
    expect(sent.headers['idempotency-key']).toBe('permit-form-42');
    expect(JSON.parse(sent.body)).toEqual({
      amount: 6400,
      reference: 'PP-2026-004512',
      description: 'Resident parking permit, zone C, 12 months',
      return_url: 'https://www.example.gov.uk/parking/permits/return',
      language: 'cy',
      email: 'alex.example@example.com',
      metadata: {
        ledgerCode: 'AB100',
        permitZone: 'C',
        renewal: false,
        lgx_transaction_id: t.id,
        lgx_pays_for: '3f1c9a52-7d4e-4b8a-9c21-5e6f7a8b9c0d',
        lgx_fund_code: 'PARK01',
      },
    });
    const payment = sim.payment(receipt.externalRef);
    expect(receipt).toEqual({
      externalRef: payment.payment_id,
      status: 'open',
      externalStatusCode: 'created',
      acceptedAt: payment.created_date,
      nextUrl: `${sim.url}/secure/${payment.payment_id}`,
    });
  });

  it('asks for delayed capture when the payment says so', async () => {
    const { a } = await instance();
    const receipt = await a.submit!(tx(fixture('bulky-waste-delayed-capture')), { signal: signal() });
    expect(sim.payment(receipt.externalRef).delayed_capture).toBe(true);
  });

  it('never lets the council metadata be crowded out: LGX keys are added only while GOV.UK Pay allows 10', async () => {
    const { a } = await instance();
    const metadata = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, i]));
    const receipt = await a.submit!(tx({ ...minimal(), metadata, transactionId: 'permit-1' }), { signal: signal() });
    expect(sim.payment(receipt.externalRef).metadata).toEqual({ ...metadata, lgx_transaction_id: expect.any(String) });
  });

  it('sends the same transaction twice as one payment, also when the idempotency key has characters GOV.UK Pay refuses', async () => {
    const { a } = await instance();
    const t = tx(minimal(), 'form:42/a?b_c');
    const first = await a.submit!(t, { signal: signal() });
    const second = await a.submit!(structuredClone(t), { signal: signal() });
    expect(second.externalRef).toBe(first.externalRef);
    expect(sim.state.payments.size).toBe(1);
    expect(sim.requests[0]!.headers['idempotency-key']).toMatch(/^lgx-[0-9a-f]{64}$/);
  });

  it('refuses line items that do not add up to the amount, naming the field, before sending anything', async () => {
    const { a } = await instance();
    const data = { ...minimal(), lineItems: [{ reference: 'A', description: 'Item', amountPence: 1000 }] };
    const error = await rejection(a.submit!(tx(data), { signal: signal() }));
    expect(error).toMatchObject({ code: 'LGX_ERR_VALIDATION_INVALID', issues: [expect.objectContaining({ path: '/lineItems' })] });
    expect(sim.requests).toHaveLength(0);
  });

  it('refuses a return URL outside the configured origins', async () => {
    const { a } = await instance({ returnUrlOrigins: ['https://forms.example.gov.uk'] });
    const error = await rejection(a.submit!(tx(minimal()), { signal: signal() }));
    expect(error).toMatchObject({ issues: [expect.objectContaining({ path: '/returnUrl', rule: 'origin' })] });
    expect(sim.requests).toHaveLength(0);
    await expect(
      a.submit!(tx({ ...minimal(), returnUrl: 'https://forms.example.gov.uk/paid' }), { signal: signal() }),
    ).resolves.toMatchObject({ status: 'open' });
  });

  it.each([
    ['an amount as a string', { amountPence: '1250' }, '/amountPence'],
    ['an amount in pounds', { amountPence: 12.5 }, '/amountPence'],
    ['an oversized description', { description: 'x'.repeat(256) }, '/description'],
    ['a card number', { cardNumber: '4444333322221111' }, '/cardNumber'],
    ['a security code', { cvv: '123' }, '/cvv'],
    ['a non-https return URL', { returnUrl: 'http://www.example.gov.uk/paid' }, '/returnUrl'],
    ['a prototype key in metadata', { metadata: JSON.parse('{"__proto__": "x"}') as Record<string, string> }, '/metadata/__proto__'],
    ['a metadata value over 100 characters', { metadata: { note: 'y'.repeat(101) } }, '/metadata/note'],
  ])('refuses %s before any request', async (_label, change, path) => {
    const { a } = await instance();
    const error = await rejection(
      a.submit!(
        createTransaction('payment', { ...minimal(), ...change } as never, {
          council: COUNCIL,
          idempotencyKey: 'k1',
          version: 2,
          validate: false,
        }),
        { signal: signal() },
      ),
    );
    expect(error).toMatchObject({
      code: 'LGX_ERR_VALIDATION_INVALID',
      issues: expect.arrayContaining([expect.objectContaining({ path })]),
    });
    expect(sim.requests).toHaveLength(0);
  });
});

describe('errors', () => {
  it('classifies GOV.UK Pay rate limiting (429, P0900) as rateLimited, retrying after a second', async () => {
    const { a } = await instance();
    sim.setPostsPerSecond(1);
    try {
      await a.submit!(tx(minimal()), { signal: signal() });
      const error = await rejection(a.submit!(tx(minimal()), { signal: signal() }));
      expect(error).toMatchObject({ classification: 'rateLimited', vendorCode: 'P0900', status: 429, retryAfterMs: 1000 });
    } finally {
      sim.setPostsPerSecond(15);
    }
  });

  it('passes a Retry-After from GOV.UK Pay on', async () => {
    const { a } = await instance();
    sim.faults.failNext(1, { status: 429, body: { code: 'P0900', description: 'Too many requests' }, headers: { 'retry-after': '7' } });
    await expect(a.submit!(tx(minimal()), { signal: signal() })).rejects.toMatchObject({
      classification: 'rateLimited',
      retryAfterMs: 7000,
    });
  });

  it('classifies a wrong API key as auth, without the key in the message', async () => {
    const { instance: a } = await instantiateAdapter(adapter, { baseUrl: sim.url, apiKey: 'api_test_wrong-key-000000' }, { retry: false });
    const error = await rejection(a.submit!(tx(minimal()), { signal: signal() }));
    expect(error).toMatchObject({ classification: 'auth', status: 401 });
    expect(JSON.stringify(error) + String(error.message)).not.toContain('wrong-key');
  });

  it.each([
    [400, 'P0197', 'permanent'],
    [422, 'P0102', 'permanent'],
    [422, 'P0920', 'permanent'],
    [500, 'P0198', 'retryable'],
    [503, undefined, 'retryable'],
  ])('classifies %i %s as %s, keeping the GOV.UK Pay code', async (status, code, classification) => {
    const { a } = await instance();
    sim.faults.failNext(1, { status, body: code ? { code, description: 'simulated' } : 'Service Unavailable' });
    const error = await rejection(a.submit!(tx(minimal()), { signal: signal() }));
    expect(error).toMatchObject({ classification, status, ...(code ? { vendorCode: code } : {}) });
  });

  it('reports a reused idempotency key with another payment as permanent (409, P0191)', async () => {
    const { a } = await instance();
    await a.submit!(tx(minimal(), 'same-key'), { signal: signal() });
    await expect(a.submit!(tx({ ...minimal(), amountPence: 999 }, 'same-key'), { signal: signal() })).rejects.toMatchObject({
      classification: 'permanent',
      status: 409,
      vendorCode: 'P0191',
    });
  });

  it('reports an unknown payment as notFound', async () => {
    const { a } = await instance();
    await expect(a.getStatus!('nosuchpayment0000000000000', { signal: signal() })).rejects.toMatchObject({
      classification: 'notFound',
      vendorCode: 'P0200',
    });
  });

  it('treats a create answer without a payment id as retryable (the idempotency key makes the retry safe)', async () => {
    const { a } = await instance();
    sim.faults.failNext(1, { malformed: true, body: '{"state":{"status":"created"}}' });
    await expect(a.submit!(tx(minimal()), { signal: signal() })).rejects.toMatchObject({
      classification: 'retryable',
      code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
    });
  });

  it('logs no e-mail address, reference text or key', async () => {
    const { a, logs } = await instance();
    await a.submit!(tx(fixture('parking-permit-with-line-items')), { signal: signal() });
    sim.faults.failNext(1, {
      status: 422,
      body: { code: 'P0102', description: 'Invalid attribute value: email alex.example@example.com' },
    });
    const error = await rejection(a.submit!(tx(fixture('parking-permit-with-line-items')), { signal: signal() }));
    const text = JSON.stringify(logs) + String(error.message);
    expect(text).not.toContain('alex.example@example.com');
    expect(text).not.toContain(sim.apiKey);
  });
});

describe('status', () => {
  async function created(a: Awaited<ReturnType<typeof instance>>['a'], data: Payment = minimal()) {
    return (await a.submit!(tx(data), { signal: signal() })).externalRef;
  }

  it('reports a paid payment as closed, with the card brand and last four digits only', async () => {
    const { a } = await instance();
    const id = await created(a);
    sim.complete(id, { brand: 'Mastercard', lastFour: '4444' });
    const update = await a.getStatus!(id, { signal: signal() });
    expect(update).toEqual({
      externalRef: id,
      status: 'closed',
      externalStatusCode: 'success',
      updatedAt: expect.any(String),
      updateId: `${id}:success`,
      source: 'govuk-pay',
      payment: {
        state: 'success',
        finished: true,
        providerRef: sim.payment(id).provider_id,
        cardBrand: 'Mastercard',
        cardLastFour: '4444',
      },
    });
  });

  it.each([
    ['started', 'in_progress'],
    ['submitted', 'in_progress'],
    ['capturable', 'action_scheduled'],
  ] as const)('maps the unfinished state %s to %s', async (state, status) => {
    const { a } = await instance();
    const id = await created(a, { ...minimal(), delayedCapture: true });
    sim.advance(id, state);
    await expect(a.getStatus!(id, { signal: signal() })).resolves.toMatchObject({
      status,
      externalStatusCode: state,
      payment: { state, finished: false },
    });
  });

  it.each([
    ['P0010', 'failed', 'Payment method rejected'],
    ['P0020', 'failed', 'Payment expired: the user did not pay within 90 minutes'],
    ['P0030', 'failed', 'Payment cancelled by the user'],
    ['P0040', 'cancelled', 'Payment cancelled by the service'],
    ['P0050', 'error', 'Payment provider returned an error'],
  ] as const)('maps failure %s (state %s) to cancelled with the code and its meaning', async (code, state, description) => {
    const { a } = await instance();
    const id = await created(a);
    sim.fail(id, code);
    await expect(a.getStatus!(id, { signal: signal() })).resolves.toMatchObject({
      status: 'cancelled',
      externalStatusCode: state,
      description,
      updateId: `${id}:${state}:${code}`,
      payment: { state, finished: true, failureCode: code },
    });
  });
});

describe('pollUpdates', () => {
  it('reports each state change once, keeps unfinished payments in view and refuses a cursor it did not write', async () => {
    const { a } = await instance();
    const start = await a.pollUpdates!(undefined, { signal: signal() });
    expect(start.updates).toEqual([]);
    const one = (await a.submit!(tx(minimal()), { signal: signal() })).externalRef;
    const two = (await a.submit!(tx(minimal()), { signal: signal() })).externalRef;
    const first = await a.pollUpdates!(start.cursor, { signal: signal() });
    expect(first.updates.map((u) => [u.externalRef, u.externalStatusCode]).sort()).toEqual(
      [
        [one, 'created'],
        [two, 'created'],
      ].sort(),
    );

    sim.complete(one);
    sim.fail(two, 'P0030');
    const second = await a.pollUpdates!(first.cursor, { signal: signal() });
    expect(second.updates.map((u) => [u.externalRef, u.status]).sort()).toEqual(
      [
        [one, 'closed'],
        [two, 'cancelled'],
      ].sort(),
    );
    expect((await a.pollUpdates!(second.cursor, { signal: signal() })).updates).toEqual([]);
    expect(
      sim.requests
        .filter((r) => r.path === '/v1/payments' && r.method === 'GET')
        .every((r) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(String(r.query.from_date))),
    ).toBe(true);

    await expect(a.pollUpdates!('not a cursor', { signal: signal() })).rejects.toMatchObject({ code: 'LGX_ERR_VALIDATION_INVALID' });
    await expect(
      a.pollUpdates!(Buffer.from('{"v":1,"from":"x","seen":{}}').toString('base64url'), { signal: signal() }),
    ).rejects.toMatchObject({ issues: [expect.objectContaining({ path: '/cursor' })] });
  });
});

describe('handleCallback', () => {
  const request = (body: string, headers: Record<string, string | undefined>) => ({ headers, body: new TextEncoder().encode(body) });

  it('turns a signed webhook into a canonical status update, keeping no cardholder details', async () => {
    const { a, logs } = await instance();
    const id = (await a.submit!(tx(minimal()), { signal: signal() })).externalRef;
    sim.complete(id);
    const { body, headers } = sim.webhook(id, 'card_payment_succeeded', { messageId: 'msg-1' });
    // As GOV.UK Pay sends it: cardholder name and billing address are in the resource.
    const message = JSON.parse(body) as { resource: { card_details: Record<string, unknown> } };
    message.resource.card_details.cardholder_name = 'Sherlock Holmes';
    message.resource.card_details.billing_address = { line1: '221 Baker Street', postcode: 'NW1 6XE' };
    const raw = JSON.stringify(message);
    const result = await a.handleCallback!(
      request(raw, { 'Pay-Signature': signGovukPayWebhook(raw, sim.webhookSigningSecret), 'content-type': headers['content-type'] }),
      { signal: signal() },
    );
    expect(result.status).toBe(200);
    expect(result.updates).toEqual([
      expect.objectContaining({
        externalRef: id,
        status: 'closed',
        externalStatusCode: 'success',
        updateId: 'webhook:msg-1',
        payment: expect.objectContaining({ state: 'success', cardLastFour: '4242' }),
      }),
    ]);
    const text = JSON.stringify(result) + JSON.stringify(logs);
    expect(text).not.toContain('Sherlock');
    expect(text).not.toContain('Baker');
  });

  it('accepts a webhook the simulator delivers over HTTP, verifying the signature over the raw bytes', async () => {
    const { a } = await instance();
    const id = (await a.submit!(tx(minimal()), { signal: signal() })).externalRef;
    sim.fail(id, 'P0010');
    const results: CallbackResult[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
        void a.handleCallback!({ headers, body: new Uint8Array(Buffer.concat(chunks)) }, { signal: signal() }).then((result) => {
          results.push(result);
          res.writeHead(result.status ?? 200).end();
        });
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callbacks/pay`;
      await expect(sim.sendWebhook(url, id, 'card_payment_failed')).resolves.toMatchObject({ status: 200 });
      await expect(sim.sendWebhook(url, id, 'card_payment_failed', { secret: 'not-the-signing-secret' })).resolves.toMatchObject({
        status: 401,
      });
    } finally {
      receiver.closeAllConnections();
      await new Promise<void>((r) => receiver.close(() => r()));
    }
    expect(results[0]!.updates).toEqual([
      expect.objectContaining({ externalRef: id, status: 'cancelled', payment: expect.objectContaining({ failureCode: 'P0010' }) }),
    ]);
    expect(results[1]!.updates).toEqual([]);
  });

  it('reports a refund webhook as the refund of a successful payment', async () => {
    const { a } = await instance();
    const id = (await a.submit!(tx(minimal()), { signal: signal() })).externalRef;
    sim.complete(id);
    const refund = await refundPayment({ baseUrl: sim.url, apiKey: sim.apiKey }, id, { amountPence: 250 });
    sim.settleRefund(id, refund.refundRef, 'success');
    const { body, headers } = sim.webhook(id, 'card_payment_refunded');
    const result = await a.handleCallback!(request(body, headers), { signal: signal() });
    expect(result.updates).toEqual([
      expect.objectContaining({
        externalRef: id,
        status: 'closed',
        payment: {
          state: 'success',
          finished: true,
          refunds: [expect.objectContaining({ refundRef: refund.refundRef, amountPence: 250, status: 'success' })],
        },
      }),
    ]);
  });

  it.each([
    ['no signature', () => undefined],
    ['a signature made with another secret', (body: string) => signGovukPayWebhook(body, 'someone-elses-secret')],
    ['a signature of another body', (body: string) => signGovukPayWebhook(`${body} `, sim.webhookSigningSecret)],
    ['a truncated signature', (body: string) => signGovukPayWebhook(body, sim.webhookSigningSecret).slice(0, 40)],
    ['a non-hex signature', () => 'z'.repeat(64)],
  ])('refuses a webhook with %s: 401 and no updates', async (_label, sign) => {
    const { a, logs } = await instance();
    const id = (await a.submit!(tx(minimal()), { signal: signal() })).externalRef;
    sim.complete(id);
    const { body } = sim.webhook(id, 'card_payment_succeeded');
    const result = await a.handleCallback!(request(body, { 'pay-signature': sign(body) }), { signal: signal() });
    expect(result).toEqual({ status: 401, updates: [] });
    expect(logs.some((e) => e.msg === 'webhook refused')).toBe(true);
  });

  it('refuses every webhook when no signing secret is configured', async () => {
    const { instance: a } = await instantiateAdapter(adapter, { baseUrl: sim.url, apiKey: sim.apiKey }, { retry: false });
    const id = (await a.submit!(tx(minimal()), { signal: signal() })).externalRef;
    const { body, headers } = sim.webhook(id, 'card_payment_succeeded');
    await expect(a.handleCallback!(request(body, headers), { signal: signal() })).resolves.toEqual({ status: 401, updates: [] });
  });

  it('answers 400 to a signed body that is not JSON, and acknowledges events it does not map without updates', async () => {
    const { a } = await instance();
    const junk = '<xml>&xxe;</xml>';
    await expect(
      a.handleCallback!(request(junk, { 'pay-signature': signGovukPayWebhook(junk, sim.webhookSigningSecret) }), { signal: signal() }),
    ).resolves.toEqual({ status: 400, updates: [] });
    const odd = JSON.stringify({
      id: 'm2',
      resource_type: 'agreement',
      event_type: 'agreement_created',
      resource: { __proto__: { polluted: true } },
    });
    await expect(
      a.handleCallback!(request(odd, { 'pay-signature': signGovukPayWebhook(odd, sim.webhookSigningSecret) }), { signal: signal() }),
    ).resolves.toEqual({ status: 200, updates: [] });
    const unknownState = JSON.stringify({
      id: 'm3',
      resource_type: 'payment',
      event_type: 'x',
      resource: { payment_id: 'abc', state: { status: 'teleported' } },
    });
    await expect(
      a.handleCallback!(request(unknownState, { 'pay-signature': signGovukPayWebhook(unknownState, sim.webhookSigningSecret) }), {
        signal: signal(),
      }),
    ).resolves.toEqual({ status: 200, updates: [] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses an oversized webhook body without reading it', async () => {
    const { a } = await instance();
    const big = 'x'.repeat(300 * 1024);
    await expect(
      a.handleCallback!(request(big, { 'pay-signature': signGovukPayWebhook(big, sim.webhookSigningSecret) }), { signal: signal() }),
    ).resolves.toEqual({ status: 413, updates: [] });
  });
});

describe('refundPayment', () => {
  async function paid(amountPence = 5000) {
    const { a } = await instance();
    const id = (await a.submit!(tx({ ...minimal(), amountPence }), { signal: signal() })).externalRef;
    sim.complete(id);
    return { a, id };
  }
  const config = () => ({ baseUrl: sim.url, apiKey: sim.apiKey });

  it('refunds part of a payment, and getStatus then lists the refund until it settles', async () => {
    const { a, id } = await paid();
    const refund = await refundPayment(config(), id, { amountPence: 1500, refundAmountAvailablePence: 5000 }, { signal: signal() });
    expect(refund).toEqual({ refundRef: expect.any(String), amountPence: 1500, status: 'submitted', createdAt: expect.any(String) });
    const sent = sim.requests.find((r) => r.path === `/v1/payments/${id}/refunds` && r.method === 'POST')!;
    expect(JSON.parse(sent.body)).toEqual({ amount: 1500, refund_amount_available: 5000 });
    expect((await a.getStatus!(id, { signal: signal() })).payment?.refunds).toEqual([
      expect.objectContaining({ refundRef: refund.refundRef, status: 'submitted' }),
    ]);
    sim.settleRefund(id, refund.refundRef, 'success');
    await expect(a.getStatus!(id, { signal: signal() })).resolves.toMatchObject({
      status: 'closed',
      payment: { refunds: [expect.objectContaining({ status: 'success', amountPence: 1500 })] },
    });
  });

  it('is refused as permanent when the amount available does not match (412, P0604) or the payment cannot be refunded (P0603)', async () => {
    const { id } = await paid();
    await expect(refundPayment(config(), id, { amountPence: 100, refundAmountAvailablePence: 4999 })).rejects.toMatchObject({
      classification: 'permanent',
      status: 412,
      vendorCode: 'P0604',
    });
    await expect(refundPayment(config(), id, { amountPence: 5001 })).rejects.toMatchObject({
      classification: 'permanent',
      vendorCode: 'P0603',
    });
    const { a } = await instance();
    const unpaid = (await a.submit!(tx(minimal()), { signal: signal() })).externalRef;
    await expect(refundPayment(config(), unpaid, { amountPence: 100 })).rejects.toMatchObject({
      classification: 'permanent',
      vendorCode: 'P0603',
    });
  });

  it('checks its input before sending anything', async () => {
    const before = sim.requests.length;
    await expect(refundPayment(config(), '../../v1/payments', { amountPence: 100 })).rejects.toMatchObject({
      code: 'LGX_ERR_VALIDATION_INVALID',
      issues: [expect.objectContaining({ path: '/paymentId' })],
    });
    await expect(refundPayment(config(), 'abc', { amountPence: 0.5 })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: '/amountPence' })],
    });
    await expect(refundPayment(config(), 'abc', { amountPence: '100' as unknown as number })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: '/amountPence' })],
    });
    expect(sim.requests.length).toBe(before);
  });
});

describe('config', () => {
  it('refuses a config without the API key, naming the field', async () => {
    await expect(instantiateAdapter(adapter, { baseUrl: sim.url })).rejects.toMatchObject({
      code: 'LGX_ERR_ADAPTER_CONFIG_INVALID',
      issues: [expect.objectContaining({ path: '/apiKey', rule: 'required' })],
    });
  });

  it('marks the API key and the webhook signing secret as secrets', () => {
    expect(configSchema.properties.apiKey['x-lgx-secret']).toBe(true);
    expect(configSchema.properties.webhookSigningSecret['x-lgx-secret']).toBe(true);
  });
});
