import { PermanentError } from '@lgx/core';
import type { AlloyAttribute, AlloyItemWrite } from './alloy-api';
import type { SourcePlan, TypePlan } from './type-plan';

type Mappings = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** A value the council's mapping cannot write: permanent, naming the config path, never the value. */
function unwritable(source: SourcePlan, why: string): PermanentError {
  return new PermanentError(`the attribute mapping at ${source.path} ${why}`, { details: { mapping: source.path } });
}

function at(root: unknown, segments: readonly string[]): unknown {
  let node = root;
  for (const key of segments) {
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
}

function mapped(source: SourcePlan, value: unknown, mappings: Mappings): unknown {
  const table = source.table !== undefined ? mappings[source.table] : undefined;
  if (table === undefined && source.map === undefined) return value;
  const one = (v: unknown): unknown => {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return undefined;
    const key = String(v);
    if (table && Object.prototype.hasOwnProperty.call(table, key)) return table[key];
    if (source.map && Object.prototype.hasOwnProperty.call(source.map, key)) return source.map[key];
    return undefined;
  };
  if (Array.isArray(value)) {
    const out = value.map(one).filter((v) => v !== undefined);
    return out.length ? out : undefined;
  }
  return one(value);
}

function cut(text: string, max: number | undefined): string {
  return max !== undefined && text.length > max ? `${text.slice(0, Math.max(max - 1, 0))}…` : text;
}

function joined(parts: unknown[]): string | undefined {
  const text = parts.filter((p): p is string | number => (typeof p === 'string' && p.trim() !== '') || typeof p === 'number').join(', ');
  return text === '' ? undefined : text;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value in the attribute's format, or undefined when it has none; throws when it cannot be one. */
function formatted(source: SourcePlan, value: unknown): unknown {
  switch (source.format) {
    case 'json':
      return value;
    case 'text':
      if (typeof value === 'string') return cut(value, source.maxLength);
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number'))
        return cut(value.join(', '), source.maxLength);
      throw unwritable(source, 'takes an object as text: give it a format (addressText, personName or json) or point at a field inside it');
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : NaN;
      if (!Number.isFinite(n)) throw unwritable(source, 'takes a value that is not a number');
      return n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw unwritable(source, 'takes a value that is not true or false');
    case 'date':
      if (typeof value === 'string' && /^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(value)) return value.slice(0, 10);
      throw unwritable(source, 'takes a value that is not a date');
    case 'dateTime':
      if (typeof value === 'string' && /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) return `${value}T00:00:00Z`;
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return value;
      throw unwritable(source, 'takes a value that is not a date and time');
    case 'link': {
      const ids = Array.isArray(value) ? value : [value];
      if (!ids.every((id) => typeof id === 'string' && /^[A-Za-z0-9]{1,64}$/.test(id)))
        throw unwritable(source, 'takes a value that is not an item id (map it to one)');
      return ids;
    }
    case 'addressText':
      if (typeof value === 'string') return cut(value, source.maxLength);
      if (!isObject(value)) throw unwritable(source, 'takes a value that is not an address');
      return (
        cut(joined([value.saon, value.paon, value.street, value.locality, value.town, value.postcode]) ?? '', source.maxLength) || undefined
      );
    case 'personName': {
      if (typeof value === 'string') return cut(value, source.maxLength);
      if (!isObject(value)) throw unwritable(source, 'takes a value that is not a person');
      const name = [value.title, value.givenName, value.familyName].filter((p) => typeof p === 'string' && p !== '').join(' ');
      return name === '' ? undefined : cut(name, source.maxLength);
    }
  }
}

/** The value of one attribute for this transaction, or undefined to leave it out. */
export function attributeFor(source: SourcePlan, envelope: unknown, mappings: Mappings): unknown {
  let value: unknown;
  if (source.pointers === undefined) value = source.constant;
  else {
    for (const pointer of source.pointers) {
      value = at(envelope, pointer);
      if (present(value)) break;
    }
    if (present(value) && (source.map !== undefined || source.table !== undefined)) {
      value = mapped(source, value, mappings);
      if (!present(value) && source.required)
        throw unwritable(source, 'has no entry for the value of this transaction (add it to map or to the mapping table)');
    }
  }
  if (!present(value)) {
    if (source.required) throw unwritable(source, 'is required, and this transaction has no value for it');
    return undefined;
  }
  const out = formatted(source, value);
  if (!present(out) && source.required) throw unwritable(source, 'is required, and this transaction has no value for it');
  return present(out) ? out : undefined;
}

/** A GeoJSON point ([lon, lat], WGS84) from data.location.wgs84, when the transaction has one. */
export function pointOf(data: unknown): { type: 'Point'; coordinates: [number, number] } | undefined {
  const wgs84 = at(data, ['location', 'wgs84']);
  if (!isObject(wgs84) || typeof wgs84.lat !== 'number' || typeof wgs84.lon !== 'number') return undefined;
  return { type: 'Point', coordinates: [wgs84.lon, wgs84.lat] };
}

/** The `POST item` body for a transaction: the design, every mapped attribute, the LGX id, geometry and parents. */
export function itemFor(plan: TypePlan, envelope: { id: string; data: unknown }, mappings: Mappings): AlloyItemWrite {
  const attributes: AlloyAttribute[] = [{ attributeCode: plan.transactionIdAttribute, value: envelope.id }];
  for (const source of plan.sources) {
    const value = attributeFor(source, envelope, mappings);
    if (value !== undefined) attributes.push({ attributeCode: source.attributeCode, value });
  }
  if (plan.geometry) {
    const point = pointOf(envelope.data);
    if (point) attributes.push({ attributeCode: plan.geometry.attributeCode, value: point });
    else if (plan.geometry.required) {
      throw new PermanentError(
        `the design at ${plan.path} requires a geometry, and this transaction has no WGS84 coordinates (data.location.wgs84)`,
        { details: { mapping: `${plan.path}/geometry` } },
      );
    }
  }
  return {
    designCode: plan.designCode,
    attributes,
    ...(plan.parents ? { parents: structuredClone(plan.parents) as Record<string, string[]> } : {}),
  };
}
