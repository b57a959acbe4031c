import { AuthError } from '../errors/adapter-errors';
import { SharedAttempt } from '../transport/shared-attempt';

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

/**
 * Holds one session token. Callers that need a token while none is valid share one login; a call
 * refused with an auth fault drops the token it used, so the next `get()` logs in again. When every
 * caller waiting on a login has given up (its signal aborted), the login is abandoned, so the next
 * caller starts a fresh one instead of joining a login nobody is waiting for.
 */
export class SessionTokens {
  private token: string | undefined;
  private obtainedAt = 0;
  private readonly logins: SharedAttempt<string>;

  constructor(
    login: (signal: AbortSignal) => Promise<unknown>,
    private readonly tokenPath: string,
    private readonly ttlMs: number | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.logins = new SharedAttempt(async (abandon) => {
      const token = tokenAt(await login(abandon), this.tokenPath);
      // The path is named, never the value: a wrong path could point at something secret.
      if (token === undefined) throw new AuthError(`login answered without a token at '${this.tokenPath}'`);
      if (!abandon.aborted) {
        this.token = token;
        this.obtainedAt = this.now();
      }
      return token;
    });
  }

  /** The current token, logging in first when there is none or it has outlived `ttlMs`. */
  get(signal?: AbortSignal): Promise<string> {
    const fresh = this.token !== undefined && (this.ttlMs === undefined || this.now() - this.obtainedAt < this.ttlMs);
    if (fresh && this.token !== undefined) return Promise.resolve(this.token);
    return this.logins.join(signal);
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
