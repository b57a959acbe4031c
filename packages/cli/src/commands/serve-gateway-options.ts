import type { GatewayOptions } from '@lgx/gateway';
import { int } from '../args';
import { UsageError } from '../output';

type Values = Record<string, string | boolean | undefined>;

/** The `lgx serve` options that shape the gateway's HTTP side, as `parse` takes them. */
export const GATEWAY_OPTIONS = {
  'trusted-hosts': { type: 'string' },
  'health-interval': { type: 'string' },
  'health-timeout': { type: 'string' },
} as const;

/** Their lines in `lgx serve --help`. */
export const GATEWAY_OPTIONS_HELP = `Links in answers (Location, the Open311 discovery document) use --public-url; without it they are
relative, unless the request's Host (or X-Forwarded-Host) is one of --trusted-hosts (a comma list of
host names, or host:port).

Back offices are checked in the background every --health-interval seconds (default 15), each check
given --health-timeout seconds (default 5); GET /v1/health reports the last results and their age
at once.`;

const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)(:\d{1,5})?$/i;

function hostList(values: Values, name: string): string[] | undefined {
  const raw = values[name];
  if (typeof raw !== 'string') return undefined;
  const hosts = raw.split(',').map((h) => h.trim()).filter(Boolean);
  const bad = hosts.find((h) => !HOST.test(h));
  if (bad !== undefined || hosts.length === 0) throw new UsageError(`--${name} must be a comma list of host names (or host:port)${bad ? `; '${bad.slice(0, 100)}' is not one` : ''}`);
  return hosts;
}

/** The gateway options given on the command line. */
export function gatewayOptionsFrom(values: Values): Partial<GatewayOptions> {
  const trustedHosts = hostList(values, 'trusted-hosts');
  return {
    ...(trustedHosts ? { trustedHosts } : {}),
    healthCheckIntervalMs: int(values, 'health-interval', 15, 1, 3600) * 1000,
    healthCheckTimeoutMs: int(values, 'health-timeout', 5, 1, 600) * 1000,
  };
}
