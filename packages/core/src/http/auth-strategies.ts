import { createHmac } from 'node:crypto';
import { AuthError, RateLimitedError, RetryableError, type LgxAdapterError } from '../errors/adapter-errors';
import { parseRetryAfter, summariseVendorBody } from '../transport/classify';
import { SharedAttempt } from '../transport/shared-attempt';

/** What an auth strategy may change on an outgoing request. */
export interface AuthTarget {
  headers: Record<string, string>;
  query: Record<string, string>;
}

/** Adds credentials to requests; may refresh them once after a 401. */
export interface AuthStrategy {
  readonly kind: string;
  apply(target: AuthTarget, signal: AbortSignal | undefined): Promise<void>;
  /** Called once when the vendor answers 401. True means "credentials refreshed: retry once". */
  onUnauthorized?(): Promise<boolean>;
  /** Every secret value this strategy holds (for log scrubbing). */
  secrets(): string[];
}

export function bearerAuth(token: string): AuthStrategy {
  return {
    kind: 'bearer',
    apply: async (t) => void (t.headers.authorization = `Bearer ${token}`),
    secrets: () => [token],
  };
}

export function basicAuth(username: string, password: string): AuthStrategy {
  const encoded = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  return {
    kind: 'basic',
    apply: async (t) => void (t.headers.authorization = `Basic ${encoded}`),
    secrets: () => [password, encoded],
  };
}

/** An API key in a header (e.g. `x-api-key`) or a query parameter (e.g. `api_key`). */
export function apiKeyAuth(options: { in: 'header' | 'query'; name: string; value: string }): AuthStrategy {
  return {
    kind: 'apiKey',
    apply: async (t) => {
      if (options.in === 'header') t.headers[options.name.toLowerCase()] = options.value;
      else t.query[options.name] = options.value;
    },
    secrets: () => [options.value],
  };
}

const b64url = (input: Buffer | string) => Buffer.from(input).toString('base64url');

/** Signs an HS256 JSON Web Token. */
export function signHs256(claims: Record<string, unknown>, secret: string, header: Record<string, unknown> = {}): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', ...header }));
  const body = b64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/**
 * A fresh HS256 JWT on every request, as GOV.UK Notify requires (`iss` = service id, `iat` = now,
 * accepted within 30 seconds of the server's clock).
 */
export function jwtAuth(options: {
  issuer: string;
  secret: string;
  claims?: () => Record<string, unknown>;
  now?: () => number;
}): AuthStrategy {
  const now = options.now ?? Date.now;
  return {
    kind: 'jwt',
    apply: async (t) => {
      const token = signHs256({ iss: options.issuer, iat: Math.floor(now() / 1000), ...options.claims?.() }, options.secret);
      t.headers.authorization = `Bearer ${token}`;
    },
    secrets: () => [options.secret],
  };
}

export interface OAuth2ClientCredentialsOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** Extra form fields (e.g. `resource` or `audience`). */
  extra?: Record<string, string>;
  /** Refresh this long before the token expires (default 60 s). */
  refreshMarginMs?: number;
  /** Sends client id and secret as HTTP Basic rather than in the form (default false). */
  basic?: boolean;
  now?: () => number;
  /** Timeout for the token request (default 15 s). */
  timeoutMs?: number;
  /** Sees every token response (e.g. Salesforce's `instance_url`); never log it, it holds the token. */
  onToken?: (body: Readonly<Record<string, unknown>>) => void;
}

export interface OAuth2TokenOptions {
  tokenUrl: string;
  /**
   * The form fields of a token request, made afresh for each request (so a signed assertion, as in
   * the JWT bearer grant, is always new), with any headers the grant needs (client authentication).
   */
  request: () => { form: Record<string, string>; headers?: Record<string, string> };
  /** Secret values the grant holds (client secret, private key), for log scrubbing. */
  secrets: () => string[];
  /** Sees every token response (e.g. Salesforce's `instance_url`); never log it, it holds the token. */
  onToken?: (body: Readonly<Record<string, unknown>>) => void;
  /** Refresh this long before the token expires (default 60 s). */
  refreshMarginMs?: number;
  /** Lifetime assumed when the response has no `expires_in` (default 1 hour; a 401 refreshes anyway). */
  defaultLifetimeMs?: number;
  now?: () => number;
  /** Timeout for the token request (default 15 s). */
  timeoutMs?: number;
  /** Names the strategy (AuthStrategy.kind), default `oauth2`. */
  kind?: string;
}

