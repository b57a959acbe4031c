import { createHmac } from 'node:crypto';
import { getEventListeners } from 'node:events';
import nock from 'nock';
import {
  AuthError,
  NotFoundError,
  PermanentError,
  RateLimitedError,
  RetryableError,
  createLogger,
  fullJitterDelay,
  type LogEntry,
} from '@lgx/core';
import {
  apiKeyAuth,
  basicAuth,
  bearerAuth,
  createHttpClient,
  jwtAuth,
  oauth2ClientCredentials,
  oauth2Token,
  parseRetryAfter,
  DEFAULT_RETRY,
} from '@lgx/core/http';
import { sendJson, startSimulatorServer, type Simulator } from '@lgx/testkit';

let sim: Simulator;
let handler: (
  path: string,
  body: string,
  headers: Record<string, unknown>,
) => { status: number; body?: unknown; headers?: Record<string, string> };
let tokensIssued = 0;

beforeAll(async () => {
  sim = await startSimulatorServer((record, _req, res) => {
    if (record.path === '/oauth/token') {
      tokensIssued++;
      return sendJson(res, 200, { access_token: `token-${tokensIssued}`, token_type: 'bearer', expires_in: 3600 });
    }
    const out = handler(record.path, record.body, record.headers);
    if (typeof out.body === 'string') {
      res.writeHead(out.status, { 'content-type': 'text/plain', ...out.headers });
      res.end(out.body);
    } else sendJson(res, out.status, out.body, out.headers);
  });
});
// Importing nock patches Node's http module for the whole jest worker: take it off again so that
// later test files in this worker see the real module.
afterAll(async () => {
  nock.restore();
  await sim.close();
});
beforeEach(() => {
  sim.reset();
  tokensIssued = 0;
  handler = () => ({ status: 200, body: { ok: true } });
});

const noJitter = () => 0;

