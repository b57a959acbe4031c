import { AuthError, NotFoundError, PermanentError, RateLimitedError, RetryableError, type LgxAdapterError } from '../errors/adapter-errors';

/** Longest wait a Retry-After header can impose (longer values are capped). */
export const MAX_RETRY_AFTER_MS = 15 * 60 * 1000;

/**
 * Milliseconds to wait from a Retry-After header: delta-seconds or an HTTP date, capped at `capMs`.
 * Undefined when absent or unparseable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
  capMs: number = MAX_RETRY_AFTER_MS,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  if (text === '') return undefined;
  let ms: number;
  if (/^[0-9]+(\.[0-9]+)?$/.test(text)) ms = Math.round(Number(text) * 1000);
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(ms, 0), capMs);
}

const SAFE_KEYS =
  /^(code|error|error_code|errorCode|error_identifier|error_description|status|type|title|field|detail|description|message|reason|fault(code|string)?)$/i;
const EMAIL = /[^\s@"'<>]+@[^\s@"'<>]+\.[^\s@"'<>]+/g;
const LONG_NUMBER = /\+?[0-9][0-9 ]{5,}[0-9]/g;

/** Masks e-mail addresses and long digit runs (phone, account, card-like numbers) in vendor text. */
export function scrubVendorText(text: string): string {
  return text.replace(EMAIL, '[email]').replace(LONG_NUMBER, '[number]');
}

/**
 * A short, redacted summary of a vendor's error body for messages and logs: for JSON, only error-ish
 * fields (code, error, message, field ...) are kept; e-mail addresses and long numbers are masked;
 * at most `maxChars` characters.
 */
export function summariseVendorBody(body: unknown, maxChars = 300): string {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      value = body;
    }
  } else if (body instanceof Uint8Array) {
    return summariseVendorBody(Buffer.from(body).toString('utf8'), maxChars);
  }
  const pick = (v: unknown, depth: number): unknown => {
    if (depth > 4) return undefined;
    if (Array.isArray(v)) return v.slice(0, 5).map((x) => pick(x, depth + 1));
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (SAFE_KEYS.test(k) && (typeof x !== 'object' || x === null)) out[k] = x;
        else if (k === 'errors' || k === 'error' || k === 'fault') out[k] = pick(x, depth + 1);
      }
      return out;
    }
    return v;
  };
  const text = typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : (JSON.stringify(pick(value, 0)) ?? '');
  const scrubbed = scrubVendorText(text);
  return scrubbed.length > maxChars ? `${scrubbed.slice(0, maxChars)}…` : scrubbed;
}

export interface StatusErrorInput {
  status: number;
  /** The Retry-After header, if any. */
  retryAfter?: string | null | undefined;
  /** The vendor's own error code, if the caller extracted one. */
  vendorCode?: string;
  /** The response body (only a redacted summary is kept). */
  body?: unknown;
  /** What was being done, e.g. 'POST /requests.json'. */
  operation?: string;
  cause?: unknown;
  now?: number;
}

/**
 * The classified error for an HTTP error status: 5xx and 408 retryable, 429 rate-limited (with
 * Retry-After), 401/403 auth, 404 not found, other 4xx permanent with a redacted summary of the body.
 */
export function errorForStatus(input: StatusErrorInput): LgxAdapterError {
  const { status } = input;
  const summary = input.body === undefined || input.body === '' ? '' : `: ${summariseVendorBody(input.body)}`;
  const what = `${input.operation ? `${input.operation} ` : ''}answered ${status}${summary}`;
  const options = {
    status,
    ...(input.vendorCode !== undefined ? { vendorCode: input.vendorCode } : {}),
    ...(input.cause !== undefined ? { cause: input.cause } : {}),
  };
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(input.retryAfter, input.now);
    return new RateLimitedError(what, { ...options, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  if (status >= 500 || status === 408) return new RetryableError(what, options);
  if (status === 401 || status === 403) return new AuthError(what, options);
  if (status === 404 || status === 410) return new NotFoundError(what, options);
  return new PermanentError(what, options);
}
