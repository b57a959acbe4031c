/**
 * A simulator of the GOV.UK Notify REST API v2 (as documented in alphagov/notifications-tech-docs):
 * JWT-signed requests checked like Notify checks them, templates with required personalisation,
 * stateful messages with Notify's statuses, the test-key failure simulators and smoke-test
 * recipients, the rate limit and daily limits, and a helper that posts delivery receipts to a
 * callback URL. The shared fault injection of every LGX simulator applies on top.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { reply, startRestSimulator, type RestRequest, type RestResponse, type RestSimulator } from '@lgx/testkit';

export type NotifyKeyType = 'test' | 'team' | 'live';
export type NotifyTemplateType = 'email' | 'sms' | 'letter';

/** A Notify template. Placeholders are written `((name))` in the subject and body. */
export interface NotifySimulatorTemplate {
  id: string;
  type: NotifyTemplateType;
  name: string;
  subject?: string;
  body: string;
  version?: number;
}

/** A message the simulator holds, in the shape GET /v2/notifications/{id} answers with. */
export interface NotifySimulatorMessage {
  id: string;
  reference: string | null;
  type: NotifyTemplateType;
  status: string;
  email_address?: string;
  phone_number?: string;
  line_1?: string | null;
  line_2?: string | null;
  line_3?: string | null;
  line_4?: string | null;
  line_5?: string | null;
  line_6?: string | null;
  line_7?: string | null;
  postage?: string;
  template: { id: string; version: number; uri: string };
  body: string;
  subject?: string;
  created_at: string;
  sent_at: string | null;
  completed_at: string | null;
  /** Not part of Notify's answer: which key type sent it, and the status it will end in. */
  keyType: NotifyKeyType;
  finalStatus: string;
  /** Not part of Notify's answer: order of creation. */
  seq: number;
}

export interface NotifySimulatorState {
  /** Messages by id, in the order they were created. */
  notifications: Map<string, NotifySimulatorMessage>;
  /** Message ids by reference, in the order they were created (the reference filter's index). */
  references: Map<string, string[]>;
  templates: Map<string, NotifySimulatorTemplate>;
  /** Send times per key type, for the rolling rate limit. */
  sends: Record<NotifyKeyType, number[]>;
  /** Messages sent today per type (live and team keys, and test keys too, as Notify counts them). */
  daily: { day: string; email: number; sms: number; letter: number };
  seq: number;
}

export interface GovukNotifySimulatorOptions {
  /** API keys the simulator accepts (default: one test key, {@link GOVUK_NOTIFY_TEST_API_KEY}). */
  apiKeys?: Array<{ key: string; type: NotifyKeyType }>;
  /** Templates (default: {@link DEFAULT_NOTIFY_TEMPLATES}, the ones the canonical fixtures use). */
  templates?: NotifySimulatorTemplate[];
  /** Reply-to e-mail address ids the service has (default: the one the canonical fixtures use). */
  emailReplyToIds?: string[];
  /** Text message sender ids the service has (default: the one the canonical fixtures use). */
  smsSenderIds?: string[];
  /** Recipients a team and guest list key may send to (e-mail addresses and phone numbers). */
  guestList?: string[];
  /** Messages per rolling minute per key type (default 3,000, as documented). */
  rateLimitPerMinute?: number;
  /** Daily limits per type (default 250,000 e-mails, 250,000 text messages, 20,000 letters). */
  dailyLimits?: Partial<Record<NotifyTemplateType, number>>;
  /**
   * How long a test-key message takes to reach its final status (default 0: the next read already
   * sees it). Messages sent with team or live keys stay `sending` (letters `accepted`) until
   * {@link setNotifyStatus} moves them.
   */
  deliveryDelayMs?: number;
  /** The simulator's clock (default Date.now). */
  now?: () => number;
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Folder to keep messages in (`govuk-notify.json`), so a restart still answers for them. Default: memory only. */
  stateDir?: string;
}

export type GovukNotifySimulator = RestSimulator<NotifySimulatorState> & {
  /** The base URL with the simulator's options, for helpers. */
  readonly options: Readonly<GovukNotifySimulatorOptions>;
};

