/**
 * The pollUpdates cursor: the newest updated_datetime seen, and the ids of the updates seen at that
 * instant. The next poll asks from that instant inclusive (servers stamp to the second, so several
 * updates share one) and drops the ones already seen: nothing is lost, nothing comes twice.
 */
export interface PollCursor {
  t?: string;
  ids: string[];
}

const MAX_IDS = 1000;

export function readCursor(cursor: string | undefined): PollCursor | undefined {
  if (cursor === undefined || cursor === '') return { ids: [] };
  try {
    const value = JSON.parse(cursor) as { v?: unknown; t?: unknown; ids?: unknown };
    if (value.v !== 1 || (value.t !== undefined && (typeof value.t !== 'string' || Number.isNaN(Date.parse(value.t))))) return undefined;
    const ids = Array.isArray(value.ids) ? value.ids.filter((i): i is string => typeof i === 'string').slice(-MAX_IDS) : [];
    return { ...(typeof value.t === 'string' ? { t: value.t } : {}), ids };
  } catch {
    return undefined;
  }
}

export function writeCursor(cursor: PollCursor): string {
  return JSON.stringify({ v: 1, ...(cursor.t !== undefined ? { t: cursor.t } : {}), ids: cursor.ids.slice(-MAX_IDS) });
}

/** An instant as Open311 wants it: W3C date-time, UTC, whole seconds (rounded down, or up). */
export function w3c(ms: number, round: 'down' | 'up' = 'down'): string {
  const seconds = round === 'up' ? Math.ceil(ms / 1000) : Math.floor(ms / 1000);
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}
