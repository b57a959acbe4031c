import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { collectMarkedTexts, createTransaction, schemaRegistry } from '@lgx/core';
import { createSqliteStore, openReadModel, type AuditEntry } from '@lgx/runtime';
import { loadFixtures } from '@lgx/testkit';
import { API_KEY } from '@lgx/adapter-template/testing';
import { lgx, useWasteStack } from './helpers';

const ctx = useWasteStack();
const env = { EXAMPLE_WASTE_KEY: API_KEY };
const COUNCIL = 'E07000223';
const data = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data;
/** The fixture's personal values as they would appear in output (short ones, a house number, are left out). */
const known = collectMarkedTexts(data, schemaRegistry().get('waste.missedCollection').schema, ['x-lgx-pii']).filter((v) => v.length >= 6);

/** Sends a transaction that the back office refuses for good, echoing the resident's name in its error. */
async function deadLetter(): Promise<{ transactionId: string; deliveryId: string }> {
  const name = (data as { requester: { person: { givenName: string; familyName: string } } }).requester.person;
  ctx.sim.faults.failNext(1, {
    status: 400,
    body: { error: { code: 'REJECTED', message: `no round for ${name.givenName} ${name.familyName}` } },
  });
  const tx = createTransaction('waste.missedCollection', structuredClone(data) as never, { council: COUNCIL, channel: 'web' });
  const file = path.join(ctx.dir, 'tx.json');
  writeFileSync(file, JSON.stringify(tx));
  const sent = await lgx(['send', ctx.stackFile, file, '--data', ctx.data, '--wait', '10'], { env });
  expect(sent.code).toBe(1);
  const list = await lgx(['dlq', 'list', '--stack', ctx.stackFile, '--data', ctx.data, '--json']);
  return { transactionId: tx.id, deliveryId: (JSON.parse(list.stdout) as Array<{ id: string }>)[0]!.id };
}

async function personalReads(): Promise<{ entries: AuditEntry[]; whole: boolean }> {
  const reader = await openReadModel({ store: createSqliteStore({ file: path.join(ctx.data, 'lgx.db') }), council: COUNCIL });
  try {
    const entries = (await reader.listAudit({ limit: 10_000 })).filter((e) => e.action === 'personal-data.read');
    return { entries, whole: (await reader.verifyAudit()).ok };
  } finally {
    await reader.close();
  }
}

describe('lgx commands that print transactions', () => {
  it('mask personal data by default, and show it with --personal-data, recording who read whose data', async () => {
    expect(known.length).toBeGreaterThan(2);
    const { transactionId, deliveryId } = await deadLetter();
    const at = ['--stack', ctx.stackFile, '--data', ctx.data];
    const masked = [
      await lgx(['status', transactionId, '--data', ctx.data]),
      await lgx(['status', transactionId, '--data', ctx.data, '--json']),
      await lgx(['dlq', 'list', ...at]),
      await lgx(['dlq', 'list', ...at, '--json']),
      await lgx(['dlq', 'show', deliveryId, ...at]),
      await lgx(['dlq', 'show', deliveryId, ...at, '--json']),
    ];
    for (const ran of masked) {
      expect(ran.code).toBe(0);
      for (const value of known) expect((ran.stdout + ran.stderr).toLowerCase()).not.toContain(value.toLowerCase());
    }
    // Still useful masked: the transaction, its delivery and the class of its error are there.
    expect(masked[0]!.stdout).toContain(transactionId);
    expect(masked[5]!.stdout).toContain('[REDACTED]');
    expect((await personalReads()).entries).toEqual([]);

    const shown = await lgx(['dlq', 'show', deliveryId, ...at, '--json', '--personal-data', '--actor', 'staff-42']);
    expect(shown.code).toBe(0);
    for (const value of known) expect(shown.stdout).toContain(value);
    const status = await lgx(['status', transactionId, '--data', ctx.data, '--personal-data', '--json']);
    expect(status.code).toBe(0);

    const { entries, whole } = await personalReads();
    expect(entries).toEqual([
      expect.objectContaining({ actor: 'staff-42', transactionId, details: { via: 'cli', transactionIds: [transactionId] } }),
      expect.objectContaining({ actor: expect.stringMatching(/^cli:.+/), transactionId }),
    ]);
    expect(whole).toBe(true);
  }, 180_000);
});
