import { createHash } from 'node:crypto';
import { FINAL_CASE_STATUSES, schemaRegistry, type LgxValidationError, type ValidationIssue } from '@lgx/core';
import type { StoredStatusUpdate, StoredTransaction } from '@lgx/runtime';
import { Open311Error, type Open311Element } from './open311-format';
import { one, type Open311Form } from './open311-form';
import type { Open311FacadeService } from './open311-model';

/** Canonical statuses that a plain GeoReport v2 client sees as `closed` (core's final ones); every other one is `open`. */
const CLOSED: ReadonlySet<string> = new Set(FINAL_CASE_STATUSES);

export function baseStatus(status: string | undefined): 'open' | 'closed' {
  return status !== undefined && CLOSED.has(status) ? 'closed' : 'open';
}

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Open311Error(400, `${name} must be a number`);
  return parsed;
}

/** Checks the answers against the service definition: required ones given, list answers among the keys. */
function checkAttributes(service: Open311FacadeService, form: Open311Form): void {
  for (const attribute of service.attributes ?? []) {
    const answers = form.attributes.get(attribute.code)?.filter((a) => a.trim() !== '') ?? [];
    if (attribute.required && attribute.variable !== false && answers.length === 0 && attribute.automated === undefined) {
      throw new Open311Error(400, `attribute[${attribute.code}] is required for service ${service.code}`);
    }
    if (answers.length > 1 && attribute.datatype !== 'multivaluelist')
      throw new Open311Error(400, `attribute[${attribute.code}] takes one value`);
    for (const answer of answers) {
      if (
        (attribute.datatype === 'singlevaluelist' || attribute.datatype === 'multivaluelist') &&
        !Object.prototype.hasOwnProperty.call(attribute.values ?? {}, answer)
      ) {
        throw new Open311Error(400, `attribute[${attribute.code}] must be one of the service definition's value keys`);
      }
      if (attribute.datatype === 'number' && !Number.isFinite(Number(answer)))
        throw new Open311Error(400, `attribute[${attribute.code}] must be a number`);
      if (attribute.datatype === 'datetime' && Number.isNaN(Date.parse(answer)))
        throw new Open311Error(400, `attribute[${attribute.code}] must be an ISO-8601 date-time`);
    }
  }
}

/**
 * The idempotency key of an Open311 POST. Open311 has none, so: FixMyStreet's report id when sent
 * (`attribute[fixmystreet_id]`), else a hash of every field but the API key, so a client that retries
 * the same POST after a lost response gets the same service_request_id.
 */
export function idempotencyKeyOf(form: Open311Form): string {
  const fms = form.attributes.get('fixmystreet_id')?.[0];
  // With the service code: FMS re-sends a report it moved to another category, and that is a new request.
  if (fms && /^[A-Za-z0-9_-]{1,64}$/.test(fms)) return `open311:fixmystreet:${fms}:${one(form, 'service_code') ?? ''}`;
  const fields = [...form.params.entries()].filter(([name]) => name !== 'api_key').map(([k, v]) => `p:${k}=${v.join('\u0000')}`);
  fields.push(...[...form.attributes.entries()].map(([k, v]) => `a:${k}=${v.join('\u0000')}`));
  return `open311:${createHash('sha256').update(fields.sort().join('\n')).digest('hex').slice(0, 40)}`;
}

/** street.report fields an attribute fills in a place of their own (the location, the asset). */
const STREET_SPECIAL = new Set(['uprn', 'usrn', 'title', 'assetReference', 'hazard']);

/** Follows a `$ref` inside the canonical schemas (local `#/$defs/...` or another file's). */
function deref(node: Record<string, unknown> | undefined, baseId: string): { node: Record<string, unknown> | undefined; baseId: string } {
  let current = node;
  let base = baseId;
  for (let hops = 0; current && typeof current.$ref === 'string' && hops < 5; hops += 1) {
    const url = new URL(current.$ref, base);
    const [file, pointer = ''] = url.href.split('#');
    const root = schemaRegistry().getById(file!)?.schema as Record<string, unknown> | undefined;
    current = pointer
      .split('/')
      .filter(Boolean)
      .reduce<Record<string, unknown> | undefined>((n, part) => n?.[part] as Record<string, unknown> | undefined, root);
    base = file!;
  }
  return { node: current, baseId: base };
}

