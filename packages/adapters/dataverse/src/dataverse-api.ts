import { RateLimitedError, RetryableError, type AdapterHttpOptions, type LgxAdapterError } from '@lgx/core';
import { oauth2ClientCredentials, type HttpClient, type HttpResponse } from '@lgx/core/http';
import { DEFAULT_AUTHORITY_HOST, type DataverseConfig } from './config';

/** A row as the Web API answers it: columns, `@odata.etag` and annotations. */
export type DataverseRow = Record<string, unknown>;

/** One page of a collection read. */
export interface RowPage {
  rows: DataverseRow[];
  /** The next page of the same read. */
  nextLink?: string;
  /** Where the changes after this read are (change tracking, on the last page). */
  deltaLink?: string;
  /** The server applied `odata.track-changes`. */
  tracking: boolean;
}

/**
 * Service protection errors (MicrosoftDocs powerapps-docs `api-limits.md`): too many requests, too
 * much execution time, too many concurrent requests. Whatever their status, they mean "slow down".
 */
const SERVICE_PROTECTION: Readonly<Record<string, number>> = {
  '0x80072322': 30_000,
  '-2147015902': 30_000,
  '0x80072321': 30_000,
  '-2147015903': 30_000,
  '0x80072326': 1000,
  '-2147015898': 1000,
};

/** Dataverse's own error code (`error.code`, often empty) from its error envelope. */
export function dataverseErrorCode(body: unknown): string | undefined {
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
  return typeof code === 'string' && code !== '' ? code.slice(0, 64) : undefined;
}

/** The HTTP client options Dataverse needs: the Web API root, Entra ID client credentials, OData headers. */
export function dataverseHttpOptions(config: DataverseConfig): AdapterHttpOptions {
  const origin = new URL(config.url).origin;
  const authority = (config.authorityHost ?? DEFAULT_AUTHORITY_HOST).replace(/\/+$/, '');
  return {
    baseUrl: `${origin}/api/data/v${config.apiVersion ?? '9.2'}/`,
    timeoutMs: config.timeoutMs ?? 15_000,
    auth: oauth2ClientCredentials({
      tokenUrl: `${authority}/${encodeURIComponent(config.tenantId)}/oauth2/v2.0/token`,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      scope: `${origin}/.default`,
    }),
    headers: { 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' },
    vendorCode: (body) => dataverseErrorCode(body),
  };
}

function reclassify(error: unknown): unknown {
  const e = error as (Partial<LgxAdapterError> & { retryAfterMs?: number }) | null;
  const wait = e?.vendorCode !== undefined ? SERVICE_PROTECTION[e.vendorCode] : undefined;
  if (wait !== undefined && (e!.classification !== 'rateLimited' || e!.retryAfterMs === undefined)) {
    return new RateLimitedError(e!.message ?? 'Dataverse service protection limit reached', {
      vendorCode: e!.vendorCode!,
      retryAfterMs: e!.retryAfterMs ?? wait,
      ...(e!.status !== undefined ? { status: e!.status } : {}),
      cause: error,
    });
  }
  return error;
}

function malformed(what: string): RetryableError {
  return new RetryableError(`Dataverse answered ${what} without the fields the Web API promises`, {
    code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
  });
}

function isRow(value: unknown): value is DataverseRow {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The Web API calls the adapter makes, each one attempt, each classified. */
export class DataverseApi {
  constructor(private readonly http: HttpClient) {}

  private async call<T>(fn: () => Promise<HttpResponse<T>>): Promise<HttpResponse<T>> {
    try {
      return await fn();
    } catch (error) {
      throw reclassify(error);
    }
  }

  /**
   * A create-only upsert (`If-None-Match: *`) of the row addressed by `path`: the row, or `exists` when
   * a row with that key is already there (412). Asks for the row back; a server that answers 204
   * instead gives only its id (from `OData-EntityId`).
   */
  async createOnly(
    path: string,
    body: Record<string, unknown>,
    select: readonly string[],
    signal: AbortSignal,
  ): Promise<{ exists: true } | { exists: false; row?: DataverseRow; id?: string }> {
    const res = await this.call(() =>
      this.http.request<unknown>({
        method: 'PATCH',
        path,
        json: body,
        query: { $select: select.join(',') },
        headers: { 'If-None-Match': '*', Prefer: 'return=representation' },
        accept: [412],
        signal,
        responseType: 'json',
      }),
    );
    if (res.status === 412) return { exists: true };
    if (isRow(res.data)) return { exists: false, row: res.data };
    const id = /\(([0-9a-fA-F-]{36})\)\s*$/.exec(res.headers['odata-entityid'] ?? '')?.[1];
    if (res.status === 204 && id) return { exists: false, id: id.toLowerCase() };
    throw malformed(`PATCH ${path.split('(')[0]}`);
  }

  /** An update-only write (`If-Match: *`): 404 when the row is not there. */
  async updateOnly(path: string, body: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    await this.call(() =>
      this.http.request({ method: 'PATCH', path, json: body, headers: { 'If-Match': '*' }, signal, responseType: 'text' }),
    );
  }

  /** Deletes a row; resolves false when it is not there (404), as a record deleted before is. */
  async deleteRow(path: string, signal: AbortSignal): Promise<boolean> {
    try {
      await this.call(() => this.http.request({ method: 'DELETE', path, signal, responseType: 'text' }));
      return true;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return false;
      throw error;
    }
  }

  async getRow(path: string, select: readonly string[], signal: AbortSignal): Promise<DataverseRow> {
    const res = await this.call(() =>
      this.http.get<unknown>(path, {
        query: { $select: select.join(',') },
        headers: { 'If-None-Match': 'null' },
        signal,
        responseType: 'json',
      }),
    );
    if (!isRow(res.data)) throw malformed(`GET ${path.split('(')[0]}`);
    return res.data;
  }

  /**
   * One page of a collection read: a relative path with a query, or a next or delta link the server
   * gave (absolute). `prefer` adds to the Prefer header (odata.track-changes, odata.maxpagesize).
   */
  async page(path: string, query: Record<string, string> | undefined, prefer: readonly string[], signal: AbortSignal): Promise<RowPage> {
    const res = await this.call(() =>
      this.http.get<unknown>(path, {
        ...(query ? { query } : {}),
        headers: { 'If-None-Match': 'null', ...(prefer.length ? { Prefer: prefer.join(',') } : {}) },
        signal,
        responseType: 'json',
      }),
    );
    const body = res.data as { value?: unknown; '@odata.nextLink'?: unknown; '@odata.deltaLink'?: unknown } | null;
    if (!isRow(body) || !Array.isArray(body.value)) throw malformed(`GET ${path.split('?')[0]!.slice(0, 80)}`);
    return {
      rows: body.value.filter(isRow),
      ...(typeof body['@odata.nextLink'] === 'string' ? { nextLink: body['@odata.nextLink'] } : {}),
      ...(typeof body['@odata.deltaLink'] === 'string' ? { deltaLink: body['@odata.deltaLink'] } : {}),
      tracking: /odata\.track-changes/i.test(res.headers['preference-applied'] ?? ''),
    };
  }

  /** The smallest authenticated call: proves the token, the application user and the network. */
  async whoAmI(signal: AbortSignal): Promise<void> {
    await this.call(() => this.http.get('WhoAmI', { headers: { 'If-None-Match': 'null' }, signal, responseType: 'json' }));
  }
}
