import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GOVUK_NOTIFY_LIVE_API_KEY,
  GOVUK_NOTIFY_TEAM_API_KEY,
  GOVUK_NOTIFY_TEST_API_KEY,
  sendNotifyCallback,
  setNotifyStatus,
  startGovukNotifySimulator,
  type GovukNotifySimulator,
} from '../src/testing';

const EMAIL_TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a';
const SMS_TEMPLATE = 'ceb50d92-100d-4b8b-b559-14fa3b091cda';
const LETTER_TEMPLATE = '6d9a7e2b-3c1f-4b8e-a5d4-0f2e1c3b4a59';
const EMAIL_PERSONALISATION = { firstName: 'Alex', permitZone: 'C', applicationRef: 'PP-1', nextSteps: ['Pay'] };
const SMS_PERSONALISATION = { collectionDay: 'Saturday', binColour: 'brown' };

function token(
  apiKey: string,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = { typ: 'JWT', alg: 'HS256' },
): string {
  const head = Buffer.from(JSON.stringify(header)).toString('base64url');
  const body = Buffer.from(JSON.stringify({ iss: apiKey.slice(-73, -37), iat: Math.floor(Date.now() / 1000), ...claims })).toString(
    'base64url',
  );
  const sig = createHmac('sha256', apiKey.slice(-36)).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

interface Answer {
  status: number;
  body: { status_code?: number; errors?: Array<{ error: string; message: string }>; [k: string]: unknown };
}

async function call(
  sim: GovukNotifySimulator,
  method: string,
  path: string,
  options: { body?: unknown; auth?: string | null; apiKey?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.auth !== null) headers.authorization = options.auth ?? `Bearer ${token(options.apiKey ?? GOVUK_NOTIFY_TEST_API_KEY)}`;
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Answer['body']) : {} };
}

const email = (to: string, extra: Record<string, unknown> = {}) => ({
  email_address: to,
  template_id: EMAIL_TEMPLATE,
  personalisation: EMAIL_PERSONALISATION,
  ...extra,
});
const sms = (to: string, extra: Record<string, unknown> = {}) => ({
  phone_number: to,
  template_id: SMS_TEMPLATE,
  personalisation: SMS_PERSONALISATION,
  ...extra,
});
const letter = (lines: string[]) => ({
  template_id: LETTER_TEMPLATE,
  personalisation: Object.fromEntries(lines.map((l, i) => [`address_line_${i + 1}`, l])),
});