/** The canonical schema of the field at a dotted path of a type, or undefined when there is none. */
function propertyOf(type: string, path: string): Record<string, unknown> | undefined {
  const entry = schemaRegistry().get(type);
  let node: Record<string, unknown> | undefined = entry.schema as Record<string, unknown>;
  let base = entry.$id;
  for (const part of path.split('.')) {
    ({ node, baseId: base } = deref(node, base));
    const properties = node?.properties as Record<string, Record<string, unknown>> | undefined;
    node = properties && Object.prototype.hasOwnProperty.call(properties, part) ? properties[part] : undefined;
    if (!node) return undefined;
  }
  return { ...(deref(node, base).node ?? {}), ...(typeof node?.$ref === 'string' ? { $ref: node.$ref } : {}) };
}

function hasField(type: string, field: string): boolean {
  return propertyOf(type, field) !== undefined;
}

function datatypeOf(service: Open311FacadeService, path: string): string | undefined {
  return service.attributes?.find((a) => a.field === path)?.datatype;
}

/**
 * An answer as the canonical field wants it: a number or a boolean where the schema says so, a date cut
 * from a date-time; text otherwise. The schema checks the result when the transaction is submitted.
 */
function coerce(type: string, path: string, value: string, datatype: string | undefined): unknown {
  const property = propertyOf(type, path);
  if (property?.type === 'boolean') return ['true', 'yes', '1', 'y'].includes(value.toLowerCase());
  if (property?.type === 'integer' || property?.type === 'number' || datatype === 'number') return Number(value);
  if (typeof property?.$ref === 'string' && property.$ref.endsWith('/date') && value.length > 10) return value.slice(0, 10);
  return value;
}

/** Sets `a.b.c` in `target`, making objects on the way (segments are plain identifiers, checked by the stack schema). */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  let node = target;
  for (const segment of segments.slice(0, -1)) {
    if (segment === '__proto__' || segment === 'constructor' || segment === 'prototype') return;
    const next = Object.prototype.hasOwnProperty.call(node, segment) ? node[segment] : undefined;
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  const last = segments[segments.length - 1]!;
  if (last !== '__proto__' && last !== 'constructor' && last !== 'prototype') node[last] = value;
}

/**
 * The canonical data of an Open311 service request: `street.report` or `waste.missedCollection` as the
 * service says. Attributes with a `field` fill that canonical field; the others are kept in
 * `data.attributes`. Validation of the result is the schema's job (the caller submits it).
 */
