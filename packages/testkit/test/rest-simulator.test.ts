import http from 'node:http';
import { reply, SimulatorHttpError, startRestSimulator, type RestSimulator } from '../src/simulators/rest-simulator';

interface Case {
  id: string;
  kind: string;
  status: 'open' | 'closed';
}

interface State {
  cases: Map<string, Case>;
  created: number;
}

const TOKEN = 'acme-test-token-0001';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

/** One request on a fresh connection, so a connection a fault destroyed is never reused. */
function send(
  url: string,
  options: { method?: string; body?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false, ...(options.signal ? { signal: options.signal } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const authed = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

let sim: RestSimulator<State>;
const stateFactory = jest.fn((): State => ({ cases: new Map(), created: 0 }));

beforeAll(async () => {
  sim = await startRestSimulator<State>({
    name: 'acme-waste',
    state: stateFactory,
    maxBodyBytes: 1024,
    auth: (req) => {
      if (req.path === '/health') return true;
      if (req.headers.authorization === undefined) return false;
      return req.headers.authorization === `Bearer ${TOKEN}` ? true : { status: 403, body: { code: 'FORBIDDEN' } };
    },
    routes: [
      { method: 'GET', path: '/health', handler: (_req, { simulator }) => reply(200, { name: simulator.name }) },
      {
        method: 'POST',
        path: '/api/v1/cases',
        handler: (req, { state }) => {
          const kind = (req.json as { kind?: unknown } | undefined)?.kind;
          if (typeof kind !== 'string') throw new SimulatorHttpError(422, { code: 'KIND_REQUIRED' }, { 'x-acme-error': 'validation' });
          const id = `C-${++state.created}`;
          state.cases.set(id, { id, kind, status: 'open' });
          return reply(201, state.cases.get(id), { Location: `/api/v1/cases/${id}` });
        },
      },
      {
        method: 'GET',
        path: '/api/v1/cases',
        handler: (req, { state }) =>
          reply(200, { cases: [...state.cases.values()].filter((c) => req.query.status === undefined || c.status === req.query.status) }),
      },
      {
        method: 'GET',
        path: '/api/v1/cases/:id',
        handler: (req, { state }) => {
          const found = state.cases.get(req.params.id ?? '');
          // A thrown reply() works as well as a SimulatorHttpError.
          if (!found) throw reply(404, { code: 'NOT_FOUND', id: req.params.id });
          return reply(200, found);
        },
      },
      {
        method: 'PATCH',
        path: '/api/v1/cases/:id',
        handler: async (req, { state }) => {
          await new Promise((r) => setImmediate(r));
          const found = state.cases.get(req.params.id ?? '');
          if (!found) return reply(404, { code: 'NOT_FOUND' });
          found.status = 'closed';
          return reply(200, found);
        },
      },
      { method: 'GET', path: '/api/v1/properties/:uprn/bins/:bin', handler: (req) => reply(200, { params: req.params, query: req.query }) },
      {
        method: 'GET',
        path: '/api/v1/export',
        handler: () => ({ status: 200, body: 'id,kind\nC-1,pothole\n', headers: { 'content-type': 'text/csv' } }),
      },
      { method: 'POST', path: '/api/v1/echo', handler: (req) => reply(200, { body: req.body, json: req.json ?? null }) },
      {
        method: 'GET',
        path: '/api/v1/broken',
        handler: () => {
          throw new Error('lookup table missing');
        },
      },
      { method: 'GET', path: '/api/v1/forgetful', handler: () => undefined as never },
    ],
  });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

describe('startRestSimulator: routes and state', () => {
  it('keeps state across calls and records every request', async () => {
    const created = await send(`${sim.url}/api/v1/cases`, {
      method: 'POST',
      headers: authed,
      body: JSON.stringify({ kind: 'missed_bin' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/api/v1/cases/C-1');
    await send(`${sim.url}/api/v1/cases`, { method: 'POST', headers: authed, body: JSON.stringify({ kind: 'fly_tipping' }) });
    expect((await send(`${sim.url}/api/v1/cases/C-1`, { method: 'PATCH', headers: authed })).json).toMatchObject({ status: 'closed' });

    const open = await send(`${sim.url}/api/v1/cases?status=open`, { headers: authed });
    expect(open.json).toEqual({ cases: [{ id: 'C-2', kind: 'fly_tipping', status: 'open' }] });
    expect(sim.state.cases.size).toBe(2);
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v1/cases',
      'POST /api/v1/cases',
      'PATCH /api/v1/cases/C-1',
      'GET /api/v1/cases',
    ]);
    expect(sim.requests[0]).toMatchObject({ body: '{"kind":"missed_bin"}', outcome: 'handled' });
    expect(sim.requests[3]!.query).toEqual({ status: 'open' });
  });

  it('URL-decodes parameters, keeps an encoded slash inside its parameter, and passes the query through', async () => {
    const res = await send(
      `${sim.url}/api/v1/properties/${encodeURIComponent('100 023/336 956')}/bins/Green%20Bin?week=2&week=3&note=a%26b`,
      { headers: authed },
    );
    expect(res.json).toEqual({ params: { uprn: '100 023/336 956', bin: 'Green Bin' }, query: { week: ['2', '3'], note: 'a&b' } });
  });

  it('matches paths exactly: no prefixes, no trailing slash, unknown paths get a JSON 404', async () => {
    for (const path of ['/api/v1', '/api/v1/cases/', '/api/v1/cases/C-1/notes', '/nothing']) {
      const res = await send(`${sim.url}${path}`, { headers: authed });
      expect([path, res.status, typeof (res.json as { error?: unknown }).error]).toEqual([path, 404, 'string']);
    }
  });

  it('answers 405 with an Allow header for a known path and another method; HEAD falls back to GET', async () => {
    const res = await send(`${sim.url}/api/v1/cases/C-1`, { method: 'DELETE', headers: authed });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, PATCH');
    const head = await send(`${sim.url}/health`, { method: 'HEAD' });
    expect([head.status, head.text]).toEqual([200, '']);
  });

  it('answers a malformed JSON body with 400 before the handler runs; other content types reach it raw', async () => {
    const bad = await send(`${sim.url}/api/v1/cases`, { method: 'POST', headers: authed, body: '{"kind": ' });
    expect([bad.status, bad.json]).toEqual([400, { error: 'request body is not valid JSON' }]);
    expect(sim.state.cases.size).toBe(0);
    const text = await send(`${sim.url}/api/v1/echo`, {
      method: 'POST',
      headers: { ...authed, 'content-type': 'text/plain' },
      body: '{"kind": ',
    });
    expect(text.json).toEqual({ body: '{"kind": ', json: null });
    const json = await send(`${sim.url}/api/v1/echo`, {
      method: 'POST',
      headers: { ...authed, 'content-type': 'application/vnd.acme+json' },
      body: '{"a":1}',
    });
    expect(json.json).toEqual({ body: '{"a":1}', json: { a: 1 } });
  });

  it('sends a string body with a non-JSON content type as it is', async () => {
    const res = await send(`${sim.url}/api/v1/export`, { headers: authed });
    expect([res.headers['content-type'], res.text]).toEqual(['text/csv', 'id,kind\nC-1,pothole\n']);
  });

  it('runs the auth hook before any handler: false is 401, a response is sent as given', async () => {
    const none = await send(`${sim.url}/api/v1/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"kind":"x"}',
    });
    expect([none.status, none.json]).toEqual([401, { error: 'unauthorised' }]);
    const wrong = await send(`${sim.url}/api/v1/cases`, {
      method: 'POST',
      headers: { ...authed, authorization: 'Bearer nope' },
      body: '{"kind":"x"}',
    });
    expect([wrong.status, wrong.json]).toEqual([403, { code: 'FORBIDDEN' }]);
    // An unauthenticated caller does not learn that its body was malformed.
    expect(
      (await send(`${sim.url}/api/v1/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })).status,
    ).toBe(401);
    expect(sim.state.cases.size).toBe(0);
    expect((await send(`${sim.url}/health`)).json).toEqual({ name: 'acme-waste' });
  });

  it('turns thrown errors into responses: SimulatorHttpError and reply() as given, anything else 500', async () => {
    const invalid = await send(`${sim.url}/api/v1/cases`, { method: 'POST', headers: authed, body: '{}' });
    expect([invalid.status, invalid.json, invalid.headers['x-acme-error']]).toEqual([422, { code: 'KIND_REQUIRED' }, 'validation']);
    const missing = await send(`${sim.url}/api/v1/cases/C%2099`, { headers: authed });
    expect([missing.status, missing.json]).toEqual([404, { code: 'NOT_FOUND', id: 'C 99' }]);
    const broken = await send(`${sim.url}/api/v1/broken`, { headers: authed });
    expect(broken.status).toBe(500);
    expect(JSON.stringify(broken.json)).toContain('lookup table missing');
    const forgetful = await send(`${sim.url}/api/v1/forgetful`, { headers: authed });
    expect(forgetful.status).toBe(500);
    expect(JSON.stringify(forgetful.json)).toContain('GET /api/v1/forgetful returned undefined');
  });

  it('reset() forgets requests and faults and makes fresh state', async () => {
    await send(`${sim.url}/api/v1/cases`, { method: 'POST', headers: authed, body: '{"kind":"x"}' });
    const before = sim.state;
    const calls = stateFactory.mock.calls.length;
    sim.faults.failNext(5, { status: 500 });
    sim.reset();
    expect(stateFactory.mock.calls.length).toBe(calls + 1);
    expect(sim.state).not.toBe(before);
    expect(sim.state.cases.size).toBe(0);
    expect(sim.requests).toEqual([]);
    expect((await send(`${sim.url}/health`)).status).toBe(200);
  });

  it('refuses route tables with mistakes in them', async () => {
    const routes = [
      { method: 'GET' as const, path: '/a/:id', handler: () => reply(200) },
      { method: 'GET' as const, path: '/a/:ref', handler: () => reply(200) },
    ];
    await expect(startRestSimulator({ name: 'dup', state: () => ({}), routes })).rejects.toThrow(/two routes for GET \/a\/:ref/);
    await expect(
      startRestSimulator({ name: 'slash', state: () => ({}), routes: [{ method: 'GET', path: 'cases', handler: () => reply(200) }] }),
    ).rejects.toThrow(/must start with '\/'/);
  });
});

describe('startRestSimulator: fault injection over real HTTP', () => {
  it('fails the next N requests with a status, body and headers, then recovers', async () => {
    sim.faults.failNext(2, { status: 503, body: { error: 'maintenance' }, headers: { 'retry-after': '5' } });
    const first = await send(`${sim.url}/health`);
    expect([first.status, first.headers['retry-after'], first.json]).toEqual([503, '5', { error: 'maintenance' }]);
    expect((await send(`${sim.url}/health`)).status).toBe(503);
    expect((await send(`${sim.url}/health`)).status).toBe(200);
    expect(sim.requests.map((r) => r.outcome)).toEqual(['fault', 'fault', 'handled']);
  });

  it('failNext(0) faults nothing', async () => {
    sim.faults.failNext(0, { status: 500 });
    expect((await send(`${sim.url}/health`)).status).toBe(200);
  });

  it('resets the connection: the client sees ECONNRESET, and fetch fails', async () => {
    sim.faults.failNext(2, { reset: true });
    await expect(send(`${sim.url}/health`)).rejects.toMatchObject({ code: 'ECONNRESET' });
    // Node's fetch errors come from another realm than jest's, so compare by name.
    await expect(fetch(`${sim.url}/health`)).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    expect((await send(`${sim.url}/health`)).status).toBe(200);
  });

  it('holds a request until the client gives up: its own timeout fires', async () => {
    sim.faults.failNext(1, { timeout: true });
    await expect(fetch(`${sim.url}/health`, { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(sim.requests).toHaveLength(1);
    expect((await send(`${sim.url}/health`)).status).toBe(200);
  });

  it('answers with a malformed body that a JSON client cannot parse', async () => {
    sim.faults.failNext(1, { malformed: true });
    const res = await fetch(`${sim.url}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('json');
    await expect(res.json()).rejects.toMatchObject({ name: 'SyntaxError' });
  });

  it('adds latency: a slow request started first finishes after a fast one started later', async () => {
    sim.faults.latency(300);
    const order: string[] = [];
    const slow = send(`${sim.url}/health`).then(() => order.push('slow'));
    // Wait until the slow request is in (and waiting) before taking the latency off again.
    while (sim.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    sim.faults.latency(0);
    await send(`${sim.url}/health`).then(() => order.push('fast'));
    await slow;
    expect(order).toEqual(['fast', 'slow']);
  });

  it('goes down (connections refused at once) and comes back up', async () => {
    sim.faults.down();
    await expect(send(`${sim.url}/health`)).rejects.toMatchObject({ code: 'ECONNRESET' });
    sim.faults.up();
    expect((await send(`${sim.url}/health`)).status).toBe(200);
  });

  it('rate-limits with 429 and Retry-After beyond the budget', async () => {
    sim.faults.rateLimit({ limit: 2, windowMs: 60_000, retryAfterSeconds: 7 });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await send(`${sim.url}/health`));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(answers[2]!.headers['retry-after']).toBe('7');
    expect(sim.requests.map((r) => r.outcome)).toEqual(['handled', 'handled', 'rate-limited']);
    sim.faults.rateLimit(null);
    expect((await send(`${sim.url}/health`)).status).toBe(200);
  });

  it('refuses an oversized request body with 413 before the handler runs', async () => {
    const res = await send(`${sim.url}/api/v1/cases`, {
      method: 'POST',
      headers: authed,
      body: JSON.stringify({ kind: 'x'.repeat(2000) }),
    });
    expect(res.status).toBe(413);
    expect(sim.state.cases.size).toBe(0);
  });
});
