import { PermanentError, RateLimitedError, RetryableError, type AdapterHttpOptions, type LgxAdapterError, type Logger } from '@lgx/core';
import { errorForStatus, type HttpClient, type HttpResponse } from '@lgx/core/http';
import type { SalesforceConfig } from './config';
import type { SalesforceSession } from './salesforce-auth';

/** A record as the REST API answers it: `attributes` and the fields asked for. */
export type SfRecord = Record<string, unknown> & { Id?: unknown };

/** Salesforce's own error code: the first `errorCode` of its error array, or an OAuth `error`. */
export function salesforceErrorCode(body: unknown): string | undefined {
  const first = Array.isArray(body) ? (body[0] as unknown) : body;
  const e = first as { errorCode?: unknown; error?: unknown } | null;
  const code = typeof e?.errorCode === 'string' ? e.errorCode : typeof e?.error === 'string' ? e.error : undefined;
  return code?.slice(0, 64);
}

export function salesforceHttpOptions(config: SalesforceConfig, session: SalesforceSession): AdapterHttpOptions {
  return {
    baseUrl: config.loginUrl,
    auth: session.auth,
    timeoutMs: config.timeoutMs ?? 15_000,
    vendorCode: (body) => salesforceErrorCode(body),
  };
}

function malformed(what: string): RetryableError {
  return new RetryableError(`Salesforce answered ${what} without the fields the REST API promises`, {
    code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
  });
}

const isRecord = (value: unknown): value is SfRecord => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The Case REST calls the adapter makes, each one attempt (a composite counts once), each classified. */
export class SalesforceApi {
  /** API requests used and allowed, from the last `Sforce-Limit-Info` header. */
  usage: { used: number; max: number } | undefined;
  private warned = false;

  constructor(
    private readonly http: HttpClient,
    private readonly session: SalesforceSession,
    private readonly options: { version: string; externalIdField: string; backoffMs: number; logger: Logger },
  ) {}

  private async url(path: string, signal: AbortSignal): Promise<string> {
    return `${await this.session.instanceUrl(signal)}/services/data/v${this.options.version}${path}`;
  }

  /**
   * REQUEST_LIMIT_EXCEEDED is a 403 (not a 429): the daily allocation is used up, so the wait is long;
   * for the concurrent long-running request limit, short.
   */
  private reclassify(error: unknown): unknown {
    const e = error as Partial<LgxAdapterError> | null;
    if (e?.vendorCode !== 'REQUEST_LIMIT_EXCEEDED') return error;
    const concurrent = /concurrent/i.test(e.message ?? '');
    return new RateLimitedError(e.message ?? 'Salesforce API request limit exceeded', {
      vendorCode: 'REQUEST_LIMIT_EXCEEDED',
      retryAfterMs: concurrent ? 30_000 : this.options.backoffMs,
      ...(e.status !== undefined ? { status: e.status } : {}),
      cause: error,
    });
  }

  private note(res: HttpResponse<unknown>): void {
    const m = /api-usage=([0-9]+)\/([0-9]+)/.exec(res.headers['sforce-limit-info'] ?? '');
    if (!m) return;
    this.usage = { used: Number(m[1]), max: Number(m[2]) };
    if (!this.warned && this.usage.used >= this.usage.max * 0.9) {
      this.warned = true;
      this.options.logger.warn("the org's daily API allocation is 90% used", { used: this.usage.used, max: this.usage.max });
    }
  }

  private async call<T>(fn: () => Promise<HttpResponse<T>>): Promise<HttpResponse<T>> {
    try {
      const res = await fn();
      this.note(res as HttpResponse<unknown>);
      return res;
    } catch (error) {
      throw this.reclassify(error);
    }
  }

  private keyPath(key: string): string {
    return `/sobjects/Case/${this.options.externalIdField}/${encodeURIComponent(key)}`;
  }

  /** The Case holding this external id value, or undefined; several is permanent (300). */
  async findByExternalId(key: string, fields: readonly string[], signal: AbortSignal): Promise<SfRecord | undefined> {
    const url = await this.url(this.keyPath(key), signal);
    const res = await this.call(() =>
      this.http.get<unknown>(url, { query: { fields: fields.join(',') }, accept: [300, 404], signal, responseType: 'json' }),
    );
    if (res.status === 404) return undefined;
    if (res.status === 300) throw this.several();
    if (!isRecord(res.data) || typeof res.data.Id !== 'string') throw malformed('GET Case by external id');
    return res.data;
  }

  private several(): PermanentError {
    return new PermanentError(`several Cases hold this ${this.options.externalIdField} (Salesforce answered 300): make the field unique`, {
      vendorCode: 'MULTIPLE_CHOICES',
      status: 300,
    });
  }

