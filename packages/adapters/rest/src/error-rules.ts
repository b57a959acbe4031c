import { adapterError, type LgxAdapterError, type MappingBindings, type MappingExpression, type ValidationIssue } from '@lgx/core';
import { MAX_RETRY_AFTER_MS } from '@lgx/core/http';
import { compile } from './expressions';
import type { CallName, ErrorRuleConfig, RuleClassification } from './config';

/** A compiled error rule. */
export interface ErrorRule {
  path: string;
  statuses: ((status: number) => boolean) | undefined;
  when: MappingExpression | undefined;
  calls: readonly CallName[] | undefined;
  classification: RuleClassification;
  vendorCode: MappingExpression | undefined;
  retryAfterSeconds: MappingExpression | undefined;
}

function statusMatcher(status: ErrorRuleConfig['status']): ((s: number) => boolean) | undefined {
  if (status === undefined) return undefined;
  if (typeof status === 'number') return (s) => s === status;
  if (Array.isArray(status)) return (s) => status.includes(s);
  const hundreds = Number(status[0]) * 100;
  return (s) => s >= hundreds && s < hundreds + 100;
}

/** Compiles the rules, recording problems by config path. */
export function planRules(rules: readonly ErrorRuleConfig[], issues: ValidationIssue[]): ErrorRule[] {
  const out: ErrorRule[] = [];
  rules.forEach((rule, i) => {
    const at = `/errorRules/${i}`;
    const before = issues.length;
    const when = rule.when !== undefined ? compile(rule.when, `${at}/when`, issues) : undefined;
    const vendorCode = rule.vendorCode !== undefined ? compile(rule.vendorCode, `${at}/vendorCode`, issues) : undefined;
    const retryAfterSeconds =
      rule.retryAfterSeconds !== undefined ? compile(rule.retryAfterSeconds, `${at}/retryAfterSeconds`, issues) : undefined;
    if (rule.retryAfterSeconds !== undefined && rule.classification !== 'rateLimited') {
      issues.push({ path: `${at}/retryAfterSeconds`, rule: 'errorRule', message: 'only applies to rateLimited rules' });
    }
    if (issues.length === before)
      out.push({
        path: at,
        statuses: statusMatcher(rule.status),
        when,
        calls: rule.calls,
        classification: rule.classification,
        vendorCode,
        retryAfterSeconds,
      });
  });
  return out;
}

function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '' || value === 0) return false;
  if (Array.isArray(value)) return value.some(truthy);
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function code(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' ? value.slice(0, 100).replace(/[^\x20-\x7e]/g, '?') : undefined;
}

/**
 * The error the first matching rule gives for an answer, or undefined when none matches. The message
 * names the rule and the status, and the vendor's code if the rule reads one: nothing from the body.
 */
export async function applyRules(
  rules: readonly ErrorRule[],
  call: CallName,
  operation: string,
  answer: { status: number; body: unknown; retryAfterMs: number | undefined },
  bindings: MappingBindings,
): Promise<LgxAdapterError | undefined> {
  // 401 always means the credentials were refused: no rule may make it anything else.
  if (answer.status === 401) return undefined;
  for (const rule of rules) {
    if (rule.calls && !rule.calls.includes(call)) continue;
    if (rule.statuses && !rule.statuses(answer.status)) continue;
    if (rule.when && !truthy(await rule.when.evaluate(answer.body, bindings))) continue;
    const vendorCode = rule.vendorCode ? code(await rule.vendorCode.evaluate(answer.body, bindings)) : undefined;
    let retryAfterMs = answer.retryAfterMs;
    if (rule.retryAfterSeconds) {
      const seconds = await rule.retryAfterSeconds.evaluate(answer.body, bindings);
      const n =
        typeof seconds === 'number' ? seconds : typeof seconds === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(seconds) ? Number(seconds) : NaN;
      // Capped as the transport caps a Retry-After header: a back office cannot park deliveries for days.
      if (Number.isFinite(n) && n >= 0) retryAfterMs = Math.min(Math.round(n * 1000), MAX_RETRY_AFTER_MS);
    }
    return adapterError(
      rule.classification,
      `${operation} answered ${answer.status}, which error rule ${rule.path} classifies ${rule.classification}${vendorCode ? ` (${vendorCode})` : ''}`,
      {
        status: answer.status,
        ...(vendorCode !== undefined ? { vendorCode } : {}),
        ...(rule.classification === 'rateLimited' && retryAfterMs !== undefined ? { retryAfterMs } : {}),
        details: { rule: rule.path },
      },
    );
  }
  return undefined;
}
