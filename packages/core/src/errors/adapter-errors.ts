import { LgxError, type LgxErrorOptions } from './lgx-error';
import type { LgxErrorCode } from './codes';

/**
 * How an adapter failure should be treated. Adapters classify; the runtime decides what to do from
 * the classification alone (retry later, wait and retry, dead-letter, alert).
 */
export type ErrorClassification = 'retryable' | 'rateLimited' | 'permanent' | 'auth' | 'notFound' | 'unsupported';

export interface AdapterErrorOptions extends LgxErrorOptions {
  /** The vendor's own error code, e.g. GOV.UK Pay's `P0102`. */
  vendorCode?: string;
  /** HTTP status the vendor answered with, when there was one. */
  status?: number;
  /** A more specific code from the table (e.g. LGX_ERR_TRANSPORT_TIMEOUT for a retryable timeout). */
  code?: LgxErrorCode;
}

/** Base class of the classified adapter errors. */
export abstract class LgxAdapterError extends LgxError {
  abstract readonly classification: ErrorClassification;
  readonly vendorCode: string | undefined;
  readonly status: number | undefined;

  protected constructor(code: LgxErrorCode, message: string, options: AdapterErrorOptions = {}) {
    super(code, message, options);
    this.vendorCode = options.vendorCode;
    this.status = options.status;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      classification: this.classification,
      ...(this.vendorCode !== undefined ? { vendorCode: this.vendorCode } : {}),
      ...(this.status !== undefined ? { status: this.status } : {}),
    };
  }
}

/** May succeed later: 5xx, connection refused or reset, timeout. */
export class RetryableError extends LgxAdapterError {
  readonly classification = 'retryable' as const;
  constructor(message: string, options: AdapterErrorOptions = {}) {
    super(options.code ?? 'LGX_ERR_ADAPTER_RETRYABLE', message, options);
    this.name = 'RetryableError';
  }
}

/** The vendor asked us to slow down; `retryAfterMs` says for how long, when it said. */
export class RateLimitedError extends LgxAdapterError {
  readonly classification = 'rateLimited' as const;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: AdapterErrorOptions & { retryAfterMs?: number } = {}) {
    super(options.code ?? 'LGX_ERR_ADAPTER_RATE_LIMITED', message, options);
    this.name = 'RateLimitedError';
    this.retryAfterMs = options.retryAfterMs;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}) };
  }
}

/** Rejected for good: sending it again unchanged fails again. Carries the vendor's code. */
export class PermanentError extends LgxAdapterError {
  readonly classification = 'permanent' as const;
  constructor(message: string, options: AdapterErrorOptions = {}) {
    super(options.code ?? 'LGX_ERR_ADAPTER_PERMANENT', message, options);
    this.name = 'PermanentError';
  }
}

/** Credentials refused. Needs a person to fix configuration; retrying does not help. */
export class AuthError extends LgxAdapterError {
  readonly classification = 'auth' as const;
  constructor(message: string, options: AdapterErrorOptions = {}) {
    super(options.code ?? 'LGX_ERR_ADAPTER_AUTH', message, options);
    this.name = 'AuthError';
  }
}

/** No such record at the vendor. */
export class NotFoundError extends LgxAdapterError {
  readonly classification = 'notFound' as const;
  constructor(message: string, options: AdapterErrorOptions = {}) {
    super(options.code ?? 'LGX_ERR_ADAPTER_NOT_FOUND', message, options);
    this.name = 'NotFoundError';
  }
}

/** The adapter does not support this operation or type. */
export class UnsupportedError extends LgxAdapterError {
  readonly classification = 'unsupported' as const;
  constructor(message: string, options: AdapterErrorOptions = {}) {
    super(options.code ?? 'LGX_ERR_ADAPTER_OPERATION_UNSUPPORTED', message, options);
    this.name = 'UnsupportedError';
  }
}

const BY_CLASSIFICATION = {
  retryable: RetryableError,
  rateLimited: RateLimitedError,
  permanent: PermanentError,
  auth: AuthError,
  notFound: NotFoundError,
  unsupported: UnsupportedError,
} as const;

/** The adapter error of a classification (e.g. from a fault rule a council configured). */
export function adapterError(
  classification: ErrorClassification,
  message: string,
  options: AdapterErrorOptions & { retryAfterMs?: number } = {},
): LgxAdapterError {
  return new BY_CLASSIFICATION[classification](message, options);
}

const CLASSIFICATIONS: ReadonlySet<string> = new Set(Object.keys(BY_CLASSIFICATION));

/**
 * The classification of any thrown value. Unclassified errors count as `retryable`: an unknown failure
 * is retried within the caps and then dead-lettered, never dropped.
 */
export function classifyError(error: unknown): ErrorClassification {
  const c = (error as { classification?: unknown } | null)?.classification;
  return typeof c === 'string' && CLASSIFICATIONS.has(c) ? (c as ErrorClassification) : 'retryable';
}
