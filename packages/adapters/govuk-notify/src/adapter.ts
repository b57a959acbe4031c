import {
  assertValidData,
  defineAdapter,
  NotFoundError,
  RateLimitedError,
  RetryableError,
  type Receipt,
  type StatusUpdate,
} from '@lgx/core';
import { jwtAuth } from '@lgx/core/http';
import { readCallback } from './callback';
import { configSchema, DEFAULT_BASE_URL, splitApiKey, type GovukNotifyConfig } from './config';
import {
  FINAL_STATUSES,
  notifyReference,
  toIsoTime,
  toSendRequest,
  toStatusUpdate,
  type NotifyMessage,
  type NotifySendResponse,
} from './mapping';
import { decodeCursor, encodeCursor, MAX_OPEN, type OpenMessage, type PollState } from './poll-cursor';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Notify's page size for GET /v2/notifications. */
const PAGE_SIZE = 250;

/** Notify's error type (`errors[0].error`, e.g. `ValidationError`, `RateLimitError`), kept as the vendor code. */
function notifyErrorType(body: unknown): string | undefined {
  const errors = (body as { errors?: unknown } | null)?.errors;
  const first = Array.isArray(errors) ? (errors[0] as { error?: unknown } | undefined) : undefined;
  return typeof first?.error === 'string' && /^[A-Za-z]{1,60}$/.test(first.error) ? first.error : undefined;
}

/** Milliseconds to the next midnight UTC, when Notify's daily limits reset. */
function untilMidnightUtc(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return next - now.getTime();
}

/** A message with what every update needs: a notification id and a status. */
function isMessage(value: unknown): value is NotifyMessage {
  const m = value as Partial<NotifyMessage> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.id === 'string' &&
    UUID.test(m.id) &&
    typeof m.status === 'string' &&
    /^[a-z][a-z-]{0,39}$/.test(m.status)
  );
}

function createdAtMs(message: NotifyMessage): number {
  const iso = toIsoTime(message.created_at);
  return iso ? Date.parse(iso) : 0;
}

/**
 * The GOV.UK Notify adapter: e-mails, text messages and letters from templates, their delivery
 * status by polling, and delivery receipts pushed by Notify's callbacks.
 */
