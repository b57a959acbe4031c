import type { FastifyInstance, FastifyReply } from 'fastify';
import { classifyError, isLgxError, LgxError } from '@lgx/core';
import type { RunningStack } from '@lgx/runtime';
import { problem } from '../http/problem';
import { notFound, sendProblem, type GatewayContext } from '../http/request-context';

/**
 * What a vendor is told when its push is refused, by the adapter's classification: a bad signature or
 * token is 401 (so the vendor's operators see it), a bad body 400 (no point resending it), a temporary
 * failure 503 (resend later).
 */
const STATUS_BY_CLASS: Record<string, number> = { auth: 401, permanent: 400, notFound: 404, rateLimited: 429, retryable: 503 };

/**
 * Vendor pushes (GOV.UK Pay webhooks, Notify delivery receipts). No API key: each adapter checks the
 * vendor's own proof (a signature or a bearer token) over the raw body, which is passed on unparsed.
 */
export function callbackRoutes(app: FastifyInstance, context: GatewayContext): void {
  const handle = async (
    stack: RunningStack,
    adapter: string,
    request: { headers: Record<string, unknown>; body: unknown; query: unknown },
  ) => {
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(request.headers))
      headers[name] = Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : undefined;
    const body = Buffer.isBuffer(request.body) ? new Uint8Array(request.body) : new Uint8Array(0);
    return stack.handleCallback(adapter, { headers, body, query: request.query as Record<string, string> });
  };

  /**
   * An adapter that takes no callbacks is answered like one that does not exist: 404, logged at debug
   * only, since anyone on the internet can POST here and it says nothing about the gateway's health.
   */
  const noSuchCallback = (adapter: string, council?: string): LgxError => {
    context.logger.debug('callback to no adapter that takes callbacks', {
      adapter: adapter.slice(0, 64),
      ...(council ? { council: council.slice(0, 16) } : {}),
    });
    return notFound(`adapter '${adapter.slice(0, 64)}' taking callbacks${council ? ` for council '${council.slice(0, 16)}'` : ''}`);
  };
  const takesCallbacks = (stack: RunningStack, adapter: string) =>
    !adapter.startsWith('webhook:') && stack.adapters.get(adapter)?.handleCallback !== undefined;

  const answer = async (stack: RunningStack, adapter: string, request: Parameters<typeof handle>[2], reply: FastifyReply) => {
    try {
      const outcome = await handle(stack, adapter, request);
      return reply.code(outcome.status).send({ received: outcome.status < 300, stored: outcome.stored.length });
    } catch (error) {
      const status = isLgxError(error) ? STATUS_BY_CLASS[classifyError(error)] : undefined;
      if (status === undefined) throw error;
      context.logger.warn('callback refused', { adapter, status, code: (error as { code?: string }).code });
      return sendProblem(reply, problem(status, (error as { code: string }).code, (error as Error).message));
    }
  };

  app.post('/v1/callbacks/:adapter', async (request, reply) => {
    const { adapter } = request.params as { adapter: string };
    const stacks = [...context.stacks.values()].filter((s) => takesCallbacks(s, adapter));
    // With several councils on one gateway an adapter id can repeat: the council form is then needed.
    if (stacks.length > 1) {
      throw new LgxError(
        'LGX_ERR_GATEWAY_NOT_FOUND',
        `several councils' stacks have an adapter '${adapter.slice(0, 64)}': POST /v1/callbacks/<council>/${adapter.slice(0, 64)}`,
      );
    }
    if (stacks.length === 0) throw noSuchCallback(adapter);
    return answer(stacks[0]!, adapter, request, reply);
  });

  app.post('/v1/callbacks/:council/:adapter', async (request, reply) => {
    const { council, adapter } = request.params as { council: string; adapter: string };
    const stack = context.stacks.get(council);
    if (!stack || !takesCallbacks(stack, adapter)) throw noSuchCallback(adapter, council);
    return answer(stack, adapter, request, reply);
  });
}
