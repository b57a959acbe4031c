import { PermanentError, RetryableError, type LgxAdapterError } from '../errors/adapter-errors';
import { safeCause, scrubText } from './secret-scrub';

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

export interface TransportFailureContext {
  /** What was being done, e.g. `SOAP SubmitPermit`. */
  what: string;
  /** The call's own deadline. */
  timeout: { readonly aborted: boolean };
  /** The caller's signal, if any. */
  caller: AbortSignal | undefined;
  maxResponseBytes: number;
  secrets: readonly string[];
}

/** The classified error for a failure below HTTP: abort, timeout, size limit, TLS, connection. */
export function transportError(error: unknown, ctx: TransportFailureContext): LgxAdapterError {
  const e = error as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | null;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  const cause = safeCause(error, ctx.secrets);
  // The caller's signal is checked first: when both fired, the caller gave up before the deadline mattered.
  if (ctx.caller?.aborted) return new RetryableError(`${ctx.what} was aborted`, { code: 'LGX_ERR_TRANSPORT_ABORTED', cause });
  if (ctx.timeout.aborted || code === 'ETIMEDOUT' || code === 'ECONNABORTED')
    return new RetryableError(`${ctx.what} timed out`, { code: 'LGX_ERR_TRANSPORT_TIMEOUT', cause });
  const message = typeof e?.message === 'string' ? e.message : '';
  if (code === 'ERR_BAD_RESPONSE' && /maxContentLength/i.test(message)) {
    return new PermanentError(`${ctx.what} answered with more than ${ctx.maxResponseBytes} bytes`, {
      code: 'LGX_ERR_TRANSPORT_RESPONSE_TOO_LARGE',
      cause,
    });
  }
  if (code !== undefined && TLS_CODES.has(code))
    return new PermanentError(`${ctx.what}: TLS certificate not trusted (${code})`, { code: 'LGX_ERR_TRANSPORT_TLS', cause });
  return new RetryableError(`${ctx.what} failed: ${code ?? scrubText(message, ctx.secrets)}`, { cause });
}
