import type { GatewayOptions } from '@lgx/gateway';
import { int } from '../args';
import { UsageError } from '../output';

type Values = Record<string, string | boolean | undefined>;

/** The `lgx serve` options that shape the gateway's HTTP side, as `parse` takes them. */
export const GATEWAY_OPTIONS = {
  'trusted-hosts': { type: 'string' },
  'health-interval': { type: 'string' },
  'health-timeout': { type: 'string' },
  'headers-timeout': { type: 'string' },
  'request-timeout': { type: 'string' },
  'keep-alive-timeout': { type: 'string' },
  'max-connections': { type: 'string' },
} as const;

/** Their lines in `lgx serve --help`. */
export const GATEWAY_OPTIONS_HELP = `Links in answers (Location, the Open311 discovery document) use --public-url; without it they are
relative, unless the request's Host (or X-Forwarded-Host) is one of --trusted-hosts (a comma list of
host names, or host:port).

Back offices are checked in the background every --health-interval seconds (default 15), each check
given --health-timeout seconds (default 5); GET /v1/health reports the last results and their age
at once.

Connections: a client has --headers-timeout seconds (default 10) to send a request's headers and
--request-timeout seconds (default 30) to send the whole request, else it gets 408 and the
connection is closed; an idle keep-alive connection is closed after --keep-alive-timeout seconds
(default 72, above load balancers' 60); beyond --max-connections (default 10000) new connections
are closed at once.`;

const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)(:\d{1,5})?$/i;

function hostList(values: Values, name: string): string[] | undefined {
  const raw = values[name];
  if (typeof raw !== 'string') return undefined;
  const hosts = raw
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const bad = hosts.find((h) => !HOST.test(h));
  if (bad !== undefined || hosts.length === 0)
    throw new UsageError(`--${name} must be a comma list of host names (or host:port)${bad ? `; '${bad.slice(0, 100)}' is not one` : ''}`);
  return hosts;
}

/** A whole number option, when given (the gateway has its own defaults). */
function given(values: Values, name: string, max: number, scale = 1): number | undefined {
  return values[name] === undefined ? undefined : int(values, name, 0, 1, max) * scale;
}

/** The gateway options given on the command line. */
export function gatewayOptionsFrom(values: Values): Partial<GatewayOptions> {
  const chosen = {
    trustedHosts: hostList(values, 'trusted-hosts'),
    healthCheckIntervalMs: given(values, 'health-interval', 3600, 1000),
    healthCheckTimeoutMs: given(values, 'health-timeout', 600, 1000),
    headersTimeoutMs: given(values, 'headers-timeout', 3600, 1000),
    requestTimeoutMs: given(values, 'request-timeout', 3600, 1000),
    keepAliveTimeoutMs: given(values, 'keep-alive-timeout', 3600, 1000),
    maxConnections: given(values, 'max-connections', 1_000_000),
  };
  return Object.fromEntries(Object.entries(chosen).filter(([, value]) => value !== undefined)) as Partial<GatewayOptions>;
}
