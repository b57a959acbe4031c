import type { FastifyInstance } from 'fastify';
import { LgxValidationError } from '@lgx/core';
import { authenticate, jsonBody, type GatewayContext } from '../http/request-context';

export function queryRoutes(app: FastifyInstance, context: GatewayContext): void {
  // A look-up answered now by the back office (bin days, an account balance), not stored.
  app.post('/v1/queries/:type', async (request) => {
    const { stack } = await authenticate(context, request, 'read');
    const { type } = request.params as { type: string };
    const bytes = jsonBody(request);
    let params: unknown;
    try {
      params = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new LgxValidationError([{ path: '', rule: 'json', message: 'is not well-formed JSON' }], {
        subject: 'request body',
        code: 'LGX_ERR_VALIDATION_MALFORMED_JSON',
      });
    }
    const controller = new AbortController();
    request.raw.on('close', () => {
      if (!request.raw.complete) controller.abort();
    });
    const answer = await stack.query(type, params, { timeoutMs: context.options.queryTimeoutMs ?? 10_000, signal: controller.signal });
    return { type, adapter: answer.target, result: answer.result };
  });
}
