import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransaction, type Channel } from '@lgx/core';
import { createPostgresStore } from '../src/store/postgres-store';
import { createSqliteStore } from '../src/store/sqlite-store';
import { ROLLUP_MEASURES } from '../src/store/report-rollups';
import type { RollupQuery } from '../src/store/rollup-sql';
import type { NewDelivery, Store } from '../src/store/store-types';
import { withPostgres } from './helpers/postgres-suite';

const DAY1 = new Date('2026-03-02T09:00:00.000Z');
const DAY2 = new Date('2026-03-03T23:59:00.000Z');

const everything = (council: string, groupBy: RollupQuery['groupBy'] = ['service', 'channel', 'target']): RollupQuery => ({
  council,
  fromDay: '2026-01-01',
  toDay: '2027-01-01',
  groupBy,
  filters: [],
  rows: 'all',
});

/** The rollup rows with any count (a row whose counts went back to 0 adds nothing), sorted, as text. */
async function snapshot(store: Store, council: string): Promise<unknown[]> {
  const rows = (await store.readRollups(everything(council))).filter((r) => ROLLUP_MEASURES.some((m) => r[m] !== 0));
  const buckets = await store.readDeliverySeconds(everything(council, ['target']));
  const key = (r: Record<string, unknown>): string => JSON.stringify(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
  return [...rows, ...buckets].map((r) => key(r as Record<string, unknown>)).sort();
}

function report(council: string, channel: Channel): Parameters<Store['insertTransaction']>[0]['envelope'] {
  return createTransaction('street.report', { kind: 'pothole', description: 'Pothole', location: { usrn: '8400709' } }, {
    council,
    channel,
    lgsl: 524,
  } as never);
}

async function accept(
  store: Store,
  council: string,
  channel: Channel,
  now: Date,
  deliveries: Array<Partial<NewDelivery> & { target: string }>,
): Promise<string[]> {
  const rows: NewDelivery[] = deliveries.map((d, order) => ({ id: randomUUID(), mode: 'one', order, state: 'pending', ...d }));
  await store.insertTransaction({
    envelope: report(council, channel),
    deliveries: rows,
    audit: { actor: 'key-test', action: 'transaction.accepted' },
    now,
  });
  return rows.map((d) => d.id);
}

/** Leases delivery `id` alone and records `kind` for it, `seconds` after `from`. */
async function finish(store: Store, id: string, kind: 'delivered' | 'dead' | 'retry', from: Date, seconds: number): Promise<void> {
  const owner = `w-${randomUUID()}`;
  const now = new Date(from.getTime() + seconds * 1000);
  const target = (await store.getDelivery(id))!.target;
  const leased = await store.leaseDeliveries({ owner, limit: 100, leaseMs: 60_000, now, targets: [target] });
  for (const d of leased) if (d.id !== id) await store.releaseLease(d.id, owner);
  const attempt = {
    attempt: 1,
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    outcome: kind === 'delivered' ? ('delivered' as const) : ('failed' as const),
  };
  const error = { classification: 'permanent', message: 'refused' };
  const outcome =
    kind === 'delivered'
      ? { kind, receipt: { externalRef: 'R-1', status: 'open' as const } }
      : kind === 'dead'
        ? { kind, error }
        : { kind, nextAttemptAt: now, error };
  expect(await store.completeAttempt({ deliveryId: id, owner, attempt, outcome, now })).toBe(true);
}

function describeRollups(name: string, open: () => Promise<Store>): void {
  describe(`reporting rollups (${name})`, () => {
    it('count accepts and delivery outcomes per day, channel and back office, keep them through a purge, and a rebuild agrees', async () => {
      const store = await open();
      const council = `W06${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
      const confirm = `confirm-${randomUUID().slice(0, 6)}`;
      const crm = `crm-${randomUUID().slice(0, 6)}`;
      try {
        const [a] = await accept(store, council, 'web', DAY1, [{ target: confirm }]);
        const [b] = await accept(store, council, 'web', DAY1, [{ target: confirm }]);
        const [c, c2] = await accept(store, council, 'phone', DAY1, [
          { target: confirm, mode: 'fallback' },
          { target: crm, mode: 'fallback', state: 'skipped' },
        ]);
        const [d, dShadow] = await accept(store, council, 'phone', DAY2, [{ target: confirm }, { target: crm, mode: 'shadow' }]);
        await finish(store, a!, 'delivered', DAY1, 10);
        await finish(store, b!, 'retry', DAY1, 1);
        await finish(store, b!, 'delivered', DAY1, 100);
        await finish(store, c!, 'dead', DAY1, 5);
        await finish(store, c2!, 'delivered', DAY1, 20);
        await finish(store, dShadow!, 'delivered', DAY2, 3);
        await finish(store, d!, 'dead', DAY2, 3);

        const byDay = await store.readRollups(everything(council, ['channel', 'target']));
        const find = (day: string, channel: string, target: string) =>
          byDay.find((r) => r.day === day && r.channel === channel && r.target === target);
        expect(find('2026-03-02', 'web', '')).toMatchObject({ received: 2, completed: 2 });
        expect(find('2026-03-02', 'web', confirm)).toMatchObject({ delivered: 2, dead: 0, queued: 0 });
        expect(find('2026-03-02', 'phone', '')).toMatchObject({ received: 1, completed: 1 });
        expect(find('2026-03-02', 'phone', confirm)).toMatchObject({ delivered: 0, dead: 1, queued: 0 });
        expect(find('2026-03-02', 'phone', crm)).toMatchObject({ delivered: 1, queued: 0 });
        // A shadow delivery arriving does not complete its transaction.
        expect(find('2026-03-03', 'phone', '')).toMatchObject({ received: 1, completed: 0 });
        expect(find('2026-03-03', 'phone', crm)).toMatchObject({ delivered: 1 });
        expect(find('2026-03-03', 'phone', confirm)).toMatchObject({ dead: 1, queued: 0 });

        // Replaying the dead letter moves it back to the queue; discarding another takes it off the dead count.
        const dead = (await store.listDeadLetters({ council })).map((x) => x.id).sort();
        expect(dead).toEqual([c!, d!].sort());
        await store.replayDeadLetter(d!, { actor: 'key-ops', reason: 'fixed', now: DAY2 });
        await store.discardDeadLetter(c!, { actor: 'key-ops', reason: 'duplicate', now: DAY2 });
        const after = await store.readRollups(everything(council, ['target']));
        expect(after.find((r) => r.day === '2026-03-03' && r.target === confirm)).toMatchObject({ dead: 0, queued: 1 });
        expect(after.find((r) => r.day === '2026-03-02' && r.target === confirm)).toMatchObject({ dead: 0, delivered: 2 });

        const buckets = await store.readDeliverySeconds(everything(council, ['target']));
        expect(
          buckets
            .filter((r) => r.target === confirm)
            .map((r) => r.count)
            .reduce((x, y) => x + y, 0),
        ).toBe(2);

        const before = await snapshot(store, council);
        expect(await store.purgePayloads(new Date('2027-01-01T00:00:00Z'))).toBeGreaterThan(0);
        expect(await snapshot(store, council)).toEqual(before);
        const rebuilt = await store.rebuildRollups({ actor: 'key-ops', now: new Date() });
        expect(rebuilt.transactions).toBeGreaterThanOrEqual(4);
        expect(await snapshot(store, council)).toEqual(before);
        const audit = await store.listAudit(council);
        expect(audit[audit.length - 1]).toMatchObject({ action: 'report.rebuilt', actor: 'key-ops', details: { transactions: 4 } });
      } finally {
        await store.close();
      }
    }, 60_000);

    it('count journey starts and ratings under the service they are about, with no delivery', async () => {
      const store = await open();
      const council = `W06${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
      try {
        const send = async (type: string, data: Record<string, unknown>): Promise<void> => {
          const envelope = createTransaction(type as never, data as never, { council, channel: 'web' });
          await store.insertTransaction({
            envelope,
            deliveries: [],
            audit: { actor: 'key-test', action: 'transaction.accepted' },
            now: DAY1,
          });
        };
        await send('journey.started', { service: 'street.report' });
        await send('journey.started', { service: 'street.report' });
        await send('feedback.satisfaction', { service: 'street.report', rating: 4 });
        await send('feedback.satisfaction', { service: 'street.report', rating: 4 });
        await send('feedback.satisfaction', { service: 'street.report', rating: 1 });
        const rows = await store.readRollups(everything(council, ['service', 'channel']));
        expect(rows).toEqual([
          expect.objectContaining({
            day: '2026-03-02',
            service: 'street.report',
            channel: 'web',
            received: 0,
            started: 2,
            rating_4: 2,
            rating_1: 1,
            queued: 0,
          }),
        ]);
        const before = await snapshot(store, council);
        await store.rebuildRollups({ actor: 'key-ops', now: new Date() });
        expect(await snapshot(store, council)).toEqual(before);
      } finally {
        await store.close();
      }
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'lgx-rollups-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
describeRollups('sqlite', async () => {
  const store = createSqliteStore({ file: join(dir, `${randomUUID()}.db`) });
  await store.migrate();
  return store;
});

withPostgres((connection) => {
  describeRollups('postgres', async () => {
    const store = createPostgresStore({ connectionString: connection(), schema: `r${randomUUID().slice(0, 8)}` });
    await store.migrate();
    return store;
  });
});
