import type { FastifyRequest } from 'fastify';

/** What a request's own idea of the gateway's address is checked against. */
export interface PublicUrlSettings {
  /** The configured public base URL, when there is one: it always wins. */
  publicUrl?: string | undefined;
  /** Host names (optionally `host:port`) whose `Host` or `X-Forwarded-Host` may be used in links. */
  trustedHosts?: readonly string[] | undefined;
}

function first(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const head = text?.split(',')[0]?.trim();
  return head ? head : undefined;
}

/** `Example.gov.uk:8443` -> `{ name: 'example.gov.uk', port: '8443' }`; `[::1]:80` keeps its brackets. */
function splitHost(host: string): { name: string; port: string | undefined } {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(host.trim());
  if (!match) return { name: '', port: undefined };
  return { name: match[1]!.toLowerCase(), port: match[2] };
}

/** Whether `host` is on the list: an entry without a port trusts that name on any port. */
export function isTrustedHost(host: string, trusted: readonly string[]): boolean {
  const wanted = splitHost(host);
  if (!wanted.name) return false;
  return trusted.some((entry) => {
    const allowed = splitHost(entry);
    return allowed.name === wanted.name && (allowed.port === undefined || allowed.port === wanted.port);
  });
}

/**
 * The base URL absolute links are built from, or '' for links relative to the server. The configured
 * public URL wins. A request's `Host` (or, behind a proxy, `X-Forwarded-Host` and `-Proto`) is used
 * only when it names a trusted host: the headers are the client's to choose, and copying them into a
 * Location header or the unauthenticated Open311 discovery document would let anyone point other
 * people's links at a host of their own.
 */
export function requestBaseUrl(settings: PublicUrlSettings, request: FastifyRequest): string {
  if (settings.publicUrl) return settings.publicUrl.replace(/\/+$/, '');
  const trusted = settings.trustedHosts ?? [];
  if (trusted.length === 0) return '';
  const forwarded = first(request.headers['x-forwarded-host']);
  const host = forwarded !== undefined && isTrustedHost(forwarded, trusted) ? forwarded : first(request.headers.host);
  if (host === undefined || !isTrustedHost(host, trusted)) return '';
  const proto = first(request.headers['x-forwarded-proto'])?.toLowerCase();
  return `${proto === 'https' || proto === 'http' ? proto : request.protocol}://${host.toLowerCase()}`;
}