export const adapter = defineAdapter({
  manifest: {
    id: 'govuk-notify',
    vendor: 'Government Digital Service',
    product: 'GOV.UK Notify',
    version: '0.1.0',
    sdk: '^1.0.0',
    domains: ['notifications'],
    description:
      'Sends canonical notifications by e-mail, text message or letter through GOV.UK Notify, and reports their delivery status by polling and by callback.',
    homepage: 'https://docs.notifications.service.gov.uk/rest-api.html',
    specification: {
      name: 'GOV.UK Notify REST API v2 (alphagov/notifications-tech-docs)',
      version: '728dd6b (2026-06-23)',
      url: 'https://docs.notifications.service.gov.uk/rest-api.html',
    },
  },
  configSchema,
  capabilities: [
    { type: 'notification', versions: [1], operations: ['submit', 'getStatus', 'pollUpdates', 'handleCallback'], idempotency: 'lookup' },
  ],
  create(context, config: GovukNotifyConfig) {
    const { serviceId, secret } = splitApiKey(config.apiKey);
    const http = context.http({
      baseUrl: config.baseUrl ?? DEFAULT_BASE_URL,
      timeoutMs: config.timeoutMs ?? 15_000,
      // A fresh token per request: Notify refuses one issued more than 30 seconds ago.
      auth: jwtAuth({ issuer: serviceId, secret, now: () => context.clock.now().getTime() }),
      vendorCode: notifyErrorType,
    });
    const maxPages = config.pollMaxPages ?? 20;

    /** Runs a call, giving a daily-limit 429 (TooManyRequestsError, no Retry-After) the wait until the reset. */
    const call = async <T>(fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (error) {
        if (error instanceof RateLimitedError && error.retryAfterMs === undefined && error.vendorCode === 'TooManyRequestsError') {
          throw new RateLimitedError(error.message, {
            vendorCode: error.vendorCode,
            ...(error.status !== undefined ? { status: error.status } : {}),
            retryAfterMs: untilMidnightUtc(context.clock.now()),
            cause: error,
          });
        }
        throw error;
      }
    };

    const listPage = (olderThan: string | undefined, signal: AbortSignal, filter: { reference?: string; templateType?: string } = {}) =>
      call(() =>
        http.get<{ notifications?: NotifyMessage[] }>('/v2/notifications', {
          query: { template_type: filter.templateType ?? config.templateType, reference: filter.reference, older_than: olderThan },
          signal,
        }),
      ).then((r) => (Array.isArray(r.data?.notifications) ? r.data.notifications : []));

    return {
      async check({ signal }) {
        const started = Date.now();
        try {
          // A look-up by a reference no message carries proves the key signs valid tokens; it sends
          // nothing, costs nothing and reads no one's details.
          await http.get('/v2/notifications', { query: { reference: 'lgx-health-check' }, signal });
          return { ok: true, latencyMs: Date.now() - started };
        } catch (error) {
          return { ok: false, message: (error as Error).message };
        }
      },

      async submit(tx, { signal }) {
        const data = assertValidData('notification', tx.data);
        const reference = notifyReference(data, tx.idempotencykey);
        // Notify takes no idempotency key: look for a message already sent with this reference
        // (within Notify's retention period) before sending another.
        const earlier = (await listPage(undefined, signal, { reference, templateType: data.channel })).find(
          (m) => m?.reference === reference && isMessage(m),
        );
        if (earlier) {
          context.logger.info('notification already sent, not sending again', {
            channel: data.channel,
            externalRef: earlier.id,
            transaction: tx.id,
          });
          return {
            externalRef: earlier.id,
            status: toStatusUpdate(earlier, context.clock.now()).status,
            externalStatusCode: earlier.status,
          };
        }
        const { path, body } = toSendRequest(data, reference);
        const response = await call(() => http.post<NotifySendResponse>(path, { json: body, signal }));
        const id = response.data?.id;
        // Retrying is safe: the next attempt looks for the message by its reference first.
        if (typeof id !== 'string' || !UUID.test(id))
          throw new RetryableError('Notify answered the send without a notification id', { status: response.status });
        context.logger.info('notification sent', { channel: data.channel, externalRef: id, transaction: tx.id });
        // Notify's answer carries no status; e-mails and text messages start as `created`.
        const receipt: Receipt = {
          externalRef: id,
          status: 'open',
          ...(data.channel === 'letter' ? {} : { externalStatusCode: 'created' }),
          acceptedAt: context.clock.now().toISOString(),
        };
        return receipt;
      },

      async getStatus(externalRef, { signal }) {
        // Not a notification id: Notify would only answer 400, so say plainly that no such message exists.
        if (!UUID.test(externalRef)) throw new NotFoundError('not a GOV.UK Notify notification id');
        const response = await call(() => http.get<unknown>(`/v2/notifications/${encodeURIComponent(externalRef)}`, { signal }));
        if (!isMessage(response.data))
          throw new RetryableError('Notify answered GET /v2/notifications/{id} without a notification id and status', {
            status: response.status,
          });
        return toStatusUpdate({ ...response.data, id: externalRef }, context.clock.now());
      },

      async pollUpdates(cursor, { signal }) {
        let state: PollState = { open: new Map() };
        if (cursor !== undefined && cursor !== '') {
          const decoded = decodeCursor(cursor);
          if (decoded) state = decoded;
          else context.logger.warn('pollUpdates cursor not recognised; starting again from the newest messages');
        }
        const now = context.clock.now();
        const unseen = new Map(state.open);
        const open = new Map<string, OpenMessage>();
        const found: StatusUpdate[] = [];
        let top: PollState['top'];
        let pastTop = false;
        let complete = false;
        let olderThan: string | undefined;
        for (let page = 0; page < maxPages && !complete; page++) {
          const messages = await listPage(olderThan, signal);
          for (const message of messages) {
            if (!isMessage(message)) continue;
            const createdAt = createdAtMs(message);
            top ??= { id: message.id, createdAt };
            if (state.top && (message.id === state.top.id || createdAt < state.top.createdAt)) pastTop = true;
            const isNew = state.top === undefined || !pastTop;
            const known = unseen.get(message.id);
            unseen.delete(message.id);
            if (isNew || (known && known.status !== message.status)) found.push(toStatusUpdate(message, now));
            if ((isNew || known) && !FINAL_STATUSES.has(message.status)) open.set(message.id, { status: message.status, createdAt });
          }
          olderThan = messages.at(-1)?.id;
          const oldestUnseen = Math.min(...[...unseen.values()].map((m) => m.createdAt));
          const last = messages.at(-1);
          if (messages.length < PAGE_SIZE || !olderThan) complete = true;
          else if (pastTop && (unseen.size === 0 || (last !== undefined && createdAtMs(last) < oldestUnseen))) complete = true;
        }
        if (!complete) {
          context.logger.warn('pollUpdates stopped at its page limit; older changes come through getStatus or callbacks', {
            pages: maxPages,
          });
          // Messages not reached this time stay open, to be looked at next time.
          for (const [id, m] of unseen) open.set(id, m);
        }
        if (open.size > MAX_OPEN) {
          const newest = [...open].sort((a, b) => b[1].createdAt - a[1].createdAt).slice(0, MAX_OPEN);
          context.logger.warn('pollUpdates is tracking too many undelivered messages; forgetting the oldest', {
            dropped: open.size - MAX_OPEN,
          });
          open.clear();
          for (const [id, m] of newest) open.set(id, m);
        }
        const next: PollState = { open, ...((top ?? state.top) ? { top: top ?? state.top } : {}) };
        // Oldest first, as they happened.
        return { updates: found.reverse(), cursor: encodeCursor(next) };
      },

      async handleCallback(request) {
        const message = readCallback(request, config.callbackBearerToken);
        if (!message) {
          context.logger.info('callback with a received text message: nothing to report');
          return { status: 200, updates: [] };
        }
        const update = toStatusUpdate(message, context.clock.now());
        context.logger.info('delivery receipt', { externalRef: update.externalRef, status: message.status });
        return { status: 200, updates: [update] };
      },
    };
  },
});

export default adapter;
