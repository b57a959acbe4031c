import net from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** What a request that arrives while the gateway stops is told: come back after this many seconds. */
export const STOPPING_RETRY_AFTER_SECONDS = 5;

/**
 * Two races make a stop reset requests that were never refused. A client with an idle keep-alive
 * connection may send its next request at the very moment the gateway closes that connection; and
 * closing the listening socket resets the connections the kernel has completed but the gateway has not
 * yet accepted. So the listener is closed only once no connection has arrived for this long, and idle
 * connections only once no request has come or gone for this long; anything sent meanwhile is
 * answered with a 503 and `Connection: close`.
 */
const QUIET_MS = 500;
const POLL_MS = 20;

export interface GracefulStop {
  /** True once `drain` has begun. */
  readonly draining: boolean;
  /**
   * Stops accepting connections, answers every new request with a 503 and `Connection: close`, lets
   * the requests in flight finish (their answers close their connections), closes idle connections,
   * and after `deadlineMs` closes whatever is still open.
   */
  drain(deadlineMs: number): Promise<void>;
}

/**
 * Registers the hooks a graceful stop needs. `refuse` sends the 503 a request that arrives while the
 * gateway stops gets; it runs after the body is read, so the connection closes cleanly rather than
 * with unread bytes (which the kernel would answer with a reset).
 */
export function gracefulStop(app: FastifyInstance, refuse: (request: FastifyRequest, reply: FastifyReply) => FastifyReply): GracefulStop {
  let draining = false;
  let inflight = 0;
  let lastActivity = Date.now();

  // Requests that arrived before the stop began are in flight: they are served, not refused.
  const admitted = new WeakSet<FastifyRequest>();
  app.addHook('onRequest', async (request, reply) => {
    if (!draining) admitted.add(request);
    inflight++;
    lastActivity = Date.now();
    // A response emits 'close' once: sent in full, or its connection gone.
    reply.raw.once('close', () => {
      inflight--;
      lastActivity = Date.now();
    });
  });
  app.addHook('preHandler', async (request, reply) => {
    if (draining && !admitted.has(request)) return refuse(request, reply);
    return undefined;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (draining) reply.header('connection', 'close');
    return payload;
  });

  return {
    get draining() {
      return draining;
    },
    async drain(deadlineMs) {
      if (draining) return;
      draining = true;
      const server = app.server;
      if (!server.listening) return;
      const until = Date.now() + deadlineMs;
      let lastConnection = Date.now();
      const onConnection = () => (lastConnection = Date.now());
      server.on('connection', onConnection);
      let allClosed: Promise<void> | undefined;
      let closed = false;
      // net.Server's own close: it stops accepting but, unlike http.Server#close, leaves idle
      // keep-alive connections open. It calls back once every connection is gone.
      const stopListening = () => {
        allClosed ??= new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve())).then(
          () => void (closed = true),
        );
      };
      while (!closed && Date.now() < until) {
        // A timer, then one pass of the event loop's I/O poll before looking: a process that was
        // busy (or descheduled) for a while counts the connections and requests that arrived
        // meanwhile before it decides that all is quiet.
        await new Promise((resolve) => setTimeout(() => setImmediate(resolve), POLL_MS));
        const now = Date.now();
        if (now - lastConnection >= QUIET_MS) stopListening();
        if (allClosed && inflight === 0 && now - Math.max(lastActivity, lastConnection) >= QUIET_MS) server.closeIdleConnections();
      }
      stopListening();
      if (!closed) server.closeAllConnections();
      await allClosed;
      server.off('connection', onConnection);
    },
  };
}
