import { adapterError, classifyError, type LgxAdapterError } from '../errors/adapter-errors';
import { isLgxError } from '../errors/lgx-error';
import { schemaRegistry } from '../schema/schema-registry';
import { collectMarkedValues } from './redact';

/** The text values inside a marked value (a marked object, such as a location, is masked leaf by leaf). */
function leaves(value: string): string[] {
  if (!/^[[{]/.test(value)) return [value];
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string' || typeof v === 'number') out.push(String(v));
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
  };
  try {
    walk(JSON.parse(value));
  } catch {
    return [value];
  }
  return out;
}

/** Error summaries are cut to a length: the longest start of a long value the message holds, if any. */
function cutPrefix(message: string, value: string): string | undefined {
  const least = 12;
  if (value.length <= least || !message.includes(value.slice(0, least))) return undefined;
  let lo = least;
  let hi = value.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (message.includes(value.slice(0, mid))) lo = mid;
    else hi = mid - 1;
  }
  return value.slice(0, lo);
}

/**
 * An adapter error without the transaction's personal data in its message. Vendors echo what they
 * were sent ("the value '…' is too long", a duplicate's name); an error the runtime stores and shows
 * must not carry the citizen's data. Each `x-lgx-pii` value of `data` (of `type`) found in the
 * message, whole or as the start of a long value where a summary was cut, is replaced by
 * `[personal data]`, and the original error, with the vendor's unmasked text,
 * is not kept as the cause. Errors that hold none, or are not classified adapter errors, come back as
 * they are.
 */
export function maskPersonalData(error: unknown, type: string, data: unknown): unknown {
  if (!isLgxError(error) || (error as { classification?: unknown }).classification === undefined) return error;
  const values = collectMarkedValues(data, schemaRegistry().get(type).schema, ['x-lgx-pii'])
    .flatMap(leaves)
    .filter((v) => v.length >= 3)
    .sort((a, b) => b.length - a.length);
  let message = error.message;
  for (const value of values) {
    const seen = message.includes(value) ? value : cutPrefix(message, value);
    if (seen !== undefined) message = message.split(seen).join('[personal data]');
  }
  if (message === error.message) return error;
  const e = error as LgxAdapterError & { retryAfterMs?: number };
  return adapterError(classifyError(error), message, {
    code: e.code,
    ...(e.vendorCode !== undefined ? { vendorCode: e.vendorCode } : {}),
    ...(e.status !== undefined ? { status: e.status } : {}),
    ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
    ...(e.details !== undefined ? { details: e.details } : {}),
  });
}
