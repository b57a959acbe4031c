import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { completeEnvelope, isLgxError, LgxValidationError, validateData, type StatusUpdate } from '@lgx/core';
import { maskStatusUpdateViews, type RunningStack, type TransactionSummary } from '@lgx/runtime';
import type { Open311FacadeConfig } from './open311-model';
import { hasScope, verifyApiKey } from '../auth/api-keys';
import { retryAfterOf } from '../http/load-shedding';
import { absoluteBaseUrl, type GatewayContext } from '../http/request-context';
import type { ApiKeyRecord } from '../types';
import { parseForm, one } from './open311-form';
import { Open311Error, send, sendError, type Open311Element, type Open311Format } from './open311-format';
import {
  baseStatus,
  idempotencyKeyOf,
  invalidRequestText,
  open311IssueText,
  requestElement,
  requestToData,
  updateElement,
} from './open311-mapping';

const OPEN311_TYPES = [
  'street.report',
  'waste.missedCollection',
  'waste.containerRequest',
  'waste.bulkyBooking',
  'waste.gardenSubscription',
];
/** GeoReport v2's default window and row cap for GET requests. */
const DEFAULT_DAYS = 90;
const MAX_ROWS = 1000;

/** `services.xml` -> ['services', 'xml']. */
export function splitResource(resource: string): { name: string; format: Open311Format } {
  const match = /^(.+)\.(xml|json)$/i.exec(resource);
  if (!match) throw new Open311Error(400, 'add the format to the path: .xml or .json');
  return { name: match[1]!, format: match[2]!.toLowerCase() as Open311Format };
}

/** The format an error about this URL should be in: JSON when the path asks for it, else XML. */
export function formatOfUrl(url: string): Open311Format {
  return /\.json(\?|$)/i.test(url) ? 'json' : 'xml';
}

interface Served {
  stack: RunningStack;
  config: Open311FacadeConfig;
}

/** The council a per-council path names (`/open311/<council>/v2/...`), if the request came that way. */
function councilOfPath(request: FastifyRequest): string | undefined {
  return (request.params as { council?: string }).council;
}

function chooseStack(context: GatewayContext, jurisdiction: string | undefined, pathCouncil?: string): Served {
  const served = [...context.stacks.values()]
    .filter((s) => s.definition.open311)
    .map((stack) => ({ stack, config: stack.definition.open311! }));
  if (pathCouncil !== undefined) {
    // The path chooses the council; a jurisdiction_id beside it must name the same one.
    const found = served.find((s) => s.stack.definition.council === pathCouncil);
    if (!found) throw new Open311Error(404, 'no Open311 services for this council here');
    if (jurisdiction !== undefined && jurisdiction !== pathCouncil && jurisdiction !== found.config.jurisdiction)
      throw new Open311Error(404, 'jurisdiction_id is not the council of this path');
    return found;
  }
  if (served.length === 0) throw new Open311Error(404, 'this gateway has no Open311 services');
  if (jurisdiction !== undefined) {
    const found = served.find((s) => s.config.jurisdiction === jurisdiction || s.stack.definition.council === jurisdiction);
    if (found) return found;
    // A stack that names no jurisdiction takes any jurisdiction_id (FMS always sends one), as the stack schema says.
    if (served.length === 1 && served[0]!.config.jurisdiction === undefined) return served[0]!;
    throw new Open311Error(404, 'jurisdiction_id is not served here');
  }
  if (served.length > 1) throw new Open311Error(400, 'jurisdiction_id is required');
  return served[0]!;
}

/**
 * The query string as single strings. A repeated parameter (`?service_request_id=a&service_request_id=b`)
 * is read as the spec's comma list, never as an array the handlers do not expect.
 */
function queryOf(request: FastifyRequest): Record<string, string | undefined> {
  const query: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string') query[name] = value;
    else if (Array.isArray(value)) query[name] = value.filter((v) => typeof v === 'string').join(',');
  }
  return query;
}

function isoParam(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Open311Error(400, `${name} must be a W3C date-time`);
  return date;
}

