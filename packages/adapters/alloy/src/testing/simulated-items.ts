import { randomBytes } from 'node:crypto';
import type { ExampleAttribute, ExampleDesign } from '../example-designs';

/** An item as the simulator keeps it (plain data, so a state folder can hold it). */
export interface SimulatedItem {
  itemId: string;
  designCode: string;
  collection: string;
  /** attribute code -> value. */
  attributes: Record<string, unknown>;
  parents: Record<string, string[]>;
  signature: string;
  createdDate: string;
  lastEditDate: string;
  log: Array<{ action: 'Create' | 'Edit'; date: string; username: string }>;
}

/** A refusal with Alloy's error body (`errorCode`, `errorCodeString`, `debugErrorMessage`). */
export class AlloyRefusal extends Error {
  constructor(
    readonly status: number,
    readonly codeString: string,
    readonly debug: string,
  ) {
    super(debug);
  }

  body(): { errorCode: number; errorCodeString: string; debugErrorMessage: string } {
    return { errorCode: 1001 + ERROR_NUMBERS.indexOf(this.codeString), errorCodeString: this.codeString, debugErrorMessage: this.debug };
  }
}

/** The error names the simulator uses (its own: Alloy's full list is not published in what we could read). */
const ERROR_NUMBERS = [
  'InvalidApiKey',
  'TooManyRequests',
  'ItemNotFound',
  'DesignNotFound',
  'AttributeNotInDesign',
  'RequiredAttributeMissing',
  'InvalidAttributeValue',
  'LinkedItemNotFound',
  'ItemSignatureMismatch',
  'InvalidAqs',
  'InvalidRequest',
];

export const newId = (): string => randomBytes(12).toString('hex');

/** Text values of an item, for the attribute index (code + value -> items). */
export const indexKey = (code: string, value: string): string => `${code}\u0000${value}`;

const shown = (value: unknown): string => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
};

function checkGeometry(code: string, value: unknown): void {
  const g = value as { type?: unknown; coordinates?: unknown } | null;
  const c = g?.coordinates;
  if (
    typeof g !== 'object' ||
    g === null ||
    g.type !== 'Point' ||
    !Array.isArray(c) ||
    c.length !== 2 ||
    typeof c[0] !== 'number' ||
    typeof c[1] !== 'number'
  ) {
    throw new AlloyRefusal(400, 'InvalidAttributeValue', `Attribute ${code} must be a GeoJSON Point with coordinates [lon, lat]`);
  }
  if (c[0] < -180 || c[0] > 180 || c[1] < -90 || c[1] > 90)
    throw new AlloyRefusal(400, 'InvalidAttributeValue', `Attribute ${code} has coordinates outside WGS84 [lon, lat] ranges`);
}

/**
 * Checks one attribute value against its definition, as a design would: type, length, links to items
 * that exist (in the linked design) and files that were uploaded. The message quotes the value, as
 * vendors' messages often do (which is why the adapter masks personal data in errors).
 */
export function checkValue(
  attribute: ExampleAttribute,
  value: unknown,
  exists: (itemId: string, designCode: string | undefined) => boolean,
  fileExists: (id: string) => boolean,
): void {
  const bad = (why: string) =>
    new AlloyRefusal(400, 'InvalidAttributeValue', `Value '${shown(value)}' of attribute ${attribute.code} ${why}`);
  if (value === null) return;
  switch (attribute.type) {
    case 'Text':
      if (typeof value !== 'string') throw bad('must be a string');
      if (attribute.maxLength !== undefined && value.length > attribute.maxLength)
        throw bad(`is longer than ${attribute.maxLength} characters`);
      return;
    case 'Number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad('must be a number');
      return;
    case 'Boolean':
      if (typeof value !== 'boolean') throw bad('must be true or false');
      return;
    case 'Date':
      if (typeof value !== 'string' || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) throw bad('must be a date (yyyy-mm-dd)');
      return;
    case 'DateTime':
      if (typeof value !== 'string' || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}T/.test(value) || Number.isNaN(Date.parse(value)))
        throw bad('must be an ISO 8601 date and time');
      return;
    case 'Geometry':
      return checkGeometry(attribute.code, value);
    case 'Link':
    case 'Files': {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw bad('must be a list of item ids');
      for (const id of value as string[]) {
        const ok = attribute.type === 'Files' ? fileExists(id) : exists(id, attribute.linkTo);
        if (!ok)
          throw new AlloyRefusal(
            400,
            'LinkedItemNotFound',
            `Item ${shown(id)} linked in attribute ${attribute.code} does not exist${attribute.linkTo ? ` in ${attribute.linkTo}` : ''}`,
          );
      }
      return;
    }
  }
}

/** Checks a whole attribute list for a design (codes known, no repeats, required ones present on create). */
export function checkAttributes(
  design: ExampleDesign,
  attributes: unknown,
  creating: boolean,
  exists: (itemId: string, designCode: string | undefined) => boolean,
  fileExists: (id: string) => boolean,
): Record<string, unknown> {
  if (!Array.isArray(attributes)) throw new AlloyRefusal(400, 'InvalidRequest', 'attributes must be a list of {attributeCode, value}');
  const out: Record<string, unknown> = {};
  for (const entry of attributes as Array<{ attributeCode?: unknown; value?: unknown }>) {
    const code = entry?.attributeCode;
    if (typeof code !== 'string') throw new AlloyRefusal(400, 'InvalidRequest', 'every attribute needs an attributeCode');
    const definition = design.attributes.find((a) => a.code === code);
    if (!definition)
      throw new AlloyRefusal(400, 'AttributeNotInDesign', `Attribute ${shown(code)} is not an attribute of design ${design.code}`);
    if (Object.prototype.hasOwnProperty.call(out, code)) throw new AlloyRefusal(400, 'InvalidRequest', `Attribute ${code} is given twice`);
    checkValue(definition, entry.value, exists, fileExists);
    Object.defineProperty(out, code, { value: entry.value, enumerable: true, writable: true, configurable: true });
  }
  if (creating) {
    const missing = design.attributes
      .filter((a) => a.required && (out[a.code] === undefined || out[a.code] === null || out[a.code] === ''))
      .map((a) => a.code);
    if (missing.length)
      throw new AlloyRefusal(
        400,
        'RequiredAttributeMissing',
        `Required attribute(s) ${missing.join(', ')} missing for design ${design.code}`,
      );
  }
  return out;
}

/** The item as Alloy answers with it: no lastEditDate or createdDate in the body (read the item log). */
export function itemResource(item: SimulatedItem): Record<string, unknown> {
  return {
    itemId: item.itemId,
    designCode: item.designCode,
    collection: item.collection,
    icon: 'icon-circle',
    colour: '#3f51b5',
    locked: false,
    context: 'Customer',
    attributes: Object.entries(item.attributes).map(([attributeCode, value]) => ({ attributeCode, value })),
    signature: item.signature,
  };
}
