import path from 'node:path';
import { silentLogger } from '@lgx/core';
import type { RunningStack } from '@lgx/runtime';
import { createGateway, type Gateway } from '../create-gateway';
import { keysFor, storesFor } from './service-stores';
import { closeServiceStack, loadServiceStack, openServiceStack, type LoadedStack, type ServiceEntry } from './service-stack';
import { stopService, type ServiceParts } from './stop-service';
import type { KeyStore, ReloadReport, ServiceOptions, ServiceStack } from '../types';

/** Stacks, their gateway, status polling and retention, running as one service. */
export interface Service {
  /** The gateway's base URL (e.g. `http://127.0.0.1:8080`). */
  readonly url: string;
  /** The first stack given (with one stack, the only one). */
  readonly stack: RunningStack;
  /** Every stack served now, in the order given (then added). */
  readonly stacks: readonly RunningStack[];
  readonly gateway: Gateway;
  readonly keys: KeyStore;
  /**
   * Serves these stacks from now on, one council at a time, without stopping the others: a council
   * not served before is opened and served; one no longer given stops being served (requests for it
   * get 403) and its deliveries in flight finish or are released before it closes; one whose stack
   * changed is opened anew beside the old, served, and the old drained and closed (its deliveries left
   * in the store are delivered by the new one); one unchanged keeps running. A stack that fails to load
   * or open is refused and logged with the reason, and the council's running stack (if any) kept.
   * Reloads run one after another.
   */
  reload(stacks: readonly ServiceStack[]): Promise<ReloadReport>;
  /**
   * Stops within `deadlineMs` (default `stopTimeoutMs`, 10 s): the gateway stops accepting (503 with
   * Retry-After) and finishes the requests in flight; polling and retention stop; deliveries in
   * flight finish or are released; the adapters close; the stores close last. Calling it again
   * returns the same promise.
   */
  stop(deadlineMs?: number): Promise<void>;
}

const DEFAULT_STOP_TIMEOUT_MS = 10_000;

function checkOptions(options: ServiceOptions): void {
  const retention = options.retention;
  if (retention && !(Number.isFinite(retention.days) && retention.days >= 0))
    throw new TypeError(`startService: retention.days must be a number of days, 0 or more, got ${retention.days}`);
  const stop = options.stopTimeoutMs;
  if (stop !== undefined && !(Number.isFinite(stop) && stop >= 0))
    throw new TypeError(`startService: stopTimeoutMs must be a number of milliseconds, 0 or more, got ${stop}`);
  if (options.role !== undefined && !['all', 'gateway', 'worker'].includes(options.role))
    throw new TypeError(`startService: role must be all, gateway or worker, got ${String(options.role)}`);
}

/** What a stack given to the service is called in a reload report before its council is known. */
const nameOf = (stack: ServiceStack): string => (typeof stack === 'string' ? stack : stack.council);

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
    role = 'all',
    ...gatewayOptions
  } = options;
  const entries = new Map<string, ServiceEntry>();
  const parts: ServiceParts = {
    get stacks() {
      return [...entries.values()].map((e) => e.stack);
    },
    get retention() {
      return [...entries.values()].flatMap((e) => (e.retention ? [e.retention] : []));
    },
  };
  const open = (loaded: LoadedStack, storeOf: ReturnType<typeof storesFor>) =>
    openServiceStack(loaded, storeOf(loaded.definition), { worker, start, webhooks, polling, retention, logger, role });
  try {
    const list: readonly ServiceStack[] = Array.isArray(stacks) ? stacks : [stacks as ServiceStack];
    if (list.length === 0) throw new TypeError('startService: give at least one stack');
    checkOptions(options);
    const loaded = await Promise.all(list.map((stack) => loadServiceStack(stack, resolveFrom)));
    const storeOf = storesFor(options, loaded.length);
    const keys = keysFor(options);
    if (options.keys === undefined && keys.close) parts.closeKeys = () => keys.close!();
    for (const one of loaded) {
      if (entries.has(one.definition.council)) throw new TypeError('createGateway: two stacks serve the same council');
      entries.set(one.definition.council, await open(one, storeOf));
    }
    const gateway = createGateway({
      ...gatewayOptions,
      ...(role === 'worker' ? { serves: 'health' as const } : {}),
      stacks: parts.stacks as RunningStack[],
      keys,
      logger,
    });
    parts.gateway = gateway;
    const url = await gateway.listen({ port: port ?? 0, host: host ?? '127.0.0.1' });
    const drainMs = () => stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;

    const reloadOnce = async (given: readonly ServiceStack[]): Promise<ReloadReport> => {
      const report: ReloadReport = { added: [], changed: [], removed: [], unchanged: [], refused: [] };
      // A changed stack opens on a store of its own (the old one closes its store when drained).
      if (store !== undefined && typeof store !== 'function')
        throw new TypeError('reload needs a store per stack: give startService store as a function of the stack definition');
      const storeOf = storesFor(options, given.length);
      const wanted = new Set<string>();
      const keptFiles = new Set<string>();
      for (const stack of given) {
        let next: LoadedStack;
        try {
          next = await loadServiceStack(stack, resolveFrom);
        } catch (error) {
          report.refused.push({ stack: nameOf(stack), error: (error as Error).message });
          if (typeof stack === 'string') keptFiles.add(path.resolve(stack));
          continue;
        }
        const council = next.definition.council;
        if (wanted.has(council)) {
          report.refused.push({ stack: nameOf(stack), error: `another stack given serves council ${council}` });
          continue;
        }
        wanted.add(council);
        const running = entries.get(council);
        if (running && running.digest === next.digest) {
          report.unchanged.push(council);
          continue;
        }
        let opened: ServiceEntry;
        try {
          opened = await open(next, storeOf);
        } catch (error) {
          report.refused.push({ stack: nameOf(stack), error: (error as Error).message });
          continue;
        }
        entries.set(council, opened);
        gateway.setStack(council, opened.stack);
        if (running) {
          report.changed.push(council);
          await closeServiceStack(running, drainMs());
        } else report.added.push(council);
      }
      for (const [council, entry] of [...entries]) {
        // A file that failed to load keeps whatever it was serving.
        if (wanted.has(council) || (entry.file !== undefined && keptFiles.has(entry.file))) continue;
        entries.delete(council);
        gateway.setStack(council, undefined);
        report.removed.push(council);
        await closeServiceStack(entry, drainMs());
      }
      for (const refused of report.refused) logger.error('stack refused; the running one (if any) is kept', refused);
      if (report.added.length + report.changed.length + report.removed.length > 0)
        logger.info('stacks reloaded', { added: report.added, changed: report.changed, removed: report.removed });
      return report;
    };

    let reloading: Promise<unknown> = Promise.resolve();
    let stopped: Promise<void> | undefined;
    return {
      url,
      get stack() {
        return parts.stacks[0]!;
      },
      get stacks() {
        return parts.stacks;
      },
      gateway,
      keys,
      reload(given) {
        if (stopped) return Promise.reject(new Error('the service is stopping'));
        const run = reloading.then(() => reloadOnce(given));
        reloading = run.catch(() => undefined);
        return run;
      },
      stop(deadlineMs = stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS) {
        stopped ??= reloading.then(() => stopService(parts, deadlineMs));
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
