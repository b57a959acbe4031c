import http from 'node:http';
import { waitFor } from '@lgx/testkit';
import { startHarness, type Harness } from './helpers/gateway-harness';

/*
 * gateway.close() under load: no request is reset. Requests in flight finish; requests that arrive
 * on open keep-alive connections get 503 with Retry-After and Connection: close; new connections are
 * refused; and everything acknowledged with 202 is in the store.
 */

const pothole = { kind: 'pothole', description: 'Deep pothole by the bus stop', location: { usrn: '8400709' } };

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One request on a client's own keep-alive agent; rejects with the socket error if there is no answer. */
function request(
  agent: http.Agent,
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { agent, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A look-up the back office answers only after `latencyMs`. */
function queryInFlight(h: Harness, key: string, latencyMs: number): Promise<Answer> {
  h.waste.faults.latency(latencyMs);
  return request(new http.Agent(), h.url, '/v1/queries/waste.collectionSchedule', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ uprn: '100023336956' }),
  });
}

describe('graceful stop', () => {
  let h: Harness;
  let key: string;
  beforeEach(async () => {
    // Stopping is what is tested: on a busy machine the event-loop mark would refuse some submits first.
    h = await startHarness({ loadShedding: false });
    key = await h.key(['submit', 'read']);
  });
  afterEach(() => h.close());

  it('finishes requests in flight, answers new ones 503 with Retry-After, resets none, and loses nothing acknowledged', async () => {
    const clients = 30;
    const accepted: string[] = [];
    const refused: Answer[] = [];
    const failures: string[] = [];
    let stopRequested = false;
    const body = JSON.stringify({ type: 'street.report', data: pothole });
    const loops = Array.from({ length: clients }, async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (;;) {
          let answer: Answer;
          try {
            answer = await request(agent, h.url, '/v1/transactions', {
              method: 'POST',
              headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
              body,
            });
          } catch (error) {
            // Once the gateway stops listening, a new connection is refused: no request was sent.
            if (stopRequested && (error as { code?: string }).code === 'ECONNREFUSED') return;
            failures.push(`${(error as { code?: string }).code ?? ''} ${(error as Error).message}`);
            return;
          }
          if (answer.status === 202) accepted.push((JSON.parse(answer.text) as { id: string }).id);
          else if (answer.status === 503) {
            refused.push(answer);
            return;
          } else {
            failures.push(`HTTP ${answer.status}: ${answer.text.slice(0, 200)}`);
            return;
          }
          // A client told to close its connection would open a new one: the listener is gone by then.
          if (answer.headers.connection === 'close') return;
        }
      } finally {
        agent.destroy();
      }
    });
    await waitFor(() => accepted.length >= 100, '100 transactions accepted before the stop');
    // A slow query is in flight when the stop begins: it must get its answer, not a reset.
    const slowQuery = queryInFlight(h, key, 1500);
    await waitFor(() => h.waste.requests.some((r) => r.path.endsWith('/collections')), 'the query to reach the back office');
    stopRequested = true;
    const closing = h.gateway.close({ deadlineMs: 10_000 });
    await Promise.all(loops);
    const query = await slowQuery;
    await closing;
    h.waste.faults.latency(0);

    expect(failures).toEqual([]);
    expect(query.status).toBe(200);
    expect(query.headers.connection).toBe('close');
    for (const answer of refused) {
      expect(answer.headers['retry-after']).toBe('5');
      expect(answer.headers.connection).toBe('close');
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(answer.text)).toEqual(expect.objectContaining({ status: 503, code: 'LGX_ERR_GATEWAY_STOPPING' }));
    }
    for (const id of accepted) expect((await h.stack.get(id))?.transaction).toEqual(expect.objectContaining({ id }));
    // Nothing listens any more.
    await expect(request(new http.Agent(), h.url, '/v1/health/live')).rejects.toEqual(expect.objectContaining({ code: 'ECONNREFUSED' }));
  });

  it('answers a request sent on an idle connection during the stop with 503 (Open311 in its own format), then closes the connection', async () => {
    const rest = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const open311 = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await request(rest, h.url, '/v1/health/live')).status).toBe(200);
    expect((await request(open311, h.url, '/open311/v2/services.xml')).status).toBe(200);
    // A request in flight holds the stop open long enough for the idle connections to be used.
    const inFlight = queryInFlight(h, key, 1500);
    await waitFor(() => h.waste.requests.some((r) => r.path.endsWith('/collections')), 'the query to reach the back office');
    const closing = h.gateway.close();
    const [restAnswer, open311Answer] = await Promise.all([
      request(rest, h.url, '/v1/transactions', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: '{}',
      }),
      request(open311, h.url, '/open311/v2/services.xml'),
    ]);
    expect([(await inFlight).status, restAnswer.status, open311Answer.status]).toEqual([200, 503, 503]);
    expect(restAnswer.headers['retry-after']).toBe('5');
    expect(open311Answer.headers['retry-after']).toBe('5');
    expect(open311Answer.headers['content-type']).toMatch(/^text\/xml/);
    expect(open311Answer.text).toMatch(/<code>503<\/code>\s*<description>the server is stopping/);
    await closing;
    h.waste.faults.latency(0);
    rest.destroy();
    open311.destroy();
  });

  it('at the deadline closes a request still in flight, and resolves', async () => {
    // The back office never answers the query (both stacks' first background health checks are done
    // by then): only the deadline ends the request.
    await waitFor(() => h.waste.requests.filter((r) => r.path === '/v1/health').length >= 2, 'the first health checks');
    h.waste.faults.failNext(1, { timeout: true });
    const slow = queryInFlight(h, key, 0);
    await waitFor(() => h.waste.requests.some((r) => r.path.endsWith('/collections')), 'the query to reach the back office');
    await h.gateway.close({ deadlineMs: 300 });
    await expect(slow).rejects.toEqual(expect.objectContaining({ code: 'ECONNRESET' }));
  });
});
