import type { Channel, Logger } from '@lgx/core';
import type { OpenStackOptions, RunningStack, StackDefinition, StackPollingOptions, Store } from '@lgx/runtime';
import type { ConsoleOptions } from './console/console-routes';
import type { LoadSheddingOptions } from './http/load-shedding';

/**
 * What an API key may do. `admin` implies every other scope. `operator` signs in to the operator
 * console (and acts on dead letters there); `personal-data` (alias `read:personal`) shows personal
 * data unmasked, through the API, Open311 and the console, every such read audited, and allows
 * editing a dead letter's transaction. Without it every personal field is masked.
 */
export type Scope = 'submit' | 'read' | 'operator' | 'personal-data' | 'admin';

/** A stored API key: only the SHA-256 of its secret is kept. */
export interface ApiKeyRecord {
  /** Public key id (the part after `lgx_`), shown in audit entries as `key:<id>`. */
  id: string;
  /** GSS code of the council the key acts for. */
  council: string;
  scopes: Scope[];
  /** Hex SHA-256 of the key's secret part. */
  hash: string;
  label?: string;
  /**
   * The channel the key is issued to (e.g. `web` for the web forms): the short form records it as the
   * envelope's `channel` and `source`. Without one, the short form records `api`.
   */
  channel?: Channel;
  createdAt: string;
  revokedAt?: string;
}

