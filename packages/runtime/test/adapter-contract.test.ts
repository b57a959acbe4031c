/**
 * What the runtime stores from an adapter it cannot trust to be careful: a careless adapter against a
 * real vendor simulator, with the delivery worker, the status poller and a SQLite file store. Personal
 * data the adapter puts in its errors is scrubbed before anything is stored; a receipt or status update
 * that breaks its schema is refused with a contract error naming the field.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createLogger,
  createTransaction,
  defineAdapter,
  PermanentError,
  type AdapterInstance,
  type LogEntry,
  type Receipt,
  type StatusUpdate,
} from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { loadFixtures, reply, startRestSimulator } from '@lgx/testkit';
import { createSqliteStore, StatusPoller, type Store } from '../src';
import { DeliveryWorker } from '../src/engine/delivery-worker';
import { personalDataScrubber } from '../src/engine/personal-data-scrubber';

type Mode = 'careful' | 'name-in-error' | 'bad-receipt';

async function startVendor() {
  return startRestSimulator({
    name: 'careless-vendor',
    state: () => ({ next: 1 }),
    routes: [
      // The vendor refuses reports from people it does not know, and says who (as some back offices do).
      {
        method: 'POST',
        path: '/refuse',
        handler: (req) => reply(422, { error: `no resident ${(req.json as { name: string }).name} on the register` }),
      },
      { method: 'POST', path: '/reports', handler: (_req, { state }) => ({ status: 201, body: { id: `R-${state.next++}` } }) },
      // The latest report is done; the feed gives its time once properly and once as free text.
      {
        method: 'GET',
        path: '/changes',
        handler: (_req, { state }) => ({
          status: 200,
          body: {
            changes: [
              { id: `R-${state.next - 1}`, status: 'done', at: '2026-12-01T10:00:00Z' },
              { id: `R-${state.next - 1}`, status: 'done', at: 'yesterday' },
            ],
          },
        }),
      },
    ],
  });
}
type Vendor = Awaited<ReturnType<typeof startVendor>>;

const careless = defineAdapter({
  manifest: { id: 'careless', vendor: 'Example', product: 'Careless', version: '1.0.0', sdk: '^1.0.0', domains: ['street'] },
  configSchema: {
    type: 'object',
    required: ['baseUrl', 'mode'],
    additionalProperties: false,
    properties: { baseUrl: { type: 'string' }, mode: { type: 'string' } },
  },
  capabilities: [{ type: 'street.report', versions: [1], operations: ['submit', 'pollUpdates'], idempotency: 'key' }],
  create: (context, config: { baseUrl: string; mode: Mode }) => {
    const http = context.http({ baseUrl: config.baseUrl });
    return {
      submit: async (tx, { signal }) => {
        const person = tx.data.requester?.person;
        const name = `${person?.givenName ?? ''} ${person?.familyName ?? ''}`;
        if (config.mode === 'name-in-error') {
          try {
            await http.post('/refuse', { json: { name }, signal });
          } catch (error) {
            throw new PermanentError(`report for ${name} <${person?.email ?? ''}> refused: ${(error as Error).message}`, {
              details: { reporter: name },
            });
          }
        }
        const res = await http.post<{ id: string }>('/reports', {
          json: { kind: tx.data.kind },
          idempotencyKey: tx.idempotencykey,
          signal,
        });
        return config.mode === 'bad-receipt'
          ? ({ externalRef: res.data.id, status: 'logged' } as unknown as Receipt)
          : { externalRef: res.data.id, status: 'open' };
      },
      pollUpdates: async (_cursor, { signal }) => {
        const res = await http.get<{ changes: Array<{ id: string; status: string; at: string }> }>('/changes', { signal });
        return {
          updates: res.data.changes.map((c): StatusUpdate => ({
            externalRef: c.id,
            status: 'fixed',
            externalStatusCode: c.status,
            updatedAt: c.at,
          })),
          cursor: 'end',
        };
      },
    };
  },
});

const pothole = loadFixtures('street.report', { kind: 'valid' }).find((f) => f.name === 'pothole-with-coordinates')!.data;

let vendor: Vendor;
let dir: string;
let store: Store;

beforeAll(async () => {
  vendor = await startVendor();
});
afterAll(() => vendor.close());
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-contract-'));
  store = createSqliteStore({ file: path.join(dir, 'lgx.db') });
  await store.migrate();
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function deliverOnce(mode: Mode) {
  const created = await instantiateAdapter(careless, { baseUrl: vendor.url, mode }, { council: 'E07000223', retry: false });
  const instance = created.instance as unknown as AdapterInstance;
  const envelope = createTransaction('street.report', structuredClone(pothole) as never, {
    council: 'E07000223',
    channel: 'web',
    idempotencyKey: `contract-${mode}`,
  });
  const { id } = await store.insertTransaction({
    envelope,
    deliveries: [{ id: `d-${mode}`, target: 'careless', mode: 'one', order: 0, state: 'pending' }],
    audit: { actor: 'system', action: 'transaction.accepted' },
    now: new Date(),
  });
  const events: unknown[] = [];
  const worker = new DeliveryWorker({
    store,
    targets: new Map([['careless', { instance, capabilities: careless.capabilities }]]),
    onEvent: (e) => events.push(e),
  });
  expect(await worker.runOnce()).toBe(1);
  await worker.stop(100);
  const dead = await store.listDeadLetters({ target: 'careless' });
  return {
    id,
    dead,
    attempts: await store.listAttempts(`d-${mode}`),
    audit: await store.listAudit('E07000223', { transactionId: id }),
    events,
    instance,
  };
}

describe('the delivery worker scrubs the transaction personal data from what it records', () => {
  it('keeps the error and its class but not the name or e-mail address the adapter put in it', async () => {
    const { dead, attempts, audit, events } = await deliverOnce('name-in-error');
    // Dead-lettered as permanent, with the adapter's message otherwise intact.
    expect(dead.map((d) => [d.state, d.lastError?.classification, d.lastError?.code])).toEqual([
      ['dead', 'permanent', 'LGX_ERR_ADAPTER_PERMANENT'],
    ]);
    expect(dead[0]!.lastError!.message).toMatch(/^permanent failure: report for \[REDACTED\] \[REDACTED\] <\[REDACTED\]> refused: .*422/);
    expect(attempts.map((a) => [a.outcome, a.classification])).toEqual([['failed', 'permanent']]);
    // Nothing the store holds about the failure, nor the event, names the citizen; the file neither.
    const recorded = JSON.stringify([dead.map((d) => d.lastError), attempts, audit, events]);
    for (const value of ['Alex', 'Example', 'alex.example@example.com']) expect(recorded).not.toContain(value);
    await store.close();
    const file = fs.readFileSync(path.join(dir, 'lgx.db'));
    expect(file.includes('report for [REDACTED] [REDACTED]')).toBe(true);
    expect(file.includes('report for Alex Example')).toBe(false);
    store = createSqliteStore({ file: path.join(dir, 'lgx.db') });
  });
});

describe('receipts and status updates are checked against their schemas before they are stored', () => {
  it('dead-letters a delivery whose receipt breaks the schema, naming the field, and stores no receipt', async () => {
    const { id, dead, attempts, audit } = await deliverOnce('bad-receipt');
    expect(dead).toHaveLength(1);
    expect(dead[0]!.receipt).toBeUndefined();
    expect(dead[0]!.lastError).toEqual({
      classification: 'permanent',
      code: 'LGX_ERR_ADAPTER_CONTRACT',
      message: expect.stringMatching(
        /^permanent failure: adapter 'careless' returned a receipt that does not match the receipt schema: \/status must be one of: open, .* \(enum\)$/,
      ),
    });
    expect(attempts.map((a) => [a.outcome, a.code])).toEqual([['failed', 'LGX_ERR_ADAPTER_CONTRACT']]);
    expect(audit.map((a) => a.action)).toEqual(['transaction.accepted', 'delivery.dead']);
    expect((await store.getTransaction(id))?.id).toBe(id);
  });

  it('stores the valid status updates of a poll, leaves out a broken one with a logged contract error, and moves the cursor on', async () => {
    const { id, instance } = await deliverOnce('careful');
    const logs: LogEntry[] = [];
    const poller = new StatusPoller({
      store,
      adapters: new Map([['careless', instance]]),
      logger: createLogger({ sink: (e) => logs.push(e), level: 'debug' }),
    });
    expect(await poller.pollOnce()).toBe(1);
    const stored = await store.listStatusUpdates(id);
    expect(stored.map((s) => [s.target, s.update.status, s.update.updatedAt])).toEqual([['careless', 'fixed', '2026-12-01T10:00:00Z']]);
    expect(logs.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({
        code: 'LGX_ERR_ADAPTER_CONTRACT',
        target: 'careless',
        index: 1,
        issues: '/updatedAt must be a valid date-time value (format)',
      }),
    ]);
    expect(await store.getCursor('poll:careless')).toBe('end');
  });
});

describe('personalDataScrubber', () => {
  const envelope = createTransaction('street.report', structuredClone(pothole) as never, {
    council: 'E07000223',
    channel: 'web',
    idempotencyKey: 'scrubber',
  });
  const scrub = personalDataScrubber(envelope);

  it('masks each value however the back office spelled its case, and short ones only as whole words', () => {
    expect(scrub('ALEX EXAMPLE (Alex.Example@Example.com) refused')).toBe('[REDACTED] [REDACTED] ([REDACTED]) refused');
    expect(scrub('Alexander of Examples Ltd')).toBe('Alexander of [REDACTED]s Ltd');
  });

  it('leaves text alone for a transaction with no personal data', () => {
    const { requester: _requester, ...withoutRequester } = pothole as Record<string, unknown>;
    const anonymous = createTransaction('street.report', withoutRequester as never, {
      council: 'E07000223',
      channel: 'web',
      idempotencyKey: 'anon',
    });
    expect(personalDataScrubber(anonymous)('Alex Example')).toBe('Alex Example');
  });
});