describe('HttpClient', () => {
  it('sends JSON with query, headers and the idempotency key, and parses the JSON answer', async () => {
    handler = (_p, body) => ({ status: 201, body: { received: JSON.parse(body) } });
    const client = createHttpClient({ baseUrl: `${sim.url}/api/v1`, headers: { 'X-Client': 'lgx' } });
    const res = await client.post<{ received: unknown }>('cases', {
      json: { uprn: '100023336956' },
      query: { a: 1, tags: ['x', 'y'] },
      idempotencyKey: 'key-1',
    });
    expect(res).toMatchObject({ status: 201, data: { received: { uprn: '100023336956' } } });
    const req = sim.requests[0]!;
    expect(req.path).toBe('/api/v1/cases');
    expect(req.query).toEqual({ a: '1', tags: ['x', 'y'] });
    expect(req.headers).toMatchObject({ 'x-client': 'lgx', 'idempotency-key': 'key-1', 'content-type': 'application/json' });
  });

  it('sends forms url-encoded, repeating array keys', async () => {
    const client = createHttpClient({ baseUrl: sim.url });
    await client.post('/requests.xml', { form: { service_code: 'POT', 'attribute[tags][]': ['a', 'b'] }, responseType: 'text' });
    expect(sim.requests[0]!.body).toBe('service_code=POT&attribute%5Btags%5D%5B%5D=a&attribute%5Btags%5D%5B%5D=b');
  });

  it('retries a 5xx on a GET and succeeds', async () => {
    sim.faults.failNext(2, { status: 503 });
    const client = createHttpClient({ baseUrl: sim.url, random: noJitter });
    await expect(client.get('/status')).resolves.toMatchObject({ status: 200 });
    expect(sim.requests).toHaveLength(3);
  });

  it('retries a POST only when it carries an idempotency key', async () => {
    const client = createHttpClient({ baseUrl: sim.url, random: noJitter });
    sim.faults.failNext(1, { status: 500 });
    await expect(client.post('/cases', { json: {} })).rejects.toBeInstanceOf(RetryableError);
    expect(sim.requests).toHaveLength(1);
    sim.reset();
    sim.faults.failNext(1, { status: 500 });
    await expect(client.post('/cases', { json: {}, idempotencyKey: 'k' })).resolves.toMatchObject({ status: 200 });
    expect(sim.requests).toHaveLength(2);
  });

  it('gives up after the retry budget with the last classified error', async () => {
    sim.faults.failNext(10, { status: 502 });
    const client = createHttpClient({ baseUrl: sim.url, random: noJitter, retry: { maxAttempts: 4 } });
    await expect(client.get('/x')).rejects.toMatchObject({ code: 'LGX_ERR_ADAPTER_RETRYABLE', status: 502 });
    expect(sim.requests).toHaveLength(4);
  });

  it('starts no retry later than maxAgeMs after the first attempt', async () => {
    sim.faults.failNext(10, { status: 503 });
    // Each wait is 297 ms: a first retry starts within the age, a second would not.
    const client = createHttpClient({
      baseUrl: sim.url,
      random: () => 0.99,
      retry: { maxAttempts: 10, baseDelayMs: 300, maxDelayMs: 300, maxAgeMs: 450 },
    });
    await expect(client.get('/x')).rejects.toMatchObject({ code: 'LGX_ERR_ADAPTER_RETRYABLE', status: 503 });
    expect(sim.requests).toHaveLength(2);
  });

  it('honours a short Retry-After and hands a long one to the caller', async () => {
    sim.faults.failNext(1, { status: 429, headers: { 'retry-after': '0' } });
    const client = createHttpClient({ baseUrl: sim.url, random: noJitter });
    await expect(client.get('/x')).resolves.toMatchObject({ status: 200 });
    sim.reset();
    sim.faults.failNext(1, { status: 429, headers: { 'retry-after': '120' } });
    const error = await client.get('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 120_000, classification: 'rateLimited' });
    expect(sim.requests).toHaveLength(1);
  });

  it('classifies 400 as permanent with the vendor code and a redacted summary of the body', async () => {
    handler = () => ({
      status: 400,
      body: { code: 'P0102', description: 'Invalid attribute value: email alex.example@example.com', secret_field: 'zzz' },
    });
    const client = createHttpClient({ baseUrl: sim.url, vendorCode: (b) => (b as { code?: string }).code });
    const error = (await client.post('/payments', { json: {} }).catch((e: unknown) => e)) as PermanentError;
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ vendorCode: 'P0102', status: 400, classification: 'permanent' });
    expect(error.message).toContain('P0102');
    expect(error.message).not.toContain('alex.example@example.com');
    expect(error.message).not.toContain('zzz');
  });

  it('classifies 401/403 as auth and 404 as not found, unless the caller accepts 404', async () => {
    const client = createHttpClient({ baseUrl: sim.url });
    handler = () => ({ status: 403, body: { error: 'forbidden' } });
    await expect(client.get('/x')).rejects.toBeInstanceOf(AuthError);
    handler = () => ({ status: 404, body: { error: 'no such case' } });
    await expect(client.get('/x')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.get('/x', { accept: [404] })).resolves.toMatchObject({ status: 404 });
  });

  it('classifies a connection reset, a refused connection and a malformed body', async () => {
    const client = createHttpClient({ baseUrl: sim.url, retry: false });
    sim.faults.failNext(1, { reset: true });
    await expect(client.get('/x')).rejects.toMatchObject({ classification: 'retryable', code: 'LGX_ERR_ADAPTER_RETRYABLE' });
    sim.faults.failNext(1, { malformed: true });
    await expect(client.get('/x')).rejects.toMatchObject({ classification: 'retryable', code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE' });
    const closed = await startSimulatorServer(() => undefined);
    const url = closed.url;
    await closed.close();
    await expect(createHttpClient({ baseUrl: url, retry: false }).get('/x')).rejects.toMatchObject({ classification: 'retryable' });
  });

  it('times out a request the server never answers', async () => {
    sim.faults.failNext(1, { timeout: true });
    const client = createHttpClient({ baseUrl: sim.url, timeoutMs: 200, retry: false });
    await expect(client.get('/slow')).rejects.toMatchObject({ code: 'LGX_ERR_TRANSPORT_TIMEOUT', classification: 'retryable' });
  });

  it('honours the caller abort signal, also while waiting to retry', async () => {
    const client = createHttpClient({
      baseUrl: sim.url,
      retry: { maxAttempts: 6, baseDelayMs: 10_000, maxDelayMs: 10_000 },
      random: () => 0.99,
    });
    sim.faults.failNext(1, { timeout: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(client.get('/slow', { signal: controller.signal })).rejects.toMatchObject({ code: 'LGX_ERR_TRANSPORT_ABORTED' });
    sim.faults.failNext(1, { status: 503 });
    const second = new AbortController();
    const pending = client.get('/x', { signal: second.signal });
    setTimeout(() => second.abort(), 100);
    await expect(pending).rejects.toMatchObject({ code: 'LGX_ERR_TRANSPORT_ABORTED' });
  });

  it('lets go of a caller signal once each request is over, however many requests share it', async () => {
    const client = createHttpClient({ baseUrl: sim.url, timeoutMs: 5000, retry: false });
    const shared = new AbortController();
    for (let i = 0; i < 50; i++) await client.get('/x', { signal: shared.signal });
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
    sim.faults.failNext(1, { timeout: true });
    await expect(client.get('/slow', { signal: shared.signal, timeoutMs: 100 })).rejects.toMatchObject({
      code: 'LGX_ERR_TRANSPORT_TIMEOUT',
    });
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
    expect(shared.signal.aborted).toBe(false);
  });

  it('refuses a response larger than the limit', async () => {
    handler = () => ({ status: 200, body: { big: 'x'.repeat(5000) } });
    const client = createHttpClient({ baseUrl: sim.url, maxResponseBytes: 1000 });
    await expect(client.get('/big')).rejects.toMatchObject({ code: 'LGX_ERR_TRANSPORT_RESPONSE_TOO_LARGE', classification: 'permanent' });
  });

  it('reports an untrusted TLS certificate as a TLS error (nock: a failure the simulator cannot produce)', async () => {
    const scope = nock('https://backoffice.invalid')
      .get('/x')
      .replyWithError(Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }));
    try {
      const client = createHttpClient({ baseUrl: 'https://backoffice.invalid', retry: false });
      await expect(client.get('/x')).rejects.toMatchObject({ code: 'LGX_ERR_TRANSPORT_TLS', classification: 'permanent' });
      expect(scope.isDone()).toBe(true);
    } finally {
      nock.cleanAll();
    }
  });
});

describe('auth strategies', () => {
  it('bearer, basic and API key (header and query) arrive as the vendor expects', async () => {
    await createHttpClient({ baseUrl: sim.url, auth: bearerAuth('tok-123') }).get('/a');
    await createHttpClient({ baseUrl: sim.url, auth: basicAuth('council', 'pa55word') }).get('/b');
    await createHttpClient({ baseUrl: sim.url, auth: apiKeyAuth({ in: 'header', name: 'X-API-Key', value: 'k-1' }) }).get('/c');
    await createHttpClient({ baseUrl: sim.url, auth: apiKeyAuth({ in: 'query', name: 'api_key', value: 'k-2' }) }).get('/d');
    expect(sim.requests.map((r) => [r.headers.authorization ?? r.headers['x-api-key'] ?? r.query.api_key])).toEqual([
      ['Bearer tok-123'],
      [`Basic ${Buffer.from('council:pa55word').toString('base64')}`],
      ['k-1'],
      ['k-2'],
    ]);
  });

  it('signs a fresh HS256 JWT per request that the vendor can verify', async () => {
    const secret = 'notify-secret-0123456789';
    const client = createHttpClient({ baseUrl: sim.url, auth: jwtAuth({ issuer: 'service-id', secret, now: () => 1_700_000_000_000 }) });
    await client.get('/v2/notifications');
    const token = String(sim.requests[0]!.headers.authorization).replace(/^Bearer /, '');
    const [head, body, signature] = token.split('.');
    expect(createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')).toBe(signature);
    expect(JSON.parse(Buffer.from(body!, 'base64url').toString())).toEqual({ iss: 'service-id', iat: 1_700_000_000 });
    expect(JSON.parse(Buffer.from(head!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('OAuth2 client credentials: one token request for many concurrent calls, refresh once after a 401', async () => {
    const auth = oauth2ClientCredentials({
      tokenUrl: `${sim.url}/oauth/token`,
      clientId: 'lgx',
      clientSecret: 'client-secret-xyz',
      scope: 'cases',
    });
    const client = createHttpClient({ baseUrl: sim.url, auth });
    await Promise.all(Array.from({ length: 6 }, () => client.get('/cases')));
    expect(tokensIssued).toBe(1);
    const tokenRequest = sim.requests.find((r) => r.path === '/oauth/token')!;
    expect(new URLSearchParams(tokenRequest.body).get('grant_type')).toBe('client_credentials');
    expect(sim.requests.filter((r) => r.path === '/cases').every((r) => r.headers.authorization === 'Bearer token-1')).toBe(true);

    let first = true;
    handler = (_p, _b, headers) => {
      if (first) {
        first = false;
        return { status: 401, body: { error: 'token expired' } };
      }
      return { status: 200, body: { auth: headers.authorization } };
    };
    await expect(client.get('/cases')).resolves.toMatchObject({ data: { auth: 'Bearer token-2' } });
    expect(tokensIssued).toBe(2);
    // A second 401 in a row is not retried again.
    handler = () => ({ status: 401, body: { error: 'no' } });
    await expect(client.get('/cases')).rejects.toBeInstanceOf(AuthError);
  });

  it('OAuth2 token endpoint: an outage or 429 is retryable or rate-limited, a refusal is auth, a waiting caller can abort and an abandoned request is not waited for', async () => {
    const auth = oauth2ClientCredentials({ tokenUrl: `${sim.url}/oauth/token`, clientId: 'lgx', clientSecret: 'client-secret-xyz' });
    const client = createHttpClient({ baseUrl: sim.url, auth, retry: false });
    sim.faults.failNext(1, { status: 503, body: { error: 'temporarily_unavailable' } });
    await expect(client.get('/cases')).rejects.toBeInstanceOf(RetryableError);
    sim.faults.failNext(1, { status: 429, headers: { 'retry-after': '7' } });
    await expect(client.get('/cases')).rejects.toMatchObject({ classification: 'rateLimited', retryAfterMs: 7000 });
    sim.faults.failNext(1, { status: 400, body: { error: 'invalid_client', error_description: 'bad secret' } });
    const refused = (await client.get('/cases').catch((e: unknown) => e)) as Error;
    expect(refused).toBeInstanceOf(AuthError);
    expect(refused.message).toContain('"error":"invalid_client","error_description":"bad secret"');
    expect(refused.message).not.toContain('client-secret-xyz');

    // A token request that hangs: the caller whose signal aborts stops waiting at once.
    sim.faults.failNext(1, { timeout: true });
    const controller = new AbortController();
    const pending = client.get('/cases', { signal: controller.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await expect(pending).resolves.toMatchObject({ code: 'LGX_ERR_TRANSPORT_ABORTED', classification: 'retryable' });
    // Nobody waits for the hung request any more: it is abandoned, and the next call asks afresh.
    await expect(client.get('/cases', { signal: AbortSignal.timeout(5000) })).resolves.toMatchObject({ status: 200 });
    expect(sim.requests.filter((r) => r.path === '/oauth/token')).toHaveLength(5);
  });

  it('OAuth2 token for any grant: a fresh form per request, the response seen by onToken, a new token once expired', async () => {
    let n = 0;
    const seen: unknown[] = [];
    let clock = 1_000_000;
    const auth = oauth2Token({
      tokenUrl: `${sim.url}/oauth/token`,
      request: () => ({ form: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: `signed-${++n}` } }),
      secrets: () => ['private-key-material'],
      onToken: (body) => seen.push(body.token_type),
      now: () => clock,
    });
    const client = createHttpClient({ baseUrl: sim.url, auth });
    await client.get('/cases');
    await client.get('/cases');
    expect(tokensIssued).toBe(1);
    expect(new URLSearchParams(sim.requests[0]!.body).get('assertion')).toBe('signed-1');
    expect(seen).toEqual(['bearer']);
    clock += 3600_000;
    await client.get('/cases');
    expect(new URLSearchParams(sim.requests.filter((r) => r.path === '/oauth/token')[1]!.body).get('assertion')).toBe('signed-2');
    expect(auth.secrets()).toEqual(['private-key-material', 'token-2']);
  });

  it('never logs a secret', async () => {
    const entries: LogEntry[] = [];
    const logger = createLogger({ level: 'debug', sink: (e) => entries.push(e) });
    sim.faults.failNext(1, { status: 500 });
    const client = createHttpClient({
      baseUrl: sim.url,
      auth: apiKeyAuth({ in: 'query', name: 'api_key', value: 'query-secret-77' }),
      logger,
      random: noJitter,
    });
    await client.get('/x');
    expect(entries.length).toBeGreaterThan(1);
    expect(JSON.stringify(entries)).not.toContain('query-secret-77');
  });
});

describe('retry helpers', () => {
  it('parses Retry-After as seconds or an HTTP date, capped', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('99999', now)).toBe(15 * 60 * 1000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('full jitter stays between 0 and the exponential ceiling', () => {
    expect(fullJitterDelay(1, DEFAULT_RETRY, () => 0.999)).toBe(199);
    expect(fullJitterDelay(3, DEFAULT_RETRY, () => 0.5)).toBe(400);
    expect(fullJitterDelay(20, DEFAULT_RETRY, () => 0.999)).toBe(4995);
    expect(fullJitterDelay(2, DEFAULT_RETRY, () => 0)).toBe(0);
  });
});
