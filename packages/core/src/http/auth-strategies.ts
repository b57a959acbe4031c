import { createHmac } from 'node:crypto';
import { AuthError } from '../errors/adapter-errors';
import { summariseVendorBody } from '../transport/classify';

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
export function jwtAuth(options: { issuer: string; secret: string; claims?: () => Record<string, unknown>; now?: () => number }): AuthStrategy {
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
}

/**
 * OAuth 2.0 client credentials. The token is cached until shortly before it expires; however many
 * calls are waiting, only one token request is in flight; after a 401 the token is dropped and the
 * call retried once with a new one.
 */
export function oauth2ClientCredentials(options: OAuth2ClientCredentialsOptions): AuthStrategy {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 60_000;
  let cached: { token: string; expiresAt: number } | undefined;
  let inflight: Promise<string> | undefined;

  const fetchToken = async (): Promise<string> => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...(options.scope ? { scope: options.scope } : {}), ...options.extra });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (options.basic) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`;
    else {
      form.set('client_id', options.clientId);
      form.set('client_secret', options.clientSecret);
    }
    let response: Response;
    try {
      response = await fetch(options.tokenUrl, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
    } catch (cause) {
      throw new AuthError(`token request to ${new URL(options.tokenUrl).origin} failed`, { cause });
    }
    const text = await response.text();
    if (!response.ok) throw new AuthError(`token endpoint answered ${response.status}: ${summariseVendorBody(text)}`, { status: response.status });
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch (cause) {
      throw new AuthError('token endpoint answered with a body that is not JSON', { cause });
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') throw new AuthError('token endpoint answered without an access_token');
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in * 1000 : 3600_000;
    cached = { token: body.access_token, expiresAt: now() + Math.max(lifetime - margin, 0) };
    return body.access_token;
  };

  const token = async (): Promise<string> => {
    if (cached && cached.expiresAt > now()) return cached.token;
    inflight ??= fetchToken().finally(() => (inflight = undefined));
    return inflight;
  };

  return {
    kind: 'oauth2',
    apply: async (t) => void (t.headers.authorization = `Bearer ${await token()}`),
    onUnauthorized: async () => {
      cached = undefined;
      return true;
    },
    secrets: () => [options.clientSecret, ...(cached ? [cached.token] : [])],
  };
}
