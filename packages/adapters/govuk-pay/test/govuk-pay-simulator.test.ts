import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { GOVUK_PAY_SIMULATOR_API_KEY, signGovukPayWebhook, startGovukPaySimulator, type GovukPaySimulator } from '../src/testing';

let sim: GovukPaySimulator;
beforeAll(async () => {
  sim = await startGovukPaySimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const valid = () => ({
  amount: 1250,
  reference: 'GW-1001',
  description: 'Garden waste bin sticker',
  return_url: 'https://www.example.gov.uk/paid',
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read GOV.UK Pay's JSON bodies field by field
type Json = Record<string, any>;

async function call(method: string, path: string, options: { body?: unknown; key?: string | null; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.key !== null) headers.authorization = `Bearer ${options.key ?? GOVUK_PAY_SIMULATOR_API_KEY}`;
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Json) : undefined };
}

const create = (body: unknown = valid(), headers?: Record<string, string>) =>
  call('POST', '/v1/payments', { body, ...(headers ? { headers } : {}) });

describe('GOV.UK Pay simulator', () => {
  it('requires the Bearer API key, answering 401 otherwise', async () => {
    expect((await call('GET', '/v1/payments', { key: null })).status).toBe(401);
    expect((await call('GET', '/v1/payments', { key: 'api_test_other' })).status).toBe(401);
    expect((await call('GET', '/v1/payments')).status).toBe(200);
  });

  it('creates a payment with a payment page and the created state', async () => {
    const res = await create({ ...valid(), language: 'cy', metadata: { ledger: 'AB1', renewal: false } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      amount: 1250,
      reference: 'GW-1001',
      language: 'cy',
      state: { status: 'created', finished: false },
      metadata: { ledger: 'AB1', renewal: false },
      payment_id: expect.stringMatching(/^[a-z0-9]{26}$/),
      _links: { next_url: { href: expect.stringContaining('/secure/'), method: 'GET' }, self: expect.any(Object) },
    });
    expect(sim.state.payments.size).toBe(1);
  });

  it.each([
    ['a missing amount', { amount: undefined }, 400, 'P0101', 'amount'],
    ['a zero amount', { amount: 0 }, 422, 'P0102', 'amount'],
    ['an amount over 10,000,000 pence', { amount: 10_000_001 }, 422, 'P0102', 'amount'],
    ['an amount in pounds', { amount: 12.5 }, 422, 'P0102', 'amount'],
    ['an amount as a string', { amount: '1250' }, 422, 'P0102', 'amount'],
    ['a reference over 255 characters', { reference: 'r'.repeat(256) }, 422, 'P0102', 'reference'],
    ['a description over 255 characters', { description: 'd'.repeat(256) }, 422, 'P0102', 'description'],
    ['an http return URL', { return_url: 'http://www.example.gov.uk/paid' }, 422, 'P0920', 'return_url'],
    ['a return URL over 2000 characters', { return_url: `https://www.example.gov.uk/${'p'.repeat(2000)}` }, 422, 'P0102', 'return_url'],
    ['a language other than en or cy', { language: 'fr' }, 422, 'P0102', 'language'],
    ['a card number', { card_number: '4444333322221111' }, 400, 'P0104', 'card_number'],
    [
      'more than 10 metadata keys',
      { metadata: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i])) },
      422,
      'P0102',
      'metadata',
    ],
    ['a metadata key over 30 characters', { metadata: { ['k'.repeat(31)]: 1 } }, 422, 'P0102', 'metadata'],
    ['an object as a metadata value', { metadata: { k: { nested: true } } }, 422, 'P0102', 'metadata'],
  ])('refuses %s with GOV.UK Pay error %i %s', async (_label, change, status, code, field) => {
    const res = await create({ ...valid(), ...change });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ code, field });
    expect(sim.state.payments.size).toBe(0);
  });

  it('refuses a body that is not a JSON object with P0197', async () => {
    expect((await create('[1,2]')).body).toMatchObject({ code: 'P0197' });
    expect((await create('{"amount":')).status).toBe(400);
  });

  it('dedupes by Idempotency-Key: same body answers 200 with the same payment, another body 409 P0191', async () => {
    const first = await create(valid(), { 'idempotency-key': 'form-42' });
    const again = await create(valid(), { 'idempotency-key': 'form-42' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body!.payment_id).toBe(first.body!.payment_id);
    const other = await create({ ...valid(), amount: 999 }, { 'idempotency-key': 'form-42' });
    expect(other).toMatchObject({ status: 409, body: { code: 'P0191' } });
    expect((await create(valid(), { 'idempotency-key': 'form:42' })).body).toMatchObject({ code: 'P0102', header: 'Idempotency-Key' });
    expect(sim.state.payments.size).toBe(1);
  });

  it('allows 15 POSTs a second and answers the 16th with 429 P0900; the limit is configurable', async () => {
    const results = [];
    for (let i = 0; i < 16; i++) results.push((await create()).status);
    // The window is one second; a slow machine could cross it, so only the documented shape is asserted.
    if (results.filter((s) => s === 201).length === 15) expect(results[15]).toBe(429);
    sim.reset();
    sim.setPostsPerSecond(1);
    try {
      expect((await create()).status).toBe(201);
      const limited = await create();
      expect(limited).toMatchObject({ status: 429, body: { code: 'P0900', description: 'Too many requests' } });
      expect(limited.headers.get('retry-after')).toBeNull();
      expect((await call('GET', '/v1/payments')).status).toBe(200);
    } finally {
      sim.setPostsPerSecond(15);
    }
    sim.setPostsPerSecond(null);
    try {
      for (let i = 0; i < 20; i++) expect((await create()).status).toBe(201);
    } finally {
      sim.setPostsPerSecond(15);
    }
  });

  it('moves payments through their states, with an event history, and shows only brand and last four digits of the card', async () => {
    const id = (await create()).body!.payment_id as string;
    sim.complete(id, { brand: 'Visa', lastFour: '1111' });
    const got = await call('GET', `/v1/payments/${id}`);
    expect(got.body).toMatchObject({
      state: { status: 'success', finished: true },
      card_details: { card_brand: 'Visa', last_digits_card_number: '1111' },
      refund_summary: { status: 'available', amount_available: 1250 },
    });
    expect(got.body!._links.next_url).toBeUndefined();
    expect(Object.keys(got.body!.card_details as object).sort()).toEqual(['card_brand', 'card_type', 'last_digits_card_number']);
    expect(JSON.stringify(got.body)).not.toMatch(/expiry|cvv|cvc|first_digits/i);
    const events = await call('GET', `/v1/payments/${id}/events`);
    expect(events.body!.events.map((e: { state: { status: string } }) => e.state.status)).toEqual([
      'created',
      'started',
      'submitted',
      'success',
    ]);
    expect((await call('GET', '/v1/payments/nosuchpayment/events')).body).toMatchObject({ code: 'P0300' });
  });

  it('fails payments with GOV.UK Pay failure codes, and cancels and captures through the API', async () => {
    const failed = (await create()).body!.payment_id as string;
    sim.fail(failed, 'P0020');
    expect((await call('GET', `/v1/payments/${failed}`)).body!.state).toEqual({
      status: 'failed',
      finished: true,
      code: 'P0020',
      message: 'Payment expired',
    });
    const cancelled = (await create()).body!.payment_id as string;
    expect((await call('POST', `/v1/payments/${cancelled}/cancel`)).status).toBe(204);
    expect((await call('GET', `/v1/payments/${cancelled}`)).body!.state).toMatchObject({ status: 'cancelled', code: 'P0040' });
    const delayed = (await create({ ...valid(), delayed_capture: true })).body!.payment_id as string;
    sim.complete(delayed);
    expect((await call('GET', `/v1/payments/${delayed}`)).body!.state.status).toBe('capturable');
    expect((await call('POST', `/v1/payments/${delayed}/capture`)).status).toBe(204);
    expect((await call('GET', `/v1/payments/${delayed}`)).body!.state.status).toBe('success');
    expect(() => sim.fail(delayed, 'P0010')).toThrow(/already success/);
  });

  it('refunds successful payments within the amount available', async () => {
    const id = (await create()).body!.payment_id as string;
    expect((await call('POST', `/v1/payments/${id}/refunds`, { body: { amount: 100 } })).body).toMatchObject({ code: 'P0603' });
    sim.complete(id);
    expect((await call('POST', `/v1/payments/${id}/refunds`, { body: { amount: 100, refund_amount_available: 1 } })).status).toBe(412);
    expect((await call('POST', `/v1/payments/${id}/refunds`, { body: {} })).body).toMatchObject({ code: 'P0601' });
    const refund = await call('POST', `/v1/payments/${id}/refunds`, { body: { amount: 1000, refund_amount_available: 1250 } });
    expect(refund).toMatchObject({ status: 202, body: { amount: 1000, status: 'submitted', payment_id: id } });
    expect((await call('POST', `/v1/payments/${id}/refunds`, { body: { amount: 251 } })).body).toMatchObject({ code: 'P0603' });
    sim.settleRefund(id, refund.body!.refund_id as string, 'success');
    expect((await call('GET', `/v1/payments/${id}/refunds`)).body!._embedded.refunds).toEqual([
      expect.objectContaining({ status: 'success', amount: 1000 }),
    ]);
    expect((await call('GET', `/v1/payments/${id}`)).body!.refund_summary).toEqual({
      status: 'available',
      amount_available: 250,
      amount_submitted: 1000,
    });
  });

  it('searches payments by creation date, newest first, a page at a time', async () => {
    for (let i = 0; i < 3; i++) await create({ ...valid(), reference: `R-${i}` });
    const page1 = await call('GET', '/v1/payments?from_date=2000-01-01T00:00:00Z&display_size=2');
    expect(page1.body).toMatchObject({ total: 3, count: 2, page: 1, _links: { next_page: expect.any(Object) } });
    const page2 = await call('GET', '/v1/payments?from_date=2000-01-01T00:00:00Z&display_size=2&page=2');
    expect(page2.body).toMatchObject({ count: 1, page: 2 });
    expect(page2.body!._links.next_page).toBeUndefined();
    expect((await call('GET', '/v1/payments?from_date=2999-01-01T00:00:00Z')).body).toMatchObject({ total: 0, results: [] });
    expect((await call('GET', '/v1/payments?from_date=yesterday')).body).toMatchObject({ code: 'P0401' });
    expect((await call('GET', '/v1/payments?reference=R-1')).body!.total).toBe(1);
  });

  it('signs webhook messages with Pay-Signature and delivers them to a receiver', async () => {
    const id = (await create()).body!.payment_id as string;
    sim.complete(id);
    const delivery = sim.webhook(id, 'card_payment_succeeded');
    expect(delivery.headers['pay-signature']).toBe(createHmac('sha256', sim.webhookSigningSecret).update(delivery.body).digest('hex'));
    expect(JSON.parse(delivery.body)).toMatchObject({
      resource_id: id,
      resource_type: 'payment',
      event_type: 'card_payment_succeeded',
      resource: { state: { status: 'success' } },
    });

    const received: Array<{ signature: string | undefined; body: string }> = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ signature: req.headers['pay-signature'] as string | undefined, body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/pay`;
      await expect(sim.sendWebhook(url, id, 'card_payment_captured')).resolves.toEqual({ status: 200, body: 'ok' });
      expect(received[0]!.signature).toBe(signGovukPayWebhook(received[0]!.body, sim.webhookSigningSecret));
    } finally {
      receiver.closeAllConnections();
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });

  it('supports the testkit fault injection', async () => {
    sim.faults.failNext(1, { status: 503 });
    expect((await create()).status).toBe(503);
    expect((await create()).status).toBe(201);
    expect(sim.requests.map((r) => r.outcome)).toEqual(['fault', 'handled']);
  });

  it('forgets payments, keys and requests on reset', async () => {
    await create(valid(), { 'idempotency-key': 'k-1' });
    sim.reset();
    expect(sim.state.payments.size).toBe(0);
    expect((await create(valid(), { 'idempotency-key': 'k-1' })).status).toBe(201);
  });
});

describe('GOV.UK Pay simulator with a state folder', () => {
  it('still knows payments, their events and idempotency keys after a restart', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lgx-pay-state-'));
    const request = (s: GovukPaySimulator, method: string, url: string, body?: unknown) =>
      fetch(`${s.url}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${GOVUK_PAY_SIMULATOR_API_KEY}`,
          'content-type': 'application/json',
          'idempotency-key': 'order-1',
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as Json }));
    try {
      const first = await startGovukPaySimulator({ stateDir: dir });
      const created = await request(first, 'POST', '/v1/payments', valid());
      const id = created.body.payment_id as string;
      first.complete(id);
      await first.close();

      const second = await startGovukPaySimulator({ stateDir: dir });
      try {
        expect((await request(second, 'GET', `/v1/payments/${id}`)).body).toMatchObject({
          payment_id: id,
          state: { status: 'success', finished: true },
          card_details: { last_digits_card_number: '4242' },
        });
        const events = (await request(second, 'GET', `/v1/payments/${id}/events`)).body.events as Json[];
        expect(events.map((e) => e.state.status)).toEqual(['created', 'started', 'submitted', 'success']);
        // The same Idempotency-Key and body as before the restart: the same payment, not a second one.
        expect(await request(second, 'POST', '/v1/payments', valid())).toMatchObject({ status: 200, body: { payment_id: id } });
        expect((await request(second, 'GET', '/v1/payments')).body.total).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
