/**
 * The pollUpdates cursor. Notify has no "changed since" query: GET /v2/notifications lists messages
 * newest first, 250 a page, paged back with older_than. So the cursor remembers the newest message
 * already reported (everything above it is new) and the messages not yet in a final status with the
 * status last reported (a change to one of them is an update).
 */
export interface OpenMessage {
  status: string;
  /** created_at in epoch milliseconds. */
  createdAt: number;
}

export interface PollState {
  /** The newest message seen by the last poll, and when it was created. */
  top?: { id: string; createdAt: number };
  open: Map<string, OpenMessage>;
}

/** Most open messages a cursor remembers; older ones are then only seen through getStatus or callbacks. */
export const MAX_OPEN = 10_000;

const ID = /^[0-9a-fA-F-]{1,64}$/;
const STATUS = /^[a-z-]{1,40}$/;

export function encodeCursor(state: PollState): string {
  const body = {
    v: 1,
    ...(state.top ? { t: [state.top.id, state.top.createdAt] } : {}),
    o: [...state.open].map(([id, m]) => [id, m.status, m.createdAt]),
  };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** The state in a cursor this adapter issued; undefined for anything else. */
export function decodeCursor(cursor: string): PollState | undefined {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || (body as { v?: unknown }).v !== 1) return undefined;
  const { t, o } = body as { t?: unknown; o?: unknown };
  const state: PollState = { open: new Map() };
  if (t !== undefined) {
    if (!Array.isArray(t) || typeof t[0] !== 'string' || !ID.test(t[0]) || typeof t[1] !== 'number' || !Number.isFinite(t[1]))
      return undefined;
    state.top = { id: t[0], createdAt: t[1] };
  }
  if (!Array.isArray(o)) return undefined;
  for (const entry of o) {
    if (
      !Array.isArray(entry) ||
      typeof entry[0] !== 'string' ||
      !ID.test(entry[0]) ||
      typeof entry[1] !== 'string' ||
      !STATUS.test(entry[1]) ||
      typeof entry[2] !== 'number'
    )
      return undefined;
    state.open.set(entry[0], { status: entry[1], createdAt: entry[2] });
  }
  return state;
}