export function requestToData(service: Open311FacadeService, form: Open311Form): Record<string, unknown> {
  checkAttributes(service, form);
  const fields = new Map<string, string>();
  const attributes: Record<string, string | number | boolean> = {};
  for (const [code, answers] of form.attributes) {
    const definition = service.attributes?.find((a) => a.code === code);
    const value = answers.join(',');
    if (definition?.field) fields.set(definition.field, value);
    else if (/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(code) && value !== '')
      attributes[code] = definition?.datatype === 'number' ? Number(value) : value.slice(0, 1000);
  }
  const mediaUrl = one(form, 'media_url');
  if (mediaUrl) attributes.media_url = mediaUrl.slice(0, 1000);

  const person: Record<string, string> = {};
  const givenName = one(form, 'first_name');
  const familyName = one(form, 'last_name');
  const email = one(form, 'email');
  const phone = one(form, 'phone');
  if (givenName) person.givenName = givenName;
  if (familyName) person.familyName = familyName;
  if (email) person.email = email;
  if (phone) person.phone = phone;
  const requester = Object.keys(person).length ? { person } : undefined;
  const fms = form.attributes.get('fixmystreet_id')?.[0];
  const externalRefs = fms ? [{ system: 'fixmystreet', reference: fms }] : undefined;
  const uprn = fields.get('uprn') ?? one(form, 'address_id');
  const description = one(form, 'description');
  const extra = {
    ...(Object.keys(attributes).length ? { attributes } : {}),
    ...(requester ? { requester } : {}),
    ...(externalRefs ? { externalRefs } : {}),
  };

  if (service.type !== 'street.report') {
    const data: Record<string, unknown> = {
      ...structuredClone(service.data ?? {}),
      ...(service.service !== undefined ? { service: service.service } : {}),
      uprn,
    };
    if (hasField(service.type, 'serviceCode')) data.serviceCode = service.code;
    if (description) data.notes = description;
    for (const [path, value] of fields)
      if (path !== 'uprn') setPath(data, path, coerce(service.type, path, value, datatypeOf(service, path)));
    return { ...data, ...extra };
  }

  const lat = number(one(form, 'lat'), 'lat');
  const lon = number(one(form, 'long'), 'long');
  const easting = number(form.attributes.get('easting')?.[0], 'attribute[easting]');
  const northing = number(form.attributes.get('northing')?.[0], 'attribute[northing]');
  if ((lat === undefined) !== (lon === undefined)) throw new Open311Error(400, 'lat and long go together');
  const location: Record<string, unknown> = {};
  if (lat !== undefined && lon !== undefined) location.wgs84 = { lat, lon };
  if (easting !== undefined && northing !== undefined) location.bng = { easting, northing };
  if (uprn) location.uprn = uprn;
  if (fields.get('usrn')) location.usrn = fields.get('usrn');
  const addressString = one(form, 'address_string');
  if (addressString) location.description = addressString.slice(0, 255);
  if (!location.wgs84 && !location.bng && !location.uprn && !location.usrn) {
    throw new Open311Error(400, 'a location is required: lat and long, or address_id (a UPRN); address_string alone cannot be placed');
  }
  const hazard = fields.get('hazard');
  const data: Record<string, unknown> = { ...structuredClone(service.data ?? {}) };
  for (const [path, value] of fields)
    if (!STREET_SPECIAL.has(path)) setPath(data, path, coerce(service.type, path, value, datatypeOf(service, path)));
  return {
    ...data,
    kind: service.kind ?? data.kind,
    serviceCode: service.code,
    ...(fields.get('title') ? { title: fields.get('title') } : {}),
    description: description ?? fields.get('title') ?? service.name,
    location,
    ...(fields.get('assetReference') ? { asset: { reference: fields.get('assetReference') } } : {}),
    ...(hazard !== undefined ? { hazard: ['true', 'yes', '1', 'y'].includes(hazard.toLowerCase()) } : {}),
    ...extra,
  };
}

/** Canonical paths an Open311 client knows by another name. */
const FIELD_NAMES: Array<[RegExp, string]> = [
  [/^\/data\/requester\/person\/email\b/, 'email'],
  [/^\/data\/requester\/person\/phone\b/, 'phone'],
  [/^\/data\/requester\/person\/givenName\b/, 'first_name'],
  [/^\/data\/requester\/person\/familyName\b/, 'last_name'],
  [/^\/data\/location\/wgs84\/lat\b/, 'lat'],
  [/^\/data\/location\/wgs84\/lon\b/, 'long'],
  [/^\/data\/location\/bng\/easting\b/, 'attribute[easting]'],
  [/^\/data\/location\/bng\/northing\b/, 'attribute[northing]'],
  [/^\/data\/location\/description\b/, 'address_string'],
  [/^\/data\/(description|notes)\b/, 'description'],
];

/**
 * The Open311 field a validation issue is about (`/data/requester/person/email` -> `email`,
 * `/data/uprn` -> `attribute[uprn]` when an attribute fills that field), so a client's error names what
 * it sent; the canonical path is kept in brackets.
 */
