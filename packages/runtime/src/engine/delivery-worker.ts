import { randomUUID } from 'node:crypto';
import {
  classifyError,
  deadline,
  parseSchemaId,
  silentLogger,
  upcast,
  type AdapterInstance,
  type Capability,
  type Envelope,
  type Logger,
  type RetryPolicy,
} from '@lgx/core';
import { checkReceipt } from './adapter-contract';
import { CircuitBreaker } from '../internal/circuit-breaker';
import type { CircuitBreakerOptions, CircuitState } from './circuit-breaker-options';
import { personalDataScrubber } from './personal-data-scrubber';
import { RateBudget } from '../internal/rate-budget';
import { DEFAULT_RETRY_POLICY, nextStep } from './retry-schedule';
import { deadWorkers, hostIdentity, processAlive } from './worker-liveness';
import type { AttemptOutcome, AttemptRecord, LeasedDelivery, NewTransaction, Store } from '../store/store-types';

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
  /**
   * How long a lease lasts without a heartbeat (default 15 s). A running worker renews its leases on
   * every heartbeat, so an attempt may take longer; a worker that dies stops renewing, and its leases
   * run out within this time (at once for a process on the same host: see `heartbeatMs`).
   */
  leaseMs?: number;
  /**
   * How often the worker records that it is alive, renews its leases and looks for dead workers
   * (default a third of leaseMs). A worker on the same host (same machine and PID namespace) whose
   * process has gone is released at once, here and when a worker starts, so a restarted process
   * delivers at once instead of waiting for the dead one's leases to run out.
   */
  heartbeatMs?: number;
  /** Idle wait between polls when nothing is due (default 200 ms). */
  pollIntervalMs?: number;
  /** Deadline for one attempt (default 30 s). */
  attemptTimeoutMs?: number;
  /** When a failed delivery is tried again, and when it is dead-lettered (see DEFAULT_RETRY_POLICY). */
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
  /** Attempts in flight (each holds a slot of `concurrency` until its outcome is known). */
  private readonly inflight = new Map<string, { target: string; promise: Promise<void>; controller: AbortController }>();
  /** Every delivery not yet settled, its recording included. */
  private readonly unsettled = new Set<Promise<void>>();
  /** Slots promised to hand-offs whose transactions are being stored. */
  private reserved = 0;
  private running = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A notify() that came while the loop was busy: it leases again before it waits. */
  private woken = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private readonly host = hostIdentity();

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.owner = options.owner ?? `worker-${randomUUID()}`;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    for (const [target, budget] of Object.entries(options.rateBudgets ?? {})) {
      this.budgets.set(target, new RateBudget(budget.perSecond, budget.burst, () => this.now().getTime()));
    }
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? 15_000;
  }

  /** Registers the worker, releases dead workers' leases, and starts the leasing loop and the heartbeat. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loop = this.beat().then(() => this.run());
    const every = this.options.heartbeatMs ?? Math.max(100, Math.floor(this.leaseMs / 3));
    this.heartbeatTimer = setInterval(() => void this.beat(), every);
    this.heartbeatTimer.unref();
  }

  /** Wakes an idle loop at once (a transaction was just accepted, or an attempt's slot came free). */
  notify(): void {
    if (this.wake) this.wake();
    else this.woken = true;
  }

  /**
   * The heartbeat: records that this worker is alive and renews its leases, then releases the leases
   * of workers that are certainly dead (see deadWorkers). A failure is logged; the next one tries again.
   */
  private beat(): Promise<void> {
    this.beating ??= (async () => {
      const now = this.now();
      try {
        await this.options.store.heartbeat({ id: this.owner, host: this.host, pid: process.pid, leaseMs: this.leaseMs }, now);
        const dead = deadWorkers(
          await this.options.store.listWorkers(),
          { id: this.owner, host: this.host, pid: process.pid },
          now,
          processAlive,
        );
        for (const worker of dead) {
          const ended = await this.options.store.releaseWorker(worker.id, now);
          if (ended > 0)
            this.logger.warn('a worker stopped without giving its leases back; its deliveries are sent again now', {
              worker: worker.id,
              pid: worker.pid,
              leases: ended,
            });
        }
        if (dead.length > 0) this.notify();
      } catch (error) {
        this.logger.error('worker heartbeat failed; leases are renewed at the next one', { error });
      }
    })().finally(() => {
      this.beating = undefined;
    });
    return this.beating;
  }

  /**
   * Stops leasing, lets in-flight attempts finish until `deadlineMs`, then aborts the rest and gives
   * their leases back without counting an attempt.
   */
  async stop(deadlineMs = 10_000): Promise<void> {
    const registered = this.running;
    this.running = false;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.notify();
    await this.loop;
    const pending = [...this.inflight.values()];
    if (pending.length) {
      const timer = new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref());
      await Promise.race([Promise.allSettled(pending.map((p) => p.promise)), timer]);
      this.stopping = true;
      for (const p of this.inflight.values()) p.controller.abort(new Error('worker shutting down'));
    }
    await Promise.allSettled([...this.unsettled]);
    await this.beating;
    if (registered)
      await this.options.store
        .releaseWorker(this.owner, this.now())
        .catch((error: unknown) => this.logger.warn('could not unregister the worker', { error }));
  }

  /**
   * Slots for a transaction about to be stored, so its new deliveries need no separate lease: the
   * targets among `targets` this worker would deliver to now (running, a free slot, circuit closed,
   * within the rate budget). The caller passes `lease` to insertTransaction and gives what it leased
   * to `take` (or nothing, if the insert failed), which starts those deliveries and frees the rest.
   */
  handOff(
    targets: readonly string[],
  ): { lease: NonNullable<NewTransaction['lease']>; take(leased?: readonly LeasedDelivery[]): void } | undefined {
    if (!this.running || this.stopping) return undefined;
    const concurrency = this.options.concurrency ?? 8;
    const perTarget = this.options.perTarget ?? 4;
    const chosen: string[] = [];
    for (const target of new Set(targets)) {
      if (this.inflight.size + this.reserved + chosen.length >= concurrency) break;
      if (!this.options.targets.has(target) || this.breaker(target).allowance(perTarget) < perTarget) continue;
      const budget = this.budgets.get(target);
      if (budget && budget.available() < 1) continue;
      chosen.push(target);
    }
    if (chosen.length === 0) return undefined;
    this.reserved += chosen.length;
    let taken = false;
    return {
      lease: { owner: this.owner, leaseMs: this.leaseMs, perTarget, targets: chosen },
      take: (leased = []) => {
        if (taken) return;
        taken = true;
        this.reserved -= chosen.length;
        for (const d of leased) {
          // Stopped meanwhile: the lease goes back, as at any stop.
          if (!this.running) {
            void this.options.store.releaseLease(d.id, this.owner).catch(() => undefined);
            continue;
          }
          this.budgets.get(d.target)?.take(1);
          this.launch(d);
        }
        if (leased.length < chosen.length) this.notify();
      },
    };
  }

  /** Leases and processes one batch, and waits for it (tests and single-shot tools). */
  async runOnce(): Promise<number> {
    const leased = await this.lease(this.options.concurrency ?? 8);
    await Promise.all(leased.map((d) => this.track(d)));
    return leased.length;
  }

  /**
   * Each target's circuit as this worker sees it now: closed, open (no delivery until the cool-down
   * ends) or half-open (one probe lets through). A target never failed is closed.
   */
  circuitStates(targets: Iterable<string>): Record<string, CircuitState> {
    const out: Record<string, CircuitState> = {};
    for (const target of targets) out[target] = this.breakers.get(target)?.state ?? 'closed';
    return out;
  }

  private breaker(target: string): CircuitBreaker {
    let b = this.breakers.get(target);
    if (!b) {
      b = new CircuitBreaker({ ...this.options.breaker, now: () => this.now().getTime() });
      this.breakers.set(target, b);
    }
    return b;
  }

  private async lease(slots: number): Promise<LeasedDelivery[]> {
    const perTarget = this.options.perTarget ?? 4;
    const free = slots - this.reserved;
    if (free <= 0) return [];
    const open: string[] = [];
    const limited: Array<{ target: string; allowance: number }> = [];
    for (const target of this.options.targets.keys()) {
      const budget = this.budgets.get(target);
      const allowance = Math.min(this.breaker(target).allowance(perTarget), budget ? budget.available() : perTarget);
      if (allowance >= perTarget) open.push(target);
      else if (allowance > 0) limited.push({ target, allowance });
    }
    const base = { owner: this.owner, leaseMs: this.leaseMs, now: this.now(), perTarget };
    const leased: LeasedDelivery[] = [];
    // A half-open target may take only its allowance (one probe), so it is leased on its own: leasing
    // it with the others would let `perTarget` probes through at once.
    for (const { target, allowance } of limited) {
      const limit = Math.min(allowance, free - leased.length);
      if (limit <= 0) break;
      leased.push(...(await this.options.store.leaseDeliveries({ ...base, limit, targets: [target] })));
    }
    if (open.length > 0 && free - leased.length > 0)
      leased.push(...(await this.options.store.leaseDeliveries({ ...base, limit: free - leased.length, targets: open })));
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
      for (const d of leased) this.launch(d);
      if (this.woken) {
        this.woken = false;
        continue;
      }
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

  /** Starts a leased delivery in the background. */
  private launch(delivery: LeasedDelivery): void {
    // An attempt whose recording failed (the store down or busy) must not become an unhandled
    // rejection, which would kill the process: its lease runs out and another pass retries it.
    this.track(delivery).catch((error: unknown) =>
      this.logger.error('recording an attempt failed; the delivery is retried once its lease expires', { error, deliveryId: delivery.id }),
    );
  }

  private track(delivery: LeasedDelivery): Promise<void> {
    const controller = new AbortController();
    const promise = this.deliver(delivery, controller.signal);
    this.inflight.set(delivery.id, { target: delivery.target, promise, controller });
    this.unsettled.add(promise);
    void promise.catch(() => undefined).finally(() => this.unsettled.delete(promise));
    return promise;
  }

  /**
   * Makes one attempt and records it. The attempt's slot comes free as soon as its outcome is known,
   * and the loop is woken then: its next lease is taken in the same turn as this recording, so on
   * SQLite the two share one commit.
   */
  private async deliver(delivery: LeasedDelivery, shutdown: AbortSignal): Promise<void> {
    let freed = false;
    const free = (): void => {
      if (freed) return;
      freed = true;
      this.inflight.delete(delivery.id);
      this.notify();
    };
    try {
      const verdict = await this.attempt(delivery, shutdown);
      if (!verdict) return;
      const { outcome, record, startedAt, finishedAt } = verdict;
      const recorded = this.options.store.completeAttempt({
        deliveryId: delivery.id,
        owner: this.owner,
        attempt: record,
        outcome,
        now: finishedAt,
      });
      free();
      if (!(await recorded)) {
        this.logger.warn('lease lost before the attempt was recorded; another worker will retry', {
          deliveryId: delivery.id,
          target: delivery.target,
        });
        return;
      }
      const base = {
        deliveryId: delivery.id,
        transactionId: delivery.transactionId,
        target: delivery.target,
        attempt: record.attempt,
        durationMs: finishedAt.getTime() - startedAt.getTime(),
      };
      if (outcome.kind === 'delivered') this.options.onEvent?.({ kind: 'delivered', ...base, externalRef: outcome.receipt.externalRef });
      else if (outcome.kind === 'retry')
        this.options.onEvent?.({ kind: 'retry', ...base, classification: outcome.error.classification, retryAt: outcome.nextAttemptAt });
      else this.options.onEvent?.({ kind: 'dead', ...base, classification: outcome.error.classification, reason: outcome.error.message });
      this.logger.info(`delivery ${outcome.kind}`, {
        ...base,
        ...(outcome.kind !== 'delivered' ? { classification: outcome.error.classification, code: outcome.error.code } : {}),
      });
    } finally {
      free();
    }
  }

  /** The envelope at a version the target accepts, upcast if needed. */
  private envelopeFor(delivery: LeasedDelivery, target: DeliveryTarget): Envelope {
    const cap = target.capabilities.find((c) => c.type === delivery.envelope.type);
    const version = parseSchemaId(delivery.envelope.dataschema)?.major;
    if (!cap || version === undefined || cap.versions.includes(version)) return delivery.envelope;
    return upcast(delivery.envelope, { to: Math.max(...cap.versions) });
  }

  /**
   * Calls the adapter with a deadline and the shutdown signal and decides the outcome from the error
   * class alone. Undefined when shutdown aborted it: the lease is given back without an attempt.
   */
  private async attempt(
    delivery: LeasedDelivery,
    shutdown: AbortSignal,
  ): Promise<{ outcome: AttemptOutcome; record: AttemptRecord; startedAt: Date; finishedAt: Date } | undefined> {
    const attempt = delivery.attempts + 1;
    const startedAt = this.now();
    const target = this.options.targets.get(delivery.target);
    let outcome: AttemptOutcome;
    const limit = deadline(this.options.attemptTimeoutMs ?? 30_000, shutdown);
    try {
      if (!target?.instance.submit)
        throw Object.assign(new Error(`no running adapter '${delivery.target}' that can submit`), { classification: 'unsupported' });
      const envelope = this.envelopeFor(delivery, target);
      const receipt = await target.instance.submit(envelope, { signal: limit.signal, attempt });
      // The vendor answered: the target is healthy whatever the adapter made of the answer.
      this.breaker(delivery.target).success();
      const broken = checkReceipt(receipt, delivery.target);
      if (broken) throw broken;
      outcome = { kind: 'delivered', receipt };
    } catch (error) {
      if (this.stopping && shutdown.aborted) {
        await this.options.store.releaseLease(delivery.id, this.owner).catch(() => undefined);
        return undefined;
      }
      const classification = classifyError(error);
      const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
      if (classification === 'retryable' || classification === 'rateLimited') this.breaker(delivery.target).failure(retryAfterMs);
      else this.breaker(delivery.target).settle();
      // What is recorded here is stored and shown (attempts, last error, dead letters, events): the
      // transaction's personal data is scrubbed from it, whatever the adapter put in its error.
      const scrub = personalDataScrubber(delivery.envelope);
      const code = (error as { code?: unknown })?.code;
      const detail = {
        classification,
        message: scrub(String((error as Error)?.message ?? error)).slice(0, 500),
        ...(typeof code === 'string' ? { code: scrub(code).slice(0, 100) } : {}),
      };
      const step = nextStep(
        { classification, attempt, retryAfterMs, createdAt: new Date(delivery.createdAt), now: this.now() },
        this.policy,
        this.options.random,
      );
      outcome =
        'retryAt' in step
          ? { kind: 'retry', nextAttemptAt: step.retryAt, error: detail }
          : { kind: 'dead', error: { ...detail, message: `${step.dead}: ${detail.message}` } };
    } finally {
      limit.clear();
    }
    const finishedAt = this.now();
    const record: AttemptRecord = {
      attempt,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      outcome: outcome.kind === 'delivered' ? 'delivered' : 'failed',
      ...(outcome.kind !== 'delivered'
        ? {
            classification: outcome.error.classification,
            message: outcome.error.message,
            ...(outcome.error.code ? { code: outcome.error.code } : {}),
          }
        : {}),
    };
    return { outcome, record, startedAt, finishedAt };
  }
}
