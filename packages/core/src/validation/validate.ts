import { schemaRegistry, type SchemaRegistry } from '../schema/schema-registry';
import { parseSchemaId } from '../schema/schema-id';
import { failure, toIssues } from './issues';
import { LgxValidationError } from '../errors/lgx-error';
import type { Envelope, ValidationIssue, ValidationResult } from '../types';
import type { QueryParamsMap, QueryResultMap, QueryType, TransactionDataMap, TransactionType } from '../generated/types';

const ENVELOPE_ID = 'https://schemas.lgx.dev/envelope/v1.json';

export interface ValidateOptions {
  /** Major version to validate against (default: the latest). */
  version?: number;
  /** Registry to use (default: the canonical one). */
  registry?: SchemaRegistry;
  /** Most issues listed in a failed result (default 100); `issueCount` still counts them all. */
  maxIssues?: number;
}

function run<T>(registry: SchemaRegistry, id: string, value: unknown, prefix = '', maxIssues?: number): ValidationResult<T> {
  const fn = registry.validator(id);
  if (fn(value)) return { ok: true, value: value as T };
  const { issues, count } = toIssues(fn.errors, prefix, maxIssues);
  return failure(issues, count, maxIssues);
}

/** Validates a transaction's data against its type's schema. Throws only for an unknown type or version. */
export function validateData<K extends TransactionType>(
  type: K,
  data: unknown,
  options?: ValidateOptions,
): ValidationResult<TransactionDataMap[K]>;
export function validateData(type: string, data: unknown, options?: ValidateOptions): ValidationResult<unknown>;
export function validateData(type: string, data: unknown, options?: ValidateOptions): ValidationResult<unknown> {
  const registry = options?.registry ?? schemaRegistry();
  const fn = registry.validatorFor(type, options?.version);
  if (fn(data)) return { ok: true, value: data };
  const { issues, count } = toIssues(fn.errors, '', options?.maxIssues);
  return failure(issues, count, options?.maxIssues);
}

/** Validates a query's parameters. */
export function validateQuery<K extends QueryType>(
  type: K,
  params: unknown,
  options: ValidateOptions = {},
): ValidationResult<QueryParamsMap[K]> {
  const registry = options.registry ?? schemaRegistry();
  return run(registry, registry.get(type, options.version).$id, params, '', options.maxIssues);
}

/** Validates a query's result (what an adapter returns). */
export function validateQueryResult<K extends QueryType>(
  type: K,
  result: unknown,
  options: ValidateOptions = {},
): ValidationResult<QueryResultMap[K]> {
  const registry = options.registry ?? schemaRegistry();
  return run(registry, registry.resultOf(type, options.version).$id, result, '', options.maxIssues);
}

/** Validates a value against any registered schema by `$id` (the envelope, a result, a contract schema). */
export function validateAgainst<T = unknown>(
  id: string,
  value: unknown,
  options: Omit<ValidateOptions, 'version'> = {},
): ValidationResult<T> {
  return run(options.registry ?? schemaRegistry(), id, value, '', options.maxIssues);
}

/**
 * Validates a whole transaction: the envelope, then its data against the schema named by `dataschema`.
 * An unknown type or version is reported as an issue (at `/type` or `/dataschema`), not thrown.
 */
export function validate(envelope: unknown, options: Omit<ValidateOptions, 'version'> = {}): ValidationResult<Envelope> {
  const registry = options.registry ?? schemaRegistry();
  const { maxIssues } = options;
  const head = run<Envelope>(registry, ENVELOPE_ID, envelope, '', maxIssues);
  const e = envelope as Partial<Envelope> | null;
  const issues: ValidationIssue[] = head.ok ? [] : head.issues;
  let count = head.ok ? 0 : (head.issueCount ?? head.issues.length);
  if (typeof e !== 'object' || e === null || Array.isArray(e) || typeof e.type !== 'string' || typeof e.dataschema !== 'string') {
    return issues.length ? failure(issues, count, maxIssues) : head;
  }
  if (!registry.has(e.type)) {
    issues.push({
      path: '/type',
      rule: 'knownType',
      message: `is not a known transaction type (known: ${registry.types('transaction').join(', ')})`,
    });
    return failure(issues, count + 1, maxIssues);
  }
  const entry = registry.getById(e.dataschema);
  if (!entry || entry.type !== e.type || entry.kind !== 'transaction') {
    const parsed = parseSchemaId(e.dataschema);
    const known = registry
      .versions(e.type)
      .map((v) => `v${v}`)
      .join(', ');
    issues.push(
      parsed && parsed.type === e.type
        ? {
            path: '/dataschema',
            rule: 'knownVersion',
            message: `names version ${parsed.major} of '${e.type}', which is not registered (known: ${known})`,
          }
        : {
            path: '/dataschema',
            rule: 'matchesType',
            message: `must be the $id of a '${e.type}' schema, e.g. ${registry.get(e.type).$id}`,
          },
    );
    return failure(issues, count + 1, maxIssues);
  }
  if (typeof e.data === 'object' && e.data !== null && !Array.isArray(e.data)) {
    const data = run(registry, entry.$id, e.data, '/data', maxIssues);
    if (!data.ok) {
      // A loop, not push(...spread): a spread of a long list overflows the call stack.
      for (const issue of data.issues) issues.push(issue);
      count += data.issueCount ?? data.issues.length;
    }
  }
  return issues.length ? failure(issues, count, maxIssues) : { ok: true, value: envelope as Envelope };
}

/** Like `validate`, but returns the envelope or throws `LgxValidationError` listing every issue. */
export function assertValid(envelope: unknown, options: Omit<ValidateOptions, 'version'> = {}): Envelope {
  const result = validate(envelope, options);
  if (!result.ok) throw new LgxValidationError(result.issues, { subject: 'transaction', issueCount: result.issueCount });
  return result.value;
}

/** Like `validateData`, but returns the data or throws `LgxValidationError`. */
export function assertValidData<K extends TransactionType>(type: K, data: unknown, options?: ValidateOptions): TransactionDataMap[K];
export function assertValidData(type: string, data: unknown, options?: ValidateOptions): unknown;
export function assertValidData(type: string, data: unknown, options: ValidateOptions = {}): unknown {
  const result = validateData(type, data, options);
  if (!result.ok) throw new LgxValidationError(result.issues, { subject: `${type} data`, issueCount: result.issueCount });
  return result.value;
}
