import type { StatusUpdate } from '@lgx/core';

/**
 * What the store is asked for when the runtime refreshes a target's statuses by asking its back office
 * (getStatus), for adapters with no change feed.
 */
export interface StatusRefreshClaimInput {
  target: string;
  now: Date;
  /** Most cases to hand out in this claim. */
  limit: number;
  /** A delivery is first asked about this long after it was delivered. */
  firstAfterMs: number;
  /**
   * How long the claimed cases are kept from other claimers: the caller settles each one before then;
   * one it never settles (its process died) is handed out again after this.
   */
  claimMs: number;
  /** At most `calls` cases handed out per target in each window of `windowMs`, counted in the store for every process. */
  budget: { calls: number; windowMs: number };
  /** Statuses after which a case is not asked about again. */
  finalStatuses: readonly string[];
}

/** One open case to ask the back office about. */
export interface StatusRefreshCase {
  deliveryId: string;
  transactionId: string;
  target: string;
  /** The back office's reference, from the delivery's receipt. */
  externalRef: string;
  /** The wait that led to this check (the first wait for a case never checked). */
  delayMs: number;
  /** The latest status update stored for the transaction from this target, if any. */
  latest?: StatusUpdate;
}

/** What a claim handed out, and what it found needs no more asking. */
export interface StatusRefreshClaim {
  cases: StatusRefreshCase[];
  /** Due cases closed without a call: their latest status is final, or their receipt has no reference. */
  closed: number;
  /** Calls left in the target's current budget window after this claim. */
  budgetLeft: number;
}

/** When a claimed case is next asked about, or `next: undefined` never again. */
export interface StatusRefreshSettlement {
  deliveryId: string;
  next: Date | undefined;
  /** The wait until `next`, the step the next backoff doubles. */
  delayMs: number;
}
