import { openSubjectRequests, type SubjectRequests } from '../subjects/subject-requests';
import { randomUUID } from 'node:crypto';
import { payloadHash } from '../internal/canonical-json';
import { open311Changeset } from '../stack/open311-changeset';
import {
  assertValid,
  classifyError,
  createTransaction,
  LgxError,
  LgxValidationError,
  schemaRegistry,
  silentLogger,
  validateData,
  validateQuery,
  validateQueryResult,
  type AdapterInstance,
  type CallbackRequest,
  type Envelope,
  type Logger,
  type QueryType,
  type StatusUpdate,
} from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { loadAdapters } from '../stack/load-adapter';
import { webhookAdapter } from '../sync/webhook-adapter';
import { StatusEvents } from '../sync/status-events';
import { StatusPoller } from '../sync/status-poller';
import type { StatusRefreshOptions } from '../sync/status-refresh-schedule';
import { createCallbackHandler, type CallbackOutcome } from '../sync/callback-handler';
import { matchRoutes } from '../stack/route-matcher';
import { createReadModel } from '../read/read-model';
import type { StackReader } from '../read/read-types';
import { recordStatusUpdates } from '../sync/record-status-updates';
import type { CircuitState } from './circuit-breaker-options';
import { DeliveryWorker, type DeliveryEvent, type DeliveryTarget, type DeliveryWorkerOptions } from './delivery-worker';
import { keepStackInternals } from './stack-internals';
import { stackEncryption } from '../crypto/stack-encryption';
import { FEEDBACK_TYPE, JOURNEY_STARTED_TYPE } from '../store/report-rollups';
import type { StackDefinition } from '../stack/stack-types';
import type { LeasedDelivery, NewDelivery, QueueDepth, Store, StoredStatusUpdate } from '../store/store-types';

export interface OpenStackOptions {
  store: Store;
  logger?: Logger;
  /** Where adapter packages are resolved from (default: the current directory). */
  resolveFrom?: string;
  /** Worker settings (concurrency, leases, retry policy, breaker). */
  worker?: Omit<DeliveryWorkerOptions, 'store' | 'targets' | 'logger' | 'onEvent'>;
  onEvent?: (event: DeliveryEvent) => void;
  /** Start delivering at once (default true). */
  start?: boolean;
  /** How often, at most, the stack looks for a data key added by a rotation in another process (default 5 s). */
  keyRefreshMs?: number;
  /**
   * Subscribers that get every new status update as a signed webhook, delivered durably by the same
   * engine (target id `webhook:<id>`).
   */
  webhooks?: Array<{ id: string; url: string; secret: string; timeoutMs?: number }>;
  /**
   * Where status updates come from (pollers, callbacks, pushed updates); each one stored is published
   * to the webhooks. Default: an emitter of the stack's own.
   */
  events?: StatusEvents;
  /**
   * Status polling of the adapters that offer `pollUpdates`: started here (the first round at once,
   * then every `intervalMs`, default 60 s) and stopped by `close()`. `false`, or `start: false`, leaves
   * it to `stack.polling.start()`, e.g. for a process that should not poll beside another that does.
   */
  polling?: StackPollingOptions | false;
}

export interface StackPollingOptions {
  /** Wait between the end of one round and the start of the next (default 60 s). */
  intervalMs?: number;
  /** Deadline for one target's poll (default 30 s). */
  timeoutMs?: number;
  /**
   * Status refresh for adapters with getStatus but no pollUpdates (backoff from each case's last
   * change, a budget per target, until a final status). Default on; false turns it off.
   */
  refresh?: StatusRefreshOptions | false;
  /** Start polling when the stack opens (default true). */
  start?: boolean;
}

/** A running stack's status polling. */
export interface StatusPolling {
  /** Polls on the interval until stop(); the first round runs at once. Starting twice does nothing. */
  start(): void;
  /** Stops scheduling and aborts a round in flight (its saved updates stay; its cursor is not advanced). */
  stop(): Promise<void>;
  /** One round now, whatever the schedule; resolves how many new updates were stored. */
  pollOnce(): Promise<number>;
}

