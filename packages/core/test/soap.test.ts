import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { AuthError, NotFoundError, PermanentError, RateLimitedError, RetryableError, createLogger, type LogEntry } from '@lgx/core';
import { createSoapClient, findUnsafeXml, type SoapClientOptions } from '@lgx/core/soap';
import { soapEnvelope, soapFault, startSoapSimulator, type SoapSimulator } from '@lgx/testkit';

const WSDL_FILE = path.join(__dirname, 'fixtures', 'streetworks.wsdl');
const WSDL_TEXT = fs.readFileSync(WSDL_FILE, 'utf8');
const NS = 'http://streetworks.example/permits/v1';
const USERNAME = 'svc-lgx';
const PASSWORD = 'Tr0ub4dor&3-horse-battery';

const XXE = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${soapEnvelope(
  `<GetPermitStatusResponse xmlns="${NS}"><PermitReference>&xxe;</PermitReference><Status>granted</Status></GetPermitStatusResponse>`,
).replace('<?xml version="1.0" encoding="utf-8"?>', '')}`;
const LAUGHS = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE lolz [<!ENTITY lol "lol">',
  ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
  ']>',
  soapEnvelope(
    `<GetPermitStatusResponse xmlns="${NS}"><PermitReference>&lol9;</PermitReference><Status>granted</Status></GetPermitStatusResponse>`,
  ).replace('<?xml version="1.0" encoding="utf-8"?>', ''),
].join('\n');
/** The real fixture WSDL with an external entity slipped in after the XML declaration. */
const XXE_WSDL = WSDL_TEXT.replace('?>', '?>\n<!DOCTYPE wsdl:definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>');

type Args = Record<string, unknown>;
type Headers = Record<string, unknown> | undefined;
interface SoapFaultThrow {
  Fault: { faultcode: string; faultstring: string; statusCode: number };
}
const fault = (faultcode: string, faultstring: string, statusCode = 500): SoapFaultThrow => ({
  Fault: { faultcode, faultstring, statusCode },
});

// The simulated back office. Tests change its behaviour through these.
let logins = 0;
let tokens = new Set<string>();
/** off: no session needed; check: a token from Login is; refuse: every token is refused. */
let sessions: 'off' | 'check' | 'refuse' = 'off';
let seq = 0;

function requireSession(args: Args, headers: Headers): void {
  if (sessions === 'off') return;
  const token = headers?.SessionToken ?? args.SessionToken;
  if (sessions === 'refuse' || typeof token !== 'string' || !tokens.has(token)) throw fault('soap:Client', 'Session expired or unknown');
}

function requireUsernameToken(headers: Headers, body: string): void {
  const security = headers?.Security as { UsernameToken?: { Username?: unknown } } | undefined;
  if (security === undefined) return;
  const password = /<wsse:Password Type="[^"]+#(PasswordText|PasswordDigest)">([^<]*)<\/wsse:Password>/.exec(body);
  const nonce = /<wsse:Nonce[^>]*>([^<]*)</.exec(body)?.[1] ?? '';
  const created = /<wsu:Created>([^<]*)</.exec(body.slice(body.indexOf('<wsse:UsernameToken')))?.[1] ?? '';
  const expected =
    password?.[1] === 'PasswordDigest'
      ? createHash('sha1')
          .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created), Buffer.from(PASSWORD)]))
          .digest('base64')
      : PASSWORD.replace('&', '&amp;');
  if (security.UsernameToken?.Username !== USERNAME || password?.[2] !== expected) {
    // A careless back office that echoes what it was sent: LGX must not pass the echo on.
    throw fault('wsse:FailedAuthentication', `authentication failed for ${USERNAME} with password ${password?.[2] ?? '(none)'}`);
  }
}

let sim: SoapSimulator;
const lastBody = (): string => sim.requests.filter((r) => r.method === 'POST').at(-1)?.body ?? '';

beforeAll(async () => {
  sim = await startSoapSimulator({
    wsdl: WSDL_FILE,
    implementation: {
      StreetWorksService: {
        PermitsPort: {
          Login: (args: Args) => {
            if (args.Password !== PASSWORD)
              throw fault('soap:Client', `login refused for ${String(args.Username)} with password ${String(args.Password)}`);
            logins++;
            const token = `session-${randomUUID()}`;
            tokens.add(token);
            return { Session: { Token: token, ExpiresInSeconds: 3600 } };
          },
          SubmitPermit: (args: Args, _cb: unknown, headers: Headers) => {
            requireSession(args, headers);
            requireUsernameToken(headers, lastBody());
            return { PermitReference: `SW-${++seq}`, Status: 'received' };
          },
          GetPermitStatus: (args: Args, _cb: unknown, headers: Headers) => {
            requireSession(args, headers);
            requireUsernameToken(headers, lastBody());
            const ref = String(args.PermitReference);
            if (ref === 'SERVER-DOWN') throw fault('soap:Server', 'permit database unavailable');
            if (ref === 'BAD-REF') throw fault('soap:Client', 'no permit BAD-REF; ask permits@council.example or call 01632 960 123');
            if (ref === 'CRASH') throw new Error('null reference in permit lookup');
            if (ref === 'BIG') return { PermitReference: ref, Status: 'granted', Notes: 'x'.repeat(50_000) };
            return { PermitReference: ref, Status: 'granted' };
          },
        },
      },
    },
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  logins = 0;
  tokens = new Set();
  sessions = 'off';
  seq = 0;
});

const permit = { Permit: { Usrn: '11700123', WorksType: 'minor', StartDate: '2025-03-01', EndDate: '2025-03-03' } };
const client = (options: Partial<SoapClientOptions> = {}) => createSoapClient({ wsdl: WSDL_FILE, endpoint: sim.endpoint, ...options });

describe('calls and WSDL', () => {
  it('calls an operation from a WSDL file at an overridden endpoint and returns the parsed result', async () => {
    await expect(client().call('SubmitPermit', permit)).resolves.toEqual({ PermitReference: 'SW-1', Status: 'received' });
    const [req] = sim.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/soap' });
    expect(req?.headers.soapaction).toBe(`"${NS}/SubmitPermit"`);
    expect(req?.body).toContain('<Usrn>11700123</Usrn>');
  });

  it('reads the WSDL from a URL and sends to the address it gives', async () => {
    const soap = createSoapClient({ wsdl: sim.wsdlUrl });
    await expect(soap.call('GetPermitStatus', { PermitReference: 'SW-9' })).resolves.toEqual({
      PermitReference: 'SW-9',
      Status: 'granted',
    });
    expect(sim.requests.map((r) => `${r.method} ${r.path}${'wsdl' in r.query ? '?wsdl' : ''}`)).toEqual(['GET /soap?wsdl', 'POST /soap']);
  });

  it('lists the operations and refuses one the WSDL does not describe, without sending it', async () => {
    const soap = client();
    await expect(soap.operations()).resolves.toEqual(['Login', 'SubmitPermit', 'GetPermitStatus']);
    await expect(soap.call('CancelPermit', {})).rejects.toMatchObject({
      code: 'LGX_ERR_SOAP_WSDL_INVALID',
      message: expect.stringContaining('CancelPermit'),
    });
    expect(sim.requests).toHaveLength(0);
  });

  it('reports a missing WSDL file, a 404 and an unreachable WSDL server as LGX_ERR_SOAP_WSDL_INVALID with the cause', async () => {
    const missing = client({ wsdl: path.join(os.tmpdir(), `no-such-${randomUUID()}.wsdl`) });
    const e1 = await missing.ready().catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(PermanentError);
    expect(e1).toMatchObject({ code: 'LGX_ERR_SOAP_WSDL_INVALID', cause: expect.objectContaining({ code: 'ENOENT' }) });

    const e2 = await client({ wsdl: `${sim.url}/elsewhere?wsdl` })
      .ready()
      .catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: 'LGX_ERR_SOAP_WSDL_INVALID', cause: expect.objectContaining({ status: 404 }) });

    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const e3 = await client({ wsdl: `http://127.0.0.1:${port}/soap?wsdl` })
      .ready()
      .catch((e: unknown) => e);
    expect(e3).toBeInstanceOf(RetryableError);
    expect(e3).toMatchObject({ code: 'LGX_ERR_SOAP_WSDL_INVALID', cause: expect.objectContaining({ classification: 'retryable' }) });
  });

  it('loads the WSDL again on the next call after a failed load', async () => {
    const soap = createSoapClient({ wsdl: sim.wsdlUrl });
    sim.faults.failNext(1, { status: 503 });
    await expect(soap.call('GetPermitStatus', { PermitReference: 'A' })).rejects.toMatchObject({
      code: 'LGX_ERR_SOAP_WSDL_INVALID',
      classification: 'retryable',
    });
    await expect(soap.call('GetPermitStatus', { PermitReference: 'A' })).resolves.toMatchObject({ Status: 'granted' });
  });

  it('abandons a WSDL load every caller gave up on: the next call loads afresh instead of joining it', async () => {
    // The client's own deadline is long; the callers' are short. The first WSDL request never answers.
    const soap = createSoapClient({ wsdl: sim.wsdlUrl, timeoutMs: 30_000 });
    sim.faults.failNext(1, { timeout: true });
    await expect(soap.call('GetPermitStatus', { PermitReference: 'A' }, { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({
      code: 'LGX_ERR_TRANSPORT_ABORTED',
    });
    // Without abandoning, this call would wait on the stuck load until its own 2 s deadline and fail.
    await expect(soap.call('GetPermitStatus', { PermitReference: 'A' }, { signal: AbortSignal.timeout(2000) })).resolves.toMatchObject({
      Status: 'granted',
    });
  });

  it("throws LGX_ERR_SOAP_UNAVAILABLE with an install hint when the 'soap' package is missing", async () => {
    await jest.isolateModulesAsync(async () => {
      jest.doMock('soap', () => {
        throw Object.assign(new Error("Cannot find module 'soap'"), { code: 'MODULE_NOT_FOUND' });
      });
      const isolated = await import('@lgx/core/soap');
      const error = await isolated
        .createSoapClient({ wsdl: WSDL_FILE })
        .ready()
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'LGX_ERR_SOAP_UNAVAILABLE', message: expect.stringContaining('npm install soap') });
    });
    jest.dontMock('soap');
  });
});

