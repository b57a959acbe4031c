import type { ValidateFunction } from 'ajv';
import { createAjv, type AjvInstance } from './ajv';
import { parseSchemaId } from './schema-id';
import { bundledSchemas } from '../generated/schema-bundle';
import { LgxSchemaError } from '../errors/lgx-error';
import type { JsonSchema, SchemaEntry, SchemaKind } from '../types';

const VALIDATOR = Symbol('validator');

function asNumbers(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : [];
}

function toEntry(schema: JsonSchema): SchemaEntry {
  const id = schema.$id;
  if (typeof id !== 'string') throw new LgxSchemaError('LGX_ERR_SCHEMA_UNKNOWN_TYPE', 'a schema without $id cannot be registered');
  const parsed = parseSchemaId(id);
  if (!parsed)
    throw new LgxSchemaError(
      'LGX_ERR_SCHEMA_UNKNOWN_TYPE',
      `schema $id '${id}' is not of the form https://schemas.lgx.dev/<type>/v<major>.json`,
    );
  const declared = schema['x-lgx-kind'];
  const kind: SchemaKind = parsed.result ? 'result' : declared === 'transaction' || declared === 'query' ? declared : 'contract';
  const entry: SchemaEntry = {
    type: parsed.type,
    major: parsed.major,
    kind,
    $id: id,
    title: typeof schema.title === 'string' ? schema.title : parsed.type,
    description: typeof schema.description === 'string' ? schema.description : '',
    lgsl: asNumbers(schema['x-lgx-lgsl']),
    lgil: asNumbers(schema['x-lgx-lgil']),
    deprecated: schema['x-lgx-deprecated'] === true,
    schema,
  };
  if (typeof schema['x-lgx-result'] === 'string') entry.resultId = schema['x-lgx-result'];
  return entry;
}

/**
 * Every schema LGX knows: the canonical ones shipped in this package, plus any a caller registers
 * (a council-specific transaction type, say). Validators are compiled on first use and cached.
 */
export class SchemaRegistry {
  readonly ajv: AjvInstance;
  private readonly byId = new Map<string, SchemaEntry>();
  private readonly byType = new Map<string, Map<number, SchemaEntry>>();
  private readonly validators = new Map<string, ValidateFunction>();
  /** type -> latest entry; kept so the hot path does no work beyond a map look-up. */
  private readonly latest = new Map<string, SchemaEntry>();

  constructor(schemas: readonly JsonSchema[] = bundledSchemas) {
    this.ajv = createAjv();
    for (const schema of schemas) this.register(schema);
  }

  /** Adds a schema. Its `$id` must follow the LGX pattern and not be registered already. */
  register(schema: JsonSchema): SchemaEntry {
    const entry = toEntry(schema);
    if (this.byId.has(entry.$id)) throw new LgxSchemaError('LGX_ERR_SCHEMA_DUPLICATE', `schema '${entry.$id}' is already registered`);
    this.ajv.addSchema(schema);
    this.byId.set(entry.$id, entry);
    if (entry.kind === 'transaction' || entry.kind === 'query') {
      let versions = this.byType.get(entry.type);
      if (!versions) this.byType.set(entry.type, (versions = new Map()));
      versions.set(entry.major, entry);
      const current = this.latest.get(entry.type);
      if (!current || entry.major > current.major) this.latest.set(entry.type, entry);
    }
    return entry;
  }

  /** Transaction and query types, sorted. */
  types(kind?: 'transaction' | 'query'): string[] {
    const all = [...this.byType.keys()].sort();
    return kind ? all.filter((t) => this.get(t).kind === kind) : all;
  }

  /** Major versions registered for a type, ascending. */
  versions(type: string): number[] {
    return [...(this.byType.get(type)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** True when the type is registered (at any version). */
  has(type: string): boolean {
    return this.byType.has(type);
  }

  /** A type's schema entry at a major version (default: the latest). Throws a coded error if unknown. */
  get(type: string, major?: number): SchemaEntry {
    if (major === undefined) {
      const latest = this.latest.get(type);
      if (latest) return latest;
    }
    const versions = this.byType.get(type);
    if (!versions) {
      throw new LgxSchemaError(
        'LGX_ERR_SCHEMA_UNKNOWN_TYPE',
        `unknown type '${type}'; known types: ${[...this.byType.keys()].sort().join(', ')}`,
        {
          details: { type },
        },
      );
    }
    const wanted = major ?? Math.max(...versions.keys());
    const entry = versions.get(wanted);
    if (!entry) {
      throw new LgxSchemaError(
        'LGX_ERR_SCHEMA_UNKNOWN_VERSION',
        `type '${type}' has no version ${wanted}; known versions: ${this.versions(type).join(', ')}`,
        {
          details: { type, version: wanted },
        },
      );
    }
    return entry;
  }

  /** The entry with this `$id` (including results, the envelope and shared definitions). */
  getById(id: string): SchemaEntry | undefined {
    return this.byId.get(id);
  }

  /** Every registered entry. */
  entries(): SchemaEntry[] {
    return [...this.byId.values()];
  }

  /** The query's result schema entry. */
  resultOf(type: string, major?: number): SchemaEntry {
    const entry = this.get(type, major);
    const result = entry.resultId ? this.byId.get(entry.resultId) : undefined;
    if (!result)
      throw new LgxSchemaError('LGX_ERR_SCHEMA_UNKNOWN_TYPE', `type '${type}' is not a query with a result schema`, { details: { type } });
    return result;
  }

  /** The compiled validator of a type at a version (default: the latest). */
  validatorFor(type: string, major?: number): ValidateFunction {
    const entry = this.get(type, major);
    return (entry as SchemaEntry & { [VALIDATOR]?: ValidateFunction })[VALIDATOR] ?? this.cacheOn(entry);
  }

  private cacheOn(entry: SchemaEntry): ValidateFunction {
    const fn = this.validator(entry.$id);
    Object.defineProperty(entry, VALIDATOR, { value: fn, enumerable: false });
    return fn;
  }

  /** The compiled validator for a schema `$id`. */
  validator(id: string): ValidateFunction {
    let fn = this.validators.get(id);
    if (!fn) {
      const compiled = this.ajv.getSchema(id);
      if (!compiled) throw new LgxSchemaError('LGX_ERR_SCHEMA_UNKNOWN_TYPE', `no schema '${id}' is registered`);
      fn = compiled;
      this.validators.set(id, fn);
    }
    return fn;
  }
}

let defaultRegistry: SchemaRegistry | undefined;

/** The process-wide registry holding the canonical schemas. */
export function schemaRegistry(): SchemaRegistry {
  return (defaultRegistry ??= new SchemaRegistry());
}