let sim: GovukNotifySimulator;
beforeAll(async () => {
  sim = await startGovukNotifySimulator({
    apiKeys: [
      { key: GOVUK_NOTIFY_TEST_API_KEY, type: 'test' },
      { key: GOVUK_NOTIFY_LIVE_API_KEY, type: 'live' },
      { key: GOVUK_NOTIFY_TEAM_API_KEY, type: 'team' },
    ],
    guestList: ['colleague@example.gov.uk', '07700 900777'],
  });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

describe('authentication, as Notify checks the JWT', () => {
  it('accepts a token signed with the secret key, issued by the service id, within 30 seconds', async () => {
    const ok = await call(sim, 'POST', '/v2/notifications/email', {
      auth: `Bearer ${token(GOVUK_NOTIFY_TEST_API_KEY, { iat: Math.floor(Date.now() / 1000) - 25 })}`,
      body: email('a@example.com'),
    });
    expect(ok.status).toBe(201);
  });

  it.each([
    ['no header', null, 401, 'Unauthorized: authentication token must be provided'],
    ['another scheme', `Basic ${Buffer.from('a:b').toString('base64')}`, 401, 'Unauthorized: authentication bearer scheme must be used'],
    ['not a JWT', 'Bearer abc', 403, 'Invalid token: signature, api token is not valid'],
    [
      'a wrong signature',
      `Bearer ${token(`${GOVUK_NOTIFY_TEST_API_KEY.slice(0, -36)}00000000-0000-4000-8000-000000000000`)}`,
      403,
      'Invalid token: API key not found',
    ],
    [
      'an unknown service',
      `Bearer ${token(GOVUK_NOTIFY_TEST_API_KEY, { iss: '00000000-0000-4000-8000-000000000000' })}`,
      403,
      'Invalid token: service not found',
    ],
    [
      'an old iat',
      `Bearer ${token(GOVUK_NOTIFY_TEST_API_KEY, { iat: Math.floor(Date.now() / 1000) - 45 })}`,
      403,
      'Error: Your system clock must be accurate to within 30 seconds',
    ],
    [
      'an iat in the future',
      `Bearer ${token(GOVUK_NOTIFY_TEST_API_KEY, { iat: Math.floor(Date.now() / 1000) + 45 })}`,
      403,
      'Error: Your system clock must be accurate to within 30 seconds',
    ],
    [
      'alg none',
      `Bearer ${token(GOVUK_NOTIFY_TEST_API_KEY, {}, { alg: 'none' })}`,
      403,
      'Invalid token: signature, api token is not valid',
    ],
  ])('refuses %s with an AuthError', async (_what, auth, status, message) => {
    const answer = await call(sim, 'GET', '/v2/notifications', { auth });
    expect(answer).toEqual({ status, body: { status_code: status, errors: [{ error: 'AuthError', message }] } });
  });
});

describe('sending', () => {
  it('keeps a message and answers like Notify, with the rendered template', async () => {
    const sent = await call(sim, 'POST', '/v2/notifications/email', { body: email('a@example.com', { reference: 'ref-1' }) });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({
      reference: 'ref-1',
      content: { subject: 'Your parking permit application PP-1' },
      template: { id: EMAIL_TEMPLATE, version: 1 },
    });
    const id = sent.body.id as string;
    expect(sim.state.notifications.get(id)).toMatchObject({ type: 'email', email_address: 'a@example.com', reference: 'ref-1' });
    const read = await call(sim, 'GET', `/v2/notifications/${id}`);
    expect(read.body).toMatchObject({
      id,
      type: 'email',
      status: 'delivered',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/),
    });
  });

  it('refuses a message whose template personalisation is missing (400 BadRequestError)', async () => {
    const answer = await call(sim, 'POST', '/v2/notifications/sms', {
      body: sms('07700900123', { personalisation: { binColour: 'brown' } }),
    });
    expect(answer).toEqual({
      status: 400,
      body: { status_code: 400, errors: [{ error: 'BadRequestError', message: 'Missing personalisation: collectionDay' }] },
    });
  });

  it.each([
    [
      'an unknown template',
      '/v2/notifications/email',
      email('a@example.com', { template_id: '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f' }),
      'BadRequestError',
      'Template not found',
    ],
    [
      'a template of another type',
      '/v2/notifications/sms',
      sms('07700900123', { template_id: EMAIL_TEMPLATE }),
      'BadRequestError',
      'email template is not suitable for sms notification',
    ],
    [
      'a template id that is not a UUID',
      '/v2/notifications/email',
      email('a@example.com', { template_id: 'x' }),
      'ValidationError',
      'template_id is not a valid UUID',
    ],
    [
      'an unexpected field',
      '/v2/notifications/email',
      email('a@example.com', { __proto__x: 1 }),
      'ValidationError',
      'Additional properties are not allowed (__proto__x was unexpected)',
    ],
    [
      'a bad e-mail address',
      '/v2/notifications/email',
      email('not-an-address'),
      'ValidationError',
      'email_address Not a valid email address',
    ],
    ['a bad phone number', '/v2/notifications/sms', sms('0770090012A'), 'ValidationError', 'phone_number Not a valid phone number'],
    [
      'an unknown reply-to id',
      '/v2/notifications/email',
      email('a@example.com', { email_reply_to_id: '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f' }),
      'BadRequestError',
      expect.stringContaining('email_reply_to_id'),
    ],
    [
      'personalisation that is a list',
      '/v2/notifications/email',
      email('a@example.com', { personalisation: [1] }),
      'ValidationError',
      'personalisation array is not of type object',
    ],
    [
      'a two-line address',
      '/v2/notifications/letter',
      letter(['A Person', 'SW1A 2AA']),
      'ValidationError',
      'Address must be at least 3 lines',
    ],
    [
      'an address ending in no postcode',
      '/v2/notifications/letter',
      letter(['A Person', '1 Road', '12345']),
      'ValidationError',
      'Last line of address must be a real UK postcode or another country',
    ],
  ])('refuses %s with 400', async (_what, path, body, error, message) => {
    const answer = await call(sim, 'POST', path, { body });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ error, message }]);
    expect(sim.state.notifications.size).toBe(0);
  });

  it('answers a template by id, and 404 for one it does not have', async () => {
    const found = await call(sim, 'GET', `/v2/template/${SMS_TEMPLATE}`);
    expect(found).toMatchObject({
      status: 200,
      body: { id: SMS_TEMPLATE, type: 'sms', version: 1, body: expect.stringContaining('((collectionDay))') },
    });
    expect((await call(sim, 'GET', '/v2/template/0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f')).status).toBe(404);
  });

  it('a status set on a test-key message stays, without a completion time while it is in flight', async () => {
    let clock = Date.now();
    const slow = await startGovukNotifySimulator({ deliveryDelayMs: 1000, now: () => clock });
    try {
      const id = (await call(slow, 'POST', '/v2/notifications/sms', { body: sms('07700900123') })).body.id as string;
      expect((await call(slow, 'GET', `/v2/notifications/${id}`)).body).toMatchObject({ status: 'created', completed_at: null });
      setNotifyStatus(slow, id, 'pending');
      clock += 5000;
      expect((await call(slow, 'GET', `/v2/notifications/${id}`)).body).toMatchObject({
        status: 'pending',
        completed_at: null,
        sent_at: expect.any(String),
      });
      const other = (await call(slow, 'POST', '/v2/notifications/sms', { body: sms('07700900003') })).body.id as string;
      clock += 5000;
      expect((await call(slow, 'GET', `/v2/notifications/${other}`)).body).toMatchObject({
        status: 'temporary-failure',
        completed_at: expect.any(String),
      });
    } finally {
      await slow.close();
    }
  });

  it('answers a malformed JSON body with 400, after checking the token', async () => {
    const response = await fetch(`${sim.url}/v2/notifications/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token(GOVUK_NOTIFY_TEST_API_KEY)}` },
      body: '{"email_address":',
    });
    expect(response.status).toBe(400);
  });
});

