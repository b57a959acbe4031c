import { createHash } from 'node:crypto';
import type { Logger, StatusUpdate } from '@lgx/core';
import { attributeValue, type AlloyItem } from './alloy-api';
import { countOf, editedBetween } from './aqs';
import type { AlloyClient } from './client';
import type { StatusReader } from './item-status';
import { decodeCursor, encodeCursor, keepSeen, type PollCursor } from './poll-cursor';
import type { TypePlan } from './type-plan';

export interface FeedOptions {
  overlapMs: number;
  pageSize: number;
  maxItems: number;
  itemLog: boolean;
}

/** Halvings of a busy window before the poll reads it whole anyway. */
const MAX_SPLITS = 12;
/** Item logs read at once, so a busy poll stays inside the runtime's poll deadline. */
const LOG_CONCURRENCY = 4;
/** Pages read from one design in one poll however busy it is (open311-adapter stops at about 100 too). */
const MAX_PAGES = 100;

function validIso(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 40 && !Number.isNaN(Date.parse(value))
    ? new Date(Date.parse(value)).toISOString()
    : undefined;
}

async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

/** The identity of an item's current version: its signature (it changes with every edit), else a hash of its attributes. */
export function versionOf(item: AlloyItem): string {
  return typeof item.signature === 'string' && item.signature !== ''
    ? item.signature
    : createHash('sha256')
        .update(JSON.stringify(item.attributes ?? []))
        .digest('base64url')
        .slice(0, 24);
}

/**
 * Reads what changed in Alloy since the cursor: for each configured design, a Count of items whose
 * lastEditDate falls in the window (`aqs/statistics`), then the items, page by page (`aqs/query`). A
 * window holding more than `maxItems` is halved until it fits (the rest is read next poll), so one
 * poll's work stays bounded however much changed (the overlap with the last window is always read,
 * and a second that alone holds more is read whole, up to a hundred pages). Only items carrying an LGX transaction id are
 * reported; an item version already reported in the overlap is not reported again.
 */
export async function readChanges(input: {
  alloy: AlloyClient;
  plans: readonly TypePlan[];
  cursorText: string | undefined;
  now: Date;
  options: FeedOptions;
  reader: StatusReader;
  logger: Logger;
  signal: AbortSignal;
}): Promise<{ updates: StatusUpdate[]; cursor: string }> {
  const { alloy, plans, options, signal } = input;
  const cursor = decodeCursor(input.cursorText, input.now);
  const sinceMs = Date.parse(cursor.since);
  const fromMs = sinceMs - options.overlapMs;
  const from = new Date(fromMs).toISOString();
  // One query per design, even when two types share one.
  const designs = [...new Map(plans.map((p) => [`${p.designCode}\u0000${p.collectionCode}`, p])).values()];

  // LessThan is strict: the window ends just after now, so an edit made this millisecond is in it.
  let endMs = Math.max(input.now.getTime() + 1, sinceMs + 1);
  // What counts against maxItems is the new part of the window (from the last end on; GreaterThan is
  // strict too, hence the millisecond before). The overlap is re-read whole: it is there for edits
  // committed late, and most of what it holds was reported already.
  const newFrom = new Date(sinceMs - 1).toISOString();
  for (let split = 0; ; split++) {
    const to = new Date(endMs).toISOString();
    let total = 0;
    for (const plan of designs)
      total += await alloy.count(countOf(editedBetween(plan.designCode, plan.collectionCode, newFrom, to)), signal);
    if (total <= options.maxItems || split >= MAX_SPLITS || endMs - sinceMs <= 1000) {
      if (total > options.maxItems)
        input.logger.warn('more Alloy items changed in one second than a poll reads; reading them all', { items: total });
      break;
    }
    // Only the new part of the window shrinks: the cursor always moves forward.
    endMs = sinceMs + Math.floor((endMs - sinceMs) / 2);
  }
  const to = new Date(endMs).toISOString();

  const found: Array<{ item: AlloyItem; plan: TypePlan }> = [];
  for (const plan of designs) {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const items = await alloy.query(editedBetween(plan.designCode, plan.collectionCode, from, to), page, options.pageSize, signal);
      for (const item of items) found.push({ item, plan: plans.find((p) => p.designCode === item.designCode) ?? plan });
      if (items.length < options.pageSize) break;
      if (page === MAX_PAGES)
        input.logger.warn('poll stopped at the page limit; the rest of the window is read next poll', {
          design: plan.designCode,
          pages: MAX_PAGES,
        });
    }
  }

  const seen: PollCursor['seen'] = Object.assign(Object.create(null) as PollCursor['seen'], cursor.seen);
  const fresh = found.filter(({ item, plan }) => {
    // Items officers raised in Alloy themselves carry no LGX id: nothing in LGX waits for their news.
    const lgxId = attributeValue(item, plan.transactionIdAttribute);
    return typeof lgxId === 'string' && lgxId !== '' && seen[item.itemId]?.[0] !== versionOf(item);
  });
  const editedAt = await inBatches(
    fresh,
    LOG_CONCURRENCY,
    async ({ item }) => validIso(item.lastEditDate) ?? (options.itemLog ? await lastLogged(alloy, item.itemId, signal) : undefined) ?? to,
  );

  const updates: StatusUpdate[] = fresh.map(({ item, plan }, i) => {
    const read = input.reader.read(item, plan.status);
    const at = editedAt[i]!;
    seen[item.itemId] = [versionOf(item), at];
    const update: StatusUpdate = {
      externalRef: item.itemId,
      updateId: `${item.itemId}:${versionOf(item)}`.slice(0, 128),
      status: read.status,
      updatedAt: at,
      source: 'alloy',
    };
    if (read.externalStatusCode !== undefined) update.externalStatusCode = read.externalStatusCode;
    if (read.note !== undefined) update.description = read.note;
    return update;
  });
  updates.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
  return { updates, cursor: encodeCursor({ v: 1, since: to, seen: keepSeen(seen, endMs - options.overlapMs) }) };
}

/** When the item was last edited, from its log (the newest entry's date). */
export async function lastLogged(alloy: AlloyClient, itemId: string, signal: AbortSignal): Promise<string | undefined> {
  const entries = await alloy.itemLog(itemId, signal);
  let latest: string | undefined;
  for (const entry of entries) {
    const at = validIso(entry?.date);
    if (at !== undefined && (latest === undefined || at > latest)) latest = at;
  }
  return latest;
}
