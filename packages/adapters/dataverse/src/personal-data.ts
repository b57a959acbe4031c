import { adapterError, classifyError, collectMarkedValues, isLgxError, schemaRegistry, type LgxAdapterError } from '@lgx/core';

/**
 * Vendors echo what they were sent in their error messages ("the length of … exceeded …", a
 * duplicate's name). An error the runtime stores and shows must not carry the citizen's data, so any
 * personal-data value of the transaction found in the message is masked, and the original error (with
 * the vendor's unmasked text) is not kept as its cause.
 */
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

export function withoutPersonalData(error: unknown, type: string, data: unknown): unknown {
  if (!isLgxError(error) || (error as { classification?: unknown }).classification === undefined) return error;
  const values = collectMarkedValues(data, schemaRegistry().get(type).schema, ['x-lgx-pii'])
    .flatMap(leaves)
    .filter((v) => v.length >= 3)
    .sort((a, b) => b.length - a.length);
  const found = values.filter((v) => error.message.includes(v));
  if (found.length === 0) return error;
  const message = found.reduce((text, value) => text.split(value).join('[personal data]'), error.message);
  const e = error as LgxAdapterError & { retryAfterMs?: number };
  return adapterError(classifyError(error), message, {
    code: e.code,
    ...(e.vendorCode !== undefined ? { vendorCode: e.vendorCode } : {}),
    ...(e.status !== undefined ? { status: e.status } : {}),
    ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
    ...(e.details !== undefined ? { details: e.details } : {}),
  });
}
