import type {
  AttemptRecord,
  AuditEntry,
  DeliveryTotals,
  TargetActivity,
  StoredDelivery,
  StoredStatusUpdate,
  StoredTransaction,
} from '../store/store-types';
import type { AuditChainVerdict } from '../store/audit-chain';
import type { DeadLetters } from '../engine/dead-letters';
import type { TransactionState } from './transaction-state';
import type { ReportAnswer, ReportDataset, ReportQuery } from './report-types';
import type { PersonalDataOption } from './personal-data-view';

/** One transaction as a page of `list` shows it: what it is, where it stands, its newest status. */
export interface TransactionSummary {
  transaction: StoredTransaction;
  /** Where it stands, from its deliveries (shadow deliveries never count). */
  state: TransactionState;
  /** The newest status update, once one came. */
  latestStatus?: StoredStatusUpdate;
}

/** One transaction in full, as `get` shows it: every delivery with its attempts, and the status history. */
export interface TransactionView extends TransactionSummary {
  /** In route order; each one's `lastError` only while it stands. */
  deliveries: Array<StoredDelivery & { attemptLog: AttemptRecord[] }>;
  /** Oldest first. */
  statusUpdates: StoredStatusUpdate[];
}

/** Which of a council's transactions to list, and which page. */
export interface TransactionListQuery extends PersonalDataOption {
  /** Default: the stack's (or the read model's) council. */
  council?: string;
  /** Only these transactions (unknown ids and other councils' are left out). */
  ids?: readonly string[];
  /** Only these types. */
  types?: readonly string[];
  /** Only transactions sent through this channel. */
  channel?: string;
  /** Only transactions in this state. */
  state?: TransactionState;
  /** Created at or after. */
  from?: Date;
  /** Created before. */
  to?: Date;
  /** Strictly older than this (the last item of the previous page). */
  before?: { createdAt: string; id: string };
  /** Page size, from 1 to 10,000. */
  limit: number;
}

/** A read that showed personal data, as the audit chain records it. */
export interface PersonalDataRead {
  /** Whose chain (default: the reader's council). */
  council?: string;
  /** Who was shown it: `key:<id>` for an API key, the operator's id for the CLI. */
  actor: string;
  /** Through what: 'api', 'open311', 'console', 'cli'. */
  via: string;
  /** The transactions whose personal data was shown. */
  transactionIds: readonly string[];
}

/** A status update about a council's transaction, with the transaction's type. */
export interface StatusUpdateView extends StoredStatusUpdate {
  transactionId: string;
  transactionType: string;
}

/** Which status updates of a council's transactions to list: oldest first. */
export interface StatusUpdateQuery extends PersonalDataOption {
  /** Default: the stack's (or the read model's) council. */
  council?: string;
  /** Only updates about transactions of these types. */
  types?: readonly string[];
  /** Received at or after. */
  from?: Date;
  /** Received at or before. */
  to?: Date;
  /** With an id above this one. */
  afterId?: number;
  /** The most updates read, from 1 to 10,000; a `types` filter applies to what was read. */
  limit: number;
}

/**
 * What can be read of a stack's store, and its dead-letter queue: the same for a running stack and
 * for a read model opened on a store alone (no adapter loaded, no secret needed). Every page is read
 * with a fixed number of queries, however many items it holds.
 */
export interface StackReader {
  /**
   * A transaction in full, or undefined. Any council's: callers serving one council check
   * `transaction.council`. Personal data (in the envelope and the status updates) is masked unless
   * `personalData: true`, which opens what the store holds sealed.
   */
  get(id: string, options?: PersonalDataOption): Promise<TransactionView | undefined>;
  /** A page of a council's transactions, newest first (by creation time, then id). */
  list(query: TransactionListQuery): Promise<TransactionSummary[]>;
  /** Status updates about a council's transactions (updates matched to none are left out). */
  listStatusUpdates(query: StatusUpdateQuery): Promise<StatusUpdateView[]>;
  /** The dead-letter queue: every change is an audited action with its actor and reason. */
  readonly dlq: DeadLetters;
  /** The council's audit trail in chain order, or one transaction's part of it. */
  listAudit(options?: { transactionId?: string; afterSeq?: number; limit?: number }): Promise<AuditEntry[]>;
  /**
   * Records in the council's audit chain that `actor` was shown the personal data of these
   * transactions (one entry for a whole page, action 'personal-data.read', the ids in its details).
   * Nothing is written for an empty list.
   */
  recordPersonalDataRead(read: PersonalDataRead): Promise<void>;
  /** Whether the council's audit chain is whole: every entry's hash and link checked. */
  verifyAudit(): Promise<AuditChainVerdict>;
  /** Resolves once the store answers a read (rejects with its error): a health probe. */
  pingStore(): Promise<void>;
  /**
   * A transactions report for the council from the reporting rollups (which outlive retention):
   * `transactions-by-channel` or `service-kpis`, in Backdrop's read shape, every period of the range
   * present. Throws LGX_ERR_REPORT_QUERY naming the field and rule on a bad query.
   */
  report(dataset: ReportDataset, query: ReportQuery): Promise<ReportAnswer>;
  /**
   * Recomputes every council's rollups from the stored transactions (their report columns outlive the
   * payload), audited as 'report.rebuilt' by `actor` (default 'system'). Resolves how many
   * transactions it read.
   */
  rebuildRollups(options?: { actor?: string }): Promise<{ transactions: number }>;
  /**
   * The council's deliveries per back office from the rollups: delivered since the rollups began,
   * dead letters and queued now. Read from the store, so every process's work counts (metrics).
   */
  deliveryTotals(): Promise<DeliveryTotals>;
  /** Deliveries in flight now per back office, leased by a worker of any process (metrics). */
  inFlight(): Promise<Record<string, number>>;
  /**
   * The council's back offices now, from the store (every process's work counts): per target, when
   * its oldest queued delivery was accepted, how many queued deliveries failed an attempt and wait
   * to be tried again, its dead letters, and how many were delivered in the hour before `now`. Counts stop at `cap`
   * (default 10,000); each is one read of a partial index, whatever the table holds.
   */
  targetActivity(targets: readonly string[], options?: { now?: Date; cap?: number }): Promise<TargetActivity>;
}
