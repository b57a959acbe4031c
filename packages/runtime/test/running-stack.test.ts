import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTransaction, LgxValidationError } from '@lgx/core';
import { loadFixtures, waitFor } from '@lgx/testkit';
import { createSqliteStore, createStack, openStack, verifyAuditChain, type DeliveryEvent, type RunningStack } from '../src';
import { stackInternals } from '../src/engine/stack-internals';
import { API_KEY, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
let dir: string;
let sim: ExampleWasteSimulator;
let stack: RunningStack;
let events: DeliveryEvent[];

const missed = loadFixtures('waste.missedCollection', { kind: 'valid' }).map((f) => f.data);
const tx = (i: number, key = `form-${i}`) =>
  createTransaction('waste.missedCollection', structuredClone(missed[i % missed.length]) as never, {
    council: 'E07000223',
    channel: 'web',
    idempotencyKey: key,
  });

beforeAll(async () => {
  sim = await startExampleWasteSimulator();
});
afterAll(() => sim.close());

beforeEach(async () => {
  sim.reset();
  events = [];
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-stack-'));
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
    polling: false,
    worker: { pollIntervalMs: 20, retry: { baseDelayMs: 10, maxDelayMs: 50, maxAttempts: 4 }, random: () => 1 },
    onEvent: (e) => events.push(e),
  });
});