/** The test API key the simulator accepts by default (`{key_name}-{service_id}-{secret_key}`). */
export const GOVUK_NOTIFY_SERVICE_ID = '3a1b7c2e-5d4f-4e8a-9b6c-0d1e2f3a4b5c';
export const GOVUK_NOTIFY_TEST_API_KEY = `lgx_sim_test-${GOVUK_NOTIFY_SERVICE_ID}-9f8e7d6c-5b4a-4392-8171-6f5e4d3c2b1a`;
export const GOVUK_NOTIFY_LIVE_API_KEY = `lgx_sim_live-${GOVUK_NOTIFY_SERVICE_ID}-1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6`;
export const GOVUK_NOTIFY_TEAM_API_KEY = `lgx_sim_team-${GOVUK_NOTIFY_SERVICE_ID}-7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d`;

/** Templates with the ids the canonical notification fixtures use. */
export const DEFAULT_NOTIFY_TEMPLATES: readonly NotifySimulatorTemplate[] = [
  {
    id: 'f33517ff-2a88-4f6e-b855-c550268ce08a',
    type: 'email',
    name: 'Parking permit application received',
    subject: 'Your parking permit application ((applicationRef))',
    body: 'Dear ((firstName))\n\nWe have your application for a zone ((permitZone)) permit.\n\nNext:\n\n((nextSteps))',
  },
  {
    id: 'ceb50d92-100d-4b8b-b559-14fa3b091cda',
    type: 'sms',
    name: 'Garden waste day moved',
    body: 'Your ((binColour)) bin will be collected on ((collectionDay)) this week.',
  },
  {
    id: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
    type: 'letter',
    name: 'Council tax reminder',
    subject: 'Council tax reminder for account ((accountRef))',
    body: 'You owe ((amountDue)). Please pay by ((dueDate)).',
  },
  {
    id: '6d9a7e2b-3c1f-4b8e-a5d4-0f2e1c3b4a59',
    type: 'letter',
    name: 'Notice to the occupier',
    subject: 'Notice to the occupier',
    body: 'This is a notice about your property.',
  },
];

const DEFAULT_REPLY_TO = ['8e222534-7f05-4972-86e3-17c5d9f894e2'];
const DEFAULT_SMS_SENDERS = ['c4d5e6f7-0a1b-4c2d-9e3f-4a5b6c7d8e9f'];

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
const POSTCODE = /^(GIR ?0AA|[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2})$/i;

/** Test-key failure simulators (documented under API keys, "Test"). */
const FAILURE_SIMULATORS: Readonly<Record<string, string>> = {
  '07700900003': 'temporary-failure',
  '07700900002': 'permanent-failure',
  'temp-fail@simulator.notify': 'temporary-failure',
  'perm-fail@simulator.notify': 'permanent-failure',
};

/** Smoke-test recipients: validated, answered, never stored (documented under Testing). */
const SMOKE_TEST = new Set([
  '07700900000',
  '07700900111',
  '07700900222',
  'simulate-delivered@notifications.service.gov.uk',
  'simulate-delivered-2@notifications.service.gov.uk',
  'simulate-delivered-3@notifications.service.gov.uk',
]);

const STATUSES = [
  'cancelled',
  'created',
  'sending',
  'sent',
  'delivered',
  'pending',
  'failed',
  'technical-failure',
  'temporary-failure',
  'permanent-failure',
  'pending-virus-check',
  'validation-failed',
  'virus-scan-failed',
  'returned-letter',
  'accepted',
  'received',
];
const FAILED = ['technical-failure', 'temporary-failure', 'permanent-failure', 'validation-failed', 'virus-scan-failed'];
const FINAL = new Set(['sent', 'delivered', 'received', 'cancelled', 'returned-letter', ...FAILED]);

/** Notify's error body: `{ status_code, errors: [{ error, message }] }`. */
export function notifyError(status: number, error: string, message: string): RestResponse {
  return reply(status, { status_code: status, errors: [{ error, message }] });
}

/** `2024-05-17 15:58:38.342838`, the way Notify writes times in message data. */
function dataTime(ms: number): string {
  return `${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}000`;
}

/** `2017-05-14T12:15:30.000000Z`, the way Notify writes times in callbacks. */
function callbackTime(value: string | null): string | null {
  return value === null ? null : `${value.replace(' ', 'T')}Z`;
}

