import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header LGX signs outbound webhooks with. */
export const SIGNATURE_HEADER = 'LGX-Signature';

const hmac = (secret: string, t: number, body: string): string => createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

/**
 * The `LGX-Signature` value for a body: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
 * The timestamp is signed too, so a captured request cannot be replayed later with a fresh time.
 */
export function signWebhook(body: string, secret: string, now: Date = new Date()): string {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

export interface VerifyWebhookOptions {
  /** Oldest (or furthest in the future) a signature may be, in seconds (default 300; 0 turns the check off). */
  toleranceSeconds?: number;
  now?: Date;
}

/**
 * For receivers of LGX webhooks: true when `header` signs exactly `body` (the raw text received, before
 * any JSON parsing) with `secret` within the tolerance. Several v1 values are accepted so a subscriber
 * secret can be rotated without a gap.
 */
export function verifyWebhookSignature(
  body: string | Uint8Array,
  header: string | undefined,
  secret: string,
  options: VerifyWebhookOptions = {},
): boolean {
  if (!header) return false;
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d+$/.test(value)) t = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (t === undefined || signatures.length === 0) return false;
  const tolerance = options.toleranceSeconds ?? 300;
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (tolerance > 0 && Math.abs(nowSeconds - t) > tolerance) return false;
  const expected = Buffer.from(hmac(secret, t, text), 'hex');
  // Constant-time comparison so the signature cannot be guessed byte by byte from response times.
  return signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
}
