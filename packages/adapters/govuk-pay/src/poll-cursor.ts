import { LgxValidationError } from '@lgx/core';

/**
 * The pollUpdates cursor: the creation time from which GOV.UK Pay's payment search is read again
 * (`from_date`, to the second), and the state already reported for each payment created since then.
 * It moves forward to the oldest payment that has not finished, so it stays small: GOV.UK Pay
 * expires an unpaid payment after 90 minutes.
 */
export interface PollCursor {
  v: 1;
  /** ISO 8601 UTC, whole seconds: GOV.UK Pay's from_date format. */
  from: string;
  /** payment id -> [reported state id, created date]. */
  seen: Record<string, [string, string]>;
}

export const MAX_SEEN = 20_000;

/** An ISO 8601 UTC date to the second, as GOV.UK Pay's search takes it (YYYY-MM-DDThh:mm:ssZ). */
export function toSecond(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

function invalid(message: string): LgxValidationError {
  return new LgxValidationError([{ path: '/cursor', rule: 'format', message }], { subject: 'govuk-pay poll cursor' });
}

export function encodeCursor(cursor: PollCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** Reads a cursor this adapter wrote; anything else is refused, naming the cursor, never echoing it. */
export function decodeCursor(text: string | undefined, now: Date): PollCursor {
  if (text === undefined || text === '') return { v: 1, from: toSecond(now.getTime()), seen: Object.create(null) as PollCursor['seen'] };
  if (text.length > 4_000_000 || !/^[A-Za-z0-9_-]+$/.test(text)) throw invalid('is not a cursor this adapter returned');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not a cursor this adapter returned');
  }
  const c = parsed as Partial<PollCursor> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    c.v !== 1 ||
    typeof c.from !== 'string' ||
    !/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/.test(c.from) ||
    typeof c.seen !== 'object' ||
    c.seen === null ||
    Array.isArray(c.seen)
  ) {
    throw invalid('is not a cursor this adapter returned');
  }
  const seen = Object.create(null) as PollCursor['seen'];
  for (const [id, value] of Object.entries(c.seen)) {
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string')
      seen[id] = [value[0], value[1]];
  }
  return { v: 1, from: c.from, seen };
}
