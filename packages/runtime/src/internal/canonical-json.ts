import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so the same value always gives the same text and
 * therefore the same hash, whatever order a database or a caller happened to put its keys in.
 * As in JSON.stringify, undefined properties are left out and undefined array items become null.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined || typeof item === 'function') continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(item)}`);
  }
  return `{${parts.join(',')}}`;
}

/** SHA-256 of a string, lower-case hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The payload hash the audit records: SHA-256 of the value's canonical JSON (never the value itself). */
export function payloadHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
