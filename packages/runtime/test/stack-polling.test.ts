import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTransaction } from '@lgx/core';
import { loadFixtures } from '@lgx/testkit';
import {
  createSqliteStore,
  createStack,
  openStack,
  type OpenStackOptions,
  type RunningStack,
  type Store,
  type StoredStatusUpdate,
} from '../src';
import { API_KEY, progressCase, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';

/*
 * openStack polls the back offices for status by itself: nobody has to start a poller beside it, and
 * close() stops it. `polling: false` leaves it stopped.
 */

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data;
let sim: ExampleWasteSimulator;
let dir: string;
let stack: RunningStack | undefined;
let store: Store;

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const changeFeedCalls = () => sim.requests.filter((r) => r.path === '/v1/changes').length;

async function open(polling: OpenStackOptions['polling']): Promise<RunningStack> {
  const definition = await createStack(
    {
      council: 'E07000223',
      adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: sim.url, apiKey: '${env:EXAMPLE_WASTE_KEY}' } } },
      routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
    },
    { env: { EXAMPLE_WASTE_KEY: API_KEY } },
  );
  store = createSqliteStore({ file: path.join(dir, 'lgx.db') });
  stack = await openStack(definition, {
    store,
    resolveFrom: repoRoot,
    worker: { pollIntervalMs: 20 },
    ...(polling === undefined ? {} : { polling }),
  });
  return stack;
}

/** Submits a missed bin and resolves its id and the vendor's case reference once it is delivered. */
async function deliverOne(running: RunningStack, key: string): Promise<{ id: string; ref: string }> {
  const { id } = await running.submit(
    createTransaction('waste.missedCollection', structuredClone(missed) as never, { council: 'E07000223', idempotencyKey: key }),
  );
  await waitFor(async () => (await running.get(id))?.deliveries[0]?.state === 'delivered', 'the delivery');
  return { id, ref: (await running.get(id))!.deliveries[0]!.receipt!.externalRef };
}

const statuses = async (running: RunningStack, id: string) => (await running.get(id))!.statusUpdates.map((u) => u.update.status);

beforeAll(async () => {
  sim = await startExampleWasteSimulator();
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-stack-polling-'));
});
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('openStack and status polling', () => {
  it('polls by itself: a status change in the back office reaches the transaction and its listeners with no poller started by the caller', async () => {
    const running = await open({ intervalMs: 50 });
    const heard: StoredStatusUpdate[] = [];
    running.onStatusUpdate((u) => heard.push(u));
    const { id, ref } = await deliverOne(running, 'polls-itself');
    progressCase(sim, ref, 'scheduled', 'Crew booked for Thursday');

    await waitFor(async () => (await statuses(running, id)).includes('action_scheduled'), 'the scheduled status');
    expect(await statuses(running, id)).toEqual(['open', 'action_scheduled']);
    expect(heard.map((u) => [u.transactionId, u.update.status])).toEqual([
      [id, 'open'],
      [id, 'action_scheduled'],
    ]);
  });

  it('polls every 60 s by default, the first round as it opens', async () => {
    await open(undefined);
    await waitFor(() => changeFeedCalls() === 1, 'the first round');
    await new Promise((r) => setTimeout(r, 300));
    expect(changeFeedCalls()).toBe(1);
  });

  it('with polling: false, never calls the change feed until asked, and pollOnce or start then sees the change', async () => {
    const running = await open(false);
    const { id, ref } = await deliverOne(running, 'no-polling');
    progressCase(sim, ref, 'completed');
    // A started poller runs its first round as the stack opens.
    await new Promise((r) => setTimeout(r, 300));
    expect(changeFeedCalls()).toBe(0);
    expect(await statuses(running, id)).toEqual([]);

    expect(await running.polling.pollOnce()).toBe(2);
    expect(await statuses(running, id)).toEqual(['open', 'fixed']);
  });

  it('with start: false, polls on its interval once polling.start() is called', async () => {
    const running = await open({ intervalMs: 30, start: false });
    const { id, ref } = await deliverOne(running, 'started-later');
    progressCase(sim, ref, 'scheduled');
    await new Promise((r) => setTimeout(r, 200));
    expect(changeFeedCalls()).toBe(0);

    running.polling.start();
    await waitFor(async () => (await statuses(running, id)).includes('action_scheduled'), 'the scheduled status');
    progressCase(sim, ref, 'completed');
    await waitFor(async () => (await statuses(running, id)).includes('fixed'), 'the next round');
  });

  it('close() stops polling: no call to the back office after it resolves, even with the store left open', async () => {
    const running = await open({ intervalMs: 20 });
    await waitFor(() => changeFeedCalls() >= 3, 'a few rounds');
    await running.close({ closeStore: false });
    stack = undefined;
    const after = changeFeedCalls();
    await new Promise((r) => setTimeout(r, 200));
    expect(changeFeedCalls()).toBe(after);
    await store.close();
  });
});
