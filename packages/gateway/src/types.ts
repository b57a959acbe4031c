import type { Logger } from '@lgx/core';
import type { RunningStack } from '@lgx/runtime';
import type { LoadSheddingOptions } from './http/load-shedding';

/** What an API key may do. `admin` implies `submit` and `read`. */
export type Scope = 'submit' | 'read' | 'admin';

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
   * The gateway's public base URL (e.g. https://lgx.example.gov.uk), used in Location headers and the
   * Open311 discovery document. Default: taken from each request's Host header.
   */
  publicUrl?: string;
  /** How long an adapter health check result is reused by GET /v1/health (default 5 s). */
  healthCheckCacheMs?: number;
  /** Serve the Open311 facade for stacks whose file has an `open311` section (default true). */
  open311?: boolean;
  /**
   * High-water marks above which submissions (REST and Open311) are answered 503 with Retry-After
   * and nothing is stored; reads, health and callbacks always answer. On by default with
   * LOAD_SHEDDING_DEFAULTS; `false` turns it off.
   */
  loadShedding?: LoadSheddingOptions | false;
}

/** Counters and latency of one gateway, in Prometheus text format at GET /metrics. */
export interface GatewayMetrics {
  /** The Prometheus text exposition. */
  render(): string;
}
