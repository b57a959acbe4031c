import { NotFoundError, PermanentError, RetryableError } from '@lgx/core';
import type { HttpClient } from '@lgx/core/http';
import { hasUnsafeXml, parseJson, parseXml } from './xml-document';
import type { Open311Format } from './config';
import type { Open311Attribute, Open311Service, Open311ServiceRequest, Open311Update } from './types';

type Doc = Record<string, unknown>;
export type FormValue = string | string[];

/** An identifier the server issued, fit to be a canonical reference (no control characters, at most 128). */
function reference(value: unknown): string | undefined {
  const t = text(value);
  return t !== undefined && t.length <= 128 && ![...t].some((c) => c.charCodeAt(0) < 0x20) ? t : undefined;
}

/** A scalar as a string: XML gives strings, JSON numbers and booleans too. Empty means absent. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

function flag(value: unknown): boolean | undefined {
  const t = text(value)?.toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : undefined;
}

function isDoc(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The items of an Open311 list, in either format: JSON answers a bare array (or, from some servers,
 * `{root: [...]}` or a bare object); XML answers `<root><item/>...</root>`.
 */
function listFrom(doc: unknown, root: string, item: string): Doc[] {
  let list: unknown = doc;
  if (isDoc(doc)) {
    const inner = doc[root];
    // A JSON server that answers one object where the spec has a one-item list is read as that list.
    list = Array.isArray(inner)
      ? inner
      : isDoc(inner)
        ? (inner[item] ?? [])
        : inner === '' || inner === undefined
          ? root in doc
            ? []
            : [doc]
          : undefined;
  }
  if (!Array.isArray(list)) return malformed(`a ${root} list`);
  return list.filter(isDoc);
}