export function open311IssueText(service: Open311FacadeService, issue: { path: string; message: string }): string {
  const path = issue.path || '/';
  let field = FIELD_NAMES.find(([pattern]) => pattern.test(path))?.[1];
  const attribute = /^\/data\/attributes\/([^/]+)/.exec(path)?.[1];
  if (attribute !== undefined) field = `attribute[${attribute}]`;
  const under = (prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
  const mapped = service.attributes?.find(
    (a) => a.field !== undefined && (under(`/data/${a.field}`) || under(`/data/location/${a.field}`)),
  );
  if (mapped) field = `attribute[${mapped.code}]`;
  else if (under('/data/uprn') || under('/data/location/uprn')) field = 'address_id';
  return field ? `${field} ${issue.message} (${path})` : `${path} ${issue.message}`;
}

/** How many issues an Open311 error description names; the rest are counted. */
const ISSUES_NAMED = 10;

/** An Open311 error description for a validation error: the first issues, and how many more there were. */
export function invalidRequestText(error: LgxValidationError, describe: (issue: ValidationIssue) => string): string {
  const named = error.issues.slice(0, ISSUES_NAMED);
  const more = error.issueCount - named.length;
  return `the request is not valid: ${named.map(describe).join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`;
}

/** One `request` element of GET requests: what a GeoReport v2 client sees of a transaction. */
export function requestElement(
  transaction: StoredTransaction,
  services: readonly Open311FacadeService[],
  latest: StoredStatusUpdate | undefined,
  withText: boolean,
): Open311Element {
  const data = (transaction.envelope?.data ?? {}) as Record<string, unknown>;
  // Types without a serviceCode field (a container request) are known by their service when only one takes the type.
  const sameType = services.filter((s) => s.type === transaction.type);
  const code = typeof data.serviceCode === 'string' ? data.serviceCode : sameType.length === 1 ? sameType[0]!.code : undefined;
  const service = services.find((s) => s.code === code);
  const location = (data.location ?? {}) as { wgs84?: { lat: number; lon: number }; uprn?: string; description?: string };
  const uprn = location.uprn ?? (typeof data.uprn === 'string' ? data.uprn : undefined);
  const text = typeof data.description === 'string' ? data.description : typeof data.notes === 'string' ? data.notes : undefined;
  // Every field GeoReport v2 lists is present: one LGX has no value for (or keeps from a key without
  // the personal-data scope) is an empty element, as clients that read fixed fields expect.
  return {
    service_request_id: transaction.id,
    status: baseStatus(latest?.update.status),
    status_notes: (withText ? latest?.update.description : undefined) ?? '',
    service_name: service?.name ?? '',
    service_code: code ?? '',
    description: (withText ? text : undefined) ?? '',
    agency_responsible: '',
    service_notice: '',
    requested_datetime: transaction.createdAt,
    updated_datetime: latest?.update.updatedAt ?? transaction.createdAt,
    expected_datetime: '',
    address: (withText ? location.description : undefined) ?? '',
    // A UPRN is a property: for a missed bin, the resident's home. Like the address, only with a key.
    address_id: (withText ? uprn : undefined) ?? '',
    zipcode: '',
    lat: location.wgs84?.lat ?? '',
    long: location.wgs84?.lon ?? '',
    media_url:
      typeof (data.attributes as Record<string, unknown> | undefined)?.media_url === 'string'
        ? String((data.attributes as Record<string, unknown>).media_url)
        : '',
  };
}

/** One `request_update` of mySociety's servicerequestupdates. */
export function updateElement(stored: StoredStatusUpdate, withText: boolean): Open311Element {
  return {
    update_id: String(stored.id),
    service_request_id: stored.transactionId,
    status: stored.update.status,
    updated_datetime: stored.update.updatedAt,
    description: withText ? (stored.update.description ?? '') : '',
    external_status_code: stored.update.externalStatusCode ?? '',
    media_url: '',
  };
}
