import type { Address, CrmCase } from '../generated/types';

/**
 * The facts of a canonical `crm.case` a CRM field or column can be filled from, in the order adapters
 * write them. A council maps each to a field of its own case table.
 */
export const CRM_CASE_FACTS = [
  'subject',
  'description',
  'caseType',
  'category',
  'priority',
  'channel',
  'status',
  'personName',
  'email',
  'phone',
  'lgsl',
  'lgil',
  'uprn',
  'usrn',
  'latitude',
  'longitude',
  'location',
  'externalRefs',
] as const;
export type CrmCaseFact = (typeof CRM_CASE_FACTS)[number];

/** The facts about the person reporting, for CRMs that hold them on a contact record rather than the case. */
export const CRM_CASE_PERSON_FACTS: ReadonlySet<CrmCaseFact> = new Set(['personName', 'email', 'phone']);

/** "Flat 2, 14 Mill Road, Cambridge, CB1 2AD": a BS7666 address on one line. */
export function addressLine(address: Address): string {
  const building = /^[0-9]/.test(address.paon) ? `${address.paon} ${address.street}` : `${address.paon}, ${address.street}`;
  return [address.saon, building, address.locality, address.town, address.postcode].filter((p) => p !== undefined && p !== '').join(', ');
}

function text(parts: Array<string | undefined>, separator: string): string | undefined {
  const joined = parts.filter((p) => p !== undefined && p !== '').join(separator);
  return joined === '' ? undefined : joined;
}

/**
 * Each fact of a case as one text or number, `undefined` where the case has none: the person's name
 * on one line, the location's UPRN/USRN from the location or its address, the address and description
 * as one text, external references as `system:reference` joined by `; `. Lengths are the back office's
 * business: adapters cut or refuse what their columns cannot hold.
 */
export function crmCaseFacts(data: CrmCase): Record<CrmCaseFact, string | number | undefined> {
  const person = data.contact?.person;
  const where = data.location;
  return {
    subject: data.subject,
    description: data.description,
    caseType: data.caseType,
    category: data.category,
    priority: data.priority,
    channel: data.channel,
    status: data.status,
    personName: text([person?.title, person?.givenName, person?.familyName], ' '),
    email: person?.email,
    phone: person?.phone,
    lgsl: data.lgsl,
    lgil: data.lgil,
    uprn: where?.uprn ?? where?.address?.uprn,
    usrn: where?.usrn ?? where?.address?.usrn,
    latitude: where?.wgs84?.lat,
    longitude: where?.wgs84?.lon,
    location: where === undefined ? undefined : text([where.address ? addressLine(where.address) : undefined, where.description], '; '),
    externalRefs: text(
      (data.externalRefs ?? []).map((r) => `${r.system}:${r.reference}`),
      '; ',
    ),
  };
}
