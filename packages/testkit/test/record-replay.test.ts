import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { isSecretName } from '@lgx/core';
import { createHttpClient } from '@lgx/core/http';
import {
  findUnscrubbedSecret,
  record,
  replayFixture,
  restoreNock,
  scrubRecording,
  SCRUBBED,
  simulateResetMidBody,
  simulateTlsFailure,
  type RecordedInteraction,
} from '../src/record-replay';
import { reply, startRestSimulator } from '../src/simulators/rest-simulator';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-record-replay-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const running: Array<{ close(): Promise<void> }> = [];
// One failed test must not leave nock intercepting the next one, nor a server keeping jest alive.
afterEach(async () => {
  restoreNock();
  await Promise.all(running.splice(0).map((s) => s.close()));
});

interface Outcome {
  status?: number;
  body: string;
  error?: { code?: string; message: string };
}

/** What a plain Node http(s) client sees: status, whatever body arrived, and the error if any. */
function get(url: string): Promise<Outcome> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve) => {
    const req = client.request(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      const body = () => Buffer.concat(chunks).toString('utf8');
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: body() }));
      res.on('error', (e: NodeJS.ErrnoException) =>
        resolve({ status: res.statusCode!, body: body(), error: { message: e.message, ...(e.code ? { code: e.code } : {}) } }),
      );
    });
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve({ body: '', error: { message: e.message, ...(e.code ? { code: e.code } : {}) } }),
    );
    req.end();
  });
}

// Secrets the client and the server exchange; none may reach the recording.
const CLIENT_SECRET = 'client-secret-5f2a9c';
const ACCESS_TOKEN = 'access-token-81b7e4d2';
const API_KEY = 'api-key-3c9d1e77';
const PASSWORD = 'Pa55word-for-portal';

async function startVendor() {
  const sim = await startRestSimulator({
    name: 'vendor',
    state: () => ({ cases: new Map<string, { id: string; kind: string }>() }),
    routes: [
      {
        method: 'POST',
        path: '/oauth/token',
        handler: (req) =>
          new URLSearchParams(req.body).get('client_secret') === CLIENT_SECRET
            ? reply(
                200,
                { access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600 },
                { 'set-cookie': `session=${ACCESS_TOKEN}; HttpOnly` },
              )
            : reply(401, { error: 'invalid_client' }),
      },
      {
        method: 'POST',
        path: '/api/cases',
        handler: (req, { state }) => {
          const { kind } = req.json as { kind: string };
          const id = `C-${state.cases.size + 1}`;
          state.cases.set(id, { id, kind });
          return reply(201, { id, kind, status: 'received', band: 'Basic Household' });
        },
      },
      {
        method: 'GET',
        path: '/api/cases/:id',
        handler: (req, { state }) => {
          const body = Buffer.from(JSON.stringify({ ...state.cases.get(req.params.id!), viewerToken: ACCESS_TOKEN }));
          // Compressed, as many vendor gateways answer: the recording must still be readable and scrubbed.
          return { status: 200, body: zlib.gzipSync(body), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } };
        },
      },
    ],
  });
  running.push(sim);
  return sim;
}

/** The same client session, whichever secrets it holds: token, create a case, read it back. */
async function session(base: string, secrets: { clientSecret: string; apiKey: string; password: string }) {
  const token = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'lgx', client_secret: secrets.clientSecret }).toString(),
  });
  const { access_token } = (await token.json()) as { access_token: string };
  const client = createHttpClient({ baseUrl: base, headers: { authorization: `Bearer ${access_token}` }, retry: false });
  const created = await client.post<{ id: string; band: string }>('/api/cases', {
    json: { kind: 'missed_bin', portalPassword: secrets.password },
    query: { api_key: secrets.apiKey },
  });
  const read = await fetch(`${base}/api/cases/${created.data.id}`, { headers: { authorization: `Bearer ${access_token}` } });
  return { token: access_token, created: created.data, read: (await read.json()) as Record<string, unknown> };
}