describe('test key, smoke tests, team and live keys', () => {
  it.each([
    ['temp-fail@simulator.notify', '/v2/notifications/email', email('temp-fail@simulator.notify'), 'temporary-failure'],
    ['Perm-Fail@simulator.notify', '/v2/notifications/email', email('Perm-Fail@simulator.notify'), 'permanent-failure'],
    ['07700900003', '/v2/notifications/sms', sms('07700900003'), 'temporary-failure'],
    ['+447700900002', '/v2/notifications/sms', sms('+447700900002'), 'permanent-failure'],
    ['any other number', '/v2/notifications/sms', sms('07700900123'), 'delivered'],
  ])('a test-key message to %s ends in its documented status', async (_to, path, body, status) => {
    const sent = await call(sim, 'POST', path, { body });
    const read = await call(sim, 'GET', `/v2/notifications/${sent.body.id as string}`);
    expect(read.body).toMatchObject({ status, completed_at: expect.any(String) });
  });

  it('answers smoke-test recipients without keeping the message', async () => {
    for (const body of [sms('07700900000'), sms('07700 900 111'), email('simulate-delivered-2@notifications.service.gov.uk')]) {
      const sent = await call(sim, 'POST', body.template_id === SMS_TEMPLATE ? '/v2/notifications/sms' : '/v2/notifications/email', {
        body,
      });
      expect(sent.status).toBe(201);
      expect((await call(sim, 'GET', `/v2/notifications/${sent.body.id as string}`)).status).toBe(404);
    }
    expect(sim.state.notifications.size).toBe(0);
  });

  it('keeps live-key messages sending until the provider reports, then reports that', async () => {
    const sent = await call(sim, 'POST', '/v2/notifications/sms', { apiKey: GOVUK_NOTIFY_LIVE_API_KEY, body: sms('07700900123') });
    const id = sent.body.id as string;
    expect((await call(sim, 'GET', `/v2/notifications/${id}`)).body.status).toBe('sending');
    setNotifyStatus(sim, id, 'delivered');
    expect((await call(sim, 'GET', `/v2/notifications/${id}`)).body).toMatchObject({
      status: 'delivered',
      completed_at: expect.any(String),
    });
  });

  it('lets a team key send only to the team and guest list, and no letters', async () => {
    expect(
      (await call(sim, 'POST', '/v2/notifications/email', { apiKey: GOVUK_NOTIFY_TEAM_API_KEY, body: email('colleague@example.gov.uk') }))
        .status,
    ).toBe(201);
    expect(
      (await call(sim, 'POST', '/v2/notifications/sms', { apiKey: GOVUK_NOTIFY_TEAM_API_KEY, body: sms('+44 7700 900777') })).status,
    ).toBe(201);
    const stranger = await call(sim, 'POST', '/v2/notifications/email', {
      apiKey: GOVUK_NOTIFY_TEAM_API_KEY,
      body: email('stranger@example.com'),
    });
    expect(stranger).toMatchObject({ status: 400, body: { errors: [{ error: 'BadRequestError' }] } });
    const letterAnswer = await call(sim, 'POST', '/v2/notifications/letter', {
      apiKey: GOVUK_NOTIFY_TEAM_API_KEY,
      body: letter(['A Person', '1 Road', 'SW1A 2AA']),
    });
    expect(letterAnswer).toEqual({
      status: 403,
      body: { status_code: 403, errors: [{ error: 'BadRequestError', message: 'Cannot send letters with a team api key' }] },
    });
  });
});

