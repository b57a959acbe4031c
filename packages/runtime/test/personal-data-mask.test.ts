import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTransaction, REDACTED } from '@lgx/core';
import { loadFixtures } from '@lgx/testkit';
import { createSqliteStore, maskTransactionView, openReadModel, type ReadModel, type TransactionView } from '../src';

const COUNCIL = 'E07000223';
const data = structuredClone(loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data) as {
  requester: { person: { givenName: string; familyName: string; phone: string } };
};
const { givenName, familyName, phone } = data.requester.person;
const envelope = createTransaction('waste.missedCollection', data as never, { council: COUNCIL, channel: 'web' });
const NAME = `${givenName} ${familyName}`;

/** A view as a store could hold it when a back office echoed the resident in every text it sent. */
function echoingView(): TransactionView {
  const at = '2026-03-02T09:00:00.000Z';
  return {
    transaction: { id: envelope.id, council: COUNCIL, type: envelope.type, idempotencyKey: 'k-1', envelope, createdAt: at },
    state: 'dead',
    deliveries: [
      {
        id: 'd-1',
        transactionId: envelope.id,
        council: COUNCIL,
        target: 'waste',
        mode: 'one',
        order: 0,
        state: 'dead',
        attempts: 1,
        nextAttemptAt: at,
        createdAt: at,
        updatedAt: at,
        lastError: { classification: 'permanent', message: `no round for ${NAME.toUpperCase()}` },
        receipt: { externalRef: 'WR-1', nextUrl: 'https://pay.example/p/123', attributes: { note: `call ${phone}` } },
        attemptLog: [{ attempt: 1, startedAt: at, finishedAt: at, outcome: 'failed', message: `refused ${familyName}` }],
      },
    ],
    statusUpdates: [
      {
        id: 1,
        transactionId: envelope.id,
        target: 'waste',
        receivedAt: at,
        update: {
          transactionId: envelope.id,
          externalRef: 'WR-1',
          status: 'action_scheduled',
          externalStatusCode: `CALLED ${NAME.toUpperCase()}`,
          description: `Spoke to ${NAME}`,
          updatedAt: at,
        },
      },
    ],
  };
}

describe('maskTransactionView', () => {
  it("masks every marked field and scrubs the transaction's personal values from every free text", () => {
    const view = echoingView();
    const masked = maskTransactionView(view);
    const text = JSON.stringify(masked);
    for (const value of [givenName, familyName, phone]) expect(text.toLowerCase()).not.toContain(value.toLowerCase());
    expect(masked.transaction.envelope?.data).toEqual(
      expect.objectContaining({
        requester: expect.objectContaining({ person: { givenName: REDACTED, familyName: REDACTED, phone: REDACTED } }),
      }),
    );
    const [delivery] = masked.deliveries;
    expect(delivery!.lastError).toEqual({ classification: 'permanent', message: `no round for ${REDACTED} ${REDACTED}` });
    expect(delivery!.attemptLog[0]!.message).toBe(`refused ${REDACTED}`);
    expect(delivery!.receipt).toEqual({ externalRef: 'WR-1', nextUrl: REDACTED, attributes: { note: `call ${REDACTED}` } });
    expect(masked.statusUpdates[0]!.update).toEqual(
      expect.objectContaining({
        transactionId: envelope.id,
        status: 'action_scheduled',
        externalStatusCode: `CALLED ${REDACTED} ${REDACTED}`,
        description: REDACTED,
      }),
    );
    // What is not personal stays, and the stored view is not changed.
    expect(masked.transaction.id).toBe(envelope.id);
    expect(masked.state).toBe('dead');
    expect(view.deliveries[0]!.lastError!.message).toContain(NAME.toUpperCase());
  });

  it('masks a purged transaction by its marks alone', () => {
    const view = echoingView();
    const purged = { ...view, transaction: { ...view.transaction, envelope: undefined, purgedAt: view.transaction.createdAt } };
    const masked = maskTransactionView(purged);
    expect(masked.transaction.envelope).toBeUndefined();
    expect(masked.statusUpdates[0]!.update.description).toBe(REDACTED);
  });
});

