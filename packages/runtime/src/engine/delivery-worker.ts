import { randomUUID } from 'node:crypto';
import { classifyError, parseSchemaId, silentLogger, upcast, type AdapterInstance, type Capability, type Envelope, type Logger } from '@lgx/core';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker';
import { RateBudget } from './rate-budget';
import { DEFAULT_RETRY_POLICY, nextStep, type RetryPolicy } from './retry-schedule';
import type { AttemptOutcome, LeasedDelivery, Store } from '../store/store-types';

/** A target the worker delivers to: a running adapter instance and what it declared. */
export interface DeliveryTarget {
  instance: AdapterInstance;
  capabilities: readonly Capability[];
}

/** What the worker reports as it goes (progress displays, metrics, subscribers). */
/** What every delivery event carries: which delivery, which attempt, and how long the adapter took. */
interface DeliveryEventBase {
  deliveryId: string;
  transactionId: string;
  target: string;
  attempt: number;
  /** How long the attempt took (the adapter's call), in milliseconds. */
  durationMs: number;
}

export type DeliveryEvent =
  | (DeliveryEventBase & { kind: 'delivered'; externalRef: string })
  | (DeliveryEventBase & { kind: 'retry'; classification: string; retryAt: Date })
  | (DeliveryEventBase & { kind: 'dead'; classification: string; reason: string });

export interface DeliveryWorkerOptions {
  store: Store;
  targets: ReadonlyMap<string, DeliveryTarget>;
  /** Lease owner id (default: a random one per worker). */
  owner?: string;
  /** Deliveries in flight at once (default 8). */
  concurrency?: number;
  /** Deliveries in flight per target (default 4). */
  perTarget?: number;
  /** How long a lease lasts; a crashed worker's deliveries are picked up after it (default 60 s). */
  leaseMs?: number;
  /** Idle wait between polls when nothing is due (default 200 ms). */
  pollIntervalMs?: number;
  /** Deadline for one attempt (default 30 s). */
  attemptTimeoutMs?: number;
  retry?: RetryPolicy;
  /** Per target: opens after `threshold` failures in a row, probes after `cooldownMs` doubling to `maxCooldownMs`, or after the vendor's Retry-After. */
  breaker?: Omit<CircuitBreakerOptions, 'now'>;
  /** Rate budgets per target: at most `perSecond` deliveries a second, bursts up to `burst`. */
  rateBudgets?: Record<string, { perSecond: number; burst?: number }>;
  logger?: Logger;
  now?: () => Date;
  random?: () => number;
  onEvent?: (event: DeliveryEvent) => void;
}

/**
 * Leases due deliveries, calls the adapter with a deadline and an abort signal, classifies the
 * outcome, records the attempt, and schedules the retry or dead-letters, per the error class alone.
 */
