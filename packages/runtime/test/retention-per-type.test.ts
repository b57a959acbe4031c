import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransaction } from '@lgx/core';
import { loadFixtures } from '@lgx/testkit';
import { createPostgresStore } from '../src/store/postgres-store';
import { createSqliteStore } from '../src/store/sqlite-store';
import { ROLLUP_MEASURES } from '../src/store/report-rollups';
import type { Store } from '../src/store/store-types';
import { previewRetention, purgeFinished } from '../src/sync/retention';
import { finishDelivery } from '../src/testing/finish-delivery';
import { withPostgres } from './helpers/postgres-suite';

/**
 * Retention per type: a payload is kept a number of days after its transaction ends (delivered, dead
 * or discarded), each type by its own period, dead letters included; a dry run says what would go
 * and removes nothing; report counts never move.
 */

const JAN = new Date('2026-01-01T09:00:00.000Z');
const MAR = new Date('2026-03-01T09:00:00.000Z');
const NOW = new Date('2026-03-10T09:00:00.000Z');
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data;

const dir = mkdtempSync(join(tmpdir(), 'lgx-retention-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function envelope(
  council: string,
  type: 'street.report' | 'waste.missedCollection',
): Parameters<Store['insertTransaction']>[0]['envelope'] {
  const data =
    type === 'street.report' ? { kind: 'pothole', description: 'Pothole', location: { usrn: '8400709' } } : structuredClone(missed);
  return createTransaction(type, data as never, { council, channel: 'web', lgsl: 524 } as never);
}

/** Accepts one transaction of `type` with one delivery at `at`; resolves the transaction and delivery ids. */
async function accept(store: Store, council: string, type: 'street.report' | 'waste.missedCollection', at: Date) {
  const target = `t-${randomUUID().slice(0, 8)}`;
  const deliveryId = randomUUID();
  const { id } = await store.insertTransaction({
    envelope: envelope(council, type),
    deliveries: [{ id: deliveryId, target, mode: 'one', order: 0, state: 'pending' }],
    audit: { actor: 'key-test', action: 'transaction.accepted' },
    now: at,
  });
  return { id, deliveryId, target };
}

/** Ends a delivery at `at`: delivered, or dead (a dead letter). */
async function end(store: Store, d: { deliveryId: string; target: string }, kind: 'delivered' | 'dead', at: Date): Promise<void> {
  expect(await finishDelivery(store, d, kind, at)).toBe(true);
}

async function rollups(store: Store, council: string): Promise<unknown[]> {
  const query = {
    council,
    fromDay: '2025-01-01',
    toDay: '2027-01-01',
    groupBy: ['service', 'channel', 'target'],
    filters: [],
    rows: 'all',
  } as const;
  const rows = (await store.readRollups({ ...query, groupBy: [...query.groupBy], filters: [] })).filter((r) =>
    ROLLUP_MEASURES.some((m) => r[m] !== 0),
  );
  return rows.map((r) => JSON.stringify(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)))).sort();
}

const held = async (store: Store, id: string): Promise<boolean> => (await store.getTransaction(id))?.envelope !== undefined;

function describeRetention(name: string, open: () => Promise<Store>): void {
  describe(`retention per type (${name})`, () => {
    it('keeps each type its own days after it ends, dead letters included; a dry run removes nothing; report counts stay', async () => {
      const store = await open();
      const council = `E07${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
      try {
        // Accepted in January: a report delivered then, one delivered only in March, a missed collection
        // dead-lettered in January, one still queued, and one dead-lettered then replayed in March.
        const reportJan = await accept(store, council, 'street.report', JAN);
        await end(store, reportJan, 'delivered', JAN);
        const reportMar = await accept(store, council, 'street.report', JAN);
        await end(store, reportMar, 'delivered', MAR);
        const deadJan = await accept(store, council, 'waste.missedCollection', JAN);
        await end(store, deadJan, 'dead', new Date(JAN.getTime() + 60_000));
        const queued = await accept(store, council, 'waste.missedCollection', JAN);
        const replayed = await accept(store, council, 'waste.missedCollection', JAN);
        await end(store, replayed, 'dead', JAN);
        await store.replayDeadLetter(replayed.deliveryId, { actor: 'key-ops', reason: 'fixed', now: MAR });
        const counts = await rollups(store, council);

        // 30 days for every type, 90 for street reports: only the January dead letter has gone past its period.
        const periods = { olderThanDays: 30, types: { 'street.report': 90 }, now: NOW };
        const preview = await previewRetention(store, periods);
        expect(preview).toEqual([
          {
            type: 'waste.missedCollection',
            state: 'dead',
            count: 1,
            oldestEndedAt: '2026-01-01T09:01:00.000Z',
            newestEndedAt: '2026-01-01T09:01:00.000Z',
          },
        ]);
        expect(await held(store, deadJan.id)).toBe(true);
        expect(await purgeFinished(store, periods)).toBe(1);
        expect(await held(store, deadJan.id)).toBe(false);
        for (const kept of [reportJan, reportMar, queued, replayed]) expect(await held(store, kept.id)).toBe(true);
        expect(await previewRetention(store, periods)).toEqual([]);

        // Street reports down to 30 days: the one that ended in January goes; the one accepted in
        // January but ended in March stays, as do the queued and the replayed transactions.
        const shorter = { olderThanDays: 30, types: { 'street.report': 30 }, now: NOW };
        expect(await previewRetention(store, shorter)).toEqual([
          { type: 'street.report', state: 'delivered', count: 1, oldestEndedAt: JAN.toISOString(), newestEndedAt: JAN.toISOString() },
        ]);
        expect(await purgeFinished(store, shorter)).toBe(1);
        expect(await held(store, reportJan.id)).toBe(false);
        for (const kept of [reportMar, queued, replayed]) expect(await held(store, kept.id)).toBe(true);

        // A type kept 0 days loses its payloads at the next run after they end; unended ones stay.
        expect(await purgeFinished(store, { olderThanDays: 365, types: { 'street.report': 0 }, now: NOW })).toBe(1);
        expect(await held(store, reportMar.id)).toBe(false);
        for (const kept of [queued, replayed]) expect(await held(store, kept.id)).toBe(true);

        expect(await rollups(store, council)).toEqual(counts);
        const actions = (await store.listAudit(council)).filter((a) => a.action === 'transaction.purged').map((a) => a.transactionId);
        expect(actions.sort()).toEqual([deadJan.id, reportJan.id, reportMar.id].sort());
      } finally {
        await store.close();
      }
    }, 60_000);

    it('refuses a negative period, naming it', async () => {
      const store = await open();
      try {
        await expect(purgeFinished(store, { olderThanDays: 30, types: { 'street.report': -1 } })).rejects.toThrow(
          'retention for street.report must be a number of days, 0 or more, got -1',
        );
      } finally {
        await store.close();
      }
    });
  });
}

describeRetention('sqlite', async () => {
  const store = createSqliteStore({ file: join(dir, `${randomUUID()}.db`) });
  await store.migrate();
  return store;
});

withPostgres((connection) => {
  describeRetention('postgres', async () => {
    const store = createPostgresStore({ connectionString: connection(), schema: `r${randomUUID().slice(0, 8)}` });
    await store.migrate();
    return store;
  });
});
