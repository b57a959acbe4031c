/**
 * The SQLite store's leasing queries. Each reads a partial index: deliveries_ready from a target's
 * end, or deliveries_leased, which holds only leased rows (as many as the workers' concurrency), so
 * its cost does not depend on the queue's length; a test checks their query plans on a full table.
 */
export const SQLITE_LEASE_QUERIES = {
  /** A target's rows whose lease ran out (their holder died or stalled mid-attempt), in due order: target, now, limit. */
  expired: `SELECT d.*, t.envelope AS envelope FROM deliveries d JOIN transactions t ON t.id = d.transaction_id
    WHERE d.state = 'pending' AND d.lease_owner IS NOT NULL AND d.target = ? AND d.lease_expires_at <= ? AND t.envelope IS NOT NULL
    ORDER BY d.next_attempt_at, d.created_at, d.id LIMIT ?`,
  /** A target's unleased rows that are due, in due order: target, now, limit. */
  ready: `SELECT d.*, t.envelope AS envelope FROM deliveries d JOIN transactions t ON t.id = d.transaction_id
    WHERE d.state = 'pending' AND d.lease_owner IS NULL AND d.target = ? AND d.next_attempt_at <= ? AND t.envelope IS NOT NULL
    ORDER BY d.next_attempt_at, d.created_at, d.id LIMIT ?`,
  /**
   * Whether a target has an unleased delivery due: target, now. The ORDER BY is the index's own: without
   * it the planner may judge, from statistics, a scan cheaper for LIMIT 1, and that scan reads the whole
   * queue when nothing of the target is due.
   */
  readyWaiting:
    "SELECT 1 FROM deliveries WHERE state = 'pending' AND lease_owner IS NULL AND target = ? AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT 1",
  /** Whether a target has a delivery whose lease ran out: target, now (ordered by the index, as above). */
  expiredWaiting:
    "SELECT 1 FROM deliveries WHERE state = 'pending' AND lease_owner IS NOT NULL AND target = ? AND lease_expires_at <= ? ORDER BY lease_expires_at LIMIT 1",
  /** How many live leases a target holds: target, now. */
  live: "SELECT COUNT(*) AS n FROM deliveries WHERE state = 'pending' AND lease_owner IS NOT NULL AND target = ? AND lease_expires_at > ?",
  /** Moves the expiry of an owner's live leases (renewal, or ending them now): new expiry, owner, now. */
  expireOwner: "UPDATE deliveries SET lease_expires_at = ? WHERE state = 'pending' AND lease_owner = ? AND lease_expires_at > ?",
} as const;
