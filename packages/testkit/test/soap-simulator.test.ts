import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import * as soap from 'soap';
import { soapEnvelope, soapFault, startSoapSimulator, type SoapSimulator } from '../src/simulators/soap-simulator';

// The core package's sample WSDL: a fictional street-works permit service.
const WSDL_FILE = path.join(__dirname, '..', '..', 'core', 'test', 'fixtures', 'streetworks.wsdl');
const NS = 'http://streetworks.example/permits/v1';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request on a fresh connection, so a test never trips over a connection the simulator dropped earlier. */
function send(url: string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const statusRequest = (ref: string): string =>
  soapEnvelope(`<GetPermitStatus xmlns="${NS}"><PermitReference>${ref}</PermitReference></GetPermitStatus>`);
const post = (sim: SoapSimulator, body: string): Promise<Reply> =>
  send(sim.endpoint, {
    method: 'POST',
    body,
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${NS}/GetPermitStatus"` },
  });

const seen: Array<{ args: unknown; headers: unknown }> = [];
let sim: SoapSimulator;

beforeAll(async () => {
  sim = await startSoapSimulator({
    wsdl: WSDL_FILE,
    maxBodyBytes: 4096,
    implementation: {
      StreetWorksService: {
        PermitsPort: {
          GetPermitStatus: (args: { PermitReference: string }, _cb: unknown, headers: unknown) => {
            seen.push({ args, headers });
            if (args.PermitReference === 'NOPE')
              throw { Fault: { faultcode: 'soap:Client', faultstring: 'no such permit', statusCode: 500 } };
            if (args.PermitReference === 'CRASH') throw new Error('lookup crashed');
            return { PermitReference: args.PermitReference, Status: 'granted' };
          },
        },
      },
    },
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  seen.length = 0;
});

describe('startSoapSimulator', () => {
  it('serves the WSDL with its address pointing at the simulator', async () => {
    expect(sim.wsdlUrl).toBe(`${sim.endpoint}?wsdl`);
    const res = await send(sim.wsdlUrl);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/xml/);
    expect(res.body).toContain(`<soap:address location="${sim.endpoint}"/>`);
    expect(res.body).not.toContain('streetworks.example.invalid');
  });

  it('answers a standard soap client through the implementation, headers included', async () => {
    const client = await soap.createClientAsync(sim.wsdlUrl, { disableCache: true });
    client.addSoapHeader({ SessionToken: 'abc-123' }, 'SessionToken', 'tns', NS);
    const [result] = (await client.GetPermitStatusAsync({ PermitReference: 'SW-1' })) as [unknown];
    expect(result).toEqual({ PermitReference: 'SW-1', Status: 'granted' });
    expect(seen).toEqual([{ args: { PermitReference: 'SW-1' }, headers: expect.objectContaining({ SessionToken: expect.anything() }) }]);
  });

  it('accepts the WSDL as text as well as a file path, on a path of its own', async () => {
    const other = await startSoapSimulator({
      wsdl: fs.readFileSync(WSDL_FILE, 'utf8'),
      path: '/permits/v1',
      implementation: { StreetWorksService: { PermitsPort: { GetPermitStatus: () => ({ PermitReference: 'X', Status: 'open' }) } } },
    });
    try {
      expect(other.endpoint).toBe(`${other.url}/permits/v1`);
      const res = await post(other, statusRequest('X'));
      expect(res.status).toBe(200);
      expect(res.body).toContain('<Status>open</Status>');
    } finally {
      await other.close();
    }
  });

  it('records every request, with what it met', async () => {
    await post(sim, statusRequest('SW-2'));
    sim.faults.failNext(1, { status: 503 });
    await post(sim, statusRequest('SW-3'));
    expect(sim.requests.map((r) => [r.method, r.path, r.outcome])).toEqual([
      ['POST', '/soap', 'handled'],
      ['POST', '/soap', 'fault'],
    ]);
    expect(sim.requests[0]?.headers.soapaction).toBe(`"${NS}/GetPermitStatus"`);
    expect(sim.requests[1]?.body).toContain('<PermitReference>SW-3</PermitReference>');
    expect(seen).toHaveLength(1);
  });

  it('turns faults thrown by the implementation into SOAP faults with HTTP 500', async () => {
    const refused = await post(sim, statusRequest('NOPE'));
    expect(refused.status).toBe(500);
    expect(refused.body).toMatch(/<soap:Fault><faultcode>soap:Client<\/faultcode><faultstring>no such permit<\/faultstring><\/soap:Fault>/);
    const crashed = await post(sim, statusRequest('CRASH'));
    expect(crashed.status).toBe(500);
    expect(crashed.body).toContain('lookup crashed');
    expect(crashed.body).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('scripts a SOAP fault with soapFault(), parsed as a fault by a soap client', async () => {
    sim.faults.failNext(
      1,
      soapFault({ code: 'soap:Server', string: 'maintenance window', status: 503, headers: { 'retry-after': '120' } }),
    );
    const raw = await post(sim, statusRequest('A'));
    expect(raw).toMatchObject({
      status: 503,
      headers: expect.objectContaining({ 'retry-after': '120', 'content-type': 'text/xml; charset=utf-8' }),
    });
    const client = await soap.createClientAsync(sim.wsdlUrl, { disableCache: true });
    sim.faults.failNext(1, soapFault({ code: 'soap:Server', string: 'maintenance window' }));
    const error = (await client.GetPermitStatusAsync({ PermitReference: 'A' }).catch((e: unknown) => e)) as {
      root?: { Envelope?: { Body?: { Fault?: unknown } } };
    };
    expect(error.root?.Envelope?.Body?.Fault).toEqual({ faultcode: 'soap:Server', faultstring: 'maintenance window' });
  });

  it('serves a raw XML body byte for byte as a malformed fault (e.g. a DOCTYPE for XXE tests)', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>`;
    sim.faults.failNext(1, { malformed: true, body: xxe, contentType: 'text/xml' });
    const res = await post(sim, statusRequest('A'));
    expect(res).toMatchObject({ status: 200, body: xxe, headers: expect.objectContaining({ 'content-type': 'text/xml' }) });
    // The same works for the WSDL.
    sim.faults.failNext(1, { malformed: true, body: xxe, contentType: 'text/xml' });
    expect((await send(sim.wsdlUrl)).body).toBe(xxe);
    expect((await send(sim.wsdlUrl)).body).toContain('<wsdl:definitions');
  });

  it('applies the shared faults: status, reset, rate limit, down and up', async () => {
    sim.faults.failNext(1, { status: 429, headers: { 'retry-after': '3' } });
    expect(await post(sim, statusRequest('A'))).toMatchObject({ status: 429, headers: expect.objectContaining({ 'retry-after': '3' }) });

    sim.faults.failNext(1, { reset: true });
    await expect(post(sim, statusRequest('A'))).rejects.toMatchObject({ code: 'ECONNRESET' });

    sim.faults.rateLimit({ limit: 1, windowMs: 60_000, retryAfterSeconds: 9 });
    expect((await post(sim, statusRequest('A'))).status).toBe(200);
    expect(await post(sim, statusRequest('A'))).toMatchObject({ status: 429, headers: expect.objectContaining({ 'retry-after': '9' }) });
    sim.faults.rateLimit(null);

    sim.faults.down();
    await expect(post(sim, statusRequest('A'))).rejects.toThrow();
    await expect(send(sim.wsdlUrl)).rejects.toThrow();
    sim.faults.up();
    expect((await post(sim, statusRequest('A'))).status).toBe(200);
    // Connections made while down are dropped before a request is read, so they leave no record.
    expect(sim.requests.map((r) => r.outcome)).toEqual(['fault', 'fault', 'handled', 'rate-limited', 'handled']);
  });

  it('forgets requests and faults on reset()', async () => {
    sim.faults.failNext(5, { status: 500 });
    await post(sim, statusRequest('A'));
    sim.reset();
    expect(sim.requests).toHaveLength(0);
    expect((await post(sim, statusRequest('A'))).status).toBe(200);
  });

  it('answers 404 off the service path or without ?wsdl, and 413 to a body over maxBodyBytes', async () => {
    expect((await send(`${sim.url}/other?wsdl`)).status).toBe(404);
    expect((await send(sim.endpoint)).status).toBe(404);
    expect((await post(sim, statusRequest('x'.repeat(5000)))).status).toBe(413);
    expect(seen).toHaveLength(0);
  });
});
