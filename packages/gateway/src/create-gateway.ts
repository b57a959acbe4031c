import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { LgxError, silentLogger } from '@lgx/core';
import type { RunningStack } from '@lgx/runtime';
import { AdapterHealthMonitor } from './health/adapter-health-monitor';
import { capConnections, clientErrorHandler, connectionLimits, serverOptions } from './http/connection-limits';
import { gracefulStop, STOPPING_RETRY_AFTER_SECONDS } from './http/graceful-stop';
import { createLoadShedder, retryAfterOf } from './http/load-shedding';
import { createCouncilQuotas } from './http/council-quotas';
import { consoleRoutes } from './console/console-routes';
import { codedProblem, problem, problemFromError } from './http/problem';
import { sendProblem, type GatewayContext } from './http/request-context';
import { Metrics } from './metrics/metrics';
import { buildOpenApi } from './openapi/build-openapi';
import { sendError } from './open311/open311-format';
import { formatOfUrl, open311Routes } from './open311/open311-routes';
import { callbackRoutes } from './routes/callbacks';
import { healthRoutes } from './routes/health';
import { queryRoutes } from './routes/queries';
import { reportRoutes } from './routes/reports';
import { subjectRoutes } from './routes/subjects';
import { schemaRoutes } from './routes/schemas';
import { transactionRoutes } from './routes/transactions';
import type { GatewayMetrics, GatewayOptions } from './types';