function malformed(what: string): never {
  throw new RetryableError(`the Open311 server answered something that is not ${what}`, { code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE' });
}

/** Strings from an XML list element (`<groups><group>a</group></groups>`) or a JSON array. */
function strings(value: unknown, item: string): string[] {
  const list = Array.isArray(value) ? value : isDoc(value) ? value[item] : undefined;
  return Array.isArray(list) ? list.map(text).filter((v): v is string => v !== undefined) : [];
}

// A lone surrogate cannot be encoded (encodeURIComponent throws): it becomes U+FFFD, as URLSearchParams does.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const formPart = (text: string) => encodeURIComponent(text.replace(LONE_SURROGATE, '\uFFFD')).replace(/%20/g, '+');

/**
 * An application/x-www-form-urlencoded body (lists repeat their key). Encoded here rather than by
 * URLSearchParams, which costs several times as much for a form of twenty fields.
 */
export function encodeForm(form: Record<string, FormValue>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(form)) {
    const name = formPart(key);
    if (Array.isArray(value)) for (const v of value) parts.push(`${name}=${formPart(v)}`);
    else parts.push(`${name}=${formPart(value)}`);
  }
  return parts.join('&');
}

/** The first code of an Open311 error document (XML or JSON), for the error's vendorCode. */
export function open311ErrorCode(body: unknown): string | undefined {
  try {
    let doc = body;
    if (typeof body === 'string') {
      if (!body.trimStart().startsWith('<') || hasUnsafeXml(body)) return undefined;
      doc = parseXml(body, 'error');
    }
    const errors = listFrom(doc, 'errors', 'error');
    const code = text(errors[0]?.code);
    return code !== undefined && /^[A-Za-z0-9_.-]{1,40}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

function toService(s: Doc): Open311Service {
  const code = text(s.service_code);
  if (code === undefined) return malformed('a service with a service_code');
  const groups = strings(s.groups, 'group');
  const group = text(s.group);
  const type = text(s.type);
  const out: Open311Service = {
    serviceCode: code,
    serviceName: text(s.service_name) ?? code,
    metadata: flag(s.metadata) ?? false,
    type: type === 'batch' || type === 'blackbox' ? type : 'realtime',
    keywords: (text(s.keywords) ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    groups: groups.length ? groups : group !== undefined ? [group] : [],
    nonPublic: false,
  };
  out.nonPublic = out.keywords.some((k) => k.toLowerCase() === 'private') || flag(s.non_public) === true || flag(s.nonpublic) === true;
  const description = text(s.description);
  if (description !== undefined) out.description = description;
  return out;
}

function toAttribute(a: Doc): Open311Attribute {
  const code = text(a.code);
  if (code === undefined) return malformed('an attribute with a code');
  const values = listFrom(isDoc(a.values) || Array.isArray(a.values) ? { values: a.values } : { values: '' }, 'values', 'value');
  const automated = text(a.automated);
  const out: Open311Attribute = {
    code,
    variable: flag(a.variable) ?? true,
    datatype: text(a.datatype) ?? 'string',
    required: flag(a.required) ?? false,
    order: Number(text(a.order) ?? 0) || 0,
    description: text(a.description) ?? '',
    values: values.flatMap((v) => {
      const key = text(v.key);
      return key === undefined ? [] : [{ key, name: text(v.name) ?? key }];
    }),
  };
  const dd = text(a.datatype_description);
  if (dd !== undefined) out.datatypeDescription = dd;
  if (automated === 'server_set' || automated === 'hidden_field') out.automated = automated;
  return out;
}

function toRequest(r: Doc): Open311ServiceRequest {
  const id = reference(r.service_request_id);
  if (id === undefined) return malformed('a service request with a service_request_id');
  const out: Open311ServiceRequest = { serviceRequestId: id, status: text(r.status) ?? 'open' };
  for (const [from, to] of [
    ['status_notes', 'statusNotes'],
    ['service_code', 'serviceCode'],
    ['service_name', 'serviceName'],
    ['requested_datetime', 'requestedAt'],
    ['updated_datetime', 'updatedAt'],
    ['expected_datetime', 'expectedAt'],
    ['external_status_code', 'externalStatusCode'],
  ] as const) {
    const v = text(r[from]);
    if (v !== undefined) out[to] = v;
  }
  return out;
}

function toUpdate(u: Doc): Open311Update {
  const id = reference(u.service_request_id);
  const at = text(u.updated_datetime);
  if (id === undefined || at === undefined) return malformed('a request update with service_request_id and updated_datetime');
  const out: Open311Update = { serviceRequestId: id, status: text(u.status) ?? 'open', updatedAt: at };
  const updateId = reference(u.update_id);
  if (updateId !== undefined) out.updateId = updateId;
  const description = text(u.description);
  if (description !== undefined) out.description = description;
  const code = text(u.external_status_code);
  if (code !== undefined) out.externalStatusCode = code;
  return out;
}

export interface Open311ApiOptions {
  format: Open311Format;
  jurisdictionId?: string | undefined;
  apiKey: string;
}

/** The GeoReport v2 calls (plus mySociety's servicerequestupdates) over an LGX HTTP client. */
export class Open311Api {
  private readonly accept: string;

  constructor(
    private readonly http: HttpClient,
    private readonly options: Open311ApiOptions,
  ) {
    this.accept = options.format === 'xml' ? 'text/xml, application/xml;q=0.9' : 'application/json';
  }

  private path(resource: string): string {
    // Relative, so a base URL with a path (…/open311/v2) keeps it.
    return `${resource}.${this.options.format}`;
  }

  private jurisdiction(): Record<string, string> {
    return this.options.jurisdictionId !== undefined ? { jurisdiction_id: this.options.jurisdictionId } : {};
  }

  private parse(body: string, what: string): unknown {
    return this.options.format === 'xml' ? parseXml(body, what) : parseJson(body, what);
  }

  /** A server may echo what it was sent (api_key included) in an error body: keep the key out of messages. */
  private scrub = (error: unknown): never => {
    const key = this.options.apiKey;
    if (key.length >= 4 && error instanceof Error && error.message.includes(key))
      error.message = error.message.split(key).join('[redacted]');
    throw error;
  };

  private async get(resource: string, query: Record<string, string>, signal: AbortSignal): Promise<unknown> {
    const what = `GET ${resource}`;
    const response = await this.http
      .get<string>(this.path(resource), {
        query: { ...this.jurisdiction(), ...query },
        headers: { accept: this.accept },
        responseType: 'text',
        signal,
      })
      .catch(this.scrub);
    return this.parse(response.data, what);
  }

  async services(signal: AbortSignal): Promise<Open311Service[]> {
    return listFrom(await this.get('services', {}, signal), 'services', 'service').map(toService);
  }

  async serviceDefinition(code: string, signal: AbortSignal): Promise<Open311Attribute[]> {
    const doc = await this.get(`services/${encodeURIComponent(code)}`, {}, signal);
    const def = isDoc(doc) && isDoc(doc.service_definition) ? doc.service_definition : doc;
    if (!isDoc(def)) return malformed('a service definition');
    const attributes = def.attributes;
    if (attributes === undefined || attributes === '') return [];
    return listFrom({ attributes }, 'attributes', 'attribute')
      .map(toAttribute)
      .sort((a, b) => a.order - b.order);
  }

  /** POST requests: the new service_request_id, or a token to resolve later. */
  async postRequest(
    form: Record<string, FormValue>,
    signal: AbortSignal,
  ): Promise<{ serviceRequestId?: string; token?: string; serviceNotice?: string; accountId?: string }> {
    const response = await this.http
      .post<string>(this.path('requests'), {
        body: encodeForm({ ...this.jurisdiction(), api_key: this.options.apiKey, ...form }),
        headers: { accept: this.accept, 'content-type': 'application/x-www-form-urlencoded' },
        responseType: 'text',
        signal,
      })
      .catch((error: unknown) => {
        // On POST, 404 means the service_code (or jurisdiction) is unknown: a configuration error that
        // sending again will not fix, not a missing record.
        if (error instanceof NotFoundError) {
          throw new PermanentError(error.message, {
            cause: error,
            ...(error.status !== undefined ? { status: error.status } : {}),
            ...(error.vendorCode !== undefined ? { vendorCode: error.vendorCode } : {}),
          });
        }
        throw error;
      })
      .catch(this.scrub);
    const first = listFrom(this.parse(response.data, 'POST requests'), 'service_requests', 'request')[0];
    const id = reference(first?.service_request_id);
    const token = reference(first?.token);
    if (id === undefined && token === undefined) return malformed('a service_request_id or a token');
    const notice = text(first?.service_notice);
    const account = text(first?.account_id);
    return {
      ...(id !== undefined ? { serviceRequestId: id } : { token: token! }),
      ...(notice !== undefined ? { serviceNotice: notice } : {}),
      ...(account !== undefined ? { accountId: account } : {}),
    };
  }

  /** GET tokens/{token}: the service_request_id once the server has assigned one. */
  async resolveToken(token: string, signal: AbortSignal): Promise<string | undefined> {
    const doc = await this.get(`tokens/${encodeURIComponent(token)}`, {}, signal);
    return reference(listFrom(doc, 'service_requests', 'request')[0]?.service_request_id);
  }

  /** GET requests/{id}, with the api_key: servers that hide status notes and descriptions from the public show them to their clients. */
  async request(id: string, signal: AbortSignal): Promise<Open311ServiceRequest | undefined> {
    const found = listFrom(
      await this.get(`requests/${encodeURIComponent(id)}`, { api_key: this.options.apiKey }, signal),
      'service_requests',
      'request',
    ).map(toRequest);
    return found.find((r) => r.serviceRequestId === id) ?? found[0];
  }

  /** mySociety GET servicerequestupdates between two instants. */
  async updates(start: string, end: string, signal: AbortSignal): Promise<{ updates: Open311Update[]; skipped: number }> {
    const doc = await this.get('servicerequestupdates', { start_date: start, end_date: end, api_key: this.options.apiKey }, signal);
    // One unreadable update must not hold back the rest for ever: it is skipped (and counted).
    const updates: Open311Update[] = [];
    let skipped = 0;
    for (const item of listFrom(doc, 'service_request_updates', 'request_update')) {
      try {
        updates.push(toUpdate(item));
      } catch {
        skipped++;
      }
    }
    return { updates, skipped };
  }
}