  /**
   * Upserts the Case by external id and reads it back, in one composite request (one API call):
   * 201 made, 200 or 204 updated (a repeat), 300 several Cases hold the value.
   */
  async upsertAndRead(
    key: string,
    body: Record<string, unknown>,
    fields: readonly string[],
    signal: AbortSignal,
  ): Promise<{ record?: SfRecord; id?: string; created: boolean }> {
    const base = `/services/data/v${this.options.version}`;
    const url = await this.url('/composite', signal);
    const res = await this.call(() =>
      this.http.post<unknown>(url, {
        json: {
          allOrNone: false,
          compositeRequest: [
            { method: 'PATCH', url: `${base}${this.keyPath(key)}`, referenceId: 'upsertCase', body },
            { method: 'GET', url: `${base}${this.keyPath(key)}?fields=${fields.join(',')}`, referenceId: 'readCase' },
          ],
        },
        signal,
        responseType: 'json',
      }),
    );
    const answers = (res.data as { compositeResponse?: unknown } | null)?.compositeResponse;
    if (!Array.isArray(answers) || answers.length !== 2) throw malformed('POST /composite');
    const [upsert, read] = answers as Array<{ httpStatusCode?: unknown; body?: unknown }>;
    const status = Number(upsert?.httpStatusCode);
    if (status === 300) throw this.several();
    if (!(status >= 200 && status < 300)) {
      const vendorCode = salesforceErrorCode(upsert?.body);
      const error = errorForStatus({
        status,
        body: upsert?.body,
        operation: `PATCH /sobjects/Case/${this.options.externalIdField}`,
        ...(vendorCode ? { vendorCode } : {}),
      });
      // A 404 here is the external id field missing from Case: the org's setup, not a missing record.
      throw this.reclassify(
        status === 404
          ? new PermanentError(`${error.message} (is ${this.options.externalIdField} an External ID field on Case?)`, {
              status,
              ...(vendorCode ? { vendorCode } : {}),
            })
          : error,
      );
    }
    const id = isRecord(upsert?.body) && typeof upsert.body.id === 'string' ? upsert.body.id : undefined;
    const record = Number(read?.httpStatusCode) === 200 && isRecord(read?.body) && typeof read.body.Id === 'string' ? read.body : undefined;
    return { ...(record ? { record } : {}), ...(id ? { id } : {}), created: status === 201 };
  }

  async getCase(id: string, fields: readonly string[], signal: AbortSignal): Promise<SfRecord> {
    const url = await this.url(`/sobjects/Case/${encodeURIComponent(id)}`, signal);
    const res = await this.call(() => this.http.get<unknown>(url, { query: { fields: fields.join(',') }, signal, responseType: 'json' }));
    if (!isRecord(res.data) || typeof res.data.Id !== 'string') throw malformed('GET Case');
    return res.data;
  }

  /** The ids of Cases changed in the window (getUpdated: seconds ignored, at most 30 days back). */
  async updated(start: string, end: string, signal: AbortSignal): Promise<{ ids: string[]; latestDateCovered?: string }> {
    const url = await this.url('/sobjects/Case/updated/', signal);
    const res = await this.call(() => this.http.get<unknown>(url, { query: { start, end }, signal, responseType: 'json' }));
    const body = res.data as { ids?: unknown; latestDateCovered?: unknown } | null;
    if (!isRecord(body) || !Array.isArray(body.ids)) throw malformed('GET /sobjects/Case/updated/');
    return {
      ids: body.ids.filter((id): id is string => typeof id === 'string'),
      ...(typeof body.latestDateCovered === 'string' ? { latestDateCovered: body.latestDateCovered } : {}),
    };
  }

  /** Cases by id, up to 2000 per call (sObject Collections); null for one that is gone. */
  async retrieve(ids: readonly string[], fields: readonly string[], signal: AbortSignal): Promise<Array<SfRecord | null>> {
    const url = await this.url('/composite/sobjects/Case', signal);
    const res = await this.call(() => this.http.post<unknown>(url, { json: { ids, fields }, signal, responseType: 'json' }));
    if (!Array.isArray(res.data)) throw malformed('POST /composite/sobjects/Case');
    return res.data.map((r) => (isRecord(r) ? r : null));
  }

  /** The org's Case statuses: value and whether it closes the case. */
  async caseStatuses(signal: AbortSignal): Promise<Array<{ value: string; label: string; closed: boolean }>> {
    const url = await this.url('/query', signal);
    const res = await this.call(() =>
      this.http.get<unknown>(url, {
        query: { q: 'SELECT ApiName, MasterLabel, IsClosed FROM CaseStatus ORDER BY SortOrder' },
        signal,
        responseType: 'json',
      }),
    );
    const records = (res.data as { records?: unknown } | null)?.records;
    if (!Array.isArray(records)) throw malformed('GET /query CaseStatus');
    return records
      .filter(isRecord)
      .flatMap((r) =>
        typeof r.MasterLabel === 'string'
          ? [{ value: typeof r.ApiName === 'string' ? r.ApiName : r.MasterLabel, label: r.MasterLabel, closed: r.IsClosed === true }]
          : [],
      );
  }

  /** The org's daily API allocation (`/limits`). */
  async limits(signal: AbortSignal): Promise<{ max: number; remaining: number } | undefined> {
    const url = await this.url('/limits', signal);
    const res = await this.call(() => this.http.get<unknown>(url, { signal, responseType: 'json' }));
    const daily = (res.data as { DailyApiRequests?: { Max?: unknown; Remaining?: unknown } } | null)?.DailyApiRequests;
    return typeof daily?.Max === 'number' && typeof daily.Remaining === 'number'
      ? { max: daily.Max, remaining: daily.Remaining }
      : undefined;
  }
}
