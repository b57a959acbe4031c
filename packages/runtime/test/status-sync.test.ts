import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createLogger, createTransaction, type AdapterInstance, type LogEntry } from '@lgx/core';
import { loadFixtures, waitFor } from '@lgx/testkit';
import { createSqliteStore, createStack, openStack, verifyAuditChain, type RunningStack, type StoredStatusUpdate } from '../src';
import {
  createCallbackHandler,
  pollCursorName,
  purgeFinished,
  signWebhook,
  startRetention,
  StatusEvents,
  StatusPoller,
  verifyWebhookSignature,
  type DurableWebhookBody,
} from '../src/sync';
import { stackInternals } from '../src/engine/stack-internals';
import { API_KEY, progressCase, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const DAY_MS = 24 * 60 * 60 * 1000;
let dir: string;
let sim: ExampleWasteSimulator;
let stack: RunningStack;

const missed = loadFixtures('waste.missedCollection', { kind: 'valid' }).map((f) => f.data);
const tx = (i: number, key = `form-${i}`) =>
  createTransaction('waste.missedCollection', structuredClone(missed[i % missed.length]) as never, {
    council: 'E07000223',
    channel: 'web',
    idempotencyKey: key,
  });

/** Submits one transaction, waits for its delivery and returns its id and the vendor's reference. */
async function deliverOne(i = 0): Promise<{ id: string; ref: string }> {
  const { id } = await stack.submit(tx(i));
  await waitFor(async () => (await stack.get(id))?.deliveries.every((d) => d.state === 'delivered') ?? false, 'delivery');
  const ref = (await stack.get(id))!.deliveries[0]!.receipt!.externalRef;
  return { id, ref };
}

/** A webhook receiver on 127.0.0.1 answering each request with the next scripted status (then 200). */
async function startReceiver(script: number[] = []) {
  const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(script.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/lgx-hook`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

beforeAll(async () => {
  sim = await startExampleWasteSimulator();
});
afterAll(() => sim.close());

beforeEach(async () => {
  sim.reset();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-sync-'));
  const definition = await createStack(
    {
      council: 'E07000223',
      adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: sim.url, apiKey: '${env:EXAMPLE_WASTE_KEY}' } } },
      routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
    },
    { env: { EXAMPLE_WASTE_KEY: API_KEY } },
  );
  stack = await openStack(definition, {
    store: createSqliteStore({ file: path.join(dir, 'lgx.db') }),
    resolveFrom: repoRoot,
    // These tests run their own pollers.
    polling: false,
    worker: { pollIntervalMs: 20, retry: { baseDelayMs: 10, maxDelayMs: 50, maxAttempts: 4 }, random: () => 1 },
  });
});

afterEach(async () => {
  await stack.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('status polling', () => {
  it('stores canonical updates linked to the transaction and persists the cursor', async () => {
    const { id, ref } = await deliverOne();
    progressCase(sim, ref, 'scheduled', 'Crew booked for Thursday');

    const poller = new StatusPoller({ store: stackInternals(stack).store, adapters: stack.adapters });
    // The vendor's change feed holds the case's creation and the crew booking.
    expect(await poller.pollOnce()).toBe(2);
    const updates = (await stack.get(id, { personalData: true }))!.statusUpdates;
    expect(updates.map((u) => u.update)).toEqual([
      expect.objectContaining({ externalRef: ref, status: 'open', externalStatusCode: 'logged', source: 'template' }),
      expect.objectContaining({
        externalRef: ref,
        status: 'action_scheduled',
        externalStatusCode: 'scheduled',
        description: 'Crew booked for Thursday',
      }),
    ]);
    expect(updates.every((u) => u.transactionId === id && u.target === 'waste')).toBe(true);
    expect(await stackInternals(stack).store.getCursor(pollCursorName('waste'))).toBe('2');

    // A new poller (a restart) carries on from the stored cursor: nothing is read or saved twice.
    const before = sim.requests.length;
    const restarted = new StatusPoller({ store: stackInternals(stack).store, adapters: stack.adapters });
    expect(await restarted.pollOnce()).toBe(0);
    expect((await stack.get(id))!.statusUpdates).toHaveLength(2);
    expect(sim.requests.slice(before).map((r) => [r.path, r.query])).toEqual([['/v1/changes', { since: '2' }]]);

    progressCase(sim, ref, 'completed');
    expect(await restarted.pollOnce()).toBe(1);
    expect((await stack.get(id))!.statusUpdates.at(-1)!.update).toMatchObject({ status: 'fixed', updateId: '3' });
  });

  it('logs a failed poll without secrets and succeeds on the next round', async () => {
    const { id } = await deliverOne();
    const logs: LogEntry[] = [];
    const logger = createLogger({ sink: (e) => logs.push(e), level: 'debug', secrets: [API_KEY] });
    const poller = new StatusPoller({ store: stackInternals(stack).store, adapters: stack.adapters, logger });
    sim.faults.failNext(1, { status: 503 });
    expect(await poller.pollOnce()).toBe(0);
    expect(logs).toEqual([expect.objectContaining({ level: 'warn', target: 'waste' })]);
    expect(JSON.stringify(logs)).not.toContain(API_KEY);
    expect(await stackInternals(stack).store.getCursor(pollCursorName('waste'))).toBeUndefined();
    expect(await poller.pollOnce()).toBe(1);
    expect((await stack.get(id))!.statusUpdates).toHaveLength(1);
  });

  it('polls on an interval once started, and stops', async () => {
    const { id, ref } = await deliverOne();
    const poller = new StatusPoller({ store: stackInternals(stack).store, adapters: stack.adapters, intervalMs: 20 });
    poller.start();
    try {
      await waitFor(async () => (await stack.get(id))!.statusUpdates.length === 1, 'first polled update');
      progressCase(sim, ref, 'scheduled');
      await waitFor(async () => (await stack.get(id))!.statusUpdates.length === 2, 'second polled update');
    } finally {
      await poller.stop();
    }
  });
});

describe('callbacks', () => {
  it('stores the updates an adapter makes of a push, once, and answers with its status', async () => {
    const { id, ref } = await deliverOne();
    const pushed: AdapterInstance = {
      async handleCallback(request) {
        const body = JSON.parse(Buffer.from(request.body).toString('utf8')) as { case: string; state: string };
        return {
          status: 202,
          updates: [
            {
              externalRef: body.case,
              updateId: 'push-1',
              status: 'fixed',
              externalStatusCode: body.state,
              updatedAt: new Date().toISOString(),
            },
          ],
        };
      },
    };
    const events = new StatusEvents();
    const seen: StoredStatusUpdate[] = [];
    events.on('statusUpdate', (u) => seen.push(u));
    const handleCallback = createCallbackHandler({ store: stackInternals(stack).store, adapters: new Map([['waste', pushed]]), events });
    const request = {
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ case: ref, state: 'completed' })),
    };

    const first = await handleCallback('waste', request);
    expect(first).toMatchObject({ status: 202, stored: [expect.objectContaining({ transactionId: id })] });
    // The vendor sends the same push again: answered the same, stored and notified once.
    expect(await handleCallback('waste', request)).toEqual({ status: 202, stored: [] });
    expect((await stack.get(id))!.statusUpdates).toHaveLength(1);
    expect(seen).toHaveLength(1);

    await expect(handleCallback('nope', request)).rejects.toMatchObject({ code: 'LGX_ERR_ADAPTER_OPERATION_UNSUPPORTED' });
    // The template adapter polls and does not take pushes.
    await expect(
      createCallbackHandler({ store: stackInternals(stack).store, adapters: stack.adapters })('waste', request),
    ).rejects.toMatchObject({ code: 'LGX_ERR_ADAPTER_OPERATION_UNSUPPORTED' });
  });
});

describe('subscribers', () => {
  const secret = 'whsec-test-0123456789';

  /** Reopens the test's stack with a webhook subscriber at `url`, fed by `events`. */
  async function subscribe(url: string, events: StatusEvents, maxAttempts = 4): Promise<void> {
    await stack.close();
    stack = await openStack(stack.definition, {
      store: createSqliteStore({ file: path.join(dir, 'subscribed.db') }),
      resolveFrom: repoRoot,
      webhooks: [{ id: 'crm', url, secret }],
      events,
      // These tests poll when they choose: the stack's own first round would publish the case's creation.
      polling: false,
      worker: { pollIntervalMs: 20, retry: { baseDelayMs: 10, maxDelayMs: 50, maxAttempts }, random: () => 1 },
    });
  }

  it('sends each new update to in-process listeners and as a signed webhook', async () => {
    const receiver = await startReceiver();
    const events = new StatusEvents();
    const seen: StoredStatusUpdate[] = [];
    events.on('statusUpdate', (u) => seen.push(u));
    try {
      await subscribe(receiver.url, events);
      const { id } = await deliverOne();
      await new StatusPoller({ store: stackInternals(stack).store, adapters: stack.adapters, events }).pollOnce();
      await waitFor(() => receiver.received.length === 1, 'the webhook');
      expect(seen).toEqual([expect.objectContaining({ transactionId: id, target: 'waste' })]);
      expect(receiver.received).toHaveLength(1);
      const [hit] = receiver.received;
      const header = hit!.headers['lgx-signature'] as string;
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(hit!.headers['content-type']).toBe('application/json');
      expect(verifyWebhookSignature(hit!.body, header, secret, { toleranceSeconds: 300 })).toBe(true);
      const body = JSON.parse(hit!.body) as DurableWebhookBody;
      expect(body).toMatchObject({ type: 'lgx.statusUpdate', council: 'E07000223', sentFor: id, update: { status: 'open' } });

      // A tampered body, the wrong secret, or a stale timestamp all fail.
      expect(verifyWebhookSignature(hit!.body.replace('"open"', '"closed"'), header, secret)).toBe(false);
      expect(verifyWebhookSignature(hit!.body, header, 'another-secret')).toBe(false);
      expect(verifyWebhookSignature(hit!.body, header, secret, { toleranceSeconds: 300, now: new Date(Date.now() + 10 * 60_000) })).toBe(
        false,
      );
      expect(verifyWebhookSignature(hit!.body, undefined, secret)).toBe(false);
      expect(verifyWebhookSignature(hit!.body, 't=1,v1=zz', secret)).toBe(false);
    } finally {
      await receiver.close();
    }
  });

  it('retries a failing endpoint with backoff: 500, 500, then 200 gets the update on the third try', async () => {
    const receiver = await startReceiver([500, 500]);
    const events = new StatusEvents();
    try {
      await subscribe(receiver.url, events);
      const { ref } = await deliverOne();
      // The case's creation is read before anyone subscribes; only the crew booking is sent.
      await new StatusPoller({ store: stackInternals(stack).store, adapters: stack.adapters }).pollOnce();
      const poller = new StatusPoller({ store: stackInternals(stack).store, adapters: stack.adapters, events });
      progressCase(sim, ref, 'scheduled');
      expect(await poller.pollOnce()).toBe(1);
      await waitFor(() => receiver.received.length === 3, 'the third try');
      expect(receiver.received).toHaveLength(3);
      expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
      for (const r of receiver.received) expect(verifyWebhookSignature(r.body, r.headers['lgx-signature'] as string, secret)).toBe(true);
      expect(JSON.parse(receiver.received[2]!.body)).toMatchObject({ update: { status: 'action_scheduled' } });
    } finally {
      await receiver.close();
    }
  });

  it('gives up after the attempt cap', async () => {
    const receiver = await startReceiver([500, 500, 500, 500]);
    const events = new StatusEvents();
    try {
      await subscribe(receiver.url, events, 3);
      await deliverOne();
      await new StatusPoller({ store: stackInternals(stack).store, adapters: stack.adapters, events }).pollOnce();
      await waitFor(async () => (await stack.dlq.list({ target: 'webhook:crm' })).length === 1, 'the dead letter');
      expect(receiver.received).toHaveLength(3);
      const [dead] = await stack.dlq.list({ target: 'webhook:crm' });
      expect(dead).toMatchObject({
        target: 'webhook:crm',
        attempts: 3,
        lastError: { classification: 'retryable', message: expect.stringContaining('500') },
      });
      expect((await stack.dlq.show(dead!.id))!.attemptLog.map((a) => a.outcome)).toEqual(['failed', 'failed', 'failed']);
    } finally {
      await receiver.close();
    }
  });

  it('signs what verifyWebhookSignature accepts', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const header = signWebhook('{"a":1}', secret, now);
    expect(header.startsWith(`t=${now.getTime() / 1000},v1=`)).toBe(true);
    expect(verifyWebhookSignature('{"a":1}', header, secret, { now })).toBe(true);
    expect(verifyWebhookSignature(Buffer.from('{"a":1}'), header, secret, { now })).toBe(true);
    expect(verifyWebhookSignature('{"a":2}', header, secret, { now })).toBe(false);
  });
});

describe('retention', () => {
  it('purges the envelope of a finished transaction older than the cutoff; its audit chain still verifies', async () => {
    const { id } = await deliverOne();
    // Not yet old enough.
    expect(await purgeFinished(stackInternals(stack).store, { olderThanDays: 30 })).toBe(0);
    expect((await stack.get(id))!.transaction.envelope).toBeDefined();

    expect(await purgeFinished(stackInternals(stack).store, { olderThanDays: 30, now: new Date(Date.now() + 31 * DAY_MS) })).toBe(1);
    const view = (await stack.get(id))!;
    expect(view.transaction.envelope).toBeUndefined();
    expect(view.transaction.purgedAt).toEqual(expect.any(String));
    expect(view.deliveries[0]).toMatchObject({ state: 'delivered' });
    const audit = await stackInternals(stack).store.listAudit('E07000223');
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['transaction.accepted', 'transaction.purged']));
    expect(verifyAuditChain(audit)).toEqual({ ok: true });
  });

  it('keeps a transaction still waiting for delivery, and runs on a schedule', async () => {
    await stack.stopDelivering();
    const { id: waiting } = await stack.submit(tx(1));
    const job = startRetention({ store: stackInternals(stack).store, days: 0, intervalMs: 20 });
    try {
      await new Promise((r) => setTimeout(r, 60));
      expect((await stack.get(waiting))!.transaction.envelope).toBeDefined();
      stack.start();
      await waitFor(async () => (await stack.get(waiting))!.transaction.envelope === undefined, 'scheduled purge after delivery');
    } finally {
      await job.stop();
    }
    expect(verifyAuditChain(await stackInternals(stack).store.listAudit('E07000223'))).toEqual({ ok: true });
  });
});
