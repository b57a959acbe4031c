/**
 * @module @lgx/core/http
 *
 * The HTTP transport for adapters, on axios: timeouts, classified errors (5xx, resets and timeouts
 * retryable; 429 rate-limited with Retry-After; 401/403 auth; 404 not found; other 4xx permanent),
 * retries with exponential backoff and full jitter for requests that are safe to repeat, auth
 * strategies, response size limits and TLS verification that cannot be turned off.
 */
export { HttpClient, createHttpClient, type HttpClientOptions, type HttpMethod, type HttpRequest, type HttpResponse } from './http-client';
export {
  bearerAuth,
  basicAuth,
  apiKeyAuth,
  jwtAuth,
  oauth2ClientCredentials,
  oauth2Token,
  signHs256,
  type AuthStrategy,
  type AuthTarget,
  type OAuth2ClientCredentialsOptions,
  type OAuth2TokenOptions,
} from './auth-strategies';
export { DEFAULT_RETRY, retryDelay } from './http-retry';
export {
  errorForStatus,
  parseRetryAfter,
  summariseVendorBody,
  scrubVendorText,
  MAX_RETRY_AFTER_MS,
  type StatusErrorInput,
} from '../transport/classify';