describe('WS-Security UsernameToken', () => {
  it('sends the username and password in the Security header (PasswordText)', async () => {
    const soap = client({ auth: { type: 'wsSecurity', username: USERNAME, password: PASSWORD } });
    await expect(soap.call('SubmitPermit', permit)).resolves.toMatchObject({ Status: 'received' });
    const header = /<soap:Header>([\s\S]*)<\/soap:Header>/.exec(sim.requests[0]?.body ?? '')?.[1] ?? '';
    expect(header).toContain('<wsse:Security');
    expect(header).toContain(`<wsse:Username>${USERNAME}</wsse:Username>`);
    expect(header).toMatch(/<wsse:Password Type="[^"]+#PasswordText">Tr0ub4dor&amp;3-horse-battery<\/wsse:Password>/);
  });

  it('sends a digest the server can verify, never the password, with PasswordDigest', async () => {
    const soap = client({ auth: { type: 'wsSecurity', username: USERNAME, password: PASSWORD, passwordType: 'PasswordDigest' } });
    await expect(soap.call('SubmitPermit', permit)).resolves.toMatchObject({ Status: 'received' });
    const body = sim.requests[0]?.body ?? '';
    expect(body).toMatch(/#PasswordDigest">[A-Za-z0-9+/=]{28}<\/wsse:Password>/);
    expect(body).not.toContain('Tr0ub4dor');
  });

  it('turns a failed-authentication fault into an AuthError', async () => {
    const soap = client({ auth: { type: 'wsSecurity', username: USERNAME, password: 'wrong-password-1' } });
    const error = await soap.call('SubmitPermit', permit).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ vendorCode: 'wsse:FailedAuthentication', status: 500 });
  });
});

