import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LgxError } from '@lgx/core';
import { SUBJECT_KINDS, type RunningStack, type SubjectRequests, type SubjectSelector } from '@lgx/runtime';
import { authenticate, jsonBody, type GatewayContext } from '../http/request-context';

/**
 * The one selector a request names, from the query string or a JSON body: exactly the five kinds
 * (and, for erase, `confirm`) are taken; anything else is refused naming it, as a single text each.
 */
function selectorOf(input: unknown, allowed: readonly string[] = []): SubjectSelector {
  const fields = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const selector: SubjectSelector = {};
  for (const [field, value] of Object.entries(fields)) {
    if (allowed.includes(field)) continue;
    if (!(SUBJECT_KINDS as readonly string[]).includes(field))
      throw new LgxError(
        'LGX_ERR_SUBJECT_SELECTOR',
        `${field.slice(0, 50)} is not a subject selector (one of ${SUBJECT_KINDS.join(', ')})`,
        {
          details: { field: field.slice(0, 50) },
        },
      );
    if (typeof value !== 'string')
      throw new LgxError('LGX_ERR_SUBJECT_SELECTOR', `${field} must be given once, as text`, { details: { field } });
    selector[field as keyof SubjectSelector] = value;
  }
  return selector;
}

/**
 * Subject access and erasure for the key's council (admin scope): find, export (an audited
 * personal-data read) and erase. Personal data travels in the query string of the GETs, so responses
 * are never cached and the gateway logs route patterns, never URLs.
 */
export function subjectRoutes(app: FastifyInstance, context: GatewayContext): void {
  const opened = new WeakMap<RunningStack, Promise<SubjectRequests>>();
  const requestsOf = (stack: RunningStack): Promise<SubjectRequests> => {
    let requests = opened.get(stack);
    if (!requests) {
      requests = stack.subjectRequests();
      // A refusal (no encryption key) is answered each time, not remembered as a rejected promise.
      requests.catch(() => opened.delete(stack));
      opened.set(stack, requests);
    }
    return requests;
  };
  const admin = async (request: FastifyRequest) => {
    const { key, stack } = await authenticate(context, request, 'admin');
    return { actor: `key:${key.id}`, requests: await requestsOf(stack), council: key.council };
  };

  app.get('/v1/subjects', async (request, reply) => {
    const { requests, council } = await admin(request);
    const transactions = await requests.find(selectorOf(request.query));
    return reply.header('cache-control', 'no-store').send({ council, transactions });
  });

  app.get('/v1/subjects/export', async (request, reply) => {
    const { requests, actor } = await admin(request);
    const exported = await requests.export(selectorOf(request.query), { actor, via: 'api' });
    return reply.header('cache-control', 'no-store').send(exported);
  });

  app.post('/v1/subjects/erase', async (request, reply) => {
    const { requests, actor } = await admin(request);
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(jsonBody(request).toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new LgxError('LGX_ERR_SUBJECT_SELECTOR', 'the body must be a JSON object naming the subject and "confirm": "erase"', {
        details: { field: 'body' },
      });
    }
    const erased = await requests.erase(selectorOf(body, ['confirm']), { actor, via: 'api', confirmed: body?.confirm === 'erase' });
    return reply.header('cache-control', 'no-store').send(erased);
  });
}
