import satisfies from 'semver/functions/satisfies.js';
import intersects from 'semver/ranges/intersects.js';
import validRange from 'semver/ranges/valid.js';
import { schemaRegistry, type SchemaRegistry } from '../schema/schema-registry';
import { createAjv } from '../schema/ajv';
import { validateAgainst } from '../validation/validate';
import { failure, toIssues } from '../validation/issues';
import { LgxError, LgxValidationError } from '../errors/lgx-error';
import { ADAPTER_CONTRACT_VERSION, CORE_VERSION } from '../version';
import { isSecretName } from '../redaction/secret-name';
import type { AdapterDefinition, AdapterManifest, AdapterSpec, Capability } from './adapter-types';
import type { JsonSchema, ValidationIssue, ValidationResult } from '../types';
import type { ValidateFunction } from 'ajv';

const ADAPTER_SCHEMA_ID = 'https://schemas.lgx.dev/adapter/v1.json';

function definitionError(id: string, issues: ValidationIssue[]): LgxValidationError {
  return new LgxValidationError(issues, { subject: `adapter '${id}' definition`, code: 'LGX_ERR_ADAPTER_DEFINITION_INVALID' });
}

/** Config properties that look like secrets but carry no `x-lgx-secret` mark, as JSON pointers. */
export function findUnmarkedSecrets(schema: JsonSchema, path = ''): string[] {
  const found: string[] = [];
  const props = schema.properties;
  if (typeof props === 'object' && props !== null) {
    for (const [name, sub] of Object.entries(props as Record<string, JsonSchema>)) {
      if (typeof sub !== 'object' || sub === null) continue;
      if (isSecretName(name) && typeof sub['x-lgx-secret'] !== 'boolean') found.push(`${path}/${name}`);
      found.push(...findUnmarkedSecrets(sub, `${path}/${name}`));
    }
  }
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    const branches = schema[keyword];
    if (Array.isArray(branches))
      for (const b of branches) if (typeof b === 'object' && b !== null) found.push(...findUnmarkedSecrets(b as JsonSchema, path));
  }
  const defs = schema.$defs;
  if (typeof defs === 'object' && defs !== null) {
    for (const [name, sub] of Object.entries(defs as Record<string, JsonSchema>))
      found.push(...findUnmarkedSecrets(sub, `#/$defs/${name}`));
  }
  return [...new Set(found)];
}

function checkCapabilities(capabilities: readonly Capability[], registry: SchemaRegistry): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  capabilities.forEach((cap, i) => {
    const at = `/capabilities/${i}`;
    if (seen.has(cap.type))
      issues.push({
        path: `${at}/type`,
        rule: 'uniqueType',
        message: `declares '${cap.type}' twice; list its versions and operations once`,
      });
    seen.add(cap.type);
    if (!registry.has(cap.type)) {
      issues.push({ path: `${at}/type`, rule: 'knownType', message: `'${cap.type}' is not a registered transaction or query type` });
      return;
    }
    const known = registry.versions(cap.type);
    cap.versions.forEach((v, j) => {
      if (!known.includes(v))
        issues.push({
          path: `${at}/versions/${j}`,
          rule: 'knownVersion',
          message: `'${cap.type}' has no version ${v} (known: ${known.join(', ')})`,
        });
    });
    const kind = registry.get(cap.type).kind;
    cap.operations.forEach((op, j) => {
      if (kind === 'query' && op !== 'query')
        issues.push({
          path: `${at}/operations/${j}`,
          rule: 'operationKind',
          message: `'${cap.type}' is a query: its only operation is 'query'`,
        });
      if (kind === 'transaction' && op === 'query')
        issues.push({ path: `${at}/operations/${j}`, rule: 'operationKind', message: `'${cap.type}' is a transaction, not a query` });
    });
  });
  return issues;
}

const configValidators = new WeakMap<object, ValidateFunction>();

function compileConfigSchema(id: string, schema: JsonSchema): ValidateFunction {
  const cached = configValidators.get(schema);
  if (cached) return cached;
  try {
    const fn = createAjv().compile(schema);
    configValidators.set(schema, fn);
    return fn;
  } catch (error) {
    throw definitionError(id, [
      { path: '/configSchema', rule: 'schema', message: `is not a valid JSON Schema: ${(error as Error).message}` },
    ]);
  }
}

/**
 * Declares an adapter. Checks the manifest, capabilities and config schema (a malformed declaration,
 * an unknown type or version, or a secret-looking config field without `x-lgx-secret` throws
 * LGX_ERR_ADAPTER_DEFINITION_INVALID) and returns a typed definition whose declared parts are plain data.
 */
