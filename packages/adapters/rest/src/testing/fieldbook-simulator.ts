/**
 * A simulator of the Fieldbook Requests API v2, the FICTIONAL REST system of the declarative REST
 * adapter's worked example, answering as its OpenAPI document (`FIELDBOOK_OPENAPI`, served at
 * `/v2/openapi.json`) says: an OAuth 2.0 client-credentials token endpoint (tokens expire, and can be
 * expired at once), or a static Bearer token, Basic, or an API key in a header or the query string;
 * requests created with Idempotency-Key honoured and found by clientReference; the change feed;
 * and the system's quirks a council's error rules must catch (a 200 refusal, maintenance answered
 * 503 with the delay in the body, 423 while an officer edits a record). Requests, changes and tokens
 * are kept in memory; the testkit's fault injection applies.
 */
import { createHash, randomBytes } from 'node:crypto';
import { reply, startRestSimulator, type RestRequest, type RestResponse, type RestSimulator } from '@lgx/testkit';
import type { FIELDBOOK_STATES } from './fieldbook-openapi';
import { FIELDBOOK_CATEGORIES, FIELDBOOK_OPENAPI, FIELDBOOK_SERVICES } from './fieldbook-openapi';

export const FIELDBOOK_CLIENT_ID = 'lgx-council';
export const FIELDBOOK_CLIENT_SECRET = 'fieldbook-client-secret-0000000000000000';
export const FIELDBOOK_TOKEN = 'fieldbook-static-token-0000000000000000';
export const FIELDBOOK_USERNAME = 'lgx-council';
export const FIELDBOOK_PASSWORD = 'fieldbook-password-00000000';
export const FIELDBOOK_API_KEY = 'fieldbook-api-key-0000000000000000';

export type FieldbookState = (typeof FIELDBOOK_STATES)[number];
export type FieldbookAuthMode = 'oauth2' | 'bearer' | 'basic' | 'apiKeyHeader' | 'apiKeyQuery';

export interface FieldbookRequest {
  id: string;
  category: string;
  state: FieldbookState;
  createdAt: string;
  stateChangedAt: string;
  publicNote?: string;
  clientReference?: string;
  /** The body it was created from, as sent. */
  body: Record<string, unknown>;
}

export interface FieldbookChange {
  sequence: number;
  requestId: string;
  state: FieldbookState;
  changedAt: string;
  publicNote?: string;
}

export interface FieldbookSimulatorState {
  requests: Map<string, FieldbookRequest>;
  byClientReference: Map<string, string>;
  /** Idempotency-Key -> request id and a hash of the body it came with. */
  idempotencyKeys: Map<string, { id: string; hash: string }>;
  /** The feed, oldest first; change n has sequence n. */
  changes: FieldbookChange[];
  /** Access token -> when it expires (ms). */
  tokens: Map<string, number>;
  tokensIssued: number;
  nextId: number;
  window: { start: number; count: number };
}

export interface FieldbookSimulatorOptions {
  /** How callers authenticate (default oauth2: tokens from /oauth/token). */
  auth?: FieldbookAuthMode;
  /** Lifetime of issued tokens in seconds (default 3600). */
  tokenTtlSeconds?: number;
  /** Requests a second to /v2 before 429 RATE_LIMITED (default: no limit). */
  requestsPerSecond?: number | null;
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Folder to keep the requests and the change feed in (`fieldbook.json`), so a restart continues the numbering and the feed. Default: memory only. */
  stateDir?: string;
}

export interface FieldbookSimulator extends RestSimulator<FieldbookSimulatorState> {
  /** The API base: `<url>/v2`. */
  baseUrl: string;
  tokenUrl: string;
  openapiUrl: string;
  /** Every token issued so far stops working (as if each had expired). */
  expireTokens(): void;
  /** The client secret is rotated: the token endpoint refuses the old one (and issued tokens stop working). */
  rotateClientSecret(secret: string): void;
  setRequestsPerSecond(limit: number | null): void;
  /** Every /v2 call answers 503 MAINTENANCE with retryInSeconds, until endMaintenance(). */
  startMaintenance(retryInSeconds: number): void;
  endMaintenance(): void;
  /** GET /v2/requests/{id} answers 423 RECORD_LOCKED until unlocked. */
  lock(id: string, locked?: boolean): void;
  /** The next `count` creations are made but never answered, as when an answer is lost. */
  loseNextCreates(count: number): void;
  /** An officer moves a request on; a change goes into the feed. */
  setState(id: string, state: FieldbookState, publicNote?: string): FieldbookRequest;
  request(id: string): FieldbookRequest;
}

