import { randomUUID } from 'node:crypto';
import { createTransaction, type Envelope, type Receipt } from '@lgx/core';
import { verifyAuditChain } from './audit-chain';
import { canonicalJson, payloadHash } from '../internal/canonical-json';
import type { StatusRefreshClaimInput } from './status-refresh-types';
import type { AttemptRecord, AuditEntry, NewDelivery, Store } from './store-types';

type Fn = () => Promise<void>;
interface JestLike {
  describe: (name: string, fn: () => void) => void;
  it: (name: string, fn: Fn, timeout?: number) => void;
  beforeEach: (fn: Fn, timeout?: number) => void;
  afterEach: (fn: Fn, timeout?: number) => void;
}

const COUNCIL = 'E07000223';
const OTHER_COUNCIL = 'E08000025';
const T0 = new Date('2026-03-02T09:00:00.000Z');

/** Thrown by the suite's own checks, so the suite needs no `expect` and works under any jest-like runner. */
class StoreConformanceFailure extends Error {
  override readonly name = 'StoreConformanceFailure';
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new StoreConformanceFailure(message);
}

function equal<T>(actual: T, expected: T, what: string): void {
  // Canonical JSON: a store may give keys back in another order than they were written.
  const a = canonicalJson(actual);
  const e = canonicalJson(expected);
  check(a === e, `${what}: expected ${e}, got ${a}`);
}

function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

function pothole(council = COUNCIL, idempotencyKey?: string): Envelope {
  return createTransaction(
    'street.report',
    { kind: 'pothole', description: 'Pothole', location: { usrn: '8400709' } },
    idempotencyKey === undefined ? { council, channel: 'web' } : { council, channel: 'web', idempotencyKey },
  );
}

