/** One attempt in flight, shared by every caller waiting for it. */
interface Inflight<T> {
  promise: Promise<T>;
  controller: AbortController;
  /** Callers still waiting with a signal of their own. */
  waiters: number;
  /** A caller without a signal waits for the attempt's own deadline: it is never abandoned. */
  pinned: boolean;
}

/**
 * Shares one attempt (loading a WSDL, logging in) among the callers that need its result at the same
 * time. Each caller stops waiting when its own signal aborts; when every caller has stopped waiting, the
 * attempt is abandoned (its signal aborts), so the next caller starts a fresh one rather than joining an
 * attempt nobody waits for. A settled attempt is forgotten: the owner caches a success if it wants to.
 */
export class SharedAttempt<T> {
  private inflight: Inflight<T> | undefined;

  constructor(private readonly start: (abandon: AbortSignal) => Promise<T>) {}

  /** Joins the attempt in flight, or starts one. */
  join(signal?: AbortSignal): Promise<T> {
    const entry = this.inflight ?? this.begin();
    if (!signal) {
      entry.pinned = true;
      return entry.promise;
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    entry.waiters += 1;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        entry.waiters -= 1;
        if (entry.waiters === 0 && !entry.pinned && this.inflight === entry) {
          this.inflight = undefined;
          entry.controller.abort(signal.reason);
        }
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          entry.waiters -= 1;
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          entry.waiters -= 1;
          reject(error);
        },
      );
    });
  }

  private begin(): Inflight<T> {
    const controller = new AbortController();
    const entry: Inflight<T> = { controller, waiters: 0, pinned: false, promise: Promise.resolve(undefined as T) };
    entry.promise = this.start(controller.signal).finally(() => {
      if (this.inflight === entry) this.inflight = undefined;
    });
    // Waiters handle the outcome; an abandoned attempt's failure is nobody's unhandled rejection.
    entry.promise.catch(() => undefined);
    this.inflight = entry;
    return entry;
  }
}