describe("the read model's masked read", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-masked-read-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('masks as maskTransactionView does, free texts scrubbed, in a view, a page and the status updates', async () => {
    const store = createSqliteStore({ file: path.join(dir, 'lgx.db') });
    await store.migrate();
    const at = new Date('2026-03-02T09:00:00.000Z');
    const tx = createTransaction('waste.missedCollection', structuredClone(data) as never, { council: COUNCIL, channel: 'web' });
    await store.insertTransaction({
      envelope: tx,
      deliveries: [{ id: 'd-echo', target: 'waste', mode: 'one', order: 0, state: 'pending' }],
      audit: { actor: 'key-test', action: 'transaction.accepted' },
      now: at,
    });
    // A back office that echoes the resident in its error and in its status code (texts the worker does not write).
    await store.leaseDeliveries({ owner: 'w', limit: 1, leaseMs: 60_000, now: at, targets: ['waste'] });
    const message = `no round for ${NAME.toUpperCase()}`;
    const attempt = { attempt: 1, startedAt: at.toISOString(), finishedAt: at.toISOString(), outcome: 'failed' as const, message };
    await store.completeAttempt({
      deliveryId: 'd-echo',
      owner: 'w',
      attempt,
      outcome: { kind: 'dead', error: { classification: 'permanent', message } },
      now: at,
    });
    const update = { transactionId: tx.id, externalRef: 'WR-1', status: 'action_scheduled' as const, updatedAt: at.toISOString() };
    await store.saveStatusUpdate({
      target: 'waste',
      update: { ...update, externalStatusCode: `CALLED ${NAME}`, description: `Spoke to ${NAME}` },
      now: at,
    });
    const reader = await openReadModel({ store, council: COUNCIL });
    try {
      const opened = await reader.get(tx.id, { personalData: true });
      expect(JSON.stringify(opened)).toContain(NAME.toUpperCase());
      const masked = await reader.get(tx.id);
      expect(masked).toEqual(maskTransactionView(opened!));
      const shown = JSON.stringify([masked, await reader.list({ limit: 10 }), await reader.listStatusUpdates({ limit: 10 })]).toLowerCase();
      for (const value of [givenName, familyName, phone]) expect(shown).not.toContain(value.toLowerCase());
      expect(masked!.deliveries[0]!.lastError!.message).toBe(`no round for ${REDACTED} ${REDACTED}`);
      expect((await reader.listStatusUpdates({ limit: 10 }))[0]!.update.externalStatusCode).toBe(`CALLED ${REDACTED} ${REDACTED}`);
    } finally {
      await reader.close();
    }
  });
});

describe('recordPersonalDataRead', () => {
  let dir: string;
  let reader: ReadModel;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-personal-'));
    reader = await openReadModel({ store: createSqliteStore({ file: path.join(dir, 'lgx.db') }), council: COUNCIL });
  });
  afterAll(async () => {
    await reader.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes one chained entry per read, listing every id once, and nothing for an empty read', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `tx-${i}`);
    await reader.recordPersonalDataRead({ actor: 'key:abc', via: 'api', transactionIds: [...ids, 'tx-0'] });
    await reader.recordPersonalDataRead({ actor: 'key:abc', via: 'api', transactionIds: [] });
    await reader.recordPersonalDataRead({ actor: 'staff-42', via: 'cli', transactionIds: ['tx-7'] });
    const entries = await reader.listAudit();
    expect(entries).toEqual([
      expect.objectContaining({ seq: 1, actor: 'key:abc', action: 'personal-data.read', details: { via: 'api', transactionIds: ids } }),
      expect.objectContaining({ seq: 2, actor: 'staff-42', transactionId: 'tx-7', details: { via: 'cli', transactionIds: ['tx-7'] } }),
    ]);
    expect(entries[0]!.transactionId).toBeUndefined();
    expect((await reader.listAudit({ transactionId: 'tx-7' })).map((e) => e.seq)).toEqual([2]);
    expect(await reader.verifyAudit()).toEqual({ ok: true });
  });
});