/** A council code no other test uses (tests may share one database). */
function uniqueCouncil(): string {
  return `W06${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
}

/** A target name no other test uses, so tests sharing one database never lease each other's work. */
function uniqueTarget(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

function link(target: string, overrides: Partial<NewDelivery> = {}): NewDelivery {
  return { id: randomUUID(), target, mode: 'one', order: 0, state: 'pending', ...overrides };
}

/** The store's own answer to accepting `envelope` for `deliveries` at `now`, as an API key would. */
function accept(store: Store, envelope: Envelope, deliveries: NewDelivery[], now = T0) {
  return store.insertTransaction({ envelope, deliveries, audit: { actor: 'key-test', action: 'transaction.accepted' }, now });
}

async function insert(
  store: Store,
  deliveries: NewDelivery[],
  options: { envelope?: Envelope; now?: Date } = {},
): Promise<{ id: string; envelope: Envelope; deliveries: NewDelivery[] }> {
  const envelope = options.envelope ?? pothole();
  const result = await accept(store, envelope, deliveries, options.now);
  return { id: result.id, envelope, deliveries };
}

function attempt(n: number, outcome: AttemptRecord['outcome'], when: Date): AttemptRecord {
  const record: AttemptRecord = { attempt: n, startedAt: when.toISOString(), finishedAt: when.toISOString(), outcome };
  if (outcome === 'failed') {
    record.classification = 'retryable';
    record.code = 'LGX_ERR_ADAPTER_RETRYABLE';
    record.message = 'HTTP 503 from back office';
  }
  return record;
}

const receipt: Receipt = { externalRef: 'CONFIRM-1001', status: 'open' } as Receipt;
const failure = { classification: 'retryable', code: 'LGX_ERR_ADAPTER_RETRYABLE', message: 'HTTP 503 from back office' };

async function leaseOne(store: Store, target: string, owner: string, now: Date, leaseMs = 30_000): Promise<string> {
  const leased = await store.leaseDeliveries({ owner, limit: 1, leaseMs, now, targets: [target] });
  check(leased.length === 1, `expected one delivery leased for ${target}, got ${leased.length}`);
  return leased[0]!.id;
}

/** Attempt `n` of a leased delivery, by `owner`, succeeding at `now` with the suite's receipt. */
function deliverAttempt(store: Store, deliveryId: string, owner: string, n: number, now: Date): Promise<boolean> {
  return store.completeAttempt({ deliveryId, owner, attempt: attempt(n, 'delivered', now), outcome: { kind: 'delivered', receipt }, now });
}

async function killDelivery(store: Store, target: string, now: Date): Promise<string> {
  const id = await leaseOne(store, target, 'worker-a', now);
  const ok = await store.completeAttempt({
    deliveryId: id,
    owner: 'worker-a',
    attempt: attempt(1, 'failed', now),
    outcome: { kind: 'dead', error: failure },
    now,
  });
  check(ok, 'completeAttempt by the lease owner should succeed');
  return id;
}

/** A transaction delivered to `target` at `now` with a receipt carrying `externalRef`. */
async function deliverCase(
  store: Store,
  target: string,
  externalRef: string,
  now: Date,
): Promise<{ transactionId: string; deliveryId: string }> {
  const { id: transactionId } = await insert(store, [link(target)], { now });
  const deliveryId = await leaseOne(store, target, 'worker-a', now);
  await store.completeAttempt({
    deliveryId,
    owner: 'worker-a',
    attempt: attempt(1, 'delivered', now),
    outcome: { kind: 'delivered', receipt: { externalRef, status: 'open' } as Receipt },
    now,
  });
  return { transactionId, deliveryId };
}

/** A status-refresh claim with the suite's defaults: first check a minute after delivery, held for a minute. */
function refreshClaim(target: string, now: Date, options: Partial<StatusRefreshClaimInput> = {}): StatusRefreshClaimInput {
  return {
    target,
    now,
    limit: 10,
    firstAfterMs: 60_000,
    claimMs: 60_000,
    budget: { calls: 100, windowMs: 3_600_000 },
    finalStatuses: ['closed', 'fixed'],
    ...options,
  };
}

async function stateOf(store: Store, transactionId: string, deliveryId: string): Promise<string | undefined> {
  return (await store.listDeliveries(transactionId)).find((d) => d.id === deliveryId)?.state;
}

/**
 * The behaviour every Store must have, as jest tests: one call in a store's test file. `makeStore`
 * is called before each test and must return a migrated store; the store is closed after it. Tests
 * may share one database: each uses its own target names and checks only its own rows.
 *
 * ```ts
 * describeStoreConformance('sqlite', async () => { const s = createSqliteStore({ file }); await s.migrate(); return s; });
 * ```
 */
export function describeStoreConformance(name: string, makeStore: () => Promise<Store>): void {
  const g = globalThis as unknown as Partial<JestLike>;
  if (!g.describe || !g.it || !g.beforeEach || !g.afterEach) {
    throw new Error('describeStoreConformance must be called inside a jest (or jest-compatible) test file');
  }
  const { describe, it, beforeEach, afterEach } = g as JestLike;

  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores a transaction with its deliveries and an audit entry, and reads it back', async () => {
      const target = uniqueTarget('confirm');
      const { id, envelope } = await insert(store, [link(target)]);
      equal(id, envelope.id, 'transaction id');
      const stored = await store.getTransaction(id);
      check(stored, 'inserted transaction not found');
      equal(
        [stored.council, stored.type, stored.idempotencyKey, stored.createdAt],
        [COUNCIL, 'street.report', envelope.idempotencykey, T0.toISOString()],
        'transaction fields',
      );
      equal(stored.envelope, envelope, 'envelope');
      check(stored.purgedAt === undefined, 'a new transaction is not purged');
      const deliveries = await store.listDeliveries(id);
      equal(
        deliveries.map((d) => [d.target, d.mode, d.order, d.state, d.attempts, d.transactionId, d.council]),
        [[target, 'one', 0, 'pending', 0, id, COUNCIL]],
        'deliveries',
      );
      const audit = await store.listAudit(COUNCIL, { transactionId: id });
      equal(
        audit.map((e) => [e.action, e.actor]),
        [['transaction.accepted', 'key-test']],
        'audit for the transaction',
      );
      check(/^[0-9a-f]{64}$/.test(audit[0]!.payloadHash ?? ''), 'the acceptance audit entry carries a payload hash');
      check(!JSON.stringify(audit).includes('Pothole'), 'the audit must not contain the payload');
      check((await store.getTransaction(randomUUID())) === undefined, 'an unknown id gives undefined');
    });

    it("records the caller's payload hash on the acceptance audit entry, else the envelope's", async () => {
      const target = uniqueTarget('confirm');
      const given = payloadHash({ kind: 'pothole' });
      const hashed = await store.insertTransaction({
        envelope: pothole(),
        deliveries: [link(target)],
        audit: { actor: 'key-test', action: 'transaction.accepted', payloadHash: given },
        now: T0,
      });
      const unhashed = await insert(store, [link(target)]);
      equal(
        (await store.listAudit(COUNCIL, { transactionId: hashed.id })).map((e) => e.payloadHash),
        [given],
        "the caller's hash",
      );
      equal(
        (await store.listAudit(COUNCIL, { transactionId: unhashed.id })).map((e) => e.payloadHash),
        [payloadHash(unhashed.envelope)],
        "the envelope's hash",
      );
    });

    it('returns the first transaction for a repeated idempotency key and inserts nothing', async () => {
      const target = uniqueTarget('confirm');
      const key = `key-${randomUUID()}`;
      const first = await insert(store, [link(target)], { envelope: pothole(COUNCIL, key) });
      const again = pothole(COUNCIL, key);
      const second = await accept(store, again, [link(target)], at(1000));
      equal(second, { id: first.id, duplicate: true }, 'repeat insert');
      check((await store.getTransaction(again.id)) === undefined, 'the duplicate must not be stored');
      equal((await store.listDeliveries(first.id)).length, 1, 'deliveries after the duplicate');
      equal((await store.listAudit(COUNCIL, { transactionId: first.id })).length, 1, 'audit entries after the duplicate');
      const leased = await store.leaseDeliveries({ owner: 'w', limit: 10, leaseMs: 1000, now: at(2000), targets: [target] });
      equal(leased.length, 1, 'deliverable after a duplicate insert');

      const elsewhere = pothole(OTHER_COUNCIL, key);
      const third = await accept(store, elsewhere, [link(target)], at(1000));
      equal(third, { id: elsewhere.id, duplicate: false }, 'the same key for another council');
    });

    it('leases only due pending deliveries, with their envelope, up to the limit', async () => {
      const target = uniqueTarget('echo');
      const due = await insert(store, [link(target), link(target), link(target)]);
      await insert(store, [link(target, { mode: 'fallback', order: 1, state: 'skipped' })]);
      const later = await insert(store, [link(target)], { now: at(60_000) });
      const first = await store.leaseDeliveries({ owner: 'worker-a', limit: 2, leaseMs: 120_000, now: at(1000), targets: [target] });
      equal(first.length, 2, 'limit respected');
      for (const d of first) {
        equal(
          [d.transactionId, d.state, d.leaseOwner, d.leaseExpiresAt],
          [due.id, 'pending', 'worker-a', at(121_000).toISOString()],
          'leased delivery',
        );
        equal(d.envelope, due.envelope, 'leased envelope');
      }
      const second = await store.leaseDeliveries({ owner: 'worker-b', limit: 10, leaseMs: 120_000, now: at(1000), targets: [target] });
      equal(
        second.map((d) => d.id),
        due.deliveries.map((d) => d.id).filter((id) => !first.some((f) => f.id === id)),
        'only the due, unleased delivery',
      );
      const none = await store.leaseDeliveries({ owner: 'worker-c', limit: 10, leaseMs: 120_000, now: at(2000), targets: [target] });
      equal(none.length, 0, 'nothing left before the future delivery is due');
      const future = await store.leaseDeliveries({ owner: 'worker-c', limit: 10, leaseMs: 30_000, now: at(60_000), targets: [target] });
      equal(
        future.map((d) => d.transactionId),
        [later.id],
        'the later delivery once due',
      );
    });

    it('caps leases per target, counting leases already held', async () => {
      const a = uniqueTarget('echo');
      const b = uniqueTarget('whitespace');
      await insert(store, [link(a), link(a), link(a), link(b), link(b), link(b)]);
      const leased = await store.leaseDeliveries({ owner: 'w1', limit: 10, leaseMs: 30_000, now: at(1000), targets: [a, b], perTarget: 2 });
      equal([leased.filter((d) => d.target === a).length, leased.filter((d) => d.target === b).length], [2, 2], 'leases per target');
      const more = await store.leaseDeliveries({ owner: 'w2', limit: 10, leaseMs: 30_000, now: at(1000), targets: [a, b], perTarget: 2 });
      equal(more.length, 0, 'no target may exceed its cap while its leases are live');
      const third = await store.leaseDeliveries({ owner: 'w2', limit: 10, leaseMs: 30_000, now: at(1000), targets: [a, b], perTarget: 3 });
      equal(third.length, 2, 'one more per target under a cap of 3');
    });

    it('never gives the same delivery to two concurrent leasers', async () => {
      const target = uniqueTarget('confirm');
      const links = Array.from({ length: 50 }, () => link(target));
      for (let i = 0; i < 50; i += 5) await insert(store, links.slice(i, i + 5));
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.leaseDeliveries({ owner: `worker-${i}`, limit: 10, leaseMs: 30_000, now: at(1000), targets: [target] }),
        ),
      );
      const ids = results.flat().map((d) => d.id);
      equal(new Set(ids).size, ids.length, 'distinct leased ids');
      equal(ids.length, 50, 'all 50 deliveries leased once');
      for (const [i, batch] of results.entries())
        check(
          batch.every((d) => d.leaseOwner === `worker-${i}`),
          'each lease names its leaser',
        );
    });

    it('leases a delivery again once its lease expires, as a re-send of an attempt with an unknown outcome, and only the new owner may complete it', async () => {
      const target = uniqueTarget('confirm');
      const tx = await insert(store, [link(target)]);
      const id = await leaseOne(store, target, 'worker-a', at(0), 1000);
      equal(
        (await store.leaseDeliveries({ owner: 'worker-b', limit: 1, leaseMs: 1000, now: at(999), targets: [target] })).length,
        0,
        'leases before expiry',
      );
      const [again] = await store.leaseDeliveries({ owner: 'worker-b', limit: 1, leaseMs: 1000, now: at(1001), targets: [target] });
      equal(
        [again?.id, again?.attempts, again?.lastError?.classification],
        [id, 1, 'unknown'],
        'the expired delivery is leased again, its lost attempt counted',
      );
      equal(
        (await store.listAttempts(id)).map((a) => [a.attempt, a.outcome, a.startedAt, a.finishedAt]),
        [[1, 'unknown', at(0).toISOString(), at(1001).toISOString()]],
        'the lost attempt on record',
      );
      const late = await deliverAttempt(store, id, 'worker-a', 1, at(1002));
      check(late === false, 'the old owner must be refused once another worker holds the lease');
      equal(await stateOf(store, tx.id, id), 'pending', 'state after the refused completion');
      const ok = await deliverAttempt(store, id, 'worker-b', 2, at(1003));
      check(ok, 'the new owner completes');
      const [delivered] = await store.listDeliveries(tx.id);
      equal(
        [delivered?.state, delivered?.attempts, delivered?.receipt, delivered?.leaseOwner],
        ['delivered', 2, receipt, undefined],
        'delivered delivery',
      );
      equal(
        (await store.listAttempts(id)).map((a) => a.outcome),
        ['unknown', 'delivered'],
        'attempts',
      );
      const audit = await store.listAudit(COUNCIL, { transactionId: tx.id });
      equal(
        audit.map((e) => e.action),
        ['transaction.accepted', 'delivery.resent', 'delivery.delivered'],
        'audit actions',
      );
      equal(
        [audit[1]?.deliveryId, audit[1]?.details, audit[2]?.details?.['attempt']],
        [id, { target, unknownAttempt: 1 }, 2],
        'the re-send in the audit',
      );
      equal(
        (await store.leaseDeliveries({ owner: 'worker-c', limit: 1, leaseMs: 1000, now: at(5000), targets: [target] })).length,
        0,
        'a delivered delivery is not leased',
      );
    });

    it('hands new deliveries to a worker in the accepting commit, only where nothing of the target waits before them and its cap allows', async () => {
      const free = uniqueTarget('handoff');
      const other = uniqueTarget('handoff-other');
      const handOff = (targets: string[], perTarget = 2) => ({ owner: 'w-hand', leaseMs: 30_000, perTarget, targets });
      const submit = (deliveries: NewDelivery[], now: Date, targets: string[], options: { envelope?: Envelope; perTarget?: number } = {}) =>
        store.insertTransaction({
          envelope: options.envelope ?? pothole(),
          deliveries,
          audit: { actor: 'key-test', action: 'transaction.accepted' },
          now,
          lease: handOff(targets, options.perTarget),
        });

      // An idle target: its new delivery is leased to the worker, envelope and all; a target not offered stays queued.
      const first = [link(free), link(other)];
      const taken = await submit(first, at(0), [free]);
      equal(
        taken.leased?.map((d) => [d.id, d.leaseOwner, d.leaseExpiresAt, d.attempts]),
        [[first[0]!.id, 'w-hand', at(30_000).toISOString(), 0]],
        'the delivery handed over',
      );
      equal(taken.leased?.[0]?.envelope.id, taken.id, 'the handed delivery carries its envelope');
      const stored = await store.listDeliveries(taken.id);
      equal(
        [free, other].map((t) => stored.find((d) => d.target === t)?.leaseOwner ?? null),
        ['w-hand', null],
        'leases as stored',
      );
      equal(
        (await store.leaseDeliveries({ owner: 'w2', limit: 10, leaseMs: 1000, now: at(1), targets: [free] })).length,
        0,
        'a handed delivery is not leased again',
      );

      // The cap counts the handed lease: a second fits under 2, a third does not and stays queued.
      equal((await submit([link(free)], at(2), [free])).leased?.length, 1, 'a second hand-off under a cap of 2');
      const capped = await submit([link(free)], at(3), [free]);
      equal(capped.leased, [], 'nothing handed over at the cap');
      // With the cap lifted, the queued one waits before any newer one: the new one is not handed over.
      equal((await submit([link(free)], at(4), [free], { perTarget: 10 })).leased, [], 'nothing handed over while an older delivery waits');
      const next = await store.leaseDeliveries({ owner: 'w2', limit: 1, leaseMs: 1000, now: at(5), targets: [free] });
      equal(
        next.map((d) => d.transactionId),
        [capped.id],
        'the leasing loop takes the older one first',
      );

      // A lease that ran out waits before a new delivery too (it is to be re-sent first).
      const lapsed = uniqueTarget('handoff-lapsed');
      await insert(store, [link(lapsed)]);
      await leaseOne(store, lapsed, 'w-gone', at(0), 1000);
      equal((await submit([link(lapsed)], at(5000), [lapsed])).leased, [], 'nothing handed over while an expired lease waits');

      // A repeated idempotency key hands nothing over and stores nothing.
      const key = `key-${randomUUID()}`;
      const idle = uniqueTarget('handoff-dup');
      const original = await submit([link(idle)], at(0), [idle], { envelope: pothole(COUNCIL, key) });
      const repeat = await submit([link(idle)], at(1), [idle], { envelope: pothole(COUNCIL, key) });
      equal([repeat.id, repeat.duplicate, repeat.leased], [original.id, true, []], 'a duplicate');

      // The worker completes a handed delivery like any leased one.
      const ok = await deliverAttempt(store, first[0]!.id, 'w-hand', 1, at(10));
      check(ok, 'the worker holding a handed lease completes it');
      equal(
        (await store.listAudit(COUNCIL, { transactionId: taken.id })).map((e) => e.action),
        ['transaction.accepted', 'delivery.delivered'],
        'audit of a handed delivery',
      );
    });

    it("takes targets in turn, so one target's backlog does not starve another's", async () => {
      const busy = uniqueTarget('busy');
      const quiet = uniqueTarget('quiet');
      for (let i = 0; i < 4; i += 1) await insert(store, [link(busy), link(busy), link(busy), link(busy), link(busy)], { now: at(i) });
      const late = await insert(store, [link(quiet)], { now: at(100) });
      const first = await store.leaseDeliveries({ owner: 'w', limit: 3, leaseMs: 60_000, now: at(1000), targets: [busy, quiet] });
      check(
        first.some((d) => d.id === late.deliveries[0]!.id),
        "the quiet target's one delivery is leased in the first round, behind 20 older ones of the busy target",
      );
      const quietTurns: number[] = [];
      const more = [uniqueTarget('other'), uniqueTarget('other')];
      for (const t of more) for (let i = 0; i < 3; i += 1) await insert(store, [link(t)]);
      // With one lease at a time over three targets, each takes the first place in turn.
      for (let i = 0; i < 6; i += 1) {
        const [one] = await store.leaseDeliveries({ owner: 'w', limit: 1, leaseMs: 60_000, now: at(2000), targets: [busy, ...more] });
        quietTurns.push([busy, ...more].indexOf(one!.target));
      }
      equal([...quietTurns].sort(), [0, 0, 1, 1, 2, 2], 'each of three targets leased twice in six single leases');
    });

    it("keeps each target's queue depth through acceptance, fallback, delivery, death and replay", async () => {
      const a = uniqueTarget('depth');
      const b = uniqueTarget('depth');
      const depth = async () => {
        const { byTarget, total } = await store.queueDepth();
        check(total >= (byTarget[a] ?? 0) + (byTarget[b] ?? 0), 'the total covers every target');
        return [byTarget[a] ?? 0, byTarget[b] ?? 0];
      };
      await insert(store, [link(a), link(a)]);
      const chain = await insert(store, [
        link(a, { mode: 'fallback', order: 0 }),
        link(b, { mode: 'fallback', order: 1, state: 'skipped' }),
      ]);
      equal(await depth(), [3, 0], 'pending after acceptance (a skipped link waits outside the queue)');
      const leased = await store.leaseDeliveries({ owner: 'w', limit: 10, leaseMs: 1000, now: at(0), targets: [a] });
      equal(await depth(), [3, 0], 'leased deliveries are still pending');
      const head = leased.find((d) => d.id === chain.deliveries[0]!.id)!;
      await store.completeAttempt({
        deliveryId: head.id,
        owner: 'w',
        attempt: attempt(1, 'failed', at(1)),
        outcome: { kind: 'dead', error: failure },
        now: at(1),
      });
      equal(await depth(), [2, 1], 'a dead link leaves the queue and the next link joins it');
      const other = leased.find((d) => d.id !== head.id)!;
      await store.completeAttempt({
        deliveryId: other.id,
        owner: 'w',
        attempt: attempt(1, 'failed', at(1)),
        outcome: { kind: 'retry', nextAttemptAt: at(60_000), error: failure },
        now: at(1),
      });
      equal(await depth(), [2, 1], 'a retry stays in the queue');
      const third = leased.find((d) => d.id !== head.id && d.id !== other.id)!;
      await deliverAttempt(store, third.id, 'w', 1, at(2));
      equal(await depth(), [1, 1], 'a delivered delivery leaves the queue');
      check(await store.replayDeadLetter(head.id, { actor: 'officer-42', reason: 'back office fixed', now: at(3) }), 'replay');
      equal(await depth(), [2, 1], 'a replayed dead letter joins the queue again');
    });

    it("renews a live worker's leases on its heartbeat, and ends a released worker's at once", async () => {
      const target = uniqueTarget('beat');
      const worker = { id: `worker-${randomUUID()}`, host: 'host-a', pid: 4242, leaseMs: 1000 };
      const tx = await insert(store, [link(target), link(target)]);
      equal(await store.heartbeat(worker, at(0)), 0, 'no leases to renew yet');
      const leased = await store.leaseDeliveries({ owner: worker.id, limit: 2, leaseMs: 1000, now: at(0), targets: [target] });
      equal(leased.length, 2, 'leased');
      equal(await store.heartbeat(worker, at(800)), 2, 'both leases renewed');
      equal((await store.getDelivery(leased[0]!.id))?.leaseExpiresAt, at(1800).toISOString(), 'renewed to the heartbeat plus leaseMs');
      const registered = (await store.listWorkers()).find((w) => w.id === worker.id);
      equal(
        [registered?.host, registered?.pid, registered?.leaseMs, registered?.startedAt, registered?.heartbeatAt],
        ['host-a', 4242, 1000, at(0).toISOString(), at(800).toISOString()],
        'registered worker',
      );
      equal(
        (await store.leaseDeliveries({ owner: 'other', limit: 2, leaseMs: 1000, now: at(1500), targets: [target], perTarget: 2 })).length,
        0,
        'renewed leases still count against the cap',
      );
      equal(await store.releaseWorker(worker.id, at(1600)), 2, "released worker's leases ended");
      check(!(await store.listWorkers()).some((w) => w.id === worker.id), 'the released worker is forgotten');
      const taken = await store.leaseDeliveries({
        owner: 'other',
        limit: 2,
        leaseMs: 1000,
        now: at(1600),
        targets: [target],
        perTarget: 2,
      });
      equal(
        taken.map((d) => d.attempts),
        [1, 1],
        'both leased again at once, each as a re-send',
      );
      equal(
        (await store.listAudit(COUNCIL, { transactionId: tx.id })).filter((e) => e.action === 'delivery.resent').length,
        2,
        're-sends audited',
      );
      equal(await store.heartbeat({ ...worker, id: 'other' }, at(3000)), 0, 'a heartbeat does not revive leases that ran out');
      equal(
        (await store.leaseDeliveries({ owner: 'third', limit: 2, leaseMs: 1000, now: at(3000), targets: [target] })).length,
        2,
        'so they can be leased',
      );
      await store.releaseWorker('other', at(3000));
    });

    it('refuses completeAttempt from a worker that does not hold the lease, changing nothing', async () => {
      const target = uniqueTarget('confirm');
      const tx = await insert(store, [link(target)]);
      const id = tx.deliveries[0]!.id;
      const unleased = await deliverAttempt(store, id, 'worker-x', 1, at(1));
      check(unleased === false, 'completion of an unleased delivery must be refused');
      await leaseOne(store, target, 'worker-a', at(2));
      const stranger = await store.completeAttempt({
        deliveryId: id,
        owner: 'worker-x',
        attempt: attempt(1, 'failed', at(3)),
        outcome: { kind: 'dead', error: failure },
        now: at(3),
      });
      check(stranger === false, 'completion by a non-owner must be refused');
      equal(await stateOf(store, tx.id, id), 'pending', 'state');
      equal(await store.listAttempts(id), [], 'attempts');
      check((await deliverAttempt(store, randomUUID(), 'worker-a', 1, at(3))) === false, 'unknown delivery');
      await store.releaseLease(id, 'worker-x');
      equal(
        (await store.leaseDeliveries({ owner: 'w', limit: 1, leaseMs: 1000, now: at(4), targets: [target] })).length,
        0,
        'a non-owner cannot release the lease',
      );
      await store.releaseLease(id, 'worker-a');
      equal(await leaseOne(store, target, 'worker-b', at(5)), id, 'a released lease can be taken at once');
    });

    it('schedules a retry: not leasable before the next attempt time, leasable after', async () => {
      const target = uniqueTarget('confirm');
      const tx = await insert(store, [link(target)]);
      const id = await leaseOne(store, target, 'worker-a', at(0));
      const ok = await store.completeAttempt({
        deliveryId: id,
        owner: 'worker-a',
        attempt: attempt(1, 'failed', at(100)),
        outcome: { kind: 'retry', nextAttemptAt: at(60_000), error: failure },
        now: at(100),
      });
      check(ok, 'retry recorded');
      const [d] = await store.listDeliveries(tx.id);
      equal(
        [d?.state, d?.attempts, d?.nextAttemptAt, d?.lastError, d?.leaseOwner],
        ['pending', 1, at(60_000).toISOString(), failure, undefined],
        'delivery after retry',
      );
      equal(
        (await store.listAttempts(id)).map((a) => [a.attempt, a.outcome, a.classification, a.code]),
        [[1, 'failed', 'retryable', 'LGX_ERR_ADAPTER_RETRYABLE']],
        'attempts',
      );
      equal(
        (await store.leaseDeliveries({ owner: 'worker-b', limit: 1, leaseMs: 1000, now: at(59_999), targets: [target] })).length,
        0,
        'leases before the retry is due',
      );
      equal(await leaseOne(store, target, 'worker-b', at(60_000)), id, 'leased when due');
    });

    it('puts a dead delivery in the dead-letter queue, audited', async () => {
      const target = uniqueTarget('confirm');
      const tx = await insert(store, [link(target)]);
      const id = await killDelivery(store, target, at(0));
      const dead = await store.listDeadLetters({ target });
      equal(
        dead.map((d) => [d.id, d.state, d.attempts, d.lastError]),
        [[id, 'dead', 1, failure]],
        'dead letters for the target',
      );
      check(
        (await store.listDeadLetters({ council: COUNCIL })).some((d) => d.id === id),
        'listed by council',
      );
      check(!(await store.listDeadLetters({ council: OTHER_COUNCIL })).some((d) => d.id === id), 'not listed for another council');
      equal((await store.listDeadLetters({ limit: 1 })).length, 1, 'limit');
      const audit = await store.listAudit(COUNCIL, { transactionId: tx.id });
      const entry = audit.find((e) => e.action === 'delivery.dead');
      check(entry, 'delivery.dead audit entry');
      equal([entry.deliveryId, entry.details?.['classification']], [id, 'retryable'], 'dead audit entry');
      equal(
        (await store.leaseDeliveries({ owner: 'w', limit: 1, leaseMs: 1000, now: at(10_000), targets: [target] })).length,
        0,
        'a dead delivery is not leased',
      );
    });

    it('lists dead letters newest first', async () => {
      const target = uniqueTarget('confirm');
      await insert(store, [link(target)]);
      const older = await killDelivery(store, target, at(0));
      await insert(store, [link(target)], { now: at(1000) });
      const newer = await killDelivery(store, target, at(2000));
      equal(
        (await store.listDeadLetters({ target })).map((d) => d.id),
        [newer, older],
        'order',
      );
    });

    it('turns the next fallback link pending when a fallback delivery dies', async () => {
      const primary = uniqueTarget('confirm');
      const second = uniqueTarget('email');
      const third = uniqueTarget('crm');
      const tx = await insert(store, [
        link(primary, { mode: 'fallback', order: 0 }),
        link(second, { mode: 'fallback', order: 1, state: 'skipped' }),
        link(third, { mode: 'fallback', order: 2, state: 'skipped' }),
      ]);
      equal(
        (await store.leaseDeliveries({ owner: 'w', limit: 5, leaseMs: 1000, now: at(0), targets: [second, third] })).length,
        0,
        'skipped links are not leased',
      );
      await killDelivery(store, primary, at(1000));
      equal(
        (await store.listDeliveries(tx.id)).map((d) => [d.order, d.state]),
        [
          [0, 'dead'],
          [1, 'pending'],
          [2, 'skipped'],
        ],
        'chain after the first link died',
      );
      const next = await store.leaseDeliveries({ owner: 'w', limit: 5, leaseMs: 1000, now: at(1000), targets: [second, third] });
      equal(
        next.map((d) => d.target),
        [second],
        'the next link is due at once',
      );
      // The lease taken above has expired by then, so the helper can lease the link again.
      await killDelivery(store, second, at(5000));
      equal(
        (await store.listDeliveries(tx.id)).map((d) => d.state),
        ['dead', 'dead', 'pending'],
        'chain after the second link died',
      );
    });

    it('does not promote anything when a non-fallback delivery dies', async () => {
      const a = uniqueTarget('confirm');
      const b = uniqueTarget('shadow');
      const tx = await insert(store, [link(a, { mode: 'all' }), link(b, { mode: 'fallback', order: 1, state: 'skipped' })]);
      await killDelivery(store, a, at(0));
      equal(
        (await store.listDeliveries(tx.id)).map((d) => d.state),
        ['dead', 'skipped'],
        'states',
      );
    });

    it('replays a dead letter, audited with actor and reason, optionally with an edited envelope', async () => {
      const target = uniqueTarget('confirm');
      const tx = await insert(store, [link(target)]);
      const id = await killDelivery(store, target, at(0));
      check((await store.replayDeadLetter(randomUUID(), { actor: 'officer-42', reason: 'x', now: at(1) })) === false, 'unknown delivery');
      const edited: Envelope = { ...tx.envelope, data: { kind: 'pothole', description: 'Pothole, deep', location: { usrn: '8400709' } } };
      check(
        await store.replayDeadLetter(id, { actor: 'officer-42', reason: 'vendor outage over', envelope: edited, now: at(5000) }),
        'replay of a dead letter',
      );
      check(
        (await store.replayDeadLetter(id, { actor: 'officer-42', reason: 'again', now: at(5001) })) === false,
        'replay of a pending delivery is refused',
      );
      check(!(await store.listDeadLetters({ target })).some((d) => d.id === id), 'no longer a dead letter');
      const [leased] = await store.leaseDeliveries({ owner: 'w', limit: 1, leaseMs: 1000, now: at(5000), targets: [target] });
      equal(
        [leased?.id, leased?.state, (leased?.envelope.data as { description?: string }).description],
        [id, 'pending', 'Pothole, deep'],
        'replayed delivery with the edited envelope',
      );
      equal((await store.getTransaction(tx.id))?.idempotencyKey, tx.envelope.idempotencykey, 'identity kept');
      const entry = (await store.listAudit(COUNCIL, { transactionId: tx.id })).find((e) => e.action === 'dlq.replay');
      check(entry, 'dlq.replay audit entry');
      equal([entry.actor, entry.deliveryId, entry.details?.['reason']], ['officer-42', id, 'vendor outage over'], 'replay audit');
    });

    it('discards a dead letter, audited with actor and reason', async () => {
      const target = uniqueTarget('confirm');
      const tx = await insert(store, [link(target)]);
      const pendingTx = await insert(store, [link(uniqueTarget('other'))]);
      check(
        (await store.discardDeadLetter(pendingTx.deliveries[0]!.id, { actor: 'officer-42', reason: 'x', now: at(1) })) === false,
        'discard of a pending delivery is refused',
      );
      const id = await killDelivery(store, target, at(0));
      check(await store.discardDeadLetter(id, { actor: 'officer-42', reason: 'duplicate report', now: at(2000) }), 'discard');
      check(
        (await store.discardDeadLetter(id, { actor: 'officer-42', reason: 'again', now: at(2001) })) === false,
        'second discard refused',
      );
      equal(await stateOf(store, tx.id, id), 'discarded', 'state');
      check(!(await store.listDeadLetters({ target })).some((d) => d.id === id), 'no longer a dead letter');
      const entry = (await store.listAudit(COUNCIL, { transactionId: tx.id })).find((e) => e.action === 'dlq.discard');
      check(entry, 'dlq.discard audit entry');
      equal([entry.actor, entry.deliveryId, entry.details?.['reason']], ['officer-42', id, 'duplicate report'], 'discard audit');
    });

    it('chains audit entries per council and verifyAuditChain catches tampering and removal', async () => {
      const before = await store.listAudit(COUNCIL);
      const last = before[before.length - 1];
      const a = await store.appendAudit(
        { council: COUNCIL, actor: 'key-1', action: 'keys.created', details: { scopes: ['submit'] } },
        at(0),
      );
      const b = await store.appendAudit({ council: COUNCIL, actor: 'system', action: 'stack.loaded', details: { adapters: 3 } }, at(1));
      const c = await store.appendAudit({ council: COUNCIL, actor: 'system', action: 'stack.loaded', details: { adapters: 4 } }, at(2));
      const other = await store.appendAudit({ council: OTHER_COUNCIL, actor: 'system', action: 'stack.loaded' }, at(3));
      equal([a.seq, b.seq, c.seq], [(last?.seq ?? 0) + 1, (last?.seq ?? 0) + 2, (last?.seq ?? 0) + 3], 'seq');
      equal([a.prevHash, b.prevHash, c.prevHash], [last?.hash ?? '0'.repeat(64), a.hash, b.hash], 'prevHash');
      check(other.council === OTHER_COUNCIL && other.seq >= 1, 'another council has its own chain');
      const chain = await store.listAudit(COUNCIL);
      equal(chain.slice(-3), [a, b, c], 'entries read back as written');
      equal(verifyAuditChain(chain), { ok: true }, 'stored chain verifies');
      equal(verifyAuditChain(await store.listAudit(OTHER_COUNCIL)), { ok: true }, 'other council chain verifies');
      equal(
        (await store.listAudit(COUNCIL, { afterSeq: a.seq, limit: 1 })).map((e) => e.seq),
        [b.seq],
        'afterSeq and limit',
      );
      equal(
        verifyAuditChain(await store.listAudit(COUNCIL, { afterSeq: a.seq }), { after: { seq: a.seq, hash: a.hash } }),
        { ok: true },
        'a tail verifies from its anchor',
      );

      const tampered: AuditEntry[] = chain.map((e) => (e.seq === b.seq ? { ...e, details: { adapters: 30 } } : e));
      const t = verifyAuditChain(tampered);
      check(!t.ok && t.seq === b.seq, `a changed entry is caught at its seq, got ${JSON.stringify(t)}`);
      const removed = chain.filter((e) => e.seq !== b.seq);
      const r = verifyAuditChain(removed);
      check(!r.ok && r.seq === c.seq, `a removed entry is caught at the next seq, got ${JSON.stringify(r)}`);
      const renumbered = removed.map((e) => (e.seq === c.seq ? { ...e, seq: b.seq } : e));
      check(!verifyAuditChain(renumbered).ok, 'a removed entry is caught even when the gap is renumbered away');
      check(!verifyAuditChain(chain.slice(1)).ok, 'a removed first entry is caught');
    });

    it('stores status updates once per update id and lists them by transaction', async () => {
      const target = uniqueTarget('confirm');
      const tx = await insert(store, [link(target)]);
      const ref = `CONF-${randomUUID().slice(0, 6)}`;
      const update = {
        transactionId: tx.id,
        externalRef: ref,
        updateId: 'u-1',
        status: 'in_progress',
        updatedAt: at(10).toISOString(),
      } as const;
      const saved = await store.saveStatusUpdate({ target, update, now: at(20) });
      check(saved, 'first update saved');
      equal(
        [saved.transactionId, saved.target, saved.update, saved.receivedAt],
        [tx.id, target, update, at(20).toISOString()],
        'stored update',
      );
      check((await store.saveStatusUpdate({ target, update, now: at(30) })) === undefined, 'a repeated update id is ignored');
      const otherTarget = await store.saveStatusUpdate({ target: uniqueTarget('other'), update, now: at(30) });
      check(otherTarget, 'the same update id from another target is a new update');
      const noId = { transactionId: tx.id, externalRef: ref, status: 'closed', updatedAt: at(40).toISOString() } as const;
      check(await store.saveStatusUpdate({ target, update: noId, now: at(41) }), 'update without id saved');
      check(await store.saveStatusUpdate({ target, update: noId, now: at(42) }), 'updates without an id are not deduplicated');
      const listed = await store.listStatusUpdates(tx.id);
      equal(
        listed.map((s) => s.update.status),
        ['in_progress', 'in_progress', 'closed', 'closed'],
        'updates in arrival order',
      );
      check(listed[0]!.id < listed[1]!.id, 'ids increase');
      equal(await store.listStatusUpdates(randomUUID()), [], 'unknown transaction');
    });

    it('matches a status update without a transaction id to the delivery whose receipt has its reference', async () => {
      const target = uniqueTarget('confirm');
      const tx = await insert(store, [link(target)]);
      const id = await leaseOne(store, target, 'w', at(0));
      const externalRef = `CONF-${randomUUID().slice(0, 6)}`;
      await store.completeAttempt({
        deliveryId: id,
        owner: 'w',
        attempt: attempt(1, 'delivered', at(1)),
        outcome: { kind: 'delivered', receipt: { externalRef } as Receipt },
        now: at(1),
      });
      const saved = await store.saveStatusUpdate({
        target,
        update: { externalRef, status: 'closed', updatedAt: at(2).toISOString() },
        now: at(3),
      });
      equal(saved?.transactionId, tx.id, 'resolved transaction id');
      equal((await store.listStatusUpdates(tx.id)).length, 1, 'listed by transaction');
    });

    it("lists a council's transactions newest first, filtered by type and time, page by page", async () => {
      const council = uniqueCouncil();
      const other = uniqueCouncil();
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1)
        ids.push((await insert(store, [link(uniqueTarget('list'))], { envelope: pothole(council), now: at(i * 1000) })).id);
      const bin = createTransaction(
        'waste.missedCollection',
        { uprn: '100023336956', service: 'refuse', scheduledDate: '2026-03-01' },
        { council, channel: 'web' },
      );
      ids.push((await insert(store, [link(uniqueTarget('list'))], { envelope: bin, now: at(5000) })).id);
      await insert(store, [link(uniqueTarget('list'))], { envelope: pothole(other), now: at(2500) });

      const all = await store.listTransactions({ council, limit: 100 });
      equal(
        all.map((t) => t.id),
        [...ids].reverse(),
        'newest first, only this council',
      );
      const page1 = await store.listTransactions({ council, limit: 4 });
      const last = page1[page1.length - 1]!;
      const page2 = await store.listTransactions({ council, limit: 4, before: { createdAt: last.createdAt, id: last.id } });
      equal(
        [...page1, ...page2].map((t) => t.id),
        all.map((t) => t.id),
        'two pages give the whole list once',
      );
      equal(
        (await store.listTransactions({ council, types: ['waste.missedCollection'], limit: 10 })).map((t) => t.id),
        [bin.id],
        'filtered by type',
      );
      equal(
        (await store.listTransactions({ council, from: at(1000), to: at(3000), limit: 10 })).map((t) => t.id),
        [ids[2], ids[1]],
        'filtered by time, from inclusive, to exclusive',
      );
    });

    it('keeps concurrent writes independent: one that fails leaves the others stored', async () => {
      const target = uniqueTarget('concurrent');
      const clash = link(target);
      const results = await Promise.allSettled([
        insert(store, [link(target)]),
        // Two deliveries with one id: this insert breaks a key and must change nothing.
        insert(store, [clash, { ...clash }]),
        insert(store, [link(target)]),
      ]);
      equal(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
        'outcomes',
      );
      for (const r of [results[0], results[2]]) {
        const id = (r as PromiseFulfilledResult<{ id: string }>).value.id;
        check((await store.getTransaction(id)) !== undefined, 'a good insert beside a failing one is stored');
      }
      // Driver errors may come from another realm (a native module under jest): check the shape, not the class.
      const failed = (results[1] as PromiseRejectedResult).reason as { message?: unknown } | undefined;
      check(typeof failed?.message === 'string' && failed.message.length > 0, 'the failing insert rejects with an error that says why');
      check((await store.getDelivery(clash.id)) === undefined, 'nothing of the failing insert is stored');
    });

    it('gets one delivery by id', async () => {
      const target = uniqueTarget('one');
      const { deliveries } = await insert(store, [link(target)]);
      const found = await store.getDelivery(deliveries[0]!.id);
      equal([found?.id, found?.target, found?.state], [deliveries[0]!.id, target, 'pending'], 'delivery found');
      check((await store.getDelivery(randomUUID())) === undefined, 'an unknown delivery is undefined');
    });

    it("lists status updates of a council's transactions in order, after an id and within a time window", async () => {
      const council = uniqueCouncil();
      const mine = await insert(store, [link(uniqueTarget('upd'))], { envelope: pothole(council) });
      const theirs = await insert(store, [link(uniqueTarget('upd'))], { envelope: pothole(uniqueCouncil()) });
      const target = uniqueTarget('confirm');
      const save = (transactionId: string, n: number) =>
        store.saveStatusUpdate({
          target,
          update: {
            transactionId,
            externalRef: `R-${transactionId.slice(0, 8)}`,
            updateId: `u${n}`,
            status: 'in_progress',
            updatedAt: at(n * 1000).toISOString(),
          },
          now: at(n * 1000),
        });
      const first = await save(mine.id, 1);
      await save(theirs.id, 2);
      const second = await save(mine.id, 3);
      const third = await save(mine.id, 4);
      const listed = await store.listCouncilStatusUpdates({ council, limit: 10 });
      equal(
        listed.map((u) => u.id),
        [first!.id, second!.id, third!.id],
        'only this council, oldest first',
      );
      equal(
        (await store.listCouncilStatusUpdates({ council, afterId: first!.id, limit: 1 })).map((u) => u.id),
        [second!.id],
        'after an id, limited',
      );
      equal(
        (await store.listCouncilStatusUpdates({ council, from: at(2000), to: at(3000), limit: 10 })).map((u) => u.id),
        [second!.id],
        'within the window',
      );
    });

    it('keeps cursors', async () => {
      const name = `poll:${uniqueTarget('confirm')}`;
      check((await store.getCursor(name)) === undefined, 'no cursor yet');
      await store.setCursor(name, '2026-03-02T09:00:00Z');
      equal(await store.getCursor(name), '2026-03-02T09:00:00Z', 'cursor');
      await store.setCursor(name, '2026-03-02T10:00:00Z');
      equal(await store.getCursor(name), '2026-03-02T10:00:00Z', 'cursor overwritten');
    });

    it('counts deliveries in flight per target from live leases only', async () => {
      const target = uniqueTarget('confirm');
      await insert(store, [link(target)]);
      await insert(store, [link(target)]);
      equal((await store.inFlight(T0))[target], undefined, 'nothing leased');
      await leaseOne(store, target, 'w', T0, 30_000);
      equal((await store.inFlight(T0))[target], 1, 'one leased');
      equal((await store.inFlight(new Date(T0.getTime() + 31_000)))[target], undefined, 'its lease ran out');
    });

    it('hands a duty to one owner at a time until its time runs out, and lets the holder renew or give it up', async () => {
      const duty = `poll:${uniqueTarget('confirm')}`;
      const t = (s: number) => new Date(T0.getTime() + s * 1000);
      check(await store.claimDuty({ duty, owner: 'node-a', until: t(60), now: t(0) }), 'a free duty is claimed');
      check(!(await store.claimDuty({ duty, owner: 'node-b', until: t(70), now: t(10) })), 'another owner is refused while it is held');
      check(await store.claimDuty({ duty, owner: 'node-a', until: t(120), now: t(50) }), 'the holder renews');
      check(!(await store.claimDuty({ duty, owner: 'node-b', until: t(130), now: t(70) })), 'the renewal holds past the first time');
      check(await store.claimDuty({ duty, owner: 'node-b', until: t(180), now: t(120) }), 'taken over once the holder stops renewing');
      check(!(await store.claimDuty({ duty, owner: 'node-a', until: t(190), now: t(130) })), 'the old holder is now refused');
      check(await store.claimDuty({ duty, owner: 'node-b', until: t(140), now: t(140) }), 'the holder gives it up');
      check(await store.claimDuty({ duty, owner: 'node-a', until: t(200), now: t(141) }), 'a given-up duty is free at once');
      check(await store.claimDuty({ duty: `${duty}:other`, owner: 'node-b', until: t(200), now: t(141) }), 'duties are separate');
    });

    it('keeps API keys by id, adds each id once, revokes once, and moves the change counter with each change', async () => {
      const council = uniqueCouncil();
      const id = randomUUID().replace(/-/g, '').slice(0, 12);
      const key = {
        id,
        council,
        scopes: ['submit', 'read'],
        hash: 'ab'.repeat(32),
        label: 'web forms',
        channel: 'web',
        createdAt: T0.toISOString(),
      };
      const before = await store.apiKeysVersion();
      check((await store.findApiKey(id)) === undefined, 'no key yet');
      check(await store.addApiKey(key), 'a new key is added');
      check(!(await store.addApiKey({ ...key, hash: 'cd'.repeat(32) })), 'the same id again is refused');
      equal(await store.findApiKey(id), key, 'the key as added (the first hash kept)');
      const afterAdd = await store.apiKeysVersion();
      check(afterAdd > before, `the counter moved on after an add (${before} -> ${afterAdd})`);
      equal(
        (await store.listApiKeys({ council })).map((k) => k.id),
        [id],
        "the council's keys",
      );
      check(await store.revokeApiKey(id, at(1000)), 'a live key is revoked');
      check(!(await store.revokeApiKey(id, at(2000))), 'a revoked key is not revoked again');
      equal((await store.findApiKey(id))?.revokedAt, at(1000).toISOString(), 'revoked at the time given');
      check((await store.apiKeysVersion()) > afterAdd, 'the counter moved on after a revoke');
      check(!(await store.revokeApiKey(`${id.slice(0, 11)}x`, at(1000))), 'an unknown key is not revoked');
    });

    it('purges payloads of old finished transactions only, and keeps their audit', async () => {
      const old = new Date('2020-01-06T09:00:00.000Z');
      const target = uniqueTarget('confirm');
      const finished = await insert(store, [link(target)], { now: old });
      const id = await leaseOne(store, target, 'w', old);
      await deliverAttempt(store, id, 'w', 1, old);
      const unfinished = await insert(store, [link(uniqueTarget('slow'))], { now: old });
      const recentTarget = uniqueTarget('recent');
      const recent = await insert(store, [link(recentTarget)], { now: T0 });
      const rid = await leaseOne(store, recentTarget, 'w', T0);
      await deliverAttempt(store, rid, 'w', 1, T0);
      const auditBefore = await store.listAudit(COUNCIL, { transactionId: finished.id });

      const count = await store.purgePayloads(new Date('2021-01-01T00:00:00.000Z'));
      check(count >= 1, `at least the finished transaction is purged, got ${count}`);
      const purged = await store.getTransaction(finished.id);
      check(purged && purged.envelope === undefined && purged.purgedAt !== undefined, 'old finished transaction purged');
      equal(
        [purged.council, purged.type, purged.idempotencyKey],
        [COUNCIL, 'street.report', finished.envelope.idempotencykey],
        'identity kept after purge',
      );
      equal(
        (await store.getTransaction(unfinished.id))?.envelope,
        unfinished.envelope,
        'a transaction with pending deliveries keeps its payload',
      );
      equal((await store.getTransaction(recent.id))?.envelope, recent.envelope, 'a recent transaction keeps its payload');
      const auditAfter = await store.listAudit(COUNCIL, { transactionId: finished.id });
      equal(auditAfter.slice(0, auditBefore.length), auditBefore, 'audit kept');
      equal(verifyAuditChain(await store.listAudit(COUNCIL)), { ok: true }, 'chain still verifies');
      equal(await store.purgePayloads(new Date('2021-01-01T00:00:00.000Z')), 0, 'purging again purges nothing');
    });

    it('hands out delivered cases for a status check once the first wait has passed, oldest first, each to its own target only', async () => {
      const target = uniqueTarget('status');
      const first = await deliverCase(store, target, 'REF-1', at(0));
      await deliverCase(store, target, 'REF-2', at(1000));
      await insert(store, [link(target)], { now: at(0) });
      await deliverCase(store, uniqueTarget('status-other'), 'REF-X', at(0));
      await store.saveStatusUpdate({
        target,
        update: { transactionId: first.transactionId, externalRef: 'REF-1', status: 'in_progress', updatedAt: at(10).toISOString() },
        now: at(10),
      });

      equal(
        await store.claimStatusRefresh(refreshClaim(target, at(59_999))),
        { cases: [], closed: 0, budgetLeft: 100 },
        'nothing before the first wait',
      );
      const claim = await store.claimStatusRefresh(refreshClaim(target, at(120_000)));
      equal(
        claim.cases.map((c) => [c.target, c.externalRef, c.delayMs, c.latest?.status ?? null]),
        [
          [target, 'REF-1', 60_000, 'in_progress'],
          [target, 'REF-2', 60_000, null],
        ],
        'delivered cases of the target, oldest first, with the latest status stored for them',
      );
      equal([claim.cases[0]!.deliveryId, claim.cases[0]!.transactionId], [first.deliveryId, first.transactionId], 'ids of the case');
      equal(claim.budgetLeft, 98, 'each case handed out counts against the budget');
    });

    it('keeps a handed-out case from other claimers until it is settled or its claim runs out, and schedules or closes it when settled', async () => {
      const target = uniqueTarget('status');
      const cases = [];
      for (let i = 1; i <= 4; i++) cases.push(await deliverCase(store, target, `REF-${i}`, at(i)));
      const t = at(600_000);
      const [a, b] = await Promise.all([
        store.claimStatusRefresh(refreshClaim(target, t, { limit: 2 })),
        store.claimStatusRefresh(refreshClaim(target, t, { limit: 2 })),
      ]);
      const handed = [...a!.cases, ...b!.cases].map((c) => c.externalRef).sort();
      equal(handed, ['REF-1', 'REF-2', 'REF-3', 'REF-4'], 'two concurrent claims share the cases out, none twice');
      equal(
        (await store.claimStatusRefresh(refreshClaim(target, at(659_999)))).cases,
        [],
        'claimed cases are not handed out again while claimed',
      );

      const [one, two, three] = [...a!.cases, ...b!.cases].sort((x, y) => (x.externalRef < y.externalRef ? -1 : 1));
      await store.settleStatusRefresh({ deliveryId: one!.deliveryId, next: at(700_000), delayMs: 120_000 });
      await store.settleStatusRefresh({ deliveryId: two!.deliveryId, next: undefined, delayMs: 0 });
      await store.settleStatusRefresh({ deliveryId: three!.deliveryId, next: at(2_000_000), delayMs: 1_000_000 });
      // REF-4 is never settled: its holder died, and it comes back once its claim runs out.
      const later = await store.claimStatusRefresh(refreshClaim(target, at(700_000)));
      equal(
        later.cases.map((c) => [c.externalRef, c.delayMs]),
        [
          ['REF-4', 60_000],
          ['REF-1', 120_000],
        ],
        'due cases, soonest first: the unsettled one (due when its claim ran out) and the rescheduled one with its backoff step',
      );
      await Promise.all(later.cases.map((c) => store.settleStatusRefresh({ deliveryId: c.deliveryId, next: undefined, delayMs: 0 })));
      equal(
        (await store.claimStatusRefresh(refreshClaim(target, at(2_000_000)))).cases.map((c) => c.externalRef),
        ['REF-3'],
        'closed cases never come back',
      );
    });

    it("keeps to each target's budget per window, across claims", async () => {
      const target = uniqueTarget('status');
      for (let i = 1; i <= 5; i++) await deliverCase(store, target, `REF-${i}`, at(i));
      const budget = { calls: 3, windowMs: 3_600_000 };
      const t = at(600_000);
      const first = await store.claimStatusRefresh(refreshClaim(target, t, { limit: 2, budget }));
      equal([first.cases.length, first.budgetLeft], [2, 1], 'first claim');
      const second = await store.claimStatusRefresh(refreshClaim(target, at(601_000), { limit: 2, budget }));
      equal([second.cases.length, second.budgetLeft], [1, 0], 'the second claim gets what is left of the window');
      equal(
        await store.claimStatusRefresh(refreshClaim(target, at(602_000), { budget })),
        { cases: [], closed: 0, budgetLeft: 0 },
        'nothing more in this window',
      );
      const next = await store.claimStatusRefresh(refreshClaim(target, at(600_000 + 3_600_000), { budget }));
      // The never-checked ones fell due first; REF-1 and REF-2 fell due together, when their claims ran out.
      equal(next.cases.map((c) => c.externalRef).slice(0, 2), ['REF-4', 'REF-5'], 'a new window, a new budget');
      equal([next.cases.length, next.budgetLeft], [3, 0], 'a whole budget in the new window');
    });

    it('closes cases whose latest status is final, or whose receipt has no reference, without a call or a share of the budget', async () => {
      const target = uniqueTarget('status');
      const closedCase = await deliverCase(store, target, 'REF-1', at(1));
      await deliverCase(store, target, '', at(2));
      await deliverCase(store, target, 'REF-3', at(3));
      await store.saveStatusUpdate({
        target,
        update: { transactionId: closedCase.transactionId, externalRef: 'REF-1', status: 'in_progress', updatedAt: at(4).toISOString() },
        now: at(4),
      });
      await store.saveStatusUpdate({
        target,
        update: { transactionId: closedCase.transactionId, externalRef: 'REF-1', status: 'closed', updatedAt: at(5).toISOString() },
        now: at(5),
      });
      const claim = await store.claimStatusRefresh(refreshClaim(target, at(600_000), { budget: { calls: 1, windowMs: 3_600_000 } }));
      equal(
        [claim.cases.map((c) => c.externalRef), claim.closed, claim.budgetLeft],
        [['REF-3'], 2, 0],
        'the open case handed out, the other two closed',
      );
      equal(
        (await store.claimStatusRefresh(refreshClaim(target, at(600_000 + 3_600_000)))).cases.map((c) => c.externalRef),
        ['REF-3'],
        'closed cases never come back',
      );
    });
  });
}
