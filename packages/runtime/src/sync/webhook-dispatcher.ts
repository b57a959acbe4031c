import { silentLogger, type Logger } from '@lgx/core';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature';
import type { StatusEvents } from './status-events';
import type { StoredStatusUpdate } from '../store/store-types';

/** A receiver of signed status webhooks. */
export interface WebhookSubscriber {
  /** Names the subscriber in logs (never the URL, which may carry a token). */
  id: string;
  url: string;
  /** Shared secret for the LGX-Signature HMAC. */
  secret: string;
}

export interface WebhookRetryPolicy {
  /** Attempts per update and subscriber, including the first (default 5). */
  maxAttempts?: number;
  /** Delay before the second attempt; doubles each time (default 1 s). */
  baseDelayMs?: number;
  /** Cap on one delay (default 60 s). */
  maxDelayMs?: number;
}

export interface WebhookDispatcherOptions {
  subscribers: readonly WebhookSubscriber[];
  retry?: WebhookRetryPolicy;
  /** Deadline for one POST (default 10 s). */
  timeoutMs?: number;
  logger?: Logger;
  now?: () => Date;
  /** Called when an update is given up on for a subscriber after the last attempt. */
  onGiveUp?: (info: { subscriber: string; statusUpdateId: number; attempts: number; lastError: string }) => void;
}

/** The JSON body POSTed to subscribers. */
export interface StatusWebhookBody {
  type: 'lgx.statusUpdate';
  /** The store's id of the update: receivers dedupe on it (delivery is at-least-once). */
  id: number;
  transactionId?: string;
  target: string;
  receivedAt: string;
  update: StoredStatusUpdate['update'];
}

interface Job {
  subscriber: WebhookSubscriber;
  body: string;
  statusUpdateId: number;
  attempt: number;
}

/**
 * POSTs each status update to every subscriber, signed, retrying failures (non-2xx or network errors)
 * with exponential backoff up to a bounded number of attempts.
 *
 * The retry queue is in memory: updates still waiting when the process stops are not re-sent after a
 * restart. The updates themselves are durable in the store, so a subscriber can catch up by reading
 * the transaction's status history.
 */
export class WebhookDispatcher {
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly controller = new AbortController();
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
  }

  /** Sends every update `events` emits from now on; returns a function that detaches. */
  attach(events: StatusEvents): () => void {
    const listener = (update: StoredStatusUpdate): void => this.send(update);
    events.on('statusUpdate', listener);
    return () => events.off('statusUpdate', listener);
  }

  /** Queues one update for every subscriber (returns at once; see idle()). */
  send(stored: StoredStatusUpdate): void {
    if (this.closed) return;
    const payload: StatusWebhookBody = {
      type: 'lgx.statusUpdate',
      id: stored.id,
      ...(stored.transactionId ? { transactionId: stored.transactionId } : {}),
      target: stored.target,
      receivedAt: stored.receivedAt,
      update: stored.update,
    };
    const body = JSON.stringify(payload);
    for (const subscriber of this.options.subscribers) this.run({ subscriber, body, statusUpdateId: stored.id, attempt: 1 });
  }

  /** Resolves when nothing is in flight or waiting for a retry (tests, graceful shutdown). */
  idle(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops sending: pending retries are dropped and requests in flight aborted. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.controller.abort(new Error('webhook dispatcher closing'));
    await Promise.allSettled([...this.inflight]);
    this.settle();
  }

  private get busy(): number {
    return this.timers.size + this.inflight.size;
  }

  private settle(): void {
    if (this.busy > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private run(job: Job): void {
    const promise = this.attempt(job)
      // attempt() handles delivery failures itself; this only catches a throwing onGiveUp or logger
      // sink, which must not become an unhandled rejection.
      .catch((error: unknown) => this.logger.error('status webhook dispatch failed', { subscriber: job.subscriber.id, error }))
      .finally(() => {
        this.inflight.delete(promise);
        this.settle();
      });
    this.inflight.add(promise);
  }

  private async attempt(job: Job): Promise<void> {
    let failure: string;
    try {
      const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.options.timeoutMs ?? 10_000)]);
      const response = await fetch(job.subscriber.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(job.body, job.subscriber.secret, this.now()) },
        body: job.body,
        signal,
        redirect: 'error',
      });
      // Drain the body so the connection can be reused; its content is not used.
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) {
        this.logger.debug('status webhook delivered', { subscriber: job.subscriber.id, statusUpdateId: job.statusUpdateId, attempt: job.attempt });
        return;
      }
      failure = `HTTP ${response.status}`;
    } catch (error) {
      if (this.closed) return;
      failure = (error as Error)?.name === 'TimeoutError' ? 'timed out' : String((error as Error)?.message ?? error);
    }
    const policy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000, ...this.options.retry };
    if (job.attempt >= policy.maxAttempts || this.closed) {
      this.logger.warn('status webhook given up', { subscriber: job.subscriber.id, statusUpdateId: job.statusUpdateId, attempts: job.attempt, error: failure });
      this.options.onGiveUp?.({ subscriber: job.subscriber.id, statusUpdateId: job.statusUpdateId, attempts: job.attempt, lastError: failure });
      return;
    }
    const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (job.attempt - 1));
    this.logger.info('status webhook failed; will retry', { subscriber: job.subscriber.id, statusUpdateId: job.statusUpdateId, attempt: job.attempt, retryInMs: delay, error: failure });
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.run({ ...job, attempt: job.attempt + 1 });
    }, delay);
    // Retries alone must not keep a process alive.
    timer.unref();
    this.timers.add(timer);
  }
}
