import { schemaRegistry, validateConfig, type AdapterManifest, type ValidationIssue } from '@lgx/core';
import { explainMisplacedKeys } from './misplaced-keys';
import { stackSchema } from './stack-schema';
import type { StackConfig } from './stack-types';

// validateConfig compiles any JSON Schema with LGX's strict ajv (and caches it by schema object), so
// the stack schema is checked exactly as adapter config schemas are, with the same issue format.
const schemaOwner = {
  manifest: { id: 'stack' } as AdapterManifest,
  configSchema: stackSchema,
  create: (_context: never, _config: StackConfig): undefined => undefined,
};

// ajv only says a property name is not allowed; say what the name must look like instead.
const NAME_RULES: ReadonlyArray<[RegExp, string]> = [
  [/^\/adapters\/[^/]+$/, 'is not a valid adapter instance id: use lower-case letters, digits and hyphens, starting with a letter'],
  [
    /^\/routes\/\d+\/match\/data\/[^/]+$/,
    'is not a plain identifier naming a top-level data field (letters, digits and _, not starting with a digit)',
  ],
  [/^\/mappings\/[^/]+$/, 'is not a plain identifier (letters, digits and _, not starting with a digit)'],
];

function explainNames(issues: ValidationIssue[]): ValidationIssue[] {
  return issues.map((issue) => {
    if (issue.rule !== 'propertyNames' || issue.message.includes('reserved')) return issue;
    const rule = NAME_RULES.find(([pattern]) => pattern.test(issue.path));
    return rule ? { ...issue, message: rule[1] } : issue;
  });
}

/** Rules that need the whole stack: targets name declared adapters; modes have the targets they need. */
function checkReferences(stack: StackConfig): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const declared = Object.keys(stack.adapters);
  const known = new Set(declared);
  stack.routes.forEach((route, i) => {
    const at = `/routes/${i}`;
    for (const list of ['targets', 'shadow'] as const) {
      (route[list] ?? []).forEach((id, j) => {
        if (!known.has(id)) {
          issues.push({
            path: `${at}/${list}/${j}`,
            rule: 'declaredAdapter',
            message: `names adapter '${id}', which is not declared under adapters (declared: ${declared.join(', ')})`,
            params: { adapter: id },
          });
        }
      });
    }
    // 'one' and 'shadow' surface exactly one system's result: a second target would be silently unused.
    if ((route.mode === 'one' || route.mode === 'shadow') && route.targets.length > 1) {
      issues.push({
        path: `${at}/targets`,
        rule: 'targetsForMode',
        message: `lists ${route.targets.length} targets, but mode '${route.mode}' delivers to one (use 'all' or 'fallback' for several)`,
      });
    }
    const surfaced = new Set(route.targets);
    (route.shadow ?? []).forEach((id, j) => {
      if (surfaced.has(id))
        issues.push({
          path: `${at}/shadow/${j}`,
          rule: 'shadowDistinct',
          message: `names adapter '${id}', which is already a target of this route`,
          params: { adapter: id },
        });
    });
  });
  issues.push(...checkOpen311(stack), ...checkRetention(stack));
  return issues;
}

/** Retention names transaction types LGX knows: a misspelt one would silently keep the default. */
function checkRetention(stack: StackConfig): ValidationIssue[] {
  const registry = schemaRegistry();
  return Object.keys(stack.retention?.types ?? {})
    .filter((type) => !registry.has(type) || !registry.types('transaction').includes(type))
    .map((type) => ({
      path: `/retention/types/${type}`,
      rule: 'knownType',
      message: `'${type}' is not a transaction type (types: ${registry.types('transaction').join(', ')})`,
      params: { type },
    }));
}

/** A retention period the schema refused says what it must look like, not the pattern it failed. */
function explainPeriods(issues: ValidationIssue[]): ValidationIssue[] {
  return issues.map((issue) =>
    issue.rule === 'pattern' && /^\/retention\/(default|types\/[^/]+)$/.test(issue.path)
      ? { ...issue, message: 'must be a whole number of days followed by d, such as 30d (0d or more, at most 99999d)' }
      : issue,
  );
}

/** Fields street.report takes from an Open311 attribute beside its own top-level ones (they land in location or asset). */
const STREET_FIELDS = ['usrn', 'uprn', 'assetReference'];
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The top-level data fields of a canonical type. */
function fieldsOf(type: string): string[] {
  const properties = (schemaRegistry().get(type).schema as { properties?: Record<string, unknown> }).properties;
  return Object.keys(properties ?? {});
}

function checkOpen311(stack: StackConfig): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  (stack.open311?.services ?? []).forEach((service, i) => {
    const at = `/open311/services/${i}`;
    if (seen.has(service.code))
      issues.push({
        path: `${at}/code`,
        rule: 'uniqueServiceCode',
        message: `repeats service code '${service.code}'`,
        params: { code: service.code },
      });
    seen.add(service.code);
    if (service.type === 'street.report' && service.kind === undefined)
      issues.push({ path: at, rule: 'required', message: "must have 'kind' (e.g. pothole) for street.report services" });
    if (
      (service.type === 'waste.missedCollection' || service.type === 'waste.containerRequest') &&
      service.service === undefined &&
      service.data?.service === undefined
    ) {
      issues.push({ path: at, rule: 'required', message: `must have 'service' (e.g. refuse) for ${service.type} services` });
    }
    for (const key of Object.keys(service.data ?? {})) {
      if (!fieldsOf(service.type).includes(key))
        issues.push({ path: `${at}/data/${key}`, rule: 'fieldForType', message: `'${key}' is not a field of ${service.type}` });
    }
    const codes = new Set<string>();
    (service.attributes ?? []).forEach((attribute, j) => {
      if (codes.has(attribute.code))
        issues.push({
          path: `${at}/attributes/${j}/code`,
          rule: 'uniqueAttributeCode',
          message: `repeats attribute code '${attribute.code}'`,
        });
      codes.add(attribute.code);
      if (attribute.field !== undefined) {
        const segments = attribute.field.split('.');
        const allowed = [...fieldsOf(service.type), ...(service.type === 'street.report' ? STREET_FIELDS : [])];
        if (segments.some((part) => PROTOTYPE_KEYS.has(part))) {
          issues.push({ path: `${at}/attributes/${j}/field`, rule: 'fieldForType', message: 'names a reserved property' });
        } else if (!allowed.includes(segments[0]!)) {
          issues.push({
            path: `${at}/attributes/${j}/field`,
            rule: 'fieldForType',
            message: `'${segments[0]}' is not a field of ${service.type} (fields: ${allowed.join(', ')})`,
          });
        }
      }
      const isList = attribute.datatype === 'singlevaluelist' || attribute.datatype === 'multivaluelist';
      if (isList && !attribute.values)
        issues.push({ path: `${at}/attributes/${j}`, rule: 'required', message: `must have 'values' for datatype ${attribute.datatype}` });
    });
  });
  return issues;
}

/** Checks a stack against `stackSchema`, then the rules that need the whole stack. */
export function validateStack(value: unknown): { ok: true; value: StackConfig } | { ok: false; issues: ValidationIssue[] } {
  const result = validateConfig(schemaOwner, value);
  if (!result.ok) return { ok: false, issues: explainMisplacedKeys(explainPeriods(explainNames(result.issues)), value) };
  const issues = checkReferences(result.value);
  return issues.length ? { ok: false, issues } : { ok: true, value: result.value };
}
