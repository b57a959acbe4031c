import type { CaseStatus, Notification, StatusUpdate, StatusUpdateV1NotificationDetail } from '@lgx/core';

export type NotifyChannel = Notification['channel'];
type DetailStatus = StatusUpdateV1NotificationDetail['status'];

/** A message as Notify's GET /v2/notifications(/{id}) returns it; only the fields the adapter reads. */
export interface NotifyMessage {
  id: string;
  reference?: string | null;
  type?: string;
  status: string;
  created_at?: string | null;
  sent_at?: string | null;
  completed_at?: string | null;
}

/** Notify's answer to a send (POST /v2/notifications/{type}). */
export interface NotifySendResponse {
  id: string;
  reference?: string | null;
}

/**
 * Notify status -> canonical status. Every failure is final for the message (Notify does not try
 * again; the council may send a new one), so they all end as no_further_action, with Notify's own
 * status kept beside it in `externalStatusCode` and `notification.status`.
 */
export const STATUS_MAP: Readonly<Record<string, CaseStatus>> = {
  created: 'open',
  sending: 'in_progress',
  pending: 'in_progress',
  accepted: 'in_progress',
  'pending-virus-check': 'in_progress',
  sent: 'closed',
  delivered: 'closed',
  received: 'closed',
  'permanent-failure': 'no_further_action',
  'temporary-failure': 'no_further_action',
  'technical-failure': 'no_further_action',
  'validation-failed': 'no_further_action',
  'virus-scan-failed': 'no_further_action',
  'returned-letter': 'no_further_action',
  cancelled: 'cancelled',
};

/** Statuses after which Notify reports nothing more about a message. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set([
  'sent',
  'delivered',
  'received',
  'permanent-failure',
  'temporary-failure',
  'technical-failure',
  'validation-failed',
  'virus-scan-failed',
  'returned-letter',
  'cancelled',
]);

/** The statuses the canonical notification detail spells out (statusUpdate v1). */
const DETAIL_STATUSES: ReadonlySet<string> = new Set<DetailStatus>([
  'created',
  'sending',
  'pending',
  'sent',
  'delivered',
  'permanent-failure',
  'temporary-failure',
  'technical-failure',
  'accepted',
  'received',
  'cancelled',
  'validation-failed',
  'virus-scan-failed',
  'pending-virus-check',
]);

const NOTIFY_TIME = /^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2}:[0-9]{2})(\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})?$/;

/**
 * Notify writes times as `2024-05-17 15:58:38.342838` (UTC, no zone) in message data and
 * `2017-05-14T12:15:30.000000Z` in callbacks; canonical times are RFC 3339 with a zone.
 * Undefined when the value is missing or not a time.
 */
export function toIsoTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = NOTIFY_TIME.exec(value.trim());
  if (!m) return undefined;
  const fraction = m[3] ? m[3].slice(0, 4).padEnd(4, '0') : '';
  const zone = m[4] === undefined ? 'Z' : m[4] === 'Z' ? 'Z' : m[4].includes(':') ? m[4] : `${m[4].slice(0, 3)}:${m[4].slice(3)}`;
  const iso = `${m[1]}T${m[2]}${fraction}${zone}`;
  return Number.isNaN(Date.parse(iso)) ? undefined : iso;
}

/** The JSON body of a send request. The Notify reference carries the idempotency key (see README). */
export function toSendRequest(data: Notification, reference: string): { path: string; body: Record<string, unknown> } {
  const personalisation: Record<string, unknown> = { ...(data.personalisation ?? {}) };
  const body: Record<string, unknown> = { template_id: data.templateId, reference };
  if (data.channel === 'email') {
    body.email_address = data.emailAddress;
    if (data.emailReplyToId !== undefined) body.email_reply_to_id = data.emailReplyToId;
  } else if (data.channel === 'sms') {
    body.phone_number = data.phoneNumber;
    if (data.smsSenderId !== undefined) body.sms_sender_id = data.smsSenderId;
  } else {
    // Letters take the address as address_line_1..7 personalisation. The address is addressLines
    // alone: same-named personalisation keys (and the retired `postcode`) are dropped, so a stray
    // address_line_6 cannot become the letter's last line.
    for (const name of Object.keys(personalisation))
      if (/^address_line_[1-7]$/.test(name) || name === 'postcode') delete personalisation[name];
    for (const [i, line] of (data.addressLines ?? []).entries()) personalisation[`address_line_${i + 1}`] = line;
  }
  if (Object.keys(personalisation).length > 0) body.personalisation = personalisation;
  return { path: `/v2/notifications/${data.channel}`, body };
}

/**
 * The reference sent to Notify: the idempotency key, after the council's own reference when it
 * gave one, so that one message can be found again (look-before-create) and the council's reference
 * still shows on the Notify dashboard.
 */
export function notifyReference(data: Notification, idempotencyKey: string): string {
  return data.reference ? `${data.reference} [${idempotencyKey}]` : idempotencyKey;
}

/** A canonical status update for one Notify message, never with recipient details. */
export function toStatusUpdate(message: NotifyMessage, now: Date, source = 'govuk-notify'): StatusUpdate {
  const status = STATUS_MAP[message.status] ?? 'in_progress';
  const completedAt = toIsoTime(message.completed_at);
  const updatedAt = completedAt ?? toIsoTime(message.sent_at) ?? toIsoTime(message.created_at) ?? now.toISOString();
  const update: StatusUpdate = {
    externalRef: message.id,
    updateId: `${message.id}:${message.status}`.slice(0, 128),
    status,
    externalStatusCode: message.status.slice(0, 100),
    updatedAt,
    source,
  };
  if (DETAIL_STATUSES.has(message.status)) {
    update.notification = {
      status: message.status as DetailStatus,
      ...(completedAt && FINAL_STATUSES.has(message.status) ? { completedAt } : {}),
    };
  }
  return update;
}
