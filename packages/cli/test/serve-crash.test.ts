/**
 * `lgx serve` killed with SIGKILL while it holds every slot of a back office (four requests the back
 * office never answers), then started again on the same data folder: a new transaction to that back
 * office is delivered at once, long before the dead process's leases would have run out, and the four
 * cut-off deliveries are sent again, each on record with an attempt of unknown outcome.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createTransaction } from '@lgx/core';
import { createSqliteStore, openReadModel, type ReadModel } from '@lgx/runtime';
import { loadFixtures, waitFor } from '@lgx/testkit';
import { API_KEY, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';
import { serveLgx, wasteServeFolder, type Served } from './helpers';

const COUNCIL = 'E07000223';
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data;
const env = { EXAMPLE_WASTE_KEY: API_KEY };
// What `lgx serve` runs with: four deliveries at a time to one back office.
const PER_TARGET = 4;

let sim: ExampleWasteSimulator;
beforeAll(async () => {
  sim = await startExampleWasteSimulator();
});
afterAll(() => sim.close());

interface Detail {
  state: string;
  deliveries: Array<{ id: string; state: string; attempts: number; attemptLog: Array<{ outcome: string; finishedAt: string }> }>;
}

it('after SIGKILL, a restarted lgx serve delivers a new transaction to the same back office at once and re-sends the cut-off ones', async () => {
  const { dir, data, stackFile, key } = await wasteServeFolder(sim.url, env);
  let reader: ReadModel | undefined;
  const servers: Served[] = [];
  try {
    const post = async (url: string, idempotencyKey: string): Promise<string> => {
      const body = JSON.stringify(
        createTransaction('waste.missedCollection', structuredClone(missed) as never, { council: COUNCIL, channel: 'web', idempotencyKey }),
      );
      const res = await fetch(`${url}/v1/transactions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(202);
      return ((await res.json()) as { id: string }).id;
    };
    const detail = async (url: string, id: string): Promise<Detail> =>
      (await fetch(`${url}/v1/transactions/${id}`, { headers: { authorization: `Bearer ${key}` } })).json() as Promise<Detail>;

    const first = await serveLgx([stackFile, '--data', data], { env });
    servers.push(first);
    // Status polling asks the back office for changes as it starts; the next poll is a minute away.
    await waitFor(() => sim.requests.some((r) => r.method === 'GET'), 'the first status poll', 60_000);
    // The back office takes the next four requests and never answers them: every slot is held.
    sim.faults.failNext(PER_TARGET, { timeout: true });
    const held: string[] = [];
    for (let i = 0; i < PER_TARGET; i++) held.push(await post(first.url, `held-${i}`));
    await waitFor(
      () => sim.requests.filter((r) => r.method === 'POST').length === PER_TARGET,
      'every slot busy at the back office',
      60_000,
    );
    // What the data folder holds, read as lgx status reads it.
    reader = await openReadModel({ store: createSqliteStore({ file: path.join(data, 'lgx.db') }), council: COUNCIL });
    const onDisk = reader;

    // Killed just after its heartbeat renewed the leases, so they have nearly their whole time to run.
    const leaseEnds = async () => Promise.all(held.map(async (id) => (await onDisk.get(id))!.deliveries[0]!.leaseExpiresAt));
    const before = await leaseEnds();
    expect(before.every((end) => end !== undefined)).toBe(true);
    await waitFor(async () => (await leaseEnds()).some((end, i) => end !== before[i]), 'a lease renewal', 30_000);
    expect(await first.stop('SIGKILL')).toBeNull();
    const deadLeasesEnd = Math.min(...(await leaseEnds()).map((end) => Date.parse(end!)));

    const second = await serveLgx([stackFile, '--data', data], { env });
    servers.push(second);
    const fresh = await post(second.url, 'fresh');
    await waitFor(async () => (await detail(second.url, fresh)).state === 'delivered', 'the new transaction delivered', 60_000);

    // Delivered before the dead process's leases would have let a fifth delivery through.
    const [freshDelivery] = (await detail(second.url, fresh)).deliveries;
    expect(freshDelivery!.attemptLog.map((a) => a.outcome)).toEqual(['delivered']);
    expect(Date.parse(freshDelivery!.attemptLog[0]!.finishedAt)).toBeLessThan(deadLeasesEnd);
    // The operator is told why: the dead process's leases were ended, not waited out.
    const released = second
      .stderr()
      .split('\n')
      .filter((line) => line.includes('a worker stopped without giving its leases back'))
      .map((line) => JSON.parse(line) as { leases: number });
    expect(released.map((r) => r.leases)).toEqual([PER_TARGET]);

    // Each cut-off delivery is sent again: one attempt of unknown outcome, then delivered, audited as re-sent.
    await waitFor(
      async () => (await Promise.all(held.map((id) => detail(second.url, id)))).every((d) => d.state === 'delivered'),
      'the cut-off transactions delivered',
      60_000,
    );
    for (const id of held) {
      const [delivery] = (await detail(second.url, id)).deliveries;
      expect([delivery!.attempts, delivery!.attemptLog.map((a) => a.outcome)]).toEqual([2, ['unknown', 'delivered']]);
      expect((await onDisk.listAudit({ transactionId: id })).map((e) => e.action)).toEqual([
        'transaction.accepted',
        'delivery.resent',
        'delivery.delivered',
      ]);
    }
    // One case per transaction at the back office (the unanswered requests created none), and an intact audit chain.
    expect(sim.state.cases.size).toBe(PER_TARGET + 1);
    expect(await onDisk.verifyAudit()).toEqual({ ok: true });
  } finally {
    for (const server of servers) await server.stop();
    await reader?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
