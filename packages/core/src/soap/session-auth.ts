import { AuthError } from '../errors/adapter-errors';

/** The value at a dot path (`Session.Token`) in a login result, as a string. */
export function tokenAt(result: unknown, path: string): string | undefined {
  let value: unknown = result;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value === 'object' && value !== null && '$value' in value) value = (value as { $value: unknown }).$value;
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** One login in flight, shared by every caller waiting for a token. */
interface Inflight {
  promise: Promise<string>;
  controller: AbortController;
  /** Callers still waiting with a signal of their own. */
  waiters: number;
  /** A caller without a signal waits for the login's own deadline: the login is never abandoned. */
  pinned: boolean;
}

/**
 * Holds one session token. Callers that need a token while none is valid share one login; a call
 * refused with an auth fault drops the token it used, so the next `get()` logs in again. When every
 * caller waiting on a login has given up (its signal aborted), the login is abandoned, so the next
 * caller starts a fresh one instead of joining a login nobody is waiting for.
 */
export class SessionTokens {
  private token: string | undefined;
  private obtainedAt = 0;
  private inflight: Inflight | undefined;

  constructor(
    private readonly login: (signal: AbortSignal) => Promise<unknown>,
    private readonly tokenPath: string,
    private readonly ttlMs: number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current token, logging in first when there is none or it has outlived `ttlMs`. */
  get(signal?: AbortSignal): Promise<string> {
    const fresh = this.token !== undefined && (this.ttlMs === undefined || this.now() - this.obtainedAt < this.ttlMs);
    if (fresh && this.token !== undefined) return Promise.resolve(this.token);
    const entry = this.inflight ?? this.startLogin();
    if (!signal) {
      entry.pinned = true;
      return entry.promise;
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    entry.waiters += 1;
    return new Promise<string>((resolve, reject) => {
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
        (token) => {
          signal.removeEventListener('abort', onAbort);
          entry.waiters -= 1;
          resolve(token);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          entry.waiters -= 1;
          reject(error);
        },
      );
    });
  }

  private startLogin(): Inflight {
    const controller = new AbortController();
    const entry: Inflight = { controller, waiters: 0, pinned: false, promise: Promise.resolve('') };
    entry.promise = this.login(controller.signal)
      .then((result) => {
        const token = tokenAt(result, this.tokenPath);
        // The path is named, never the value: a wrong path could point at something secret.
        if (token === undefined) throw new AuthError(`login answered without a token at '${this.tokenPath}'`);
        if (!controller.signal.aborted) {
          this.token = token;
          this.obtainedAt = this.now();
        }
        return token;
      })
      .finally(() => {
        if (this.inflight === entry) this.inflight = undefined;
      });
    // Waiters handle the outcome; an abandoned login's failure is nobody's unhandled rejection.
    entry.promise.catch(() => undefined);
    this.inflight = entry;
    return entry;
  }

  /** Forgets `token` if it is still the current one (a later login may already have replaced it). */
  invalidate(token: string): void {
    if (this.token === token) this.token = undefined;
  }

  /** The current token, for scrubbing. */
  current(): string | undefined {
    return this.token;
  }
}