/** A UK mobile number as 07..., an international one as digits; undefined when it is neither. */
export function normaliseNotifyPhone(raw: string): string | undefined {
  const compact = raw.replace(/[\s().-]/g, '');
  if (!/^\+?[0-9]{7,16}$/.test(compact)) return undefined;
  const uk = compact.replace(/^(\+44|0044|44)/, '0');
  if (/^07[0-9]{9}$/.test(uk)) return uk;
  if (compact.startsWith('+') || compact.startsWith('00')) return compact.replace(/^(\+|00)/, '');
  return undefined;
}

function placeholders(template: NotifySimulatorTemplate): string[] {
  const names = new Set<string>();
  for (const text of [template.subject ?? '', template.body])
    for (const m of text.matchAll(/\(\(([^()?]+)(\?\?[^()]*)?\)\)/g)) names.add(m[1]!.trim());
  return [...names];
}

function render(text: string, values: Record<string, unknown>): string {
  return text.replace(/\(\(([^()?]+)(\?\?[^()]*)?\)\)/g, (_all, name: string) => {
    const v = values[name.trim()];
    return Array.isArray(v) ? v.map((x) => `\n* ${String(x)}`).join('') : String(v ?? '');
  });
}

function verifyToken(
  header: string | undefined,
  keys: ReadonlyArray<{ key: string; type: NotifyKeyType }>,
  now: number,
): { type: NotifyKeyType } | RestResponse {
  if (!header) return notifyError(401, 'AuthError', 'Unauthorized: authentication token must be provided');
  const match = /^Bearer (.+)$/.exec(header);
  if (!match) return notifyError(401, 'AuthError', 'Unauthorized: authentication bearer scheme must be used');
  const parts = match[1]!.split('.');
  if (parts.length !== 3) return notifyError(403, 'AuthError', 'Invalid token: signature, api token is not valid');
  const [head, payload, signature] = parts as [string, string, string];
  let claims: { iss?: unknown; iat?: unknown };
  let alg: unknown;
  try {
    alg = (JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown }).alg;
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return notifyError(403, 'AuthError', 'Invalid token: signature, api token is not valid');
  }
  if (alg !== 'HS256' || typeof claims !== 'object' || claims === null)
    return notifyError(403, 'AuthError', 'Invalid token: signature, api token is not valid');
  if (typeof claims.iss !== 'string' || claims.iss === '') return notifyError(403, 'AuthError', 'Invalid token: iss field not provided');
  const candidates = keys.filter((k) => k.key.slice(-73, -37) === claims.iss);
  if (candidates.length === 0) return notifyError(403, 'AuthError', 'Invalid token: service not found');
  const given = Buffer.from(signature, 'base64url');
  const found = candidates.find((k) => {
    const expected = createHmac('sha256', k.key.slice(-36)).update(`${head}.${payload}`).digest();
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!found) return notifyError(403, 'AuthError', 'Invalid token: API key not found');
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat))
    return notifyError(403, 'AuthError', 'Invalid token: iat field not provided');
  if (Math.abs(now / 1000 - claims.iat) > 30)
    return notifyError(403, 'AuthError', 'Error: Your system clock must be accurate to within 30 seconds');
  return { type: found.type };
}

const SEND_FIELDS: Record<NotifyTemplateType, readonly string[]> = {
  email: [
    'email_address',
    'template_id',
    'personalisation',
    'reference',
    'email_reply_to_id',
    'one_click_unsubscribe_url',
    'sanitise_content_for',
    'scheduled_for',
  ],
  sms: ['phone_number', 'template_id', 'personalisation', 'reference', 'sms_sender_id', 'scheduled_for'],
  letter: ['template_id', 'personalisation', 'reference', 'postage', 'scheduled_for'],
};

/**
 * Starts the GOV.UK Notify simulator on 127.0.0.1. Point an adapter's `baseUrl` at `sim.url` and use
 * {@link GOVUK_NOTIFY_TEST_API_KEY} (or the keys you pass) as its API key.
 */
