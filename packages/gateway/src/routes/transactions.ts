import type { FastifyInstance } from 'fastify';
import { completeEnvelope, LgxError, LgxValidationError, parseTransaction, schemaRegistry, type ValidationIssue } from '@lgx/core';
import { showsPersonalData } from '../auth/api-keys';
import { authenticate, baseUrl, jsonBody, notFound, type GatewayContext } from '../http/request-context';
import { detailOf, summaryOf } from './transaction-view';

const MAX_PAGE = 100;

/**
 * The body parsed once. It is not validated here: `stack.submit` validates the (completed) envelope,
 * and validating a full envelope here as well cost a second schema pass on every submit. A body that
 * is too large or not JSON is refused with parseTransaction's own issue and code.
 */
function parseBody(bytes: Buffer, maxBytes: number): unknown {
  if (bytes.byteLength <= maxBytes) {
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown;
    } catch {
      // worded by parseTransaction below
    }
  }
  const failed = parseTransaction(bytes, { maxBytes });
  const rule = failed.ok ? undefined : failed.issues[0]?.rule;
  if (!failed.ok && rule === 'maxBytes')
    throw new LgxValidationError(failed.issues, { subject: 'request body', code: 'LGX_ERR_VALIDATION_TOO_LARGE' });
  if (!failed.ok && rule === 'json')
    throw new LgxValidationError(failed.issues, { subject: 'request body', code: 'LGX_ERR_VALIDATION_MALFORMED_JSON' });
  throw new LgxValidationError([{ path: '', rule: 'json', message: 'is not well-formed JSON' }], {
    subject: 'request body',
    code: 'LGX_ERR_VALIDATION_MALFORMED_JSON',
  });
}

function parseDate(value: unknown, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime()))
    throw new LgxValidationError([{ path: `/${name}`, rule: 'format', message: 'must be an ISO-8601 date-time' }], {
      subject: 'query string',
    });
  return date;
}

function decodeCursor(value: unknown): { createdAt: string; id: string } | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(String(value), 'base64url').toString('utf8')) as { t?: unknown; i?: unknown };
    if (typeof parsed.t === 'string' && typeof parsed.i === 'string') return { createdAt: parsed.t, id: parsed.i };
  } catch {
    // fall through to the error below
  }
  throw new LgxValidationError([{ path: '/cursor', rule: 'cursor', message: 'is not a cursor this API returned' }], {
    subject: 'query string',
  });
}

export function transactionRoutes(app: FastifyInstance, context: GatewayContext): void {
  app.post('/v1/transactions', async (request, reply) => {
    const { key, stack } = await authenticate(context, request, 'submit');
    context.shedder?.check(key.council);
    await context.quotas.check(stack);
    const bytes = jsonBody(request);
    const header = request.headers['idempotency-key'];
    const parsedJson = parseBody(bytes, context.options.bodyLimit ?? 1024 * 1024);
    // The short form {type, data}: the council from the key, the channel from the key (else api), the
    // idempotency key from the body or the Idempotency-Key header; a full envelope is taken as it is.
    const candidate = completeEnvelope(parsedJson, {
      council: key.council,
      ...(key.channel ? { channel: key.channel } : {}),
      ...(typeof header === 'string' ? { idempotencyKey: header } : {}),
    });
    const type = (candidate as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && !schemaRegistry().has(type)) {
      throw new LgxError('LGX_ERR_SCHEMA_UNKNOWN_TYPE', `'${type.slice(0, 100)}' is not a transaction type (GET /v1/schemas lists them)`, {
        details: { type: type.slice(0, 100) },
      });
    }
    const council = (candidate as { council?: unknown } | null)?.council;
    if (typeof council === 'string' && council !== key.council) {
      const issue: ValidationIssue = { path: '/council', rule: 'keyCouncil', message: `must be the API key's council (${key.council})` };
      throw new LgxError('LGX_ERR_GATEWAY_FORBIDDEN', `this API key acts for council ${key.council}, not another council`, {
        details: { issues: [issue] },
      });
    }
    const result = await stack.submit(candidate, {
      actor: `key:${key.id}`,
      ...(context.shedder ? { admit: context.shedder.admit(key.council) } : {}),
    });
    const location = `${baseUrl(context, request)}/v1/transactions/${result.id}`;
    if (result.duplicate) context.metrics.duplicates.inc({ council: key.council });
    else context.metrics.accepted.inc({ council: key.council, type: String(type) });
    return reply
      .code(result.duplicate ? 200 : 202)
      .header('location', location)
      .send({ id: result.id, duplicate: result.duplicate, links: { self: location } });
  });

  app.get('/v1/transactions/:id', async (request) => {
    const { key, stack } = await authenticate(context, request, 'read');
    const { id } = request.params as { id: string };
    // Read masked unless the key may see personal data: the read model masks as every reader does.
    const personalData = showsPersonalData(key);
    const view = id.length <= 200 ? await stack.get(id, { personalData }) : undefined;
    // Another council's transaction is "not found": its existence is not disclosed.
    if (!view || view.transaction.council !== key.council) throw notFound(`transaction '${id.slice(0, 100)}'`);
    if (!personalData) return detailOf(view, baseUrl(context, request));
    // Recorded before it is sent: a read the audit chain could not record is not answered.
    await stack.recordPersonalDataRead({ actor: `key:${key.id}`, via: 'api', transactionIds: [view.transaction.id] });
    return detailOf(view, baseUrl(context, request));
  });

  app.get('/v1/transactions', async (request) => {
    const { key, stack } = await authenticate(context, request, 'read');
    const query = request.query as Record<string, unknown>;
    const limit = query.limit === undefined ? 20 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new LgxValidationError([{ path: '/limit', rule: 'maximum', message: `must be a whole number from 1 to ${MAX_PAGE}` }], {
        subject: 'query string',
      });
    }
    const types = query.type === undefined ? undefined : String(query.type).split(',').filter(Boolean);
    const from = parseDate(query.from, 'from');
    const to = parseDate(query.to, 'to');
    const before = decodeCursor(query.cursor);
    // One more than the page, to know whether there is a next one.
    const rows = await stack.list({
      council: key.council,
      limit: limit + 1,
      ...(types ? { types } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(before ? { before } : {}),
    });
    const page = rows.slice(0, limit);
    const base = baseUrl(context, request);
    const items = page.map((summary) => summaryOf(summary, base));
    const last = page[page.length - 1]?.transaction;
    const next =
      rows.length > limit && last ? Buffer.from(JSON.stringify({ t: last.createdAt, i: last.id })).toString('base64url') : undefined;
    return {
      items,
      ...(next
        ? {
            next,
            links: {
              next: `${base}/v1/transactions?${new URLSearchParams({ ...(query as Record<string, string>), cursor: next }).toString()}`,
            },
          }
        : {}),
    };
  });
}
