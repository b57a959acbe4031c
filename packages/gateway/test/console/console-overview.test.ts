import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createSqliteStore, createStack } from '@lgx/runtime';
import { API_KEY, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';
import { waitFor } from '@lgx/testkit';
import { createApiKey, createMemoryKeyStore, startService, type Service } from '../../src';
import { ConsoleClient } from '../helpers/console-client';
import { COUNCIL, missedBin } from '../helpers/console-world';

/*
 * The console's overview per back office: its circuit in the serving process, and from the store
 * (every process's work) the queue, its oldest delivery, retries waiting and deliveries in the last hour.
 */

let sim: ExampleWasteSimulator;
let service: Service;
let dir: string;
let operatorKey: string;

beforeAll(async () => {
  sim = await startExampleWasteSimulator();
  dir = mkdtempSync(path.join(__dirname, '..', '.tmp-overview-'));
  const definition = await createStack({
    council: COUNCIL,
    adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: sim.url, apiKey: API_KEY } } },
    routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
  });
  service = await startService([definition], {
    store: () => createSqliteStore({ file: path.join(dir, 'lgx.db') }),
    keys: createMemoryKeyStore(),
    healthCheckIntervalMs: 3_600_000,
    // One failure opens the circuit, for long enough to read the page.
    worker: { pollIntervalMs: 20, breaker: { threshold: 1, cooldownMs: 600_000, maxCooldownMs: 600_000 } },
    polling: false,
    retention: false,
  });
  operatorKey = (await createApiKey(service.keys, { council: COUNCIL, scopes: ['operator'], label: 'duty operator' })).key;
});

afterAll(async () => {
  await service?.stop();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The text of each cell of the back office's row on the overview. */
async function overviewRow(client: ConsoleClient, target: string): Promise<string[]> {
  const page = await client.request('/console/overview');
  expect(page.status).toBe(200);
  const row = new RegExp(
    `<tr class="govuk-table__row">\\s*<th scope="row" class="govuk-table__header">${target}</th>([\\s\\S]*?)</tr>`,
  ).exec(page.text);
  if (!row) throw new Error(`no row for ${target} on the overview`);
  return [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
    cell[1]!
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

it("shows each back office's circuit in this process, and queue, oldest queued, retries and deliveries from the store", async () => {
  const client = new ConsoleClient(service.url);
  expect((await client.signIn(operatorKey)).status).toBe(303);
  const idle = await overviewRow(client, 'waste');
  // Health, circuit, queued, oldest queued, retrying now, dead letters, delivered in the last hour.
  expect(idle.slice(1)).toEqual(['Closed', '0', 'None queued', '0', '0', '0']);

  // The back office fails once: the circuit opens and the delivery waits to be tried again.
  sim.faults.failNext(1, { status: 503, body: { error: { code: 'UNAVAILABLE', message: 'down for maintenance' } } });
  const [stack] = service.stacks;
  const { id } = await stack!.submit(missedBin(COUNCIL, '100023336956', 'web'));
  await waitFor(async () => (await stack!.get(id))?.deliveries[0]?.attempts === 1, 'the first attempt recorded');
  const failing = await overviewRow(client, 'waste');
  expect(failing[1]).toBe('Open');
  expect(failing[2]).toBe('1');
  expect(failing[3]).toMatch(/^\d+ seconds? ago since \d{4}-\d{2}-\d{2}T/);
  expect(failing[4]).toBe('1');
  expect(failing[6]).toBe('0');

  // Another process sharing the store (as `lgx send` with its own worker would) delivers a
  // transaction: this gateway never saw it happen, yet the overview counts it.
  const other = createSqliteStore({ file: path.join(dir, 'lgx.db') });
  try {
    await other.migrate();
    const envelope = missedBin(COUNCIL, '100023336957', 'phone');
    const now = new Date();
    await other.insertTransaction({
      envelope,
      deliveries: [{ id: randomUUID(), target: 'waste', mode: 'one', order: 0, state: 'pending' }],
      audit: { actor: 'key-cli', action: 'transaction.accepted' },
      now,
    });
    // The gateway's circuit is open, so only the other process leases the waste back office now.
    const leased = await other.leaseDeliveries({ owner: 'other-process', limit: 10, leaseMs: 60_000, now, targets: ['waste'] });
    const mine = leased.find((d) => d.transactionId === envelope.id);
    expect(mine).toBeDefined();
    const at = new Date().toISOString();
    await other.completeAttempt({
      deliveryId: mine!.id,
      owner: 'other-process',
      attempt: { attempt: 1, startedAt: at, finishedAt: at, outcome: 'delivered' },
      outcome: { kind: 'delivered', receipt: { externalRef: 'WASTE-OTHER-1' } as never },
      now: new Date(),
    });
  } finally {
    await other.close();
  }
  const after = await overviewRow(client, 'waste');
  expect(after[6]).toBe('1');
  expect(after[1]).toBe('Open');
  const page = await client.request('/console/overview');
  expect(page.text).toContain("The circuit is this gateway process's own");
}, 60_000);
