import type { FastifyInstance } from 'fastify';
import { LgxValidationError, redact, schemaRegistry } from '@lgx/core';
import { showsPersonalData } from '../auth/api-keys';
import { authenticate, jsonBody, type GatewayContext } from '../http/request-context';

function maskedResult(type: string, result: unknown): unknown {
  const resultId = schemaRegistry().has(type) ? schemaRegistry().get(type).resultId : undefined;
  const entry = resultId === undefined ? undefined : schemaRegistry().getById(resultId);
  return entry ? redact(result, entry.schema, { marks: ['x-lgx-pii'] }) : result;
}

export function queryRoutes(app: FastifyInstance, context: GatewayContext): void {
  // A look-up answered now by the back office (bin days, an account balance), not stored.
  app.post('/v1/queries/:type', async (request) => {
    const { key, stack } = await authenticate(context, request, 'read');
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
    // An answer is the back office's, not stored here: a key without the personal-data scope sees the
    // fields its result schema marks as personal masked.
    return { type, adapter: answer.target, result: showsPersonalData(key) ? answer.result : maskedResult(type, answer.result) };
  });
}
