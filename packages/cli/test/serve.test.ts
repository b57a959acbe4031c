import http from 'node:http';
import net from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createApiKey, createFileKeyStore } from '@lgx/gateway';
import { createSqliteStore, openReadModel, type StoredDelivery } from '@lgx/runtime';
import { loadFixtures } from '@lgx/testkit';
import { API_KEY, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';
import { lgx, scratch, serveLgx, type Served } from './helpers';

/*
 * `lgx serve` as an operator runs it: the built binary in its own process, stopped with SIGTERM under
 * load and with a back office that hangs, and its connection limits.
 */

const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data;

let sim: ExampleWasteSimulator;
let dir: string;
let stackFile: string;
let data: string;
let key: string;

/** The stack file, with the adapter's own per-request timeout when given. */
function writeStack(adapterTimeoutMs?: number): void {
  const timeout = adapterTimeoutMs ? [`      timeoutMs: ${adapterTimeoutMs}`] : [];
  writeFileSync(
    stackFile,
    [
      'council: E07000223',
      'adapters:',
      '  waste:',
      "    package: '@lgx/adapter-template'",
      '    config:',
      `      baseUrl: ${sim.url}`,
      '      apiKey: ${env:EXAMPLE_WASTE_KEY}',
      ...timeout,
      'routes:',
      '  - { match: { type: waste.missedCollection }, mode: one, targets: [waste] }',
      '',
    ].join('\n'),
  );
}

beforeAll(async () => {
  sim = await startExampleWasteSimulator();
});
afterAll(() => sim.close());
beforeEach(async () => {
  sim.reset();
  dir = scratch();
  data = path.join(dir, 'data');
  stackFile = path.join(dir, 'lgx.yaml');
  writeStack();
  key = (await createApiKey(createFileKeyStore(path.join(data, 'keys.json')), { council: 'E07000223', scopes: ['submit', 'read'] })).key;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const serve = (extra: string[] = []): Promise<Served> =>
  serveLgx([stackFile, '--data', data, ...extra], { env: { EXAMPLE_WASTE_KEY: API_KEY } });

/** Sends SIGTERM and resolves the exit code and the milliseconds the process took to exit. */
async function terminate(served: Served): Promise<{ code: number | null; ms: number }> {
  const start = Date.now();
  served.child.kill('SIGTERM');
  const code = await served.exited;
  return { code, ms: Date.now() - start };
}

/** Every delivery of these transactions, read from the store in the data folder. */
async function deliveriesOf(ids: string[]): Promise<StoredDelivery[]> {
  const reader = await openReadModel({ store: createSqliteStore({ file: path.join(data, 'lgx.db') }) });
  try {
    const all: StoredDelivery[] = [];
    for (const id of ids) {
      const view = await reader.get(id);
      if (!view) throw new Error(`transaction ${id} was acknowledged but is not in the store`);
      all.push(...view.deliveries);
    }
    return all;
  } finally {
    await reader.close();
  }
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function post(agent: http.Agent, url: string, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/v1/transactions`,
      { agent, method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('error', (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
    req.end(body);
  });
}

describe('lgx serve', () => {
  it('stops on SIGTERM under load without resetting a request: each gets 202 or 503 with Retry-After, and every 202 is stored and delivered after a restart', async () => {
    // A back office slower than the clients: a backlog is queued when the signal comes.
    sim.faults.latency(100);
    const served = await serve(['--stop-timeout', '20']);
    const accepted: string[] = [];
    const refused: Answer[] = [];
    const failures: string[] = [];
    let signalled = false;
    const loops = Array.from({ length: 50 }, async (_, i) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let n = 0; ; n++) {
          const body = JSON.stringify({ type: 'waste.missedCollection', idempotencykey: `load-${i}-${n}`, data: missed });
          let answer: Answer;
          try {
            answer = await post(agent, served.url, body);
          } catch (error) {
            // Once the server stops listening, a new connection is refused: no request was sent.
            if (signalled && (error as { code?: string }).code === 'ECONNREFUSED') return;
            failures.push(
              `request ${n} of client ${i}: ${(error as Error).message}${(error as { reusedSocket?: boolean }).reusedSocket ? ' (on a reused connection)' : ''}`,
            );
            return;
          }
          if (answer.status === 202) accepted.push((JSON.parse(answer.text) as { id: string }).id);
          else if (answer.status === 503) return void refused.push(answer);
          else return void failures.push(`HTTP ${answer.status}: ${answer.text.slice(0, 200)}`);
          if (answer.headers.connection === 'close') return;
        }
      } finally {
        agent.destroy();
      }
    });
    while (accepted.length < 300 && failures.length === 0) await new Promise((r) => setTimeout(r, 25));
    signalled = true;
    const { code, ms } = await terminate(served);
    await Promise.all(loops);

    expect(failures).toEqual([]);
    // Exit 0 within the deadline (with room for a busy machine to start and end a process).
    expect([code, ms < 20_000 + 10_000]).toEqual([0, true]);
    expect(served.stderr()).toContain('SIGTERM: stopping');
    expect(served.stderr()).toContain('stopped');
    for (const answer of refused) {
      expect(answer.headers['retry-after']).toBe('5');
      expect(JSON.parse(answer.text)).toEqual(expect.objectContaining({ status: 503, code: 'LGX_ERR_GATEWAY_STOPPING' }));
    }
    expect(accepted.length).toBeGreaterThanOrEqual(300);
    const stopped = await deliveriesOf(accepted);
    // Every acknowledged transaction is stored, and the stop gave back every lease it held.
    expect(stopped).toHaveLength(accepted.length);
    expect(stopped.filter((d) => d.leaseOwner)).toEqual([]);

    // A restart delivers what the stop left queued.
    sim.faults.latency(0);
    const restarted = await serve();
    try {
      for (;;) {
        const pending = (await deliveriesOf(accepted)).filter((d) => d.state !== 'delivered');
        if (pending.length === 0) break;
        expect(pending.filter((d) => d.state !== 'pending')).toEqual([]);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      expect((await terminate(restarted)).code).toBe(0);
    }
  }, 180_000);

  /** Serves with a back office that holds the first delivery, submits one, and waits until it is held. */
  async function serveHoldingADelivery(stopTimeoutSeconds: number): Promise<{ served: Served; id: string }> {
    // The adapter would wait for two minutes and the worker 30 s: only the stop ends the attempt.
    writeStack(120_000);
    const served = await serve(['--stop-timeout', String(stopTimeoutSeconds), '--health-interval', '3600', '--poll', '86400']);
    // The first health check and status poll have been made, the next are hours away: the next request is the delivery.
    const seen = (p: string) => sim.requests.some((r) => r.path === p);
    while (!seen('/v1/health') || !seen('/v1/changes')) await new Promise((r) => setTimeout(r, 25));
    sim.faults.failNext(1, { timeout: true });
    const accepted = await post(new http.Agent(), served.url, JSON.stringify({ type: 'waste.missedCollection', data: missed }));
    expect(accepted.status).toBe(202);
    while (!sim.requests.some((r) => r.method === 'POST')) await new Promise((r) => setTimeout(r, 25));
    return { served, id: (JSON.parse(accepted.text) as { id: string }).id };
  }

  it('at --stop-timeout aborts a delivery the back office holds, gives its lease back, exits 0, and the restart delivers it', async () => {
    const { served, id } = await serveHoldingADelivery(2);
    const { code, ms } = await terminate(served);

    // Well before the worker's own 30 s attempt timeout, which would have recorded a failed attempt.
    expect([code, ms < 2_000 + 15_000]).toEqual([0, true]);
    const [held] = await deliveriesOf([id]);
    expect(held).toEqual(expect.objectContaining({ state: 'pending', attempts: 0 }));
    expect(held!.leaseOwner).toBeUndefined();

    const restarted = await serve();
    try {
      while ((await deliveriesOf([id]))[0]!.state !== 'delivered') await new Promise((r) => setTimeout(r, 100));
      expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    } finally {
      expect((await terminate(restarted)).code).toBe(0);
    }
  }, 60_000);

  it('stops at once on a second signal, exit 1, with what was accepted still stored', async () => {
    const { served, id } = await serveHoldingADelivery(60);
    served.child.kill('SIGTERM');
    while (!served.stderr().includes('SIGTERM: stopping')) await new Promise((r) => setTimeout(r, 25));
    served.child.kill('SIGINT');
    expect(await served.exited).toBe(1);
    expect(served.stderr()).toContain('SIGINT again: stopping at once');
    expect(await deliveriesOf([id])).toEqual([expect.objectContaining({ state: 'pending' })]);
  }, 60_000);

  it('closes a connection that stalls mid-body after --request-timeout, and refuses a bad --trusted-hosts', async () => {
    const served = await serve(['--headers-timeout', '1', '--request-timeout', '1']);
    try {
      const { port } = new URL(served.url);
      const socket = net.connect(Number(port), '127.0.0.1');
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (received += chunk));
      socket.on('error', () => undefined);
      socket.write(
        `POST /v1/transactions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"type":`,
      );
      await new Promise((resolve) => socket.on('close', resolve));
      expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n[\s\S]*LGX_ERR_GATEWAY_REQUEST_TIMEOUT/);
    } finally {
      expect((await terminate(served)).code).toBe(0);
    }
    const bad = await lgx(['serve', stackFile, '--data', data, '--trusted-hosts', 'evil.example/path']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('--trusted-hosts')]);
  }, 60_000);
});