describe('limits and faults', () => {
  it('answers 429 RateLimitError beyond the messages allowed per minute', async () => {
    const limited = await startGovukNotifySimulator({ rateLimitPerMinute: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await call(limited, 'POST', '/v2/notifications/sms', { body: sms('07700900123') })).status);
      expect(statuses).toEqual([201, 201, 201, 429]);
      const answer = await call(limited, 'POST', '/v2/notifications/sms', { body: sms('07700900123') });
      expect(answer.body.errors?.[0]).toEqual({
        error: 'RateLimitError',
        message: 'Exceeded rate limit for key type TEST of 3 requests per 60 seconds',
      });
      expect(limited.state.notifications.size).toBe(3);
    } finally {
      await limited.close();
    }
  });

  it('answers 429 TooManyRequestsError beyond the daily limit for a type', async () => {
    const limited = await startGovukNotifySimulator({ dailyLimits: { letter: 1 } });
    try {
      expect((await call(limited, 'POST', '/v2/notifications/letter', { body: letter(['A Person', '1 Road', 'SW1A 2AA']) })).status).toBe(
        201,
      );
      const over = await call(limited, 'POST', '/v2/notifications/letter', { body: letter(['A Person', '1 Road', 'SW1A 2AA']) });
      expect(over).toEqual({
        status: 429,
        body: { status_code: 429, errors: [{ error: 'TooManyRequestsError', message: 'Exceeded send limits (letter: 1) for today' }] },
      });
    } finally {
      await limited.close();
    }
  });

  it('supports the shared fault injection', async () => {
    sim.faults.failNext(1, { status: 503 });
    expect((await call(sim, 'POST', '/v2/notifications/sms', { body: sms('07700900123') })).status).toBe(503);
    expect((await call(sim, 'POST', '/v2/notifications/sms', { body: sms('07700900123') })).status).toBe(201);
  });
});