/**
 * A council's stack, running: accepts transactions durably and delivers them. What it has stored is
 * read through it (its read model: `get`, `list`, `listStatusUpdates`, `dlq`, `verifyAudit`).
 */
export interface RunningStack extends StackReader {
  readonly definition: StackDefinition;
  readonly adapters: ReadonlyMap<string, AdapterInstance>;
  /**
   * Subject access and erasure for the stack's council, passing erasures on to its back offices
   * that declare 'erase'. Throws LGX_ERR_SUBJECT_NO_INDEX when the stack has no encryption key.
   */
  subjectRequests(): Promise<SubjectRequests>;
  /**
   * Validates, dedupes on (council, idempotency key) and commits the transaction with one delivery
   * per target and an audit entry, in one database transaction, before it returns. `admit`, when
   * given, is called with the targets the transaction would queue a delivery for, before anything is
   * stored: if it throws (load shedding), the submission is refused with its error.
   */
  submit(
    input: unknown,
    options?: { actor?: string; admit?: (targets: readonly string[]) => void },
  ): Promise<{ id: string; duplicate: boolean }>;
  /** Pending deliveries of this stack's targets, read from counters the store keeps (no count over the queue). */
  queueDepth(): Promise<QueueDepth>;
  /**
   * Each target's circuit breaker as this process's delivery worker holds it (circuits are per
   * process: another process sharing the store keeps its own).
   */
  circuits(): Record<string, CircuitState>;
  /**
   * Records a status update pushed to the stack by `target` (e.g. an Open311 client posting to
   * servicerequestupdates): validated, stored in the transaction's history, deduplicated on (target,
   * externalRef, updateId), and emitted to the stack's status subscribers and webhooks like a polled
   * one. Resolves the stored update (the earlier one for a repeat, when its transaction is known).
   */
  recordStatusUpdate(input: {
    target: string;
    update: StatusUpdate;
  }): Promise<{ update: StoredStatusUpdate | undefined; duplicate: boolean }>;
  /** Calls `listener` with every status update the stack stores for the first time; returns an unsubscribe function. */
  onStatusUpdate(listener: (update: StoredStatusUpdate) => void): () => void;
  /**
   * Publishes a stored status update to the webhook subscribers as a `statusUpdate` transaction (one
   * delivery per subscriber). Idempotent per update. Resolves undefined when there are no subscribers.
   */
  publish(update: StoredStatusUpdate): Promise<{ id: string; duplicate: boolean } | undefined>;
  /**
   * A vendor push for adapter `adapterId`: the adapter turns it into canonical status updates, which
   * are stored in the transactions' histories (and published to the webhooks). Resolves the HTTP
   * status to answer the vendor with.
   */
  handleCallback(adapterId: string, request: CallbackRequest): Promise<CallbackOutcome>;
  /**
   * A synchronous look-up (a query type such as `waste.collectionSchedule`): the parameters are
   * validated, the route for the type chooses the targets, and each target that declares the query is
   * asked in turn until one answers (a retryable failure or a timeout moves on to the next). The
   * answer is validated against the query's result schema.
   */
  query(
    type: string,
    params: unknown,
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<{ target: string; result: unknown }>;
  /** Calls `listener` with every delivery outcome (delivered, retry, dead); returns an unsubscribe function. */
  onDelivery(listener: (event: DeliveryEvent) => void): () => void;
  /** Starts delivering, for a stack opened with `start: false` (nothing happens if it already is). */
  start(): void;
  /**
   * Stops delivering: no new leases; attempts in flight finish within `deadlineMs` (default 10 s), or
   * are aborted and give their leases back uncounted. The adapters stay open (status polling may
   * still need them) until close(); start() delivers again.
   */
  stopDelivering(deadlineMs?: number): Promise<void>;
  /** Status polling: running unless the stack was opened with `polling: false` (or `start: false`). */
  readonly polling: StatusPolling;
  /** When the stack's Open311 services last changed (kept in the store); undefined without an Open311 facade. */
  readonly open311Changeset: Date | undefined;
  /**
   * Stops polling, then delivering (in-flight work finishes or is released within the deadline), then
   * closes the adapters and (unless `closeStore: false`) the store.
   */
  close(options?: { deadlineMs?: number; closeStore?: boolean }): Promise<void>;
}

/** Types a stack accepts without a route: stored and counted in the reporting rollups. */
const COUNTED_ONLY_TYPES: ReadonlySet<string> = new Set([JOURNEY_STARTED_TYPE, FEEDBACK_TYPE]);

function deliveriesFor(route: NonNullable<ReturnType<typeof matchRoutes>>): NewDelivery[] {
  const out: NewDelivery[] = [];
  const mode = route.mode;
  route.targets.forEach((target, order) => {
    const waiting = mode === 'fallback' && order > 0;
    out.push({ id: randomUUID(), target, mode: mode === 'shadow' ? 'one' : mode, order, state: waiting ? 'skipped' : 'pending' });
  });
  route.shadow.forEach((target, i) =>
    out.push({ id: randomUUID(), target, mode: 'shadow', order: route.targets.length + i, state: 'pending' }),
  );
  return out;
}

/**
 * Opens a stack: loads each adapter package by name, checks it against this @lgx/core, validates its
 * config and creates it (secrets scrubbed from its logger), then starts the delivery worker.
 */
export async function openStack(definition: StackDefinition, options: OpenStackOptions): Promise<RunningStack> {
  const logger = options.logger ?? silentLogger;
  await options.store.migrate();
  const definitions = await loadAdapters(definition, options.resolveFrom ? { resolveFrom: options.resolveFrom } : {});
  // Every write below goes through this store: personal data is sealed before it reaches the database.
  const { store, keyring } = await stackEncryption(definition, definitions, options.store, logger, {
    ...(options.keyRefreshMs !== undefined ? { refreshMs: options.keyRefreshMs } : {}),
  });
  const instances = new Map<string, AdapterInstance>();
  const targets = new Map<string, DeliveryTarget>();
  for (const [id, adapterDefinition] of Object.entries(definitions)) {
    const { instance } = await instantiateAdapter(adapterDefinition, definition.adapters[id]?.config, {
      logger: logger.child({ target: id }, definition.secrets),
      mappings: definition.mappings,
      council: definition.council,
      // The worker owns retries: one transport attempt per delivery attempt.
      retry: false,
    });
    instances.set(id, instance);
    targets.set(id, { instance, capabilities: adapterDefinition.capabilities });
  }
  const webhookTargets: string[] = [];
  for (const hook of options.webhooks ?? []) {
    const id = `webhook:${hook.id}`;
    const { instance } = await instantiateAdapter(
      webhookAdapter,
      { url: hook.url, secret: hook.secret, ...(hook.timeoutMs ? { timeoutMs: hook.timeoutMs } : {}) },
      {
        logger: logger.child({ target: id }),
        council: definition.council,
        retry: false,
      },
    );
    instances.set(id, instance);
    targets.set(id, { instance, capabilities: webhookAdapter.capabilities });
    webhookTargets.push(id);
  }
  const events = options.events ?? new StatusEvents();
  const listeners = new Set<(event: DeliveryEvent) => void>();
  if (options.onEvent) listeners.add(options.onEvent);
  const onEvent = (event: DeliveryEvent): void => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        logger.error('a delivery event listener failed', { error });
      }
    }
  };
  const worker = new DeliveryWorker({ ...options.worker, store, targets, logger, onEvent });
  if (options.start !== false) worker.start();

  async function publish(stored: StoredStatusUpdate): Promise<{ id: string; duplicate: boolean } | undefined> {
    if (webhookTargets.length === 0) return undefined;
    const envelope = createTransaction('statusUpdate', stored.update, {
      council: definition.council,
      idempotencyKey: `status-update:${stored.id}`,
      source: `/councils/${definition.council}/status/${stored.target}`,
      ...(stored.transactionId ? { subject: stored.transactionId } : {}),
    });
    const result = await store.insertTransaction({
      envelope,
      deliveries: webhookTargets.map((target, order) => ({
        id: randomUUID(),
        target,
        mode: 'all' as const,
        order,
        state: 'pending' as const,
      })),
      audit: {
        actor: 'system',
        action: 'status.published',
        payloadHash: payloadHash(envelope.data),
        details: { statusUpdate: stored.id, subscribers: webhookTargets.length },
      },
      now: new Date(),
    });
    if (!result.duplicate) worker.notify();
    return result;
  }
  const onStatus = (stored: StoredStatusUpdate) => {
    publish(stored).catch((error: unknown) => logger.error('publishing a status update failed', { error, statusUpdate: stored.id }));
  };
  events.on('statusUpdate', onStatus);
  const polling = options.polling === false ? { start: false } : (options.polling ?? {});
  const poller = new StatusPoller({
    store,
    adapters: instances,
    events,
    logger,
    ...(polling.intervalMs !== undefined ? { intervalMs: polling.intervalMs } : {}),
    ...(polling.timeoutMs !== undefined ? { timeoutMs: polling.timeoutMs } : {}),
    ...(polling.refresh !== undefined ? { refresh: polling.refresh } : {}),
  });
  if (polling.start !== false) poller.start();

  const unitCosts = definition.reporting?.unitCosts;
  const reader = createReadModel({
    store,
    council: definition.council,
    onReplay: () => worker.notify(),
    ...(keyring ? { opener: keyring } : {}),
    ...(unitCosts ? { unitCosts } : {}),
  });

  const changeset = definition.open311
    ? await open311Changeset(store, definition.council, definition.open311.services, new Date())
    : undefined;

  const stack: RunningStack = {
    ...reader,
    definition,
    adapters: instances,
    open311Changeset: changeset,
    subjectRequests: () =>
      openSubjectRequests({
        store: options.store,
        council: definition.council,
        encryptionKey: definition.encryption?.key,
        backOffices: targets,
      }),
    async submit(input, submitOptions = {}) {
      const envelope: Envelope = assertValid(input);
      if (envelope.council !== definition.council) {
        throw new LgxError('LGX_ERR_RUNTIME_NO_ROUTE', `this stack serves council ${definition.council}, not ${envelope.council}`, {
          details: { council: envelope.council },
        });
      }
      const route = matchRoutes(definition, envelope);
      // A journey start or a rating is counted for reports; it is delivered only where a route takes it.
      if (!route && !COUNTED_ONLY_TYPES.has(envelope.type))
        throw new LgxError('LGX_ERR_RUNTIME_NO_ROUTE', `no route of this stack takes '${envelope.type}'`, {
          details: { type: envelope.type },
        });
      const deliveries = route ? deliveriesFor(route) : [];
      submitOptions.admit?.(deliveries.filter((d) => d.state === 'pending').map((d) => d.target));
      // A worker with free slots takes the new deliveries in the same commit as the transaction.
      const handOff = worker.handOff(deliveries.filter((d) => d.state === 'pending').map((d) => d.target));
      let leased: readonly LeasedDelivery[] | undefined;
      try {
        const result = await store.insertTransaction({
          envelope,
          deliveries,
          audit: {
            actor: submitOptions.actor ?? 'system',
            action: 'transaction.accepted',
            payloadHash: payloadHash(envelope.data),
            details: { type: envelope.type, route: route ? route.index : null },
          },
          now: new Date(),
          ...(handOff ? { lease: handOff.lease } : {}),
        });
        leased = result.leased;
        if (!result.duplicate) worker.notify();
        return { id: result.id, duplicate: result.duplicate };
      } finally {
        handOff?.take(leased);
      }
    },
    circuits() {
      return worker.circuitStates(targets.keys());
    },

    async queueDepth() {
      const { byTarget } = await store.queueDepth();
      const mine: Record<string, number> = {};
      let total = 0;
      for (const target of targets.keys()) {
        const n = byTarget[target] ?? 0;
        if (n === 0) continue;
        mine[target] = n;
        total += n;
      }
      return { total, byTarget: mine };
    },
    async recordStatusUpdate({ target, update }) {
      const checked = validateData('statusUpdate', update);
      if (!checked.ok)
        throw new LgxValidationError(checked.issues, { subject: `status update from ${target}`, issueCount: checked.issueCount });
      const [stored] = await recordStatusUpdates({
        store,
        target,
        updates: [checked.value as StatusUpdate],
        now: new Date(),
        events,
        logger,
      });
      if (stored) return { update: stored, duplicate: false };
      // A repeat of (target, externalRef, updateId): the earlier one, found in its transaction's history.
      const history = update.transactionId ? await store.listStatusUpdates(update.transactionId) : [];
      const earlier = history.find(
        (u) => u.target === target && u.update.externalRef === update.externalRef && u.update.updateId === update.updateId,
      );
      // The caller gets the earlier update as it came, as it got a new one.
      const opened =
        earlier && keyring ? { ...earlier, update: await keyring.openStatusUpdate(earlier.target, earlier.update, earlier.id) } : earlier;
      return { update: opened, duplicate: true };
    },
    onStatusUpdate(listener) {
      events.on('statusUpdate', listener);
      return () => {
        events.off('statusUpdate', listener);
      };
    },
    publish,
    async query(type, params, queryOptions = {}) {
      if (!schemaRegistry().types('query').includes(type)) {
        throw new LgxError(
          'LGX_ERR_SCHEMA_UNKNOWN_TYPE',
          `'${type}' is not a query type (query types: ${schemaRegistry().types('query').join(', ')})`,
          { details: { type } },
        );
      }
      const checked = validateQuery(type as QueryType, params);
      if (!checked.ok) throw new LgxValidationError(checked.issues, { subject: `${type} query`, issueCount: checked.issueCount });
      const route = matchRoutes(definition, { type, council: definition.council, data: checked.value });
      const candidates = (route?.targets ?? []).filter((id) =>
        targets.get(id)?.capabilities.some((c) => c.type === type && c.operations.includes('query')),
      );
      if (candidates.length === 0)
        throw new LgxError('LGX_ERR_RUNTIME_NO_ROUTE', `no route of this stack answers the query '${type}'`, { details: { type } });
      let lastError: unknown;
      for (const id of candidates) {
        const instance = targets.get(id)!.instance;
        const deadline = AbortSignal.timeout(queryOptions.timeoutMs ?? 10_000);
        const signal = queryOptions.signal ? AbortSignal.any([queryOptions.signal, deadline]) : deadline;
        try {
          const result = await instance.query!(type, checked.value, { signal });
          const valid = validateQueryResult(type as QueryType, result);
          if (!valid.ok) throw new LgxValidationError(valid.issues, { subject: `${type} result from ${id}`, issueCount: valid.issueCount });
          return { target: id, result: valid.value };
        } catch (caught) {
          // Our own deadline shows up as an aborted request: say it was a timeout.
          const error =
            deadline.aborted && !queryOptions.signal?.aborted
              ? new LgxError(
                  'LGX_ERR_TRANSPORT_TIMEOUT',
                  `${id} did not answer the ${type} query within ${queryOptions.timeoutMs ?? 10_000} ms`,
                  { cause: caught, details: { target: id } },
                )
              : caught;
          lastError = error;
          const classification = classifyError(error);
          logger.warn('query failed', { target: id, type, classification });
          if (queryOptions.signal?.aborted || (classification !== 'retryable' && classification !== 'rateLimited')) break;
        }
      }
      throw lastError;
    },
    onDelivery(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    start() {
      worker.start();
    },
    stopDelivering(deadlineMs) {
      return worker.stop(deadlineMs);
    },
    polling: poller,
    handleCallback: createCallbackHandler({ store, adapters: instances, events, logger }),
    async close(closeOptions = {}) {
      // Polling first: a round in flight is aborted before the adapters it calls are closed.
      await poller.stop();
      events.off('statusUpdate', onStatus);
      await worker.stop(closeOptions.deadlineMs);
      for (const instance of instances.values()) await instance.close?.().catch(() => undefined);
      if (closeOptions.closeStore !== false) await options.store.close();
    },
  };
  keepStackInternals(stack, { store: options.store, worker });
  return stack;
}
