import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTransaction, type Notification } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { createMemoryLogger, loadFixtures } from '@lgx/testkit';
import {
  GOVUK_NOTIFY_LIVE_API_KEY,
  GOVUK_NOTIFY_SERVICE_ID,
  GOVUK_NOTIFY_TEST_API_KEY,
  sendNotifyCallback,
  setNotifyStatus,
  startGovukNotifySimulator,
  type GovukNotifySimulator,
} from '../src/testing';
import adapter from '../src';

const CALLBACK_TOKEN = 'notify-callback-bearer-token-42';
const TEST_SECRET = GOVUK_NOTIFY_TEST_API_KEY.slice(-36);

let sim: GovukNotifySimulator;
beforeAll(async () => {
  sim = await startGovukNotifySimulator({
    apiKeys: [
      { key: GOVUK_NOTIFY_TEST_API_KEY, type: 'test' },
      { key: GOVUK_NOTIFY_LIVE_API_KEY, type: 'live' },
    ],
  });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const signal = () => AbortSignal.timeout(5000);

function fixture(name: string): Notification {
  return structuredClone(loadFixtures('notification', { kind: 'valid' }).find((f) => f.name === name)!.data) as Notification;
}

function tx(data: unknown, idempotencyKey = `key-${Math.random().toString(36).slice(2)}`) {
  return createTransaction('notification', data as Notification, { council: 'E07000223', idempotencyKey });
}

async function instance(
  options: {
    apiKey?: string;
    now?: () => Date;
    callbackBearerToken?: string | null;
    pollMaxPages?: number;
    logger?: ReturnType<typeof createMemoryLogger>['logger'];
  } = {},
) {
  const config = {
    baseUrl: sim.url,
    apiKey: options.apiKey ?? GOVUK_NOTIFY_TEST_API_KEY,
    ...(options.callbackBearerToken === null ? {} : { callbackBearerToken: options.callbackBearerToken ?? CALLBACK_TOKEN }),
    ...(options.pollMaxPages !== undefined ? { pollMaxPages: options.pollMaxPages } : {}),
  };
  return (
    await instantiateAdapter(adapter, config, {
      retry: false,
      ...(options.now ? { clock: { now: options.now } } : {}),
      ...(options.logger ? { logger: options.logger, rawLogger: true } : {}),
    })
  ).instance;
}

const sends = () => sim.requests.filter((r) => r.method === 'POST');

describe('sending', () => {
  it('sends an e-mail with its template, personalisation, reply-to address and a reference that carries the idempotency key', async () => {
    const a = await instance();
    const receipt = await a.submit!(tx(fixture('email-permit-confirmation'), 'form-42'), { signal: signal() });
    expect(sim.state.notifications.has(receipt.externalRef)).toBe(true);
    expect(receipt).toMatchObject({ status: 'open', externalStatusCode: 'created' });
    const sent = sends()[0]!;
    expect(sent.path).toBe('/v2/notifications/email');
    expect(JSON.parse(sent.body)).toEqual({
      template_id: 'f33517ff-2a88-4f6e-b855-c550268ce08a',
      email_address: 'alex.example@example.com',
      email_reply_to_id: '8e222534-7f05-4972-86e3-17c5d9f894e2',
      reference: 'PP-2026-004512 [form-42]',
      personalisation: {
        firstName: 'Alex',
        permitZone: 'C',
        applicationRef: 'PP-2026-004512',
        nextSteps: ['Upload your V5C', 'Pay the permit fee'],
      },
    });
  });

  it('sends a text message with its sender and a letter with the address as address_line_1 to _n', async () => {
    const a = await instance();
    await a.submit!(tx(fixture('sms-bin-day-reminder'), 'sms-1'), { signal: signal() });
    await a.submit!(tx(fixture('letter-council-tax-reminder'), 'letter-1'), { signal: signal() });
    const [sms, letter] = sends().map((r) => ({ path: r.path, body: JSON.parse(r.body) as Record<string, unknown> }));
    expect(sms).toEqual({
      path: '/v2/notifications/sms',
      body: {
        template_id: 'ceb50d92-100d-4b8b-b559-14fa3b091cda',
        phone_number: '07700 900123',
        sms_sender_id: 'c4d5e6f7-0a1b-4c2d-9e3f-4a5b6c7d8e9f',
        reference: 'GW-REMINDER-2026-05 [sms-1]',
        personalisation: { collectionDay: 'Saturday 9 May', binColour: 'brown' },
      },
    });
    expect(letter).toEqual({
      path: '/v2/notifications/letter',
      body: {
        template_id: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
        reference: 'CT-40012345-REM1 [letter-1]',
        personalisation: {
          accountRef: 'CT-40012345',
          amountDue: '£212.00',
          dueDate: '1 June 2026',
          address_line_1: 'Alex Example',
          address_line_2: 'Flat 2',
          address_line_3: '14 Mill Road',
          address_line_4: 'Cambridge',
          address_line_5: 'CB1 2AD',
        },
      },
    });
  });

  it('addresses a letter from addressLines alone, whatever address keys the personalisation holds', async () => {
    const a = await instance();
    const data = {
      ...fixture('letter-minimal-three-lines'),
      personalisation: { address_line_4: 'Stray line', postcode: 'ZZ1 1ZZ', accountRef: 'CT-1' },
    };
    await a.submit!(tx(data, 'letter-2'), { signal: signal() });
    expect(JSON.parse(sends()[0]!.body).personalisation).toEqual({
      accountRef: 'CT-1',
      address_line_1: 'The Occupier',
      address_line_2: '10 Example Street',
      address_line_3: 'SW1A 2AA',
    });
  });

  it('signs every request with a fresh HS256 JWT: iss is the service id, iat now, keyed with the secret part of the API key', async () => {
    const at = new Date('2026-11-23T10:00:00Z');
    const frozen = await startGovukNotifySimulator({ now: () => at.getTime() });
    try {
      const { instance: a } = await instantiateAdapter(
        adapter,
        { baseUrl: frozen.url, apiKey: GOVUK_NOTIFY_TEST_API_KEY },
        { retry: false, clock: { now: () => at } },
      );
      await a.submit!(tx(fixture('letter-minimal-three-lines')), { signal: signal() });
      const token = /^Bearer (.+)$/.exec(String(frozen.requests.at(-1)!.headers.authorization))![1]!;
      const [head, payload, sig] = token.split('.') as [string, string, string];
      expect(JSON.parse(Buffer.from(head, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
      expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual({ iss: GOVUK_NOTIFY_SERVICE_ID, iat: at.getTime() / 1000 });
      expect(sig).toBe(createHmac('sha256', TEST_SECRET).update(`${head}.${payload}`).digest('base64url'));
    } finally {
      await frozen.close();
    }
  });

  it('sends the same transaction once: a repeat finds the message by its reference and returns the same id', async () => {
    const a = await instance();
    const t = tx(fixture('email-permit-confirmation'), 'repeat-me');
    const first = await a.submit!(t, { signal: signal() });
    const second = await a.submit!(structuredClone(t), { signal: signal(), attempt: 2 });
    expect(second.externalRef).toBe(first.externalRef);
    expect(sim.state.notifications.size).toBe(1);
    // Another transaction with the same council reference is another message.
    const third = await a.submit!(tx(fixture('email-permit-confirmation'), 'another-key'), { signal: signal() });
    expect(third.externalRef).not.toBe(first.externalRef);
    expect(sim.state.notifications.size).toBe(2);
  });

  it('refuses hostile or wrongly typed input before sending anything', async () => {
    const a = await instance();
    const bad: unknown[] = [
      { ...fixture('email-permit-confirmation'), templateId: 42 },
      { ...fixture('email-permit-confirmation'), personalisation: JSON.parse('{"__proto__": {"polluted": true}}') as unknown },
      { ...fixture('email-permit-confirmation'), personalisation: { constructor: 'x' } },
      { ...fixture('sms-bin-day-reminder'), phoneNumber: '0'.repeat(5000) },
      { ...fixture('letter-minimal-three-lines'), addressLines: ['The Occupier', '10 Example Street\u0000', 'SW1A 2AA'] },
      { ...fixture('email-permit-confirmation'), emailAddress: `${'a'.repeat(300)}@example.com` },
      { ...fixture('email-permit-confirmation'), channel: 'sms' },
    ];
    for (const data of bad) {
      await expect(
        a.submit!(createTransaction('notification', data as Notification, { council: 'E07000223', idempotencyKey: 'k', validate: false }), {
          signal: signal(),
        }),
      ).rejects.toMatchObject({
        code: 'LGX_ERR_VALIDATION_INVALID',
      });
    }
    expect(sim.requests).toHaveLength(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('errors, classified as the runtime needs them', () => {
  it('missing personalisation is permanent, with Notify error type as the vendor code', async () => {
    const a = await instance();
    const data = fixture('email-permit-confirmation');
    delete data.personalisation!.firstName;
    await expect(a.submit!(tx(data), { signal: signal() })).rejects.toMatchObject({
      classification: 'permanent',
      status: 400,
      vendorCode: 'BadRequestError',
    });
  });

  it('a template Notify does not have is permanent', async () => {
    const a = await instance();
    await expect(
      a.submit!(tx({ ...fixture('letter-minimal-three-lines'), templateId: '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f' }), { signal: signal() }),
    ).rejects.toMatchObject({ classification: 'permanent', vendorCode: 'BadRequestError' });
  });

  it('a clock more than 30 seconds out is refused by Notify (403) and classified auth, without the key in the message', async () => {
    const a = await instance({ now: () => new Date(Date.now() - 60_000) });
    const error = (await a.submit!(tx(fixture('letter-minimal-three-lines')), { signal: signal() }).catch((e: unknown) => e)) as Error & {
      classification: string;
      status: number;
      vendorCode: string;
    };
    expect(error).toMatchObject({ classification: 'auth', status: 403, vendorCode: 'AuthError' });
    expect(error.message).toContain('accurate to within 30 seconds');
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain(TEST_SECRET);
  });

  it('an API key Notify does not know is classified auth', async () => {
    const unknown = `${GOVUK_NOTIFY_TEST_API_KEY.slice(0, -36)}00000000-0000-4000-8000-000000000000`;
    const a = await instance({ apiKey: unknown });
    await expect(a.getStatus!('0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f', { signal: signal() })).rejects.toMatchObject({
      classification: 'auth',
      vendorCode: 'AuthError',
    });
  });

  it('RateLimitError (3,000 a minute) is rateLimited', async () => {
    const limited = await startGovukNotifySimulator({ rateLimitPerMinute: 2 });
    try {
      const { instance: a } = await instantiateAdapter(
        adapter,
        { baseUrl: limited.url, apiKey: GOVUK_NOTIFY_TEST_API_KEY },
        { retry: false },
      );
      await a.submit!(tx(fixture('letter-minimal-three-lines')), { signal: signal() });
      await a.submit!(tx(fixture('letter-minimal-three-lines')), { signal: signal() });
      await expect(a.submit!(tx(fixture('letter-minimal-three-lines')), { signal: signal() })).rejects.toMatchObject({
        classification: 'rateLimited',
        status: 429,
        vendorCode: 'RateLimitError',
      });
    } finally {
      await limited.close();
    }
  });

  it('TooManyRequestsError (the daily limit) is rateLimited until midnight UTC, when the limits reset', async () => {
    const at = new Date('2026-11-23T22:30:00Z');
    const limited = await startGovukNotifySimulator({ dailyLimits: { sms: 1 }, now: () => at.getTime() });
    try {
      const { instance: a } = await instantiateAdapter(
        adapter,
        { baseUrl: limited.url, apiKey: GOVUK_NOTIFY_TEST_API_KEY },
        { retry: false, clock: { now: () => at } },
      );
      await a.submit!(tx(fixture('sms-bin-day-reminder')), { signal: signal() });
      await expect(a.submit!(tx(fixture('sms-bin-day-reminder')), { signal: signal() })).rejects.toMatchObject({
        classification: 'rateLimited',
        vendorCode: 'TooManyRequestsError',
        retryAfterMs: 90 * 60 * 1000,
      });
    } finally {
      await limited.close();
    }
  });

  it('a 5xx is retryable and a 404 for a message is notFound', async () => {
    const a = await instance();
    sim.faults.failNext(2, { status: 500, body: { status_code: 500, errors: [{ error: 'Exception', message: 'Internal server error' }] } });
    await expect(a.submit!(tx(fixture('letter-minimal-three-lines')), { signal: signal() })).rejects.toMatchObject({
      classification: 'retryable',
      status: 500,
    });
    sim.faults.clear();
    await expect(a.getStatus!('0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f', { signal: signal() })).rejects.toMatchObject({
      classification: 'notFound',
      vendorCode: 'NoResultFound',
    });
  });

  it('a status answer without an id and status, or cut short, is retryable and reports nothing', async () => {
    const a = await instance();
    const ref = '740e5834-3a29-46b4-9a6f-16142fde533a';
    sim.faults.failNext(1, { malformed: true, body: '{"id": 5, "status": {"__proto__": 1}}' });
    await expect(a.getStatus!(ref, { signal: signal() })).rejects.toMatchObject({ classification: 'retryable' });
    sim.faults.failNext(1, { malformed: true });
    await expect(a.getStatus!(ref, { signal: signal() })).rejects.toMatchObject({ classification: 'retryable' });
  });

  it('an externalRef that is not a Notify id is notFound without asking Notify', async () => {
    const a = await instance();
    await expect(a.getStatus!('../v2/templates', { signal: signal() })).rejects.toMatchObject({ classification: 'notFound' });
    expect(sim.requests).toHaveLength(0);
  });
});

describe('delivery status', () => {
  it.each([
    ['email', 'temp-fail@simulator.notify', 'temporary-failure', 'no_further_action'],
    ['email', 'perm-fail@simulator.notify', 'permanent-failure', 'no_further_action'],
    ['sms', '07700900003', 'temporary-failure', 'no_further_action'],
    ['sms', '07700900002', 'permanent-failure', 'no_further_action'],
    ['email', 'resident@example.com', 'delivered', 'closed'],
    ['sms', '07700 900456', 'delivered', 'closed'],
  ])('a test-key %s to %s ends %s, reported as %s', async (channel, to, notifyStatus, status) => {
    const a = await instance();
    const base = fixture(channel === 'email' ? 'email-permit-confirmation' : 'sms-bin-day-reminder');
    const data = channel === 'email' ? { ...base, emailAddress: to } : { ...base, phoneNumber: to };
    const { externalRef } = await a.submit!(tx(data), { signal: signal() });
    const update = await a.getStatus!(externalRef, { signal: signal() });
    expect(update).toMatchObject({
      externalRef,
      status,
      externalStatusCode: notifyStatus,
      source: 'govuk-notify',
      notification: { status: notifyStatus, completedAt: expect.stringMatching(/Z$/) },
    });
  });

  it('a letter sent with a test key is received (printed and dispatched)', async () => {
    const a = await instance();
    const { externalRef } = await a.submit!(tx(fixture('letter-council-tax-reminder')), { signal: signal() });
    await expect(a.getStatus!(externalRef, { signal: signal() })).resolves.toMatchObject({
      status: 'closed',
      externalStatusCode: 'received',
    });
  });

  it('a smoke-test address is accepted but Notify keeps nothing, so its status is notFound', async () => {
    const a = await instance();
    const { externalRef } = await a.submit!(
      tx({ ...fixture('email-permit-confirmation'), emailAddress: 'simulate-delivered@notifications.service.gov.uk' }),
      { signal: signal() },
    );
    expect(sim.state.notifications.size).toBe(0);
    await expect(a.getStatus!(externalRef, { signal: signal() })).rejects.toMatchObject({ classification: 'notFound' });
  });

  it('pollUpdates reports new messages, then only changes, across pages of 250, without repeating any', async () => {
    const a = await instance({ apiKey: GOVUK_NOTIFY_LIVE_API_KEY });
    const start = await a.pollUpdates!(undefined, { signal: signal() });
    expect(start.updates).toEqual([]);
    const refs: string[] = [];
    for (let i = 0; i < 260; i++) refs.push((await a.submit!(tx(fixture('letter-minimal-three-lines')), { signal: signal() })).externalRef);
    const first = await a.pollUpdates!(start.cursor, { signal: signal() });
    expect(first.updates).toHaveLength(260);
    expect(first.updates[0]).toMatchObject({ externalRef: refs[0], status: 'in_progress', externalStatusCode: 'accepted' });
    expect(first.updates.at(-1)!.externalRef).toBe(refs[259]);
    // The oldest message is on the second page now; the newest on the first.
    setNotifyStatus(sim, refs[0]!, 'received');
    setNotifyStatus(sim, refs[259]!, 'cancelled');
    const second = await a.pollUpdates!(first.cursor, { signal: signal() });
    expect(second.updates.map((u) => [u.externalRef, u.status, u.externalStatusCode])).toEqual(
      expect.arrayContaining([
        [refs[0], 'closed', 'received'],
        [refs[259], 'cancelled', 'cancelled'],
      ]),
    );
    expect(second.updates).toHaveLength(2);
    const third = await a.pollUpdates!(second.cursor, { signal: signal() });
    expect(third.updates).toEqual([]);
  });

  it('a cursor it did not issue starts again from the newest messages, with a warning', async () => {
    const memory = createMemoryLogger('debug');
    const a = await instance({ logger: memory.logger });
    await a.submit!(tx(fixture('letter-minimal-three-lines')), { signal: signal() });
    const polled = await a.pollUpdates!('{"not":"ours"}', { signal: signal() });
    expect(polled.updates).toHaveLength(1);
    expect(memory.entries.some((e) => e.level === 'warn' && /cursor/.test(e.msg))).toBe(true);
  });
});

describe('delivery receipt callbacks', () => {
  async function receiver(a: Awaited<ReturnType<typeof instance>>) {
    const results: unknown[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        a.handleCallback!({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) }, { signal: signal() }).then(
          (r) => {
            results.push(r);
            res.writeHead(r.status ?? 200).end();
          },
          (e: { classification?: string }) => {
            results.push(e);
            res.writeHead(e.classification === 'auth' ? 401 : 400).end();
          },
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks/notify`;
    return { url, results, close: () => new Promise<void>((r) => server.close(() => r())) };
  }

  it('turns a delivery receipt with the right bearer token into a status update, without the recipient', async () => {
    const a = await instance();
    const { externalRef } = await a.submit!(tx({ ...fixture('email-permit-confirmation'), emailAddress: 'perm-fail@simulator.notify' }), {
      signal: signal(),
    });
    await a.getStatus!(externalRef, { signal: signal() });
    const r = await receiver(a);
    try {
      await expect(sendNotifyCallback(sim, externalRef, { url: r.url, bearerToken: CALLBACK_TOKEN })).resolves.toBe(200);
      const result = r.results[0] as { updates: unknown[] };
      expect(result.updates).toEqual([
        expect.objectContaining({
          externalRef,
          status: 'no_further_action',
          externalStatusCode: 'permanent-failure',
          notification: { status: 'permanent-failure', completedAt: expect.any(String) },
        }),
      ]);
      expect(JSON.stringify(result)).not.toContain('perm-fail@simulator.notify');
    } finally {
      await r.close();
    }
  });

  it('refuses a wrong, missing or unconfigured bearer token as auth (401)', async () => {
    const a = await instance();
    const { externalRef } = await a.submit!(tx(fixture('sms-bin-day-reminder')), { signal: signal() });
    const r = await receiver(a);
    try {
      await expect(sendNotifyCallback(sim, externalRef, { url: r.url, bearerToken: `${CALLBACK_TOKEN}x` })).resolves.toBe(401);
    } finally {
      await r.close();
    }
    const body = Buffer.from(JSON.stringify({ id: externalRef, status: 'delivered' }));
    await expect(a.handleCallback!({ headers: {}, body }, { signal: signal() })).rejects.toMatchObject({ classification: 'auth' });
    await expect(a.handleCallback!({ headers: { authorization: CALLBACK_TOKEN }, body }, { signal: signal() })).rejects.toMatchObject({
      classification: 'auth',
    });
    await expect(a.handleCallback!({ headers: { authorization: 'Bearer ' }, body }, { signal: signal() })).rejects.toMatchObject({
      classification: 'auth',
    });
    const unconfigured = await instance({ callbackBearerToken: null });
    await expect(
      unconfigured.handleCallback!({ headers: { authorization: `Bearer ${CALLBACK_TOKEN}` }, body }, { signal: signal() }),
    ).rejects.toMatchObject({ classification: 'auth' });
  });

  it('refuses bodies that are not delivery receipts as permanent, without echoing them', async () => {
    const a = await instance();
    const headers = { authorization: `Bearer ${CALLBACK_TOKEN}` };
    const bodies = [
      'not json',
      '[1,2]',
      '{"id":"not-a-uuid","status":"delivered"}',
      '{"id":"740e5834-3a29-46b4-9a6f-16142fde533a"}',
      '{"id":"740e5834-3a29-46b4-9a6f-16142fde533a","status":{"$gt":""}}',
      JSON.stringify({ id: '740e5834-3a29-46b4-9a6f-16142fde533a', status: 'delivered', to: 'x'.repeat(70_000) }),
    ];
    for (const text of bodies) {
      const error = (await a.handleCallback!({ headers, body: Buffer.from(text) }, { signal: signal() }).catch(
        (e: unknown) => e,
      )) as Error & { classification: string };
      expect(error.classification).toBe('permanent');
      expect(error.message).not.toContain('x'.repeat(20));
    }
  });

  it('reports a returned letter as its final status, and accepts a received text message without reporting anything', async () => {
    const at = new Date('2026-11-23T09:00:00Z');
    const a = await instance({ now: () => at });
    const headers = { authorization: `Bearer ${CALLBACK_TOKEN}` };
    const returned = JSON.stringify({
      notification_id: '3d1ce039-5476-414c-99b2-fac1e6add62c',
      reference: 'CT-1',
      date_sent: '2026-11-01T12:15:30.000000Z',
      sent_by: 'officer@council.example',
      template_name: 'Reminder',
      template_id: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
      template_version: 1,
    });
    await expect(a.handleCallback!({ headers, body: Buffer.from(returned) }, { signal: signal() })).resolves.toEqual({
      status: 200,
      updates: [
        {
          externalRef: '3d1ce039-5476-414c-99b2-fac1e6add62c',
          updateId: '3d1ce039-5476-414c-99b2-fac1e6add62c:returned-letter',
          status: 'no_further_action',
          externalStatusCode: 'returned-letter',
          updatedAt: at.toISOString(),
          source: 'govuk-notify',
        },
      ],
    });
    const inbound = JSON.stringify({
      id: '4d1ce039-5476-414c-99b2-fac1e6add62c',
      source_number: '447700912345',
      destination_number: '07700987654',
      message: 'STOP',
      date_received: '2026-11-23T08:00:00.000000Z',
    });
    await expect(a.handleCallback!({ headers, body: Buffer.from(inbound) }, { signal: signal() })).resolves.toEqual({
      status: 200,
      updates: [],
    });
  });

  it('ignores prototype keys in a receipt and reads Notify times as UTC', async () => {
    const a = await instance();
    const body =
      '{"__proto__":{"polluted":1},"id":"740e5834-3a29-46b4-9a6f-16142fde533a","reference":null,"to":"07700900123","status":"delivered","created_at":"2026-05-14T12:15:30.000000Z","completed_at":"2026-05-14T12:16:01.123456Z","sent_at":"2026-05-14T12:15:31.000000Z","notification_type":"sms"}';
    const { updates } = await a.handleCallback!(
      { headers: { Authorization: `Bearer ${CALLBACK_TOKEN}` }, body: Buffer.from(body) },
      { signal: signal() },
    );
    expect(updates).toEqual([
      {
        externalRef: '740e5834-3a29-46b4-9a6f-16142fde533a',
        updateId: '740e5834-3a29-46b4-9a6f-16142fde533a:delivered',
        status: 'closed',
        externalStatusCode: 'delivered',
        updatedAt: '2026-05-14T12:16:01.123Z',
        source: 'govuk-notify',
        notification: { status: 'delivered', completedAt: '2026-05-14T12:16:01.123Z' },
      },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('configuration and logs', () => {
  it('refuses an API key that is not {key_name}-{service_id}-{secret_key}, naming the field but not the value', async () => {
    const error = (await instantiateAdapter(adapter, {
      apiKey: 'not-a-notify-key-at-all-but-long-enough-to-pass-length-checks-0000000000000',
    }).catch((e: unknown) => e)) as Error & { issues: Array<{ path: string }> };
    expect(error).toMatchObject({ code: 'LGX_ERR_ADAPTER_CONFIG_INVALID', issues: [expect.objectContaining({ path: '/apiKey' })] });
    expect(JSON.stringify(error)).not.toContain('not-a-notify-key');
  });

  it('logs what it did without the API key, its secret, the callback token or the recipient', async () => {
    const memory = createMemoryLogger('debug');
    const a = await instance({ logger: memory.logger });
    const { externalRef } = await a.submit!(tx(fixture('email-permit-confirmation')), { signal: signal() });
    await a.getStatus!(externalRef, { signal: signal() });
    await a.handleCallback!(
      {
        headers: { authorization: `Bearer ${CALLBACK_TOKEN}` },
        body: Buffer.from(JSON.stringify({ id: externalRef, status: 'delivered', to: 'alex.example@example.com' })),
      },
      { signal: signal() },
    );
    const text = JSON.stringify(memory.entries);
    expect(text).toContain(externalRef);
    for (const hidden of [GOVUK_NOTIFY_TEST_API_KEY, TEST_SECRET, CALLBACK_TOKEN, 'alex.example@example.com', 'Alex'])
      expect(text).not.toContain(hidden);
  });
});