const single = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const fail = (
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers?: Record<string, string>,
): RestResponse => reply(status, { error: { code, message, ...extra } }, headers);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The body's problems, as Fieldbook reports them (first only, naming the field; e-mails are quoted back). */
function invalid(body: Record<string, unknown>): RestResponse | undefined {
  const bad = (field: string, message: string) => fail(422, 'VALIDATION_FAILED', message, { field });
  if (!FIELDBOOK_CATEGORIES.includes(body.category as never)) return bad('category', 'category is not one of the categories');
  if (typeof body.description !== 'string' || body.description === '' || body.description.length > 4000)
    return bad('description', 'description is required, up to 4000 characters');
  if (body.title !== undefined && (typeof body.title !== 'string' || body.title.length > 255))
    return bad('title', 'title is up to 255 characters');
  const loc = body.location;
  if (!isObject(loc)) return bad('location', 'location is required');
  const hasPoint = typeof loc.lat === 'number' && typeof loc.lng === 'number';
  if (!hasPoint && typeof loc.usrn !== 'string' && typeof loc.uprn !== 'string' && typeof loc.address !== 'string')
    return bad('location', 'location needs lat and lng, usrn, uprn or address');
  if (hasPoint && (Math.abs(loc.lat as number) > 90 || Math.abs(loc.lng as number) > 180))
    return bad('location', 'location lat or lng out of range');
  if (body.category === 'MISSED_BIN') {
    if (!FIELDBOOK_SERVICES.includes(body.service as never)) return bad('service', 'service is required with MISSED_BIN');
    if (typeof body.scheduledDate !== 'string' || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(body.scheduledDate))
      return bad('scheduledDate', 'scheduledDate (yyyy-mm-dd) is required with MISSED_BIN');
    if (typeof loc.uprn !== 'string') return bad('location.uprn', 'location.uprn is required with MISSED_BIN');
  }
  const email = isObject(body.reporter) ? body.reporter.email : undefined;
  if (email !== undefined && (typeof email !== 'string' || !EMAIL.test(email)))
    return bad('reporter.email', `reporter.email '${String(email)}' is not an e-mail address`);
  return undefined;
}

