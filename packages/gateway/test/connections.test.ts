import net from 'node:net';
import { waitFor } from '@lgx/testkit';
import { startHarness, type Harness } from './helpers/gateway-harness';

/*
 * Connections a client may hold: slow headers, a body that stalls, an idle keep-alive connection are
 * closed by the server after their (here short) timeouts, and beyond the connection cap new
 * connections are closed at once, while normal requests keep being served.
 */

const pothole = { kind: 'pothole', description: 'Deep pothole by the bus stop', location: { usrn: '8400709' } };

interface RawConnection {
  socket: net.Socket;
  /** Everything the server sent. */
  received(): string;
  closed: Promise<void>;
}

/** A TCP connection to the gateway that sends `bytes` and then nothing more. */
async function rawConnection(url: string, bytes: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  let data = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (data += chunk));
  // A reset is one way for the server to close; the test looks at what arrived, not how it ended.
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  if (bytes) socket.write(bytes);
  return { socket, received: () => data, closed };
}

function postHead(key: string, length: number): string {
  return `POST /v1/transactions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
}

function openConnections(h: Harness): Promise<number> {
  return new Promise((resolve, reject) => h.gateway.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

describe('slow clients', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness({ headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300 });
    key = await h.key(['submit', 'read']);
  });
  afterAll(() => h.close());

  it('closes connections that send part of a body or part of the headers and stall, with a 408, while serving others', async () => {
    const body = JSON.stringify({ type: 'street.report', data: pothole });
    const slowBodies = await Promise.all(
      Array.from({ length: 40 }, () => rawConnection(h.url, postHead(key, body.length) + body.slice(0, 20))),
    );
    const slowHeaders = await Promise.all(
      Array.from({ length: 10 }, () => rawConnection(h.url, `POST /v1/transactions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty`)),
    );
    const all = [...slowBodies, ...slowHeaders];
    let served = 0;
    const allClosed = Promise.all(all.map((c) => c.closed));
    let done = false;
    void allClosed.then(() => (done = true));
    // Normal clients are served all the while the stalled ones wait to be closed.
    while (!done) {
      const res = await fetch(`${h.url}/v1/transactions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(202);
      await res.arrayBuffer();
      served++;
      if (served > 2000) throw new Error('stalled connections were never closed');
    }
    expect(served).toBeGreaterThan(0);
    for (const connection of all) {
      const [head, payload] = connection.received().split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(head).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/i);
      expect(JSON.parse(payload!)).toEqual(expect.objectContaining({ status: 408, code: 'LGX_ERR_GATEWAY_REQUEST_TIMEOUT' }));
    }
    // Nothing half-sent was stored.
    expect((await h.stack.list({ limit: 5000 })).length).toBe(served);
    const metrics = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${await h.key(['admin'])}` } });
    expect(await metrics.text()).toMatch(/lgx_requests_rejected_total\{status="408"\} 50/);
  });

  it('closes an idle keep-alive connection after its timeout', async () => {
    const idle = await rawConnection(h.url, 'GET /v1/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    await idle.closed;
    expect(idle.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\{"status":"ok"\}$/);
  });
});

describe('the connection cap', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ maxConnections: 20 });
  });
  afterAll(() => h.close());

  it('closes connections beyond the cap at once, and serves again when some are gone', async () => {
    const held = await Promise.all(
      Array.from({ length: 20 }, () => rawConnection(h.url, 'GET /v1/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n')),
    );
    await waitFor(async () => (await openConnections(h)) === 20, 'the gateway to hold 20 connections');
    const beyond = await Promise.all(
      Array.from({ length: 10 }, () => rawConnection(h.url, 'GET /v1/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')),
    );
    await Promise.all(beyond.map((c) => c.closed));
    for (const connection of beyond) expect(connection.received()).toBe('');
    expect(await openConnections(h)).toBe(20);
    for (const connection of held) connection.socket.destroy();
    await waitFor(async () => (await openConnections(h)) === 0, 'the held connections to go');
    const res = await fetch(`${h.url}/v1/health`);
    expect([res.status, ((await res.json()) as { status: string }).status]).toEqual([200, 'ok']);
  });
});
