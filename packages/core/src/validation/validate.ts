import { schemaRegistry, type SchemaRegistry } from '../schema/schema-registry';
import { parseSchemaId } from '../schema/schema-id';
import { toIssues } from './issues';
import { LgxValidationError } from '../errors/lgx-error';
import type { Envelope, ValidationIssue, ValidationResult } from '../types';
import type { QueryParamsMap, QueryResultMap, QueryType, TransactionDataMap, TransactionType } from '../generated/types';

const ENVELOPE_ID = 'https://schemas.lgx.dev/envelope/v1.json';

export interface ValidateOptions {
  /** Major version to validate against (default: the latest). */
  version?: number;
  /** Registry to use (default: the canonical one). */
  registry?: SchemaRegistry;
}

function run<T>(registry: SchemaRegistry, id: string, value: unknown, prefix = ''): ValidationResult<T> {
  const fn = registry.validator(id);
  if (fn(value)) return { ok: true, value: value as T };
  return { ok: false, issues: toIssues(fn.errors, prefix) };
}

/** Validates a transaction's data against its type's schema. Throws only for an unknown type or version. */
export function validateData<K extends TransactionType>(type: K, data: unknown, options?: ValidateOptions): ValidationResult<TransactionDataMap[K]>;
export function validateData(type: string, data: unknown, options?: ValidateOptions): ValidationResult<unknown>;
export function validateData(type: string, data: unknown, options?: ValidateOptions): ValidationResult<unknown> {
  const registry = options?.registry ?? schemaRegistry();
  const fn = registry.validatorFor(type, options?.version);
  if (fn(data)) return { ok: true, value: data };
  return { ok: false, issues: toIssues(fn.errors) };
}

/** Validates a query's parameters. */
export function validateQuery<K extends QueryType>(type: K, params: unknown, options: ValidateOptions = {}): ValidationResult<QueryParamsMap[K]> {
  const registry = options.registry ?? schemaRegistry();
  return run(registry, registry.get(type, options.version).$id, params);
}

/** Validates a query's result (what an adapter returns). */
export function validateQueryResult<K extends QueryType>(type: K, result: unknown, options: ValidateOptions = {}): ValidationResult<QueryResultMap[K]> {
  const registry = options.registry ?? schemaRegistry();
  return run(registry, registry.resultOf(type, options.version).$id, result);
}

/** Validates a value against any registered schema by `$id` (the envelope, a result, a contract schema). */
export function validateAgainst<T = unknown>(id: string, value: unknown, options: { registry?: SchemaRegistry } = {}): ValidationResult<T> {
  return run(options.registry ?? schemaRegistry(), id, value);
}

/**
 * Validates a whole transaction: the envelope, then its data against the schema named by `dataschema`.
 * An unknown type or version is reported as an issue (at `/type` or `/dataschema`), not thrown.
 */
export function validate(envelope: unknown, options: { registry?: SchemaRegistry } = {}): ValidationResult<Envelope> {
  const registry = options.registry ?? schemaRegistry();
  const head = run<Envelope>(registry, ENVELOPE_ID, envelope);
  const e = envelope as Partial<Envelope> | null;
  const issues: ValidationIssue[] = head.ok ? [] : head.issues;
  if (typeof e !== 'object' || e === null || Array.isArray(e) || typeof e.type !== 'string' || typeof e.dataschema !== 'string') {
    return issues.length ? { ok: false, issues } : head;
  }
  if (!registry.has(e.type)) {
    issues.push({ path: '/type', rule: 'knownType', message: `is not a known transaction type (known: ${registry.types('transaction').join(', ')})` });
    return { ok: false, issues };
  }
  const entry = registry.getById(e.dataschema);
  if (!entry || entry.type !== e.type || entry.kind !== 'transaction') {
    const parsed = parseSchemaId(e.dataschema);
    const known = registry.versions(e.type).map((v) => `v${v}`).join(', ');
    issues.push(
      parsed && parsed.type === e.type
        ? { path: '/dataschema', rule: 'knownVersion', message: `names version ${parsed.major} of '${e.type}', which is not registered (known: ${known})` }
        : { path: '/dataschema', rule: 'matchesType', message: `must be the $id of a '${e.type}' schema, e.g. ${registry.get(e.type).$id}` },
    );
    return { ok: false, issues };
  }
  if (typeof e.data === 'object' && e.data !== null && !Array.isArray(e.data)) {
    const data = run(registry, entry.$id, e.data, '/data');
    if (!data.ok) issues.push(...data.issues);
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: envelope as Envelope };
}

/** Like `validate`, but returns the envelope or throws `LgxValidationError` listing every issue. */
export function assertValid(envelope: unknown, options: { registry?: SchemaRegistry } = {}): Envelope {
  const result = validate(envelope, options);
  if (!result.ok) throw new LgxValidationError(result.issues, { subject: 'transaction' });
  return result.value;
}

/** Like `validateData`, but returns the data or throws `LgxValidationError`. */
export function assertValidData<K extends TransactionType>(type: K, data: unknown, options?: ValidateOptions): TransactionDataMap[K];
export function assertValidData(type: string, data: unknown, options?: ValidateOptions): unknown;
export function assertValidData(type: string, data: unknown, options: ValidateOptions = {}): unknown {
  const result = validateData(type, data, options);
  if (!result.ok) throw new LgxValidationError(result.issues, { subject: `${type} data` });
  return result.value;
}

