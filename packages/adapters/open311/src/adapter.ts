import {
  assertValidData,
  defineAdapter,
  NotFoundError,
  RetryableError,
  UnsupportedError,
  type Receipt,
  type StatusUpdate,
} from '@lgx/core';
import type { AuthStrategy } from '@lgx/core/http';
import { configSchema, type Open311Config } from './config';
import { canonicalStatus, missedCollectionForm, streetReportForm, updateToStatus, type FormOptions } from './mapping';
import { Open311Api, open311ErrorCode } from './open311-api';
import { readCursor, w3c, writeCursor } from './poll-cursor';

/** Tokens waiting for a service_request_id, per idempotency key (bounded: the oldest go first). */
const MAX_PENDING_TOKENS = 10_000;

/** An Open311 date-time as RFC 3339; a server's looser form is re-written in UTC, a missing one is `fallback`. */
function instant(value: string | undefined, fallback: Date): string {
  if (value !== undefined) {
    if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$/.test(value)) return value;
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  return fallback.toISOString();
}

/**
 * The Open311 adapter: an outbound GeoReport v2 client, with the mySociety extensions, for back
 * offices (or middleware such as mySociety's open311-adapter) that speak Open311.
 */
export const adapter = defineAdapter({
  manifest: {
    id: 'open311',
    vendor: 'Open311 (open standard)',
    product: 'GeoReport v2 server',
    version: '0.1.0',
    sdk: '^1.0.0',
    domains: ['street', 'highways', 'waste'],
    description:
      'Street reports and missed bin collections sent to any Open311 GeoReport v2 server (XML or JSON, tokens), with status by GET requests and mySociety servicerequestupdates.',
    homepage: 'https://wiki.open311.org/GeoReport_v2',
    specification: {
      name: 'Open311 GeoReport v2 with the mySociety extensions',
      version: 'v2 (frozen) + mySociety servicerequestupdates',
      url: 'https://wiki.open311.org/GeoReport_v2',
    },
  },
  configSchema,
  capabilities: [
    { type: 'street.report', versions: [1], operations: ['submit', 'getStatus', 'pollUpdates'], idempotency: 'key' },
    { type: 'waste.missedCollection', versions: [1], operations: ['submit', 'getStatus', 'pollUpdates'], idempotency: 'key' },
  ],
  create(context, config: Open311Config) {
    // The api_key travels in bodies and queries, not headers; this strategy adds nothing but lets the
    // transport scrub the key from what it reports.
    const auth: AuthStrategy = { kind: 'open311-api-key', apply: async () => undefined, secrets: () => [config.apiKey] };
    const http = context.http({ baseUrl: config.baseUrl, timeoutMs: config.timeoutMs ?? 15_000, vendorCode: open311ErrorCode, auth });
    const api = new Open311Api(http, { format: config.format ?? 'xml', jurisdictionId: config.jurisdictionId, apiKey: config.apiKey });
    const serviceTable = context.mappings.service ?? {};
    const configCodes = config.serviceCodes ?? {};
    const statusTable: Record<string, string> = Object.assign(
      Object.create(null) as Record<string, string>,
      config.statusMap,
      context.mappings.status,
    );
    const pendingTokens = new Map<string, string>();
    const lookbackMs = (config.updatesLookbackMinutes ?? 60) * 60_000;

    const serviceCode = (keys: string[], fallback: string): string => {
      for (const key of keys) {
        const code =
          (Object.hasOwn(serviceTable, key) ? serviceTable[key] : undefined) ??
          (Object.hasOwn(configCodes, key) ? configCodes[key] : undefined);
        if (code !== undefined) return code;
      }
      return fallback;
    };

    const receiptFor = (serviceRequestId: string, extra: { serviceNotice?: string; accountId?: string } = {}): Receipt => {
      const attributes: Record<string, string> = {};
      if (extra.serviceNotice) attributes.serviceNotice = extra.serviceNotice.slice(0, 1000);
      if (extra.accountId) attributes.accountId = extra.accountId.slice(0, 1000);
      return {
        externalRef: serviceRequestId,
        status: 'open',
        acceptedAt: context.clock.now().toISOString(),
        ...(Object.keys(attributes).length ? { attributes } : {}),
      };
    };

    /** One look at a token: the receipt once it has a service_request_id, else a retryable "not yet". */
    const followToken = async (key: string, token: string, signal: AbortSignal): Promise<Receipt> => {
      const id = await api.resolveToken(token, signal).catch((error: unknown) => {
        // The server may not know a token until it has processed it: still pending, not gone.
        if (error instanceof NotFoundError) return undefined;
        throw error;
      });
      if (id === undefined) {
        throw new RetryableError(
          `the Open311 server has not yet turned token ${token.slice(0, 64)} into a service_request_id; try again later`,
          { details: { token: token.slice(0, 128) } },
        );
      }
      pendingTokens.delete(key);
      context.logger.info('service request created', { externalRef: id, via: 'token' });
      return receiptFor(id);
    };

    return {
      async check({ signal }) {
        const started = Date.now();
        try {
          const services = await api.services(signal);
          return { ok: true, latencyMs: Date.now() - started, details: { services: services.length } };
        } catch (error) {
          return { ok: false, message: (error as Error).message };
        }
      },

      async submit(tx, { signal }) {
        // Validate first: nothing invalid ever reaches the server.
        const key = tx.idempotencykey ?? tx.id;
        const options: FormOptions = {
          serviceCode,
          idempotencyAttribute: config.idempotencyAttribute ?? 'lgx_idempotency_key',
          idempotencyKey: key,
          sendAddressId: config.sendAddressId ?? true,
          mediaUrls: config.mediaUrls ?? 'first',
        };
        const type: string = tx.type;
        if (type !== 'street.report' && type !== 'waste.missedCollection')
          throw new UnsupportedError(`the open311 adapter does not submit ${type.slice(0, 100)}`);
        const built =
          tx.type === 'street.report'
            ? streetReportForm(assertValidData('street.report', tx.data), options)
            : missedCollectionForm(assertValidData('waste.missedCollection', tx.data), options);

        // A repeat of a submit that got a token: ask about the token rather than post again.
        const token = pendingTokens.get(key);
        if (token !== undefined) return followToken(key, token, signal);

        if (built.skippedMedia > 0)
          context.logger.warn('inline attachments not sent: Open311 media_url takes URLs only', {
            transaction: tx.id,
            skipped: built.skippedMedia,
          });
        const created = await api.postRequest(built.form, signal);
        if (created.serviceRequestId !== undefined) {
          context.logger.info('service request created', { type: tx.type, externalRef: created.serviceRequestId, transaction: tx.id });
          return receiptFor(created.serviceRequestId, created);
        }
        if (pendingTokens.size >= MAX_PENDING_TOKENS) pendingTokens.delete(pendingTokens.keys().next().value!);
        pendingTokens.set(key, created.token!);
        context.logger.info('service request accepted with a token', { type: tx.type, transaction: tx.id });
        return followToken(key, created.token!, signal);
      },

      async getStatus(externalRef, { signal }): Promise<StatusUpdate> {
        const request = await api.request(externalRef, signal);
        if (!request) throw new NotFoundError(`the Open311 server has no service request ${externalRef.slice(0, 128)}`);
        return {
          externalRef,
          status: canonicalStatus(request.status, request.externalStatusCode, statusTable),
          externalStatusCode: (request.externalStatusCode ?? request.status).slice(0, 100),
          updatedAt: instant(request.updatedAt ?? request.requestedAt, context.clock.now()),
          source: 'open311',
          ...(request.statusNotes !== undefined ? { description: request.statusNotes.slice(0, 4000) } : {}),
        };
      },

      async pollUpdates(cursor, { signal }) {
        let position = readCursor(cursor);
        if (!position) {
          context.logger.warn('unreadable pollUpdates cursor: starting again from the look-back window');
          position = { ids: [] };
        }
        const now = context.clock.now().getTime();
        const since = position.t !== undefined ? Date.parse(position.t) : now - lookbackMs;
        const start = position.t ?? w3c(since);
        // Rounded up: a server that stamps milliseconds must not have this second's updates cut off.
        const end = w3c(Math.max(now, since), 'up');
        const seen = new Set(position.ids);
        const { updates: fetched, skipped } = await api.updates(start, end, signal);
        if (skipped > 0)
          context.logger.warn('servicerequestupdates: skipped updates without a usable service_request_id or updated_datetime', {
            skipped,
          });
        const fresh = fetched
          .map((u) => ({ u, at: Date.parse(u.updatedAt), id: u.updateId ?? `${u.serviceRequestId}@${u.updatedAt}` }))
          .filter((x) => !Number.isNaN(x.at) && x.at >= since && !(x.at === since && seen.has(x.id)))
          .sort((a, b) => a.at - b.at);

        let t = position.t;
        let tMs = since;
        let ids = position.t !== undefined ? [...position.ids] : [];
        for (const x of fresh) {
          if (x.at > tMs || t === undefined) {
            t = x.u.updatedAt;
            tMs = x.at;
            ids = [];
          }
          ids.push(x.id);
        }
        // `unchanged` is a comment without a change of status: there is no status to report.
        const updates = fresh
          .filter((x) => x.u.status.toLowerCase() !== 'unchanged')
          .map((x) => updateToStatus({ ...x.u, updatedAt: instant(x.u.updatedAt, new Date(x.at)) }, statusTable));
        context.logger.debug('servicerequestupdates polled', { received: fetched.length, new: updates.length });
        return { updates, cursor: writeCursor({ ...(t !== undefined ? { t } : { t: start }), ids }) };
      },
    };
  },
});

export default adapter;
