/**
 * A stateful simulator of an Open311 GeoReport v2 server with the mySociety extensions, on 127.0.0.1.
 *
 * Built from the published specification (wiki.open311.org/GeoReport_v2, frozen v2) and mySociety's
 * extensions as FixMyStreet uses them (GET and POST servicerequestupdates, the extended status list,
 * `groups`, attribute `automated`). Paths keep the spec's format suffix (`/services.xml`,
 * `/requests/{id}.json` ...) under a base path (default `/open311/v2`); XML and JSON are both served;
 * errors use the spec's `<errors><error><code/><description/></error></errors>` (JSON: an array of
 * `{code, description}`). The testkit's fault injection applies to every route.
 *
 * Open311 has no idempotency header. So that "the same transaction twice leaves one record" can be
 * tested, the simulator treats one request attribute (default `attribute[lgx_idempotency_key]`) as
 * an idempotency key and answers a repeat with the first request's id or token. Real servers do not:
 * they keep the attribute as data, at best.
 */
import { escapeXml } from '@lgx/core';
import { startRestSimulator, type RestRequest, type RestResponse, type RestSimulator } from '@lgx/testkit';

/** The extended statuses of the mySociety extension (lower case, as GET answers them). */
export const OPEN311_EXTENDED_STATUSES = [
  'open',
  'closed',
  'fixed',
  'in_progress',
  'planned',
  'action_scheduled',
  'investigating',
  'duplicate',
  'not_councils_responsibility',
  'no_further_action',
  'internal_referral',
  'cancelled',
  'reopen',
  'for_triage',
] as const;

export type Open311Status = (typeof OPEN311_EXTENDED_STATUSES)[number];
export type Open311Format = 'xml' | 'json';

export interface Open311AttributeDefinition {
  /** false: informational only (shown to the user, no input). */
  variable: boolean;
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required: boolean;
  datatype_description?: string;
  order: number;
  description: string;
  /** mySociety extension: filled by the client (`server_set`) or a hidden form field. */
  automated?: 'server_set' | 'hidden_field';
  values?: Array<{ key: string; name: string }>;
}

export interface Open311ServiceDefinition {
  service_code: string;
  service_name: string;
  description?: string;
  /** true when the service has attributes (a service definition to fetch). */
  metadata: boolean;
  type: 'realtime' | 'batch' | 'blackbox';
  keywords?: string;
  group?: string;
  /** mySociety extension: several groups. */
  groups?: string[];
  attributes?: Open311AttributeDefinition[];
}

export interface Open311ServiceRequest {
  service_request_id: string;
  status: Open311Status;
  status_notes?: string;
  service_name: string;
  service_code: string;
  description?: string;
  agency_responsible?: string;
  service_notice?: string;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime?: string;
  address?: string;
  address_id?: string;
  zipcode?: string;
  lat?: string;
  long?: string;
  media_url?: string;
  /** Everything the client sent as `attribute[code]` (kept for tests; not part of GET answers). */
  attributes: Record<string, string | string[]>;
  /** Contact fields as sent (kept for tests; never answered). */
  contact: { email?: string; first_name?: string; last_name?: string; phone?: string };
}

export interface Open311RequestUpdate {
  update_id: string;
  service_request_id: string;
  status: Open311Status;
  updated_datetime: string;
  description: string;
  media_url?: string;
  external_status_code?: string;
}

export interface Open311State {
  requests: Map<string, Open311ServiceRequest>;
  updates: Open311RequestUpdate[];
  /** Tokens handed out in token mode: the request they stand for, and how often they were polled. */
  tokens: Map<string, { request: Omit<Open311ServiceRequest, 'service_request_id'>; requestId?: string; polls: number; key?: string }>;
  /** Idempotency attribute value -> service_request_id or token. */
  keys: Map<string, { requestId?: string; token?: string }>;
  nextRequest: number;
  nextUpdate: number;
  nextToken: number;
}

