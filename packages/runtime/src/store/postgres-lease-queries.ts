/**
 * The PostgreSQL store's leasing queries, for the schema `s` (quoted). Each reads a partial index:
 * deliveries_ready from a target's end, or deliveries_leased, which holds only leased rows (as many as
 * the workers' concurrency), so its cost does not depend on the queue's length; a test checks their
 * plans on a full, analysed table. SKIP LOCKED: rows another leaser is taking are passed
 * over, never waited on; a row whose lease a concurrent leaser committed meanwhile is checked again
 * against the WHERE clause on its new version and left out.
 */
export function postgresLeaseQueries(s: string) {
  return {
    /** A target's rows whose lease ran out (their holder died or stalled mid-attempt), in due order: $1 target, $2 now, $3 limit. */
    expired: `SELECT d.*, t.envelope AS envelope FROM ${s}.deliveries d JOIN ${s}.transactions t ON t.id = d.transaction_id
      WHERE d.state = 'pending' AND d.lease_owner IS NOT NULL AND d.target = $1 AND d.lease_expires_at <= $2 AND t.envelope IS NOT NULL
      ORDER BY d.next_attempt_at, d.created_at, d.id LIMIT $3 FOR UPDATE OF d SKIP LOCKED`,
    /** A target's unleased rows that are due, in due order: $1 target, $2 now, $3 limit. */
    ready: `SELECT d.*, t.envelope AS envelope FROM ${s}.deliveries d JOIN ${s}.transactions t ON t.id = d.transaction_id
      WHERE d.state = 'pending' AND d.lease_owner IS NULL AND d.target = $1 AND d.next_attempt_at <= $2 AND t.envelope IS NOT NULL
      ORDER BY d.next_attempt_at, d.created_at, d.id LIMIT $3 FOR UPDATE OF d SKIP LOCKED`,
    /**
     * Whether a target has an unleased delivery due, or one whose lease ran out: $1 target, $2 now. Each
     * probe is ordered by its index: as a bare EXISTS the planner may pick a sequential scan for a
     * target with many rows, which reads the whole queue when none of them is due.
     */
    waiting: `SELECT (SELECT 1 FROM ${s}.deliveries WHERE state = 'pending' AND lease_owner IS NULL AND target = $1 AND next_attempt_at <= $2 ORDER BY next_attempt_at LIMIT 1) IS NOT NULL
      OR (SELECT 1 FROM ${s}.deliveries WHERE state = 'pending' AND lease_owner IS NOT NULL AND target = $1 AND lease_expires_at <= $2 ORDER BY lease_expires_at LIMIT 1) IS NOT NULL AS waiting`,
    /** How many live leases a target holds: $1 target, $2 now. */
    live: `SELECT COUNT(*) AS n FROM ${s}.deliveries WHERE state = 'pending' AND lease_owner IS NOT NULL AND target = $1 AND lease_expires_at > $2`,
    /** How many live leases each of several targets holds, those with none left out: $1 targets, $2 now. */
    liveOf: `SELECT target, COUNT(*) AS n FROM ${s}.deliveries WHERE state = 'pending' AND lease_owner IS NOT NULL AND target = ANY($1::text[]) AND lease_expires_at > $2 GROUP BY target`,
    /** Moves the expiry of an owner's live leases (renewal, or ending them now): $1 new expiry, $2 owner, $3 now. */
    expireOwner: `UPDATE ${s}.deliveries SET lease_expires_at = $1 WHERE state = 'pending' AND lease_owner = $2 AND lease_expires_at > $3`,
  };
}
