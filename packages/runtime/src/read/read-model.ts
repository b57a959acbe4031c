import { LgxValidationError } from '@lgx/core';
import { verifyAuditChain } from '../store/audit-chain';
import { createDeadLetters, type DeadLetters } from '../engine/dead-letters';
import type { AttemptRecord, Store, StoredDelivery, StoredStatusUpdate, StoredTransaction } from '../store/store-types';
import type { StackReader, StatusUpdateView, TransactionSummary, TransactionView } from './read-types';
import { deliveryView, stateOf } from './transaction-state';
import { computeReport, type UnitCosts } from './report';
import { personalDataView, type PersonalDataOpener } from './personal-data-view';

/** The largest page `list` and `listStatusUpdates` read. */
const MAX_READ_PAGE = 10_000;

/** Counts the overview reads stop at (see `StackReader.targetActivity`). */
const ACTIVITY_CAP = 10_000;
const HOUR_MS = 3_600_000;

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
  /** Opens sealed personal data for reads that ask for it (without one, sealed values stay masked). */
  opener?: PersonalDataOpener;
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_READ_PAGE) {
    throw new LgxValidationError([{ path: '/limit', rule: 'maximum', message: `must be a whole number from 1 to ${MAX_READ_PAGE}` }], {
      subject: 'page',
    });
  }
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
  const shown = personalDataView(options.opener);
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

  async function summaries(transactions: readonly StoredTransaction[], personal: boolean | undefined): Promise<TransactionSummary[]> {
    const ids = transactions.map((t) => t.id);
    const [deliveries, latest] = await Promise.all([store.listDeliveryStatesOf(ids), store.latestStatusUpdatesOf(ids)]);
    const byTransaction = groupBy(deliveries, (d) => d.transactionId);
    const latestOf = new Map(latest.map((u) => [u.transactionId!, u]));
    return Promise.all(
      transactions.map((transaction) => {
        const latestStatus = latestOf.get(transaction.id);
        const state = stateOf(byTransaction.get(transaction.id) ?? []);
        return shown.summary({ transaction, state, ...(latestStatus ? { latestStatus } : {}) }, personal);
      }),
    );
  }

  return {
    async get(id, readOptions = {}) {
      const stored = await store.getTransaction(id);
      if (!stored) return undefined;
      const [deliveries, statusUpdates] = await Promise.all([store.listDeliveries(id), store.listStatusUpdates(id)]);
      const attempts = groupBy(await store.listAttemptsOf(deliveries.map((d) => d.id)), (a) => a.deliveryId);
      const withAttempts: Array<StoredDelivery & { attemptLog: AttemptRecord[] }> = deliveries.map((d) =>
        deliveryView({ ...d, attemptLog: (attempts.get(d.id) ?? []).map((a) => a.attempt) }),
      );
      const latestStatus = statusUpdates[statusUpdates.length - 1];
      const view: TransactionView = {
        transaction: stored,
        state: stateOf(withAttempts),
        deliveries: withAttempts,
        statusUpdates,
        ...(latestStatus ? { latestStatus } : {}),
      };
      return shown.view(view, readOptions.personalData);
    },

    async list(query) {
      const council = councilOf(query.council, 'list');
      checkLimit(query.limit);
      // Every filter runs in the store's SQL, each with an index in the page's order (keyset paging).
      const transactions = await store.listTransactions({
        council,
        limit: query.limit,
        ...(query.ids ? { ids: [...query.ids] } : {}),
        ...(query.types ? { types: [...query.types] } : {}),
        ...(query.channel !== undefined ? { channel: query.channel } : {}),
        ...(query.state !== undefined ? { state: query.state } : {}),
        ...(query.from ? { from: query.from } : {}),
        ...(query.to ? { to: query.to } : {}),
        ...(query.before ? { before: query.before } : {}),
      });
      return summaries(transactions, query.personalData);
    },

    async targetActivity(targets, activityOptions = {}) {
      const now = activityOptions.now ?? new Date();
      return store.targetActivity({
        council: councilOf(undefined, 'targetActivity'),
        targets,
        since: new Date(now.getTime() - HOUR_MS),
        cap: activityOptions.cap ?? ACTIVITY_CAP,
      });
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
      const transactions = new Map((await store.getTransactions([...new Set(linked.map((u) => u.transactionId))])).map((t) => [t.id, t]));
      const views: StatusUpdateView[] = [];
      for (const u of linked) {
        const transactionType = transactions.get(u.transactionId)?.type;
        if (transactionType === undefined || (query.types && !query.types.includes(transactionType))) continue;
        views.push({ ...u, transactionType });
      }
      return shown.statusUpdates(views, transactions, query.personalData);
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

    inFlight() {
      return store.inFlight(new Date());
    },

    rebuildRollups(rebuildOptions = {}) {
      return store.rebuildRollups({ actor: rebuildOptions.actor ?? 'system', now: new Date() });
    },
  };
}
