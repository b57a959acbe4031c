import { LgxValidationError } from '@lgx/core';
import { verifyAuditChain } from '../store/audit-chain';
import { createDeadLetters, type DeadLetters } from '../engine/dead-letters';
import type { AttemptRecord, Store, StoredDelivery, StoredStatusUpdate, StoredTransaction } from '../store/store-types';
import type { StackReader, StatusUpdateView, TransactionListQuery, TransactionSummary, TransactionView } from './read-types';
import { deliveryView, stateOf } from './transaction-state';
import { computeReport, type UnitCosts } from './report';

/** The largest page `list` and `listStatusUpdates` read. */
const MAX_READ_PAGE = 10_000;

/** The name of the cursor row the health probe reads (it need not exist). */
const PROBE_CURSOR = 'lgx:health';

export interface ReadModelOptions {
  store: Store;
  /** The council whose pages, dead letters and audit chain are read when a call names none. */
  council?: string;
  /** Called after a dead letter was replayed (a running worker can pick it up at once). */
  onReplay?: () => void;
  /** Unit costs for the reports' cost measures (none: they stay null). */
  unitCosts?: UnitCosts;
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_READ_PAGE) {
    throw new LgxValidationError([{ path: '/limit', rule: 'maximum', message: `must be a whole number from 1 to ${MAX_READ_PAGE}` }], {
      subject: 'page',
    });
  }
}

/** Newest first, by creation time then id: the order `listTransactions` pages in. */
function newestFirst(a: StoredTransaction, b: StoredTransaction): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Whether a transaction found by id falls within the rest of the query (as the store's page query would). */
function within(t: StoredTransaction, council: string, query: TransactionListQuery): boolean {
  if (t.council !== council) return false;
  if (query.types && !query.types.includes(t.type)) return false;
  const created = Date.parse(t.createdAt);
  if (query.from && created < query.from.getTime()) return false;
  if (query.to && created >= query.to.getTime()) return false;
  if (query.before && newestFirst(t, { ...t, createdAt: query.before.createdAt, id: query.before.id }) <= 0) return false;
  return true;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * The read side of a stack's store: transaction views assembled in one place, each page read with one
 * query per table (the page's transactions, then their deliveries' states and newest status updates
 * by id list), never one per item.
 */
export function createReadModel(options: ReadModelOptions): StackReader {
  const { store } = options;
  const councilOf = (named: string | undefined, what: string): string => {
    const council = named ?? options.council;
    if (council === undefined) throw new TypeError(`${what} needs a council: name one, or open the read model for one`);
    return council;
  };
  // Without a council there is no queue to work: each call says so (a plain property, so the reader spreads).
  const noCouncil = async (): Promise<never> => {
    throw new TypeError('the dead-letter queue needs a council: open the read model for one');
  };
  const dlq: DeadLetters =
    options.council !== undefined
      ? createDeadLetters({ store, council: options.council, ...(options.onReplay ? { onReplay: options.onReplay } : {}) })
      : { list: noCouncil, show: noCouncil, replay: noCouncil, discard: noCouncil };

  async function summaries(transactions: readonly StoredTransaction[]): Promise<TransactionSummary[]> {
    const ids = transactions.map((t) => t.id);
    const [deliveries, latest] = await Promise.all([store.listDeliveryStatesOf(ids), store.latestStatusUpdatesOf(ids)]);
    const byTransaction = groupBy(deliveries, (d) => d.transactionId);
    const latestOf = new Map(latest.map((u) => [u.transactionId!, u]));
    return transactions.map((transaction) => {
      const latestStatus = latestOf.get(transaction.id);
      return { transaction, state: stateOf(byTransaction.get(transaction.id) ?? []), ...(latestStatus ? { latestStatus } : {}) };
    });
  }

  return {
    async get(id) {
      const transaction = await store.getTransaction(id);
      if (!transaction) return undefined;
      const [deliveries, statusUpdates] = await Promise.all([store.listDeliveries(id), store.listStatusUpdates(id)]);
      const attempts = groupBy(await store.listAttemptsOf(deliveries.map((d) => d.id)), (a) => a.deliveryId);
      const withAttempts: Array<StoredDelivery & { attemptLog: AttemptRecord[] }> = deliveries.map((d) =>
        deliveryView({ ...d, attemptLog: (attempts.get(d.id) ?? []).map((a) => a.attempt) }),
      );
      const latestStatus = statusUpdates[statusUpdates.length - 1];
      const view: TransactionView = {
        transaction,
        state: stateOf(withAttempts),
        deliveries: withAttempts,
        statusUpdates,
        ...(latestStatus ? { latestStatus } : {}),
      };
      return view;
    },

    async list(query) {
      const council = councilOf(query.council, 'list');
      checkLimit(query.limit);
      let transactions: StoredTransaction[];
      if (query.ids) {
        const found = await store.getTransactions(query.ids);
        transactions = found
          .filter((t) => within(t, council, query))
          .sort(newestFirst)
          .slice(0, query.limit);
      } else {
        transactions = await store.listTransactions({
          council,
          limit: query.limit,
          ...(query.types ? { types: [...query.types] } : {}),
          ...(query.from ? { from: query.from } : {}),
          ...(query.to ? { to: query.to } : {}),
          ...(query.before ? { before: query.before } : {}),
        });
      }
      return summaries(transactions);
    },

    async listStatusUpdates(query) {
      const council = councilOf(query.council, 'listStatusUpdates');
      checkLimit(query.limit);
      const updates = await store.listCouncilStatusUpdates({
        council,
        limit: query.limit,
        ...(query.from ? { from: query.from } : {}),
        ...(query.to ? { to: query.to } : {}),
        ...(query.afterId !== undefined ? { afterId: query.afterId } : {}),
      });
      const linked = updates.filter((u): u is StoredStatusUpdate & { transactionId: string } => u.transactionId !== undefined);
      const types = new Map((await store.getTransactions([...new Set(linked.map((u) => u.transactionId))])).map((t) => [t.id, t.type]));
      const views: StatusUpdateView[] = [];
      for (const u of linked) {
        const transactionType = types.get(u.transactionId);
        if (transactionType === undefined || (query.types && !query.types.includes(transactionType))) continue;
        views.push({ ...u, transactionType });
      }
      return views;
    },

    dlq,

    listAudit(auditOptions) {
      return store.listAudit(councilOf(undefined, 'listAudit'), auditOptions);
    },

    async recordPersonalDataRead(read) {
      const ids = [...new Set(read.transactionIds)];
      if (ids.length === 0) return;
      await store.appendAudit(
        {
          council: councilOf(read.council, 'recordPersonalDataRead'),
          actor: read.actor,
          action: 'personal-data.read',
          // One transaction's entry is found by its id like any other; a page's lists them all.
          ...(ids.length === 1 ? { transactionId: ids[0]! } : {}),
          details: { via: read.via, transactionIds: ids },
        },
        new Date(),
      );
    },

    async verifyAudit() {
      return verifyAuditChain(await store.listAudit(councilOf(undefined, 'verifyAudit')));
    },

    async pingStore() {
      await store.getCursor(PROBE_CURSOR);
    },

    report(dataset, query) {
      return computeReport(
        { store, council: councilOf(undefined, 'report'), ...(options.unitCosts ? { unitCosts: options.unitCosts } : {}) },
        dataset,
        query,
      );
    },

    deliveryTotals() {
      return store.deliveryTotals(councilOf(undefined, 'deliveryTotals'));
    },

    rebuildRollups(rebuildOptions = {}) {
      return store.rebuildRollups({ actor: rebuildOptions.actor ?? 'system', now: new Date() });
    },
  };
}