afterEach(async () => {
  await stack.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const delivered = (id: string) => async () => (await stack.get(id))?.deliveries.every((d) => d.state === 'delivered') ?? false;

describe('a running stack', () => {
  it('accepts transactions durably and delivers each once to the vendor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await stack.submit(tx(i))).id);
    await waitFor(async () => (await Promise.all(ids.map((id) => delivered(id)()))).every(Boolean), 'ten deliveries');
    expect(sim.state.cases.size).toBe(10);
    const view = (await stack.get(ids[0]!))!;
    expect(view.deliveries[0]).toMatchObject({
      target: 'waste',
      state: 'delivered',
      attempts: 1,
      receipt: { externalRef: expect.stringMatching(/^MC-/) },
    });
    expect(view.deliveries[0]!.attemptLog).toEqual([expect.objectContaining({ attempt: 1, outcome: 'delivered' })]);
    const audit = await stackInternals(stack).store.listAudit('E07000223');
    expect(verifyAuditChain(audit)).toEqual({ ok: true });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['transaction.accepted']));
    // Personal data never reaches the audit trail.
    expect(JSON.stringify(audit)).not.toContain('alex.example@example.com');
  });

  it('answers the same idempotency key with the same id and delivers once', async () => {
    const first = await stack.submit(tx(0, 'same-key'));
    const second = await stack.submit(tx(0, 'same-key'));
    expect(second).toEqual({ id: first.id, duplicate: true });
    await waitFor(delivered(first.id), 'delivery');
    expect(sim.state.cases.size).toBe(1);
  });

  it('retries a failing vendor by the error class and records every attempt', async () => {
    sim.faults.failNext(2, { status: 503 });
    const { id } = await stack.submit(tx(1));
    await waitFor(delivered(id), 'delivery after retries');
    const log = (await stack.get(id))!.deliveries[0]!.attemptLog;
    expect(log.map((a) => [a.attempt, a.outcome, a.classification])).toEqual([
      [1, 'failed', 'retryable'],
      [2, 'failed', 'retryable'],
      [3, 'delivered', undefined],
    ]);
    expect(events.filter((e) => e.kind === 'retry')).toHaveLength(2);
  });

  it('dead-letters a permanent rejection at once, and a replay delivers it', async () => {
    sim.faults.failNext(1, { status: 400, body: { error: { code: 'INVALID_SERVICE', message: 'unknown service' } } });
    const { id } = await stack.submit(tx(2));
    await waitFor(async () => (await stackInternals(stack).store.listDeadLetters()).length === 1, 'dead letter');
    const [dead] = await stackInternals(stack).store.listDeadLetters();
    expect(dead).toMatchObject({ transactionId: id, state: 'dead', attempts: 1, lastError: { classification: 'permanent' } });
    expect(
      await stackInternals(stack).store.replayDeadLetter(dead!.id, {
        actor: 'officer-17',
        reason: 'vendor fixed its service list',
        now: new Date(),
      }),
    ).toBe(true);
    stackInternals(stack).worker.notify();
    await waitFor(delivered(id), 'replayed delivery');
    const audit = await stackInternals(stack).store.listAudit('E07000223', { transactionId: id });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['transaction.accepted', 'delivery.dead']));
    expect(audit.find((a) => a.actor === 'officer-17')).toMatchObject({
      details: expect.objectContaining({ reason: 'vendor fixed its service list' }),
    });
  });

  it('replays a dead letter with an edited transaction, validated again and audited', async () => {
    sim.faults.failNext(1, { status: 400, body: { error: { code: 'INVALID_UPRN' } } });
    const original = tx(4);
    const { id } = await stack.submit(original);
    await waitFor(async () => (await stack.dlq.list()).length === 1, 'dead letter');
    const [dead] = await stack.dlq.list();
    expect(await stack.dlq.show(dead!.id)).toMatchObject({
      state: 'dead',
      attemptLog: [expect.objectContaining({ classification: 'permanent' })],
    });
    await expect(
      stack.dlq.replay(dead!.id, {
        actor: 'officer-9',
        reason: 'typo',
        envelope: { ...original, data: { ...(original.data as object), uprn: '0' } },
      }),
    ).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: '/data/uprn', rule: 'pattern' })],
    });
    await expect(
      stack.dlq.replay(dead!.id, {
        actor: 'officer-9',
        reason: 'wrong type',
        envelope: createTransaction(
          'street.report',
          { kind: 'pothole', description: 'x', location: { usrn: '8400709' } },
          { council: 'E07000223' },
        ),
      }),
    ).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: '/type', rule: 'unchanged' })],
    });
    const fixed = { ...original, data: { ...(original.data as object), uprn: '100090215999' } };
    expect(await stack.dlq.replay(dead!.id, { actor: 'officer-9', reason: 'corrected the UPRN', envelope: fixed })).toBe(true);
    await waitFor(delivered(id), 'replayed delivery');
    expect(JSON.parse(sim.requests.filter((r) => r.method === 'POST').at(-1)!.body).uprn).toBe('100090215999');
    expect(await stack.dlq.list()).toEqual([]);
  });

  it('discards a dead letter, audited with actor and reason', async () => {
    sim.faults.failNext(1, { status: 401 });
    await stack.submit(tx(5));
    await waitFor(async () => (await stack.dlq.list()).length === 1, 'dead letter');
    const [dead] = await stack.dlq.list();
    expect(await stack.dlq.discard(dead!.id, { actor: 'officer-3', reason: 'duplicate of a phone report' })).toBe(true);
    expect(await stack.dlq.list()).toEqual([]);
    const audit = await stackInternals(stack).store.listAudit('E07000223', { transactionId: dead!.transactionId });
    expect(audit.at(-1)).toMatchObject({ actor: 'officer-3', details: expect.objectContaining({ reason: 'duplicate of a phone report' }) });
  });

  it('gives up after the attempt cap and dead-letters with the last error', async () => {
    sim.faults.failNext(10, { status: 500 });
    const { id } = await stack.submit(tx(3));
    await waitFor(async () => (await stack.get(id))!.deliveries[0]!.state === 'dead', 'dead letter after the cap');
    expect((await stack.get(id))!.deliveries[0]).toMatchObject({
      attempts: 4,
      lastError: expect.objectContaining({ classification: 'retryable' }),
    });
  });

  it('routes vendor pushes to the adapter, refusing adapters that take none', async () => {
    const push = { headers: { 'content-type': 'application/json' }, body: new TextEncoder().encode('{}') };
    await expect(stack.handleCallback('waste', push)).rejects.toMatchObject({
      code: 'LGX_ERR_ADAPTER_OPERATION_UNSUPPORTED',
      message: "adapter 'waste' does not accept callbacks",
    });
    await expect(stack.handleCallback('pay', push)).rejects.toMatchObject({
      code: 'LGX_ERR_ADAPTER_OPERATION_UNSUPPORTED',
      message: "this stack has no adapter 'pay'",
    });
  });

  it('refuses invalid input and unrouted types, storing nothing', async () => {
    await expect(stack.submit({ ...tx(0), council: 'nope' })).rejects.toBeInstanceOf(LgxValidationError);
    const report = createTransaction(
      'street.report',
      { kind: 'pothole', description: 'Pothole', location: { usrn: '8400709' } },
      { council: 'E07000223' },
    );
    await expect(stack.submit(report)).rejects.toMatchObject({ code: 'LGX_ERR_RUNTIME_NO_ROUTE' });
    expect(await stackInternals(stack).store.getTransaction(report.id)).toBeUndefined();
  });
});
