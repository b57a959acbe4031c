import { classifyError, type CaseStatus, type Logger, type StatusUpdate } from '@lgx/core';
import { canonicalStatus, vendorStatusCode } from './case-status';
import type { DataverseApi, DataverseRow } from './dataverse-api';
import { transactionIdOf } from './row-key';

/**
 * The pollUpdates cursor. `tracking`: change tracking, reading from `link` (a delta link, or the next
 * page of a read in progress; none starts a first read). `modified`: `modifiedon` queries from
 * `since`, for tables without change tracking. `last` remembers the status last seen per case, so a
 * change to another column is not reported as a status change and a status is never reported twice.
 */
export interface FeedCursor {
  v: 1;
  mode: 'tracking' | 'modified';
  link?: string;
  /** The link is a page of a first read: its rows are only news when modified since `since`. */
  initial?: boolean;
  /** ISO instant: a case not seen before but modified since then is reported. */
  since: string;
  /** case id -> [statecode/statuscode, modifiedon], the newest MAX_LAST. */
  last: Record<string, [string, string]>;
}

export const MAX_LAST = 5000;
/** Pages read per poll; the rest of a long read comes next poll. */
export const MAX_PAGES = 20;
/** Allowance for the adapter's clock running ahead of Dataverse's. */
const SKEW_MS = 2 * 60_000;

