import { loadSchemas, parseId, pascal, type Json } from './schema-files';

/** Schemas whose types are written by hand in @lgx/core (types.ts, adapter-types.ts). */
const HANDWRITTEN = new Set(['envelope', 'adapter']);
const DEFS_ID = 'https://schemas.lgx.dev/defs/v1.json';

interface Named {
  name: string;
  schema: Json;
  base: string;
  doc: string;
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function docComment(text: string | undefined, tags: string[], indent: string): string {
  const lines: string[] = [];
  if (text) lines.push(...text.replace(/\*\//g, '*\\/').split('\n'));
  lines.push(...tags);
  if (lines.length === 0) return '';
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

function key(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

function tagsOf(schema: Json): string[] {
  const tags: string[] = [];
  if (schema['x-lgx-pii'] === true) tags.push('@pii personal data: redacted in logs, errors and audit');
  if (schema['x-lgx-secret'] === true) tags.push('@secret redacted everywhere');
  if (schema['x-lgx-deprecated'] === true) tags.push('@deprecated');
  return tags;
}

class Generator {
  /** absolute ref (id#pointer) -> type name */
  private readonly names = new Map<string, string>();
  readonly declarations: Named[] = [];

  constructor(private readonly schemas: Json[]) {
    for (const schema of schemas) {
      const id = String(schema.$id);
      const parsed = parseId(id);
      if (!parsed || HANDWRITTEN.has(parsed.type)) continue;
      const defs = isObj(schema.$defs) ? schema.$defs : {};
      const prefix = id === DEFS_ID ? '' : `${pascal(parsed.type)}${parsed.result ? 'Result' : ''}V${parsed.major}`;
      for (const [defName, def] of Object.entries(defs)) {
        const name = `${prefix}${pascal(defName)}`;
        this.names.set(`${id}#/$defs/${defName}`, name);
        this.declarations.push({ name, schema: def as Json, base: id, doc: '' });
      }
      if (id !== DEFS_ID) {
        this.names.set(`${id}#`, prefix);
        this.names.set(id, prefix);
        this.declarations.push({ name: prefix, schema, base: id, doc: String(schema.title ?? '') });
      }
    }
  }

  private refName(ref: string, base: string): string {
    const absolute = ref.startsWith('#') ? `${base}${ref}` : new URL(ref, base).href;
    const name = this.names.get(absolute) ?? this.names.get(absolute.replace(/#$/, ''));
    if (!name) throw new Error(`cannot name $ref '${ref}' from ${base}`);
    return name;
  }

  private onlyConstraints(schema: Json): boolean {
    const meaningful = Object.keys(schema).filter((k) => !['required', 'not', 'description', 'minProperties', 'maxProperties', '$comment'].includes(k));
    return meaningful.length === 0;
  }

  type(schema: unknown, base: string, indent: string, parent?: Json): string {
    if (schema === true || schema === undefined) return 'unknown';
    if (schema === false) return 'never';
    if (!isObj(schema)) return 'unknown';
    const parts: string[] = [];
    if (typeof schema.$ref === 'string') parts.push(this.refName(schema.$ref, base));
    if ('const' in schema) parts.push(JSON.stringify(schema.const));
    else if (Array.isArray(schema.enum)) parts.push(schema.enum.map((v) => JSON.stringify(v)).join(' | '));
    else {
      const t = schema.type;
      const types = Array.isArray(t) ? t : t === undefined ? [] : [t];
      const primitive = types
        .map((x) => {
          switch (x) {
            case 'string':
              return 'string';
            case 'integer':
            case 'number':
              return 'number';
            case 'boolean':
              return 'boolean';
            case 'null':
              return 'null';
            case 'array':
              return `Array<${this.type(schema.items, base, indent)}>`;
            case 'object':
              return this.object(schema, base, indent, parent);
            default:
              return 'unknown';
          }
        })
        .filter((x) => x !== 'unknown');
      if (primitive.length === 0 && (isObj(schema.properties) || isObj(schema.additionalProperties))) primitive.push(this.object(schema, base, indent, parent));
      if (primitive.length) parts.push(primitive.length > 1 ? `(${primitive.join(' | ')})` : primitive[0]!);
    }
    for (const keyword of ['anyOf', 'oneOf'] as const) {
      const branches = schema[keyword];
      if (!Array.isArray(branches)) continue;
      const context = isObj(schema.properties) ? schema : parent;
      const types = branches.filter((b) => isObj(b) && !this.onlyConstraints(b)).map((b) => this.branch(b as Json, base, indent, context));
      if (types.length) parts.push(`(${[...new Set(types)].join(' | ')})`);
    }
    if (Array.isArray(schema.allOf)) for (const b of schema.allOf) parts.push(this.type(b, base, indent, parent));
    if (parts.length === 0) return 'unknown';
    return parts.length === 1 ? parts[0]! : parts.join(' & ');
  }

  /** A branch of anyOf/oneOf: its own keywords, plus `required` names typed from the parent object. */
  private branch(schema: Json, base: string, indent: string, parent: Json | undefined): string {
    const own = this.type({ ...schema, required: undefined }, base, indent, parent);
    const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
    const ownProps = isObj(schema.properties) ? schema.properties : {};
    const parentProps = parent && isObj(parent.properties) ? parent.properties : {};
    const inner = `${indent}  `;
    const extra = required
      .filter((name) => !(name in ownProps) && name in parentProps)
      .map((name) => `${inner}${key(name)}: ${this.type(parentProps[name], base, inner)};`);
    if (isObj(schema.properties)) {
      // Own properties that the branch requires are required here.
      const props = Object.entries(ownProps).map(([name, sub]) => {
        const optional = required.includes(name) ? '' : '?';
        return `${inner}${key(name)}${optional}: ${this.type(sub, base, inner)};`;
      });
      return `{\n${[...props, ...extra].join('\n')}\n${indent}}`;
    }
    if (extra.length === 0) return own;
    const req = `{\n${extra.join('\n')}\n${indent}}`;
    return own === 'unknown' ? req : `${own} & ${req}`;
  }

  private object(schema: Json, base: string, indent: string, _parent?: Json): string {
    const props = isObj(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
    const inner = `${indent}  `;
    const lines: string[] = [];
    for (const [name, sub] of Object.entries(props)) {
      const subSchema = isObj(sub) ? sub : {};
      const doc = docComment(typeof subSchema.description === 'string' ? subSchema.description : undefined, tagsOf(subSchema), inner);
      lines.push(`${doc}${inner}${key(name)}${required.has(name) ? '' : '?'}: ${this.type(sub, base, inner, schema)};`);
    }
    if (isObj(schema.additionalProperties)) lines.push(`${inner}[key: string]: ${this.type(schema.additionalProperties, base, inner)};`);
    if (lines.length === 0) return schema.additionalProperties === false ? 'Record<string, never>' : 'Record<string, unknown>';
    return `{\n${lines.join('\n')}\n${indent}}`;
  }

  declaration(named: Named): string {
    const schema = named.schema;
    const description = [named.doc, typeof schema.description === 'string' ? schema.description : ''].filter(Boolean).join('\n\n');
    const doc = docComment(description || undefined, tagsOf(schema), '');
    return `${doc}export type ${named.name} = ${this.type(schema, named.base, '')};\n`;
  }
}

/** packages/core/src/generated/types.ts: TypeScript types for every canonical schema. */
export function generateTypes(): string {
  const schemas = loadSchemas();
  const gen = new Generator(schemas);
  const out: string[] = ['// Generated by `npm run generate` from packages/core/schemas. Do not edit.', ''];
  for (const named of gen.declarations) out.push(gen.declaration(named));

  const latest = new Map<string, { major: number; kind: string; result?: string }>();
  const versions = new Map<string, number[]>();
  for (const schema of schemas) {
    const parsed = parseId(String(schema.$id));
    const kind = schema['x-lgx-kind'];
    if (!parsed || parsed.result || (kind !== 'transaction' && kind !== 'query' && parsed.type !== 'receipt')) continue;
    versions.set(parsed.type, [...(versions.get(parsed.type) ?? []), parsed.major]);
    const prev = latest.get(parsed.type);
    if (!prev || parsed.major > prev.major) latest.set(parsed.type, { major: parsed.major, kind: String(kind ?? 'contract') });
  }
  for (const [type, { major, kind }] of latest) {
    const base = pascal(type);
    out.push(`/** ${type}, latest version (v${major}). */\nexport type ${base} = ${base}V${major};\n`);
    if (kind === 'query') out.push(`/** Result of the ${type} query, latest version (v${major}). */\nexport type ${base}Result = ${base}ResultV${major};\n`);
  }
  const byKind = (k: string) => [...latest].filter(([, v]) => v.kind === k).sort(([a], [b]) => a.localeCompare(b));
  const map = (name: string, doc: string, entries: [string, string][]) =>
    `/** ${doc} */\nexport interface ${name} {\n${entries.map(([k, v]) => `  ${JSON.stringify(k)}: ${v};`).join('\n')}\n}\n`;
  out.push(map('TransactionDataMap', 'Transaction type -> its data at the latest version.', byKind('transaction').map(([t]) => [t, pascal(t)])));
  out.push(
    map(
      'TransactionDataVersions',
      'Transaction type -> major version -> its data at that version.',
      byKind('transaction').map(([t]) => [t, `{ ${(versions.get(t) ?? []).sort().map((v) => `${v}: ${pascal(t)}V${v}`).join('; ')} }`]),
    ),
  );
  out.push(map('QueryParamsMap', 'Query type -> its parameters at the latest version.', byKind('query').map(([t]) => [t, pascal(t)])));
  out.push(map('QueryResultMap', 'Query type -> its result at the latest version.', byKind('query').map(([t]) => [t, `${pascal(t)}Result`])));
  out.push('/** Every canonical transaction type. */\nexport type TransactionType = keyof TransactionDataMap;\n');
  out.push('/** Every canonical query type. */\nexport type QueryType = keyof QueryParamsMap;\n');
  return out.join('\n');
}
