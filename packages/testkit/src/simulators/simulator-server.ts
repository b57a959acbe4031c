import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request as the simulator received it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  headers: http.IncomingHttpHeaders;
  /** Raw body text. */
  body: string;
  receivedAt: Date;
  /** What the simulator did: 'handled', or the fault it injected. */
  outcome: 'handled' | 'fault' | 'rate-limited' | 'down';
}

/** A scripted fault for the next N requests. */
export type Fault =
  | { status: number; body?: string | object; headers?: Record<string, string> }
  | { reset: true }
  | { timeout: true }
  | { malformed: true; body?: string; contentType?: string };

/** Fault injection, shared by every simulator. */
export interface FaultControls {
  /** The next `count` requests get `fault` instead of being handled. */
  failNext(count: number, fault: Fault): void;
  /** Adds `ms` of latency before every response (0 to stop). */
  latency(ms: number): void;
  /** Every connection is reset until `up()`. */
  down(): void;
  up(): void;
  /** At most `limit` requests per `windowMs`; beyond that, 429 with Retry-After. `null` turns it off. */
  rateLimit(options: { limit: number; windowMs: number; retryAfterSeconds?: number } | null): void;
  /** Every fault off. */
  clear(): void;
}

/** What every simulator offers. */
export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Every request received, in order (including faulted ones). */
  requests: RecordedRequest[];
  faults: FaultControls;
  /** Forgets requests and faults (and, for stateful simulators, their state). */
  reset(): void;
  close(): Promise<void>;
}

export interface SimulatorServerOptions {
  /** Largest request body accepted (default 5 MiB); larger gets 413. */
  maxBodyBytes?: number;
  /** Port (default 0: any free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1: this machine only). */
  host?: string;
}

/** Handles a request that passed the fault layer. The body has been read. */
export type SimulatorHandler = (request: RecordedRequest, req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

/** Answers a request with JSON. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function parseQuery(search: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of search) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/**
 * An HTTP server (on 127.0.0.1 unless told otherwise) with the shared fault layer and request recording. Simulators put
 * their behaviour in `handler`; the layer decides first whether the request meets a fault.
 */
export async function startSimulatorServer(
  handler: SimulatorHandler,
  options: SimulatorServerOptions = {},
): Promise<Simulator & { server: http.Server }> {
  const maxBodyBytes = options.maxBodyBytes ?? 5 * 1024 * 1024;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let queue: Array<{ remaining: number; fault: Fault }> = [];
  let latencyMs = 0;
  let isDown = false;
  let limit: { limit: number; windowMs: number; retryAfterSeconds: number } | null = null;
  let windowStart = 0;
  let windowCount = 0;
  const held = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const record: RecordedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: parseQuery(url.searchParams),
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: new Date(),
          outcome: 'handled',
        };
        requests.push(record);
        if (isDown) {
          record.outcome = 'down';
          req.socket.destroy();
          return;
        }
        if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
        if (tooLarge) return sendJson(res, 413, { error: 'request body too large' });
        const next = queue[0];
        if (next) {
          next.remaining--;
          if (next.remaining <= 0) queue.shift();
          record.outcome = 'fault';
          const fault = next.fault;
          if ('reset' in fault) return void req.socket.destroy();
          if ('timeout' in fault) {
            held.add(res);
            // The client gives up and closes; forget the response so a long test does not pile them up.
            res.on('close', () => held.delete(res));
            return;
          }
          if ('malformed' in fault) {
            const text = fault.body ?? '{"truncated": ';
            res.writeHead(200, { 'content-type': fault.contentType ?? 'application/json' });
            return void res.end(text);
          }
          const body = typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body ?? { error: `simulated ${fault.status}` });
          res.writeHead(fault.status, {
            'content-type': typeof fault.body === 'string' ? 'text/plain' : 'application/json',
            ...fault.headers,
          });
          return void res.end(body);
        }
        if (limit) {
          const now = Date.now();
          if (now - windowStart >= limit.windowMs) {
            windowStart = now;
            windowCount = 0;
          }
          windowCount++;
          if (windowCount > limit.limit) {
            record.outcome = 'rate-limited';
            return sendJson(res, 429, { error: 'rate limited' }, { 'retry-after': String(limit.retryAfterSeconds) });
          }
        }
        try {
          await handler(record, req, res);
        } catch (error) {
          if (!res.headersSent) sendJson(res, 500, { error: `simulator handler failed: ${(error as Error).message}` });
          // Half a response would leave the client waiting for the rest.
          else res.destroy();
        }
      })();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (isDown) socket.destroy();
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    // A port in use or an address this machine does not have fails the start, with Node's code (EADDRINUSE ...).
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const faults: FaultControls = {
    failNext: (count, fault) => {
      if (!Number.isInteger(count) || count < 0) throw new RangeError(`failNext count must be a whole number >= 0, got ${count}`);
      // A zero-count entry would still fault one request before it is dropped.
      if (count > 0) queue.push({ remaining: count, fault });
    },
    latency: (ms) => void (latencyMs = ms),
    down: () => {
      isDown = true;
      for (const s of sockets) s.destroy();
    },
    up: () => void (isDown = false),
    rateLimit: (options) => {
      limit = options ? { retryAfterSeconds: 1, ...options } : null;
      windowStart = 0;
      windowCount = 0;
    },
    clear: () => {
      queue = [];
      latencyMs = 0;
      isDown = false;
      limit = null;
    },
  };

  return {
    server,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    requests,
    faults,
    reset: () => {
      requests.length = 0;
      faults.clear();
      // A response held by a timeout fault belongs to the previous test; release its client.
      for (const res of held) res.destroy();
      held.clear();
    },
    close: async () => {
      for (const res of held) res.destroy();
      held.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