export interface FeedContext {
  api: DataverseApi;
  entitySet: string;
  primaryKey: string;
  keyColumn: string;
  statusMap: Readonly<Record<string, CaseStatus>>;
  /** Absolute Web API root: every link followed must start with it (the token goes nowhere else). */
  apiRoot: string;
  pageSize: number;
  changeTracking: boolean;
  logger: Logger;
  now: () => Date;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function encodeCursor(cursor: FeedCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** A cursor this adapter wrote, or undefined (never echoing what it was given). */
export function decodeCursor(text: string, apiRoot: string): FeedCursor | undefined {
  if (text.length > 2_000_000 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  let c: Partial<FeedCursor> | null;
  try {
    c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<FeedCursor>;
  } catch {
    return undefined;
  }
  if (
    typeof c !== 'object' ||
    c === null ||
    c.v !== 1 ||
    (c.mode !== 'tracking' && c.mode !== 'modified') ||
    typeof c.since !== 'string' ||
    Number.isNaN(Date.parse(c.since))
  )
    return undefined;
  if (c.link !== undefined && (typeof c.link !== 'string' || !c.link.startsWith(apiRoot))) return undefined;
  const last = Object.create(null) as FeedCursor['last'];
  for (const [id, value] of Object.entries(typeof c.last === 'object' && c.last !== null ? c.last : {})) {
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string')
      last[id] = [value[0], value[1]];
  }
  return {
    v: 1,
    mode: c.mode,
    ...(c.link !== undefined ? { link: c.link } : {}),
    ...(c.initial ? { initial: true } : {}),
    since: c.since,
    last,
  };
}

/** The canonical update for a case row; the same row state always gives the same updateId. */
export function rowUpdate(
  row: DataverseRow,
  ctx: Pick<FeedContext, 'primaryKey' | 'keyColumn' | 'statusMap'>,
  fallbackAt: Date,
): StatusUpdate {
  const modified =
    typeof row.modifiedon === 'string' && !Number.isNaN(Date.parse(row.modifiedon))
      ? iso(Date.parse(row.modifiedon))
      : fallbackAt.toISOString();
  const transactionId = transactionIdOf(row[ctx.keyColumn]);
  return {
    externalRef: String(row[ctx.primaryKey]),
    ...(transactionId ? { transactionId } : {}),
    status: canonicalStatus(row.statecode, row.statuscode, ctx.statusMap),
    externalStatusCode: vendorStatusCode(row.statecode, row.statuscode),
    updatedAt: modified,
    updateId: `${String(row.statecode)}/${String(row.statuscode)}@${modified}`,
    source: 'dataverse',
  };
}

type Source = 'initial' | 'delta' | 'modified';

/** Reads what changed since the cursor: the updates to report and the cursor to keep. */
export async function pollFeed(
  ctx: FeedContext,
  cursorText: string | undefined,
  signal: AbortSignal,
): Promise<{ updates: StatusUpdate[]; cursor: string }> {
  const started = ctx.now();
  let cursor = cursorText ? decodeCursor(cursorText, ctx.apiRoot) : undefined;
  if (cursorText && !cursor) ctx.logger.warn('unreadable pollUpdates cursor: starting a new read');
  cursor ??= {
    v: 1,
    mode: ctx.changeTracking ? 'tracking' : 'modified',
    since: iso(started.getTime() - SKEW_MS),
    last: Object.create(null) as FeedCursor['last'],
  };
  const updates: StatusUpdate[] = [];
  const select = [ctx.primaryKey, 'statecode', 'statuscode', 'createdon', 'modifiedon', ctx.keyColumn].join(',');
  const sinceMs = Date.parse(cursor.since);

  const consider = (row: DataverseRow, source: Source) => {
    if (typeof row['@odata.context'] === 'string' && row['@odata.context'].includes('$deletedEntity')) {
      // A deleted row carries only its id: report it only for a case this cursor has seen.
      const id = typeof row.id === 'string' ? row.id : undefined;
      if (id && cursor!.last[id]) {
        updates.push({
          externalRef: id,
          status: 'cancelled',
          externalStatusCode: 'deleted',
          updatedAt: started.toISOString(),
          updateId: `deleted@${started.toISOString()}`,
          source: 'dataverse',
        });
        delete cursor!.last[id];
      }
      return;
    }
    const id = row[ctx.primaryKey];
    const key = row[ctx.keyColumn];
    if (typeof id !== 'string' || typeof key !== 'string' || key === '') return; // not a case LGX sent
    const statusKey = `${String(row.statecode)}/${String(row.statuscode)}`;
    const modified = typeof row.modifiedon === 'string' ? row.modifiedon : started.toISOString();
    const previous = cursor!.last[id];
    cursor!.last[id] = [statusKey, modified];
    if (previous?.[0] === statusKey) return;
    if (!previous) {
      if (source !== 'delta' && Date.parse(modified) < sinceMs) return;
      // A case never changed since it was created: its status is the receipt's, not news.
      if (statusKey === '0/1' && row.createdon === row.modifiedon) return;
    }
    updates.push(rowUpdate(row, ctx, started));
  };

  if (cursor.mode === 'modified') await readModified(ctx, cursor, select, consider, signal);
  else await readTracked(ctx, cursor, select, consider, signal, started);

  // Keep the newest entries: the cursor stays small however many cases a council has.
  const entries = Object.entries(cursor.last);
  if (entries.length > MAX_LAST) {
    // ISO instants in the same form sort as text; an ordinal comparison keeps a 100,000-row poll quick.
    entries.sort((a, b) => (a[1][1] < b[1][1] ? 1 : a[1][1] > b[1][1] ? -1 : 0));
    cursor.last = Object.fromEntries(entries.slice(0, MAX_LAST));
  }
  return { updates, cursor: encodeCursor(cursor) };
}

async function readTracked(
  ctx: FeedContext,
  cursor: FeedCursor,
  select: string,
  consider: (row: DataverseRow, source: Source) => void,
  signal: AbortSignal,
  started: Date,
): Promise<void> {
  const prefer = ['odata.track-changes', `odata.maxpagesize=${ctx.pageSize}`];
  for (let page = 0; page < MAX_PAGES; page++) {
    const link = cursor.link;
    const first = link === undefined;
    let result;
    try {
      result = first
        ? await ctx.api.page(ctx.entitySet, { $select: select }, prefer, signal)
        : await ctx.api.page(link, undefined, prefer, signal);
    } catch (error) {
      const kind = classifyError(error);
      if (kind !== 'permanent' && kind !== 'notFound') throw error;
      if (first) {
        ctx.logger.warn('change tracking refused for the case table: polling by modifiedon instead', {
          entitySet: ctx.entitySet,
          code: (error as { vendorCode?: string }).vendorCode,
        });
        cursor.mode = 'modified';
        return readModified(ctx, cursor, select, consider, signal);
      }
      // An expired or refused delta link: read everything again; cases changed since `since` are news.
      ctx.logger.warn('delta link refused (expired?): reading the case table again', { entitySet: ctx.entitySet });
      delete cursor.link;
      cursor.initial = true;
      continue;
    }
    if (first && !result.tracking && result.deltaLink === undefined && result.nextLink === undefined) {
      ctx.logger.warn('change tracking not applied by the server: polling by modifiedon instead', { entitySet: ctx.entitySet });
      cursor.mode = 'modified';
      return readModified(ctx, cursor, select, consider, signal);
    }
    if (first) cursor.initial = true;
    const source: Source = cursor.initial ? 'initial' : 'delta';
    for (const row of result.rows) consider(row, source);
    const next = result.nextLink ?? result.deltaLink;
    if (next !== undefined && !next.startsWith(ctx.apiRoot)) {
      ctx.logger.warn('Dataverse gave a link outside its Web API root: not followed; reading again next poll', {
        entitySet: ctx.entitySet,
      });
      delete cursor.link;
      return;
    }
    if (result.nextLink !== undefined) {
      cursor.link = result.nextLink;
      continue;
    }
    if (result.deltaLink === undefined) throw new Error('unreachable: a tracked read ends with a delta link');
    cursor.link = result.deltaLink;
    delete cursor.initial;
    cursor.since = iso(started.getTime() - SKEW_MS);
    return;
  }
  ctx.logger.info('poll stopped at the page limit; the rest comes next poll', { pages: MAX_PAGES });
}

async function readModified(
  ctx: FeedContext,
  cursor: FeedCursor,
  select: string,
  consider: (row: DataverseRow, source: Source) => void,
  signal: AbortSignal,
): Promise<void> {
  delete cursor.link;
  delete cursor.initial;
  let newest = Date.parse(cursor.since);
  let link: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = link
      ? await ctx.api.page(link, undefined, [`odata.maxpagesize=${ctx.pageSize}`], signal)
      : await ctx.api.page(
          ctx.entitySet,
          { $select: select, $filter: `${ctx.keyColumn} ne null and modifiedon ge ${cursor.since}`, $orderby: 'modifiedon asc' },
          [`odata.maxpagesize=${ctx.pageSize}`],
          signal,
        );
    for (const row of result.rows) {
      consider(row, 'modified');
      const at = typeof row.modifiedon === 'string' ? Date.parse(row.modifiedon) : NaN;
      if (!Number.isNaN(at) && at > newest) newest = at;
    }
    if (result.nextLink === undefined || !result.nextLink.startsWith(ctx.apiRoot)) break;
    link = result.nextLink;
  }
  // Rows at the newest instant are read again next time; `last` keeps them from being reported twice.
  cursor.since = iso(newest);
}