export interface Open311SimulatorOptions {
  /** The api_key POSTs must carry (default {@link OPEN311_TEST_API_KEY}). */
  apiKey?: string;
  /** Path the API is served under (default `/open311/v2`; `''` for the root). */
  basePath?: string;
  /** The services offered (default {@link DEFAULT_OPEN311_SERVICES}). */
  services?: Open311ServiceDefinition[];
  /** Token mode: POST answers a token that resolves to a service_request_id after `resolveAfterPolls` GET tokens calls. */
  tokens?: { resolveAfterPolls: number };
  /** Formats served (default both). A request for another format gets 404. */
  formats?: Open311Format[];
  /** Request attribute treated as an idempotency key (default `lgx_idempotency_key`; `null`: none). */
  idempotencyAttribute?: string | null;
  /** When set, every call must carry this jurisdiction_id (else 400; an unknown one 404). */
  jurisdictionId?: string;
  /** Largest request body accepted (default 1 MiB). */
  maxBodyBytes?: number;
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Folder to keep the requests and updates in (`open311.json`), so a restart continues the numbering. Default: memory only. */
  stateDir?: string;
}

export interface Open311Simulator extends RestSimulator<Open311State> {
  /** The API base URL to configure a client with: `url` plus the base path. */
  endpoint: string;
  apiKey: string;
  /** Switches token mode on (`{ resolveAfterPolls }`) or off (`null`) for the requests that follow. */
  setTokenMode(mode: { resolveAfterPolls: number } | null): void;
}

export const OPEN311_TEST_API_KEY = 'open311-test-api-key-0001';

const attr = (
  code: string,
  description: string,
  order: number,
  extra: Partial<Open311AttributeDefinition> = {},
): Open311AttributeDefinition => ({
  variable: true,
  code,
  datatype: 'string',
  required: false,
  order,
  description,
  ...extra,
});

const UK_AUTOMATED = [
  attr('easting', 'Easting (British National Grid)', 100, { automated: 'server_set', datatype: 'number' }),
  attr('northing', 'Northing (British National Grid)', 101, { automated: 'server_set', datatype: 'number' }),
  attr('fixmystreet_id', 'FixMyStreet report id', 102, { automated: 'server_set' }),
  attr('uprn', 'UPRN of the property', 103, { automated: 'server_set' }),
  attr('usrn', 'USRN of the street', 104, { automated: 'server_set' }),
];

const street = (code: string, name: string, group: string, attributes: Open311AttributeDefinition[] = []): Open311ServiceDefinition => ({
  service_code: code,
  service_name: name,
  description: name,
  metadata: true,
  type: 'realtime',
  keywords: '',
  group,
  groups: [group],
  attributes: [...attributes, ...UK_AUTOMATED],
});

/**
 * The default catalogue: a service per canonical street-report kind and per missed-collection service
 * (the codes the open311 adapter falls back to), plus the codes the canonical fixtures name.
 */
export const DEFAULT_OPEN311_SERVICES: Open311ServiceDefinition[] = [
  street('pothole', 'Pothole', 'Roads', [
    attr('depthCm', 'How deep is it (cm)?', 1, { datatype: 'number' }),
    attr('onBusRoute', 'Is it on a bus route?', 2, {
      datatype: 'singlevaluelist',
      values: [
        { key: 'true', name: 'Yes' },
        { key: 'false', name: 'No' },
      ],
    }),
  ]),
  street('HW-POT', 'Pothole (highways)', 'Roads', [attr('depthCm', 'How deep is it (cm)?', 1, { datatype: 'number' })]),
  street('road_defect', 'Road defect', 'Roads'),
  street('pavement_defect', 'Pavement defect', 'Roads'),
  street('street_light', 'Street light fault', 'Street lighting', [attr('asset_id', 'Column number', 1, { required: false })]),
  street('fly_tipping', 'Fly-tipping', 'Cleansing', [
    attr('itemTypes', 'What was dumped?', 1, {
      datatype: 'multivaluelist',
      values: [
        { key: 'mattress', name: 'Mattress' },
        { key: 'white_goods', name: 'Fridge, freezer or washing machine' },
        { key: 'bags', name: 'Black bags' },
      ],
    }),
  ]),
  street('FT-01', 'Fly-tipping (enforcement)', 'Cleansing'),
  street('graffiti', 'Graffiti', 'Cleansing'),
  street('dog_fouling', 'Dog fouling', 'Cleansing'),
  street('abandoned_vehicle', 'Abandoned vehicle', 'Parking'),
  street('litter', 'Litter', 'Cleansing'),
  street('blocked_drain', 'Blocked drain', 'Drainage'),
  street('other', 'Other', 'Other'),
  { ...street('dead_animal', 'Dead animal (private)', 'Cleansing'), keywords: 'private' },
  ...[
    'refuse',
    'recycling',
    'paper_card',
    'glass',
    'garden',
    'food',
    'textiles',
    'small_electricals',
    'batteries',
    'absorbent_hygiene',
    'clinical',
    'other',
  ].map((s) =>
    street(`missed_${s}`, `Missed ${s.replace(/_/g, ' ')} collection`, 'Waste', [
      attr('collection_date', 'Date of the missed collection', 1, { datatype: 'datetime', required: true }),
      attr('service_id', 'Waste service id', 2, { automated: 'hidden_field' }),
    ]),
  ),
];

