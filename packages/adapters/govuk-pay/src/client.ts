import { RateLimitedError, RetryableError, type LgxAdapterError } from '@lgx/core';
import { bearerAuth, type HttpClient } from '@lgx/core/http';
import {
  payErrorCode,
  type PayCreateRequest,
  type PayPayment,
  type PayRefund,
  type PayRefunds,
  type PaySearchResults,
} from './govuk-pay-api';

/** The client options GOV.UK Pay needs: Bearer key, its error codes, JSON. */
export function payHttpOptions(config: { baseUrl?: string; apiKey: string; timeoutMs?: number }, defaultBaseUrl: string) {
  return {
    baseUrl: config.baseUrl ?? defaultBaseUrl,
    auth: bearerAuth(config.apiKey),
    timeoutMs: config.timeoutMs ?? 15_000,
    vendorCode: (body: unknown) => payErrorCode(body),
  };
}

/**
 * GOV.UK Pay answers "too many requests" with error code P0900. Whatever the HTTP status, that is a
 * rate limit; without a Retry-After header the delay is the 1 second GOV.UK Pay's documentation advises.
 */
function reclassify(error: unknown): unknown {
  const e = error as (Partial<LgxAdapterError> & { retryAfterMs?: number }) | null;
  if (e?.vendorCode === 'P0900' && (e.classification !== 'rateLimited' || e.retryAfterMs === undefined)) {
    return new RateLimitedError(e.message ?? 'GOV.UK Pay answered P0900 too many requests', {
      vendorCode: 'P0900',
      retryAfterMs: e.retryAfterMs ?? 1000,
      ...(e.status !== undefined ? { status: e.status } : {}),
      cause: error,
    });
  }
  return error;
}

function ids(value: string): string {
  return encodeURIComponent(value);
}

function malformed(what: string): RetryableError {
  return new RetryableError(`GOV.UK Pay answered ${what} without the fields the API promises`, {
    code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
  });
}

function isPayment(value: unknown): value is PayPayment {
  const p = value as PayPayment | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.payment_id === 'string' &&
    p.payment_id !== '' &&
    typeof p.state === 'object' &&
    p.state !== null &&
    typeof p.state.status === 'string'
  );
}

/** The GOV.UK Pay calls the adapter makes, each one attempt, each classified. */
export class GovukPayClient {
  constructor(private readonly http: HttpClient) {}

  private async call<T>(fn: () => Promise<{ data: T }>): Promise<T> {
    try {
      return (await fn()).data;
    } catch (error) {
      throw reclassify(error);
    }
  }

  async createPayment(body: PayCreateRequest, idempotencyKey: string, signal: AbortSignal): Promise<PayPayment> {
    const data = await this.call(() =>
      this.http.post<unknown>('/v1/payments', { json: body, idempotencyKey, signal, responseType: 'json' }),
    );
    if (!isPayment(data)) throw malformed('POST /v1/payments');
    return data;
  }

  async getPayment(paymentId: string, signal: AbortSignal): Promise<PayPayment> {
    const data = await this.call(() => this.http.get<unknown>(`/v1/payments/${ids(paymentId)}`, { signal, responseType: 'json' }));
    if (!isPayment(data)) throw malformed('GET /v1/payments/{paymentId}');
    return data;
  }

  async getRefunds(paymentId: string, signal: AbortSignal): Promise<PayRefund[]> {
    const data = await this.call(() =>
      this.http.get<PayRefunds>(`/v1/payments/${ids(paymentId)}/refunds`, { signal, responseType: 'json' }),
    );
    const refunds = data?._embedded?.refunds;
    return Array.isArray(refunds) ? refunds.filter((r) => typeof r?.refund_id === 'string') : [];
  }

  async searchPayments(query: { from_date: string; page: number; display_size: number }, signal: AbortSignal): Promise<PaySearchResults> {
    const data = await this.call(() => this.http.get<PaySearchResults>('/v1/payments', { query, signal, responseType: 'json' }));
    if (typeof data !== 'object' || data === null || !Array.isArray(data.results)) throw malformed('GET /v1/payments');
    return data;
  }

  async createRefund(
    paymentId: string,
    body: { amount: number; refund_amount_available?: number },
    signal?: AbortSignal,
  ): Promise<PayRefund> {
    const data = await this.call(() =>
      this.http.post<PayRefund>(`/v1/payments/${ids(paymentId)}/refunds`, {
        json: body,
        responseType: 'json',
        ...(signal ? { signal } : {}),
      }),
    );
    if (typeof data?.refund_id !== 'string' || typeof data.amount !== 'number') throw malformed('POST /v1/payments/{paymentId}/refunds');
    return data;
  }
}