/** Where API keys are kept. */
export interface KeyStore {
  find(id: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  add(record: ApiKeyRecord): Promise<void>;
  /** Revokes a key; false when there was no such live key. */
  revoke(id: string, now?: Date): Promise<boolean>;
  /** Lets go of what the key store holds open (a store connection); a service calls it when it stops. */
  close?(): Promise<void>;
}

export interface GatewayOptions {
  /** The running stacks served, one per council (a key for a council reaches that council's stack only). */
  stacks: RunningStack[];
  keys: KeyStore;
  logger?: Logger;
  /** Largest request body accepted, in bytes (default 1 MiB); larger ones get 413. */
  bodyLimit?: number;
  /** Deadline for a synchronous query through the adapters (default 10 s). */
  queryTimeoutMs?: number;
  /**
   * The gateway's public base URL (e.g. https://lgx.example.gov.uk), used in Location headers, links
   * and the Open311 discovery document. Without it (and without `trustedHosts`), links are relative
   * and the discovery document names the address the gateway listens on: a request's Host header is
   * never copied into them.
   */
  publicUrl?: string;
  /**
   * Host names (`lgx.example.gov.uk`, or `host:port`) whose `Host` or `X-Forwarded-Host` header may be
   * used for absolute links when no `publicUrl` is set (a gateway reached under several names, or
   * behind a proxy that forwards the name). Any other Host gets relative links.
   */
  trustedHosts?: string[];
  /**
   * How often each adapter's health check runs in the background (default 15 s). `GET /v1/health`
   * reports the last result and its age, and never waits for a back office.
   */
  healthCheckIntervalMs?: number;
  /** How long one adapter health check may take before it counts as failed (default 5 s). */
  healthCheckTimeoutMs?: number;
  /**
   * Longest time a client may take to send a request's headers (default 10 s). Past it the connection
   * gets 408 and is closed.
   */
  headersTimeoutMs?: number;
  /**
   * Longest time a client may take to send a whole request, headers and body (default 30 s). Past it
   * the connection gets 408 and is closed: a client that sends part of a body and stalls holds a
   * connection this long at most. It does not limit how long the gateway takes to answer.
   */
  requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open (default 72 s, above load balancers' 60 s). */
  keepAliveTimeoutMs?: number;
  /** Most connections open at once (default 10,000); beyond it new connections are closed at once. */
  maxConnections?: number;
  /**
   * What the gateway answers: `all` (default), or `health` alone (`/v1/health…` and `/metrics`), for
   * a node that only delivers (`lgx serve --role worker`).
   */
  serves?: 'all' | 'health';
  /** Serve the Open311 facade for stacks whose file has an `open311` section (default true). */
  open311?: boolean;
  /**
   * High-water marks above which submissions (REST and Open311) are answered 503 with Retry-After
   * and nothing is stored; reads, health and callbacks always answer. On by default with
   * LOAD_SHEDDING_DEFAULTS; `false` turns it off.
   */
  loadShedding?: LoadSheddingOptions | false;
  /**
   * The operator console under /console (on by default): how long a session lasts idle (default 30
   * minutes) and at most (default 8 hours), and how many are kept. `false` turns it off.
   */
  console?: ConsoleOptions | false;
}

/** Counters and latency of one gateway, in Prometheus text format at GET /metrics. */
export interface GatewayMetrics {
  /** The Prometheus text exposition. */
  render(): string;
}

/**
 * What a node of a service does: `all` (default) accepts, answers and delivers; `gateway` accepts and
 * answers but never delivers, polls or purges (deliveries wait in the store for a worker); `worker`
 * delivers, polls and purges, and answers only health and metrics.
 */
export type ServiceRole = 'all' | 'gateway' | 'worker';

/** What `Service.reload` did, by council (and, for a stack file that could not be loaded, by file). */
export interface ReloadReport {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
  /** Stacks refused (the one running before, if any, is kept), with the reason: e.g. the field that failed validation. */
  refused: Array<{ stack: string; error: string }>;
}

/** A stack a service runs: its definition (from `loadStack` or `createStack`), or its stack file's path. */
export type ServiceStack = StackDefinition | string;

/**
 * How `startService` runs stacks: where their data lives, where the gateway listens, how often status
 * is polled and payloads purged, and the gateway's own options (all of `GatewayOptions` but the
 * stacks, keys and logger, which the service supplies).
 */
export interface ServiceOptions extends Omit<GatewayOptions, 'stacks' | 'keys' | 'logger'> {
  /**
   * Where transactions live: a store you created, which the service migrates and closes when it
   * stops; for several stacks, a function giving each stack its own (two councils must not share
   * one). Give exactly one of `store`, `database` and `dataDir`.
   */
  store?: Store | ((definition: StackDefinition) => Store);
  /** A PostgreSQL connection URL (`postgres://…`) for the store (one stack). */
  database?: string;
  /**
   * A data folder, created owner-only (0700) if missing: SQLite in `lgx.db` (one stack) and, unless
   * `keys` is given, the API keys in `keys.json`, as `lgx keys create --data` writes them.
   */
  dataDir?: string;
  /**
   * Where API keys are kept. Default: `keys.json` in `dataDir`, else an empty key store in memory
   * (add keys with `createApiKey(service.keys, …)`).
   */
  keys?: KeyStore;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port to listen on (default 0: any free port; `url` says which). */
  port?: number;
  logger?: Logger;
  /**
   * Where adapter packages of stacks given as definitions are resolved from (default the current
   * directory). A stack file's adapters resolve from the file's folder.
   */
  resolveFrom?: string;
  /** What this node does (default `all`): see ServiceRole. */
  role?: ServiceRole;
  /** Delivery worker settings (concurrency, leases, retry policy, breaker), as for `openStack`. */
  worker?: OpenStackOptions['worker'];
  /** Start delivering at once (default true), as for `openStack`. */
  start?: boolean;
  /** Subscribers that get every new status update as a signed webhook, as for `openStack`. */
  webhooks?: OpenStackOptions['webhooks'];
  /** Status polling (default every 60 s); `false` leaves it to `stack.polling`. */
  polling?: StackPollingOptions | false;
  /**
   * Purge the payloads of transactions that ended more than `days` ago (default 90 days; a stack
   * file's `retention` sets its own default and days per type), checked every `intervalMs` (default
   * an hour); the audit trail and report counts stay. `false` turns it off.
   */
  retention?: { days: number; intervalMs?: number } | false;
  /** The deadline of `stop()` when it is given none (default 10 s). */
  stopTimeoutMs?: number;
}