export class DeliveryWorker {
  private readonly owner: string;
  private readonly policy: Required<RetryPolicy>;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly budgets = new Map<string, RateBudget>();
  private readonly inflight = new Map<string, { target: string; promise: Promise<void>; controller: AbortController }>();
  private running = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.owner = options.owner ?? `worker-${randomUUID()}`;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    for (const [target, budget] of Object.entries(options.rateBudgets ?? {})) {
      this.budgets.set(target, new RateBudget(budget.perSecond, budget.burst, () => this.now().getTime()));
    }
  }

  /** Starts the polling loop. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Wakes an idle loop at once (a transaction was just accepted). */
  notify(): void {
    this.wake?.();
  }

  /**
   * Stops leasing, lets in-flight attempts finish until `deadlineMs`, then aborts the rest and gives
   * their leases back without counting an attempt.
   */
  async stop(deadlineMs = 10_000): Promise<void> {
    this.running = false;
    this.notify();
    await this.loop;
    const pending = [...this.inflight.values()];
    if (pending.length) {
      const timer = new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref());
      await Promise.race([Promise.allSettled(pending.map((p) => p.promise)), timer]);
      this.stopping = true;
      for (const p of this.inflight.values()) p.controller.abort(new Error('worker shutting down'));
      await Promise.allSettled([...this.inflight.values()].map((p) => p.promise));
    }
  }

  /** Leases and processes one batch, and waits for it (tests and single-shot tools). */
  async runOnce(): Promise<number> {
    const leased = await this.lease(this.options.concurrency ?? 8);
    await Promise.all(leased.map((d) => this.track(d)));
    return leased.length;
  }

  private breaker(target: string): CircuitBreaker {
    let b = this.breakers.get(target);
    if (!b) {
      b = new CircuitBreaker({ ...this.options.breaker, now: () => this.now().getTime() });
      this.breakers.set(target, b);
    }
    return b;
  }

  private async lease(free: number): Promise<LeasedDelivery[]> {
    const perTarget = this.options.perTarget ?? 4;
    if (free <= 0) return [];
    const open: string[] = [];
    const limited: Array<{ target: string; allowance: number }> = [];
    for (const target of this.options.targets.keys()) {
      const budget = this.budgets.get(target);
      const allowance = Math.min(this.breaker(target).allowance(perTarget), budget ? budget.available() : perTarget);
      if (allowance >= perTarget) open.push(target);
      else if (allowance > 0) limited.push({ target, allowance });
    }
    const base = { owner: this.owner, leaseMs: this.options.leaseMs ?? 60_000, now: this.now(), perTarget };
    const leased: LeasedDelivery[] = [];
    // A half-open target may take only its allowance (one probe), so it is leased on its own: leasing
    // it with the others would let `perTarget` probes through at once.
    for (const { target, allowance } of limited) {
      const limit = Math.min(allowance, free - leased.length);
      if (limit <= 0) break;
      leased.push(...(await this.options.store.leaseDeliveries({ ...base, limit, targets: [target] })));
    }
    if (open.length > 0 && free - leased.length > 0) leased.push(...(await this.options.store.leaseDeliveries({ ...base, limit: free - leased.length, targets: open })));
    for (const d of leased) {
      if (this.breaker(d.target).state === 'half-open') this.breaker(d.target).probe();
      this.budgets.get(d.target)?.take(1);
    }
    return leased;
  }

  private async run(): Promise<void> {
    const concurrency = this.options.concurrency ?? 8;
    while (this.running) {
      let leased: LeasedDelivery[] = [];
      try {
        leased = await this.lease(concurrency - this.inflight.size);
      } catch (error) {
        this.logger.error('leasing failed', { error });
      }
      // An attempt whose recording failed (the store down or busy) must not become an unhandled
      // rejection, which would kill the process: its lease runs out and another pass retries it.
      for (const d of leased) this.track(d).catch((error: unknown) => this.logger.error('recording an attempt failed; the delivery is retried once its lease expires', { error, deliveryId: d.id }));
      if (leased.length === 0 || this.inflight.size >= concurrency) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollIntervalMs ?? 200);
          timer.unref();
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  private track(delivery: LeasedDelivery): Promise<void> {
    const controller = new AbortController();
    const promise = this.process(delivery, controller.signal).finally(() => {
      this.inflight.delete(delivery.id);
      this.notify();
    });
    this.inflight.set(delivery.id, { target: delivery.target, promise, controller });
    return promise;
  }

  /** The envelope at a version the target accepts, upcast if needed. */
  private envelopeFor(delivery: LeasedDelivery, target: DeliveryTarget): Envelope {
    const cap = target.capabilities.find((c) => c.type === delivery.envelope.type);
    const version = parseSchemaId(delivery.envelope.dataschema)?.major;
    if (!cap || version === undefined || cap.versions.includes(version)) return delivery.envelope;
    return upcast(delivery.envelope, { to: Math.max(...cap.versions) });
  }

  private async process(delivery: LeasedDelivery, shutdown: AbortSignal): Promise<void> {
    const attempt = delivery.attempts + 1;
    const startedAt = this.now();
    const target = this.options.targets.get(delivery.target);
    let outcome: AttemptOutcome;
    let retryAfterMs: number | undefined;
    try {
      if (!target?.instance.submit) throw Object.assign(new Error(`no running adapter '${delivery.target}' that can submit`), { classification: 'unsupported' });
      const envelope = this.envelopeFor(delivery, target);
      const signal = AbortSignal.any([shutdown, AbortSignal.timeout(this.options.attemptTimeoutMs ?? 30_000)]);
      const receipt = await target.instance.submit(envelope as never, { signal, attempt });
      outcome = { kind: 'delivered', receipt };
      this.breaker(delivery.target).success();
    } catch (error) {
      if (this.stopping && shutdown.aborted) {
        await this.options.store.releaseLease(delivery.id, this.owner).catch(() => undefined);
        return;
      }
      const classification = classifyError(error);
      retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
      if (classification === 'retryable' || classification === 'rateLimited') this.breaker(delivery.target).failure(retryAfterMs);
      else this.breaker(delivery.target).settle();
      const detail = {
        classification,
        message: String((error as Error)?.message ?? error).slice(0, 500),
        ...(typeof (error as { code?: unknown })?.code === 'string' ? { code: (error as { code: string }).code } : {}),
      };
      const step = nextStep({ classification, attempt, retryAfterMs, createdAt: new Date(delivery.createdAt), now: this.now() }, this.policy, this.options.random);
      outcome = 'retryAt' in step ? { kind: 'retry', nextAttemptAt: step.retryAt, error: detail } : { kind: 'dead', error: { ...detail, message: `${step.dead}: ${detail.message}` } };
    }
    const finishedAt = this.now();
    const record = {
      attempt,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      outcome: outcome.kind === 'delivered' ? ('delivered' as const) : ('failed' as const),
      ...(outcome.kind !== 'delivered' ? { classification: outcome.error.classification, message: outcome.error.message, ...(outcome.error.code ? { code: outcome.error.code } : {}) } : {}),
    };
    const kept = await this.options.store.completeAttempt({ deliveryId: delivery.id, owner: this.owner, attempt: record, outcome, now: finishedAt });
    if (!kept) {
      this.logger.warn('lease lost before the attempt was recorded; another worker will retry', { deliveryId: delivery.id, target: delivery.target });
      return;
    }
    const base = { deliveryId: delivery.id, transactionId: delivery.transactionId, target: delivery.target, attempt, durationMs: finishedAt.getTime() - startedAt.getTime() };
    if (outcome.kind === 'delivered') this.options.onEvent?.({ kind: 'delivered', ...base, externalRef: outcome.receipt.externalRef });
    else if (outcome.kind === 'retry') this.options.onEvent?.({ kind: 'retry', ...base, classification: outcome.error.classification, retryAt: outcome.nextAttemptAt });
    else this.options.onEvent?.({ kind: 'dead', ...base, classification: outcome.error.classification, reason: outcome.error.message });
    this.logger.info(`delivery ${outcome.kind}`, { ...base, ...(outcome.kind !== 'delivered' ? { classification: outcome.error.classification, code: outcome.error.code } : {}) });
  }
}
