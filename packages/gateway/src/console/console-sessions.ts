import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Scope } from '../types';

/** One signed-in console user: the key they signed in with, never the key itself. */
export interface ConsoleSession {
  id: string;
  keyId: string;
  council: string;
  scopes: Scope[];
  /** The token every form of this session must post back (`_csrf`). */
  csrf: string;
  signedInAt: number;
  lastSeenAt: number;
}

export interface ConsoleSessionOptions {
  /** A session ends after this long without a request (default 30 minutes). */
  idleMs?: number;
  /** A session ends this long after sign-in, however busy (default 8 hours). */
  maxAgeMs?: number;
  /** The most sessions kept; past it the least recently used one ends (default 10,000). */
  maxSessions?: number;
}

const DEFAULT_IDLE_MS = 30 * 60_000;
const DEFAULT_MAX_AGE_MS = 8 * 3_600_000;
const DEFAULT_MAX_SESSIONS = 10_000;

/** 256 random bits, URL-safe: an id or token that cannot be guessed. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares two tokens in constant time (a length mismatch is a mismatch). */
export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length === 0) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Console sessions, held in the gateway's memory: the cookie carries only a random id, so nothing in
 * it is worth stealing once the session ends, and a restart signs everyone out.
 */
export class ConsoleSessions {
  private readonly sessions = new Map<string, ConsoleSession>();
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly maxSessions: number;

  constructor(
    options: ConsoleSessionOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  }

  /** How long the cookie may live, in seconds: no longer than the session can. */
  get cookieMaxAgeSeconds(): number {
    return Math.floor(this.maxAgeMs / 1000);
  }

  create(key: { id: string; council: string; scopes: Scope[] }): ConsoleSession {
    const at = this.now();
    const session: ConsoleSession = {
      id: randomToken(),
      keyId: key.id,
      council: key.council,
      scopes: [...key.scopes],
      csrf: randomToken(),
      signedInAt: at,
      lastSeenAt: at,
    };
    this.sessions.set(session.id, session);
    // A Map iterates in insertion order and `get` re-inserts, so the first entry is the least recently used.
    while (this.sessions.size > this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    return session;
  }

  /** The live session with this id (its idle clock restarted), or undefined. */
  get(id: string | undefined): ConsoleSession | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const at = this.now();
    this.sessions.delete(id);
    if (at - session.lastSeenAt > this.idleMs || at - session.signedInAt > this.maxAgeMs) return undefined;
    session.lastSeenAt = at;
    this.sessions.set(id, session);
    return session;
  }

  end(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }
}