/** Starts the Fieldbook simulator. The API is under `/v2` (sim.baseUrl); the token endpoint is `/oauth/token`. */
export async function startFieldbookSimulator(options: FieldbookSimulatorOptions = {}): Promise<FieldbookSimulator> {
  const mode = options.auth ?? 'oauth2';
  let clientSecret = FIELDBOOK_CLIENT_SECRET;
  let perSecond = options.requestsPerSecond ?? null;
  let maintenance: number | undefined;
  let lose = 0;
  const locked = new Set<string>();
  let baseUrl = '';

  const resource = (r: FieldbookRequest) => ({
    id: r.id,
    category: r.category,
    state: r.state,
    createdAt: r.createdAt,
    stateChangedAt: r.stateChangedAt,
    ...(r.publicNote !== undefined ? { publicNote: r.publicNote } : {}),
    ...(r.clientReference !== undefined ? { clientReference: r.clientReference } : {}),
    links: { self: `${baseUrl}/v2/requests/${r.id}` },
  });

  const addChange = (state: FieldbookSimulatorState, r: FieldbookRequest) => {
    state.changes.push({
      sequence: state.changes.length + 1,
      requestId: r.id,
      state: r.state,
      changedAt: r.stateChangedAt,
      ...(r.publicNote !== undefined ? { publicNote: r.publicNote } : {}),
    });
  };

  const authorised = (req: RestRequest, state: FieldbookSimulatorState): boolean => {
    const header = single(req.headers.authorization);
    switch (mode) {
      case 'oauth2': {
        const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
        const expires = token === undefined ? undefined : state.tokens.get(token);
        return expires !== undefined && expires > Date.now();
      }
      case 'bearer':
        return header === `Bearer ${FIELDBOOK_TOKEN}`;
      case 'basic':
        return header === `Basic ${Buffer.from(`${FIELDBOOK_USERNAME}:${FIELDBOOK_PASSWORD}`).toString('base64')}`;
      case 'apiKeyHeader':
        return single(req.headers['x-api-key']) === FIELDBOOK_API_KEY;
      case 'apiKeyQuery':
        return single(req.query.api_key) === FIELDBOOK_API_KEY;
    }
  };

  /** Wraps a /v2 handler: credentials, maintenance, the rate limit. */
  const api =
    (fn: (req: RestRequest, state: FieldbookSimulatorState) => RestResponse | Promise<RestResponse>, open = false) =>
    async (req: RestRequest, { state }: { state: FieldbookSimulatorState }): Promise<RestResponse> => {
      if (!open && !authorised(req, state))
        return fail(401, 'UNAUTHORISED', 'Missing, unknown or expired credentials', {}, { 'www-authenticate': 'Bearer' });
      if (maintenance !== undefined) return fail(503, 'MAINTENANCE', 'Fieldbook is down for maintenance', { retryInSeconds: maintenance });
      if (perSecond !== null) {
        const now = Date.now();
        if (now - state.window.start >= 1000) state.window = { start: now, count: 0 };
        if (++state.window.count > perSecond)
          return fail(429, 'RATE_LIMITED', `More than ${perSecond} requests a second`, {}, { 'retry-after': '1' });
      }
      return fn(req, state);
    };

  const sim = await startRestSimulator<FieldbookSimulatorState>({
    name: 'fieldbook',
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    state: () => ({
      requests: new Map(),
      byClientReference: new Map(),
      idempotencyKeys: new Map(),
      changes: [],
      tokens: new Map(),
      tokensIssued: 0,
      nextId: 1,
      window: { start: 0, count: 0 },
    }),
    routes: [
      {
        method: 'POST',
        path: '/oauth/token',
        handler: (req, { state }) => {
          const form = new URLSearchParams(req.body);
          if (form.get('grant_type') !== 'client_credentials') return reply(400, { error: 'unsupported_grant_type' });
          let id = form.get('client_id');
          let secret = form.get('client_secret');
          const basic = single(req.headers.authorization);
          if (basic?.startsWith('Basic '))
            [id, secret] = Buffer.from(basic.slice(6), 'base64').toString('utf8').split(':').map(decodeURIComponent) as [string, string];
          if (id !== FIELDBOOK_CLIENT_ID || secret !== clientSecret) return reply(401, { error: 'invalid_client' });
          const token = randomBytes(24).toString('base64url');
          const ttl = options.tokenTtlSeconds ?? 3600;
          state.tokens.set(token, Date.now() + ttl * 1000);
          state.tokensIssued++;
          return reply(200, { access_token: token, token_type: 'Bearer', expires_in: ttl, scope: form.get('scope') ?? 'requests:write' });
        },
      },
      { method: 'GET', path: '/v2/openapi.json', handler: () => reply(200, FIELDBOOK_OPENAPI) },
      {
        method: 'GET',
        path: '/v2/health',
        handler: api(() => reply(200, { status: 'ok', version: FIELDBOOK_OPENAPI.info.version }), true),
      },
      {
        method: 'POST',
        path: '/v2/requests',
        handler: api(async (req, state) => {
          if (!isObject(req.json)) return fail(422, 'VALIDATION_FAILED', 'body must be a JSON object', { field: '' });
          const body = req.json;
          const refused = invalid(body);
          if (refused) return refused;
          if (body.category === 'OTHER') return reply(200, { accepted: false, reason: 'CATEGORY_CLOSED' });
          const key = single(req.headers['idempotency-key']);
          const hash = createHash('sha256').update(req.body).digest('hex');
          if (key !== undefined) {
            const seen = state.idempotencyKeys.get(key);
            if (seen && seen.hash !== hash) return fail(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with another body');
            if (seen) return reply(200, resource(state.requests.get(seen.id)!));
          }
          const at = new Date().toISOString();
          const request: FieldbookRequest = {
            id: `FB-${String(state.nextId++).padStart(6, '0')}`,
            category: body.category as string,
            state: 'received',
            createdAt: at,
            stateChangedAt: at,
            ...(typeof body.clientReference === 'string' ? { clientReference: body.clientReference } : {}),
            body,
          };
          state.requests.set(request.id, request);
          if (request.clientReference !== undefined) state.byClientReference.set(request.clientReference, request.id);
          if (key !== undefined) state.idempotencyKeys.set(key, { id: request.id, hash });
          addChange(state, request);
          if (lose > 0) {
            lose--;
            // Made, never answered: the caller's deadline ends the call.
            await new Promise<void>(() => undefined);
          }
          return reply(201, resource(request), { location: `${baseUrl}/v2/requests/${request.id}` });
        }),
      },
      {
        method: 'GET',
        path: '/v2/requests',
        handler: api((req, state) => {
          const ref = single(req.query.clientReference);
          if (ref === undefined) return fail(422, 'VALIDATION_FAILED', 'clientReference is required', { field: 'clientReference' });
          const id = state.byClientReference.get(ref);
          return reply(200, { results: id ? [resource(state.requests.get(id)!)] : [] });
        }),
      },
      {
        method: 'GET',
        path: '/v2/requests/:id',
        handler: api((req, state) => {
          const r = state.requests.get(req.params.id ?? '');
          if (!r) return fail(404, 'NOT_FOUND', 'No such request');
          if (locked.has(r.id)) return fail(423, 'RECORD_LOCKED', 'An officer is editing this request');
          return reply(200, resource(r));
        }),
      },
      {
        method: 'GET',
        path: '/v2/changes',
        handler: api((req, state) => {
          const after = Number(single(req.query.after));
          const limit = Number(single(req.query.limit) ?? '100');
          if (!Number.isInteger(after) || after < 0)
            return fail(422, 'VALIDATION_FAILED', 'after must be a whole number', { field: 'after' });
          if (!Number.isInteger(limit) || limit < 1 || limit > 500)
            return fail(422, 'VALIDATION_FAILED', 'limit must be 1 to 500', { field: 'limit' });
          const changes = state.changes.slice(after, after + limit);
          return reply(200, { changes, lastSequence: changes.at(-1)?.sequence ?? Math.min(after, state.changes.length) });
        }),
      },
    ],
  });
  baseUrl = sim.url;

  const request = (id: string): FieldbookRequest => {
    const r = sim.state.requests.get(id);
    if (!r) throw new Error(`fieldbook simulator: no request ${id}`);
    return r;
  };
  const baseReset = sim.reset;
  return Object.assign(sim, {
    baseUrl: `${sim.url}/v2`,
    tokenUrl: `${sim.url}/oauth/token`,
    openapiUrl: `${sim.url}/v2/openapi.json`,
    expireTokens: () => sim.state.tokens.clear(),
    rotateClientSecret: (secret: string) => {
      clientSecret = secret;
      sim.state.tokens.clear();
    },
    setRequestsPerSecond: (limit: number | null) => void (perSecond = limit),
    startMaintenance: (seconds: number) => void (maintenance = seconds),
    endMaintenance: () => void (maintenance = undefined),
    lock: (id: string, on = true) => void (on ? locked.add(id) : locked.delete(id)),
    loseNextCreates: (count: number) => void (lose = count),
    setState: (id: string, state: FieldbookState, publicNote?: string) => {
      const r = request(id);
      r.state = state;
      r.stateChangedAt = new Date().toISOString();
      if (publicNote !== undefined) r.publicNote = publicNote;
      addChange(sim.state, r);
      void sim.saveState();
      return r;
    },
    request,
    reset: () => {
      lose = 0;
      maintenance = undefined;
      locked.clear();
      clientSecret = FIELDBOOK_CLIENT_SECRET;
      baseReset();
    },
  });
}
