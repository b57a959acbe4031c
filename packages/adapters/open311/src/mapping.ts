import { CASE_STATUSES, type CaseStatus, type StatusUpdate, type StreetReport, type WasteMissedCollection } from '@lgx/core';
import type { FormValue } from './open311-api';
import type { Open311Update } from './types';

/** What the adapter needs to build a POST requests body. */
export interface FormOptions {
  /** Canonical key -> service_code, most specific first (stack mapping table, then config). */
  serviceCode: (keys: string[], fallback: string) => string;
  idempotencyAttribute: string;
  idempotencyKey: string | undefined;
  sendAddressId: boolean;
  mediaUrls: 'first' | 'all';
}

export interface BuiltRequest {
  form: Record<string, FormValue>;
  /** Inline attachments that Open311 cannot carry (media_url only takes URLs). */
  skippedMedia: number;
}

type Attributes = NonNullable<StreetReport['attributes']>;
type Location = StreetReport['location'];
type Requester = NonNullable<StreetReport['requester']>;
type Media = NonNullable<StreetReport['media']>;

function setAttribute(form: Record<string, FormValue>, code: string, value: Attributes[string] | undefined): void {
  if (value === undefined) return;
  // multivaluelist answers repeat `attribute[code][]`, as Open311 form encoding does for lists.
  if (Array.isArray(value)) form[`attribute[${code}][]`] = value.map(String);
  else form[`attribute[${code}]`] = String(value);
}

function addressString(a: NonNullable<Location['address']>): string {
  return [a.saon, [a.paon, a.street].filter(Boolean).join(' '), a.locality, a.town, a.postcode]
    .filter((p): p is string => typeof p === 'string' && p !== '')
    .join(', ');
}

function addRequester(form: Record<string, FormValue>, requester: Requester | undefined): void {
  const p = requester?.person;
  if (!p) return;
  if (p.email) form.email = p.email;
  if (p.givenName) form.first_name = p.givenName;
  if (p.familyName) form.last_name = p.familyName;
  if (p.phone) form.phone = p.phone;
}

function addMedia(form: Record<string, FormValue>, media: Media | undefined, mode: 'first' | 'all'): number {
  const urls = (media ?? []).flatMap((m) => (m.url ? [m.url] : []));
  if (urls.length) form.media_url = mode === 'all' ? urls : urls[0]!;
  return (media ?? []).length - urls.length;
}

function addLocation(form: Record<string, FormValue>, location: Location, options: FormOptions): void {
  if (location.wgs84) {
    form.lat = String(location.wgs84.lat);
    form.long = String(location.wgs84.lon);
  }
  if (location.address) form.address_string = addressString(location.address);
  const uprn = location.uprn ?? location.address?.uprn;
  if (uprn && options.sendAddressId) form.address_id = uprn;
  // Open311 needs lat/long, address_string or address_id: with only a USRN or grid reference, the
  // directions (or the identifier itself) become the address string; the numbers go as attributes.
  if (form.lat === undefined && form.address_string === undefined && form.address_id === undefined) {
    const usrn = location.usrn ?? location.address?.usrn;
    form.address_string =
      location.description ??
      (usrn
        ? `USRN ${usrn}`
        : location.bng
          ? `Grid reference ${location.bng.easting}, ${location.bng.northing}`
          : uprn
            ? `UPRN ${uprn}`
            : 'Location not given');
  }
  if (location.bng) {
    setAttribute(form, 'easting', location.bng.easting);
    setAttribute(form, 'northing', location.bng.northing);
  }
  setAttribute(form, 'usrn', location.usrn ?? location.address?.usrn);
  setAttribute(form, 'uprn', uprn);
  if (location.description && form.address_string !== location.description)
    setAttribute(form, 'location_description', location.description);
}

function finish(
  form: Record<string, FormValue>,
  attributes: Attributes | undefined,
  externalRefs: StreetReport['externalRefs'],
  options: FormOptions,
): void {
  const fms = externalRefs?.find((r) => r.system.toLowerCase() === 'fixmystreet');
  if (fms) setAttribute(form, 'fixmystreet_id', fms.reference);
  // The service's own questions last, so a channel's answer wins over a derived value.
  for (const [code, value] of Object.entries(attributes ?? {})) setAttribute(form, code, value);
  if (options.idempotencyAttribute && options.idempotencyKey !== undefined)
    form[`attribute[${options.idempotencyAttribute}]`] = options.idempotencyKey;
}