/** A token endpoint that failed: unreachable, 5xx and 429 may pass; a refusal (4xx) needs a person. */
function tokenFailure(status: number, text: string, retryAfter: string | null, origin: string): LgxAdapterError {
  const what = `token endpoint ${origin} answered ${status}: ${summariseVendorBody(text)}`;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(retryAfter);
    return new RateLimitedError(what, { status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  if (status >= 500 || status === 408) return new RetryableError(what, { status });
  return new AuthError(what, { status });
}

/**
 * An OAuth 2.0 access token from a token endpoint, for any grant (client credentials, JWT bearer).
 * The token is cached until shortly before it expires; however many calls are waiting, only one token
 * request is in flight: a caller whose signal aborts stops waiting at once, and a request every caller
 * has given up on is abandoned, so the next caller starts a fresh one; after a 401 the token is dropped and the call retried once with a new one. A token endpoint
 * that is unreachable, answers 5xx or 429 fails retryable (or rate-limited); one that refuses fails auth.
 */
export function oauth2Token(options: OAuth2TokenOptions): AuthStrategy {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 60_000;
  const origin = new URL(options.tokenUrl).origin;
  let cached: { token: string; expiresAt: number } | undefined;

  const fetchToken = async (abandon: AbortSignal): Promise<string> => {
    const { form, headers = {} } = options.request();
    let response: Response;
    try {
      response = await fetch(options.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
        body: new URLSearchParams(form),
        signal: AbortSignal.any([abandon, AbortSignal.timeout(options.timeoutMs ?? 15_000)]),
      });
    } catch (cause) {
      throw new RetryableError(`token request to ${origin} failed`, { cause: scrubbedCause(cause, options.secrets()) });
    }
    const text = await response.text();
    if (!response.ok) throw tokenFailure(response.status, text, response.headers.get('retry-after'), origin);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new RetryableError(`token endpoint ${origin} answered with a body that is not JSON`, {
        code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
      });
    }
    if (typeof body !== 'object' || body === null || typeof body.access_token !== 'string' || body.access_token === '') {
      throw new AuthError(`token endpoint ${origin} answered without an access_token`);
    }
    // Some endpoints send expires_in as a string of digits.
    const seconds =
      typeof body.expires_in === 'number'
        ? body.expires_in
        : typeof body.expires_in === 'string' && /^[0-9]+$/.test(body.expires_in)
          ? Number(body.expires_in)
          : undefined;
    const lifetime = seconds !== undefined ? seconds * 1000 : (options.defaultLifetimeMs ?? 3600_000);
    options.onToken?.(body);
    cached = { token: body.access_token, expiresAt: now() + Math.max(lifetime - margin, 0) };
    return body.access_token;
  };

  const requests = new SharedAttempt<string>(fetchToken);
  const token = async (signal: AbortSignal | undefined): Promise<string> => {
    if (cached && cached.expiresAt > now()) return cached.token;
    try {
      return await requests.join(signal);
    } catch (error) {
      if (signal?.aborted)
        throw new RetryableError(`waiting for a token from ${origin} was aborted`, { code: 'LGX_ERR_TRANSPORT_ABORTED', cause: error });
      throw error;
    }
  };

  return {
    kind: options.kind ?? 'oauth2',
    apply: async (t, signal) => void (t.headers.authorization = `Bearer ${await token(signal)}`),
    onUnauthorized: async () => {
      cached = undefined;
      return true;
    },
    secrets: () => [...options.secrets(), ...(cached ? [cached.token] : [])],
  };
}

/** A network failure's cause without any secret in its message (the form may have carried one). */
function scrubbedCause(cause: unknown, secrets: readonly string[]): unknown {
  const message = (cause as Error)?.message;
  if (typeof message !== 'string' || !secrets.some((s) => s.length >= 4 && message.includes(s))) return cause;
  return new Error(secrets.reduce((text, s) => (s.length >= 4 ? text.split(s).join('[secret]') : text), message));
}

/**
 * OAuth 2.0 client credentials. The token is cached until shortly before it expires; however many
 * calls are waiting, only one token request is in flight; after a 401 the token is dropped and the
 * call retried once with a new one.
 */
export function oauth2ClientCredentials(options: OAuth2ClientCredentialsOptions): AuthStrategy {
  return oauth2Token({
    tokenUrl: options.tokenUrl,
    ...(options.refreshMarginMs !== undefined ? { refreshMarginMs: options.refreshMarginMs } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.onToken ? { onToken: options.onToken } : {}),
    secrets: () => [options.clientSecret],
    request: () => {
      const form: Record<string, string> = {
        grant_type: 'client_credentials',
        ...(options.scope ? { scope: options.scope } : {}),
        ...options.extra,
      };
      if (!options.basic) return { form: { ...form, client_id: options.clientId, client_secret: options.clientSecret } };
      const basic = Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64');
      return { form, headers: { authorization: `Basic ${basic}` } };
    },
  });
}