describe('record and replay', () => {
  it('records a session against a simulator with every secret scrubbed, then replays it with the simulator gone', async () => {
    const vendor = await startVendor();
    const file = path.join(dir, 'nested', 'vendor-session.json');
    const live = { clientSecret: CLIENT_SECRET, apiKey: API_KEY, password: PASSWORD };
    const recorded = await record(() => session(vendor.url, live), { file, origins: [vendor.url] });
    expect(recorded.result.created).toEqual({ id: 'C-1', kind: 'missed_bin', status: 'received', band: 'Basic Household' });
    expect(recorded.interactions.map((i) => `${i.method} ${i.path.split('?')[0]}`)).toEqual([
      'POST /oauth/token',
      'POST /api/cases',
      'GET /api/cases/C-1',
    ]);

    const text = fs.readFileSync(file, 'utf8');
    for (const secret of [CLIENT_SECRET, ACCESS_TOKEN, API_KEY, PASSWORD]) expect(text).not.toContain(secret);
    // Business data survives, including a phrase that merely starts like an auth scheme.
    expect(text).toContain('missed_bin');
    expect(text).toContain('Basic Household');
    expect(findUnscrubbedSecret(JSON.parse(text) as RecordedInteraction[])).toBeUndefined();
    await vendor.close();

    // Replayed with other secrets: the scrubbed values match whatever the client sends now.
    const replay = replayFixture(file);
    const replayed = await session(vendor.url, { clientSecret: 'another-secret', apiKey: 'another-key', password: 'another-password' });
    expect(replayed.created).toEqual(recorded.result.created);
    expect(replayed.read).toEqual({ id: 'C-1', kind: 'missed_bin', viewerToken: SCRUBBED });
    expect(replayed.token).toBe(SCRUBBED);
    expect(() => replay.done()).not.toThrow();
    replay.restore();

    // nock is out again: the closed simulator's port refuses connections for real.
    expect((await get(`${vendor.url}/api/cases/C-1`)).error).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('replays in order, refuses requests the recording does not hold, and done() names what was never requested', async () => {
    const scope = 'http://127.0.0.1:9';
    const replay = replayFixture([
      { scope, method: 'GET', path: '/status?ref=C-1', status: 200, response: { status: 'open' } },
      { scope, method: 'GET', path: '/status?ref=C-1', status: 200, response: { status: 'closed' } },
      { scope, method: 'GET', path: '/status?ref=C-2', status: 404, response: { error: 'not found' } },
    ]);
    expect(await get(`${scope}/status?ref=C-1`)).toEqual({ status: 200, body: '{"status":"open"}' });
    expect(await get(`${scope}/status?ref=C-1`)).toEqual({ status: 200, body: '{"status":"closed"}' });
    expect((await get(`${scope}/status?ref=C-3`)).error?.message).toMatch(/No match for request/);
    expect(() => replay.done()).toThrow(/never requested: GET http:\/\/127\.0\.0\.1:9\/status/);
    replay.restore();
  });

  it('intercepts only the recorded hosts: other loopback servers still answer, the internet is never reached', async () => {
    const local = await startRestSimulator({
      name: 'other',
      state: () => ({}),
      routes: [{ method: 'GET', path: '/ping', handler: () => reply(200, { pong: true }) }],
    });
    running.push(local);
    const replay = replayFixture([
      { scope: 'https://backoffice.example', method: 'GET', path: '/ping', status: 200, response: { recorded: true } },
    ]);
    expect(await get('https://backoffice.example/ping')).toEqual({ status: 200, body: '{"recorded":true}' });
    expect(await get(`${local.url}/ping`)).toEqual({ status: 200, body: '{"pong":true}' });
    expect((await get('https://sandbox.vendor.invalid/')).error).toMatchObject({
      code: 'ENETUNREACH',
      message: expect.stringMatching(/Disallowed net connect/),
    });
    replay.restore();
  });

  it('refuses a recording that still holds a secret, naming where and never what', () => {
    const leaky: RecordedInteraction[] = [
      { scope: 'http://127.0.0.1:9', method: 'GET', path: '/a?api_key=k-123456&page=2', status: 200, response: { ok: true } },
      {
        scope: 'http://127.0.0.1:9',
        method: 'POST',
        path: '/b',
        body: { user: 'lgx', password: 'hunter2-hunter2' },
        status: 200,
        response: { refresh_token: 'r-999999' },
        rawHeaders: { authorization: 'Bearer abcdefgh12345' },
      },
      {
        scope: 'http://127.0.0.1:9',
        method: 'POST',
        path: '/c',
        body: '<Envelope><wsse:Password>pw-7777777</wsse:Password></Envelope>',
        status: 200,
        response: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl',
      },
    ];
    let message = '';
    try {
      replayFixture(leaky);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(
      'unscrubbed secrets at [0].path?.api_key, [1].body.password, [1].response.refresh_token, [1].rawHeaders.authorization, [2].body <wsse:Password>, [2].response (a JWT)',
    );
    for (const value of ['k-123456', 'hunter2', 'r-999999', 'abcdefgh12345', 'pw-7777777', 'eyJhbGci'])
      expect(message).not.toContain(value);
    expect(findUnscrubbedSecret(leaky)).toBe('[0].path?.api_key');

    const clean = scrubRecording(leaky);
    expect(findUnscrubbedSecret(clean)).toBeUndefined();
    expect(clean[0]!.path).toBe(`/a?api_key=${SCRUBBED}&page=2`);
    expect(clean[2]!.body).toBe(`<Envelope><wsse:Password>${SCRUBBED}</wsse:Password></Envelope>`);
    // Names a vendor uses for its own secrets can be added.
    expect(
      findUnscrubbedSecret([{ scope: 'http://127.0.0.1:9', method: 'GET', path: '/d', response: { pin: '4321' } }], {
        secretNames: ['PIN'],
      }),
    ).toBe('[0].response.pin');
  });

  it('scrubs every name the logger masks: one secret-name rule', () => {
    const names = ['smtpPass', 'sortCode', 'account_number', 'x-webhook-signature', 'client.secret'];
    const recording: RecordedInteraction[] = [
      {
        scope: 'http://127.0.0.1:9',
        method: 'POST',
        path: '/e',
        body: Object.fromEntries(names.map((n) => [n, 'v-12345678'])),
        status: 200,
      },
    ];
    expect(names.filter((n) => !isSecretName(n))).toEqual([]);
    expect(scrubRecording(recording)[0]!.body).toEqual(Object.fromEntries(names.map((n) => [n, SCRUBBED])));
  });

  it('writes nothing when the recorded code throws, and leaves nock restored', async () => {
    const vendor = await startVendor();
    const file = path.join(dir, 'failed.json');
    await expect(
      record(
        async () => {
          await fetch(`${vendor.url}/api/cases/none`);
          throw new Error('client bug');
        },
        { file },
      ),
    ).rejects.toThrow('client bug');
    expect(fs.existsSync(file)).toBe(false);
    expect((await get(`${vendor.url}/nothing`)).status).toBe(404);
  });
});

describe('failures a simulator cannot produce', () => {
  it('a TLS failure reaches clients as the certificate error Node would raise, for any path and method', async () => {
    const tls = simulateTlsFailure('https://backoffice.example/any/path');
    expect(() => tls.done()).toThrow(/no request went to https:\/\/backoffice\.example/);
    expect((await get('https://backoffice.example/cases/1')).error).toEqual({
      code: 'CERT_HAS_EXPIRED',
      message: 'certificate has expired',
    });
    await expect(fetch('https://backoffice.example/cases', { method: 'POST', body: '{}' })).rejects.toMatchObject({
      code: 'CERT_HAS_EXPIRED',
    });
    // Through the LGX transport it is a permanent TLS error, not something to retry.
    await expect(createHttpClient({ baseUrl: 'https://backoffice.example', retry: false }).get('/health')).rejects.toMatchObject({
      code: 'LGX_ERR_TRANSPORT_TLS',
      classification: 'permanent',
    });
    expect(() => tls.done()).not.toThrow();
    tls.restore();

    const selfSigned = simulateTlsFailure('https://backoffice.example', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect((await get('https://backoffice.example/')).error).toEqual({
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      message: 'self-signed certificate',
    });
    selfSigned.restore();
    expect(() => simulateTlsFailure('http://backoffice.example')).toThrow(/needs an https URL/);
  });

  it('a reset in the middle of the body: status and first bytes arrive, then the connection dies', async () => {
    const reset = simulateResetMidBody('https://backoffice.example/cases?page=1', {
      status: 200,
      partialBody: '{"cases":[{"id":"C-1"',
      times: 3,
    });
    expect(await get('https://backoffice.example/cases?page=1')).toEqual({
      status: 200,
      body: '{"cases":[{"id":"C-1"',
      error: { code: 'ECONNRESET', message: 'aborted' },
    });

    const res = await fetch('https://backoffice.example/cases?page=1');
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toMatchObject({ code: 'ECONNRESET' });

    // Through the LGX transport it is retryable: the request may well succeed next time.
    await expect(
      createHttpClient({ baseUrl: 'https://backoffice.example', retry: false }).get('/cases', { query: { page: 1 } }),
    ).rejects.toMatchObject({ classification: 'retryable' });
    expect(() => reset.done()).not.toThrow();
    reset.restore();
  });

  it('restore() is needed only once and restoreNock() clears whatever a failed test left behind', async () => {
    const vendor = await startVendor();
    simulateTlsFailure('https://backoffice.example');
    const reset = simulateResetMidBody(`${vendor.url}/api/cases/C-1`, { partialBody: '{' });
    reset.restore();
    reset.restore();
    // The TLS handle is still active, so this origin still fails...
    expect((await get('https://backoffice.example/')).error?.code).toBe('CERT_HAS_EXPIRED');
    restoreNock();
    // ...and after restoreNock() the real simulator answers again.
    expect((await get(`${vendor.url}/api/cases/C-1`)).status).toBe(200);
  });
});