const ITEM: Record<string, string> = {
  services: 'service',
  groups: 'group',
  attributes: 'attribute',
  values: 'value',
  service_requests: 'request',
  service_request_updates: 'request_update',
  errors: 'error',
};

function xmlElement(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return `<${name}>${value.map((v) => xmlElement(ITEM[name] ?? 'item', v)).join('')}</${name}>`;
  if (typeof value === 'object')
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => xmlElement(k, v))
      .join('')}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** The document for `root` (an Open311 list such as `service_requests`, or an object) in `format`. */
function respond(format: Open311Format, status: number, root: string, value: unknown): RestResponse {
  if (format === 'json') return { status, body: value };
  return {
    status,
    body: `<?xml version="1.0" encoding="utf-8"?>\n${xmlElement(root, value)}`,
    headers: { 'content-type': 'text/xml; charset=utf-8' },
  };
}

function errors(format: Open311Format, status: number, description: string): RestResponse {
  return respond(format, status, 'errors', [{ code: status, description }]);
}

/** `requests.xml` -> ['requests', 'xml']. */
function splitFormat(file: string): [string, string] | undefined {
  const dot = file.lastIndexOf('.');
  return dot > 0 ? [file.slice(0, dot), file.slice(dot + 1)] : undefined;
}

const nowW3c = () => new Date().toISOString().replace(/\.[0-9]{3}Z$/, 'Z');

function publicRequest(r: Open311ServiceRequest) {
  return {
    service_request_id: r.service_request_id,
    status: r.status,
    status_notes: r.status_notes,
    service_name: r.service_name,
    service_code: r.service_code,
    description: r.description,
    agency_responsible: r.agency_responsible,
    service_notice: r.service_notice,
    requested_datetime: r.requested_datetime,
    updated_datetime: r.updated_datetime,
    expected_datetime: r.expected_datetime,
    address: r.address,
    address_id: r.address_id,
    zipcode: r.zipcode,
    lat: r.lat,
    long: r.long,
    media_url: r.media_url,
  };
}

function publicService(s: Open311ServiceDefinition) {
  return {
    service_code: s.service_code,
    service_name: s.service_name,
    description: s.description,
    metadata: s.metadata,
    type: s.type,
    keywords: s.keywords,
    group: s.group,
    groups: s.groups,
  };
}

function definitionOf(s: Open311ServiceDefinition) {
  return {
    service_code: s.service_code,
    attributes: (s.attributes ?? []).map((a) => ({
      variable: a.variable,
      code: a.code,
      datatype: a.datatype,
      required: a.required,
      datatype_description: a.datatype_description ?? '',
      order: a.order,
      description: a.description,
      automated: a.automated,
      values: a.values,
    })),
  };
}

const ATTRIBUTE = /^attribute\[([^\]]+)\](\[\])?$/;
const w3cOk = (value: string | null): value is string =>
  value !== null && /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})$/.test(value);

