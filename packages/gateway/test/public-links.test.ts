import http from 'node:http';
import { createLogger, type LogEntry } from '@lgx/core';
import { COUNCIL, startHarness, type Harness } from './helpers/gateway-harness';

/*
 * Links the gateway hands out (Location, `links`, the unauthenticated Open311 discovery document)
 * never take a host from a request unless the operator trusts it, and vendor callbacks to an adapter
 * that takes none are a quiet 404.
 */

const pothole = { kind: 'pothole', description: 'Deep pothole by the bus stop', location: { usrn: '8400709' } };

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** A request with headers fetch() will not send (Host), over a fresh connection. */
function send(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}${path}`,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

async function submitAs(h: Harness, key: string, headers: Record<string, string>): Promise<Answer> {
  return send(h.url, '/v1/transactions', {
    method: 'POST',
    headers: { ...headers, authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'street.report', data: pothole }),
  });
}

describe('links without a public URL', () => {
  let h: Harness;
  let key: string;
  const logs: LogEntry[] = [];
  beforeAll(async () => {
    h = await startHarness({ logger: createLogger({ level: 'debug', sink: (entry) => logs.push(entry) }) });
    key = await h.key(['submit', 'read']);
  });
  afterAll(() => h.close());

  it('never copies a hostile Host or X-Forwarded-Host into Location, links or the Open311 discovery document', async () => {
    const hostile = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    const accepted = await submitAs(h, key, hostile);
    expect(accepted.status).toBe(202);
    const id = (JSON.parse(accepted.text) as { id: string }).id;
    expect(accepted.headers.location).toBe(`/v1/transactions/${id}`);
    expect(accepted.text).not.toContain('evil');
    const view = await send(h.url, `/v1/transactions/${id}`, { headers: { ...hostile, authorization: `Bearer ${key}` } });
    expect(JSON.parse(view.text)).toEqual(expect.objectContaining({ links: expect.objectContaining({ self: `/v1/transactions/${id}` }) }));
    const discovery = await send(h.url, '/open311/v2/discovery.json', { headers: hostile });
    expect(discovery.status).toBe(200);
    expect(discovery.text).not.toContain('evil');
    // The address it listens on: a client can reach it, and no request chose it.
    expect(JSON.parse(discovery.text)).toEqual(
      expect.objectContaining({ endpoints: [expect.objectContaining({ url: `${h.url}/open311/v2` })] }),
    );
  });

  it('answers a callback to an adapter that takes none, or to none at all, with a 404 problem logged at debug only', async () => {
    logs.length = 0;
    for (const path of [
      `/v1/callbacks/${COUNCIL}/waste`,
      '/v1/callbacks/waste',
      '/v1/callbacks/nobody',
      `/v1/callbacks/${COUNCIL}/nobody`,
    ]) {
      const res = await send(h.url, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect([path, res.status, res.headers['content-type']]).toEqual([path, 404, expect.stringMatching(/^application\/problem\+json/)]);
      expect(JSON.parse(res.text)).toEqual(
        expect.objectContaining({ code: 'LGX_ERR_GATEWAY_NOT_FOUND', detail: expect.stringContaining('callbacks') }),
      );
    }
    const callbackLogs = logs.filter((entry) => entry.msg.includes('callback'));
    expect(callbackLogs).toHaveLength(4);
    expect(callbackLogs.every((entry) => entry.level === 'debug')).toBe(true);
    expect(logs.filter((entry) => entry.level === 'error' || entry.level === 'warn')).toEqual([]);
  });
});

describe('links with trusted hosts', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness({ trustedHosts: ['lgx.example.gov.uk', 'intranet.example.gov.uk:8443'] });
    key = await h.key(['submit', 'read']);
  });
  afterAll(() => h.close());

  it('uses a trusted Host or X-Forwarded-Host (and its protocol), and nothing else', async () => {
    const trusted = await submitAs(h, key, { host: 'LGX.example.gov.uk', 'x-forwarded-proto': 'https' });
    expect(trusted.headers.location).toMatch(/^https:\/\/lgx\.example\.gov\.uk\/v1\/transactions\/[0-9a-f-]{36}$/);
    const proxied = await submitAs(h, key, { host: '127.0.0.1', 'x-forwarded-host': 'lgx.example.gov.uk', 'x-forwarded-proto': 'https' });
    expect(proxied.headers.location).toMatch(/^https:\/\/lgx\.example\.gov\.uk\/v1\/transactions\//);
    const port = await submitAs(h, key, { host: 'intranet.example.gov.uk:8443' });
    expect(port.headers.location).toMatch(/^http:\/\/intranet\.example\.gov\.uk:8443\/v1\/transactions\//);
    // A trusted name with a port the list does not give, a hostile forwarded name, a look-alike: relative.
    for (const headers of [
      { host: 'intranet.example.gov.uk:9000' },
      { host: 'evil.example', 'x-forwarded-host': 'evil.example' },
      { host: 'lgx.example.gov.uk.evil.example' },
    ]) {
      const res = await submitAs(h, key, headers);
      expect([headers, res.headers.location]).toEqual([headers, expect.stringMatching(/^\/v1\/transactions\//)]);
    }
    // A hostile X-Forwarded-Host beside a trusted Host: the trusted Host.
    const mixed = await submitAs(h, key, { host: 'lgx.example.gov.uk', 'x-forwarded-host': 'evil.example' });
    expect(mixed.headers.location).toMatch(/^http:\/\/lgx\.example\.gov\.uk\/v1\/transactions\//);
    const discovery = await send(h.url, '/open311/v2/discovery.json', {
      headers: { host: 'lgx.example.gov.uk', 'x-forwarded-proto': 'https' },
    });
    expect(JSON.parse(discovery.text).endpoints[0].url).toBe('https://lgx.example.gov.uk/open311/v2');
  });
});

describe('links with a public URL', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness({ publicUrl: 'https://lgx.example.gov.uk/', trustedHosts: ['intranet.example.gov.uk'] });
    key = await h.key(['submit', 'read']);
  });
  afterAll(() => h.close());

  it('uses the public URL whatever the request says', async () => {
    for (const headers of [
      { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' },
      { host: 'intranet.example.gov.uk' },
    ]) {
      const res = await submitAs(h, key, headers);
      expect(res.headers.location).toMatch(/^https:\/\/lgx\.example\.gov\.uk\/v1\/transactions\/[0-9a-f-]{36}$/);
    }
    const discovery = await send(h.url, '/open311/v2/discovery.xml', { headers: { host: 'evil.example' } });
    expect(discovery.text).toContain('<url>https://lgx.example.gov.uk/open311/v2</url>');
    expect(discovery.text).not.toContain('evil');
  });
});
