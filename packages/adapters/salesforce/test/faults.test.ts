/**
 * Faults a Salesforce integration meets in production, each against the simulator: a session that
 * expires between calls, the org's daily API allocation running out while a stack delivers, an answer
 * lost after Salesforce made the Case, and a login that is refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteStore, createStack, openStack, type RunningStack } from '@lgx/runtime';
import { startSalesforceSimulator, type SalesforceSimulator } from '../src/testing';
import { caseFixture, caseTx, rejection, salesforce, salesforceConfig, signal } from './helpers';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
let sim: SalesforceSimulator;
beforeAll(async () => {
  sim = await startSalesforceSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

it('token expiry mid-run: INVALID_SESSION_ID gets a new token once and the call goes through', async () => {
  const { a } = await salesforce(sim);
  await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
  sim.expireSessions();
  const receipt = await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
  expect(receipt.externalRef).toMatch(/^500/);
  expect(sim.tokensIssued()).toBe(2);
  expect(sim.state.cases.size).toBe(2);
});

it('a session refused again after a new token is auth, and a refused login is auth without the key in the message', async () => {
  const { a } = await salesforce(sim);
  sim.faults.failNext(2, { status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] });
  const twice = await rejection(a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() }));
  expect([twice.classification, twice.vendorCode]).toEqual(['auth', 'INVALID_SESSION_ID']);
  expect(sim.tokensIssued()).toBe(2);
  const { a: stranger } = await salesforce(sim, { username: 'not-approved@council.example' });
  const refused = await rejection(stranger.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() }));
  expect([refused.classification, refused.message]).toEqual(['auth', expect.stringContaining("user hasn't approved this consumer")]);
  expect(refused.message).not.toContain('PRIVATE KEY');
});

it('REQUEST_LIMIT_EXCEEDED is rate limited with a long wait (the concurrent-request limit, a short one)', async () => {
  const { a } = await salesforce(sim, { requestLimitBackoffMinutes: 90 });
  await a.check!({ signal: signal() });
  sim.setApiUsage(15_000);
  const daily = await rejection(a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() }));
  expect(daily).toMatchObject({
    classification: 'rateLimited',
    retryAfterMs: 90 * 60_000,
    vendorCode: 'REQUEST_LIMIT_EXCEEDED',
    status: 403,
  });
  sim.setApiUsage(0);
  sim.faults.failNext(1, {
    status: 403,
    body: [{ message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
  });
  expect(await rejection(a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() }))).toMatchObject({
    classification: 'rateLimited',
    retryAfterMs: 30_000,
  });
  expect(sim.state.cases.size).toBe(0);
});

it('duplicate submit after a lost response: Salesforce made the Case but the answer never came; the next attempt finds it', async () => {
  const { a } = await salesforce(sim);
  await a.check!({ signal: signal() });
  const t = caseTx(caseFixture('anonymous-staff-case'));
  sim.faults.latency(600);
  const lost = await rejection(a.submit!(t, { signal: AbortSignal.timeout(300) }));
  expect(lost.classification).toBe('retryable');
  for (let i = 0; i < 100 && sim.state.cases.size === 0; i++) await new Promise((r) => setTimeout(r, 20));
  sim.faults.latency(0);
  const made = sim.caseByExternalId(t.id)!;
  const receipt = await a.submit!(structuredClone(t), { signal: signal(), attempt: 2 });
  expect(receipt.externalRef).toBe(made.Id);
  expect(sim.state.cases.size).toBe(1);
  expect(sim.requests.filter((r) => r.path.endsWith('/composite'))).toHaveLength(1);
});

describe('through a running stack', () => {
  let dir: string;
  let stack: RunningStack | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-salesforce-'));
  });
  afterEach(async () => {
    await stack?.close({ deadlineMs: 2000 });
    stack = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the daily allocation used up: every delivery waits the long back-off, none is dead-lettered, nothing is made', async () => {
    const definition = await createStack(
      {
        council: 'E07000223',
        adapters: { sf: { package: '@lgx/adapter-salesforce', config: { ...salesforceConfig(sim), privateKey: '${env:SF_KEY}' } } },
        routes: [{ match: { type: 'crm.case' }, mode: 'one', targets: ['sf'] }],
      },
      { env: { SF_KEY: sim.privateKey } },
    );
    stack = await openStack(definition, {
      store: createSqliteStore({ file: path.join(dir, 'lgx.db') }),
      resolveFrom: repoRoot,
      polling: false,
      worker: { pollIntervalMs: 20, retry: { baseDelayMs: 10, maxDelayMs: 100 }, breaker: { threshold: 1000, cooldownMs: 10 } },
    });
    sim.setApiUsage(15_000);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await stack.submit(caseTx(caseFixture('anonymous-staff-case'), `limit-${i}`))).id);
    const attempted = async () => (await Promise.all(ids.map((id) => stack!.get(id)))).map((v) => v!.deliveries[0]!);
    const until = Date.now() + 20_000;
    let deliveries = await attempted();
    while (deliveries.some((d) => d.attempts === 0) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      deliveries = await attempted();
    }
    for (const d of deliveries) {
      expect([d.state, d.attempts, d.lastError?.classification]).toEqual(['pending', 1, 'rateLimited']);
      expect(Date.parse(d.nextAttemptAt) - Date.parse(d.updatedAt)).toBeGreaterThanOrEqual(59 * 60_000);
    }
    expect(sim.state.cases.size).toBe(0);
  }, 30_000);
});
