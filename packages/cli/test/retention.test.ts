import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createTransaction } from '@lgx/core';
import { createSqliteStore, type Store } from '@lgx/runtime';
import { finishDelivery } from '@lgx/runtime/testing';
import { loadFixtures } from '@lgx/testkit';
import { lgx, useWasteStack } from './helpers';

// Every step runs the lgx binary, a second or more each on a busy machine.
jest.setTimeout(120_000);

const ctx = useWasteStack();
const COUNCIL = 'E07000223';
const DAY_MS = 86_400_000;
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data;
const noSecrets = { EXAMPLE_WASTE_KEY: '' };

/** Accepts a transaction of `type` and ends its one delivery (delivered or dead) `daysAgo` days ago. */
async function ended(store: Store, type: 'street.report' | 'waste.missedCollection', kind: 'delivered' | 'dead', daysAgo: number) {
  const at = new Date(Date.now() - daysAgo * DAY_MS);
  const data =
    type === 'street.report' ? { kind: 'pothole', description: 'Pothole', location: { usrn: '8400709' } } : structuredClone(missed);
  const target = `t-${randomUUID().slice(0, 8)}`;
  const deliveryId = randomUUID();
  const { id } = await store.insertTransaction({
    envelope: createTransaction(type, data as never, { council: COUNCIL, channel: 'web' }),
    deliveries: [{ id: deliveryId, target, mode: 'one', order: 0, state: 'pending' }],
    audit: { actor: 'key-test', action: 'transaction.accepted' },
    now: at,
  });
  expect(await finishDelivery(store, { deliveryId, target }, kind, at)).toBe(true);
  return { id, at };
}

const run = (args: string[]) => lgx(['retention', ...args, '--stack', ctx.stackFile, '--data', ctx.data], { env: noSecrets });
const figures = () => {
  const from = new Date(Date.now() - 60 * DAY_MS).toISOString().slice(0, 10);
  const to = new Date(Date.now() + 40 * DAY_MS).toISOString().slice(0, 10);
  return lgx(['report', 'transactions-by-channel', '--from', from, '--to', to, '--json', '--stack', ctx.stackFile, '--data', ctx.data], {
    env: noSecrets,
  });
};

describe('lgx retention', () => {
  it("shows what each type's period would purge without removing it, then purges it once; report figures stay", async () => {
    appendFileSync(ctx.stackFile, ['retention:', '  default: 30d', '  types:', '    street.report: 5d', ''].join('\n'));
    mkdirSync(ctx.data, { recursive: true, mode: 0o700 });
    const store = createSqliteStore({ file: path.join(ctx.data, 'lgx.db') });
    await store.migrate();
    const reports = [await ended(store, 'street.report', 'delivered', 10), await ended(store, 'street.report', 'delivered', 8)];
    const recentReport = await ended(store, 'street.report', 'delivered', 1);
    const deadLetter = await ended(store, 'waste.missedCollection', 'dead', 40);
    const keptWaste = await ended(store, 'waste.missedCollection', 'delivered', 10);
    await store.close();
    const before = await figures();
    expect(before.code).toBe(0);

    const dry = await run(['--dry-run']);
    expect([dry.code, dry.stderr]).toEqual([0, '']);
    const lines = dry.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^type\s+state\s+count\s+oldest end\s+newest end$/);
    expect(lines.slice(2, -1).map((l) => l.trim().split(/\s+/))).toEqual([
      ['street.report', 'delivered', '2', reports[0]!.at.toISOString(), reports[1]!.at.toISOString()],
      ['waste.missedCollection', 'dead', '1', deadLetter.at.toISOString(), deadLetter.at.toISOString()],
    ]);
    expect(lines.at(-1)).toBe('dry run: 3 payload(s) would go, nothing was removed (periods: 30d for every type, street.report 5d)');
    const json = await run(['--dry-run', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      dryRun: true,
      total: 3,
      periods: { olderThanDays: 30, types: { 'street.report': 5 } },
    });

    const purged = await run([]);
    expect([purged.code, purged.stdout.trim()]).toEqual([0, 'purged 3 payload(s) (periods: 30d for every type, street.report 5d)']);
    const after = createSqliteStore({ file: path.join(ctx.data, 'lgx.db') });
    try {
      for (const gone of [...reports, deadLetter]) expect((await after.getTransaction(gone.id))?.envelope).toBeUndefined();
      for (const kept of [recentReport, keptWaste]) expect((await after.getTransaction(kept.id))?.envelope).toBeDefined();
    } finally {
      await after.close();
    }
    expect((await run(['--dry-run'])).stdout.trim()).toBe(
      'dry run: 0 payload(s) would go, nothing was removed (periods: 30d for every type, street.report 5d)',
    );
    expect((await figures()).stdout).toBe(before.stdout);
  });

  it('refuses a stack file whose retention names an unknown type, naming the field', async () => {
    appendFileSync(ctx.stackFile, ['retention:', '  types:', '    street.reprot: 5d', ''].join('\n'));
    const ran = await run(['--dry-run']);
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toContain('/retention/types/street.reprot');
    expect(ran.stderr).toContain("'street.reprot' is not a transaction type");
  });
});