describe('login-token sessions', () => {
  const session = (
    apply: { header: string } | { argName: string } = { header: 'SessionToken' },
    ttl: { ttlMs?: number } = {},
  ): Partial<SoapClientOptions> => ({
    auth: {
      type: 'session',
      login: { operation: 'Login', args: { Username: USERNAME, Password: PASSWORD }, tokenPath: 'Session.Token' },
      apply,
      ...ttl,
    },
    faultRules: [{ match: { code: 'Client', string: /session expired/i }, classification: 'auth' }],
  });

  it('logs in once for many concurrent calls and sends the token in a SOAP header', async () => {
    sessions = 'check';
    const soap = client(session());
    const results = await Promise.all(['A', 'B', 'C', 'D', 'E'].map((ref) => soap.call('GetPermitStatus', { PermitReference: ref })));
    expect(results.map((r) => (r as { PermitReference: string }).PermitReference)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(logins).toBe(1);
    const [token] = [...tokens];
    const calls = sim.requests.filter((r) => String(r.headers.soapaction).includes('GetPermitStatus'));
    expect(calls).toHaveLength(5);
    for (const call of calls)
      expect(call.body).toMatch(new RegExp(`<soap:Header><sh:SessionToken xmlns:sh="${NS}">${token}</sh:SessionToken>`));
  });

  it('logs in again and repeats the call once when the session is refused', async () => {
    sessions = 'check';
    const soap = client(session());
    await soap.call('GetPermitStatus', { PermitReference: 'A' });
    tokens.clear(); // the back office restarted and forgot every session
    sim.requests.length = 0;
    await expect(soap.call('GetPermitStatus', { PermitReference: 'B' })).resolves.toMatchObject({ PermitReference: 'B' });
    expect(logins).toBe(2);
    expect(sim.requests.map((r) => String(r.headers.soapaction).replace(/.*\//, '').replace('"', ''))).toEqual([
      'GetPermitStatus',
      'Login',
      'GetPermitStatus',
    ]);
    expect(sim.requests[2]?.body).toContain([...tokens][0]);
  });

  it('gives up with an AuthError when the fresh session is refused too', async () => {
    sessions = 'check';
    const soap = client({ ...session(), faultRules: [{ match: { string: /session expired/i }, classification: 'auth' }] });
    await soap.call('GetPermitStatus', { PermitReference: 'A' });
    sessions = 'refuse';
    await expect(soap.call('GetPermitStatus', { PermitReference: 'B' })).rejects.toBeInstanceOf(AuthError);
    expect(logins).toBe(2);
  });

  it('logs in again once the token has outlived ttlMs', async () => {
    sessions = 'check';
    // Long enough that two calls fit inside it on a busy machine.
    const soap = client(session({ header: 'SessionToken' }, { ttlMs: 2_000 }));
    await soap.call('GetPermitStatus', { PermitReference: 'A' });
    await soap.call('GetPermitStatus', { PermitReference: 'A' });
    expect(logins).toBe(1);
    await new Promise((r) => setTimeout(r, 2_100));
    await soap.call('GetPermitStatus', { PermitReference: 'A' });
    expect(logins).toBe(2);
  });

  it('puts the token in an argument field when asked to', async () => {
    sessions = 'check';
    const soap = client(session({ argName: 'SessionToken' }));
    await expect(soap.call('SubmitPermit', permit)).resolves.toMatchObject({ Status: 'received' });
    const submit = sim.requests.find((r) => String(r.headers.soapaction).includes('SubmitPermit'));
    expect(submit?.body).toContain(`<SubmitPermit xmlns="${NS}"><SessionToken>${[...tokens][0]}</SessionToken><Permit>`);
  });

  it('reports refused login credentials by the fault rules, without the password, and sends nothing else', async () => {
    const soap = client({
      auth: {
        type: 'session',
        login: { operation: 'Login', args: { Username: USERNAME, Password: 'not-the-password' }, tokenPath: 'Session.Token' },
        apply: { header: 'SessionToken' },
      },
    });
    const error = await soap.call('GetPermitStatus', { PermitReference: 'A' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toContain('Login');
    expect((error as Error).message).not.toContain('not-the-password');
    expect(sim.requests).toHaveLength(1);
  });
});

describe('faults and transport errors', () => {
  it('classifies Server faults as retryable and Client faults as permanent, with the fault code', async () => {
    const soap = client();
    const server = await soap.call('GetPermitStatus', { PermitReference: 'SERVER-DOWN' }).catch((e: unknown) => e);
    expect(server).toBeInstanceOf(RetryableError);
    expect(server).toMatchObject({
      vendorCode: 'soap:Server',
      status: 500,
      message: expect.stringContaining('permit database unavailable'),
    });

    const client_ = await soap.call('GetPermitStatus', { PermitReference: 'BAD-REF' }).catch((e: unknown) => e);
    expect(client_).toBeInstanceOf(PermanentError);
    expect(client_).toMatchObject({ vendorCode: 'soap:Client', status: 500 });
    expect((client_ as Error).message).toContain('[email]');
    expect((client_ as Error).message).not.toContain('permits@council.example');

    // An unhandled error in the back office comes back as a SOAP 1.2-style Server fault.
    await expect(soap.call('GetPermitStatus', { PermitReference: 'CRASH' })).rejects.toBeInstanceOf(RetryableError);
  });

  it('applies the caller fault rules before the built-in ones', async () => {
    const soap = client({ faultRules: [{ match: { code: /Client$/, string: /^no permit/ }, classification: 'notFound' }] });
    await expect(soap.call('GetPermitStatus', { PermitReference: 'BAD-REF' })).rejects.toBeInstanceOf(NotFoundError);
    sim.faults.failNext(
      1,
      soapFault({ code: 'soap:Server', string: 'too many requests, slow down', status: 503, headers: { 'retry-after': '30' } }),
    );
    const limited = createSoapClient({
      wsdl: WSDL_FILE,
      endpoint: sim.endpoint,
      faultRules: [{ match: { string: /slow down/ }, classification: 'rateLimited' }],
    });
    await expect(limited.call('GetPermitStatus', { PermitReference: 'A' })).rejects.toMatchObject({
      classification: 'rateLimited',
      retryAfterMs: 30_000,
    });
  });

  it('classifies HTTP errors that carry no fault like any HTTP answer', async () => {
    const soap = client();
    const call = () => soap.call('GetPermitStatus', { PermitReference: 'A' });
    sim.faults.failNext(1, { status: 500, body: 'Internal Server Error' });
    await expect(call()).rejects.toMatchObject({ classification: 'retryable', status: 500 });
    sim.faults.failNext(1, { status: 503 });
    await expect(call()).rejects.toMatchObject({ classification: 'retryable', status: 503 });
    sim.faults.failNext(1, { status: 429, headers: { 'retry-after': '7' } });
    const limited = await call().catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect(limited).toMatchObject({ retryAfterMs: 7000 });
    sim.faults.failNext(1, { status: 401 });
    await expect(call()).rejects.toBeInstanceOf(AuthError);
    sim.faults.failNext(1, { status: 400, body: '<html>Bad Request</html>' });
    await expect(call()).rejects.toMatchObject({ classification: 'permanent', status: 400 });
  });

  it('treats a reset connection and a server that is down as retryable', async () => {
    const soap = client();
    sim.faults.failNext(1, { reset: true });
    await expect(soap.call('GetPermitStatus', { PermitReference: 'A' })).rejects.toMatchObject({
      classification: 'retryable',
      code: 'LGX_ERR_ADAPTER_RETRYABLE',
    });
    sim.faults.down();
    await expect(soap.call('GetPermitStatus', { PermitReference: 'A' })).rejects.toBeInstanceOf(RetryableError);
    sim.faults.up();
    await expect(soap.call('GetPermitStatus', { PermitReference: 'A' })).resolves.toMatchObject({ Status: 'granted' });
  });

  it('times out with LGX_ERR_TRANSPORT_TIMEOUT', async () => {
    sim.faults.failNext(1, { timeout: true });
    const error = await client({ timeoutMs: 300 })
      .call('GetPermitStatus', { PermitReference: 'A' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ code: 'LGX_ERR_TRANSPORT_TIMEOUT' });
  });

  it('honours an abort signal, before sending and in flight', async () => {
    const soap = client();
    await soap.ready();
    await expect(soap.call('GetPermitStatus', { PermitReference: 'A' }, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'LGX_ERR_TRANSPORT_ABORTED',
    });
    expect(sim.requests).toHaveLength(0);

    sim.faults.failNext(1, { timeout: true });
    const controller = new AbortController();
    const pending = soap.call('GetPermitStatus', { PermitReference: 'A' }, { signal: controller.signal }).catch((e: unknown) => e);
    while (sim.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ code: 'LGX_ERR_TRANSPORT_ABORTED' });
  });

  it.each([
    ['truncated JSON', undefined],
    ['a truncated envelope', soapEnvelope(`<GetPermitStatusResponse xmlns="${NS}"><Status>gran`).slice(0, -30)],
    ['an HTML page', '<html><body>Please sign in to the proxy</body></html>'],
    ['an empty body', ''],
    ['an envelope with an empty Body', soapEnvelope('')],
  ])('reports a 200 with %s as a malformed response', async (_name, body) => {
    sim.faults.failNext(1, { malformed: true, contentType: 'text/xml', ...(body !== undefined ? { body } : {}) });
    const error = await client()
      .call('GetPermitStatus', { PermitReference: 'A' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE' });
  });

  it('refuses a response larger than maxResponseBytes', async () => {
    const soap = client({ maxResponseBytes: 10_000 });
    await expect(soap.call('GetPermitStatus', { PermitReference: 'A' })).resolves.toMatchObject({ Status: 'granted' });
    const error = await soap.call('GetPermitStatus', { PermitReference: 'BIG' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'LGX_ERR_TRANSPORT_RESPONSE_TOO_LARGE' });
  });
});

describe('unsafe XML', () => {
  it.each([
    ['an external entity (XXE)', XXE],
    ['entity expansion (billion laughs)', LAUGHS],
  ])('refuses a response carrying %s', async (_name, body) => {
    sim.faults.failNext(1, { malformed: true, body, contentType: 'text/xml' });
    const error = await client()
      .call('GetPermitStatus', { PermitReference: 'A' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'LGX_ERR_SOAP_UNSAFE_XML' });
    expect((error as Error).message).not.toContain('root:'); // nothing from /etc/passwd
  });

  it('refuses a WSDL with a DOCTYPE, from a URL and from a file', async () => {
    sim.faults.failNext(1, { malformed: true, body: XXE_WSDL, contentType: 'text/xml' });
    await expect(createSoapClient({ wsdl: sim.wsdlUrl }).ready()).rejects.toMatchObject({
      code: 'LGX_ERR_SOAP_UNSAFE_XML',
      classification: 'permanent',
    });
    sim.faults.failNext(1, { malformed: true, body: LAUGHS, contentType: 'text/xml' });
    await expect(createSoapClient({ wsdl: sim.wsdlUrl }).ready()).rejects.toMatchObject({ code: 'LGX_ERR_SOAP_UNSAFE_XML' });

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-soap-'));
    try {
      const file = path.join(dir, 'xxe.wsdl');
      fs.writeFileSync(file, XXE_WSDL);
      await expect(client({ wsdl: file }).call('GetPermitStatus', { PermitReference: 'A' })).rejects.toMatchObject({
        code: 'LGX_ERR_SOAP_UNSAFE_XML',
      });
      expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds a DOCTYPE in any letter case and in UTF-16 bytes', () => {
    expect(findUnsafeXml('<?xml version="1.0"?><!doctype x><x/>')).toBe('DOCTYPE');
    expect(findUnsafeXml(Buffer.from('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x/>', 'utf16le'))).toBe(
      'DOCTYPE',
    );
    expect(findUnsafeXml(soapEnvelope('<a>&lt;!DOCTYPE is only text here</a>'))).toBeUndefined();
  });
});

describe('TLS', () => {
  const haveOpenssl = spawnSync('openssl', ['version']).status === 0;
  (haveOpenssl ? it : it.skip)('refuses a certificate it cannot verify, and trusts one given as ca', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-tls-'));
    const [keyFile, certFile] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const cert = fs.readFileSync(certFile, 'utf8');
    const server = https.createServer({ key: fs.readFileSync(keyFile), cert }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(WSDL_TEXT);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}/soap?wsdl`;
      const refused = await createSoapClient({ wsdl: url })
        .ready()
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({
        code: 'LGX_ERR_SOAP_WSDL_INVALID',
        classification: 'permanent',
        cause: expect.objectContaining({ code: 'LGX_ERR_TRANSPORT_TLS' }),
      });
      await expect(createSoapClient({ wsdl: url, ca: cert }).operations()).resolves.toContain('SubmitPermit');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('secrets', () => {
  it('never writes the password or session token to logs or error messages', async () => {
    const entries: LogEntry[] = [];
    const logger = createLogger({ level: 'debug', sink: (entry) => entries.push(entry) });
    const errors: unknown[] = [];

    sessions = 'check';
    const session = client({
      logger,
      auth: {
        type: 'session',
        login: { operation: 'Login', args: { Username: USERNAME, Password: PASSWORD }, tokenPath: 'Session.Token' },
        apply: { header: 'SessionToken' },
      },
      faultRules: [{ match: { string: /session expired/i }, classification: 'auth' }],
    });
    await session.call('GetPermitStatus', { PermitReference: 'A' });
    const firstToken = [...tokens][0] ?? 'missing';
    tokens.clear();
    await session.call('GetPermitStatus', { PermitReference: 'B' });
    errors.push(await session.call('GetPermitStatus', { PermitReference: 'SERVER-DOWN' }).catch((e: unknown) => e));
    sessions = 'off';

    // The back office echoes the password it was sent into its fault string.
    const wrong = `${PASSWORD}-old`;
    const ws = client({ logger, auth: { type: 'wsSecurity', username: USERNAME, password: wrong } });
    errors.push(await ws.call('SubmitPermit', permit).catch((e: unknown) => e));
    const login = client({
      logger,
      auth: {
        type: 'session',
        login: { operation: 'Login', args: { Username: USERNAME, Password: wrong }, tokenPath: 'Session.Token' },
        apply: { header: 'SessionToken' },
      },
    });
    errors.push(await login.call('SubmitPermit', permit).catch((e: unknown) => e));
    sim.faults.failNext(1, { reset: true });
    errors.push(await ws.call('SubmitPermit', permit).catch((e: unknown) => e));

    expect(errors.every((e) => e instanceof Error)).toBe(true);
    expect(entries.length).toBeGreaterThan(0);
    const seen = [
      JSON.stringify(entries),
      ...errors.map((e) => `${(e as Error).message}\n${inspect(e, { depth: 10 })}\n${JSON.stringify(e)}`),
    ].join('\n');
    for (const secret of [PASSWORD, wrong, 'Tr0ub4dor&amp;3', firstToken, ...tokens]) expect(seen).not.toContain(secret);
    expect(session.secrets()).toContain(PASSWORD);
  });
});
