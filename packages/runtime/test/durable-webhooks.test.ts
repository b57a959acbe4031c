import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createTransaction } from '@lgx/core';
import { loadFixtures, waitFor } from '@lgx/testkit';
import { StatusEvents, StatusPoller, createSqliteStore, createStack, openStack, verifyWebhookSignature, type RunningStack } from '../src';
import { stackInternals } from '../src/engine/stack-internals';
import { API_KEY, progressCase, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const SECRET = 'subscriber-shared-secret-0001';
let sim: ExampleWasteSimulator;
let dir: string;
let stack: RunningStack;
let server: http.Server;
let url: string;
let answers: number[];
const received: Array<{ body: string; signature: string | undefined }> = [];

beforeAll(async () => {
  sim = await startExampleWasteSimulator();
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const status = answers.shift() ?? 200;
      if (status === 200) received.push({ body, signature: req.headers['lgx-signature'] as string | undefined });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/lgx`;
});
afterAll(async () => {
  await sim.close();
  await new Promise((r) => server.close(r));
});

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-webhooks-'));
  received.length = 0;
  answers = [];
});
afterEach(async () => {
  await stack.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A stack delivering to Example Waste, with the test server as its one webhook subscriber. */
async function openWebhookStack(events?: StatusEvents): Promise<RunningStack> {
  const definition = await createStack(
    {
      council: 'E07000223',
      adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: sim.url, apiKey: '${env:KEY}' } } },
      routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
    },
    { env: { KEY: API_KEY } },
  );
  return openStack(definition, {
    store: createSqliteStore({ file: path.join(dir, 'lgx.db') }),
    resolveFrom: repoRoot,
    webhooks: [{ id: 'crm', url, secret: SECRET }],
    ...(events ? { events } : {}),
    polling: false,
    worker: { pollIntervalMs: 20, retry: { baseDelayMs: 10, maxDelayMs: 20 }, random: () => 1 },
  });
}

it('publishes a vendor status change to a subscriber through the durable engine, retrying until it answers', async () => {
  const events = new StatusEvents();
  stack = await openWebhookStack(events);
  const data = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data;
  const { id } = await stack.submit(
    createTransaction('waste.missedCollection', data as never, { council: 'E07000223', idempotencyKey: 'hook-1' }),
  );
  await waitFor(async () => (await stack.get(id))!.deliveries[0]!.state === 'delivered', 'delivery');
  const ref = (await stack.get(id))!.deliveries[0]!.receipt!.externalRef;

  answers = [500, 503];
  progressCase(sim, ref, 'completed', 'Collected');
  const poller = new StatusPoller({ store: stackInternals(stack).store, adapters: stack.adapters, events });
  await poller.pollOnce();
  // The first poll brings both changes the vendor made (logged, then completed): two notifications.
  await waitFor(() => received.length === 2, 'the webhooks');

  const { body, signature } = received.find((r) => r.body.includes('"fixed"'))!;
  expect(verifyWebhookSignature(body, signature, SECRET)).toBe(true);
  expect(verifyWebhookSignature(body.replace('fixed', 'closed'), signature, SECRET)).toBe(false);
  expect(JSON.parse(body)).toMatchObject({
    type: 'lgx.statusUpdate',
    council: 'E07000223',
    sentFor: id,
    update: { externalRef: ref, status: 'fixed', externalStatusCode: 'completed' },
  });

  // The notification is a transaction of its own: its attempts are on record, retried by class.
  const dead = await stackInternals(stack).store.listDeadLetters();
  expect(dead).toEqual([]);
  const audit = await stackInternals(stack).store.listAudit('E07000223');
  const published = audit.filter((a) => a.action === 'status.published');
  expect(published).toHaveLength(2);
  // The subscriber has answered; the worker records that a moment later.
  await waitFor(
    async () =>
      (await Promise.all(published.map(async (p) => (await stack.get(p.transactionId!))!.deliveries[0]!.state))).every(
        (s) => s === 'delivered',
      ),
    'the notifications recorded as delivered',
  );
  const views = await Promise.all(published.map(async (p) => (await stack.get(p.transactionId!))!));
  expect(views.map((v) => [v.transaction.type, v.deliveries[0]!.state])).toEqual([
    ['statusUpdate', 'delivered'],
    ['statusUpdate', 'delivered'],
  ]);
  const log = views.flatMap((v) => v.deliveries[0]!.attemptLog);
  expect(log.filter((a) => a.outcome === 'failed').map((a) => a.classification)).toEqual(['retryable', 'retryable']);
  expect(log.filter((a) => a.outcome === 'delivered')).toHaveLength(2);
  const view = views[0]!;
  // Publishing the same stored update again is a duplicate, not a second notification.
  const [stored] = await stackInternals(stack).store.listStatusUpdates(id);
  expect(await stack.publish(stored!)).toMatchObject({ duplicate: true });
  // The secret never reaches the record.
  expect(JSON.stringify(view)).not.toContain(SECRET);
});

it('sends a pushed status update (recordStatusUpdate) to subscribers and webhooks like a polled one, once', async () => {
  // No emitter given: the stack's own carries pushed updates to its subscribers and webhooks.
  stack = await openWebhookStack();
  const heard: number[] = [];
  const stop = stack.onStatusUpdate((u) => heard.push(u.id));
  const data = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data;
  const { id } = await stack.submit(
    createTransaction('waste.missedCollection', data as never, { council: 'E07000223', idempotencyKey: 'pushed-1' }),
  );
  const pushed = {
    transactionId: id,
    externalRef: id,
    updateId: 'fms-1',
    status: 'fixed' as const,
    updatedAt: new Date().toISOString(),
    description: 'Filled in',
  };

  const first = await stack.recordStatusUpdate({ target: 'open311-client', update: pushed });
  expect(first).toMatchObject({
    duplicate: false,
    update: { transactionId: id, target: 'open311-client', update: { status: 'fixed', source: 'open311-client' } },
  });
  await waitFor(() => received.length === 1, 'the webhook');
  expect(JSON.parse(received[0]!.body)).toMatchObject({
    type: 'lgx.statusUpdate',
    sentFor: id,
    update: { externalRef: id, updateId: 'fms-1', status: 'fixed' },
  });
  expect(heard).toEqual([first.update!.id]);

  // The same update again is the earlier one: stored, heard and sent once.
  expect(await stack.recordStatusUpdate({ target: 'open311-client', update: pushed })).toEqual({ duplicate: true, update: first.update });
  expect((await stack.get(id))!.statusUpdates.map((u) => u.id)).toEqual([first.update!.id]);
  await new Promise((r) => setTimeout(r, 200));
  expect([heard.length, received.length]).toEqual([1, 1]);
  stop();

  // An update that breaks the statusUpdate schema is refused, naming the field, and nothing is stored.
  await expect(
    stack.recordStatusUpdate({ target: 'open311-client', update: { ...pushed, updateId: 'fms-2', status: 'mended' as never } }),
  ).rejects.toMatchObject({
    code: 'LGX_ERR_VALIDATION_INVALID',
    issues: [expect.objectContaining({ path: '/status' })],
  });
  expect((await stack.get(id))!.statusUpdates).toHaveLength(1);
});
