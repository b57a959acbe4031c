import { REDACTED } from '../redaction/redact';
import { scrubVendorText } from '../transport/classify';
import { escapeXml } from '../xml/escape-xml';

/** Text from a back office or a library, safe for an error message: known secrets, e-mails and long numbers masked, length capped. */
export function scrubText(text: string, secrets: readonly string[], maxChars = 300): string {
  let out = text;
  // A back office that echoes what it received may echo the escaped form of a secret.
  // Longest first, so no secret is left half-masked by a shorter one inside it.
  const forms = secrets
    .filter((s) => s.length >= 4)
    .flatMap((s) => [s, escapeXml(s)])
    .sort((a, b) => b.length - a.length);
  for (const secret of forms) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  out = scrubVendorText(out.replace(/\s+/g, ' ').trim());
  return out.length > maxChars ? `${out.slice(0, maxChars)}…` : out;
}

/**
 * A stand-in for a library error, to keep as `cause`. axios and soap errors hold the request
 * (headers, the SOAP envelope with its WS-Security password) and the response; only the name, the
 * scrubbed message and the error code travel on.
 */
export function safeCause(error: unknown, secrets: readonly string[]): Error {
  const e = error as { name?: unknown; message?: unknown; code?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : typeof error === 'string' ? error : 'unknown error';
  const cause = new Error(scrubText(message, secrets, 500));
  if (typeof e?.name === 'string') cause.name = e.name;
  if (typeof e?.code === 'string') Object.assign(cause, { code: e.code });
  return cause;
}
