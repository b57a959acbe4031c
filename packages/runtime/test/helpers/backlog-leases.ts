import { verifyAuditChain } from '../../src/store/audit-chain';
import type { QueueDepth, Store } from '../../src/store/store-types';

/**
 * The backlog both stores' query-plan tests build (100,000 deliveries: every tenth for target
 * 'quiet', the rest for 'busy', due one second apart; the first 40 leased to 'worker-a', the first 20
 * of those leases run out) and the first lease of six, with a cap of 30 per target, expected from it:
 * per target, those whose lease ran out first, in due order, as re-sends (one attempt counted); then
 * the oldest due; round-robin across the two targets.
 */
export const FIRST_SIX_LEASES: ReadonlyArray<[target: string, id: string, attempts: number]> = [
  ['busy', 'd-000001', 1],
  ['quiet', 'd-000010', 1],
  ['busy', 'd-000002', 1],
  ['quiet', 'd-000020', 1],
  ['busy', 'd-000003', 1],
  ['quiet', 'd-000050', 0],
];

/** When the backlog's leases were taken, and when the test leases from it. */
export const BACKLOG_AT = '2026-03-02T09:00:00.000Z';
export const LEASE_AT = '2026-03-05T09:00:00.000Z';

/**
 * What a store upgraded from schema version 2 must show, given the rows both upgrade tests write
 * before migrating (transaction 'tx-1' with deliveries d-1 and d-2 pending to 'confirm', d-1 after one
 * failed attempt, and d-3 delivered to 'echo'): the queue depth counted, the old attempt kept, and
 * a lost lease recorded as an attempt with an unknown outcome after it.
 */
export async function expectUpgraded(store: Store): Promise<void> {
  expect(await store.queueDepth()).toEqual({ total: 2, byTarget: { confirm: 2 } });
  expect((await store.listAttempts('d-1')).map((a) => [a.attempt, a.outcome, a.classification])).toEqual([[1, 'failed', 'retryable']]);
  const [lost] = await store.leaseDeliveries({
    owner: 'w1',
    limit: 1,
    leaseMs: 1000,
    now: new Date('2026-03-02T09:00:01.000Z'),
    targets: ['confirm'],
  });
  const [again] = await store.leaseDeliveries({
    owner: 'w2',
    limit: 1,
    leaseMs: 1000,
    now: new Date('2026-03-02T09:00:03.000Z'),
    targets: ['confirm'],
  });
  expect([lost?.id, again?.id, again?.attempts]).toEqual(['d-1', 'd-1', 2]);
  expect((await store.listAttempts('d-1')).map((a) => [a.attempt, a.outcome])).toEqual([
    [1, 'failed'],
    [2, 'unknown'],
  ]);
  expect(verifyAuditChain(await store.listAudit('E07000223'))).toEqual({ ok: true });
}

/** The first lease from the backlog, and the queue depth before it, as FIRST_SIX_LEASES says. */
export async function expectFirstLeases(store: Store, depth: QueueDepth): Promise<void> {
  expect(await store.queueDepth()).toEqual(depth);
  const leased = await store.leaseDeliveries({
    owner: 'worker-b',
    limit: 6,
    leaseMs: 60_000,
    now: new Date(LEASE_AT),
    targets: ['busy', 'quiet'],
    perTarget: 30,
  });
  expect(leased.map((d) => [d.target, d.id, d.attempts])).toEqual(FIRST_SIX_LEASES);
}
