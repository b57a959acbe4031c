import type { FastifyInstance } from 'fastify';
import type { RunningStack, TransactionSummary } from '@lgx/runtime';
import { CHANNELS, schemaRegistry } from '@lgx/core';
import { queryParam } from '../console-http';
import type { ConsolePages } from '../console-pages';
import { recordPersonalRead } from '../personal-data';
import { checkFilters, STATES, type CheckedFilters } from '../transaction-filters';

const PAGE_SIZE = 25;

interface Page {
  items: TransactionSummary[];
  /** The cursor of the next page, when there may be one. */
  next?: string;
}

const cursorOf = (s: TransactionSummary) => `${s.transaction.createdAt}_${s.transaction.id}`;

/**
 * One page of the council's transactions, newest first: every filter runs in the store's SQL with
 * an index in the page's order, and the page after it starts where this one ended (keyset paging),
 * so a page costs the same however many transactions the council has.
 */
async function readPage(stack: RunningStack, query: CheckedFilters['query']): Promise<Page> {
  const rows = await stack.list({ personalData: true, ...query, limit: PAGE_SIZE + 1 });
  const items = rows.slice(0, PAGE_SIZE);
  return { items, ...(rows.length > PAGE_SIZE ? { next: cursorOf(items[items.length - 1]!) } : {}) };
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
    const page: Page = filters.errors.length ? { items: [] } : await readPage(user.stack, filters.query);
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
        firstPage: !filters.values.before,
      },
      filters.errors.length ? 400 : 200,
    );
  });

  app.get<{ Params: { id: string } }>('/transactions/:id', async (request, reply) => {
    const user = await pages.signedIn(request, reply);
    if (!user) return reply;
    // Read masked unless the key may see personal data: the read model masks as every reader does.
    const view = request.params.id.length <= 100 ? await user.stack.get(request.params.id, { personalData: user.personalData }) : undefined;
    // Another council's transaction is not found, as on the REST API: ids cannot be probed.
    if (!view || view.transaction.council !== user.key.council)
      return pages.send(reply, user, 'not-found.njk', { title: 'Page not found', what: 'transaction' }, 404);
    const done = DONE_MESSAGES[queryParam(request, 'done')];
    await recordPersonalRead(user, [view.transaction.id]);
    return pages.send(reply, user, 'transaction.njk', {
      title: `Transaction ${view.transaction.id}`,
      nav: 'transactions',
      view,
      done,
      envelope: view.transaction.envelope,
      errorsByClass: errorsByClass(view.deliveries),
      statusUpdates: view.statusUpdates,
    });
  });
}
