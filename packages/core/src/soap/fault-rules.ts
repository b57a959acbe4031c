import { adapterError, type LgxAdapterError } from '../errors/adapter-errors';
import { parseRetryAfter } from '../transport/classify';
import { scrubText } from '../transport/secret-scrub';
import type { FaultClassification, FaultRule } from './types';

/** A SOAP fault as read from a response (1.1 or 1.2). */
export interface SoapFault {
  /** `faultcode` (1.1) or `Code/Value` (1.2), e.g. `soap:Server`. */
  code: string;
  /** `Code/Subcode/Value` (1.2). */
  subcode: string | undefined;
  /** `faultstring` (1.1) or `Reason/Text` (1.2), unscrubbed. */
  string: string;
  status: number | undefined;
  retryAfter: string | undefined;
}

/**
 * Rules applied after the caller's. WS-Security failures are auth; Server/Receiver (the back office
 * failed) retryable; Client/Sender and the envelope-level codes (our request is wrong) permanent.
 * A fault no rule matches is retryable: unknown failures are retried within caps, never dropped.
 */
export const DEFAULT_FAULT_RULES: readonly FaultRule[] = [
  {
    match: { code: /(^|:)(FailedAuthentication|InvalidSecurity|InvalidSecurityToken|SecurityTokenUnavailable|AuthenticationFailure)$/ },
    classification: 'auth',
  },
  { match: { code: /(^|:)(Server|Receiver)(\.|$)/i }, classification: 'retryable' },
  { match: { code: /(^|:)(Client|Sender|VersionMismatch|MustUnderstand|DataEncodingUnknown)(\.|$)/i }, classification: 'permanent' },
];

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return text(value[0]);
  if (typeof value === 'object' && value !== null && '$value' in value) return text((value as { $value: unknown }).$value);
  return undefined;
}

function child(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The fault soap found in a response, if the error is one. */
export function readFault(error: unknown): SoapFault | undefined {
  const fault = child(child(child(child(error, 'root'), 'Envelope'), 'Body'), 'Fault');
  if (typeof fault !== 'object' || fault === null) return undefined;
  const code = text(child(fault, 'faultcode')) ?? text(child(child(fault, 'Code'), 'Value')) ?? '';
  const subcode = text(child(child(child(fault, 'Code'), 'Subcode'), 'Value'));
  const string = text(child(fault, 'faultstring')) ?? text(child(child(fault, 'Reason'), 'Text')) ?? '';
  const response = child(error, 'response');
  const status = child(response, 'status');
  const retryAfter = child(child(response, 'headers'), 'retry-after');
  return {
    code,
    subcode,
    string,
    status: typeof status === 'number' ? status : undefined,
    retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
  };
}

function codeMatches(pattern: string | RegExp, code: string): boolean {
  if (code === '') return false;
  if (typeof pattern !== 'string') return pattern.test(code);
  const local = code.slice(code.lastIndexOf(':') + 1);
  return pattern.toLowerCase() === code.toLowerCase() || pattern.toLowerCase() === local.toLowerCase();
}

function ruleMatches(rule: FaultRule, fault: SoapFault): boolean {
  const { code, string } = rule.match;
  if (code === undefined && string === undefined) return false;
  if (code !== undefined && !codeMatches(code, fault.code) && !(fault.subcode !== undefined && codeMatches(code, fault.subcode)))
    return false;
  return string === undefined || string.test(fault.string);
}

/** The classification the rules give a fault: the caller's rules, then HTTP 401/403/429, then the defaults. */
export function classifyFault(fault: SoapFault, rules: readonly FaultRule[] = []): FaultClassification {
  const own = rules.find((rule) => ruleMatches(rule, fault));
  if (own) return own.classification;
  // The status is the clearest signal a fault carries when the caller has not said otherwise.
  if (fault.status === 401 || fault.status === 403) return 'auth';
  if (fault.status === 429) return 'rateLimited';
  return DEFAULT_FAULT_RULES.find((rule) => ruleMatches(rule, fault))?.classification ?? 'retryable';
}

/** The classified error for a fault; the fault code is its vendorCode, the fault string is scrubbed. */
export function faultError(fault: SoapFault, what: string, rules: readonly FaultRule[], secrets: readonly string[]): LgxAdapterError {
  const classification = classifyFault(fault, rules);
  const reason = fault.string === '' ? '' : `: ${scrubText(fault.string, secrets)}`;
  const message = `${what} answered with SOAP fault ${fault.code || '(no code)'}${reason}`;
  const options = {
    ...(fault.code !== '' ? { vendorCode: fault.code } : {}),
    ...(fault.status !== undefined ? { status: fault.status } : {}),
    ...(fault.subcode !== undefined ? { details: { subcode: fault.subcode } } : {}),
  };
  if (classification === 'rateLimited') {
    const retryAfterMs = parseRetryAfter(fault.retryAfter);
    return adapterError(classification, message, { ...options, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  return adapterError(classification, message, options);
}
