import path from 'node:path';
import { silentLogger } from '@lgx/core';
import {
  loadStack,
  openStack,
  stackRetention,
  startRetention,
  type RetentionJob,
  type RunningStack,
  type StackDefinition,
} from '@lgx/runtime';
import { createGateway, type Gateway } from '../create-gateway';
import { keysFor, storesFor } from './service-stores';
import { stopService, type ServiceParts } from './stop-service';
import type { KeyStore, ServiceOptions, ServiceStack } from '../types';

/** Stacks, their gateway, status polling and retention, running as one service. */
export interface Service {
  /** The gateway's base URL (e.g. `http://127.0.0.1:8080`). */
  readonly url: string;
  /** The first stack given (with one stack, the only one). */
  readonly stack: RunningStack;
  /** Every stack, in the order given. */
  readonly stacks: readonly RunningStack[];
  readonly gateway: Gateway;
  readonly keys: KeyStore;
  /**
   * Stops within `deadlineMs` (default `stopTimeoutMs`, 10 s): the gateway stops accepting (503 with
   * Retry-After) and finishes the requests in flight; polling and retention stop; deliveries in
   * flight finish or are released; the adapters close; the stores close last. Calling it again
   * returns the same promise.
   */
  stop(deadlineMs?: number): Promise<void>;
}

const DEFAULT_RETENTION_DAYS = 90;
const DEFAULT_STOP_TIMEOUT_MS = 10_000;

async function load(
  stack: ServiceStack,
  resolveFrom: string | undefined,
): Promise<{ definition: StackDefinition; resolveFrom: string | undefined }> {
  if (typeof stack !== 'string') return { definition: stack, resolveFrom };
  // A stack file's adapters are installed beside it.
  const file = path.resolve(stack);
  return { definition: await loadStack(file), resolveFrom: path.dirname(file) };
}

function checkOptions(options: ServiceOptions): void {
  const retention = options.retention;
  if (retention && !(Number.isFinite(retention.days) && retention.days >= 0))
    throw new TypeError(`startService: retention.days must be a number of days, 0 or more, got ${retention.days}`);
  const stop = options.stopTimeoutMs;
  if (stop !== undefined && !(Number.isFinite(stop) && stop >= 0))
    throw new TypeError(`startService: stopTimeoutMs must be a number of milliseconds, 0 or more, got ${stop}`);
}

/**
 * Runs one or more councils' stacks as a service: opens each stack on its store (which starts its
 * delivery worker and its status polling), starts retention, and serves them all through one gateway
 * on `host:port`. `lgx serve` is this with options from its command line. If any part fails to start,
 * what did start is stopped again before the error is thrown.
 */
export async function startService(stacks: ServiceStack | readonly ServiceStack[], options: ServiceOptions = {}): Promise<Service> {
  const {
    store,
    database: _database,
    dataDir: _dataDir,
    keys: _keys,
    host,
    port,
    logger = silentLogger,
    resolveFrom,
    worker,
    start,
    webhooks,
    polling,
    retention,
    stopTimeoutMs,
    ...gatewayOptions
  } = options;
  const parts: ServiceParts & { stacks: RunningStack[]; retention: RetentionJob[] } = { stacks: [], retention: [] };
  try {
    const list: readonly ServiceStack[] = Array.isArray(stacks) ? stacks : [stacks as ServiceStack];
    if (list.length === 0) throw new TypeError('startService: give at least one stack');
    checkOptions(options);
    const loaded = await Promise.all(list.map((stack) => load(stack, resolveFrom)));
    const storeOf = storesFor(options, loaded.length);
    const keys = keysFor(options);
    for (const { definition, resolveFrom: from } of loaded) {
      const stackStore = storeOf(definition);
      try {
        parts.stacks.push(
          await openStack(definition, {
            store: stackStore,
            logger,
            ...(from !== undefined ? { resolveFrom: from } : {}),
            ...(worker ? { worker } : {}),
            ...(start !== undefined ? { start } : {}),
            ...(webhooks ? { webhooks } : {}),
            ...(polling !== undefined ? { polling } : {}),
          }),
        );
      } catch (error) {
        await stackStore.close().catch(() => undefined);
        throw error;
      }
      if (retention !== false) {
        // The stack file's periods, over the service's days for the types it leaves out.
        const periods = stackRetention(definition.retention, retention?.days ?? DEFAULT_RETENTION_DAYS);
        parts.retention.push(
          startRetention({
            store: stackStore,
            days: periods.olderThanDays,
            ...(periods.types ? { types: periods.types } : {}),
            logger,
            ...(retention?.intervalMs ? { intervalMs: retention.intervalMs } : {}),
          }),
        );
      }
    }
    parts.gateway = createGateway({ ...gatewayOptions, stacks: parts.stacks, keys, logger });
    const url = await parts.gateway.listen({ port: port ?? 0, host: host ?? '127.0.0.1' });
    let stopped: Promise<void> | undefined;
    return {
      url,
      stack: parts.stacks[0]!,
      stacks: parts.stacks,
      gateway: parts.gateway,
      keys,
      stop(deadlineMs = stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS) {
        stopped ??= stopService(parts, deadlineMs);
        return stopped;
      },
    };
  } catch (error) {
    await stopService(parts, 0).catch((failure: unknown) =>
      logger.warn('a part of the service failed to stop after a failed start', { error: failure }),
    );
    // The store given was the service's to close, even if no stack got to open it.
    if (store !== undefined && typeof store !== 'function') await store.close().catch(() => undefined);
    throw error;
  }
}
