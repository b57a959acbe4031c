import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import https from 'node:https';
import { RetryableError, type LgxAdapterError } from '../errors/adapter-errors';
import { deadline } from '../transport/deadline';
import { transportError } from '../transport/transport-errors';
import { errorForStatus } from '../transport/classify';
import { silentLogger, type Logger } from '../logging/logger';
import { DEFAULT_RETRY, retryDelay, sleep } from './http-retry';
import type { RetryPolicy } from '../retry/retry-policy';
import type { AuthStrategy, AuthTarget } from './auth-strategies';

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

export interface HttpClientOptions {
  /** Base URL every request path is resolved against. */
  baseUrl: string;
  /** Total time one attempt may take (default 30 s). */
  timeoutMs?: number;
  /** Retry policy for this client (default 3 attempts in all, full jitter); `false` turns retrying off. */
  retry?: RetryPolicy | false;
  auth?: AuthStrategy;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** Largest response body accepted (default 10 MiB). */
  maxResponseBytes?: number;
  /** Header that carries the idempotency key (default `Idempotency-Key`). */
  idempotencyHeader?: string;
  /** Extracts the vendor's own error code from an error body (e.g. GOV.UK Pay's `code`). */
  vendorCode?: (body: unknown, status: number) => string | undefined;
  /** Extra CA certificates (PEM) for back offices with a private CA. Verification is never turned off. */
  ca?: string | string[];
  logger?: Logger;
  /** Source of randomness for jitter (tests). */
  random?: () => number;
}

export interface HttpRequest {
  method: HttpMethod;
  /** Path (resolved against baseUrl) or absolute URL. */
  path: string;
  query?: Record<string, string | number | boolean | undefined | Array<string | number>>;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded (arrays repeat the key). */
  form?: Record<string, string | number | boolean | undefined | Array<string | number>>;
  /** Sent as is. */
  body?: string | Uint8Array;
  /** Makes a non-idempotent request safe to retry, and is sent in the idempotency header. */
  idempotencyKey?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** How to read a 2xx body (default: JSON when the response says so, else text). */
  responseType?: 'json' | 'text' | 'bytes';
  /** Statuses (besides 2xx) to return instead of throwing, e.g. [404] for a look-up. */
  accept?: number[];
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

function appendParams(target: URLSearchParams, params: HttpRequest['query']): void {
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) target.append(key, String(v));
    else target.append(key, String(value));
  }
}

function flatHeaders(headers: AxiosResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {}))
    if (v !== undefined && v !== null) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

/** An HTTP client for adapters: timeouts, classified errors, retries with full jitter, auth, size limits. */
export class HttpClient {
  private readonly axios: AxiosInstance;
  private readonly retry: Required<RetryPolicy>;
  private readonly logger: Logger;
  private readonly maxResponseBytes: number;

  constructor(private readonly options: HttpClientOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new TypeError(`baseUrl must be http(s), got ${base.protocol}`);
    this.retry = options.retry === false ? { ...DEFAULT_RETRY, maxAttempts: 1 } : { ...DEFAULT_RETRY, ...options.retry };
    this.logger = options.logger ?? silentLogger;
    this.maxResponseBytes = options.maxResponseBytes ?? 10 * 1024 * 1024;
    this.axios = axios.create({
      maxContentLength: this.maxResponseBytes,
      maxBodyLength: 50 * 1024 * 1024,
      maxRedirects: 0,
      responseType: 'arraybuffer',
      validateStatus: () => true,
      // TLS verification stays on; only extra trusted CAs can be added.
      httpsAgent: new https.Agent({ keepAlive: true, rejectUnauthorized: true, ...(options.ca ? { ca: options.ca } : {}) }),
      transitional: { clarifyTimeoutError: true },
      proxy: false,
    });
  }

  /** Secret values held by the client's auth (for scrubbing). */
  secrets(): string[] {
    return this.options.auth?.secrets() ?? [];
  }

  get<T = unknown>(path: string, request: Omit<HttpRequest, 'method' | 'path'> = {}): Promise<HttpResponse<T>> {
    return this.request<T>({ ...request, method: 'GET', path });
  }

  post<T = unknown>(path: string, request: Omit<HttpRequest, 'method' | 'path'> = {}): Promise<HttpResponse<T>> {
    return this.request<T>({ ...request, method: 'POST', path });
  }

