import type { FastifyInstance } from 'fastify';
import type { RunningStack, TransactionSummary } from '@lgx/runtime';
import { CHANNELS, schemaRegistry } from '@lgx/core';
import { queryParam } from '../console-http';
import type { ConsolePages } from '../console-pages';
import { recordPersonalRead, shownView } from '../personal-data';
import { checkFilters, STATES, type CheckedFilters } from '../transaction-filters';

const PAGE_SIZE = 25;
/** Rows read from the store per batch when filtering on channel or state (which the store does not index). */
const SCAN_BATCH = 250;
/** The most rows one page request reads: a sparse filter shows a shorter page with a link to go on. */
const SCAN_LIMIT = 5_000;

interface Page {
  items: TransactionSummary[];
  /** The cursor of the next page, when there may be one. */
  next?: string;
  scanned: number;
}

const cursorOf = (s: TransactionSummary) => `${s.transaction.createdAt}_${s.transaction.id}`;

/**
 * One page of the council's transactions, newest first. Type, dates and reference are the store's own
 * filters; channel and state are applied to what it reads, in batches, up to SCAN_LIMIT rows a page.
 */
async function readPage(stack: RunningStack, query: CheckedFilters['query']): Promise<Page> {
  const { channel, state, ...stored } = query;
  if (!channel && !state) {
    const rows = await stack.list({ ...stored, limit: PAGE_SIZE + 1 });
    const items = rows.slice(0, PAGE_SIZE);
    return { items, scanned: rows.length, ...(rows.length > PAGE_SIZE ? { next: cursorOf(items[items.length - 1]!) } : {}) };
  }
  const items: TransactionSummary[] = [];
  let before = stored.before;
  let scanned = 0;
  while (scanned < SCAN_LIMIT) {
    const rows = await stack.list({ ...stored, ...(before ? { before } : {}), limit: SCAN_BATCH });
    for (const row of rows) {
      scanned++;
      if (channel && row.transaction.envelope?.channel !== channel) continue;
      if (state && row.state !== state) continue;
      items.push(row);
      if (items.length === PAGE_SIZE) return { items, scanned, next: cursorOf(row) };
    }
    if (rows.length < SCAN_BATCH) return { items, scanned };
    const last = rows[rows.length - 1]!.transaction;
    before = { createdAt: last.createdAt, id: last.id };
  }
  return { items, scanned, ...(before ? { next: `${before.createdAt}_${before.id}` } : {}) };
}

/** Failed attempts by error class, over every delivery of a transaction. */
function errorsByClass(
  deliveries: ReadonlyArray<{ attemptLog: ReadonlyArray<{ outcome: string; classification?: string }> }>,
): Array<{ classification: string; count: number }> {
  const counts = new Map<string, number>();
  for (const d of deliveries)
    for (const a of d.attemptLog)
      if (a.outcome !== 'delivered') counts.set(a.classification ?? 'unknown', (counts.get(a.classification ?? 'unknown') ?? 0) + 1);
  return [...counts].map(([classification, count]) => ({ classification, count })).sort((a, b) => b.count - a.count);
}

const DONE_MESSAGES: Record<string, string> = {
  replayed: 'The dead letter was sent to the queue again. It is delivered when its back office takes it.',
  discarded: 'The dead letter was discarded. The audit trail records who did it and why.',
};

export function transactionsPage(app: FastifyInstance, pages: ConsolePages): void {
  app.get('/transactions', async (request, reply) => {
    const user = await pages.signedIn(request, reply);
    if (!user) return reply;
    const filters = checkFilters((name) => queryParam(request, name));
    const page = filters.errors.length ? { items: [], scanned: 0 } : await readPage(user.stack, filters.query);
    const nextParams = page.next
      ? new URLSearchParams({ ...Object.fromEntries(Object.entries(filters.values).filter(([, v]) => v)), before: page.next }).toString()
      : undefined;
    const transactionTypes = new Set(schemaRegistry().types('transaction'));
    const types = [
      ...new Set(
        user.stack.definition.routes.flatMap((r) =>
          r.match.type !== undefined && transactionTypes.has(r.match.type) ? [r.match.type] : [],
        ),
      ),
    ].sort();
    return pages.send(
      reply,
      user,
      'transactions.njk',
      {
        title: 'Transactions',
        nav: 'transactions',
        filters: filters.values,
        errors: filters.errors,
        types,
        channels: CHANNELS,
        states: STATES,
        items: page.items.map((s) => ({
          id: s.transaction.id,
          type: s.transaction.type,
          channel: s.transaction.envelope?.channel,
          state: s.state,
          createdAt: s.transaction.createdAt,
          status: s.latestStatus?.update.status,
          purged: s.transaction.purgedAt !== undefined,
        })),
        nextParams,
        scanned: page.scanned,
        filtered: Boolean(filters.query.channel ?? filters.query.state),
        firstPage: !filters.values.before,
      },
      filters.errors.length ? 400 : 200,
    );
  });

  app.get<{ Params: { id: string } }>('/transactions/:id', async (request, reply) => {
    const user = await pages.signedIn(request, reply);
    if (!user) return reply;
    const view = request.params.id.length <= 100 ? await user.stack.get(request.params.id) : undefined;
    // Another council's transaction is not found, as on the REST API: ids cannot be probed.
    if (!view || view.transaction.council !== user.key.council)
      return pages.send(reply, user, 'not-found.njk', { title: 'Page not found', what: 'transaction' }, 404);
    const done = DONE_MESSAGES[queryParam(request, 'done')];
    const shown = shownView(view, user.personalData);
    await recordPersonalRead(user, [view.transaction.id]);
    return pages.send(reply, user, 'transaction.njk', {
      title: `Transaction ${view.transaction.id}`,
      nav: 'transactions',
      view: shown,
      done,
      envelope: shown.transaction.envelope,
      errorsByClass: errorsByClass(view.deliveries),
      statusUpdates: shown.statusUpdates,
    });
  });
}