/** A street report as a POST requests body. */
export function streetReportForm(data: StreetReport, options: FormOptions): BuiltRequest {
  const form: Record<string, FormValue> = {
    service_code: data.serviceCode ?? options.serviceCode([`street.report:${data.kind}`, data.kind], data.kind),
    description: data.description,
  };
  addLocation(form, data.location, options);
  addRequester(form, data.requester);
  const skippedMedia = addMedia(form, data.media, options.mediaUrls);
  setAttribute(form, 'title', data.title);
  if (data.asset) {
    setAttribute(form, 'asset_id', data.asset.reference);
    setAttribute(form, 'asset_type', data.asset.type);
  }
  if (data.hazard !== undefined) setAttribute(form, 'hazard', data.hazard);
  finish(form, data.attributes, data.externalRefs, options);
  return { form, skippedMedia };
}

const REPORTS: Record<NonNullable<WasteMissedCollection['residentReport']>, string> = {
  not_emptied: 'The container was not emptied.',
  partly_emptied: 'The container was only partly emptied.',
  whole_street_missed: 'No container in the street was emptied.',
  disputes_crew_reason: 'The resident disputes the reason the crew recorded.',
};

/** A missed collection as a POST requests body: the property by UPRN (address_id), the details as attributes. */
export function missedCollectionForm(data: WasteMissedCollection, options: FormOptions): BuiltRequest {
  const service = data.service.replace(/_/g, ' ');
  const description = [
    `Missed ${service} collection on ${data.scheduledDate}.`,
    data.residentReport ? REPORTS[data.residentReport] : undefined,
    data.notes,
  ]
    .filter(Boolean)
    .join(' ');
  const form: Record<string, FormValue> = {
    service_code: options.serviceCode([`waste.missedCollection:${data.service}`, `missed_${data.service}`], `missed_${data.service}`),
    description: description.slice(0, 4000),
  };
  addLocation(form, { uprn: data.uprn }, options);
  addRequester(form, data.requester);
  const skippedMedia = addMedia(form, data.media, options.mediaUrls);
  setAttribute(form, 'service', data.service);
  setAttribute(form, 'service_id', data.serviceCode);
  setAttribute(form, 'collection_date', data.scheduledDate);
  if (data.container) {
    setAttribute(form, 'container_type', data.container.type);
    setAttribute(form, 'container_code', data.container.code);
    setAttribute(form, 'container_size_litres', data.container.sizeLitres);
    setAttribute(form, 'container_colour', data.container.colour);
  }
  setAttribute(form, 'resident_report', data.residentReport);
  setAttribute(form, 'container_presented', data.containerPresented);
  setAttribute(form, 'container_location', data.containerLocation);
  setAttribute(form, 'assisted_collection', data.assistedCollection);
  if (data.crewReason) {
    setAttribute(form, 'crew_reason', data.crewReason.code);
    setAttribute(form, 'crew_reason_detail', data.crewReason.detail);
    setAttribute(form, 'crew_reason_code', data.crewReason.externalCode);
  }
  finish(form, data.attributes, data.externalRefs, options);
  return { form, skippedMedia };
}

/** The mySociety extended statuses: the canonical case statuses are exactly these, by the same names. */
const EXTENDED_STATUSES: ReadonlySet<string> = new Set<string>(CASE_STATUSES);

/**
 * The canonical status for an Open311 status: the council's table first (by external_status_code,
 * then status), then the extended status of the same name (case-insensitive, spaces as
 * underscores), else `open` with the server's word kept as externalStatusCode.
 */
export function canonicalStatus(
  status: string,
  externalStatusCode: string | undefined,
  table: Readonly<Record<string, string>>,
): CaseStatus {
  for (const key of [externalStatusCode, status]) {
    if (key === undefined) continue;
    const mapped = Object.hasOwn(table, key) ? table[key] : undefined;
    if (mapped !== undefined && EXTENDED_STATUSES.has(mapped)) return mapped as CaseStatus;
  }
  const normal = status
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return EXTENDED_STATUSES.has(normal) ? (normal as CaseStatus) : 'open';
}

/** A service request update as a canonical status update. */
export function updateToStatus(u: Open311Update, table: Readonly<Record<string, string>>): StatusUpdate {
  return {
    externalRef: u.serviceRequestId,
    status: canonicalStatus(u.status, u.externalStatusCode, table),
    externalStatusCode: (u.externalStatusCode ?? u.status).slice(0, 100),
    updatedAt: u.updatedAt,
    source: 'open311',
    ...(u.updateId !== undefined ? { updateId: u.updateId.slice(0, 128) } : {}),
    ...(u.description !== undefined ? { description: u.description.slice(0, 4000) } : {}),
  };
}
