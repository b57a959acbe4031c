import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import http from 'node:http';
import https from 'node:https';
import { PermanentError, RetryableError } from '../errors/adapter-errors';
import { errorForStatus } from '../transport/classify';
import { assertSafeXml } from './xml-safety';

export interface SoapTransportSettings {
  timeoutMs: number;
  maxResponseBytes: number;
  ca?: string | string[] | undefined;
}

const FAULT = /<(?:[\w.-]+:)?Fault[\s>/]/;
const ENVELOPE = /<(?:[\w.-]+:)?Envelope[\s>/]/;

function where(response: AxiosResponse): string {
  const method = (response.config.method ?? 'get').toUpperCase();
  let path = response.config.url ?? '';
  try {
    // Only the path: a query string may carry a key.
    path = new URL(path).pathname;
  } catch {
    path = path.split('?')[0] ?? '';
  }
  return `${method} ${path}`;
}

function bytesOf(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(typeof data === 'string' ? data : '', 'utf8');
}

/**
 * Checks a response on its raw bytes, before soap parses anything: size, DOCTYPE/ENTITY, HTTP status.
 * An error status that carries a SOAP fault goes on to soap, so the fault rules classify it; any
 * other error status is classified here like any HTTP answer.
 */
function inspect(response: AxiosResponse, settings: SoapTransportSettings): AxiosResponse {
  const bytes = bytesOf(response.data);
  const at = where(response);
  if (bytes.length > settings.maxResponseBytes) {
    throw new PermanentError(`${at} answered with more than ${settings.maxResponseBytes} bytes`, {
      code: 'LGX_ERR_TRANSPORT_RESPONSE_TOO_LARGE',
      status: response.status,
    });
  }
  assertSafeXml(bytes, `the response to ${at}`);
  const text = bytes.toString('utf8');
  const isCall = at.startsWith('POST ');
  const { status } = response;
  if (status < 200 || status >= 300) {
    if (!(isCall && ENVELOPE.test(text) && FAULT.test(text))) {
      const retryAfter = response.headers['retry-after'] as unknown;
      throw errorForStatus({ status, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, body: text, operation: at });
    }
  } else if (isCall && text.trim() !== '' && !ENVELOPE.test(text)) {
    throw new RetryableError(`${at} answered ${status} with a body that is not a SOAP envelope`, {
      code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
      status,
    });
  }
  response.data = text;
  return response;
}

/**
 * The axios instance soap sends through (its `request` option), so that every byte LGX reads from a
 * back office - WSDL, imported schemas and SOAP responses - passes the same limits and checks.
 */
export function createSoapTransport(settings: SoapTransportSettings): AxiosInstance {
  // Agents of its own: a client's idle connections are never shared with, or spoiled by, other traffic.
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true, rejectUnauthorized: true, ...(settings.ca ? { ca: settings.ca } : {}) });
  const instance = axios.create({ proxy: false });
  instance.interceptors.request.use((config) => {
    // soap builds each request config itself; these are imposed after it, so nothing it merges in
    // (status handling, redirects, an agent without certificate checks) can loosen them.
    config.responseType = 'arraybuffer';
    config.transformResponse = [(data: unknown) => data];
    config.maxContentLength = settings.maxResponseBytes;
    config.maxBodyLength = 50 * 1024 * 1024;
    config.maxRedirects = 0;
    config.validateStatus = () => true;
    config.httpAgent = httpAgent;
    config.httpsAgent = httpsAgent;
    config.proxy = false;
    // Imports soap fetches on its own while reading a WSDL come without a signal: give them a deadline.
    config.signal ??= AbortSignal.timeout(settings.timeoutMs);
    return config;
  });
  instance.interceptors.response.use((response) => inspect(response, settings));
  return instance;
}