export async function startGovukNotifySimulator(options: GovukNotifySimulatorOptions = {}): Promise<GovukNotifySimulator> {
  const keys = options.apiKeys ?? [{ key: GOVUK_NOTIFY_TEST_API_KEY, type: 'test' as const }];
  const now = options.now ?? Date.now;
  const replyTo = new Set((options.emailReplyToIds ?? DEFAULT_REPLY_TO).map((s) => s.toLowerCase()));
  const senders = new Set((options.smsSenderIds ?? DEFAULT_SMS_SENDERS).map((s) => s.toLowerCase()));
  const guests = new Set((options.guestList ?? []).map((g) => normaliseNotifyPhone(g) ?? g.toLowerCase()));
  const perMinute = options.rateLimitPerMinute ?? 3000;
  const dailyLimits: Record<NotifyTemplateType, number> = { email: 250_000, sms: 250_000, letter: 20_000, ...options.dailyLimits };
  const keyTypes = new WeakMap<RestRequest, NotifyKeyType>();
  const createdAt = dataTime(now());

  const newState = (): NotifySimulatorState => ({
    notifications: new Map(),
    references: new Map(),
    templates: new Map((options.templates ?? DEFAULT_NOTIFY_TEMPLATES).map((t) => [t.id.toLowerCase(), { version: 1, ...t }])),
    sends: { test: [], team: [], live: [] },
    daily: { day: '', email: 0, sms: 0, letter: 0 },
    seq: 0,
  });

  /** Messages a read settled since the state was last saved. */
  let unsaved = false;
  /** Test-key messages reach their final status once the delivery delay has passed. */
  const settle = (message: NotifySimulatorMessage): NotifySimulatorMessage => {
    if (
      message.keyType === 'test' &&
      message.status !== message.finalStatus &&
      FINAL.has(message.finalStatus) &&
      now() - Date.parse(`${message.created_at.replace(' ', 'T')}Z`) >= (options.deliveryDelayMs ?? 0)
    ) {
      message.status = message.finalStatus;
      message.sent_at ??= dataTime(now());
      message.completed_at = dataTime(now());
      unsaved = true;
    }
    return message;
  };
  /** A read that settled a message saves it, so its times read the same after a restart. */
  const answerSettled = async (out: RestResponse): Promise<RestResponse> => {
    if (unsaved) {
      unsaved = false;
      await simulator.saveState();
    }
    return out;
  };

  const publicView = (m: NotifySimulatorMessage): Record<string, unknown> => {
    const { keyType: _k, finalStatus: _f, seq: _s, ...rest } = settle(m);
    return { ...rest, uri: `/v2/notifications/${m.id}`, is_cost_data_ready: false, cost_in_pounds: null, cost_details: {} };
  };

  const send =
    (type: NotifyTemplateType) =>
    (req: RestRequest, { state }: { state: NotifySimulatorState }): RestResponse => {
      const keyType = keyTypes.get(req) ?? 'test';
      const body = req.json;
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        return notifyError(400, 'ValidationError', 'Request body must be a JSON object');
      const b = body as Record<string, unknown>;
      const unexpected = Object.keys(b).filter((k) => !SEND_FIELDS[type].includes(k));
      if (unexpected.length)
        return notifyError(400, 'ValidationError', `Additional properties are not allowed (${unexpected.join(', ')} was unexpected)`);
      if (b.template_id === undefined) return notifyError(400, 'ValidationError', 'template_id is a required property');
      if (typeof b.template_id !== 'string' || !UUID.test(b.template_id))
        return notifyError(400, 'ValidationError', 'template_id is not a valid UUID');
      if (b.reference !== undefined && b.reference !== null && typeof b.reference !== 'string')
        return notifyError(400, 'ValidationError', 'reference is not of type string, null');
      if (typeof b.reference === 'string' && b.reference.length > 1000) return notifyError(400, 'ValidationError', 'reference is too long');
      if (
        b.personalisation !== undefined &&
        (typeof b.personalisation !== 'object' || b.personalisation === null || Array.isArray(b.personalisation))
      ) {
        return notifyError(
          400,
          'ValidationError',
          `personalisation ${Array.isArray(b.personalisation) ? 'array' : typeof b.personalisation} is not of type object`,
        );
      }
      const personalisation = Object.assign(
        Object.create(null) as Record<string, unknown>,
        (b.personalisation as Record<string, unknown> | undefined) ?? {},
      );

      let recipient: string;
      const record: Partial<NotifySimulatorMessage> = {};
      if (type === 'email') {
        if (b.email_address === undefined) return notifyError(400, 'ValidationError', 'email_address is a required property');
        if (typeof b.email_address !== 'string' || b.email_address.length > 320 || !EMAIL.test(b.email_address))
          return notifyError(400, 'ValidationError', 'email_address Not a valid email address');
        recipient = b.email_address.toLowerCase();
        record.email_address = b.email_address;
        if (b.email_reply_to_id !== undefined) {
          if (typeof b.email_reply_to_id !== 'string' || !UUID.test(b.email_reply_to_id))
            return notifyError(400, 'ValidationError', 'email_reply_to_id is not a valid UUID');
          if (!replyTo.has(b.email_reply_to_id.toLowerCase()))
            return notifyError(
              400,
              'BadRequestError',
              `email_reply_to_id ${b.email_reply_to_id} does not exist in database for service id ${GOVUK_NOTIFY_SERVICE_ID}`,
            );
        }
      } else if (type === 'sms') {
        if (b.phone_number === undefined) return notifyError(400, 'ValidationError', 'phone_number is a required property');
        const phone = typeof b.phone_number === 'string' ? normaliseNotifyPhone(b.phone_number) : undefined;
        if (!phone) return notifyError(400, 'ValidationError', 'phone_number Not a valid phone number');
        recipient = phone;
        record.phone_number = b.phone_number as string;
        if (b.sms_sender_id !== undefined) {
          if (typeof b.sms_sender_id !== 'string' || !UUID.test(b.sms_sender_id))
            return notifyError(400, 'ValidationError', 'sms_sender_id is not a valid UUID');
          if (!senders.has(b.sms_sender_id.toLowerCase()))
            return notifyError(
              400,
              'BadRequestError',
              `sms_sender_id ${b.sms_sender_id} does not exist in database for service id ${GOVUK_NOTIFY_SERVICE_ID}`,
            );
        }
      } else {
        if (keyType === 'team') return notifyError(403, 'BadRequestError', 'Cannot send letters with a team api key');
        const lines: string[] = [];
        for (let i = 1; i <= 7; i++) {
          const line = personalisation[`address_line_${i}`];
          if (line === undefined || line === null || line === '') continue;
          if (typeof line !== 'string')
            return notifyError(400, 'ValidationError', `personalisation address_line_${i} is not of type string`);
          lines.push(line.trim());
        }
        if (personalisation.address_line_1 === undefined)
          return notifyError(400, 'ValidationError', 'personalisation address_line_1 is a required property');
        if (lines.length < 3) return notifyError(400, 'ValidationError', 'Address must be at least 3 lines');
        if (!lines.slice(0, 2).every((l) => /[A-Za-z0-9]/.test(l)))
          return notifyError(400, 'ValidationError', 'The first 2 lines of the address must include alphanumeric characters');
        if (lines.some((l) => /^[@()=[\]"\\/,<>]/.test(l)))
          return notifyError(
            400,
            'ValidationError',
            'Address lines must not start with any of the following characters: @ ( ) = [ ] ” \\ / , < >',
          );
        const last = lines.at(-1)!;
        if (!POSTCODE.test(last) && !/^[A-Za-z][A-Za-z .'-]{2,}$/.test(last))
          return notifyError(400, 'ValidationError', 'Last line of address must be a real UK postcode or another country');
        for (let i = 1; i <= 7; i++) record[`line_${i}` as 'line_1'] = lines[i - 1] ?? null;
        record.postage = typeof b.postage === 'string' ? b.postage : 'second';
        if (b.postage !== undefined && !['first', 'second', 'economy'].includes(String(b.postage)))
          return notifyError(400, 'ValidationError', 'postage invalid. It must be either first, second or economy.');
        recipient = lines.join('\n');
      }

      const template = state.templates.get(b.template_id.toLowerCase());
      if (!template) return notifyError(400, 'BadRequestError', 'Template not found');
      if (template.type !== type)
        return notifyError(400, 'BadRequestError', `${template.type} template is not suitable for ${type} notification`);
      const missing = placeholders(template).filter((name) => personalisation[name] === undefined || personalisation[name] === null);
      if (missing.length) return notifyError(400, 'BadRequestError', `Missing personalisation: ${missing.join(', ')}`);
      if (keyType === 'team' && type !== 'letter' && !guests.has(recipient))
        return notifyError(400, 'BadRequestError', 'Can’t send to this recipient using a team-only API key');

      // The documented limits: messages per rolling minute per key type, then per day.
      const at = now();
      const recent = state.sends[keyType].filter((t) => at - t < 60_000);
      state.sends[keyType] = recent;
      if (recent.length >= perMinute)
        return notifyError(
          429,
          'RateLimitError',
          `Exceeded rate limit for key type ${keyType.toUpperCase()} of ${perMinute} requests per 60 seconds`,
        );
      const day = new Date(at).toISOString().slice(0, 10);
      if (state.daily.day !== day) state.daily = { day, email: 0, sms: 0, letter: 0 };
      if (state.daily[type] >= dailyLimits[type])
        return notifyError(429, 'TooManyRequestsError', `Exceeded send limits (${type}: ${dailyLimits[type]}) for today`);
      recent.push(at);
      state.daily[type]++;

      const id = randomUUID();
      const reference = typeof b.reference === 'string' ? b.reference : null;
      const version = template.version ?? 1;
      const templateRef = { id: template.id, version, uri: `${simulator.url}/v2/template/${template.id}/version/${version}` };
      const rendered = render(template.body, personalisation);
      const subject = template.subject === undefined ? undefined : render(template.subject, personalisation);
      const content =
        type === 'email'
          ? { subject, body: rendered, from_email: 'lgx.simulator@notifications.service.gov.uk' }
          : type === 'sms'
            ? { body: rendered, from_number: 'GOVUK' }
            : { subject, body: rendered };
      const answer = {
        id,
        reference,
        content,
        uri: `${simulator.url}/v2/notifications/${id}`,
        template: templateRef,
        ...(type === 'letter' ? { scheduled_for: null } : {}),
      };
      // Smoke-test recipients are validated and answered, but nothing is kept.
      if (SMOKE_TEST.has(recipient)) return reply(201, answer);

      const finalStatus =
        keyType === 'test'
          ? (FAILURE_SIMULATORS[recipient] ?? (type === 'letter' ? 'received' : 'delivered'))
          : type === 'letter'
            ? 'accepted'
            : 'sending';
      const message: NotifySimulatorMessage = {
        id,
        reference,
        type,
        status: type === 'letter' ? 'accepted' : 'created',
        ...record,
        template: templateRef,
        body: rendered,
        ...(subject !== undefined && type === 'email' ? { subject } : {}),
        created_at: dataTime(at),
        sent_at: null,
        completed_at: null,
        keyType,
        finalStatus,
        seq: ++state.seq,
      };
      if (keyType !== 'test' && type !== 'letter') {
        message.status = 'sending';
        message.sent_at = dataTime(at);
      }
      state.notifications.set(id, message);
      if (reference !== null) state.references.set(reference, [...(state.references.get(reference) ?? []), id]);
      return reply(201, answer);
    };

  const simulator = (await startRestSimulator<NotifySimulatorState>({
    name: 'govuk-notify',
    state: newState,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    auth: (req) => {
      const verdict = verifyToken(req.headers.authorization, keys, now());
      if ('status' in verdict) return verdict;
      keyTypes.set(req, verdict.type);
      return true;
    },
    routes: [
      { method: 'POST', path: '/v2/notifications/email', handler: send('email') },
      { method: 'POST', path: '/v2/notifications/sms', handler: send('sms') },
      { method: 'POST', path: '/v2/notifications/letter', handler: send('letter') },
      {
        method: 'GET',
        path: '/v2/notifications/:id',
        handler: (req, { state }) => {
          const id = req.params.id ?? '';
          if (!UUID.test(id)) return notifyError(400, 'ValidationError', 'notification_id is not a valid UUID');
          const found = state.notifications.get(id.toLowerCase());
          return found ? answerSettled(reply(200, publicView(found))) : notifyError(404, 'NoResultFound', 'No result found');
        },
      },
      {
        method: 'GET',
        path: '/v2/notifications',
        handler: (req, { state }) => {
          const one = (name: string): string | undefined => {
            const v = req.query[name];
            return Array.isArray(v) ? v[0] : v;
          };
          const all = (name: string): string[] => {
            const v = req.query[name];
            return v === undefined ? [] : Array.isArray(v) ? v : [v];
          };
          const templateType = one('template_type');
          if (templateType !== undefined && !['sms', 'email', 'letter'].includes(templateType))
            return notifyError(400, 'ValidationError', `${templateType} is not one of [sms, email, letter]`);
          const statuses = all('status');
          const bad = statuses.find((s) => !STATUSES.includes(s));
          if (bad !== undefined) return notifyError(400, 'ValidationError', `status ${bad} is not one of [${STATUSES.join(', ')}]`);
          const wanted = new Set(statuses.flatMap((s) => (s === 'failed' ? FAILED : [s])));
          const reference = one('reference');
          const olderThan = one('older_than');
          if (olderThan !== undefined && !UUID.test(olderThan))
            return notifyError(400, 'ValidationError', 'older_than is not a valid UUID');
          // Newest first; a reference look-up reads only its own messages.
          const from =
            reference === undefined
              ? [...state.notifications.values()]
              : (state.references.get(reference) ?? []).map((id) => state.notifications.get(id)!);
          let list = from.reverse();
          if (olderThan !== undefined) {
            const pivot = state.notifications.get(olderThan.toLowerCase());
            list = pivot ? list.filter((m) => m.seq < pivot.seq) : [];
          }
          list = list.filter(
            (m) => (templateType === undefined || m.type === templateType) && (wanted.size === 0 || wanted.has(settle(m).status)),
          );
          const page = list.slice(0, 250);
          const params = new URLSearchParams();
          for (const [k, v] of Object.entries(req.query))
            for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v]) if (k !== 'older_than') params.append(k, x);
          const current = `${simulator.url}/v2/notifications${params.size ? `?${params}` : ''}`;
          const last = page.at(-1);
          if (last) params.set('older_than', last.id);
          return answerSettled(
            reply(200, {
              notifications: page.map(publicView),
              links: { current, ...(last && list.length > page.length ? { next: `${simulator.url}/v2/notifications?${params}` } : {}) },
            }),
          );
        },
      },
      {
        method: 'GET',
        path: '/v2/template/:id',
        handler: (req, { state }) => {
          const id = req.params.id ?? '';
          if (!UUID.test(id)) return notifyError(400, 'ValidationError', 'template_id is not a valid UUID');
          const t = state.templates.get(id.toLowerCase());
          if (!t) return notifyError(404, 'NoResultFound', 'No result found');
          return reply(200, {
            id: t.id,
            name: t.name,
            type: t.type,
            created_at: createdAt,
            updated_at: createdAt,
            version: t.version ?? 1,
            created_by: 'simulator@notifications.service.gov.uk',
            body: t.body,
            ...(t.type === 'sms' ? {} : { subject: t.subject ?? '' }),
            ...(t.type === 'letter' ? { letter_contact_block: null } : {}),
          });
        },
      },
    ],
  })) as GovukNotifySimulator;
  Object.defineProperty(simulator, 'options', { value: Object.freeze({ ...options }), enumerable: true });
  return simulator;
}

/** Moves a message to `status`, as the provider's delivery report would (sets sent_at / completed_at). */
export function setNotifyStatus(sim: GovukNotifySimulator, id: string, status: string): NotifySimulatorMessage {
  const message = sim.state.notifications.get(id);
  if (!message) throw new Error(`no notification ${id}`);
  const at = dataTime((sim.options.now ?? Date.now)());
  message.status = status;
  message.finalStatus = status;
  if (status !== 'created' && status !== 'accepted') message.sent_at ??= at;
  message.completed_at = FINAL.has(status) ? at : null;
  void sim.saveState();
  return message;
}

/** The delivery receipt Notify would post for a message, as documented under Callbacks. */
export function notifyDeliveryReceipt(sim: GovukNotifySimulator, id: string): Record<string, unknown> {
  const message = sim.state.notifications.get(id);
  if (!message) throw new Error(`no notification ${id}`);
  return {
    id: message.id,
    reference: message.reference,
    to: message.email_address ?? message.phone_number ?? message.line_1 ?? '',
    status: message.status,
    created_at: callbackTime(message.created_at),
    completed_at: callbackTime(message.completed_at),
    sent_at: callbackTime(message.sent_at),
    notification_type: message.type,
    template_id: message.template.id,
    template_version: message.template.version,
  };
}

/**
 * Posts a message's delivery receipt to a callback URL with `Authorization: Bearer <token>`, as
 * Notify does, and returns the HTTP status the receiver answered with.
 */
export async function sendNotifyCallback(
  sim: GovukNotifySimulator,
  id: string,
  target: { url: string; bearerToken: string; timeoutMs?: number },
): Promise<number> {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${target.bearerToken}` },
    body: JSON.stringify(notifyDeliveryReceipt(sim, id)),
    signal: AbortSignal.timeout(target.timeoutMs ?? 10_000),
  });
  await response.arrayBuffer();
  return response.status;
}
