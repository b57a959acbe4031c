import type { MappingBindings, MappingExpression } from '@lgx/core';
import { errorForStatus, parseRetryAfter, type HttpClient } from '@lgx/core/http';
import { applyRules, type ErrorRule } from './error-rules';
import { prepare, type RequestPlan } from './request-plan';

/** An answer, parsed: JSON when it is JSON, else its text. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Every status but 2xx and 401 is answered rather than thrown by the transport, so error rules can
 * read the body. 401 stays with the transport: it refreshes an OAuth 2.0 token once and repeats.
 */
const ANSWERED = Array.from({ length: 300 }, (_, i) => 300 + i).filter((s) => s !== 401);

function parse(text: string, contentType: string | undefined): unknown {
  if (text.trim() === '') return undefined;
  if (/\bjson\b/i.test(contentType ?? '') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** The vendor's code in a common error body shape (code, errorCode, error.code, error, errors[0].code). */
export function defaultVendorCode(body: unknown): string | undefined {
  const b = body as Record<string, unknown> | null;
  if (typeof b !== 'object' || b === null) return undefined;
  const error = b.error as Record<string, unknown> | string | undefined;
  const errors = Array.isArray(b.errors) ? (b.errors[0] as Record<string, unknown> | undefined) : undefined;
  const candidates = [b.code, b.errorCode, typeof error === 'object' && error !== null ? error.code : error, errors?.code];
  for (const c of candidates) {
    if (typeof c === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/.test(c)) return c;
    if (typeof c === 'number' && Number.isInteger(c)) return String(c);
  }
  return undefined;
}

/** Sends configured requests: builds each from its plan, applies the error rules, classifies the rest. */
export class Caller {
  constructor(
    private readonly http: HttpClient,
    private readonly rules: readonly ErrorRule[],
    private readonly vendorCode: MappingExpression | undefined,
  ) {}

  /**
   * One request for `input`. `accept` lists statuses that are answers, not errors (a look-up's 404);
   * error rules are still checked first.
   */
  async send(
    plan: RequestPlan,
    input: unknown,
    bindings: MappingBindings,
    signal: AbortSignal,
    options: { headers?: Record<string, string>; accept?: readonly number[] } = {},
  ): Promise<Answer> {
    const request = await prepare(plan, input, bindings, signal);
    if (options.headers) request.headers = { ...request.headers, ...options.headers };
    const res = await this.http.request<string>({ ...request, accept: ANSWERED });
    const body = parse(res.data, res.headers['content-type']);
    // The operation is named by its template, never by the data filled in.
    const operation = `${plan.method} ${plan.pathTemplate.shape}`;
    const answerBindings = { ...bindings, status: res.status, headers: res.headers, request: input };
    const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
    const ruled = await applyRules(this.rules, plan.call, operation, { status: res.status, body, retryAfterMs }, answerBindings);
    if (ruled) throw ruled;
    if (res.status >= 300 && !options.accept?.includes(res.status)) {
      const code = this.vendorCode ? await this.vendorCode.evaluate(body, answerBindings) : defaultVendorCode(body);
      const vendorCode = typeof code === 'string' && code !== '' ? code.slice(0, 100) : typeof code === 'number' ? String(code) : undefined;
      throw errorForStatus({
        status: res.status,
        retryAfter: res.headers['retry-after'],
        body,
        operation,
        ...(vendorCode !== undefined ? { vendorCode } : {}),
      });
    }
    return { status: res.status, headers: res.headers, body };
  }
}