export function open311Routes(app: FastifyInstance, context: GatewayContext): void {
  /** A valid key of the served council with `scope`, else undefined. */
  const keyFor = async (
    served: Served,
    presented: string | undefined,
    scope: 'submit' | 'personal-data',
  ): Promise<ApiKeyRecord | undefined> => {
    if (!presented) return undefined;
    const key = await verifyApiKey(context.keys, presented);
    return key && key.council === served.stack.definition.council && hasScope(key, scope) ? key : undefined;
  };

  /**
   * The key that may see the texts people wrote (descriptions, addresses, status notes): a key with the
   * personal-data scope. Without one, a request reads as an anonymous Open311 client's.
   */
  const personalReader = (served: Served, presented: string | undefined) => keyFor(served, presented, 'personal-data');

  /** Records in the audit chain that `key` was shown these requests' texts. */
  const audited = async (served: Served, key: ApiKeyRecord | undefined, ids: Array<string | undefined>): Promise<void> => {
    if (!key) return;
    const transactionIds = ids.filter((id): id is string => id !== undefined);
    await served.stack.recordPersonalDataRead({ actor: `key:${key.id}`, via: 'open311', transactionIds });
  };

  const handle = (
    fn: (
      request: FastifyRequest,
      reply: FastifyReply,
      format: Open311Format,
      name: string,
      id: string | undefined,
    ) => Promise<FastifyReply>,
  ) => {
    return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const params = request.params as { resource?: string; id?: string; collection?: string };
      let format: Open311Format = formatOfUrl(request.url);
      try {
        const split = splitResource(params.id ?? params.resource ?? '');
        format = split.format;
        const name = params.collection ?? split.name;
        return await fn(request, reply, format, name, params.collection ? split.name : undefined);
      } catch (error) {
        if (error instanceof Open311Error) return sendError(reply, format, error.status, error.message);
        if (error instanceof LgxValidationError) {
          return sendError(
            reply,
            format,
            400,
            invalidRequestText(error, (i) => `${i.path || '/'} ${i.message}`),
          );
        }
        if (isLgxError(error) && error.code === 'LGX_ERR_RUNTIME_NO_ROUTE')
          return sendError(reply, format, 400, 'this service is not taken by the council stack');
        const retryAfter = retryAfterOf(error);
        if (retryAfter !== undefined)
          return sendError(
            reply.header('retry-after', String(retryAfter)),
            format,
            isLgxError(error) && error.code === 'LGX_ERR_GATEWAY_QUOTA_EXCEEDED' ? 429 : 503,
            (error as Error).message,
          );
        context.logger.error('open311 request failed', { route: request.routeOptions.url, error });
        return sendError(reply, format, 500, 'the server failed to handle the request');
      }
    };
  };

  const getOne = handle(async (request, reply, format, name) => {
    const query = queryOf(request);
    const served = chooseStack(context, query.jurisdiction_id, councilOfPath(request));
    const { config, stack } = served;
    const council = stack.definition.council;
    const reader = await personalReader(served, query.api_key);
    const withText = reader !== undefined;

    if (name === 'discovery') {
      const pathCouncil = councilOfPath(request);
      const url = `${absoluteBaseUrl(context, request)}/open311/${pathCouncil !== undefined ? `${pathCouncil}/` : ''}v2`;
      // When this council's services last changed, as the store recorded it when the stack was opened.
      const changeset = (stack.open311Changeset ?? new Date(0)).toISOString();
      return send(reply, format, 200, 'discovery', undefined, {
        changeset,
        contact: config.contact ?? `Council ${council}`,
        key_service: 'Ask the council for an API key to post requests.',
        endpoints: [
          {
            specification: 'http://wiki.open311.org/GeoReport_v2',
            url,
            changeset,
            type: 'production',
            formats: ['text/xml', 'application/json'],
          },
        ],
      });
    }
    if (name === 'services') {
      return send(
        reply,
        format,
        200,
        'services',
        'service',
        config.services.map((s) => ({
          service_code: s.code,
          service_name: s.name,
          description: s.description ?? s.name,
          metadata: (s.attributes?.length ?? 0) > 0,
          type: s.open311Type ?? 'realtime',
          keywords: (s.keywords ?? []).join(','),
          group: s.group ?? '',
        })),
      );
    }
    if (name === 'requests') {
      const ids = query.service_request_id
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      let requests: TransactionSummary[];
      if (ids) {
        if (ids.length > MAX_ROWS) throw new Open311Error(400, `at most ${MAX_ROWS} service_request_id values`);
        // One page read for all the ids, answered in the order (and with the repeats) they were asked in.
        const found = new Map(
          (
            await stack.list({
              personalData: true,
              council,
              types: OPEN311_TYPES,
              ids: ids.filter((id) => id.length <= 200),
              limit: MAX_ROWS,
            })
          ).map((r) => [r.transaction.id, r]),
        );
        requests = ids.map((id) => found.get(id)).filter((r): r is TransactionSummary => r !== undefined);
      } else {
        const to = isoParam(query.end_date, 'end_date');
        const from = isoParam(query.start_date, 'start_date') ?? new Date((to ?? new Date()).getTime() - DEFAULT_DAYS * 86_400_000);
        requests = await stack.list({ personalData: true, council, types: OPEN311_TYPES, from, ...(to ? { to } : {}), limit: MAX_ROWS });
        const codes = query.service_code
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        if (codes)
          requests = requests.filter((r) =>
            codes.includes(String((r.transaction.envelope?.data as { serviceCode?: unknown } | undefined)?.serviceCode)),
          );
      }
      const statuses = query.status
        ?.split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
      const elements: Open311Element[] = [];
      for (const r of requests) {
        if (statuses && !statuses.includes(baseStatus(r.latestStatus?.update.status))) continue;
        elements.push(requestElement(r.transaction, config.services, r.latestStatus, withText));
      }
      await audited(
        served,
        reader,
        elements.map((e) => e.service_request_id as string | undefined),
      );
      return send(reply, format, 200, 'service_requests', 'request', elements);
    }
    if (name === 'servicerequestupdates') {
      const from = isoParam(query.start_date, 'start_date');
      const to = isoParam(query.end_date, 'end_date');
      const updates = await stack.listStatusUpdates({
        personalData: true,
        council,
        types: OPEN311_TYPES,
        limit: MAX_ROWS,
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      });
      await audited(
        served,
        reader,
        updates.map((u) => u.transactionId),
      );
      // Without the scope, the transactions' personal values are scrubbed from every text an update
      // carries (a vendor status code can echo a name); their envelopes come in one page read.
      const shown = reader
        ? updates
        : maskStatusUpdateViews(
            updates,
            new Map(
              (
                await stack.list({ personalData: true, council, ids: [...new Set(updates.map((u) => u.transactionId))], limit: MAX_ROWS })
              ).map((r) => [r.transaction.id, r.transaction]),
            ),
          );
      return send(
        reply,
        format,
        200,
        'service_request_updates',
        'request_update',
        shown.map((u) => updateElement(u, withText)),
      );
    }
    throw new Open311Error(404, 'no such Open311 resource');
  });

  const getItem = handle(async (request, reply, format, collection, id) => {
    const query = queryOf(request);
    const served = chooseStack(context, query.jurisdiction_id, councilOfPath(request));
    const { config, stack } = served;
    const council = stack.definition.council;
    if (collection === 'services') {
      const service = config.services.find((s) => s.code === id);
      if (!service) throw new Open311Error(404, 'service_code is not known');
      const attributes = (service.attributes ?? []).map((a, i) => ({
        variable: a.variable ?? true,
        code: a.code,
        datatype: a.datatype,
        required: a.required ?? false,
        datatype_description: '',
        order: a.order ?? i + 1,
        description: a.description,
        ...(a.automated ? { automated: a.automated } : {}),
        ...(a.values ? { values: Object.entries(a.values).map(([key, name]) => ({ key, name })) } : {}),
      }));
      return send(reply, format, 200, 'service_definition', undefined, { service_code: service.code, attributes });
    }
    if (collection === 'requests' || collection === 'tokens') {
      const view = id && id.length <= 200 ? await stack.get(id, { personalData: true }) : undefined;
      const transaction = view?.transaction;
      if (!transaction || transaction.council !== council || !OPEN311_TYPES.includes(transaction.type))
        throw new Open311Error(404, `${collection === 'tokens' ? 'token' : 'service_request_id'} is not known`);
      if (collection === 'tokens')
        return send(reply, format, 200, 'service_requests', 'request', [{ service_request_id: transaction.id, token: transaction.id }]);
      const reader = await personalReader(served, query.api_key);
      await audited(served, reader, [transaction.id]);
      return send(reply, format, 200, 'service_requests', 'request', [
        requestElement(transaction, config.services, view.latestStatus, reader !== undefined),
      ]);
    }
    throw new Open311Error(404, 'no such Open311 resource');
  });

  const post = handle(async (request, reply, format, name) => {
    const form = parseForm(request.headers['content-type'], request.body, request.query as Record<string, unknown>);
    const served = chooseStack(context, one(form, 'jurisdiction_id'), councilOfPath(request));
    const { config, stack } = served;
    const key = await keyFor(served, one(form, 'api_key'), 'submit');
    if (!key) throw new Open311Error(403, 'api_key is missing or not valid for this jurisdiction');

    if (name === 'requests') {
      const code = one(form, 'service_code');
      if (!code) throw new Open311Error(400, 'service_code is required');
      const service = config.services.find((s) => s.code === code);
      if (!service) throw new Open311Error(404, 'service_code is not known');
      context.shedder?.check(stack.definition.council);
      await context.quotas.check(stack);
      const data = requestToData(service, form);
      // Completed as every short form is, through the Open311 channel; the form gives the idempotency key.
      const envelope = completeEnvelope(
        { type: service.type, data, ...(service.lgsl ? { lgsl: service.lgsl } : {}) },
        { council: stack.definition.council, channel: 'open311', idempotencyKey: idempotencyKeyOf(form) },
      );
      const admit = context.shedder?.admit(stack.definition.council);
      const result = await stack.submit(envelope, { actor: `key:${key.id}`, ...(admit ? { admit } : {}) }).catch((error: unknown) => {
        if (!(error instanceof LgxValidationError)) throw error;
        throw new Open311Error(
          400,
          invalidRequestText(error, (issue) => open311IssueText(service, issue)),
        );
      });
      if (!result.duplicate) context.metrics.accepted.inc({ council: stack.definition.council, type: service.type });
      // A batch or blackbox service answers with a token (tokens/{token} resolves it), as its clients poll for.
      const answer = (service.open311Type ?? 'realtime') === 'realtime' ? { service_request_id: result.id } : { token: result.id };
      return send(reply, format, 200, 'service_requests', 'request', [{ ...answer, service_notice: '', account_id: '' }]);
    }

    if (name === 'servicerequestupdates') {
      const requestId = one(form, 'service_request_id');
      const updateId = one(form, 'update_id');
      const rawStatus = one(form, 'status');
      const updatedAt = one(form, 'updated_datetime');
      for (const [field, value] of Object.entries({
        service_request_id: requestId,
        update_id: updateId,
        status: rawStatus,
        updated_datetime: updatedAt,
      })) {
        if (value === undefined) throw new Open311Error(400, `${field} is required`);
      }
      const view = requestId!.length <= 200 ? await stack.get(requestId!, { personalData: true }) : undefined;
      const transaction = view?.transaction;
      if (!transaction || transaction.council !== stack.definition.council || !OPEN311_TYPES.includes(transaction.type))
        throw new Open311Error(404, 'service_request_id is not known');
      let status = rawStatus!.toLowerCase();
      if (status === 'unchanged') status = view.latestStatus?.update.status ?? 'open';
      const update: Record<string, unknown> = {
        transactionId: transaction.id,
        externalRef: transaction.id,
        updateId: updateId,
        status,
        updatedAt: isoParam(updatedAt, 'updated_datetime')!.toISOString(),
      };
      const description = one(form, 'description');
      if (description) update.description = description;
      const checked = validateData('statusUpdate', update);
      if (!checked.ok) throw new LgxValidationError(checked.issues, { subject: 'service request update', issueCount: checked.issueCount });
      // Stored and sent to the stack's subscribers and webhooks like any other status update; a repeat is the earlier one.
      const recorded = await stack.recordStatusUpdate({ target: 'open311-client', update: checked.value as StatusUpdate });
      return send(reply, format, 200, 'service_request_updates', 'request_update', [{ update_id: String(recorded.update?.id ?? '') }]);
    }
    throw new Open311Error(404, 'no such Open311 resource');
  });

  app.get('/open311/v2/:resource', getOne);
  app.get('/open311/v2/:collection/:id', getItem);
  app.post('/open311/v2/:resource', post);
  // One facade per council where a deployment serves several: the path names the council.
  app.get('/open311/:council/v2/:resource', getOne);
  app.get('/open311/:council/v2/:collection/:id', getItem);
  app.post('/open311/:council/v2/:resource', post);
}
