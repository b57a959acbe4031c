import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError, PermanentError, type CallbackRequest } from '@lgx/core';
import type { NotifyMessage } from './mapping';

/** Largest delivery receipt accepted; Notify's are a few hundred bytes. */
export const MAX_CALLBACK_BYTES = 64 * 1024;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * True when the Authorization header is `Bearer <token>`. Compares digests in constant time, so
 * neither the token's characters nor its length show in the timing.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer[ \t]+(.+)$/i.exec(header?.trim() ?? '');
  const given = match?.[1]?.trim() ?? '';
  // Always compare, even with nothing given, so a missing header takes as long as a wrong one.
  const equal = timingSafeEqual(digest(given), digest(token));
  return equal && given !== '';
}

const has = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

function header(request: CallbackRequest, name: string): string | undefined {
  for (const [k, v] of Object.entries(request.headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/**
 * Checks and reads a callback: a delivery receipt or a returned letter as the message it is about;
 * a received text message as undefined (nothing to report). Wrong or missing token: AuthError
 * (answered 401). A body that is none of these: PermanentError (answered 400). The recipient (`to`)
 * and message text are never read into the result.
 */
export function readCallback(request: CallbackRequest, token: string | undefined): NotifyMessage | undefined {
  if (token === undefined) throw new AuthError('Notify callback refused: no callbackBearerToken is configured for this adapter');
  if (!bearerMatches(header(request, 'authorization'), token))
    throw new AuthError('Notify callback refused: missing or wrong bearer token', { status: 401 });
  if (request.body.byteLength > MAX_CALLBACK_BYTES)
    throw new PermanentError(`Notify callback body is over ${MAX_CALLBACK_BYTES} bytes`, { status: 413 });
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(request.body).toString('utf8'));
  } catch (cause) {
    throw new PermanentError('Notify callback body is not JSON', { status: 400, cause });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new PermanentError('Notify callback body is not a JSON object', { status: 400 });
  const b = body as Record<string, unknown>;
  const str = (name: string, pattern: RegExp): string | undefined => {
    const v = has(b, name) ? b[name] : undefined;
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || !pattern.test(v))
      throw new PermanentError(`Notify callback field '${name}' is not valid`, { status: 400 });
    return v;
  };
  const uuid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
  // A received text message is not about a message we sent: accepted, and nothing is read from it.
  if (has(b, 'source_number') && has(b, 'message') && !has(b, 'status')) return undefined;
  // A returned letter names the letter as notification_id; it is the letter's last word.
  if (has(b, 'notification_id') && !has(b, 'id')) {
    const letter = str('notification_id', uuid);
    if (letter === undefined) throw new PermanentError('Notify returned-letter callback has no notification_id', { status: 400 });
    return { id: letter.toLowerCase(), status: 'returned-letter', type: 'letter' };
  }
  const id = str('id', uuid);
  const status = str('status', /^[a-z][a-z-]{0,39}$/);
  if (id === undefined || status === undefined)
    throw new PermanentError('Notify callback is not a delivery receipt: it needs id and status', { status: 400 });
  const time = /^[0-9T:. Z+-]{10,40}$/;
  const message: NotifyMessage = { id: id.toLowerCase(), status };
  const notificationType = str('notification_type', /^(email|sms|letter)$/);
  if (notificationType !== undefined) message.type = notificationType;
  for (const key of ['created_at', 'sent_at', 'completed_at'] as const) {
    const v = str(key, time);
    if (v !== undefined) message[key] = v;
  }
  return message;
}
