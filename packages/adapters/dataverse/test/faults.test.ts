/**
 * Faults a Dataverse integration meets in production, each against the simulator: the access token
 * expiring between calls, a storm of service-protection 429s while a stack delivers, an answer lost
 * after Dataverse made the row, and an Entra ID outage.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteStore, createStack, openStack, type RunningStack } from '@lgx/runtime';
import { startDataverseSimulator, type DataverseSimulator } from '../src/testing';
import { caseFixture, caseTx, dataverse, dataverseConfig, rejection, signal } from './helpers';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
let sim: DataverseSimulator;
beforeAll(async () => {
  sim = await startDataverseSimulator({ serviceProtection: null });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  sim.setServiceProtection(null);
});

it('token expiry mid-run: the 401 fetches a new token once and the call goes through', async () => {
  const { a } = await dataverse(sim);
  await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
  expect(sim.entra.issued()).toBe(1);
  sim.expireTokens();
  const receipt = await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
  expect(receipt.externalRef).toMatch(/^[0-9a-f-]{36}$/);
  expect(sim.entra.issued()).toBe(2);
  expect(sim.requests.filter((r) => r.method === 'PATCH').map((r) => r.outcome)).toEqual(['handled', 'handled', 'handled']);
  expect(sim.state.incidents.size).toBe(2);
});

it('a token the identity provider keeps refusing is auth; an identity provider outage is retryable', async () => {
  const { a } = await dataverse(sim);
  sim.entra.faults.failNext(1, { status: 503, body: { error: 'temporarily_unavailable' } });
  expect((await rejection(a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() }))).classification).toBe('retryable');
  const { a: wrong } = await dataverse(sim, { clientSecret: 'revoked-secret' });
  const refused = await rejection(wrong.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() }));
  expect(refused.classification).toBe('auth');
  expect(refused.message).not.toContain('revoked-secret');
  expect(sim.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
});

it('duplicate submit after a lost response: Dataverse made the row but the answer never came; the repeat returns that row', async () => {
  const { a } = await dataverse(sim);
  await a.check!({ signal: signal() });
  const t = caseTx(caseFixture('anonymous-staff-case'));
  sim.faults.latency(600);
  const lost = await rejection(a.submit!(t, { signal: AbortSignal.timeout(300) }));
  expect(lost.classification).toBe('retryable');
  for (let i = 0; i < 100 && !sim.incidentByKey(t.id); i++) await new Promise((r) => setTimeout(r, 20));
  sim.faults.latency(0);
  const made = sim.incidentByKey(t.id)!;
  expect(made).toBeDefined();
  const receipt = await a.submit!(structuredClone(t), { signal: signal(), attempt: 2 });
  expect(receipt.externalRef).toBe(made.incidentid);
  expect(sim.state.incidents.size).toBe(1);
});

describe('through a running stack', () => {
  let dir: string;
  let stack: RunningStack | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-dataverse-'));
  });
  afterEach(async () => {
    await stack?.close({ deadlineMs: 2000 });
    stack = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('429 storm: 40 cases against a 5-requests-a-second limit all arrive once, none dead, Retry-After honoured', async () => {
    sim.setServiceProtection({ requests: 5, windowMs: 1000, concurrent: 52 });
    const definition = await createStack(
      {
        council: 'E07000223',
        adapters: {
          crm: { package: '@lgx/adapter-dataverse', config: { ...dataverseConfig(sim), clientSecret: '${env:DATAVERSE_SECRET}' } },
        },
        routes: [{ match: { type: 'crm.case' }, mode: 'one', targets: ['crm'] }],
      },
      { env: { DATAVERSE_SECRET: sim.clientSecret } },
    );
    stack = await openStack(definition, {
      store: createSqliteStore({ file: path.join(dir, 'lgx.db') }),
      resolveFrom: repoRoot,
      polling: false,
      worker: {
        pollIntervalMs: 20,
        concurrency: 8,
        perTarget: 8,
        retry: { baseDelayMs: 10, maxDelayMs: 100, maxAttempts: 50 },
        breaker: { threshold: 1000, cooldownMs: 10 },
      },
    });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await stack.submit(caseTx(caseFixture('anonymous-staff-case'), `storm-${i}`))).id);
    const until = Date.now() + 45_000;
    let views = await Promise.all(ids.map((id) => stack!.get(id)));
    while (views.some((v) => v!.deliveries[0]!.state !== 'delivered') && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      views = await Promise.all(ids.map((id) => stack!.get(id)));
    }
    expect(views.map((v) => v!.deliveries[0]!.state)).toEqual(ids.map(() => 'delivered'));
    expect(sim.state.incidents.size).toBe(40);
    const logs = views.map((v) => v!.deliveries[0]!.attemptLog);
    expect(logs.flat().filter((a) => a.classification === 'rateLimited').length).toBeGreaterThan(0);
    // Each attempt after a 429 waited out its Retry-After (at least a second here).
    for (const log of logs) {
      for (let i = 1; i < log.length; i++) {
        if (log[i - 1]!.classification === 'rateLimited')
          expect(Date.parse(log[i]!.startedAt) - Date.parse(log[i - 1]!.finishedAt)).toBeGreaterThanOrEqual(950);
      }
    }
    expect(sim.requests.filter((r) => r.outcome === 'handled').length).toBeGreaterThan(40);
  }, 60_000);
});
