import { LgxValidationError, type MappingExpression, type ValidationIssue } from '@lgx/core';
import type { AdapterSoapOptions } from '@lgx/core';
import type { FaultClassification, FaultRule, SoapAuth } from '@lgx/core/soap';
import { compile } from './expressions';
import type { CaseStatusName, SoapAdapterConfig, SoapCallConfig } from './config';

/** One configured SOAP call with its expressions compiled. */
export interface CallPlan {
  operation: string;
  request: MappingExpression;
  response: MappingExpression;
}

/** A fault rule on successful results: `when` truthy makes the call fail with `classification`. */
export interface ResultRule {
  path: string;
  when: MappingExpression;
  vendorCode: MappingExpression | undefined;
  operations: readonly string[] | undefined;
  classification: FaultClassification;
}

/** The configuration, checked and compiled once when the adapter is created. */
export interface Plan {
  submit: Map<string, CallPlan>;
  status: CallPlan | undefined;
  poll: CallPlan | undefined;
  check: { operation: string; request: MappingExpression | undefined } | undefined;
  statusMap: Readonly<Record<string, CaseStatusName>>;
  resultRules: ResultRule[];
  soap: AdapterSoapOptions;
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

function compileCall(config: SoapCallConfig, path: string, issues: ValidationIssue[]): CallPlan | undefined {
  const request = compile(config.request, `${path}/request`, issues);
  const response = compile(config.response, `${path}/response`, issues);
  return request && response ? { operation: config.operation, request, response } : undefined;
}

function regex(source: string, path: string, issues: ValidationIssue[]): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch {
    issues.push({ path, rule: 'regex', message: 'is not a valid regular expression' });
    return undefined;
  }
}

function soapAuth(config: SoapAdapterConfig): SoapAuth | undefined {
  const auth = config.auth;
  if (auth === undefined) return undefined;
  if (auth.type === 'wsSecurity')
    return {
      type: 'wsSecurity',
      username: auth.username,
      password: auth.password,
      ...(auth.passwordType ? { passwordType: auth.passwordType } : {}),
    };
  return {
    type: 'session',
    login: { operation: auth.login.operation, args: auth.login.args, tokenPath: auth.login.tokenPath },
    apply: auth.apply,
    ...(auth.ttlSeconds !== undefined ? { ttlMs: auth.ttlSeconds * 1000 } : {}),
  };
}

/**
 * Checks what JSON Schema cannot (JSONata syntax, regular expressions, types the adapter serves) and
 * compiles every expression once. Throws LGX_ERR_ADAPTER_CONFIG_INVALID listing every problem by
 * config path, so a council fixes them all in one go.
 */
export function planFromConfig(config: SoapAdapterConfig, servable: ReadonlySet<string>, required: readonly string[] = []): Plan {
  const issues: ValidationIssue[] = [];
  const submit = new Map<string, CallPlan>();
  for (const [type, entry] of Object.entries(config.operations)) {
    const at = `/operations/${escapePointer(type)}`;
    if (!servable.has(type)) {
      issues.push({
        path: at,
        rule: 'capability',
        message: `is not a transaction type this adapter serves (it serves: ${[...servable].join(', ')})`,
      });
      continue;
    }
    const plan = compileCall(entry.submit, `${at}/submit`, issues);
    if (plan) submit.set(type, plan);
  }
  for (const type of required) {
    if (config.operations[type] === undefined)
      issues.push({
        path: `/operations/${escapePointer(type)}`,
        rule: 'required',
        message: 'is declared as a capability, so it needs a submit mapping',
      });
  }
  const status = config.status ? compileCall(config.status, '/status', issues) : undefined;
  const poll = config.poll ? compileCall(config.poll, '/poll', issues) : undefined;
  const check = config.check
    ? {
        operation: config.check.operation,
        request: config.check.request !== undefined ? compile(config.check.request, '/check/request', issues) : undefined,
      }
    : undefined;

  const faultRules: FaultRule[] = [];
  const resultRules: ResultRule[] = [];
  (config.faultRules ?? []).forEach((rule, i) => {
    const at = `/faultRules/${i}`;
    const onFault = rule.code !== undefined || rule.string !== undefined;
    if (onFault && rule.expression !== undefined) {
      issues.push({ path: at, rule: 'faultRule', message: 'matches either a SOAP fault (code/string) or a result (expression), not both' });
      return;
    }
    if (onFault) {
      if (rule.vendorCode !== undefined)
        issues.push({
          path: `${at}/vendorCode`,
          rule: 'faultRule',
          message: 'only applies to result rules (with expression); a fault keeps its fault code',
        });
      if (rule.operations !== undefined)
        issues.push({
          path: `${at}/operations`,
          rule: 'faultRule',
          message: 'only applies to result rules (with expression); fault rules apply to every operation',
        });
      const string = rule.string !== undefined ? regex(rule.string, `${at}/string`, issues) : undefined;
      faultRules.push({
        match: { ...(rule.code !== undefined ? { code: rule.code } : {}), ...(string ? { string } : {}) },
        classification: rule.classification,
      });
      return;
    }
    if (rule.expression === undefined) {
      issues.push({ path: at, rule: 'faultRule', message: 'needs code, string or expression' });
      return;
    }
    const when = compile(rule.expression, `${at}/expression`, issues);
    const vendorCode = rule.vendorCode !== undefined ? compile(rule.vendorCode, `${at}/vendorCode`, issues) : undefined;
    if (when) resultRules.push({ path: at, when, vendorCode, operations: rule.operations, classification: rule.classification });
  });

  if (issues.length) throw new LgxValidationError(issues, { subject: "adapter 'soap' config", code: 'LGX_ERR_ADAPTER_CONFIG_INVALID' });

  const auth = soapAuth(config);
  const soap: AdapterSoapOptions = {
    wsdl: config.wsdl,
    ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
    ...(config.service !== undefined ? { service: config.service } : {}),
    ...(config.port !== undefined ? { port: config.port } : {}),
    ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
    ...(config.maxResponseBytes !== undefined ? { maxResponseBytes: config.maxResponseBytes } : {}),
    ...(auth ? { auth } : {}),
    faultRules,
  };
  return { submit, status, poll, check, statusMap: config.statusMap ?? {}, resultRules, soap };
}
