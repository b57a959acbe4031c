import { LgxValidationError, PermanentError, type RetryPolicy, type StatusUpdate, type ValidationIssue } from '@lgx/core';
import { createHttpClient } from '@lgx/core/http';
import { GovukPayClient, payHttpOptions } from './client';
import { DEFAULT_BASE_URL, type GovukPayConfig } from './config';
import { toRefund } from './mapping';
import type { Logger } from '@lgx/core';

/** A refund as LGX reports it (the statusUpdate payment refund shape). */
export type GovukPayRefund = NonNullable<NonNullable<StatusUpdate['payment']>['refunds']>[number];

export interface RefundRequest {
  /** Amount to refund, in integer pence (1 to 10,000,000). */
  amountPence: number;
  /**
   * What you believe is still refundable, in pence. GOV.UK Pay refuses the refund (412, P0604) when
   * it does not match, which guards against refunding twice from two places at once.
   */
  refundAmountAvailablePence?: number;
}

export interface RefundOptions {
  signal?: AbortSignal;
  logger?: Logger;
  /** Transport retries; default none (a refund POST has no idempotency key, so it is never retried). */
  retry?: RetryPolicy | false;
}

const PAYMENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

function pence(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 10_000_000;
}

/**
 * Refunds all or part of a GOV.UK Pay payment (POST /v1/payments/{paymentId}/refunds). The canonical
 * contract has no refund transaction type yet, so this is a helper beside the adapter, using the
 * same configuration. Input is checked before anything is sent; failures are the classified
 * @lgx/core adapter errors (e.g. PermanentError with vendorCode P0603 when the payment cannot be
 * refunded, P0604 when refundAmountAvailablePence does not match). GOV.UK Pay answers with the refund
 * `submitted`; its outcome comes back through getStatus (payment.refunds) or a webhook.
 */
export async function refundPayment(
  config: GovukPayConfig,
  paymentId: string,
  request: RefundRequest,
  options: RefundOptions = {},
): Promise<GovukPayRefund> {
  const issues: ValidationIssue[] = [];
  if (typeof paymentId !== 'string' || !PAYMENT_ID.test(paymentId))
    issues.push({ path: '/paymentId', rule: 'pattern', message: 'must be a GOV.UK Pay payment id (letters and digits)' });
  if (!pence(request?.amountPence))
    issues.push({ path: '/amountPence', rule: 'range', message: 'must be a whole number of pence from 1 to 10000000' });
  if (request?.refundAmountAvailablePence !== undefined && !pence(request.refundAmountAvailablePence)) {
    issues.push({ path: '/refundAmountAvailablePence', rule: 'range', message: 'must be a whole number of pence from 1 to 10000000' });
  }
  if (issues.length) throw new LgxValidationError(issues, { subject: 'GOV.UK Pay refund request' });
  const http = createHttpClient({
    ...payHttpOptions(config, DEFAULT_BASE_URL),
    retry: options.retry ?? false,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const client = new GovukPayClient(http);
  const body = {
    amount: request.amountPence,
    ...(request.refundAmountAvailablePence !== undefined ? { refund_amount_available: request.refundAmountAvailablePence } : {}),
  };
  const refund = await client.createRefund(paymentId, body, options.signal);
  const mapped = toRefund(refund);
  // Not retryable: the refund may have been made; a person checks it in the GOV.UK Pay admin tool.
  if (!mapped)
    throw new PermanentError('GOV.UK Pay answered the refund with a status this adapter does not know', {
      code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
    });
  options.logger?.info('refund submitted', { externalRef: paymentId, refundRef: mapped.refundRef, status: mapped.status });
  return mapped;
}