/** Starts the simulator. `sim.endpoint` is the base URL to give a client. */
export async function startOpen311Simulator(options: Open311SimulatorOptions = {}): Promise<Open311Simulator> {
  const apiKey = options.apiKey ?? OPEN311_TEST_API_KEY;
  const base = options.basePath ?? '/open311/v2';
  const services = options.services ?? DEFAULT_OPEN311_SERVICES;
  const formats = new Set<string>(options.formats ?? ['xml', 'json']);
  const idempotencyAttribute = options.idempotencyAttribute === undefined ? 'lgx_idempotency_key' : options.idempotencyAttribute;
  let tokenMode = options.tokens ?? null;
  // Known once the server listens; the discovery document names it.
  const self = { endpoint: '' };

  type Handler = (req: RestRequest, state: Open311State, format: Open311Format, rest: string) => RestResponse;

  /** Resolves the format from the file name and checks jurisdiction_id before the handler. */
  const route =
    (file: (req: RestRequest) => string, handler: Handler) =>
    (req: RestRequest, { state }: { state: Open311State }) => {
      const parts = splitFormat(file(req));
      if (!parts || !formats.has(parts[1])) return errors('xml', 404, 'unknown format');
      const format = parts[1] as Open311Format;
      if (options.jurisdictionId !== undefined) {
        const form = req.method === 'POST' ? new URLSearchParams(req.body) : undefined;
        const sent =
          form?.get('jurisdiction_id') ?? (typeof req.query.jurisdiction_id === 'string' ? req.query.jurisdiction_id : undefined);
        if (sent === undefined) return errors(format, 400, 'jurisdiction_id was not provided');
        if (sent !== options.jurisdictionId) return errors(format, 404, 'jurisdiction_id not found');
      }
      return handler(req, state, format, parts[0]);
    };

  const listOf = (name: string) =>
    formats.has('xml') && formats.has('json') ? [`${name}.xml`, `${name}.json`] : [...formats].map((f) => `${name}.${f}`);

  const createRequest = (state: Open311State, request: Omit<Open311ServiceRequest, 'service_request_id'>): Open311ServiceRequest => {
    const record: Open311ServiceRequest = { ...request, service_request_id: String(++state.nextRequest + 1000) };
    state.requests.set(record.service_request_id, record);
    state.updates.push({
      update_id: `u${++state.nextUpdate}`,
      service_request_id: record.service_request_id,
      status: record.status,
      updated_datetime: record.updated_datetime,
      description: 'Report received',
      external_status_code: 'RECEIVED',
    });
    return record;
  };

  const postRequest: Handler = (req, state, format) => {
    if (!/application\/x-www-form-urlencoded/i.test(String(req.headers['content-type'] ?? '')))
      return errors(format, 400, 'POST body must be application/x-www-form-urlencoded');
    const form = new URLSearchParams(req.body);
    if (form.get('api_key') !== apiKey) return errors(format, 403, 'Invalid api_key');
    const code = form.get('service_code');
    if (!code) return errors(format, 400, 'service_code was not provided');
    const service = services.find((s) => s.service_code === code);
    if (!service) return errors(format, 404, 'service_code not found');
    const lat = form.get('lat');
    const long = form.get('long');
    const address = form.get('address_string');
    const addressId = form.get('address_id');
    const hasPoint = lat !== null && long !== null && lat !== '' && long !== '';
    if (!hasPoint && !address && !addressId) return errors(format, 400, 'lat/long, address_string or address_id required');
    if (
      hasPoint &&
      (!Number.isFinite(Number(lat)) || !Number.isFinite(Number(long)) || Math.abs(Number(lat)) > 90 || Math.abs(Number(long)) > 180)
    ) {
      return errors(format, 400, 'lat/long out of range');
    }
    const attributes: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
    for (const [key, value] of form) {
      const m = ATTRIBUTE.exec(key);
      if (!m) continue;
      const name = m[1]!;
      if (m[2]) attributes[name] = [...((attributes[name] as string[] | undefined) ?? []), value];
      else attributes[name] = value;
    }
    for (const a of service.attributes ?? []) {
      if (a.required && a.variable && a.automated === undefined && (attributes[a.code] === undefined || attributes[a.code] === '')) {
        return errors(format, 400, `attribute ${a.code} is required`);
      }
      const given = attributes[a.code];
      if (given !== undefined && a.values && (a.datatype === 'singlevaluelist' || a.datatype === 'multivaluelist')) {
        const keys = new Set(a.values.map((v) => v.key));
        const bad = (Array.isArray(given) ? given : [given]).find((v) => !keys.has(v));
        if (bad !== undefined) return errors(format, 400, `attribute ${a.code} has no value '${bad.slice(0, 40)}'`);
      }
    }
    const description = form.get('description') ?? undefined;
    if (description !== undefined && description.length > 4000) return errors(format, 400, 'description is longer than 4000 characters');

    const key = idempotencyAttribute ? attributes[idempotencyAttribute] : undefined;
    const seen = typeof key === 'string' ? state.keys.get(key) : undefined;
    if (seen?.requestId) return respond(format, 200, 'service_requests', [{ service_request_id: seen.requestId }]);
    if (seen?.token) {
      const held = state.tokens.get(seen.token);
      return respond(format, 200, 'service_requests', [held?.requestId ? { service_request_id: held.requestId } : { token: seen.token }]);
    }

    const now = nowW3c();
    const contact: Open311ServiceRequest['contact'] = {};
    for (const field of ['email', 'first_name', 'last_name', 'phone'] as const) {
      const v = form.get(field);
      if (v) contact[field] = v;
    }
    const media = form.getAll('media_url');
    const request: Omit<Open311ServiceRequest, 'service_request_id'> = {
      status: 'open',
      service_name: service.service_name,
      service_code: service.service_code,
      requested_datetime: now,
      updated_datetime: now,
      agency_responsible: 'Simulated Council',
      attributes,
      contact,
      ...(description !== undefined ? { description } : {}),
      ...(address ? { address } : {}),
      ...(addressId ? { address_id: addressId } : {}),
      ...(hasPoint ? { lat: lat!, long: long! } : {}),
      ...(media[0] ? { media_url: media[0] } : {}),
    };
    if (tokenMode) {
      const token = `tok-${++state.nextToken}-${Math.random().toString(36).slice(2, 8)}`;
      state.tokens.set(token, { request, polls: 0, ...(typeof key === 'string' ? { key } : {}) });
      if (typeof key === 'string') state.keys.set(key, { token });
      return respond(format, 200, 'service_requests', [{ token }]);
    }
    const record = createRequest(state, request);
    if (typeof key === 'string') state.keys.set(key, { requestId: record.service_request_id });
    return respond(format, 201, 'service_requests', [{ service_request_id: record.service_request_id, service_notice: '' }]);
  };

  const inRange = (value: string, start: string | undefined, end: string | undefined) => {
    const t = Date.parse(value);
    return (start === undefined || t >= Date.parse(start)) && (end === undefined || t <= Date.parse(end));
  };
  const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

  const rest = await startRestSimulator<Open311State>({
    name: 'open311',
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    state: () => ({ requests: new Map(), updates: [], tokens: new Map(), keys: new Map(), nextRequest: 0, nextUpdate: 0, nextToken: 0 }),
    routes: [
      ...listOf('discovery').map((file) => ({
        method: 'GET' as const,
        path: `${base}/${file}`,
        handler: route(
          () => file,
          (_req, _state, format) =>
            respond(format, 200, 'discovery', {
              changeset: '2026-01-01T00:00:00Z',
              contact: 'Simulated council',
              key_service: 'Ask the council for an api_key',
              endpoints: [
                {
                  specification: 'http://wiki.open311.org/GeoReport_v2',
                  url: self.endpoint,
                  changeset: '2026-01-01T00:00:00Z',
                  type: 'test',
                  formats: [...formats].map((f) => (f === 'xml' ? 'text/xml' : 'application/json')),
                },
              ],
            }),
        ),
      })),
      ...listOf('services').map((file) => ({
        method: 'GET' as const,
        path: `${base}/${file}`,
        handler: route(
          () => file,
          (_req, _state, format) => respond(format, 200, 'services', services.map(publicService)),
        ),
      })),
      {
        method: 'GET',
        path: `${base}/services/:file`,
        handler: route(
          (req) => req.params.file ?? '',
          (_req, _state, format, code) => {
            const service = services.find((s) => s.service_code === code);
            return service
              ? respond(format, 200, 'service_definition', definitionOf(service))
              : errors(format, 404, 'service_code not found');
          },
        ),
      },
      ...listOf('requests').map((file) => ({
        method: 'POST' as const,
        path: `${base}/${file}`,
        handler: route(() => file, postRequest),
      })),
      ...listOf('requests').map((file) => ({
        method: 'GET' as const,
        path: `${base}/${file}`,
        handler: route(
          () => file,
          (req, state, format) => {
            const ids = one(req.query.service_request_id);
            let list = [...state.requests.values()];
            if (ids) {
              const wanted = new Set(ids.split(','));
              list = list.filter((r) => wanted.has(r.service_request_id));
            } else {
              const codes = one(req.query.service_code)?.split(',');
              const statuses = one(req.query.status)?.split(',');
              const start = one(req.query.start_date);
              const end = one(req.query.end_date);
              list = list
                .filter(
                  (r) =>
                    (!codes || codes.includes(r.service_code)) &&
                    (!statuses || statuses.includes(r.status === 'closed' ? 'closed' : 'open')) &&
                    inRange(r.requested_datetime, start, end),
                )
                .slice(0, 1000);
            }
            return respond(format, 200, 'service_requests', list.map(publicRequest));
          },
        ),
      })),
      {
        method: 'GET',
        path: `${base}/requests/:file`,
        handler: route(
          (req) => req.params.file ?? '',
          (_req, state, format, id) => {
            const found = state.requests.get(id);
            return found
              ? respond(format, 200, 'service_requests', [publicRequest(found)])
              : errors(format, 404, 'service_request_id not found');
          },
        ),
      },
      {
        method: 'GET',
        path: `${base}/tokens/:file`,
        // Polling a token counts the poll and may create the request.
        changesState: true,
        handler: route(
          (req) => req.params.file ?? '',
          (_req, state, format, token) => {
            const held = state.tokens.get(token);
            if (!held) return errors(format, 404, 'token not found');
            if (!held.requestId) {
              held.polls++;
              if (held.polls >= (tokenMode?.resolveAfterPolls ?? 0)) {
                const record = createRequest(state, held.request);
                held.requestId = record.service_request_id;
                if (held.key !== undefined) state.keys.set(held.key, { requestId: record.service_request_id, token });
              }
            }
            // Not yet assigned: the token alone, no service_request_id.
            return respond(format, 200, 'service_requests', [held.requestId ? { service_request_id: held.requestId, token } : { token }]);
          },
        ),
      },
      ...listOf('servicerequestupdates').map((file) => ({
        method: 'GET' as const,
        path: `${base}/${file}`,
        handler: route(
          () => file,
          (req, state, format) => {
            const start = one(req.query.start_date);
            const end = one(req.query.end_date);
            if ((start !== undefined && !w3cOk(start)) || (end !== undefined && !w3cOk(end)))
              return errors(format, 400, 'start_date and end_date must be W3C datetimes');
            const list = state.updates.filter((u) => inRange(u.updated_datetime, start, end));
            return respond(
              format,
              200,
              'service_request_updates',
              list.map((u) => ({ ...u, media_url: u.media_url ?? '' })),
            );
          },
        ),
      })),
      ...listOf('servicerequestupdates').map((file) => ({
        method: 'POST' as const,
        path: `${base}/${file}`,
        handler: route(
          () => file,
          (req, state, format) => {
            const form = new URLSearchParams(req.body);
            if (form.get('api_key') !== apiKey) return errors(format, 403, 'Invalid api_key');
            for (const field of ['service_request_id', 'update_id', 'status', 'updated_datetime', 'description']) {
              if (!form.get(field)) return errors(format, 400, `${field} was not provided`);
            }
            const found = state.requests.get(form.get('service_request_id')!);
            if (!found) return errors(format, 404, 'service_request_id not found');
            const status = form.get('status')!.toLowerCase();
            if (!(OPEN311_EXTENDED_STATUSES as readonly string[]).includes(status)) return errors(format, 400, 'unknown status');
            const when = form.get('updated_datetime')!;
            if (!w3cOk(when)) return errors(format, 400, 'updated_datetime must be a W3C datetime');
            const updateId = `u${++state.nextUpdate}`;
            found.status = status as Open311Status;
            found.status_notes = form.get('description')!;
            found.updated_datetime = nowW3c();
            state.updates.push({
              update_id: updateId,
              service_request_id: found.service_request_id,
              status: found.status,
              updated_datetime: found.updated_datetime,
              description: found.status_notes,
            });
            return respond(format, 200, 'service_request_updates', [{ update_id: updateId }]);
          },
        ),
      })),
    ],
  });

  self.endpoint = `${rest.url}${base}`;
  return Object.assign(rest, {
    endpoint: self.endpoint,
    apiKey,
    setTokenMode: (mode: { resolveAfterPolls: number } | null) => void (tokenMode = mode),
  }) as Open311Simulator;
}

/**
 * Changes a request's status as an officer would in the back office, and records a service request
 * update for it (what `servicerequestupdates` then answers).
 */
export function setOpen311Status(
  sim: Open311Simulator,
  serviceRequestId: string,
  status: Open311Status,
  options: { description?: string; externalStatusCode?: string } = {},
): Open311RequestUpdate {
  const found = sim.state.requests.get(serviceRequestId);
  if (!found) throw new Error(`no service request ${serviceRequestId}`);
  found.status = status;
  found.updated_datetime = nowW3c();
  if (options.description !== undefined) found.status_notes = options.description;
  const update: Open311RequestUpdate = {
    update_id: `u${++sim.state.nextUpdate}`,
    service_request_id: serviceRequestId,
    status,
    updated_datetime: found.updated_datetime,
    description: options.description ?? '',
    ...(options.externalStatusCode !== undefined ? { external_status_code: options.externalStatusCode } : {}),
  };
  sim.state.updates.push(update);
  void sim.saveState();
  return update;
}