/** A gateway over one or more running stacks. */
export interface Gateway {
  /** The Fastify instance (for `inject` in tests, or to add routes). */
  readonly app: FastifyInstance;
  readonly metrics: GatewayMetrics;
  /** Starts listening; resolves the base URL (default host 127.0.0.1, port 0 = any free port). */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /**
   * Stops gracefully: stops accepting connections, answers new requests on open connections with 503,
   * `Retry-After` and `Connection: close`, lets requests in flight finish for up to `deadlineMs`
   * (default 10 s), then closes every connection and the server. The stacks stay open: their owner
   * closes them afterwards, so nothing a request in flight commits is cut off.
   */
  close(options?: { deadlineMs?: number }): Promise<void>;
  /**
   * Serves `stack` for its council from the next request on, in place of the one served before (a
   * stack reloaded), or, with `undefined`, stops serving `council` (its keys get 403). The stack
   * replaced stays open: its owner drains and closes it.
   */
  setStack(council: string, stack: RunningStack | undefined): void;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;
const DEFAULT_HEALTH_INTERVAL_MS = 15_000;
const DEFAULT_HEALTH_TIMEOUT_MS = 5_000;
const DEFAULT_STOP_DEADLINE_MS = 10_000;
/** Checks more often than this would only load the back offices. */
const MIN_HEALTH_INTERVAL_MS = 50;

/** Fastify's own errors carry a status; anything it flags as a client error gets a problem saying so. */
function fastifyProblem(error: FastifyError) {
  const status = error.statusCode ?? 500;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return codedProblem('LGX_ERR_VALIDATION_TOO_LARGE', 'the request body is larger than the limit');
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return codedProblem('LGX_ERR_GATEWAY_UNSUPPORTED_MEDIA_TYPE', 'this content type is not accepted here');
  if (status >= 400 && status < 500) return problem(status, undefined, error.message.slice(0, 300));
  return undefined;
}

/**
 * Builds the gateway: the canonical REST API under /v1, the Open311 facade under /open311/v2 for
 * stacks that configure it, vendor callbacks, health, Prometheus metrics and the OpenAPI document.
 */
export function createGateway(options: GatewayOptions): Gateway {
  const logger = options.logger ?? silentLogger;
  const stacks = new Map(options.stacks.map((s) => [s.definition.council, s]));
  if (stacks.size !== options.stacks.length) throw new TypeError('createGateway: two stacks serve the same council');
  const metrics = new Metrics();
  const health = new AdapterHealthMonitor({
    stacks,
    intervalMs: Math.max(MIN_HEALTH_INTERVAL_MS, options.healthCheckIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS),
    timeoutMs: options.healthCheckTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS,
    logger,
  });
  const shedder = options.loadShedding === false ? undefined : createLoadShedder(stacks, options.loadShedding ?? {}, logger);
  const quotas = createCouncilQuotas((council, quota) => metrics.quotaRefusals.inc({ council, quota }));
  const context: GatewayContext = { stacks, keys: options.keys, metrics, logger, options, health, shedder, quotas };
  const unsubscribe = new Map(
    options.stacks.map((stack) => [stack.definition.council, stack.onDelivery((event) => metrics.record(stack.definition.council, event))]),
  );

  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const limits = connectionLimits(options);
  const app = Fastify({
    logger: false,
    bodyLimit,
    // Stopping is the gateway's own (see graceful-stop); Fastify's 503 stays as a fallback for a
    // direct app.close().
    return503OnClosing: true,
    ...serverOptions(limits),
    clientErrorHandler: clientErrorHandler((status) => metrics.rejected.inc({ status: String(status) })),
  });
  capConnections(app.server, limits);
  const stopping = gracefulStop(app, (request, reply) => {
    metrics.rejected.inc({ status: '503' });
    reply.header('retry-after', String(STOPPING_RETRY_AFTER_SECONDS)).header('connection', 'close');
    if (request.url.startsWith('/open311/'))
      return sendError(
        reply,
        formatOfUrl(request.url),
        503,
        `the server is stopping: send the request again in ${STOPPING_RETRY_AFTER_SECONDS} seconds`,
      );
    return sendProblem(
      reply,
      codedProblem(
        'LGX_ERR_GATEWAY_STOPPING',
        `the gateway is stopping: send the request again in ${STOPPING_RETRY_AFTER_SECONDS} seconds`,
        { instance: request.routeOptions.url ?? request.url.split('?')[0]! },
      ),
    );
  });

  // Every body arrives as bytes: routes parse it themselves (JSON with LGX's size, syntax and
  // prototype-key rules; Open311 forms; raw bytes for vendor signatures).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const fromFastify =
      !(error instanceof LgxError) && typeof error.code === 'string' && error.code.startsWith('FST_') ? fastifyProblem(error) : undefined;
    const body = fromFastify ?? problemFromError(error);
    if (body.status >= 500) logger.error('request failed', { route: request.routeOptions.url, method: request.method, error });
    metrics.rejected.inc({ status: String(body.status) });
    const retryAfter = retryAfterOf(error);
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    // Open311 clients get errors in the spec's own format.
    if (request.url.startsWith('/open311/')) return sendError(reply, formatOfUrl(request.url), body.status, body.detail);
    return sendProblem(reply, { ...body, instance: request.routeOptions.url ?? request.url.split('?')[0]! });
  });
  app.setNotFoundHandler((request, reply) => {
    metrics.rejected.inc({ status: '404' });
    if (request.url.startsWith('/open311/')) return sendError(reply, formatOfUrl(request.url), 404, 'no such Open311 resource');
    return sendProblem(
      reply,
      codedProblem('LGX_ERR_GATEWAY_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`),
    );
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: Open311 clients may put api_key in the query string.
    logger.debug('request', {
      method: request.method,
      route: request.routeOptions.url ?? 'unknown',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    });
  });

  healthRoutes(app, context);
  // A worker node answers health and metrics only: it accepts and shows nothing.
  if (options.serves !== 'health') {
    transactionRoutes(app, context);
    queryRoutes(app, context);
    reportRoutes(app, context);
    subjectRoutes(app, context);
    schemaRoutes(app, context);
    callbackRoutes(app, context);
    app.get('/openapi.json', async () => buildOpenApi(options.publicUrl ? { serverUrl: options.publicUrl } : {}));
    if (options.open311 !== false) open311Routes(app, context);
    if (options.console !== false) consoleRoutes(app, context, options.console);
  }
  health.start();

  let closed: Promise<void> | undefined;
  return {
    app,
    metrics,
    async listen(listenOptions = {}) {
      const address = (await app.listen({ port: listenOptions.port ?? 0, host: listenOptions.host ?? '127.0.0.1' })).replace(
        '[::1]',
        'localhost',
      );
      // Every interface (0.0.0.0, ::) is no address a client can use in a link.
      if (!/^https?:\/\/(0\.0\.0\.0|\[::\])(:|$)/.test(address)) context.listenUrl = address;
      return address;
    },
    setStack(council, stack) {
      unsubscribe.get(council)?.();
      unsubscribe.delete(council);
      health.watch(council, stack);
      if (stack === undefined) {
        stacks.delete(council);
        return;
      }
      if (stack.definition.council !== council)
        throw new TypeError(`setStack: the stack serves ${stack.definition.council}, not ${council}`);
      stacks.set(council, stack);
      unsubscribe.set(
        council,
        stack.onDelivery((event) => metrics.record(council, event)),
      );
    },
    close(closeOptions = {}) {
      closed ??= (async () => {
        health.stop();
        shedder?.stop();
        await stopping.drain(closeOptions.deadlineMs ?? DEFAULT_STOP_DEADLINE_MS);
        for (const off of unsubscribe.values()) off();
        await app.close();
      })();
      return closed;
    },
  };
}