  /**
   * Sends a request. Retries retryable and short rate-limited failures when the request is safe to
   * repeat (an idempotent method, or any method with an idempotency key); throws the classified error
   * otherwise.
   */
  async request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    const repeatable = IDEMPOTENT_METHODS.has(request.method) || request.idempotencyKey !== undefined;
    const maxAttempts = repeatable ? this.retry.maxAttempts : 1;
    const started = Date.now();
    let reauthenticated = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(request, attempt);
      } catch (error) {
        const status = (error as LgxAdapterError).status;
        if (status === 401 && !reauthenticated && this.options.auth?.onUnauthorized && (await this.options.auth.onUnauthorized())) {
          reauthenticated = true;
          attempt--;
          continue;
        }
        const delay = attempt < maxAttempts ? retryDelay(error, attempt, this.retry, this.options.random) : undefined;
        if (delay === undefined || Date.now() + delay - started > this.retry.maxAgeMs) throw error;
        this.logger.debug('http retry', {
          method: request.method,
          path: request.path.split('?')[0],
          attempt,
          delayMs: delay,
          code: (error as { code?: string }).code,
        });
        try {
          await sleep(delay, request.signal);
        } catch (cause) {
          throw new RetryableError(`${request.method} ${request.path.split('?')[0]} aborted while waiting to retry`, {
            code: 'LGX_ERR_TRANSPORT_ABORTED',
            cause,
          });
        }
      }
    }
  }

  private async once<T>(request: HttpRequest, attempt: number): Promise<HttpResponse<T>> {
    const url = new URL(request.path, this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`);
    const target: AuthTarget = { headers: { ...this.lower(this.options.headers), ...this.lower(request.headers) }, query: {} };
    appendParams(url.searchParams, request.query);
    let data: string | Uint8Array | undefined;
    if (request.json !== undefined) {
      data = JSON.stringify(request.json);
      target.headers['content-type'] ??= 'application/json';
    } else if (request.form !== undefined) {
      const form = new URLSearchParams();
      appendParams(form, request.form);
      data = form.toString();
      target.headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (request.body !== undefined) data = request.body;
    target.headers.accept ??= 'application/json';
    if (request.idempotencyKey !== undefined)
      target.headers[(this.options.idempotencyHeader ?? 'Idempotency-Key').toLowerCase()] = request.idempotencyKey;
    await this.options.auth?.apply(target, request.signal);
    for (const [k, v] of Object.entries(target.query)) url.searchParams.set(k, v);

    const operation = `${request.method} ${url.pathname}`;
    const limit = deadline(request.timeoutMs ?? this.options.timeoutMs ?? 30_000, request.signal);
    const started = Date.now();
    let response: AxiosResponse<ArrayBuffer>;
    try {
      response = await this.axios.request<ArrayBuffer>({
        method: request.method,
        url: url.href,
        headers: target.headers,
        data,
        signal: limit.signal,
      });
    } catch (error) {
      throw transportError(error, {
        what: operation,
        timeout: limit.timeout,
        caller: request.signal,
        maxResponseBytes: this.maxResponseBytes,
        secrets: this.secrets(),
      });
    } finally {
      // The body is read in full by now (arraybuffer), so the deadline has nothing left to guard.
      limit.clear();
    }
    const headers = flatHeaders(response.headers);
    const bytes = Buffer.from(response.data ?? new ArrayBuffer(0));
    this.logger.debug('http response', {
      method: request.method,
      path: url.pathname,
      status: response.status,
      attempt,
      ms: Date.now() - started,
    });
    const ok = (response.status >= 200 && response.status < 300) || request.accept?.includes(response.status);
    if (!ok) {
      const text = bytes.toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep text
      }
      const vendorCode = this.options.vendorCode?.(body, response.status);
      throw errorForStatus({
        status: response.status,
        retryAfter: headers['retry-after'],
        body,
        operation,
        ...(vendorCode !== undefined ? { vendorCode } : {}),
      });
    }
    return { status: response.status, headers, data: this.parse<T>(bytes, headers, request, operation) };
  }

  private parse<T>(bytes: Buffer, headers: Record<string, string>, request: HttpRequest, operation: string): T {
    if (request.responseType === 'bytes') return new Uint8Array(bytes) as T;
    const text = bytes.toString('utf8');
    const wantsJson =
      request.responseType === 'json' || (request.responseType === undefined && /\bjson\b/i.test(headers['content-type'] ?? ''));
    if (!wantsJson) return text as T;
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new RetryableError(`${operation} answered with a body that is not valid JSON`, {
        code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
        cause,
      });
    }
  }

  private lower(headers: Record<string, string> | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
    return out;
  }
}

/** Creates an HTTP client for an adapter. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  return new HttpClient(options);
}
