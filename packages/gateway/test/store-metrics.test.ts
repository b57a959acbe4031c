import { createTransaction } from '@lgx/core';
import { loadFixtures, waitFor } from '@lgx/testkit';
import { createSqliteStore, createStack, openStack, type RunningStack } from '@lgx/runtime';
import { API_KEY } from '@lgx/adapter-template/testing';
import { COUNCIL, startHarness, type Harness } from './helpers/gateway-harness';

const missed = loadFixtures('waste.missedCollection', { kind: 'valid' }).map((f) => f.data);

let h: Harness;
let adminKey: string;
beforeAll(async () => {
  h = await startHarness();
  adminKey = await h.key(['admin']);
});
afterAll(() => h.close());

async function metrics(): Promise<string> {
  const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${adminKey}` } });
  expect(res.status).toBe(200);
  return res.text();
}

/** A sample's value in the exposition, or undefined when it is absent. */
function sample(text: string, name: string, adapter: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{council="${COUNCIL}",adapter="${adapter}"}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('/metrics from the store', () => {
  it('counts the queue, dead letters and deliveries of another process sharing the store, beside its own counters', async () => {
    // Another process's stack on the gateway's SQLite file; the gateway's own worker stops, so only
    // the other one delivers.
    await h.stack.stopDelivering();
    const definition = await createStack({
      council: COUNCIL,
      adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: h.waste.url, apiKey: API_KEY } } },
      routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
    });
    const other: RunningStack = await openStack(definition, {
      store: createSqliteStore({ file: h.councilFile }),
      start: false,
      polling: false,
      worker: { pollIntervalMs: 20 },
    });
    try {
      const before = await metrics();
      expect(sample(before, 'lgx_queue_depth', 'waste')).toBe(0);
      expect(sample(before, 'lgx_store_dead_letters', 'streets')).toBe(0);
      const deliveredBefore = sample(before, 'lgx_store_deliveries_delivered_total', 'waste')!;
      const ownBefore = sample(before, 'lgx_deliveries_delivered_total', 'waste');

      const tx = createTransaction('waste.missedCollection', structuredClone(missed[0]) as never, { council: COUNCIL, channel: 'web' });
      await other.submit(tx);
      expect(sample(await metrics(), 'lgx_queue_depth', 'waste')).toBe(1);

      expect(sample(await metrics(), 'lgx_store_deliveries_in_flight', 'waste')).toBe(0);
      // While the other process's attempt is at the back office, it shows in flight here.
      h.waste.faults.latency(1500);
      other.start();
      await waitFor(async () => sample(await metrics(), 'lgx_store_deliveries_in_flight', 'waste') === 1, 'the attempt in flight');
      h.waste.faults.latency(0);
      await waitFor(async () => (await other.get(tx.id))?.state === 'delivered', 'delivery by the other stack');
      expect(sample(await metrics(), 'lgx_store_deliveries_in_flight', 'waste')).toBe(0);
      const after = await metrics();
      expect(sample(after, 'lgx_queue_depth', 'waste')).toBe(0);
      expect(sample(after, 'lgx_store_deliveries_delivered_total', 'waste')).toBe(deliveredBefore + 1);
      // The per-process counter stays this process's own: it did not deliver this one.
      expect(sample(after, 'lgx_deliveries_delivered_total', 'waste')).toBe(ownBefore);

      // A dead letter recorded by the other process shows too.
      expect(sample(after, 'lgx_store_dead_letters', 'waste')).toBe(0);
      h.waste.faults.failNext(1, { status: 400, body: { error: 'invalid', message: 'Refused' } });
      const refused = createTransaction('waste.missedCollection', structuredClone(missed[1]) as never, {
        council: COUNCIL,
        channel: 'phone',
      });
      await other.submit(refused);
      await waitFor(async () => (await other.get(refused.id))?.state === 'dead', 'a dead letter');
      expect(sample(await metrics(), 'lgx_store_dead_letters', 'waste')).toBe(1);
    } finally {
      await other.close();
      h.stack.start();
    }
  });
});
