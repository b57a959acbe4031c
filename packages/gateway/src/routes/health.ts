import type { FastifyInstance } from 'fastify';
import type { RunningStack } from '@lgx/runtime';
import { authenticate, type GatewayContext } from '../http/request-context';

interface AdapterHealth {
  ok: boolean;
  latencyMs?: number;
}

/** How long an adapter check result is reused, so a busy load balancer does not hammer back offices. */
const CHECK_TTL_MS = 5_000;
const CHECK_TIMEOUT_MS = 5_000;

async function checkAdapters(stack: RunningStack): Promise<Record<string, AdapterHealth>> {
  const out: Record<string, AdapterHealth> = {};
  await Promise.all(
    [...stack.adapters.entries()]
      .filter(([id]) => !id.startsWith('webhook:'))
      .map(async ([id, instance]) => {
        if (!instance.check) {
          out[id] = { ok: true };
          return;
        }
        try {
          const result = await instance.check({ signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
          out[id] = { ok: result.ok, ...(result.latencyMs !== undefined ? { latencyMs: result.latencyMs } : {}) };
        } catch {
          out[id] = { ok: false };
        }
      }),
  );
  return out;
}

export function healthRoutes(app: FastifyInstance, context: GatewayContext): void {
  const cache = new Map<string, { at: number; value: Promise<Record<string, AdapterHealth>> }>();
  const cachedCheck = (council: string, stack: RunningStack): Promise<Record<string, AdapterHealth>> => {
    const hit = cache.get(council);
    if (hit && Date.now() - hit.at < (context.options.healthCheckCacheMs ?? CHECK_TTL_MS)) return hit.value;
    const value = checkAdapters(stack);
    cache.set(council, { at: Date.now(), value });
    return value;
  };

  // Liveness: the process answers. No key needed.
  app.get('/v1/health/live', async () => ({ status: 'ok' }));

  /**
   * Readiness: the store answers (else 503: nothing could be accepted durably). Back offices that fail
   * their check make the status `degraded` but keep 200: transactions are still accepted and wait in
   * the outbox. Error text is left out, as anyone may call this.
   */
  const readiness = async (_request: unknown, reply: { code(status: number): unknown }) => {
    const councils: Record<string, { store: { ok: boolean }; adapters: Record<string, AdapterHealth> }> = {};
    let storeOk = true;
    let adaptersOk = true;
    for (const [council, stack] of context.stacks) {
      let ok = true;
      try {
        await stack.store.getCursor('lgx:health');
      } catch {
        ok = false;
      }
      const adapters = await cachedCheck(council, stack);
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
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(context.metrics.render());
  });
}
