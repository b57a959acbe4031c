import type { Address, CrmContact, Person } from '@lgx/core';
import type { DataverseConfig } from './config';

/** preferredcontactmethodcode (MicrosoftDocs contact.md): 1 Any, 2 Email, 3 Phone, 4 Fax, 5 Mail. */
const CONTACT_METHOD: Readonly<Record<string, number>> = { no_preference: 1, email: 2, phone: 3, sms: 3, post: 5 };

/** address1_* / address2_* columns from a BS7666 address: up to three lines, city and postcode. */
function addressColumns(prefix: 'address1' | 'address2', address: Address): Record<string, string> {
  const building = /^[0-9]/.test(address.paon) ? [`${address.paon} ${address.street}`] : [address.paon, address.street];
  const lines = [address.saon, ...building, address.locality].filter((l): l is string => l !== undefined && l !== '');
  const out: Record<string, string> = {};
  // The third line takes whatever does not fit in the first two.
  lines.slice(0, 2).forEach((line, i) => (out[`${prefix}_line${i + 1}`] = line.slice(0, 250)));
  if (lines.length > 2) out[`${prefix}_line3`] = lines.slice(2).join(', ').slice(0, 250);
  out[`${prefix}_city`] = address.town.slice(0, 80);
  if (address.postcode) out[`${prefix}_postalcode`] = address.postcode;
  return out;
}

/** UK mobile numbers (07…, +447…) go to mobilephone, others to telephone1. */
function phoneColumn(phone: string): 'mobilephone' | 'telephone1' {
  return /^(\+44\s*7|07)/.test(phone.replace(/\s+/g, '')) ? 'mobilephone' : 'telephone1';
}

/** Contact columns for a person (names, e-mail, phone, birth date, main address). */
export function personColumns(person: Person, config: DataverseConfig): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (person.title) body.salutation = person.title;
  if (person.givenName) body.firstname = person.givenName.slice(0, 50);
  if (person.familyName) body.lastname = person.familyName.slice(0, 50);
  if (person.email) body.emailaddress1 = person.email;
  if (person.phone) body[phoneColumn(person.phone)] = person.phone;
  if (person.dateOfBirth) body.birthdate = person.dateOfBirth;
  if (person.address) {
    Object.assign(body, addressColumns('address1', person.address));
    if (config.contactColumns?.uprn && person.address.uprn) body[config.contactColumns.uprn] = person.address.uprn;
  }
  return body;
}

/**
 * The contact row for a canonical contact: the person, a correspondence address as address 2, the
 * preferred contact method, and the marketing e-mail consent as `donotbulkemail` (the latest choice for
 * marketing or newsletters by e-mail wins). Other addresses and consents have no standard column.
 */
export function contactRow(data: CrmContact, config: DataverseConfig): { body: Record<string, unknown>; unsent: number } {
  const body = personColumns(data.person, config);
  let unsent = 0;
  const correspondence = data.addresses?.find((a) => a.use === 'correspondence');
  if (correspondence) Object.assign(body, addressColumns('address2', correspondence.address));
  unsent += (data.addresses?.length ?? 0) - (correspondence ? 1 : 0);
  if (data.preferredContactMethod) body.preferredcontactmethodcode = CONTACT_METHOD[data.preferredContactMethod];
  const bulk = (data.consents ?? [])
    .filter((c) => (c.purpose === 'marketing' || c.purpose === 'newsletters') && (c.method === undefined || c.method === 'email'))
    .sort((a, b) => Date.parse(a.recordedAt) - Date.parse(b.recordedAt))
    .at(-1);
  if (bulk) body.donotbulkemail = !bulk.granted;
  unsent += (data.consents?.length ?? 0) - (bulk ? 1 : 0);
  if (config.contactColumns?.accountRef && data.accountRef) body[config.contactColumns.accountRef] = data.accountRef;
  if (config.contactColumns?.preferredLanguage && data.preferredLanguage)
    body[config.contactColumns.preferredLanguage] = data.preferredLanguage;
  return { body, unsent };
}
