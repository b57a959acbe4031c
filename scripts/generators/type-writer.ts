import type { Json } from './schema-files';

/** A schema to declare as an exported type. */
export interface Named {
  name: string;
  schema: Json;
  base: string;
  doc: string;
}

export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function docComment(text: string | undefined, tags: string[], indent: string): string {
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

/** A subschema that gives a value a type (rather than only constraining one). */
const isShape = (b: unknown): b is Json => isObj(b) && ('type' in b || isObj(b.properties) || typeof b.$ref === 'string');

/** A `then` branch, with what its `if` required: the branch applies only to values that have those. */
function withIfRequired(condition: Json, then: Json): Json {
  const required = [
    ...(Array.isArray(then.required) ? then.required : []),
    ...(Array.isArray(condition.required) ? condition.required : []),
  ];
  return required.length ? { ...then, required: [...new Set(required)] } : then;
}

/** `{ if, then }` without `else`: applies `then` only to values the `if` matches. */
const isConditional = (b: unknown): b is Json => isObj(b) && isObj(b.if) && isObj(b.then) && !('else' in b);

export interface TypeWriterOptions {
  /** Subschemas (by object identity) with a type name of their own, written in their place wherever they occur. */
  named?: ReadonlyMap<object, string>;
  /** `enum` lists (by identity) written as a named type. */
  enums?: ReadonlyMap<object, string>;
  /**
   * anyOf/oneOf branches that only require properties (`oneOf: [{ required: ['a'] }, { required: ['b'] }]`)
   * become a union of shapes with those properties present; without this they are left out.
   */
  requiredBranches?: boolean;
}

/** Writes TypeScript types for JSON Schemas; `refName` names a `$ref`. */
export class TypeWriter {
  private readonly named: ReadonlyMap<object, string>;
  private readonly enums: ReadonlyMap<object, string>;

  constructor(
    private readonly refName: (ref: string, base: string) => string,
    private readonly options: TypeWriterOptions = {},
  ) {
    this.named = options.named ?? new Map();
    this.enums = options.enums ?? new Map();
  }

  /** Whether an anyOf/oneOf branch says something about the value's type. */
  private typedBranch(schema: unknown): schema is Json {
    if (!isObj(schema)) return false;
    return !this.onlyConstraints(schema) || (this.options.requiredBranches === true && Array.isArray(schema.required));
  }

  private onlyConstraints(schema: Json): boolean {
    const meaningful = Object.keys(schema).filter(
      (k) => !['required', 'not', 'description', 'minProperties', 'maxProperties', '$comment'].includes(k),
    );
    return meaningful.length === 0;
  }

  type(schema: unknown, base: string, indent: string, parent?: Json): string {
    if (schema === true || schema === undefined) return 'unknown';
    if (schema === false) return 'never';
    if (!isObj(schema)) return 'unknown';
    const name = this.named.get(schema);
    if (name) return name;
    return this.inline(schema, base, indent, parent);
  }

  private inline(schema: Json, base: string, indent: string, parent?: Json): string {
    const parts: string[] = [];
    if (typeof schema.$ref === 'string') parts.push(this.refName(schema.$ref, base));
    if ('const' in schema) parts.push(JSON.stringify(schema.const));
    else if (Array.isArray(schema.enum)) parts.push(this.enums.get(schema.enum) ?? schema.enum.map((v) => JSON.stringify(v)).join(' | '));
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
      if (primitive.length === 0 && (isObj(schema.properties) || isObj(schema.additionalProperties)))
        primitive.push(this.object(schema, base, indent, parent));
      if (primitive.length) parts.push(primitive.length > 1 ? `(${primitive.join(' | ')})` : primitive[0]!);
    }
    for (const keyword of ['anyOf', 'oneOf'] as const) {
      const branches = schema[keyword];
      if (!Array.isArray(branches)) continue;
      const context = isObj(schema.properties) ? schema : parent;
      const types = branches.filter((b) => this.typedBranch(b)).map((b) => this.branch(b as Json, base, indent, context));
      if (types.length) parts.push(`(${[...new Set(types)].join(' | ')})`);
    }
    if (Array.isArray(schema.allOf)) parts.push(...this.allOf(schema, schema.allOf, base, indent, parent));
    // if/then/else whose branches are shapes of their own (not only constraints): the value is one of them.
    if (isObj(schema.if) && isShape(schema.then) && isShape(schema.else)) {
      const context = isObj(schema.properties) ? schema : parent;
      parts.push(
        `(${this.branch(withIfRequired(schema.if, schema.then), base, indent, context)} | ${this.branch(schema.else, base, indent, context)})`,
      );
    }
    // An object keyword with nothing of its own says no more than the branches beside it.
    if (parts.length > 1 && parts[0] === 'Record<string, unknown>') parts.shift();
    if (parts.length === 0) return 'unknown';
    return parts.length === 1 ? parts[0]! : parts.join(' & ');
  }

  /**
   * allOf members. When every member is an `if`/`then` whose `then` declares properties (one shape per
   * value of a discriminating property), the value is one of those shapes; otherwise the members'
   * types are intersected.
   */
  private allOf(schema: Json, members: unknown[], base: string, indent: string, parent: Json | undefined): string[] {
    if (members.length > 0 && members.every((b) => isConditional(b) && isObj((b as Json & { then: Json }).then.properties))) {
      const context = isObj(schema.properties) ? schema : parent;
      return [
        `(${members.map((b) => this.branch(withIfRequired((b as Json).if as Json, (b as { then: Json }).then), base, indent, context)).join(' | ')})`,
      ];
    }
    // A member that only constrains (an if/then adding `required`) adds nothing to the type.
    return members.map((b) => this.type(b, base, indent, parent)).filter((t) => t !== 'unknown');
  }

  /** A branch of anyOf/oneOf: its own keywords, plus `required` names typed from the parent object. */
  private branch(schema: Json, base: string, indent: string, parent: Json | undefined): string {
    const own = this.type({ ...schema, required: undefined }, base, indent, parent);
    const ownProps = isObj(schema.properties) ? schema.properties : {};
    // A property the parent object requires is required in every branch that declares it.
    const parentRequired = parent && Array.isArray(parent.required) ? (parent.required as string[]).filter((name) => name in ownProps) : [];
    const required = [...(Array.isArray(schema.required) ? (schema.required as string[]) : []), ...parentRequired];
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

  /** `export type Name = ...;` with the schema's title and description as its doc comment. */
  declaration(named: Named): string {
    const schema = named.schema;
    const description = [named.doc, typeof schema.description === 'string' ? schema.description : ''].filter(Boolean).join('\n\n');
    const doc = docComment(description || undefined, tagsOf(schema), '');
    return `${doc}export type ${named.name} = ${this.inline(schema, named.base, '')};\n`;
  }
}
