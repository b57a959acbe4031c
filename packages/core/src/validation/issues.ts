import type { ErrorObject } from 'ajv';
import type { ValidationIssue } from '../types';

/** Property names refused everywhere: they could reach Object.prototype in careless consumers. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function message(error: ErrorObject, key: string | undefined): string {
  if (key !== undefined && PROTOTYPE_KEYS.has(key))
    return `uses the reserved property name '${key}', which is refused to prevent prototype pollution`;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'dependentRequired':
      return `is required when ${String((error.params as { property?: unknown }).property)} is present`;
    case 'additionalProperties':
      return 'is not a property this schema allows (check the spelling)';
    case 'propertyNames':
      return 'is not an allowed property name';
    case 'enum':
      return `must be one of: ${((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).map(String).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify((error.params as { allowedValue?: unknown }).allowedValue)}`;
    case 'format':
      return `must be a valid ${(error.params as { format?: string }).format} value`;
    case 'pattern': {
      // The schema's own description says what the pattern means better than the regular expression.
      const described = (error.parentSchema as { description?: unknown } | undefined)?.description;
      return typeof described === 'string'
        ? `is not in the expected form: ${described.split(/(?<=\.)\s/)[0]}`
        : (error.message ?? 'does not match its pattern');
    }
    default:
      return error.message ?? `breaks the '${error.keyword}' rule`;
  }
}

/** How many issues a failed validation lists unless asked otherwise; the rest are only counted. */
export const MAX_ISSUES = 100;

/** A failed validation: the first `limit` issues, and how many there were in all. */
export function failure(
  issues: ValidationIssue[],
  count = issues.length,
  limit = MAX_ISSUES,
): { ok: false; issues: ValidationIssue[]; issueCount: number } {
  return { ok: false, issues: issues.length > limit ? issues.slice(0, limit) : issues, issueCount: Math.max(count, issues.length) };
}

/**
 * Turns ajv errors into LGX issues: the path points at the offending property (for a missing or
 * extra property, at that property), `rule` is the JSON Schema keyword, and no message repeats the
 * rejected value (it could be personal data). The `if` wrapper and the `propertyNames` echo are dropped.
 * Only the first `limit` issues are built; the others are counted, so a payload with a hundred
 * thousand bad items costs a count, not a hundred thousand messages.
 */
export function toIssues(
  errors: readonly ErrorObject[] | null | undefined,
  prefix = '',
  limit = MAX_ISSUES,
): { issues: ValidationIssue[]; count: number } {
  const issues: ValidationIssue[] = [];
  if (!errors) return { issues, count: 0 };
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    // propertyNames reports twice (the name's own failure and the wrapper): keep one per path and rule.
    if (error.propertyName !== undefined && error.keyword !== 'propertyNames') continue;
    let key: string | undefined;
    let path = prefix + error.instancePath;
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'required' || error.keyword === 'dependentRequired') key = String(params.missingProperty);
    else if (error.keyword === 'additionalProperties') key = String(params.additionalProperty);
    else if (error.keyword === 'propertyNames') key = String(params.propertyName);
    if (key !== undefined) path += `/${escapePointer(key)}`;
    const dedupe = `${path}\u0000${error.keyword}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    if (issues.length >= limit) continue;
    const issue: ValidationIssue = { path, rule: error.keyword, message: message(error, key) };
    if (error.keyword === 'enum') issue.params = { allowedValues: params.allowedValues };
    else if (error.keyword === 'maxLength' || error.keyword === 'minLength') issue.params = { limit: params.limit };
    else if (error.keyword === 'maximum' || error.keyword === 'minimum' || error.keyword === 'maxItems' || error.keyword === 'minItems')
      issue.params = { limit: params.limit };
    else if (error.keyword === 'pattern') issue.params = { pattern: params.pattern };
    else if (error.keyword === 'type') issue.params = { type: params.type };
    issues.push(issue);
  }
  return { issues, count: seen.size };
}
