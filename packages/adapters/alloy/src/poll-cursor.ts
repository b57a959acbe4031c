import { LgxValidationError } from '@lgx/core';

/**
 * The pollUpdates cursor: where the next `lastEditDate` window starts, and what was already reported
 * for items edited near that point (item id -> [signature, when it was edited or seen]). Each window
 * starts a little before the last one ended (clock skew, late commits), and `seen` stops an item
 * found twice in that overlap from being reported twice. Entries older than the overlap are dropped,
 * so the cursor stays small.
 */
export interface PollCursor {
  v: 1;
  /** ISO 8601: the end of the last window. */
  since: string;
  seen: Record<string, [string, string]>;
}

export const MAX_SEEN = 20_000;

function invalid(): LgxValidationError {
  return new LgxValidationError([{ path: '/cursor', rule: 'format', message: 'is not a cursor this adapter returned' }], {
    subject: 'alloy poll cursor',
  });
}

export function encodeCursor(cursor: PollCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** Reads a cursor this adapter wrote (none: start from now); anything else is refused without echoing it. */
export function decodeCursor(text: string | undefined, now: Date): PollCursor {
  if (text === undefined || text === '') return { v: 1, since: now.toISOString(), seen: Object.create(null) as PollCursor['seen'] };
  if (text.length > 4_000_000 || !/^[A-Za-z0-9_-]+$/.test(text)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const c = parsed as Partial<PollCursor> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    c.v !== 1 ||
    typeof c.since !== 'string' ||
    Number.isNaN(Date.parse(c.since)) ||
    typeof c.seen !== 'object' ||
    c.seen === null ||
    Array.isArray(c.seen)
  ) {
    throw invalid();
  }
  const seen = Object.create(null) as PollCursor['seen'];
  for (const [id, value] of Object.entries(c.seen)) {
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string')
      seen[id] = [value[0], value[1]];
  }
  return { v: 1, since: c.since, seen };
}

/** The entries still inside the next window's overlap, newest first, at most MAX_SEEN. */
export function keepSeen(seen: PollCursor['seen'], fromMs: number): PollCursor['seen'] {
  const kept = Object.create(null) as PollCursor['seen'];
  const entries = Object.entries(seen)
    .filter(([, [, at]]) => Date.parse(at) >= fromMs)
    .sort((a, b) => b[1][1].localeCompare(a[1][1]))
    .slice(0, MAX_SEEN);
  for (const [id, value] of entries) kept[id] = value;
  return kept;
}
