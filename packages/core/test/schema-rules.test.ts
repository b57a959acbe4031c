import { PROTOTYPE_KEYS, schemaRegistry, type JsonSchema } from '@lgx/core';

const registry = schemaRegistry();
const all = registry.entries();

type Visit = (node: JsonSchema, path: string, entry: (typeof all)[number]) => void;

function walk(node: unknown, path: string, entry: (typeof all)[number], visit: Visit): void {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
  const s = node as JsonSchema;
  visit(s, path, entry);
  for (const keyword of ['properties', '$defs', 'patternProperties'] as const) {
    const map = s[keyword];
    if (typeof map === 'object' && map !== null) for (const [k, v] of Object.entries(map)) walk(v, `${path}/${keyword}/${k}`, entry, visit);
  }
  // 'if' and 'not' are predicates over a value, not shapes of it: the closed-object rule does not apply inside them.
  for (const keyword of ['items', 'additionalProperties', 'then', 'else', 'propertyNames'] as const)
    walk(s[keyword], `${path}/${keyword}`, entry, visit);
  for (const keyword of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const) {
    const list = s[keyword];
    if (Array.isArray(list)) list.forEach((v, i) => walk(v, `${path}/${keyword}/${i}`, entry, visit));
  }
}

function collect(visit: (node: JsonSchema, path: string, id: string) => string | undefined): string[] {
  const problems: string[] = [];
  for (const entry of all) {
    walk(entry.schema, '', entry, (node, path) => {
      const problem = visit(node, path, entry.$id);
      if (problem) problems.push(`${entry.$id}#${path}: ${problem}`);
    });
  }
  return problems;
}

function propertyNames(): Array<{ id: string; path: string; name: string; schema: JsonSchema }> {
  const out: Array<{ id: string; path: string; name: string; schema: JsonSchema }> = [];
  collect((node, path, id) => {
    const props = node.properties;
    if (typeof props === 'object' && props !== null)
      for (const [name, schema] of Object.entries(props)) out.push({ id, path, name, schema: schema as JsonSchema });
    return undefined;
  });
  return out;
}

/** Payloads validated elsewhere: the envelope's data (against dataschema) and an adapter's config schema. */
const OPEN_BY_DESIGN = new Set([
  'https://schemas.lgx.dev/envelope/v1.json#/properties/data',
  'https://schemas.lgx.dev/adapter/v1.json#/properties/configSchema',
]);

describe('schema rules', () => {
  it('no property anywhere can hold a card number, CVV or expiry', () => {
    const card =
      /(card|pan).*(number|num|no)$|^pan$|primary.?account.?number|cvv|cvc|cv2|^csc$|security.?code|(card|exp).*(expir|month|year)|expiry.?(date|month|year)$|valid.?(to|thru|from)$/i;
    const hits = propertyNames().filter((p) => card.test(p.name));
    expect(hits.map((h) => `${h.id}${h.path}/${h.name}`)).toEqual([]);
  });

  it('bank details appear only in revenues.directDebitMandate, and are marked personal data', () => {
    const bank = /sort.?code|account.?number|^iban$|^bic$|bank.?account/i;
    const hits = propertyNames().filter((p) => bank.test(p.name));
    expect(hits.length).toBeGreaterThan(0);
    for (const h of hits) {
      expect([h.id, h.name]).toEqual(['https://schemas.lgx.dev/revenues.directDebitMandate/v1.json', h.name]);
      expect([h.name, h.schema['x-lgx-pii']]).toEqual([h.name, true]);
    }
  });

  it('fields that name a person or contact them carry x-lgx-pii (directly or through their definition)', () => {
    const personal =
      /^(email|emailAddress|phone|phoneNumber|mobile|givenName|familyName|fullName|surname|forename|payerName|accountHolderName|dateOfBirth|nationalInsuranceNumber|nino|addressLines|personalisation|cardholderName)$/;
    const isPii = (s: JsonSchema): boolean => {
      if (s['x-lgx-pii'] === true) return true;
      if (typeof s.$ref === 'string') {
        const m = /^(.*?)#\/\$defs\/(.+)$/.exec(s.$ref);
        const def = m
          ? (registry.getById('https://schemas.lgx.dev/defs/v1.json')?.schema.$defs as Record<string, JsonSchema> | undefined)?.[m[2]!]
          : undefined;
        return def?.['x-lgx-pii'] === true;
      }
      return false;
    };
    const unmarked = propertyNames().filter((p) => personal.test(p.name) && !isPii(p.schema));
    expect(unmarked.map((h) => `${h.id}${h.path}/${h.name}`)).toEqual([]);
  });

  it('every object is closed: additionalProperties false, or a bounded map with safe property names', () => {
    const problems = collect((node, path, id) => {
      const isObject = node.type === 'object' || typeof node.properties === 'object';
      if (!isObject || OPEN_BY_DESIGN.has(`${id}#${path}`)) return undefined;
      if (node.additionalProperties === false) return undefined;
      const names = node.propertyNames as JsonSchema | undefined;
      const refused = ((names?.not as JsonSchema | undefined)?.enum as string[] | undefined) ?? [];
      if (typeof node.maxProperties === 'number' && [...PROTOTYPE_KEYS].every((k) => refused.includes(k))) return undefined;
      return 'object is open: add "additionalProperties": false, or maxProperties and propertyNames refusing prototype keys';
    });
    expect(problems).toEqual([]);
  });

  it('every string and array is bounded, so the schema bounds the payload size', () => {
    const unbounded = /(\*|\+|\{\d+,\})/;
    const problems = collect((node, path) => {
      if (path.endsWith('/propertyNames')) return undefined;
      if (node.type === 'array' && typeof node.maxItems !== 'number') return 'array without maxItems';
      if (node.type !== 'string' || 'enum' in node || 'const' in node || typeof node.maxLength === 'number') return undefined;
      if (typeof node.format === 'string' && ['date', 'date-time', 'uuid', 'time'].includes(node.format)) return undefined;
      if (typeof node.pattern === 'string' && !unbounded.test(node.pattern.replace(/\\./g, '').replace(/\[[^\]]*\]/g, 'X')))
        return undefined;
      return 'string without maxLength (or a bounded pattern, format, enum or const)';
    });
    expect(problems).toEqual([]);
  });

  it('every type schema has a versioned $id, a title, a description of its sources, and LGX annotations', () => {
    for (const type of registry.types()) {
      for (const major of registry.versions(type)) {
        const entry = registry.get(type, major);
        expect(entry.$id).toBe(`https://schemas.lgx.dev/${type}/v${major}.json`);
        expect(entry.schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
        expect(entry.title.length).toBeGreaterThan(3);
        expect(entry.description.length).toBeGreaterThan(60);
        expect(Array.isArray(entry.schema['x-lgx-lgsl'])).toBe(true);
        expect(Array.isArray(entry.schema['x-lgx-lgil'])).toBe(true);
        if (entry.kind === 'query') expect(registry.resultOf(type, major).kind).toBe('result');
      }
    }
  });
});
