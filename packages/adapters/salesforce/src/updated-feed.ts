import type { CaseStatus, Logger, StatusUpdate } from '@lgx/core';
import { canonicalStatus } from './case-status';
import type { SalesforceApi, SfRecord } from './salesforce-api';

/**
 * The pollUpdates cursor: where the next getUpdated window starts (a whole minute, UTC), and the
 * status and SystemModstamp last seen per Case, so a window read twice, or a change to another field,
 * reports nothing twice.
 */
export interface UpdatedCursor {
  v: 1;
  start: string;
  /** Case id -> [Status, SystemModstamp], the newest MAX_LAST. */
  last: Record<string, [string, string]>;
}

const MINUTE = 60_000;
/** getUpdated ignores seconds: every window reads the last whole minute again, so nothing in it is lost. */
const LAG_MS = MINUTE;
/** Allowance for the adapter's clock running ahead of Salesforce's, on the first poll. */
const SKEW_MS = 2 * MINUTE;
/** A cursor far behind catches up an hour a poll (few ids per window, well under EXCEEDED_ID_LIMIT). */
const WINDOW_MS = 60 * MINUTE;
/** getUpdated answers no more than 30 days back. */
const HISTORY_MS = 30 * 24 * 60 * MINUTE - 5 * MINUTE;
export const MAX_LAST = 5000;
const CHUNK = 2000;

const floorMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;
/** ISO 8601 with seconds and an offset, as getUpdated takes it. */
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');

export interface UpdatedFeedContext {
  api: SalesforceApi;
  externalIdField: string;
  statusMap: Readonly<Record<string, CaseStatus>>;
  /** The transaction id an external id value holds, when it holds one as it is. */
  transactionIdOf: (key: string) => string | undefined;
  logger: Logger;
  now: () => Date;
}

export const CASE_FIELDS = (externalIdField: string) => [
  'Id',
  'CaseNumber',
  'Status',
  'IsClosed',
  'CreatedDate',
  'SystemModstamp',
  externalIdField,
];

export function encodeCursor(cursor: UpdatedCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): UpdatedCursor | undefined {
  if (text.length > 2_000_000 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  let c: Partial<UpdatedCursor> | null;
  try {
    c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<UpdatedCursor>;
  } catch {
    return undefined;
  }
  if (typeof c !== 'object' || c === null || c.v !== 1 || typeof c.start !== 'string' || Number.isNaN(Date.parse(c.start)))
    return undefined;
  const last = Object.create(null) as UpdatedCursor['last'];
  for (const [id, value] of Object.entries(typeof c.last === 'object' && c.last !== null ? c.last : {})) {
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string')
      last[id] = [value[0], value[1]];
  }
  return { v: 1, start: c.start, last };
}

/** The canonical update for a Case; the same Case state always gives the same updateId. */
export function caseUpdate(
  record: SfRecord,
  ctx: Pick<UpdatedFeedContext, 'externalIdField' | 'statusMap' | 'transactionIdOf'>,
  fallbackAt: Date,
): StatusUpdate {
  const stamp =
    typeof record.SystemModstamp === 'string' && !Number.isNaN(Date.parse(record.SystemModstamp))
      ? new Date(Date.parse(record.SystemModstamp)).toISOString()
      : fallbackAt.toISOString();
  const status = typeof record.Status === 'string' ? record.Status : undefined;
  const key = record[ctx.externalIdField];
  const transactionId = typeof key === 'string' ? ctx.transactionIdOf(key) : undefined;
  return {
    externalRef: String(record.Id),
    ...(transactionId ? { transactionId } : {}),
    status: canonicalStatus(status, typeof record.IsClosed === 'boolean' ? record.IsClosed : undefined, ctx.statusMap),
    externalStatusCode: (status ?? 'unknown').slice(0, 100),
    updatedAt: stamp,
    updateId: `${(status ?? 'unknown').slice(0, 60)}@${stamp}`,
    source: 'salesforce',
  };
}

/**
 * Reads the Cases changed since the cursor: a getUpdated window (which ignores seconds, so it starts a
 * minute back), then the changed Cases themselves, 2000 at a time. Reports Cases LGX sent whose status
 * changed; the next window starts at `latestDateCovered`, earlier when Salesforce says a long
 * transaction is still running.
 */
export async function pollUpdated(
  ctx: UpdatedFeedContext,
  cursorText: string | undefined,
  signal: AbortSignal,
): Promise<{ updates: StatusUpdate[]; cursor: string }> {
  const now = ctx.now();
  const nowMs = now.getTime();
  let cursor = cursorText ? decodeCursor(cursorText) : undefined;
  if (cursorText && !cursor) ctx.logger.warn('unreadable pollUpdates cursor: starting again from now');
  cursor ??= { v: 1, start: new Date(floorMinute(nowMs - SKEW_MS)).toISOString(), last: Object.create(null) as UpdatedCursor['last'] };

  let start = Math.min(Date.parse(cursor.start), floorMinute(nowMs) - LAG_MS);
  if (start < floorMinute(nowMs - HISTORY_MS)) {
    ctx.logger.warn('the poll cursor is older than the 30 days getUpdated answers for: changes before then are not read', {
      from: cursor.start,
    });
    start = floorMinute(nowMs - HISTORY_MS);
  }
  const end = Math.min(nowMs, start + WINDOW_MS);
  const window = await ctx.api.updated(isoSeconds(start), isoSeconds(end), signal);

  const fields = CASE_FIELDS(ctx.externalIdField);
  const updates: StatusUpdate[] = [];
  for (let i = 0; i < window.ids.length; i += CHUNK) {
    for (const record of await ctx.api.retrieve(window.ids.slice(i, i + CHUNK), fields, signal)) {
      if (!record || typeof record.Id !== 'string') continue; // deleted since, or not visible
      const key = record[ctx.externalIdField];
      if (typeof key !== 'string' || key === '') continue; // not a Case LGX sent
      const status = typeof record.Status === 'string' ? record.Status : '';
      const stamp = typeof record.SystemModstamp === 'string' ? record.SystemModstamp : '';
      const previous = cursor.last[record.Id];
      if (previous?.[1] === stamp) continue;
      cursor.last[record.Id] = [status, stamp];
      if (previous?.[0] === status) continue;
      // A Case never changed since it was made: its status is the receipt's, not news.
      if (!previous && record.CreatedDate === record.SystemModstamp) continue;
      updates.push(caseUpdate(record, ctx, now));
    }
  }

  const covered =
    window.latestDateCovered !== undefined && !Number.isNaN(Date.parse(window.latestDateCovered))
      ? Date.parse(window.latestDateCovered)
      : floorMinute(end);
  cursor.start = new Date(Math.min(covered, floorMinute(end))).toISOString();
  const entries = Object.entries(cursor.last);
  if (entries.length > MAX_LAST) {
    // Each stamp parsed once, not once per comparison: a 100,000-Case poll stays quick.
    const newest = entries.map((e) => [Date.parse(e[1][1]) || 0, e] as const).sort((a, b) => b[0] - a[0]);
    cursor.last = Object.fromEntries(newest.slice(0, MAX_LAST).map(([, e]) => e));
  }
  return { updates, cursor: encodeCursor(cursor) };
}