export function defineAdapter<const Caps extends readonly Capability[], Config = Record<string, unknown>>(
  spec: AdapterSpec<Caps, Config>,
  options: { registry?: SchemaRegistry } = {},
): AdapterDefinition<Caps, Config> {
  const registry = options.registry ?? schemaRegistry();
  const id = typeof spec?.manifest?.id === 'string' ? spec.manifest.id : '(unnamed)';
  const declared = validateAgainst(
    ADAPTER_SCHEMA_ID,
    { manifest: spec?.manifest, capabilities: spec?.capabilities, configSchema: spec?.configSchema },
    { registry },
  );
  if (!declared.ok) throw definitionError(id, declared.issues);
  if (typeof spec.create !== 'function')
    throw definitionError(id, [{ path: '/create', rule: 'type', message: 'must be a function (context, config) => adapter instance' }]);
  if (!validRange(spec.manifest.sdk))
    throw definitionError(id, [
      {
        path: '/manifest/sdk',
        rule: 'semverRange',
        message: `must be a semver range of the adapter contract version, such as ^${ADAPTER_CONTRACT_VERSION}`,
      },
    ]);
  const issues = checkCapabilities(spec.capabilities, registry);
  for (const pointer of findUnmarkedSecrets(spec.configSchema)) {
    issues.push({
      path: `/configSchema${pointer.startsWith('#') ? pointer.slice(1) : pointer}`,
      rule: 'secretMarked',
      message: 'looks like a secret: mark it with "x-lgx-secret": true (or false if it is not one)',
    });
  }
  if (issues.length) throw definitionError(id, issues);
  compileConfigSchema(id, spec.configSchema);
  return Object.freeze({ ...spec, kind: 'lgx.adapter' as const });
}

/** True when `value` is an adapter definition made by `defineAdapter` (also from another copy of core). */
export function isAdapterDefinition(value: unknown): value is AdapterDefinition {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'lgx.adapter';
}

/**
 * Refuses an adapter whose `manifest.sdk` range does not include `contractVersion` (default: the
 * adapter contract version this core implements), with LGX_ERR_ADAPTER_INCOMPATIBLE naming both. The
 * range is over the contract, not over @lgx/core's package version: core releases that keep the
 * contract (new schema versions, new optional parts) never refuse a working adapter.
 */
export function checkCompatibility(
  definition: Pick<AdapterDefinition, 'manifest'>,
  contractVersion: string = ADAPTER_CONTRACT_VERSION,
): void {
  const { id, version, sdk } = definition.manifest;
  if (satisfies(contractVersion, sdk, { includePrerelease: true })) return;
  // Contract versions start at 1.0.0: a range that admits none of them was written against core's
  // package version (0.x), as adapters did before the contract had a version of its own.
  const hint = intersects(sdk, '>=1.0.0', { includePrerelease: true })
    ? ''
    : ` (manifest.sdk is a range of the adapter contract version, not of the @lgx/core package version: write ^${contractVersion})`;
  throw new LgxError(
    'LGX_ERR_ADAPTER_INCOMPATIBLE',
    `adapter '${id}' ${version} supports adapter contract ${sdk}, but @lgx/core ${CORE_VERSION} implements adapter contract ${contractVersion}${hint}`,
    { details: { adapter: id, adapterVersion: version, supported: sdk, installed: contractVersion, core: CORE_VERSION } },
  );
}

/** What config validation needs of a definition (`Config` is inferred from its factory). */
export interface ConfigOwner<Config> {
  manifest: AdapterManifest;
  configSchema: JsonSchema;
  create(context: never, config: Config): unknown;
}

/** Validates configuration against the adapter's config schema. Messages never include values. */
export function validateConfig<Config>(definition: ConfigOwner<Config>, config: unknown): ValidationResult<Config> {
  const fn = compileConfigSchema(definition.manifest.id, definition.configSchema);
  if (fn(config)) return { ok: true, value: config as Config };
  const { issues, count } = toIssues(fn.errors);
  return failure(issues, count);
}

/** Like `validateConfig`, but returns the config or throws LGX_ERR_ADAPTER_CONFIG_INVALID. */
export function assertConfig<Config>(definition: ConfigOwner<Config>, config: unknown): Config {
  const result = validateConfig(definition, config);
  if (!result.ok)
    throw new LgxValidationError(result.issues, {
      subject: `adapter '${definition.manifest.id}' config`,
      code: 'LGX_ERR_ADAPTER_CONFIG_INVALID',
      issueCount: result.issueCount,
    });
  return result.value;
}
