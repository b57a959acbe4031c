import { LgxValidationError, type CaseStatus, type MappingExpression, type ValidationIssue } from '@lgx/core';
import { planRules, type ErrorRule } from './error-rules';
import { compile } from './expressions';
import { planRequest, type RequestPlan } from './request-plan';
import type { RestAdapterConfig } from './config';

/** How a type's capability says repeats are made safe. */
export type IdempotencyKind = 'key' | 'lookup' | 'none';

export type IdempotencyPlan =
  { kind: 'header'; header: string; value: MappingExpression | undefined } | { kind: 'lookup'; request: RequestPlan } | undefined;

export interface SubmitPlan {
  request: RequestPlan;
  idempotency: IdempotencyPlan;
}

/** The configuration, checked and compiled once when the adapter is created. */
export interface Plan {
  submit: Map<string, SubmitPlan>;
  status: RequestPlan | undefined;
  poll: RequestPlan | undefined;
  check: RequestPlan | undefined;
  rules: ErrorRule[];
  vendorCode: MappingExpression | undefined;
  statusMap: Readonly<Record<string, CaseStatus>>;
  /** Every request, for the OpenAPI check. */
  requests: RequestPlan[];
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Checks what JSON Schema cannot (JSONata and template syntax, types the adapter serves, idempotency
 * as the capabilities declare it) and compiles everything once. Throws LGX_ERR_ADAPTER_CONFIG_INVALID
 * listing every problem by config path. `declared` is each type's declared idempotency; `exact`
 * demands the configured method match it (a definition from defineRestAdapter), otherwise any safe
 * method does.
 */
export function planFromConfig(
  config: RestAdapterConfig,
  declared: ReadonlyMap<string, IdempotencyKind>,
  required: readonly string[],
  exact: boolean,
): Plan {
  const issues: ValidationIssue[] = [];
  const submit = new Map<string, SubmitPlan>();
  const requests: RequestPlan[] = [];
  const add = (plan: RequestPlan | undefined) => {
    if (plan) requests.push(plan);
    return plan;
  };
  for (const [type, entry] of Object.entries(config.operations)) {
    const at = `/operations/${escapePointer(type)}/submit`;
    const kind = declared.get(type);
    if (kind === undefined) {
      issues.push({
        path: `/operations/${escapePointer(type)}`,
        rule: 'capability',
        message: `is not a transaction type this adapter serves (it serves: ${[...declared.keys()].join(', ')})`,
      });
      continue;
    }
    const request = add(planRequest('submit', entry.submit, at, issues));
    const idem = entry.submit.idempotency;
    let idempotency: IdempotencyPlan;
    if (idem && 'header' in idem) {
      const value = idem.value !== undefined ? compile(idem.value, `${at}/idempotency/value`, issues) : undefined;
      idempotency = { kind: 'header', header: idem.header.toLowerCase(), value };
    } else if (idem && 'lookup' in idem) {
      const lookup = add(planRequest('lookup', idem.lookup, `${at}/idempotency/lookup`, issues));
      idempotency = lookup ? { kind: 'lookup', request: lookup } : undefined;
    }
    const configured: IdempotencyKind = idem === undefined ? 'none' : 'header' in idem ? 'key' : 'lookup';
    if (kind !== 'none' && configured === 'none') {
      issues.push({
        path: `${at}/idempotency`,
        rule: 'idempotency',
        message: 'is needed: without a header the back office dedupes on, or a look-up, a retried delivery can create a second record',
      });
    } else if (exact && kind !== 'none' && configured !== kind) {
      issues.push({
        path: `${at}/idempotency`,
        rule: 'idempotency',
        message: `must be ${kind === 'key' ? 'a header' : 'a look-up'}, as the adapter's capability for ${type} declares '${kind}'`,
      });
    }
    if (request) submit.set(type, { request, idempotency });
  }
  for (const type of required) {
    if (config.operations[type] === undefined)
      issues.push({
        path: `/operations/${escapePointer(type)}`,
        rule: 'required',
        message: 'is declared as a capability, so it needs a submit request',
      });
  }
  const status = config.status ? add(planRequest('getStatus', config.status, '/status', issues)) : undefined;
  const poll = config.poll ? add(planRequest('pollUpdates', config.poll, '/poll', issues)) : undefined;
  const check = config.check ? add(planRequest('check', config.check, '/check', issues)) : undefined;
  const rules = planRules(config.errorRules ?? [], issues);
  const vendorCode = config.vendorCode !== undefined ? compile(config.vendorCode, '/vendorCode', issues) : undefined;
  if (issues.length) throw new LgxValidationError(issues, { subject: "adapter 'rest' config", code: 'LGX_ERR_ADAPTER_CONFIG_INVALID' });
  return { submit, status, poll, check, rules, vendorCode, statusMap: config.statusMap ?? {}, requests };
}
