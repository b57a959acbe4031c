import type { FastifyInstance } from 'fastify';
import type { RunningStack } from '@lgx/runtime';
import { notFound, type GatewayContext } from '../http/request-context';

/**
 * Vendor pushes (GOV.UK Pay webhooks, Notify delivery receipts). No API key: each adapter checks the
 * vendor's own proof (a signature or a bearer token) over the raw body, which is passed on unparsed.
 */
export function callbackRoutes(app: FastifyInstance, context: GatewayContext): void {
  const handle = async (stack: RunningStack, adapter: string, request: { headers: Record<string, unknown>; body: unknown; query: unknown }) => {
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : undefined;
    const body = Buffer.isBuffer(request.body) ? new Uint8Array(request.body) : new Uint8Array(0);
    return stack.handleCallback(adapter, { headers, body, query: request.query as Record<string, string> });
  };

  app.post('/v1/callbacks/:adapter', async (request, reply) => {
    const { adapter } = request.params as { adapter: string };
    const stacks = [...context.stacks.values()].filter((s) => s.adapters.has(adapter) && !adapter.startsWith('webhook:'));
    // With several councils on one gateway an adapter id can repeat: the council form is then needed.
    if (stacks.length !== 1) throw notFound(`adapter '${adapter.slice(0, 64)}'${stacks.length > 1 ? ' (several councils have it: POST /v1/callbacks/<council>/<adapter>)' : ''}`);
    const outcome = await handle(stacks[0]!, adapter, request);
    return reply.code(outcome.status).send({ received: outcome.status < 300, stored: outcome.stored.length });
  });

  app.post('/v1/callbacks/:council/:adapter', async (request, reply) => {
    const { council, adapter } = request.params as { council: string; adapter: string };
    const stack = context.stacks.get(council);
    if (!stack || !stack.adapters.has(adapter) || adapter.startsWith('webhook:')) throw notFound(`adapter '${adapter.slice(0, 64)}' for council '${council.slice(0, 16)}'`);
    const outcome = await handle(stack, adapter, request);
    return reply.code(outcome.status).send({ received: outcome.status < 300, stored: outcome.stored.length });
  });
}
