import type { FastifyInstance } from 'fastify';
import type { AdapterHealth } from '../health/adapter-health-monitor';
import { createStoreProbe } from '../health/store-probe';
import { authenticate, type GatewayContext } from '../http/request-context';
import { renderStoreMetrics } from '../metrics/store-metrics';

/** How long the health endpoint waits for a store to answer before calling it down. */
const STORE_CHECK_TIMEOUT_MS = 2_000;

export function healthRoutes(app: FastifyInstance, context: GatewayContext): void {
  const storeAnswers = createStoreProbe(STORE_CHECK_TIMEOUT_MS);

  // Liveness: the process answers. No key needed.
  app.get('/v1/health/live', async () => ({ status: 'ok' }));

  /**
   * Readiness: the store answers (else 503: nothing could be accepted durably). Back offices are
   * checked in the background (see AdapterHealthMonitor) and reported with the age of their last
   * result; one that fails makes the status `degraded` but keeps 200: transactions are still accepted
   * and wait in the outbox. Error text is left out, as anyone may call this.
   */
  const readiness = async (_request: unknown, reply: { code(status: number): unknown }) => {
    const councils: Record<string, { store: { ok: boolean }; adapters: Record<string, AdapterHealth> }> = {};
    const stores = await Promise.all(
      [...context.stacks].map(async ([council, stack]) => [council, await storeAnswers(council, stack)] as const),
    );
    let storeOk = true;
    let adaptersOk = true;
    for (const [council, ok] of stores) {
      const adapters = context.health.report(council);
      storeOk &&= ok;
      adaptersOk &&= Object.values(adapters).every((a) => a.ok);
      councils[council] = { store: { ok }, adapters };
    }
    const status = !storeOk ? 'down' : adaptersOk ? 'ok' : 'degraded';
    reply.code(storeOk ? 200 : 503);
    return { status, councils };
  };
  app.get('/v1/health', readiness);
  app.get('/v1/health/ready', readiness);

  app.get('/metrics', async (request, reply) => {
    await authenticate(context, request, 'admin');
    const fromStores = await renderStoreMetrics([...context.stacks.values()]);
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(context.metrics.render() + fromStores);
  });
}
