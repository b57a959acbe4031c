import type { FastifyReply, FastifyRequest } from 'fastify';

/** The session cookie's name. */
export const SESSION_COOKIE = 'lgx_console';
/** The sign-in form's token cookie (before there is a session to hold one). */
export const SIGN_IN_COOKIE = 'lgx_console_signin';

/** The largest console form accepted (an edited transaction is the biggest field). */
export const MAX_FORM_BYTES = 256 * 1024;

/** One cookie from the request's Cookie header. */
export function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** Whether the browser reached the console over TLS (directly, or as the public URL says). */
export function overTls(request: FastifyRequest, publicUrl: string | undefined): boolean {
  return request.protocol === 'https' || (publicUrl?.startsWith('https:') ?? false);
}

/** Sets a console cookie: script-proof, same-site only, Secure over TLS, scoped to /console. */
export function setCookie(reply: FastifyReply, name: string, value: string, options: { secure: boolean; maxAgeSeconds?: number }): void {
  const parts = [`${name}=${value}`, 'Path=/console', 'HttpOnly', 'SameSite=Strict'];
  if (options.secure) parts.push('Secure');
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  const existing = reply.getHeader('set-cookie');
  const list = Array.isArray(existing) ? existing : typeof existing === 'string' ? [existing] : [];
  reply.header('set-cookie', [...list, parts.join('; ')]);
}

export function clearCookie(reply: FastifyReply, name: string, secure: boolean): void {
  setCookie(reply, name, '', { secure, maxAgeSeconds: 0 });
}

/** A posted form's fields (the first value of each), or undefined when the body is no form. */
export function formFields(request: FastifyRequest): Record<string, string> | undefined {
  const type = request.headers['content-type'];
  if (typeof type !== 'string' || !/^application\/x-www-form-urlencoded\b/i.test(type)) return undefined;
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length > MAX_FORM_BYTES) return undefined;
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) if (!(name in fields)) fields[name] = value;
  return fields;
}

/** A query-string parameter as one string ('' when absent; the first when repeated). */
export function queryParam(request: FastifyRequest, name: string): string {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}