describe('listing messages', () => {
  it('lists newest first, 250 a page, paged with older_than, filtered by type, status and reference', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 255; i++)
      ids.push(
        (
          await call(sim, 'POST', '/v2/notifications/sms', {
            apiKey: GOVUK_NOTIFY_LIVE_API_KEY,
            body: sms('07700900123', { reference: i === 7 ? 'the-one' : 'batch' }),
          })
        ).body.id as string,
      );
    await call(sim, 'POST', '/v2/notifications/email', { apiKey: GOVUK_NOTIFY_LIVE_API_KEY, body: email('a@example.com') });
    setNotifyStatus(sim, ids[3]!, 'delivered');

    const first = await call(sim, 'GET', '/v2/notifications?template_type=sms');
    const page = first.body.notifications as Array<{ id: string }>;
    expect(page).toHaveLength(250);
    expect(page[0]!.id).toBe(ids[254]);
    const next = (first.body.links as { next: string }).next;
    expect(next).toContain(`older_than=${page[249]!.id}`);
    const second = await call(sim, 'GET', next.slice(sim.url.length));
    expect((second.body.notifications as Array<{ id: string }>).map((n) => n.id)).toEqual([ids[4], ids[3], ids[2], ids[1], ids[0]]);
    expect((second.body.links as { next?: string }).next).toBeUndefined();

    const delivered = await call(sim, 'GET', '/v2/notifications?status=delivered&status=permanent-failure');
    expect((delivered.body.notifications as Array<{ id: string }>).map((n) => n.id)).toEqual([ids[3]]);
    const byReference = await call(sim, 'GET', '/v2/notifications?reference=the-one');
    expect((byReference.body.notifications as Array<{ id: string }>).map((n) => n.id)).toEqual([ids[7]]);
    expect((await call(sim, 'GET', '/v2/notifications?status=elephant')).body.errors?.[0]?.error).toBe('ValidationError');
    expect((await call(sim, 'GET', '/v2/notifications/not-a-uuid')).body.errors?.[0]?.error).toBe('ValidationError');
  });
});

describe('callbacks', () => {
  it('posts a delivery receipt with the bearer token, as documented', async () => {
    const received: Array<{ auth: string | undefined; body: Record<string, unknown> }> = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ auth: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown> });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const sent = await call(sim, 'POST', '/v2/notifications/email', {
        body: email('temp-fail@simulator.notify', { reference: 'ref-9' }),
      });
      await call(sim, 'GET', `/v2/notifications/${sent.body.id as string}`);
      const status = await sendNotifyCallback(sim, sent.body.id as string, {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`,
        bearerToken: 'cb-token-1',
      });
      expect(status).toBe(204);
      expect(received).toEqual([
        {
          auth: 'Bearer cb-token-1',
          body: {
            id: sent.body.id,
            reference: 'ref-9',
            to: 'temp-fail@simulator.notify',
            status: 'temporary-failure',
            created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
            completed_at: expect.stringMatching(/Z$/),
            sent_at: expect.stringMatching(/Z$/),
            notification_type: 'email',
            template_id: EMAIL_TEMPLATE,
            template_version: 1,
          },
        },
      ]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('a state folder', () => {
  it('keeps messages across a restart: they answer by id and by reference, with the same times', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lgx-notify-state-'));
    try {
      const first = await startGovukNotifySimulator({ stateDir: dir });
      const sent = await call(first, 'POST', '/v2/notifications/email', {
        body: email('resident@example.com', { reference: 'permit-42' }),
      });
      const id = sent.body.id as string;
      // A test-key message settles when it is read; the settled times are saved with it.
      const read = await call(first, 'GET', `/v2/notifications/${id}`);
      expect(read.body).toMatchObject({ status: 'delivered' });
      await first.close();

      const second = await startGovukNotifySimulator({ stateDir: dir });
      try {
        const again = await call(second, 'GET', `/v2/notifications/${id}`);
        expect(again.body).toMatchObject({ id, reference: 'permit-42', status: 'delivered', email_address: 'resident@example.com' });
        expect(again.body.completed_at).toBe(read.body.completed_at);
        const byReference = await call(second, 'GET', '/v2/notifications?reference=permit-42');
        expect((byReference.body.notifications as Array<{ id: string }>).map((m) => m.id)).toEqual([id]);
        const next = await call(second, 'POST', '/v2/notifications/email', {
          body: email('resident@example.com', { reference: 'permit-43' }),
        });
        expect(next.status).toBe(201);
        expect(second.state.notifications.get(next.body.id as string)!.seq).toBe(2);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
