import { RetryableError } from '@lgx/core';
import { apiKeyAuth, bearerAuth, errorForStatus, type HttpClient, type HttpRequest } from '@lgx/core/http';
import {
  alloyErrorCode,
  type AlloyErrorBody,
  type AlloyItem,
  type AlloyItemLogEntry,
  type AlloyItemWrite,
  type AqsNode,
} from './alloy-api';
import type { AlloyConfig } from './config';

/** The client options Alloy needs: its base URL, the key as a Bearer token (or `?token=`), JSON. */
export function alloyHttpOptions(config: Pick<AlloyConfig, 'baseUrl' | 'apiKey' | 'keyIn' | 'timeoutMs'>, defaultBaseUrl: string) {
  return {
    baseUrl: config.baseUrl ?? defaultBaseUrl,
    auth: config.keyIn === 'query' ? apiKeyAuth({ in: 'query', name: 'token', value: config.apiKey }) : bearerAuth(config.apiKey),
    timeoutMs: config.timeoutMs ?? 30_000,
    vendorCode: (body: unknown) => alloyErrorCode(body),
  };
}

/**
 * Client errors Alloy explains in its error body: answered rather than thrown by the transport, so the
 * explanation (`debugErrorMessage`) can go into the error. 401 (refused key), 408 and 429 (slow down)
 * stay with the transport, which classifies them and reads Retry-After.
 */
const EXPLAINED = Array.from({ length: 100 }, (_, i) => 400 + i).filter((s) => s !== 401 && s !== 408 && s !== 429);

function malformed(what: string): RetryableError {
  return new RetryableError(`Alloy answered ${what} without the fields the API promises`, { code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE' });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isItem(value: unknown): value is AlloyItem {
  const item = value as AlloyItem | null;
  return (
    typeof item === 'object' &&
    item !== null &&
    typeof item.itemId === 'string' &&
    item.itemId !== '' &&
    item.itemId.length <= 64 &&
    (item.attributes === undefined || Array.isArray(item.attributes))
  );
}

const id = (value: string): string => encodeURIComponent(value);

/** The Alloy calls the adapter makes, each one attempt, each classified. */
export class AlloyClient {
  constructor(private readonly http: HttpClient) {}

  private async call(request: HttpRequest, operation: string): Promise<unknown> {
    const res = await this.http.request<string>({ ...request, accept: EXPLAINED, responseType: 'text' });
    const body = parse(res.data);
    if (res.status < 400) return body;
    const b = (typeof body === 'object' && body !== null ? body : {}) as AlloyErrorBody;
    const code = alloyErrorCode(body);
    // Only these three fields reach the message, through the transport's summary (which masks e-mail
    // addresses and long numbers and caps the length).
    const explained = { errorCode: b.errorCode, error: b.errorCodeString, message: b.debugErrorMessage };
    throw errorForStatus({
      status: res.status,
      body: typeof body === 'object' ? explained : body,
      operation,
      ...(code !== undefined ? { vendorCode: code } : {}),
    });
  }

  async createItem(item: AlloyItemWrite, signal: AbortSignal): Promise<AlloyItem> {
    const data = (await this.call({ method: 'POST', path: 'item', json: item, signal }, 'POST item')) as { item?: unknown } | null;
    if (!isItem(data?.item)) throw malformed('POST item');
    return data.item;
  }

  async getItem(itemId: string, signal: AbortSignal): Promise<AlloyItem> {
    const data = (await this.call({ method: 'GET', path: `item/${id(itemId)}`, signal }, 'GET item/{itemId}')) as { item?: unknown } | null;
    if (!isItem(data?.item)) throw malformed('GET item/{itemId}');
    return data.item;
  }

  async updateItem(itemId: string, update: AlloyItemWrite, signal: AbortSignal): Promise<AlloyItem> {
    const data = (await this.call({ method: 'PUT', path: `item/${id(itemId)}`, json: update, signal }, 'PUT item/{itemId}')) as {
      item?: unknown;
    } | null;
    if (!isItem(data?.item)) throw malformed('PUT item/{itemId}');
    return data.item;
  }

  /** A design and its attributes (`GET design/{code}`). */
  async getDesign(designCode: string, signal: AbortSignal): Promise<{ code: string; attributes: Array<{ code: string; name?: string }> }> {
    const data = (await this.call({ method: 'GET', path: `design/${id(designCode)}`, signal }, 'GET design/{code}')) as {
      design?: { code?: unknown; attributes?: unknown };
    } | null;
    const attributes = data?.design?.attributes;
    if (!Array.isArray(attributes)) throw malformed('GET design/{code}');
    return { code: designCode, attributes: attributes.filter((a): a is { code: string; name?: string } => typeof a?.code === 'string') };
  }

  /** One page of an AQS query (pages count from 1). */
  async query(aqs: AqsNode, page: number, pageSize: number, signal: AbortSignal): Promise<AlloyItem[]> {
    const data = (await this.call(
      { method: 'POST', path: 'aqs/query', query: { page, pageSize }, json: { aqs }, signal },
      'POST aqs/query',
    )) as { results?: unknown } | null;
    if (!Array.isArray(data?.results)) throw malformed('POST aqs/query');
    return data.results.filter(isItem);
  }

  /** How many items an AQS filter matches (`aqs/statistics` with a Count aggregation). */
  async count(aqs: AqsNode, signal: AbortSignal): Promise<number> {
    const data = (await this.call({ method: 'POST', path: 'aqs/statistics', json: { aqs }, signal }, 'POST aqs/statistics')) as {
      results?: Array<{ value?: { value?: unknown } }>;
    } | null;
    const value = data?.results?.[0]?.value?.value;
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < 0) throw malformed('POST aqs/statistics');
    return n;
  }

  /** The item's log, newest edits included (`GET item-log/item/{id}`). */
  async itemLog(itemId: string, signal: AbortSignal): Promise<AlloyItemLogEntry[]> {
    const data = (await this.call({ method: 'GET', path: `item-log/item/${id(itemId)}`, signal }, 'GET item-log/item/{itemId}')) as {
      results?: unknown;
    } | null;
    return Array.isArray(data?.results) ? (data.results as AlloyItemLogEntry[]) : [];
  }

  /** Uploads a file (`POST file`, the raw bytes) and answers its file item id. */
  async uploadFile(bytes: Uint8Array, contentType: string, filename: string, signal: AbortSignal): Promise<string> {
    // The filename goes into a quoted header parameter: quotes, backslashes and non-ASCII are replaced.
    const safeName = filename.replace(/["\\]/g, '_').replace(/[^\x20-\x7e]/g, '_');
    const data = (await this.call(
      {
        method: 'POST',
        path: 'file',
        body: bytes,
        headers: { 'content-type': contentType, 'content-disposition': `attachment; filename="${safeName}"` },
        signal,
      },
      'POST file',
    )) as { fileItemId?: unknown } | null;
    if (typeof data?.fileItemId !== 'string' || data.fileItemId === '') throw malformed('POST file');
    return data.fileItemId;
  }
}
